// Package livecheck judges the live state of the integrations around the
// streams (an OpenSearch Ingestion pipeline, a Firehose stream) from their
// descriptions and CloudWatch bundles: one judge per fact, each returning a
// Check with what to do. Missing evidence is unknown, never a failure.
package livecheck

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/aws"
)

// Check statuses.
const (
	Pass    = "pass"
	Fail    = "fail"
	Warn    = "warn"
	Unknown = "unknown"
)

// Check is one judged fact.
type Check struct {
	Name   string `json:"name" jsonschema_description:"what was checked"`
	Status string `json:"status" jsonschema:"enum=pass,enum=fail,enum=warn,enum=unknown" jsonschema_description:"verdict"`
	Detail string `json:"detail" jsonschema_description:"evidence"`
	Action string `json:"action,omitempty" jsonschema_description:"what to do"`
}

// FromUnknown turns an unreadable piece of evidence into an unknown check
// that names the missing permission when access was denied.
func FromUnknown(name string, u *aws.Unknown) Check {
	c := Check{Name: name, Status: Unknown, Detail: u.Call + ": " + u.Reason}
	if u.MissingPermission != "" {
		c.Action = "grant " + u.MissingPermission + " to the caller and ask again"
	}
	return c
}

// OSIStatus: a pipeline ingests only while ACTIVE.
func OSIStatus(p aws.OSIPipeline) Check {
	c := Check{Name: "pipeline status", Status: Pass, Detail: p.Name + " is " + p.Status}
	if p.Status == "ACTIVE" {
		return c
	}
	c.Status = Fail
	if p.StatusReason != "" {
		c.Detail += ": " + p.StatusReason
	}
	switch {
	case strings.HasSuffix(p.Status, "_FAILED"):
		c.Action = "read the status reason and the pipeline log group, fix the configuration or permissions it names, then update or restart the pipeline"
	case p.Status == "STOPPED":
		c.Action = "start the pipeline (aws osis start-pipeline)"
	default:
		c.Action = "wait for the pipeline to reach ACTIVE and check again"
	}
	return c
}

// OSIBacklog: the sinks must keep up with what the source emits. A source
// emitting more than the sinks take in, with the sink not rising, is a
// backlog; at MaxUnits the pipeline cannot scale its way out.
func OSIBacklog(p aws.OSIPipeline, b aws.MetricBundle) Check {
	c := Check{Name: "sink keeps up with source"}
	src, ok1 := b.Get(aws.KeyOSISourceRecordsOut)
	snk, ok2 := b.Get(aws.KeyOSISinkRecordsIn)
	if !ok1 || !ok2 {
		return Check{Name: c.Name, Status: Unknown, Detail: "no Kafka/Kinesis source and sink pair in the pipeline configuration"}
	}
	for _, s := range []aws.MetricSeries{src, snk} {
		if s.Status == aws.SeriesUnknown && s.Unknown != nil {
			return FromUnknown(c.Name, s.Unknown)
		}
		if s.Summary == nil {
			return Check{Name: c.Name, Status: Unknown, Detail: "no data for " + s.Query.Metric}
		}
	}
	c.Detail = fmt.Sprintf("source emitted %.0f records, sinks took in %.0f over the window (source %s, sink %s)", src.Summary.Sum, snk.Summary.Sum, src.Summary.Trend, snk.Summary.Trend)
	if src.Summary.Sum <= snk.Summary.Sum || snk.Summary.Trend == aws.TrendRising {
		c.Status = Pass
		return c
	}
	c.Status = Warn
	c.Action = "the sink is the bottleneck: check the sink's bulk request errors and latency in the pipeline logs, and the OpenSearch domain's write rejections"
	if p.MaxUnits > 0 {
		c.Detail += fmt.Sprintf("; MaxUnits %d", p.MaxUnits)
		c.Action = fmt.Sprintf("if the pipeline runs at its MaxUnits (%d), raise MaxUnits or add a pipeline on the same topic and consumer group; otherwise ", p.MaxUnits) + c.Action
	}
	return c
}

// FirehoseStatus: the stream must be ACTIVE with no failure description.
func FirehoseStatus(f aws.FirehoseStream) Check {
	c := Check{Name: "delivery stream status", Status: Pass, Detail: f.Name + " is " + f.Status}
	if f.FailureType != "" {
		c.Status = Fail
		c.Detail += "; failure " + f.FailureType + ": " + f.FailureDetails
		c.Action = "fix what the failure names (KMS key, subnet, security group, VPC endpoint or access), then recreate or update the stream"
		return c
	}
	if f.Status != "ACTIVE" {
		c.Status = Fail
		c.Action = "wait for ACTIVE; a *_FAILED status needs the stream recreated after the cause is fixed"
	}
	return c
}

// FirehoseDelivery: DeliveryToS3.Success is the share of successful
// deliveries; below 1 some failed.
func FirehoseDelivery(f aws.FirehoseStream, b aws.MetricBundle) Check {
	c := Check{Name: "delivery to S3 succeeds"}
	if f.Destination != "s3" {
		return Check{Name: c.Name, Status: Unknown, Detail: "destination is " + f.Destination + "; only S3 delivery metrics are read"}
	}
	s, ok := b.Get(aws.KeyFirehoseS3Success)
	if r, done := seriesGate(c.Name, s, ok); done {
		return r
	}
	c.Detail = fmt.Sprintf("DeliveryToS3.Success min %.2f, latest %.2f", s.Summary.Min, s.Summary.Latest)
	if s.Summary.Min >= 1 {
		c.Status = Pass
		return c
	}
	c.Status = Fail
	c.Action = "read the DestinationDelivery log stream of the stream's log group and the error output prefix in the bucket: S3 AccessDenied or a KMS key the role cannot use are the usual causes"
	return c
}

// FirehoseFreshness: data older than the buffer interval means delivery is
// falling behind.
func FirehoseFreshness(f aws.FirehoseStream, b aws.MetricBundle) Check {
	c := Check{Name: "data freshness within buffer interval"}
	if f.BufferIntervalSeconds <= 0 {
		return Check{Name: c.Name, Status: Unknown, Detail: "no buffer interval in the description"}
	}
	s, ok := b.Get(aws.KeyFirehoseS3Freshness)
	if r, done := seriesGate(c.Name, s, ok); done {
		return r
	}
	c.Detail = fmt.Sprintf("DeliveryToS3.DataFreshness max %.0f s against a %d s buffer interval (%s)", s.Summary.Max, f.BufferIntervalSeconds, s.Summary.Trend)
	if s.Summary.Max <= float64(f.BufferIntervalSeconds) {
		c.Status = Pass
		return c
	}
	c.Status = Warn
	if s.Summary.Trend == aws.TrendRising {
		c.Status = Fail
	}
	c.Action = "deliveries are failing or retrying: check the delivery success check and the destination's errors"
	return c
}

// FirehoseThrottling: throttled records are lost to the producer unless it
// retries.
func FirehoseThrottling(b aws.MetricBundle) Check {
	c := Check{Name: "no throttled records"}
	s, ok := b.Get(aws.KeyFirehoseThrottled)
	if s.Status == aws.SeriesNoData {
		return Check{Name: c.Name, Status: Pass, Detail: "ThrottledRecords not emitted"}
	}
	if r, done := seriesGate(c.Name, s, ok); done {
		return r
	}
	c.Detail = fmt.Sprintf("ThrottledRecords %.0f over the window", s.Summary.Sum)
	if s.Summary.Sum == 0 {
		c.Status = Pass
		return c
	}
	c.Status = Warn
	c.Action = "the stream is over its throughput quota: batch with PutRecordBatch, retry throttled records, or request a quota increase"
	return c
}

// FirehoseMSKPolicy: a Firehose stream reading MSK over PRIVATE
// connectivity needs the cluster policy to let firehose.amazonaws.com call
// kafka:CreateVpcConnection.
func FirehoseMSKPolicy(f aws.FirehoseStream, policy string, u *aws.Unknown) (Check, bool) {
	if f.Source != aws.FirehoseMSK {
		return Check{}, false
	}
	c := Check{Name: "MSK cluster policy allows Firehose"}
	if f.MSKConnectivity != "PRIVATE" {
		return Check{Name: c.Name, Status: Pass, Detail: "connectivity " + f.MSKConnectivity + "; no cluster policy needed"}, true
	}
	if u != nil {
		return FromUnknown(c.Name, u), true
	}
	if strings.Contains(policy, "firehose.amazonaws.com") && strings.Contains(policy, "kafka:CreateVpcConnection") {
		return Check{Name: c.Name, Status: Pass, Detail: "the cluster policy names firehose.amazonaws.com for kafka:CreateVpcConnection"}, true
	}
	c.Status = Fail
	c.Detail = "cluster " + f.MSKClusterARN + " has no policy statement for firehose.amazonaws.com kafka:CreateVpcConnection"
	if policy == "" {
		c.Detail = "cluster " + f.MSKClusterARN + " has no cluster policy"
	}
	c.Action = "add the statement from stream_guidance topic=firehose (msk-cluster-policy.json) with aws kafka put-cluster-policy"
	return c, true
}

func seriesGate(name string, s aws.MetricSeries, ok bool) (Check, bool) {
	switch {
	case !ok:
		return Check{Name: name, Status: Unknown, Detail: "metric not read"}, true
	case s.Status == aws.SeriesUnknown && s.Unknown != nil:
		return FromUnknown(name, s.Unknown), true
	case s.Summary == nil:
		return Check{Name: name, Status: Unknown, Detail: "no data for " + s.Query.Metric}, true
	}
	return Check{}, false
}
