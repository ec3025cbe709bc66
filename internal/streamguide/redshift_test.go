package streamguide_test

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/redshiftstream"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// TestRedshiftSQLPassesValidation feeds every generated setup SQL back
// through validate_config's redshift_streaming rules: guidance and
// validation must agree (no errors, no warnings).
func TestRedshiftSQLPassesValidation(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, r := range lintRequests() {
		if r.Topic != "redshift_streaming" {
			continue
		}
		res, err := reg.Guide(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Artifacts {
			if a.Name != "redshift-streaming.sql" {
				continue
			}
			n++
			v, err := redshiftstream.Validate(integ.ValidateInput{Text: a.Content}, b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, x := range v.Violations {
				if x.Severity != rules.Info {
					t.Errorf("%s: generated SQL violates %s: %s\n%s", name, x.RuleID, x.Message, a.Content)
				}
			}
			if r.Source != "kinesis" && !strings.Contains(a.Content, "CLUSTER_ARN") {
				t.Errorf("%s: no CLUSTER_ARN", name)
			}
		}
	}
	if n == 0 {
		t.Fatal("no redshift SQL generated")
	}
}
