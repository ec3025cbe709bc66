package streamguide_test

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/osipipe"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// TestOSIPipelinePassesValidation feeds every generated pipeline.yaml back
// through validate_config's opensearch_pipeline rules; the only finding
// allowed is the DLQ warning when no dlq_bucket was given, and the EFO info.
func TestOSIPipelinePassesValidation(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, r := range lintRequests() {
		if r.Topic != "opensearch_ingestion" {
			continue
		}
		res, err := reg.Guide(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Artifacts {
			if a.Name != "pipeline.yaml" {
				continue
			}
			n++
			v, err := osipipe.Validate(integ.ValidateInput{Text: a.Content}, b)
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, a.Content)
			}
			for _, x := range v.Violations {
				dlq := x.RuleID == "opensearch_pipeline.sink.opensearch.dlq" && r.Options["dlq_bucket"] == nil
				if x.Severity == rules.Error || (x.Severity == rules.Warning && !dlq) {
					t.Errorf("%s: generated pipeline violates %s: %s\n%s", name, x.RuleID, x.Message, a.Content)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no pipeline generated")
	}
}
