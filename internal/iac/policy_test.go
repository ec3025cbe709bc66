package iac_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
)

func policyResources(t *testing.T, p iac.PolicyDocument) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, s := range p.Statement {
		out[s.Sid] = s.Resource
	}
	return out
}

// Regression for the anchor's MSK policy: its topic and group ARNs left out
// the cluster UUID (topic/NAME/TOPIC), so with a specific topic the grant
// matched nothing. Ours carry it: topic/NAME/UUID/TOPIC, group/NAME/UUID/GROUP.
func TestMSKPolicyARNsCarryClusterUUID(t *testing.T) {
	t.Parallel()
	p, _, err := iac.ExecutionPolicy(iac.PolicyInput{Source: iac.SourceMSK, EventSourceArn: clusterARN, Auth: iac.AuthIAM,
		Topic: "orders", ConsumerGroupID: "orders-fn", OnFailureDestination: "kafka://orders-dlq",
		FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders"})
	if err != nil {
		t.Fatal(err)
	}
	res := policyResources(t, p)
	want := map[string]string{
		"ConnectToCluster":  "arn:aws:kafka:us-east-1:123456789012:cluster/prod/" + clusterUID,
		"ReadTopic":         "arn:aws:kafka:us-east-1:123456789012:topic/prod/" + clusterUID + "/orders",
		"UseConsumerGroup":  "arn:aws:kafka:us-east-1:123456789012:group/prod/" + clusterUID + "/orders-fn",
		"WriteFailureTopic": "arn:aws:kafka:us-east-1:123456789012:topic/prod/" + clusterUID + "/orders-dlq",
	}
	for sid, arn := range want {
		if len(res[sid]) != 1 || res[sid][0] != arn {
			t.Errorf("%s resources = %v, want [%s]", sid, res[sid], arn)
		}
	}
	js, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	iactest.CheckPolicy(t, js, false)
	if strings.Contains(js, `"kafka-cluster:*"`) || strings.Contains(js, "topic/prod/orders") {
		t.Errorf("wildcard action or UUID-less ARN in:\n%s", js)
	}
}

func TestExecutionPolicyPerSource(t *testing.T) {
	t.Parallel()
	fn := "arn:aws:lambda:us-east-1:123456789012:function:orders"
	key := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := []struct {
		name      string
		in        iac.PolicyInput
		mustHave  []string // actions
		mustNot   []string
		wantNotes int
	}{
		{"kinesis efo + kms", iac.PolicyInput{Source: iac.SourceKinesis, EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000", KMSKeyArns: []string{key}, FunctionArn: fn},
			[]string{"kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer", "kinesis:GetRecords", "kms:Decrypt"}, []string{"ec2:CreateNetworkInterface"}, 0},
		{"dynamodb", iac.PolicyInput{Source: iac.SourceDynamoDB, EventSourceArn: "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000", OnFailureDestination: "arn:aws:sns:us-east-1:123456789012:failed", FunctionArn: fn},
			[]string{"dynamodb:GetRecords", "dynamodb:ListStreams", "sns:Publish"}, []string{"kinesis:GetRecords"}, 0},
		{"sqs fifo + kms", iac.PolicyInput{Source: iac.SourceSQSFIFO, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q.fifo", KMSKeyArns: []string{key}},
			[]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "kms:Decrypt"}, []string{"sqs:SendMessage"}, 1},
		{"msk scram", iac.PolicyInput{Source: iac.SourceMSK, EventSourceArn: clusterARN, Auth: iac.AuthSCRAM512, SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_x-AbCdEf", FunctionArn: fn},
			[]string{"secretsmanager:GetSecretValue", "kafka:DescribeClusterV2", "ec2:CreateNetworkInterface"}, []string{"kafka-cluster:ReadData"}, 0},
		{"msk iam default group", iac.PolicyInput{Source: iac.SourceMSK, EventSourceArn: clusterARN, Auth: iac.AuthIAM, Topic: "t", FunctionArn: fn, SchemaRegistryArn: "arn:aws:glue:us-east-1:123456789012:registry/reg"},
			[]string{"kafka-cluster:ReadData", "kafka-cluster:AlterGroup", "glue:GetSchemaVersion"}, nil, 1},
		{"msk cross-account", iac.PolicyInput{Source: iac.SourceMSK, EventSourceArn: "arn:aws:kafka:us-east-1:111122223333:vpc-connection/444455556666/prod/51jn98b4-0a61-46cc-b0a6-61g9a3d797d5-7", ClusterArn: clusterARN, Auth: iac.AuthIAM, Topic: "t", ConsumerGroupID: "g", FunctionArn: fn},
			[]string{"kafka:DescribeVpcConnection", "kafka-cluster:ReadData"}, nil, 0},
		{"smk vpc + root ca", iac.PolicyInput{Source: iac.SourceSelfManagedKafka, Auth: iac.AuthMTLS, SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cert-AbCdEf", RootCASecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ca-AbCdEf", VPC: true, FunctionArn: fn},
			[]string{"secretsmanager:GetSecretValue", "ec2:CreateNetworkInterface"}, []string{"kafka:DescribeClusterV2"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, notes, err := iac.ExecutionPolicy(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			js, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			iactest.CheckPolicy(t, js, false)
			for _, a := range tc.mustHave {
				if !strings.Contains(js, `"`+a+`"`) {
					t.Errorf("missing %s in\n%s", a, js)
				}
			}
			for _, a := range tc.mustNot {
				if strings.Contains(js, `"`+a+`"`) {
					t.Errorf("unexpected %s in\n%s", a, js)
				}
			}
			if len(notes) != tc.wantNotes {
				t.Errorf("notes = %q, want %d", notes, tc.wantNotes)
			}
			for _, s := range p.Statement {
				for _, r := range s.Resource {
					if r == "*" && !strings.HasPrefix(s.Action[0], "ec2:") {
						t.Errorf("statement %s grants %v on *", s.Sid, s.Action)
					}
				}
			}
		})
	}
}

func TestExecutionPolicyRejectsHostileInput(t *testing.T) {
	t.Parallel()
	bad := []iac.PolicyInput{
		{Source: iac.SourceMSK, EventSourceArn: clusterARN, Auth: iac.AuthIAM, Topic: `t"},{"Effect":"Allow","Action":"*","Resource":"*`},
		{Source: iac.SourceMSK, EventSourceArn: clusterARN, Auth: iac.AuthIAM, Topic: "t", ConsumerGroupID: "*"},
		{Source: iac.SourceMSK, EventSourceArn: clusterARN, Auth: iac.AuthIAM, Topic: "t", FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:x"}]`},
		{Source: iac.SourceMSK, EventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/prod/*", Auth: iac.AuthIAM, Topic: "t"},
		{Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q", KMSKeyArns: []string{"*"}},
		{Source: iac.SourceKinesis, EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s", OnFailureDestination: "arn:aws:sqs:us-east-1:123456789012:dlq.fifo"},
		{Source: iac.SourceSelfManagedKafka, Auth: iac.AuthIAM},
		{Source: "kafka"},
	}
	for i, in := range bad {
		if _, _, err := iac.ExecutionPolicy(in); !errors.Is(err, iac.ErrInvalid) {
			t.Errorf("case %d: want ErrInvalid, got %v", i, err)
		}
	}
}

func TestClusterPolicy(t *testing.T) {
	t.Parallel()
	c, err := iac.ParseMSKClusterARN(clusterARN)
	if err != nil {
		t.Fatal(err)
	}
	p, err := iac.ClusterPolicy(c, "444455556666", iac.AuthIAM, "orders", "")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := p.JSON()
	iactest.CheckPolicy(t, js, true)
	var doc iac.PolicyDocument
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Statement[0].Principal["AWS"][0]; got != "arn:aws:iam::444455556666:root" {
		t.Errorf("principal %s", got)
	}
	if !strings.Contains(js, "group/prod/"+clusterUID+"/*") || !strings.Contains(js, "kafka:CreateVpcConnection") {
		t.Errorf("%s", js)
	}
	if _, err := iac.ClusterPolicy(c, "4444", iac.AuthIAM, "orders", ""); !errors.Is(err, iac.ErrInvalid) {
		t.Errorf("short account accepted: %v", err)
	}
}

func TestRenderRoleSGAndClusterPolicy(t *testing.T) {
	t.Parallel()
	spec := iactest.LoadSpec(t)
	p, _, err := iac.ExecutionPolicy(iac.PolicyInput{Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := iac.ParseMSKClusterARN(clusterARN)
	cp, _ := iac.ClusterPolicy(c, "444455556666", iac.AuthSCRAM512, "", "")
	rules := []iac.SGRule{{GroupID: "sg-0123456789abcdef0", PeerGroupID: "sg-0123456789abcdef0", Port: 9098, Description: "self"},
		{Egress: true, GroupID: "sg-0123456789abcdef0", CIDR: "0.0.0.0/0", Port: 443}}
	for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation, iac.FormatTerraform} {
		role, err := iac.RenderRole(iac.Role{LogicalID: "ExecutionRole", Policy: p}, f)
		if err != nil {
			t.Fatal(err)
		}
		sg, err := iac.RenderSGRules(rules, f)
		if err != nil {
			t.Fatal(err)
		}
		cpa, err := iac.RenderClusterPolicy(c, cp, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []iac.Artifact{role, sg, cpa} {
			if f == iac.FormatTerraform {
				iactest.CheckTerraform(t, a.Content)
			} else {
				spec.CheckTemplate(t, a.Content)
			}
		}
	}
	if _, err := iac.RenderSGRules([]iac.SGRule{{GroupID: "sg-0123456789abcdef0", CIDR: "0.0.0.0/0", Port: 443, Description: "x'; drop"}}, iac.FormatSAM); !errors.Is(err, iac.ErrInvalid) {
		t.Errorf("hostile description accepted: %v", err)
	}
	if _, err := iac.RenderSGRules([]iac.SGRule{{GroupID: "sg-0123456789abcdef0\n", CIDR: "0.0.0.0/0", Port: 443}}, iac.FormatSAM); !errors.Is(err, iac.ErrInvalid) {
		t.Errorf("hostile group id accepted: %v", err)
	}
}

// A caller ARN is one resource: an IAM wildcard, a missing Region or
// account, an alias instead of a key, or an object path instead of a bucket
// would put a Resource in the least-privilege policy that grants far more
// (kms:Decrypt on every key, sns:Publish on every topic, s3:PutObject on
// every bucket) or matches nothing. Each is rejected before rendering.
func TestExecutionPolicyRejectsWideningARNs(t *testing.T) {
	t.Parallel()
	const acct = "123456789012"
	kin := "arn:aws:kinesis:us-east-1:" + acct + ":stream/s"
	bad := map[string]iac.PolicyInput{
		"kms wildcard":          {Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":q", KMSKeyArns: []string{"arn:aws:kms:us-east-1:" + acct + ":*"}},
		"kms key wildcard":      {Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":q", KMSKeyArns: []string{"arn:aws:kms:us-east-1:" + acct + ":key/*"}},
		"kms alias":             {Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":q", KMSKeyArns: []string{"arn:aws:kms:us-east-1:" + acct + ":alias/orders"}},
		"kms no region":         {Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":q", KMSKeyArns: []string{"arn:aws:kms::" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		"sns wildcard":          {Source: iac.SourceKinesis, EventSourceArn: kin, OnFailureDestination: "arn:aws:sns:us-east-1:" + acct + ":*"},
		"sns single-char":       {Source: iac.SourceKinesis, EventSourceArn: kin, OnFailureDestination: "arn:aws:sns:us-east-1:" + acct + ":orders-?"},
		"s3 wildcard":           {Source: iac.SourceKinesis, EventSourceArn: kin, OnFailureDestination: "arn:aws:s3:::*"},
		"s3 object path":        {Source: iac.SourceKinesis, EventSourceArn: kin, OnFailureDestination: "arn:aws:s3:::bucket/prefix"},
		"sqs dest no account":   {Source: iac.SourceKinesis, EventSourceArn: kin, OnFailureDestination: "arn:aws:sqs:us-east-1::dlq"},
		"ddb stream wildcard":   {Source: iac.SourceDynamoDB, EventSourceArn: "arn:aws:dynamodb:us-east-1:" + acct + ":table/Orders/stream/*"},
		"sqs source no region":  {Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs::" + acct + ":q"},
		"kinesis no account":    {Source: iac.SourceKinesis, EventSourceArn: "arn:aws:kinesis:us-east-1::stream/s"},
		"kinesis name wildcard": {Source: iac.SourceKinesis, EventSourceArn: "arn:aws:kinesis:us-east-1:" + acct + ":stream/orders*"},
	}
	for name, in := range bad {
		p, _, err := iac.ExecutionPolicy(in)
		if !errors.Is(err, iac.ErrInvalid) {
			js, _ := p.JSON()
			t.Errorf("%s: want ErrInvalid, got %v\n%s", name, err, js)
		}
	}
	// the well-formed versions still pass, including GovCloud and China keys
	good := []iac.PolicyInput{
		{Source: iac.SourceSQS, EventSourceArn: "arn:aws-us-gov:sqs:us-gov-west-1:" + acct + ":q", KMSKeyArns: []string{"arn:aws-us-gov:kms:us-gov-west-1:" + acct + ":key/mrk-1234abcd12ab34cd56ef1234567890ab"}},
		{Source: iac.SourceKinesis, EventSourceArn: "arn:aws-cn:kinesis:cn-north-1:" + acct + ":stream/s", OnFailureDestination: "arn:aws-cn:s3:::orders-failed.archive"},
		{Source: iac.SourceKinesis, EventSourceArn: kin, OnFailureDestination: "arn:aws:sns:us-east-1:" + acct + ":orders_failed"},
	}
	for i, in := range good {
		p, _, err := iac.ExecutionPolicy(in)
		if err != nil {
			t.Errorf("good case %d: %v", i, err)
			continue
		}
		for _, s := range p.Statement {
			for _, r := range s.Resource {
				if strings.ContainsAny(r, "*?") && !strings.HasPrefix(s.Action[0], "ec2:") && !strings.HasSuffix(r, "/*") {
					t.Errorf("good case %d: statement %s has wildcard resource %s", i, s.Sid, r)
				}
			}
		}
	}
}
