package guidance

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryEntryIsUsed fails when a guidance entry is read by no rule or
// calculator and is not marked reference_only with a reason: knowledge that
// no code judges with is a bug. An entry counts as read when a non-test Go
// file of the module names its id as a string literal, or names a prefix of
// it ending in "." (ids built from a family, e.g. "msk.standard." + size).
func TestEveryEntryIsUsed(t *testing.T) {
	t.Parallel()
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	exact, prefixes := map[string]bool{}, []string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".") && d.Name() != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && s != "" && !strings.ContainsAny(s, " \n") {
					if strings.HasSuffix(s, ".") {
						prefixes = append(prefixes, s)
					} else {
						exact[s] = true
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range b.All() {
		if exact[l.ID] || strings.TrimSpace(l.ReferenceOnly) != "" {
			continue
		}
		found := false
		for _, p := range prefixes {
			if strings.HasPrefix(l.ID, p) && strings.Count(p, ".") > 1 {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no rule or calculator reads it; use it where an answer needs it, or set reference_only: <why> in its YAML", l.ID)
		}
	}
}
