// Package sizing holds pure calculators that turn a workload into a capacity
// recommendation: MSK provisioned clusters with Standard brokers (the
// right-sizing post's Equation 1), MSK Express, MSK Serverless fit, Kinesis
// Data Streams shards and capacity modes, and Lambda event source mapping
// concurrency and pollers.
//
// Every constant comes from the guidance base passed in; every result shows
// its arithmetic as calculation steps, names the binding constraint, and
// lists alternatives, warnings and the references behind the numbers. The
// functions take plain structs, do no I/O and are safe for concurrent use.
package sizing

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Workload is what the caller knows about the traffic. Zero means "not
// given"; each calculator says which fields it needs and which defaults (from
// guidance/limits/sizing.yaml) it applies.
type Workload struct {
	IngressMBps         float64 `json:"ingress_mb_per_second,omitempty" jsonschema_description:"average write rate in MB/s (10^6 bytes); derived from records_per_second x avg_record_bytes when omitted" jsonschema:"minimum=0"`
	EgressMBps          float64 `json:"egress_mb_per_second,omitempty" jsonschema_description:"total read rate in MB/s across all consumers; alternative to consumer_groups" jsonschema:"minimum=0"`
	ConsumerGroups      float64 `json:"consumer_groups,omitempty" jsonschema_description:"number of consumer groups (Kafka) or shared-throughput consumers (Kinesis) reading everything" jsonschema:"minimum=0"`
	EFOConsumers        int     `json:"efo_consumers,omitempty" jsonschema_description:"Kinesis enhanced fan-out consumers" jsonschema:"minimum=0"`
	RecordsPerSecond    float64 `json:"records_per_second,omitempty" jsonschema_description:"average records (messages) per second" jsonschema:"minimum=0"`
	AvgRecordBytes      float64 `json:"avg_record_bytes,omitempty" jsonschema_description:"average record size in bytes" jsonschema:"minimum=0"`
	MaxRecordBytes      float64 `json:"max_record_bytes,omitempty" jsonschema_description:"largest record in bytes (Kinesis max record size, Serverless message size)" jsonschema:"minimum=0"`
	RetentionHours      float64 `json:"retention_hours,omitempty" jsonschema_description:"how long data is kept, hours" jsonschema:"minimum=0"`
	ReplicationFactor   int     `json:"replication_factor,omitempty" jsonschema_description:"Kafka replication factor (default 3)" jsonschema:"minimum=0"`
	Partitions          int     `json:"partitions,omitempty" jsonschema_description:"Kafka partitions across all topics (leaders, without replicas)" jsonschema:"minimum=0"`
	AZCount             int     `json:"az_count,omitempty" jsonschema_description:"Availability Zones (MSK Standard: 2 or 3; default 3)" jsonschema:"minimum=0"`
	PeakFactor          float64 `json:"peak_factor,omitempty" jsonschema_description:"peak / average traffic ratio applied to throughput (default 1: the rates given are the peak)" jsonschema:"minimum=0"`
	BrokerType          string  `json:"broker_type,omitempty" jsonschema_description:"size this broker type only, e.g. kafka.m7g.xlarge or express.m7g.large; omitted = pick the smallest total vCPU"`
	HotKeyMBps          float64 `json:"hot_key_mb_per_second,omitempty" jsonschema_description:"Kinesis: write rate of the busiest partition key, MB/s" jsonschema:"minimum=0"`
	HotKeyRecordsPerSec float64 `json:"hot_key_records_per_second,omitempty" jsonschema_description:"Kinesis: records/s of the busiest key" jsonschema:"minimum=0"`
	OnDemandAdvantage   bool    `json:"on_demand_advantage,omitempty" jsonschema_description:"Kinesis: the account has On-demand Advantage enabled"`
	Region              string  `json:"region,omitempty" jsonschema_description:"AWS Region, e.g. us-east-1"`
	TrafficPattern      string  `json:"traffic_pattern,omitempty" jsonschema:"enum=known,enum=unknown" jsonschema_description:"Kinesis: is the peak known (default known)"`
	CompactedPartitions int     `json:"compacted_partitions,omitempty" jsonschema_description:"MSK Serverless: partitions of compacted topics" jsonschema:"minimum=0"`

	// Lambda ESM
	EventSource              string  `json:"event_source,omitempty" jsonschema:"enum=kinesis,enum=dynamodb,enum=sqs,enum=sqs_fifo,enum=msk,enum=self_managed_kafka" jsonschema_description:"lambda_esm: the source type"`
	Shards                   int     `json:"shards,omitempty" jsonschema_description:"lambda_esm: Kinesis or DynamoDB stream shards" jsonschema:"minimum=0"`
	ProcessingMsPerRecord    float64 `json:"processing_ms_per_record,omitempty" jsonschema_description:"lambda_esm: function time per record, ms" jsonschema:"minimum=0"`
	ProcessingMsPerBatch     float64 `json:"processing_ms_per_batch,omitempty" jsonschema_description:"lambda_esm: function time per batch, ms (overrides per-record time)" jsonschema:"minimum=0"`
	BatchSize                int     `json:"batch_size,omitempty" jsonschema_description:"lambda_esm: BatchSize (default per source)" jsonschema:"minimum=0"`
	ParallelizationFactor    int     `json:"parallelization_factor,omitempty" jsonschema_description:"lambda_esm: streams' ParallelizationFactor (default: the smallest that keeps up)" jsonschema:"minimum=0,maximum=10"`
	BatchingWindowSeconds    float64 `json:"batching_window_seconds,omitempty" jsonschema_description:"lambda_esm: MaximumBatchingWindowInSeconds" jsonschema:"minimum=0"`
	LatencyTargetSeconds     float64 `json:"latency_target_seconds,omitempty" jsonschema_description:"lambda_esm: end-to-end latency target, seconds" jsonschema:"minimum=0"`
	BacklogRecords           float64 `json:"backlog_records,omitempty" jsonschema_description:"lambda_esm: records waiting now (offset lag or iterator age x rate)" jsonschema:"minimum=0"`
	FunctionTimeoutSeconds   float64 `json:"function_timeout_seconds,omitempty" jsonschema_description:"lambda_esm: the function's timeout, seconds" jsonschema:"minimum=0"`
	PollerMode               string  `json:"poller_mode,omitempty" jsonschema:"enum=on_demand,enum=provisioned" jsonschema_description:"lambda_esm: Kafka or SQS poller mode (default: on_demand)"`
	VisibilityTimeoutSeconds float64 `json:"visibility_timeout_seconds,omitempty" jsonschema_description:"lambda_esm: SQS queue visibility timeout, seconds" jsonschema:"minimum=0"`
	MessageGroups            int     `json:"message_groups,omitempty" jsonschema_description:"lambda_esm sqs_fifo: active message groups" jsonschema:"minimum=0"`
}

// Step is one line of arithmetic.
type Step struct {
	Step    string             `json:"step" jsonschema_description:"what this step computes"`
	Formula string             `json:"formula" jsonschema_description:"the formula, with named inputs"`
	Inputs  map[string]float64 `json:"inputs" jsonschema_description:"input values by name"`
	Result  float64            `json:"result" jsonschema_description:"the computed value"`
	Unit    string             `json:"unit,omitempty" jsonschema_description:"unit of the result"`
}

// Alternative is another way to meet the workload, with its trade-off.
type Alternative struct {
	Option   string `json:"option" jsonschema_description:"the alternative, e.g. 6 x kafka.m5.xlarge"`
	Fits     bool   `json:"fits" jsonschema_description:"whether it carries the workload"`
	Tradeoff string `json:"tradeoff" jsonschema_description:"what changes compared with the recommendation"`
}

// Recommendation is the answer; only the fields of the service sized are set.
type Recommendation struct {
	Summary                    string  `json:"summary" jsonschema_description:"one line, e.g. 6 x kafka.m7g.xlarge in 3 AZs"`
	BrokerType                 string  `json:"broker_type,omitempty" jsonschema_description:"MSK broker size"`
	Brokers                    int     `json:"brokers,omitempty" jsonschema_description:"MSK broker count (a multiple of the AZ count)"`
	AZCount                    int     `json:"az_count,omitempty" jsonschema_description:"MSK Availability Zones (client subnets) the brokers span"`
	StorageGiBPerBroker        float64 `json:"storage_gib_per_broker,omitempty" jsonschema_description:"EBS storage per broker, GiB"`
	ProvisionedThroughputMiBps float64 `json:"provisioned_storage_throughput_mib_per_second,omitempty" jsonschema_description:"provisioned EBS throughput per broker, MiB/s (0 = the default volume throughput suffices)"`
	MinPartitions              int     `json:"min_partitions,omitempty" jsonschema_description:"fewest partitions that stay within per-partition limits"`
	Fits                       *bool   `json:"fits,omitempty" jsonschema_description:"msk_serverless: whether the workload fits the quotas"`
	Shards                     int     `json:"shards,omitempty" jsonschema_description:"Kinesis shards (provisioned mode)"`
	CapacityMode               string  `json:"capacity_mode,omitempty" jsonschema_description:"recommended Kinesis capacity mode"`
	MaxRecordSizeKiB           float64 `json:"max_record_size_kib,omitempty" jsonschema_description:"MaxRecordSizeInKiB the records need (only when above the default)"`
	ParallelizationFactor      int     `json:"parallelization_factor,omitempty" jsonschema_description:"Kinesis/DynamoDB ParallelizationFactor"`
	BatchSize                  int     `json:"batch_size,omitempty" jsonschema_description:"BatchSize"`
	Concurrency                int     `json:"concurrency,omitempty" jsonschema_description:"lambda_esm: concurrent invocations needed or allowed"`
	MaximumConcurrency         int     `json:"maximum_concurrency,omitempty" jsonschema_description:"SQS ScalingConfig.MaximumConcurrency"`
	MinimumPollers             int     `json:"minimum_pollers,omitempty" jsonschema_description:"ProvisionedPollerConfig.MinimumPollers"`
	MaximumPollers             int     `json:"maximum_pollers,omitempty" jsonschema_description:"ProvisionedPollerConfig.MaximumPollers"`
	PollerMode                 string  `json:"poller_mode,omitempty" jsonschema_description:"on_demand or provisioned"`
	KeepsUp                    *bool   `json:"keeps_up,omitempty" jsonschema_description:"whether processing capacity covers the peak arrival rate"`
	DrainSeconds               float64 `json:"backlog_drain_seconds,omitempty" jsonschema_description:"time to clear backlog_records; -1 when the backlog grows"`
	CPUPercentEstimate         float64 `json:"cpu_percent_estimate,omitempty" jsonschema_description:"estimated broker CPU with all brokers up (extrapolated from one benchmark)"`
	WorkerType                 string  `json:"worker_type,omitempty" jsonschema_description:"glue_streaming: worker type"`
	Workers                    int     `json:"workers,omitempty" jsonschema_description:"Glue NumberOfWorkers, MSK Connect or KCL workers"`
	KPU                        int     `json:"kpu,omitempty" jsonschema_description:"flink: KPUs billed"`
	Parallelism                int     `json:"parallelism,omitempty" jsonschema_description:"flink: Parallelism"`
	MCUPerWorker               int     `json:"mcu_per_worker,omitempty" jsonschema_description:"msk_connect: mcuCount"`
	Tasks                      int     `json:"tasks,omitempty" jsonschema_description:"msk_connect: tasks.max"`
}

// Result is a sizing answer with its working.
type Result struct {
	Service           string         `json:"service" jsonschema_description:"the service sized"`
	Recommendation    Recommendation `json:"recommendation" jsonschema_description:"the answer"`
	BindingConstraint string         `json:"binding_constraint" jsonschema_description:"the constraint that decides the answer"`
	Calculation       []Step         `json:"calculation" jsonschema_description:"each step of the arithmetic with its inputs"`
	Alternatives      []Alternative  `json:"alternatives" jsonschema_description:"other ways to meet the workload with their trade-offs"`
	Warnings          []string       `json:"warnings" jsonschema_description:"risks and limits the workload runs into"`
	References        []string       `json:"references" jsonschema_description:"documentation pages behind the numbers used"`
}

// calc accumulates steps, warnings and references while a calculator runs.
type calc struct {
	b    *guidance.Base
	res  Result
	refs map[string]bool
}

func newCalc(b *guidance.Base, service string) *calc {
	return &calc{b: b, res: Result{Service: service, Calculation: []Step{}, Alternatives: []Alternative{}, Warnings: []string{}}, refs: map[string]bool{}}
}

// n reads a number from guidance and remembers its source.
func (c *calc) n(id string) float64 {
	c.ref(id)
	return c.b.Num(id)
}

func (c *calc) ref(id string) {
	if s := c.b.Source(id); s != "" {
		c.refs[s] = true
	}
}

func (c *calc) step(name, formula string, result float64, unit string, kv ...any) float64 {
	in := map[string]float64{}
	for i := 0; i+1 < len(kv); i++ {
		in[kv[i].(string)] = round(toF(kv[i+1]))
		i++ // kv holds name, value pairs
	}
	c.res.Calculation = append(c.res.Calculation, Step{Step: name, Formula: formula, Inputs: in, Result: round(result), Unit: unit})
	return result
}

func (c *calc) warn(format string, a ...any) {
	c.res.Warnings = append(c.res.Warnings, fmt.Sprintf(format, a...))
}

func (c *calc) alt(option string, fits bool, tradeoff string) {
	c.res.Alternatives = append(c.res.Alternatives, Alternative{Option: option, Fits: fits, Tradeoff: tradeoff})
}

func (c *calc) done() Result {
	c.res.References = make([]string, 0, len(c.refs))
	for r := range c.refs {
		if strings.HasPrefix(r, "https://") {
			c.res.References = append(c.res.References, r)
		}
	}
	sort.Strings(c.res.References)
	return c.res
}

func toF(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case bool:
		if x {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// round keeps results readable (4 significant decimals) without hiding scale.
func round(f float64) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	if math.Abs(f) >= maxRoundable {
		return f // beyond float64's exact integer range; already coarser than the precision
	}
	return math.Round(f*displayScale) / displayScale
}

// ceilInt rounds up, treating values within 1e-9 of an integer as that
// integer so 3.0000000001 shards does not become 4.
func ceilInt(f float64) int {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	r := math.Round(f)
	if math.Abs(f-r) < ceilEpsilon {
		return int(r)
	}
	return int(math.Ceil(f))
}

// roundUpMultiple rounds n up to a multiple of m.
func roundUpMultiple(n, m int) int {
	if m <= 0 {
		return n
	}
	return ((n + m - 1) / m) * m
}

func boolPtr(b bool) *bool { return &b }

// peak returns the peak factor, defaulting from guidance.
func (c *calc) peak(w Workload) float64 {
	if w.PeakFactor > 0 {
		return w.PeakFactor
	}
	return c.n("sizing.peak_factor.default")
}

// Unit conversions (definitions, not limits).
const (
	bitsPerByte = 8       // unit conversion
	mbPerGb     = 1000    // unit conversion
	bytesPerMB  = 1e6     // unit conversion
	bytesPerKiB = 1 << 10 // unit conversion
	bytesPerMiB = 1 << 20 // unit conversion
	bytesPerGiB = 1 << 30 // unit conversion
	secPerHour  = 3600    // unit conversion
	msPerSecond = 1000    // unit conversion
	percent     = 100     // unit conversion: fraction to percent
	// ceilEpsilon absorbs float noise before rounding up (a numeric
	// tolerance, exempt like a unit conversion).
	ceilEpsilon = 1e-9 // unit conversion (numeric tolerance)
	// displayScale keeps 4 decimals in reported numbers.
	displayScale = 1e4 // unit conversion (display precision)
	// maxRoundable is where float64 stops representing every integer.
	maxRoundable = 1 << 52 // unit conversion (float64 mantissa)
)

// ingress derives the write rate in MB/s from the workload.
func (c *calc) ingress(w Workload) (float64, bool) {
	if w.IngressMBps > 0 {
		return w.IngressMBps, true
	}
	if w.RecordsPerSecond > 0 && w.AvgRecordBytes > 0 {
		return c.step("ingress from records", "records_per_second × avg_record_bytes ÷ 10^6", w.RecordsPerSecond*w.AvgRecordBytes/bytesPerMB, "MB/s",
			"records_per_second", w.RecordsPerSecond, "avg_record_bytes", w.AvgRecordBytes), true
	}
	return 0, false
}

// fanout returns the read fan-out (consumer groups) from consumer_groups or
// egress ÷ ingress, defaulting from guidance.
func (c *calc) fanout(w Workload, ingress float64) float64 {
	switch {
	case w.ConsumerGroups > 0:
		return w.ConsumerGroups
	case w.EgressMBps > 0 && ingress > 0:
		return c.step("read fan-out", "egress ÷ ingress", w.EgressMBps/ingress, "consumer groups", "egress_mb_per_second", w.EgressMBps, "ingress_mb_per_second", ingress)
	}
	return c.n("sizing.msk.default_consumer_groups")
}
