package writes

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/stream-mcp/stream-mcp/guidance"
	awsinspect "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// KinesisReadAPI reads a stream's summary.
type KinesisReadAPI interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, opts ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
}

// KinesisWriteAPI holds the mutating Kinesis calls kinesis_scale makes.
type KinesisWriteAPI interface {
	UpdateShardCount(ctx context.Context, in *kinesis.UpdateShardCountInput, opts ...func(*kinesis.Options)) (*kinesis.UpdateShardCountOutput, error)
	UpdateStreamMode(ctx context.Context, in *kinesis.UpdateStreamModeInput, opts ...func(*kinesis.Options)) (*kinesis.UpdateStreamModeOutput, error)
}

// StreamState is a stream read back after a capacity change.
type StreamState struct {
	StreamName     string `json:"stream_name" jsonschema_description:"stream name"`
	StreamStatus   string `json:"stream_status" jsonschema_description:"ACTIVE, or UPDATING while Kinesis reshards or switches mode"`
	CapacityMode   string `json:"capacity_mode" jsonschema_description:"PROVISIONED or ON_DEMAND"`
	OpenShardCount int    `json:"open_shard_count" jsonschema_description:"open shards now"`
}

// Capacity modes as the tool takes them.
const (
	ModeOnDemand    = "on_demand"
	ModeProvisioned = "provisioned"
)

// StreamScale changes a stream's capacity: either TargetShards (provisioned
// streams, UpdateShardCount with uniform scaling) or Mode (UpdateStreamMode).
type StreamScale struct {
	Stream       string
	TargetShards int
	Mode         string
	// AllowShrink is --allow-destructive: fewer shards is less capacity.
	AllowShrink bool
	// Load, when set, reads the stream's recent peak write load so the plan
	// can say how much of the new capacity it would use.
	Load func(ctx context.Context, stream string) StreamLoad

	arn string // resolved by Plan
}

// StreamLoad is a stream's recent peak write load (CloudWatch IncomingBytes
// and IncomingRecords, per-period sums divided by the period).
type StreamLoad struct {
	Known             bool
	PeakMiBps         float64
	PeakRecordsPerSec float64
	// Window describes the span and period the peak was taken over.
	Window string
	// Note says why the load is unknown.
	Note string
}

type streamNow struct {
	name, arn, status, mode string
	open                    int
}

func describeStream(ctx context.Context, r KinesisReadAPI, name string) (streamNow, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	out, err := r.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		i := errmap.Classify(err)
		switch i.Kind {
		case errmap.KindNotFound:
			return streamNow{}, confirm.Refuse("stream %q not found; call kinesis_inspect for the stream names", name)
		case errmap.KindAccessDenied:
			return streamNow{}, confirm.Refuse("%s", i.Reason())
		}
		return streamNow{}, errors.New(i.Reason())
	}
	d := out.StreamDescriptionSummary
	s := streamNow{name: name, arn: aws.ToString(d.StreamARN), status: string(d.StreamStatus), open: int(aws.ToInt32(d.OpenShardCount)), mode: string(kintypes.StreamModeProvisioned)}
	if d.StreamModeDetails != nil {
		s.mode = string(d.StreamModeDetails.StreamMode)
	}
	return s, nil
}

func (s streamNow) fingerprint() string {
	return fmt.Sprintf("status=%s mode=%s open=%d", s.status, s.mode, s.open)
}

// Plan reads the stream and checks the change against the API's limits
// (guidance kinesis.update_shard_count.* and kinesis.update_stream_mode.*),
// then shows the capacity and cost-driver change. The fingerprint is the
// stream's status, mode and open shard count.
func (s *StreamScale) Plan(ctx context.Context, r KinesisReadAPI, b *guidance.Base) (confirm.Plan, string, error) {
	if (s.TargetShards > 0) == (s.Mode != "") {
		return confirm.Plan{}, "", confirm.Refuse("send exactly one of target_shard_count (provisioned streams) or capacity_mode")
	}
	now, err := describeStream(ctx, r, s.Stream)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	if now.status != string(kintypes.StreamStatusActive) {
		return confirm.Plan{}, "", confirm.Refuse("stream %s is %s; Kinesis accepts capacity changes only while it is ACTIVE. Check again with kinesis_inspect in a few minutes", s.Stream, now.status)
	}
	s.arn = now.arn
	var load StreamLoad
	if s.Load != nil {
		load = s.Load(ctx, s.Stream)
	}
	if s.Mode != "" {
		return s.planMode(now, load, b)
	}
	return s.planShards(now, load, b)
}

// loadChange shows the recent peak against capacity before and after, or
// why it is unknown.
func loadChange(load StreamLoad, w, rec float64, curShards, newShards int) (confirm.Change, []string) {
	if !load.Known {
		note := load.Note
		if note == "" {
			note = "not read"
		}
		return confirm.Change{Field: "peak write load", Current: "unknown", Desired: "unknown", Note: note}, nil
	}
	use := func(shards int) string {
		if shards <= 0 {
			return "scales with traffic"
		}
		return fmt.Sprintf("%.0f%% of %g MiB/s, %.0f%% of %g records/s", 100*load.PeakMiBps/(float64(shards)*w), float64(shards)*w, 100*load.PeakRecordsPerSec/(float64(shards)*rec), float64(shards)*rec)
	}
	ch := confirm.Change{Field: "peak write load vs capacity", Current: use(curShards), Desired: use(newShards),
		Note: fmt.Sprintf("peak %.2f MiB/s and %.0f records/s %s", load.PeakMiBps, load.PeakRecordsPerSec, load.Window)}
	var risks []string
	if newShards > 0 && (load.PeakMiBps > float64(newShards)*w || load.PeakRecordsPerSec > float64(newShards)*rec) {
		risks = append(risks, fmt.Sprintf("the recent peak (%.2f MiB/s, %.0f records/s) exceeds the new capacity of %d shards: producers will be throttled at that load", load.PeakMiBps, load.PeakRecordsPerSec, newShards))
	}
	return ch, risks
}

func (s *StreamScale) planShards(now streamNow, load StreamLoad, b *guidance.Base) (confirm.Plan, string, error) {
	if now.mode != string(kintypes.StreamModeProvisioned) {
		return confirm.Plan{}, "", confirm.Refuse("stream %s is ON_DEMAND: Kinesis sizes its shards itself and UpdateShardCount does not apply. Switch it with capacity_mode=provisioned first if you want to set shards", s.Stream)
	}
	cur, t := now.open, s.TargetShards
	lo := int(math.Ceil(float64(cur) * b.Num("kinesis.update_shard_count.min_factor")))
	hi := int(math.Floor(float64(cur) * b.Num("kinesis.update_shard_count.max_factor")))
	maxShards := b.Int("kinesis.update_shard_count.max_shards")
	switch {
	case t == cur:
		return confirm.Plan{Summary: fmt.Sprintf("stream %s already has %d open shards", s.Stream, cur), Target: now.arn, Changes: []confirm.Change{}, NoChange: true}, now.fingerprint(), nil
	case t > maxShards:
		return confirm.Plan{}, "", confirm.Refuse("target_shard_count %d is above UpdateShardCount's maximum of %d shards per stream (%s)", t, maxShards, b.Source("kinesis.update_shard_count.max_shards"))
	case t > hi:
		return confirm.Plan{}, "", confirm.Refuse("UpdateShardCount can at most multiply the open shards by %g in one operation: from %d the highest target is %d. Scale to %d now and again later (each step uses one of the %d operations allowed per rolling 24 hours), or switch to capacity_mode=on_demand (%s)",
			b.Num("kinesis.update_shard_count.max_factor"), cur, hi, hi, b.Int("kinesis.update_shard_count.ops_per_24h"), b.Source("kinesis.update_shard_count.max_factor"))
	case t < lo:
		return confirm.Plan{}, "", confirm.Refuse("UpdateShardCount can at most reduce the open shards to %g of them in one operation: from %d the lowest target is %d. Scale to %d now and again later (%s)",
			b.Num("kinesis.update_shard_count.min_factor"), cur, lo, lo, b.Source("kinesis.update_shard_count.min_factor"))
	case t < cur && !s.AllowShrink:
		return confirm.Plan{}, "", confirm.Refuse("shrinking %s from %d to %d shards removes write and read capacity, so it is a destructive change: the server must run with --allow-write --allow-destructive to plan it", s.Stream, cur, t)
	}
	w, rec, rd := b.Num("kinesis.shard.write_mbps"), b.Num("kinesis.shard.write_records_per_second"), b.Num("kinesis.shard.read_mbps")
	p := confirm.Plan{
		Summary: fmt.Sprintf("reshard stream %s from %d to %d open shards (UpdateShardCount, uniform scaling)", s.Stream, cur, t),
		Target:  now.arn,
		Changes: []confirm.Change{
			{Field: "open shards", Current: cur, Desired: t},
			{Field: "write capacity (MiB/s)", Current: float64(cur) * w, Desired: float64(t) * w, Note: fmt.Sprintf("%g MiB/s per shard", w)},
			{Field: "write capacity (records/s)", Current: float64(cur) * rec, Desired: float64(t) * rec, Note: fmt.Sprintf("%g records/s per shard", rec)},
			{Field: "shared read capacity (MiB/s)", Current: float64(cur) * rd, Desired: float64(t) * rd, Note: fmt.Sprintf("%g MiB/s per shard, split across standard consumers; enhanced fan-out consumers get their own", rd)},
			{Field: "cost driver: shard-hours per day", Current: cur * 24, Desired: t * 24, Note: "provisioned streams bill per shard-hour (plus PUT payload units)"},
		},
		Risks: []string{
			fmt.Sprintf("uses one of the %d UpdateShardCount operations allowed per stream per rolling 24 hours; Kinesis does not report how many are left and answers LimitExceededException when none are (%s)", b.Int("kinesis.update_shard_count.ops_per_24h"), b.Source("kinesis.update_shard_count.ops_per_24h")),
			"resharding closes the open shards and creates new ones; the stream is UPDATING for seconds to minutes while writes continue. Consumers must finish a parent shard before its children (Lambda event source mappings and KCL do) so per-key order holds",
			"the number of shards an event source mapping reads, and so its concurrency (shards x ParallelizationFactor), changes with it",
		},
		Untouched: []string{"retention, encryption and consumers", "records already in the stream"},
	}
	lc, lrisks := loadChange(load, w, rec, cur, t)
	p.Changes = append(p.Changes, lc)
	p.Risks = append(p.Risks, lrisks...)
	if t < cur {
		p.Risks = append(p.Risks, fmt.Sprintf("capacity drops to %g MiB/s and %g records/s: producers writing more than that are throttled (WriteProvisionedThroughputExceeded); check IncomingBytes/IncomingRecords with kinesis_inspect first", float64(t)*w, float64(t)*rec))
	}
	return p, now.fingerprint(), nil
}

func (s *StreamScale) planMode(now streamNow, load StreamLoad, b *guidance.Base) (confirm.Plan, string, error) {
	var want kintypes.StreamMode
	switch s.Mode {
	case ModeOnDemand:
		want = kintypes.StreamModeOnDemand
	case ModeProvisioned:
		want = kintypes.StreamModeProvisioned
	default:
		return confirm.Plan{}, "", confirm.Refuse("capacity_mode %q is not on_demand or provisioned", s.Mode)
	}
	if string(want) == now.mode {
		return confirm.Plan{Summary: fmt.Sprintf("stream %s is already %s", s.Stream, now.mode), Target: now.arn, Changes: []confirm.Change{}, NoChange: true}, now.fingerprint(), nil
	}
	per := b.Int("kinesis.update_stream_mode.per_24h")
	p := confirm.Plan{
		Summary:   fmt.Sprintf("switch stream %s from %s to %s (UpdateStreamMode)", s.Stream, now.mode, want),
		Target:    now.arn,
		Changes:   []confirm.Change{{Field: "capacity mode", Current: now.mode, Desired: string(want), Note: fmt.Sprintf("%d open shards now", now.open)}},
		Risks:     []string{fmt.Sprintf("uses one of the %d capacity-mode switches allowed per stream per 24 hours: switching back soon may be refused (%s)", per, b.Source("kinesis.update_stream_mode.per_24h"))},
		Untouched: []string{"retention, encryption and consumers", "records already in the stream"},
	}
	w := b.Num("kinesis.shard.write_mbps")
	if want == kintypes.StreamModeOnDemand {
		p.Changes = append(p.Changes,
			confirm.Change{Field: "write capacity", Current: fmt.Sprintf("%g MiB/s (%d shards)", float64(now.open)*w, now.open), Desired: fmt.Sprintf("scales with traffic, absorbing up to %gx the previous 30-day peak", b.Num("kinesis.on_demand.burst_factor")), Note: b.Source("kinesis.on_demand.burst_factor")},
			confirm.Change{Field: "cost driver", Current: "shard-hours", Desired: "stream-hours plus GB written and GB read"})
		p.Risks = append(p.Risks, "on-demand bills per GB written and read: for a steady, well-used stream it usually costs more than right-sized shards; compare with the sizing tool (service=kinesis)",
			fmt.Sprintf("a single partition key is still capped at %g MiB/s: on-demand does not fix a hot key", b.Num("kinesis.partition_key.write_mbps")))
	} else {
		p.Changes = append(p.Changes,
			confirm.Change{Field: "write capacity", Current: "scales with traffic", Desired: fmt.Sprintf("fixed %g MiB/s (%d shards, kept from on-demand)", float64(now.open)*w, now.open)},
			confirm.Change{Field: "cost driver", Current: "stream-hours plus GB written and GB read", Desired: "shard-hours"})
		p.Risks = append(p.Risks, "capacity stops following traffic: a peak above the kept shards' capacity is throttled until you reshard (kinesis_scale target_shard_count)")
		lc, lrisks := loadChange(load, w, b.Num("kinesis.shard.write_records_per_second"), 0, now.open)
		p.Changes = append(p.Changes, lc)
		p.Risks = append(p.Risks, lrisks...)
	}
	return p, now.fingerprint(), nil
}

// Apply performs the planned change and reads the stream back.
func (s *StreamScale) Apply(ctx context.Context, w KinesisWriteAPI, r KinesisReadAPI) (StreamState, error) {
	actx, cancel := withTimeout(ctx)
	defer cancel()
	var err error
	if s.Mode != "" {
		mode := kintypes.StreamModeOnDemand
		if s.Mode == ModeProvisioned {
			mode = kintypes.StreamModeProvisioned
		}
		_, err = w.UpdateStreamMode(actx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(s.arn), StreamModeDetails: &kintypes.StreamModeDetails{StreamMode: mode}})
	} else {
		_, err = w.UpdateShardCount(actx, &kinesis.UpdateShardCountInput{StreamName: aws.String(s.Stream), TargetShardCount: aws.Int32(int32(s.TargetShards)), ScalingType: kintypes.ScalingTypeUniformScaling})
	}
	if err != nil {
		return StreamState{}, errors.New(errmap.Classify(err).Reason())
	}
	now, err := describeStream(ctx, r, s.Stream)
	if err != nil {
		return StreamState{}, confirm.ReadBackFailed(err)
	}
	return StreamState{StreamName: s.Stream, StreamStatus: now.status, CapacityMode: now.mode, OpenShardCount: now.open}, nil
}

// loadSpan is how far back kinesis_scale looks for the peak write load: one
// day covers a daily cycle, which is what a capacity change must survive.
const loadSpan = 24 * time.Hour

// CloudWatchLoad reads a stream's peak write load over the last day from
// CloudWatch (IncomingBytes and IncomingRecords sums per period). A failed
// or empty read gives Known=false with the reason; it never fails the plan.
func CloudWatchLoad(api awsinspect.GetMetricDataAPI, now func() time.Time) func(ctx context.Context, stream string) StreamLoad {
	return func(ctx context.Context, stream string) StreamLoad {
		w := awsinspect.WindowEnding(now(), loadSpan)
		var qs []awsinspect.MetricQuery
		for _, q := range awsinspect.KinesisStreamQueries(stream) {
			if q.Key == awsinspect.KeyKinesisIncomingBytes || q.Key == awsinspect.KeyKinesisIncomingRecords {
				qs = append(qs, q)
			}
		}
		bundle := awsinspect.NewMetrics(api, awsinspect.MetricsOptions{}).Fetch(ctx, w, qs)
		bytes, okB := bundle.Get(awsinspect.KeyKinesisIncomingBytes)
		recs, okR := bundle.Get(awsinspect.KeyKinesisIncomingRecords)
		switch {
		case !okB || !okR:
			return StreamLoad{Note: "CloudWatch series missing"}
		case bytes.Status == awsinspect.SeriesUnknown && bytes.Unknown != nil:
			return StreamLoad{Note: "CloudWatch IncomingBytes unreadable: " + bytes.Unknown.Reason}
		case bytes.Summary == nil || recs.Summary == nil:
			return StreamLoad{Note: "no IncomingBytes/IncomingRecords data in the last 24 hours (no traffic, or a new stream)"}
		}
		period := w.Period.Seconds()
		return StreamLoad{
			Known:             true,
			PeakMiBps:         bytes.Summary.Max / period / (1 << 20),
			PeakRecordsPerSec: recs.Summary.Max / period,
			Window:            fmt.Sprintf("over the last 24 h (%s averages; shorter bursts can be higher)", w.Period),
		}
	}
}
