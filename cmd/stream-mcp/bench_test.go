package main

import (
	"context"
	"os/exec"
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
