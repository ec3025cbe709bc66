package httpserve

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/tools"
)

// BenchmarkHTTPLoad is issue 17's load test, bounded in count and time:
// 50 concurrent clients (official Go SDK, streamable HTTP, token auth) each
// make 200 calls of pure tools (sizing, validate_config) against the real
// tool set on loopback. It reports p50/p99 latency, errors, and goroutines
// and live heap after the load against before (a leak would grow them).
func BenchmarkHTTPLoad(b *testing.B) {
	const clients, calls = 50, 200
	base, err := guidance.Load()
	if err != nil {
		b.Fatal(err)
	}
	rd := tools.ReadDeps{Guidance: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv, err := server.New(server.Options{Name: "stream-mcp", Version: "bench", ToolGate: ToolGate, CallTimeout: 30 * time.Second},
		[]server.ServerTool{tools.Sizing(rd), tools.ValidateConfig(rd)}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	tokPath := filepath.Join(b.TempDir(), "tokens")
	if err := os.WriteFile(tokPath, []byte(readTok+" read\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	tf, err := LoadTokenFile(tokPath)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, errc := make(chan string, 1), make(chan error, 1)
	go func() {
		errc <- Serve(ctx, srv, Options{Addr: "127.0.0.1:0", Auth: tf, PerCallerCalls: clients, ShutdownGrace: 10 * time.Second}, func(a string) { addrc <- a })
	}()
	url := "http://" + <-addrc
	defer func() { cancel(); <-errc }()

	heap := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapAlloc) / 1e6
	}
	args := []struct {
		tool string
		args map[string]any
	}{
		{"sizing", map[string]any{"service": "kinesis", "ingress_mb_per_second": 12, "records_per_second": 9000, "avg_record_bytes": 1400}},
		{"validate_config", map[string]any{"kind": "esm", "event_source": "sqs", "config": map[string]any{"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5}}},
	}
	for b.Loop() {
		g0, h0 := runtime.NumGoroutine(), heap()
		var (
			mu        sync.Mutex
			latencies []time.Duration
			errs      int
			wg        sync.WaitGroup
		)
		start := time.Now()
		for c := range clients {
			wg.Go(func() {
				cl := sdk.NewClient(&sdk.Implementation{Name: "load", Version: "0"}, nil)
				cctx, ccancel := context.WithTimeout(ctx, 2*time.Minute)
				defer ccancel()
				cs, err := cl.Connect(cctx, &sdk.StreamableClientTransport{Endpoint: url + "/mcp", HTTPClient: newHTTPClient(readTok)}, nil)
				if err != nil {
					mu.Lock()
					errs += calls
					mu.Unlock()
					return
				}
				defer cs.Close()
				for i := range calls {
					a := args[(c+i)%len(args)]
					t0 := time.Now()
					res, err := cs.CallTool(cctx, &sdk.CallToolParams{Name: a.tool, Arguments: a.args})
					d := time.Since(t0)
					mu.Lock()
					latencies = append(latencies, d)
					if err != nil || res.IsError {
						errs++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		wall := time.Since(start)
		time.Sleep(500 * time.Millisecond) // let closed sessions unwind
		g1, h1 := runtime.NumGoroutine(), heap()
		slices.Sort(latencies)
		pct := func(p float64) float64 {
			if len(latencies) == 0 {
				return 0
			}
			return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(errs), "errors")
		b.ReportMetric(float64(len(latencies))/wall.Seconds(), "calls/s")
		b.ReportMetric(float64(g1-g0), "goroutines-grown")
		b.ReportMetric(h1-h0, "heap-grown-MB")
		if errs > 0 {
			b.Errorf("%d of %d calls failed", errs, clients*calls)
		}
	}
}

func newHTTPClient(tok string) *http.Client { return &http.Client{Transport: bearerRT{tok}} }
