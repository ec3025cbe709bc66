// Package integ holds what the integration plugins share: the inputs the
// sizing tool hands an integration's sizing service and validate_config
// hands an integration's validate kind, and a small calculator that records
// the arithmetic in sizing's result shape and rules' violation shape.
//
// A plugin is a function in the integration's own package with one of the
// signatures
//
//	func(integ.SizeInput, *guidance.Base) (sizing.Result, error)
//	func(integ.ValidateInput, *guidance.Base) (integ.Validation, error)
//	func(path string, props map[string]any, b *guidance.Base) integ.Validation
//
// registered by one line in tools/plugins.go. Bad input is an error wrapping
// ErrInput; the tools turn it into an actionable tool error.
package integ

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// ErrInput marks bad input.
var ErrInput = errors.New("invalid input")

// Inputf returns an ErrInput error.
func Inputf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, a...))
}

// Topic is one topic (or stream) an integration reads.
type Topic struct {
	Name       string `json:"name" jsonschema_description:"topic or stream name"`
	Partitions int    `json:"partitions,omitempty" jsonschema:"minimum=0" jsonschema_description:"partitions or shards"`
}

// Deployment targets.
const (
	TargetServerless  = "serverless"
	TargetProvisioned = "provisioned"
)

// SizeInput is the sizing tool's workload plus the integrations' fields.
type SizeInput struct {
	sizing.Workload
	Topics []Topic
	Target string
	// Processor holds the stream processors' fields (integ2).
	Processor Processor
}

// Processor is the sizing inputs of the stream processors: Glue streaming,
// Managed Flink, MSK Connect and KCL (integ2; internal/procsize reads them).
type Processor struct {
	GlueVersion            string  `json:"glue_version,omitempty" jsonschema_description:"glue_streaming: e.g. 4.0"`
	WorkerType             string  `json:"worker_type,omitempty" jsonschema_description:"glue_streaming: G.025X-G.8X"`
	CoresNeeded            int     `json:"cores_needed,omitempty" jsonschema:"minimum=0" jsonschema_description:"glue_streaming: Spark cores from a benchmark"`
	CoreRecordsPerSecond   float64 `json:"core_records_per_second,omitempty" jsonschema:"minimum=0" jsonschema_description:"glue_streaming: benchmark rate of one core"`
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

// Set reports whether any processor field was given.
func (p Processor) Set() bool { return p != Processor{} }

// TotalPartitions is the sum over Topics, else Partitions, else Shards.
func (in SizeInput) TotalPartitions() int {
	n := 0
	for _, t := range in.Topics {
		n += t.Partitions
	}
	switch {
	case n > 0:
		return n
	case in.Partitions > 0:
		return in.Partitions
	}
	return in.Shards
}

// LargestTopic is the topic with the most partitions (Partitions or Shards
// as one unnamed topic when Topics is empty).
func (in SizeInput) LargestTopic() Topic {
	var best Topic
	for _, t := range in.Topics {
		if t.Partitions > best.Partitions {
			best = t
		}
	}
	if best.Partitions == 0 && len(in.Topics) == 0 {
		best.Partitions = max(in.Partitions, in.Shards)
	}
	return best
}

// Check rejects negative partition counts and unknown targets.
func (in SizeInput) Check() error {
	for _, t := range in.Topics {
		if t.Partitions < 0 {
			return Inputf("topics[%s].partitions is %d; send a non-negative number", t.Name, t.Partitions)
		}
	}
	switch in.Target {
	case "", TargetServerless, TargetProvisioned:
	default:
		return Inputf("target %q is not serverless or provisioned", in.Target)
	}
	return nil
}

// IngressMBps is the given ingress, or records/s x bytes when only those
// are given (MB = 10^6 bytes).
func (in SizeInput) IngressMBps() float64 {
	if in.Workload.IngressMBps > 0 {
		return in.Workload.IngressMBps
	}
	return in.RecordsPerSecond * in.AvgRecordBytes / bytesPerMB
}

// bytesPerMB is a unit conversion.
const bytesPerMB = 1e6

// ValidateInput is what validate_config hands an integration's kind.
type ValidateInput struct {
	Config map[string]any
	Text   string
	// Context facts (zero = not given).
	Partitions     int
	Shards         int
	AvgRecordBytes float64
	// Brokers is context.brokers (mirrormaker2: the target's brokers).
	Brokers int
}

// Validation is a validator's answer.
type Validation struct {
	Violations []rules.Violation
	Checked    []string
}

// Checker records violations and the rules evaluated.
type Checker struct {
	B       *guidance.Base
	Prefix  string // field path prefix, e.g. Resources.X.Properties.
	out     []rules.Violation
	checked map[string]bool
}

// NewChecker returns a checker reading limits from b.
func NewChecker(b *guidance.Base, prefix string) *Checker {
	return &Checker{B: b, Prefix: prefix, checked: map[string]bool{}}
}

// Rule marks a rule as evaluated.
func (c *Checker) Rule(id string) { c.checked[id] = true }

// Report adds a violation of rule id; ref is the documentation URL.
func (c *Checker) Report(sev rules.Severity, id, field, ref, msg, fix string) {
	c.checked[id] = true
	c.out = append(c.out, rules.Violation{RuleID: id, Severity: sev, Field: c.Prefix + field, Message: msg, Fix: fix, Reference: ref})
}

// Done returns the violations and the rules evaluated.
func (c *Checker) Done() Validation {
	ids := make([]string, 0, len(c.checked))
	for id := range c.checked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if c.out == nil {
		c.out = []rules.Violation{}
	}
	return Validation{Violations: c.out, Checked: ids}
}

// Calc records sizing arithmetic in sizing.Result's shape.
type Calc struct {
	b    *guidance.Base
	res  sizing.Result
	refs map[string]bool
}

// NewCalc starts a calculation for service.
func NewCalc(b *guidance.Base, service string) *Calc {
	return &Calc{b: b, res: sizing.Result{Service: service, Calculation: []sizing.Step{}, Alternatives: []sizing.Alternative{}, Warnings: []string{}}, refs: map[string]bool{}}
}

// N reads a number from guidance and cites its source.
func (c *Calc) N(id string) float64 {
	c.Ref(c.b.Source(id))
	return c.b.Num(id)
}

// Ref cites a URL.
func (c *Calc) Ref(url string) {
	if strings.HasPrefix(url, "https://") {
		c.refs[url] = true
	}
}

// Step records one line of arithmetic; kv are name, value pairs.
func (c *Calc) Step(name, formula string, result float64, unit string, kv ...any) float64 {
	in := map[string]float64{}
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		switch v := kv[i+1].(type) {
		case float64:
			in[k] = v
		case int:
			in[k] = float64(v)
		}
	}
	c.res.Calculation = append(c.res.Calculation, sizing.Step{Step: name, Formula: formula, Inputs: in, Result: result, Unit: unit})
	return result
}

// Warn adds a warning.
func (c *Calc) Warn(format string, a ...any) {
	c.res.Warnings = append(c.res.Warnings, fmt.Sprintf(format, a...))
}

// Alt adds an alternative.
func (c *Calc) Alt(option string, fits bool, tradeoff string) {
	c.res.Alternatives = append(c.res.Alternatives, sizing.Alternative{Option: option, Fits: fits, Tradeoff: tradeoff})
}

// Done sets the recommendation and binding constraint and returns the result.
func (c *Calc) Done(rec sizing.Recommendation, binding string) sizing.Result {
	c.res.Recommendation, c.res.BindingConstraint = rec, binding
	c.res.References = make([]string, 0, len(c.refs))
	for r := range c.refs {
		c.res.References = append(c.res.References, r)
	}
	sort.Strings(c.res.References)
	return c.res
}

// Ceil rounds up, treating values within a tiny epsilon of an integer as
// that integer.
func Ceil(f float64) int {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	if r := math.Round(f); math.Abs(f-r) < ceilEpsilon {
		return int(r)
	}
	return int(math.Ceil(f))
}

// ceilEpsilon absorbs float error in Ceil (numeric tolerance, not a limit).
const ceilEpsilon = 1e-9
