package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

func sizingTestDeps(t *testing.T) ReadDeps {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// callTool runs a tool handler with JSON arguments.
func callToolJSON(t *testing.T, st server.ServerTool, args string) *mcp.CallToolResult {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = st.Tool.Name
	req.Params.Arguments = m
	res, err := st.Handler(context.Background(), req)
	if err != nil {
		t.Fatalf("go error (a bug, not a tool error): %v", err)
	}
	return res
}

func structuredMap(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSizingTool(t *testing.T) {
	t.Parallel()
	st := Sizing(sizingTestDeps(t))
	if acc, err := server.AccessOf(st.Tool); err != nil || acc != server.Read {
		t.Fatalf("access %v %v, want read", acc, err)
	}
	tests := []struct {
		name, args, wantBinding, wantErr string
	}{
		{"msk", `{"service":"msk","ingress_mb_per_second":100,"consumer_groups":2,"retention_hours":72,"broker_type":"kafka.m7g.xlarge"}`, "CPU (estimate)", ""},
		{"msk express", `{"service":"msk_express","ingress_mb_per_second":100,"consumer_groups":2}`, "", ""},
		{"msk serverless", `{"service":"msk_serverless","ingress_mb_per_second":300}`, "cluster ingress", ""},
		{"kinesis", `{"service":"kinesis","ingress_mb_per_second":10,"records_per_second":12000,"consumer_groups":3}`, "shared read MB/s per shard", ""},
		{"lambda esm", `{"service":"lambda_esm","event_source":"kinesis","shards":100,"records_per_second":100000,"processing_ms_per_record":5,"batch_size":100}`, "shards × ParallelizationFactor", ""},
		{"missing ingress", `{"service":"msk"}`, "", "ingress_mb_per_second"},
		{"bad broker", `{"service":"msk","ingress_mb_per_second":1,"broker_type":"kafka.x9.large"}`, "", "broker_type"},
		{"esm without shards", `{"service":"lambda_esm","event_source":"kinesis","records_per_second":1,"processing_ms_per_record":1}`, "", "shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := callToolJSON(t, st, tc.args)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, tc.wantErr) {
					t.Fatalf("want tool error mentioning %q, got %+v", tc.wantErr, res)
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			out := structuredMap(t, res)
			if tc.wantBinding != "" && out["binding_constraint"] != tc.wantBinding {
				t.Fatalf("binding %v, want %q", out["binding_constraint"], tc.wantBinding)
			}
			if calc, _ := out["calculation"].([]any); len(calc) == 0 {
				t.Fatal("no calculation steps")
			}
			if refs, _ := out["references"].([]any); len(refs) == 0 {
				t.Fatal("no references")
			}
		})
	}
}
