package main

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

// procStatusKB reads a field (VmRSS, VmHWM) of /proc/PID/status in kB.
func procStatusKB(pid int, field string) float64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return n
		}
	}
	return -1
}

// BenchmarkFleetLagBinary measures kafka_inspect what=groups through the
// built binary (serve over stdio, the Go SDK client) against a kfake fleet
// in this process, so the binary's own memory is measured apart from the
// cluster's: the call's time, the server's peak RSS (VmHWM) and its RSS 10 s
// after the call. Issue 15 targets: dense 10 M group-partitions (1,000
// groups each committing all 10,000 partitions) in <= 5 s with peak RSS
// <= 300 MB; sparse 100 k in <= 0.5 s. The machine's load is reported
// beside them (ratios within one run are what compare).
func BenchmarkFleetLagBinary(b *testing.B) {
	shapes := []struct {
		name                                 string
		topics, partitions, groups, perGroup int
	}{
		{"sparse-100k", 100, 100, 1000, 1},
		{"dense-10M", 100, 100, 1000, 100},
	}
	if testing.Short() {
		shapes = shapes[:1]
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			ctx := context.Background()
			c, err := kafkatest.StartFleet(ctx, sh.topics, sh.partitions, sh.groups, sh.perGroup)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			runtime.GC()
			cmd := exec.Command(binPath, "--call-timeout", "120s", "serve")
			cmd.Env = e2eEnv(b)
			client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil)
			cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer cs.Close()
			pid := cmd.Process.Pid
			idle := procStatusKB(pid, "VmRSS")
			args := map[string]any{"what": "groups", "bootstrap_servers": strings.Join(c.ListenAddrs(), ",")}
			var took time.Duration
			var size int
			for b.Loop() {
				start := time.Now()
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "kafka_inspect", Arguments: args})
				took = time.Since(start)
				if err != nil || res.IsError {
					b.Fatalf("call: %v %v", err, res)
				}
				raw, _ := res.StructuredContent.(map[string]any)
				gs, _ := raw["groups"].(map[string]any)
				if gs["groups"] != float64(sh.groups) || gs["partitions"] != float64(sh.groups*sh.perGroup*sh.partitions) {
					b.Fatalf("judged %v groups / %v group-partitions", gs["groups"], gs["partitions"])
				}
				for _, c := range res.Content {
					if t, ok := c.(*mcp.TextContent); ok {
						size += len(t.Text)
					}
				}
			}
			b.StopTimer()
			peak := procStatusKB(pid, "VmHWM")
			time.Sleep(10 * time.Second)
			after := procStatusKB(pid, "VmRSS")
			var load [3]float64
			if raw, err := os.ReadFile("/proc/loadavg"); err == nil {
				for i, f := range strings.Fields(string(raw))[:3] {
					load[i], _ = strconv.ParseFloat(f, 64)
				}
			}
			b.ReportMetric(took.Seconds(), "call-s")
			b.ReportMetric(peak/1024, "peak-rss-MB")
			b.ReportMetric(after/1024, "rss-10s-after-MB")
			b.ReportMetric(idle/1024, "idle-rss-MB")
			b.ReportMetric(load[0], "loadavg")
		})
	}
}
