package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// writeEnv is a write-mode server over a kfake cluster, with its own
// confirmation state directory and a movable clock.
type writeEnv struct {
	cluster *kfake.Cluster
	adm     *kadm.Client
	clock   *testClock
	audit   string
	gate    *confirm.Gate
	deps    WriteDeps
}

func newKafkaWriteEnv(t *testing.T, destructive bool) *writeEnv {
	t.Helper()
	c, err := kafkatest.Start(3, kfake.SeedTopics(4, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kafkatest.Client(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	dir := t.TempDir()
	e := &writeEnv{cluster: c, adm: kadm.NewClient(cl), clock: &testClock{t: time.Now()}, audit: filepath.Join(dir, "audit.jsonl")}
	e.gate, err = confirm.New(confirm.Options{StateDir: filepath.Join(dir, "state"), AuditLog: e.audit, Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	f := kafka.NewFactory(nil, nil, kafka.OSEnv(nil), nil)
	t.Cleanup(f.Close)
	e.deps = WriteDeps{ReadDeps: ReadDeps{Kafka: f}, Confirm: e.gate, AllowDestructive: destructive}
	return e
}

func (e *writeEnv) target() map[string]any {
	return map[string]any{"bootstrap_servers": strings.Join(e.cluster.ListenAddrs(), ","), "auth": "none"}
}

func (e *writeEnv) args(kv map[string]any) map[string]any {
	out := e.target()
	for k, v := range kv {
		out[k] = v
	}
	return out
}

func (e *writeEnv) client(t *testing.T, tool server.ServerTool, h client.ElicitationHandler) *client.Client {
	t.Helper()
	return connectWrite(t, tool, e.deps.AllowDestructive, h)
}

// connectWrite connects an in-process MCP client to a server holding tool,
// with the write gate opened as the flags say; h is the user's answer to
// elicitation (nil: the client does not declare the capability).
func connectWrite(t *testing.T, tool server.ServerTool, destructive bool, h client.ElicitationHandler) *client.Client {
	t.Helper()
	srv, err := server.New(server.Options{Name: "t", Version: "0", AllowWrite: true, AllowDestructive: destructive}, []server.ServerTool{tool}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var opts []client.ClientOption
	if h != nil {
		opts = append(opts, client.WithElicitationHandler(h))
	}
	c, err := client.NewInProcessClientWithOptions(srv, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "0"}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	return c
}

func callJSON(t *testing.T, c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("CallTool %s: %v", name, err)
	}
	var out map[string]any
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(raw, &out)
	}
	return res, out
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func mustToolError(t *testing.T, res *mcp.CallToolResult, substr string) {
	t.Helper()
	if !res.IsError || !strings.Contains(resultText(res), substr) {
		t.Fatalf("want a tool error with %q, got isError=%v %q", substr, res.IsError, resultText(res))
	}
}

func mustOK(t *testing.T, res *mcp.CallToolResult) {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %s", resultText(res))
	}
}

func (e *writeEnv) topicExists(t *testing.T, topic string) bool {
	t.Helper()
	tds, err := e.adm.ListTopics(kadm.WithAuthorizedOps(context.Background()), topic)
	if err != nil {
		t.Fatal(err)
	}
	return tds[topic].Err == nil
}

func (e *writeEnv) auditOutcomes(t *testing.T) string {
	t.Helper()
	var out []string
	raw, err := readFileString(e.audit)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
		var a confirm.AuditEntry
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if a.Tool != "kafka_admin" {
			t.Errorf("audit tool %q", a.Tool)
		}
		out = append(out, a.Outcome)
	}
	return strings.Join(out, ",")
}

func TestKafkaAdminAccessClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		destructive bool
		want        server.Access
		reset       bool
	}{{false, server.Write, false}, {true, server.Destructive, true}} {
		tool := KafkaAdmin(WriteDeps{AllowDestructive: tc.destructive})
		acc, err := server.AccessOf(tool.Tool)
		if err != nil || acc != tc.want {
			t.Fatalf("destructive=%v: access %v (%v), want %v", tc.destructive, acc, err, tc.want)
		}
		var in struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(tool.Tool.RawInputSchema, &in); err != nil {
			t.Fatal(err)
		}
		enum := strings.Join(in.Properties["action"].Enum, ",")
		_, hasGroup := in.Properties["group_id"]
		if strings.Contains(enum, "reset_group_offsets") != tc.reset || hasGroup != tc.reset {
			t.Errorf("destructive=%v: action enum %q, group_id offered %v", tc.destructive, enum, hasGroup)
		}
		// Not listed without the flags.
		for _, mode := range []server.Options{{}, {AllowWrite: !tc.destructive}} {
			got, _ := server.Registered(mode, []server.ServerTool{tool})
			wantListed := mode.AllowWrite && !tc.destructive
			if (len(got) == 1) != wantListed {
				t.Errorf("destructive=%v mode %+v: listed=%v", tc.destructive, mode, len(got) == 1)
			}
		}
	}
}

func TestKafkaAdminTokenFlow(t *testing.T) {
	t.Parallel()
	e := newKafkaWriteEnv(t, false)
	c := e.client(t, KafkaAdmin(e.deps), nil)
	args := e.args(map[string]any{"action": "create_topic", "topic": "payments", "partitions": 6, "replication_factor": 3, "configs": map[string]any{"retention.ms": "86400000"}})

	res, out := callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	if out["status"] != "planned" || out["applied"] != false || out["confirmation_token"] == nil {
		t.Fatalf("plan: %v", out)
	}
	if e.topicExists(t, "payments") {
		t.Fatal("planning created the topic")
	}
	tok := out["confirmation_token"].(string)

	// Altered argument: refused, nothing created.
	altered := e.args(map[string]any{"action": "create_topic", "topic": "payments", "partitions": 12, "replication_factor": 3, "configs": map[string]any{"retention.ms": "86400000"}, "confirmation_token": tok})
	res, _ = callJSON(t, c, "kafka_admin", altered)
	mustToolError(t, res, "arguments differ")
	if e.topicExists(t, "payments") {
		t.Fatal("altered token created the topic")
	}

	args["confirmation_token"] = tok
	res, out = callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	rb, _ := out["read_back"].(map[string]any)
	topic, _ := rb["topic"].(map[string]any)
	if out["applied"] != true || topic["partitions"] != float64(6) || topic["replication_factor"] != float64(3) {
		t.Fatalf("apply: %v", out)
	}
	if !e.topicExists(t, "payments") {
		t.Fatal("topic not created")
	}
	// Reused.
	res, _ = callJSON(t, c, "kafka_admin", args)
	mustToolError(t, res, "already used")
	if got := e.auditOutcomes(t); got != "planned,refused,confirmed,applied,refused" {
		t.Fatalf("audit %s", got)
	}
}

func TestKafkaAdminExpiredAndDrifted(t *testing.T) {
	t.Parallel()
	e := newKafkaWriteEnv(t, false)
	c := e.client(t, KafkaAdmin(e.deps), nil)
	plan := func(args map[string]any) string {
		res, out := callJSON(t, c, "kafka_admin", args)
		mustOK(t, res)
		return out["confirmation_token"].(string)
	}
	// Expired.
	args := e.args(map[string]any{"action": "add_partitions", "topic": "orders", "partitions": 6})
	args["confirmation_token"] = plan(e.args(map[string]any{"action": "add_partitions", "topic": "orders", "partitions": 6}))
	e.clock.advance(confirm.TokenTTL + time.Second)
	res, _ := callJSON(t, c, "kafka_admin", args)
	mustToolError(t, res, "expired")

	// Drifted: someone else adds a partition between plan and confirm.
	args["confirmation_token"] = plan(e.args(map[string]any{"action": "add_partitions", "topic": "orders", "partitions": 6}))
	if _, err := e.adm.UpdatePartitions(context.Background(), 5, "orders"); err != nil {
		t.Fatal(err)
	}
	res, _ = callJSON(t, c, "kafka_admin", args)
	mustToolError(t, res, "live state changed")
	tds, _ := e.adm.ListTopics(kadm.WithAuthorizedOps(context.Background()), "orders")
	if n := len(tds["orders"].Partitions); n != 5 {
		t.Fatalf("partitions %d, want 5 (the drifted plan must not apply)", n)
	}
}

func TestKafkaAdminElicitation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		content any
		applied bool
	}{
		{mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true}, true},
		{mcp.ElicitationResponseActionDecline, nil, false},
		{mcp.ElicitationResponseActionCancel, nil, false},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			t.Parallel()
			e := newKafkaWriteEnv(t, false)
			var asked atomic.Int32
			var shown string
			h := elicitAnswer(func(_ context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
				asked.Add(1)
				shown = r.Params.Message
				return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: tc.action, Content: tc.content}}, nil
			})
			c := e.client(t, KafkaAdmin(e.deps), h)
			res, out := callJSON(t, c, "kafka_admin", e.args(map[string]any{"action": "alter_topic_config", "topic": "orders", "configs": map[string]any{"retention.ms": "1209600000"}}))
			mustOK(t, res)
			if asked.Load() != 1 || !strings.Contains(shown, "retention.ms") || !strings.Contains(shown, "1209600000") {
				t.Fatalf("asked %d times, message %q", asked.Load(), shown)
			}
			if out["applied"] != tc.applied || out["confirmation_token"] != nil {
				t.Fatalf("outcome %v", out)
			}
			cs, err := e.adm.DescribeTopicConfigs(context.Background(), "orders")
			if err != nil {
				t.Fatal(err)
			}
			rc, _ := cs.On("orders", nil)
			var got string
			for _, c := range rc.Configs {
				if c.Key == "retention.ms" {
					got = c.MaybeValue()
				}
			}
			if (got == "1209600000") != tc.applied {
				t.Fatalf("retention.ms = %q after %s", got, tc.action)
			}
		})
	}
}

type elicitAnswer func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error)

func (f elicitAnswer) Elicit(ctx context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return f(ctx, r)
}

func TestKafkaAdminResetOffsets(t *testing.T) {
	t.Parallel()
	e := newKafkaWriteEnv(t, true)
	ctx := context.Background()
	prod, err := kafkatest.Producer(e.cluster)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := kafkatest.Produce(ctx, prod, "orders", []int32{0, 1, 2, 3}, 10, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := kafkatest.CommitEmpty(ctx, e.cluster, "billing", "orders", map[int32]int64{0: 8, 1: 8, 2: 8, 3: 8}); err != nil {
		t.Fatal(err)
	}
	c := e.client(t, KafkaAdmin(e.deps), nil)

	// An active member: refused before any plan.
	m, err := kafkatest.Join(ctx, e.cluster, "live", "orders")
	if err != nil {
		t.Fatal(err)
	}
	res, _ := callJSON(t, c, "kafka_admin", e.args(map[string]any{"action": "reset_group_offsets", "topic": "orders", "group_id": "live", "to": "earliest"}))
	mustToolError(t, res, "active member")
	m.Leave(ctx)

	args := e.args(map[string]any{"action": "reset_group_offsets", "topic": "orders", "group_id": "billing", "to": "offset", "offset": 3, "only_partitions": []int{1, 2}})
	res, out := callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	plan := out["plan"].(map[string]any)
	if !strings.Contains(plan["summary"].(string), "10 replayed") || len(plan["changes"].([]any)) != 2 {
		t.Fatalf("plan %v", plan)
	}
	offs, _ := e.adm.FetchOffsets(ctx, "billing")
	if o, _ := offs.Lookup("orders", 1); o.At != 8 {
		t.Fatal("planning moved offsets")
	}
	args["confirmation_token"] = out["confirmation_token"]
	res, out = callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	offs, _ = e.adm.FetchOffsets(ctx, "billing")
	for p, want := range map[int32]int64{0: 8, 1: 3, 2: 3, 3: 8} {
		if o, _ := offs.Lookup("orders", p); o.At != want {
			t.Errorf("partition %d at %d, want %d", p, o.At, want)
		}
	}
	if out["applied"] != true {
		t.Fatalf("outcome %v", out)
	}
}

// Without --allow-destructive the write variant refuses a reset even if a
// client sends the action past the schema.
func TestKafkaAdminResetNeedsDestructive(t *testing.T) {
	t.Parallel()
	e := newKafkaWriteEnv(t, false)
	h := KafkaAdmin(e.deps).Handler
	req := mcp.CallToolRequest{}
	req.Params.Name = "kafka_admin"
	req.Params.Arguments = e.args(map[string]any{"action": "reset_group_offsets", "topic": "orders", "group_id": "g", "to": "earliest"})
	res, err := h(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	mustToolError(t, res, "--allow-destructive")
	// Refused before any plan, and still on the audit record.
	audit, err := readFileString(e.audit)
	if err != nil || !strings.Contains(audit, `"outcome":"refused"`) || !strings.Contains(audit, "--allow-destructive") {
		t.Fatalf("audit log %q (%v) lacks the refusal", audit, err)
	}
}

func TestKafkaAdminBadInput(t *testing.T) {
	t.Parallel()
	e := newKafkaWriteEnv(t, true)
	c := e.client(t, KafkaAdmin(e.deps), nil)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"action": "create_topic", "topic": "x", "bootstrap_servers": "a:1", "cluster": "c"}, "exactly one target"},
		{e.args(map[string]any{"action": "add_partitions", "topic": "orders"}), "needs partitions"},
		{e.args(map[string]any{"action": "reset_group_offsets", "topic": "orders", "group_id": "g", "to": "timestamp", "timestamp": "yesterday"}), "RFC 3339"},
		{e.args(map[string]any{"action": "reset_group_offsets", "topic": "orders", "to": "earliest"}), "needs group_id"},
		{e.args(map[string]any{"action": "add_partitions", "topic": "orders", "partitions": 2}), "cannot remove partitions"},
		{e.args(map[string]any{"action": "create_topic", "topic": "orders"}), "already exists"},
	} {
		t.Run(fmt.Sprint(tc.args["action"], "/", tc.want), func(t *testing.T) {
			res, _ := callJSON(t, c, "kafka_admin", tc.args)
			mustToolError(t, res, tc.want)
		})
	}
}

func readFileString(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}

// Bug (#21.4): reset_group_offsets applied more than was confirmed. A plan
// to=latest showed 115 records skipped; 600 more were produced; the same
// token applied and skipped 715. The target offsets are pinned in the
// plan's fingerprint, so the token is refused and nothing moves.
func TestKafkaAdminResetAppliesOnlyWhatWasConfirmed(t *testing.T) {
	t.Parallel()
	e := newKafkaWriteEnv(t, true)
	ctx := context.Background()
	prod, err := kafkatest.Producer(e.cluster)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := kafkatest.Produce(ctx, prod, "orders", []int32{0}, 200, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := kafkatest.CommitEmpty(ctx, e.cluster, "billing", "orders", map[int32]int64{0: 85}); err != nil {
		t.Fatal(err)
	}
	c := e.client(t, KafkaAdmin(e.deps), nil)
	args := e.args(map[string]any{"action": "reset_group_offsets", "topic": "orders", "group_id": "billing", "to": "latest", "only_partitions": []int{0}})
	res, out := callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	if s := out["plan"].(map[string]any)["summary"].(string); !strings.Contains(s, "115 records skipped") {
		t.Fatalf("plan summary %q", s)
	}
	if err := kafkatest.Produce(ctx, prod, "orders", []int32{0}, 600, time.Now()); err != nil {
		t.Fatal(err)
	}
	args["confirmation_token"] = out["confirmation_token"]
	res, _ = callJSON(t, c, "kafka_admin", args)
	mustToolError(t, res, "live state changed since the plan was made")
	offs, _ := e.adm.FetchOffsets(ctx, "billing")
	if o, _ := offs.Lookup("orders", 0); o.At != 85 {
		t.Fatalf("the refused token moved the offset to %d", o.At)
	}
	// Planned again, the plan shows the new count and applies exactly it.
	delete(args, "confirmation_token")
	res, out = callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	if s := out["plan"].(map[string]any)["summary"].(string); !strings.Contains(s, "715 records skipped") {
		t.Fatalf("re-plan summary %q", s)
	}
	args["confirmation_token"] = out["confirmation_token"]
	res, _ = callJSON(t, c, "kafka_admin", args)
	mustOK(t, res)
	offs, _ = e.adm.FetchOffsets(ctx, "billing")
	if o, _ := offs.Lookup("orders", 0); o.At != 800 {
		t.Fatalf("offset %d, want 800", o.At)
	}
}
