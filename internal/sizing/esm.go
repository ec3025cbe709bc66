package sizing

import (
	"fmt"
	"math"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// ESMConfig is the part of an event source mapping's configuration the
// throughput model needs. Zero means "not set" (the source's default).
type ESMConfig struct {
	BatchSize             int
	BatchingWindowSeconds float64
	ParallelizationFactor int
	MaximumConcurrency    int // SQS ScalingConfig
	MinimumPollers        int
	MaximumPollers        int
	Provisioned           bool // ProvisionedPollerConfig set (SQS, Kafka)
}

// ESMEstimates is what a configuration does with a workload.
type ESMEstimates struct {
	ArrivalRecordsPerSecond  float64 `json:"arrival_records_per_second" jsonschema_description:"peak records per second arriving"`
	BatchSize                int     `json:"batch_size" jsonschema_description:"BatchSize"`
	BatchDurationSeconds     float64 `json:"batch_duration_seconds" jsonschema_description:"function time for one full batch"`
	BatchFillSeconds         float64 `json:"batch_fill_seconds" jsonschema_description:"time for one batch slot to collect a full batch at the arrival rate"`
	Concurrency              int     `json:"concurrency" jsonschema_description:"concurrent invocations the configuration allows"`
	ConcurrencyNeeded        float64 `json:"concurrency_needed" jsonschema_description:"arrival x batch duration / batch size (Little's law)"`
	CapacityRecordsPerSecond float64 `json:"capacity_records_per_second" jsonschema_description:"records per second the mapping can process"`
	Utilisation              float64 `json:"utilisation" jsonschema_description:"arrival / capacity"`
	KeepsUp                  bool    `json:"keeps_up" jsonschema_description:"whether processing capacity covers the peak arrival rate"`
	ExpectedLatencySeconds   float64 `json:"expected_latency_seconds,omitempty" jsonschema_description:"batching wait + batch duration, when the mapping keeps up"`
	PayloadBytesPerBatch     float64 `json:"payload_bytes_per_batch,omitempty" jsonschema_description:"BatchSize x avg_record_bytes, against the 6 MB invocation payload"`
	InvocationsPerSecond     float64 `json:"invocations_per_second" jsonschema_description:"cost driver: invocations per second at the arrival rate"`
	DrainSeconds             float64 `json:"backlog_drain_seconds,omitempty" jsonschema_description:"time to clear backlog_records; -1 when the backlog grows"`
	IteratorAgeTrend         string  `json:"lag_trend" jsonschema:"enum=falling,enum=growing,enum=steady" jsonschema_description:"whether iterator age / offset lag falls or grows"`
	Pollers                  int     `json:"pollers,omitempty" jsonschema_description:"provisioned pollers in use (MaximumPollers, capped by partitions for Kafka)"`
	Binding                  string  `json:"binding_constraint" jsonschema_description:"what limits capacity"`
	RecordsPerInvocation     float64 `json:"records_per_invocation" jsonschema_description:"average records per invocation at the arrival rate"`
	BatchTimeBoundSeconds    float64 `json:"batch_time_bound_seconds" jsonschema_description:"the time a batch must finish within"`
	BatchTimeBound           string  `json:"batch_time_bound" jsonschema:"enum=function_timeout,enum=lambda_max_timeout" jsonschema_description:"which bound applied"`
}

func isStream(s string) bool { return s == "kinesis" || s == "dynamodb" }
func isKafka(s string) bool  { return s == "msk" || s == "self_managed_kafka" }
func isSQS(s string) bool    { return s == "sqs" || s == "sqs_fifo" }

// validateESMWorkload checks the fields every ESM estimate needs.
func validateESMWorkload(w Workload) error {
	switch {
	case !isStream(w.EventSource) && !isKafka(w.EventSource) && !isSQS(w.EventSource):
		return fmt.Errorf("%w: event_source must be kinesis, dynamodb, sqs, sqs_fifo, msk or self_managed_kafka", ErrInput)
	case w.RecordsPerSecond <= 0:
		return fmt.Errorf("%w: send records_per_second (the arrival rate)", ErrInput)
	case w.ProcessingMsPerRecord <= 0 && w.ProcessingMsPerBatch <= 0:
		return fmt.Errorf("%w: send processing_ms_per_record or processing_ms_per_batch", ErrInput)
	case isStream(w.EventSource) && w.Shards <= 0:
		return fmt.Errorf("%w: send shards for a %s source", ErrInput, w.EventSource)
	case isKafka(w.EventSource) && w.Partitions <= 0:
		return fmt.Errorf("%w: send partitions for a Kafka source", ErrInput)
	}
	return nil
}

// defaultBatch returns the source's default BatchSize.
func (c *calc) defaultBatch(src string) int {
	if isSQS(src) {
		return int(c.n("esm.batch_size.default.sqs"))
	}
	return int(c.n("esm.batch_size.default.other"))
}

// batchDuration is the function time for a batch of n records, seconds.
func batchDuration(w Workload, n int) float64 {
	if w.ProcessingMsPerBatch > 0 {
		return w.ProcessingMsPerBatch / msPerSecond
	}
	return float64(n) * w.ProcessingMsPerRecord / msPerSecond
}

// estimate runs the throughput model for one configuration, recording steps
// when record is true.
func (c *calc) estimate(w Workload, cfg ESMConfig, record bool) ESMEstimates {
	st := func(n, f string, r float64, u string, kv ...any) float64 {
		if record {
			return c.step(n, f, r, u, kv...)
		}
		return r
	}
	src := w.EventSource
	e := ESMEstimates{}
	pf := c.peak(w)
	e.ArrivalRecordsPerSecond = st("peak arrival", "records_per_second × peak_factor", w.RecordsPerSecond*pf, "records/s", "records_per_second", w.RecordsPerSecond, "peak_factor", pf)
	B := cfg.BatchSize
	if B == 0 {
		B = c.defaultBatch(src)
	}
	e.BatchSize = B
	if w.ProcessingMsPerBatch > 0 {
		e.BatchDurationSeconds = st("batch duration", "processing_ms_per_batch ÷ 1000", batchDuration(w, B), "s", "processing_ms_per_batch", w.ProcessingMsPerBatch)
	} else {
		e.BatchDurationSeconds = st("batch duration", "batch_size × processing_ms_per_record ÷ 1000", batchDuration(w, B), "s", "batch_size", B, "processing_ms_per_record", w.ProcessingMsPerRecord)
	}
	d := e.BatchDurationSeconds
	var slots float64
	mbCap := math.Inf(1)
	switch {
	case isStream(src):
		p := cfg.ParallelizationFactor
		if p == 0 {
			p = int(c.n("esm.parallelization_factor.min"))
		}
		slots = st("concurrent batches", "shards × ParallelizationFactor", float64(w.Shards*p), "invocations", "shards", w.Shards, "parallelization_factor", p)
		e.Binding = "shards × ParallelizationFactor"
	case isKafka(src) && !cfg.Provisioned:
		slots = st("concurrent batches (on-demand)", "partitions × batches_in_flight_per_partition (at most one poller and one batch per partition)",
			float64(w.Partitions)*math.Min(c.n("esm_scaling.kafka.on_demand.pollers_per_partition"), c.n("esm_scaling.kafka.batches_in_flight_per_partition")), "invocations", "partitions", w.Partitions)
		e.Binding = "partitions (one batch in flight per partition)"
	case isKafka(src):
		mp := cfg.MaximumPollers
		if mp == 0 {
			mp = w.Partitions
		}
		e.Pollers = min(mp, w.Partitions)
		inv := c.n("esm_scaling.kafka.poller.concurrent_invokes")
		perPart := c.n("esm_scaling.kafka.batches_in_flight_per_partition")
		slots = st("concurrent batches (provisioned)", "min(pollers × invokes_per_poller, partitions × batches_in_flight_per_partition)", math.Min(float64(e.Pollers)*inv, float64(w.Partitions)*perPart), "invocations",
			"maximum_pollers", mp, "partitions", w.Partitions, "invokes_per_poller", inv, "batches_in_flight_per_partition", perPart)
		if w.AvgRecordBytes > 0 {
			mbCap = st("poller byte capacity", "pollers × MB/s_per_poller × 10^6 ÷ avg_record_bytes", float64(e.Pollers)*c.n("esm_scaling.kafka.poller.mbps")*bytesPerMB/w.AvgRecordBytes, "records/s",
				"pollers", e.Pollers, "mb_per_second_per_poller", c.b.Num("esm_scaling.kafka.poller.mbps"), "avg_record_bytes", w.AvgRecordBytes)
		}
		e.Binding = "provisioned pollers (concurrent invokes)"
		if float64(e.Pollers)*inv >= float64(w.Partitions)*perPart {
			e.Binding = "partitions (one batch in flight per partition)"
		}
	case isSQS(src) && cfg.Provisioned:
		mp := cfg.MaximumPollers
		if mp == 0 {
			mp = int(c.n("esm.sqs.provisioned.minimum_pollers.min"))
		}
		e.Pollers = mp
		inv := c.n("esm_scaling.sqs.poller.concurrent_invokes")
		slots = st("concurrent batches (provisioned)", "MaximumPollers × invokes_per_poller", float64(mp)*inv, "invocations", "maximum_pollers", mp, "invokes_per_poller", inv)
		if w.AvgRecordBytes > 0 {
			mbCap = st("poller byte capacity", "pollers × MB/s_per_poller × 10^6 ÷ avg_record_bytes", float64(mp)*c.n("esm_scaling.sqs.poller.mbps")*bytesPerMB/w.AvgRecordBytes, "records/s",
				"pollers", mp, "mb_per_second_per_poller", c.b.Num("esm_scaling.sqs.poller.mbps"), "avg_record_bytes", w.AvgRecordBytes)
		}
		e.Binding = "provisioned pollers (concurrent invokes)"
	default: // SQS on-demand
		mc := float64(cfg.MaximumConcurrency)
		lim := c.n("esm_scaling.sqs.on_demand.max_concurrent_batches")
		if mc == 0 || mc > lim {
			mc = lim
			e.Binding = "SQS on-demand maximum concurrent batches"
		} else {
			e.Binding = "ScalingConfig.MaximumConcurrency"
		}
		slots = st("concurrent batches (on-demand)", "MaximumConcurrency, or the per-ESM on-demand maximum", mc, "invocations", "maximum_concurrency", cfg.MaximumConcurrency, "on_demand_max", lim)
	}
	if src == "sqs_fifo" && w.MessageGroups > 0 {
		if g := float64(w.MessageGroups) * c.n("esm_scaling.sqs_fifo.batches_per_message_group"); g < slots {
			slots = st("concurrent batches (FIFO)", "min(concurrent batches, active message groups × batches_per_group)", g, "invocations", "message_groups", w.MessageGroups)
			e.Binding = "active message groups (one batch per group)"
		}
	}
	e.Concurrency = int(slots)
	capacity := st("processing capacity", "concurrent_batches × batch_size ÷ batch_duration", slots*float64(B)/d, "records/s", "concurrent_batches", slots, "batch_size", B, "batch_duration_s", d)
	if mbCap < capacity {
		capacity = mbCap
		e.Binding = "provisioned pollers (MB/s)"
	}
	e.CapacityRecordsPerSecond = capacity
	e.ConcurrencyNeeded = st("concurrency needed", "arrival × batch_duration ÷ batch_size", e.ArrivalRecordsPerSecond*d/float64(B), "invocations", "arrival_records_per_second", e.ArrivalRecordsPerSecond, "batch_duration_s", d, "batch_size", B)
	e.Utilisation = st("utilisation", "arrival ÷ capacity", e.ArrivalRecordsPerSecond/capacity, "fraction", "arrival_records_per_second", e.ArrivalRecordsPerSecond, "capacity_records_per_second", capacity)
	e.KeepsUp = e.Utilisation <= 1
	if isSQS(src) {
		// One queue feeds every batch: a batch fills from the whole arrival rate.
		e.BatchFillSeconds = st("batch fill time", "batch_size ÷ arrival (one queue fills each batch)", float64(B)/e.ArrivalRecordsPerSecond, "s", "batch_size", B, "arrival_records_per_second", e.ArrivalRecordsPerSecond)
	} else {
		perSlot := e.ArrivalRecordsPerSecond / slots
		e.BatchFillSeconds = st("batch fill time", "batch_size ÷ (arrival ÷ concurrent_batches): each shard or partition fills its own batches", float64(B)/perSlot, "s", "batch_size", B, "arrival_per_slot", perSlot)
	}
	wait := 0.0
	if cfg.BatchingWindowSeconds > 0 {
		wait = math.Min(cfg.BatchingWindowSeconds, e.BatchFillSeconds)
	}
	poll := 0.0 // how often Lambda reads a shard with a standard iterator
	switch src {
	case "kinesis":
		poll = c.n("esm_scaling.kinesis.poll_interval_seconds")
	case "dynamodb":
		poll = 1 / c.n("esm_scaling.dynamodb.polls_per_second")
	}
	wait = math.Max(wait, poll)
	if e.KeepsUp {
		e.ExpectedLatencySeconds = st("expected latency", "max(min(batching_window, batch_fill), poll_interval) + batch_duration", wait+d, "s",
			"batching_window_s", cfg.BatchingWindowSeconds, "batch_fill_s", e.BatchFillSeconds, "poll_interval_s", poll, "batch_duration_s", d)
	}
	processed := math.Min(e.ArrivalRecordsPerSecond, capacity)
	var perInv float64
	switch {
	case w.BacklogRecords > 0 || !e.KeepsUp:
		perInv = st("records per invocation (backlog)", "a backlog fills every batch: batch_size", float64(B), "records", "batch_size", B, "backlog_records", w.BacklogRecords)
	case isSQS(src):
		// One queue: pollers fill each batch from the whole arrival rate,
		// up to BatchSize or the window, whichever comes first.
		fill := cfg.BatchingWindowSeconds
		if fill == 0 {
			fill = d
		}
		perInv = st("records per invocation", "min(batch_size, arrival × fill_time); fill_time = batching window, or the batch duration without one", math.Min(float64(B), math.Max(1, e.ArrivalRecordsPerSecond*fill)), "records",
			"batch_size", B, "arrival_records_per_second", e.ArrivalRecordsPerSecond, "fill_time_s", fill)
	default:
		// Shards and partitions batch separately, one batch in flight each.
		perInv = st("records per invocation", "min(batch_size, arrival ÷ concurrent_batches × max(wait, batch_duration)): each shard or partition batches its own records", math.Min(float64(B), math.Max(1, processed/slots*math.Max(wait, d))), "records",
			"batch_size", B, "processed_records_per_second", processed, "concurrent_batches", slots, "wait_s", wait, "batch_duration_s", d)
	}
	e.RecordsPerInvocation = round(perInv)
	e.InvocationsPerSecond = st("invocations per second", "processed ÷ records_per_invocation", processed/perInv, "invocations/s",
		"processed_records_per_second", processed, "records_per_invocation", perInv)
	e.BatchTimeBoundSeconds, e.BatchTimeBound = c.batchTimeBound(w)
	if w.AvgRecordBytes > 0 {
		e.PayloadBytesPerBatch = float64(B) * w.AvgRecordBytes
	}
	switch {
	case e.Utilisation > 1:
		e.IteratorAgeTrend = "growing"
	case w.BacklogRecords > 0:
		e.IteratorAgeTrend = "falling"
	default:
		e.IteratorAgeTrend = "steady"
	}
	if w.BacklogRecords > 0 {
		st("invocations to clear the backlog", "ceil(backlog ÷ batch_size): a backlog fills every batch", math.Ceil(w.BacklogRecords/float64(B)), "invocations", "backlog_records", w.BacklogRecords, "batch_size", B)
		if capacity > e.ArrivalRecordsPerSecond {
			e.DrainSeconds = st("backlog drain time", "backlog ÷ (capacity − arrival)", w.BacklogRecords/(capacity-e.ArrivalRecordsPerSecond), "s",
				"backlog_records", w.BacklogRecords, "capacity_records_per_second", capacity, "arrival_records_per_second", e.ArrivalRecordsPerSecond)
		} else {
			e.DrainSeconds = -1
		}
	}
	e.CapacityRecordsPerSecond = round(e.CapacityRecordsPerSecond)
	e.Utilisation = round(e.Utilisation)
	e.ConcurrencyNeeded = round(e.ConcurrencyNeeded)
	e.BatchFillSeconds = round(e.BatchFillSeconds)
	e.ExpectedLatencySeconds = round(e.ExpectedLatencySeconds)
	e.InvocationsPerSecond = round(e.InvocationsPerSecond)
	e.DrainSeconds = round(e.DrainSeconds)
	e.BatchDurationSeconds = round(e.BatchDurationSeconds)
	e.ArrivalRecordsPerSecond = round(e.ArrivalRecordsPerSecond)
	return e
}

// checks appends the payload, timeout, latency and concurrency warnings of a
// configuration.
func (c *calc) checks(w Workload, cfg ESMConfig, e ESMEstimates) {
	if e.PayloadBytesPerBatch > 0 {
		capB := c.n("lambda.invoke.sync_payload.max_bytes")
		if e.PayloadBytesPerBatch > capB {
			c.warn("BatchSize %d × %g bytes = %.0f bytes exceeds the %g-byte synchronous payload cap: Lambda cuts batches at the cap, so at most %d records of this size fit",
				e.BatchSize, w.AvgRecordBytes, e.PayloadBytesPerBatch, capB, int(capB/w.AvgRecordBytes))
		}
	}
	bound, which := c.batchTimeBound(w)
	margin := c.n("sizing.esm.batch_time_margin_fraction")
	switch {
	case e.BatchDurationSeconds > bound && which == "function_timeout":
		c.warn("a full batch takes %.1f s but the function times out at %g s: batches fail and are retried until the records expire (streams, Kafka) or return to the queue (SQS); lower BatchSize or raise the timeout", e.BatchDurationSeconds, bound)
	case e.BatchDurationSeconds > bound:
		c.warn("a full batch takes %.1f s, past Lambda's %g s maximum timeout (function timeout not given): no timeout can fit it; lower BatchSize or make the function faster", e.BatchDurationSeconds, bound)
	case e.BatchDurationSeconds > margin*bound:
		c.warn("a full batch takes %.1f s, within %.0f%% of the %g s bound (%s): a slow batch will time out; keep batches under %.0f s", e.BatchDurationSeconds, (1-margin)*percent, bound, boundText(which), margin*bound)
	}
	if w.LatencyTargetSeconds > 0 && cfg.BatchingWindowSeconds > w.LatencyTargetSeconds {
		c.warn("MaximumBatchingWindowInSeconds %g exceeds the latency target of %g s", cfg.BatchingWindowSeconds, w.LatencyTargetSeconds)
	}
	if w.LatencyTargetSeconds > 0 && e.KeepsUp && e.ExpectedLatencySeconds > w.LatencyTargetSeconds {
		c.warn("expected latency %.1f s misses the %g s target", e.ExpectedLatencySeconds, w.LatencyTargetSeconds)
	}
	if e.KeepsUp && e.Concurrency > 0 && e.CapacityRecordsPerSecond-e.ArrivalRecordsPerSecond < e.CapacityRecordsPerSecond/float64(e.Concurrency) {
		c.warn("%.0f%% utilised with less than one spare concurrent batch: any burst above the stated peak builds a backlog; give peak_factor for the real peak", e.Utilisation*percent)
	}
	if acct := c.n("lambda.account.concurrency.default"); e.ConcurrencyNeeded > acct {
		c.warn("%.0f concurrent invocations exceed the default account concurrency quota of %g per Region: request an increase", e.ConcurrencyNeeded, acct)
	}
	if isSQS(w.EventSource) && w.FunctionTimeoutSeconds > 0 && w.VisibilityTimeoutSeconds > 0 {
		f := c.n("esm.sqs.visibility_timeout.function_timeout_ratio")
		if w.VisibilityTimeoutSeconds < f*w.FunctionTimeoutSeconds {
			c.warn("queue visibility timeout %g s is below %g × the function timeout (%g s): messages can reappear while still being processed", w.VisibilityTimeoutSeconds, f, f*w.FunctionTimeoutSeconds)
		}
	}
	if w.EventSource == "sqs_fifo" && w.MessageGroups == 0 {
		c.warn("SQS FIFO concurrency is also bounded by the number of active message groups (one batch per group at a time); send message_groups to model it")
	}
}

// maxBatch returns the largest BatchSize allowed for the source, also capped
// by the payload limit when the record size is known.
func (c *calc) maxBatch(w Workload) int {
	m := c.n("esm.batch_size.max") // streams, Kafka and SQS standard share one maximum
	if w.EventSource == "sqs_fifo" {
		m = c.n("esm.sqs_fifo.batch_size.max")
	}
	if w.AvgRecordBytes > 0 {
		m = math.Min(m, math.Floor(c.n("lambda.invoke.sync_payload.max_bytes")/w.AvgRecordBytes))
	}
	if w.ProcessingMsPerRecord > 0 && w.ProcessingMsPerBatch == 0 {
		bound, _ := c.batchTimeBound(w)
		m = math.Min(m, math.Floor(c.n("sizing.esm.batch_time_margin_fraction")*bound*msPerSecond/w.ProcessingMsPerRecord))
	}
	return max(1, int(m))
}

// batchTimeBound is the time a batch must finish within: the function
// timeout when given, else Lambda's maximum timeout; the second value says
// which ("function_timeout" or "lambda_max_timeout").
func (c *calc) batchTimeBound(w Workload) (float64, string) {
	maxT := c.n("lambda.function.timeout.max_seconds")
	if w.FunctionTimeoutSeconds > 0 {
		return math.Min(w.FunctionTimeoutSeconds, maxT), "function_timeout"
	}
	return maxT, "lambda_max_timeout"
}

func boundText(which string) string {
	if which == "function_timeout" {
		return "the function timeout"
	}
	return "Lambda's maximum timeout; function_timeout_seconds not given"
}

// LambdaESM sizes a Lambda event source mapping: for Kinesis and DynamoDB
// the ParallelizationFactor that keeps up (concurrency = shards × PF); for
// Kafka the pollers (on-demand: one per partition; provisioned: ≈5 MB/s and
// ≈5 concurrent invokes each); for SQS the concurrency (arrival × duration ÷
// batch) as MaximumConcurrency or provisioned pollers (≈1 MB/s and 10
// invokes each). It checks the 6 MB payload cap, the function timeout, the
// batching window against the latency target, and the backlog drain time.
func LambdaESM(w Workload, b *guidance.Base) (Result, error) {
	c := newCalc(b, "lambda_esm")
	if w.RecordsPerSecond == 0 && w.IngressMBps > 0 && w.AvgRecordBytes > 0 {
		w.RecordsPerSecond = c.step("records per second", "ingress × 10^6 ÷ avg_record_bytes", w.IngressMBps*bytesPerMB/w.AvgRecordBytes, "records/s", "ingress_mb_per_second", w.IngressMBps, "avg_record_bytes", w.AvgRecordBytes)
	}
	if isKafka(w.EventSource) && w.Partitions > 0 && (w.IngressMBps > 0 || w.RecordsPerSecond > 0 && w.AvgRecordBytes > 0) &&
		(w.RecordsPerSecond == 0 || w.ProcessingMsPerRecord == 0 && w.ProcessingMsPerBatch == 0) {
		return c.kafkaByThroughput(w), nil
	}
	if err := validateESMWorkload(w); err != nil {
		return Result{}, err
	}
	cfg := ESMConfig{BatchSize: w.BatchSize, BatchingWindowSeconds: w.BatchingWindowSeconds, ParallelizationFactor: w.ParallelizationFactor, Provisioned: w.PollerMode == "provisioned"}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = c.defaultBatch(w.EventSource)
	}
	bound, which := c.batchTimeBound(w)
	c.step("batch time bound", "function_timeout_seconds, or Lambda's maximum timeout when not given; batches are kept under margin × bound", bound, "s",
		"function_timeout_seconds", w.FunctionTimeoutSeconds, "lambda_max_timeout_s", c.b.Num("lambda.function.timeout.max_seconds"), "margin_fraction", c.n("sizing.esm.batch_time_margin_fraction"))
	if mb := c.maxBatch(w); cfg.BatchSize > mb {
		c.warn("BatchSize %d is above what fits (%d: the source maximum, the %g-byte payload cap, or %.0f%% of the %g s time bound (%s)); sized with %d",
			cfg.BatchSize, mb, c.n("lambda.invoke.sync_payload.max_bytes"), c.n("sizing.esm.batch_time_margin_fraction")*percent, bound, boundText(which), mb)
		cfg.BatchSize = mb
	}
	pf := c.peak(w)
	arrival := w.RecordsPerSecond * pf
	d := batchDuration(w, cfg.BatchSize)
	conc := arrival * d / float64(cfg.BatchSize)
	rec := Recommendation{BatchSize: cfg.BatchSize}
	switch {
	case isStream(w.EventSource):
		if cfg.ParallelizationFactor == 0 {
			need := c.step("ParallelizationFactor needed", "ceil(arrival × batch_duration ÷ batch_size ÷ shards)", float64(ceilInt(conc/float64(w.Shards))), "batches per shard",
				"arrival_records_per_second", arrival, "batch_duration_s", d, "batch_size", cfg.BatchSize, "shards", w.Shards)
			lo, hi := c.n("esm.parallelization_factor.min"), c.n("esm.parallelization_factor.max")
			if slotCap := float64(cfg.BatchSize) / d; need < hi && float64(w.Shards)*math.Max(need, lo)*slotCap-arrival < slotCap {
				// The smallest factor that keeps up with at least one spare batch slot, not the maximum.
				need = c.step("ParallelizationFactor with headroom", "+1 while spare capacity is under one concurrent batch", math.Max(need, lo)+1, "batches per shard",
					"spare_records_per_second", float64(w.Shards)*math.Max(need, lo)*slotCap-arrival, "one_batch_slot_records_per_second", slotCap)
			}
			cfg.ParallelizationFactor = int(math.Max(lo, math.Min(hi, need)))
			if need > hi {
				shardsNeeded := ceilInt(conc / hi)
				c.step("shards needed at the maximum ParallelizationFactor", "ceil(concurrency_needed ÷ max_parallelization_factor)", float64(shardsNeeded), "shards", "concurrency_needed", conc, "max_parallelization_factor", hi)
				c.warn("even ParallelizationFactor %g cannot keep up on %d shards: reshard to %d shards, or make the function faster / the batch larger", hi, w.Shards, shardsNeeded)
			}
		}
		rec.ParallelizationFactor = cfg.ParallelizationFactor
	case isKafka(w.EventSource) && cfg.Provisioned:
		perPoller := c.n("esm_scaling.kafka.poller.concurrent_invokes")
		need := c.step("pollers for concurrency", "min(floor(concurrency_needed) + 1 spare batch, partitions) ÷ invokes_per_poller", math.Min(math.Floor(conc)+1, float64(w.Partitions))/perPoller, "pollers", "concurrency_needed", conc, "invokes_per_poller", perPoller, "partitions", w.Partitions)
		if w.AvgRecordBytes > 0 {
			mbps := arrival * w.AvgRecordBytes / bytesPerMB
			need = math.Max(need, c.step("pollers for bytes", "arrival MB/s ÷ MB/s_per_poller", mbps/c.n("esm_scaling.kafka.poller.mbps"), "pollers", "arrival_mb_per_second", mbps, "mb_per_second_per_poller", c.b.Num("esm_scaling.kafka.poller.mbps")))
		}
		maxP, minP := c.kafkaPollerRange(w, need, pf)
		if ceilInt(conc) > w.Partitions {
			c.warn("%.0f concurrent batches needed but a Kafka mapping runs at most one batch per partition (%d): add partitions, or make the function faster; more pollers do not help", math.Ceil(conc), w.Partitions)
		} else if ceilInt(need) > w.Partitions {
			c.warn("%d pollers needed but Lambda caps pollers at the %d partitions: add partitions, or make the function faster", ceilInt(need), w.Partitions)
		}
		cfg.MinimumPollers, cfg.MaximumPollers = minP, maxP
		rec.MinimumPollers, rec.MaximumPollers = minP, maxP
		epu := math.Max(float64(maxP)/c.n("esm_scaling.kafka.epu.pollers"), 0)
		c.step("Event Poller Units at MaximumPollers (billing)", "MaximumPollers ÷ pollers_per_EPU", epu, "EPU", "maximum_pollers", maxP, "pollers_per_epu", c.b.Num("esm_scaling.kafka.epu.pollers"))
	case isKafka(w.EventSource):
		c.step("partitions needed (on-demand: one concurrent batch per partition)", "ceil(concurrency_needed)", math.Ceil(conc), "partitions", "concurrency_needed", conc)
		if ceilInt(conc) > w.Partitions {
			c.warn("a Kafka mapping runs at most one batch per partition in either poller mode: %d partitions cannot process %.0f records/s at %.3g s per batch; add partitions, or make the function faster (provisioned pollers raise MB/s, not per-partition parallelism)", w.Partitions, arrival, d)
		}
		c.kafkaOnDemandScaling()
	case isSQS(w.EventSource) && cfg.Provisioned:
		perPoller := c.n("esm_scaling.sqs.poller.concurrent_invokes")
		need := c.step("pollers for concurrency", "(floor(concurrency_needed) + 1 spare batch) ÷ invokes_per_poller", (math.Floor(conc)+1)/perPoller, "pollers", "concurrency_needed", conc, "invokes_per_poller", perPoller)
		if w.AvgRecordBytes > 0 {
			mbps := arrival * w.AvgRecordBytes / bytesPerMB
			need = math.Max(need, c.step("pollers for bytes", "arrival MB/s ÷ MB/s_per_poller", mbps/c.n("esm_scaling.sqs.poller.mbps"), "pollers", "arrival_mb_per_second", mbps, "mb_per_second_per_poller", c.b.Num("esm_scaling.sqs.poller.mbps")))
		}
		lo := int(c.n("esm.sqs.provisioned.minimum_pollers.min"))
		maxP := min(max(ceilInt(need), lo), int(c.n("esm.sqs.provisioned.maximum_pollers.max")))
		minP := max(lo, min(ceilInt(need/pf), maxP, int(c.n("esm.sqs.provisioned.minimum_pollers.max"))))
		c.step("MaximumPollers", "max(ceil(pollers needed at peak), minimum)", float64(maxP), "pollers", "pollers_needed", need)
		cfg.MinimumPollers, cfg.MaximumPollers = minP, maxP
		rec.MinimumPollers, rec.MaximumPollers = minP, maxP
	default: // SQS on-demand
		lo, hi := c.n("esm.scaling_config.maximum_concurrency.min"), c.n("esm.scaling_config.maximum_concurrency.max")
		mc := int(math.Max(lo, math.Min(hi, math.Floor(conc)+1)))
		c.step("MaximumConcurrency", "floor(concurrency_needed) + 1 spare batch, within [min, max]", float64(mc), "invocations", "concurrency_needed", conc, "min", lo, "max", hi)
		rate := c.n("esm_scaling.sqs.on_demand.scale_per_minute")
		c.step("minutes to scale out from idle", "concurrency_needed ÷ instances added per minute", conc/rate, "min", "concurrency_needed", conc, "instances_per_minute", rate)
		if conc > hi {
			c.warn("%.0f concurrent batches exceed the on-demand maximum of %g: use provisioned pollers (poller_mode=provisioned)", conc, hi)
		}
		cfg.MaximumConcurrency = mc
		rec.MaximumConcurrency = mc
	}
	e := c.estimate(w, cfg, true)
	c.checks(w, cfg, e)
	rec.PollerMode = "on_demand"
	if cfg.Provisioned {
		rec.PollerMode = "provisioned"
	}
	rec.Concurrency = e.Concurrency
	rec.KeepsUp = boolPtr(e.KeepsUp)
	rec.DrainSeconds = e.DrainSeconds
	c.res.BindingConstraint = e.Binding
	rec.Summary = c.esmSummary(w, rec, e)
	c.res.Recommendation = rec
	c.esmAlternatives(w, cfg, e)
	return c.done(), nil
}

func (c *calc) esmSummary(w Workload, rec Recommendation, e ESMEstimates) string {
	keeps := "keeps up"
	if !e.KeepsUp {
		keeps = "does NOT keep up"
	}
	switch {
	case isStream(w.EventSource):
		return fmt.Sprintf("BatchSize %d, ParallelizationFactor %d on %d shards = %d concurrent invocations; %s (%.0f%% utilised)", rec.BatchSize, rec.ParallelizationFactor, w.Shards, e.Concurrency, keeps, e.Utilisation*percent)
	case rec.MaximumPollers > 0:
		return fmt.Sprintf("BatchSize %d, provisioned pollers %d–%d; %s (%.0f%% utilised)", rec.BatchSize, rec.MinimumPollers, rec.MaximumPollers, keeps, e.Utilisation*percent)
	case rec.MaximumConcurrency > 0:
		return fmt.Sprintf("BatchSize %d, MaximumConcurrency %d; %s (%.0f%% utilised)", rec.BatchSize, rec.MaximumConcurrency, keeps, e.Utilisation*percent)
	}
	return fmt.Sprintf("BatchSize %d, on-demand pollers up to %d partitions; %s (%.0f%% utilised)", rec.BatchSize, w.Partitions, keeps, e.Utilisation*percent)
}

func (c *calc) esmAlternatives(w Workload, cfg ESMConfig, e ESMEstimates) {
	// Bigger batches: fewer invocations when time per batch is fixed.
	if mb := c.maxBatch(w); cfg.BatchSize < mb {
		alt := cfg
		alt.BatchSize = mb // the largest batch the source and payload cap allow
		ae := c.estimate(w, alt, false)
		c.ref("guidance_esm.fact.duration_batch")
		c.alt(fmt.Sprintf("BatchSize %d", alt.BatchSize), ae.KeepsUp, fmt.Sprintf("%.1f invocations/s instead of %.1f, batch takes %.2f s, latency %.2f s; Duration per invocation grows with the batch (expected: the per-invocation overhead is amortised over %.0f records instead of %.0f), so compare cost per record, not Duration",
			ae.InvocationsPerSecond, e.InvocationsPerSecond, ae.BatchDurationSeconds, ae.ExpectedLatencySeconds, ae.RecordsPerInvocation, e.RecordsPerInvocation))
	}
	if isKafka(w.EventSource) && !cfg.Provisioned {
		c.alt("provisioned mode (poller_mode=provisioned)", true, fmt.Sprintf("pollers stay connected and scale at once within MinimumPollers–MaximumPollers (about %g MB/s each), suited to bursty, latency-sensitive traffic; still one batch in flight per partition, so concurrency stays at most %d; billed per Event Poller Unit",
			c.n("esm_scaling.kafka.poller.mbps"), w.Partitions))
	}
	if isKafka(w.EventSource) && cfg.Provisioned {
		c.alt("share pollers through PollerGroupName", true, fmt.Sprintf("up to %g mappings in the same VPC share one poller group, whose MaximumPollers add up to at most %g: fewer idle pollers (Event Poller Units) across small topics, at the cost of contention between them",
			c.n("esm_scaling.kafka.poller_group.max_esms"), c.n("esm_scaling.kafka.poller_group.max_pollers")))
	}
	if isSQS(w.EventSource) && !cfg.Provisioned {
		c.alt("provisioned pollers (poller_mode=provisioned)", true, fmt.Sprintf("pre-warmed pollers for bursts (up to %g MB/s and %g invokes each); replaces MaximumConcurrency; billed per Event Poller Unit", c.n("esm_scaling.sqs.poller.mbps"), c.n("esm_scaling.sqs.poller.concurrent_invokes")))
	}
	if isStream(w.EventSource) && w.EventSource == "kinesis" {
		c.alt("enhanced fan-out consumer", true, fmt.Sprintf("dedicated %g MiB/s per shard and push delivery: lower latency and no sharing of the %g GetRecords/s with other consumers; costs EFO shard-hours and data retrieval", c.n("kinesis.efo.read_mbps_per_consumer_shard"), c.n("kinesis.shard.get_records_tps")))
	}
}

// kafkaPollerRange returns MaximumPollers (pollers needed at peak, capped
// by the partitions and the API maximum) and MinimumPollers (needed at
// average load; one for small topics, as AWS suggests).
func (c *calc) kafkaPollerRange(w Workload, need, pf float64) (maxP, minP int) {
	lo := int(c.n("esm.kafka.provisioned.minimum_pollers.min"))
	maxP = min(max(ceilInt(need), lo), w.Partitions, int(c.n("esm.kafka.provisioned.maximum_pollers.max")))
	minP = max(lo, min(ceilInt(need/pf), maxP, int(c.n("esm.kafka.provisioned.minimum_pollers.max"))))
	if small := c.n("esm_scaling.kafka.provisioned.single_poller_below_partitions"); float64(w.Partitions) < small {
		minP = lo
		c.step("MinimumPollers for a small topic", "fewer partitions than the threshold → start with one poller", float64(minP), "pollers", "partitions", w.Partitions, "threshold_partitions", small)
	}
	c.step("MaximumPollers", "min(ceil(pollers needed at peak), partitions, max)", float64(maxP), "pollers", "pollers_needed", need, "partitions", w.Partitions)
	c.step("MinimumPollers", "ceil(pollers needed at average load), within bounds", float64(minP), "pollers", "pollers_needed_average", need/pf)
	return maxP, minP
}

// kafkaOnDemandScaling states how fast on-demand Kafka pollers follow lag.
func (c *calc) kafkaOnDemandScaling() {
	c.step("on-demand poller scaling delay", "offset lag evaluated every eval_interval; pollers added or removed within scale_within", c.n("esm_scaling.kafka.on_demand.eval_interval_seconds")+c.n("esm_scaling.kafka.on_demand.scale_within_seconds"), "s",
		"eval_interval_s", c.b.Num("esm_scaling.kafka.on_demand.eval_interval_seconds"), "scale_within_s", c.b.Num("esm_scaling.kafka.on_demand.scale_within_seconds"))
}

// kafkaByThroughput sizes provisioned pollers for a Kafka mapping from MB/s
// and partitions alone: pollers bound throughput (MB/s each), partitions
// bound parallelism (one batch in flight each). Without the function's
// processing time it cannot say whether the function keeps up, so it states
// the time per batch each partition can afford instead.
func (c *calc) kafkaByThroughput(w Workload) Result {
	pf := c.peak(w)
	mbps, _ := c.ingress(w)
	peak := c.step("peak ingress", "ingress × peak_factor", mbps*pf, "MB/s", "ingress_mb_per_second", mbps, "peak_factor", pf)
	per := c.n("esm_scaling.kafka.poller.mbps")
	need := c.step("pollers for bytes", "peak MB/s ÷ MB/s_per_poller", peak/per, "pollers", "peak_mb_per_second", peak, "mb_per_second_per_poller", per)
	maxP, minP := c.kafkaPollerRange(w, need, pf)
	if ceilInt(need) > w.Partitions {
		c.warn("%d pollers needed for %.1f MB/s but Lambda caps pollers at the %d partitions (%.1f MB/s at %g MB/s each): add partitions", ceilInt(need), peak, w.Partitions, float64(w.Partitions)*per, per)
	}
	c.step("Event Poller Units for the bytes (billing)", "peak MB/s ÷ MB/s_per_EPU", peak/c.n("esm_scaling.kafka.epu.mbps"), "EPU", "peak_mb_per_second", peak, "mb_per_second_per_epu", c.b.Num("esm_scaling.kafka.epu.mbps"))
	conc := float64(w.Partitions) * c.n("esm_scaling.kafka.batches_in_flight_per_partition")
	c.step("concurrency ceiling", "partitions × batches_in_flight_per_partition (either poller mode)", conc, "invocations", "partitions", w.Partitions)
	B := w.BatchSize
	if B == 0 {
		B = c.defaultBatch(w.EventSource)
	}
	perPart := peak / float64(w.Partitions)
	if w.AvgRecordBytes > 0 {
		recs := perPart * bytesPerMB / w.AvgRecordBytes
		budget := c.step("time a partition can spend per batch", "batch_size ÷ records per partition per second", float64(B)/recs, "s", "batch_size", B, "records_per_partition_per_second", recs)
		c.warn("processing time not given: each partition receives %.0f records/s, so a %d-record batch must finish within %.3g s (%.3g ms per record) or lag grows whatever the pollers; send processing_ms_per_record to check", recs, B, budget, budget*msPerSecond/float64(B))
	} else {
		c.warn("processing time not given: each partition receives %.3g MB/s and runs one batch at a time, so the function must process %.3g MB/s per invocation stream or lag grows whatever the pollers; send processing_ms_per_record and avg_record_bytes to check", perPart, perPart)
	}
	c.kafkaOnDemandScaling()
	c.alt("on-demand pollers", true, fmt.Sprintf("no poller charge; Lambda adds pollers by offset lag, evaluated every %g s and applied within %g s, up to one per partition: slower to absorb bursts",
		c.n("esm_scaling.kafka.on_demand.eval_interval_seconds"), c.n("esm_scaling.kafka.on_demand.scale_within_seconds")))
	c.res.BindingConstraint = "provisioned pollers (MB/s)"
	if ceilInt(need) > w.Partitions {
		c.res.BindingConstraint = "partitions (pollers capped at partitions)"
	}
	c.res.Recommendation = Recommendation{PollerMode: "provisioned", MinimumPollers: minP, MaximumPollers: maxP, Concurrency: int(conc), BatchSize: B,
		Summary: fmt.Sprintf("provisioned pollers %d–%d for %.1f MB/s on %d partitions; at most %d concurrent invocations (one batch per partition); whether the function keeps up needs its processing time", minP, maxP, peak, w.Partitions, int(conc))}
	return c.done()
}
