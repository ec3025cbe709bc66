package iac

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// ESMLogicalID is the logical ID (CloudFormation) and resource name
// (Terraform) RenderESM gives the mapping.
const ESMLogicalID = "EventSourceMapping"

// RenderESM renders one event source mapping in format: a CloudFormation
// template with a native AWS::Lambda::EventSourceMapping, a SAM function
// Events entry, or a Terraform aws_lambda_event_source_mapping. It validates
// m first and returns an error wrapping ErrInvalid for bad input.
func RenderESM(m ESM, format Format) (Artifact, error) {
	if err := m.Validate(); err != nil {
		return Artifact{}, err
	}
	switch format {
	case FormatCloudFormation:
		t := Template{
			AWSTemplateFormatVersion: cfnVersion,
			Description:              fmt.Sprintf("Lambda event source mapping (%s)", m.Source),
			Resources:                map[string]Resource{ESMLogicalID: m.cfnResource()},
			Outputs: map[string]Output{
				"EventSourceMappingId": {Description: "UUID of the mapping", Value: ref(ESMLogicalID)},
			},
		}
		body, err := t.Marshal()
		if err != nil {
			return Artifact{}, err
		}
		return Artifact{Kind: KindIaC, Format: string(format), Name: "esm.cloudformation.yaml", Content: body, Notes: m.notes()}, nil
	case FormatSAM:
		typ, props, ok := m.samEvent()
		if !ok {
			// SAM's pull-event translator does not pass every field through;
			// a native resource is valid in a SAM template too.
			t := Template{AWSTemplateFormatVersion: cfnVersion, Transform: samTransform,
				Resources: map[string]Resource{ESMLogicalID: m.cfnResource()}}
			body, err := t.Marshal()
			if err != nil {
				return Artifact{}, err
			}
			notes := append(m.notes(), "Rendered as a native AWS::Lambda::EventSourceMapping: SAM function events do not pass "+strings.Join(m.samUnsupported(), ", ")+" through.")
			return Artifact{Kind: KindIaC, Format: string(format), Name: "esm.sam.yaml", Content: body, Notes: notes}, nil
		}
		body, err := marshalYAML(map[string]any{"Events": map[string]any{samEventName(m.Source): map[string]any{"Type": typ, "Properties": props}}})
		if err != nil {
			return Artifact{}, err
		}
		notes := append(m.notes(), "Paste under the Properties of the AWS::Serverless::Function that processes the events; SAM creates the mapping and points it at that function, so FunctionName is not repeated.")
		return Artifact{Kind: KindIaC, Format: string(format), Name: "esm.sam-event.yaml", Content: body, Notes: notes}, nil
	case FormatTerraform:
		f := hclwrite.NewEmptyFile()
		m.tfResource(f.Body(), "this")
		return Artifact{Kind: KindIaC, Format: string(format), Name: "esm.tf", Content: string(f.Bytes()), Notes: append(m.notes(), m.tfNotes()...)}, nil
	}
	return Artifact{}, invalidf("iac_format %q is not one of sam, cloudformation, terraform", string(format))
}

func (m ESM) notes() []string {
	var n []string
	if m.Source.IsKafka() {
		if c := m.kafkaConfig(); c == nil || c.ConsumerGroupId == "" {
			n = append(n, "No ConsumerGroupId: Lambda names the consumer group after the mapping's UUID, which is known only after creation.")
		}
	}
	return n
}

func samEventName(s Source) string {
	switch s {
	case SourceKinesis:
		return "KinesisEvent"
	case SourceDynamoDB:
		return "DynamoDBEvent"
	case SourceSQS, SourceSQSFIFO:
		return "SQSEvent"
	case SourceMSK:
		return "MSKEvent"
	}
	return "KafkaEvent"
}

func (m ESM) functionValue() any {
	if m.FunctionRef != nil {
		return m.FunctionRef.cfn()
	}
	return m.FunctionName
}

func (m ESM) sourceValue() any {
	if m.EventSourceRef != nil {
		return m.EventSourceRef.cfn()
	}
	return m.EventSourceArn
}

// commonProps are the properties whose CloudFormation and SAM names are the
// same as the API's.
func (m ESM) commonProps() map[string]any {
	p := map[string]any{}
	setInt := func(k string, v *int) {
		if v != nil {
			p[k] = *v
		}
	}
	setInt("BatchSize", m.BatchSize)
	setInt("MaximumBatchingWindowInSeconds", m.MaximumBatchingWindowInSeconds)
	setInt("ParallelizationFactor", m.ParallelizationFactor)
	setInt("MaximumRetryAttempts", m.MaximumRetryAttempts)
	setInt("MaximumRecordAgeInSeconds", m.MaximumRecordAgeInSeconds)
	setInt("TumblingWindowInSeconds", m.TumblingWindowInSeconds)
	if m.Enabled != nil {
		p["Enabled"] = *m.Enabled
	}
	if m.BisectBatchOnFunctionError != nil {
		p["BisectBatchOnFunctionError"] = *m.BisectBatchOnFunctionError
	}
	if m.StartingPosition != "" {
		p["StartingPosition"] = m.StartingPosition
	}
	if m.StartingPositionTimestamp != nil {
		p["StartingPositionTimestamp"] = *m.StartingPositionTimestamp
	}
	if len(m.FunctionResponseTypes) > 0 {
		p["FunctionResponseTypes"] = m.FunctionResponseTypes
	}
	if d := m.DestinationConfig; d != nil && d.OnFailure != nil {
		p["DestinationConfig"] = map[string]any{"OnFailure": map[string]any{"Destination": d.OnFailure.Destination}}
	}
	if f := m.FilterCriteria; f != nil {
		fl := make([]any, 0, len(f.Filters))
		for _, x := range f.Filters {
			fl = append(fl, map[string]any{"Pattern": x.Pattern})
		}
		p["FilterCriteria"] = map[string]any{"Filters": fl}
	}
	if s := m.ScalingConfig; s != nil && s.MaximumConcurrency != nil {
		p["ScalingConfig"] = map[string]any{"MaximumConcurrency": *s.MaximumConcurrency}
	}
	if pp := m.ProvisionedPollerConfig; pp != nil {
		v := map[string]any{}
		if pp.MinimumPollers != nil {
			v["MinimumPollers"] = *pp.MinimumPollers
		}
		if pp.MaximumPollers != nil {
			v["MaximumPollers"] = *pp.MaximumPollers
		}
		if pp.PollerGroupName != "" {
			v["PollerGroupName"] = pp.PollerGroupName
		}
		p["ProvisionedPollerConfig"] = v
	}
	if len(m.Topics) > 0 {
		p["Topics"] = m.Topics
	}
	if len(m.SourceAccessConfigurations) > 0 {
		p["SourceAccessConfigurations"] = accessList(m.SourceAccessConfigurations)
	}
	return p
}

func accessList(in []SourceAccessConfiguration) []any {
	out := make([]any, 0, len(in))
	for _, a := range in {
		out = append(out, map[string]any{"Type": a.Type, "URI": a.URI})
	}
	return out
}

func (c *KafkaEventSourceConfig) cfn() map[string]any {
	v := map[string]any{}
	if c.ConsumerGroupId != "" {
		v["ConsumerGroupId"] = c.ConsumerGroupId
	}
	if r := c.SchemaRegistryConfig; r != nil {
		v["SchemaRegistryConfig"] = r.cfn()
	}
	return v
}

func (r *SchemaRegistryConfig) cfn() map[string]any {
	s := map[string]any{"SchemaRegistryURI": r.SchemaRegistryURI}
	if r.EventRecordFormat != "" {
		s["EventRecordFormat"] = r.EventRecordFormat
	}
	if len(r.AccessConfigs) > 0 {
		s["AccessConfigs"] = accessList(r.AccessConfigs)
	}
	if len(r.SchemaValidationConfigs) > 0 {
		vs := make([]any, 0, len(r.SchemaValidationConfigs))
		for _, x := range r.SchemaValidationConfigs {
			vs = append(vs, map[string]any{"Attribute": x.Attribute})
		}
		s["SchemaValidationConfigs"] = vs
	}
	return s
}

// cfnResource is the native AWS::Lambda::EventSourceMapping.
func (m ESM) cfnResource() Resource {
	p := m.commonProps()
	p["FunctionName"] = m.functionValue()
	if m.Source != SourceSelfManagedKafka {
		p["EventSourceArn"] = m.sourceValue()
	} else {
		p["SelfManagedEventSource"] = map[string]any{"Endpoints": map[string]any{"KafkaBootstrapServers": m.BootstrapServers()}}
	}
	if c := m.AmazonManagedKafkaEventSourceConfig; c != nil {
		p["AmazonManagedKafkaEventSourceConfig"] = c.cfn()
	}
	if c := m.SelfManagedKafkaEventSourceConfig; c != nil {
		p["SelfManagedKafkaEventSourceConfig"] = c.cfn()
	}
	if m.KMSKeyArn != "" {
		p["KmsKeyArn"] = m.KMSKeyArn
	}
	if m.MetricsConfig != nil {
		p["MetricsConfig"] = map[string]any{"Metrics": m.MetricsConfig.Metrics}
	}
	if m.LoggingConfig != nil {
		p["LoggingConfig"] = map[string]any{"SystemLogLevel": m.LoggingConfig.SystemLogLevel}
	}
	return Resource{Type: "AWS::Lambda::EventSourceMapping", Properties: p}
}

// samUnsupported lists the set fields that SAM's pull-event translator does
// not pass through (aws/serverless-application-model
// samtranslator/model/eventsources/pull.py PullEventSource.property_types;
// ProvisionedPollerConfig is covered by its tests).
func (m ESM) samUnsupported() []string {
	var out []string
	if m.KMSKeyArn != "" {
		out = append(out, "KMSKeyArn")
	}
	if m.MetricsConfig != nil {
		out = append(out, "MetricsConfig")
	}
	if m.LoggingConfig != nil {
		out = append(out, "LoggingConfig")
	}
	if c := m.kafkaConfig(); c != nil && c.SchemaRegistryConfig != nil {
		out = append(out, "SchemaRegistryConfig")
	}
	return out
}

// samEvent returns the SAM event type and properties, or ok false when a
// set field cannot be expressed as a SAM event.
func (m ESM) samEvent() (typ string, props map[string]any, ok bool) {
	if len(m.samUnsupported()) > 0 {
		return "", nil, false
	}
	p := m.commonProps()
	switch m.Source {
	case SourceKinesis:
		typ = "Kinesis"
		p["Stream"] = m.sourceValue()
	case SourceDynamoDB:
		typ = "DynamoDB"
		p["Stream"] = m.sourceValue()
	case SourceSQS, SourceSQSFIFO:
		typ = "SQS"
		p["Queue"] = m.sourceValue()
	case SourceMSK:
		typ = "MSK"
		p["Stream"] = m.sourceValue()
	case SourceSelfManagedKafka:
		typ = "SelfManagedKafka"
		p["KafkaBootstrapServers"] = m.BootstrapServers()
	}
	if c := m.kafkaConfig(); c != nil && c.ConsumerGroupId != "" {
		p["ConsumerGroupId"] = c.ConsumerGroupId
	}
	return typ, p, true
}

// tfResource appends the aws_lambda_event_source_mapping resource to body.
// Argument names follow the Terraform AWS provider documentation
// (registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_event_source_mapping);
// hclwrite encodes every value, escaping "${" and "%{".
func (m ESM) tfResource(body *hclwrite.Body, name string) {
	b := body.AppendNewBlock("resource", []string{"aws_lambda_event_source_mapping", name}).Body()
	if m.FunctionRef != nil {
		setTraversal(b, "function_name", m.FunctionRef.TF)
	} else {
		b.SetAttributeValue("function_name", cty.StringVal(m.FunctionName))
	}
	switch {
	case m.Source == SourceSelfManagedKafka:
		sm := b.AppendNewBlock("self_managed_event_source", nil).Body()
		sm.SetAttributeValue("endpoints", cty.MapVal(map[string]cty.Value{
			"KAFKA_BOOTSTRAP_SERVERS": cty.StringVal(strings.Join(m.BootstrapServers(), ",")),
		}))
	case m.EventSourceRef != nil:
		setTraversal(b, "event_source_arn", m.EventSourceRef.TF)
	default:
		b.SetAttributeValue("event_source_arn", cty.StringVal(m.EventSourceArn))
	}
	setInt := func(k string, v *int) {
		if v != nil {
			b.SetAttributeValue(k, cty.NumberIntVal(int64(*v)))
		}
	}
	if m.Enabled != nil {
		b.SetAttributeValue("enabled", cty.BoolVal(*m.Enabled))
	}
	if m.StartingPosition != "" {
		b.SetAttributeValue("starting_position", cty.StringVal(m.StartingPosition))
	}
	if m.StartingPositionTimestamp != nil {
		ts := time.Unix(int64(*m.StartingPositionTimestamp), 0).UTC().Format(time.RFC3339)
		b.SetAttributeValue("starting_position_timestamp", cty.StringVal(ts))
	}
	if len(m.Topics) > 0 {
		b.SetAttributeValue("topics", stringList(m.Topics))
	}
	setInt("batch_size", m.BatchSize)
	setInt("maximum_batching_window_in_seconds", m.MaximumBatchingWindowInSeconds)
	setInt("parallelization_factor", m.ParallelizationFactor)
	setInt("maximum_retry_attempts", m.MaximumRetryAttempts)
	setInt("maximum_record_age_in_seconds", m.MaximumRecordAgeInSeconds)
	setInt("tumbling_window_in_seconds", m.TumblingWindowInSeconds)
	if m.BisectBatchOnFunctionError != nil {
		b.SetAttributeValue("bisect_batch_on_function_error", cty.BoolVal(*m.BisectBatchOnFunctionError))
	}
	if len(m.FunctionResponseTypes) > 0 {
		b.SetAttributeValue("function_response_types", stringList(m.FunctionResponseTypes))
	}
	if m.KMSKeyArn != "" {
		b.SetAttributeValue("kms_key_arn", cty.StringVal(m.KMSKeyArn))
	}
	if d := m.DestinationConfig; d != nil && d.OnFailure != nil {
		of := b.AppendNewBlock("destination_config", nil).Body().AppendNewBlock("on_failure", nil).Body()
		of.SetAttributeValue("destination_arn", cty.StringVal(d.OnFailure.Destination))
	}
	if f := m.FilterCriteria; f != nil {
		fc := b.AppendNewBlock("filter_criteria", nil).Body()
		for _, x := range f.Filters {
			fc.AppendNewBlock("filter", nil).Body().SetAttributeValue("pattern", cty.StringVal(x.Pattern))
		}
	}
	if s := m.ScalingConfig; s != nil && s.MaximumConcurrency != nil {
		b.AppendNewBlock("scaling_config", nil).Body().SetAttributeValue("maximum_concurrency", cty.NumberIntVal(int64(*s.MaximumConcurrency)))
	}
	if pp := m.ProvisionedPollerConfig; pp != nil {
		pb := b.AppendNewBlock("provisioned_poller_config", nil).Body()
		if pp.MinimumPollers != nil {
			pb.SetAttributeValue("minimum_pollers", cty.NumberIntVal(int64(*pp.MinimumPollers)))
		}
		if pp.MaximumPollers != nil {
			pb.SetAttributeValue("maximum_pollers", cty.NumberIntVal(int64(*pp.MaximumPollers)))
		}
	}
	for _, a := range m.SourceAccessConfigurations {
		sb := b.AppendNewBlock("source_access_configuration", nil).Body()
		sb.SetAttributeValue("type", cty.StringVal(a.Type))
		sb.SetAttributeValue("uri", cty.StringVal(a.URI))
	}
	kafkaBlock := func(blockName string, c *KafkaEventSourceConfig) {
		if c == nil {
			return
		}
		kb := b.AppendNewBlock(blockName, nil).Body()
		if c.ConsumerGroupId != "" {
			kb.SetAttributeValue("consumer_group_id", cty.StringVal(c.ConsumerGroupId))
		}
		if r := c.SchemaRegistryConfig; r != nil {
			rb := kb.AppendNewBlock("schema_registry_config", nil).Body()
			rb.SetAttributeValue("schema_registry_uri", cty.StringVal(r.SchemaRegistryURI))
			if r.EventRecordFormat != "" {
				rb.SetAttributeValue("event_record_format", cty.StringVal(r.EventRecordFormat))
			}
			for _, a := range r.AccessConfigs {
				ab := rb.AppendNewBlock("access_config", nil).Body()
				ab.SetAttributeValue("type", cty.StringVal(a.Type))
				ab.SetAttributeValue("uri", cty.StringVal(a.URI))
			}
			for _, v := range r.SchemaValidationConfigs {
				rb.AppendNewBlock("schema_validation_config", nil).Body().SetAttributeValue("attribute", cty.StringVal(v.Attribute))
			}
		}
	}
	kafkaBlock("amazon_managed_kafka_event_source_config", m.AmazonManagedKafkaEventSourceConfig)
	kafkaBlock("self_managed_kafka_event_source_config", m.SelfManagedKafkaEventSourceConfig)
	if m.MetricsConfig != nil {
		b.AppendNewBlock("metrics_config", nil).Body().SetAttributeValue("metrics", stringList(m.MetricsConfig.Metrics))
	}
}

// tfNotes says what the Terraform provider cannot express: its
// aws_lambda_event_source_mapping (provider 6.62) has no logging_config
// block and no poller_group_name argument.
func (m ESM) tfNotes() []string {
	var n []string
	if m.LoggingConfig != nil {
		n = append(n, "LoggingConfig is not an argument of aws_lambda_event_source_mapping; set it with aws lambda update-event-source-mapping --logging-config after apply.")
	}
	if pp := m.ProvisionedPollerConfig; pp != nil && pp.PollerGroupName != "" {
		n = append(n, "PollerGroupName is not an argument of aws_lambda_event_source_mapping; set it with aws lambda update-event-source-mapping after apply.")
	}
	return n
}

func setTraversal(b *hclwrite.Body, name, path string) {
	b.SetAttributeTraversal(name, traversal(path))
}

// traversal builds a.b.c from a dotted path of identifiers (the callers
// build the path from validated names).
func traversal(path string) hcl.Traversal {
	parts := strings.Split(path, ".")
	tr := hcl.Traversal{hcl.TraverseRoot{Name: parts[0]}}
	for _, p := range parts[1:] {
		tr = append(tr, hcl.TraverseAttr{Name: p})
	}
	return tr
}

func hclInitialPos() hcl.Pos { return hcl.InitialPos }

func stringList(v []string) cty.Value {
	if len(v) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, 0, len(v))
	for _, s := range v {
		vals = append(vals, cty.StringVal(s))
	}
	return cty.ListVal(vals)
}
