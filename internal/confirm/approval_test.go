package confirm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Design point of #21: without elicitation the confirmation token was
// handed to the model, so a prompt-injected model could confirm its own
// plan. With --confirm=elicitation the model gets a plan id only; the plan
// applies after a person approved it out of band (stream-mcp approve), and
// a token from anywhere is refused.
func TestElicitationModeNeverHandsTheModelAToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g, err := New(Options{StateDir: f.dir, AuditLog: f.audit, Now: f.clk.now, Mode: ModeElicitation})
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeResource{value: 1}
	in := fakeIn{Name: "x", Desired: 5}

	res := run(t, g, r, in)
	o := outcome(t, res)
	if o.Status != "awaiting_approval" || o.ConfirmationToken != "" || !planIDPattern.MatchString(o.PlanID) {
		t.Fatalf("want a plan id and no token, got %+v", o)
	}
	if strings.Contains(text(res), ".") && strings.Contains(text(res), "eyJ") {
		t.Fatalf("the answer carries something token-like: %q", text(res))
	}
	if !strings.Contains(o.Next, "stream-mcp approve "+o.PlanID) || !strings.Contains(o.Next, "cannot approve it yourself") {
		t.Fatalf("next %q", o.Next)
	}
	// The parked plan file is private.
	st, err := os.Stat(filepath.Join(f.dir, pendingDir, o.PlanID+".json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("parked plan: %v %v", st, err)
	}

	// The model sends the plan id back before anyone approved: refused.
	in.ConfirmationToken = o.PlanID
	wantRefusal(t, run(t, g, r, in), "not approved yet")
	if r.applies.Load() != 0 {
		t.Fatal("applied without approval")
	}
	// A token the model got elsewhere (a --confirm=token process on the
	// same state directory) is refused too.
	tokOut := outcome(t, run(t, f.gate, r, fakeIn{Name: "x", Desired: 5}))
	wantRefusal(t, run(t, g, r, fakeIn{Name: "x", Desired: 5, ConfirmationToken: tokOut.ConfirmationToken}), "--confirm=elicitation")
	// A plan id in token mode is refused.
	wantRefusal(t, run(t, f.gate, r, in), "does not use")

	// A person approves; the id then applies once, with the drift check.
	p, err := LoadPending(f.dir, o.PlanID)
	if err != nil || !strings.Contains(p.Markdown(), "set x from 1 to 5") {
		t.Fatalf("pending %+v %v", p, err)
	}
	if err := Approve(f.dir, o.PlanID, f.clk.now()); err != nil {
		t.Fatal(err)
	}
	o2 := outcome(t, run(t, g, r, in))
	if !o2.Applied || r.get() != 5 || r.applies.Load() != 1 {
		t.Fatalf("after approval: %+v value %d", o2, r.get())
	}
	wantRefusal(t, run(t, g, r, in), "no plan")
	if r.applies.Load() != 1 {
		t.Fatal("applied twice")
	}
	// Bad ids never name a file outside the directory.
	if _, err := LoadPending(f.dir, "../confirm.key"); err == nil {
		t.Fatal("a path was accepted as a plan id")
	}
}

// An approved plan whose live state drifted is refused, and an expired
// plan cannot be approved.
func TestApprovedPlanStillChecksDriftAndExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	g, err := New(Options{StateDir: f.dir, AuditLog: f.audit, Now: f.clk.now, Mode: ModeElicitation})
	if err != nil {
		t.Fatal(err)
	}
	r := &fakeResource{value: 1}
	o := outcome(t, run(t, g, r, fakeIn{Name: "x", Desired: 5}))
	if err := Approve(f.dir, o.PlanID, f.clk.now()); err != nil {
		t.Fatal(err)
	}
	r.set(2)
	wantRefusal(t, run(t, g, r, fakeIn{Name: "x", Desired: 5, ConfirmationToken: o.PlanID}), "live state changed")
	o2 := outcome(t, run(t, g, r, fakeIn{Name: "y", Desired: 7}))
	f.clk.advance(TokenTTL + time.Second)
	if err := Approve(f.dir, o2.PlanID, f.clk.now()); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("approving an expired plan: %v", err)
	}
}
