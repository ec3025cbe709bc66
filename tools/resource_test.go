package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

// Limits of the resource test: every call answers within its deadline plus
// resourceMargin, and the heap never grows past resourceCeiling above the
// baseline while it runs (sampled every 20 ms with
// runtime.ReadMemStats).
const (
	resourceDeadline = 5 * time.Second
	resourceMargin   = 2 * time.Second
	resourceCeiling  = 256 << 20
)

// hostile holds the adversarial values, built once and shared read-only.
type hostile struct {
	oneMBArray, objectsArray []any
	bigObject                map[string]any
	oneMBString, fifo        string
}

func newHostile(fifo string) hostile {
	h := hostile{oneMBArray: make([]any, 50000), objectsArray: make([]any, 20000), bigObject: make(map[string]any, 100000),
		oneMBString: strings.Repeat("a", 1<<20), fifo: fifo}
	for i := range h.oneMBArray { // 50,000 x 20 bytes = 1 MB of JSON
		h.oneMBArray[i] = "sg-0123456789abcdef0"
	}
	for i := range h.objectsArray {
		h.objectsArray[i] = map[string]any{"name": "t", "partitions": 1e308}
	}
	for i := 0; i < 100000; i++ {
		h.bigObject[fmt.Sprintf("Key%06d", i)] = i
	}
	return h
}

// values returns the hostile values for one input property by its JSON
// Schema type: 1 MB arrays, 100k-key objects, huge numbers, device and FIFO
// paths for file fields, 1 MB strings; plus one value of the wrong type.
func (h hostile) values(name, typ string) map[string]any {
	out := map[string]any{}
	switch typ {
	case "array":
		out["1MB array"], out["1MB array of objects"] = h.oneMBArray, h.objectsArray
	case "object", "":
		out["100k-key object"] = h.bigObject
	case "number", "integer":
		out["1e308"], out["2^31"], out["-2^63"] = 1e308, 2147483648.0, -9.223372036854775808e18
	case "string":
		out["1MB string"] = h.oneMBString
		if strings.HasSuffix(name, "_file") {
			out["/dev/zero"], out["/dev/stdin"], out["FIFO"] = "/dev/zero", "/dev/stdin", h.fifo
		}
	}
	if typ != "array" {
		out["wrong type: 1MB array"] = h.oneMBArray
	}
	return out
}

// Bug class of #21 (resource attacks: 33 found by the red team): every
// tool, every input property, hostile sizes. Each call must answer (an
// error or a bounded result) within the deadline plus a margin, without
// the heap growing past a fixed ceiling.
func TestEveryToolBoundsAdversarialInput(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("the resource test measures time and memory; it runs without -race and -short (make test-resources)")
	}
	rd, _ := esmSim(t, "msk-iam-healthy", nil)
	env := kafka.OSEnv(nil)
	env.LookupHost = kafka.LoopbackOnlyLookup
	env.MaxProbeAddresses = rd.Guidance.Int("esm.self_managed.endpoints.max")
	rd.Kafka = kafka.NewFactory(nil, nil, env, nil)
	t.Cleanup(rd.Kafka.Close)
	dir := t.TempDir()
	gate, err := confirm.New(confirm.Options{StateDir: filepath.Join(dir, "state"), AuditLog: filepath.Join(dir, "audit.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	all := All(rd, WriteDeps{ReadDeps: rd, Confirm: gate, AllowDestructive: true})
	srv, err := server.New(server.Options{Name: "t", Version: "0", AllowWrite: true, AllowDestructive: true, CallTimeout: resourceDeadline}, all, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "resource-test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}

	// Heap sampler: the peak above the baseline over the whole run.
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	})

	hv := newHostile(fifo)
	calls, slowest, slowestCall := 0, time.Duration(0), ""
	for _, st := range all {
		var sch struct {
			Properties map[string]struct {
				Type any `json:"type"`
			} `json:"properties"`
		}
		raw := st.Tool.RawInputSchema
		if raw == nil {
			raw, _ = json.Marshal(st.Tool.InputSchema)
		}
		if err := json.Unmarshal(raw, &sch); err != nil {
			t.Fatal(err)
		}
		props := make([]string, 0, len(sch.Properties))
		for p := range sch.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			typ, _ := sch.Properties[p].Type.(string)
			for label, v := range hv.values(p, typ) {
				args := plausibleArgs(st.Tool.Name)
				args[p] = v
				req := mcp.CallToolRequest{}
				req.Params.Name = st.Tool.Name
				req.Params.Arguments = args
				cctx, cancel := context.WithTimeout(ctx, resourceDeadline+resourceMargin+5*time.Second)
				start := time.Now()
				res, err := c.CallTool(cctx, req)
				took := time.Since(start)
				cancel()
				calls++
				name := fmt.Sprintf("%s.%s=%s", st.Tool.Name, p, label)
				if took > slowest {
					slowest, slowestCall = took, name
				}
				if err != nil {
					t.Errorf("%s: protocol error %v", name, err)
					continue
				}
				if took > resourceDeadline+resourceMargin {
					t.Errorf("%s answered after %s (deadline %s + margin %s)", name, took, resourceDeadline, resourceMargin)
				}
				if res == nil {
					t.Errorf("%s: no result", name)
					continue
				}
				if txt := resultText(res); strings.Contains(txt, "+Inf") || strings.Contains(txt, "NaN") || strings.Contains(txt, "internal error") {
					t.Errorf("%s: %.300s", name, txt)
				}
			}
		}
	}
	close(stop)
	wg.Wait()
	grown := int64(peak.Load()) - int64(base.HeapAlloc)
	t.Logf("%d adversarial calls; slowest %s (%s); heap peak %d MiB above a %d MiB baseline (ceiling %d MiB)",
		calls, slowest, slowestCall, grown>>20, base.HeapAlloc>>20, resourceCeiling>>20)
	if grown > resourceCeiling {
		t.Errorf("heap grew %d MiB, over the %d MiB ceiling", grown>>20, resourceCeiling>>20)
	}
}

// plausibleArgs are valid-looking arguments per tool, so the hostile value
// of one property reaches as deep as the tool lets it.
func plausibleArgs(tool string) map[string]any {
	switch tool {
	case "esm_guidance":
		return map[string]any{"event_source": "msk", "guidance_type": "networking"}
	case "esm_optimize":
		return map[string]any{"action": "analyze", "event_source": "kinesis", "config": map[string]any{"BatchSize": 100}, "workload": map[string]any{"records_per_second": 1000, "processing_ms_per_record": 5, "shards": 4}}
	case "sizing":
		return map[string]any{"service": "msk", "ingress_mb_per_second": 10}
	case "validate_config":
		return map[string]any{"kind": "esm", "event_source": "sqs", "config": map[string]any{"BatchSize": 10}}
	case "kafka_inspect":
		return map[string]any{"what": "overview", "bootstrap_servers": "127.0.0.1:1"}
	case "kafka_troubleshoot":
		return map[string]any{"mode": "resolution", "issue_category": "authorization", "bootstrap_servers": "127.0.0.1:1"}
	case "kafka_admin":
		return map[string]any{"action": "create_topic", "topic": "t", "bootstrap_servers": "127.0.0.1:1"}
	case "esm_inspect":
		return map[string]any{"esm_uuid": "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}
	case "esm_apply":
		return map[string]any{"esm_uuid": "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "config": map[string]any{"BatchSize": 10}}
	case "kinesis_inspect", "kinesis_scale":
		return map[string]any{"stream_name": "s", "target_shard_count": 2}
	}
	return map[string]any{}
}
