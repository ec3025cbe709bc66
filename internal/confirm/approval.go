package confirm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// Confirmation modes (--confirm).
const (
	// ModeToken: a client without elicitation gets a confirmation_token
	// with the plan, which the model sends back to apply it. Convenient,
	// but the model holds the token: a prompt-injected model can confirm
	// its own plan.
	ModeToken = "token"
	// ModeElicitation: only the user confirms. A client that can elicit
	// asks its user; for one that cannot, the plan waits in the state
	// directory for a person to run `stream-mcp approve PLAN_ID` in a
	// terminal. No token ever reaches the model.
	ModeElicitation = "elicitation"
)

// pendingDir holds plans waiting for out-of-band approval.
const pendingDir = "pending-plans"

// planIDPattern is a plan id: the token's 16-byte nonce in hex. Checked
// before it names a file, so an id cannot reach outside pendingDir.
var planIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Pending is a plan waiting for a person's approval.
type Pending struct {
	ID      string `json:"id"`
	Tool    string `json:"tool"`
	Plan    Plan   `json:"plan"`
	Expires string `json:"expires_at"`
	// token is the signed confirmation token, kept on disk (0600) and
	// never shown to the model.
	Token string `json:"token"`
}

// Markdown renders what the person approves.
func (p Pending) Markdown() string {
	return fmt.Sprintf("%s wants to make this change (nothing has changed yet):\n\n%s\n\nPlan %s, valid until %s.", p.Tool, p.Plan.Markdown(), p.ID, p.Expires)
}

func (s *store) pendingPath(id, ext string) (string, error) {
	if !planIDPattern.MatchString(id) {
		return "", fmt.Errorf("%q is not a plan id (32 hex characters, as the tool's answer gives it)", id)
	}
	return filepath.Join(s.dir, pendingDir, id+ext), nil
}

// park stores a plan for out-of-band approval. Plans parked longer than a
// token lives (plus pruneGrace) are removed first, so the directory stays
// bounded by the plans of one TTL.
func (s *store) park(p Pending) error {
	dir := filepath.Join(s.dir, pendingDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("confirm: create %s: %w", pendingDir, err)
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > TokenTTL+pruneGrace {
				_ = os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	path, err := s.pendingPath(p.ID, ".json")
	if err != nil {
		return err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("confirm: encode plan: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("confirm: park plan: %w", err)
	}
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return fmt.Errorf("confirm: park plan: %w", err)
	}
	return f.Close()
}

// LoadPending reads a parked plan from the state directory, for `stream-mcp
// approve` to show it. It fails for an unknown or malformed id.
func LoadPending(stateDir, id string) (Pending, error) {
	s := &store{dir: stateDir}
	return s.loadPending(id)
}

func (s *store) loadPending(id string) (Pending, error) {
	path, err := s.pendingPath(id, ".json")
	if err != nil {
		return Pending{}, err
	}
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Pending{}, fmt.Errorf("no plan %s is waiting in %s (expired, applied, or another --state-dir)", id, s.dir)
	}
	if err != nil {
		return Pending{}, err
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o077 != 0 {
		return Pending{}, fmt.Errorf("plan file %s is not a private regular file; refusing it", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Pending{}, err
	}
	var p Pending
	if err := json.Unmarshal(raw, &p); err != nil || p.ID != id {
		return Pending{}, fmt.Errorf("plan file %s is damaged", path)
	}
	return p, nil
}

// Approve records a person's approval of a parked plan (an .approved
// marker beside it, created once). `stream-mcp approve` calls it only
// after the person typed the approval on the terminal.
func Approve(stateDir, id string, now time.Time) error {
	s := &store{dir: stateDir}
	p, err := s.loadPending(id)
	if err != nil {
		return err
	}
	if exp, err := time.Parse(time.RFC3339, p.Expires); err == nil && !now.Before(exp) {
		return fmt.Errorf("plan %s expired at %s; ask the assistant to plan again", id, p.Expires)
	}
	path, _ := s.pendingPath(id, ".approved")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // approved before: the same answer
	}
	if err != nil {
		return fmt.Errorf("confirm: record approval: %w", err)
	}
	if _, err := f.WriteString(now.UTC().Format(time.RFC3339) + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (s *store) approved(id string) bool {
	path, err := s.pendingPath(id, ".approved")
	if err != nil {
		return false
	}
	st, err := os.Lstat(path)
	return err == nil && st.Mode().IsRegular()
}

// forget removes a parked plan and its approval.
func (s *store) forget(id string) {
	for _, ext := range []string{".json", ".approved"} {
		if path, err := s.pendingPath(id, ext); err == nil {
			_ = os.Remove(path)
		}
	}
}

// awaitApproval parks the plan and answers the model with its id and what
// the person must do; the token stays on disk.
func awaitApproval[T any](g *Gate, p Plan, tok string, c claims, base AuditEntry) (*mcp.CallToolResult, error) {
	exp := c.expiry().UTC().Format(time.RFC3339)
	if err := g.store.park(Pending{ID: c.ID, Tool: base.Tool, Plan: p, Expires: exp, Token: tok}); err != nil {
		return mcp.NewToolResultError(err.Error() + "; nothing changed"), nil
	}
	base.Outcome, base.TokenID, base.Via = OutcomePlanned, c.ID, "approval"
	if err := g.record(base); err != nil {
		g.store.forget(c.ID)
		return mcp.NewToolResultError(err.Error() + "; nothing changed"), nil
	}
	out := Outcome[T]{
		Status: "awaiting_approval", Plan: p, PlanID: c.ID, ExpiresAt: exp,
		Next: fmt.Sprintf("nothing has changed. This server only applies changes a person approves, and this client cannot ask them: show the user this plan and ask them to run `stream-mcp approve %s` in a terminal (same --state-dir) before %s; after they approve, call %s again with the same arguments plus confirmation_token=%s. You cannot approve it yourself", c.ID, exp, base.Tool, c.ID),
	}
	return mcp.NewToolResultStructured(out, "Plan awaiting approval by a person (nothing changed yet):\n"+p.Markdown()+"\n\nApprove in a terminal: stream-mcp approve "+c.ID), nil
}

// applyApproved applies a parked plan once a person approved it.
func applyApproved[T any](ctx context.Context, g *Gate, id string, a Action[T], ah string, base AuditEntry) (*mcp.CallToolResult, error) {
	pend, err := g.store.loadPending(id)
	if err != nil {
		return g.refuse(base, "", "approval", err.Error()+"; call "+a.Tool+" without confirmation_token for a new plan")
	}
	if !g.store.approved(id) {
		return g.refuse(base, id, "approval", fmt.Sprintf("plan %s is not approved yet: the user must run `stream-mcp approve %s` in a terminal first; nothing changed", id, id))
	}
	c, msg := g.check(pend.Token, a.Tool, ah, modeToken)
	if msg != "" {
		return g.refuse(base, c.ID, "approval", msg)
	}
	res, err := applyAction(ctx, g, c, a, base, "approval")
	g.store.forget(id)
	return res, err
}
