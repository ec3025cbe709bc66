package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/kafkacfg"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/streamcfg"
)

type validateConfigIn struct {
	Kind        string                 `json:"kind" jsonschema:"enum=esm,enum=kafka_topic,enum=kafka_producer,enum=kafka_consumer,enum=msk_cluster,enum=kinesis_stream,enum=template" jsonschema_description:"what config holds: an event source mapping, a Kafka topic/producer/consumer config, AWS::MSK::Cluster or AWS::Kinesis::Stream properties, or a whole SAM/CloudFormation template in template"`
	Config      map[string]any         `json:"config,omitempty" jsonschema_description:"the configuration. esm: Lambda API field names with nested objects as the API returns them (BatchSize, ScalingConfig: {MaximumConcurrency}), e.g. get-event-source-mapping output; kafka_*: Kafka property names (acks, min.insync.replicas, ...; a topic may add partitions and replication.factor); msk_cluster / kinesis_stream: CloudFormation property names"`
	Template    string                 `json:"template,omitempty" jsonschema_description:"kind=template: SAM or CloudFormation text, YAML (short-form tags like !Ref allowed) or JSON"`
	ClusterArn  string                 `json:"cluster_arn,omitempty" jsonschema_description:"msk_cluster_change: read current live"`
	Text        string                 `json:"text,omitempty" jsonschema_description:"instead of config: SQL or pipeline YAML, for kinds that take text"`
	EventSource string                 `json:"event_source,omitempty" jsonschema:"enum=kinesis,enum=dynamodb,enum=sqs,enum=sqs_fifo,enum=msk,enum=self_managed_kafka,enum=mq,enum=documentdb" jsonschema_description:"kind=esm: the source type; optional when config has EventSourceArn or SelfManagedEventSource"`
	Context     *validateConfigContext `json:"context,omitempty" jsonschema_description:"optional facts that enable cross-checks (function vs queue timeouts, pollers vs partitions, batch bytes vs payload, topic vs producer/consumer)"`
	Limit       int                    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"maximum violations returned, errors first; default 50"`
}

type validateConfigContext struct {
	FunctionTimeoutSeconds        float64 `json:"function_timeout_seconds,omitempty" jsonschema_description:"esm: the function's timeout" jsonschema:"minimum=0,maximum=86400"`
	QueueVisibilityTimeoutSeconds float64 `json:"queue_visibility_timeout_seconds,omitempty" jsonschema_description:"esm (SQS): the queue's visibility timeout" jsonschema:"minimum=0,maximum=86400"`
	Partitions                    int     `json:"partitions,omitempty" jsonschema_description:"esm (Kafka): partitions of the topic" jsonschema:"minimum=0,maximum=1000000"`
	Shards                        int     `json:"shards,omitempty" jsonschema_description:"esm (Kinesis/DynamoDB): shards of the stream" jsonschema:"minimum=0,maximum=1000000"`
	AvgRecordBytes                float64 `json:"avg_record_bytes,omitempty" jsonschema_description:"esm: average record size" jsonschema:"minimum=0,maximum=1073741824"`
	AccountConcurrency            int     `json:"account_concurrency,omitempty" jsonschema_description:"esm: the account's Lambda concurrency quota if raised above the default" jsonschema:"minimum=0,maximum=10000000"`
	Brokers                       int     `json:"brokers,omitempty" jsonschema_description:"kafka_topic: brokers in the cluster" jsonschema:"minimum=0,maximum=10000"`
	Consumers                     int     `json:"consumers,omitempty" jsonschema_description:"kafka_topic: members of the largest consumer group" jsonschema:"minimum=0,maximum=100000"`
	ProducerAcks                  string  `json:"producer_acks,omitempty" jsonschema_description:"kafka_topic: the producers' acks"`
	ProducerMaxRequestSizeBytes   float64 `json:"producer_max_request_size_bytes,omitempty" jsonschema_description:"kafka_topic: the producers' max.request.size" jsonschema:"minimum=0,maximum=1073741824"`
	ConsumerFetchMaxBytes         float64 `json:"consumer_fetch_max_bytes,omitempty" jsonschema_description:"kafka_topic: the consumers' fetch.max.bytes" jsonschema:"minimum=0,maximum=1073741824"`
	IngressMBPerSecond            float64 `json:"ingress_mb_per_second,omitempty" jsonschema_description:"kafka_topic: write rate before replication" jsonschema:"minimum=0,maximum=1000000"`
	BrokerStorageGiB              float64 `json:"broker_storage_gib,omitempty" jsonschema_description:"kafka_topic: data volume per broker" jsonschema:"minimum=0,maximum=1000000"`
	MSKServerless                 bool    `json:"msk_serverless,omitempty" jsonschema_description:"kafka_topic: the cluster is MSK Serverless"`
	TopicMaxMessageBytes          float64 `json:"topic_max_message_bytes,omitempty" jsonschema_description:"kafka_producer / kafka_consumer: the topic's max.message.bytes" jsonschema:"minimum=0,maximum=1073741824"`
	TopicMinInsyncReplicas        float64 `json:"topic_min_insync_replicas,omitempty" jsonschema_description:"kafka_producer: topic min.insync.replicas" jsonschema:"minimum=0,maximum=32"`
	TopicReplicationFactor        float64 `json:"topic_replication_factor,omitempty" jsonschema_description:"kafka_producer: topic replication factor" jsonschema:"minimum=0,maximum=32"`
	ProcessingMsPerRecord         float64 `json:"processing_ms_per_record,omitempty" jsonschema_description:"kafka_consumer: processing time per record" jsonschema:"minimum=0,maximum=86400000"`
	TransactionalProducer         bool    `json:"transactional_producer,omitempty" jsonschema_description:"kafka_consumer: the topic is written with transactions"`
	BrokerRackAware               bool    `json:"broker_rack_aware,omitempty" jsonschema_description:"kafka_consumer: brokers use the rack-aware replica selector"`
}

type validateConfigCounts struct {
	Errors   int `json:"errors" jsonschema_description:"violations the service rejects or that cannot work"`
	Warnings int `json:"warnings" jsonschema_description:"accepted but likely wrong or costly"`
	Info     int `json:"info" jsonschema_description:"worth knowing; nothing to fix"`
}

type validateConfigOut struct {
	Kind         string                `json:"kind" jsonschema_description:"the kind validated"`
	Valid        bool                  `json:"valid" jsonschema_description:"false when any violation is an error"`
	EventSource  string                `json:"event_source,omitempty" jsonschema_description:"kind=esm: the source type the rules ran for"`
	Counts       validateConfigCounts  `json:"counts" jsonschema_description:"violations by severity, before truncation"`
	Violations   []rules.Violation     `json:"violations" jsonschema_description:"errors first, each with the field path, the fix and the documentation it comes from"`
	CheckedRules int                   `json:"checked_rules" jsonschema_description:"number of distinct rules evaluated"`
	Resources    []cfntemplate.Checked `json:"resources,omitempty" jsonschema_description:"kind=template: each mapping, SAM event, MSK cluster and Kinesis stream validated"`
	NotChecked   []cfntemplate.Checked `json:"not_checked,omitempty" jsonschema_description:"kind=template: resources no rule covers"`
	Truncated    bool                  `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

const (
	validateDefaultLimit = 50
	validateMaxLimit     = 500
	validateTextLines    = 15
)

// ValidateConfig checks an ESM, Kafka client, MSK cluster, Kinesis stream or
// whole template configuration against the cited limits and rules.
func ValidateConfig(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("validate_config",
		mcp.WithDescription("Returns valid and the violations (rule, severity, field, fix, URL) of a mapping, Kafka topic/client, MSK cluster, Kinesis stream, integration config or SAM/CloudFormation template. Use it before deploying; context enables cross-checks."),
		mcp.WithTitleAnnotation("Config: Validate"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[validateConfigIn](), schema.Output[validateConfigOut](), withEnum("kind", sortedKeys(validatePlugins())))
	h := func(ctx context.Context, _ mcp.CallToolRequest, in validateConfigIn) (*mcp.CallToolResult, error) {
		if msg := validateLive(ctx, d, &in); msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		out, msg := validateConfig(d, in)
		if msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		return mcp.NewToolResultStructured(out, validateConfigSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

// validateConfig runs the validator for the kind; a non-empty message is a
// tool error (bad input).
func validateConfig(d ReadDeps, in validateConfigIn) (validateConfigOut, string) {
	b := d.Guidance
	ctx := validateConfigContext{}
	if in.Context != nil {
		ctx = *in.Context
	}
	out := validateConfigOut{Kind: in.Kind}
	var vs []rules.Violation
	if p, ok := validatePlugins()[in.Kind]; ok {
		if in.Config == nil && strings.TrimSpace(in.Text) == "" {
			return out, fmt.Sprintf("kind=%s needs config (an object) or text", in.Kind)
		}
		res, err := p(integ.ValidateInput{Config: in.Config, Text: in.Text, Partitions: ctx.Partitions, Shards: ctx.Shards, AvgRecordBytes: ctx.AvgRecordBytes, Brokers: ctx.Brokers}, b)
		if errors.Is(err, integ.ErrInput) {
			return out, err.Error()
		}
		if err != nil {
			return out, fmt.Sprintf("%s validation failed: %v", in.Kind, err)
		}
		out.CheckedRules = len(res.Checked)
		return finishValidation(out, res.Violations, in.Limit), ""
	}
	if in.Text != "" {
		return out, fmt.Sprintf("text applies to kinds %s; kind=%s takes config (template: template)", strings.Join(textKinds(), ", "), in.Kind)
	}
	needConfig := func() string {
		if in.Config == nil {
			return fmt.Sprintf("kind=%s needs config (an object); send the configuration to check", in.Kind)
		}
		return ""
	}
	switch in.Kind {
	case "esm":
		if m := needConfig(); m != "" {
			return out, m
		}
		var src esm.SourceType
		if in.EventSource != "" {
			s, err := esm.ParseSourceType(in.EventSource)
			if err != nil {
				return out, err.Error()
			}
			src = s
		}
		res, err := esm.Validate(esm.Config(in.Config), esm.Options{Source: src, Context: esm.Context{
			FunctionTimeoutSeconds: ctx.FunctionTimeoutSeconds, QueueVisibilityTimeoutSeconds: ctx.QueueVisibilityTimeoutSeconds,
			Partitions: ctx.Partitions, Shards: ctx.Shards, AvgRecordBytes: ctx.AvgRecordBytes, AccountConcurrency: ctx.AccountConcurrency,
		}}, b)
		if errors.Is(err, esm.ErrUnknownSource) {
			return out, err.Error()
		}
		if err != nil {
			return out, "esm validation failed: " + err.Error()
		}
		vs, out.CheckedRules, out.EventSource = res.Violations, len(res.CheckedRules), string(res.Source)
	case "kafka_topic", "kafka_producer", "kafka_consumer":
		if m := needConfig(); m != "" {
			return out, m
		}
		var res kafkacfg.Result
		switch in.Kind {
		case "kafka_topic":
			res = kafkacfg.ValidateTopic(kafkacfg.Config(in.Config), kafkacfg.TopicContext{
				Brokers: ctx.Brokers, Consumers: ctx.Consumers, ProducerAcks: ctx.ProducerAcks, ProducerMaxRequestSize: ctx.ProducerMaxRequestSizeBytes,
				ConsumerFetchMaxBytes: ctx.ConsumerFetchMaxBytes, IngressMBps: ctx.IngressMBPerSecond, BrokerStorageGiB: ctx.BrokerStorageGiB, Serverless: ctx.MSKServerless,
			}, b)
		case "kafka_producer":
			res = kafkacfg.ValidateProducer(kafkacfg.Config(in.Config), kafkacfg.ProducerContext{TopicMaxMessageBytes: ctx.TopicMaxMessageBytes,
				TopicMinInsyncReplicas: ctx.TopicMinInsyncReplicas, TopicReplicationFactor: ctx.TopicReplicationFactor}, b)
		default:
			res = kafkacfg.ValidateConsumer(kafkacfg.Config(in.Config), kafkacfg.ConsumerContext{
				ProcessingMsPerRecord: ctx.ProcessingMsPerRecord, TopicMaxMessageBytes: ctx.TopicMaxMessageBytes,
				TransactionalProducer: ctx.TransactionalProducer, BrokerRackAware: ctx.BrokerRackAware,
			}, b)
		}
		vs, out.CheckedRules = res.Violations, len(res.CheckedRules)
	case "msk_cluster":
		if m := needConfig(); m != "" {
			return out, m
		}
		vs, out.CheckedRules = streamcfg.ValidateMSKCluster(in.Config, b), len(streamcfg.MSKClusterRuleIDs())
	case "kinesis_stream":
		if m := needConfig(); m != "" {
			return out, m
		}
		vs, out.CheckedRules = streamcfg.ValidateKinesisStream(in.Config, b), len(streamcfg.KinesisStreamRuleIDs())
	case "template":
		if strings.TrimSpace(in.Template) == "" {
			return out, "kind=template needs template (SAM or CloudFormation text, YAML or JSON)"
		}
		res, err := cfntemplate.Validate(in.Template, b)
		if err != nil {
			return out, err.Error() + "; send the full template text with a Resources section"
		}
		vs, out.CheckedRules, out.Resources, out.NotChecked = res.Violations, len(res.CheckedRules), res.Resources, res.NotChecked
		pvs, pchecked, presources, err := validateTemplatePlugins(in.Template, b)
		if err != nil {
			return out, err.Error()
		}
		vs, out.CheckedRules, out.Resources = append(vs, pvs...), out.CheckedRules+pchecked, append(out.Resources, presources...)
		out.NotChecked, vs = pluginCovered(out.NotChecked, vs, presources)
	default:
		return out, fmt.Sprintf("unknown kind %q; use esm, kafka_topic, kafka_producer, kafka_consumer, msk_cluster, kinesis_stream, template, %s", in.Kind, strings.Join(sortedKeys(validatePlugins()), ", "))
	}
	return finishValidation(out, vs, in.Limit), ""
}

// finishValidation sorts, counts and truncates the violations.
func finishValidation(out validateConfigOut, vs []rules.Violation, limit int) validateConfigOut {
	if vs == nil {
		vs = []rules.Violation{}
	}
	rules.Sort(vs)
	out.Valid = !rules.HasErrors(vs)
	for _, v := range vs {
		switch v.Severity {
		case rules.Error:
			out.Counts.Errors++
		case rules.Warning:
			out.Counts.Warnings++
		default:
			out.Counts.Info++
		}
	}
	if limit <= 0 {
		limit = validateDefaultLimit
	}
	limit = min(limit, validateMaxLimit)
	if len(vs) > limit {
		vs, out.Truncated = vs[:limit], true
	}
	out.Violations = vs
	return out
}

// validateConfigSummary lists errors first, each with its fix.
func validateConfigSummary(out validateConfigOut) string {
	var sb strings.Builder
	verdict := "valid"
	if !out.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(&sb, "%s %s: %d errors, %d warnings, %d info (%d rules checked)", out.Kind, verdict, out.Counts.Errors, out.Counts.Warnings, out.Counts.Info, out.CheckedRules)
	if out.EventSource != "" {
		fmt.Fprintf(&sb, " as %s", out.EventSource)
	}
	sb.WriteString("\n")
	if len(out.NotChecked) > 0 {
		names := make([]string, 0, len(out.NotChecked))
		for _, c := range out.NotChecked {
			names = append(names, c.Path+" ("+c.Type+")")
		}
		fmt.Fprintf(&sb, "Not checked (no rules for these types): %s\n", strings.Join(names, ", "))
	}
	for i, v := range out.Violations {
		if i == validateTextLines {
			fmt.Fprintf(&sb, "... %d more in structured content\n", len(out.Violations)-i)
			break
		}
		fmt.Fprintf(&sb, "- %s %s: %s\n  fix: %s\n", strings.ToUpper(string(v.Severity)), v.Field, v.Message, v.Fix)
	}
	if out.Truncated {
		sb.WriteString("(truncated: raise limit to see all)\n")
	}
	return sb.String()
}

// pluginCovered removes from notChecked the resources a validation plugin
// checked, and drops the "nothing was checked" finding when a plugin
// checked something.
func pluginCovered(notChecked []cfntemplate.Checked, vs []rules.Violation, plugin []cfntemplate.Checked) ([]cfntemplate.Checked, []rules.Violation) {
	if len(plugin) == 0 {
		return notChecked, vs
	}
	done := map[string]bool{}
	for _, c := range plugin {
		done[c.Path] = true
	}
	var nc []cfntemplate.Checked
	for _, c := range notChecked {
		if !done[c.Path] {
			nc = append(nc, c)
		}
	}
	var kept []rules.Violation
	for _, v := range vs {
		if v.RuleID != "cfn.resource.not_checked" {
			kept = append(kept, v)
		}
	}
	return nc, kept
}
