package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
)

// sizingE2ECases call sizing once per service and esm_optimize analyze,
// validate and generate_template through the binary, plus the tool errors a
// client can cause.
func sizingE2ECases() []e2eCase {
	sized := func(binding string, wantSteps int) func(t *testing.T, raw json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			t.Helper()
			var out struct {
				Recommendation map[string]any   `json:"recommendation"`
				Binding        string           `json:"binding_constraint"`
				Calculation    []map[string]any `json:"calculation"`
				References     []string         `json:"references"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			// A missing summary is nil, not "": read it as a string so the check can fail.
			summary, _ := out.Recommendation["summary"].(string)
			if out.Binding != binding || len(out.Calculation) < wantSteps || len(out.References) == 0 || summary == "" {
				t.Errorf("sizing: binding %q (want %q), %d steps (want ≥ %d), %d references: %s", out.Binding, binding, len(out.Calculation), wantSteps, len(out.References), raw)
			}
		}
	}
	kinesisESM := map[string]any{"FunctionName": "orders-fn", "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
		"StartingPosition": "LATEST", "BatchSize": 100, "ParallelizationFactor": 1}
	work := map[string]any{"shards": 100, "records_per_second": 100000, "avg_record_bytes": 1000, "processing_ms_per_record": 5,
		"latency_target_seconds": 60, "backlog_records": 6000000}
	cases := []e2eCase{
		{name: "sizing msk", tool: "sizing", args: map[string]any{"service": "msk", "ingress_mb_per_second": 100, "consumer_groups": 2, "retention_hours": 72, "broker_type": "kafka.m5.xlarge"},
			check: sized("CPU (estimate)", 10)},
		{name: "sizing msk_express", tool: "sizing", args: map[string]any{"service": "msk_express", "ingress_mb_per_second": 100, "consumer_groups": 2, "broker_type": "express.m7g.large"},
			check: sized("egress (sustained)", 5)},
		{name: "sizing msk_serverless", tool: "sizing", args: map[string]any{"service": "msk_serverless", "ingress_mb_per_second": 250},
			check: sized("cluster ingress", 5)},
		{name: "sizing kinesis", tool: "sizing", args: map[string]any{"service": "kinesis", "ingress_mb_per_second": 10, "records_per_second": 12000, "consumer_groups": 3},
			check: sized("shared read MB/s per shard", 4)},
		{name: "sizing lambda_esm", tool: "sizing", args: map[string]any{"service": "lambda_esm", "event_source": "sqs", "records_per_second": 1000, "processing_ms_per_batch": 200, "batch_size": 10},
			check: sized("ScalingConfig.MaximumConcurrency", 5)},
		{name: "sizing without a rate", tool: "sizing", args: map[string]any{"service": "kinesis"}, wantError: true, errorContains: "ingress_mb_per_second"},
		{name: "esm_optimize analyze", tool: "esm_optimize", args: map[string]any{"action": "analyze", "config": kinesisESM, "workload": work},
			check: func(t *testing.T, raw json.RawMessage) {
				t.Helper()
				var out struct {
					Recommended map[string]any   `json:"recommended"`
					Tradeoffs   []map[string]any `json:"tradeoffs"`
					Rationale   []map[string]any `json:"rationale"`
				}
				if err := json.Unmarshal(raw, &out); err != nil {
					t.Fatal(err)
				}
				if out.Recommended["ParallelizationFactor"] != float64(6) || len(out.Tradeoffs) != 4 || len(out.Rationale) == 0 {
					t.Errorf("esm_optimize analyze: %s", raw)
				}
			}},
		{name: "esm_optimize generate_template", tool: "esm_optimize", args: map[string]any{"action": "generate_template", "iac_format": "cloudformation", "config": kinesisESM, "workload": work},
			check: func(t *testing.T, raw json.RawMessage) {
				t.Helper()
				var out struct {
					Artifacts []struct{ Content string } `json:"artifacts"`
				}
				if err := json.Unmarshal(raw, &out); err != nil {
					t.Fatal(err)
				}
				if len(out.Artifacts) != 1 || !strings.Contains(out.Artifacts[0].Content, "AWS::Lambda::EventSourceMapping") || !strings.Contains(out.Artifacts[0].Content, "ParallelizationFactor: 6") {
					t.Errorf("esm_optimize generate_template: %s", raw)
				}
			}},
		{name: "esm_optimize validate", tool: "esm_optimize", args: map[string]any{"action": "validate", "config": kinesisESM},
			check: func(t *testing.T, raw json.RawMessage) {
				t.Helper()
				if !strings.Contains(string(raw), `"valid":true`) {
					t.Errorf("esm_optimize validate: %s", raw)
				}
			}},
		{name: "esm_optimize analyze without workload", tool: "esm_optimize", args: map[string]any{"action": "analyze", "config": kinesisESM}, wantError: true, errorContains: "workload"},
	}
	for _, f := range []string{"sam", "cloudformation", "terraform"} {
		cases = append(cases,
			e2eCase{name: "sizing msk iac_format=" + f, tool: "sizing", args: map[string]any{"service": "msk", "ingress_mb_per_second": 50, "iac_format": f, "cluster": "orders"},
				check: sizedTemplate(f)},
			e2eCase{name: "sizing kinesis iac_format=" + f, tool: "sizing", args: map[string]any{"service": "kinesis", "ingress_mb_per_second": 10, "records_per_second": 12000, "iac_format": f, "stream_name": "orders"},
				check: sizedTemplate(f)})
	}
	return append(cases,
		e2eCase{name: "sizing msk_serverless iac_format", tool: "sizing", args: map[string]any{"service": "msk_serverless", "ingress_mb_per_second": 50, "iac_format": "sam"},
			check: func(t *testing.T, raw json.RawMessage) {
				t.Helper()
				if !strings.Contains(string(raw), `"template_skipped":"no template: internal/iac has no MSK Serverless model`) || strings.Contains(string(raw), `"artifacts"`) {
					t.Errorf("sizing msk_serverless with iac_format: %s", raw)
				}
			}},
		e2eCase{name: "sizing hostile cluster name", tool: "sizing", args: map[string]any{"service": "msk", "ingress_mb_per_second": 50, "iac_format": "terraform", "cluster": "a\"\n${x}"},
			wantError: true, errorContains: "MSK cluster name"})
}

// sizedTemplate checks that a sizing answer carries one template in format f
// that passes the IaC checkers and holds the recommended numbers.
func sizedTemplate(f string) func(t *testing.T, raw json.RawMessage) {
	return func(t *testing.T, raw json.RawMessage) {
		t.Helper()
		var out struct {
			Service        string `json:"service"`
			Recommendation struct {
				BrokerType string `json:"broker_type"`
				Brokers    int    `json:"brokers"`
				Shards     int    `json:"shards"`
				Mode       string `json:"capacity_mode"`
			} `json:"recommendation"`
			Artifacts []struct{ Kind, Format, Name, Content string } `json:"artifacts"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Artifacts) != 1 || out.Artifacts[0].Format != f || out.Artifacts[0].Kind != "iac" {
			t.Fatalf("sizing %s iac_format=%s: want one %s artifact: %s", out.Service, f, f, raw)
		}
		body := out.Artifacts[0].Content
		flat := strings.Join(strings.Fields(body), " ")
		r := out.Recommendation
		var want []string
		switch {
		case out.Service == "msk" && f == "terraform":
			want = []string{fmt.Sprintf("number_of_broker_nodes = %d", r.Brokers), fmt.Sprintf("instance_type = %q", r.BrokerType), `cluster_name = "orders"`, `variable "client_subnets"`}
		case out.Service == "msk":
			want = []string{fmt.Sprintf("NumberOfBrokerNodes: %d", r.Brokers), "InstanceType: " + r.BrokerType, "ClusterName: orders", "Ref: ClientSubnets"}
		case r.Mode != "PROVISIONED":
			t.Fatalf("kinesis case expected a provisioned recommendation: %s", raw)
		case f == "terraform":
			want = []string{fmt.Sprintf("shard_count = %d", r.Shards), `stream_mode = "PROVISIONED"`, `name = "orders"`}
		default:
			want = []string{fmt.Sprintf("ShardCount: %d", r.Shards), "StreamMode: PROVISIONED", "Name: orders"}
		}
		for _, w := range want {
			if !strings.Contains(flat, w) {
				t.Errorf("sizing %s iac_format=%s lacks %q:\n%s", out.Service, f, w, body)
			}
		}
		if f == "terraform" {
			iactest.CheckTerraform(t, body)
		} else {
			iactest.LoadSpec(t).CheckTemplate(t, body)
		}
	}
}
