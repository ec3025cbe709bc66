package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

func TestEsmOptimizeTool(t *testing.T) {
	t.Parallel()
	st := EsmOptimize(sizingTestDeps(t))
	if acc, err := server.AccessOf(st.Tool); err != nil || acc != server.Read {
		t.Fatalf("access %v %v, want read", acc, err)
	}
	kinesis := `"config":{"FunctionName":"orders-fn","EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/orders","StartingPosition":"LATEST","BatchSize":100,"ParallelizationFactor":1}`
	work := `"workload":{"shards":100,"records_per_second":100000,"avg_record_bytes":1000,"processing_ms_per_record":5,"latency_target_seconds":60,"backlog_records":6000000}`
	tests := []struct {
		name, args, wantErr string
		check               func(*testing.T, map[string]any)
	}{
		{name: "analyze", args: `{"action":"analyze",` + kinesis + `,` + work + `}`, check: func(t *testing.T, out map[string]any) {
			rec := out["recommended"].(map[string]any)
			if rec["ParallelizationFactor"] != float64(6) { // steady state with headroom; the drain is stated apart
				t.Fatalf("recommended %+v", rec)
			}
			if len(out["rationale"].([]any)) == 0 || len(out["tradeoffs"].([]any)) != 4 {
				t.Fatalf("rationale/tradeoffs missing: %+v", out)
			}
		}},
		{name: "validate ok", args: `{"action":"validate",` + kinesis + `}`, check: func(t *testing.T, out map[string]any) {
			if out["valid"] != true {
				t.Fatalf("got %+v", out)
			}
		}},
		{name: "validate fifo error", args: `{"action":"validate","config":{"FunctionName":"f","EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q.fifo","BatchSize":100}}`, check: func(t *testing.T, out map[string]any) {
			if out["valid"] != false || len(out["violations"].([]any)) == 0 {
				t.Fatalf("got %+v", out)
			}
		}},
		{name: "template sam", args: `{"action":"generate_template","iac_format":"sam",` + kinesis + `,` + work + `}`, check: func(t *testing.T, out map[string]any) {
			art := out["artifacts"].([]any)[0].(map[string]any)
			if !strings.Contains(art["content"].(string), "ParallelizationFactor: 6") {
				t.Fatalf("artifact %v", art["content"])
			}
		}},
		{name: "template terraform", args: `{"action":"generate_template","iac_format":"terraform",` + kinesis + `,` + work + `}`, check: func(t *testing.T, out map[string]any) {
			art := out["artifacts"].([]any)[0].(map[string]any)
			if !strings.Contains(art["content"].(string), "aws_lambda_event_source_mapping") || !strings.Contains(art["content"].(string), "parallelization_factor") {
				t.Fatalf("artifact %v", art["content"])
			}
		}},
		{name: "template cloudformation without workload", args: `{"action":"generate_template","iac_format":"cloudformation",` + kinesis + `}`, check: func(t *testing.T, out map[string]any) {
			art := out["artifacts"].([]any)[0].(map[string]any)
			if !strings.Contains(art["content"].(string), "AWS::Lambda::EventSourceMapping") {
				t.Fatalf("artifact %v", art["content"])
			}
		}},
		{name: "analyze without workload", args: `{"action":"analyze",` + kinesis + `}`, wantErr: "workload"},
		{name: "no config, no AWS", args: `{"action":"analyze","esm_uuid":"x"}`, wantErr: "send the mapping's configuration"},
		{name: "neither config nor uuid", args: `{"action":"analyze"}`, wantErr: "esm_uuid"},
		{name: "bad target", args: `{"action":"analyze","targets":["speed"],` + kinesis + `,` + work + `}`, wantErr: "target"},
		{name: "template with rule errors", args: `{"action":"generate_template","config":{"FunctionName":"f","EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q.fifo","BatchSize":100}}`, wantErr: "rule errors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := callToolJSON(t, st, tc.args)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, tc.wantErr) {
					t.Fatalf("want tool error mentioning %q, got %+v", tc.wantErr, res.Content)
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			tc.check(t, structuredMap(t, res))
		})
	}
}

// esm_uuid reads the mapping and fills the workload facts the caller left
// out (shards, function timeout, queue visibility timeout) from the simulator.
func TestEsmOptimizeLive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scenario string
		args           map[string]any
		fault          *awssim.Fault
		wantErr        string
		check          func(*testing.T, map[string]any)
	}{
		{name: "kinesis analyze from esm_uuid", scenario: "kinesis-high-iterator-age",
			args: map[string]any{"action": "analyze", "esm_uuid": "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f",
				"workload": map[string]any{"records_per_second": 1000, "processing_ms_per_record": 50}},
			check: func(t *testing.T, out map[string]any) {
				// The scenario stream has 4 shards and PF 1: 4 concurrent batches now.
				cur := out["current"].(map[string]any)["estimates"].(map[string]any)
				if cur["concurrency"] != float64(4) {
					t.Fatalf("live shards not used: %+v", cur)
				}
				if !strings.Contains(strings.Join(toStrings(out["warnings"]), " "), "read live") {
					t.Fatalf("warnings %+v", out["warnings"])
				}
			}},
		{name: "sqs validate from esm_uuid", scenario: "sqs-visibility-timeout",
			args: map[string]any{"action": "validate", "esm_uuid": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"},
			check: func(t *testing.T, out map[string]any) {
				if out["valid"] != false || !strings.Contains(fmt.Sprint(out["violations"]), "visibility") {
					t.Fatalf("function timeout 120 s vs visibility 30 s not caught: %+v", out)
				}
			}},
		// Bug (#21.9): analyze with esm_uuid failed outright, with a
		// misleading "send partitions", when DescribeTopic or ListShards
		// failed. It answers with the count unknown and what to send.
		{name: "kinesis ListShards denied", scenario: "kinesis-high-iterator-age",
			args: map[string]any{"action": "analyze", "esm_uuid": "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f",
				"workload": map[string]any{"records_per_second": 1000, "processing_ms_per_record": 50}},
			fault: &awssim.Fault{Service: "kinesis", Operation: "*", Error: "access_denied"},
			check: func(t *testing.T, out map[string]any) {
				unk := strings.Join(toStrings(out["unknown"]), " ")
				if !strings.Contains(unk, "shard count unknown") || !strings.Contains(unk, "send workload.shards") {
					t.Fatalf("unknown %q, out %+v", unk, out)
				}
			}},
		{name: "msk DescribeTopic denied", scenario: "msk-iam-healthy",
			args: map[string]any{"action": "analyze", "esm_uuid": "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
				"workload": map[string]any{"records_per_second": 1000, "processing_ms_per_record": 5}},
			fault: &awssim.Fault{Service: "kafka", Operation: "DescribeTopic", Error: "access_denied"},
			check: func(t *testing.T, out map[string]any) {
				unk := strings.Join(toStrings(out["unknown"]), " ")
				if !strings.Contains(unk, "unknown") || !strings.Contains(unk, "send workload.partitions") || !strings.Contains(unk, "access_denied") {
					t.Fatalf("unknown %q, out %+v", unk, out)
				}
			}},
		{name: "mapping not found", scenario: "sqs-visibility-timeout",
			args:    map[string]any{"action": "validate", "esm_uuid": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"},
			fault:   &awssim.Fault{Service: "lambda", Operation: "GetEventSourceMapping", Error: "not_found"},
			wantErr: "esm_inspect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, _ := esmSim(t, tc.scenario, func(sc *awssim.Scenario) {
				if tc.fault != nil {
					sc.Faults = []awssim.Fault{*tc.fault}
				}
			})
			raw, err := json.Marshal(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			res := callToolJSON(t, EsmOptimize(d), string(raw))
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, tc.wantErr) {
					t.Fatalf("want tool error mentioning %q, got %+v", tc.wantErr, res.Content)
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			tc.check(t, structuredMap(t, res))
		})
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	return out
}
