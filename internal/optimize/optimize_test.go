package optimize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

func loadTestBase(t testing.TB) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// baseConfig is a complete, valid mapping for each source.
func baseConfig(src string) map[string]any {
	c := map[string]any{"FunctionName": "orders-fn"}
	switch src {
	case "kinesis":
		c["EventSourceArn"] = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
		c["StartingPosition"] = "LATEST"
	case "dynamodb":
		c["EventSourceArn"] = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
		c["StartingPosition"] = "TRIM_HORIZON"
	case "sqs":
		c["EventSourceArn"] = "arn:aws:sqs:us-east-1:123456789012:orders"
	case "sqs_fifo":
		c["EventSourceArn"] = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
	case "msk":
		c["EventSourceArn"] = "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd1234-ab12-cd34-ef56-abcdef123456-1"
		c["StartingPosition"] = "LATEST"
		c["Topics"] = []any{"orders"}
	case "self_managed_kafka":
		c["SelfManagedEventSource"] = map[string]any{"Endpoints": map[string]any{"KAFKA_BOOTSTRAP_SERVERS": []any{"b1.example.com:9092"}}}
		c["StartingPosition"] = "LATEST"
		c["Topics"] = []any{"orders"}
	}
	return c
}

func errorsOf(vs []rules.Violation) []rules.Violation {
	var out []rules.Violation
	for _, v := range vs {
		if v.Severity == rules.Error {
			out = append(out, v)
		}
	}
	return out
}

func TestGoldenAnalyses(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name  string
		req   Request
		check func(*testing.T, Analysis)
	}{
		{
			// Issue 4: "iterator age over 60 s at 100 MB/s on 100 shards with PF 1 and
			// BatchSize 100". With 1 KB records at 5 ms each, a batch takes 0.5 s:
			// steady state needs 100,000 × 0.5 ÷ 100 = 500 concurrent batches = PF 5 at
			// exactly 100%, so the smallest factor with headroom is 6 (not the maximum).
			// The 60 s backlog (6,000,000 records) then drains in 6e6 ÷ (120,000 −
			// 100,000) = 300 s; draining it within 60 s would need (100,000 + 100,000) ×
			// 0.5 ÷ 100 = 1,000 concurrent batches = PF 10, stated apart.
			name: "issue 4 kinesis iterator age",
			req: Request{Source: "kinesis", Config: merge(baseConfig("kinesis"), map[string]any{"BatchSize": 100, "ParallelizationFactor": 1}),
				Workload: sizing.Workload{Shards: 100, RecordsPerSecond: 100000, AvgRecordBytes: 1000, ProcessingMsPerRecord: 5, LatencyTargetSeconds: 60, BacklogRecords: 6e6}},
			check: func(t *testing.T, a Analysis) {
				if a.Recommended["ParallelizationFactor"] != float64(6) || a.Current.Estimates.KeepsUp || !a.Estimates.KeepsUp {
					t.Fatalf("got PF %v, keeps up %v→%v", a.Recommended["ParallelizationFactor"], a.Current.Estimates.KeepsUp, a.Estimates.KeepsUp)
				}
				if a.Estimates.DrainSeconds != 300 {
					t.Fatalf("drain %v s, want 300", a.Estimates.DrainSeconds)
				}
				if ws := strings.Join(a.Warnings, " "); !strings.Contains(ws, "would need 1000.0") || !strings.Contains(ws, "ParallelizationFactor to 10") {
					t.Fatalf("drain not stated apart: %v", a.Warnings)
				}
			},
		},
		{
			// Bursty (peak 3× average) and latency-sensitive: AWS suggests Provisioned
			// Mode, whose pollers stay connected; pollers stay within the partitions.
			name: "kafka bursty latency-sensitive",
			req: Request{Source: "msk", Config: baseConfig("msk"), Targets: []string{"latency"},
				Workload: sizing.Workload{Partitions: 12, RecordsPerSecond: 2000, ProcessingMsPerRecord: 1, PeakFactor: 3, LatencyTargetSeconds: 5}},
			check: func(t *testing.T, a Analysis) {
				p, ok := a.Recommended["ProvisionedPollerConfig"].(map[string]any)
				if !ok || p["MaximumPollers"].(float64) > 12 || !a.Estimates.KeepsUp {
					t.Fatalf("got %+v, estimates %+v", a.Recommended, a.Estimates)
				}
			},
		},
		{
			// A Kafka mapping runs one batch per partition in either poller mode: 6
			// partitions, 2,000 rec/s at 10 ms each in batches of 100 (1 s) need 20
			// concurrent batches but only 6 can run, so nothing keeps up (600 rec/s)
			// and the answer says to add partitions; switching to provisioned
			// pollers would not help, so the mapping stays on-demand.
			name: "kafka needs more partitions",
			req: Request{Source: "msk", Config: baseConfig("msk"),
				Workload: sizing.Workload{Partitions: 6, RecordsPerSecond: 2000, ProcessingMsPerRecord: 10}},
			check: func(t *testing.T, a Analysis) {
				if _, ok := a.Recommended["ProvisionedPollerConfig"]; ok || a.Estimates.KeepsUp || a.Estimates.Concurrency > 6 {
					t.Fatalf("got %+v, estimates %+v", a.Recommended, a.Estimates)
				}
				if !strings.Contains(strings.Join(a.Warnings, " "), "add partitions") {
					t.Fatalf("no partition warning: %v", a.Warnings)
				}
			},
		},
		{
			// SQS standard, cost first with a 30 s latency target: largest batch that
			// fits 10,000 × 2 KB = 3,145 records (payload), window 30 − 3.1 s → 26 s.
			name: "sqs cost with latency target",
			req: Request{Source: "sqs", Config: baseConfig("sqs"), Targets: []string{"cost"},
				Workload: sizing.Workload{RecordsPerSecond: 50, AvgRecordBytes: 2000, ProcessingMsPerRecord: 1, LatencyTargetSeconds: 30, FunctionTimeoutSeconds: 30, VisibilityTimeoutSeconds: 180}},
			check: func(t *testing.T, a Analysis) {
				if a.Recommended["BatchSize"] != float64(3145) || a.Recommended["MaximumBatchingWindowInSeconds"] != float64(26) {
					t.Fatalf("got %+v", a.Recommended)
				}
				for _, tr := range a.Tradeoffs {
					if tr.Target == "cost" && tr.Effect != "better" {
						t.Fatalf("cost tradeoff %+v", tr)
					}
				}
			},
		},
		{
			// SQS FIFO caps BatchSize at 10 and takes no batching window.
			name: "sqs fifo caps",
			req: Request{Source: "sqs_fifo", Config: merge(baseConfig("sqs_fifo"), map[string]any{"BatchSize": 10}), Targets: []string{"cost"},
				Workload: sizing.Workload{RecordsPerSecond: 100, ProcessingMsPerRecord: 5, LatencyTargetSeconds: 10}},
			check: func(t *testing.T, a Analysis) {
				if a.Recommended["BatchSize"] != float64(10) {
					t.Fatalf("got %+v", a.Recommended)
				}
				if _, set := a.Recommended["MaximumBatchingWindowInSeconds"]; set {
					t.Fatalf("window set on FIFO: %+v", a.Recommended)
				}
			},
		},
		{
			// failure_rate on a stream: partial batch responses and bisection.
			name: "failure rate on dynamodb",
			req: Request{Source: "dynamodb", Config: baseConfig("dynamodb"), Targets: []string{"failure_rate"},
				Workload: sizing.Workload{Shards: 4, RecordsPerSecond: 200, ProcessingMsPerRecord: 2}},
			check: func(t *testing.T, a Analysis) {
				if a.Recommended["BisectBatchOnFunctionError"] != true || fmt.Sprint(a.Recommended["FunctionResponseTypes"]) != "[ReportBatchItemFailures]" {
					t.Fatalf("got %+v", a.Recommended)
				}
				// Partial batch responses turn on, so the failure_rate trade-off
				// improves although BatchSize stays at the default.
				for _, tr := range a.Tradeoffs {
					if tr.Target == TargetFailureRate && (tr.Effect != "better" || !strings.Contains(tr.After, "only reported records")) {
						t.Fatalf("failure_rate tradeoff %+v", tr)
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := Analyze(tc.req, b)
			if err != nil {
				t.Fatal(err)
			}
			if errs := errorsOf(a.Violations); len(errs) > 0 {
				t.Fatalf("recommended config fails the rule engine: %+v\nconfig %+v", errs, a.Recommended)
			}
			if len(a.Rationale) == 0 || len(a.Tradeoffs) != len(AllTargets()) {
				t.Fatalf("rationale %d, tradeoffs %d", len(a.Rationale), len(a.Tradeoffs))
			}
			tc.check(t, a)
		})
	}
}

func merge(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	for _, req := range []Request{
		{Source: "mq", Workload: sizing.Workload{RecordsPerSecond: 1, ProcessingMsPerRecord: 1}},
		{Source: "kinesis", Workload: sizing.Workload{RecordsPerSecond: 1, ProcessingMsPerRecord: 1}},
		{Source: "sqs", Targets: []string{"speed"}, Workload: sizing.Workload{RecordsPerSecond: 1, ProcessingMsPerRecord: 1}},
	} {
		if _, err := Analyze(req, b); !errors.Is(err, ErrInput) {
			t.Errorf("%+v: err %v, want ErrInput", req, err)
		}
	}
}

// Property: for any workload and targets, the recommended configuration
// passes the ESM rule engine without errors, and keeps up whenever the
// source can (no capacity warning about resharding or partitions).
func TestRecommendationsAlwaysValidate(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	rng := rand.New(rand.NewPCG(4, 2026))
	sources := []string{"kinesis", "dynamodb", "sqs", "sqs_fifo", "msk", "self_managed_kafka"}
	targets := AllTargets()
	z := New(b)
	for i := range 400 {
		src := sources[rng.IntN(len(sources))]
		w := sizing.Workload{
			RecordsPerSecond: float64(1 + rng.IntN(50000)),
			AvgRecordBytes:   float64(100 + rng.IntN(200000)),
			PeakFactor:       1 + rng.Float64()*3,
		}
		if rng.IntN(2) == 0 {
			w.ProcessingMsPerRecord = 0.1 + rng.Float64()*20
		} else {
			w.ProcessingMsPerBatch = 10 + rng.Float64()*5000
		}
		if rng.IntN(2) == 0 {
			w.LatencyTargetSeconds = float64(1 + rng.IntN(600))
		}
		if rng.IntN(3) == 0 {
			w.BacklogRecords = float64(rng.IntN(10000000))
		}
		if rng.IntN(2) == 0 {
			w.FunctionTimeoutSeconds = float64(30 + rng.IntN(870))
			w.VisibilityTimeoutSeconds = w.FunctionTimeoutSeconds * 6
		}
		w.Shards = 1 + rng.IntN(500)
		w.Partitions = 1 + rng.IntN(500)
		cfg := baseConfig(src)
		if rng.IntN(2) == 0 {
			cfg["BatchSize"] = 1 + rng.IntN(10)
		}
		var ts []string
		for _, tgt := range targets {
			if rng.IntN(2) == 0 {
				ts = append(ts, tgt)
			}
		}
		rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		req := Request{Source: src, Config: cfg, Workload: w, Targets: ts}
		a, err := z.Analyze(req)
		if err != nil {
			t.Fatalf("case %d %+v: %v", i, req, err)
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("case %d: analysis does not encode: %v", i, err)
		}
		if errs := errorsOf(a.Violations); len(errs) > 0 {
			t.Fatalf("case %d (%s, targets %v, workload %+v): recommended %+v fails: %+v", i, src, ts, w, a.Recommended, errs)
		}
		capacityWarned := strings.Contains(strings.Join(a.Warnings, " "), "cannot keep up") ||
			strings.Contains(strings.Join(a.Warnings, " "), "caps them at the")
		if !a.Estimates.KeepsUp && !capacityWarned && src != "sqs" && src != "sqs_fifo" {
			t.Fatalf("case %d (%s): recommendation does not keep up and says nothing: %+v", i, src, a.Estimates)
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	g := loadTestBase(b)
	req := Request{Source: "kinesis", Config: merge(baseConfig("kinesis"), map[string]any{"BatchSize": 100, "ParallelizationFactor": 1}),
		Workload: sizing.Workload{Shards: 100, RecordsPerSecond: 100000, AvgRecordBytes: 1000, ProcessingMsPerRecord: 5, LatencyTargetSeconds: 60, BacklogRecords: 6e6},
		Targets:  []string{"throughput", "cost"}}
	z := New(g)
	for b.Loop() {
		if _, err := z.Analyze(req); err != nil {
			b.Fatal(err)
		}
	}
}

// The property above is only as strong as the validator it calls: prove the
// rule engine rejects a configuration the analyzer must never emit.
func TestValidatorRejectsBadConfig(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	bad := merge(baseConfig("sqs_fifo"), map[string]any{"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5})
	if errs := errorsOf(New(b).Validate("sqs_fifo", bad, sizing.Workload{})); len(errs) == 0 {
		t.Fatal("rule engine accepted a FIFO BatchSize of 100 with a batching window")
	}
}

// A configuration taken from a template carries numbers as strings; the
// analyzer reads them as the rule engine does instead of falling back to
// the source default.
func TestReadsStringNumbers(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	cfg := merge(baseConfig("sqs"), map[string]any{"BatchSize": "5", "ScalingConfig": map[string]any{"MaximumConcurrency": "7"}})
	a, err := Analyze(Request{Source: "sqs", Config: cfg, Workload: sizing.Workload{RecordsPerSecond: 10, ProcessingMsPerRecord: 1}}, b)
	if err != nil {
		t.Fatal(err)
	}
	if e := a.Current.Estimates; e.BatchSize != 5 || e.Concurrency != 7 {
		t.Fatalf("current estimates used batch %d and concurrency %d, want 5 and 7 from the string values", e.BatchSize, e.Concurrency)
	}
}
