package lag

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestNoHardCodedLimits fails when the lag rules type a number instead of
// reading it from guidance/limits/kafka_lag.yaml.
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

// TestEveryIDResolves fails when the code names an id no table holds.
func TestEveryIDResolves(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := limitcheck.IDLiterals(".", "kafka.")
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
