package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// TestDemoCoversEveryReadTool keeps the tour growing with the product.
func TestDemoCoversEveryReadTool(t *testing.T) {
	t.Parallel()
	cfg, _, err := config.Parse(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.cleanup()
	covered := map[string]bool{}
	for _, s := range demoSteps(demoEnv{Bootstrap: "127.0.0.1:1", EndpointURL: "http://127.0.0.1:1"}) {
		covered[s.Tool] = true
	}
	for _, tool := range a.tools {
		if !covered[tool.Tool.Name] {
			t.Errorf("the demo never calls %s; add a realistic step to demoSteps", tool.Tool.Name)
		}
	}
}

// TestDemoRuns runs the whole tour as `stream-mcp demo` does.
func TestDemoRuns(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg, _, err := config.Parse(nil, func(k string) string {
		if k == "HOME" {
			return t.TempDir()
		}
		return os.Getenv(k)
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo(context.Background(), cfg, slog.New(slog.DiscardHandler), &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("stream-mcp demo:")) {
		t.Fatalf("unexpected demo output:\n%s", out.String())
	}
	// Every step of the tour printed its header and an answer.
	steps := demoSteps(demoEnv{Bootstrap: "x", EndpointURL: "x"})
	if got := bytes.Count(out.Bytes(), []byte("\n== ")); got < len(steps) {
		t.Fatalf("demo printed %d step headers, want %d:\n%s", got, len(steps), out.String())
	}
}

// TestReadOnlyPolicyCoversDemoCalls holds every AWS call the read tools made
// during the tour against the minimal read-only IAM policy in the README, so
// the documented policy grows with the tools, and proves the tour changed
// nothing.
func TestReadOnlyPolicyCoversDemoCalls(t *testing.T) {
	t.Parallel()
	cfg, _, err := config.Parse(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := runDemo(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 {
		t.Fatal("the tour made no AWS calls; the check is vacuous")
	}
	readme, err := os.ReadFile(filepath.Join(repopath.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// IAM action prefixes of the SigV4 signing names the simulator routes by.
	prefix := map[string]string{"monitoring": "cloudwatch"}
	seen := map[string]bool{}
	for _, c := range calls {
		if c.Mutating {
			t.Errorf("read-only tour made a mutating call: %s %s", c.Service, c.Operation)
		}
		p := c.Service
		if q, ok := prefix[p]; ok {
			p = q
		}
		action := p + ":" + c.Operation
		if c.Operation == "" || seen[action] {
			continue
		}
		seen[action] = true
		if !bytes.Contains(readme, []byte(`"`+action+`"`)) {
			t.Errorf("the tools call %s, which the README's read-only IAM policy does not grant", action)
		}
	}
	t.Logf("actions used by the tour: %d", len(seen))
}
