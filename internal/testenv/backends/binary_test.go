package backends

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// enabled skips unless the real-backend suites were asked for.
func enabled(t *testing.T) {
	t.Helper()
	if os.Getenv("STREAM_MCP_BACKENDS") != "1" {
		t.Skip("runs under make test-backends (STREAM_MCP_BACKENDS=1)")
	}
}

// binary builds stream-mcp once per test binary (see stream).
type binary struct {
	once sync.Once
	path string
	err  error
}

func (b *binary) get(t *testing.T) string {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "stream-mcp-bin-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "stream-mcp")
		cmd := exec.Command("go", "build", "-trimpath", "-o", b.path, "./cmd/stream-mcp")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Dir = repopath.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = &buildError{out: string(out), err: err}
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// result is one `stream-mcp call`: the structured output (exit 0) or the
// tool error text (exit 1).
type result struct {
	out     map[string]any
	errText string
	raw     string
}

// call runs `stream-mcp [global...] call tool --args JSON` with a bounded
// time and returns its result; exit codes other than 0 and 1 fail the test.
func call(t *testing.T, bin string, global []string, env []string, tool string, args map[string]any) result {
	t.Helper()
	a, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	argv := append(append([]string{}, global...), "call", tool, "--args", string(a))
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %s: %v", tool, a, err)
	}
	switch code {
	case 0:
		var m map[string]any
		if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
			t.Fatalf("%s: output is not JSON: %v\n%s", tool, err, stdout.String())
		}
		return result{out: m, raw: stdout.String()}
	case 1:
		return result{errText: lastLines(stderr.String()), raw: stderr.String()}
	default:
		t.Fatalf("%s %s: exit %d\n%s", tool, a, code, stderr.String())
	}
	return result{}
}

// lastLines drops slog lines (the binary logs to stderr) and keeps the
// tool's message.
func lastLines(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "stream-mcp:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// dig walks maps and, for a numeric-looking key, slices.
func dig(v any, path ...string) any {
	cur := v
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		default:
			return nil
		}
	}
	return cur
}

// list returns v as a slice of maps (nil when it is not one).
func list(v any) []map[string]any {
	s, _ := v.([]any)
	out := make([]map[string]any, 0, len(s))
	for _, e := range s {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// stream is the one build of the binary this test binary shares.
var stream binary
