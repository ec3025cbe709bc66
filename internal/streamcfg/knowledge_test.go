package streamcfg

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestKnowledgeIsData fails when the code types a number instead of reading
// it from the guidance table, or names a guidance id no table holds.
func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := loadTestBase(t)
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "msk.", "kinesis.", "sizing.", "esm.", "esm_scaling.", "lambda.")
}
