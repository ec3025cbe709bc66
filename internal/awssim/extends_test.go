package awssim_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// A new incident is a few lines over an existing scenario: resources merge
// on their identity, scalars and plain lists are replaced, _remove drops an
// item and null drops a key.
func TestExtendsDeepMerge(t *testing.T) {
	t.Parallel()
	base, err := awssim.Load("msk-iam-healthy")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := awssim.Parse("msk-updating", []byte(`
extends: msk-iam-healthy
description: the healthy cluster, mid instance-type change
functions:
  - {FunctionName: orders-consumer, Timeout: 900, ReservedConcurrentExecutions: null}
  - {FunctionName: audit, Runtime: python3.12}
msk:
  clusters:
    - clusterArn: arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3
      state: UPDATING
      topics: [{topicName: orders, partitionCount: 24, replicationFactor: 3}]
ec2:
  subnets:
    - {SubnetId: subnet-0f00dfeed0000a001, _remove: true}
faults:
  - {service: kafka, operation: GetBootstrapBrokers, error: throttling}
`))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "msk-updating" || !strings.Contains(sc.Description, "mid instance-type") {
		t.Errorf("name/description = %q / %q", sc.Name, sc.Description)
	}
	if len(sc.Functions) != 2 || sc.Functions[0].Timeout != 900 || sc.Functions[0].MemorySize != 1024 || sc.Functions[0].ReservedConcurrentExecutions != nil ||
		sc.Functions[0].Environment.Variables["DB_PASSWORD"] == "" || sc.Functions[1].FunctionName != "audit" {
		t.Errorf("functions = %+v", sc.Functions)
	}
	c := sc.MSK.Clusters[0]
	if c.State != "UPDATING" || c.ClusterName != "orders-prod" || len(c.Nodes) != 3 || len(c.Topics) != 2 || c.Topics[0].PartitionCount != 24 || c.Topics[1].TopicName != "orders-dlq" {
		t.Errorf("cluster = %+v", c)
	}
	var subnets []string
	for _, s := range sc.EC2.Subnets {
		subnets = append(subnets, s.SubnetId)
	}
	if diff := cmp.Diff([]string{"subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552", "subnet-0a11b22c33d44e553"}, subnets); diff != "" {
		t.Errorf("subnets (-want +got):\n%s", diff)
	}
	if len(sc.EventSourceMappings) != len(base.EventSourceMappings) || len(sc.IAM.Roles) != 1 || len(sc.Faults) != 1 {
		t.Errorf("inherited sections: %d mappings, %d roles, %d faults", len(sc.EventSourceMappings), len(sc.IAM.Roles), len(sc.Faults))
	}
}

func TestExtendsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a.yaml", "extends: b.yaml\n")
	write("b.yaml", "extends: a.yaml\n")
	write("child.yaml", "extends: parent.yaml\nfunctions: [{FunctionName: f, Timeout: 3}]\n")
	write("parent.yaml", "extends: sqs-visibility-timeout\nregion: eu-west-1\n")
	tests := []struct {
		name, yml, file, wantErr string
	}{
		{name: "unknown key in override", yml: "extends: msk-iam-healthy\nfunctions: [{FunctionName: orders-consumer, Timout: 3}]\n", wantErr: "Timout"},
		{name: "unknown base", yml: "extends: no-such-scenario\n", wantErr: "no-such-scenario"},
		{name: "cycle", file: filepath.Join(dir, "a.yaml"), wantErr: "levels"},
		{name: "relative chain", file: filepath.Join(dir, "child.yaml")},
	}
	for _, tc := range tests {
		var sc *awssim.Scenario
		var err error
		if tc.file != "" {
			sc, err = awssim.Load(tc.file)
		} else {
			sc, err = awssim.Parse(tc.name, []byte(tc.yml))
		}
		if tc.wantErr == "" {
			if err != nil || sc.Region != "eu-west-1" || len(sc.Functions) < 2 {
				t.Errorf("%s: %+v, %v", tc.name, sc, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.wantErr)
		}
	}
}

// The embedded incident written with extends answers what its description
// promises: the base account's mapping and queues, plus the CloudTrail
// change, the older version, the DLQ source and the KMS key.
func TestEmbeddedExtendedIncident(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "sqs-dlq-after-timeout-raise", nil)
	ctx := context.Background()
	ev, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now().Add(-3 * time.Hour)),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("invoice-renderer")}}})
	if err != nil || len(ev.Events) != 1 || !strings.Contains(aws.ToString(ev.Events[0].CloudTrailEvent), `"timeout":120`) {
		t.Fatalf("events = %+v, %v", ev, err)
	}
	lc := lambda.NewFromConfig(cfg)
	now, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("invoice-renderer")})
	before, err2 := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("invoice-renderer"), Qualifier: aws.String("7")})
	if err != nil || err2 != nil || aws.ToInt32(now.Timeout) != 120 || aws.ToInt32(before.Timeout) != 30 || now.Environment == nil {
		t.Fatalf("function now %+v (%v), version 7 %+v (%v)", now, err, before, err2)
	}
	q := sqs.NewFromConfig(cfg)
	src, err := q.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String("https://sqs.us-east-1.amazonaws.com/123456789012/invoice-jobs-dlq")})
	if err != nil || len(src.QueueUrls) != 1 || !strings.HasSuffix(src.QueueUrls[0], "/invoice-jobs") {
		t.Fatalf("dlq sources = %+v, %v", src, err)
	}
	a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(src.QueueUrls[0])})
	if err != nil || a.Attributes["VisibilityTimeout"] != "30" || a.Attributes["KmsMasterKeyId"] != "alias/invoice-jobs" {
		t.Fatalf("queue attributes = %+v, %v", a, err)
	}
	k, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/invoice-jobs")})
	if err != nil || k.KeyMetadata.KeyManager != "CUSTOMER" {
		t.Fatalf("key = %+v, %v", k, err)
	}
}
