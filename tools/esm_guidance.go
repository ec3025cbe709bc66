package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/esmview"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type esmGuidanceIn struct {
	EventSource            string         `json:"event_source" jsonschema:"enum=kinesis,enum=dynamodb,enum=sqs,enum=sqs_fifo,enum=msk,enum=self_managed_kafka" jsonschema_description:"the event source kind"`
	GuidanceType           string         `json:"guidance_type,omitempty" jsonschema:"enum=setup,enum=networking,enum=permissions,enum=troubleshooting" jsonschema_description:"what to guide; default setup"`
	Auth                   string         `json:"auth,omitempty" jsonschema:"enum=iam,enum=sasl_scram_512,enum=sasl_scram_256,enum=sasl_plain,enum=mtls,enum=none" jsonschema_description:"Kafka authentication; MSK defaults to iam"`
	PollerMode             string         `json:"poller_mode,omitempty" jsonschema:"enum=on_demand,enum=provisioned" jsonschema_description:"SQS and Kafka only; decides whether NAT or VPC endpoints are needed"`
	IaCFormat              string         `json:"iac_format,omitempty" jsonschema:"enum=sam,enum=cloudformation,enum=terraform" jsonschema_description:"format of generated templates; default sam"`
	FunctionName           string         `json:"function_name,omitempty" jsonschema_description:"function name or ARN (an ARN also scopes the log statement)"`
	EventSourceArn         string         `json:"event_source_arn,omitempty" jsonschema_description:"stream, stream consumer, table stream, queue, MSK cluster or MSK VPC connection ARN"`
	ClusterArn             string         `json:"cluster_arn,omitempty" jsonschema_description:"MSK cluster ARN when event_source_arn is a VPC connection (its UUID scopes topic and group ARNs)"`
	Topic                  string         `json:"topic,omitempty" jsonschema_description:"Kafka topic"`
	GroupID                string         `json:"group_id,omitempty" jsonschema_description:"Kafka consumer group ID for the mapping (ConsumerGroupId)"`
	BootstrapServers       string         `json:"bootstrap_servers,omitempty" jsonschema_description:"self-managed Kafka: comma-separated host:port"`
	SecretArn              string         `json:"secret_arn,omitempty" jsonschema_description:"Secrets Manager ARN of SCRAM/PLAIN credentials or the mTLS client certificate (never the secret itself)"`
	RootCASecretArn        string         `json:"root_ca_secret_arn,omitempty" jsonschema_description:"self-managed Kafka: secret holding a private root CA"`
	KMSKeyArns             []string       `json:"kms_key_arns,omitempty" jsonschema_description:"customer managed KMS keys of the stream, queue or secret"`
	OnFailureDestination   string         `json:"on_failure_destination,omitempty" jsonschema_description:"SQS, SNS or S3 ARN, or kafka://TOPIC"`
	SchemaRegistryArn      string         `json:"schema_registry_arn,omitempty" jsonschema_description:"Glue schema registry ARN (Kafka, provisioned mode)"`
	SubnetIDs              []string       `json:"subnet_ids,omitempty" jsonschema_description:"self-managed Kafka: the mapping's subnets"`
	SecurityGroupIDs       []string       `json:"security_group_ids,omitempty" jsonschema_description:"MSK: the cluster's security groups; self-managed Kafka: the mapping's"`
	ClientAccount          string         `json:"client_account,omitempty" jsonschema_description:"MSK cross-account: the Lambda function's account, for the cluster policy"`
	Region                 string         `json:"region,omitempty" jsonschema_description:"AWS Region code, e.g. us-east-1, us-gov-west-1, cn-north-1"`
	CreateFunction         bool           `json:"create_function,omitempty" jsonschema_description:"setup: also create the function (Python starter handler) and its role in one deployable stack"`
	CreateSource           bool           `json:"create_source,omitempty" jsonschema_description:"setup: also create the SQS queue with its DLQ, or the Kinesis stream, named by event_source_arn"`
	FunctionTimeoutSeconds int            `json:"function_timeout_seconds,omitempty" jsonschema:"minimum=1,maximum=86400" jsonschema_description:"the function timeout in seconds (at most Lambda's maximum); sets a new function's timeout and a new queue's visibility timeout from it"`
	ESMUUID                string         `json:"esm_uuid,omitempty" jsonschema_description:"a live mapping: its function, ARNs, topic, group, auth, subnets and security groups fill the answer, and where it departs from the guidance is flagged"`
	Artifacts              []string       `json:"artifacts,omitempty" jsonschema_description:"artifact names to return in full, or all; default: those that fit the answer"`
	Detail                 string         `json:"detail,omitempty" jsonschema:"enum=summary,enum=full" jsonschema_description:"summary (default: long step details cut to fit) or full"`
	LiveConfig             map[string]any `json:"live_config,omitempty" jsonschema_description:"the live mapping's configuration in Lambda API names (from esm_inspect or get-event-source-mapping), compared against the guidance"`
}

type esmGuidanceOut struct {
	EventSource     string         `json:"event_source" jsonschema_description:"the event source the guidance is for"`
	GuidanceType    string         `json:"guidance_type" jsonschema_description:"setup, networking, permissions or troubleshooting"`
	Steps           []guide.Step   `json:"steps" jsonschema_description:"ordered steps; decisions carry a recommendation and why"`
	Artifacts       []iac.Artifact `json:"artifacts" jsonschema_description:"generated IaC, IAM policies, security group rules and scripts"`
	Checks          []guide.Check  `json:"checks" jsonschema_description:"what to verify afterwards and the tool that verifies it"`
	Troubleshooting []guide.Row    `json:"troubleshooting,omitempty" jsonschema_description:"symptom, cause, check, fix and the live tool per row"`
	Departures      []string       `json:"departures,omitempty" jsonschema_description:"where the live mapping departs from the guidance"`
	LiveFindings    []string       `json:"live_findings,omitempty" jsonschema_description:"troubleshooting with esm_uuid: what the live diagnosis (the esm_inspect rules) found, worst first"`
	Warnings        []string       `json:"warnings,omitempty" jsonschema_description:"what could not be done with the given inputs"`
	References      []string       `json:"references" jsonschema_description:"AWS documentation pages behind the answer"`
	LeftOut         []artifactRef  `json:"artifacts_left_out,omitempty" jsonschema_description:"artifacts not in this answer"`
	Next            string         `json:"next,omitempty" jsonschema_description:"how to get what was left out"`
	Truncated       bool           `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// EsmGuidance answers setup, networking, permissions and troubleshooting
// questions for an event source mapping, with generated artifacts.
func EsmGuidance(d ReadDeps) server.ServerTool {
	eng := guide.New(d.Guidance)
	t := mcp.NewTool("esm_guidance",
		mcp.WithDescription("Returns steps, decisions with reasons, artifacts (SAM/CloudFormation/Terraform, least-privilege IAM, security-group rules, scripts) and checks for a Lambda event source mapping (Kinesis, DynamoDB, SQS, MSK, Kafka). Use it to set up, network, permit or troubleshoot a mapping; ARNs make artifacts exact."),
		mcp.WithTitleAnnotation("ESM: Guidance"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[esmGuidanceIn](), schema.Output[esmGuidanceOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in esmGuidanceIn) (*mcp.CallToolResult, error) {
		if max := d.Guidance.Int("lambda.function.timeout.max_seconds"); in.FunctionTimeoutSeconds > max {
			return mcp.NewToolResultError(fmt.Sprintf("function_timeout_seconds %d exceeds Lambda's maximum of %d seconds; send at most %d", in.FunctionTimeoutSeconds, max, max)), nil
		}
		// Duplicates are dropped and the lists capped at the API's own
		// limits before anything reads them: 40,000 repeated security
		// groups once cost 10 s and 2.7 GB.
		var err error
		if in.SecurityGroupIDs, err = distinctIDs("security_group_ids", in.SecurityGroupIDs, d.Guidance.Int("lambda.vpc.security_groups.max"), d.Guidance.Source("lambda.vpc.security_groups.max")); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if in.SubnetIDs, err = distinctIDs("subnet_ids", in.SubnetIDs, d.Guidance.Int("lambda.vpc.subnets.max"), d.Guidance.Source("lambda.vpc.subnets.max")); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		req, warnings, err := in.request()
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		var live []string
		if in.ESMUUID != "" {
			if d.AWS == nil {
				warnings = append(warnings, "esm_uuid given but no AWS access is configured; answered from the inputs only.")
			} else {
				var w []string
				w, live = esmview.Tailor(ctx, d.AWS, d.Guidance, in.ESMUUID, &req)
				warnings = append(warnings, w...)
			}
		}
		res, err := eng.Guide(req)
		if errors.Is(err, iac.ErrInvalid) {
			return mcp.NewToolResultError(err.Error() + "; fix the value and call esm_guidance again"), nil
		}
		if err != nil {
			return nil, err
		}
		out := esmGuidanceOut{EventSource: string(req.Source), GuidanceType: req.Type,
			Checks: res.Checks, Troubleshooting: res.Troubleshooting, Departures: res.Departures, LiveFindings: live, Warnings: warnings, References: res.References, Steps: res.Steps}
		brief := fitSteps(&out.Steps, in.Detail, func() int { raw, _ := json.Marshal(out); return len(raw) })
		if msg := out.selectArtifacts(res.Artifacts, in.Artifacts); msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		if brief {
			out.Next = strings.TrimPrefix(out.Next+"; "+briefNote, "; ")
		}
		return mcp.NewToolResultStructured(out, esmGuidanceSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func (in esmGuidanceIn) request() (guide.Request, []string, error) {
	r := guide.Request{
		Source: iac.Source(in.EventSource), Type: in.GuidanceType, Auth: iac.Auth(in.Auth), PollerMode: in.PollerMode,
		FunctionName: in.FunctionName, EventSourceArn: in.EventSourceArn, ClusterArn: in.ClusterArn, Topic: in.Topic,
		ConsumerGroupID: in.GroupID, SecretArn: in.SecretArn, RootCASecretArn: in.RootCASecretArn, KMSKeyArns: in.KMSKeyArns,
		OnFailureDestination: in.OnFailureDestination, SchemaRegistryArn: in.SchemaRegistryArn, SubnetIDs: in.SubnetIDs,
		SecurityGroupIDs: in.SecurityGroupIDs, ClientAccount: in.ClientAccount, Region: in.Region,
		CreateFunction: in.CreateFunction, CreateSource: in.CreateSource,
	}
	if in.FunctionTimeoutSeconds > 0 {
		r.FunctionTimeoutSeconds = &in.FunctionTimeoutSeconds
	}
	if r.Type == "" {
		r.Type = guide.TypeSetup
	}
	var warnings []string
	if in.IaCFormat != "" {
		f, err := iac.ParseFormat(in.IaCFormat)
		if err != nil {
			return r, nil, err
		}
		r.Format = f
	}
	if in.BootstrapServers != "" {
		for _, s := range strings.Split(in.BootstrapServers, ",") {
			if s = strings.TrimSpace(s); s != "" {
				r.BootstrapServers = append(r.BootstrapServers, s)
			}
		}
	}
	if len(in.LiveConfig) > 0 {
		var live iac.ESM
		raw, err := json.Marshal(in.LiveConfig)
		if err != nil {
			return r, nil, fmt.Errorf("live_config: %v", err)
		}
		if err := json.Unmarshal(raw, &live); err != nil {
			return r, nil, fmt.Errorf("live_config is not an event source mapping configuration in Lambda API names: %v", err)
		}
		live.Source = r.Source
		r.Live = &live
	}
	return r, warnings, nil
}

func esmGuidanceSummary(o esmGuidanceOut) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d steps, %d artifacts, %d checks", o.EventSource, o.GuidanceType, len(o.Steps), len(o.Artifacts), len(o.Checks))
	if len(o.Troubleshooting) > 0 {
		fmt.Fprintf(&b, ", %d troubleshooting rows", len(o.Troubleshooting))
	}
	if len(o.Departures) > 0 {
		fmt.Fprintf(&b, "; live mapping departs from guidance: %s", strings.Join(o.Departures, " "))
	}
	for _, s := range o.Steps {
		if s.Decision != nil {
			fmt.Fprintf(&b, "\n- %s: %s (%s)", s.Decision.Choice, s.Decision.Recommendation, s.Decision.Why)
		}
	}
	for _, r := range o.Troubleshooting {
		fmt.Fprintf(&b, "\n- %s: %s → %s", r.Symptom, r.Cause, r.Fix)
	}
	for _, a := range o.Artifacts {
		fmt.Fprintf(&b, "\n- artifact %s (%s, %s)", a.Name, a.Kind, a.Format)
	}
	return b.String()
}

// distinctIDs drops duplicates (keeping the first) and refuses more than max
// distinct values, naming the field and the limit's source.
func distinctIDs(field string, ids []string, max int, source string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > max {
		return nil, fmt.Errorf("%s has %d distinct values; AWS allows at most %d (%s); send only the ones the mapping uses", field, len(out), max, source)
	}
	return out, nil
}

// selectArtifacts fills the answer's artifacts with fitArtifacts.
func (o *esmGuidanceOut) selectArtifacts(all []iac.Artifact, want []string) string {
	var msg string
	o.Artifacts, o.LeftOut, o.Next, msg = fitArtifacts(all, want, func(kept []iac.Artifact) int {
		c := *o
		c.Artifacts = kept
		raw, _ := json.Marshal(c)
		return len(raw)
	})
	return msg
}
