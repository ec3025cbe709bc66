package streamguide_test

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/firehosecfg"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// TestFirehoseStackPassesValidation checks the generated delivery stream
// with validate_config's firehose_stream rules (info findings only).
func TestFirehoseStackPassesValidation(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, r := range lintRequests() {
		if r.Topic != "firehose" {
			continue
		}
		r.Format = iac.FormatCloudFormation
		res, err := reg.Guide(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Artifacts {
			if a.Name != "firehose-stream.cloudformation.yaml" {
				continue
			}
			var tpl struct {
				Resources map[string]struct {
					Type       string         `yaml:"Type"`
					Properties map[string]any `yaml:"Properties"`
				} `yaml:"Resources"`
			}
			if err := yaml.Unmarshal([]byte(a.Content), &tpl); err != nil {
				t.Fatal(err)
			}
			ds, ok := tpl.Resources["DeliveryStream"]
			if !ok || ds.Type != "AWS::KinesisFirehose::DeliveryStream" {
				t.Fatalf("%s: no DeliveryStream resource\n%s", name, a.Content)
			}
			n++
			v := firehosecfg.CheckResource("Resources.DeliveryStream.Properties", ds.Properties, b)
			for _, x := range v.Violations {
				if x.Severity != rules.Info {
					t.Errorf("%s: %s %s", name, x.RuleID, x.Message)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no firehose stack generated")
	}
}
