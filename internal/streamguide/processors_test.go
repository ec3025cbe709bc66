package streamguide_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/streamguide"
)

const (
	testStream  = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	testCluster = "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"
)

// processorLintRequests are the stream-processor topics' rows of the lint
// table (integ2).
func processorLintRequests() map[string]streamguide.Request {
	return map[string]streamguide.Request{
		"glue_kinesis": {Topic: "glue_streaming", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"workers": 9, "worker_type": "G.1X"}},
		"glue_msk_iam": {Topic: "glue_streaming", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: testCluster, KafkaTopic: "orders", GroupID: "etl",
			SubnetIDs: []string{"subnet-0123456789abcdef0"}, SecurityGroupIDs: []string{"sg-0123456789abcdef0"}},
		"glue_smk": {Topic: "glue_streaming", Source: streamguide.SourceSelfManagedKafka, Auth: iac.AuthSCRAM512, Region: "eu-west-1", Account: "123456789012", KafkaTopic: "orders",
			Options: map[string]any{"script_location": "s3://my-scripts/etl/job.py", "glue_version": "3.0", "worker_type": "G.025X", "workers": 3}},
		"flink_kinesis_efo": {Topic: "flink", Source: streamguide.SourceKinesis, SourceArn: testStream, Name: "orders-app", Options: map[string]any{"parallelism": 8, "parallelism_per_kpu": 2}},
		"flink_msk":         {Topic: "flink", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: testCluster, KafkaTopic: "orders", Options: map[string]any{"retrieval": "polling"}},
		"connect_s3_sink": {Topic: "msk_connect", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: testCluster, KafkaTopic: "orders", TargetArn: "arn:aws:s3:::orders-archive",
			Options: map[string]any{"workers": 4, "mcu_per_worker": 2, "tasks_max": 6}},
		"connect_debezium": {Topic: "msk_connect", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: testCluster, BootstrapServers: []string{"b-1.prod.kafka.us-east-1.amazonaws.com:9098"},
			SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mysql-AbCdEf", Options: map[string]any{"connector": "debezium_mysql"}},
		"connect_cross_account": {Topic: "msk_connect", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: testCluster, KafkaTopic: "orders", TargetArn: "arn:aws:s3:::orders-archive", ClientAccount: "210987654321"},
		"connect_mm2_none":      {Topic: "msk_connect", Source: streamguide.SourceSelfManagedKafka, Auth: iac.AuthNone, Region: "us-east-1", Account: "123456789012", Options: map[string]any{"connector": "mirrormaker2"}},
		"kcl_v3":                {Topic: "kcl_consumer", Source: streamguide.SourceKinesis, SourceArn: testStream, Name: "orders-app"},
		"kcl_v2_migrate":        {Topic: "kcl_consumer", Source: streamguide.SourceKinesis, SourceArn: testStream, Name: "orders-app", Options: map[string]any{"kcl_version": "2", "migrating_to_3": true, "retrieval": "polling"}},
		"kpl":                   {Topic: "kpl_producer", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"producers": 4, "consumer": "flink"}},
	}
}

// checkProperties: every non-comment line of a properties file is key = value.
func checkProperties(t *testing.T, label, body string) {
	t.Helper()
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if k, _, ok := strings.Cut(l, "="); !ok || strings.TrimSpace(k) == "" {
			t.Errorf("%s: line %q is not key = value", label, l)
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s: empty properties file", label)
	}
}

func TestProcessorTopicsUseExactARNs(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	tests := []struct {
		name string
		req  streamguide.Request
		want []string // strings the artifacts must contain
		not  []string
	}{
		{"glue kinesis reads the stream only", processorLintRequests()["glue_kinesis"], []string{testStream, "glue.amazonaws.com", "NumberOfWorkers: 9"}, []string{"kafka-cluster"}},
		{"glue msk topic with uuid", processorLintRequests()["glue_msk_iam"], []string{"topic/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/orders", "group/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/etl", "AWS::Glue::Connection"}, nil},
		{"flink efo consumer arn", processorLintRequests()["flink_kinesis_efo"], []string{testStream + "/consumer/*", "kinesis:SubscribeToShard", "ParallelismPerKPU: 2"}, nil},
		{"connect internal topics and groups", processorLintRequests()["connect_s3_sink"], []string{"topic/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/__amazon_msk_connect_*", "group/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/connect-*", "arn:aws:s3:::orders-archive/*", "kafkaconnect.amazonaws.com"}, nil},
		{"cross-account cluster policy", processorLintRequests()["connect_cross_account"], []string{"arn:aws:iam::210987654321:root", "kafka:GetBootstrapBrokers", "create the connector with the CLI"}, nil},
		{"debezium schema history iam", processorLintRequests()["connect_debezium"], []string{"schema.history.internal.producer.sasl.mechanism", "secretsmanager:GetSecretValue"}, nil},
		{"kcl v3 tables and index", processorLintRequests()["kcl_v3"], []string{"table/orders-app-WorkerMetricStats", "table/orders-app-CoordinatorState", "table/orders-app/index/*", "cloudwatch:PutMetricData"}, nil},
		{"kcl polling has no efo", processorLintRequests()["kcl_v2_migrate"], []string{"CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X", "retrievalMode = POLLING"}, []string{"SubscribeToShard"}},
		{"kpl writes", processorLintRequests()["kpl"], []string{"kinesis:PutRecords", testStream, "AggregationEnabled = false"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tc.req
			r.Format = iac.FormatCloudFormation
			res, err := reg.Guide(r)
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, a := range res.Artifacts {
				all.WriteString(a.Content)
			}
			for _, s := range res.Steps {
				all.WriteString(s.Detail)
			}
			for _, w := range tc.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("artifacts lack %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(all.String(), w) {
					t.Errorf("artifacts contain %q", w)
				}
			}
		})
	}
}

func TestProcessorTopicsRejectBadInput(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	tests := []struct {
		req  streamguide.Request
		want string
	}{
		{streamguide.Request{Topic: "glue_streaming", Source: streamguide.SourceKinesis}, "source_arn"},
		{streamguide.Request{Topic: "glue_streaming", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"worker_type": "G.3X"}}, "worker_type"},
		{streamguide.Request{Topic: "glue_streaming", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"workers": 1}}, "driver"},
		{streamguide.Request{Topic: "glue_streaming", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"script_location": "/tmp/x.py"}}, "s3://"},
		{streamguide.Request{Topic: "flink", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"parallelism_per_kpu": 9}}, "parallelism_per_kpu"},
		{streamguide.Request{Topic: "flink", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"runtime": "SQL-1_0"}}, "runtime"},
		{streamguide.Request{Topic: "msk_connect", Source: streamguide.SourceMSK, SourceArn: testCluster, KafkaTopic: "t"}, "target_arn"},
		{streamguide.Request{Topic: "msk_connect", Source: streamguide.SourceMSK, SourceArn: testCluster, Auth: iac.AuthSCRAM512}, "auth"},
		{streamguide.Request{Topic: "msk_connect", Source: streamguide.SourceMSK, SourceArn: testCluster, Options: map[string]any{"connector": "debezium_mysql", "mcu_per_worker": 3}}, "mcu_per_worker"},
		{streamguide.Request{Topic: "kcl_consumer", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"kcl_version": "1"}}, "kcl_version"},
		{streamguide.Request{Topic: "kcl_consumer", Source: streamguide.SourceKinesis, SourceArn: testStream, Name: "bad name!"}, "name"},
		{streamguide.Request{Topic: "kpl_producer", Source: streamguide.SourceKinesis, SourceArn: testStream, Options: map[string]any{"consumer": "spark"}}, "consumer"},
		{streamguide.Request{Topic: "kpl_producer", Source: streamguide.SourceMSK}, "kinesis"},
	}
	for _, tc := range tests {
		_, err := reg.Guide(tc.req)
		if !errors.Is(err, iac.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want ErrInvalid mentioning %q", tc.req, err, tc.want)
		}
	}
}
