package livecheck

import (
	"context"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/aws"
)

// Window is how far back the metrics are read.
const Window = time.Hour

// Live reads through c and judges what it read.
type Live struct {
	Client  *aws.Client
	Metrics aws.MetricsOptions
	Now     time.Time
}

func (l Live) fetch(ctx context.Context, qs []aws.MetricQuery) aws.MetricBundle {
	api, err := l.Client.CloudWatchAPI(ctx)
	if err != nil {
		u := aws.UnknownFrom("CloudWatch:GetMetricData", err)
		b := aws.MetricBundle{}
		for _, q := range qs {
			b.Series = append(b.Series, aws.MetricSeries{Query: q, Status: aws.SeriesUnknown, Unknown: u})
		}
		return b
	}
	return aws.NewMetrics(api, l.Metrics).Fetch(ctx, aws.WindowEnding(l.Now, Window), qs)
}

// OSI reads and judges one pipeline.
func (l Live) OSI(ctx context.Context, name string) []Check {
	p, err := l.Client.OSIPipeline(ctx, name)
	if err != nil {
		return []Check{FromUnknown("pipeline status", aws.UnknownFrom("OSIS:GetPipeline", err))}
	}
	out := []Check{OSIStatus(p)}
	var qs []aws.MetricQuery
	for _, sp := range p.SubPipelines {
		if sp.Source != "" && len(sp.Sinks) > 0 {
			qs = aws.OSIPipelineQueries(p.Name, sp.Name, sp.Source, sp.Sinks[0])
			break
		}
	}
	var b aws.MetricBundle
	if len(qs) > 0 {
		b = l.fetch(ctx, qs)
	}
	return append(out, OSIBacklog(p, b))
}

// Firehose reads and judges one delivery stream.
func (l Live) Firehose(ctx context.Context, name string) []Check {
	f, err := l.Client.FirehoseStream(ctx, name)
	if err != nil {
		return []Check{FromUnknown("delivery stream status", aws.UnknownFrom("Firehose:DescribeDeliveryStream", err))}
	}
	b := l.fetch(ctx, aws.FirehoseQueries(f.Name, f.Source))
	out := []Check{FirehoseStatus(f), FirehoseDelivery(f, b), FirehoseFreshness(f, b), FirehoseThrottling(b)}
	if f.Source == aws.FirehoseMSK && f.MSKConnectivity == "PRIVATE" {
		pol, err := l.Client.MSKPolicy(ctx, f.MSKClusterARN)
		if c, ok := FirehoseMSKPolicy(f, pol, aws.UnknownFrom("Kafka:GetClusterPolicy", err)); ok {
			out = append(out, c)
		}
	} else if c, ok := FirehoseMSKPolicy(f, "", nil); ok {
		out = append(out, c)
	}
	return out
}
