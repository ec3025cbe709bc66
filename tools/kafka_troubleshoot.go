package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
	"github.com/stream-mcp/stream-mcp/internal/judge"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafkadiag"
	"github.com/stream-mcp/stream-mcp/internal/lag"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type kafkaTroubleshootIn struct {
	Mode    string `json:"mode" jsonschema:"enum=diagnosis,enum=resolution" jsonschema_description:"diagnosis: run the checks against the live target; resolution: the steps that fix issue_category, filled in with the target's names, ports and ARNs"`
	ESMUUID string `json:"esm_uuid,omitempty" jsonschema_description:"a Lambda Kafka event source mapping (MSK or self-managed) to diagnose end to end"`
	kafkaTargetIn
	kafkaClientPositionIn
	Topic         string `json:"topic,omitempty" jsonschema_description:"topic to check (existence, partitions, authorization)"`
	GroupID       string `json:"group_id,omitempty" jsonschema_description:"consumer group to check (members, lag verdicts); a Lambda ESM's group is its UUID unless ConsumerGroupId is set"`
	IssueCategory string `json:"issue_category,omitempty" jsonschema:"enum=network,enum=authentication,enum=authorization,enum=lambda_unreachable,enum=sts_unreachable,enum=destination_unreachable,enum=broker_health,enum=topic,enum=consumer_lag,enum=throttling,enum=configuration,enum=function_error" jsonschema_description:"mode=resolution: the category to resolve (diagnosis reports one)"`
	SampleSeconds *int   `json:"sample_seconds,omitempty" jsonschema:"minimum=0,maximum=60" jsonschema_description:"lag sampling window for the group check, seconds (default 10; 0 = one snapshot, no trend)"`
	Detail        string `json:"detail,omitempty" jsonschema:"enum=summary,enum=full" jsonschema_description:"diagnosis: summary (default; raw evidence left out when large) or full"`
}

type kafkaTroubleshootOut struct {
	Mode            string              `json:"mode" jsonschema_description:"diagnosis or resolution"`
	Target          string              `json:"target" jsonschema_description:"what was diagnosed"`
	Category        string              `json:"category" jsonschema_description:"the primary issue category found (first failing check), or none"`
	Findings        []diagnose.Finding  `json:"findings" jsonschema_description:"problems found, most severe first, each with evidence, remediation and a reference"`
	Checks          []diagnose.Check    `json:"checks" jsonschema_description:"every check in causal order with pass, fail, warn, unknown (evidence missing, with why) or skipped"`
	ResolutionSteps []string            `json:"resolution_steps" jsonschema_description:"steps that fix the (primary or given) category, concrete with the target's names, ports and ARNs"`
	Evidence        *kafkadiag.Evidence `json:"evidence,omitempty" jsonschema_description:"the probe, cluster health and lag summary the checks judged"`
	ESM             *judge.Facts        `json:"esm_evidence,omitempty" jsonschema_description:"esm_uuid: auth, port, network IDs, role, filter patterns, SG rules, error lines, changes and the AWS reads that failed"`
	LeftOut         []string            `json:"left_out,omitempty" jsonschema_description:"parts not in this answer"`
	Next            string              `json:"next,omitempty" jsonschema_description:"how to get what was left out"`
	Truncated       bool                `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// fit keeps a default diagnosis within answerTarget: the raw evidence goes first, then the mapping's
// facts; the checks and findings, which judge that evidence and quote it,
// always stay. detail=full keeps everything.
func (o *kafkaTroubleshootOut) fit(detail string) {
	if detail == "full" {
		return
	}
	size := func() int { raw, _ := json.Marshal(o); return len(raw) }
	if size() <= answerTarget {
		return
	}
	if o.Evidence != nil {
		o.Evidence = nil
		o.LeftOut = append(o.LeftOut, "evidence (probe per address, cluster overview, group lag)")
	}
	if size() > answerTarget && o.ESM != nil && (len(o.ESM.SGRules) > 0 || len(o.ESM.ErrorLines) > 0) {
		facts := *o.ESM
		facts.SGRules, facts.ErrorLines = nil, nil
		o.ESM = &facts
		o.LeftOut = append(o.LeftOut, "esm_evidence security group rules and error log lines")
	}
	if size() > answerTarget {
		// Checks that passed or did not apply keep their name and status.
		cs := make([]diagnose.Check, len(o.Checks))
		for i, c := range o.Checks {
			if c.Status == diagnose.StatusPass || c.Status == diagnose.StatusSkipped {
				c.Detail = ""
			}
			cs[i] = c
		}
		o.Checks = cs
		o.LeftOut = append(o.LeftOut, "the details of checks that passed or were skipped")
	}
	if size() > answerTarget && o.ESM != nil {
		o.ESM = nil
		o.LeftOut = append(o.LeftOut, "esm_evidence")
	}
	if len(o.LeftOut) > 0 {
		o.Next = "call again with the same arguments and detail=full for " + strings.Join(o.LeftOut, "; ")
	}
}

// KafkaTroubleshoot diagnoses why a Kafka cluster, consumer group or Lambda
// Kafka mapping does not work, and resolves issue categories.
func KafkaTroubleshoot(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("kafka_troubleshoot",
		mcp.WithDescription("Returns the issue category, checks in causal order (DNS, TCP, TLS, SASL, authorization, brokers, topic, lag, throttling), findings with fixes, and resolution steps with real ports and ARNs. "+
			"Use mode=diagnosis when a cluster, group or Lambda Kafka trigger misbehaves; mode=resolution for one fix."),
		mcp.WithTitleAnnotation("Kafka: Troubleshoot"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[kafkaTroubleshootIn](), schema.Output[kafkaTroubleshootOut]())
	h := func(ctx context.Context, req mcp.CallToolRequest, in kafkaTroubleshootIn) (*mcp.CallToolResult, error) {
		if d.Kafka == nil {
			return mcp.NewToolResultError("Kafka access is not configured in this server"), nil
		}
		switch in.Mode {
		case "resolution":
			return troubleshootResolution(ctx, d, in)
		case "diagnosis":
		default:
			return mcp.NewToolResultError(fmt.Sprintf("mode %q is not diagnosis or resolution", in.Mode)), nil
		}
		if in.ESMUUID != "" {
			if in.targets() > 0 {
				return mcp.NewToolResultError("give esm_uuid alone (the mapping names its cluster), or a cluster target without esm_uuid"), nil
			}
			return troubleshootESM(ctx, d, req, in)
		}
		if msg := clientPositionError(in, d); msg != "" {
			return mcp.NewToolResultError(msg), nil
		}
		tg, err := in.target(d.Kafka)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		ci := kafkadiag.ClusterInput{Topic: in.Topic, Group: in.GroupID}
		ci.Target, ci.Listeners, ci.ResolveErr = d.Kafka.Resolve(ctx, tg)
		if ci.ResolveErr != nil && !errors.Is(ci.ResolveErr, kafka.ErrAuthNotEnabled) {
			return mcp.NewToolResultError(ci.ResolveErr.Error() + "; check the cluster ARN and the AWS credentials' kafka:GetBootstrapBrokers permission"), nil
		}
		window := d.Guidance.Int("kafka.lag.window.min_seconds")
		if in.SampleSeconds != nil {
			window = *in.SampleSeconds
		}
		ci.Sampling = samplingFor(time.Duration(window)*time.Second, lag.SampleInterval(d.Guidance))
		ci.Sampling.Progress = progressFn(ctx, req, "kafka_troubleshoot lag sampling")
		rep, ev := kafkadiag.Cluster(ctx, d.Kafka, d.Guidance, ci)
		out := kafkaTroubleshootOut{Mode: in.Mode, Target: ci.Target.Label(), Category: string(rep.Category), Findings: append([]diagnose.Finding{}, rep.Findings...), Checks: rep.Checks, Evidence: compactEvidence(&ev), ResolutionSteps: []string{}}
		if rep.Category != diagnose.None {
			out.ResolutionSteps = kafkadiag.Resolution(d.Guidance, rep.Category, resolutionTarget(ci.Target, in))
		}
		out = addClientPath(ctx, d, in, out)
		out.fit(in.Detail)
		return mcp.NewToolResultStructured(out, troubleshootSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func troubleshootESM(ctx context.Context, d ReadDeps, req mcp.CallToolRequest, in kafkaTroubleshootIn) (*mcp.CallToolResult, error) {
	if d.AWS == nil {
		return mcp.NewToolResultError("esm_uuid diagnosis needs AWS access, which this server has not configured; diagnose the cluster side with cluster_arn or bootstrap_servers plus topic and group_id"), nil
	}
	window := d.Guidance.Int("kafka.lag.window.min_seconds")
	if in.SampleSeconds != nil {
		window = *in.SampleSeconds
	}
	sampling := samplingFor(time.Duration(window)*time.Second, lag.SampleInterval(d.Guidance))
	sampling.Progress = progressFn(ctx, req, "kafka_troubleshoot lag sampling")
	voc, err := esmstate.VocabularyFrom(d.Guidance)
	if err != nil {
		return nil, err
	}
	x, err := evidence.Collect(ctx, d.AWS, in.ESMUUID, evidence.Options{Now: time.Now(), TrendZ: d.Guidance.Num("metrics.trend.z_critical")})
	if errors.Is(err, evidence.ErrNotFound) {
		return mcp.NewToolResultError(fmt.Sprintf("event source mapping %q not found in this account and Region; call esm_inspect to list mappings", in.ESMUUID)), nil
	}
	if err != nil {
		return errmap.Result(err, "call esm_inspect to list mappings"), nil
	}
	if !x.Source.IsKafka() {
		return mcp.NewToolResultError(fmt.Sprintf("mapping %s reads %s, not Kafka; kafka_troubleshoot judges MSK and self-managed Kafka mappings: use esm_inspect (and kinesis_inspect for Kinesis) for this one", in.ESMUUID, x.ESM.EventSourceARN)), nil
	}
	rep, ev := judge.Diagnose(ctx, x, judge.Deps{Guidance: d.Guidance, Vocabulary: voc, Sim: d.AWS, Kafka: d.Kafka, Bootstrap: d.AWS, Sampling: sampling})
	// The Kafka-side evidence is shown once, as evidence; the mapping's
	// facts omit it.
	esmFacts := ev
	esmFacts.KafkaProbe = nil
	out := kafkaTroubleshootOut{Mode: in.Mode, Target: "ESM " + in.ESMUUID, Category: string(rep.Category), Findings: append([]diagnose.Finding{}, rep.Findings...), Checks: rep.Checks, ESM: &esmFacts, Evidence: compactEvidence(ev.KafkaProbe), ResolutionSteps: []string{}}
	if rep.Category != diagnose.None {
		rt := judge.ResolutionTarget(x)
		out.ResolutionSteps = kafkadiag.Resolution(d.Guidance, rep.Category, rt)
	}
	out.fit(in.Detail)
	return mcp.NewToolResultStructured(out, troubleshootSummary(out)), nil
}

func resolutionTarget(t kafka.Target, in kafkaTroubleshootIn) kafkadiag.ResolutionTarget {
	return kafkadiag.ResolutionTarget{Auth: t.Auth, ClusterARN: t.ClusterARN, Bootstrap: t.Bootstrap, Topic: in.Topic, Group: in.GroupID, ESMUUID: in.ESMUUID, Username: t.Username}
}

func troubleshootResolution(ctx context.Context, d ReadDeps, in kafkaTroubleshootIn) (*mcp.CallToolResult, error) {
	if in.IssueCategory == "" {
		return mcp.NewToolResultError("mode=resolution needs issue_category (network, authentication, authorization, lambda_unreachable, sts_unreachable, destination_unreachable, broker_health, topic, consumer_lag, throttling, configuration); run mode=diagnosis to find it"), nil
	}
	c, err := diagnose.ParseCategory(in.IssueCategory)
	if err != nil {
		return mcp.NewToolResultError(err.Error() + "; see the issue_category enum"), nil
	}
	rt := kafkadiag.ResolutionTarget{Auth: in.Auth, Topic: in.Topic, Group: in.GroupID, ESMUUID: in.ESMUUID, Username: in.Username}
	target := "(no target given)"
	if in.targets() > 0 {
		// The target's ARN and addresses go into suggested commands: take
		// them only once they have been validated.
		tg, err := in.target(d.Kafka)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		rt.Auth, rt.ClusterARN, rt.Bootstrap, rt.Username = tg.Auth, tg.ClusterARN, tg.Bootstrap, tg.Username
		target = tg.Label()
	}
	if in.ESMUUID != "" {
		target = "ESM " + in.ESMUUID
		fillFromESM(ctx, d, in.ESMUUID, &rt)
	}
	out := kafkaTroubleshootOut{Mode: in.Mode, Target: target, Category: string(c), Findings: []diagnose.Finding{}, Checks: []diagnose.Check{},
		ResolutionSteps: kafkadiag.Resolution(d.Guidance, c, rt)}
	return mcp.NewToolResultStructured(out, troubleshootSummary(out)), nil
}

// fillFromESM completes a resolution target from the live mapping's
// evidence when AWS is reachable; what cannot be read stays a placeholder.
func fillFromESM(ctx context.Context, d ReadDeps, uuid string, rt *kafkadiag.ResolutionTarget) {
	if d.AWS == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	x, err := evidence.Collect(ctx, d.AWS, uuid, evidence.Options{Light: true, NoMetrics: true})
	if err != nil {
		return
	}
	if x.Cluster != nil {
		// Light evidence reads the cluster but not its network: MSK pollers
		// use the cluster's subnets and security groups.
		x.PathSubnets, x.PathSGs = x.Cluster.SubnetIDs, x.Cluster.SecurityGroupIDs
	}
	live := judge.ResolutionTarget(x)
	if rt.Auth != "" {
		live.Auth = rt.Auth
	}
	if rt.Topic != "" {
		live.Topic = rt.Topic
	}
	if rt.Group != "" {
		live.Group = rt.Group
	}
	live.Username = rt.Username
	*rt = live
}

func troubleshootSummary(o kafkaTroubleshootOut) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kafka_troubleshoot %s on %s: category %s\n", o.Mode, o.Target, o.Category)
	for _, c := range o.Checks {
		if c.Status != diagnose.StatusPass && c.Status != diagnose.StatusSkipped {
			fmt.Fprintf(&b, "- %s: %s — %s\n", c.Name, c.Status, c.Detail)
		}
	}
	for _, f := range o.Findings[:min(3, len(o.Findings))] {
		fmt.Fprintf(&b, "- [%s] %s\n", f.Severity, f.Title)
	}
	for i, s := range o.ResolutionSteps[:min(3, len(o.ResolutionSteps))] {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	return b.String()
}

// compactEvidence drops the probe stages skipped after a failure: each
// said only "an earlier stage failed", for every address, and the
// address's failed_stage already says where it stopped.
func compactEvidence(ev *kafkadiag.Evidence) *kafkadiag.Evidence {
	if ev == nil || ev.Probe == nil {
		return ev
	}
	out := *ev
	probe := *ev.Probe
	probe.Addresses = make([]kafka.AddressProbe, len(ev.Probe.Addresses))
	for i, a := range ev.Probe.Addresses {
		kept := []kafka.StageResult{}
		for _, st := range a.Stages {
			if st.Result != "skipped" {
				kept = append(kept, st)
			}
		}
		a.Stages = kept
		probe.Addresses[i] = a
	}
	out.Probe = &probe
	return &out
}
