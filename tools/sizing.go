package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/procsize"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

type sizingIn struct {
	Service string `json:"service" jsonschema:"enum=msk,enum=msk_express,enum=msk_serverless,enum=kinesis,enum=lambda_esm" jsonschema_description:"what to size: msk (Standard brokers), msk_express, msk_serverless (fit check), kinesis (shards and capacity mode) or lambda_esm (concurrency, pollers)"`
	sizing.Workload
	IaCFormat        string        `json:"iac_format,omitempty" jsonschema:"enum=sam,enum=cloudformation,enum=terraform" jsonschema_description:"msk, msk_express, kinesis: also render the recommended cluster or stream as a template in this format"`
	Cluster          string        `json:"cluster,omitempty" jsonschema_description:"with iac_format, msk/msk_express: name of the cluster the template creates (default msk-cluster)"`
	StreamName       string        `json:"stream_name,omitempty" jsonschema_description:"with iac_format, kinesis: name of the stream the template creates (default kinesis-stream)"`
	SubnetIDs        []string      `json:"subnet_ids,omitempty" jsonschema_description:"with iac_format, msk/msk_express: the cluster's client subnets, one per AZ; omitted = a template parameter"`
	SecurityGroupIDs []string      `json:"security_group_ids,omitempty" jsonschema_description:"with iac_format, msk/msk_express: the brokers' security groups; omitted = a template parameter"`
	Auth             string        `json:"auth,omitempty" jsonschema:"enum=iam,enum=sasl_scram_512,enum=mtls" jsonschema_description:"with iac_format, msk/msk_express: client authentication the cluster enables; default iam"`
	KafkaVersion     string        `json:"kafka_version,omitempty" jsonschema_description:"with iac_format, msk/msk_express: Kafka version, e.g. 3.8.x; default the version MSK recommends"`
	Topics           []integ.Topic `json:"topics,omitempty" jsonschema_description:"integrations: topics (or streams) read"`
	Target           string        `json:"target,omitempty" jsonschema:"enum=serverless,enum=provisioned" jsonschema_description:"integrations: deployment type"`
	integ.Processor
}

type sizingOut struct {
	sizing.Result
	Artifacts       []iac.Artifact `json:"artifacts,omitempty" jsonschema_description:"with iac_format: the recommended MSK cluster or Kinesis stream as a template"`
	TemplateSkipped string         `json:"template_skipped,omitempty" jsonschema_description:"with iac_format: why no template was generated for this service"`
	Truncated       bool           `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// Sizing sizes MSK, Kinesis and Lambda event source mappings from a workload
// and shows the arithmetic.
func Sizing(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("sizing",
		mcp.WithDescription("Returns a capacity recommendation for the service with the binding constraint, every arithmetic step, alternatives, and with iac_format a template. Use it before creating or resizing; rates are MB/s (10^6 bytes) and records/s."),
		mcp.WithTitleAnnotation("Sizing: Calculate"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[sizingIn](), schema.Output[sizingOut](), withEnum("service", sortedKeys(sizingPlugins())))
	plugins := sizingPlugins()
	h := func(_ context.Context, req mcp.CallToolRequest, in sizingIn) (*mcp.CallToolResult, error) {
		if msg := sizingRangeError(req.GetArguments()); msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		if msg := sizingTemplateInputError(in); msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		if p, ok := plugins[in.Service]; ok {
			return sizePlugin(p, in, d)
		}
		if in.Processor.Set() {
			return mcp.NewToolResultError(fmt.Sprintf("glue_version, worker_type, cores_needed, parallelism, kpu, workers and the other processor fields apply to %s, not %s", strings.Join(procsize.Services(), ", "), in.Service)), nil
		}
		if len(in.Topics) > 0 || in.Target != "" {
			return mcp.NewToolResultError(fmt.Sprintf("topics and target apply to the integration services (%s), not %s", strings.Join(sortedKeys(plugins), ", "), in.Service)), nil
		}
		res, err := sizing.Size(in.Service, in.Workload, d.Guidance)
		if errors.Is(err, sizing.ErrInput) {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err != nil {
			return nil, err
		}
		out := sizingOut{Result: res}
		if in.IaCFormat != "" {
			f, err := iac.ParseFormat(in.IaCFormat)
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			a, err := sizing.Template(res, in.Workload, sizing.TemplateInput{Format: f, Cluster: in.Cluster, StreamName: in.StreamName,
				SubnetIDs: in.SubnetIDs, SecurityGroupIDs: in.SecurityGroupIDs, Auth: in.Auth, KafkaVersion: in.KafkaVersion}, d.Guidance)
			switch {
			case errors.Is(err, sizing.ErrNoTemplate):
				out.TemplateSkipped = err.Error()
			case errors.Is(err, sizing.ErrInput) || errors.Is(err, iac.ErrInvalid):
				return mcp.NewToolResultError(err.Error()), nil
			case err != nil:
				return nil, err
			default:
				out.Artifacts = []iac.Artifact{a}
			}
		}
		return mcp.NewToolResultStructured(out, sizingSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

// sizePlugin runs an integration's sizing service; they render no template.
func sizePlugin(p sizingPlugin, in sizingIn, d ReadDeps) (*mcp.CallToolResult, error) {
	if in.IaCFormat != "" {
		return mcp.NewToolResultError(fmt.Sprintf("iac_format applies to msk, msk_express and kinesis; for %s get templates from stream_guidance", in.Service)), nil
	}
	res, err := p(integ.SizeInput{Workload: in.Workload, Topics: in.Topics, Target: in.Target, Processor: in.Processor}, d.Guidance)
	if errors.Is(err, sizing.ErrInput) || errors.Is(err, integ.ErrInput) {
		return mcp.NewToolResultError(err.Error()), nil
	}
	if err != nil {
		return nil, err
	}
	out := sizingOut{Result: res}
	return mcp.NewToolResultStructured(out, sizingSummary(out)), nil
}

// sizingTemplateInputError rejects template inputs that do nothing for the
// request, so a misplaced name is not silently dropped.
func sizingTemplateInputError(in sizingIn) string {
	cluster := in.Cluster != "" || len(in.SubnetIDs) > 0 || len(in.SecurityGroupIDs) > 0 || in.Auth != "" || in.KafkaVersion != ""
	switch {
	case in.IaCFormat == "" && (cluster || in.StreamName != ""):
		return "cluster, stream_name, subnet_ids, security_group_ids, auth and kafka_version shape the generated template; send iac_format (sam, cloudformation or terraform) with them, or drop them"
	case cluster && in.Service != "msk" && in.Service != "msk_express":
		return fmt.Sprintf("cluster, subnet_ids, security_group_ids, auth and kafka_version apply to service msk or msk_express, not %s", in.Service)
	case in.StreamName != "" && in.Service != "kinesis":
		return fmt.Sprintf("stream_name applies to service kinesis, not %s; name a cluster with cluster", in.Service)
	}
	return ""
}

// sizingSummarySteps is how many calculation steps the text summary shows
// (our policy; the structured output has them all).
const sizingSummarySteps = 6

func sizingSummary(o sizingOut) string {
	r := o.Result
	var sb strings.Builder
	fmt.Fprintf(&sb, "**%s**: %s\n\nBinding constraint: %s.\n", r.Service, r.Recommendation.Summary, r.BindingConstraint)
	n := 0
	for _, s := range r.Calculation {
		if n == sizingSummarySteps {
			fmt.Fprintf(&sb, "- … %d more steps in structured output\n", len(r.Calculation)-n)
			break
		}
		fmt.Fprintf(&sb, "- %s: %s = %g %s\n", s.Step, s.Formula, s.Result, s.Unit)
		n++
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&sb, "- ⚠ %s\n", w)
	}
	for _, a := range o.Artifacts {
		fmt.Fprintf(&sb, "\nTemplate: %s (%s, %d bytes) in structured output.\n", a.Name, a.Format, len(a.Content))
	}
	if o.TemplateSkipped != "" {
		fmt.Fprintf(&sb, "\nNo template: %s\n", o.TemplateSkipped)
	}
	return sb.String()
}
