package iac_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

func stacks(t *testing.T) map[string]iac.Stack {
	t.Helper()
	pol := func(in iac.PolicyInput) *iac.PolicyDocument {
		p, _, err := iac.ExecutionPolicy(in)
		if err != nil {
			t.Fatal(err)
		}
		return &p
	}
	fn := &iac.Function{Name: "orders", Runtime: "python3.13", TimeoutSeconds: iac.Int(30)}
	fnARN := "arn:aws:lambda:us-east-1:123456789012:function:orders"
	return map[string]iac.Stack{
		"sqs fifo app": {Description: "orders", Function: fn,
			Policy: pol(iac.PolicyInput{Source: iac.SourceSQSFIFO, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:orders.fifo", FunctionArn: fnARN}),
			Queue:  &iac.Queue{Name: "orders.fifo", FIFO: true, VisibilityTimeoutSeconds: iac.Int(180), MaxReceiveCount: 5},
			ESM:    &iac.ESM{Source: iac.SourceSQSFIFO, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:orders.fifo", BatchSize: iac.Int(10), FunctionResponseTypes: []string{"ReportBatchItemFailures"}}},
		"kinesis app": {Description: "orders", Function: fn,
			Policy: pol(iac.PolicyInput{Source: iac.SourceKinesis, EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/orders", FunctionArn: fnARN}),
			Stream: &iac.KinesisStream{Name: "orders", Shards: iac.Int(4), RetentionHours: iac.Int(48)},
			ESM: &iac.ESM{Source: iac.SourceKinesis, EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/orders", StartingPosition: "TRIM_HORIZON",
				ParallelizationFactor: iac.Int(2), BisectBatchOnFunctionError: iac.Bool(true), FunctionResponseTypes: []string{"ReportBatchItemFailures"}}},
		"msk cluster only": {Description: "cluster", Cluster: &iac.MSKClusterSpec{Name: "orders", KafkaVersion: "3.8.x", InstanceType: "kafka.m7g.large",
			Brokers: 3, VolumeGiB: 100, Auth: iac.AuthIAM, SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"},
			SecurityGroupIDs: []string{"sg-0123456789abcdef0"}},
			SGRules: []iac.SGRule{{GroupID: "sg-0123456789abcdef0", PeerGroupID: "sg-0123456789abcdef0", Port: 9098, Description: "self"}}},
		"on-demand stream only": {Stream: &iac.KinesisStream{Name: "clicks", OnDemand: true}},
		"existing function": {Policy: pol(iac.PolicyInput{Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q"}),
			ESM: &iac.ESM{Source: iac.SourceSQS, FunctionName: "orders", EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q"}},
	}
}

func TestRenderStack(t *testing.T) {
	t.Parallel()
	spec := iactest.LoadSpec(t)
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range stacks(t) {
		for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation, iac.FormatTerraform} {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				a, err := iac.RenderStack(s, f)
				if err != nil {
					t.Fatal(err)
				}
				if f == iac.FormatTerraform {
					iactest.CheckTerraform(t, a.Content)
					return
				}
				spec.CheckTemplate(t, a.Content)
				res, err := cfntemplate.Validate(a.Content, b)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range res.Violations {
					if v.Severity == rules.Error {
						t.Errorf("validate_config: %s %s: %s", v.RuleID, v.Field, v.Message)
					}
				}
			})
		}
	}
}

func TestStackWiring(t *testing.T) {
	t.Parallel()
	s := stacks(t)["sqs fifo app"]
	sam, err := iac.RenderStack(s, iac.FormatSAM)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type: SQS", "Fn::GetAtt:\n                - Queue\n                - Arn", "InlineCode:", "batchItemFailures", "orders-dlq.fifo", "FifoQueue: true", "maxReceiveCount: 5"} {
		if !strings.Contains(sam.Content, want) {
			t.Errorf("SAM stack lacks %q:\n%s", want, sam.Content)
		}
	}
	tf, err := iac.RenderStack(s, iac.FormatTerraform)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"function_name = aws_lambda_function.function.function_name", "event_source_arn = aws_sqs_queue.queue.arn",
		"redrive_policy = jsonencode({", "deadLetterTargetArn = aws_sqs_queue.dead_letter_queue.arn"} {
		if !strings.Contains(strings.Join(strings.Fields(tf.Content), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("Terraform stack lacks %q:\n%s", want, tf.Content)
		}
	}
}

func TestRenderStackRejects(t *testing.T) {
	t.Parallel()
	base := stacks(t)
	cases := map[string]func(s *iac.Stack){
		"hostile function name": func(s *iac.Stack) { f := *s.Function; f.Name = "x; rm -rf /"; s.Function = &f },
		"node runtime":          func(s *iac.Stack) { f := *s.Function; f.Runtime = "nodejs22.x"; s.Function = &f },
		"fifo name on standard": func(s *iac.Stack) { q := *s.Queue; q.FIFO = false; s.Queue = &q },
		"brokers not per AZ": func(s *iac.Stack) {
			c := iac.MSKClusterSpec{Name: "c", KafkaVersion: "3.8.x", InstanceType: "kafka.m7g.large", Brokers: 4, VolumeGiB: 10, Auth: iac.AuthIAM,
				SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"}}
			s.Cluster = &c
		},
		"function without mapping": func(s *iac.Stack) { s.ESM = nil },
	}
	for name, mut := range cases {
		s := base["sqs fifo app"]
		mut(&s)
		if _, err := iac.RenderStack(s, iac.FormatCloudFormation); !errors.Is(err, iac.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}
}
