package server

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/schema"
)

type sizingArgs struct {
	Service string  `json:"service" jsonschema:"enum=msk,enum=msk_express,enum=kinesis" jsonschema_description:"what to size"`
	Ingress float64 `json:"ingress_mb_per_second,omitempty" jsonschema:"minimum=0" jsonschema_description:"write rate"`
	Factor  int     `json:"parallelization_factor,omitempty" jsonschema:"minimum=1,maximum=10" jsonschema_description:"factor"`
	Nested  *struct {
		Shards int `json:"shards" jsonschema:"minimum=1" jsonschema_description:"shards"`
	} `json:"workload,omitempty" jsonschema_description:"the traffic"`
}

func TestValidateInputSentences(t *testing.T) {
	tool := mcp.NewTool("sizing", schema.Input[sizingArgs]())
	compiled, err := compileInputs([]ServerTool{{Tool: tool}})
	if err != nil {
		t.Fatal(err)
	}
	reached := false
	h := validateInput(func() map[string]inputSchema { return compiled })(func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		reached = true
		return mcp.NewToolResultText("ok"), nil
	})
	tests := []struct {
		name string
		args map[string]any
		want string // "" = valid
	}{
		{"valid", map[string]any{"service": "msk", "ingress_mb_per_second": 5}, ""},
		{"missing required", map[string]any{}, "invalid arguments for sizing: missing required argument service: one of msk, msk_express, kinesis"},
		{"below minimum", map[string]any{"service": "msk", "ingress_mb_per_second": -5}, "invalid arguments for sizing: ingress_mb_per_second must be ≥ 0; got -5"},
		{"above maximum", map[string]any{"service": "msk", "parallelization_factor": 11}, "invalid arguments for sizing: parallelization_factor must be ≤ 10; got 11"},
		{"wrong type", map[string]any{"service": "msk", "ingress_mb_per_second": "10"}, "invalid arguments for sizing: ingress_mb_per_second must be a number; got a string"},
		{"not in enum", map[string]any{"service": "mskk"}, `invalid arguments for sizing: service must be one of msk, msk_express, kinesis; got "mskk"`},
		{"unknown argument", map[string]any{"service": "msk", "bogus": 1}, `invalid arguments for sizing: unknown argument "bogus"; the arguments are ingress_mb_per_second, parallelization_factor, service, workload`},
		{"nested", map[string]any{"service": "msk", "workload": map[string]any{"shards": 0}}, "invalid arguments for sizing: workload.shards must be ≥ 1; got 0"},
		{"nested missing", map[string]any{"service": "msk", "workload": map[string]any{}}, "invalid arguments for sizing: missing required argument workload.shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reached = false
			req := mcp.CallToolRequest{}
			req.Params.Name, req.Params.Arguments = "sizing", tc.args
			res, err := h(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if res.IsError || !reached {
					t.Fatalf("valid call refused: %v", res.Content)
				}
				return
			}
			if !res.IsError || reached {
				t.Fatalf("invalid call reached the handler")
			}
			if got := res.Content[0].(mcp.TextContent).Text; got != tc.want {
				t.Errorf("message\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
