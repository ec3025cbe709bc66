package tools

import (
	"context"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/writes"
)

type kinesisScaleIn struct {
	StreamName        string `json:"stream_name" jsonschema_description:"the Kinesis data stream"`
	TargetShardCount  int    `json:"target_shard_count,omitempty" jsonschema:"minimum=1,maximum=1000000" jsonschema_description:"provisioned streams: the new open shard count (UpdateShardCount, uniform scaling; at most double or half the current count in one step)"`
	CapacityMode      string `json:"capacity_mode,omitempty" jsonschema:"enum=on_demand,enum=provisioned" jsonschema_description:"switch the capacity mode instead (UpdateStreamMode; twice per 24 hours)"`
	ConfirmationToken string `json:"confirmation_token,omitempty" jsonschema_description:"the token from this tool's plan, to apply it; omit to get a plan"`
}

type kinesisScaleOut = confirm.Outcome[writes.StreamState]

// KinesisScale changes a stream's shard count or capacity mode behind the
// confirmation gate. Fewer shards is less capacity, so shrinking is
// destructive: as with kafka_admin, the tool is registered as a write tool
// that refuses to shrink, or, with --allow-destructive, as a destructive tool
// that may. One name, one access class per process.
func KinesisScale(d WriteDeps) server.ServerTool {
	desc := "Returns a plan to change a stream's shard count or capacity mode within the API's limits, with capacity and cost before and after; applied after confirmation and read back. Call for the plan, then the user confirms in the client or you repeat the call with confirmation_token. Growing only; shrinking needs --allow-destructive."
	if d.AllowDestructive {
		desc = strings.Replace(desc, "Growing only; shrinking needs --allow-destructive.", "Shrinking is destructive: the plan says what capacity remains.", 1)
	}
	t := mcp.NewTool("kinesis_scale",
		mcp.WithDescription(desc),
		mcp.WithTitleAnnotation("Kinesis: Scale"),
		mcp.WithReadOnlyHintAnnotation(false), mcp.WithDestructiveHintAnnotation(d.AllowDestructive),
		mcp.WithIdempotentHintAnnotation(false), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[kinesisScaleIn](), schema.Output[kinesisScaleOut]())
	h := func(ctx context.Context, req mcp.CallToolRequest, in kinesisScaleIn) (*mcp.CallToolResult, error) {
		if strings.TrimSpace(in.StreamName) == "" {
			return confirm.Reject(d.Confirm, "kinesis_scale", in, "stream_name is required; call kinesis_inspect for the stream names"), nil
		}
		if d.AWSWrite == nil {
			return confirm.Reject(d.Confirm, "kinesis_scale", in, "kinesis_scale has no AWS clients in this process; this is a configuration bug, report it"), nil
		}
		cl, err := d.AWSWrite.Kinesis(ctx)
		if err != nil {
			return confirm.Reject(d.Confirm, "kinesis_scale", in, err.Error()), nil
		}
		s := &writes.StreamScale{Stream: in.StreamName, TargetShards: in.TargetShardCount, Mode: in.CapacityMode, AllowShrink: d.AllowDestructive}
		if d.AWS != nil {
			// The recent peak load, read through the read-only
			// inspectors' CloudWatch client, says how much of the new
			// capacity the stream would use.
			if cw, err := d.AWS.CloudWatchAPI(ctx); err == nil {
				s.Load = writes.CloudWatchLoad(cw, time.Now)
			}
		}
		return confirm.Run(ctx, d.Confirm, req, confirm.Action[writes.StreamState]{
			Tool:  "kinesis_scale",
			Args:  in,
			Token: in.ConfirmationToken,
			Plan:  func(ctx context.Context) (confirm.Plan, string, error) { return s.Plan(ctx, cl, d.Guidance) },
			Apply: func(ctx context.Context) (writes.StreamState, error) { return s.Apply(ctx, cl, cl) },
		})
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}
