package tools

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestReferencesAreURLs: every reference a user sees in the read-only
// knowledge tools' answers (structured and text) is a documentation or blog
// URL; internal tags such as "seed:001 Karrot" or a digest's file name
// never reach an answer.
func TestReferencesAreURLs(t *testing.T) {
	t.Parallel()
	d := sizingTestDeps(t)
	tag := regexp.MustCompile(`(?i)\bseed[:\-_ ]?\d|seed-\d{3}|peers\.md|limits\.md|knowledge/`)
	calls := []struct {
		tool string
		args string
	}{
		{"sizing", `{"service":"msk","ingress_mb_per_second":50,"retention_hours":72}`},
		{"sizing", `{"service":"msk_express","ingress_mb_per_second":300}`},
		{"sizing", `{"service":"msk_serverless","ingress_mb_per_second":50,"partitions":100}`},
		{"sizing", `{"service":"kinesis","ingress_mb_per_second":500,"avg_record_bytes":1000,"region":"us-east-1","hot_key_records_per_second":2000}`},
		{"sizing", `{"service":"lambda_esm","event_source":"kinesis","shards":10,"records_per_second":5000,"processing_ms_per_record":2}`},
		{"sizing", `{"service":"lambda_esm","event_source":"msk","partitions":12,"ingress_mb_per_second":30}`},
		{"sizing", `{"service":"lambda_esm","event_source":"sqs","records_per_second":1000,"processing_ms_per_record":20,"batch_size":100,"batching_window_seconds":1}`},
		{"esm_optimize", `{"action":"analyze","config":{"FunctionName":"f","EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s","StartingPosition":"LATEST"},"workload":{"shards":4,"records_per_second":4000,"processing_ms_per_record":3,"backlog_records":100000,"latency_target_seconds":30},"targets":["cost"]}`},
		{"esm_optimize", `{"action":"analyze","config":{"FunctionName":"f","EventSourceArn":"arn:aws:kafka:us-east-1:123456789012:cluster/c/abcd-1","Topics":["t"],"StartingPosition":"LATEST"},"workload":{"partitions":6,"records_per_second":3000,"processing_ms_per_record":2}}`},
		{"validate_config", `{"kind":"kafka_consumer","config":{"client.rack":"us-east-1a","zookeeper.connect":"z:2181"}}`},
		{"validate_config", `{"kind":"esm","config":{"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:f","EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q","FilterCriteria":{"Filters":[{"Pattern":"{\"body\":{\"a\":[1]}}"}]}}}`},
		{"esm_guidance", `{"guidance_type":"troubleshooting","event_source":"msk"}`},
		{"esm_guidance", `{"guidance_type":"setup","event_source":"sqs","iac_format":"sam","function_name":"f","event_source_arn":"arn:aws:sqs:us-east-1:123456789012:q"}`},
	}
	for _, c := range calls {
		t.Run(c.tool+" "+c.args[:min(40, len(c.args))], func(t *testing.T) {
			t.Parallel()
			var res *mcp.CallToolResult
			switch c.tool {
			case "sizing":
				res = callToolJSON(t, Sizing(d), c.args)
			case "esm_optimize":
				res = callToolJSON(t, EsmOptimize(d), c.args)
			case "validate_config":
				res = callToolJSON(t, ValidateConfig(d), c.args)
			case "esm_guidance":
				res = callToolJSON(t, EsmGuidance(d), c.args)
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			raw, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if m := tag.FindString(string(raw)); m != "" {
				i := strings.Index(string(raw), m)
				t.Fatalf("internal tag %q reaches the answer: …%s…", m, string(raw)[max(0, i-80):min(len(raw), i+80)])
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			checkRefs(t, v, "")
		})
	}
}

// checkRefs walks a decoded answer and fails on a reference field whose
// value is not an https URL.
func checkRefs(t *testing.T, v any, key string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			checkRefs(t, e, k)
		}
	case []any:
		for _, e := range x {
			checkRefs(t, e, key)
		}
	case string:
		if (key == "reference" || key == "references" || key == "source_url") && x != "" && !strings.HasPrefix(x, "https://") {
			t.Errorf("%s %q is not a URL", key, x)
		}
	}
}

// TestTemplateCoverage: a resource a validation plugin checks is not listed
// as not checked, an unknown one is, and a template whose only resources no
// rule covers is not reported clean.
func TestTemplateCoverage(t *testing.T) {
	t.Parallel()
	d := sizingTestDeps(t)
	tests := []struct {
		name, tpl  string
		notChecked int
		nothing    bool
	}{
		{"plugin-covered Firehose", "Resources:\n  Fh:\n    Type: AWS::KinesisFirehose::DeliveryStream\n    Properties:\n      DeliveryStreamType: DirectPut\n      ExtendedS3DestinationConfiguration: {BucketARN: 'arn:aws:s3:::b', RoleARN: 'arn:aws:iam::123456789012:role/r'}\n", 0, false},
		{"unknown type only", "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: {}\n", 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args, _ := json.Marshal(map[string]any{"kind": "template", "template": tc.tpl})
			out := structuredMap(t, callToolJSON(t, ValidateConfig(d), string(args)))
			nc, _ := out["not_checked"].([]any)
			raw, _ := json.Marshal(out["violations"])
			if len(nc) != tc.notChecked || strings.Contains(string(raw), "cfn.resource.not_checked") != tc.nothing {
				t.Fatalf("not_checked %v, violations %s", nc, raw)
			}
		})
	}
}
