package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/optimize"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

type esmWorkload struct {
	RecordsPerSecond         float64 `json:"records_per_second,omitempty" jsonschema:"minimum=0,maximum=1000000000" jsonschema_description:"average records arriving per second"`
	AvgRecordBytes           float64 `json:"avg_record_bytes,omitempty" jsonschema:"minimum=0,maximum=1073741824" jsonschema_description:"average record size, bytes (payload cap and poller MB/s checks)"`
	ProcessingMsPerRecord    float64 `json:"processing_ms_per_record,omitempty" jsonschema:"minimum=0,maximum=86400000" jsonschema_description:"function time per record, ms"`
	ProcessingMsPerBatch     float64 `json:"processing_ms_per_batch,omitempty" jsonschema:"minimum=0,maximum=86400000" jsonschema_description:"function time per batch, ms (use instead of per record when time is per invocation)"`
	Shards                   int     `json:"shards,omitempty" jsonschema:"minimum=0,maximum=1000000" jsonschema_description:"Kinesis/DynamoDB stream shards"`
	Partitions               int     `json:"partitions,omitempty" jsonschema:"minimum=0,maximum=1000000" jsonschema_description:"Kafka topic partitions"`
	LatencyTargetSeconds     float64 `json:"latency_target_seconds,omitempty" jsonschema:"minimum=0,maximum=31536000" jsonschema_description:"end-to-end latency target, seconds"`
	PeakFactor               float64 `json:"peak_factor,omitempty" jsonschema:"minimum=0,maximum=1000" jsonschema_description:"peak / average ratio (default 1)"`
	BacklogRecords           float64 `json:"backlog_records,omitempty" jsonschema:"minimum=0,maximum=1000000000000000" jsonschema_description:"records waiting now (OffsetLag, or IteratorAge seconds x records_per_second)"`
	FunctionTimeoutSeconds   float64 `json:"function_timeout_seconds,omitempty" jsonschema:"minimum=0,maximum=86400" jsonschema_description:"the function's timeout, seconds"`
	VisibilityTimeoutSeconds float64 `json:"visibility_timeout_seconds,omitempty" jsonschema:"minimum=0,maximum=86400" jsonschema_description:"SQS queue visibility timeout, seconds"`
	MessageGroups            int     `json:"message_groups,omitempty" jsonschema:"minimum=0,maximum=100000000" jsonschema_description:"SQS FIFO active message groups"`
}

func (w esmWorkload) sizing(source string) sizing.Workload {
	return sizing.Workload{EventSource: source, RecordsPerSecond: w.RecordsPerSecond, AvgRecordBytes: w.AvgRecordBytes,
		ProcessingMsPerRecord: w.ProcessingMsPerRecord, ProcessingMsPerBatch: w.ProcessingMsPerBatch, Shards: w.Shards,
		Partitions: w.Partitions, LatencyTargetSeconds: w.LatencyTargetSeconds, PeakFactor: w.PeakFactor,
		BacklogRecords: w.BacklogRecords, FunctionTimeoutSeconds: w.FunctionTimeoutSeconds, VisibilityTimeoutSeconds: w.VisibilityTimeoutSeconds,
		MessageGroups: w.MessageGroups}
}

type esmOptimizeIn struct {
	Action      string         `json:"action" jsonschema:"enum=analyze,enum=validate,enum=generate_template" jsonschema_description:"analyze: estimates, recommended config and trade-offs; validate: rule check of config; generate_template: IaC for the recommended (or given) config"`
	EventSource string         `json:"event_source,omitempty" jsonschema:"enum=kinesis,enum=dynamodb,enum=sqs,enum=sqs_fifo,enum=msk,enum=self_managed_kafka,enum=mq,enum=documentdb" jsonschema_description:"source type; optional when config has EventSourceArn or SelfManagedEventSource (analyze and generate_template support the first six)"`
	Config      map[string]any `json:"config,omitempty" jsonschema_description:"the mapping under Lambda API names (BatchSize, ParallelizationFactor, ScalingConfig.MaximumConcurrency, ProvisionedPollerConfig, ...), as get-event-source-mapping prints it"`
	ESMUUID     string         `json:"esm_uuid,omitempty" jsonschema_description:"a live mapping to read instead of config; its function timeout, shards, partitions and queue visibility/backlog fill the workload fields you leave out"`
	Workload    *esmWorkload   `json:"workload,omitempty" jsonschema_description:"the traffic; required by analyze, optional context for validate and generate_template"`
	Targets     []string       `json:"targets,omitempty" jsonschema_description:"what to optimise, in priority order: throughput, latency, cost, failure_rate (default throughput)"`
	IaCFormat   string         `json:"iac_format,omitempty" jsonschema:"enum=sam,enum=cloudformation,enum=terraform" jsonschema_description:"generate_template format; default sam"`
	Detail      string         `json:"detail,omitempty" jsonschema:"enum=summary,enum=full" jsonschema_description:"analyze: summary (default: arithmetic cut to fit) or full"`
}

type esmOptimizeOut struct {
	Action string `json:"action" jsonschema_description:"the action performed"`
	// validate
	Valid        *bool             `json:"valid,omitempty" jsonschema_description:"validate: no error-severity violation"`
	Violations   []rules.Violation `json:"violations,omitempty" jsonschema_description:"rule findings (validate: of config; analyze and generate_template: of the recommended config), errors first"`
	CheckedRules []string          `json:"checked_rules,omitempty" jsonschema_description:"validate: ids of the rules evaluated"`
	// analyze
	Targets     []string             `json:"targets,omitempty" jsonschema_description:"analyze: targets optimised for"`
	Current     *optimize.Current    `json:"current,omitempty" jsonschema_description:"analyze: the configuration as given and its estimates"`
	Recommended map[string]any       `json:"recommended,omitempty" jsonschema_description:"analyze and generate_template: the full recommended configuration (Lambda API names)"`
	Changes     []optimize.Change    `json:"changes,omitempty" jsonschema_description:"analyze: changed fields with reasons"`
	Estimates   *sizing.ESMEstimates `json:"estimates,omitempty" jsonschema_description:"analyze: throughput capacity, concurrency, batch fill time, latency, backlog drain time and invocations with the recommended configuration"`
	Tradeoffs   []optimize.Tradeoff  `json:"tradeoffs,omitempty" jsonschema_description:"analyze: before and after per target"`
	Rationale   []sizing.Step        `json:"rationale,omitempty" jsonschema_description:"analyze: each step of the arithmetic with its inputs"`
	// generate_template
	Artifacts  []iac.Artifact `json:"artifacts,omitempty" jsonschema_description:"generate_template: the IaC artifact"`
	Warnings   []string       `json:"warnings,omitempty" jsonschema_description:"risks and notes"`
	Unknown    []string       `json:"unknown,omitempty" jsonschema_description:"live facts that could not be read, and what to send instead"`
	References []string       `json:"references,omitempty" jsonschema_description:"documentation behind the numbers and rules"`
	LeftOut    int            `json:"rationale_left_out,omitempty" jsonschema_description:"arithmetic steps not in this answer"`
	Next       string         `json:"next,omitempty" jsonschema_description:"how to get what was left out"`
	Truncated  bool           `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// EsmOptimize validates, analyses and templates an event source mapping
// configuration.
func EsmOptimize(d ReadDeps) server.ServerTool {
	z := optimize.New(d.Guidance)
	t := mcp.NewTool("esm_optimize",
		mcp.WithDescription("Returns, for a mapping and its workload, estimates now and after with a rule-checked config and the arithmetic (analyze), violations with fixes (validate), or a template (generate_template). Use it when lag grows or before tuning a mapping."),
		mcp.WithTitleAnnotation("ESM: Optimize"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[esmOptimizeIn](), schema.Output[esmOptimizeOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in esmOptimizeIn) (*mcp.CallToolResult, error) {
		var live, unknown []string
		if in.Config == nil {
			if in.ESMUUID == "" {
				return mcp.NewToolResultError("send config (the mapping under Lambda API names, e.g. {\"BatchSize\":100,\"ParallelizationFactor\":1,\"EventSourceArn\":\"arn:aws:kinesis:...\"}) or esm_uuid"), nil
			}
			lm, errRes := readLiveMapping(ctx, d, in.ESMUUID)
			if errRes != nil {
				return errRes, nil
			}
			in.Config = lm.config
			if in.EventSource == "" {
				in.EventSource = lm.source
			}
			if in.Workload == nil && in.Action == "validate" {
				in.Workload = &esmWorkload{} // facts give the rules context
			}
			if in.Workload != nil {
				mergeFacts(in.Workload, lm.facts)
			}
			live = append(lm.notes, "read live: mapping "+in.ESMUUID+" and its function and source topology")
			unknown = lm.unknown
		}
		res, err := esmOptimizeAction(z, in)
		if err == nil && res != nil && res.IsError && len(unknown) > 0 {
			// The analysis needed a fact the live read could not get
			// (DescribeTopic or ListShards failed): that is partial
			// evidence, not a failed call. Say what is unknown and what to
			// send.
			out := esmOptimizeOut{Action: in.Action, Unknown: unknown, Warnings: append([]string{"no analysis: " + resultErrText(res)}, live...)}
			return mcp.NewToolResultStructured(out, "esm_optimize could not analyse the mapping with what the live read found; unknown: "+strings.Join(unknown, "; ")), nil
		}
		if err != nil || res == nil || res.IsError || len(live) == 0 {
			return res, err
		}
		return withLiveNotes(res, live, unknown), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

// withLiveNotes appends what the live read found (or could not) to the
// result's warnings.
func withLiveNotes(res *mcp.CallToolResult, notes, unknown []string) *mcp.CallToolResult {
	out, ok := res.StructuredContent.(esmOptimizeOut)
	if !ok {
		return res
	}
	// A fact that could not be read is listed once, under unknown.
	for _, n := range notes {
		if !slices.Contains(unknown, n) {
			out.Warnings = append(out.Warnings, n)
		}
	}
	out.Unknown = unknown
	res.StructuredContent = out
	return res
}

func esmOptimizeAction(z *optimize.Analyzer, in esmOptimizeIn) (*mcp.CallToolResult, error) {
	src := in.EventSource
	if src == "" {
		s, err := esm.DetectSource(esm.Config(in.Config))
		if err != nil {
			return mcp.NewToolResultError("cannot tell the source type from config: send event_source (kinesis, dynamodb, sqs, sqs_fifo, msk, self_managed_kafka)"), nil
		}
		src = string(s)
	}
	var w esmWorkload
	if in.Workload != nil {
		w = *in.Workload
	}
	switch in.Action {
	case "validate":
		return esmValidate(z, src, in.Config, w)
	case "analyze":
		if in.Workload == nil {
			return mcp.NewToolResultError("analyze needs workload: send records_per_second, processing_ms_per_record (or processing_ms_per_batch) and shards (streams) or partitions (Kafka)"), nil
		}
		a, err := z.Analyze(optimize.Request{Source: src, Config: in.Config, Workload: w.sizing(src), Targets: in.Targets})
		if errors.Is(err, optimize.ErrInput) || errors.Is(err, sizing.ErrInput) {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err != nil {
			return nil, err
		}
		out := analysisOut(a)
		out.fit(in.Detail)
		return mcp.NewToolResultStructured(out, analyzeSummary(a)), nil
	case "generate_template":
		return esmTemplate(z, src, in, w)
	}
	return mcp.NewToolResultError(fmt.Sprintf("action %q: send analyze, validate or generate_template", in.Action)), nil
}

func esmValidate(z *optimize.Analyzer, src string, cfg map[string]any, w esmWorkload) (*mcp.CallToolResult, error) {
	res, err := z.Engine().Validate(esm.Config(cfg), esm.Options{Source: esm.SourceType(src), Context: esm.Context{
		FunctionTimeoutSeconds: w.FunctionTimeoutSeconds, QueueVisibilityTimeoutSeconds: w.VisibilityTimeoutSeconds,
		Partitions: w.Partitions, Shards: w.Shards, AvgRecordBytes: w.AvgRecordBytes,
	}})
	if errors.Is(err, esm.ErrUnknownSource) {
		return mcp.NewToolResultError(err.Error() + "; send event_source"), nil
	}
	if err != nil {
		return nil, err
	}
	valid := res.Valid()
	out := esmOptimizeOut{Action: "validate", Valid: &valid, Violations: nonNil(res.Violations), CheckedRules: res.CheckedRules}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s mapping: valid=%v, %d violations, %d rules checked\n", res.Source, valid, len(res.Violations), len(res.CheckedRules))
	for _, v := range res.Violations {
		fmt.Fprintf(&sb, "- %s %s (%s): %s Fix: %s\n", v.Severity, v.Field, v.RuleID, v.Message, v.Fix)
	}
	return mcp.NewToolResultStructured(out, sb.String()), nil
}

func nonNil(v []rules.Violation) []rules.Violation {
	if v == nil {
		return []rules.Violation{}
	}
	return v
}

func analysisOut(a optimize.Analysis) esmOptimizeOut {
	cur, est := a.Current, a.Estimates
	return esmOptimizeOut{Action: "analyze", Targets: a.Targets, Current: &cur, Recommended: a.Recommended, Changes: a.Changes,
		Estimates: &est, Tradeoffs: a.Tradeoffs, Rationale: a.Rationale, Violations: nonNil(a.Violations), Warnings: a.Warnings, References: a.References}
}

func analyzeSummary(a optimize.Analysis) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "**%s mapping** (targets: %s): capacity %.0f → %.0f records/s for %.0f arriving; keeps up %v → %v.\n",
		a.Source, strings.Join(a.Targets, ", "), a.Current.Estimates.CapacityRecordsPerSecond, a.Estimates.CapacityRecordsPerSecond,
		a.Estimates.ArrivalRecordsPerSecond, a.Current.Estimates.KeepsUp, a.Estimates.KeepsUp)
	e := a.Estimates
	bound := "the function timeout"
	if e.BatchTimeBound == "lambda_max_timeout" {
		bound = "Lambda's maximum timeout; function_timeout_seconds not given"
	}
	fmt.Fprintf(&sb, "Steady state: %.1f concurrent batches needed, %d allowed; %.3g records per invocation, %.3g invocations/s; a batch takes %.3g s of a %g s bound (%s).\n",
		e.ConcurrencyNeeded, e.Concurrency, e.RecordsPerInvocation, e.InvocationsPerSecond, e.BatchDurationSeconds, e.BatchTimeBoundSeconds, bound)
	for _, c := range a.Changes {
		fmt.Fprintf(&sb, "- %s: %v → %v (%s)\n", c.Field, jsonText(c.From), jsonText(c.To), c.Why)
	}
	if len(a.Changes) == 0 {
		sb.WriteString("- no change: the current configuration already meets the targets\n")
	}
	if rules.HasErrors(a.Violations) {
		sb.WriteString("- the recommended configuration still has rule errors (see violations): fix them before applying\n")
	}
	for _, w := range a.Warnings {
		fmt.Fprintf(&sb, "- ⚠ %s\n", w)
	}
	return sb.String()
}

func jsonText(v any) string {
	if v == nil {
		return "unset"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// esmTemplate renders the recommended configuration (or, without a workload,
// the given one) through internal/iac's typed model.
func esmTemplate(z *optimize.Analyzer, src string, in esmOptimizeIn, w esmWorkload) (*mcp.CallToolResult, error) {
	format := in.IaCFormat
	if format == "" {
		format = string(iac.FormatSAM)
	}
	f, err := iac.ParseFormat(format)
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	cfg := in.Config
	out := esmOptimizeOut{Action: "generate_template"}
	if in.Workload != nil {
		a, err := z.Analyze(optimize.Request{Source: src, Config: in.Config, Workload: w.sizing(src), Targets: in.Targets})
		if errors.Is(err, optimize.ErrInput) || errors.Is(err, sizing.ErrInput) {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err != nil {
			return nil, err
		}
		cfg = a.Recommended
		out.Changes, out.Warnings, out.References = a.Changes, a.Warnings, a.References
	} else {
		out.Warnings = append(out.Warnings, "no workload given: the template carries config as sent; add workload to template the recommended configuration")
	}
	out.Recommended = cfg
	out.Violations = nonNil(z.Validate(src, cfg, w.sizing(src)))
	if rules.HasErrors(out.Violations) {
		return mcp.NewToolResultError("the configuration has rule errors; fix them first (call esm_optimize action=validate for the list): " + firstError(out.Violations)), nil
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("esm_optimize: marshal config: %w", err)
	}
	var m iac.ESM
	if err := json.Unmarshal(raw, &m); err != nil {
		return mcp.NewToolResultError(fmt.Sprintf("config does not fit the mapping model: %v; send Lambda API field names with their documented types", err)), nil
	}
	m.Source = iac.Source(src)
	if dropped := droppedFields(cfg, m); len(dropped) > 0 {
		out.Warnings = append(out.Warnings, "not rendered (not part of the event source mapping model): "+strings.Join(dropped, ", "))
	}
	art, err := iac.RenderESM(m, f)
	if errors.Is(err, iac.ErrInvalid) {
		return mcp.NewToolResultError(err.Error() + "; config needs FunctionName and EventSourceArn (or SelfManagedEventSource) to render a template"), nil
	}
	if err != nil {
		return nil, err
	}
	out.Artifacts = []iac.Artifact{art}
	return mcp.NewToolResultStructured(out, fmt.Sprintf("%s template for the %s mapping (%s), %d bytes; %d changed fields.", f, src, art.Name, len(art.Content), len(out.Changes))), nil
}

func firstError(vs []rules.Violation) string {
	for _, v := range vs {
		if v.Severity == rules.Error {
			return fmt.Sprintf("%s: %s (fix: %s)", v.Field, v.Message, v.Fix)
		}
	}
	return ""
}

// droppedFields lists top-level keys of cfg the typed model did not keep.
func droppedFields(cfg map[string]any, m iac.ESM) []string {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	var kept map[string]any
	if json.Unmarshal(raw, &kept) != nil {
		return nil
	}
	var out []string
	for k := range cfg {
		if _, ok := kept[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// resultErrText is the text of a tool error result.
func resultErrText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, " ")
}

// fit keeps a default analysis within answerTarget by leaving out the last
// steps of the arithmetic (the recommendation, estimates and trade-offs
// always stay); detail=full keeps every step.
func (o *esmOptimizeOut) fit(detail string) {
	if detail == "full" {
		return
	}
	size := func() int { raw, _ := json.Marshal(o); return len(raw) }
	total := len(o.Rationale)
	for len(o.Rationale) > 0 && size() > answerTarget-128 {
		o.Rationale = o.Rationale[:len(o.Rationale)-1]
	}
	if n := total - len(o.Rationale); n > 0 {
		o.LeftOut = n
		o.Next = fmt.Sprintf("%d of %d arithmetic steps left out to keep the answer small; call again with the same arguments and detail=full for all", n, total)
	}
}
