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
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "msk.", "kinesis.", "sizing.", "esm.", "esm_scaling.", "lambda.", "cfn.")
}

// TestRuleIDListsAreComplete: checked_rules counts and template validation
// use MSKClusterRuleIDs and KinesisStreamRuleIDs, so every rule id the code
// can report must be in them. (The other direction is TestRules: every
// listed id needs a failing example.)
func TestRuleIDListsAreComplete(t *testing.T) {
	t.Parallel()
	found, err := limitcheck.IDLiterals(".", "msk_cluster.", "kinesis_stream.")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, id := range append(MSKClusterRuleIDs(), KinesisStreamRuleIDs()...) {
		listed[id] = true
	}
	for _, id := range found {
		if !listed[id] {
			t.Errorf("rule %s is reported but missing from MSKClusterRuleIDs/KinesisStreamRuleIDs", id)
		}
	}
	if len(found) == 0 {
		t.Fatal("no rule ids found; the scan is broken")
	}
}
