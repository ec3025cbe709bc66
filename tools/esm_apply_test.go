package tools

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	awsinspect "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/writes"
)

const simESMUUID = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

type awsWriteEnv struct {
	sim   *awssim.Server
	clock *testClock
	deps  WriteDeps
}

func loadScenario(t *testing.T, name string) *awssim.Scenario {
	t.Helper()
	sc, err := awssim.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func newAWSWriteEnv(t *testing.T, sc *awssim.Scenario, destructive bool) *awsWriteEnv {
	t.Helper()
	sim, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := &awsWriteEnv{sim: sim, clock: &testClock{t: time.Now()}}
	dir := t.TempDir()
	gate, err := confirm.New(confirm.Options{StateDir: filepath.Join(dir, "state"), AuditLog: filepath.Join(dir, "audit.jsonl"), Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(sim.URL()), RetryMaxAttempts: 1}
	e.deps = WriteDeps{ReadDeps: ReadDeps{Guidance: b, AWS: awsinspect.NewFromConfig(cfg, awsinspect.Options{MaxAttempts: 1})}, Confirm: gate, AllowDestructive: destructive,
		AWSWrite: writes.NewAWS(func(context.Context) (aws.Config, error) { return cfg, nil })}
	return e
}

func (e *awsWriteEnv) mutating(t *testing.T) int {
	t.Helper()
	return len(e.sim.MutatingCalls())
}

func (e *awsWriteEnv) batchSize() int {
	for _, m := range e.sim.Scenario().EventSourceMappings {
		if m.UUID == simESMUUID && m.BatchSize != nil {
			return *m.BatchSize
		}
	}
	return -1
}

func TestEsmApplyAccessClass(t *testing.T) {
	t.Parallel()
	tool := EsmApply(WriteDeps{})
	if acc, err := server.AccessOf(tool.Tool); err != nil || acc != server.Write {
		t.Fatalf("access %v %v", acc, err)
	}
	if got, _ := server.Registered(server.Options{}, []server.ServerTool{tool}); len(got) != 0 {
		t.Fatal("listed in read-only mode")
	}
}

func TestEsmApplyTokenFlow(t *testing.T) {
	t.Parallel()
	e := newAWSWriteEnv(t, loadScenario(t, "msk-iam-healthy"), false)
	c := connectWrite(t, EsmApply(e.deps), false, nil)
	args := map[string]any{"esm_uuid": simESMUUID, "config": map[string]any{"BatchSize": 1000}}

	res, out := callJSON(t, c, "esm_apply", args)
	mustOK(t, res)
	if out["status"] != "planned" || e.mutating(t) != 0 || e.batchSize() != 500 {
		t.Fatalf("plan changed something: %v mutating=%d batch=%d", out["status"], e.mutating(t), e.batchSize())
	}
	tok := out["confirmation_token"].(string)

	altered := map[string]any{"esm_uuid": simESMUUID, "config": map[string]any{"BatchSize": 2000}, "confirmation_token": tok}
	res, _ = callJSON(t, c, "esm_apply", altered)
	mustToolError(t, res, "arguments differ")

	e.clock.advance(confirm.TokenTTL + time.Second)
	args["confirmation_token"] = tok
	res, _ = callJSON(t, c, "esm_apply", args)
	mustToolError(t, res, "expired")
	if e.mutating(t) != 0 {
		t.Fatal("refused tokens mutated")
	}

	delete(args, "confirmation_token")
	_, out = callJSON(t, c, "esm_apply", args)
	args["confirmation_token"] = out["confirmation_token"]
	res, out = callJSON(t, c, "esm_apply", args)
	mustOK(t, res)
	rb := out["read_back"].(map[string]any)
	if out["applied"] != true || rb["config"].(map[string]any)["BatchSize"] != float64(1000) || e.batchSize() != 1000 || e.mutating(t) != 1 {
		t.Fatalf("apply: %v (mutating %d)", out, e.mutating(t))
	}
	res, _ = callJSON(t, c, "esm_apply", args)
	mustToolError(t, res, "already used")
	if e.mutating(t) != 1 {
		t.Fatal("reused token mutated again")
	}
}

// Drift: the mapping changed between plan and confirmation (here another
// update left it Disabling, which is refused before the fingerprint check).
func TestEsmApplyDrift(t *testing.T) {
	t.Parallel()
	e := newAWSWriteEnv(t, loadScenario(t, "msk-iam-healthy"), false)
	c := connectWrite(t, EsmApply(e.deps), false, nil)
	args := map[string]any{"esm_uuid": simESMUUID, "config": map[string]any{"BatchSize": 1000}}
	_, out := callJSON(t, c, "esm_apply", args)
	// Someone else updates the mapping (another tool call, the console).
	other := map[string]any{"esm_uuid": simESMUUID, "enabled": false}
	_, o2 := callJSON(t, c, "esm_apply", other)
	other["confirmation_token"] = o2["confirmation_token"]
	res, _ := callJSON(t, c, "esm_apply", other)
	mustOK(t, res)

	args["confirmation_token"] = out["confirmation_token"]
	res, _ = callJSON(t, c, "esm_apply", args)
	mustToolError(t, res, "Disabling") // transitional state is refused before the drift check
	if e.batchSize() != 500 {
		t.Fatal("drifted plan applied")
	}
}

func TestEsmApplyElicitation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		applied bool
	}{{mcp.ElicitationResponseActionAccept, true}, {mcp.ElicitationResponseActionDecline, false}, {mcp.ElicitationResponseActionCancel, false}} {
		t.Run(string(tc.action), func(t *testing.T) {
			t.Parallel()
			e := newAWSWriteEnv(t, loadScenario(t, "msk-iam-healthy"), false)
			h := elicitAnswer(func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
				if e.mutating(t) != 0 {
					t.Error("mutated before the user answered")
				}
				return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: tc.action, Content: map[string]any{"confirm": true}}}, nil
			})
			c := connectWrite(t, EsmApply(e.deps), false, client.ElicitationHandler(h))
			res, out := callJSON(t, c, "esm_apply", map[string]any{"esm_uuid": simESMUUID, "config": map[string]any{"BatchSize": 1000}})
			mustOK(t, res)
			if out["applied"] != tc.applied || (e.batchSize() == 1000) != tc.applied || (e.mutating(t) == 1) != tc.applied {
				t.Fatalf("%s: %v batch=%d mutating=%d", tc.action, out, e.batchSize(), e.mutating(t))
			}
		})
	}
}

func TestEsmApplyRefusedBeforePlan(t *testing.T) {
	t.Parallel()
	e := newAWSWriteEnv(t, loadScenario(t, "msk-iam-healthy"), false)
	c := connectWrite(t, EsmApply(e.deps), false, nil)
	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"esm_uuid": simESMUUID, "config": map[string]any{"BatchSize": 20000}}, "fails the rule engine"},
		{map[string]any{"esm_uuid": simESMUUID, "config": map[string]any{"Topics": []any{"payments"}}}, "create a new mapping"},
		{map[string]any{"esm_uuid": "nope", "config": map[string]any{"BatchSize": 10}}, "not found"},
		{map[string]any{"esm_uuid": ""}, "esm_uuid is required"},
	} {
		res, out := callJSON(t, c, "esm_apply", tc.args)
		mustToolError(t, res, tc.want)
		if out != nil {
			t.Errorf("refusal carried a result: %v", out)
		}
	}
	if e.mutating(t) != 0 {
		t.Fatal("refusals mutated")
	}
}

// The rule engine sees live context: this queue's visibility timeout (30 s)
// is below the function's timeout (120 s). That error is the live
// mapping's, not the change's, so disabling it is planned with the error as
// a risk; a change that adds an error of its own is still refused.
func TestEsmApplyRuleContextFromLiveState(t *testing.T) {
	t.Parallel()
	e := newAWSWriteEnv(t, loadScenario(t, "sqs-visibility-timeout"), false)
	c := connectWrite(t, EsmApply(e.deps), false, nil)
	const uuid = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
	res, _ := callJSON(t, c, "esm_apply", map[string]any{"esm_uuid": uuid, "enabled": false})
	mustOK(t, res)
	if txt := resultText(res); !strings.Contains(txt, "already breaks a rule") || !strings.Contains(txt, "esm.sqs.visibility_timeout.function_timeout") {
		t.Fatalf("plan text %q", txt)
	}
	res, _ = callJSON(t, c, "esm_apply", map[string]any{"esm_uuid": uuid, "config": map[string]any{"BatchSize": 100000}})
	mustToolError(t, res, "fails the rule engine")
	if e.mutating(t) != 0 {
		t.Fatal("planning mutated")
	}
}

// Bug (#21.9): an esm_apply plan under SQS AccessDenied lost the
// visibility-timeout risk (the check could not run) and still issued a
// token. The plan is refused with the gap named, unless the caller sends
// accept_unknown_risks, and then the plan lists what was not checked.
func TestEsmApplyUnknownEvidenceBlocksTheToken(t *testing.T) {
	t.Parallel()
	sc := loadScenario(t, "sqs-visibility-timeout")
	sc.Faults = append(sc.Faults, awssim.Fault{Service: "sqs", Operation: "GetQueueAttributes", Error: "access_denied"})
	e := newAWSWriteEnv(t, sc, false)
	c := connectWrite(t, EsmApply(e.deps), false, nil)
	const uuid = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
	res, out := callJSON(t, c, "esm_apply", map[string]any{"esm_uuid": uuid, "config": map[string]any{"BatchSize": 5}})
	mustToolError(t, res, "SQS:GetQueueAttributes")
	if out["confirmation_token"] != nil || !strings.Contains(resultText(res), "accept_unknown_risks") {
		t.Fatalf("a token was issued, or the refusal does not say how to accept the gap: %q", resultText(res))
	}
	res, out = callJSON(t, c, "esm_apply", map[string]any{"esm_uuid": uuid, "config": map[string]any{"BatchSize": 5}, "accept_unknown_risks": true})
	mustOK(t, res)
	plan, _ := out["plan"].(map[string]any)
	if unk, _ := plan["unknown"].([]any); len(unk) != 1 || !strings.Contains(unk[0].(string), "visibility") {
		t.Fatalf("plan does not list the check that did not run: %v", plan)
	}
	if !strings.Contains(resultText(res), "visibility-timeout-versus-function-timeout check did not run") || out["confirmation_token"] == nil {
		t.Fatalf("plan text %q", resultText(res))
	}
	if e.mutating(t) != 0 {
		t.Fatal("planning mutated")
	}
}
