package lag

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestKnowledgeIsData fails when the lag rules type a number instead of
// reading it from guidance/limits/kafka_lag.yaml, or name an id no table holds.
func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "kafka.")
}
