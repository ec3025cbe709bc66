package judge

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/stream-mcp/stream-mcp/guidance"
	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

var (
	_ evidence.Reader = (*awsx.Client)(nil)
	_ Simulator       = (*awsx.Client)(nil)
	_ Bootstrapper    = (*awsx.Client)(nil)
)

// diagnoseESM collects a mapping's evidence and judges it as
// kafka_troubleshoot does (with the broker probe).
func diagnoseESM(ctx context.Context, r *awsx.Client, f *kafka.Factory, b *guidance.Base, uuid string, sampling kafka.Sampling) (diagnose.Report, Facts, error) {
	x, err := evidence.Collect(ctx, r, uuid, evidence.Options{TrendZ: b.Num("metrics.trend.z_critical")})
	if err != nil {
		return diagnose.Report{}, Facts{}, err
	}
	voc, err := esmstate.VocabularyFrom(b)
	if err != nil {
		return diagnose.Report{}, Facts{}, err
	}
	rep, facts := Diagnose(ctx, x, Deps{Guidance: b, Vocabulary: voc, Sim: r, Kafka: f, Bootstrap: r, Sampling: sampling})
	return rep, facts, nil
}

const esmUUID = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

func simClient(t *testing.T, scenario string, edit func(*awssim.Scenario)) *awsx.Client {
	t.Helper()
	sc, err := awssim.Load(scenario)
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
	return awsx.NewFromConfig(cfg, awsx.Options{MaxAttempts: 1})
}

// TestESMDiagnosisScenarios runs one simulator scenario per diagnosis
// category and asserts the category, the failing check and the remedy.
func TestESMDiagnosisScenarios(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		uuid      string
		scenario  string
		category  diagnose.Category
		check     string
		status    diagnose.Status
		findingID string
		remedy    string
	}{
		{scenario: "msk-iam-healthy", category: diagnose.None, check: "security_group_port", status: diagnose.StatusPass},
		{scenario: "msk-sg-missing-auth-port", category: diagnose.Network, check: "security_group_port", status: diagnose.StatusFail, findingID: "network.sg_port_closed", remedy: "--port 9098 --source-group sg-0c0ffee0c0ffee001"},
		{scenario: "msk-disabled-connection-error", category: diagnose.Network, check: "network_acls", status: diagnose.StatusFail, findingID: "network.nacl_denies_port", remedy: "From=9098,To=9098"},
		{scenario: "msk-on-demand-no-nat", category: diagnose.LambdaUnreachable, check: "reach_lambda", status: diagnose.StatusFail, findingID: "network.no_path_to_lambda", remedy: "com.amazonaws.us-east-1.lambda"},
		{scenario: "msk-iam-missing-group-actions", category: diagnose.Authorization, check: "role_kafka_actions", status: diagnose.StatusFail, findingID: "authorization.role_group_actions", remedy: "group/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders-consumer-lambda"},
		{scenario: "msk-scram-secret-problems", category: diagnose.Authentication, check: "secret_access", status: diagnose.StatusFail, findingID: "authentication.secret_deleted", remedy: "restore-secret"},
		// The scenario's role has AWSLambdaVPCAccessExecutionRole only, which
		// lacks ec2:DescribeVpcs and ec2:DescribeSecurityGroups that
		// with-kafka-permissions.html requires: a warning while it works.
		{scenario: "self-managed-kafka", uuid: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", category: diagnose.Authorization, check: "role_eni_actions", status: diagnose.StatusWarn, findingID: "authorization.role_eni_actions", remedy: "ec2:DescribeVpcs"},
		{scenario: "msk-serverless-provisioned-pollers", uuid: "3f4e5d6c-7b8a-4991-8a7b-6c5d4e3f2a1b", category: diagnose.None, check: "reach_lambda", status: diagnose.StatusPass},
		{scenario: "msk-cluster-not-active", category: diagnose.BrokerHealth, check: "cluster_state", status: diagnose.StatusWarn, findingID: "broker_health.cluster_updating", remedy: "list-cluster-operations-v2"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			r := simClient(t, tc.scenario, nil)
			f := kafka.NewFactory(nil, nil, kafka.Env{LookupHost: noDNS}, nil)
			defer f.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			uuid := esmUUID
			if tc.uuid != "" {
				uuid = tc.uuid
			}
			rep, ev, err := diagnoseESM(ctx, r, f, b, uuid, kafka.Sampling{Samples: 1})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Category != tc.category {
				t.Errorf("category = %s, want %s", rep.Category, tc.category)
			}
			found := false
			for _, c := range rep.Checks {
				if c.Name == tc.check {
					found = true
					if c.Status != tc.status {
						t.Errorf("check %s = %s (%s), want %s", c.Name, c.Status, c.Detail, tc.status)
					}
				}
			}
			if !found {
				t.Errorf("no check %s", tc.check)
			}
			if tc.findingID != "" {
				var f *diagnose.Finding
				for i := range rep.Findings {
					if rep.Findings[i].ID == tc.findingID {
						f = &rep.Findings[i]
					}
				}
				if f == nil {
					t.Fatalf("no finding %s in %+v", tc.findingID, ids(rep.Findings))
				}
				if !strings.Contains(strings.Join(f.Remediation, "\n"), tc.remedy) {
					t.Errorf("remediation %q lacks %q", f.Remediation, tc.remedy)
				}
			}
			if tc.category == diagnose.None || tc.scenario == "self-managed-kafka" {
				for _, c := range rep.Checks {
					if c.Status == diagnose.StatusFail {
						t.Errorf("healthy scenario: %s failed: %s", c.Name, c.Detail)
					}
				}
			}
			if tc.uuid == "" && ev.Group != "orders-consumer-lambda" || ev.Auth == "" {
				t.Errorf("evidence = %+v", ev)
			}
			if t.Failed() || testing.Verbose() {
				for _, c := range rep.Checks {
					t.Logf("%s %s: %s", c.Status, c.Name, c.Detail)
				}
			}
		})
	}
}

func ids(fs []diagnose.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func TestESMNotFound(t *testing.T) {
	t.Parallel()
	b, _ := guidance.Load()
	r := simClient(t, "msk-iam-healthy", nil)
	_, _, err := diagnoseESM(context.Background(), r, kafka.NewFactory(nil, nil, kafka.Env{}, nil), b, "00000000-0000-4000-8000-000000000000", kafka.Sampling{})
	if !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

// noDNS answers every lookup with NXDOMAIN: the scenario's broker names
// must not leave the machine.
func noDNS(_ context.Context, host string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// A mapping broken in two ways (the security group misses the IAM port and
// the role misses the group actions) gets both findings, the network one
// first: it is the first thing the pollers hit.
func TestESMBrokenTwoWays(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	roleless, err := awssim.Load("msk-iam-missing-group-actions")
	if err != nil {
		t.Fatal(err)
	}
	r := simClient(t, "msk-sg-missing-auth-port", func(sc *awssim.Scenario) { sc.IAM = roleless.IAM })
	f := kafka.NewFactory(nil, nil, kafka.Env{LookupHost: noDNS}, nil)
	defer f.Close()
	rep, _, err := diagnoseESM(context.Background(), r, f, b, esmUUID, kafka.Sampling{Samples: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Category != diagnose.Network {
		t.Errorf("category = %s, want network", rep.Category)
	}
	got := ids(rep.Findings)
	for _, want := range []string{"network.sg_port_closed", "authorization.role_group_actions"} {
		if !contains(got, want) {
			t.Errorf("findings %v lack %s", got, want)
		}
	}
}

// A self-managed mapping without a secret whose brokers answer from here
// (an in-process kfake cluster with a stalled group): the Kafka side runs,
// and the group named by ConsumerGroupId is judged from live offsets.
func TestESMSelfManagedLiveGroup(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	demo, err := kafkatest.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	r := simClient(t, "self-managed-kafka", func(sc *awssim.Scenario) {
		m := &sc.EventSourceMappings[0]
		m.SelfManagedEventSource = map[string]any{"Endpoints": map[string]any{"KAFKA_BOOTSTRAP_SERVERS": demo.Cluster.ListenAddrs()}}
		m.SelfManagedKafkaEventSourceConfig = map[string]any{"ConsumerGroupId": demo.Group}
		m.Topics = []string{demo.Topic}
		var keep []awssim.SourceAccessConfiguration
		for _, a := range m.SourceAccessConfigurations {
			if a.Type != "SASL_SCRAM_512_AUTH" {
				keep = append(keep, a)
			}
		}
		m.SourceAccessConfigurations = keep
	})
	f := kafka.NewFactory(nil, nil, kafka.Env{LookupHost: noDNS}, nil)
	defer f.Close()
	rep, ev, err := diagnoseESM(ctx, r, f, b, "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", kafka.Sampling{Samples: 2, Interval: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var lagCheck *diagnose.Check
	for i := range rep.Checks {
		if rep.Checks[i].Name == "kafka_consumer_group_lag" {
			lagCheck = &rep.Checks[i]
		}
	}
	if lagCheck == nil || lagCheck.Status != diagnose.StatusFail || !strings.Contains(lagCheck.Detail, "STALLED") {
		t.Fatalf("group check = %+v", lagCheck)
	}
	if ev.KafkaProbe == nil || ev.KafkaProbe.Group == nil || ev.KafkaProbe.Group.Group != demo.Group {
		t.Fatalf("kafka evidence = %+v", ev.KafkaProbe)
	}
	if !contains(ids(rep.Findings), "consumer_lag.stalled") {
		t.Errorf("findings %v lack consumer_lag.stalled", ids(rep.Findings))
	}
}
