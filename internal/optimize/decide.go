package optimize

import (
	"fmt"
	"math"
	"slices"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

type optimizer struct {
	b        *guidance.Base
	w        sizing.Workload
	src      string
	targets  []string
	cur      sizing.ESMConfig
	steps    []sizing.Step
	warnings []string
	why      map[string]string // top-level field -> reason
	notes    map[string]string // target -> note
	refs     map[string]bool
}

func (o *optimizer) n(id string) float64 {
	if s := o.b.Source(id); s != "" {
		o.refs[s] = true
	}
	return o.b.Num(id)
}

func (o *optimizer) wants(t string) bool { return slices.Contains(o.targets, t) }

// first reports whether t is the highest-priority target.
func (o *optimizer) first(t string) bool { return len(o.targets) > 0 && o.targets[0] == t }

func (o *optimizer) step(name, formula string, result float64, unit string, in map[string]float64) float64 {
	o.steps = append(o.steps, sizing.Step{Step: name, Formula: formula, Inputs: in, Result: result, Unit: unit})
	return result
}

func (o *optimizer) because(field, format string, a ...any) {
	if o.why == nil {
		o.why = map[string]string{}
	}
	o.why[field] = fmt.Sprintf(format, a...)
}

func (o *optimizer) note(target, format string, a ...any) {
	if o.notes == nil {
		o.notes = map[string]string{}
	}
	o.notes[target] = fmt.Sprintf(format, a...)
}

// decide derives the recommended scaling and batching values.
func (o *optimizer) decide() sizing.ESMConfig {
	w := o.w
	next := o.cur
	next.BatchSize = o.batchSize()
	o.w.BatchSize = next.BatchSize
	next.BatchingWindowSeconds = o.window(next.BatchSize)
	d := sizing.BatchDurationSeconds(w, next.BatchSize)
	pf := w.PeakFactor
	if pf == 0 {
		pf = o.n("sizing.peak_factor.default")
	}
	arrival := w.RecordsPerSecond * pf
	conc := o.step("concurrency needed at steady state", "peak_arrival × batch_duration ÷ batch_size", arrival*d/float64(next.BatchSize), "invocations",
		map[string]float64{"peak_arrival_records_per_second": arrival, "batch_duration_s": d, "batch_size": float64(next.BatchSize)})
	if w.BacklogRecords > 0 {
		// The backlog is shown apart from steady state: the recommendation
		// keeps up with headroom, and the drain is stated, not mixed in.
		if w.LatencyTargetSeconds > 0 {
			drain := (arrival + w.BacklogRecords/w.LatencyTargetSeconds) * d / float64(next.BatchSize)
			o.step("concurrency to drain the backlog within the latency target (not the recommendation)", "(peak_arrival + backlog ÷ latency_target) × batch_duration ÷ batch_size", drain, "invocations",
				map[string]float64{"peak_arrival_records_per_second": arrival, "backlog_records": w.BacklogRecords, "latency_target_s": w.LatencyTargetSeconds, "batch_duration_s": d, "batch_size": float64(next.BatchSize)})
			msg := fmt.Sprintf("steady state needs %.1f concurrent invocations; draining the %.0f-record backlog within %g s would need %.1f for that period: the recommendation sizes steady state with headroom and states its drain time (estimates.backlog_drain_seconds)", conc, w.BacklogRecords, w.LatencyTargetSeconds, drain)
			if sizing.IsStream(o.src) && w.Shards > 0 {
				hi := o.n("esm.parallelization_factor.max")
				if p := math.Ceil(drain / float64(w.Shards)); p <= hi {
					msg += fmt.Sprintf("; to catch up faster, raise ParallelizationFactor to %g until the iterator age is back to normal, then return to the recommended value", p)
				} else {
					msg += fmt.Sprintf("; even ParallelizationFactor %g cannot drain it that fast on %d shards", hi, w.Shards)
					if capMax := float64(w.Shards) * hi * float64(next.BatchSize) / d; capMax > arrival {
						msg += fmt.Sprintf(" (at %g it drains in about %.0f s; add shards to go faster)", hi, w.BacklogRecords/(capMax-arrival))
					}
				}
			}
			o.warnings = append(o.warnings, msg)
		}
		conc = math.Nextafter(conc, math.Inf(1)) // strictly more than arrival, so the backlog drains
	}
	switch {
	case sizing.IsStream(o.src):
		o.parallelization(&next, conc)
	case sizing.IsKafka(o.src):
		o.kafkaPollers(&next, headroom(conc), arrival)
	default:
		o.sqsScaling(&next, headroom(conc), arrival)
	}
	return next
}

// batchSize picks BatchSize within the source maximum, the 6 MB payload, the
// function timeout and the latency target.
func (o *optimizer) batchSize() int {
	w := o.w
	cur := o.cur.BatchSize
	if cur == 0 {
		cur = sizing.DefaultBatchSize(o.src, o.b)
	}
	capB := float64(sizing.MaxBatchSize(w, o.b))
	bound, which := sizing.BatchTimeBound(w, o.b)
	in := map[string]float64{"source_payload_and_time_max": capB, "batch_time_bound_s": bound, "margin_fraction": o.n("sizing.esm.batch_time_margin_fraction")}
	boundName := "time bound: the function timeout"
	if which == "lambda_max_timeout" {
		boundName = "time bound: Lambda's maximum timeout, function_timeout_seconds not given"
	}
	if w.ProcessingMsPerBatch > 0 && w.ProcessingMsPerBatch/msPerSecond > bound {
		o.warnings = append(o.warnings, fmt.Sprintf("a batch takes %g s, past the %g s bound (%s): no BatchSize fixes a fixed per-batch time; make the function faster", w.ProcessingMsPerBatch/msPerSecond, bound, which))
	}
	if w.ProcessingMsPerRecord > 0 && w.ProcessingMsPerBatch == 0 {
		if w.LatencyTargetSeconds > 0 {
			l := math.Floor(w.LatencyTargetSeconds * msPerSecond / w.ProcessingMsPerRecord)
			in["latency_cap"] = l
			capB = math.Min(capB, l)
		}
	}
	capB = math.Max(capB, o.n("esm.batch_size.min"))
	o.step("largest batch allowed ("+boundName+")", "min(source max, payload cap ÷ avg_record_bytes, margin × time bound ÷ time_per_record, latency_target ÷ time_per_record); time bound = function timeout, or 900 s when unknown", capB, "records", in)
	b := cur
	fixedPerBatch := w.ProcessingMsPerBatch > 0
	switch {
	case o.wants(TargetCost) && !(o.first(TargetFailureRate) || o.first(TargetLatency) && !fixedPerBatch):
		b = int(capB)
		o.because("BatchSize", "cost: the largest batch that fits (%d) cuts invocations per record", b)
		o.note(TargetCost, "larger batches mean fewer invocations for the same records")
	case o.wants(TargetThroughput) && fixedPerBatch:
		b = int(capB)
		o.because("BatchSize", "throughput: time per batch is fixed (%g ms), so each invocation carries the most records that fit (%d)", w.ProcessingMsPerBatch, b)
	}
	if b > int(capB) {
		o.because("BatchSize", "BatchSize %d exceeds what fits (%d: source maximum, payload cap, %.0f%% of the %g s time bound (%s) or latency target)", b, int(capB), o.b.Num("sizing.esm.batch_time_margin_fraction")*percent, bound, which)
		b = int(capB)
	}
	return max(b, 1)
}

const msPerSecond = 1000 // unit conversion

// window picks MaximumBatchingWindowInSeconds.
func (o *optimizer) window(batch int) float64 {
	w := o.w
	cur := o.cur.BatchingWindowSeconds
	maxW := o.n("esm.batching_window.max_seconds")
	if o.src == "sqs_fifo" {
		if cur > o.n("esm.sqs_fifo.batching_window.max_seconds") {
			o.because("MaximumBatchingWindowInSeconds", "SQS FIFO mappings take no batching window")
		}
		return o.b.Num("esm.sqs_fifo.batching_window.max_seconds")
	}
	next := cur
	d := sizing.BatchDurationSeconds(w, batch)
	if w.LatencyTargetSeconds > 0 {
		room := math.Floor(w.LatencyTargetSeconds - d)
		o.step("batching window that still meets the latency target", "floor(latency_target − batch_duration)", room, "s",
			map[string]float64{"latency_target_s": w.LatencyTargetSeconds, "batch_duration_s": d})
		switch {
		case o.wants(TargetLatency) && (o.first(TargetLatency) || !o.wants(TargetCost)):
			next = 0
			if cur != next {
				o.because("MaximumBatchingWindowInSeconds", "latency: no batching wait; invoke as soon as records arrive")
			}
		case o.wants(TargetCost) && room > cur:
			next = math.Min(room, maxW)
			o.because("MaximumBatchingWindowInSeconds", "cost: wait up to %g s to fill batches while staying within the %g s latency target", next, w.LatencyTargetSeconds)
		case cur > room:
			next = math.Max(0, room)
			o.because("MaximumBatchingWindowInSeconds", "a %g s window cannot meet the %g s latency target with %.2f s batches", cur, w.LatencyTargetSeconds, d)
		}
	} else if o.wants(TargetCost) {
		o.note(TargetCost, "send latency_target_seconds to let the analysis add a batching window that fills batches")
	}
	if o.src == "sqs" && float64(batch) > o.n("esm.sqs.batch_size.window_threshold") {
		minW := o.n("esm.sqs.batch_size.large_batch_window_min_seconds")
		if next < minW {
			next = minW
			o.because("MaximumBatchingWindowInSeconds", "SQS standard BatchSize above %g needs a batching window of at least %g s", o.b.Num("esm.sqs.batch_size.window_threshold"), minW)
		}
	}
	return math.Min(next, maxW)
}

func (o *optimizer) parallelization(next *sizing.ESMConfig, conc float64) {
	lo, hi := o.n("esm.parallelization_factor.min"), o.n("esm.parallelization_factor.max")
	need := o.step("ParallelizationFactor that keeps up", "ceil(concurrency_needed ÷ shards)", math.Ceil(conc/float64(o.w.Shards)), "batches per shard",
		map[string]float64{"concurrency_needed": conc, "shards": float64(o.w.Shards)})
	if d := sizing.BatchDurationSeconds(o.w, next.BatchSize); d > 0 && need < hi {
		slot := float64(next.BatchSize) / d // records/s one concurrent batch processes
		if spare := float64(o.w.Shards)*math.Max(need, lo)*slot - conc*slot; spare < slot {
			need = o.step("ParallelizationFactor with headroom", "+1 while spare capacity is under one concurrent batch (the smallest factor that keeps up, not the maximum)", math.Max(need, lo)+1, "batches per shard",
				map[string]float64{"spare_records_per_second": spare, "one_batch_slot_records_per_second": slot})
		}
	}
	pf := math.Max(lo, math.Min(hi, need))
	cur := float64(max(o.cur.ParallelizationFactor, int(lo)))
	if !o.wants(TargetCost) && cur > pf {
		pf = cur // never cut capacity unless cost is a target
	}
	if need > hi {
		shards := math.Ceil(conc / hi)
		o.step("shards needed at the maximum ParallelizationFactor", "ceil(concurrency_needed ÷ max_parallelization_factor)", shards, "shards", map[string]float64{"concurrency_needed": conc, "max_parallelization_factor": hi})
		o.warnings = append(o.warnings, fmt.Sprintf("even ParallelizationFactor %g cannot keep up on %d shards: reshard to %g shards (kinesis_scale), or make the function faster", hi, o.w.Shards, shards))
	}
	if int(pf) != next.ParallelizationFactor {
		o.because("ParallelizationFactor", "%d shards × %g concurrent batches per shard cover the %.1f concurrent invocations needed", o.w.Shards, pf, conc)
	}
	next.ParallelizationFactor = int(pf)
}

func (o *optimizer) kafkaPollers(next *sizing.ESMConfig, conc, arrival float64) {
	parts := float64(o.w.Partitions)
	if perPart := o.n("esm_scaling.kafka.batches_in_flight_per_partition"); conc > parts*perPart {
		o.warnings = append(o.warnings, fmt.Sprintf("%.1f concurrent batches needed but a Kafka mapping runs at most one batch per partition in either poller mode (%g partitions), so it cannot keep up: add partitions or make the function faster; provisioned pollers raise MB/s, not per-partition parallelism", conc, parts))
	}
	// Provisioned pollers add MB/s and scale faster; they do not add
	// per-partition parallelism, so needing more concurrent batches than
	// partitions is no reason to switch. AWS suggests them for bursty,
	// latency-sensitive workloads.
	bursty := o.w.PeakFactor > o.n("sizing.peak_factor.default")
	latencyBound := o.wants(TargetLatency) || o.w.LatencyTargetSeconds > 0 // a stated latency target is a latency goal whatever the target order
	if !next.Provisioned && !(latencyBound && bursty) {
		o.step("on-demand pollers kept", "one poller per partition at most in either mode; provisioned only for bursty, latency-sensitive traffic", 1, "",
			map[string]float64{"concurrency_needed": conc, "partitions": parts, "peak_factor": o.w.PeakFactor})
		return
	}
	if !next.Provisioned {
		o.because("ProvisionedPollerConfig", "latency with bursts (peak factor %g): provisioned pollers stay connected and scale within their range at once, where on-demand pollers follow offset lag minute by minute", o.w.PeakFactor)
	}
	next.Provisioned = true
	o.w.PollerMode = "provisioned"
	usable := math.Min(conc, parts*o.n("esm_scaling.kafka.batches_in_flight_per_partition")) // pollers beyond one batch per partition add nothing
	need := usable / o.n("esm_scaling.kafka.poller.concurrent_invokes")
	in := map[string]float64{"concurrency_usable": usable, "invokes_per_poller": o.b.Num("esm_scaling.kafka.poller.concurrent_invokes")}
	if o.w.AvgRecordBytes > 0 {
		mbps := arrival * o.w.AvgRecordBytes / bytesPerMB
		need = math.Max(need, mbps/o.n("esm_scaling.kafka.poller.mbps"))
		in["arrival_mb_per_second"] = mbps
		in["mb_per_second_per_poller"] = o.b.Num("esm_scaling.kafka.poller.mbps")
	}
	o.step("pollers needed at peak", "max(min(concurrency_needed, partitions) ÷ invokes_per_poller, MB/s ÷ MB/s_per_poller)", need, "pollers", in)
	lo := o.n("esm.kafka.provisioned.minimum_pollers.min")
	maxP := math.Min(math.Min(math.Max(math.Ceil(need), lo), parts), o.n("esm.kafka.provisioned.maximum_pollers.max"))
	if math.Ceil(need) > parts {
		o.warnings = append(o.warnings, fmt.Sprintf("%.0f pollers needed but Lambda caps them at the %g partitions: add partitions or make the function faster", math.Ceil(need), parts))
	}
	pf := o.w.PeakFactor
	if pf == 0 {
		pf = o.n("sizing.peak_factor.default")
	}
	minP := math.Max(lo, math.Min(math.Min(math.Ceil(need/pf), maxP), o.n("esm.kafka.provisioned.minimum_pollers.max")))
	if !o.wants(TargetCost) && o.cur.MaximumPollers > int(maxP) {
		maxP = float64(o.cur.MaximumPollers)
	}
	if int(maxP) != o.cur.MaximumPollers || int(minP) != o.cur.MinimumPollers {
		o.because("ProvisionedPollerConfig", "%.2f pollers needed at peak (%.2f at average): MinimumPollers %g, MaximumPollers %g", need, need/pf, minP, maxP)
	}
	next.MinimumPollers, next.MaximumPollers = int(minP), int(maxP)
}

func (o *optimizer) sqsScaling(next *sizing.ESMConfig, conc, arrival float64) {
	if g := float64(o.w.MessageGroups) * o.n("esm_scaling.sqs_fifo.batches_per_message_group"); o.src == "sqs_fifo" && g > 0 && conc > g {
		o.warnings = append(o.warnings, fmt.Sprintf("%.0f concurrent batches needed but a FIFO mapping runs one batch per active message group (%g): spread the messages over more message groups (MessageGroupId), or make the function faster", conc, g))
	}
	lo, hi := o.n("esm.scaling_config.maximum_concurrency.min"), o.n("esm.scaling_config.maximum_concurrency.max")
	if !next.Provisioned && conc <= hi {
		mc := math.Max(lo, math.Ceil(conc))
		o.step("MaximumConcurrency", "max(min, ceil(concurrency_needed))", mc, "invocations", map[string]float64{"concurrency_needed": conc, "min": lo})
		if !o.wants(TargetCost) && float64(o.cur.MaximumConcurrency) > mc {
			mc = float64(o.cur.MaximumConcurrency)
		}
		if o.cur.MaximumConcurrency == 0 && !o.wants(TargetCost) {
			// Unset means up to the on-demand maximum: keep it unless cost asks for a cap.
			o.step("MaximumConcurrency left unset", "the on-demand maximum already covers concurrency_needed", 0, "", map[string]float64{"concurrency_needed": conc})
			return
		}
		if int(mc) != o.cur.MaximumConcurrency {
			o.because("ScalingConfig", "%.1f concurrent batches are needed; MaximumConcurrency %g caps spend without throttling the queue", conc, mc)
		}
		next.MaximumConcurrency = int(mc)
		return
	}
	if !next.Provisioned {
		o.because("ProvisionedPollerConfig", "%.0f concurrent batches exceed the on-demand maximum of %g: provisioned pollers (replacing ScalingConfig)", conc, hi)
		next.MaximumConcurrency = 0
	}
	next.Provisioned = true
	o.w.PollerMode = "provisioned"
	need := conc / o.n("esm_scaling.sqs.poller.concurrent_invokes")
	if o.w.AvgRecordBytes > 0 {
		need = math.Max(need, arrival*o.w.AvgRecordBytes/bytesPerMB/o.n("esm_scaling.sqs.poller.mbps"))
	}
	o.step("pollers needed at peak", "max(concurrency_needed ÷ invokes_per_poller, MB/s ÷ MB/s_per_poller)", need, "pollers", map[string]float64{"concurrency_needed": conc})
	lo = o.n("esm.sqs.provisioned.minimum_pollers.min")
	maxP := math.Min(math.Max(math.Ceil(need), lo), o.n("esm.sqs.provisioned.maximum_pollers.max"))
	minP := math.Max(lo, math.Min(maxP, o.n("esm.sqs.provisioned.minimum_pollers.max")))
	pf := o.w.PeakFactor
	if pf > 0 {
		minP = math.Max(lo, math.Min(math.Ceil(need/pf), minP))
	}
	if !o.wants(TargetCost) && o.cur.MaximumPollers > int(maxP) {
		maxP = float64(o.cur.MaximumPollers)
	}
	if int(maxP) != o.cur.MaximumPollers || int(minP) != o.cur.MinimumPollers {
		o.because("ProvisionedPollerConfig", "%.2f pollers needed at peak: MinimumPollers %g, MaximumPollers %g", need, minP, maxP)
	}
	next.MinimumPollers, next.MaximumPollers = int(minP), int(maxP)
}

const bytesPerMB = 1e6 // unit conversion

// apply writes the decisions into a copy of the current configuration.
func (o *optimizer) apply(cur map[string]any, next sizing.ESMConfig) map[string]any {
	rec := copyMap(cur)
	rec["BatchSize"] = next.BatchSize
	if next.BatchingWindowSeconds > 0 {
		rec["MaximumBatchingWindowInSeconds"] = int(next.BatchingWindowSeconds)
	} else if _, set := cur["MaximumBatchingWindowInSeconds"]; set || o.src == "sqs_fifo" {
		delete(rec, "MaximumBatchingWindowInSeconds")
		if o.src != "sqs_fifo" {
			rec["MaximumBatchingWindowInSeconds"] = 0
		}
	}
	if sizing.IsStream(o.src) {
		rec["ParallelizationFactor"] = next.ParallelizationFactor
	}
	if next.Provisioned {
		p := map[string]any{"MinimumPollers": next.MinimumPollers, "MaximumPollers": next.MaximumPollers}
		if old, ok := cur["ProvisionedPollerConfig"].(map[string]any); ok {
			if g, ok := old["PollerGroupName"]; ok {
				p["PollerGroupName"] = g
			}
		}
		rec["ProvisionedPollerConfig"] = p
		delete(rec, "ScalingConfig")
	} else if next.MaximumConcurrency > 0 {
		rec["ScalingConfig"] = map[string]any{"MaximumConcurrency": next.MaximumConcurrency}
	}
	if o.wants(TargetFailureRate) {
		o.failureFields(rec, next)
	}
	return copyMap(rec) // normalise ints to JSON numbers
}

// failureFields adds partial batch responses and bisection where the source
// (and, for Kafka, provisioned mode) supports them.
func (o *optimizer) failureFields(rec map[string]any, next sizing.ESMConfig) {
	types := o.b.Strings("esm.function_response_types.values")
	kafkaOK := sizing.IsKafka(o.src) && next.Provisioned
	if sizing.IsStream(o.src) || sizing.IsSQS(o.src) || kafkaOK {
		if _, set := rec["FunctionResponseTypes"]; !set {
			rec["FunctionResponseTypes"] = types
			if sizing.IsSQS(o.src) {
				o.because("FunctionResponseTypes", "failure_rate: only the failed messages return to the queue (the handler must return batchItemFailures)")
			} else {
				o.because("FunctionResponseTypes", "failure_rate: retries resume from the first failed record instead of the whole batch; records after it are processed again, so keep the handler idempotent (it must return batchItemFailures)")
			}
		}
	}
	if sizing.IsStream(o.src) || kafkaOK {
		if v, _ := rec["BisectBatchOnFunctionError"].(bool); !v {
			rec["BisectBatchOnFunctionError"] = true
			o.because("BisectBatchOnFunctionError", "failure_rate: split a failing batch to isolate a poison record")
		}
	}
	o.note(TargetFailureRate, "the handler must return batchItemFailures; also set an on-failure destination (DestinationConfig) and, for streams, a finite MaximumRetryAttempts so a poison record cannot block its shard")
}

// headroom is the concurrency to provision for conc concurrent batches with
// at least one spare batch, so a recommendation never runs at exactly 100%.
func headroom(conc float64) float64 { return math.Floor(conc) + 1 }
