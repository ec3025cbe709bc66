package schema

import (
	"encoding/json"
	"testing"

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
