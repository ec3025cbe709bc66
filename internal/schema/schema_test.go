package schema

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/mcp"
)

type inner struct {
	Port int `json:"port" jsonschema:"minimum=1,maximum=65535" jsonschema_description:"TCP port"`
}

type sample struct {
	Name  string  `json:"name" jsonschema_description:"a name"`
	Mode  string  `json:"mode,omitempty" jsonschema:"enum=a,enum=b" jsonschema_description:"mode"`
	Inner inner   `json:"inner" jsonschema_description:"nested"`
	List  []inner `json:"list,omitempty" jsonschema_description:"nested list"`
}

func TestForInlinesAndRequires(t *testing.T) {
	t.Parallel()
	var s map[string]any
	if err := json.Unmarshal(For[sample](), &s); err != nil {
		t.Fatal(err)
	}
	if s["type"] != "object" {
		t.Fatalf("root type = %v", s["type"])
	}
	for _, k := range []string{"$ref", "$defs", "$schema", "anyOf", "oneOf", "allOf"} {
		if _, ok := s[k]; ok {
			t.Errorf("root has %q", k)
		}
	}
	req, _ := s["required"].([]any)
	if len(req) != 2 || req[0] != "name" || req[1] != "inner" {
		t.Errorf("required = %v, want [name inner]", req)
	}
	props := s["properties"].(map[string]any)
	port := props["inner"].(map[string]any)["properties"].(map[string]any)["port"].(map[string]any)
	if port["maximum"] != 65535.0 {
		t.Errorf("nested range lost: %v", port)
	}
}

// Regression: mcp.NewTool pre-fills InputSchema.Type, and mcp-go refuses to
// marshal a tool with both schemas set (STYLE.md rule 8).
func TestInputOutputMarshal(t *testing.T) {
	t.Parallel()
	tool := mcp.NewTool("x", Input[sample](), Output[sample]())
	if _, err := json.Marshal(tool); err != nil {
		t.Fatalf("tool does not marshal: %v", err)
	}
}

func TestForPanicsOnNonStruct(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a slice root")
		}
	}()
	For[[]inner]()
}

func TestCompactInputFitsAndKeepsValidation(t *testing.T) {
	t.Parallel()
	full := For[sizingLike]()
	tests := []struct {
		name   string
		budget int
		check  func(t *testing.T, s map[string]any)
	}{
		{"fits already: unchanged", len(full), func(t *testing.T, s map[string]any) {
			if d := prop(s, "rate")["description"]; d != "average write rate in MB/s (10^6 bytes); derived from records when omitted" {
				t.Errorf("description changed: %v", d)
			}
		}},
		{"first clause kept", len(full) - 20, func(t *testing.T, s map[string]any) {
			if d := prop(s, "rate")["description"]; d != "average write rate in MB/s (10^6 bytes)" {
				t.Errorf("description = %v", d)
			}
			if prop(s, "rate")["minimum"] != 0.0 {
				t.Error("minimum dropped before it had to be")
			}
		}},
		{"tight: optional short descriptions dropped, required and enums kept", 1, func(t *testing.T, s map[string]any) {
			if _, ok := prop(s, "rate")["description"]; ok {
				t.Error("optional description kept at budget 1")
			}
			if prop(s, "service")["description"] == nil || prop(s, "service")["enum"] == nil {
				t.Errorf("required property lost its description or enum: %v", prop(s, "service"))
			}
			if prop(s, "factor")["maximum"] != 10.0 || s["additionalProperties"] != false {
				t.Errorf("validation keywords dropped: %v", s)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := CompactInput(full, tc.budget)
			var s map[string]any
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			if tc.budget > 1 && len(raw) > tc.budget {
				t.Errorf("%d bytes, over budget %d", len(raw), tc.budget)
			}
			tc.check(t, s)
		})
	}
}

type sizingLike struct {
	Service string  `json:"service" jsonschema:"enum=msk,enum=kinesis" jsonschema_description:"what to size"`
	Rate    float64 `json:"rate,omitempty" jsonschema:"minimum=0" jsonschema_description:"average write rate in MB/s (10^6 bytes); derived from records when omitted"`
	Factor  int     `json:"factor,omitempty" jsonschema:"minimum=0,maximum=10" jsonschema_description:"parallelization factor"`
}

func prop(s map[string]any, name string) map[string]any {
	p, _ := s["properties"].(map[string]any)[name].(map[string]any)
	return p
}

func TestOutputIsTopLevelShape(t *testing.T) {
	t.Parallel()
	var s map[string]any
	tool := mcp.NewTool("x", Output[sample]())
	if err := json.Unmarshal(tool.RawOutputSchema, &s); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "object", "properties": map[string]any{
		"name": map[string]any{"type": "string"}, "mode": map[string]any{"type": "string"},
		"inner": map[string]any{"type": "object"}, "list": map[string]any{"type": "array"}}}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("output schema (-want +got):\n%s", diff)
	}
}
