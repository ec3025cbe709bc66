package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/esmview"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
	"github.com/stream-mcp/stream-mcp/internal/judge"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type esmInspectIn struct {
	ESMUUID        string `json:"esm_uuid,omitempty" jsonschema_description:"describe this mapping in full (state decoded, function, source, network and auth path, metrics, logs, changes, issues); omit to list mappings"`
	FunctionName   string `json:"function_name,omitempty" jsonschema_description:"list only mappings of this function (name, ARN or partial ARN)"`
	EventSourceARN string `json:"event_source_arn,omitempty" jsonschema_description:"list only mappings of this source (stream, queue, MSK cluster ARN)"`
	Limit          int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"mappings per page when listing (default 50)"`
	Marker         string `json:"marker,omitempty" jsonschema_description:"next_marker from a previous list call, to read the next page"`
	WindowMinutes  int    `json:"window_minutes,omitempty" jsonschema:"minimum=5,maximum=10080" jsonschema_description:"CloudWatch/CloudTrail window ending now, minutes (default 60)"`
}

type esmSummaryOut struct {
	Mappings int            `json:"mappings" jsonschema_description:"mappings in this page"`
	ByHealth map[string]int `json:"by_health" jsonschema_description:"count per health"`
	BySource map[string]int `json:"by_source" jsonschema_description:"count per source type"`
}

type esmInspectOut struct {
	Mode       string          `json:"mode" jsonschema:"enum=describe,enum=list" jsonschema_description:"describe (one mapping) or list"`
	Summary    *esmSummaryOut  `json:"summary,omitempty" jsonschema_description:"counts over the listed page"`
	Mappings   []esmview.Row   `json:"mappings,omitempty" jsonschema_description:"one row per mapping (list)"`
	Mapping    *esmview.Detail `json:"mapping,omitempty" jsonschema_description:"the full view (describe)"`
	NextMarker string          `json:"next_marker,omitempty" jsonschema_description:"pass as marker to read the next page"`
	AWSCalls   int64           `json:"aws_calls" jsonschema_description:"AWS API calls this answer took"`
	Truncated  bool            `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// EsmInspect lists event source mappings with their health or describes
// one: evidence collected by internal/evidence, judged by internal/judge.
func EsmInspect(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("esm_inspect",
		mcp.WithDescription("Returns Lambda event source mappings, one row each with health (state, throttles, errors, timeouts, DLQ, filters, lag), or with esm_uuid one in full (config, function, source, network/auth path, metrics, logs, changes, fixes). "+
			"Use it first when a mapping misbehaves."),
		mcp.WithTitleAnnotation("ESM: Inspect"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[esmInspectIn](), schema.Output[esmInspectOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in esmInspectIn) (*mcp.CallToolResult, error) {
		if d.AWS == nil {
			return mcp.NewToolResultError("AWS access is not configured in this server"), nil
		}
		voc, err := esmstate.VocabularyFrom(d.Guidance)
		if err != nil {
			return nil, err
		}
		if in.ESMUUID != "" && (in.FunctionName != "" || in.EventSourceARN != "" || in.Marker != "") {
			return mcp.NewToolResultError("esm_uuid describes one mapping; drop function_name, event_source_arn and marker, or drop esm_uuid to list"), nil
		}
		ctx, calls := aws.WithCallCounter(ctx)
		deps := judge.Deps{Guidance: d.Guidance, Vocabulary: voc, Sim: d.AWS}
		opts := evidence.Options{Now: time.Now(), Window: time.Duration(max(in.WindowMinutes, 0)) * time.Minute, TrendZ: d.Guidance.Num("metrics.trend.z_critical")}
		if in.ESMUUID == "" {
			limit := in.Limit
			if limit <= 0 {
				limit = 50
			}
			page, err := d.AWS.ListESMs(ctx, aws.ESMFilter{FunctionName: in.FunctionName, EventSourceARN: in.EventSourceARN}, in.Marker, limit)
			if err != nil {
				return errmap.Result(err, "check function_name / event_source_arn, or drop marker to start from the first page"), nil
			}
			out := esmInspectOut{Mode: "list", NextMarker: page.Next, Truncated: page.Truncated, Mappings: esmview.Rows(ctx, d.AWS, page.Mappings, deps, opts)}
			out.Summary = &esmSummaryOut{Mappings: len(out.Mappings), ByHealth: map[string]int{}, BySource: map[string]int{}}
			for _, r := range out.Mappings {
				out.Summary.ByHealth[r.Health]++
				out.Summary.BySource[r.SourceType]++
			}
			if out.Mappings == nil {
				out.Mappings = []esmview.Row{}
			}
			out.AWSCalls = calls.Load()
			return mcp.NewToolResultStructured(out, out.listSummary()), nil
		}
		x, err := evidence.Collect(ctx, d.AWS, in.ESMUUID, opts)
		if errors.Is(err, evidence.ErrNotFound) {
			return mcp.NewToolResultError(fmt.Sprintf("event source mapping %q not found in this account and Region; call esm_inspect without esm_uuid to list mapping UUIDs", in.ESMUUID)), nil
		}
		if err != nil {
			return errmap.Result(err, "call esm_inspect without esm_uuid to list mapping UUIDs"), nil
		}
		rep, facts := judge.Diagnose(ctx, x, deps)
		out := esmInspectOut{Mode: "describe", Mapping: esmview.Describe(x, voc, rep, facts), AWSCalls: calls.Load()}
		return mcp.NewToolResultStructured(out, out.describeSummary()), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func (o esmInspectOut) listSummary() string {
	s := o.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "%d mappings: %d ok, %d with problems, %d degraded, %d stopped, %d transitioning", s.Mappings, s.ByHealth["ok"], s.ByHealth["problem"], s.ByHealth["degraded"], s.ByHealth["stopped"], s.ByHealth["transitioning"])
	if o.Truncated {
		b.WriteString("; more: pass next_marker as marker")
	}
	for _, r := range o.Mappings {
		if r.Health != "ok" {
			fmt.Fprintf(&b, "\n- %s (%s, %s): %s %s %s", r.UUID, r.Function, r.SourceType, r.Health, r.Category, r.Why)
		}
	}
	fmt.Fprintf(&b, "\n(%d AWS calls)", o.AWSCalls)
	return b.String()
}

func (o esmInspectOut) describeSummary() string {
	m := o.Mapping
	var b strings.Builder
	res := m.LastProcessingResult.Value
	if res == "" {
		res = "no processing result yet"
	}
	fmt.Fprintf(&b, "%s (%s → %s): %s, %s, %s mode", m.UUID, m.SourceType, evidence.FunctionName(m.FunctionARN), m.State.Value, res, m.PollerMode)
	for _, i := range m.Issues {
		fmt.Fprintf(&b, "\n- [%s] %s", i.Severity, i.Message)
		if i.NextTool != "" {
			fmt.Fprintf(&b, " → %s", i.NextTool)
		}
	}
	for _, c := range m.Checks {
		if c.Status == "unknown" {
			fmt.Fprintf(&b, "\n- [unknown] %s: %s", c.Name, c.Detail)
		}
	}
	if len(m.Issues) == 0 {
		b.WriteString("\nno issues found")
	}
	fmt.Fprintf(&b, "\n(%d AWS calls)", o.AWSCalls)
	return b.String()
}

// sourceType is the mapping's source type, "unknown" when unclassified.
func sourceType(m aws.ESM) string {
	if s := evidence.SourceOf(m); s != "" {
		return string(s)
	}
	return "unknown"
}
