package cfntemplate_test

import (
	"errors"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
)

// TestResources returns the Resources section as Validate reads it: short
// tags in long form, aliases expanded.
func TestResources(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := cfntemplate.Resources("Resources:\n  P:\n    Type: AWS::OSIS::Pipeline\n    Properties:\n      MaxUnits: !Ref Max\n", b)
	if err != nil {
		t.Fatal(err)
	}
	props := res["P"].(map[string]any)["Properties"].(map[string]any)
	if ref, _ := props["MaxUnits"].(map[string]any); ref["Ref"] != "Max" {
		t.Errorf("MaxUnits = %#v, want {Ref: Max}", props["MaxUnits"])
	}
	if _, err := cfntemplate.Resources("not: [yaml", b); err == nil || errors.Is(err, nil) {
		t.Errorf("bad YAML: err %v", err)
	}
}
