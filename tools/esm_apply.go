package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	awsinspect "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/writes"
)

type esmApplyIn struct {
	ESMUUID           string         `json:"esm_uuid" jsonschema_description:"UUID of the event source mapping to change (esm_inspect lists them)"`
	Config            map[string]any `json:"config,omitempty" jsonschema_description:"fields to set, in Lambda API names (e.g. {\"BatchSize\":500,\"MaximumBatchingWindowInSeconds\":5}); esm_optimize's recommended config can be sent whole: fields equal to the live value are skipped, create-only fields (Topics, StartingPosition, ConsumerGroupId, ...) must match the live value"`
	Enabled           *bool          `json:"enabled,omitempty" jsonschema_description:"true to enable (resume polling), false to disable the mapping"`
	AcceptUnknown     bool           `json:"accept_unknown_risks,omitempty" jsonschema_description:"plan even when a risk check cannot read its evidence (the plan lists it); only when the user accepts the gap"`
	ConfirmationToken string         `json:"confirmation_token,omitempty" jsonschema_description:"the token from this tool's plan, to apply it; omit to get a plan"`
}

type esmApplyOut = confirm.Outcome[writes.ESMState]

// EsmApply updates an event source mapping's configuration or enables or
// disables it, behind the confirmation gate.
func EsmApply(d WriteDeps) server.ServerTool {
	t := mcp.NewTool("esm_apply",
		mcp.WithDescription("Returns a plan to update an event source mapping (current vs desired, risks, what stays untouched), applied after confirmation and read back. Use it to apply esm_optimize's config or enable/disable a mapping: call for the plan, then the user confirms in the client or you repeat the call with confirmation_token."),
		mcp.WithTitleAnnotation("ESM: Apply"),
		mcp.WithReadOnlyHintAnnotation(false), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(false), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[esmApplyIn](), schema.Output[esmApplyOut]())
	h := func(ctx context.Context, req mcp.CallToolRequest, in esmApplyIn) (*mcp.CallToolResult, error) {
		if strings.TrimSpace(in.ESMUUID) == "" {
			return confirm.Reject(d.Confirm, "esm_apply", in, "esm_uuid is required; call esm_inspect with function_name or event_source_arn for the UUIDs"), nil
		}
		if d.AWSWrite == nil {
			return confirm.Reject(d.Confirm, "esm_apply", in, "esm_apply has no AWS clients in this process; this is a configuration bug, report it"), nil
		}
		cl, err := d.AWSWrite.Lambda(ctx)
		if err != nil {
			return confirm.Reject(d.Confirm, "esm_apply", in, err.Error()), nil
		}
		u := &writes.ESMUpdate{UUID: in.ESMUUID, Config: in.Config, Enabled: in.Enabled, Context: esmRuleContext(d.AWS), AcceptUnknown: in.AcceptUnknown}
		return confirm.Run(ctx, d.Confirm, req, confirm.Action[writes.ESMState]{
			Tool:  "esm_apply",
			Args:  in,
			Token: in.ConfirmationToken,
			Plan:  func(ctx context.Context) (confirm.Plan, string, error) { return u.Plan(ctx, cl, d.Guidance) },
			Apply: func(ctx context.Context) (writes.ESMState, error) { return u.Apply(ctx, cl, cl) },
		})
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

// esmRuleContext reads, through the read-only inspectors, the facts the
// rule engine cross-checks a mapping against: the function's timeout and,
// for SQS, the queue's visibility timeout. A failed read leaves the fact
// zero and is named in unknown, so the plan cannot silently lose the check
// (an SQS AccessDenied once dropped the visibility-timeout risk and still
// issued a token).
func esmRuleContext(a *awsinspect.Client) func(ctx context.Context, live esm.Config) (esm.Context, []string) {
	if a == nil {
		return nil
	}
	return func(ctx context.Context, live esm.Config) (esm.Context, []string) {
		var rc esm.Context
		var unknown []string
		if fn, _ := live["FunctionName"].(string); fn != "" {
			if f, err := a.Function(ctx, fn); err == nil {
				rc.FunctionTimeoutSeconds = float64(f.TimeoutSeconds)
			} else {
				unknown = append(unknown, fmt.Sprintf("function timeout (%s): the batch-duration-versus-timeout checks did not run", unknownWhy("Lambda:GetFunction", err)))
			}
		}
		if src, _ := live["EventSourceArn"].(string); src != "" {
			if t, ok := esm.SourceFromARN(src); ok && t.IsSQS() {
				if q, err := a.SQSQueue(ctx, src); err == nil {
					rc.QueueVisibilityTimeoutSeconds = float64(q.VisibilityTimeoutSeconds)
				} else {
					unknown = append(unknown, fmt.Sprintf("queue visibility timeout (%s): the visibility-timeout-versus-function-timeout check did not run", unknownWhy("SQS:GetQueueAttributes", err)))
				}
			}
		}
		return rc, unknown
	}
}
