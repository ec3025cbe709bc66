package optimize

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestNoHardCodedLimits fails when the code types a number instead of
// reading it from the guidance table.
func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	lits, err := limitcheck.NumericLiterals(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lits {
		t.Errorf("numeric literal in code (move it to guidance/limits): %s", l)
	}
}

// TestEveryIDResolves fails when the code names a guidance id the tables do
// not hold.
func TestEveryIDResolves(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	ids, err := limitcheck.IDLiterals(".", "msk.", "kinesis.", "sizing.", "esm.", "esm_scaling.", "lambda.")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no ids found; the scan is broken")
	}
	for _, id := range ids {
		if _, ok := b.Lookup(id); !ok {
			t.Errorf("code names guidance id %q that no table holds", id)
		}
	}
}
