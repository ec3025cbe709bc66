package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// TestHygiene enforces rules a linter config would (STYLE.md 26, 28, 36):
// stdout belongs to the protocol, so no fmt.Print*/log.Print*/os.Stdout
// outside main.go; no init() functions; every package has a doc comment.
func TestHygiene(t *testing.T) {
	t.Parallel()
	root := repopath.Root()
	fset := token.NewFileSet()
	docs := map[string]bool{} // package dir -> has doc
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", ".git", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		dir := filepath.Dir(rel)
		if f.Doc != nil {
			docs[dir] = true
		} else if _, ok := docs[dir]; !ok {
			docs[dir] = false
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncDecl:
				if x.Recv == nil && x.Name.Name == "init" {
					t.Errorf("%s: init() function; build state in run instead", fset.Position(x.Pos()))
				}
			case *ast.SelectorExpr:
				id, ok := x.X.(*ast.Ident)
				if !ok {
					return true
				}
				name := id.Name + "." + x.Sel.Name
				bad := (id.Name == "fmt" && strings.HasPrefix(x.Sel.Name, "Print")) ||
					(id.Name == "log" && (strings.HasPrefix(x.Sel.Name, "Print") || strings.HasPrefix(x.Sel.Name, "Fatal"))) ||
					(name == "os.Stdout" && rel != filepath.Join("cmd", "stream-mcp", "main.go"))
				if bad {
					t.Errorf("%s: %s writes to stdout, which belongs to the MCP protocol; log with slog to stderr or take an io.Writer", fset.Position(x.Pos()), name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, ok := range docs {
		if !ok {
			t.Errorf("package %s has no package doc comment saying what it owns", dir)
		}
	}
}
