package tools

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/proccfg"
	"github.com/stream-mcp/stream-mcp/internal/procsize"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// processorIn are the sizing inputs of the stream processors (Glue
// streaming, Managed Flink, MSK Connect, KCL); integ2's section.
type processorIn struct {
	GlueVersion            string  `json:"glue_version,omitempty" jsonschema_description:"glue_streaming: e.g. 4.0"`
	WorkerType             string  `json:"worker_type,omitempty" jsonschema_description:"glue_streaming: G.025X-G.8X"`
	CoresNeeded            int     `json:"cores_needed,omitempty" jsonschema:"minimum=0" jsonschema_description:"glue_streaming: Spark cores from a benchmark"`
	Source                 string  `json:"source,omitempty" jsonschema:"enum=kinesis,enum=kafka" jsonschema_description:"processors: stream type"`
	BatchRecords           float64 `json:"batch_records,omitempty" jsonschema:"minimum=0" jsonschema_description:"glue_streaming: records per micro-batch"`
	TriggerIntervalSeconds float64 `json:"trigger_interval_seconds,omitempty" jsonschema:"minimum=0" jsonschema_description:"glue_streaming: windowSize"`
	BatchProcessingSeconds float64 `json:"batch_processing_seconds,omitempty" jsonschema:"minimum=0" jsonschema_description:"glue_streaming: batch duration"`
	Parallelism            int     `json:"parallelism,omitempty" jsonschema:"minimum=0" jsonschema_description:"flink: Parallelism"`
	ParallelismPerKPU      int     `json:"parallelism_per_kpu,omitempty" jsonschema:"minimum=0" jsonschema_description:"flink: ParallelismPerKPU"`
	KPU                    int     `json:"kpu,omitempty" jsonschema:"minimum=0" jsonschema_description:"flink: KPUs"`
	KCLVersion             string  `json:"kcl_version,omitempty" jsonschema_description:"kcl: 2.x or 3.x"`
	Workers                int     `json:"workers,omitempty" jsonschema:"minimum=0" jsonschema_description:"kcl, msk_connect: workers"`
	Retrieval              string  `json:"retrieval,omitempty" jsonschema:"enum=efo,enum=polling" jsonschema_description:"kcl: read mode"`
	MCUPerWorker           int     `json:"mcu_per_worker,omitempty" jsonschema:"minimum=0" jsonschema_description:"msk_connect: mcuCount"`
	TasksMax               int     `json:"tasks_max,omitempty" jsonschema:"minimum=0" jsonschema_description:"msk_connect: tasks.max"`
}

// set reports whether any processor field was given.
func (p processorIn) set() bool { return p != processorIn{} }

// sizeProcessor adapts one procsize service to the sizing plugin signature.
func sizeProcessor(service string) sizingPlugin {
	return func(in sizingPluginIn, b *guidance.Base) (sizing.Result, error) {
		w, p := in.Workload, in.Processor
		return procsize.Size(service, procsize.Input{
			Source: p.Source, Shards: w.Shards, Partitions: w.Partitions, RecordsPerSecond: w.RecordsPerSecond, IngressMBps: w.IngressMBps,
			AvgRecordBytes: w.AvgRecordBytes, PeakFactor: w.PeakFactor, GlueVersion: p.GlueVersion, WorkerType: p.WorkerType, CoresNeeded: p.CoresNeeded,
			BatchRecords: p.BatchRecords, TriggerIntervalSeconds: p.TriggerIntervalSeconds, BatchProcessingSeconds: p.BatchProcessingSeconds,
			Parallelism: p.Parallelism, ParallelismPerKPU: p.ParallelismPerKPU, KPU: p.KPU, KCLVersion: p.KCLVersion, Workers: p.Workers,
			Retrieval: p.Retrieval, ConsumerApps: w.ConsumerGroups, MCUPerWorker: p.MCUPerWorker, TasksMax: p.TasksMax,
		}, b)
	}
}

// validateProcessor adapts one proccfg kind to the validate_config plugin
// signature; a KCL/KPL/worker properties file may come as text.
func validateProcessor(kind string) validatePlugin {
	return func(in validateConfigIn, b *guidance.Base) ([]rules.Violation, int, string) {
		cfg := in.Config
		if in.Text != "" {
			if cfg != nil {
				return nil, 0, "send config or text, not both"
			}
			switch kind {
			case "kcl", "kpl":
				cfg = map[string]any{}
				for k, v := range proccfgProperties(in.Text) {
					cfg[k] = v
				}
			case "msk_connect":
				cfg = map[string]any{"PropertiesFileContent": in.Text}
			default:
				return nil, 0, fmt.Sprintf("kind=%s takes config (CloudFormation property names); text is for kcl/kpl properties files and MSK Connect worker configurations", kind)
			}
		}
		if cfg == nil {
			return nil, 0, fmt.Sprintf("kind=%s needs config (an object) or, for properties files, text", kind)
		}
		vs, ids, _ := proccfg.Validate(kind, cfg, b)
		return vs, len(ids), ""
	}
}

// proccfgProperties reads key=value lines of a properties file.
func proccfgProperties(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// validateProcessorResource adapts a proccfg kind to a template resource.
func validateProcessorResource(kind string) templatePlugin {
	return func(path string, props map[string]any, b *guidance.Base) ([]rules.Violation, []string) {
		vs, ids, _ := proccfg.Validate(kind, props, b)
		for i := range vs {
			vs[i].Field = path + "." + vs[i].Field
		}
		return vs, ids
	}
}
