package server

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mark3labs/mcp-go/mcp"
)

func TestRender(t *testing.T) {
	type artifact struct {
		Name    string `json:"name"`
		Content string `json:"content"`
	}
	type out struct {
		Zeta      string         `json:"zeta"`
		Alpha     int            `json:"alpha"`
		Retention string         `json:"retention"`
		Ratio     float64        `json:"ratio"`
		Flag      string         `json:"flag"`
		Artifacts []artifact     `json:"artifacts"`
		Configs   map[string]any `json:"configs"`
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"struct order, quoted look-alikes, literal blocks", out{
			Zeta: "first", Alpha: 3, Retention: "604800000", Ratio: 0.25, Flag: "true",
			Artifacts: []artifact{{Name: "template.yaml", Content: "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n"}},
			Configs:   map[string]any{"retention.ms": "86400000", "cleanup.policy": "delete"},
		}, `zeta: first
alpha: 3
retention: "604800000"
ratio: 0.25
flag: "true"
artifacts:
  - name: template.yaml
    content: |
      Resources:
        Fn:
          Type: AWS::Lambda::Function
configs:
  cleanup.policy: delete
  retention.ms: "86400000"`},
		{"strings that need quotes", map[string]any{"k": "a: b", "e": ""}, `e: ""
k: 'a: b'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Render (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderTextMiddleware(t *testing.T) {
	tests := []struct {
		name string
		res  *mcp.CallToolResult
		want string
	}{
		{"headline then the whole result", mcp.NewToolResultStructured(map[string]any{"n": 1}, "**sizing**: 3 brokers\n\n- step"),
			"sizing: 3 brokers\n\nn: 1"},
		{"errors pass unchanged", mcp.NewToolResultError("bad input"), "bad input"},
		{"text-only results pass unchanged", mcp.NewToolResultText("plain"), "plain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := renderText()(func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) { return tc.res, nil })
			res, err := h(context.Background(), mcp.CallToolRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Content) != 1 {
				t.Fatalf("content blocks = %d, want 1", len(res.Content))
			}
			if got := res.Content[0].(mcp.TextContent).Text; got != tc.want {
				t.Errorf("text = %q, want %q", got, tc.want)
			}
		})
	}
}
