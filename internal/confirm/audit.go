package confirm

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// Outcomes recorded in the audit log.
const (
	OutcomePlanned   = "planned"   // a plan was computed; nothing changed
	OutcomeNoChange  = "no_change" // live state already matches; nothing to do
	OutcomeConfirmed = "confirmed" // a valid confirmation arrived; applying next
	OutcomeDeclined  = "declined"  // the user declined through elicitation
	OutcomeCancelled = "cancelled" // the user dismissed the elicitation
	OutcomeRefused   = "refused"   // bad, expired, reused, altered or drifted token, or a plan refused
	OutcomeApplied   = "applied"   // the change was made
	OutcomeFailed    = "failed"    // the change was attempted and failed
)

// AuditEntry is one line of the audit log. It carries hashes of the
// arguments and the plan, never the arguments themselves; Target, Summary
// and Reason come from the tool's plan or refusal and name the resource.
type AuditEntry struct {
	Time     string `json:"time"`
	Tool     string `json:"tool"`
	Outcome  string `json:"outcome"`
	Via      string `json:"via,omitempty"` // token | elicitation
	TokenID  string `json:"token_id,omitempty"`
	ArgsHash string `json:"args_hash,omitempty"`
	PlanHash string `json:"plan_hash,omitempty"`
	Target   string `json:"target,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Caller is the authenticated caller over HTTP (a token fingerprint or
	// a JWT subject); empty on stdio.
	Caller string `json:"caller,omitempty"`
}

// auditLog appends JSON lines to a file (opened per entry with O_APPEND, so
// several processes can share it: each entry is one write) or to a writer.
type auditLog struct {
	mu   sync.Mutex
	path string    // "" when w is used
	w    io.Writer // stderr
}

func (a *auditLog) record(e AuditEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("confirm: encode audit entry: %w", err)
	}
	line = append(line, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.path == "" {
		if _, err := a.w.Write(line); err != nil {
			return fmt.Errorf("confirm: write audit log: %w", err)
		}
		return nil
	}
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("confirm: open audit log: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("confirm: write audit log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("confirm: close audit log: %w", err)
	}
	return nil
}
