package tools

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/toolsnap"
)

func validateDeps(t *testing.T) ReadDeps {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestValidateConfigSnapshotAndAccess(t *testing.T) {
	t.Parallel()
	st := ValidateConfig(validateDeps(t))
	toolsnap.Check(t, "validate_config", publishedTool(t, "validate_config"))
	if acc, err := server.AccessOf(st.Tool); err != nil || acc != server.Read {
		t.Fatalf("access %v %v, want read", acc, err)
	}
}

func TestValidateConfigBehaviour(t *testing.T) {
	t.Parallel()
	st := ValidateConfig(validateDeps(t))
	tests := []struct {
		name, args string
		wantErr    string // tool error containing this
		valid      bool
		firstRule  string // rule id of the first violation (errors sort first)
		source     string
	}{
		{name: "esm fifo", args: `{"kind":"esm","config":{"EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:o.fifo","BatchSize":20}}`, firstRule: "esm.sqs_fifo.batch_size.max", source: "sqs_fifo"},
		{name: "esm explicit source", args: `{"kind":"esm","event_source":"msk","config":{"Topics":["t"],"StartingPosition":"LATEST","MaximumRetryAttempts":2}}`, firstRule: "esm.kafka.provisioned_only_fields", source: "msk"},
		{name: "esm clean", args: `{"kind":"esm","config":{"EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q","BatchSize":10}}`, valid: true, source: "sqs"},
		{name: "esm context", args: `{"kind":"esm","config":{"EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q"},"context":{"function_timeout_seconds":60,"queue_visibility_timeout_seconds":30}}`, firstRule: "esm.sqs.visibility_timeout.function_timeout", source: "sqs"},
		{name: "esm unknown source", args: `{"kind":"esm","config":{"BatchSize":5}}`, wantErr: "send event_source"},
		{name: "esm bad source", args: `{"kind":"esm","event_source":"kafka","config":{}}`, wantErr: "unknown event source"},
		{name: "esm without config", args: `{"kind":"esm"}`, wantErr: "needs config"},
		{name: "topic", args: `{"kind":"kafka_topic","config":{"replication.factor":3,"min.insync.replicas":4}}`, firstRule: "kafka.topic.min_insync_replicas.above_rf"},
		{name: "producer", args: `{"kind":"kafka_producer","config":{"acks":"all","enable.idempotence":"true","max.in.flight.requests.per.connection":"10"}}`, firstRule: "kafka.producer.idempotence.max_in_flight"},
		{name: "consumer", args: `{"kind":"kafka_consumer","config":{"enable.auto.commit":"false","isolation.level":"dirty"}}`, firstRule: "kafka.consumer.isolation_level.values"},
		{name: "consumer clean", args: `{"kind":"kafka_consumer","config":{"enable.auto.commit":"false"}}`, valid: true},
		{name: "msk cluster", args: `{"kind":"msk_cluster","config":{"NumberOfBrokerNodes":4,"BrokerNodeGroupInfo":{"InstanceType":"kafka.m7g.large","ClientSubnets":["a","b","c"]}}}`, firstRule: "msk_cluster.broker_count.az_multiple"},
		{name: "kinesis stream", args: `{"kind":"kinesis_stream","config":{"ShardCount":2,"RetentionPeriodHours":9000,"StreamEncryption":{"EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}}}`, firstRule: "kinesis_stream.retention.range"},
		{name: "template", args: `{"kind":"template","template":"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: true}\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: f\n      EventSourceArn: !GetAtt Q.Arn\n      BatchSize: 50\n"}`, firstRule: "esm.sqs_fifo.batch_size.max"},
		{name: "template garbage", args: `{"kind":"template","template":"- just\n- a list\n"}`, wantErr: "Resources"},
		{name: "template empty", args: `{"kind":"template"}`, wantErr: "needs template"},
		{name: "unknown kind", args: `{"kind":"terraform","config":{}}`, wantErr: "unknown kind"},
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
			if out["valid"] != tc.valid {
				t.Fatalf("valid = %v, want %v: %v", out["valid"], tc.valid, out["violations"])
			}
			if n, _ := out["checked_rules"].(float64); n <= 0 {
				t.Errorf("checked_rules = %v", out["checked_rules"])
			}
			if tc.source != "" && out["event_source"] != tc.source {
				t.Errorf("event_source = %v, want %s", out["event_source"], tc.source)
			}
			vs, _ := out["violations"].([]any)
			if tc.firstRule != "" {
				if len(vs) == 0 || vs[0].(map[string]any)["rule_id"] != tc.firstRule {
					t.Fatalf("first violation %v, want %s", vs, tc.firstRule)
				}
				text := res.Content[0].(mcp.TextContent).Text
				if !strings.Contains(text, "ERROR") || !strings.Contains(text, "fix:") {
					t.Errorf("text summary lacks errors with fixes: %s", text)
				}
			}
		})
	}
}

func TestValidateConfigTruncatesErrorsFirst(t *testing.T) {
	t.Parallel()
	st := ValidateConfig(validateDeps(t))
	res := callToolJSON(t, st, `{"kind":"esm","limit":2,"config":{"EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q","Foo":1,"Bar":2,"BatchSize":0,"ParallelizationFactor":3}}`)
	out := structuredMap(t, res)
	vs := out["violations"].([]any)
	if out["truncated"] != true || len(vs) != 2 {
		t.Fatalf("want 2 violations and truncated, got %v truncated=%v", len(vs), out["truncated"])
	}
	counts := out["counts"].(map[string]any)
	if counts["errors"].(float64) != 2 || counts["warnings"].(float64) != 2 {
		t.Fatalf("counts %v", counts)
	}
	for _, v := range vs {
		if v.(map[string]any)["severity"] != "error" {
			t.Fatalf("errors must come first: %v", vs)
		}
	}
}
