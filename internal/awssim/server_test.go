package awssim_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// start serves a scenario (after optional edits) and returns an SDK config
// pointed at it with retries off, so faults surface on the first attempt.
func start(t *testing.T, name string, edit func(*awssim.Scenario)) (*awssim.Server, aws.Config) {
	t.Helper()
	sc, err := awssim.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(sc)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(srv.URL()),
		RetryMaxAttempts: 1,
	}
	return srv, cfg
}

const (
	mskARN  = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
	esmUUID = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
)

func TestLambdaThroughSDK(t *testing.T) {
	t.Parallel()
	srv, cfg := start(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	c := lambda.NewFromConfig(cfg)
	out, err := c.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("orders-consumer")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.EventSourceMappings) != 1 || aws.ToString(out.EventSourceMappings[0].UUID) != esmUUID {
		t.Fatalf("mappings = %+v", out.EventSourceMappings)
	}
	m, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(esmUUID)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(m.State) != "Enabled" || aws.ToInt32(m.BatchSize) != 500 || m.Topics[0] != "orders" ||
		aws.ToString(m.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId) != "orders-consumer-lambda" || m.LastModified == nil || m.LastModified.Year() != 2026 {
		t.Fatalf("mapping = %+v", m)
	}
	f, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:orders-consumer")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(f.Configuration.Timeout) != 60 || aws.ToInt32(f.Concurrency.ReservedConcurrentExecutions) != 50 {
		t.Fatalf("function = %+v", f.Configuration)
	}
	_, err = c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String("nope")})
	var nf interface{ ErrorCode() string }
	if !errors.As(err, &nf) || nf.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.MutatingCalls()); n != 0 {
		t.Fatalf("mutating calls = %d", n)
	}
}

func TestLambdaPagination(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		base := sc.EventSourceMappings[0]
		for i := 0; i < 250; i++ {
			m := base
			m.UUID = "00000000-0000-4000-8000-" + strings.Repeat("0", 9) + string(rune('a'+i/26%26)) + string(rune('a'+i%26)) + "0"
			sc.EventSourceMappings = append(sc.EventSourceMappings, m)
		}
	})
	p := lambda.NewListEventSourceMappingsPaginator(lambda.NewFromConfig(cfg), &lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(100)})
	pages, total := 0, 0
	for p.HasMorePages() && pages < 10 {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		total += len(out.EventSourceMappings)
	}
	if pages != 3 || total != 251 {
		t.Fatalf("pages=%d total=%d", pages, total)
	}
	// Lambda answers at most 100 mappings whatever MaxItems asks for.
	out, err := lambda.NewFromConfig(cfg).ListEventSourceMappings(context.Background(), &lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(500)})
	if err != nil || len(out.EventSourceMappings) != 100 || aws.ToString(out.NextMarker) == "" {
		t.Fatalf("MaxItems 500: %d mappings, marker %q, %v", len(out.EventSourceMappings), aws.ToString(out.NextMarker), err)
	}
}

func TestKafkaThroughSDK(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	c := kafka.NewFromConfig(cfg)
	d, err := c.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(mskARN)})
	if err != nil {
		t.Fatal(err)
	}
	ci := d.ClusterInfo
	if string(ci.State) != "ACTIVE" || ci.Provisioned == nil || aws.ToInt32(ci.Provisioned.NumberOfBrokerNodes) != 3 ||
		len(ci.Provisioned.BrokerNodeGroupInfo.ClientSubnets) != 3 || !aws.ToBool(ci.Provisioned.ClientAuthentication.Sasl.Iam.Enabled) ||
		aws.ToString(ci.Provisioned.CurrentBrokerSoftwareInfo.KafkaVersion) != "3.6.0" || ci.CreationTime == nil {
		t.Fatalf("cluster = %+v", ci)
	}
	b, err := c.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(mskARN)})
	if err != nil || !strings.Contains(aws.ToString(b.BootstrapBrokerStringSaslIam), ":9098") {
		t.Fatalf("brokers = %+v, %v", b, err)
	}
	p := kafka.NewListNodesPaginator(c, &kafka.ListNodesInput{ClusterArn: aws.String(mskARN), MaxResults: aws.Int32(2)})
	nodes := 0
	for i := 0; p.HasMorePages() && i < 5; i++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nodes += len(out.NodeInfoList)
	}
	if nodes != 3 {
		t.Fatalf("nodes = %d", nodes)
	}
	tp, err := c.DescribeTopic(ctx, &kafka.DescribeTopicInput{ClusterArn: aws.String(mskARN), TopicName: aws.String("orders")})
	if err != nil || aws.ToInt32(tp.PartitionCount) != 12 {
		t.Fatalf("topic = %+v, %v", tp, err)
	}
	_, err = c.GetClusterPolicy(ctx, &kafka.GetClusterPolicyInput{ClusterArn: aws.String(mskARN)})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "NotFoundException" {
		t.Fatalf("policy err = %v", err)
	}
	l, err := c.ListClustersV2(ctx, &kafka.ListClustersV2Input{})
	if err != nil || len(l.ClusterInfoList) != 1 {
		t.Fatalf("list = %+v, %v", l, err)
	}
}

func TestEC2ThroughSDK(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg)
	s, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552"}})
	if err != nil || len(s.Subnets) != 2 || aws.ToString(s.Subnets[0].AvailabilityZone) != "us-east-1a" {
		t.Fatalf("subnets = %+v, %v", s, err)
	}
	rt, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{"subnet-0a11b22c33d44e551"}}}})
	if err != nil || len(rt.RouteTables) != 1 || len(rt.RouteTables[0].Routes) != 2 || aws.ToString(rt.RouteTables[0].Routes[1].NatGatewayId) != "nat-0123456789abcdef0" {
		t.Fatalf("route tables = %+v, %v", rt, err)
	}
	sg, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0c0ffee0c0ffee001"}})
	if err != nil || len(sg.SecurityGroups) != 1 {
		t.Fatalf("sg = %+v, %v", sg, err)
	}
	perm := sg.SecurityGroups[0].IpPermissions[0]
	if aws.ToInt32(perm.FromPort) != 9098 || aws.ToString(perm.UserIdGroupPairs[0].GroupId) != "sg-0c0ffee0c0ffee001" || aws.ToString(sg.SecurityGroups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp) != "0.0.0.0/0" {
		t.Fatalf("perm = %+v", perm)
	}
	acl, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-0a1b2c3d4e5f60718"}}}})
	if err != nil || len(acl.NetworkAcls) != 1 || len(acl.NetworkAcls[0].Entries) != 4 || acl.NetworkAcls[0].Entries[0].RuleAction != "allow" {
		t.Fatalf("acl = %+v, %v", acl, err)
	}
	igw, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{"vpc-0a1b2c3d4e5f60718"}}}})
	if err != nil || len(igw.InternetGateways) != 1 {
		t.Fatalf("igw = %+v, %v", igw, err)
	}
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-nope"}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidVpcID.NotFound" {
		t.Fatalf("err = %v", err)
	}
	p := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(5)})
	n := 0
	for i := 0; p.HasMorePages() && i < 5; i++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Subnets)
	}
	if n != 4 {
		t.Fatalf("paged subnets = %d", n)
	}
}

func TestIAMThroughSDK(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	r, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orders-consumer-role")})
	if err != nil || aws.ToString(r.Role.Arn) != "arn:aws:iam::123456789012:role/orders-consumer-role" {
		t.Fatalf("role = %+v, %v", r, err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument)); !strings.Contains(doc, "lambda.amazonaws.com") {
		t.Fatalf("trust = %q", doc)
	}
	ap, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("orders-consumer-role")})
	if err != nil || len(ap.AttachedPolicies) != 1 {
		t.Fatalf("attached = %+v, %v", ap, err)
	}
	pv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: ap.AttachedPolicies[0].PolicyArn, VersionId: aws.String("v1")})
	if doc, _ := url.QueryUnescape(aws.ToString(pv.PolicyVersion.Document)); err != nil || !strings.Contains(doc, "kafka:DescribeClusterV2") {
		t.Fatalf("version = %q, %v", doc, err)
	}
	topic := "arn:aws:kafka:us-east-1:123456789012:topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders"
	sim, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::123456789012:role/orders-consumer-role"),
		ActionNames:     []string{"kafka-cluster:ReadData", "kafka-cluster:WriteData", "kafka:DescribeClusterV2"},
		ResourceArns:    []string{topic},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range sim.EvaluationResults {
		got[aws.ToString(e.EvalActionName)] = string(e.EvalDecision)
	}
	want := map[string]string{"kafka-cluster:ReadData": "allowed", "kafka-cluster:WriteData": "implicitDeny", "kafka:DescribeClusterV2": "allowed"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "123456789012" {
		t.Fatalf("identity = %+v, %v", id, err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	srv, cfg := start(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		sc.Faults = []awssim.Fault{
			{Service: "lambda", Operation: "GetFunction", Error: "access_denied"},
			{Service: "kafka", Operation: "*", Error: "throttling", Count: 1},
			{Service: "ec2", Operation: "DescribeVpcs", Error: "server_error"},
			{Service: "iam", Operation: "GetRole", Error: "access_denied"},
			{Service: "sts", Latency: awssim.Duration{Duration: 50 * time.Millisecond}},
		}
	})
	ctx := context.Background()
	var ae smithy.APIError
	_, err := lambda.NewFromConfig(cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("orders-consumer")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "lambda:GetFunction") {
		t.Fatalf("lambda err = %v", err)
	}
	_, err = kafka.NewFromConfig(cfg).DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(mskARN)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "TooManyRequestsException" {
		t.Fatalf("kafka err = %v", err)
	}
	if _, err = kafka.NewFromConfig(cfg).DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(mskARN)}); err != nil {
		t.Fatalf("second kafka call should pass: %v", err)
	}
	_, err = ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalError" {
		t.Fatalf("ec2 err = %v", err)
	}
	_, err = iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orders-consumer-role")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.Contains(ae.ErrorMessage(), "iam:GetRole") {
		t.Fatalf("iam err = %v", err)
	}
	t0 := time.Now()
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil || time.Since(t0) < 50*time.Millisecond {
		t.Fatalf("sts latency: %v after %v", err, time.Since(t0))
	}
	faults := 0
	for _, c := range srv.Calls() {
		if c.Fault {
			faults++
		}
	}
	if faults != 5 {
		t.Fatalf("fault calls = %d, calls = %+v", faults, srv.Calls())
	}
}

func TestRetryOnThrottleSucceeds(t *testing.T) {
	t.Parallel()
	srv, cfg := start(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		sc.Faults = []awssim.Fault{{Service: "lambda", Operation: "GetEventSourceMapping", Error: "throttling", Count: 1}}
	})
	cfg.RetryMaxAttempts = 3
	if _, err := lambda.NewFromConfig(cfg).GetEventSourceMapping(context.Background(), &lambda.GetEventSourceMappingInput{UUID: aws.String(esmUUID)}); err != nil {
		t.Fatalf("retry should have succeeded: %v", err)
	}
	if n := len(srv.Calls()); n != 2 {
		t.Fatalf("calls = %d, want 2 (one throttled, one retried)", n)
	}
}

func TestMutatingRecorded(t *testing.T) {
	t.Parallel()
	srv, cfg := start(t, "msk-iam-healthy", nil)
	out, err := lambda.NewFromConfig(cfg).UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: aws.String(esmUUID), BatchSize: aws.Int32(1000)})
	if err != nil || aws.ToInt32(out.BatchSize) != 1000 || aws.ToString(out.State) != "Updating" {
		t.Fatalf("update = %+v, %v", out, err)
	}
	m := srv.MutatingCalls()
	if len(m) != 1 || m[0].Operation != "UpdateEventSourceMapping" {
		t.Fatalf("mutating = %+v", m)
	}
}

func TestOtherJSONServices(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		sc.SQS = []awssim.Queue{{QueueName: "jobs", Attributes: map[string]string{"VisibilityTimeout": "30"}}}
		sc.Secrets = []awssim.Secret{{Name: "AmazonMSK_orders", KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}
	})
	ctx := context.Background()
	q := sqs.NewFromConfig(cfg)
	u, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: nil})
	if err != nil || a.Attributes["VisibilityTimeout"] != "30" || !strings.HasSuffix(a.Attributes["QueueArn"], ":jobs") {
		t.Fatalf("attrs = %+v, %v", a, err)
	}
	_, err = q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var ae smithy.APIError
	// SQS over JSON: the SDK reports the legacy query code it finds in
	// x-amzn-query-error.
	if !errors.As(err, &ae) || ae.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("sqs err = %v", err)
	}
	d, err := secretsmanager.NewFromConfig(cfg).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("AmazonMSK_orders")})
	if err != nil || !strings.HasPrefix(aws.ToString(d.ARN), "arn:aws:secretsmanager:") {
		t.Fatalf("secret = %+v, %v", d, err)
	}
	l, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/orders-consumer"), FilterPattern: aws.String(`"START"`)})
	if err != nil || len(l.Events) != 1 {
		t.Fatalf("logs = %+v, %v", l, err)
	}
}

func TestLoadAndNames(t *testing.T) {
	t.Parallel()
	names := awssim.Names()
	if len(names) == 0 {
		t.Fatal("no embedded scenarios")
	}
	for _, n := range names {
		if _, err := awssim.Load(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := awssim.Load("no-such-scenario"); err == nil || !strings.Contains(err.Error(), "msk-iam-healthy") {
		t.Fatalf("err = %v", err)
	}
	if _, err := awssim.Parse("bad", []byte("functions: [{FunctionNam: x}]")); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := awssim.Listen(context.Background(), &awssim.Scenario{}, "0.0.0.0:0"); err == nil {
		t.Fatal("non-loopback listen accepted")
	}
}

func TestIAMPagination(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "msk-iam-healthy", nil)
	p := iam.NewSimulatePrincipalPolicyPaginator(iam.NewFromConfig(cfg), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::123456789012:role/orders-consumer-role"),
		ActionNames:     []string{"kafka-cluster:Connect", "kafka-cluster:ReadData", "kafka:GetBootstrapBrokers"},
		ResourceArns:    []string{mskARN, "*"},
		MaxItems:        aws.Int32(2),
	})
	pages, n := 0, 0
	for p.HasMorePages() && pages < 10 {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n += len(out.EvaluationResults)
	}
	if pages != 3 || n != 6 {
		t.Fatalf("pages=%d results=%d", pages, n)
	}
}

// The server stops when its context ends, and Close before that is safe
// (it unregisters the context hook).
func TestServerLifetime(t *testing.T) {
	t.Parallel()
	sc, err := awssim.Load("msk-iam-healthy")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("t", "t", ""), BaseEndpoint: aws.String(srv.URL()), RetryMaxAttempts: 1}
	c := sts.NewFromConfig(cfg)
	if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("before cancel: %v", err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server still answers after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("Close after cancel: %v", err)
	}

	srv2, err := awssim.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv2.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
