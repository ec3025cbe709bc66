package tools

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestPromptArgumentsMatchToolSchemas holds every prompt argument to the
// input schema of the tool that receives it, by type (size_cluster passed
// numbers as strings that sizing then rejected), and checks the rendered
// prompt sends it with that JSON type.
func TestPromptArgumentsMatchToolSchemas(t *testing.T) {
	t.Parallel()
	schemas := map[string]map[string]any{}
	for _, st := range allTools(t) {
		schemas[st.Tool.Name] = decode(t, st.Tool.RawInputSchema)
	}
	checked := 0
	objRE := regexp.MustCompile(`\{[^{}]*\}`)
	for _, d := range promptDefs() {
		sample := map[string]string{}
		for _, a := range d.args {
			tool, path, _ := strings.Cut(a.to, ".")
			s, ok := schemas[tool]
			if !ok {
				t.Errorf("%s.%s: receiving tool %q is not registered", d.name, a.name, tool)
				continue
			}
			if path != "" {
				s, _ = props(s)[path].(map[string]any)
			}
			p, _ := props(s)[a.name].(map[string]any)
			if p == nil {
				t.Errorf("%s.%s: %s has no argument %s", d.name, a.name, a.to, a.name)
				continue
			}
			if p["type"] != a.typ {
				t.Errorf("%s.%s: the prompt sends a %s, %s takes a %v", d.name, a.name, a.typ, a.to, p["type"])
			}
			sample[a.name] = "sample"
			if a.typ != "string" {
				sample[a.name] = "12"
			}
			checked++
		}
		req := mcp.GetPromptRequest{}
		req.Params.Name, req.Params.Arguments = d.name, sample
		res, err := prompt(d.name, d.desc, d.args, d.body).Handler(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		text := res.Messages[0].Content.(mcp.TextContent).Text
		for _, a := range d.args {
			found := false
			for _, obj := range objRE.FindAllString(text, -1) {
				var m map[string]any
				if json.Unmarshal([]byte(obj), &m) != nil {
					continue
				}
				v, ok := m[a.name]
				if !ok {
					continue
				}
				found = true
				if _, isNum := v.(float64); isNum != (a.typ != "string") {
					t.Errorf("%s renders %s as %T in %s; the tool takes a %s", d.name, a.name, v, obj, a.typ)
				}
			}
			if !found {
				t.Errorf("%s does not pass %s to a tool", d.name, a.name)
			}
		}
		// A number argument that is not a number is refused by the prompt.
		for _, a := range d.args {
			if a.typ == "string" {
				continue
			}
			bad := map[string]string{}
			for k, v := range sample {
				bad[k] = v
			}
			bad[a.name] = "ten"
			req.Params.Arguments = bad
			if _, err := prompt(d.name, d.desc, d.args, d.body).Handler(context.Background(), req); err == nil || !strings.Contains(err.Error(), "must be a number") {
				t.Errorf("%s: %s=ten accepted (%v)", d.name, a.name, err)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d prompt arguments checked", checked)
	}
}
