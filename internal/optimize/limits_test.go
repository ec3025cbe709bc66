package optimize

import (
	"math/rand/v2"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// checkLimits fails when a recommended configuration breaks a Lambda,
// Kinesis or Kafka ESM limit that guidance knows: BatchSize range (FIFO
// 10), the 6 MB payload, the batch's processing time against the function
// timeout or Lambda's 900 s maximum (per-record workloads), the batching
// window, ParallelizationFactor, MaximumConcurrency and poller ranges,
// pollers and concurrency against partitions.
func checkLimits(t *testing.T, b *guidance.Base, src string, w sizing.Workload, rec map[string]any, est sizing.ESMEstimates, ctx string) {
	t.Helper()
	n := func(m map[string]any, k string) (float64, bool) { return num(m, k) }
	bs, _ := n(rec, "BatchSize")
	maxB := b.Num("esm.batch_size.max")
	if src == "sqs_fifo" {
		maxB = b.Num("esm.sqs_fifo.batch_size.max")
	}
	if bs < b.Num("esm.batch_size.min") || bs > maxB {
		t.Fatalf("%s: BatchSize %g outside [%g, %g]", ctx, bs, b.Num("esm.batch_size.min"), maxB)
	}
	if w.AvgRecordBytes > 0 && bs > 1 && bs*w.AvgRecordBytes > b.Num("lambda.invoke.sync_payload.max_bytes") {
		t.Fatalf("%s: BatchSize %g × %g bytes passes the 6 MB payload", ctx, bs, w.AvgRecordBytes)
	}
	if w.ProcessingMsPerRecord > 0 && w.ProcessingMsPerBatch == 0 && bs > 1 {
		bound, _ := sizing.BatchTimeBound(w, b)
		if d := bs * w.ProcessingMsPerRecord / msPerSecond; d > bound {
			t.Fatalf("%s: a batch takes %g s, past the %g s bound", ctx, d, bound)
		}
	}
	if win, ok := n(rec, "MaximumBatchingWindowInSeconds"); ok && win > b.Num("esm.batching_window.max_seconds") {
		t.Fatalf("%s: window %g", ctx, win)
	}
	if pf, ok := n(rec, "ParallelizationFactor"); ok && (pf < b.Num("esm.parallelization_factor.min") || pf > b.Num("esm.parallelization_factor.max")) {
		t.Fatalf("%s: ParallelizationFactor %g", ctx, pf)
	}
	if sc, ok := rec["ScalingConfig"].(map[string]any); ok {
		if mc, ok := n(sc, "MaximumConcurrency"); ok && (mc < b.Num("esm.scaling_config.maximum_concurrency.min") || mc > b.Num("esm.scaling_config.maximum_concurrency.max")) {
			t.Fatalf("%s: MaximumConcurrency %g", ctx, mc)
		}
	}
	if p, ok := rec["ProvisionedPollerConfig"].(map[string]any); ok {
		lo, _ := n(p, "MinimumPollers")
		hi, _ := n(p, "MaximumPollers")
		maxID := "esm.sqs.provisioned.maximum_pollers.max"
		if sizing.IsKafka(src) {
			maxID = "esm.kafka.provisioned.maximum_pollers.max"
			if hi > float64(w.Partitions) {
				t.Fatalf("%s: MaximumPollers %g above %d partitions", ctx, hi, w.Partitions)
			}
		}
		if lo < 1 || lo > hi || hi > b.Num(maxID) {
			t.Fatalf("%s: pollers %g–%g", ctx, lo, hi)
		}
	}
	if sizing.IsKafka(src) && est.Concurrency > w.Partitions {
		t.Fatalf("%s: %d concurrent invocations on %d partitions (one batch per partition)", ctx, est.Concurrency, w.Partitions)
	}
}

// TestRecommendationsRespectLimits: a property test over random workloads:
// no esm_optimize recommendation and no sizing lambda_esm answer breaks a
// limit guidance knows, and the recommended configuration passes the rule
// engine without errors.
func TestRecommendationsRespectLimits(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	rng := rand.New(rand.NewPCG(14, 2026))
	sources := []string{"kinesis", "dynamodb", "sqs", "sqs_fifo", "msk", "self_managed_kafka"}
	z := New(b)
	for i := range 600 {
		src := sources[rng.IntN(len(sources))]
		w := sizing.Workload{
			RecordsPerSecond: float64(1 + rng.IntN(100000)),
			AvgRecordBytes:   float64(50 + rng.IntN(500000)),
			Shards:           1 + rng.IntN(300),
			Partitions:       1 + rng.IntN(300),
		}
		if rng.IntN(4) > 0 {
			w.ProcessingMsPerRecord = 0.05 + rng.Float64()*3000
		} else {
			w.ProcessingMsPerBatch = 5 + rng.Float64()*20000
		}
		if rng.IntN(2) == 0 {
			w.FunctionTimeoutSeconds = float64(3 + rng.IntN(898))
		}
		if rng.IntN(2) == 0 {
			w.LatencyTargetSeconds = float64(1 + rng.IntN(900))
		}
		if rng.IntN(3) == 0 {
			w.BacklogRecords = float64(rng.IntN(50000000))
		}
		var ts []string
		for _, tgt := range AllTargets() {
			if rng.IntN(2) == 0 {
				ts = append(ts, tgt)
			}
		}
		a, err := z.Analyze(Request{Source: src, Config: baseConfig(src), Workload: w, Targets: ts})
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		ctx := "esm_optimize case " + src
		if errs := errorsOf(a.Violations); len(errs) > 0 {
			t.Fatalf("%s %d: rule engine errors on %+v: %+v", ctx, i, a.Recommended, errs)
		}
		checkLimits(t, b, src, w, a.Recommended, a.Estimates, ctx)

		w.EventSource = src
		r, err := sizing.LambdaESM(w, b)
		if err != nil {
			t.Fatalf("sizing case %d: %v", i, err)
		}
		rec := map[string]any{"BatchSize": float64(r.Recommendation.BatchSize)}
		if r.Recommendation.ParallelizationFactor > 0 {
			rec["ParallelizationFactor"] = float64(r.Recommendation.ParallelizationFactor)
		}
		if r.Recommendation.MaximumConcurrency > 0 {
			rec["ScalingConfig"] = map[string]any{"MaximumConcurrency": float64(r.Recommendation.MaximumConcurrency)}
		}
		if r.Recommendation.MaximumPollers > 0 {
			rec["ProvisionedPollerConfig"] = map[string]any{"MinimumPollers": float64(r.Recommendation.MinimumPollers), "MaximumPollers": float64(r.Recommendation.MaximumPollers)}
		}
		ev, err := sizing.EvaluateESM(w, sizing.ESMConfig{BatchSize: r.Recommendation.BatchSize, ParallelizationFactor: r.Recommendation.ParallelizationFactor,
			MaximumConcurrency: r.Recommendation.MaximumConcurrency, MinimumPollers: r.Recommendation.MinimumPollers, MaximumPollers: r.Recommendation.MaximumPollers,
			Provisioned: r.Recommendation.PollerMode == "provisioned"}, b)
		if err != nil {
			t.Fatalf("sizing case %d: %v", i, err)
		}
		checkLimits(t, b, src, w, rec, ev.Estimates, "sizing case "+src)
	}
}
