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
	"github.com/stream-mcp/stream-mcp/internal/kinesisview"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type kinesisInspectIn struct {
	StreamName    string `json:"stream_name" jsonschema_description:"Kinesis data stream name or ARN"`
	WindowMinutes int    `json:"window_minutes,omitempty" jsonschema:"minimum=5,maximum=10080" jsonschema_description:"CloudWatch window ending now, minutes (default 60); 1-minute periods up to 6 h, coarser beyond"`
	Limit         int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"open shards per page (default 50)"`
	Offset        int    `json:"offset,omitempty" jsonschema:"minimum=0,maximum=1000000" jsonschema_description:"index of the first open shard to return (paging)"`
}

// kinesisInspectOut is the tool's answer (internal/kinesisview).
type kinesisInspectOut = kinesisview.Out

// KinesisInspect judges a Kinesis data stream: capacity, shards, consumers
// and CloudWatch throttling, classified.
func KinesisInspect(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("kinesis_inspect",
		mcp.WithDescription("Returns a Kinesis stream's mode, capacity, shards (paged), consumers, CloudWatch load against capacity, throttling classified (over capacity, hot shard, hot key, bursts), iterator age, and its Lambda mappings' health. "+
			"Use it on throttling, lag, or before resizing."),
		mcp.WithTitleAnnotation("Kinesis: Inspect Stream"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[kinesisInspectIn](), schema.Output[kinesisInspectOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in kinesisInspectIn) (*mcp.CallToolResult, error) {
		if d.AWS == nil {
			return mcp.NewToolResultError("AWS access is not configured in this server"), nil
		}
		if strings.TrimSpace(in.StreamName) == "" {
			return mcp.NewToolResultError("stream_name is required: a Kinesis data stream name or ARN"), nil
		}
		window := time.Duration(in.WindowMinutes) * time.Minute
		if in.WindowMinutes == 0 {
			window = time.Hour
		}
		limit := in.Limit
		if limit <= 0 {
			limit = defaultLimit
		}
		kapi, err := d.AWS.KinesisAPI(ctx)
		if err != nil {
			return errmap.Result(err, "set --region and AWS credentials, or --endpoint-url for the simulator"), nil
		}
		cwapi, err := d.AWS.CloudWatchAPI(ctx)
		if err != nil {
			return errmap.Result(err, "set --region and AWS credentials, or --endpoint-url for the simulator"), nil
		}
		opts := d.AWS.Options()
		out, err := kinesisview.Inspect(ctx, d.Guidance, kapi, cwapi, opts, in.StreamName, window, time.Now())
		if errors.Is(err, kinesisview.ErrNotFound) {
			return mcp.NewToolResultError(fmt.Sprintf("Kinesis stream %q not found in this account and Region; check stream_name (a name or arn:aws:kinesis:REGION:ACCOUNT:stream/NAME) and --region", in.StreamName)), nil
		}
		if err != nil {
			return errmap.Result(err, "set --region and AWS credentials, or --endpoint-url for the simulator"), nil
		}
		if arn := out.Stream.ARN; arn != "" {
			// The stream's Lambda consumers, judged by the esm_inspect list
			// rules (a failed list is left out: the stream view stands).
			if pg, err := d.AWS.ListESMs(ctx, aws.ESMFilter{EventSourceARN: arn}, "", maxStreamMappings); err == nil && len(pg.Mappings) > 0 {
				if voc, err := esmstate.VocabularyFrom(d.Guidance); err == nil {
					out.AddMappings(esmview.Rows(ctx, d.AWS, pg.Mappings, judge.Deps{Guidance: d.Guidance, Vocabulary: voc}, evidence.Options{Window: window, TrendZ: d.Guidance.Num("metrics.trend.z_critical")}))
				}
			}
		}
		out.Shards.Page, out.NextOffset, out.Truncated = page(out.Shards.Page, in.Offset, limit)
		return mcp.NewToolResultStructured(out, kinesisSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

// maxStreamMappings bounds the mappings judged with a stream.
const maxStreamMappings = 20

func kinesisSummary(o kinesisInspectOut) string {
	var b strings.Builder
	s := o.Stream
	fmt.Fprintf(&b, "kinesis_inspect %s: %s, %s", s.Name, s.Mode, s.Status)
	if o.Capacity != nil {
		fmt.Fprintf(&b, ", %d open shards (%.2f MiB/s, %.0f records/s write)", o.Capacity.OpenShards, o.Capacity.WriteBytesPerSec/(1<<20), o.Capacity.WriteRecordsPerSec)
	}
	fmt.Fprintf(&b, "; retention %d h, encryption %s\n", s.RetentionHours, s.Encryption)
	if w := o.Writes; w != nil {
		fmt.Fprintf(&b, "- writes: %s", w.Classification)
		if w.Bound != "" {
			fmt.Fprintf(&b, " (%s-bound)", w.Bound)
		}
		fmt.Fprintf(&b, ", peak %.0f%% of capacity, throttled in %d/%d periods\n", 100*w.PeakUtilization, w.ThrottledPeriods, w.Periods)
	}
	if a := o.IteratorAge; a != nil {
		fmt.Fprintf(&b, "- iterator age max %s (%.1f%% of retention), %s\n", time.Duration(a.MaxMs)*time.Millisecond, 100*a.RetentionShare, a.Trend)
	}
	for _, i := range o.Issues {
		fmt.Fprintf(&b, "- [%s] %s\n", i.Severity, i.Title)
	}
	fmt.Fprintf(&b, "(%d AWS calls; shard-level metrics %s)", o.AWSCalls, o.ShardMetrics)
	return b.String()
}
