package tools

import (
	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/proccfg"
	"github.com/stream-mcp/stream-mcp/internal/procsize"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// sizeProcessor adapts one procsize service to the sizing plugin signature.
func sizeProcessor(service string) sizingPlugin {
	return func(in integ.SizeInput, b *guidance.Base) (sizing.Result, error) {
		w, p := in.Workload, in.Processor
		return procsize.Size(service, procsize.Input{
			Source: p.Source, Shards: w.Shards, Partitions: w.Partitions, RecordsPerSecond: w.RecordsPerSecond, IngressMBps: w.IngressMBps,
			AvgRecordBytes: w.AvgRecordBytes, PeakFactor: w.PeakFactor, GlueVersion: p.GlueVersion, WorkerType: p.WorkerType, CoresNeeded: p.CoresNeeded, CoreRecordsPerSecond: p.CoreRecordsPerSecond, LatencyTargetSeconds: w.LatencyTargetSeconds,
			BatchRecords: p.BatchRecords, TriggerIntervalSeconds: p.TriggerIntervalSeconds, BatchProcessingSeconds: p.BatchProcessingSeconds,
			Parallelism: p.Parallelism, ParallelismPerKPU: p.ParallelismPerKPU, KPU: p.KPU, KCLVersion: p.KCLVersion, Workers: p.Workers,
			Retrieval: p.Retrieval, ConsumerApps: w.ConsumerGroups, MCUPerWorker: p.MCUPerWorker, TasksMax: p.TasksMax,
		}, b)
	}
}

// validateProcessor adapts one proccfg kind to the validate_config plugin
// signature; a KCL/KPL/worker properties file may come as text.
func validateProcessor(kind string) validatePlugin {
	return func(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
		cfg := in.Config
		if in.Text != "" {
			if cfg != nil {
				return integ.Validation{}, integ.Inputf("send config or text, not both")
			}
			switch kind {
			case "kcl", "kpl":
				cfg = map[string]any{}
				for k, v := range fields.ParseProperties(in.Text) {
					cfg[k] = v
				}
			case "msk_connect":
				cfg = map[string]any{"PropertiesFileContent": in.Text}
			default:
				return integ.Validation{}, integ.Inputf("kind=%s takes config (CloudFormation property names); text is for kcl/kpl properties files and MSK Connect worker configurations", kind)
			}
		}
		if cfg == nil {
			return integ.Validation{}, integ.Inputf("kind=%s needs config (an object) or, for properties files, text", kind)
		}
		if in.Partitions > 0 || in.Shards > 0 {
			cfg = withContext(cfg, in)
		}
		vs, ids, _ := proccfg.Validate(kind, cfg, b)
		return integ.Validation{Violations: vs, Checked: ids}, nil
	}
}

// validateProcessorResource adapts a proccfg kind to a template resource.
func validateProcessorResource(kind string) templatePlugin {
	return func(path string, props map[string]any, b *guidance.Base) integ.Validation {
		vs, ids, _ := proccfg.Validate(kind, props, b)
		for i := range vs {
			vs[i].Field = path + "." + vs[i].Field
		}
		return integ.Validation{Violations: vs, Checked: ids}
	}
}

// withContext copies validate_config's context (partitions, shards) into
// the config under the snake_case keys the processor rules read, without
// overriding keys the config already has.
func withContext(cfg map[string]any, in integ.ValidateInput) map[string]any {
	out := make(map[string]any, len(cfg)+2)
	for k, v := range cfg {
		out[k] = v
	}
	if _, ok := out["partitions"]; !ok && in.Partitions > 0 {
		out["partitions"] = float64(in.Partitions)
	}
	if _, ok := out["shards"]; !ok && in.Shards > 0 {
		out["shards"] = float64(in.Shards)
	}
	return out
}
