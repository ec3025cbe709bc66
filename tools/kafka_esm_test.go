package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/kafkadiag"
)

func simDeps(t *testing.T, scenario string) ReadDeps {
	t.Helper()
	sc, err := awssim.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	d := kafkaDeps(t, nil)
	d.AWS = awsx.NewFromConfig(sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: sdkaws.String(srv.URL())}, awsx.Options{MaxAttempts: 1})
	d.Kafka.SetResolver(kafkadiag.Resolver{R: d.AWS})
	return d
}

func TestKafkaTroubleshootESM(t *testing.T) {
	t.Parallel()
	const uuid = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	const arn = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
	tests := []struct {
		name     string
		scenario string
		args     map[string]any
		wantErr  string
		category string
		stepHas  string
	}{
		{name: "security group misses the IAM port", scenario: "msk-sg-missing-auth-port", args: map[string]any{"mode": "diagnosis", "esm_uuid": uuid, "sample_seconds": 0},
			category: "network", stepHas: "TCP 9098"},
		{name: "role misses the group actions", scenario: "msk-iam-missing-group-actions", args: map[string]any{"mode": "diagnosis", "esm_uuid": uuid, "sample_seconds": 0},
			category: "authorization", stepHas: "group/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders-consumer-lambda"},
		{name: "healthy mapping", scenario: "msk-iam-healthy", args: map[string]any{"mode": "diagnosis", "esm_uuid": uuid, "sample_seconds": 0}, category: "none"},
		{name: "a Kinesis mapping", scenario: "kinesis-high-iterator-age", args: map[string]any{"mode": "diagnosis", "esm_uuid": "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"}, wantErr: "not Kafka"},
		{name: "unknown mapping", scenario: "msk-iam-healthy", args: map[string]any{"mode": "diagnosis", "esm_uuid": "00000000-0000-4000-8000-000000000000"}, wantErr: "not found"},
		// The broker names come from GetBootstrapBrokers and do not resolve
		// from here: unknown from this network position, not a network fault.
		{name: "cluster arn resolves through GetBootstrapBrokers", scenario: "msk-iam-healthy", args: map[string]any{"mode": "diagnosis", "cluster_arn": arn, "auth": "iam"},
			category: "none", stepHas: "[]"},
		{name: "resolution filled from the live mapping", scenario: "msk-on-demand-no-nat", args: map[string]any{"mode": "resolution", "esm_uuid": uuid, "issue_category": "sts_unreachable"},
			category: "sts_unreachable", stepHas: "subnet-0a11b22c33d44e551"},
		{name: "cluster arn with a disabled auth", scenario: "msk-iam-healthy", args: map[string]any{"mode": "diagnosis", "cluster_arn": arn, "auth": "sasl_scram_512"},
			category: "configuration", stepHas: "GetBootstrapBrokers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tool := KafkaTroubleshoot(simDeps(t, tc.scenario))
			res, m := call(t, tool, tc.args)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(text(res), tc.wantErr) {
					t.Fatalf("want tool error %q, got %q", tc.wantErr, text(res))
				}
				return
			}
			if res.IsError {
				t.Fatal(text(res))
			}
			if m["category"] != tc.category {
				t.Fatalf("category = %v, want %s\n%s", m["category"], tc.category, text(res))
			}
			steps, _ := json.Marshal(m["resolution_steps"])
			if !strings.Contains(string(steps), tc.stepHas) {
				t.Errorf("steps lack %q: %s", tc.stepHas, steps)
			}
			raw, _ := json.Marshal(m)
			if strings.Contains(string(raw), "sim-secret-value") {
				t.Fatal("a function environment value leaked")
			}
		})
	}
}

// kafka_inspect on an MSK cluster_arn: bootstrap through GetBootstrapBrokers
// (pointed at an in-process kfake cluster) and the consumer-lag trend from
// CloudWatch, rising in the scenario's metrics.
func TestKafkaInspectMSKLagMetrics(t *testing.T) {
	t.Parallel()
	demo := startDemo(t)
	const arn = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
	sc, err := awssim.Load("msk-iam-healthy")
	if err != nil {
		t.Fatal(err)
	}
	sc.MSK.Clusters[0].BootstrapBrokers = map[string]string{"bootstrapBrokerString": demo.Bootstrap()}
	from, to := 100.0, 600.0
	sc.Metrics.Series = append(sc.Metrics.Series, awssim.MetricSeries{Namespace: "AWS/Kafka", MetricName: "MaxOffsetLag",
		Dimensions: map[string]string{"Cluster Name": "orders-prod", "Consumer Group": demo.Group, "Topic": demo.Topic}, From: &from, To: &to})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	d := kafkaDeps(t, nil)
	d.AWS = awsx.NewFromConfig(sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: sdkaws.String(srv.URL())}, awsx.Options{MaxAttempts: 1})
	d.Kafka.SetResolver(kafkadiag.Resolver{R: d.AWS})
	res, m := call(t, KafkaInspect(d), map[string]any{"cluster_arn": arn, "auth": "none", "what": "group", "group_id": demo.Group, "sample_seconds": 0})
	if res.IsError {
		t.Fatal(text(res))
	}
	series, _ := dig(m, "group", "cloudwatch").([]any)
	var trend any
	for _, s := range series {
		s := s.(map[string]any)
		if s["key"] == demo.Topic+":"+awsx.KeyMSKMaxOffsetLag {
			trend = s["trend"]
		}
	}
	if trend != "rising" {
		t.Fatalf("MaxOffsetLag trend = %v; series %v", trend, series)
	}
	if dig(m, "group", "lag", "status") != "LAGGING" {
		t.Errorf("single-sample status = %v", dig(m, "group", "lag", "status"))
	}
}
