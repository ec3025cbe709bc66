package main

// End-to-end tests of the write tools through the built binary: the write
// gate per mode, plan -> confirm -> apply with the confirmation token, the
// same with MCP elicitation answered by the official Go SDK client, and a
// token issued by one `stream-mcp call` process spent by the next.

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

var writeTools = []string{"esm_apply", "kafka_admin", "kinesis_scale"}

func TestE2EWriteToolsGated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flags       []string
		listed      bool
		destructive map[string]bool
	}{
		{nil, false, nil},
		{[]string{"--allow-write"}, true, map[string]bool{}},
		{[]string{"--allow-write", "--allow-destructive"}, true, map[string]bool{"kafka_admin": true, "kinesis_scale": true}},
	} {
		known := sessionTools(t, session(t, nil, tc.flags...))
		for _, name := range writeTools {
			tool, ok := known[name]
			if ok != tc.listed {
				t.Errorf("flags %v: %s listed=%v", tc.flags, name, ok)
				continue
			}
			if !ok {
				continue
			}
			a := tool.Annotations
			if a.ReadOnlyHint || a.DestructiveHint == nil || *a.DestructiveHint != tc.destructive[name] {
				t.Errorf("flags %v: %s annotations %+v", tc.flags, name, a)
			}
		}
	}
}

func callOK(t *testing.T, cs *mcp.ClientSession, tool *mcp.Tool, args map[string]any) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool.Name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", tool.Name, err)
	}
	if res.IsError {
		t.Fatalf("%s: tool error %s", tool.Name, contentText(res))
	}
	checkAgainstSchema(t, tool.Name, tool, res.StructuredContent)
	raw, _ := json.Marshal(res.StructuredContent)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func callErr(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any, want string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: protocol error %v", name, err)
	}
	if !res.IsError || !strings.Contains(contentText(res), want) {
		t.Fatalf("%s: want a tool error with %q, got isError=%v %q", name, want, res.IsError, contentText(res))
	}
}

// Token path over stdio: plan, confirm with the token, refuse its reuse;
// kfake proves the plan changed nothing and the confirmation changed it once.
func TestE2EKafkaAdminTokenFlow(t *testing.T) {
	t.Parallel()
	c, err := kafkatest.Start(3, kfake.SeedTopics(3, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kafkatest.Client(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	adm := kadm.NewClient(cl)
	partitions := func() int {
		tds, err := adm.ListTopics(kadm.WithAuthorizedOps(context.Background()), "orders")
		if err != nil {
			t.Fatal(err)
		}
		return len(tds["orders"].Partitions)
	}
	cs := session(t, nil, "--allow-write")
	tool := sessionTools(t, cs)["kafka_admin"]
	args := map[string]any{"action": "add_partitions", "bootstrap_servers": strings.Join(c.ListenAddrs(), ","), "topic": "orders", "partitions": 6}

	plan := callOK(t, cs, tool, args)
	if plan["status"] != "planned" || plan["applied"] != false || partitions() != 3 {
		t.Fatalf("plan: %v, partitions %d", plan, partitions())
	}
	args["confirmation_token"] = plan["confirmation_token"]
	applied := callOK(t, cs, tool, args)
	if applied["applied"] != true || partitions() != 6 {
		t.Fatalf("apply: %v, partitions %d", applied, partitions())
	}
	callErr(t, cs, "kafka_admin", args, "already used")
}

// Elicitation over stdio: the SDK client declares the capability, the
// server asks, the handler answers. Accept applies once; decline changes
// nothing (the simulator's call log proves it).
func TestE2EEsmApplyElicitation(t *testing.T) {
	t.Parallel()
	for _, action := range []string{"accept", "decline"} {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			sim := startScenario(t, "msk-iam-healthy")
			var asked atomic.Int32
			var message atomic.Value
			opts := &mcp.ClientOptions{ElicitationHandler: func(_ context.Context, req *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
				asked.Add(1)
				message.Store(req.Params.Message)
				if n := len(sim.MutatingCalls()); n != 0 {
					t.Errorf("%d mutating calls before the user answered", n)
				}
				return &mcp.ElicitResult{Action: action, Content: map[string]any{"confirm": true}}, nil
			}}
			cs := session(t, opts, "--allow-write", "--endpoint-url", sim.URL())
			tool := sessionTools(t, cs)["esm_apply"]
			out := callOK(t, cs, tool, map[string]any{"esm_uuid": "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "config": map[string]any{"BatchSize": 1000}})
			if asked.Load() != 1 {
				t.Fatalf("asked %d times", asked.Load())
			}
			if m, _ := message.Load().(string); !strings.Contains(m, "BatchSize: 500 -> 1000") {
				t.Errorf("elicitation message does not show the plan: %q", m)
			}
			wantApplied := action == "accept"
			if out["applied"] != wantApplied || out["confirmation_token"] != nil {
				t.Fatalf("outcome %v", out)
			}
			mut := sim.MutatingCalls()
			if wantApplied != (len(mut) == 1 && mut[0].Operation == "UpdateEventSourceMapping") || (!wantApplied && len(mut) != 0) {
				t.Fatalf("mutating calls %+v", mut)
			}
		})
	}
}

// Two processes, one state directory: the token from the first `call` is
// honoured once by the second, refused by the third; the audit log (a file)
// records each outcome.
func TestE2ETokenAcrossCallProcesses(t *testing.T) {
	t.Parallel()
	sc, err := awssim.Parse("e2e-kinesis-scale", []byte("name: e2e-kinesis-scale\nkinesis:\n  streams:\n    - StreamName: clicks\n      ShardCount: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := awssim.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	state, audit := t.TempDir(), filepath.Join(t.TempDir(), "audit.jsonl")
	run := func(args map[string]any) (int, map[string]any, string) {
		raw, _ := json.Marshal(args)
		cmd := exec.Command(binPath, "--allow-write", "--endpoint-url", sim.URL(), "call", "kinesis_scale", "--args", string(raw))
		cmd.Env = e2eEnv(t, "STREAM_MCP_STATE_DIR="+state, "STREAM_MCP_AUDIT_LOG="+audit)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.Unmarshal(stdout, &out)
		return code, out, stderr.String()
	}
	args := map[string]any{"stream_name": "clicks", "target_shard_count": 4}
	code, plan, _ := run(args)
	if code != 0 || plan["status"] != "planned" || len(sim.MutatingCalls()) != 0 {
		t.Fatalf("plan: exit %d %v, mutating %d", code, plan, len(sim.MutatingCalls()))
	}
	args["confirmation_token"] = plan["confirmation_token"]
	code, applied, _ := run(args)
	if code != 0 || applied["applied"] != true || len(sim.MutatingCalls()) != 1 {
		t.Fatalf("apply: exit %d %v", code, applied)
	}
	code, _, stderr := run(args)
	if code != 1 || !strings.Contains(stderr, "already used") {
		t.Fatalf("reuse: exit %d, stderr %q", code, stderr)
	}
	f, err := os.Open(audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var outcomes []string
	sc2 := bufio.NewScanner(f)
	for sc2.Scan() {
		var e struct{ Outcome, Tool string }
		if err := json.Unmarshal(sc2.Bytes(), &e); err != nil || e.Tool != "kinesis_scale" {
			t.Fatalf("audit line %q: %v", sc2.Text(), err)
		}
		outcomes = append(outcomes, e.Outcome)
	}
	if got := strings.Join(outcomes, ","); got != "planned,confirmed,applied,refused" {
		t.Fatalf("audit outcomes %s", got)
	}
}
