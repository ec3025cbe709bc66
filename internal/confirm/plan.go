package confirm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Plan is what a write tool would change, computed from live state. It is
// shown to the user before anything changes.
type Plan struct {
	Summary   string   `json:"summary" jsonschema_description:"one line: the change and its target"`
	Target    string   `json:"target" jsonschema_description:"the resource the change applies to (ARN, topic, group, stream)"`
	Changes   []Change `json:"changes" jsonschema_description:"every field or offset that changes, current vs desired"`
	Risks     []string `json:"risks,omitempty" jsonschema_description:"what can go wrong or what the change costs (ordering, replay, skipped records, quota use)"`
	Untouched []string `json:"untouched,omitempty" jsonschema_description:"what the change will not touch"`
	// Unknown lists evidence that could not be read, so risk checks that
	// did not run (only when the caller accepted the gap explicitly).
	Unknown []string `json:"unknown,omitempty" jsonschema_description:"evidence that could not be read: checks that did not run"`
	// NoChange is set when live state already matches the request; Run then
	// returns the plan without a token and applies nothing.
	NoChange bool `json:"no_change,omitempty" jsonschema_description:"true when live state already matches the request: nothing to apply"`
}

// Change is one difference between current and desired state.
type Change struct {
	Field   string `json:"field" jsonschema_description:"what changes, e.g. BatchSize, retention.ms, partition orders/3 committed offset"`
	Current any    `json:"current" jsonschema_description:"value now (null when absent)"`
	Desired any    `json:"desired" jsonschema_description:"value after the change"`
	Note    string `json:"note,omitempty" jsonschema_description:"where the current value comes from or what the change implies"`
}

// Markdown renders the plan for a human: the elicitation message and the
// text content of a planning result. Every piece is one line: control
// characters (a newline in an argument value, a topic config, a function
// name) are shown escaped, so a value cannot draw extra lines that pass for
// changes, risks or a different target in the prompt the user confirms.
func (p Plan) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", oneLine(p.Summary))
	if p.Target != "" {
		fmt.Fprintf(&b, "Target: %s\n", oneLine(p.Target))
	}
	if len(p.Changes) > 0 {
		b.WriteString("\nChanges:\n")
		for _, c := range p.Changes {
			fmt.Fprintf(&b, "- %s: %s -> %s", oneLine(c.Field), render(c.Current), render(c.Desired))
			if c.Note != "" {
				fmt.Fprintf(&b, " (%s)", oneLine(c.Note))
			}
			b.WriteString("\n")
		}
	}
	if len(p.Risks) > 0 {
		b.WriteString("\nRisks:\n")
		for _, r := range p.Risks {
			fmt.Fprintf(&b, "- %s\n", oneLine(r))
		}
	}
	if len(p.Unknown) > 0 {
		b.WriteString("\nNot checked (evidence could not be read):\n")
		for _, u := range p.Unknown {
			fmt.Fprintf(&b, "- %s\n", oneLine(u))
		}
	}
	if len(p.Untouched) > 0 {
		b.WriteString("\nNot touched:\n")
		for _, u := range p.Untouched {
			fmt.Fprintf(&b, "- %s\n", oneLine(u))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// oneLine escapes control characters (newlines, carriage returns, escape
// sequences) the way Go quotes them, leaving everything else as is.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func render(v any) string {
	if v == nil {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return oneLine(s)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return oneLine(fmt.Sprint(v))
	}
	return string(raw)
}

// Outcome is the structured result of a write tool: the plan, and either the
// token to confirm it with or the applied change read back. T is the
// tool's read-back type.
type Outcome[T any] struct {
	Status            string `json:"status" jsonschema:"enum=planned,enum=awaiting_approval,enum=applied,enum=declined,enum=cancelled,enum=no_change" jsonschema_description:"planned: nothing changed, confirm to apply; awaiting_approval: a person must run stream-mcp approve PLAN_ID; applied: the change is made; declined/cancelled: the user said no, nothing changed; no_change: live state already matches"`
	Plan              Plan   `json:"plan" jsonschema_description:"current vs desired state, risks, and what is not touched"`
	ConfirmationToken string `json:"confirmation_token,omitempty" jsonschema_description:"send the same call again with this token to apply the plan; single use, bound to these arguments and to the live state the plan was computed from"`
	PlanID            string `json:"plan_id,omitempty" jsonschema_description:"awaiting_approval: the id a person approves with stream-mcp approve"`
	ExpiresAt         string `json:"expires_at,omitempty" jsonschema_description:"RFC 3339 time after which the token is refused"`
	Applied           bool   `json:"applied" jsonschema_description:"true only when the change was made"`
	ReadBack          *T     `json:"read_back,omitempty" jsonschema_description:"the state read back after applying"`
	Next              string `json:"next,omitempty" jsonschema_description:"what to do next"`
	Truncated         bool   `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// canonicalArgs encodes args as JSON with sorted keys and without a top-level
// confirmation_token, so the first call and its confirming repeat hash the
// same. Fields a tool leaves empty (omitempty) are absent either way.
func canonicalArgs(args any) ([]byte, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("confirm: encode arguments: %w", err)
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber() // keep large integers (offsets) exact
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("confirm: decode arguments: %w", err)
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, TokenField)
	}
	out, err := json.Marshal(v) // maps encode with sorted keys
	if err != nil {
		return nil, fmt.Errorf("confirm: encode canonical arguments: %w", err)
	}
	return out, nil
}

// TokenField is the argument every write tool takes its confirmation token in.
const TokenField = "confirmation_token"

func hashHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func argsHash(args any) (string, error) {
	c, err := canonicalArgs(args)
	if err != nil {
		return "", err
	}
	return hashHex(c), nil
}

func planHash(p Plan) string {
	raw, err := json.Marshal(p)
	if err != nil {
		// Plan holds JSON-encodable values by contract; an error is a bug in
		// the tool that built it, and hashing its text still binds the token.
		raw = []byte(fmt.Sprintf("%#v", p))
	}
	return hashHex(raw)
}
