package aws

import (
	"context"
	"sort"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/osis"
	"go.yaml.in/yaml/v3"
)

// OSIPipeline is what the OpenSearch Ingestion inspector reads from
// GetPipeline (osis:GetPipeline).
type OSIPipeline struct {
	Name         string        `json:"name"`
	Status       string        `json:"status"`
	StatusReason string        `json:"status_reason,omitempty"`
	MinUnits     int32         `json:"min_units"`
	MaxUnits     int32         `json:"max_units"`
	SubPipelines []SubPipeline `json:"sub_pipelines,omitempty"`
	// SubnetIDs and SecurityGroupIDs are the VPC options (empty: public).
	SubnetIDs        []string `json:"subnet_ids,omitempty"`
	SecurityGroupIDs []string `json:"security_group_ids,omitempty"`
	LoggingEnabled   bool     `json:"logging_enabled"`
	LogGroup         string   `json:"log_group,omitempty"`
}

// SubPipeline is one sub-pipeline of the Data Prepper configuration: its
// source plugin and sink plugins.
type SubPipeline struct {
	Name   string   `json:"name"`
	Source string   `json:"source,omitempty"`
	Sinks  []string `json:"sinks,omitempty"`
}

// OSIPipeline reads one pipeline.
func (c *Client) OSIPipeline(ctx context.Context, name string) (OSIPipeline, error) {
	if err := c.ready(ctx); err != nil {
		return OSIPipeline{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.osis.GetPipeline(cctx, &osis.GetPipelineInput{PipelineName: sdkaws.String(name)})
	if err != nil {
		return OSIPipeline{}, err
	}
	p := out.Pipeline
	if p == nil {
		return OSIPipeline{Name: name}, nil
	}
	r := OSIPipeline{Name: sdkaws.ToString(p.PipelineName), Status: string(p.Status), MinUnits: p.MinUnits, MaxUnits: p.MaxUnits}
	if p.StatusReason != nil {
		r.StatusReason = sdkaws.ToString(p.StatusReason.Description)
	}
	for _, e := range p.VpcEndpoints {
		if e.VpcOptions != nil {
			r.SubnetIDs = append(r.SubnetIDs, e.VpcOptions.SubnetIds...)
			r.SecurityGroupIDs = append(r.SecurityGroupIDs, e.VpcOptions.SecurityGroupIds...)
		}
	}
	if l := p.LogPublishingOptions; l != nil {
		r.LoggingEnabled = sdkaws.ToBool(l.IsLoggingEnabled)
		if l.CloudWatchLogDestination != nil {
			r.LogGroup = sdkaws.ToString(l.CloudWatchLogDestination.LogGroup)
		}
	}
	r.SubPipelines = ParsePipelineBody(sdkaws.ToString(p.PipelineConfigurationBody))
	return r, nil
}

// ParsePipelineBody lists the sub-pipelines of a Data Prepper pipeline
// configuration (YAML: top-level keys other than version, each with a
// source map and a sink list). An unparsable body gives none.
func ParsePipelineBody(body string) []SubPipeline {
	var raw map[string]yaml.Node
	if yaml.Unmarshal([]byte(body), &raw) != nil {
		return nil
	}
	var out []SubPipeline
	for name, n := range raw {
		if name == "version" || n.Kind != yaml.MappingNode {
			continue
		}
		var v struct {
			Source map[string]any   `yaml:"source"`
			Sink   []map[string]any `yaml:"sink"`
		}
		if n.Decode(&v) != nil {
			continue
		}
		sp := SubPipeline{Name: name}
		for k := range v.Source {
			sp.Source = k
		}
		for _, s := range v.Sink {
			for k := range s {
				sp.Sinks = append(sp.Sinks, k)
			}
		}
		sort.Strings(sp.Sinks)
		out = append(out, sp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FirehoseStream is what the Firehose inspector reads from
// DescribeDeliveryStream (firehose:DescribeDeliveryStream).
type FirehoseStream struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	// Source is direct_put, kinesis or msk.
	Source           string `json:"source"`
	KinesisStreamARN string `json:"kinesis_stream_arn,omitempty"`
	MSKClusterARN    string `json:"msk_cluster_arn,omitempty"`
	MSKTopic         string `json:"msk_topic,omitempty"`
	MSKConnectivity  string `json:"msk_connectivity,omitempty"`
	// Destination is s3, http_endpoint, opensearch, redshift, splunk,
	// snowflake, iceberg or other.
	Destination           string `json:"destination"`
	BufferSizeMiB         int32  `json:"buffer_size_mib,omitempty"`
	BufferIntervalSeconds int32  `json:"buffer_interval_seconds,omitempty"`
	FailureType           string `json:"failure_type,omitempty"`
	FailureDetails        string `json:"failure_details,omitempty"`
	// Encryption is the server-side encryption key type ("" when off).
	Encryption string `json:"encryption,omitempty"`
}

// Firehose source kinds.
const (
	FirehoseDirectPut = "direct_put"
	FirehoseKinesis   = "kinesis"
	FirehoseMSK       = "msk"
)

// FirehoseStream reads one delivery stream.
func (c *Client) FirehoseStream(ctx context.Context, name string) (FirehoseStream, error) {
	if err := c.ready(ctx); err != nil {
		return FirehoseStream{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.fh.DescribeDeliveryStream(cctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: sdkaws.String(name)})
	if err != nil {
		return FirehoseStream{}, err
	}
	d := out.DeliveryStreamDescription
	if d == nil {
		return FirehoseStream{Name: name}, nil
	}
	r := FirehoseStream{Name: sdkaws.ToString(d.DeliveryStreamName), Status: string(d.DeliveryStreamStatus), Source: FirehoseDirectPut}
	if s := d.Source; s != nil {
		switch {
		case s.MSKSourceDescription != nil:
			m := s.MSKSourceDescription
			r.Source, r.MSKClusterARN, r.MSKTopic = FirehoseMSK, sdkaws.ToString(m.MSKClusterARN), sdkaws.ToString(m.TopicName)
			if m.AuthenticationConfiguration != nil {
				r.MSKConnectivity = string(m.AuthenticationConfiguration.Connectivity)
			}
		case s.KinesisStreamSourceDescription != nil:
			r.Source, r.KinesisStreamARN = FirehoseKinesis, sdkaws.ToString(s.KinesisStreamSourceDescription.KinesisStreamARN)
		}
	}
	if f := d.FailureDescription; f != nil {
		r.FailureType, r.FailureDetails = string(f.Type), sdkaws.ToString(f.Details)
	}
	if e := d.DeliveryStreamEncryptionConfiguration; e != nil && e.Status == "ENABLED" {
		r.Encryption = string(e.KeyType)
	}
	r.Destination = "other"
	for _, x := range d.Destinations {
		switch {
		case x.ExtendedS3DestinationDescription != nil:
			r.Destination = "s3"
			if h := x.ExtendedS3DestinationDescription.BufferingHints; h != nil {
				r.BufferSizeMiB, r.BufferIntervalSeconds = sdkaws.ToInt32(h.SizeInMBs), sdkaws.ToInt32(h.IntervalInSeconds)
			}
		case x.S3DestinationDescription != nil:
			r.Destination = "s3"
		case x.HttpEndpointDestinationDescription != nil:
			r.Destination = "http_endpoint"
		case x.AmazonopensearchserviceDestinationDescription != nil, x.AmazonOpenSearchServerlessDestinationDescription != nil:
			r.Destination = "opensearch"
		case x.RedshiftDestinationDescription != nil:
			r.Destination = "redshift"
		case x.SplunkDestinationDescription != nil:
			r.Destination = "splunk"
		case x.SnowflakeDestinationDescription != nil:
			r.Destination = "snowflake"
		case x.IcebergDestinationDescription != nil:
			r.Destination = "iceberg"
		}
	}
	return r, nil
}
