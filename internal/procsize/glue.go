package procsize

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Glue sizes an AWS Glue streaming job the way the AWS Glue streaming
// best-practices post does: Spark cores needed (cores_needed, or one core per
// source shard/partition) ÷ Spark cores per worker for the Glue version and
// worker type = executor workers, plus one worker for the driver; the source
// should have as many shards/partitions as cores, or the batch must be
// repartitioned; and, with batch_records, trigger_interval_seconds and
// batch_processing_seconds, the micro-batch arithmetic (input vs process
// rate, "at maximum capacity", worst-case latency, the per-trigger limit
// spread over shards or partitions).
func Glue(in Input, b *guidance.Base) (sizing.Result, error) {
	r := newRec(b, "glue_streaming")
	version := in.GlueVersion
	if version == "" {
		version = r.str("glue.default.version")
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(version), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return sizing.Result{}, fmt.Errorf("%w: glue_version %q is not a version number; send e.g. 4.0", sizing.ErrInput, version)
	}
	if v < r.n("glue.worker_type.min_version") {
		return sizing.Result{}, fmt.Errorf("%w: glue_version %s sizes with MaxCapacity (DPUs), not worker types; send 2.0 or later", sizing.ErrInput, version)
	}
	wt := strings.ToUpper(strings.TrimSpace(in.WorkerType))
	if wt == "" {
		wt = r.str("glue.default.worker_type")
	}
	if !slices.Contains(r.list("glue.worker_types.streaming"), wt) {
		return sizing.Result{}, fmt.Errorf("%w: worker_type %q; send one of %s", sizing.ErrInput, in.WorkerType, strings.Join(b.Strings("glue.worker_types.streaming"), ", "))
	}
	v3 := r.n("glue.auto_scaling.min_version")
	if v < v3 && slices.Contains(r.list("glue.worker_types.v3_only"), wt) {
		return sizing.Result{}, fmt.Errorf("%w: worker_type %s needs AWS Glue %g or later; send glue_version 3.0+ or worker_type G.1X/G.2X", sizing.ErrInput, wt, v3)
	}
	table := "glue.v3.spark_cores."
	if v < v3 {
		table = "glue.v2.spark_cores."
	}
	if !r.has(table + wt) {
		return sizing.Result{}, fmt.Errorf("%w: no Spark core count for %s on Glue %s; send worker_type G.1X or G.2X", sizing.ErrInput, wt, version)
	}
	cpw := r.n(table + wt)
	r.step("Spark cores per worker", fmt.Sprintf("table: Glue %s, %s", version, wt), cpw, "cores", "glue_version", v)

	units, unitName := sourceUnits(in)
	cores := in.CoresNeeded
	switch {
	case cores > 0:
	case in.CoreRecordsPerSecond > 0 && in.RecordsPerSecond > 0:
		cores = ceilInt(r.step("cores needed", "ceil(records_per_second × peak_factor ÷ one core's benchmark rate)", math.Ceil(in.RecordsPerSecond*r.peak(in)/in.CoreRecordsPerSecond), "cores",
			"records_per_second", in.RecordsPerSecond, "peak_factor", r.peak(in), "core_records_per_second", in.CoreRecordsPerSecond))
		r.warn("the per-core rate comes from an ideal single-partition benchmark; scaling is not perfectly linear across partitions and nodes, so validate the size and keep headroom")
	case units > 0:
		cores = int(r.step("cores needed", "one Spark core per "+strings.TrimSuffix(unitName, "s")+" (each becomes one Spark partition)", float64(units), "cores", unitName, units))
	case in.BatchRecords > 0 && in.TriggerIntervalSeconds > 0 && in.BatchProcessingSeconds > 0:
		// A described micro-batch answers the rate questions on its own
		// (input vs process rate, headroom, worst-case latency); only the
		// worker count needs the cores.
		rec := sizing.Recommendation{WorkerType: wt}
		r.res.BindingConstraint = "micro-batch processing time"
		batch := glueMicroBatch(r, in, units, unitName, &rec)
		r.warn("no worker count: send cores_needed, records_per_second with core_records_per_second, or the source's shards/partitions to size the job")
		rec.Summary = "micro-batch on " + wt + ":" + strings.TrimPrefix(batch, ";")
		r.res.Recommendation = rec
		return r.done(), nil
	default:
		return sizing.Result{}, fmt.Errorf("%w: send cores_needed, or records_per_second with core_records_per_second (one core's rate from a one-shard/partition benchmark at a 1-second interval), or the source's shards/partitions, or the micro-batch (batch_records, trigger_interval_seconds, batch_processing_seconds)", sizing.ErrInput)
	}
	executors := ceilInt(r.step("executor workers", "ceil(cores_needed ÷ cores_per_worker)", math.Ceil(float64(cores)/cpw), "workers", "cores_needed", cores, "cores_per_worker", cpw))
	driver := r.n("glue.driver_workers")
	workers := int(r.step("NumberOfWorkers", "executor_workers + driver", float64(executors)+driver, "workers", "executor_workers", executors, "driver", driver))
	sparkCores := r.step("Spark cores available", "executor_workers × cores_per_worker", float64(executors)*cpw, "cores", "executor_workers", executors, "cores_per_worker", cpw)
	dpu := r.n("glue.dpu." + wt)
	r.step("DPUs billed per hour of run", "NumberOfWorkers × DPU_per_worker", float64(workers)*dpu, "DPU", "workers", workers, "dpu_per_worker", dpu)
	r.res.BindingConstraint = "Spark cores needed"
	rec := sizing.Recommendation{WorkerType: wt, Workers: workers}

	switch {
	case units == 0:
		n := int(r.step(unitName+" to match the cores", "shards/partitions = cores_needed (one Spark partition per shard/partition)", float64(cores), unitName, "cores_needed", cores))
		if unitName == "shards" {
			rec.Shards = n
		} else {
			rec.MinPartitions = n
		}
	case units < cores:
		r.res.BindingConstraint = "source " + unitName
		r.step("cores the source keeps busy", "min(cores_needed, "+unitName+")", float64(units), "cores", unitName, units, "cores_needed", cores)
		r.warn("the source has %d %s but the job needs %d cores: each %s becomes one Spark partition, so only %d cores work and adding workers alone will not help", units, unitName, cores, strings.TrimSuffix(unitName, "s"), units)
		r.alt(fmt.Sprintf("raise the source to %d %s", cores, unitName), true, "best when you control the stream or topic: no shuffle; reshard/partition the source, then keep shards = cores as volume changes")
		r.alt(fmt.Sprintf("repartition(%d) inside forEachBatch", cores), true, "when you do not control the source: spreads each batch across all cores at the cost of a shuffle per batch")
	case float64(units) > sparkCores:
		r.warn("%d %s exceed the %g Spark cores: extra partitions queue behind the first wave, leaving cores idle while the last ones finish each batch", units, unitName, sparkCores)
	}

	batch := glueMicroBatch(r, in, units, unitName, &rec)

	if v >= v3 {
		r.alt(fmt.Sprintf("--enable-auto-scaling true with NumberOfWorkers %d as the maximum", workers), true,
			"Glue adds workers as batch time nears the trigger interval and removes idle ones; size the maximum for the peak")
	} else {
		r.warn("Glue %s has no auto scaling (needs %g+); on Glue 3.0+ each %s worker runs %g Spark cores instead of %g (threads, not physical cores), so re-check the worker count after upgrading", version, v3, wt, b.Num("glue.v3.spark_cores."+wt), cpw)
	}
	r.warn("a failed task is retried up to spark.task.maxFailures=%g times and a failed batch batchMaxRetries=%g times: a retried last stage re-sends output, so DynamoDB, JDBC or OpenSearch sinks must be idempotent (file sinks are not duplicated)",
		r.n("glue.spark.task_max_failures.default"), r.n("glue.batch_max_retries.default"))
	rec.Summary = fmt.Sprintf("%d x %s on Glue %s (%g driver + %d executor workers = %g Spark cores)", workers, wt, version, driver, executors, sparkCores)
	if rec.Shards > 0 {
		rec.Summary += fmt.Sprintf("; %d shards", rec.Shards)
	}
	if rec.MinPartitions > 0 {
		rec.Summary += fmt.Sprintf("; %d partitions", rec.MinPartitions)
	}
	rec.Summary += batch
	r.res.Recommendation = rec
	return r.done(), nil
}

// glueMicroBatch adds the micro-batch arithmetic when the batch is
// described, and returns its headline for the summary.
func glueMicroBatch(r *rec, in Input, units int, unitName string, rec *sizing.Recommendation) string {
	if in.BatchRecords <= 0 || in.TriggerIntervalSeconds <= 0 || in.BatchProcessingSeconds <= 0 {
		if in.BatchRecords > 0 || in.TriggerIntervalSeconds > 0 || in.BatchProcessingSeconds > 0 {
			r.warn("micro-batch arithmetic needs all of batch_records, trigger_interval_seconds and batch_processing_seconds")
		}
		return ""
	}
	iv, pt, br := in.TriggerIntervalSeconds, in.BatchProcessingSeconds, in.BatchRecords
	cycle := r.step("time between batch starts", "max(trigger_interval, batch_processing)", math.Max(iv, pt), "s", "trigger_interval_seconds", iv, "batch_processing_seconds", pt)
	inRate := r.step("input rate", "batch_records ÷ time between batch starts", br/cycle, "records/s", "batch_records", br, "cycle_seconds", cycle)
	procRate := r.step("process rate", "batch_records ÷ batch_processing", br/pt, "records/s", "batch_records", br, "batch_processing_seconds", pt)
	r.step("headroom", "process_rate ÷ input_rate (= interval ÷ processing when keeping up)", procRate/inRate, "x", "process_rate", procRate, "input_rate", inRate)
	keeps := pt < iv
	if !keeps {
		r.res.BindingConstraint = "micro-batch processing time"
		r.warn("at maximum capacity: a batch takes %gs against a %gs trigger interval, so input rate equals process rate (%.0f records/s); the next batch waits for this one, latency and backlog grow with any extra traffic — add cores, or raise the interval to checkpoint less often", pt, iv, inRate)
	}
	worst := r.step("worst-case latency", "time between batch starts + batch_processing (≈ 2 × interval when keeping up)", cycle+pt, "s", "cycle_seconds", cycle, "batch_processing_seconds", pt)
	headline := fmt.Sprintf("; input %.0f records/s vs process %.0f records/s, worst-case latency %gs", inRate, procRate, round(worst))
	r.step("latency target this supports", fmt.Sprintf("%g × trigger interval", r.n("glue.latency.worst_case_intervals")), r.n("glue.latency.worst_case_intervals")*iv, "s", "trigger_interval_seconds", iv)
	if t := in.LatencyTargetSeconds; t > 0 {
		maxBatch := r.step("longest batch duration for the latency target", fmt.Sprintf("latency_target ÷ %g", r.n("glue.latency.worst_case_intervals")), t/r.n("glue.latency.worst_case_intervals"), "s", "latency_target_seconds", t)
		if worst > t || pt > maxBatch {
			r.warn("worst-case latency %gs misses the %gs target: use the largest batch whose duration stays under %gs (half the target) and a trigger interval no longer than that", round(worst), t, round(maxBatch))
		}
	}
	if in.RecordsPerSecond > 0 {
		arrival := in.RecordsPerSecond * r.peak(in)
		r.step("arrival vs batch capacity", "records_per_second × peak_factor ÷ input_rate", arrival/inRate, "x", "records_per_second", in.RecordsPerSecond, "peak_factor", r.peak(in), "input_rate", inRate)
		if arrival > inRate {
			keeps = false
			r.res.BindingConstraint = "records per batch limit"
			r.warn("%.0f records/s arrive but batches of %g every %gs carry %.0f records/s: the per-batch limit is hit every time and a backlog builds silently while job metrics look flat — measure record age (created vs processed)", arrival, br, cycle, inRate)
		}
	}
	rec.KeepsUp = boolPtr(keeps)
	if !keeps {
		headline += " (does not keep up)"
	}
	if units <= 0 {
		return headline
	}
	per := r.step("batch limit per "+strings.TrimSuffix(unitName, "s"), "batch_records ÷ "+unitName, br/float64(units), "records", "batch_records", br, unitName, units)
	if unitName == "partitions" {
		r.alt(fmt.Sprintf("maxOffsetsPerTrigger=%.0f", br), true, fmt.Sprintf("Kafka divides it equally: %.0f offsets per partition per batch", per))
		return headline
	}
	read := r.n("glue.kinesis.max_record_per_read.default")
	strict := r.step("per-shard fetch limit (maxFetchRecordsPerShard)", "ceil(per_shard ÷ maxRecordPerRead) × maxRecordPerRead (a multiple keeps the limit strict)", math.Ceil(per/read)*read, "records", "per_shard", per, "max_record_per_read", read)
	def := r.n("glue.kinesis.max_fetch_records_per_shard.default")
	r.alt(fmt.Sprintf("kinesis.executor.maxFetchRecordsPerShard=%.0f", strict), true,
		fmt.Sprintf("revise it when the shard count changes; raise kinesis.executor.maxFetchTimeInMs above its %gms default if batches come back truncated", r.n("glue.kinesis.max_fetch_time_ms.default")))
	if per > def {
		r.warn("%.0f records per shard per batch exceed the default maxFetchRecordsPerShard of %g: without raising it batches are capped below batch_records", per, def)
	}
	return headline
}
