package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	e2eStream  = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	e2eCluster = "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"
)

// guidanceArtifacts checks a stream_guidance answer: the template parses and
// holds a resource of typ, the policy is JSON, and every reference is a URL.
func guidanceArtifacts(template, typ, policy string) func(*testing.T, json.RawMessage) {
	return func(t *testing.T, raw json.RawMessage) {
		tpl := artifactYAML(t, raw, template)
		res, _ := tpl["Resources"].(map[string]any)
		found := false
		for _, r := range res {
			if m, _ := r.(map[string]any); m["Type"] == typ {
				found = true
			}
		}
		if !found {
			t.Errorf("%s has no %s: %v", template, typ, res)
		}
		var out struct {
			Artifacts  []struct{ Name, Content string }
			References []string
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, a := range out.Artifacts {
			if a.Name == policy {
				ok = json.Valid([]byte(a.Content))
			}
		}
		if !ok {
			t.Errorf("no valid %s", policy)
		}
		for _, r := range out.References {
			if !strings.HasPrefix(r, "https://") {
				t.Errorf("reference %q is not a URL", r)
			}
		}
	}
}

// processorE2ECases exercise the stream processors (Glue streaming, Managed
// Flink, MSK Connect, KCL, KPL) through the binary: sizing, validation of a
// bad and a good configuration, and stream_guidance with artifacts that
// parse.
func processorE2ECases() []e2eCase {
	sized := func(want map[string]float64) func(*testing.T, json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			var out struct {
				Recommendation map[string]any `json:"recommendation"`
				Calculation    []struct {
					Step string `json:"step"`
				} `json:"calculation"`
				References []string `json:"references"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			for k, v := range want {
				if got, _ := out.Recommendation[k].(float64); got != v {
					t.Errorf("recommendation.%s = %v, want %g (%v)", k, out.Recommendation[k], v, out.Recommendation["summary"])
				}
			}
			if len(out.Calculation) < 3 || len(out.References) == 0 {
				t.Errorf("want the arithmetic and references, got %d steps, %d refs", len(out.Calculation), len(out.References))
			}
		}
	}
	verdict := func(valid bool, rule string) func(*testing.T, json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			var out struct {
				Valid      bool `json:"valid"`
				Violations []struct {
					RuleID    string `json:"rule_id"`
					Reference string `json:"reference"`
				} `json:"violations"`
			}
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatal(err)
			}
			if out.Valid != valid {
				t.Errorf("valid = %v, want %v: %s", out.Valid, valid, raw)
			}
			found := rule == ""
			for _, v := range out.Violations {
				found = found || v.RuleID == rule
				if !strings.HasPrefix(v.Reference, "https://") {
					t.Errorf("%s reference %q is not a URL", v.RuleID, v.Reference)
				}
			}
			if !found {
				t.Errorf("no %s in %s", rule, raw)
			}
		}
	}
	return []e2eCase{
		// Glue: the AWS post's 32-core example is 9 G.1X workers and 32 shards.
		{name: "sizing glue_streaming post example", tool: "sizing",
			args:  map[string]any{"service": "glue_streaming", "glue_version": "3.0", "worker_type": "G.1X", "cores_needed": 32, "source": "kinesis"},
			check: sized(map[string]float64{"workers": 9, "shards": 32})},
		{name: "validate glue_job bad", tool: "validate_config",
			args:  map[string]any{"kind": "glue_job", "config": map[string]any{"Command": map[string]any{"Name": "gluestreaming"}, "GlueVersion": "2.0", "WorkerType": "G.025X", "NumberOfWorkers": 3}},
			check: verdict(false, "glue_job.worker_type.version")},
		{name: "validate glue_job good", tool: "validate_config",
			args:  map[string]any{"kind": "glue_job", "config": map[string]any{"Command": map[string]any{"Name": "gluestreaming"}, "GlueVersion": "4.0", "WorkerType": "G.1X", "NumberOfWorkers": 9}},
			check: verdict(true, "")},
		{name: "sizing flink", tool: "sizing",
			args:  map[string]any{"service": "flink", "parallelism": 16, "parallelism_per_kpu": 2},
			check: sized(map[string]float64{"parallelism": 16, "kpu": 9})},
		{name: "validate flink_app bad", tool: "validate_config",
			args: map[string]any{"kind": "flink_app", "config": map[string]any{"RuntimeEnvironment": "FLINK-1_20", "ServiceExecutionRole": "arn:aws:iam::123456789012:role/f",
				"ApplicationConfiguration": map[string]any{"FlinkApplicationConfiguration": map[string]any{"ParallelismConfiguration": map[string]any{"ConfigurationType": "CUSTOM", "ParallelismPerKPU": 12}}}}},
			check: verdict(false, "flink_app.parallelism_per_kpu.range")},
		{name: "validate flink_app good", tool: "validate_config",
			args:  map[string]any{"kind": "flink_app", "config": map[string]any{"RuntimeEnvironment": "FLINK-1_20", "ServiceExecutionRole": "arn:aws:iam::123456789012:role/f"}},
			check: verdict(true, "")},
		{name: "sizing msk_connect", tool: "sizing",
			args:  map[string]any{"service": "msk_connect", "workers": 2, "mcu_per_worker": 2, "partitions": 8},
			check: sized(map[string]float64{"workers": 2, "mcu_per_worker": 2, "tasks": 8})},
		{name: "validate msk_connect bad", tool: "validate_config",
			args:  map[string]any{"kind": "msk_connect", "config": map[string]any{"Capacity": map[string]any{"ProvisionedCapacity": map[string]any{"McuCount": 3, "WorkerCount": 1}}, "ConnectorConfiguration": map[string]any{"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": "t"}}},
			check: verdict(false, "msk_connect.mcu.allowed")},
		{name: "validate msk_connect worker configuration good", tool: "validate_config",
			args:  map[string]any{"kind": "msk_connect", "text": "key.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\n"},
			check: verdict(true, "")},
		{name: "sizing kcl polling", tool: "sizing",
			args:  map[string]any{"service": "kcl", "shards": 4, "workers": 2, "kcl_version": "2.6", "retrieval": "polling", "consumer_groups": 3, "ingress_mb_per_second": 4},
			check: sized(map[string]float64{"workers": 2, "shards": 4})},
		{name: "validate kcl bad", tool: "validate_config",
			args:  map[string]any{"kind": "kcl", "text": "applicationName=orders\nmaxRecords=50000\n"},
			check: verdict(false, "kcl_consumer.max_records.max")},
		{name: "sizing kpl aggregation", tool: "sizing",
			args:  map[string]any{"service": "kpl", "records_per_second": 5000, "avg_record_bytes": 100},
			check: sized(map[string]float64{"shards": 1})},
		{name: "validate kpl good", tool: "validate_config",
			args:  map[string]any{"kind": "kpl", "text": "AggregationEnabled=true\nRecordMaxBufferedTime=200\nRateLimit=100\n"},
			check: verdict(true, "")},
		{name: "validate kpl bad", tool: "validate_config",
			args:  map[string]any{"kind": "kpl", "config": map[string]any{"RecordMaxBufferedTime": 10, "CollectionMaxCount": 1000}},
			check: verdict(false, "kpl_producer.range")},
		{name: "stream_guidance glue_streaming msk", tool: "stream_guidance",
			args:  map[string]any{"topic": "glue_streaming", "source": "msk", "auth": "iam", "source_arn": e2eCluster, "kafka_topic": "orders", "iac_format": "cloudformation", "options": map[string]any{"workers": 9}},
			check: guidanceArtifacts("glue-streaming.cloudformation.yaml", "AWS::Glue::Job", "glue-streaming-role-policy.json")},
		{name: "stream_guidance flink kinesis", tool: "stream_guidance",
			args:  map[string]any{"topic": "flink", "source": "kinesis", "source_arn": e2eStream, "iac_format": "sam", "options": map[string]any{"parallelism": 4}},
			check: guidanceArtifacts("flink-app.sam.yaml", "AWS::KinesisAnalyticsV2::Application", "flink-app-role-policy.json")},
		{name: "stream_guidance msk_connect s3 sink", tool: "stream_guidance",
			args:  map[string]any{"topic": "msk_connect", "source": "msk", "auth": "iam", "source_arn": e2eCluster, "kafka_topic": "orders", "target_arn": "arn:aws:s3:::orders-archive", "iac_format": "cloudformation"},
			check: guidanceArtifacts("msk-connect.cloudformation.yaml", "AWS::KafkaConnect::Connector", "msk-connect-role-policy.json")},
		{name: "stream_guidance kcl_consumer upgrade", tool: "stream_guidance",
			args:  map[string]any{"topic": "kcl_consumer", "source_arn": e2eStream, "name": "orders-app", "iac_format": "cloudformation", "options": map[string]any{"kcl_version": "2", "migrating_to_3": true}},
			check: guidanceArtifacts("kcl-consumer.cloudformation.yaml", "AWS::IAM::ManagedPolicy", "kcl-consumer-policy.json")},
		{name: "stream_guidance kpl_producer", tool: "stream_guidance",
			args:  map[string]any{"topic": "kpl_producer", "source_arn": e2eStream, "iac_format": "cloudformation", "options": map[string]any{"producers": 3}},
			check: guidanceArtifacts("kpl-producer.cloudformation.yaml", "AWS::IAM::ManagedPolicy", "kpl-producer-policy.json")},
		{name: "stream_guidance kcl bad option", tool: "stream_guidance", wantError: true, errorContains: "kcl_version",
			args: map[string]any{"topic": "kcl_consumer", "source_arn": e2eStream, "options": map[string]any{"kcl_version": "1"}}},
		{name: "sizing processor field on kinesis", tool: "sizing", wantError: true, errorContains: "glue_streaming",
			args: map[string]any{"service": "kinesis", "ingress_mb_per_second": 1, "cores_needed": 4}},
	}
}
