package confirm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/stream-mcp/stream-mcp/internal/caller"
)

// elicitID keys the confirmation question in a multi round-trip exchange.
const elicitID = "confirm"

// Options configure a Gate.
type Options struct {
	// StateDir holds the key and the spent-token ledger (created 0700).
	StateDir string
	// AuditLog is a file path, or "stderr" (also the default when empty).
	AuditLog string
	// Stderr receives the audit log when AuditLog is "stderr" (default
	// os.Stderr).
	Stderr io.Writer
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	// Mode is ModeToken (default) or ModeElicitation.
	Mode string
}

// Gate issues and checks confirmation tokens and keeps the audit log. It is
// safe for concurrent use, and several processes may share one state
// directory.
type Gate struct {
	store *store
	key   []byte
	audit *auditLog
	now   func() time.Time
	mode  string
}

// New opens (creating if needed) the state directory and its key. It returns
// an error when the directory cannot be created or the key is unreadable or
// readable by others.
func New(opts Options) (*Gate, error) {
	s, key, err := openStore(opts.StateDir)
	if err != nil {
		return nil, err
	}
	a := &auditLog{}
	switch opts.AuditLog {
	case "", "stderr":
		a.w = opts.Stderr
		if a.w == nil {
			a.w = os.Stderr
		}
	default:
		a.path = opts.AuditLog
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	mode := opts.Mode
	switch mode {
	case "":
		mode = ModeToken
	case ModeToken, ModeElicitation:
	default:
		return nil, fmt.Errorf("confirm: mode %q is not %s or %s", mode, ModeToken, ModeElicitation)
	}
	return &Gate{store: s, key: key, audit: a, now: now, mode: mode}, nil
}

// Action is one write a tool asks the gate to plan and, once confirmed,
// apply. T is the type Apply reads back.
type Action[T any] struct {
	// Tool is the tool name; a token is valid for this tool only.
	Tool string
	// Args are the tool's arguments. They are hashed as canonical JSON with
	// a top-level confirmation_token removed, so passing the decoded input
	// struct as is works.
	Args any
	// Token is the confirmation_token the caller sent ("" when none).
	Token string
	// Plan reads live state and returns the plan and a fingerprint of every
	// piece of state the change depends on. It must not change anything.
	// Its error is shown to the caller as a tool error, so it should say
	// what was wrong and what to send instead (a rule-engine violation, a
	// resource not found). Wrap it with Refuse to record "refused" instead of
	// "failed" in the audit log.
	Plan func(ctx context.Context) (Plan, string, error)
	// Apply performs the change and reads the result back. It runs at most
	// once per token, only after the fingerprint was re-checked.
	Apply func(ctx context.Context) (T, error)
}

// Refusal is a plan the tool refuses to make (bad input, a rule-engine
// error, a group with active members). It is a tool error, not a failure.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }

// ReadBackError is an Apply error that came after the change was made: the
// write succeeded and only reading the result back failed. Run records it
// as applied (with the reason) and answers applied: true without read_back,
// so nobody takes a change that happened for one that failed.
type ReadBackError struct{ Err error }

func (e *ReadBackError) Error() string {
	return "the change was made, but reading it back failed: " + e.Err.Error()
}

// Unwrap returns the read error.
func (e *ReadBackError) Unwrap() error { return e.Err }

// ReadBackFailed marks err, returned by Apply after its write succeeded, as
// a failed read-back (nil stays nil).
func ReadBackFailed(err error) error {
	if err == nil {
		return nil
	}
	return &ReadBackError{Err: err}
}

// Refuse returns a Refusal with a formatted message.
func Refuse(format string, args ...any) error {
	return &Refusal{Msg: fmt.Sprintf(format, args...)}
}

// Run plans, asks for confirmation or checks it, and applies; see the
// package documentation for the flows. Every tool-level problem (a refused
// token, a failed plan or apply) comes back as a tool error result; the Go
// error is reserved for bugs.
func Run[T any](ctx context.Context, g *Gate, req mcp.CallToolRequest, a Action[T]) (*mcp.CallToolResult, error) {
	if g == nil {
		return mcp.NewToolResultError(a.Tool + " is not available: the confirmation gate is not configured (this process has no state directory); restart with --allow-write and a writable --state-dir"), nil
	}
	ah, err := argsHash(a.Args)
	if err != nil {
		return nil, err
	}
	base := AuditEntry{Tool: a.Tool, ArgsHash: ah, Caller: callerID(ctx)}

	// A retry carrying the user's answer to our elicitation.
	if answer := mcpserver.ElicitationResponse(req.Params.InputResponses, elicitID); answer != nil {
		return answered(ctx, g, req.Params.RequestState, answer, a, base)
	}

	if a.Token != "" && planIDPattern.MatchString(a.Token) {
		if g.mode != ModeElicitation {
			return g.refuse(base, "", "approval", "that is a plan id for out-of-band approval, which this server (--confirm=token) does not use; send the confirmation_token its plan gave, or call "+a.Tool+" without confirmation_token for a new plan")
		}
		return applyApproved(ctx, g, a.Token, a, ah, base)
	}
	if a.Token != "" && g.mode == ModeElicitation {
		return g.refuse(base, "", "token", "this server runs with --confirm=elicitation: only the user confirms changes (through the client's prompt, or `stream-mcp approve PLAN_ID` in a terminal), so confirmation tokens are not accepted; call "+a.Tool+" without confirmation_token for a plan")
	}
	if a.Token != "" {
		c, msg := g.check(a.Token, a.Tool, ah, modeToken)
		if msg != "" {
			return g.refuse(base, c.ID, "token", msg)
		}
		if clientCanElicit(ctx) {
			// The client can ask its user, so the user is asked even though
			// a token was presented (STYLE.md rule 21): re-plan to show what
			// applies now, then elicit with the same token as state.
			p, fp, res := g.plan(ctx, a, base)
			if res != nil {
				return res, nil
			}
			if hashHex([]byte(fp)) != c.State {
				return g.refuse(base, c.ID, "token", driftMsg(a.Tool))
			}
			// The prompt's state is the same token (same id, so one
			// spend covers both) minted for the elicitation flow.
			ce := c
			ce.Mode = modeElicit
			tok, err := sign(g.key, ce)
			if err != nil {
				return nil, err
			}
			return g.elicit(p, tok, ce, base)
		}
		return applyAction(ctx, g, c, a, base, "token")
	}

	p, fp, res := g.plan(ctx, a, base)
	if res != nil {
		return res, nil
	}
	base.PlanHash, base.Target, base.Summary = planHash(p), p.Target, p.Summary
	if p.NoChange {
		base.Outcome = OutcomeNoChange
		if err := g.record(base); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		out := Outcome[T]{Status: "no_change", Plan: p, Next: "nothing to apply: live state already matches the request"}
		return mcp.NewToolResultStructured(out, "No change needed: "+p.Summary), nil
	}
	exp := g.now().Add(TokenTTL)
	id, err := newNonce()
	if err != nil {
		return nil, err
	}
	c := claims{Version: tokenVersion, ID: id, Tool: a.Tool, Args: ah, State: hashHex([]byte(fp)), Plan: base.PlanHash, Exp: exp.Unix(), Mode: modeToken}
	if clientCanElicit(ctx) {
		c.Mode = modeElicit
	}
	tok, err := sign(g.key, c)
	if err != nil {
		return nil, err
	}
	if c.Mode == modeElicit {
		return g.elicit(p, tok, c, base)
	}
	if g.mode == ModeElicitation {
		// The client cannot ask its user, and the model must not hold a
		// token it could send back itself: a person approves out of band.
		return awaitApproval[T](g, p, tok, c, base)
	}
	base.Outcome, base.TokenID, base.Via = OutcomePlanned, id, "token"
	if err := g.record(base); err != nil {
		return mcp.NewToolResultError(err.Error() + "; no token was issued and nothing changed"), nil
	}
	out := Outcome[T]{
		Status: "planned", Plan: p, ConfirmationToken: tok, ExpiresAt: exp.UTC().Format(time.RFC3339),
		Next: fmt.Sprintf("nothing has changed; show this plan to the user, and only if they approve call %s again with the same arguments plus confirmation_token (valid until %s, single use)", a.Tool, exp.UTC().Format(time.RFC3339)),
	}
	return mcp.NewToolResultStructured(out, "Plan (nothing changed yet):\n"+p.Markdown()), nil
}

// Reject records a call the tool refuses before it can plan (missing or
// contradictory arguments, no client, an unreachable cluster) and returns
// msg as the tool error, so such attempts reach the audit log too. A nil
// gate only returns the error.
func Reject(g *Gate, tool string, args any, msg string) *mcp.CallToolResult {
	if g == nil {
		return mcp.NewToolResultError(msg)
	}
	ah, err := argsHash(args)
	if err != nil {
		return mcp.NewToolResultError(msg)
	}
	res, _ := g.refuse(AuditEntry{Tool: tool, ArgsHash: ah}, "", "", msg)
	return res
}

// plan runs the action's Plan and turns its error into a recorded tool error.
func (g *Gate) plan(ctx context.Context, a planner, base AuditEntry) (Plan, string, *mcp.CallToolResult) {
	p, fp, err := a.plan(ctx)
	if err == nil {
		return p, fp, nil
	}
	base.Outcome = OutcomeFailed
	var r *Refusal
	if errors.As(err, &r) {
		base.Outcome = OutcomeRefused
	}
	base.Reason = err.Error()
	if aerr := g.record(base); aerr != nil {
		return Plan{}, "", mcp.NewToolResultError(err.Error() + "; also: " + aerr.Error())
	}
	return Plan{}, "", mcp.NewToolResultError(err.Error())
}

// planner lets plan take any Action[T].
type planner interface {
	plan(ctx context.Context) (Plan, string, error)
}

func (a Action[T]) plan(ctx context.Context) (Plan, string, error) { return a.Plan(ctx) }

// check verifies a token's signature, tool, arguments, expiry and that it is
// unspent. It returns the claims and "" or a refusal message.
func (g *Gate) check(token, tool, argsHash, mode string) (claims, string) {
	c, err := parse(g.key, token)
	if err != nil {
		return claims{}, err.Error() + "; call " + tool + " without confirmation_token to get a fresh plan and token"
	}
	switch {
	case c.Mode != mode && mode == modeToken:
		return c, fmt.Sprintf("this token belongs to a confirmation prompt shown to the user and cannot be sent as confirmation_token; answer the prompt, or call %s without confirmation_token for a plan", tool)
	case c.Mode != mode:
		return c, "the confirmation answer does not belong to a prompt this server showed; nothing changed. Call " + tool + " again for a fresh plan"
	case c.Tool != tool:
		return c, fmt.Sprintf("the confirmation_token was issued for %s, not %s; call %s without confirmation_token for its own plan", c.Tool, tool, tool)
	case c.Args != argsHash:
		return c, fmt.Sprintf("the arguments differ from those the confirmation_token was issued for; a token confirms exactly one plan. Send the identical arguments, or call %s without confirmation_token to plan the new ones", tool)
	case !g.now().Before(c.expiry()):
		return c, fmt.Sprintf("the confirmation_token expired at %s (tokens live %s); call %s without confirmation_token for a fresh plan", c.expiry().UTC().Format(time.RFC3339), TokenTTL, tool)
	case g.store.spent(c.ID, c.expiry()):
		return c, fmt.Sprintf("the confirmation_token was already used; each token applies once. Call %s without confirmation_token for a new plan", tool)
	}
	return c, ""
}

func driftMsg(tool string) string {
	return fmt.Sprintf("live state changed since the plan was made, so the confirmed plan no longer describes what would happen; nothing was changed. Call %s without confirmation_token to see a fresh plan", tool)
}

func (g *Gate) refuse(base AuditEntry, tokenID, via, msg string) (*mcp.CallToolResult, error) {
	base.Outcome, base.TokenID, base.Via, base.Reason = OutcomeRefused, tokenID, via, msg
	if err := g.record(base); err != nil {
		msg += "; also: " + err.Error()
	}
	return mcp.NewToolResultError(msg), nil
}

// elicit asks the user to confirm the plan. The signed token travels as the
// opaque request state and comes back with the answer.
func (g *Gate) elicit(p Plan, tok string, c claims, base AuditEntry) (*mcp.CallToolResult, error) {
	base.Outcome, base.TokenID, base.Via = OutcomePlanned, c.ID, "elicitation"
	base.PlanHash, base.Target, base.Summary = planHash(p), p.Target, p.Summary
	if err := g.record(base); err != nil {
		return mcp.NewToolResultError(err.Error() + "; nothing changed"), nil
	}
	params := mcp.ElicitationParams{
		Message: fmt.Sprintf("%s wants to make this change (nothing has changed yet):\n\n%s\n\nApply it?", base.Tool, p.Markdown()),
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{
					"type":        "boolean",
					"title":       "Apply this change",
					"description": "Accept to apply the plan above exactly as shown; decline or cancel changes nothing.",
					"default":     false,
				},
			},
			"required": []string{"confirm"},
		},
	}
	return mcpserver.NewInputRequestBuilder(tok).Elicit(elicitID, params).ToolResult(), nil
}

// answered handles the re-invocation that carries the user's answer.
func answered[T any](ctx context.Context, g *Gate, state string, ans *mcp.ElicitationResult, a Action[T], base AuditEntry) (*mcp.CallToolResult, error) {
	if state == "" {
		return g.refuse(base, "", "elicitation", "the confirmation answer arrived without its request state; nothing changed. Call "+base.Tool+" again for a fresh plan")
	}
	c, msg := g.check(state, base.Tool, base.ArgsHash, modeElicit)
	if msg != "" {
		return g.refuse(base, c.ID, "elicitation", msg)
	}
	base.TokenID, base.Via, base.PlanHash = c.ID, "elicitation", c.Plan
	// Only an accept whose form says confirm: true applies. An accept
	// without the field (no content, or a client that sends only what the
	// user touched) is not an explicit confirmation, and neither is an
	// unticked box: both count as declined.
	accepted := false
	if ans.Action == mcp.ElicitationResponseActionAccept {
		accepted = confirmTicked(ans.Content)
	}
	if !accepted {
		status, outcome := "declined", OutcomeDeclined
		if ans.Action == mcp.ElicitationResponseActionCancel {
			status, outcome = "cancelled", OutcomeCancelled
		}
		// Spend the token so the same request state cannot be replayed
		// with a different answer.
		if _, err := g.store.spend(c.ID, c.expiry(), g.now()); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		base.Outcome = outcome
		if err := g.record(base); err != nil {
			return mcp.NewToolResultError(err.Error() + "; nothing changed"), nil
		}
		out := Outcome[T]{
			Status: status,
			Plan:   Plan{Summary: "the user " + status + " the change; nothing changed", Changes: []Change{}},
			Next:   "nothing changed; do not retry unless the user asks for the change again",
		}
		return mcp.NewToolResultStructured(out, "The user "+status+" the change; nothing changed."), nil
	}
	return applyAction(ctx, g, c, a, base, "elicitation")
}

// confirmTicked reports whether an elicitation answer's content holds
// confirm: true. Content arrives as decoded JSON (a map) over a transport; a
// Go value from an in-process client is passed through JSON first.
func confirmTicked(content any) bool {
	m, ok := content.(map[string]any)
	if !ok {
		raw, err := json.Marshal(content)
		if err != nil || json.Unmarshal(raw, &m) != nil {
			return false
		}
	}
	v, _ := m["confirm"].(bool)
	return v
}

// applyAction re-plans from live state, refuses on drift, spends the token and
// applies.
func applyAction[T any](ctx context.Context, g *Gate, c claims, a Action[T], base AuditEntry, via string) (*mcp.CallToolResult, error) {
	base.TokenID, base.Via = c.ID, via
	p, fp, res := g.plan(ctx, a, base)
	if res != nil {
		return res, nil
	}
	base.PlanHash, base.Target, base.Summary = planHash(p), p.Target, p.Summary
	if hashHex([]byte(fp)) != c.State {
		return g.refuse(base, c.ID, via, driftMsg(a.Tool))
	}
	fresh, err := g.store.spend(c.ID, c.expiry(), g.now())
	if err != nil {
		return mcp.NewToolResultError(err.Error() + "; nothing changed"), nil
	}
	if !fresh {
		return g.refuse(base, c.ID, via, fmt.Sprintf("the confirmation_token was already used; each token applies once. Call %s without confirmation_token for a new plan", a.Tool))
	}
	base.Outcome = OutcomeConfirmed
	if err := g.record(base); err != nil {
		// No audit trail, no change.
		return mcp.NewToolResultError(err.Error() + "; nothing changed (the token is spent: plan again once the audit log is writable)"), nil
	}
	rb, err := a.Apply(ctx)
	var rbe *ReadBackError
	if errors.As(err, &rbe) {
		base.Outcome, base.Reason = OutcomeApplied, rbe.Error()
		out := Outcome[T]{Status: "applied", Plan: p, Applied: true,
			Next: rbe.Error() + "; do not apply again: read the state with the matching inspect tool"}
		if aerr := g.record(base); aerr != nil {
			out.Next += "; warning: the audit log could not record it: " + aerr.Error()
		}
		return mcp.NewToolResultStructured(out, "Applied (the read-back failed): "+p.Summary), nil
	}
	if err != nil {
		base.Outcome, base.Reason = OutcomeFailed, err.Error()
		msg := fmt.Sprintf("%s failed while applying: %v. The token is spent; call %s without confirmation_token to see the state now and a new plan", a.Tool, err, a.Tool)
		if aerr := g.record(base); aerr != nil {
			msg += "; also: " + aerr.Error()
		}
		return mcp.NewToolResultError(msg), nil
	}
	base.Outcome = OutcomeApplied
	out := Outcome[T]{Status: "applied", Plan: p, Applied: true, ReadBack: &rb, Next: "applied; read_back shows the state after the change"}
	if err := g.record(base); err != nil {
		out.Next += "; warning: the audit log could not record it: " + err.Error()
	}
	return mcp.NewToolResultStructured(out, "Applied: "+p.Summary), nil
}

// callerID names the HTTP caller for the audit log ("" on stdio).
func callerID(ctx context.Context) string {
	c, _ := caller.From(ctx)
	return c.ID
}

func (g *Gate) record(e AuditEntry) error {
	e.Time = g.now().UTC().Format(time.RFC3339Nano)
	return g.audit.record(e)
}

// clientCanElicit reports whether the client declared the elicitation
// capability: per request for the 2026-07-28 protocol (capabilities travel in
// _meta), else from the initialize handshake stored on the session.
func clientCanElicit(ctx context.Context) bool {
	if info := mcpserver.RequestProtocolInfoFromContext(ctx); info != nil && info.ClientCapabilities != nil {
		return info.ClientCapabilities.Elicitation != nil
	}
	if s, ok := mcpserver.ClientSessionFromContext(ctx).(mcpserver.SessionWithClientInfo); ok && s != nil {
		return s.GetClientCapabilities().Elicitation != nil
	}
	return false
}
