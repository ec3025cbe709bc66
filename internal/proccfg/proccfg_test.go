package proccfg

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

func base(t *testing.T) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// good configurations: every kind must pass without errors.
func goodConfigs() map[string]map[string]any {
	return map[string]map[string]any{
		"glue_job": {
			"Command": map[string]any{"Name": "gluestreaming", "ScriptLocation": "s3://b/job.py"}, "GlueVersion": "4.0", "MaintenanceWindow": "Sun:10", "WorkerType": "G.1X", "NumberOfWorkers": 9.0,
			"DefaultArguments": map[string]any{"--enable-auto-scaling": "true"},
			"StreamingOptions": map[string]any{"kinesis.executor.maxFetchRecordsPerShard": "20000", "windowSize": "60 seconds"},
			"shards":           32.0, "batch_processing_seconds": 20.0,
		},
		"flink_app": {
			"RuntimeEnvironment": "FLINK-1_20", "ServiceExecutionRole": "arn:aws:iam::123456789012:role/flink",
			"ApplicationConfiguration": map[string]any{"FlinkApplicationConfiguration": map[string]any{
				"CheckpointConfiguration":  map[string]any{"ConfigurationType": "CUSTOM", "CheckpointingEnabled": true, "CheckpointInterval": 60000.0, "MinPauseBetweenCheckpoints": 5000.0},
				"ParallelismConfiguration": map[string]any{"ConfigurationType": "CUSTOM", "Parallelism": 4.0, "ParallelismPerKPU": 1.0, "AutoScalingEnabled": true},
			}},
			"shards": 4.0,
		},
		"msk_connect": {
			"Capacity":                         map[string]any{"AutoScaling": map[string]any{"MinWorkerCount": 1.0, "MaxWorkerCount": 2.0, "McuCount": 1.0, "ScaleInPolicy": map[string]any{"CpuUtilizationPercentage": 10.0}, "ScaleOutPolicy": map[string]any{"CpuUtilizationPercentage": 80.0}}},
			"KafkaClusterClientAuthentication": map[string]any{"AuthenticationType": "IAM"},
			"KafkaClusterEncryptionInTransit":  map[string]any{"EncryptionType": "TLS"},
			"ConnectorConfiguration": map[string]any{"connector.class": "io.confluent.connect.s3.S3SinkConnector", "tasks.max": "2", "topics": "orders",
				"s3.bucket.name": "b", "flush.size": "1000", "format.class": "io.confluent.connect.s3.format.json.JsonFormat", "storage.class": "io.confluent.connect.s3.storage.S3Storage"},
			"PropertiesFileContent": base64.StdEncoding.EncodeToString([]byte("key.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\nproducer.acks=all\n")),
			"partitions":            6.0,
		},
		"kcl": {"applicationName": "orders-app", "streamName": "orders", "maxRecords": 1000.0, "maxLeasesForWorker": 10.0, "shards": 8.0, "workers": 2.0,
			"retrievalMode": "POLLING", "idleTimeBetweenReadsInMillis": 1500.0, "consumer_applications": 2.0},
		"kpl": {"AggregationEnabled": true, "RecordMaxBufferedTime": 200.0, "RecordTtl": 60000.0, "RateLimit": 100.0, "MaxConnections": 8.0, "MetricsLevel": "summary", "consumer": "kcl"},
	}
}

func TestGoodConfigsPass(t *testing.T) {
	t.Parallel()
	b := base(t)
	for kind, cfg := range goodConfigs() {
		vs, ids, ok := Validate(kind, cfg, b)
		if !ok || len(ids) == 0 {
			t.Fatalf("%s: not served", kind)
		}
		for _, v := range vs {
			if v.Severity != rules.Info {
				t.Errorf("%s: unexpected %s %s at %s: %s", kind, v.Severity, v.RuleID, v.Field, v.Message)
			}
			if !strings.HasPrefix(v.Reference, "https://") {
				t.Errorf("%s: %s has no URL reference", kind, v.RuleID)
			}
		}
	}
}

// patch returns the good config of kind with changes applied (nil deletes).
func patch(kind string, set map[string]any) map[string]any {
	cfg := goodConfigs()[kind]
	for path, v := range set {
		parts := strings.Split(path, "/")
		m := cfg
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		last := parts[len(parts)-1]
		if v == nil {
			delete(m, last)
		} else {
			m[last] = v
		}
	}
	return cfg
}

const fac = "ApplicationConfiguration/FlinkApplicationConfiguration"

func TestEveryRuleFires(t *testing.T) {
	t.Parallel()
	b := base(t)
	cases := []struct {
		kind, rule string
		set        map[string]any
		sev        rules.Severity
	}{
		{"glue_job", "glue_job.command.name", map[string]any{"Command/Name": "spark"}, rules.Error},
		{"glue_job", "glue_job.command.streaming", map[string]any{"Command/Name": "glueetl"}, rules.Warning},
		{"glue_job", "glue_job.version.number", map[string]any{"GlueVersion": "latest"}, rules.Error},
		{"glue_job", "glue_job.version.number", map[string]any{"GlueVersion": "NaN"}, rules.Error},
		{"glue_job", "glue_job.worker_type.version", map[string]any{"GlueVersion": "2.0", "WorkerType": "G.025X", "DefaultArguments": nil}, rules.Error},
		{"glue_job", "glue_job.worker_type.streaming_only", map[string]any{"Command/Name": "glueetl", "WorkerType": "G.025X"}, rules.Error},
		{"glue_job", "glue_job.worker_type.sized", map[string]any{"WorkerType": "R.2X"}, rules.Info},
		{"glue_job", "glue_job.capacity.conflict", map[string]any{"MaxCapacity": 10.0}, rules.Error},
		{"glue_job", "glue_job.workers.driver_only", map[string]any{"NumberOfWorkers": 1.0}, rules.Warning},
		{"glue_job", "glue_job.timeout.max", map[string]any{"Timeout": 20000.0}, rules.Error},
		{"glue_job", "glue_job.auto_scaling.version", map[string]any{"GlueVersion": "2.0"}, rules.Error},
		{"glue_job", "glue_job.kinesis.fetch_strict", map[string]any{"StreamingOptions/kinesis.executor.maxFetchRecordsPerShard": "25000"}, rules.Warning},
		{"glue_job", "glue_job.kinesis.fetch_time", map[string]any{"StreamingOptions/kinesis.executor.maxFetchRecordsPerShard": "200000"}, rules.Warning},
		{"glue_job", "glue_job.source.cores", map[string]any{"shards": 4.0}, rules.Warning},
		{"glue_job", "glue_job.window.processing", map[string]any{"batch_processing_seconds": 75.0}, rules.Warning},
		{"glue_job", "glue_job.retries.duplicates", nil, rules.Info},
		{"glue_job", "glue_job.timeout.streaming", map[string]any{"Timeout": 2880.0}, rules.Warning},
		{"glue_job", "glue_job.maintenance_window.format", map[string]any{"MaintenanceWindow": "Sunday 10:00"}, rules.Error},
		{"glue_job", "glue_job.kafka.offsets_spread", map[string]any{"shards": nil, "partitions": 12.0, "NumberOfWorkers": 4.0, "StreamingOptions/maxOffsetsPerTrigger": "6", "StreamingOptions/topicName": "orders"}, rules.Warning},
		{"glue_job", "glue_job.kafka.topics", map[string]any{"StreamingOptions/startingOffsets": "earliest"}, rules.Error},
		{"glue_job", "glue_job.kinesis.starting_position", map[string]any{"StreamingOptions/startingPosition": "beginning"}, rules.Error},
		{"flink_app", "flink_app.snapshots.disabled", map[string]any{"ApplicationConfiguration/ApplicationSnapshotConfiguration": map[string]any{"SnapshotsEnabled": false}}, rules.Warning},
		{"flink_app", "flink_app.runtime.flink", map[string]any{"RuntimeEnvironment": "SQL-1_0"}, rules.Warning},
		{"flink_app", "flink_app.role.required", map[string]any{"ServiceExecutionRole": nil}, rules.Error},
		{"flink_app", "flink_app.configuration_type.allowed", map[string]any{fac + "/CheckpointConfiguration/ConfigurationType": "MANUAL"}, rules.Error},
		{"flink_app", "flink_app.checkpoint.default_overrides", map[string]any{fac + "/CheckpointConfiguration/ConfigurationType": "DEFAULT"}, rules.Warning},
		{"flink_app", "flink_app.checkpoint.disabled", map[string]any{fac + "/CheckpointConfiguration/CheckpointingEnabled": false}, rules.Warning},
		{"flink_app", "flink_app.checkpoint.min_pause", map[string]any{fac + "/CheckpointConfiguration/MinPauseBetweenCheckpoints": 90000.0}, rules.Warning},
		{"flink_app", "flink_app.parallelism.default_overrides", map[string]any{fac + "/ParallelismConfiguration/ConfigurationType": "DEFAULT"}, rules.Warning},
		{"flink_app", "flink_app.parallelism_per_kpu.range", map[string]any{fac + "/ParallelismConfiguration/ParallelismPerKPU": 9.0}, rules.Error},
		{"flink_app", "flink_app.parallelism.max", map[string]any{fac + "/ParallelismConfiguration/Parallelism": 300.0, "shards": nil}, rules.Error},
		{"flink_app", "flink_app.kpu.quota", map[string]any{fac + "/ParallelismConfiguration/Parallelism": 100.0, "shards": nil}, rules.Warning},
		{"flink_app", "flink_app.parallelism.source", map[string]any{"shards": 2.0}, rules.Warning},
		{"msk_connect", "msk_connect.capacity.one_of", map[string]any{"Capacity/ProvisionedCapacity": map[string]any{"WorkerCount": 1.0, "McuCount": 1.0}}, rules.Error},
		{"msk_connect", "msk_connect.mcu.allowed", map[string]any{"Capacity/AutoScaling/McuCount": 3.0}, rules.Error},
		{"msk_connect", "msk_connect.workers.range", map[string]any{"Capacity/AutoScaling/MaxWorkerCount": 12.0}, rules.Error},
		{"msk_connect", "msk_connect.workers.order", map[string]any{"Capacity/AutoScaling/MinWorkerCount": 3.0}, rules.Error},
		{"msk_connect", "msk_connect.scale_policy.range", map[string]any{"Capacity/AutoScaling/ScaleOutPolicy/CpuUtilizationPercentage": 120.0}, rules.Error},
		{"msk_connect", "msk_connect.scale_policy.order", map[string]any{"Capacity/AutoScaling/ScaleInPolicy/CpuUtilizationPercentage": 90.0}, rules.Error},
		{"msk_connect", "msk_connect.auth.supported", map[string]any{"KafkaClusterClientAuthentication/AuthenticationType": "SASL_SCRAM"}, rules.Error},
		{"msk_connect", "msk_connect.encryption.iam_tls", map[string]any{"KafkaClusterEncryptionInTransit/EncryptionType": "PLAINTEXT"}, rules.Error},
		{"msk_connect", "msk_connect.connector_class.required", map[string]any{"ConnectorConfiguration/connector.class": nil}, rules.Error},
		{"msk_connect", "msk_connect.tasks.partitions", map[string]any{"ConnectorConfiguration/tasks.max": "8"}, rules.Warning},
		{"msk_connect", "msk_connect.tasks.autoscaled", nil, rules.Info},
		{"msk_connect", "msk_connect.sink.topics", map[string]any{"ConnectorConfiguration/topics": nil}, rules.Error},
		{"msk_connect", "msk_connect.s3_sink.required", map[string]any{"ConnectorConfiguration/flush.size": nil}, rules.Error},
		{"msk_connect", "msk_connect.debezium.tasks", map[string]any{"ConnectorConfiguration/connector.class": "io.debezium.connector.mysql.MySqlConnector"}, rules.Warning},
		{"msk_connect", "msk_connect.debezium.schema_history_iam", map[string]any{"ConnectorConfiguration/connector.class": "io.debezium.connector.mysql.MySqlConnector"}, rules.Error},
		{"msk_connect", "msk_connect.mm2.required", map[string]any{"ConnectorConfiguration/connector.class": "org.apache.kafka.connect.mirror.MirrorSourceConnector"}, rules.Error},
		{"msk_connect", "msk_connect.worker_config.converters", map[string]any{"PropertiesFileContent": "producer.acks=all"}, rules.Error},
		{"msk_connect", "msk_connect.worker_config.producer_key", map[string]any{"PropertiesFileContent": "key.converter=a\nvalue.converter=b\nproducer.linger.ms=5"}, rules.Error},
		{"msk_connect", "msk_connect.worker_config.consumer_key", map[string]any{"PropertiesFileContent": "key.converter=a\nvalue.converter=b\nconsumer.max.poll.records=5"}, rules.Info},
		{"msk_connect", "msk_connect.worker_config.in_use", map[string]any{"WorkerConfiguration": map[string]any{"Revision": 1.0, "WorkerConfigurationArn": "arn:aws:kafkaconnect:us-east-1:123456789012:worker-configuration/w/1"}}, rules.Info},
		{"kcl", "kcl_consumer.key.unknown", map[string]any{"maxRecord": 5.0}, rules.Warning},
		{"kcl", "kcl_consumer.application_name.required", map[string]any{"applicationName": nil}, rules.Error},
		{"kcl", "kcl_consumer.max_records.max", map[string]any{"maxRecords": 20000.0}, rules.Error},
		{"kcl", "kcl_consumer.client_version.allowed", map[string]any{"clientVersionConfig": "CLIENT_VERSION_CONFIG_2X"}, rules.Error},
		{"kcl", "kcl_consumer.migration.compatible", map[string]any{"migrating_from_2x": true}, rules.Error},
		{"kcl", "kcl_consumer.max_leases.low", map[string]any{"maxLeasesForWorker": 2.0}, rules.Warning},
		{"kcl", "kcl_consumer.max_leases.low", map[string]any{"maxLeasesForWorker": 2.0, "kcl_version": "2.6"}, rules.Error},
		{"kcl", "kcl_consumer.lease_renewal_threads", map[string]any{"shards": 100.0, "workers": 2.0, "maxLeasesForWorker": nil}, rules.Warning},
		{"kcl", "kcl_consumer.retrieval.allowed", map[string]any{"retrievalMode": "PUSH"}, rules.Error},
		{"kcl", "kcl_consumer.polling.idle_time", map[string]any{"consumer_applications": 9.0}, rules.Warning},
		{"kcl", "kcl_consumer.sdk.version", map[string]any{"aws_sdk_version": "2.27.20"}, rules.Error},
		{"kpl", "kpl_producer.key.unknown", map[string]any{"RecordMaxBufferTime": 100.0}, rules.Warning},
		{"kpl", "kpl_producer.range", map[string]any{"RecordMaxBufferedTime": 50.0}, rules.Error},
		{"kpl", "kpl_producer.range", map[string]any{"CollectionMaxCount": 1000.0}, rules.Error},
		{"kpl", "kpl_producer.range", map[string]any{"MaxConnections": 256.0}, rules.Error},
		{"kpl", "kpl_producer.values", map[string]any{"MetricsLevel": "verbose"}, rules.Error},
		{"kpl", "kpl_producer.rate_limit.shared", map[string]any{"producers": 3.0}, rules.Warning},
		{"kpl", "kpl_producer.aggregation.consumer", map[string]any{"consumer": "flink"}, rules.Warning},
		{"kpl", "kpl_producer.request_timeout.duplicates", map[string]any{"RequestTimeout": 1000.0}, rules.Warning},
		{"kpl", "kpl_producer.fail_if_throttled", map[string]any{"FailIfThrottled": "true"}, rules.Info},
	}
	fired := map[string]bool{}
	for _, tc := range cases {
		vs, _, _ := Validate(tc.kind, patch(tc.kind, tc.set), b)
		found := false
		for _, v := range vs {
			if v.RuleID == tc.rule && v.Severity == tc.sev {
				found = true
				if v.Fix == "" || !strings.HasPrefix(v.Reference, "https://") {
					t.Errorf("%s: fix %q reference %q", tc.rule, v.Fix, v.Reference)
				}
			}
		}
		if !found {
			t.Errorf("%s %v: rule %s (%s) did not fire; got %v", tc.kind, tc.set, tc.rule, tc.sev, vs)
		}
		fired[tc.rule] = true
	}
	for _, kind := range Kinds() {
		_, ids, _ := Validate(kind, map[string]any{}, b)
		for _, id := range ids {
			if !fired[id] {
				t.Errorf("rule %s has no failing example", id)
			}
		}
	}
}

func TestIntrinsicsAreUnknown(t *testing.T) {
	t.Parallel()
	b := base(t)
	cfg := patch("glue_job", map[string]any{"NumberOfWorkers": map[string]any{"Ref": "Workers"}, "Timeout": map[string]any{"Fn::If": []any{"c", 1.0, 2.0}}})
	vs := ValidateGlueJob(cfg, b)
	for _, v := range vs {
		if v.RuleID == "glue_job.workers.driver_only" || v.RuleID == "glue_job.timeout.max" || v.RuleID == "glue_job.source.cores" {
			t.Errorf("rule %s ran on an intrinsic", v.RuleID)
		}
	}
}

func TestRuleIDListsAreComplete(t *testing.T) {
	t.Parallel()
	found, err := limitcheck.IDLiterals(".", "glue_job.", "flink_app.", "msk_connect.", "kcl_consumer.", "kpl_producer.")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range []func() []string{GlueJobRuleIDs, FlinkAppRuleIDs, ConnectRuleIDs, KCLRuleIDs, KPLRuleIDs} {
		listed = append(listed, f()...)
	}
	b := base(t)
	for _, id := range found {
		if _, isLimit := b.Lookup(id); isLimit {
			continue
		}
		if !slices.Contains(listed, id) {
			t.Errorf("rule %s is reported but missing from the RuleIDs lists", id)
		}
	}
}

func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := base(t)
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "glue.", "flink.", "mskconnect.", "kinesis.", "kpl.", "kcl.")
}
