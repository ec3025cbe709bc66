package proccfg

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Glue job paths ('|'-separated aliases: CloudFormation/API name first).
const (
	glueCommand    = "Command.Name|command"
	glueVersion    = "GlueVersion|glue_version"
	glueWorkerType = "WorkerType|worker_type"
	glueWorkers    = "NumberOfWorkers|number_of_workers|workers"
	glueMaxCap     = "MaxCapacity|AllocatedCapacity"
	glueTimeout    = "Timeout"
	glueArgs       = "DefaultArguments|Arguments"
	glueStreaming  = "StreamingOptions|streaming_options|connection_options"
	glueShards     = "shards"
	gluePartitions = "partitions"
	glueProcessing = "batch_processing_seconds"
	// kinesisExec prefixes the Kinesis source options Spark reads on executors.
	kinesisExec = "kinesis.executor."
)

// GlueJobRuleIDs lists every rule ValidateGlueJob can report.
func GlueJobRuleIDs() []string {
	return []string{
		"glue_job.command.name", "glue_job.command.streaming", "glue_job.version.number", "glue_job.worker_type.version",
		"glue_job.worker_type.streaming_only", "glue_job.worker_type.sized", "glue_job.capacity.conflict", "glue_job.workers.driver_only",
		"glue_job.timeout.max", "glue_job.auto_scaling.version", "glue_job.kinesis.fetch_strict", "glue_job.kinesis.fetch_time",
		"glue_job.source.cores", "glue_job.window.processing", "glue_job.retries.duplicates", "glue_job.kafka.offsets_spread",
		"glue_job.kinesis.starting_position", "glue_job.timeout.streaming", "glue_job.maintenance_window.format", "glue_job.kafka.topics",
	}
}

// ValidateGlueJob checks AWS::Glue::Job properties (Command.Name,
// GlueVersion, WorkerType, NumberOfWorkers, MaxCapacity, Timeout,
// DefaultArguments) plus the streaming source and forEachBatch options under
// StreamingOptions (maxFetchRecordsPerShard or
// kinesis.executor.maxFetchRecordsPerShard, maxRecordPerRead,
// maxFetchTimeInMs, maxOffsetsPerTrigger, windowSize, batchMaxRetries) and
// the context keys shards, partitions and batch_processing_seconds.
func ValidateGlueJob(p map[string]any, b *guidance.Base) []rules.Violation {
	o := &out{b: b}
	cmd, cmdField, haveCmd := fields.Str(p, glueCommand)
	if haveCmd && !slices.Contains(b.Strings("glue.job.command_names"), cmd) {
		o.add("glue_job.command.name", rules.Error, cmdField, "glue.job.command_names",
			fmt.Sprintf("Command.Name %q is not a Glue job type", cmd), "set Command.Name to gluestreaming for a streaming job ("+strings.Join(b.Strings("glue.job.command_names"), ", ")+")")
	}
	streamName := gstr(b, "glue.streaming.command_name")
	so, soField := fields.Sub(p, glueStreaming)
	streaming := cmd == streamName
	if so != nil && haveCmd && !streaming {
		o.add("glue_job.command.streaming", rules.Warning, cmdField, "glue.streaming.command_name",
			fmt.Sprintf("streaming options are set but Command.Name is %q: the job runs as a batch job and ends", cmd), "set Command.Name to "+streamName)
	}

	version := 0.0
	haveVersion := false
	if vs, vf, ok := fields.Str(p, glueVersion); ok {
		v, err := strconv.ParseFloat(vs, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			o.add("glue_job.version.number", rules.Error, vf, "glue.worker_type.min_version", fmt.Sprintf("GlueVersion %q is not a version number", vs), "set GlueVersion to e.g. 4.0")
		} else {
			version, haveVersion = v, true
		}
	}
	v3 := b.Num("glue.auto_scaling.min_version")
	wt, wtField, haveWT := fields.Str(p, glueWorkerType)
	wt = strings.ToUpper(wt)
	if haveWT {
		if haveVersion && version < v3 && slices.Contains(b.Strings("glue.worker_types.v3_only"), wt) {
			o.add("glue_job.worker_type.version", rules.Error, wtField, "glue.worker_types.v3_only",
				fmt.Sprintf("%s needs AWS Glue %.1f or later; this job is on %.1f", wt, v3, version), "set GlueVersion to 4.0, or use G.1X/G.2X")
		}
		if slices.Contains(b.Strings("glue.worker_types.streaming_only"), wt) && haveCmd && !streaming {
			o.add("glue_job.worker_type.streaming_only", rules.Error, wtField, "glue.worker_types.streaming_only",
				fmt.Sprintf("%s is only for streaming jobs, not %s", wt, cmd), "use G.1X, or make the job a gluestreaming job")
		}
		if !slices.Contains(b.Strings("glue.worker_types.streaming"), wt) {
			o.add("glue_job.worker_type.sized", rules.Info, wtField, "glue.worker_types.streaming",
				fmt.Sprintf("worker type %s is valid in Glue but its Spark cores are not in this tool's table, so core-based checks are skipped", wt), "use sizing service=glue_streaming with G.025X-G.8X to size by cores")
		}
	}
	workers, wField, haveWorkers := fields.Num(p, glueWorkers)
	if _, mf, ok := fields.Num(p, glueMaxCap); ok && (haveWT || haveWorkers) {
		o.add("glue_job.capacity.conflict", rules.Error, mf, "glue.job.max_capacity_with_workers",
			"MaxCapacity is set together with WorkerType/NumberOfWorkers; Glue rejects the combination", "remove MaxCapacity and size with WorkerType and NumberOfWorkers")
	}
	driver := b.Num("glue.driver_workers")
	if haveWorkers && workers <= driver {
		o.add("glue_job.workers.driver_only", rules.Warning, wField, "glue.driver_workers",
			fmt.Sprintf("NumberOfWorkers %g leaves no executor: one worker runs the Spark driver", workers), fmt.Sprintf("set NumberOfWorkers to at least %g (driver + executors; sizing service=glue_streaming computes it)", driver+1))
	}
	if t, tf, ok := fields.Num(p, glueTimeout); ok && t > b.Num("glue.timeout.max_minutes") {
		o.add("glue_job.timeout.max", rules.Error, tf, "glue.timeout.max_minutes",
			fmt.Sprintf("Timeout %g minutes exceeds the %g-minute (7-day) maximum", t, b.Num("glue.timeout.max_minutes")),
			"leave Timeout unset for a streaming job (Glue restarts it every 7 days, inside MaintenanceWindow when set) or set it below the maximum")
	}
	if t, tf, ok := fields.Num(p, glueTimeout); ok && streaming && t < b.Num("glue.timeout.max_minutes") {
		o.add("glue_job.timeout.streaming", rules.Warning, tf, "glue.timeout.max_minutes",
			fmt.Sprintf("a streaming job with Timeout %g minutes (under 7 days) stops at the timeout and is not restarted", t),
			"leave Timeout unset (or at the maximum) so Glue keeps the job running and restarts it in its maintenance window")
	}
	if mw, mf, ok := fields.Str(p, "MaintenanceWindow"); ok && !validWindow(mw, b) {
		o.add("glue_job.maintenance_window.format", rules.Error, mf, "glue.maintenance_window.days",
			fmt.Sprintf("MaintenanceWindow %q is not DAY:HOUR (GMT)", mw), "use e.g. Sun:10 (day "+strings.Join(b.Strings("glue.maintenance_window.days"), "|")+", hour 0-23 GMT)")
	}
	args := map[string]string{}
	if am, _ := fields.Sub(p, glueArgs); am != nil {
		args = fields.StringMap(am)
	}
	if strings.EqualFold(args["--enable-auto-scaling"], "true") && haveVersion && version < v3 {
		o.add("glue_job.auto_scaling.version", rules.Error, "DefaultArguments.--enable-auto-scaling", "glue.auto_scaling.min_version",
			fmt.Sprintf("auto scaling needs AWS Glue %.1f or later; this job is on %.1f", v3, version), "set GlueVersion to 4.0, or remove --enable-auto-scaling")
	}

	opts := map[string]string{}
	if so != nil {
		opts = fields.StringMap(so)
	}
	if so == nil && haveCmd {
		soField = cmdField
	}
	glueStreamingOptions(o, p, opts, soField, wt, haveVersion, version, workers, haveWorkers, streaming || so != nil)
	return o.list()
}

func glueStreamingOptions(o *out, p map[string]any, opts map[string]string, soField, wt string, haveVersion bool, version, workers float64, haveWorkers, streaming bool) {
	b := o.b
	optNum := func(keys ...string) (float64, string, bool) {
		for _, k := range keys {
			if s, ok := opts[k]; ok {
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					return f, soField + "." + k, true
				}
			}
		}
		return 0, "", false
	}
	perShard, psField, havePS := optNum(kinesisExec+"maxFetchRecordsPerShard", "maxFetchRecordsPerShard")
	perRead, _, haveRead := optNum(kinesisExec+"maxRecordPerRead", "maxRecordPerRead")
	if !haveRead {
		perRead = b.Num("glue.kinesis.max_record_per_read.default")
	}
	if havePS && perRead > 0 && math.Mod(perShard, perRead) != 0 {
		o.add("glue_job.kinesis.fetch_strict", rules.Warning, psField, "glue.kinesis.max_fetch_records_per_shard.default",
			fmt.Sprintf("maxFetchRecordsPerShard %g is not a multiple of maxRecordPerRead %g: a batch can overshoot the limit by part of a GetRecords call", perShard, perRead),
			fmt.Sprintf("set it to %g", math.Ceil(perShard/perRead)*perRead))
	}
	if havePS && perShard > b.Num("glue.kinesis.max_fetch_records_per_shard.default") {
		if _, _, ok := optNum(kinesisExec+"maxFetchTimeInMs", "maxFetchTimeInMs"); !ok {
			o.add("glue_job.kinesis.fetch_time", rules.Warning, psField, "glue.kinesis.max_fetch_time_ms.default",
				fmt.Sprintf("maxFetchRecordsPerShard %g is above its default but maxFetchTimeInMs stays at %gms: the executor may stop reading before the limit and truncate the batch", perShard, b.Num("glue.kinesis.max_fetch_time_ms.default")),
				"raise kinesis.executor.maxFetchTimeInMs along with the per-shard limit")
		}
	}
	if sp, has := opts["startingPosition"]; has && !slices.Contains(b.Strings("glue.kinesis.starting_positions"), strings.ToLower(sp)) {
		o.add("glue_job.kinesis.starting_position", rules.Error, soField+".startingPosition", "glue.kinesis.starting_positions",
			fmt.Sprintf("startingPosition %q is not one of %s", sp, strings.Join(b.Strings("glue.kinesis.starting_positions"), ", ")), "use trim_horizon to start at the oldest record, latest for new ones, or timestamp with startingTimestamp")
	}
	kafkaKeys := []string{"startingOffsets", "maxOffsetsPerTrigger", "kafka.bootstrap.servers", "bootstrapServers"}
	if slices.ContainsFunc(kafkaKeys, func(k string) bool { _, ok := opts[k]; return ok }) &&
		!slices.ContainsFunc(b.Strings("glue.kafka.topic_selectors"), func(k string) bool { return opts[k] != "" }) {
		o.add("glue_job.kafka.topics", rules.Error, soField+".topicName", "glue.kafka.topic_selectors",
			"the Kafka source names no topic: set one of "+strings.Join(b.Strings("glue.kafka.topic_selectors"), ", "),
			"set topicName (or assign with a JSON list of partitions to split a topic between jobs)")
	}
	units, unitName := 0.0, ""
	if s, _, ok := fields.Num(p, glueShards); ok {
		units, unitName = s, "shards"
	} else if s, _, ok := fields.Num(p, gluePartitions); ok {
		units, unitName = s, "partitions"
	}
	if mo, mf, ok := optNum("maxOffsetsPerTrigger"); ok && unitName == "partitions" && mo < units {
		o.add("glue_job.kafka.offsets_spread", rules.Warning, mf, "glue.latency.worst_case_intervals",
			fmt.Sprintf("maxOffsetsPerTrigger %g is split equally across %g partitions: under one offset per partition per batch, so most partitions read nothing in a batch", mo, units),
			fmt.Sprintf("raise maxOffsetsPerTrigger to at least %g (records per batch across all partitions)", units))
	}
	cpwID := "glue.v3.spark_cores." + wt
	if haveVersion && version < b.Num("glue.auto_scaling.min_version") {
		cpwID = "glue.v2.spark_cores." + wt
	}
	if _, ok := b.Lookup(cpwID); ok && haveWorkers && units > 0 && workers > b.Num("glue.driver_workers") {
		cores := (workers - b.Num("glue.driver_workers")) * b.Num(cpwID)
		if units < cores {
			o.add("glue_job.source.cores", rules.Warning, "NumberOfWorkers", cpwID,
				fmt.Sprintf("%g executor cores but the source has %g %s: each becomes one Spark partition, so %g cores idle", cores, units, unitName, cores-units),
				fmt.Sprintf("raise the source to %g %s, repartition(%g) in the batch function, or use fewer workers", cores, unitName, cores))
		}
	}
	if pt, _, ok := fields.Num(p, glueProcessing); ok {
		if ws, has := opts["windowSize"]; has {
			if iv, ok := parseSeconds(ws); ok && pt >= iv {
				o.add("glue_job.window.processing", rules.Warning, soField+".windowSize", "glue.latency.worst_case_intervals",
					fmt.Sprintf("batches take %gs but windowSize is %gs: the job is at maximum capacity (input rate = process rate) and latency grows with any extra traffic", pt, iv),
					"add workers (and shards/partitions), or raise windowSize so batches finish within it")
			}
		}
	}
	if streaming {
		field := soField
		if _, ok := opts["batchMaxRetries"]; ok {
			field += ".batchMaxRetries"
		}
		o.add("glue_job.retries.duplicates", rules.Info, field, "glue.batch_max_retries.default",
			fmt.Sprintf("a failed batch is retried (batchMaxRetries default %g) and failed tasks up to spark.task.maxFailures=%g times: a retried last stage re-sends output to DynamoDB, JDBC or OpenSearch sinks", b.Num("glue.batch_max_retries.default"), b.Num("glue.spark.task_max_failures.default")),
			"make the sink idempotent (upsert by key) or write files; watch the Spark UI for tasks that succeed only after retry")
	}
}

// validWindow checks a MaintenanceWindow of the form DAY:HOUR.
func validWindow(s string, b *guidance.Base) bool {
	day, hour, ok := strings.Cut(s, ":")
	h, err := strconv.Atoi(hour)
	return ok && err == nil && slices.Contains(b.Strings("glue.maintenance_window.days"), day) && h >= 0 && float64(h) <= b.Num("glue.maintenance_window.max_hour")
}

// parseSeconds reads a windowSize such as "100 seconds", "1 minute" or "30".
func parseSeconds(s string) (float64, bool) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return 0, false
	}
	n, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, false
	}
	if len(f) > 1 && strings.HasPrefix(f[1], "min") {
		return n * secondsPerMinute, true
	}
	return n, true
}

const secondsPerMinute = 60 // unit conversion
