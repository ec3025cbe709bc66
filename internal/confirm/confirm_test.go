package confirm

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
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
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// fakeResource is live state the fake action plans against and changes.
type fakeResource struct {
	mu      sync.Mutex
	value   int
	applies atomic.Int32
	failing bool
}

func (r *fakeResource) get() int { r.mu.Lock(); defer r.mu.Unlock(); return r.value }
func (r *fakeResource) set(v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.value = v
}

type fakeIn struct {
	Name              string `json:"name"`
	Desired           int    `json:"desired"`
	ConfirmationToken string `json:"confirmation_token,omitempty"`
}

type readBack struct {
	Value int `json:"value"`
}

func (r *fakeResource) action(in fakeIn) Action[readBack] {
	return Action[readBack]{
		Tool:  "fake_write",
		Args:  in,
		Token: in.ConfirmationToken,
		Plan: func(context.Context) (Plan, string, error) {
			if in.Desired < 0 {
				return Plan{}, "", Refuse("desired %d is negative; send a value >= 0", in.Desired)
			}
			cur := r.get()
			return Plan{
				Summary:  fmt.Sprintf("set %s from %d to %d", in.Name, cur, in.Desired),
				Target:   in.Name,
				Changes:  []Change{{Field: "value", Current: cur, Desired: in.Desired}},
				NoChange: cur == in.Desired,
			}, fmt.Sprintf("value=%d", cur), nil
		},
		Apply: func(context.Context) (readBack, error) {
			r.applies.Add(1)
			if r.failing {
				return readBack{}, errors.New("service said no")
			}
			r.set(in.Desired)
			return readBack{Value: r.get()}, nil
		},
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	dir   string
	audit string
	clk   *clock
	gate  *Gate
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dir: filepath.Join(dir, "state"), audit: filepath.Join(dir, "audit.jsonl"), clk: &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)}}
	f.gate = f.newGate(t)
	return f
}

// newGate opens another Gate on the same state directory: a second process.
func (f *fixture) newGate(t *testing.T) *Gate {
	t.Helper()
	g, err := New(Options{StateDir: f.dir, AuditLog: f.audit, Now: f.clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (f *fixture) outcomes(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(f.audit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		var e AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		if e.Tool == "" || e.Time == "" || e.ArgsHash == "" {
			t.Errorf("audit entry lacks tool/time/args_hash: %s", sc.Text())
		}
		out = append(out, e.Outcome)
	}
	return out
}

func run(t *testing.T, g *Gate, r *fakeResource, in fakeIn) *mcp.CallToolResult {
	t.Helper()
	res, err := Run(context.Background(), g, mcp.CallToolRequest{}, r.action(in))
	if err != nil {
		t.Fatalf("Run: Go error %v", err)
	}
	return res
}

func outcome(t *testing.T, res *mcp.CallToolResult) Outcome[readBack] {
	t.Helper()
	if res.IsError {
		t.Fatalf("unexpected tool error: %s", text(res))
	}
	raw, _ := json.Marshal(res.StructuredContent)
	var o Outcome[readBack]
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	return o
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

func wantRefusal(t *testing.T, res *mcp.CallToolResult, substr string) {
	t.Helper()
	if !res.IsError {
		t.Fatalf("want a tool error containing %q, got success %+v", substr, res.StructuredContent)
	}
	if !strings.Contains(text(res), substr) {
		t.Fatalf("tool error %q does not mention %q", text(res), substr)
	}
}

func TestTokenPathAppliesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}

	o := outcome(t, run(t, f.gate, r, in))
	if o.Status != "planned" || o.Applied || o.ConfirmationToken == "" || o.ExpiresAt == "" {
		t.Fatalf("first call: want a plan with a token, got %+v", o)
	}
	if got := r.applies.Load(); got != 0 || r.get() != 1 {
		t.Fatalf("planning changed state: applies=%d value=%d", got, r.get())
	}
	if exp, err := time.Parse(time.RFC3339, o.ExpiresAt); err != nil || !exp.Equal(f.clk.now().Add(TokenTTL)) {
		t.Fatalf("expires_at %q, want now+%s", o.ExpiresAt, TokenTTL)
	}
	if len(o.Plan.Changes) != 1 || o.Plan.Changes[0].Current != float64(1) || o.Plan.Changes[0].Desired != float64(5) {
		t.Fatalf("plan changes %+v", o.Plan.Changes)
	}

	in.ConfirmationToken = o.ConfirmationToken
	o2 := outcome(t, run(t, f.gate, r, in))
	if o2.Status != "applied" || !o2.Applied || o2.ReadBack == nil || o2.ReadBack.Value != 5 {
		t.Fatalf("confirmed call: want applied with read-back 5, got %+v", o2)
	}
	if r.applies.Load() != 1 {
		t.Fatalf("applies = %d, want 1", r.applies.Load())
	}

	// Reuse: state is now 5, so the fingerprint differs too; the ledger must
	// refuse first. Set state back so only the ledger can catch it.
	r.set(1)
	wantRefusal(t, run(t, f.gate, r, in), "already used")
	if r.applies.Load() != 1 {
		t.Fatalf("reused token applied again")
	}
	want := []string{OutcomePlanned, OutcomeConfirmed, OutcomeApplied, OutcomeRefused}
	if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit outcomes %v, want %v", got, want)
	}
}

func TestTokenRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(f *fixture, r *fakeResource, in *fakeIn)
		want   string
	}{
		{"expired", func(f *fixture, _ *fakeResource, _ *fakeIn) { f.clk.advance(TokenTTL) }, "expired"},
		{"altered argument", func(_ *fixture, _ *fakeResource, in *fakeIn) { in.Desired = 6 }, "arguments differ"},
		{"altered target", func(_ *fixture, _ *fakeResource, in *fakeIn) { in.Name = "y" }, "arguments differ"},
		{"drifted state", func(_ *fixture, r *fakeResource, _ *fakeIn) { r.set(2) }, "live state changed"},
		{"tampered token", func(_ *fixture, _ *fakeResource, in *fakeIn) {
			b := []byte(in.ConfirmationToken)
			b[len(b)-2] ^= 1
			in.ConfirmationToken = string(b)
		}, "not one this server issued"},
		{"garbage token", func(_ *fixture, _ *fakeResource, in *fakeIn) { in.ConfirmationToken = "hello" }, "not one this server issued"},
		{"other key", func(f *fixture, _ *fakeResource, in *fakeIn) {
			c, _ := parse(f.gate.key, in.ConfirmationToken)
			tok, _ := sign([]byte(strings.Repeat("k", keyBytes)), c)
			in.ConfirmationToken = tok
		}, "not one this server issued"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			r := &fakeResource{value: 1}
			in := fakeIn{Name: "x", Desired: 5}
			in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
			tc.mutate(f, r, &in)
			before := r.get()
			wantRefusal(t, run(t, f.gate, r, in), tc.want)
			if r.applies.Load() != 0 || r.get() != before {
				t.Fatalf("refused token still changed state (applies=%d)", r.applies.Load())
			}
			if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint([]string{OutcomePlanned, OutcomeRefused}) {
				t.Fatalf("audit outcomes %v", got)
			}
		})
	}
}

func TestTokenForAnotherTool(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}
	in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	a := r.action(in)
	a.Tool = "other_write"
	res, err := Run(context.Background(), f.gate, mcp.CallToolRequest{}, a)
	if err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, res, "issued for fake_write")
	if r.applies.Load() != 0 {
		t.Fatal("applied with another tool's token")
	}
}

// Two Gates on one state directory stand for two `stream-mcp call`
// processes: the token of the first is honoured once by the second.
func TestTokenAcrossProcesses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}
	in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken

	second := f.newGate(t)
	if o := outcome(t, run(t, second, r, in)); !o.Applied {
		t.Fatalf("second process did not apply: %+v", o)
	}
	r.set(1)
	third := f.newGate(t)
	wantRefusal(t, run(t, third, r, in), "already used")
	wantRefusal(t, run(t, f.gate, r, in), "already used")
	if r.applies.Load() != 1 {
		t.Fatalf("applies = %d, want 1", r.applies.Load())
	}
}

// Many processes racing with one token: exactly one applies.
func TestTokenRaceAppliesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}
	in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	// Apply must not move the fingerprint for this test, so every racer
	// reaches the ledger: pin state by making Apply leave value alone.
	const racers = 8
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := New(Options{StateDir: f.dir, AuditLog: f.audit, Now: f.clk.now})
			if err != nil {
				t.Error(err)
				return
			}
			a := r.action(in)
			a.Apply = func(context.Context) (readBack, error) { r.applies.Add(1); return readBack{Value: 1}, nil }
			res, err := Run(context.Background(), g, mcp.CallToolRequest{}, a)
			if err == nil && !res.IsError {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || r.applies.Load() != 1 {
		t.Fatalf("successes=%d applies=%d, want exactly 1", ok.Load(), r.applies.Load())
	}
}

func TestPlanRefusalAndNoChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 3}
	wantRefusal(t, run(t, f.gate, r, fakeIn{Name: "x", Desired: -1}), "negative")
	o := outcome(t, run(t, f.gate, r, fakeIn{Name: "x", Desired: 3}))
	if o.Status != "no_change" || o.ConfirmationToken != "" || o.Applied {
		t.Fatalf("no-op plan: %+v", o)
	}
	if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint([]string{OutcomeRefused, OutcomeNoChange}) {
		t.Fatalf("audit outcomes %v", got)
	}
}

func TestApplyFailureSpendsToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1, failing: true}
	in := fakeIn{Name: "x", Desired: 5}
	in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	wantRefusal(t, run(t, f.gate, r, in), "service said no")
	wantRefusal(t, run(t, f.gate, r, in), "already used")
	if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint([]string{OutcomePlanned, OutcomeConfirmed, OutcomeFailed, OutcomeRefused}) {
		t.Fatalf("audit outcomes %v", got)
	}
}

// A change that was made but could not be read back is recorded and answered
// as applied, never as failed: a "failed" would invite applying it again.
func TestReadBackFailureIsApplied(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}
	in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	a := r.action(in)
	a.Apply = func(context.Context) (readBack, error) {
		r.applies.Add(1)
		r.set(in.Desired)
		return readBack{}, ReadBackFailed(errors.New("describe timed out"))
	}
	res, err := Run(context.Background(), f.gate, mcp.CallToolRequest{}, a)
	if err != nil {
		t.Fatal(err)
	}
	o := outcome(t, res)
	if o.Status != "applied" || !o.Applied || o.ReadBack != nil || !strings.Contains(o.Next, "describe timed out") {
		t.Fatalf("outcome %+v", o)
	}
	if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint([]string{OutcomePlanned, OutcomeConfirmed, OutcomeApplied}) {
		t.Fatalf("audit outcomes %v", got)
	}
	raw, _ := os.ReadFile(f.audit)
	if !strings.Contains(string(raw), "reading it back failed: describe timed out") {
		t.Fatalf("audit log lacks the read-back reason: %s", raw)
	}
	r.set(1)
	wantRefusal(t, run(t, f.gate, r, in), "already used")
	if ReadBackFailed(nil) != nil {
		t.Fatal("ReadBackFailed(nil) is not nil")
	}
}

func TestStateDirPermissionsAndPruning(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for p, want := range map[string]os.FileMode{f.dir: 0o700, filepath.Join(f.dir, spentDir): 0o700, filepath.Join(f.dir, keyFile): 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	// Same key across opens.
	if g2 := f.newGate(t); string(g2.key) != string(f.gate.key) {
		t.Fatal("second open produced another key")
	}
	// Spend two tokens; after both expire, the next spend prunes them.
	r := &fakeResource{value: 1}
	for _, v := range []int{5, 6} {
		in := fakeIn{Name: "x", Desired: v}
		in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
		if !outcome(t, run(t, f.gate, r, in)).Applied {
			t.Fatal("not applied")
		}
	}
	if n := f.gate.store.ledgerSize(); n != 2 {
		t.Fatalf("ledger size %d, want 2", n)
	}
	f.clk.advance(TokenTTL + pruneGrace + time.Second)
	in := fakeIn{Name: "x", Desired: 7}
	in.ConfirmationToken = outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	if !outcome(t, run(t, f.gate, r, in)).Applied {
		t.Fatal("not applied")
	}
	if n := f.gate.store.ledgerSize(); n != 1 {
		t.Fatalf("ledger size after pruning %d, want 1", n)
	}
	// An audit log file is created 0600.
	if st, err := os.Stat(f.audit); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("audit log mode: %v %v", st.Mode().Perm(), err)
	}
}

func TestKeyReadableByOthersRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := os.Chmod(filepath.Join(f.dir, keyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateDir: f.dir}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("want an error about key permissions, got %v", err)
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("want an error without a state directory")
	}
}

// --state-dir pointed at a directory that is open to others: an empty one
// (or one holding only our state) is made private; one holding other files
// is refused and its mode left alone.
func TestStateDirOpenToOthers(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "empty")
	shared := filepath.Join(t.TempDir(), "shared")
	for _, d := range []string{empty, shared} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil { // whatever the umask
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(shared, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateDir: empty}); err != nil {
		t.Fatalf("empty directory: %v", err)
	}
	if st, _ := os.Stat(empty); st.Mode().Perm() != 0o700 {
		t.Fatalf("empty directory left at %v, want 0700", st.Mode().Perm())
	}
	if _, err := New(Options{StateDir: shared}); err == nil || !strings.Contains(err.Error(), "directory of its own") {
		t.Fatalf("shared directory: want a refusal, got %v", err)
	}
	if st, _ := os.Stat(shared); st.Mode().Perm() != 0o755 {
		t.Fatalf("shared directory's mode changed to %v", st.Mode().Perm())
	}
	for _, n := range []string{keyFile, spentDir} {
		if _, err := os.Stat(filepath.Join(shared, n)); err == nil {
			t.Fatalf("%s was created in the shared directory", n)
		}
	}
}

// A key file that is a symlink is refused, not followed.
func TestKeySymlinkRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(other, []byte(strings.Repeat("k", keyBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	kp := filepath.Join(f.dir, keyFile)
	if err := os.Remove(kp); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(other, kp); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateDir: f.dir}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("want a refusal of the symlinked key, got %v", err)
	}
}

// The gate itself never writes an argument value: only its hash. (Target,
// Summary and Reason are the tool's words; this plan keeps them free of the
// value, so anything found in the log came from the gate.) Every outcome is
// driven: planned, refused (altered arguments, reuse), confirmed, applied,
// failed, and the elicitation flow's planned and declined.
func TestAuditLogNeverHoldsArgumentValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	secret := "s3cr3t-value-not-for-logs"
	act := func(in fakeIn) Action[readBack] {
		a := r.action(in)
		a.Plan = func(context.Context) (Plan, string, error) {
			return Plan{Summary: "change x", Target: "x", Changes: []Change{{Field: "v", Current: 1, Desired: 5}}}, "fp", nil
		}
		return a
	}
	do := func(ctx context.Context, req mcp.CallToolRequest, in fakeIn) *mcp.CallToolResult {
		t.Helper()
		res, err := Run(ctx, f.gate, req, act(in))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	in := fakeIn{Name: secret, Desired: 5}
	tok := outcome(t, do(context.Background(), mcp.CallToolRequest{}, in)).ConfirmationToken
	altered := fakeIn{Name: secret + "-2", Desired: 5, ConfirmationToken: tok}
	wantRefusal(t, do(context.Background(), mcp.CallToolRequest{}, altered), "arguments differ")
	in.ConfirmationToken = tok
	if !outcome(t, do(context.Background(), mcp.CallToolRequest{}, in)).Applied {
		t.Fatal("not applied")
	}
	wantRefusal(t, do(context.Background(), mcp.CallToolRequest{}, in), "already used")
	r.failing = true
	in.ConfirmationToken = ""
	in.ConfirmationToken = outcome(t, do(context.Background(), mcp.CallToolRequest{}, in)).ConfirmationToken
	wantRefusal(t, do(context.Background(), mcp.CallToolRequest{}, in), "service said no")

	elicitCtx := mcpserver.WithRequestProtocolInfo(context.Background(), &mcpserver.RequestProtocolInfo{
		Modern: true, ProtocolVersion: mcp.LATEST_PROTOCOL_VERSION,
		ClientCapabilities: &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{}},
	})
	in.ConfirmationToken = ""
	res := do(elicitCtx, mcp.CallToolRequest{}, in)
	req := mcp.CallToolRequest{}
	req.Params.RequestState = res.RequestState
	req.Params.InputResponses = mcp.InputResponses{"confirm": mcp.NewElicitationInputResponse(mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}})}
	if o := outcome(t, do(elicitCtx, req, in)); o.Status != "declined" {
		t.Fatalf("elicitation: %+v", o)
	}

	want := []string{OutcomePlanned, OutcomeRefused, OutcomeConfirmed, OutcomeApplied, OutcomeRefused, OutcomePlanned, OutcomeConfirmed, OutcomeFailed, OutcomePlanned, OutcomeDeclined}
	if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit outcomes %v, want %v", got, want)
	}
	raw, _ := os.ReadFile(f.audit)
	if strings.Contains(string(raw), "s3cr3t") {
		t.Fatalf("audit log holds an argument value: %s", raw)
	}
}

func TestAuditToStderrWriter(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	g, err := New(Options{StateDir: t.TempDir(), AuditLog: "stderr", Stderr: w})
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeResource{value: 1}
	run(t, g, r, fakeIn{Name: "x", Desired: 2})
	if !strings.Contains(buf.String(), `"outcome":"planned"`) {
		t.Fatalf("stderr audit: %q", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A call a tool refuses before planning is on the audit record too.
func TestRejectIsAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := Reject(f.gate, "fake_write", fakeIn{Name: "x", Desired: 1}, "name is required; send name")
	wantRefusal(t, res, "name is required")
	if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint([]string{OutcomeRefused}) {
		t.Fatalf("audit outcomes %v", got)
	}
	if res := Reject(nil, "fake_write", fakeIn{}, "no gate"); !res.IsError {
		t.Fatal("nil gate: want a tool error")
	}
}

// A value with newlines cannot draw lines of its own in the plan the user
// confirms (an extra change, a fake "Target:").
func TestMarkdownKeepsValuesOnOneLine(t *testing.T) {
	t.Parallel()
	evil := "x\n\nTarget: the-test-topic\nChanges:\n- BatchSize: 500 -> 100\x1b[2K"
	p := Plan{
		Summary: "update " + evil, Target: "real-target",
		Changes:   []Change{{Field: "FunctionName", Current: "f", Desired: evil, Note: evil}, {Field: evil, Current: 1, Desired: 2}},
		Risks:     []string{evil},
		Untouched: []string{evil},
	}
	md := p.Markdown()
	lines := strings.Split(md, "\n")
	// summary, target, blank, "Changes:", 2 changes, blank, "Risks:", 1,
	// blank, "Not touched:", 1.
	if len(lines) != 12 {
		t.Fatalf("%d lines, want 12:\n%s", len(lines), md)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "Target:") && l != "Target: real-target" {
			t.Fatalf("a value drew its own target line: %q", l)
		}
		if strings.ContainsRune(l, 0x1b) {
			t.Fatalf("escape character passed through: %q", l)
		}
	}
	if !strings.Contains(md, `x\n\nTarget: the-test-topic`) {
		t.Fatalf("value not shown escaped:\n%s", md)
	}
}

func TestNilGate(t *testing.T) {
	t.Parallel()
	r := &fakeResource{}
	res, err := Run(context.Background(), nil, mcp.CallToolRequest{}, r.action(fakeIn{Name: "x", Desired: 1}))
	if err != nil || !res.IsError {
		t.Fatalf("nil gate: %v %v", res, err)
	}
}

// --- elicitation through a real MCP server and the in-process client ---

func newServer(t *testing.T, g *Gate, r *fakeResource) *mcpserver.MCPServer {
	t.Helper()
	s := mcpserver.NewMCPServer("t", "0", mcpserver.WithToolCapabilities(false), mcpserver.WithElicitation())
	tool := mcp.NewTool("fake_write", mcp.WithString("name"), mcp.WithNumber("desired"), mcp.WithString("confirmation_token"))
	s.AddTool(tool, mcp.NewTypedToolHandler(func(ctx context.Context, req mcp.CallToolRequest, in fakeIn) (*mcp.CallToolResult, error) {
		return Run(ctx, g, req, r.action(in))
	}))
	return s
}

type elicitFunc func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error)

func (f elicitFunc) Elicit(ctx context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return f(ctx, r)
}

func connect(t *testing.T, s *mcpserver.MCPServer, h client.ElicitationHandler, version string) *client.Client {
	t.Helper()
	var opts []client.ClientOption
	if h != nil {
		opts = append(opts, client.WithElicitationHandler(h))
	}
	c, err := client.NewInProcessClientWithOptions(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	if got := c.ProtocolVersion(); got != version {
		t.Fatalf("negotiated protocol %q, want %q", got, version)
	}
	return c
}

func callTool(t *testing.T, c *client.Client, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = "fake_write"
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("CallTool: %v", err)
	}
	return res
}

func TestElicitation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		answer      mcp.ElicitationResponse
		wantStatus  string
		wantApplied bool
		wantAudit   []string
	}{
		{"accept", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}, "applied", true,
			[]string{OutcomePlanned, OutcomeConfirmed, OutcomeApplied}},
		{"decline", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}, "declined", false,
			[]string{OutcomePlanned, OutcomeDeclined}},
		{"cancel", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionCancel}, "cancelled", false,
			[]string{OutcomePlanned, OutcomeCancelled}},
		{"accept but unticked", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": false}}, "declined", false,
			[]string{OutcomePlanned, OutcomeDeclined}},
		{"accept without content", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept}, "declined", false,
			[]string{OutcomePlanned, OutcomeDeclined}},
		{"accept without the field", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"other": true}}, "declined", false,
			[]string{OutcomePlanned, OutcomeDeclined}},
		{"accept with confirm as a string", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": "true"}}, "declined", false,
			[]string{OutcomePlanned, OutcomeDeclined}},
		{"accept with a struct", mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: struct {
			Confirm bool `json:"confirm"`
		}{true}}, "applied", true,
			[]string{OutcomePlanned, OutcomeConfirmed, OutcomeApplied}},
	}
	// 2026-07-28 carries the question as a multi round-trip result the
	// client answers and retries; 2025-11-25 gets a server-initiated
	// elicitation/create that mcp-go bridges to the same handler.
	for _, tc := range tests {
		for _, version := range []string{mcp.LATEST_PROTOCOL_VERSION, mcp.LATEST_LEGACY_PROTOCOL_VERSION} {
			t.Run(tc.name+"/"+version, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				r := &fakeResource{value: 1}
				var asked atomic.Int32
				var message string
				h := elicitFunc(func(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
					asked.Add(1)
					message = req.Params.Message
					if r.applies.Load() != 0 || r.get() != 1 {
						t.Error("state changed before the user answered")
					}
					return &mcp.ElicitationResult{ElicitationResponse: tc.answer}, nil
				})
				c := connect(t, newServer(t, f.gate, r), h, version)
				res := callTool(t, c, map[string]any{"name": "x", "desired": 5})
				o := outcome(t, res)
				if asked.Load() != 1 {
					t.Fatalf("elicitation asked %d times, want 1", asked.Load())
				}
				if !strings.Contains(message, "value: 1 -> 5") {
					t.Errorf("elicitation message does not show the plan: %q", message)
				}
				if o.Status != tc.wantStatus || o.Applied != tc.wantApplied || o.ConfirmationToken != "" {
					t.Fatalf("outcome %+v, want status %s applied %v and no token", o, tc.wantStatus, tc.wantApplied)
				}
				wantApplies, wantValue := int32(0), 1
				if tc.wantApplied {
					wantApplies, wantValue = 1, 5
				}
				if r.applies.Load() != wantApplies || r.get() != wantValue {
					t.Fatalf("applies=%d value=%d, want %d/%d", r.applies.Load(), r.get(), wantApplies, wantValue)
				}
				if got := f.outcomes(t); fmt.Sprint(got) != fmt.Sprint(tc.wantAudit) {
					t.Fatalf("audit outcomes %v, want %v", got, tc.wantAudit)
				}
			})
		}
	}
}

// Drift between the plan shown in the elicitation and the user's accept is
// refused.
func TestElicitationDrift(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	h := elicitFunc(func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
		r.set(2) // someone else changed it while the user read the plan
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}}, nil
	})
	c := connect(t, newServer(t, f.gate, r), h, mcp.LATEST_PROTOCOL_VERSION)
	wantRefusal(t, callTool(t, c, map[string]any{"name": "x", "desired": 5}), "live state changed")
	if r.applies.Load() != 0 {
		t.Fatal("applied despite drift")
	}
}

// A client without the elicitation capability gets the token path.
func TestNoElicitationCapabilityGetsToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	c := connect(t, newServer(t, f.gate, r), nil, mcp.LATEST_PROTOCOL_VERSION)
	o := outcome(t, callTool(t, c, map[string]any{"name": "x", "desired": 5}))
	if o.Status != "planned" || o.ConfirmationToken == "" {
		t.Fatalf("want a token, got %+v", o)
	}
	o2 := outcome(t, callTool(t, c, map[string]any{"name": "x", "desired": 5, "confirmation_token": o.ConfirmationToken}))
	if !o2.Applied || r.applies.Load() != 1 {
		t.Fatalf("token path over MCP did not apply once: %+v applies=%d", o2, r.applies.Load())
	}
}

// A token presented by a client that can elicit still asks the user.
func TestTokenWithElicitationStillAsks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}
	tok := outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	h := elicitFunc(func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
	})
	c := connect(t, newServer(t, f.gate, r), h, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	o := outcome(t, callTool(t, c, map[string]any{"name": "x", "desired": 5, "confirmation_token": tok}))
	if o.Status != "declined" || r.applies.Load() != 0 {
		t.Fatalf("want declined without applying, got %+v", o)
	}
}

// A prompt's request state cannot be replayed as confirmation_token (that
// would apply without the user), and a confirmation_token cannot be passed
// off as a prompt's state with a forged "accept".
func TestTokensStayInTheirFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}

	elicitCtx := mcpserver.WithRequestProtocolInfo(context.Background(), &mcpserver.RequestProtocolInfo{
		Modern: true, ProtocolVersion: mcp.LATEST_PROTOCOL_VERSION,
		ClientCapabilities: &mcp.ClientCapabilities{Elicitation: &mcp.ElicitationCapability{}},
	})
	res, err := Run(elicitCtx, f.gate, mcp.CallToolRequest{}, r.action(in))
	if err != nil || !res.NeedsInput() || res.RequestState == "" {
		t.Fatalf("want an input-required result with state, got %+v %v", res, err)
	}
	replay := in
	replay.ConfirmationToken = res.RequestState
	wantRefusal(t, run(t, f.gate, r, replay), "belongs to a confirmation prompt")

	tok := outcome(t, run(t, f.gate, r, in)).ConfirmationToken
	req := mcp.CallToolRequest{}
	req.Params.RequestState = tok
	req.Params.InputResponses = mcp.InputResponses{"confirm": mcp.NewElicitationInputResponse(mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept}})}
	res, err = Run(context.Background(), f.gate, req, r.action(in))
	if err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, res, "does not belong to a prompt")
	if r.applies.Load() != 0 {
		t.Fatal("applied across flows")
	}
}
