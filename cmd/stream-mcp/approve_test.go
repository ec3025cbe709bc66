package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

type fakeTTY struct {
	in  *strings.Reader
	out bytes.Buffer
}

func (f *fakeTTY) Read(p []byte) (int, error)  { return f.in.Read(p) }
func (f *fakeTTY) Write(p []byte) (int, error) { return f.out.Write(p) }
func (f *fakeTTY) Close() error                { return nil }

// The design point of #21: `stream-mcp approve PLAN_ID` shows the parked
// plan on the terminal and records the approval only when a person types
// the word there; without a terminal (a model's shell tool) nothing is
// approved.
func TestApproveCommand(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	g, err := confirm.New(confirm.Options{StateDir: state, AuditLog: filepath.Join(t.TempDir(), "audit"), Mode: confirm.ModeElicitation})
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	act := func(token string) confirm.Action[int] {
		return confirm.Action[int]{Tool: "fake_write", Args: map[string]any{"x": 1}, Token: token,
			Plan: func(context.Context) (confirm.Plan, string, error) {
				return confirm.Plan{Summary: "set x to 1", Target: "x", Changes: []confirm.Change{{Field: "x", Current: 0, Desired: 1}}}, "x=0", nil
			},
			Apply: func(context.Context) (int, error) { applied++; return 1, nil }}
	}
	res, err := confirm.Run(context.Background(), g, mcp.CallToolRequest{}, act(""))
	if err != nil {
		t.Fatal(err)
	}
	o := res.StructuredContent.(confirm.Outcome[int])
	cfg := config.Config{StateDir: state}

	noTTY := func() (tty, error) { return nil, errors.New("open /dev/tty: no such device or address") }
	if err := approve(cfg, []string{o.PlanID}, noTTY); err == nil || !strings.Contains(err.Error(), "by a person in a terminal") {
		t.Fatalf("no terminal: %v", err)
	}
	for _, typed := range []string{"yes\n", "y\n", "\n"} {
		ft := &fakeTTY{in: strings.NewReader(typed)}
		if err := approve(cfg, []string{o.PlanID}, func() (tty, error) { return ft, nil }); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ft.out.String(), "set x to 1") || !strings.Contains(ft.out.String(), "Not approved") {
			t.Fatalf("typed %q: terminal shows %q", typed, ft.out.String())
		}
	}
	if res, _ := confirm.Run(context.Background(), g, mcp.CallToolRequest{}, act(o.PlanID)); !res.IsError || applied != 0 {
		t.Fatal("applied without approval")
	}
	ft := &fakeTTY{in: strings.NewReader("approve\n")}
	if err := approve(cfg, []string{o.PlanID}, func() (tty, error) { return ft, nil }); err != nil {
		t.Fatal(err)
	}
	if res, _ := confirm.Run(context.Background(), g, mcp.CallToolRequest{}, act(o.PlanID)); res.IsError || applied != 1 {
		t.Fatalf("after approval: %+v applied %d", res.Content, applied)
	}
	if err := approve(cfg, []string{"../../etc/passwd"}, noTTY); err == nil || !strings.Contains(err.Error(), "not a plan id") {
		t.Fatalf("a path as plan id: %v", err)
	}
}
