// Package limitcheck is a test helper that enforces "knowledge is data" on
// the rule packages mechanically: it parses a package's non-test Go files and
// lists numeric literals (a limit typed into code instead of read from the
// guidance table) and the guidance ids the code names, so a test can fail on
// the former and resolve the latter against the loaded base.
package limitcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// allowed are the literals that are structure, not limits: zero, one (and
// minus one, which parses as -1), used for emptiness, first elements and
// increments.
var allowedLiterals = map[string]bool{"0": true, "1": true, "0.0": true, "1.0": true}

// NumericLiterals returns "file:line: literal" for every integer, float or
// imaginary literal in the non-test Go files of dir other than 0 and 1.
// Arguments of strconv calls after the value (formats, precisions, bases,
// bit sizes) are exempt: they describe the encoding, not a limit. So are constants whose comment says "unit
// conversion" (bytes per GiB, ms per second): they are arithmetic, not
// facts about a service, and reviewers see them marked.
func NumericLiterals(dir string) ([]string, error) {
	fset := token.NewFileSet()
	files, err := goFiles(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("limitcheck: %w", err)
		}
		exempt := map[ast.Node]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok && isUnitConversion(vs) {
				for _, v := range vs.Values {
					ast.Inspect(v, func(m ast.Node) bool { exempt[m] = true; return true })
				}
			}
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "strconv" && len(call.Args) > 1 {
						// The value (first argument) is checked like any
						// other: strconv.Itoa(600) is still a typed limit.
						for _, a := range call.Args[1:] {
							exempt[a] = true
						}
					}
				}
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || exempt[n] {
				return true
			}
			switch lit.Kind {
			case token.INT, token.FLOAT, token.IMAG:
				if !allowedLiterals[lit.Value] {
					out = append(out, fmt.Sprintf("%s: %s", fset.Position(lit.Pos()), lit.Value))
				}
			}
			return true
		})
	}
	return out, nil
}

// IDLiterals returns the distinct string literals in the non-test Go files
// of dir that look like guidance ids with one of the given prefixes (e.g.
// "esm."). Literals ending in "." are prefixes used to build ids and are
// skipped.
func IDLiterals(dir string, prefixes ...string) ([]string, error) {
	fset := token.NewFileSet()
	files, err := goFiles(dir)
	if err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$`)
	seen := map[string]bool{}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, fmt.Errorf("limitcheck: %w", err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !re.MatchString(s) {
				return true
			}
			for _, p := range prefixes {
				if strings.HasPrefix(s, p) {
					seen[s] = true
				}
			}
			return true
		})
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

func goFiles(dir string) ([]string, error) {
	all, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("limitcheck: %w", err)
	}
	var out []string
	for _, f := range all {
		if !strings.HasSuffix(f, "_test.go") {
			out = append(out, f)
		}
	}
	return out, nil
}

func isUnitConversion(vs *ast.ValueSpec) bool {
	for _, g := range []*ast.CommentGroup{vs.Doc, vs.Comment} {
		if g != nil && strings.Contains(g.Text(), "unit conversion") {
			return true
		}
	}
	return false
}
