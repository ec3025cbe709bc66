package aws_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

const (
	mskARN  = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
	esmUUID = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	roleARN = "arn:aws:iam::123456789012:role/orders-consumer-role"
)

// sim serves a scenario (after edit) and returns an inspector client on it
// with SDK retries off, so each injected fault surfaces on the first call.
func sim(t *testing.T, name string, edit func(*awssim.Scenario)) (*awsx.Client, *awssim.Server) {
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
	cfg := sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: sdkaws.String(srv.URL())}
	return awsx.NewFromConfig(cfg, awsx.Options{MaxAttempts: 1}), srv
}

func TestListESMsPaginationAndFilters(t *testing.T) {
	t.Parallel()
	c, srv := sim(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		for i := 0; i < 249; i++ {
			m := sc.EventSourceMappings[0]
			m.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
			if i%2 == 0 {
				m.FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:other"
			}
			sc.EventSourceMappings = append(sc.EventSourceMappings, m)
		}
	})
	ctx := context.Background()
	p1, err := c.ListESMs(ctx, awsx.ESMFilter{}, "", 120)
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Mappings) != 120 || !p1.Truncated || p1.Next == "" {
		t.Fatalf("page1: n=%d truncated=%v next=%q", len(p1.Mappings), p1.Truncated, p1.Next)
	}
	p2, err := c.ListESMs(ctx, awsx.ESMFilter{}, p1.Next, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Mappings) != 130 || p2.Truncated {
		t.Fatalf("page2: n=%d truncated=%v", len(p2.Mappings), p2.Truncated)
	}
	f, err := c.ListESMs(ctx, awsx.ESMFilter{FunctionName: "other"}, "", 500)
	if err != nil || len(f.Mappings) != 125 {
		t.Fatalf("by function: n=%d err=%v", len(f.Mappings), err)
	}
	s, err := c.ListESMs(ctx, awsx.ESMFilter{EventSourceARN: mskARN}, "", 500)
	if err != nil || len(s.Mappings) != 250 {
		t.Fatalf("by source: n=%d err=%v", len(s.Mappings), err)
	}
	if n := len(srv.MutatingCalls()); n != 0 {
		t.Fatalf("mutating calls: %d", n)
	}
}

func TestGetESMAndFunction(t *testing.T) {
	t.Parallel()
	c, _ := sim(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	e, err := c.GetESM(ctx, esmUUID)
	if err != nil {
		t.Fatal(err)
	}
	if e.State != "Enabled" || e.ConsumerGroupID != "orders-consumer-lambda" || sdkaws.ToInt32(e.Config.BatchSize) != 500 || e.ProvisionedMode() || e.EventSourceARN != mskARN {
		t.Fatalf("esm = %+v", e)
	}
	f, err := c.Function(ctx, e.FunctionARN)
	if err != nil {
		t.Fatal(err)
	}
	if f.TimeoutSeconds != 60 || sdkaws.ToInt32(f.ReservedConcurrency) != 50 || strings.Join(f.EnvVarNames, ",") != "DB_PASSWORD,ORDERS_TABLE" {
		t.Fatalf("function = %+v", f)
	}
	if strings.Contains(fmt.Sprintf("%+v", f), "sim-secret-value") {
		t.Fatal("environment value leaked into Function")
	}
	_, err = c.GetESM(ctx, "00000000-0000-0000-0000-000000000000")
	if errmap.Classify(err).Kind != errmap.KindNotFound {
		t.Fatalf("not found: %v", err)
	}
}

func TestMSK(t *testing.T) {
	t.Parallel()
	c, _ := sim(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	m, err := c.MSKCluster(ctx, mskARN)
	if err != nil {
		t.Fatal(err)
	}
	if m.State != "ACTIVE" || m.Type != "PROVISIONED" || !m.HasAuth("iam") || m.HasAuth("sasl_scram") || m.BrokerCount != 3 || len(m.SubnetIDs) != 3 || m.KafkaVersion != "3.6.0" {
		t.Fatalf("cluster = %+v", m)
	}
	b, err := c.MSKBootstrap(ctx, mskARN)
	if err != nil || !strings.Contains(b["sasl_iam"], ":9098") || len(b) != 1 {
		t.Fatalf("bootstrap = %v, %v", b, err)
	}
	n, err := c.MSKNodes(ctx, mskARN)
	if err != nil || len(n) != 3 || n[0].BrokerID != 1 || n[2].SubnetID != "subnet-0a11b22c33d44e553" {
		t.Fatalf("nodes = %+v, %v", n, err)
	}
	pol, err := c.MSKPolicy(ctx, mskARN)
	if err != nil || pol != "" {
		t.Fatalf("policy = %q, %v", pol, err)
	}
	tp, err := c.MSKTopic(ctx, mskARN, "orders")
	if err != nil || tp.Partitions != 12 {
		t.Fatalf("topic = %+v, %v", tp, err)
	}
	if name, uuid, ok := awsx.ClusterUUIDFromARN(mskARN); !ok || name != "orders-prod" || uuid != "5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3" {
		t.Fatalf("uuid = %s %s %v", name, uuid, ok)
	}
}

func TestVPCPath(t *testing.T) {
	t.Parallel()
	c, srv := sim(t, "msk-iam-healthy", nil)
	p := c.VPCPath(context.Background(), []string{"subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552", "subnet-0a11b22c33d44e553"}, []string{"sg-0c0ffee0c0ffee001"})
	if len(p.Unknown) != 0 {
		t.Fatalf("unknown = %+v", p.Unknown)
	}
	if p.VpcID != "vpc-0a1b2c3d4e5f60718" || len(p.Subnets) != 3 || len(p.InternetGateways) != 1 || len(p.NatGateways) != 1 || len(p.NACLs) != 1 {
		t.Fatalf("path = %+v", p)
	}
	for _, s := range p.Subnets {
		if s.DefaultRouteKind != "nat" || s.RouteTableID != "rtb-0private00000001" || s.NACLID != "acl-0default00000001" {
			t.Errorf("subnet %+v", s)
		}
	}
	sg := p.SecurityGroups[0]
	if !sg.Inbound[0].AllowsTCP(9098) || sg.Inbound[0].AllowsTCP(9096) || sg.Inbound[0].GroupIDs[0] != "sg-0c0ffee0c0ffee001" || !sg.Outbound[0].AllowsTCP(443) {
		t.Fatalf("sg = %+v", sg)
	}
	if p.HasEndpoint("sts") {
		t.Fatal("no endpoints in this scenario")
	}
	if got := len(srv.Calls()); got != 7 {
		t.Fatalf("calls = %d, want 7 (2 + 5)", got)
	}
}

func TestIAM(t *testing.T) {
	t.Parallel()
	c, _ := sim(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	rp := c.RolePolicies(ctx, roleARN)
	if len(rp.Unknown) != 0 || rp.RoleARN != roleARN || !rp.TrustsService("lambda.amazonaws.com") || len(rp.Managed) != 1 || len(rp.Inline) != 1 ||
		!strings.Contains(rp.Managed[0].Document, "kafka:GetBootstrapBrokers") || !strings.Contains(rp.Inline[0].Document, "kafka-cluster:Connect") {
		t.Fatalf("role policies = %+v", rp)
	}
	ds, err := c.Simulate(ctx, roleARN, []string{"kafka-cluster:Connect", "kafka-cluster:WriteData"}, []string{mskARN})
	if err != nil || len(ds) != 2 || !ds[0].Allowed() || ds[1].Allowed() || ds[0].MatchedPolicies[0] != "msk-data-plane" {
		t.Fatalf("decisions = %+v, %v", ds, err)
	}
	acct, arn, err := c.CallerIdentity(ctx)
	if err != nil || acct != "123456789012" || !strings.Contains(arn, "platform-oncall") {
		t.Fatalf("identity = %s %s %v", acct, arn, err)
	}
}

// Every fault kind degrades to an Unknown that names the call, the kind and
// (for AccessDenied) the permission.
func TestFaultsBecomeUnknown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, service, op, kind, wantKind, wantPerm string
		call                                        func(c *awsx.Client) error
	}{
		{"denied function", "lambda", "GetFunction", "access_denied", "access_denied", "lambda:GetFunction",
			func(c *awsx.Client) error { _, err := c.Function(context.Background(), "orders-consumer"); return err }},
		{"throttled esm", "lambda", "GetEventSourceMapping", "throttling", "throttled", "",
			func(c *awsx.Client) error { _, err := c.GetESM(context.Background(), esmUUID); return err }},
		{"5xx cluster", "kafka", "DescribeClusterV2", "server_error", "unavailable", "",
			func(c *awsx.Client) error { _, err := c.MSKCluster(context.Background(), mskARN); return err }},
		{"unavailable bootstrap", "kafka", "GetBootstrapBrokers", "unavailable", "unavailable", "",
			func(c *awsx.Client) error { _, err := c.MSKBootstrap(context.Background(), mskARN); return err }},
		{"denied simulate", "iam", "SimulatePrincipalPolicy", "access_denied", "access_denied", "iam:SimulatePrincipalPolicy",
			func(c *awsx.Client) error {
				_, err := c.Simulate(context.Background(), roleARN, []string{"kafka-cluster:Connect"}, nil)
				return err
			}},
		{"not found secret", "secretsmanager", "DescribeSecret", "not_found", "not_found", "",
			func(c *awsx.Client) error { _, err := c.SecretMeta(context.Background(), "x"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := sim(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
				sc.Faults = []awssim.Fault{{Service: tc.service, Operation: tc.op, Error: tc.kind}}
			})
			u := awsx.UnknownFrom("x", tc.call(c))
			if u == nil || u.Kind != tc.wantKind || u.MissingPermission != tc.wantPerm || !strings.Contains(u.Call, tc.op) || u.Reason == "" {
				t.Fatalf("unknown = %+v", u)
			}
		})
	}
	// A denied EC2 call inside the VPC path leaves the rest filled.
	c, _ := sim(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		sc.Faults = []awssim.Fault{{Service: "ec2", Operation: "DescribeVpcEndpoints", Error: "access_denied"}}
	})
	p := c.VPCPath(context.Background(), []string{"subnet-0a11b22c33d44e551"}, []string{"sg-0c0ffee0c0ffee001"})
	if len(p.Unknown) != 1 || p.Unknown[0].MissingPermission != "ec2:DescribeVpcEndpoints" || len(p.Subnets) != 1 || p.Subnets[0].DefaultRouteKind != "nat" {
		t.Fatalf("path = %+v", p)
	}
	// Same for a denied inline-policy read.
	c, _ = sim(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		sc.Faults = []awssim.Fault{{Service: "iam", Operation: "GetRolePolicy", Error: "access_denied"}}
	})
	rp := c.RolePolicies(context.Background(), roleARN)
	if len(rp.Unknown) != 1 || rp.Unknown[0].MissingPermission != "iam:GetRolePolicy" || len(rp.Managed) != 1 || rp.Managed[0].Document == "" {
		t.Fatalf("role policies = %+v", rp)
	}
}

func TestNoConfigIsEvidence(t *testing.T) {
	t.Parallel()
	c := awsx.NewFromConfig(sdkaws.Config{}, awsx.Options{MaxAttempts: 1})
	_, err := c.GetESM(context.Background(), esmUUID)
	if err == nil {
		t.Fatal("no region should fail")
	}
	if u := awsx.UnknownFrom("Lambda:GetEventSourceMapping", err); u == nil || u.Reason == "" {
		t.Fatalf("unknown = %+v", u)
	}
}

// A loopback endpoint works without AWS_REGION or credentials (the demo and
// `stream-mcp simulate` users); not parallel: it clears the AWS environment.
func TestNewLoopbackDefaults(t *testing.T) {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	sc, err := awssim.Load("msk-iam-healthy")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	c := awsx.New(config.Config{EndpointURL: srv.URL()}, awsx.Options{MaxAttempts: 1})
	if _, err := c.GetESM(context.Background(), esmUUID); err != nil {
		t.Fatalf("loopback without env: %v", err)
	}
	if c.Region(context.Background()) != "us-east-1" {
		t.Fatalf("region = %q", c.Region(context.Background()))
	}
	// A non-loopback endpoint gets no defaults: no region is an error.
	far := awsx.New(config.Config{EndpointURL: "https://lambda.example.com"}, awsx.Options{MaxAttempts: 1})
	if _, err := far.GetESM(context.Background(), esmUUID); err == nil || awsx.UnknownFrom("x", err).Kind != "aws_config" {
		t.Fatalf("remote endpoint without region: %v", err)
	}
}

// Each problem scenario, read by the inspector that shows its cause.
func TestScenarioEvidence(t *testing.T) {
	t.Parallel()
	group := "arn:aws:kafka:us-east-1:123456789012:group/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders-consumer-lambda"
	clusterSubnets := []string{"subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552", "subnet-0a11b22c33d44e553"}
	cases := []struct {
		scenario string
		check    func(t *testing.T, c *awsx.Client)
	}{
		{"msk-iam-missing-group-actions", func(t *testing.T, c *awsx.Client) {
			ds, err := c.Simulate(context.Background(), roleARN, []string{"kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup", "kafka-cluster:Connect"}, []string{group, mskARN})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range ds {
				got[d.Action+" "+d.Resource] = d.Decision
			}
			if got["kafka-cluster:DescribeGroup "+group] != "implicitDeny" || got["kafka-cluster:AlterGroup "+group] != "implicitDeny" || got["kafka-cluster:Connect "+mskARN] != "allowed" {
				t.Fatalf("decisions = %v", got)
			}
		}},
		{"msk-on-demand-no-nat", func(t *testing.T, c *awsx.Client) {
			p := c.VPCPath(context.Background(), clusterSubnets, []string{"sg-0c0ffee0c0ffee001"})
			if len(p.Unknown) > 0 || p.Subnets[0].DefaultRouteKind != "none" || p.HasEndpoint("sts") || p.HasEndpoint("lambda") || !p.HasEndpoint("s3") || len(p.NatGateways) != 0 {
				t.Fatalf("path = %+v", p)
			}
		}},
		{"msk-sg-missing-auth-port", func(t *testing.T, c *awsx.Client) {
			p := c.VPCPath(context.Background(), clusterSubnets, []string{"sg-0c0ffee0c0ffee001"})
			if len(p.Unknown) > 0 || len(p.SecurityGroups) != 1 || len(p.SecurityGroups[0].Inbound) != 3 {
				t.Fatalf("security groups not read: %+v, unknown %+v", p.SecurityGroups, p.Unknown)
			}
			tls := false
			for _, r := range p.SecurityGroups[0].Inbound {
				if r.AllowsTCP(9098) {
					t.Fatalf("9098 admitted by %+v", r)
				}
				tls = tls || r.AllowsTCP(9094)
			}
			if !tls {
				t.Fatalf("the TLS port 9094 should be admitted: %+v", p.SecurityGroups[0].Inbound)
			}
		}},
		{"msk-disabled-connection-error", func(t *testing.T, c *awsx.Client) {
			p := c.VPCPath(context.Background(), clusterSubnets, []string{"sg-0c0ffee0c0ffee001"})
			if p.Subnets[0].NACLID != "acl-0hardened0000001" || len(p.NACLs) != 2 {
				t.Fatalf("nacls = %+v, subnets %+v", p.NACLs, p.Subnets)
			}
			var deny *awsx.PathNACLEntry
			for _, n := range p.NACLs {
				for _, e := range n.Entries {
					if n.ID == "acl-0hardened0000001" && e.Action == "deny" && e.FromPort <= 9098 && 9098 <= e.ToPort {
						deny = &e
					}
				}
			}
			if deny == nil || deny.RuleNumber != 90 {
				t.Fatalf("no deny rule for 9098: %+v", p.NACLs)
			}
		}},
		{"msk-scram-secret-problems", func(t *testing.T, c *awsx.Client) {
			e, err := c.GetESM(context.Background(), esmUUID)
			if err != nil || len(e.SourceAccess) != 1 {
				t.Fatalf("esm = %+v, %v", e, err)
			}
			s, err := c.SecretMeta(context.Background(), e.SourceAccess[0].URI)
			if err != nil || s.DeletedDate.IsZero() || !strings.Contains(s.KMSKeyID, ":key/") || strings.HasPrefix(s.Name, "AmazonMSK_") {
				t.Fatalf("secret = %+v, %v", s, err)
			}
			b, err := c.MSKBootstrap(context.Background(), mskARN)
			if err != nil || !strings.Contains(b["sasl_scram"], ":9096") {
				t.Fatalf("bootstrap = %v, %v", b, err)
			}
			ds, err := c.Simulate(context.Background(), roleARN, []string{"kms:Decrypt", "secretsmanager:GetSecretValue"}, []string{s.KMSKeyID, s.ARN})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Action == "kms:Decrypt" && d.Allowed() {
					t.Fatalf("kms:Decrypt should be denied: %+v", ds)
				}
			}
		}},
		{"msk-cluster-not-active", func(t *testing.T, c *awsx.Client) {
			m, err := c.MSKCluster(context.Background(), mskARN)
			if err != nil || m.State != "UPDATING" || m.BrokerType != "kafka.m7g.xlarge" {
				t.Fatalf("cluster = %+v, %v", m, err)
			}
		}},
		{"msk-serverless-provisioned-pollers", func(t *testing.T, c *awsx.Client) {
			arn := "arn:aws:kafka:us-east-1:123456789012:cluster/telemetry-sls/0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d-s1"
			m, err := c.MSKCluster(context.Background(), arn)
			if err != nil || m.Type != "SERVERLESS" || len(m.SubnetIDs) != 3 || !m.HasAuth("iam") || m.BrokerCount != 0 {
				t.Fatalf("cluster = %+v, %v", m, err)
			}
			if _, err := c.MSKNodes(context.Background(), arn); err == nil {
				t.Fatal("ListNodes on serverless should fail as MSK does")
			}
			p := c.VPCPath(context.Background(), m.SubnetIDs, m.SecurityGroupIDs)
			if !p.HasEndpoint("sts") || !p.HasEndpoint("lambda") {
				t.Fatalf("endpoints = %+v", p.Endpoints)
			}
		}},
		{"sqs-visibility-timeout", func(t *testing.T, c *awsx.Client) {
			q, err := c.SQSQueue(context.Background(), "arn:aws:sqs:us-east-1:123456789012:invoice-jobs")
			if err != nil || q.VisibilityTimeoutSeconds != 30 || q.MaxReceiveCount != 3 || !strings.HasSuffix(q.RedriveTarget, "invoice-jobs-dlq") || q.ApproximateMessages != 1843 {
				t.Fatalf("queue = %+v, %v", q, err)
			}
			f, err := c.Function(context.Background(), "invoice-renderer")
			if err != nil || f.TimeoutSeconds != 120 {
				t.Fatalf("function = %+v, %v", f, err)
			}
		}},
		{"self-managed-kafka", func(t *testing.T, c *awsx.Client) {
			e, err := c.GetESM(context.Background(), "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
			if err != nil || len(e.BootstrapServers) != 3 || e.ConsumerGroupID != "payments-ledger" || len(e.SourceAccess) != 4 {
				t.Fatalf("esm = %+v, %v", e, err)
			}
			p := c.VPCPath(context.Background(), []string{"subnet-0b21c32d43e54f601", "subnet-0b21c32d43e54f602"}, []string{"sg-0kafkaclients0001"})
			if p.Subnets[0].DefaultRouteKind != "nat" || !p.SecurityGroups[0].Inbound[0].AllowsTCP(9096) {
				t.Fatalf("path = %+v", p)
			}
		}},
		{"kinesis-high-iterator-age", func(t *testing.T, c *awsx.Client) {
			ev, err := c.LogEvents(context.Background(), "/aws/lambda/clickstream-enricher", `"Invoke Error"`, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), 10)
			if err != nil || len(ev) != 2 || !strings.Contains(ev[0].Message, "SyntaxError") {
				t.Fatalf("logs = %+v, %v", ev, err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			c, srv := sim(t, tc.scenario, nil)
			tc.check(t, c)
			if m := srv.MutatingCalls(); len(m) != 0 {
				t.Fatalf("mutating calls: %+v", m)
			}
		})
	}
}

func TestARNHelpers(t *testing.T) {
	t.Parallel()
	if got := awsx.MSKTopicARN(mskARN, "orders"); got != "arn:aws:kafka:us-east-1:123456789012:topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders" {
		t.Errorf("topic ARN = %s", got)
	}
	if got := awsx.MSKGroupARN(mskARN, "g"); got != "arn:aws:kafka:us-east-1:123456789012:group/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/g" {
		t.Errorf("group ARN = %s", got)
	}
	if awsx.MSKTopicARN("arn:aws:kinesis:us-east-1:1:stream/x", "t") != "" {
		t.Error("non-MSK ARN should give empty")
	}
	if awsx.RoleNameFromARN("arn:aws:iam::1:role/service-role/x-role") != "x-role" {
		t.Error("role name with path")
	}
	e := awsx.ESM{SourceAccess: []awsx.SourceAccess{{Type: "VPC_SUBNET", URI: "subnet:subnet-1"}, {Type: "VPC_SECURITY_GROUP", URI: "security_group:sg-1"}, {Type: "SASL_SCRAM_512_AUTH", URI: "arn:x"}}}
	if s, g := e.VPCAccess(); len(s) != 1 || s[0] != "subnet-1" || len(g) != 1 || g[0] != "sg-1" {
		t.Errorf("VPCAccess = %v %v", s, g)
	}
}

// Every call runs under its own timeout: a slow service becomes an Unknown
// of kind timeout, and the rest of the path is still read.
func TestPerCallTimeout(t *testing.T) {
	t.Parallel()
	sc, err := awssim.Load("msk-iam-healthy")
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults = []awssim.Fault{{Service: "ec2", Operation: "DescribeNatGateways", Latency: awssim.Duration{Duration: 3 * time.Second}}}
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: sdkaws.String(srv.URL())}
	c := awsx.NewFromConfig(cfg, awsx.Options{MaxAttempts: 1, CallTimeout: 200 * time.Millisecond})
	t0 := time.Now()
	p := c.VPCPath(context.Background(), []string{"subnet-0a11b22c33d44e551"}, nil)
	if took := time.Since(t0); took > 2*time.Second {
		t.Fatalf("took %v; the per-call timeout did not apply", took)
	}
	if len(p.Unknown) != 1 || p.Unknown[0].Kind != "timeout" || p.Unknown[0].Call != "EC2:DescribeNatGateways" || len(p.RouteTables) == 0 {
		t.Fatalf("path = %+v", p)
	}
}

// Parallel never runs more than Options.Parallel functions at once.
func TestParallelBound(t *testing.T) {
	t.Parallel()
	c := awsx.NewFromConfig(sdkaws.Config{}, awsx.Options{Parallel: 3})
	var mu sync.Mutex
	cur, peak, ran := 0, 0, 0
	fns := make([]func(context.Context), 20)
	for i := range fns {
		fns[i] = func(context.Context) {
			mu.Lock()
			cur++
			ran++
			peak = max(peak, cur)
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			cur--
			mu.Unlock()
		}
	}
	c.Parallel(context.Background(), fns...)
	if ran != 20 || peak > 3 || peak < 2 {
		t.Fatalf("ran %d, peak %d", ran, peak)
	}
}
