package proccfg

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Flink application paths: CloudFormation nests under ApplicationConfiguration
// exactly like the API, so one set serves both.
const (
	flinkRuntime = "RuntimeEnvironment|runtime_environment"
	flinkRole    = "ServiceExecutionRole|service_execution_role"
	flinkConf    = "ApplicationConfiguration.FlinkApplicationConfiguration"
	flinkCkpt    = flinkConf + ".CheckpointConfiguration"
	flinkPar     = flinkConf + ".ParallelismConfiguration"
	flinkShards  = "shards"
	flinkParts   = "partitions"
)

// FlinkAppRuleIDs lists every rule ValidateFlinkApp can report.
func FlinkAppRuleIDs() []string {
	return []string{
		"flink_app.runtime.flink", "flink_app.role.required", "flink_app.configuration_type.allowed",
		"flink_app.checkpoint.default_overrides", "flink_app.checkpoint.disabled", "flink_app.checkpoint.min_pause",
		"flink_app.parallelism.default_overrides", "flink_app.parallelism_per_kpu.range", "flink_app.parallelism.max",
		"flink_app.kpu.quota", "flink_app.parallelism.source", "flink_app.snapshots.disabled",
	}
}

// ValidateFlinkApp checks AWS::KinesisAnalyticsV2::Application properties
// (RuntimeEnvironment, ServiceExecutionRole and
// ApplicationConfiguration.FlinkApplicationConfiguration's checkpoint and
// parallelism settings) with the context keys shards or partitions of the
// source.
func ValidateFlinkApp(p map[string]any, b *guidance.Base) []rules.Violation {
	o := &out{b: b}
	if rt, f, ok := fields.Str(p, flinkRuntime); ok && !strings.HasPrefix(rt, gstr(b, "flink.runtime.prefix")) {
		o.add("flink_app.runtime.flink", rules.Warning, f, "flink.runtime.prefix",
			fmt.Sprintf("RuntimeEnvironment %s is not an Apache Flink runtime; the Flink rules below do not apply to it", rt), "use a FLINK-1_x runtime (the newest the service offers) for DataStream/Table API applications")
	}
	if !fields.Present(p, flinkRole) {
		o.add("flink_app.role.required", rules.Error, "ServiceExecutionRole", "flink.runtime.prefix",
			"no ServiceExecutionRole: the application cannot read its code from S3 or reach its sources and sinks", "set ServiceExecutionRole to a role trusted by kinesisanalytics.amazonaws.com with read access to the code and the streams")
	}
	types := b.Strings("flink.configuration_types")
	ctype := func(path string) (string, bool) {
		t, f, ok := fields.Str(p, path+".ConfigurationType")
		if ok && !slices.Contains(types, t) {
			o.add("flink_app.configuration_type.allowed", rules.Error, f, "flink.configuration_types", fmt.Sprintf("ConfigurationType %q is not one of %s", t, strings.Join(types, ", ")), "set ConfigurationType to CUSTOM or DEFAULT")
		}
		return t, ok
	}
	if ct, _ := ctype(flinkCkpt); ct != "CUSTOM" {
		for _, k := range []string{"CheckpointingEnabled", "CheckpointInterval", "MinPauseBetweenCheckpoints"} {
			if fields.Present(p, flinkCkpt+"."+k) {
				o.add("flink_app.checkpoint.default_overrides", rules.Warning, flinkCkpt+"."+k, "flink.checkpoint.default_interval_ms",
					fmt.Sprintf("%s is ignored while CheckpointConfiguration.ConfigurationType is DEFAULT: the service uses checkpointing on, every %gms, %gms minimum pause", k, b.Num("flink.checkpoint.default_interval_ms"), b.Num("flink.checkpoint.default_min_pause_ms")),
					"set ConfigurationType to CUSTOM to apply it, or remove it")
			}
		}
	} else {
		if on, f, ok := fields.Bool(p, flinkCkpt+".CheckpointingEnabled"); ok && !on {
			o.add("flink_app.checkpoint.disabled", rules.Warning, f, "flink.checkpoint.default_interval_ms",
				"checkpointing is off: after a failure or a scaling event the application restarts without its state and re-reads or skips records", "set CheckpointingEnabled true (snapshots for updates need it too)")
		}
		iv, _, okI := fields.Num(p, flinkCkpt+".CheckpointInterval")
		mp, mf, okP := fields.Num(p, flinkCkpt+".MinPauseBetweenCheckpoints")
		if okI && okP && mp >= iv {
			o.add("flink_app.checkpoint.min_pause", rules.Warning, mf, "flink.checkpoint.default_min_pause_ms",
				fmt.Sprintf("MinPauseBetweenCheckpoints %gms is not below CheckpointInterval %gms: checkpoints run back to back at the pause, not the interval", mp, iv), "keep the pause well below the interval (defaults: 5000 vs 60000)")
		}
	}
	ppk := b.Num("flink.parallelism_per_kpu.default")
	par := b.Num("flink.parallelism.default")
	if ct, _ := ctype(flinkPar); ct != "CUSTOM" {
		for _, k := range []string{"Parallelism", "ParallelismPerKPU", "AutoScalingEnabled"} {
			if fields.Present(p, flinkPar+"."+k) {
				o.add("flink_app.parallelism.default_overrides", rules.Warning, flinkPar+"."+k, "flink.parallelism.default",
					fmt.Sprintf("%s is ignored while ParallelismConfiguration.ConfigurationType is DEFAULT", k), "set ConfigurationType to CUSTOM to apply it")
			}
		}
	} else {
		if v, f, ok := fields.Num(p, flinkPar+".ParallelismPerKPU"); ok {
			if hi := b.Num("flink.parallelism_per_kpu.max"); v < 1 || v > hi {
				o.add("flink_app.parallelism_per_kpu.range", rules.Error, f, "flink.parallelism_per_kpu.max", fmt.Sprintf("ParallelismPerKPU %g is outside 1-%g", v, hi), fmt.Sprintf("set ParallelismPerKPU between 1 and %g (higher only for I/O-bound operators)", hi))
			} else {
				ppk = v
			}
		}
		if v, f, ok := fields.Num(p, flinkPar+".Parallelism"); ok {
			par = v
			if hi := b.Num("flink.parallelism.max"); v > hi {
				o.add("flink_app.parallelism.max", rules.Error, f, "flink.parallelism.max", fmt.Sprintf("Parallelism %g is above the maximum of %g", v, hi), fmt.Sprintf("set Parallelism ≤ %g, or split the job", hi))
			}
			if kpu, q := math.Ceil(v/ppk), b.Num("flink.kpu.max_default"); kpu > q {
				o.add("flink_app.kpu.quota", rules.Warning, f, "flink.kpu.max_default", fmt.Sprintf("Parallelism %g ÷ ParallelismPerKPU %g = %g KPUs, above the default quota of %g per application", v, ppk, kpu, q), "request a KPU quota increase first, or raise ParallelismPerKPU for I/O-bound work")
			}
		}
	}
	if on, f, ok := fields.Bool(p, "ApplicationConfiguration.ApplicationSnapshotConfiguration.SnapshotsEnabled"); ok && !on {
		o.add("flink_app.snapshots.disabled", rules.Warning, f, "flink.snapshots.required_for_updates",
			"snapshots are off: updates, scaling (including auto scaling) and stops restart the application without its state, losing data", "set SnapshotsEnabled true")
	}
	units, name := 0.0, ""
	if s, _, ok := fields.Num(p, flinkShards); ok {
		units, name = s, "shards"
	} else if s, _, ok := fields.Num(p, flinkParts); ok {
		units, name = s, "partitions"
	}
	if units > 0 && par > units {
		o.add("flink_app.parallelism.source", rules.Warning, flinkPar+".Parallelism", "flink.parallelism.default",
			fmt.Sprintf("Parallelism %g is above the source's %g %s: %g source subtasks get nothing to read (an idle Kafka source holds back watermarks unless idleness is configured)", par, units, name, par-units),
			fmt.Sprintf("set the source operator's parallelism to %g (keep the rest of the job wider), or add %s", units, name))
	}
	return o.list()
}
