package kinesisdiag

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestKnowledgeIsData keeps every threshold in guidance: no numeric literals
// other than structure (0, 1), and every id the code names exists.
func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "kinesis.", "kinesis_diag.", "metrics.")
}
