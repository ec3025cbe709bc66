package main

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// integrationE2ECases exercise the integrations around the streams through
// the binary: stream_guidance per topic, and the integrations' sizing
// services and validate_config kinds.
func integrationE2ECases() []e2eCase {
	return []e2eCase{
		{name: "stream_guidance logs subscription to Kinesis", tool: "stream_guidance",
			args: map[string]any{"topic": "logs_subscription", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/logs",
				"options": map[string]any{"log_group_name": "/aws/lambda/orders"}, "iac_format": "cloudformation"},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "logs-subscription.cloudformation.yaml")
				res, _ := tpl["Resources"].(map[string]any)
				f, _ := res["FilterToStream"].(map[string]any)
				if f["Type"] != "AWS::Logs::SubscriptionFilter" {
					t.Errorf("no subscription filter resource: %v", res)
				}
			}},
		{name: "stream_guidance unknown option", tool: "stream_guidance", wantError: true, errorContains: "log_group_name",
			args: map[string]any{"topic": "logs_subscription", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/logs",
				"options": map[string]any{"group": "x"}}},

		// Redshift streaming ingestion
		{name: "sizing redshift_streaming", tool: "sizing", args: map[string]any{"service": "redshift_streaming", "topics": []any{map[string]any{"name": "orders", "partitions": 24}, map[string]any{"name": "clicks", "partitions": 48}}},
			check: wantSummary("144 RPU")},
		{name: "validate redshift_streaming bad SQL", tool: "validate_config", args: map[string]any{"kind": "redshift_streaming",
			"text": `CREATE EXTERNAL SCHEMA s FROM MSK IAM_ROLE 'arn:aws:iam::111111111111:role/a' AUTHENTICATION iam CLUSTER_ARN 'arn:aws:kafka:us-east-1:222222222222:cluster/c/u-1'; CREATE MATERIALIZED VIEW mv AS SELECT JSON_PARSE(kafka_value) AS p FROM s."Orders";`},
			check: wantViolations(false, "redshift_streaming.iam_role.chain_order", "redshift_streaming.case_sensitive_identifier")},
		{name: "validate redshift_streaming good fields", tool: "validate_config", args: map[string]any{"kind": "redshift_streaming", "config": map[string]any{
			"source": "kinesis", "stream": "clicks", "iam_role": "arn:aws:iam::123456789012:role/rs", "auto_refresh": true, "functions": []any{"json_parse", "can_json_parse"}}},
			check: wantViolations(true)},
		{name: "stream_guidance redshift_streaming", tool: "stream_guidance", args: map[string]any{"topic": "redshift_streaming", "source": "msk", "auth": "iam",
			"source_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd-1234-5", "kafka_topic": "orders", "iac_format": "cloudformation"},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "redshift-streaming-role.cloudformation.yaml")
				if _, ok := tpl["Resources"].(map[string]any)["RedshiftStreamingRole"]; !ok {
					t.Errorf("no role resource")
				}
				if sql := artifactText(t, raw, "redshift-streaming.sql"); !strings.Contains(sql, "CREATE MATERIALIZED VIEW") {
					t.Errorf("no MV in SQL")
				}
			}},
		{name: "stream_guidance redshift troubleshooting SQL", tool: "stream_guidance", args: map[string]any{"topic": "redshift_streaming", "source": "kinesis", "guidance_type": "troubleshooting",
			"source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"},
			check: func(t *testing.T, raw json.RawMessage) {
				if sql := artifactText(t, raw, "redshift-streaming-diagnostics.sql"); !strings.Contains(sql, "sys_stream_scan_errors") || !strings.Contains(sql, "sys_query_history") {
					t.Errorf("diagnostics SQL lacks the system views")
				}
			}},

		// OpenSearch Ingestion
		{name: "sizing opensearch_ingestion", tool: "sizing", args: map[string]any{"service": "opensearch_ingestion", "topics": []any{map[string]any{"name": "ev", "partitions": 120}}},
			check: wantSummary("2 pipelines")},
		{name: "validate opensearch_pipeline bad", tool: "validate_config", args: map[string]any{"kind": "opensearch_pipeline",
			"config": map[string]any{"PipelineConfigurationBody": "p:\n  source:\n    kafka:\n      topics: [{name: t}]\n  sink: []\n", "MinUnits": 1, "MaxUnits": 200}},
			check: wantViolations(false, "opensearch_pipeline.units", "opensearch_pipeline.kafka.topics")},
		{name: "stream_guidance opensearch_ingestion", tool: "stream_guidance", args: map[string]any{"topic": "opensearch_ingestion", "source": "msk", "auth": "iam",
			"source_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/ev/abcd-1234-5", "kafka_topic": "ev", "name": "ev-pipeline", "iac_format": "terraform",
			// The Terraform file does not fit the default 8 KB answer; ask for it.
			"artifacts": []any{"pipeline.yaml", "osi-pipeline.tf"},
			"options":   map[string]any{"domain_endpoint": "https://search-ev-abc.us-east-1.es.amazonaws.com", "dlq_bucket": "ev-dlq"}},
			check: func(t *testing.T, raw json.RawMessage) {
				body := artifactText(t, raw, "pipeline.yaml")
				var m map[string]any
				if err := yaml.Unmarshal([]byte(body), &m); err != nil || m["ev-pipeline"] == nil {
					t.Errorf("pipeline.yaml: %v\n%s", err, body)
				}
				if tf := artifactText(t, raw, "osi-pipeline.tf"); !strings.Contains(tf, "aws_osis_pipeline") {
					t.Errorf("no aws_osis_pipeline")
				}
			}},

		// Firehose
		{name: "sizing firehose", tool: "sizing", args: map[string]any{"service": "firehose", "ingress_mb_per_second": 20, "records_per_second": 20000},
			check: wantSummary("4 Firehose stream(s)")},
		{name: "validate firehose_stream bad", tool: "validate_config", args: map[string]any{"kind": "firehose_stream", "config": map[string]any{"DeliveryStreamType": "MSKAsSource",
			"ExtendedS3DestinationConfiguration": map[string]any{"BucketARN": "arn:aws:s3:::b", "RoleARN": "arn:aws:iam::123456789012:role/r", "BufferingHints": map[string]any{"SizeInMBs": 500, "IntervalInSeconds": 60}}}},
			check: wantViolations(false, "firehose_stream.source_configuration", "firehose_stream.buffering_hints")},
		{name: "stream_guidance firehose", tool: "stream_guidance", args: map[string]any{"topic": "firehose", "source": "msk_serverless", "auth": "iam",
			"source_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/sls/abcd-1234-s1", "kafka_topic": "orders", "options": map[string]any{"bucket": "orders-lake"}},
			check: func(t *testing.T, raw json.RawMessage) {
				if p := artifactText(t, raw, "msk-cluster-policy.json"); !strings.Contains(p, "firehose.amazonaws.com") {
					t.Errorf("cluster policy lacks the Firehose principal: %s", p)
				}
				tpl := artifactYAML(t, raw, "firehose-stream.sam.yaml")
				if _, ok := tpl["Resources"].(map[string]any)["DeliveryStream"]; !ok {
					t.Errorf("no delivery stream")
				}
			}},
		{name: "validate template with OSIS and Firehose resources", tool: "validate_config", args: map[string]any{"kind": "template", "template": "Resources:\n  P:\n    Type: AWS::OSIS::Pipeline\n    Properties:\n      PipelineName: p\n      MinUnits: 1\n      MaxUnits: 500\n      PipelineConfigurationBody: \"version: '2'\\np:\\n  source:\\n    http: {}\\n  sink:\\n    - stdout: {}\\n\"\n  W:\n    Type: AWS::RedshiftServerless::Workgroup\n    Properties:\n      WorkgroupName: w\n      BaseCapacity: 60\n"},
			check: wantViolations(false, "opensearch_pipeline.units", "redshift_streaming.cfn.workgroup.base_capacity")},
	}
}

// wantSummary checks a sizing recommendation's summary.
func wantSummary(want string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, raw json.RawMessage) {
		var out struct {
			Recommendation struct{ Summary string } `json:"recommendation"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.Recommendation.Summary, want) {
			t.Errorf("summary %q lacks %q", out.Recommendation.Summary, want)
		}
	}
}

// wantViolations checks validity and that each rule id is reported.
func wantViolations(valid bool, ids ...string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, raw json.RawMessage) {
		var out struct {
			Valid      bool `json:"valid"`
			Violations []struct {
				RuleID string `json:"rule_id"`
			} `json:"violations"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if out.Valid != valid {
			t.Errorf("valid = %v, want %v: %s", out.Valid, valid, raw)
		}
		got := map[string]bool{}
		for _, v := range out.Violations {
			got[v.RuleID] = true
		}
		for _, id := range ids {
			if !got[id] {
				t.Errorf("no %s violation: %s", id, raw)
			}
		}
	}
}

// artifactText returns the content of the named artifact.
func artifactText(t *testing.T, raw json.RawMessage, name string) string {
	t.Helper()
	var out struct {
		Artifacts []struct{ Name, Content string }
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Artifacts {
		if a.Name == name {
			return a.Content
		}
	}
	t.Fatalf("no artifact %s", name)
	return ""
}

// artifactYAML finds the artifact named name in a guidance result and
// parses it as YAML.
func artifactYAML(t *testing.T, raw json.RawMessage, name string) map[string]any {
	t.Helper()
	var out struct {
		Artifacts []struct {
			Name, Content string
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, a := range out.Artifacts {
		if a.Name == name {
			var m map[string]any
			if err := yaml.Unmarshal([]byte(a.Content), &m); err != nil {
				t.Fatalf("%s does not parse: %v", name, err)
			}
			return m
		}
		names = append(names, a.Name)
	}
	t.Fatalf("no artifact %s among %s", name, strings.Join(names, ", "))
	return nil
}
