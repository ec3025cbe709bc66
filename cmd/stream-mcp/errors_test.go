package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestErrorsAreSentences sends every tool (write tools included) wrong
// types, missing required arguments, out-of-range values, unknown
// arguments and bare minimum calls, and holds every answer to be a tool
// error in sentences: no Go struct or map dump, no fmt verb error.
func TestErrorsAreSentences(t *testing.T) {
	t.Parallel()
	cs := session(t, nil, "--allow-write", "--allow-destructive")
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, tool := range res.Tools {
		raw, _ := json.Marshal(tool.InputSchema)
		var s struct {
			Properties map[string]map[string]any `json:"properties"`
			Required   []string                  `json:"required"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		// A valid base: the required enums at their first value.
		base := map[string]any{}
		for _, r := range s.Required {
			if enum, ok := s.Properties[r]["enum"].([]any); ok {
				base[r] = enum[0]
			} else {
				base[r] = "x"
			}
		}
		type bad struct {
			what string
			args map[string]any
			must bool // must be a tool error (the others may succeed)
		}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for bk, bv := range base {
				m[bk] = bv
			}
			m[k] = v
			return m
		}
		cases := []bad{{"unknown argument", with("no_such_argument", 1), true}, {"bare minimum", base, false}}
		if len(s.Required) > 0 {
			cases = append(cases, bad{"nothing", map[string]any{}, true})
		}
		for name, p := range s.Properties {
			var wrong any = "not-a-" + fmt.Sprint(p["type"])
			if p["type"] == "string" {
				wrong = 42
			}
			cases = append(cases, bad{"wrong type for " + name, with(name, wrong), true})
			if min, ok := p["minimum"].(float64); ok {
				cases = append(cases, bad{"below minimum of " + name, with(name, min-5), true})
			}
			if max, ok := p["maximum"].(float64); ok {
				cases = append(cases, bad{"above maximum of " + name, with(name, max+1), true})
			}
			if _, ok := p["enum"]; ok {
				cases = append(cases, bad{"not in the enum of " + name, with(name, "no_such_value"), true})
			}
		}
		for _, c := range cases {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			r, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool.Name, Arguments: c.args})
			cancel()
			calls++
			if err != nil {
				t.Errorf("%s, %s: protocol error %v; argument errors are tool errors the model can read", tool.Name, c.what, err)
				continue
			}
			if c.must && !r.IsError {
				t.Errorf("%s, %s: accepted %v", tool.Name, c.what, c.args)
				continue
			}
			if !r.IsError {
				continue
			}
			msg := contentText(r)
			for _, dump := range []string{"&{", "map[", "%!", "<root>", "Got:", "Want:"} {
				if strings.Contains(msg, dump) {
					t.Errorf("%s, %s: error has %q: %s", tool.Name, c.what, dump, msg)
				}
			}
			if len(msg) < 20 {
				t.Errorf("%s, %s: error too terse to act on: %q", tool.Name, c.what, msg)
			}
		}
	}
	if calls < 100 {
		t.Fatalf("only %d calls made", calls)
	}
}
