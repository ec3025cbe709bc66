package limitcheck

import (
	"strings"
	"testing"
)

// NoLiterals fails t for every numeric literal in the code of dir (see
// NumericLiterals): a limit typed into code instead of read from guidance.
func NoLiterals(t testing.TB, dir string) {
	t.Helper()
	lits, err := NumericLiterals(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lits {
		t.Errorf("numeric literal in code (move it to guidance/limits): %s", l)
	}
}

// Resolve fails t for every guidance id with one of prefixes that the code in
// dir names but has reports false for, and returns the ids it found. An id
// ending in "." is a prefix the code completes at run time and is skipped.
// It fails when it finds no id at all: then the scan itself is broken.
func Resolve(t testing.TB, has func(id string) bool, dir string, prefixes ...string) []string {
	t.Helper()
	ids, err := IDLiterals(dir, prefixes...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no guidance ids found; the scan is broken")
	}
	for _, id := range ids {
		if strings.HasSuffix(id, ".") {
			continue
		}
		if !has(id) {
			t.Errorf("code names guidance id %q that no table holds", id)
		}
	}
	return ids
}
