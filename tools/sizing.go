package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

type sizingIn struct {
	Service string `json:"service" jsonschema:"enum=msk,enum=msk_express,enum=msk_serverless,enum=kinesis,enum=lambda_esm" jsonschema_description:"what to size: msk (Standard brokers), msk_express, msk_serverless (fit check), kinesis (shards and capacity mode) or lambda_esm (concurrency, pollers)"`
	sizing.Workload
}

type sizingOut struct {
	sizing.Result
	Truncated bool `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// Sizing sizes MSK, Kinesis and Lambda event source mappings from a workload
// and shows the arithmetic.
func Sizing(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("sizing",
		mcp.WithDescription("Returns a capacity recommendation (MSK broker type and count with storage, Express brokers, whether MSK Serverless fits, Kinesis shards and capacity mode, or Lambda ESM ParallelizationFactor/pollers/MaximumConcurrency), the binding constraint, every step of the arithmetic with its inputs, alternatives, warnings and references. Use it before creating or resizing a cluster, stream or mapping; rates are MB/s (10^6 bytes) and records/s, then check a mapping's configuration with esm_optimize."),
		mcp.WithTitleAnnotation("Sizing: Calculate"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[sizingIn](), schema.Output[sizingOut]())
	h := func(_ context.Context, _ mcp.CallToolRequest, in sizingIn) (*mcp.CallToolResult, error) {
		res, err := sizing.Size(in.Service, in.Workload, d.Guidance)
		if errors.Is(err, sizing.ErrInput) {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err != nil {
			return nil, err
		}
		return mcp.NewToolResultStructured(sizingOut{Result: res}, sizingSummary(res)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func sizingSummary(r sizing.Result) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "**%s**: %s\n\nBinding constraint: %s.\n", r.Service, r.Recommendation.Summary, r.BindingConstraint)
	n := 0
	for _, s := range r.Calculation {
		if n == 6 {
			fmt.Fprintf(&sb, "- … %d more steps in structured output\n", len(r.Calculation)-n)
			break
		}
		fmt.Fprintf(&sb, "- %s: %s = %g %s\n", s.Step, s.Formula, s.Result, s.Unit)
		n++
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&sb, "- ⚠ %s\n", w)
	}
	return sb.String()
}
