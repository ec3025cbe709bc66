package kinesisdiag

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestNoLimitTypedIntoCode keeps every threshold in guidance: the package
// may not contain numeric literals other than structure (0, 1).
func TestNoLimitTypedIntoCode(t *testing.T) {
	t.Parallel()
	lits, err := limitcheck.NumericLiterals(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lits {
		t.Errorf("numeric literal in code (move it to guidance/limits): %s", l)
	}
}

// TestGuidanceIDsResolve fails when the code names an id the table lacks.
func TestGuidanceIDsResolve(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := limitcheck.IDLiterals(".", "kinesis.", "kinesis_diag.", "metrics.")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no guidance ids found: the scan is broken")
	}
	for _, id := range ids {
		if _, ok := b.Lookup(id); !ok {
			t.Errorf("guidance id %q does not exist", id)
		}
	}
}
