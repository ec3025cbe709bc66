package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/esmview"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/toolsnap"
)

// esmSim serves a scenario (after edit) and returns read deps whose AWS
// client points at it with SDK retries off, so faults surface at once.
func esmSim(t testing.TB, name string, edit func(*awssim.Scenario)) (ReadDeps, *awssim.Server) {
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
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg := sdkaws.Config{Region: sc.Region, BaseEndpoint: sdkaws.String(srv.URL()), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AWS: aws.NewFromConfig(cfg, aws.Options{MaxAttempts: 1, CallTimeout: 5 * time.Second})}, srv
}

// esmCall runs esm_inspect and decodes its structured answer.
func esmCall(t testing.TB, d ReadDeps, args map[string]any) (*mcp.CallToolResult, esmInspectOut, string) {
	t.Helper()
	st := EsmInspect(d)
	req := mcp.CallToolRequest{}
	req.Params.Name = st.Tool.Name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := st.Handler(ctx, req)
	if err != nil {
		t.Fatalf("Go error (a bug, not a tool error): %v", err)
	}
	var out esmInspectOut
	raw, _ := json.Marshal(res.StructuredContent)
	if res.StructuredContent != nil {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
	}
	var txt strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			txt.WriteString(tc.Text)
		}
	}
	return res, out, string(raw) + "\n" + txt.String()
}

func TestEsmInspectSchemaAndAccess(t *testing.T) {
	t.Parallel()
	st := EsmInspect(ReadDeps{})
	toolsnap.Check(t, "esm_inspect", publishedTool(t, "esm_inspect"))
	if acc, err := server.AccessOf(st.Tool); err != nil || acc != server.Read {
		t.Fatalf("access %v %v, want read", acc, err)
	}
}

func issueIDs(d *esmview.Detail) map[string]esmview.Issue {
	m := map[string]esmview.Issue{}
	for _, i := range d.Issues {
		m[i.ID] = i
	}
	return m
}

// Each scenario's mapping, described: the decoded result, the topology
// joined from the source, and the issues a correct reading finds.
func TestEsmInspectScenarios(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario, uuid string
		check          func(t *testing.T, d *esmview.Detail)
	}{
		{"msk-iam-healthy", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			if d.Topology.Partitions["orders"] != 12 || d.Topology.ClusterState != "ACTIVE" || d.PollerMode != "on_demand" || d.LastProcessingResult.Severity != "ok" {
				t.Fatalf("detail = %+v", d)
			}
			for _, i := range d.Issues {
				if i.Severity == "error" {
					t.Errorf("healthy scenario has error issue %+v", i)
				}
			}
		}},
		{"msk-disabled-connection-error", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			is := issueIDs(d)
			if is["esm_state.network"].Severity != "error" || is["network.nacl_denies_port"].NextTool != "kafka_troubleshoot" || d.LastProcessingResult.Category != "network" {
				t.Fatalf("issues = %+v", d.Issues)
			}
		}},
		{"msk-on-demand-no-nat", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			if d.LastProcessingResult.Category != "lambda_unreachable" || issueIDs(d)["network.no_path_to_lambda"].Severity != "error" {
				t.Fatalf("lpr = %+v", d.LastProcessingResult)
			}
		}},
		{"msk-sg-missing-auth-port", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			if d.LastProcessingResult.Category != "network" {
				t.Fatalf("lpr = %+v", d.LastProcessingResult)
			}
		}},
		{"msk-iam-missing-group-actions", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			if d.LastProcessingResult.Category != "authorization" {
				t.Fatalf("lpr = %+v", d.LastProcessingResult)
			}
		}},
		{"msk-scram-secret-problems", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			if d.LastProcessingResult.Category != "authentication" || len(d.SourceAccess) != 1 || d.SourceAccess[0].Type != "SASL_SCRAM_512_AUTH" || d.Topology.ClusterAuth[0] != "sasl_scram" {
				t.Fatalf("detail = %+v", d)
			}
			is := issueIDs(d)
			if d.Secret == nil || d.Secret.Name != "orders-kafka-creds" || is["authentication.secret_deleted"].Severity != "error" || is["authentication.secret_name_prefix"].Severity != "error" {
				t.Fatalf("secret = %+v, issues = %+v", d.Secret, d.Issues)
			}
			if _, ok := is["authentication.secret_aws_managed_key"]; ok {
				t.Fatal("the secret uses a customer managed key")
			}
		}},
		{"msk-cluster-not-active", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", func(t *testing.T, d *esmview.Detail) {
			if i := issueIDs(d)["broker_health.cluster_updating"]; i.Severity != "warning" || !strings.Contains(i.Message, "UPDATING") {
				t.Fatalf("issues = %+v", d.Issues)
			}
		}},
		{"msk-serverless-provisioned-pollers", "3f4e5d6c-7b8a-4991-8a7b-6c5d4e3f2a1b", func(t *testing.T, d *esmview.Detail) {
			// MSK's topic API does not serve Serverless clusters
			// (msk-view-topic-information.html): the partition count is
			// unknown, with the reason, never "no such topic".
			_, known := d.Topology.Partitions["telemetry"]
			if d.PollerMode != "provisioned" || d.Topology.ClusterType != "SERVERLESS" || known ||
				len(d.Topology.Unknown) != 1 || d.Topology.Unknown[0].Call != "Kafka:DescribeTopic" || !strings.Contains(d.Topology.Unknown[0].Reason, "Serverless") ||
				sdkaws.ToInt32(d.Config.MaximumPollers) != 20 {
				t.Fatalf("detail = %+v", d)
			}
			for _, i := range d.Issues {
				if i.Severity == "error" {
					t.Errorf("healthy scenario has error issue %+v", i)
				}
			}
		}},
		{"kinesis-high-iterator-age", "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f", func(t *testing.T, d *esmview.Detail) {
			is := issueIDs(d)
			if d.Topology.Shards != 4 || d.Topology.Kind != "kinesis_stream" || d.LastProcessingResult.Category != "function_error" || is["esm_state.function_error"].NextTool != "kinesis_inspect" {
				t.Fatalf("detail = %+v", d)
			}
			rule := false
			for _, i := range d.Issues {
				rule = rule || i.NextTool == "esm_optimize"
			}
			if !rule {
				t.Fatalf("no rule-engine issue for infinite retries without bisect or destination: %+v", d.Issues)
			}
		}},
		{"sqs-visibility-timeout", "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", func(t *testing.T, d *esmview.Detail) {
			if d.Topology.VisibilityTimeout != 30 || d.Function.TimeoutSeconds != 120 || d.Topology.MaxReceiveCount != 3 {
				t.Fatalf("topology = %+v", d.Topology)
			}
			found := false
			for _, i := range d.Issues {
				found = found || strings.Contains(i.ID, "visibility_timeout")
			}
			if !found {
				t.Fatalf("visibility timeout vs function timeout not flagged: %+v", d.Issues)
			}
		}},
		{"self-managed-kafka", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", func(t *testing.T, d *esmview.Detail) {
			if d.SourceType != "self_managed_kafka" || d.Topology.Kind != "kafka_bootstrap" || len(d.BootstrapServers) != 3 || d.Function == nil || !d.Function.InVPC {
				t.Fatalf("detail = %+v", d)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			d, _ := esmSim(t, tc.scenario, nil)
			res, out, _ := esmCall(t, d, map[string]any{"esm_uuid": tc.uuid})
			if res.IsError || out.Mapping == nil || out.Mode != "describe" {
				t.Fatalf("result = %+v", res)
			}
			if out.AWSCalls < 3 {
				t.Fatalf("aws_calls = %d", out.AWSCalls)
			}
			tc.check(t, out.Mapping)
		})
	}
}

// Each injected fault degrades one part of the answer to unknown with the
// reason, and the rest is still answered; only the mapping itself is
// required.
func TestEsmInspectFaults(t *testing.T) {
	t.Parallel()
	const uuid = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
	cases := []struct {
		name  string
		fault awssim.Fault
		args  map[string]any
		check func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, all string)
	}{
		{"function denied", awssim.Fault{Service: "lambda", Operation: "GetFunction", Error: "access_denied"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, _ string) {
				u := out.Mapping.FunctionUnknown
				if res.IsError || out.Mapping.Function != nil || u == nil || u.Kind != "access_denied" || u.MissingPermission != "lambda:GetFunction" || out.Mapping.Topology.Partitions["orders"] != 12 {
					t.Fatalf("out = %+v", out.Mapping)
				}
			}},
		{"cluster throttled", awssim.Fault{Service: "kafka", Operation: "DescribeClusterV2", Error: "throttling"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, _ string) {
				tp := out.Mapping.Topology
				if res.IsError || tp.Status != "unknown" || len(tp.Unknown) != 1 || tp.Unknown[0].Kind != "throttled" || tp.Partitions["orders"] != 12 {
					t.Fatalf("topology = %+v", tp)
				}
			}},
		{"topic 5xx", awssim.Fault{Service: "kafka", Operation: "DescribeTopic", Error: "server_error"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, _ string) {
				tp := out.Mapping.Topology
				if res.IsError || tp.Status != "unknown" || tp.Unknown[0].Kind != "unavailable" || tp.ClusterState != "ACTIVE" {
					t.Fatalf("topology = %+v", tp)
				}
			}},
		{"secret denied", awssim.Fault{Service: "secretsmanager", Operation: "DescribeSecret", Error: "access_denied"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, _ string) {
				u := out.Mapping.SecretUnknown
				if res.IsError || u == nil || u.MissingPermission != "secretsmanager:DescribeSecret" || out.Mapping.Secret != nil {
					t.Fatalf("secret = %+v %+v", out.Mapping.Secret, u)
				}
			}},
		{"metrics denied", awssim.Fault{Service: "monitoring", Operation: "GetMetricData", Error: "access_denied"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, _ string) {
				u := out.Mapping.MetricsUnknown
				if res.IsError || u == nil || u.MissingPermission != "cloudwatch:GetMetricData" || len(out.Mapping.Metrics) != 0 {
					t.Fatalf("metrics = %+v %+v", out.Mapping.Metrics, u)
				}
			}},
		{"cloudtrail denied", awssim.Fault{Service: "cloudtrail", Operation: "LookupEvents", Error: "access_denied"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, all string) {
				// The diagnosis carries on; the changes check says which
				// permission would add it.
				if res.IsError || out.Mapping.Function == nil || !hasCheck(out.Mapping, "changes", "unknown", "cloudtrail:LookupEvents") {
					t.Fatalf("checks = %+v", out.Mapping.Checks)
				}
			}},
		{"kms and scram association denied", awssim.Fault{Service: "*", Operation: "DescribeKey", Error: "access_denied"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, out esmInspectOut, all string) {
				if res.IsError || !strings.Contains(all, "kms:DescribeKey") {
					t.Fatalf("the missing kms:DescribeKey is not named: %s", all)
				}
			}},
		{"mapping not found", awssim.Fault{Service: "lambda", Operation: "GetEventSourceMapping", Error: "not_found"}, map[string]any{"esm_uuid": uuid},
			func(t *testing.T, res *mcp.CallToolResult, _ esmInspectOut, all string) {
				if !res.IsError || !strings.Contains(all, "without esm_uuid") {
					t.Fatalf("want a tool error naming the fix, got %s", all)
				}
			}},
		{"list throttled", awssim.Fault{Service: "lambda", Operation: "ListEventSourceMappings", Error: "throttling"}, map[string]any{},
			func(t *testing.T, res *mcp.CallToolResult, _ esmInspectOut, all string) {
				if !res.IsError || !strings.Contains(all, "throttled") {
					t.Fatalf("want a throttled tool error, got %s", all)
				}
			}},
		{"list denied", awssim.Fault{Service: "lambda", Operation: "ListEventSourceMappings", Error: "access_denied"}, map[string]any{},
			func(t *testing.T, res *mcp.CallToolResult, _ esmInspectOut, all string) {
				if !res.IsError || !strings.Contains(all, "lambda:ListEventSourceMappings") {
					t.Fatalf("want the missing permission, got %s", all)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			scenario := "msk-iam-healthy"
			switch tc.name {
			case "secret denied": // the healthy scenario has no secret
				scenario = "msk-scram-secret-problems"
			case "kms and scram association denied":
				scenario = "msk-scram-healthy"
			}
			d, _ := esmSim(t, scenario, func(sc *awssim.Scenario) { sc.Faults = []awssim.Fault{tc.fault} })
			res, out, all := esmCall(t, d, tc.args)
			tc.check(t, res, out, all)
		})
	}
}

func TestEsmInspectBadInput(t *testing.T) {
	t.Parallel()
	d, srv := esmSim(t, "msk-iam-healthy", nil)
	res, _, all := esmCall(t, d, map[string]any{"esm_uuid": "x", "function_name": "y"})
	if !res.IsError || !strings.Contains(all, "drop") || len(srv.Calls()) != 0 {
		t.Fatalf("want a tool error before any call, got %s (%d calls)", all, len(srv.Calls()))
	}
	res, _, all = esmCall(t, ReadDeps{}, map[string]any{})
	if !res.IsError || !strings.Contains(all, "not configured") {
		t.Fatalf("nil AWS: %s", all)
	}
}

// A list of 250 mappings stays compact: pages of rows, a marker, counts.
func TestEsmInspectListPaging(t *testing.T) {
	t.Parallel()
	d, _ := esmSim(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		for i := 0; i < 249; i++ {
			m := sc.EventSourceMappings[0]
			m.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
			if i%3 == 0 {
				m.State, m.LastProcessingResult = "Enabled", "PROBLEM: SASL authentication failed."
			}
			sc.EventSourceMappings = append(sc.EventSourceMappings, m)
		}
	})
	res, out, all := esmCall(t, d, map[string]any{"limit": 200})
	if res.IsError || len(out.Mappings) != 200 || !out.Truncated || out.NextMarker == "" || out.Summary.ByHealth["problem"] == 0 {
		t.Fatalf("page 1: n=%d truncated=%v marker=%q summary=%+v", len(out.Mappings), out.Truncated, out.NextMarker, out.Summary)
	}
	// Lambda pages of 100, one GetFunction per function, and the page's
	// series in shared GetMetricData calls (pages of 100 results): about
	// 19 series per MSK mapping, never a call per mapping.
	if out.AWSCalls > 2+1+200*20/100 {
		t.Fatalf("aws_calls = %d, want at most %d", out.AWSCalls, 2+1+200*20/100)
	}
	if len(all) > 80_000 {
		t.Fatalf("200 rows took %d bytes", len(all))
	}
	t.Logf("200-row page: %d bytes of JSON+text, %d AWS calls", len(all), out.AWSCalls)
	_, out2, _ := esmCall(t, d, map[string]any{"limit": 200, "marker": out.NextMarker})
	if len(out2.Mappings) != 50 || out2.Truncated || out2.Mappings[0].UUID == out.Mappings[0].UUID {
		t.Fatalf("page 2: n=%d truncated=%v", len(out2.Mappings), out2.Truncated)
	}
	_, f, _ := esmCall(t, d, map[string]any{"function_name": "nope"})
	if len(f.Mappings) != 0 || f.Summary.Mappings != 0 {
		t.Fatalf("filtered = %+v", f)
	}
}

// Over every scenario, listing and describing every mapping makes no
// mutating AWS call and never prints an environment variable value.
func TestEsmInspectReadOnlyAndNoSecretsEveryScenario(t *testing.T) {
	t.Parallel()
	var guarded atomic.Int32
	t.Cleanup(func() {
		if guarded.Load() < 10 {
			t.Errorf("only %d scenarios have environment values to guard", guarded.Load())
		}
	})
	for _, name := range awssim.Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, srv := esmSim(t, name, nil)
			var secrets []string
			for _, f := range srv.Scenario().Functions {
				if f.Environment != nil {
					for _, v := range f.Environment.Variables {
						secrets = append(secrets, v)
					}
				}
			}
			if len(secrets) > 0 {
				guarded.Add(1)
			}
			_, list, all := esmCall(t, d, map[string]any{})
			outputs := []string{all}
			for _, r := range list.Mappings {
				res, _, one := esmCall(t, d, map[string]any{"esm_uuid": r.UUID})
				if res.IsError {
					t.Fatalf("describe %s: %s", r.UUID, one)
				}
				outputs = append(outputs, one)
			}
			if len(list.Mappings) != len(srv.Scenario().EventSourceMappings) {
				t.Fatalf("listed %d of %d mappings", len(list.Mappings), len(srv.Scenario().EventSourceMappings))
			}
			for _, o := range outputs {
				for _, s := range secrets {
					if strings.Contains(o, s) {
						t.Fatalf("environment value %q leaked", s)
					}
				}
			}
			if m := srv.MutatingCalls(); len(m) != 0 {
				t.Fatalf("mutating calls: %+v", m)
			}
		})
	}
}

func measureDescribe(t testing.TB, latency time.Duration) (single, full time.Duration, calls int64) {
	t.Helper()
	d, _ := esmSim(t, "msk-iam-healthy", func(sc *awssim.Scenario) {
		sc.Faults = []awssim.Fault{{Service: "*", Operation: "*", Latency: awssim.Duration{Duration: latency}}}
	})
	ctx := context.Background()
	// Warm up: load the config and open connections.
	if _, err := d.AWS.GetESM(ctx, "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if _, err := d.AWS.GetESM(ctx, "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"); err != nil {
		t.Fatal(err)
	}
	single = time.Since(t0)
	t0 = time.Now()
	res, out, all := esmCall(t, d, map[string]any{"esm_uuid": "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"})
	full = time.Since(t0)
	if res.IsError || out.Mapping.Function == nil || out.Mapping.Topology.Status != "ok" {
		t.Fatalf("describe: %s", all)
	}
	return single, full, out.AWSCalls
}

func BenchmarkEsmInspectDescribe100msLatency(b *testing.B) {
	for b.Loop() {
		single, full, calls := measureDescribe(b, 100*time.Millisecond)
		b.ReportMetric(float64(full)/float64(single), "x_single_call")
		b.ReportMetric(float64(calls), "aws_calls")
	}
}

func hasCheck(d *esmview.Detail, name, status, detail string) bool {
	for _, c := range d.Checks {
		if c.Name == name && string(c.Status) == status && strings.Contains(c.Detail, detail) {
			return true
		}
	}
	return false
}
