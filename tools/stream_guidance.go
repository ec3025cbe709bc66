package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/livecheck"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/streamguide"
)

type streamGuidanceIn struct {
	Topic            string         `json:"topic" jsonschema_description:"the integration"`
	GuidanceType     string         `json:"guidance_type,omitempty" jsonschema:"enum=setup,enum=networking,enum=permissions,enum=troubleshooting" jsonschema_description:"default setup"`
	Source           string         `json:"source,omitempty" jsonschema:"enum=msk,enum=msk_serverless,enum=kinesis,enum=self_managed_kafka" jsonschema_description:"the stream read; default the topic's first"`
	Auth             string         `json:"auth,omitempty" jsonschema:"enum=iam,enum=sasl_scram_512,enum=sasl_scram_256,enum=sasl_plain,enum=mtls,enum=none" jsonschema_description:"Kafka authentication"`
	IaCFormat        string         `json:"iac_format,omitempty" jsonschema:"enum=sam,enum=cloudformation,enum=terraform" jsonschema_description:"default sam"`
	Region           string         `json:"region,omitempty" jsonschema_description:"AWS Region code"`
	Account          string         `json:"account,omitempty" jsonschema_description:"account that runs the integration"`
	SourceArn        string         `json:"source_arn,omitempty" jsonschema_description:"Kinesis stream or MSK cluster ARN"`
	KafkaTopic       string         `json:"kafka_topic,omitempty" jsonschema_description:"Kafka topic"`
	GroupID          string         `json:"group_id,omitempty" jsonschema_description:"Kafka consumer group"`
	BootstrapServers string         `json:"bootstrap_servers,omitempty" jsonschema_description:"comma-separated host:port"`
	SecretArn        string         `json:"secret_arn,omitempty" jsonschema_description:"Secrets Manager ARN of Kafka credentials"`
	KMSKeyArns       []string       `json:"kms_key_arns,omitempty" jsonschema_description:"customer managed KMS keys involved"`
	SubnetIDs        []string       `json:"subnet_ids,omitempty" jsonschema_description:"the integration's subnets"`
	SecurityGroupIDs []string       `json:"security_group_ids,omitempty" jsonschema_description:"the integration's or cluster's security groups"`
	RoleArns         []string       `json:"role_arns,omitempty" jsonschema_description:"IAM roles, in chain order"`
	TargetArn        string         `json:"target_arn,omitempty" jsonschema_description:"destination or warehouse ARN"`
	Name             string         `json:"name,omitempty" jsonschema_description:"name of what to create"`
	ClientAccount    string         `json:"client_account,omitempty" jsonschema_description:"cross-account: the consuming account"`
	Options          map[string]any `json:"options,omitempty" jsonschema_description:"topic-specific fields; an unknown one is answered with the topic's list"`
	Artifacts        []string       `json:"artifacts,omitempty" jsonschema_description:"artifact names to return in full, or all; default: those that fit the answer"`
	Detail           string         `json:"detail,omitempty" jsonschema:"enum=summary,enum=full" jsonschema_description:"summary (default: long step details cut to fit) or full"`
}

type streamGuidanceOut struct {
	Topic           string            `json:"topic" jsonschema_description:"the integration"`
	GuidanceType    string            `json:"guidance_type" jsonschema_description:"the guidance type"`
	Source          string            `json:"source,omitempty" jsonschema_description:"the stream read"`
	Options         []string          `json:"options,omitempty" jsonschema_description:"option names this topic accepts"`
	Steps           []guide.Step      `json:"steps" jsonschema_description:"ordered steps; decisions carry a recommendation and why"`
	Artifacts       []iac.Artifact    `json:"artifacts" jsonschema_description:"IaC, IAM and cluster policies, SG rules, SQL, scripts"`
	Checks          []guide.Check     `json:"checks" jsonschema_description:"what to verify afterwards"`
	Troubleshooting []guide.Row       `json:"troubleshooting,omitempty" jsonschema_description:"symptom, cause, check, fix"`
	Warnings        []string          `json:"warnings,omitempty" jsonschema_description:"what the inputs did not allow"`
	References      []string          `json:"references" jsonschema_description:"documentation URLs"`
	LeftOut         []artifactRef     `json:"artifacts_left_out,omitempty" jsonschema_description:"artifacts not in this answer"`
	Next            string            `json:"next,omitempty" jsonschema_description:"how to get what was left out"`
	Live            []livecheck.Check `json:"live,omitempty" jsonschema_description:"live checks of the named pipeline or stream"`
	Truncated       bool              `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit"`
}

// StreamGuidance answers setup, networking, permissions and troubleshooting
// questions for the services around the streams, through the topic
// registry of internal/streamguide (the esm_guidance engine's second door).
func StreamGuidance(d ReadDeps) server.ServerTool {
	reg := streamguide.New(d.Guidance)
	t := mcp.NewTool("stream_guidance",
		mcp.WithDescription("Returns steps, decisions, artifacts (IaC, IAM and cluster policies, security-group rules, SQL) and checks for an integration around Kinesis or Kafka (Redshift, OpenSearch Ingestion, Firehose, Glue, Flink, KCL, MSK ops, ...). Use it to set up, network, permit or troubleshoot one."),
		mcp.WithTitleAnnotation("Integrations: Guidance"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[streamGuidanceIn](), schema.Output[streamGuidanceOut](),
		withEnum("topic", reg.Names()))
	h := func(ctx context.Context, _ mcp.CallToolRequest, in streamGuidanceIn) (*mcp.CallToolResult, error) {
		req, err := in.request()
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		var live []livecheck.Check
		var warnings []string
		if in.GuidanceType == guide.TypeTroubleshooting {
			live, warnings = liveChecks(ctx, d, req)
		}
		res, err := reg.Guide(req)
		if errors.Is(err, iac.ErrInvalid) && len(live) > 0 {
			// The live checks stand on their own; the static guidance
			// needs more inputs.
			warnings = append(warnings, "guidance not built: "+err.Error())
			err, res = nil, streamguide.Result{}
		}
		if errors.Is(err, iac.ErrInvalid) {
			return mcp.NewToolResultError(err.Error() + "; fix the value and call stream_guidance again"), nil
		}
		if err != nil {
			return nil, err
		}
		tp, _ := reg.Topic(req.Topic)
		src := in.Source
		if src == "" && len(tp.Sources) > 0 {
			src = string(tp.Sources[0])
		}
		gt := in.GuidanceType
		if gt == "" {
			gt = guide.TypeSetup
		}
		out := streamGuidanceOut{Topic: req.Topic, GuidanceType: gt, Source: src, Options: tp.Options, Steps: res.Steps, Artifacts: res.Artifacts,
			Checks: res.Checks, Troubleshooting: res.Troubleshooting, References: res.References}
		out.Live, out.Warnings = live, warnings
		var msg string
		out.Artifacts = []iac.Artifact{}
		brief := fitSteps(&out.Steps, in.Detail, func() int { raw, _ := json.Marshal(out); return len(raw) })
		out.Artifacts, out.LeftOut, out.Next, msg = fitArtifacts(res.Artifacts, in.Artifacts, func(kept []iac.Artifact) int {
			c := out
			c.Artifacts = kept
			raw, _ := json.Marshal(c)
			return len(raw)
		})
		if msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		if brief {
			out.Next = strings.TrimPrefix(out.Next+"; "+briefNote, "; ")
		}
		return mcp.NewToolResultStructured(out, streamGuidanceSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

// liveChecks reads and judges the live pipeline (option pipeline_name) or
// delivery stream (option delivery_stream_name) a troubleshooting request
// names.
func liveChecks(ctx context.Context, d ReadDeps, req streamguide.Request) ([]livecheck.Check, []string) {
	pipe, _ := req.Options["pipeline_name"].(string)
	stream, _ := req.Options["delivery_stream_name"].(string)
	if pipe == "" && stream == "" {
		return nil, nil
	}
	if d.AWS == nil {
		return nil, []string{"a live resource was named but no AWS access is configured; answered from the inputs only."}
	}
	l := livecheck.Live{Client: d.AWS, Now: time.Now(),
		Metrics: aws.MetricsOptions{CallTimeout: d.AWS.Options().CallTimeout, TrendZ: d.Guidance.Num("metrics.trend.z_critical")}}
	var out []livecheck.Check
	if pipe != "" && req.Topic == "opensearch_ingestion" {
		out = append(out, l.OSI(ctx, pipe)...)
	}
	if stream != "" && req.Topic == "firehose" {
		out = append(out, l.Firehose(ctx, stream)...)
	}
	return out, nil
}

func (in streamGuidanceIn) request() (streamguide.Request, error) {
	r := streamguide.Request{Topic: in.Topic, Type: in.GuidanceType, Source: streamguide.Source(in.Source), Auth: iac.Auth(in.Auth),
		Region: in.Region, Account: in.Account, SourceArn: in.SourceArn, KafkaTopic: in.KafkaTopic, GroupID: in.GroupID,
		SecretArn: in.SecretArn, KMSKeyArns: in.KMSKeyArns, SubnetIDs: in.SubnetIDs, SecurityGroupIDs: in.SecurityGroupIDs,
		RoleArns: in.RoleArns, TargetArn: in.TargetArn, Name: in.Name, ClientAccount: in.ClientAccount, Options: in.Options}
	if in.IaCFormat != "" {
		f, err := iac.ParseFormat(in.IaCFormat)
		if err != nil {
			return r, err
		}
		r.Format = f
	}
	for _, s := range strings.Split(in.BootstrapServers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			r.BootstrapServers = append(r.BootstrapServers, s)
		}
	}
	return r, nil
}

func streamGuidanceSummary(o streamGuidanceOut) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", o.Topic, o.GuidanceType)
	if o.Source != "" {
		fmt.Fprintf(&b, " from %s", o.Source)
	}
	fmt.Fprintf(&b, ": %d steps, %d artifacts, %d checks", len(o.Steps), len(o.Artifacts), len(o.Checks))
	if len(o.Options) > 0 {
		fmt.Fprintf(&b, " (options: %s)", strings.Join(o.Options, ", "))
	}
	for _, s := range o.Steps {
		fmt.Fprintf(&b, "\n- %s", s.Title)
		if s.Decision != nil {
			fmt.Fprintf(&b, " — %s: %s (%s)", s.Decision.Choice, s.Decision.Recommendation, s.Decision.Why)
		}
	}
	for _, c := range o.Live {
		fmt.Fprintf(&b, "\n- live %s: %s (%s)", c.Status, c.Name, c.Detail)
		if c.Action != "" {
			fmt.Fprintf(&b, " → %s", c.Action)
		}
	}
	for _, r := range o.Troubleshooting {
		fmt.Fprintf(&b, "\n- %s → %s", r.Symptom, r.Fix)
	}
	for _, a := range o.Artifacts {
		fmt.Fprintf(&b, "\n- artifact %s (%s, %s)", a.Name, a.Kind, a.Format)
	}
	return b.String()
}
