// Package optimize is the event source mapping analyzer behind esm_optimize
// action=analyze: it estimates what a mapping's current configuration does
// with a workload, derives a full recommended configuration for the chosen
// targets (throughput, latency, cost, failure_rate), estimates it again,
// states the trade-offs per target and shows the arithmetic, and checks the
// recommendation with the ESM rule engine (internal/esm).
//
// It is pure: configurations are plain maps under the Lambda API's field
// names, every limit comes from the guidance base, and no AWS call is made.
package optimize

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// ErrInput marks a request the analyzer cannot work with; the message says
// what to send instead.
var ErrInput = errors.New("optimize input")

// Targets the analyzer optimises for.
const (
	TargetThroughput  = "throughput"
	TargetLatency     = "latency"
	TargetCost        = "cost"
	TargetFailureRate = "failure_rate"
)

// AllTargets lists the targets in display order.
func AllTargets() []string {
	return []string{TargetThroughput, TargetLatency, TargetCost, TargetFailureRate}
}

// Request is one analysis.
type Request struct {
	// Source is the event source type (kinesis, dynamodb, sqs, sqs_fifo, msk,
	// self_managed_kafka).
	Source string
	// Config is the current mapping under Lambda API names.
	Config map[string]any
	// Workload describes the traffic; its EventSource is set from Source.
	Workload sizing.Workload
	// Targets in priority order; empty means throughput.
	Targets []string
}

// Change is one field the recommendation changes.
type Change struct {
	Field string `json:"field" jsonschema_description:"Lambda API field path, e.g. ScalingConfig.MaximumConcurrency"`
	From  any    `json:"from" jsonschema_description:"current value (null = not set, the service default)"`
	To    any    `json:"to" jsonschema_description:"recommended value (null = remove the field)"`
	Why   string `json:"why" jsonschema_description:"the reason, with the numbers"`
}

// Tradeoff says what the change does for one target.
type Tradeoff struct {
	Target    string `json:"target" jsonschema:"enum=throughput,enum=latency,enum=cost,enum=failure_rate" jsonschema_description:"the target"`
	Requested bool   `json:"requested" jsonschema_description:"whether the caller asked to optimise for it"`
	Before    string `json:"before" jsonschema_description:"the measure now"`
	After     string `json:"after" jsonschema_description:"the measure with the recommendation"`
	Effect    string `json:"effect" jsonschema:"enum=better,enum=worse,enum=same" jsonschema_description:"direction of the change for this target"`
	Note      string `json:"note,omitempty" jsonschema_description:"what drives it"`
}

// Current is the configuration as given and what it does.
type Current struct {
	Config    map[string]any      `json:"config" jsonschema_description:"the configuration analysed (Lambda API names)"`
	Estimates sizing.ESMEstimates `json:"estimates" jsonschema_description:"what it does with the workload"`
}

// Analysis is the analyzer's answer.
type Analysis struct {
	Source      string              `json:"event_source" jsonschema_description:"the source type analysed"`
	Targets     []string            `json:"targets" jsonschema_description:"targets optimised for, in priority order"`
	Current     Current             `json:"current" jsonschema_description:"the current configuration and its estimates"`
	Recommended map[string]any      `json:"recommended" jsonschema_description:"the full recommended configuration (Lambda API names), checked by the rule engine"`
	Changes     []Change            `json:"changes" jsonschema_description:"each changed field with its reason"`
	Estimates   sizing.ESMEstimates `json:"estimates" jsonschema_description:"estimates with the recommended configuration"`
	Tradeoffs   []Tradeoff          `json:"tradeoffs" jsonschema_description:"before and after per target"`
	Rationale   []sizing.Step       `json:"rationale" jsonschema_description:"each step of the arithmetic behind the recommendation, with its inputs"`
	Violations  []rules.Violation   `json:"violations" jsonschema_description:"rule-engine findings on the recommended configuration (errors here are pre-existing problems the analysis cannot fix, e.g. a missing StartingPosition)"`
	Warnings    []string            `json:"warnings" jsonschema_description:"risks that remain with the recommendation"`
	References  []string            `json:"references" jsonschema_description:"documentation behind the numbers"`
}

// Analyzer runs analyses with one compiled ESM rule engine; it is safe for
// concurrent use.
type Analyzer struct {
	b      *guidance.Base
	engine *esm.Engine
}

// New builds an Analyzer over the guidance base.
func New(b *guidance.Base) *Analyzer { return &Analyzer{b: b, engine: esm.NewEngine(b)} }

// Engine returns the compiled ESM rule engine, for callers that validate
// configurations the analyzer did not produce.
func (z *Analyzer) Engine() *esm.Engine { return z.engine }

// Analyze runs one analysis with a throwaway Analyzer (see Analyzer.Analyze).
func Analyze(req Request, b *guidance.Base) (Analysis, error) { return New(b).Analyze(req) }

// Analyze runs one analysis. It returns an error wrapping ErrInput for a
// request it cannot analyse (unknown source, missing workload fields).
func (z *Analyzer) Analyze(req Request) (Analysis, error) {
	b := z.b
	if !sizing.IsStream(req.Source) && !sizing.IsKafka(req.Source) && !sizing.IsSQS(req.Source) {
		return Analysis{}, fmt.Errorf("%w: event_source %q; send kinesis, dynamodb, sqs, sqs_fifo, msk or self_managed_kafka", ErrInput, req.Source)
	}
	targets, err := normTargets(req.Targets)
	if err != nil {
		return Analysis{}, err
	}
	w := req.Workload
	w.EventSource = req.Source
	cur := copyMap(req.Config)
	curCfg := readConfig(cur)
	if w.PollerMode == "" && curCfg.Provisioned {
		w.PollerMode = "provisioned"
	}
	fillContext(&w, cur)
	before, err := sizing.EvaluateESM(w, curCfg, b)
	if err != nil {
		return Analysis{}, fmt.Errorf("%w: %w", ErrInput, err)
	}
	o := &optimizer{b: b, w: w, src: req.Source, targets: targets, cur: curCfg, refs: map[string]bool{}}
	next := o.decide()
	after, err := sizing.EvaluateESM(o.w, next, b)
	if err != nil {
		return Analysis{}, fmt.Errorf("%w: %w", ErrInput, err)
	}
	rec := o.apply(cur, next)
	a := Analysis{
		Source:      req.Source,
		Targets:     targets,
		Current:     Current{Config: cur, Estimates: before.Estimates},
		Recommended: rec,
		Changes:     diff(cur, rec, o.why),
		Estimates:   after.Estimates,
		Tradeoffs: tradeoffs(targets, before.Estimates, after.Estimates,
			retryScope{batch: before.Estimates.BatchSize, partial: partialBatch(cur, b.Strings("esm.function_response_types.values"))},
			retryScope{batch: after.Estimates.BatchSize, partial: partialBatch(rec, b.Strings("esm.function_response_types.values"))}, o.notes),
		Rationale: append(o.steps, after.Calculation...),
		Warnings:  append(o.warnings, after.Warnings...),
	}
	a.Violations = z.Validate(req.Source, rec, w)
	for _, r := range append(before.References, after.References...) {
		o.refs[r] = true
	}
	for r := range o.refs {
		a.References = append(a.References, r)
	}
	sort.Strings(a.References)
	if a.Warnings == nil {
		a.Warnings = []string{}
	}
	return a, nil
}

// Validate runs the ESM rule engine on cfg with the workload as context.
func (z *Analyzer) Validate(source string, cfg map[string]any, w sizing.Workload) []rules.Violation {
	res, err := z.engine.Validate(esm.Config(cfg), esm.Options{Source: esm.SourceType(source), Context: esm.Context{
		FunctionTimeoutSeconds:        w.FunctionTimeoutSeconds,
		QueueVisibilityTimeoutSeconds: w.VisibilityTimeoutSeconds,
		Partitions:                    w.Partitions,
		Shards:                        w.Shards,
		AvgRecordBytes:                w.AvgRecordBytes,
	}})
	if err != nil {
		return []rules.Violation{{RuleID: "optimize.event_source.unknown", Severity: rules.Error, Field: "EventSourceArn", Message: err.Error(), Fix: "send event_source", Reference: ""}}
	}
	if res.Violations == nil {
		return []rules.Violation{}
	}
	return res.Violations
}

func normTargets(in []string) ([]string, error) {
	if len(in) == 0 {
		return []string{TargetThroughput}, nil
	}
	var out []string
	for _, t := range in {
		if !slices.Contains(AllTargets(), t) {
			return nil, fmt.Errorf("%w: target %q; send any of throughput, latency, cost, failure_rate", ErrInput, t)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// copyMap deep-copies a configuration, turning every number into float64
// as encoding/json would, so current and recommended compare and print the
// same way.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return copyMap(x)
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = copyValue(e)
		}
		return l
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return l
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}

func num(m map[string]any, path ...string) (float64, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return 0, false
		}
		cur = mm[p]
	}
	return rules.Number(cur) // the rule engine's reader, so both see the same value (e.g. "100" from a template)
}

func readConfig(m map[string]any) sizing.ESMConfig {
	var c sizing.ESMConfig
	if v, ok := num(m, "BatchSize"); ok {
		c.BatchSize = int(v)
	}
	if v, ok := num(m, "MaximumBatchingWindowInSeconds"); ok {
		c.BatchingWindowSeconds = v
	}
	if v, ok := num(m, "ParallelizationFactor"); ok {
		c.ParallelizationFactor = int(v)
	}
	if v, ok := num(m, "ScalingConfig", "MaximumConcurrency"); ok {
		c.MaximumConcurrency = int(v)
	}
	if p, ok := m["ProvisionedPollerConfig"].(map[string]any); ok && p != nil {
		c.Provisioned = true
		if v, ok := num(p, "MinimumPollers"); ok {
			c.MinimumPollers = int(v)
		}
		if v, ok := num(p, "MaximumPollers"); ok {
			c.MaximumPollers = int(v)
		}
	}
	return c
}

// fillContext copies into the workload the facts the configuration states
// and the workload leaves out (today: BatchSize).
func fillContext(w *sizing.Workload, m map[string]any) {
	if w.BatchSize == 0 {
		if v, ok := num(m, "BatchSize"); ok {
			w.BatchSize = int(v)
		}
	}
}

func diff(cur, rec map[string]any, why map[string]string) []Change {
	var out []Change
	keys := map[string]bool{}
	for k := range cur {
		keys[k] = true
	}
	for k := range rec {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !reflect.DeepEqual(cur[k], rec[k]) {
			out = append(out, Change{Field: k, From: cur[k], To: rec[k], Why: why[k]})
		}
	}
	if out == nil {
		out = []Change{}
	}
	return out
}

func fmtRate(v float64) string {
	if math.IsInf(v, 0) {
		return "unbounded"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
