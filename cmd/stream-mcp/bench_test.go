package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkStartAndInitialize measures what a client waits for at start:
// spawning the binary and completing initialize over stdio (init-ms), and
// its first tools/list after that (first-list-ms, which waits for the tools
// still being built when initialize was answered).
func BenchmarkStartAndInitialize(b *testing.B) {
	var initTotal, listTotal time.Duration
	for b.Loop() {
		cmd := exec.Command(binPath, "serve")
		cmd.Env = e2eEnv(b)
		client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		tr := &mcp.CommandTransport{Command: cmd}
		conn, err := tr.Connect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		cs, err := client.Connect(ctx, connectedTransport{conn}, nil)
		if err != nil {
			b.Fatal(err)
		}
		initTotal += time.Since(start)
		start = time.Now()
		if _, err := cs.ListTools(ctx, nil); err != nil {
			b.Fatal(err)
		}
		listTotal += time.Since(start)
		cs.Close()
		cancel()
	}
	b.ReportMetric(float64(initTotal.Microseconds())/1000/float64(b.N), "init-ms")
	b.ReportMetric(float64(listTotal.Microseconds())/1000/float64(b.N), "first-list-ms")
}

// connectedTransport hands an already started connection to the client, so
// the benchmark can time initialize apart from process start.
type connectedTransport struct{ conn mcp.Connection }

func (t connectedTransport) Connect(context.Context) (mcp.Connection, error) { return t.conn, nil }

// BenchmarkListTools measures tools/list on a running server.
func BenchmarkListTools(b *testing.B) {
	cs := session(b, nil)
	for b.Loop() {
		if _, err := cs.ListTools(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// startOnce spawns bin with args, connects (initialize), lists tools once
// and reads the process's RSS after a short settle: what a client pays to
// start a server and what the idle server holds.
func startOnce(b *testing.B, bin string, args ...string) (toList time.Duration, rssKB float64) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = e2eEnv(b)
	client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer cs.Close()
	if _, err := cs.ListTools(ctx, nil); err != nil {
		b.Fatal(err)
	}
	toList = time.Since(start)
	time.Sleep(200 * time.Millisecond)
	return toList, procStatusKB(cmd.Process.Pid, "VmRSS")
}

// BenchmarkStartVsMinimal measures spawn -> initialize -> first tools/list
// and the idle RSS after it, for stream-mcp and for a minimal mcp-go server
// (internal/testenv/minimalmcp: same library, one trivial tool) built here,
// interleaved, and reports both and their ratios. Issue 15 targets: list
// within 2x the minimal server's time, idle RSS <= 20 MB.
func BenchmarkStartVsMinimal(b *testing.B) {
	minimal := filepath.Join(b.TempDir(), "minimalmcp")
	build := exec.Command("go", "build", "-trimpath", "-o", minimal, "../../internal/testenv/minimalmcp")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the minimal server: %v\n%s", err, out)
	}
	var ours, theirs time.Duration
	var ourRSS, theirRSS float64
	n := 0
	for b.Loop() {
		d, r := startOnce(b, binPath, "serve")
		ours, ourRSS = ours+d, ourRSS+r
		d, r = startOnce(b, minimal)
		theirs, theirRSS = theirs+d, theirRSS+r
		n++
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	b.ReportMetric(ms(ours), "list-ms")
	b.ReportMetric(ms(theirs), "minimal-list-ms")
	b.ReportMetric(float64(ours)/float64(theirs), "list-ratio")
	b.ReportMetric(ourRSS/1024/float64(n), "idle-rss-MB")
	b.ReportMetric(theirRSS/1024/float64(n), "minimal-idle-rss-MB")
	b.ReportMetric(ourRSS/theirRSS, "rss-ratio")
}
