// Package schema turns Go types into the JSON Schemas that tools publish as
// their input and output schemas. It owns the invopop/jsonschema settings
// (references inlined, object root, no additional properties) so that every
// tool's schema has the same shape.
package schema

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
)

// For returns the JSON Schema of T. T must be a struct; the root is always a
// plain "type: object" schema with every referenced type inlined, because
// several MCP clients reject $ref and top-level combinators.
func For[T any]() json.RawMessage {
	var zero T
	r := &jsonschema.Reflector{
		DoNotReference:             true,
		ExpandedStruct:             true,
		AllowAdditionalProperties:  false,
		RequiredFromJSONSchemaTags: false,
	}
	s := r.Reflect(&zero)
	s.Version = "" // the MCP spec fixes the dialect; "$schema" only confuses clients
	s.ID = ""
	if s.Type != "object" {
		panic(fmt.Sprintf("schema: %v is not a struct (root type %q)", reflect.TypeOf(zero), s.Type))
	}
	raw, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("schema: marshal %v: %v", reflect.TypeOf(zero), err))
	}
	return raw
}

// Input sets the tool's input schema from T, in full: the server validates
// calls against it and publishes its CompactInput form. It also clears the structured InputSchema
// that mcp.NewTool pre-fills, since mcp-go refuses to marshal a tool that
// carries both (STYLE.md rule 8).
func Input[T any]() mcp.ToolOption {
	raw := For[T]()
	return func(t *mcp.Tool) {
		t.InputSchema = mcp.ToolInputSchema{}
		t.RawInputSchema = raw
	}
}

// Output sets the tool's output schema from T: its top-level shape only
// (see compactOutput).
func Output[T any]() mcp.ToolOption {
	raw := compactOutput(For[T]())
	return func(t *mcp.Tool) {
		t.OutputSchema = mcp.ToolOutputSchema{}
		t.RawOutputSchema = raw
	}
}
