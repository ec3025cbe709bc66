package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/config"
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
}
