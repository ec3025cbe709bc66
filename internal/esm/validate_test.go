package esm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

func loadBase(t testing.TB) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bases are minimal valid mappings per source type.
var bases = map[SourceType]string{
	Kinesis:          `{"EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/orders","FunctionName":"f","StartingPosition":"LATEST","MaximumRetryAttempts":3,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:dlq"}}}`,
	DynamoDB:         `{"EventSourceArn":"arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-01-01T00:00:00.000","FunctionName":"f","StartingPosition":"TRIM_HORIZON","MaximumRetryAttempts":3}`,
	SQS:              `{"EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q","FunctionName":"f","BatchSize":10}`,
	SQSFIFO:          `{"EventSourceArn":"arn:aws:sqs:us-east-1:123456789012:q.fifo","FunctionName":"f","BatchSize":10}`,
	MSK:              `{"EventSourceArn":"arn:aws:kafka:us-east-1:123456789012:cluster/c/abcd-1","FunctionName":"f","Topics":["orders"],"StartingPosition":"LATEST"}`,
	SelfManagedKafka: `{"SelfManagedEventSource":{"Endpoints":{"KAFKA_BOOTSTRAP_SERVERS":["b1:9092","b2:9092"]}},"FunctionName":"f","Topics":["orders"],"StartingPosition":"TRIM_HORIZON","SourceAccessConfigurations":[{"Type":"SASL_SCRAM_512_AUTH","URI":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s"}]}`,
	MQ:               `{"EventSourceArn":"arn:aws:mq:us-east-1:123456789012:broker:b:b-1234","FunctionName":"f","Queues":["q"],"SourceAccessConfigurations":[{"Type":"BASIC_AUTH","URI":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s"}]}`,
	DocumentDB:       `{"EventSourceArn":"arn:aws:rds:us-east-1:123456789012:cluster:docdb-1","FunctionName":"f","StartingPosition":"LATEST","DocumentDBEventSourceConfig":{"DatabaseName":"db","FullDocument":"UpdateLookup"},"SourceAccessConfigurations":[{"Type":"BASIC_AUTH","URI":"arn:aws:secretsmanager:us-east-1:123456789012:secret:s"}]}`,
}

// cfgOf returns the base of src with a JSON patch applied: top-level keys
// replace, null deletes, and dotted keys ("A.B") set nested fields.
func cfgOf(t testing.TB, src SourceType, patch string) Config {
	t.Helper()
	var cfg Config
	if err := json.Unmarshal([]byte(bases[src]), &cfg); err != nil {
		t.Fatal(err)
	}
	if patch == "" {
		return cfg
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(patch), &p); err != nil {
		t.Fatalf("patch %s: %v", patch, err)
	}
	for k, v := range p {
		parts := strings.Split(k, ".")
		m := map[string]any(cfg)
		for _, part := range parts[:len(parts)-1] {
			next, ok := m[part].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[part] = next
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

var fixedNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func TestBasesAreClean(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	for _, src := range SourceTypes() {
		t.Run(string(src), func(t *testing.T) {
			t.Parallel()
			res, err := Validate(cfgOf(t, src, ""), Options{Context: Context{Now: fixedNow}}, b)
			if err != nil {
				t.Fatal(err)
			}
			if res.Source != src {
				t.Fatalf("detected %s, want %s", res.Source, src)
			}
			for _, v := range res.Violations {
				if v.Severity != rules.Info {
					t.Errorf("unexpected %s %s on %s: %s", v.Severity, v.RuleID, v.Field, v.Message)
				}
			}
			if len(res.CheckedRules) == 0 {
				t.Fatal("no rules checked")
			}
		})
	}
}

// ruleCase is one example for one rule: fail=true asserts the rule fires on
// field with a fix containing fix; fail=false asserts it does not fire.
type ruleCase struct {
	name  string
	src   SourceType
	patch string
	ctx   Context
	rule  string
	fail  bool
	sev   rules.Severity
	field string
	fix   string
}

func ruleCases() []ruleCase {
	return []ruleCase{
		// unknown and read-only fields
		{"unknown field", SQS, `{"BatchSzie":5}`, Context{}, "esm.fields.known", true, rules.Warning, "BatchSzie", "spelling"},
		{"read-only fields ignored", SQS, `{"UUID":"u","State":"Enabled","LastModified":1}`, Context{}, "esm.fields.known", false, "", "", ""},
		{"KmsKeyArn CFN spelling", SQS, `{"KmsKeyArn":"arn:aws:kms:us-east-1:123456789012:key/k","FilterCriteria":{"Filters":[{"Pattern":"{}"}]}}`, Context{}, "esm.fields.known", false, "", "", ""},
		{"both KMS spellings: the API's wins, deterministically", SQS, `{"KmsKeyArn":"arn:aws:kms:us-east-1:123456789012:key/a","KMSKeyArn":"arn:aws:kms:us-east-1:123456789012:key/b","FilterCriteria":{"Filters":[{"Pattern":"{}"}]}}`, Context{}, "esm.fields.known", true, rules.Warning, "KmsKeyArn", "spelling"},
		{"nested typo (reference product checked no nested field)", SQS, `{"ScalingConfig":{"MaximumConcurency":5}}`, Context{}, "esm.fields.known.ScalingConfig", true, rules.Warning, "ScalingConfig.MaximumConcurency", "MaximumConcurrency"},
		{"nested spelt right", SQS, `{"ScalingConfig":{"MaximumConcurrency":5}}`, Context{}, "esm.fields.known.ScalingConfig", false, "", "", ""},
		{"wrong type", SQS, `{"BatchSize":"ten"}`, Context{}, "esm.fields.type", true, rules.Error, "BatchSize", "whole number"},
		{"numeric string accepted", SQS, `{"BatchSize":"5"}`, Context{}, "esm.fields.type", false, "", "", ""},
		// applicability
		{"PF on SQS", SQS, `{"ParallelizationFactor":2}`, Context{}, "esm.fields.applicable.ParallelizationFactor", true, rules.Error, "ParallelizationFactor", "remove ParallelizationFactor"},
		{"PF on Kinesis", Kinesis, `{"ParallelizationFactor":2}`, Context{}, "esm.fields.applicable.ParallelizationFactor", false, "", "", ""},
		{"tumbling on MSK", MSK, `{"TumblingWindowInSeconds":60}`, Context{}, "esm.fields.applicable.TumblingWindowInSeconds", true, rules.Error, "TumblingWindowInSeconds", "kinesis, dynamodb"},
		{"tumbling on DynamoDB", DynamoDB, `{"TumblingWindowInSeconds":60}`, Context{}, "esm.fields.applicable.TumblingWindowInSeconds", false, "", "", ""},
		{"ScalingConfig on Kinesis", Kinesis, `{"ScalingConfig":{"MaximumConcurrency":5}}`, Context{}, "esm.fields.applicable.ScalingConfig", true, rules.Error, "ScalingConfig", "remove ScalingConfig"},
		{"ScalingConfig on FIFO", SQSFIFO, `{"ScalingConfig":{"MaximumConcurrency":5}}`, Context{}, "esm.fields.applicable.ScalingConfig", false, "", "", ""},
		{"PPC on Kinesis", Kinesis, `{"ProvisionedPollerConfig":{"MinimumPollers":1}}`, Context{}, "esm.fields.applicable.ProvisionedPollerConfig", true, rules.Error, "ProvisionedPollerConfig", "sqs, sqs_fifo, msk"},
		{"PPC on SQS allowed (reference product forbade it)", SQS, `{"ProvisionedPollerConfig":{"MinimumPollers":2,"MaximumPollers":20}}`, Context{}, "esm.fields.applicable.ProvisionedPollerConfig", false, "", "", ""},
		{"PollerGroupName on SQS", SQS, `{"ProvisionedPollerConfig":{"MinimumPollers":2,"PollerGroupName":"g"}}`, Context{}, "esm.fields.applicable.ProvisionedPollerConfig.PollerGroupName", true, rules.Error, "ProvisionedPollerConfig.PollerGroupName", "msk"},
		{"PollerGroupName on MSK", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1,"PollerGroupName":"g"}}`, Context{}, "esm.fields.applicable.ProvisionedPollerConfig.PollerGroupName", false, "", "", ""},
		{"DestinationConfig on SQS", SQS, `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:dlq"}}}`, Context{}, "esm.fields.applicable.DestinationConfig", true, rules.Error, "DestinationConfig", "RedrivePolicy"},
		{"DestinationConfig on MQ", MQ, `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:dlq"}}}`, Context{}, "esm.fields.applicable.DestinationConfig", true, rules.Error, "DestinationConfig", "remove DestinationConfig"},
		{"retries on SQS", SQS, `{"MaximumRetryAttempts":3}`, Context{}, "esm.fields.applicable.MaximumRetryAttempts", true, rules.Error, "MaximumRetryAttempts", "remove"},
		{"bisect on SQS", SQS, `{"BisectBatchOnFunctionError":true}`, Context{}, "esm.fields.applicable.BisectBatchOnFunctionError", true, rules.Error, "BisectBatchOnFunctionError", "remove"},
		{"record age on MQ", MQ, `{"MaximumRecordAgeInSeconds":60}`, Context{}, "esm.fields.applicable.MaximumRecordAgeInSeconds", true, rules.Error, "MaximumRecordAgeInSeconds", "remove"},
		{"StartingPosition on SQS", SQS, `{"StartingPosition":"LATEST"}`, Context{}, "esm.fields.applicable.StartingPosition", true, rules.Error, "StartingPosition", "remove"},
		{"Topics on SQS", SQS, `{"Topics":["t"]}`, Context{}, "esm.fields.applicable.Topics", true, rules.Error, "Topics", "msk, self_managed_kafka"},
		{"Queues on MSK", MSK, `{"Queues":["q"]}`, Context{}, "esm.fields.applicable.Queues", true, rules.Error, "Queues", "mq"},
		{"SelfManagedEventSource on MSK", MSK, `{"SelfManagedEventSource":{"Endpoints":{"KAFKA_BOOTSTRAP_SERVERS":["b:9092"]}}}`, Context{}, "esm.fields.applicable.SelfManagedEventSource", true, rules.Error, "SelfManagedEventSource", "self_managed_kafka"},
		{"SMK config on MSK", MSK, `{"SelfManagedKafkaEventSourceConfig":{"ConsumerGroupId":"g"}}`, Context{}, "esm.fields.applicable.SelfManagedKafkaEventSourceConfig", true, rules.Error, "SelfManagedKafkaEventSourceConfig", "self_managed_kafka"},
		{"MSK config on SMK", SelfManagedKafka, `{"AmazonManagedKafkaEventSourceConfig":{"ConsumerGroupId":"g"}}`, Context{}, "esm.fields.applicable.AmazonManagedKafkaEventSourceConfig", true, rules.Error, "AmazonManagedKafkaEventSourceConfig", "msk"},
		{"DocumentDB config on Kinesis", Kinesis, `{"DocumentDBEventSourceConfig":{"DatabaseName":"d"}}`, Context{}, "esm.fields.applicable.DocumentDBEventSourceConfig", true, rules.Error, "DocumentDBEventSourceConfig", "documentdb"},
		{"SourceAccess on SQS", SQS, `{"SourceAccessConfigurations":[{"Type":"BASIC_AUTH","URI":"x"}]}`, Context{}, "esm.fields.applicable.SourceAccessConfigurations", true, rules.Error, "SourceAccessConfigurations", "remove"},
		{"LoggingConfig on SQS", SQS, `{"LoggingConfig":{"SystemLogLevel":"INFO"}}`, Context{}, "esm.fields.applicable.LoggingConfig", true, rules.Error, "LoggingConfig", "msk"},
		{"MetricsConfig on MQ", MQ, `{"MetricsConfig":{"Metrics":["EventCount"]}}`, Context{}, "esm.fields.applicable.MetricsConfig", true, rules.Error, "MetricsConfig", "remove"},
		{"FilterCriteria on DocumentDB warns", DocumentDB, `{"FilterCriteria":{"Filters":[{"Pattern":"{}"}]}}`, Context{}, "esm.fields.applicable.FilterCriteria", true, rules.Warning, "FilterCriteria", "remove FilterCriteria"},
		{"FilterCriteria on SQS", SQS, `{"FilterCriteria":{"Filters":[{"Pattern":"{}"}]}}`, Context{}, "esm.fields.applicable.FilterCriteria", false, "", "", ""},
		{"FunctionResponseTypes on MQ", MQ, `{"FunctionResponseTypes":["ReportBatchItemFailures"]}`, Context{}, "esm.fields.applicable.FunctionResponseTypes", true, rules.Error, "FunctionResponseTypes", "remove"},
		{"StartingPositionTimestamp on DynamoDB", DynamoDB, `{"StartingPositionTimestamp":1700000000}`, Context{}, "esm.fields.applicable.StartingPositionTimestamp", true, rules.Error, "StartingPositionTimestamp", "remove"},
		// required
		{"Kinesis without StartingPosition", Kinesis, `{"StartingPosition":null}`, Context{}, "esm.fields.required.StartingPosition", true, rules.Error, "StartingPosition", "AT_TIMESTAMP"},
		{"MSK without StartingPosition", MSK, `{"StartingPosition":null}`, Context{}, "esm.fields.required.StartingPosition", true, rules.Error, "StartingPosition", "TRIM_HORIZON"},
		{"DocumentDB StartingPosition optional", DocumentDB, `{"StartingPosition":null}`, Context{}, "esm.fields.required.StartingPosition", false, "", "", ""},
		{"MSK without Topics", MSK, `{"Topics":null}`, Context{}, "esm.fields.required.Topics", true, rules.Error, "Topics", "add Topics"},
		{"MQ without Queues", MQ, `{"Queues":null}`, Context{}, "esm.fields.required.Queues", true, rules.Error, "Queues", "add Queues"},
		{"MQ without secret", MQ, `{"SourceAccessConfigurations":null}`, Context{}, "esm.fields.required.SourceAccessConfigurations", true, rules.Error, "SourceAccessConfigurations", "BASIC_AUTH"},
		{"DocumentDB without database", DocumentDB, `{"DocumentDBEventSourceConfig":{"FullDocument":"Default"}}`, Context{}, "esm.fields.required.DocumentDBEventSourceConfig.DatabaseName", true, rules.Error, "DocumentDBEventSourceConfig.DatabaseName", "add"},
		// batch size and window
		{"BatchSize 0", Kinesis, `{"BatchSize":0}`, Context{}, "esm.batch_size.min", true, rules.Error, "BatchSize", "at least 1"},
		{"BatchSize 20000", MSK, `{"BatchSize":20000}`, Context{}, "esm.batch_size.max", true, rules.Error, "BatchSize", "at most 10000"},
		{"BatchSize 10000 ok", MSK, `{"BatchSize":10000}`, Context{}, "esm.batch_size.max", false, "", "", ""},
		{"FIFO BatchSize 11 (reference product missed it)", SQSFIFO, `{"BatchSize":11}`, Context{}, "esm.sqs_fifo.batch_size.max", true, rules.Error, "BatchSize", "at most 10"},
		{"FIFO BatchSize 10", SQSFIFO, `{"BatchSize":10}`, Context{}, "esm.sqs_fifo.batch_size.max", false, "", "", ""},
		{"FIFO window", SQSFIFO, `{"MaximumBatchingWindowInSeconds":5}`, Context{}, "esm.sqs_fifo.batching_window.max_seconds", true, rules.Error, "MaximumBatchingWindowInSeconds", "remove MaximumBatchingWindowInSeconds"},
		{"FIFO window 0", SQSFIFO, `{"MaximumBatchingWindowInSeconds":0}`, Context{}, "esm.sqs_fifo.batching_window.max_seconds", false, "", "", ""},
		{"SQS BatchSize 100 no window", SQS, `{"BatchSize":100}`, Context{}, "esm.sqs.batch_size.large_batch_window_min_seconds", true, rules.Error, "MaximumBatchingWindowInSeconds", "MaximumBatchingWindowInSeconds to 1"},
		{"SQS BatchSize 100 window 0", SQS, `{"BatchSize":100,"MaximumBatchingWindowInSeconds":0}`, Context{}, "esm.sqs.batch_size.large_batch_window_min_seconds", true, rules.Error, "MaximumBatchingWindowInSeconds", "lower BatchSize to 10"},
		{"SQS BatchSize 100 window 1", SQS, `{"BatchSize":100,"MaximumBatchingWindowInSeconds":1}`, Context{}, "esm.sqs.batch_size.large_batch_window_min_seconds", false, "", "", ""},
		{"Kinesis BatchSize 100 no window is fine (conflict 7.8)", Kinesis, `{"BatchSize":100}`, Context{}, "esm.sqs.batch_size.large_batch_window_min_seconds", false, "", "", ""},
		{"window 301", Kinesis, `{"MaximumBatchingWindowInSeconds":301}`, Context{}, "esm.batching_window.max_seconds", true, rules.Error, "MaximumBatchingWindowInSeconds", "at most 300"},
		{"window -1", SQS, `{"MaximumBatchingWindowInSeconds":-1}`, Context{}, "esm.batching_window.min_seconds", true, rules.Error, "MaximumBatchingWindowInSeconds", "at least 0"},
		// stream fields
		{"PF 11", Kinesis, `{"ParallelizationFactor":11}`, Context{}, "esm.parallelization_factor.max", true, rules.Error, "ParallelizationFactor", "at most 10"},
		{"PF 0", DynamoDB, `{"ParallelizationFactor":0}`, Context{}, "esm.parallelization_factor.min", true, rules.Error, "ParallelizationFactor", "at least 1"},
		{"PF 10", DynamoDB, `{"ParallelizationFactor":10}`, Context{}, "esm.parallelization_factor.max", false, "", "", ""},
		{"tumbling 901", Kinesis, `{"TumblingWindowInSeconds":901}`, Context{}, "esm.tumbling_window.max_seconds", true, rules.Error, "TumblingWindowInSeconds", "at most 900"},
		{"tumbling -5", Kinesis, `{"TumblingWindowInSeconds":-5}`, Context{}, "esm.tumbling_window.min_seconds", true, rules.Error, "TumblingWindowInSeconds", "at least 0"},
		// starting position
		{"DynamoDB AT_TIMESTAMP", DynamoDB, `{"StartingPosition":"AT_TIMESTAMP"}`, Context{}, "esm.starting_position.values.dynamodb", true, rules.Error, "StartingPosition", "TRIM_HORIZON, LATEST"},
		{"Kinesis bogus position", Kinesis, `{"StartingPosition":"BOGUS"}`, Context{}, "esm.starting_position.values.kinesis", true, rules.Error, "StartingPosition", "AT_TIMESTAMP"},
		{"Kafka bogus position", SelfManagedKafka, `{"StartingPosition":"EARLIEST"}`, Context{}, "esm.starting_position.values.kafka", true, rules.Error, "StartingPosition", "TRIM_HORIZON"},
		{"DocumentDB bogus position", DocumentDB, `{"StartingPosition":"NOW"}`, Context{}, "esm.starting_position.values.documentdb", true, rules.Error, "StartingPosition", "LATEST"},
		{"AT_TIMESTAMP without timestamp", Kinesis, `{"StartingPosition":"AT_TIMESTAMP"}`, Context{Now: fixedNow}, "esm.starting_position.at_timestamp", true, rules.Error, "StartingPositionTimestamp", "add StartingPositionTimestamp"},
		{"timestamp without AT_TIMESTAMP", Kinesis, `{"StartingPositionTimestamp":1700000000}`, Context{Now: fixedNow}, "esm.starting_position.at_timestamp", true, rules.Error, "StartingPositionTimestamp", "AT_TIMESTAMP"},
		{"timestamp in the future", MSK, `{"StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":1900000000}`, Context{Now: fixedNow}, "esm.starting_position.at_timestamp", true, rules.Error, "StartingPositionTimestamp", "in the past"},
		{"timestamp ok", Kinesis, `{"StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":"2026-01-01T00:00:00Z"}`, Context{Now: fixedNow}, "esm.starting_position.at_timestamp", false, "", "", ""},
		// error handling
		{"retries 10001", Kinesis, `{"MaximumRetryAttempts":10001}`, Context{}, "esm.maximum_retry_attempts.max", true, rules.Error, "MaximumRetryAttempts", "at most 10000"},
		{"retries -2", DynamoDB, `{"MaximumRetryAttempts":-2}`, Context{}, "esm.maximum_retry_attempts.min", true, rules.Error, "MaximumRetryAttempts", "at least -1"},
		{"record age 30 (reference product accepted it)", Kinesis, `{"MaximumRecordAgeInSeconds":30}`, Context{}, "esm.maximum_record_age.min_seconds", true, rules.Error, "MaximumRecordAgeInSeconds", "at least 60"},
		{"record age -1", Kinesis, `{"MaximumRecordAgeInSeconds":-1}`, Context{}, "esm.maximum_record_age.min_seconds", false, "", "", ""},
		{"record age 60", Kinesis, `{"MaximumRecordAgeInSeconds":60}`, Context{}, "esm.maximum_record_age.min_seconds", false, "", "", ""},
		{"record age 604801", DynamoDB, `{"MaximumRecordAgeInSeconds":604801}`, Context{}, "esm.maximum_record_age.max_seconds", true, rules.Error, "MaximumRecordAgeInSeconds", "at most 604800"},
		{"DynamoDB record age beyond retention", DynamoDB, `{"MaximumRecordAgeInSeconds":172800}`, Context{}, "esm.dynamodb.stream_retention_seconds", true, rules.Info, "MaximumRecordAgeInSeconds", "86400"},
		{"DynamoDB record age within retention", DynamoDB, `{"MaximumRecordAgeInSeconds":3600}`, Context{}, "esm.dynamodb.stream_retention_seconds", false, "", "", ""},
		{"Kinesis unbounded retries", Kinesis, `{"MaximumRetryAttempts":null,"DestinationConfig":null}`, Context{}, "esm.stream.unbounded_retry", true, rules.Warning, "MaximumRetryAttempts", "OnFailure"},
		// Regression: bisecting does not bound retries; a poison record is still retried forever.
		{"Kinesis unbounded retries with bisect", Kinesis, `{"MaximumRetryAttempts":null,"DestinationConfig":null,"BisectBatchOnFunctionError":true}`, Context{}, "esm.stream.unbounded_retry", true, rules.Warning, "MaximumRetryAttempts", "MaximumRecordAgeInSeconds"},
		{"Kinesis bounded retries", Kinesis, `{"DestinationConfig":null}`, Context{}, "esm.stream.unbounded_retry", false, "", "", ""},
		// destinations
		{"OnSuccess", Kinesis, `{"DestinationConfig.OnSuccess":{"Destination":"arn:aws:sqs:us-east-1:123456789012:ok"}}`, Context{}, "esm.destination.on_success.unsupported", true, rules.Error, "DestinationConfig.OnSuccess", "remove DestinationConfig.OnSuccess"},
		{"Kinesis Lambda destination", Kinesis, `{"DestinationConfig.OnFailure.Destination":"arn:aws:lambda:us-east-1:123456789012:function:f"}`, Context{}, "esm.destination.on_failure.services.stream", true, rules.Error, "DestinationConfig.OnFailure.Destination", "SQS queue"},
		{"Kinesis S3 destination", Kinesis, `{"DestinationConfig.OnFailure.Destination":"arn:aws:s3:::bucket"}`, Context{}, "esm.destination.on_failure.services.stream", false, "", "", ""},
		{"Kinesis Kafka-topic destination", Kinesis, `{"DestinationConfig.OnFailure.Destination":"kafka://dlq"}`, Context{}, "esm.destination.on_failure.services.stream", true, rules.Error, "DestinationConfig.OnFailure.Destination", "SQS queue"},
		{"Kafka Lambda destination", SelfManagedKafka, `{"ProvisionedPollerConfig":{"MinimumPollers":1},"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:lambda:us-east-1:123456789012:function:f"}}}`, Context{}, "esm.destination.on_failure.services.kafka", true, rules.Error, "DestinationConfig.OnFailure.Destination", "S3 bucket"},
		{"Kafka S3 destination", MSK, `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:s3:::dlq-bucket"}}}`, Context{}, "esm.destination.on_failure.services.kafka", false, "", "", ""},
		{"FIFO destination", DynamoDB, `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:dlq.fifo"}}}`, Context{}, "esm.destination.on_failure.fifo_unsupported", true, rules.Error, "DestinationConfig.OnFailure.Destination", "standard SQS"},
		{"Kafka topic destination on-demand", MSK, `{"DestinationConfig":{"OnFailure":{"Destination":"kafka://dlq"}}}`, Context{}, "esm.kafka.destination_topic.provisioned_only", true, rules.Error, "DestinationConfig.OnFailure.Destination", "ProvisionedPollerConfig"},
		{"Kafka topic destination provisioned", MSK, `{"DestinationConfig":{"OnFailure":{"Destination":"kafka://dlq"}},"ProvisionedPollerConfig":{"MinimumPollers":1,"MaximumPollers":3}}`, Context{}, "esm.kafka.destination_topic.provisioned_only", false, "", "", ""},
		{"Kafka destination = source topic", MSK, `{"DestinationConfig":{"OnFailure":{"Destination":"kafka://orders"}},"ProvisionedPollerConfig":{"MinimumPollers":1}}`, Context{}, "esm.kafka.destination_topic.not_source", true, rules.Error, "DestinationConfig.OnFailure.Destination", "kafka://orders-dlq"},
		{"Kafka infinite retries + destination", MSK, `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:dlq"}},"ProvisionedPollerConfig":{"MinimumPollers":1}}`, Context{}, "esm.kafka.retries_with_destination.cap", true, rules.Info, "MaximumRetryAttempts", "0-10"},
		{"Kafka finite retries + destination", MSK, `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:dlq"}},"ProvisionedPollerConfig":{"MinimumPollers":1},"MaximumRetryAttempts":3}`, Context{}, "esm.kafka.retries_with_destination.cap", false, "", "", ""},
		// Kafka provisioned-only fields
		{"Kafka retries on-demand", MSK, `{"MaximumRetryAttempts":3}`, Context{}, "esm.kafka.provisioned_only_fields", true, rules.Error, "MaximumRetryAttempts", "ProvisionedPollerConfig"},
		{"Kafka retries provisioned (reference product forbade it)", MSK, `{"MaximumRetryAttempts":3,"BisectBatchOnFunctionError":true,"MaximumRecordAgeInSeconds":3600,"FunctionResponseTypes":["ReportBatchItemFailures"],"ProvisionedPollerConfig":{"MinimumPollers":1,"MaximumPollers":4}}`, Context{}, "esm.kafka.provisioned_only_fields", false, "", "", ""},
		// Regression: GetEventSourceMapping echoes defaults (-1, false, []) for on-demand Kafka mappings; they are not settings.
		{"Kafka live defaults on-demand", MSK, `{"MaximumRetryAttempts":-1,"MaximumRecordAgeInSeconds":-1,"BisectBatchOnFunctionError":false,"FunctionResponseTypes":[],"DestinationConfig":{"OnFailure":{}},"UUID":"u","State":"Enabled"}`, Context{}, "esm.kafka.provisioned_only_fields", false, "", "", ""},
		{"SQS live echo of empty DestinationConfig", SQS, `{"DestinationConfig":{"OnFailure":{}},"FunctionResponseTypes":[]}`, Context{}, "esm.fields.applicable.DestinationConfig", false, "", "", ""},
		{"Kafka schema registry on-demand", SelfManagedKafka, `{"SelfManagedKafkaEventSourceConfig":{"SchemaRegistryConfig":{"SchemaRegistryURI":"https://r","EventRecordFormat":"JSON"}}}`, Context{}, "esm.kafka.provisioned_only_fields", true, rules.Error, "SelfManagedKafkaEventSourceConfig.SchemaRegistryConfig", "ProvisionedPollerConfig"},
		{"Kafka logging on-demand", MSK, `{"LoggingConfig":{"SystemLogLevel":"INFO"}}`, Context{}, "esm.kafka.provisioned_only_fields", true, rules.Error, "LoggingConfig", "ProvisionedPollerConfig"},
		// function response types
		{"bad response type", SQS, `{"FunctionResponseTypes":["ReportFailures"]}`, Context{}, "esm.function_response_types.values", true, rules.Error, "FunctionResponseTypes[0]", "ReportBatchItemFailures"},
		{"two response types", SQS, `{"FunctionResponseTypes":["ReportBatchItemFailures","ReportBatchItemFailures"]}`, Context{}, "esm.function_response_types.max_items", true, rules.Error, "FunctionResponseTypes", "ReportBatchItemFailures"},
		{"good response type", SQS, `{"FunctionResponseTypes":["ReportBatchItemFailures"]}`, Context{}, "esm.function_response_types.values", false, "", "", ""},
		// scaling config (the reference product checked no nested field)
		{"MaximumConcurrency 1", SQS, `{"ScalingConfig":{"MaximumConcurrency":1}}`, Context{}, "esm.scaling_config.maximum_concurrency.min", true, rules.Error, "ScalingConfig.MaximumConcurrency", "at least 2"},
		{"MaximumConcurrency 1001", SQS, `{"ScalingConfig":{"MaximumConcurrency":1001}}`, Context{}, "esm.scaling_config.maximum_concurrency.max", true, rules.Error, "ScalingConfig.MaximumConcurrency", "at most 1000"},
		{"MaximumConcurrency 50", SQS, `{"ScalingConfig":{"MaximumConcurrency":50}}`, Context{}, "esm.scaling_config.maximum_concurrency.max", false, "", "", ""},
		{"ScalingConfig + SQS provisioned", SQS, `{"ScalingConfig":{"MaximumConcurrency":50},"ProvisionedPollerConfig":{"MinimumPollers":2}}`, Context{}, "esm.sqs.provisioned.scaling_config_exclusive", true, rules.Error, "ScalingConfig.MaximumConcurrency", "MaximumPollers"},
		// pollers
		{"SQS MinimumPollers 1", SQS, `{"ProvisionedPollerConfig":{"MinimumPollers":1}}`, Context{}, "esm.sqs.provisioned.minimum_pollers.min", true, rules.Error, "ProvisionedPollerConfig.MinimumPollers", "at least 2"},
		{"SQS MinimumPollers 201", SQS, `{"ProvisionedPollerConfig":{"MinimumPollers":201}}`, Context{}, "esm.sqs.provisioned.minimum_pollers.max", true, rules.Error, "ProvisionedPollerConfig.MinimumPollers", "at most 200"},
		{"SQS MaximumPollers 5000 ok (newest API: 10000)", SQS, `{"ProvisionedPollerConfig":{"MinimumPollers":2,"MaximumPollers":5000}}`, Context{}, "esm.sqs.provisioned.maximum_pollers.max", false, "", "", ""},
		{"SQS MaximumPollers 10001", SQS, `{"ProvisionedPollerConfig":{"MaximumPollers":10001}}`, Context{}, "esm.sqs.provisioned.maximum_pollers.max", true, rules.Error, "ProvisionedPollerConfig.MaximumPollers", "at most 10000"},
		{"SQS MaximumPollers 1", SQSFIFO, `{"ProvisionedPollerConfig":{"MaximumPollers":1}}`, Context{}, "esm.sqs.provisioned.maximum_pollers.min", true, rules.Error, "ProvisionedPollerConfig.MaximumPollers", "at least 2"},
		{"Kafka MinimumPollers 0", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":0}}`, Context{}, "esm.kafka.provisioned.minimum_pollers.min", true, rules.Error, "ProvisionedPollerConfig.MinimumPollers", "at least 1"},
		{"Kafka MinimumPollers 201", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":201}}`, Context{}, "esm.kafka.provisioned.minimum_pollers.max", true, rules.Error, "ProvisionedPollerConfig.MinimumPollers", "at most 200"},
		{"Kafka MaximumPollers 2001", SelfManagedKafka, `{"ProvisionedPollerConfig":{"MaximumPollers":2001}}`, Context{}, "esm.kafka.provisioned.maximum_pollers.max", true, rules.Error, "ProvisionedPollerConfig.MaximumPollers", "at most 2000"},
		{"Kafka MaximumPollers 0", SelfManagedKafka, `{"ProvisionedPollerConfig":{"MaximumPollers":0}}`, Context{}, "esm.kafka.provisioned.maximum_pollers.min", true, rules.Error, "ProvisionedPollerConfig.MaximumPollers", "at least 1"},
		{"Max < Min", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":10,"MaximumPollers":5}}`, Context{}, "esm.provisioned.pollers.max_at_least_min", true, rules.Error, "ProvisionedPollerConfig.MaximumPollers", "at least 10"},
		{"Max >= Min", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":5,"MaximumPollers":5}}`, Context{}, "esm.provisioned.pollers.max_at_least_min", false, "", "", ""},
		{"Max > partitions", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1,"MaximumPollers":50}}`, Context{Partitions: 12}, "esm.kafka.provisioned.maximum_pollers.partition_cap", true, rules.Warning, "ProvisionedPollerConfig.MaximumPollers", "MaximumPollers to 12"},
		{"Max <= partitions", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1,"MaximumPollers":12}}`, Context{Partitions: 12}, "esm.kafka.provisioned.maximum_pollers.partition_cap", false, "", "", ""},
		{"PollerGroupName too long", MSK, `{"ProvisionedPollerConfig":{"PollerGroupName":"` + strings.Repeat("g", 129) + `"}}`, Context{}, "esm.kafka.poller_group_name.max_length", true, rules.Error, "ProvisionedPollerConfig.PollerGroupName", "at most 128"},
		{"PollerGroupName bad chars", MSK, `{"ProvisionedPollerConfig":{"PollerGroupName":"my group!"}}`, Context{}, "esm.kafka.poller_group_name.pattern", true, rules.Error, "ProvisionedPollerConfig.PollerGroupName", "a-zA-Z0-9"},
		{"PollerGroupName ok", MSK, `{"ProvisionedPollerConfig":{"PollerGroupName":"team_a-1"}}`, Context{}, "esm.kafka.poller_group_name.pattern", false, "", "", ""},
		// topics and queues
		{"two topics", MSK, `{"Topics":["a","b"]}`, Context{}, "esm.topics.count", true, rules.Error, "Topics", "exactly 1"},
		{"topic name too long", MSK, `{"Topics":["` + strings.Repeat("t", 250) + `"]}`, Context{}, "esm.kafka.topic_name.max_length", true, rules.Error, "Topics[0]", "1 to 249"},
		{"topic name bad", SelfManagedKafka, `{"Topics":["bad topic"]}`, Context{}, "esm.kafka.topic_name.pattern", true, rules.Error, "Topics[0]", "letters, digits"},
		{"two queues", MQ, `{"Queues":["a","b"]}`, Context{}, "esm.queues.count", true, rules.Error, "Queues", "exactly 1"},
		{"queue name too long", MQ, `{"Queues":["` + strings.Repeat("q", 1001) + `"]}`, Context{}, "esm.mq.queue_name.max_length", true, rules.Error, "Queues[0]", "1 to 1000"},
		// self-managed Kafka endpoints and consumer groups
		{"bad endpoints key", SelfManagedKafka, `{"SelfManagedEventSource":{"Endpoints":{"BOOTSTRAP":["b:9092"]}}}`, Context{}, "esm.self_managed.endpoints.key", true, rules.Error, "SelfManagedEventSource.Endpoints.BOOTSTRAP", "KAFKA_BOOTSTRAP_SERVERS"},
		{"11 endpoints", SelfManagedKafka, `{"SelfManagedEventSource":{"Endpoints":{"KAFKA_BOOTSTRAP_SERVERS":["a:1","a:2","a:3","a:4","a:5","a:6","a:7","a:8","a:9","a:10","a:11"]}}}`, Context{}, "esm.self_managed.endpoints.max", true, rules.Error, "SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS", "1 to 10"},
		{"consumer group bad chars", MSK, `{"AmazonManagedKafkaEventSourceConfig":{"ConsumerGroupId":"g#1"}}`, Context{}, "esm.kafka.consumer_group_id.pattern", true, rules.Error, "AmazonManagedKafkaEventSourceConfig.ConsumerGroupId", "characters allowed"},
		{"consumer group too long", SelfManagedKafka, `{"SelfManagedKafkaEventSourceConfig":{"ConsumerGroupId":"` + strings.Repeat("g", 201) + `"}}`, Context{}, "esm.kafka.consumer_group_id.max_length", true, rules.Error, "SelfManagedKafkaEventSourceConfig.ConsumerGroupId", "at most 200"},
		{"consumer group ok", MSK, `{"AmazonManagedKafkaEventSourceConfig":{"ConsumerGroupId":"orders-consumer"}}`, Context{}, "esm.kafka.consumer_group_id.pattern", false, "", "", ""},
		// schema registry, logging, metrics
		{"schema registry bad format", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1},"AmazonManagedKafkaEventSourceConfig":{"SchemaRegistryConfig":{"SchemaRegistryURI":"arn:aws:glue:us-east-1:123456789012:registry/r","EventRecordFormat":"AVRO"}}}`, Context{}, "esm.schema_registry.event_record_format.values", true, rules.Error, "AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig.EventRecordFormat", "JSON, SOURCE"},
		{"schema registry bad access type", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1},"AmazonManagedKafkaEventSourceConfig":{"SchemaRegistryConfig":{"AccessConfigs":[{"Type":"SASL_SCRAM_512_AUTH","URI":"x"}]}}}`, Context{}, "esm.schema_registry.access_config.types", true, rules.Error, "AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig.AccessConfigs[0].Type", "BASIC_AUTH"},
		{"schema registry bad attribute", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1},"AmazonManagedKafkaEventSourceConfig":{"SchemaRegistryConfig":{"SchemaValidationConfigs":[{"Attribute":"HEADER"}]}}}`, Context{}, "esm.schema_registry.validation_attribute.values", true, rules.Error, "AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig.SchemaValidationConfigs[0].Attribute", "KEY, VALUE"},
		{"schema registry ok", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1},"AmazonManagedKafkaEventSourceConfig":{"SchemaRegistryConfig":{"EventRecordFormat":"SOURCE","SchemaValidationConfigs":[{"Attribute":"VALUE"}]}}}`, Context{}, "esm.schema_registry.event_record_format.values", false, "", "", ""},
		{"log level", MSK, `{"ProvisionedPollerConfig":{"MinimumPollers":1},"LoggingConfig":{"SystemLogLevel":"ERROR"}}`, Context{}, "esm.logging.system_log_level.values", true, rules.Error, "LoggingConfig.SystemLogLevel", "DEBUG, INFO, WARN"},
		{"metric bad", SQS, `{"MetricsConfig":{"Metrics":["Lag"]}}`, Context{}, "esm.metrics.values", true, rules.Error, "MetricsConfig.Metrics[0]", "EventCount"},
		{"kafka metric on SQS", SQS, `{"MetricsConfig":{"Metrics":["KafkaMetrics"]}}`, Context{}, "esm.metrics.kafka_only", true, rules.Error, "MetricsConfig.Metrics[0]", "EventCount only"},
		{"kafka metric on MSK", MSK, `{"MetricsConfig":{"Metrics":["KafkaMetrics","ErrorCount","EventCount"]}}`, Context{}, "esm.metrics.kafka_only", false, "", "", ""},
		// filters
		{"6 filters", SQS, `{"FilterCriteria":{"Filters":[{"Pattern":"{}"},{"Pattern":"{}"},{"Pattern":"{}"},{"Pattern":"{}"},{"Pattern":"{}"},{"Pattern":"{}"}]}}`, Context{}, "esm.filter_criteria.filters.default_quota", true, rules.Warning, "FilterCriteria.Filters", "quota increase"},
		{"11 filters", SQS, `{"FilterCriteria":{"Filters":[{},{},{},{},{},{},{},{},{},{},{}]}}`, Context{}, "esm.filter_criteria.filters.max_quota", true, rules.Error, "FilterCriteria.Filters", "at most 10"},
		{"5 filters", SQS, `{"FilterCriteria":{"Filters":[{},{},{},{},{}]}}`, Context{}, "esm.filter_criteria.filters.default_quota", false, "", "", ""},
		{"long pattern", SQS, `{"FilterCriteria":{"Filters":[{"Pattern":"` + strings.Repeat("x", 4097) + `"}]}}`, Context{}, "esm.filter_criteria.pattern.max_length", true, rules.Error, "FilterCriteria.Filters[0].Pattern", "shorten"},
		{"KMS without filters", SQS, `{"KMSKeyArn":"arn:aws:kms:us-east-1:123456789012:key/k"}`, Context{}, "esm.kms_key.filter_criteria_only", true, rules.Info, "KMSKeyArn", "add FilterCriteria"},
		// source access
		{"unknown access type", MQ, `{"SourceAccessConfigurations":[{"Type":"PASSWORD","URI":"x"}]}`, Context{}, "esm.source_access.types", true, rules.Error, "SourceAccessConfigurations[0].Type", "BASIC_AUTH"},
		{"PLAIN on MSK", MSK, `{"SourceAccessConfigurations":[{"Type":"BASIC_AUTH","URI":"x"}]}`, Context{}, "esm.source_access.types.msk", true, rules.Warning, "SourceAccessConfigurations[0].Type", "SASL_SCRAM_512_AUTH"},
		{"SCRAM on MSK", MSK, `{"SourceAccessConfigurations":[{"Type":"SASL_SCRAM_512_AUTH","URI":"x"}]}`, Context{}, "esm.source_access.types.msk", false, "", "", ""},
		{"SCRAM on DocumentDB", DocumentDB, `{"SourceAccessConfigurations":[{"Type":"SASL_SCRAM_256_AUTH","URI":"x"}]}`, Context{}, "esm.source_access.types.documentdb", true, rules.Warning, "SourceAccessConfigurations[0].Type", "BASIC_AUTH"},
		{"VIRTUAL_HOST on MQ", MQ, `{"SourceAccessConfigurations":[{"Type":"BASIC_AUTH","URI":"x"},{"Type":"VIRTUAL_HOST","URI":"/"}]}`, Context{}, "esm.source_access.types.mq", false, "", "", ""},
		{"24 access entries", SelfManagedKafka, `{"SourceAccessConfigurations":[` + strings.TrimSuffix(strings.Repeat(`{"Type":"VPC_SUBNET","URI":"subnet:s"},`, 24), ",") + `]}`, Context{}, "esm.source_access.max_items", true, rules.Error, "SourceAccessConfigurations", "at most 23"},
		// DocumentDB config
		{"database name too long", DocumentDB, `{"DocumentDBEventSourceConfig":{"DatabaseName":"` + strings.Repeat("d", 64) + `"}}`, Context{}, "esm.documentdb.database_name.max_length", true, rules.Error, "DocumentDBEventSourceConfig.DatabaseName", "at most 63"},
		{"collection name too long", DocumentDB, `{"DocumentDBEventSourceConfig":{"DatabaseName":"d","CollectionName":"` + strings.Repeat("c", 58) + `"}}`, Context{}, "esm.documentdb.collection_name.max_length", true, rules.Error, "DocumentDBEventSourceConfig.CollectionName", "at most 57"},
		{"full document bad", DocumentDB, `{"DocumentDBEventSourceConfig":{"DatabaseName":"d","FullDocument":"Full"}}`, Context{}, "esm.documentdb.full_document.values", true, rules.Error, "DocumentDBEventSourceConfig.FullDocument", "UpdateLookup"},
		// context rules
		{"function timeout above Lambda max", SQS, ``, Context{FunctionTimeoutSeconds: 1000}, "lambda.function.timeout.max_seconds", true, rules.Error, "context.function_timeout_seconds", "at most 900"},
		{"visibility below function timeout", SQS, ``, Context{FunctionTimeoutSeconds: 60, QueueVisibilityTimeoutSeconds: 30}, "esm.sqs.visibility_timeout.function_timeout", true, rules.Error, "context.queue_visibility_timeout_seconds", "at least 360 s"},
		{"visibility below 6x", SQSFIFO, ``, Context{FunctionTimeoutSeconds: 60, QueueVisibilityTimeoutSeconds: 120}, "esm.sqs.visibility_timeout.function_timeout_ratio", true, rules.Warning, "context.queue_visibility_timeout_seconds", "at least 360 s"},
		{"visibility 6x ok", SQS, ``, Context{FunctionTimeoutSeconds: 60, QueueVisibilityTimeoutSeconds: 360}, "esm.sqs.visibility_timeout.function_timeout_ratio", false, "", "", ""},
		{"payload over 6 MB", Kinesis, `{"BatchSize":1000}`, Context{AvgRecordBytes: 10240}, "esm.payload.batch_bytes", true, rules.Warning, "BatchSize", "BatchSize to 614"},
		{"payload default batch over 6 MB", MSK, ``, Context{AvgRecordBytes: 102400}, "esm.payload.batch_bytes", true, rules.Warning, "BatchSize", "BatchSize to 61"},
		{"payload fits", Kinesis, `{"BatchSize":100}`, Context{AvgRecordBytes: 1024}, "esm.payload.batch_bytes", false, "", "", ""},
		{"shards x PF over quota", Kinesis, `{"ParallelizationFactor":10}`, Context{Shards: 200}, "esm.stream.concurrency.account_quota", true, rules.Warning, "ParallelizationFactor", "ParallelizationFactor to 5"},
		{"shards x PF under raised quota", Kinesis, `{"ParallelizationFactor":10}`, Context{Shards: 200, AccountConcurrency: 5000}, "esm.stream.concurrency.account_quota", false, "", "", ""},
		// Region and filters
		{"function in another Region", Kinesis, `{"FunctionName":"arn:aws:lambda:eu-west-1:123456789012:function:f"}`, Context{}, "esm.region.same_as_source", true, rules.Error, "FunctionName", "us-east-1"},
		{"function in the source's Region", Kinesis, `{"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:f"}`, Context{}, "esm.region.same_as_source", false, "", "", ""},
		{"kinesis filter outside data", Kinesis, `{"FilterCriteria":{"Filters":[{"Pattern":"{\"partitionKey\":[\"a\"]}"}]}}`, Context{}, "esm.filter.keys.kinesis", true, rules.Warning, "FilterCriteria.Filters[0].Pattern", "under \"data\""},
		{"kinesis filter on data", Kinesis, `{"FilterCriteria":{"Filters":[{"Pattern":"{\"data\":{\"t\":[\"a\"]}}"}]}}`, Context{}, "esm.filter.keys.kinesis", false, "", "", ""},
		{"kafka filter outside value", MSK, `{"FilterCriteria":{"Filters":[{"Pattern":"{\"key\":[\"a\"]}"}]}}`, Context{}, "esm.filter.keys.kafka", true, rules.Warning, "FilterCriteria.Filters[0].Pattern", "under \"value\""},
		{"kafka filter on value", MSK, `{"FilterCriteria":{"Filters":[{"Pattern":"{\"value\":{\"t\":[\"a\"]}}"}]}}`, Context{}, "esm.filter.keys.kafka", false, "", "", ""},
		{"payload filter needs JSON", MSK, `{"FilterCriteria":{"Filters":[{"Pattern":"{\"value\":{\"t\":[\"a\"]}}"}]}}`, Context{}, "esm.filter.non_json", true, rules.Info, "FilterCriteria", "EventRecordFormat JSON"},
		{"no filter, nothing to say", MSK, ``, Context{}, "esm.filter.non_json", false, "", "", ""},
		{"filtered SQS messages are deleted", SQS, `{"FilterCriteria":{"Filters":[{"Pattern":"{\"body\":{\"t\":[\"a\"]}}"}]}}`, Context{}, "esm.filter.discarded", true, rules.Info, "FilterCriteria", "own mapping"},
		{"no filter, nothing discarded", SQS, ``, Context{}, "esm.filter.discarded", false, "", "", ""},
		// explicit source vs ARN
		{"explicit sqs but FIFO ARN", SQSFIFO, ``, Context{}, "esm.source.arn_mismatch", false, "", "", ""},
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	for _, tc := range ruleCases() {
		if tc.rule == "" {
			t.Errorf("case %q names no rule, so it asserts nothing", tc.name)
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.ctx.Now.IsZero() {
				tc.ctx.Now = fixedNow
			}
			res, err := Validate(cfgOf(t, tc.src, tc.patch), Options{Context: tc.ctx}, b)
			if err != nil {
				t.Fatal(err)
			}
			var hit *rules.Violation
			for i, v := range res.Violations {
				if v.RuleID == tc.rule && (tc.field == "" || v.Field == tc.field) {
					hit = &res.Violations[i]
					break
				}
			}
			if !tc.fail {
				if hit != nil {
					t.Fatalf("rule %s fired on a passing example: %+v", tc.rule, *hit)
				}
				return
			}
			if hit == nil {
				t.Fatalf("rule %s did not fire on field %s; got %+v", tc.rule, tc.field, res.Violations)
			}
			if hit.Severity != tc.sev {
				t.Errorf("severity %s, want %s", hit.Severity, tc.sev)
			}
			if !strings.Contains(hit.Fix, tc.fix) {
				t.Errorf("fix %q does not contain %q", hit.Fix, tc.fix)
			}
			if !strings.HasPrefix(hit.Reference, "https://") || hit.Message == "" {
				t.Errorf("violation without reference or message: %+v", *hit)
			}
			found := false
			for _, id := range res.CheckedRules {
				found = found || id == tc.rule
			}
			if !found {
				t.Errorf("fired rule %s missing from CheckedRules", tc.rule)
			}
		})
	}
}

func TestArnMismatch(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	res, err := Validate(cfgOf(t, SQSFIFO, `{"BatchSize":11}`), Options{Source: SQS}, b)
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != SQSFIFO {
		t.Fatalf("source %s, want sqs_fifo (the ARN wins)", res.Source)
	}
	var ids []string
	for _, v := range res.Violations {
		ids = append(ids, v.RuleID)
	}
	joined := strings.Join(ids, " ")
	if !strings.Contains(joined, "esm.source.arn_mismatch") || !strings.Contains(joined, "esm.sqs_fifo.batch_size.max") {
		t.Fatalf("want arn_mismatch and the FIFO cap, got %v", ids)
	}
	// An explicit source without an ARN is trusted.
	res, err = Validate(Config{"BatchSize": 11.0}, Options{Source: SQSFIFO}, b)
	if err != nil || res.Source != SQSFIFO || res.Valid() {
		t.Fatalf("explicit sqs_fifo: %v %s valid=%v", err, res.Source, res.Valid())
	}
}

func TestValidateUnknownSource(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	for _, cfg := range []Config{
		{"BatchSize": 10.0},
		{"EventSourceArn": "arn:aws:s3:::bucket"},
		{"EventSourceArn": "not-an-arn"},
	} {
		if _, err := Validate(cfg, Options{}, b); !errors.Is(err, ErrUnknownSource) {
			t.Errorf("%v: error %v, want ErrUnknownSource", cfg, err)
		}
	}
}

func TestUnresolvedValuesSkipChecks(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	cfg := Config{
		"EventSourceArn":    "arn:aws:kinesis:us-east-1:123456789012:stream/s",
		"StartingPosition":  Unresolved{Expr: "!Ref Pos"},
		"BatchSize":         Unresolved{Expr: "!Ref Size"},
		"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": Unresolved{Expr: "!GetAtt Q.Arn"}}},
	}
	res, err := Validate(cfg, Options{}, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		if v.Severity == rules.Error {
			t.Errorf("unresolved values must not produce errors: %+v", v)
		}
	}
}

func TestSourceFromARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn  string
		want SourceType
		ok   bool
	}{
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s", Kinesis, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000", Kinesis, true},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-01-01T00:00:00.000", DynamoDB, true},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/T", "", false},
		{"arn:aws:sqs:us-east-1:123456789012:q", SQS, true},
		{"arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q.fifo", SQSFIFO, true},
		{"arn:aws:kafka:us-east-1:123456789012:cluster/c/u", MSK, true},
		{"arn:aws:kafka:us-east-1:123456789012:vpc-connection/123456789012/c/u", MSK, true},
		{"arn:aws:mq:us-east-1:123456789012:broker:b:b-1", MQ, true},
		{"arn:aws:rds:us-east-1:123456789012:cluster:docdb", DocumentDB, true},
		{"arn:aws:rds:us-east-1:123456789012:db:x", "", false},
		{"garbage", "", false},
	}
	for _, tc := range tests {
		got, ok := SourceFromARN(tc.arn)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SourceFromARN(%q) = %s,%v want %s,%v", tc.arn, got, ok, tc.want, tc.ok)
		}
	}
	if _, err := ParseSourceType("kafka"); err == nil {
		t.Error(`ParseSourceType("kafka") must fail: MSK and self-managed Kafka differ`)
	}
	if s, err := ParseSourceType(" SQS_FIFO "); err != nil || s != SQSFIFO {
		t.Errorf("ParseSourceType = %s, %v", s, err)
	}
}

// TestTypeErrorReportedOnce: BatchSize is read by the range, SQS window and
// payload rules; a value of the wrong type is one violation, not three.
func TestTypeErrorReportedOnce(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	res, err := Validate(cfgOf(t, SQS, `{"BatchSize":"ten","MaximumBatchingWindowInSeconds":"soon"}`), Options{Context: Context{Now: fixedNow, AvgRecordBytes: 100}}, b)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, v := range res.Violations {
		if v.RuleID == "esm.fields.type" {
			per[v.Field]++
		}
	}
	if per["BatchSize"] != 1 || per["MaximumBatchingWindowInSeconds"] != 1 {
		t.Fatalf("type violations per field = %v, want exactly one each: %+v", per, res.Violations)
	}
}
