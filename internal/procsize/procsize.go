// Package procsize sizes the stream processors that sit on Kinesis and
// Kafka: AWS Glue streaming jobs (workers and cores, shards to match, the
// micro-batch arithmetic), Amazon Managed Service for Apache Flink (KPUs from
// parallelism), MSK Connect (MCUs, workers and tasks) and KCL consumer
// applications (leases per worker, read throughput per consumer).
//
// Every constant comes from the guidance base; every result shows its
// arithmetic as sizing.Step values so the sizing tool renders it like the
// other services. The functions are pure and safe for concurrent use.
package procsize

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Input is what the caller knows about the processor and its source. Zero
// means "not given".
type Input struct {
	Source                 string  // kinesis | kafka
	Shards                 int     // Kinesis shards
	Partitions             int     // Kafka partitions
	RecordsPerSecond       float64 // arrival rate
	IngressMBps            float64 // arrival rate in MB/s
	AvgRecordBytes         float64
	PeakFactor             float64
	GlueVersion            string
	WorkerType             string
	CoresNeeded            int
	CoreRecordsPerSecond   float64 // one core's benchmark rate (one shard/partition, 1 s interval)
	LatencyTargetSeconds   float64
	BatchRecords           float64
	TriggerIntervalSeconds float64
	BatchProcessingSeconds float64
	Parallelism            int
	ParallelismPerKPU      int
	KPU                    int
	KCLVersion             string
	Workers                int
	Retrieval              string // efo | polling
	ConsumerApps           float64
	MCUPerWorker           int
	TasksMax               int
}

// Services lists the service names this package sizes.
func Services() []string { return []string{"glue_streaming", "flink", "msk_connect", "kcl", "kpl"} }

// Size dispatches to the calculator for service.
func Size(service string, in Input, b *guidance.Base) (sizing.Result, error) {
	for name, v := range map[string]float64{
		"shards": float64(in.Shards), "partitions": float64(in.Partitions), "records_per_second": in.RecordsPerSecond,
		"ingress_mb_per_second": in.IngressMBps, "avg_record_bytes": in.AvgRecordBytes, "peak_factor": in.PeakFactor,
		"cores_needed": float64(in.CoresNeeded), "core_records_per_second": in.CoreRecordsPerSecond, "latency_target_seconds": in.LatencyTargetSeconds, "batch_records": in.BatchRecords, "trigger_interval_seconds": in.TriggerIntervalSeconds,
		"batch_processing_seconds": in.BatchProcessingSeconds, "parallelism": float64(in.Parallelism), "parallelism_per_kpu": float64(in.ParallelismPerKPU),
		"kpu": float64(in.KPU), "workers": float64(in.Workers), "consumer_groups": in.ConsumerApps, "mcu_per_worker": float64(in.MCUPerWorker), "tasks_max": float64(in.TasksMax),
	} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return sizing.Result{}, fmt.Errorf("%w: %s is %v; send a non-negative number", sizing.ErrInput, name, v)
		}
	}
	if in.Source != "" && in.Source != "kinesis" && in.Source != "kafka" {
		return sizing.Result{}, fmt.Errorf("%w: source %q; send kinesis or kafka", sizing.ErrInput, in.Source)
	}
	switch service {
	case "glue_streaming":
		return Glue(in, b)
	case "flink":
		return Flink(in, b)
	case "msk_connect":
		return Connect(in, b)
	case "kcl":
		return KCL(in, b)
	case "kpl":
		return KPL(in, b)
	}
	return sizing.Result{}, fmt.Errorf("%w: service %q; send one of %s", sizing.ErrInput, service, strings.Join(Services(), ", "))
}

// Unit conversions and display precision (definitions, not limits).
const (
	displayScale = 1e4  // unit conversion (4 decimals in reported numbers)
	ceilEpsilon  = 1e-9 // unit conversion (numeric tolerance before rounding up)
	msPerSecond  = 1000 // unit conversion
	bytesPerMB   = 1e6  // unit conversion
)

// rec accumulates steps, warnings and references while a calculator runs.
type rec struct {
	b    *guidance.Base
	res  sizing.Result
	refs map[string]bool
}

func newRec(b *guidance.Base, service string) *rec {
	return &rec{b: b, res: sizing.Result{Service: service, Calculation: []sizing.Step{}, Alternatives: []sizing.Alternative{}, Warnings: []string{}}, refs: map[string]bool{}}
}

// n reads a number and remembers its source.
func (r *rec) n(id string) float64 { r.ref(id); return r.b.Num(id) }

// list reads a list and remembers its source.
func (r *rec) list(id string) []string { r.ref(id); return r.b.Strings(id) }

// str reads a string limit and remembers its source.
func (r *rec) str(id string) string {
	r.ref(id)
	l, _ := r.b.Lookup(id)
	s, _ := l.Value.(string)
	return s
}

// has reports whether a numeric id exists (tables keyed by worker type).
func (r *rec) has(id string) bool {
	l, ok := r.b.Lookup(id)
	if !ok {
		return false
	}
	_, num := l.Value.(float64)
	return num
}

func (r *rec) ref(id string) {
	if s := r.b.Source(id); strings.HasPrefix(s, "https://") {
		r.refs[s] = true
	}
}

func (r *rec) step(name, formula string, result float64, unit string, kv ...any) float64 {
	in := map[string]float64{}
	for i := 0; i+1 < len(kv); i++ {
		in[fmt.Sprint(kv[i])] = round(toF(kv[i+1]))
		i++ // kv holds name, value pairs
	}
	r.res.Calculation = append(r.res.Calculation, sizing.Step{Step: name, Formula: formula, Inputs: in, Result: round(result), Unit: unit})
	return result
}

func (r *rec) warn(format string, a ...any) {
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf(format, a...))
}

func (r *rec) alt(option string, fits bool, tradeoff string) {
	r.res.Alternatives = append(r.res.Alternatives, sizing.Alternative{Option: option, Fits: fits, Tradeoff: tradeoff})
}

func (r *rec) done() sizing.Result {
	r.res.References = make([]string, 0, len(r.refs))
	for s := range r.refs {
		r.res.References = append(r.res.References, s)
	}
	sort.Strings(r.res.References)
	return r.res
}

func (r *rec) peak(in Input) float64 {
	if in.PeakFactor > 0 {
		return in.PeakFactor
	}
	return r.n("sizing.peak_factor.default")
}

func toF(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return math.NaN()
}

func round(f float64) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	return math.Round(f*displayScale) / displayScale
}

// ceilInt rounds up, treating values within 1e-9 of an integer as that
// integer.
func ceilInt(f float64) int {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	if r := math.Round(f); math.Abs(f-r) < ceilEpsilon {
		return int(r)
	}
	return int(math.Ceil(f))
}

func boolPtr(b bool) *bool { return &b }

// sourceUnits returns the source's parallel units (shards or partitions)
// and their name.
func sourceUnits(in Input) (int, string) {
	switch {
	case in.Source == "kafka" || (in.Source == "" && in.Partitions > 0 && in.Shards == 0):
		return in.Partitions, "partitions"
	default:
		return in.Shards, "shards"
	}
}

// ingress returns the arrival rate in MB/s, if known.
func (r *rec) ingress(in Input) (float64, bool) {
	if in.IngressMBps > 0 {
		return in.IngressMBps, true
	}
	if in.RecordsPerSecond > 0 && in.AvgRecordBytes > 0 {
		return r.step("ingress from records", "records_per_second × avg_record_bytes ÷ 10^6", in.RecordsPerSecond*in.AvgRecordBytes/bytesPerMB, "MB/s",
			"records_per_second", in.RecordsPerSecond, "avg_record_bytes", in.AvgRecordBytes), true
	}
	return 0, false
}
