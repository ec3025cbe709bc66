package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// esmGuidanceE2ECases call esm_guidance through the binary in read-only
// mode (no flags) once per event source, plus the tool errors a client can
// cause. The anchor tool refused guidance without write access; ours must not.
func esmGuidanceE2ECases() []e2eCase {
	const acct = "123456789012"
	shape := func(minArtifacts int, contains ...string) func(t *testing.T, raw json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			t.Helper()
			var out struct {
				Steps     []map[string]any `json:"steps"`
				Artifacts []struct {
					Kind    string `json:"kind"`
					Content string `json:"content"`
				} `json:"artifacts"`
				References []string `json:"references"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Steps) == 0 || len(out.Artifacts) < minArtifacts || len(out.References) == 0 {
				t.Errorf("esm_guidance: %d steps, %d artifacts (want >= %d), %d references", len(out.Steps), len(out.Artifacts), minArtifacts, len(out.References))
			}
			for _, c := range contains {
				if !strings.Contains(string(raw), c) {
					t.Errorf("esm_guidance output lacks %q", c)
				}
			}
		}
	}
	return []e2eCase{
		{name: "esm_guidance kinesis setup", tool: "esm_guidance", args: map[string]any{"event_source": "kinesis", "function_name": "orders",
			"event_source_arn": "arn:aws:kinesis:us-east-1:" + acct + ":stream/orders", "artifacts": []any{"all"}}, check: shape(4, "kinesis:GetRecords", "BisectBatchOnFunctionError")},
		{name: "esm_guidance dynamodb permissions govcloud", tool: "esm_guidance", args: map[string]any{"event_source": "dynamodb", "guidance_type": "permissions",
			"iac_format": "cloudformation", "event_source_arn": "arn:aws-us-gov:dynamodb:us-gov-west-1:" + acct + ":table/Orders/stream/2024-01-01T00:00:00.000"},
			check: shape(2, "arn:aws-us-gov:dynamodb:us-gov-west-1")},
		{name: "esm_guidance sqs troubleshooting", tool: "esm_guidance", args: map[string]any{"event_source": "sqs", "guidance_type": "troubleshooting"}, check: shape(0, "esm_inspect")},
		{name: "esm_guidance sqs_fifo terraform china", tool: "esm_guidance", args: map[string]any{"event_source": "sqs_fifo", "iac_format": "terraform", "function_name": "orders",
			"event_source_arn": "arn:aws-cn:sqs:cn-north-1:" + acct + ":orders.fifo", "artifacts": []any{"all"}}, check: shape(4, "aws_lambda_event_source_mapping", "orders.fifo")},
		{name: "esm_guidance msk permissions", tool: "esm_guidance", args: map[string]any{"event_source": "msk", "guidance_type": "permissions", "topic": "orders", "group_id": "orders-fn",
			"event_source_arn": "arn:aws:kafka:us-east-1:" + acct + ":cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"},
			check: shape(2, "topic/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/orders", "group/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/orders-fn")},
		{name: "esm_guidance self_managed_kafka networking", tool: "esm_guidance", args: map[string]any{"event_source": "self_managed_kafka", "guidance_type": "networking",
			"bootstrap_servers": "b-1.kafka.example.com:9096", "security_group_ids": []any{"sg-0123456789abcdef0"}}, check: shape(1, "9096", "NAT gateway")},
		{name: "esm_guidance hostile function name", tool: "esm_guidance", args: map[string]any{"event_source": "msk",
			"function_name": `x"}]},{"Effect":"Allow","Action":"*","Resource":"*`}, wantError: true, errorContains: "function_name"},
		{name: "esm_guidance wildcard kms key", tool: "esm_guidance", args: map[string]any{"event_source": "sqs", "guidance_type": "permissions",
			"event_source_arn": "arn:aws:sqs:us-east-1:" + acct + ":orders", "kms_key_arns": []any{"arn:aws:kms:us-east-1:" + acct + ":*"}},
			wantError: true, errorContains: "wildcard"},
		{name: "esm_guidance unknown source", tool: "esm_guidance", args: map[string]any{"event_source": "kafka"}, wantError: true, errorContains: "event_source"},
	}
}
