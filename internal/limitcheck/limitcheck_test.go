package limitcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindsLiteralsAndIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package x

import "strconv"

func f(b interface{ Num(string) float64 }) (float64, string) {
	if b.Num("esm.batch_size.max") > 10000 { // hard-coded limit
		return -1, strconv.FormatFloat(0.5, 'f', -1, 64) + strconv.Itoa(600)
	}
	return 1, "not an id" + "esm.prefix."
}

const bytesPerGiB = 1 << 30 // unit conversion
const hidden = 3600

`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package x\nvar _ = 42\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lits, err := NumericLiterals(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{": 10000", ": 0.5", ": 600", ": 3600"}
	if len(lits) != len(want) {
		t.Fatalf("literals = %v, want %v", lits, want)
	}
	for i, w := range want {
		if !strings.HasSuffix(lits[i], w) {
			t.Fatalf("literals = %v, want %v", lits, want)
		}
	}
	ids, err := IDLiterals(dir, "esm.")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != "esm.batch_size.max" {
		t.Fatalf("ids = %v", ids)
	}
}
