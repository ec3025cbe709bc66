package main

import (
	"encoding/json"
	"testing"
)

// validateConfigE2ECases call validate_config through the binary once per
// kind, plus the tool errors a client can cause.
func validateConfigE2ECases() []e2eCase {
	verdict := func(valid bool, firstRule string) func(t *testing.T, raw json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			t.Helper()
			var out struct {
				Valid        bool             `json:"valid"`
				CheckedRules int              `json:"checked_rules"`
				Violations   []map[string]any `json:"violations"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			if out.Valid != valid || out.CheckedRules == 0 {
				t.Errorf("validate_config: valid=%v checked=%d, want valid=%v: %s", out.Valid, out.CheckedRules, valid, raw)
			}
			if firstRule == "" {
				return
			}
			if len(out.Violations) == 0 {
				t.Fatalf("validate_config: no violations, want %s", firstRule)
			}
			if first := out.Violations[0]; first["rule_id"] != firstRule || first["fix"] == "" || first["reference"] == "" {
				t.Errorf("validate_config: first violation %v, want %s with a fix and reference", first, firstRule)
			}
		}
	}
	tpl := "Transform: AWS::Serverless-2016-10-31\nResources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: true, VisibilityTimeout: 600}\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      Timeout: 60\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n            BatchSize: 25\n"
	return []e2eCase{
		{name: "validate_config esm", tool: "validate_config", args: map[string]any{"kind": "esm", "config": map[string]any{
			"EventSourceArn": "arn:aws:kafka:us-east-1:123456789012:cluster/c/abcd", "Topics": []any{"orders"}, "StartingPosition": "LATEST",
			"MaximumRetryAttempts": 3}}, check: verdict(false, "esm.kafka.provisioned_only_fields")},
		{name: "validate_config esm valid", tool: "validate_config", args: map[string]any{"kind": "esm", "event_source": "sqs", "config": map[string]any{"BatchSize": 100, "MaximumBatchingWindowInSeconds": 2}}, check: verdict(true, "")},
		{name: "validate_config kafka_topic", tool: "validate_config", args: map[string]any{"kind": "kafka_topic", "config": map[string]any{"replication.factor": "3", "min.insync.replicas": "3"}}, check: verdict(true, "msk.config.min_insync_replicas.below_rf")},
		{name: "validate_config kafka_producer", tool: "validate_config", args: map[string]any{"kind": "kafka_producer", "config": map[string]any{"delivery.timeout.ms": "1000"}}, check: verdict(false, "kafka.producer.delivery_timeout.min_sum")},
		{name: "validate_config kafka_consumer", tool: "validate_config", args: map[string]any{"kind": "kafka_consumer", "config": map[string]any{"enable.auto.commit": "false", "client.rack": "us-east-1a"}}, check: verdict(true, "kafka.consumer.client_rack.az_id_pattern")},
		{name: "validate_config msk_cluster", tool: "validate_config", args: map[string]any{"kind": "msk_cluster", "config": map[string]any{"NumberOfBrokerNodes": 4, "BrokerNodeGroupInfo": map[string]any{"InstanceType": "kafka.m7g.large", "ClientSubnets": []any{"a", "b", "c"}}}}, check: verdict(false, "msk_cluster.broker_count.az_multiple")},
		{name: "validate_config kinesis_stream", tool: "validate_config", args: map[string]any{"kind": "kinesis_stream", "config": map[string]any{"ShardCount": 2, "RetentionPeriodHours": 9000}}, check: verdict(false, "kinesis_stream.retention.range")},
		{name: "validate_config template", tool: "validate_config", args: map[string]any{"kind": "template", "template": tpl}, check: verdict(false, "esm.sqs_fifo.batch_size.max")},
		{name: "validate_config unknown source", tool: "validate_config", args: map[string]any{"kind": "esm", "config": map[string]any{"BatchSize": 5}}, wantError: true, errorContains: "event_source"},
		{name: "validate_config not a template", tool: "validate_config", args: map[string]any{"kind": "template", "template": "hello"}, wantError: true, errorContains: "Resources"},
	}
}
