package cfntemplate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
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

const samTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Size: {Type: Number}
Globals:
  Function:
    Timeout: 120
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      VisibilityTimeout: 300
  Plain:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      Events:
        FromFifo:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
            BatchSize: 20
            MaximumBatchingWindowInSeconds: 5
        FromPlain:
          Type: SQS
          Properties:
            Queue: !GetAtt Plain.Arn
            BatchSize: !Ref Size
            Bogus: 1
        FromTopic:
          Type: MSK
          Properties:
            Stream: arn:aws:kafka:us-east-1:123456789012:cluster/c/abcd
            Topics: [orders]
            StartingPosition: LATEST
            MaximumRetryAttempts: 3
            ConsumerGroupId: "bad#group"
        Api:
          Type: Api
          Properties: {Path: /, Method: get}
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 4
      RetentionPeriodHours: 10000
      Colour: blue
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Stream.Arn
      StartingPosition: AT_TIMESTAMP
      ParallelizationFactor: 20
      KmsKeyArn: !Ref Key
      BatchSzie: 10
  Dlq:
    Type: AWS::SQS::Queue
    Properties: {QueueName: dlq.fifo}
  ToFifoDlq:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Stream.Arn
      StartingPosition: LATEST
      MaximumRetryAttempts: 2
      DestinationConfig: {OnFailure: {Destination: !GetAtt Dlq.Arn}}
  SelfManaged:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      Topics: [orders]
      StartingPosition: LATEST
      SelfManagedEventSource:
        Endpoints:
          KafkaBootstrapServers: [b1:9092, b2:9092, b3:9092, b4:9092, b5:9092, b6:9092, b7:9092, b8:9092, b9:9092, b10:9092, b11:9092]
  Imported:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !ImportValue shared-stream-arn
      BatchSize: 50000
  FromSub:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !Sub arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs.fifo
      BatchSize: 11
  Cluster:
    Type: AWS::MSK::Cluster
    Properties:
      ClusterName: c
      KafkaVersion: 3.8.x
      NumberOfBrokerNodes: 3
      BrokerNodeGroupInfo:
        InstanceType: kafka.m7g.large
        ClientSubnets: [a, b, c]
      Shiny: true
`

func TestValidateSAMTemplate(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	res, err := Validate(samTemplate, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		rule  string
		sev   rules.Severity
		field string
		fix   string
	}{
		// SAM SQS event on a FIFO queue found through !GetAtt
		{"esm.sqs_fifo.batch_size.max", rules.Error, "Resources.Worker.Properties.Events.FromFifo.Properties.BatchSize", "at most 10"},
		{"esm.sqs_fifo.batching_window.max_seconds", rules.Error, "Resources.Worker.Properties.Events.FromFifo.Properties.MaximumBatchingWindowInSeconds", "remove"},
		// Globals Timeout 120 vs queue visibility 300 (< 6 x 120)
		{"esm.sqs.visibility_timeout.function_timeout_ratio", rules.Warning, "Resources.Worker.Properties.Events.FromFifo", "at least 720 s"},
		// default visibility 30 s < Timeout 120 s
		{"esm.sqs.visibility_timeout.function_timeout", rules.Error, "Resources.Worker.Properties.Events.FromPlain", "at least 720 s"},
		{"cfn.sam_event.unknown_property", rules.Warning, "Resources.Worker.Properties.Events.FromPlain.Properties.Bogus", "remove Bogus"},
		{"esm.fields.unresolved", rules.Info, "Resources.Worker.Properties.Events.FromPlain.Properties", "nothing to fix"},
		// MSK event: retries need provisioned mode, consumer group renamed back to SAM's name
		{"esm.kafka.provisioned_only_fields", rules.Error, "Resources.Worker.Properties.Events.FromTopic.Properties.MaximumRetryAttempts", "ProvisionedPollerConfig"},
		{"esm.kafka.consumer_group_id.pattern", rules.Error, "Resources.Worker.Properties.Events.FromTopic.Properties.ConsumerGroupId", "characters allowed"},
		// ESM resource on a Kinesis stream in the template
		{"esm.parallelization_factor.max", rules.Error, "Resources.Mapping.Properties.ParallelizationFactor", "at most 10"},
		{"esm.starting_position.at_timestamp", rules.Error, "Resources.Mapping.Properties.StartingPositionTimestamp", "StartingPositionTimestamp"},
		{"cfn.lambda_esm.properties", rules.Error, "Resources.Mapping.Properties.BatchSzie", "remove BatchSzie"},
		{"esm.destination.on_failure.fifo_unsupported", rules.Error, "Resources.ToFifoDlq.Properties.DestinationConfig.OnFailure.Destination", "standard SQS"},
		// CloudFormation spells the bootstrap key KafkaBootstrapServers; the path keeps the template's name.
		{"esm.self_managed.endpoints.max", rules.Error, "Resources.SelfManaged.Properties.SelfManagedEventSource.Endpoints.KafkaBootstrapServers", "1 to 10"},
		{"cfn.esm.source_unknown", rules.Info, "Resources.Imported.Properties.EventSourceArn", "event_source"},
		{"esm.sqs_fifo.batch_size.max", rules.Error, "Resources.FromSub.Properties.BatchSize", "at most 10"},
		{"cfn.kinesis_stream.properties", rules.Error, "Resources.Stream.Properties.Colour", "remove Colour"},
		{"cfn.msk_cluster.properties", rules.Error, "Resources.Cluster.Properties.Shiny", "remove Shiny"},
	}
	for _, w := range want {
		found := false
		for _, v := range res.Violations {
			if v.RuleID == w.rule && v.Field == w.field {
				found = true
				if v.Severity != w.sev || !strings.Contains(v.Fix, w.fix) || v.Reference == "" {
					t.Errorf("%s at %s: got %+v", w.rule, w.field, v)
				}
			}
		}
		if !found {
			t.Errorf("missing %s at %s", w.rule, w.field)
		}
	}
	// H6's Kinesis validator ran on the stream (retention 10000 h is out of range).
	foundKinesis := false
	for _, v := range res.Violations {
		if strings.HasPrefix(v.RuleID, "kinesis_stream.") && strings.HasPrefix(v.Field, "Resources.Stream.Properties.") {
			foundKinesis = true
		}
	}
	if !foundKinesis {
		t.Error("streamcfg.ValidateKinesisStream findings missing for Resources.Stream")
	}
	// Passing examples: the literal-free BatchSize on FromPlain is not checked,
	// the Api event is ignored, the imported mapping's BatchSize is not judged
	// without a source... except the universal range (it is skipped entirely).
	for _, v := range res.Violations {
		if v.RuleID == "esm.fields.known" {
			t.Errorf("unknown property reported twice: %+v", v)
		}
		if v.RuleID == "esm.self_managed.endpoints.key" {
			t.Errorf("CloudFormation's KafkaBootstrapServers key flagged: %+v", v)
		}
		if strings.Contains(v.Field, "Events.Api") || (strings.Contains(v.Field, "FromPlain") && v.RuleID == "esm.batch_size.max") {
			t.Errorf("unexpected violation %+v", v)
		}
	}
	paths := map[string]string{}
	for _, c := range res.Resources {
		paths[c.Path] = c.Source
	}
	for p, src := range map[string]string{
		"Resources.Worker.Properties.Events.FromFifo":  "sqs_fifo",
		"Resources.Worker.Properties.Events.FromPlain": "sqs",
		"Resources.Worker.Properties.Events.FromTopic": "msk",
		"Resources.Mapping":                            "kinesis",
		"Resources.FromSub":                            "sqs_fifo",
		"Resources.Imported":                           "",
		"Resources.ToFifoDlq":                          "kinesis",
		"Resources.SelfManaged":                        "self_managed_kafka",
		"Resources.Stream":                             "",
		"Resources.Cluster":                            "",
	} {
		got, ok := paths[p]
		if !ok || got != src {
			t.Errorf("resource %s: source %q (checked %v), want %q", p, got, ok, src)
		}
	}
	if res.Valid() {
		t.Error("template with errors reported valid")
	}
	// Line numbers: BatchSize: 20 of the FromFifo event is on line 26.
	for _, v := range res.Violations {
		if v.RuleID == "esm.sqs_fifo.batch_size.max" && strings.Contains(v.Field, "FromFifo") && !strings.HasSuffix(v.Message, "(template line 26)") {
			t.Errorf("message %q lacks the template line", v.Message)
		}
	}
}

func TestValidateJSONTemplate(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	good := `{"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"VisibilityTimeout":360}},
"F":{"Type":"AWS::Lambda::Function","Properties":{"Timeout":60}},
"M":{"Type":"AWS::Lambda::EventSourceMapping","Properties":{"FunctionName":{"Ref":"F"},"EventSourceArn":{"Fn::GetAtt":["Q","Arn"]},"BatchSize":100,"MaximumBatchingWindowInSeconds":2,"FunctionResponseTypes":["ReportBatchItemFailures"]}}}}`
	res, err := Validate(good, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) != 0 || !res.Valid() {
		t.Fatalf("clean JSON template: %+v", res.Violations)
	}
	bad := strings.Replace(good, `"VisibilityTimeout":360`, `"VisibilityTimeout":30`, 1)
	res, err = Validate(bad, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) != 1 || res.Violations[0].RuleID != "esm.sqs.visibility_timeout.function_timeout" || res.Violations[0].Field != "Resources.M" {
		t.Fatalf("want one visibility error on Resources.M, got %+v", res.Violations)
	}
}

// TestFifoFlagAsString: CloudFormation accepts FifoQueue: "true"; the queue
// is FIFO and its mapping gets the FIFO batch cap.
func TestFifoFlagAsString(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	text := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: 'true'}\n" +
		"  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: {FunctionName: f, EventSourceArn: !GetAtt Q.Arn, BatchSize: 20}\n"
	res, err := Validate(text, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resources) != 1 || res.Resources[0].Source != "sqs_fifo" {
		t.Fatalf("resources %+v, want one sqs_fifo mapping", res.Resources)
	}
	found := false
	for _, v := range res.Violations {
		found = found || v.RuleID == "esm.sqs_fifo.batch_size.max"
	}
	if !found {
		t.Fatalf("FIFO batch cap not applied: %+v", res.Violations)
	}
}

func TestValidateRejectsNonTemplates(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	for _, text := range []string{"", "just text", "- a\n- b\n", "Resources: 3\n", "Resources: {a: [\n"} {
		if _, err := Validate(text, b); !errors.Is(err, ErrNotTemplate) {
			t.Errorf("%q: error %v, want ErrNotTemplate", text, err)
		}
	}
}

func TestShortFormTags(t *testing.T) {
	t.Parallel()
	tpl, err := parse("Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAtt B.Arn\n      Q: !Sub 'x-${AWS::Region}'\n      R: !If [Cond, 1, 2]\n      S: !Ref B\n", loadBase(t).Int(templateMaxBytesID))
	if err != nil {
		t.Fatal(err)
	}
	props := tpl["Resources"].(map[string]any)["A"].(map[string]any)["Properties"].(map[string]any)
	for k, want := range map[string]string{"P": "!GetAtt B.Arn", "Q": "!Sub x-${AWS::Region}", "R": "!If [Cond]", "S": "!Ref B"} {
		if got := render(props[k]); got != want {
			t.Errorf("%s rendered %q, want %q", k, got, want)
		}
	}
}

// TestYAMLAliases: an ordinary alias is expanded; an alias inside the node
// it names (which used to overflow the Go stack and kill the server) and a
// "billion laughs" document are rejected as not-a-template, quickly.
func TestYAMLAliases(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	ok := "Common: &props {BatchSize: 11, EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:q.fifo', FunctionName: f}\n" +
		"Resources:\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: *props\n"
	res, err := Validate(ok, b)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range res.Violations {
		found = found || (v.RuleID == "esm.sqs_fifo.batch_size.max" && v.Field == "Resources.M.Properties.BatchSize")
	}
	if !found {
		t.Fatalf("aliased properties not validated: %+v", res.Violations)
	}
	var bomb strings.Builder
	bomb.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&bomb, "l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				bomb.WriteString(", ")
			}
			fmt.Fprintf(&bomb, "*l%d", i-1)
		}
		bomb.WriteString("]\n")
	}
	bomb.WriteString("Resources: {}\n")
	for name, text := range map[string]string{
		"self reference":   "a: &a [*a]\nResources: {}\n",
		"nested reference": "a: &a {b: [1, {c: *a}]}\nResources: {}\n",
		"billion laughs":   bomb.String(),
	} {
		start := time.Now()
		_, err := Validate(text, b)
		if !errors.Is(err, ErrNotTemplate) {
			t.Errorf("%s: error %v, want ErrNotTemplate", name, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: rejected after %v; the expansion budget is not enforced", name, d)
		}
	}
}

func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := loadBase(t)
	ids, err := limitcheck.IDLiterals(".", "cfn.", "esm.")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, ok := b.Lookup(id); !ok {
			t.Errorf("code names %q, which is not in guidance/limits", id)
		}
	}
}

// template200 builds a template with 200 resources: 50 queues, 50 Kinesis
// streams, 50 mappings and 50 SAM functions with one SQS event each.
func template200() string {
	var sb strings.Builder
	sb.WriteString("Transform: AWS::Serverless-2016-10-31\nResources:\n")
	for i := range 50 {
		fmt.Fprintf(&sb, "  Queue%d:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n", i)
		fmt.Fprintf(&sb, "  Stream%d:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 4\n      RetentionPeriodHours: 48\n", i)
		fmt.Fprintf(&sb, "  Map%d:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn%d\n      EventSourceArn: !GetAtt Stream%d.Arn\n      StartingPosition: LATEST\n      BatchSize: 500\n      ParallelizationFactor: 2\n      MaximumRetryAttempts: 5\n      BisectBatchOnFunctionError: true\n      FunctionResponseTypes: [ReportBatchItemFailures]\n      DestinationConfig:\n        OnFailure:\n          Destination: !GetAtt Queue%d.Arn\n", i, i, i, i)
		fmt.Fprintf(&sb, "  Fn%d:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.13\n      Timeout: 30\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue%d.Arn\n            BatchSize: 50\n            MaximumBatchingWindowInSeconds: 1\n            ScalingConfig:\n              MaximumConcurrency: 20\n", i, i)
	}
	return sb.String()
}

func TestTemplate200(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	res, err := Validate(template200(), b)
	if err != nil {
		t.Fatal(err)
	}
	// Queues are not validated resource types; the other 150 are.
	if len(res.Resources) != 150 {
		t.Fatalf("checked %d resources, want 150", len(res.Resources))
	}
	for _, v := range res.Violations {
		if v.Severity == rules.Error {
			t.Errorf("unexpected error %+v", v)
		}
	}
}

func BenchmarkValidateTemplate200(b *testing.B) {
	base := loadBase(b)
	text := template200()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Validate(text, base); err != nil {
			b.Fatal(err)
		}
	}
}
