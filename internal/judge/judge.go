// Package judge is the one rule set over a mapping's evidence
// (internal/evidence): every tool that diagnoses an event source mapping
// (esm_inspect, kafka_troubleshoot, kinesis_inspect's mapping view and
// esm_guidance with esm_uuid) runs Diagnose on the same collected facts,
// so two tools can never judge one fact differently.
//
// A diagnosis is an ordered list of checks (internal/diagnose) in causal
// order: the mapping's state, the function, the source, auth (secret, KMS
// key, association), the network path in both directions, IAM, then the
// health the metrics show (throttling, dead-lettering, filters dropping
// everything, lag against processing capacity, timeouts, errors), and the
// changes made in the window. Missing evidence makes a check unknown with
// the permission that would decide it, never a failure.
package judge

import (
	"context"
	"fmt"
	"strings"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafkadiag"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Pages findings cite.
const (
	refScaling      = "https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html"
	refSCRAM        = "https://docs.aws.amazon.com/msk/latest/developerguide/msk-password.html"
	refSCRAMSetup   = "https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-tutorial.html"
	refESMConfig    = "https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html"
	refMSKStates    = "https://docs.aws.amazon.com/msk/latest/developerguide/msk-cluster-states.html"
	refNACL         = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
	refEndpoints    = "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html"
	refClusterAut   = "https://docs.aws.amazon.com/lambda/latest/dg/msk-cluster-auth.html"
	refKafkaPerms   = "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-permissions.html"
	refMSKPerms     = "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html"
	refTroubleshoot = "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html"
	refNAT          = "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html"
	refSG           = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
	refMetrics      = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html"
	refConcurrency  = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"
	refSQSScaling   = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
	refFilter       = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"
	refKinesisScale = "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html"
	refTimeout      = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
	refCloudTrail   = "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html"
	refDestinations = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
)

// Simulator runs IAM SimulatePrincipalPolicy; *aws.Client implements it.
type Simulator interface {
	Simulate(ctx context.Context, principalARN string, actions, resources []string) ([]awsx.Decision, error)
}

// Bootstrapper reads an MSK cluster's bootstrap brokers (for the probe).
type Bootstrapper interface {
	MSKBootstrap(ctx context.Context, arn string) (map[string]string, error)
}

// Deps is what judging needs besides the evidence.
type Deps struct {
	Guidance   *guidance.Base
	Vocabulary *esmstate.Vocabulary
	// Sim decides IAM checks; nil makes them unknown.
	Sim Simulator
	// Kafka, when set with Bootstrap, adds the broker probe from this
	// server's network position (kafka_troubleshoot); esm_inspect leaves
	// it nil.
	Kafka     *kafka.Factory
	Bootstrap Bootstrapper
	Sampling  kafka.Sampling
}

// Facts is the summary of the evidence a diagnosis judged, for output.
type Facts struct {
	UUID        string              `json:"uuid" jsonschema_description:"mapping UUID"`
	Source      string              `json:"source_type" jsonschema_description:"source type"`
	Auth        string              `json:"auth,omitempty" jsonschema_description:"auth mode the mapping uses (Kafka)"`
	Port        int                 `json:"port,omitempty" jsonschema_description:"broker listener port for that auth"`
	Group       string              `json:"group_id,omitempty" jsonschema_description:"consumer group (ConsumerGroupId, else the UUID)"`
	Role        string              `json:"role_arn,omitempty" jsonschema_description:"function's execution role"`
	Mode        string              `json:"poller_mode" jsonschema_description:"on_demand or provisioned"`
	Subnets     []string            `json:"subnet_ids,omitempty" jsonschema_description:"subnets the pollers use"`
	SGs         []string            `json:"security_group_ids,omitempty" jsonschema_description:"security groups of the pollers"`
	Filters     []string            `json:"filter_patterns,omitempty" jsonschema_description:"FilterCriteria patterns"`
	SGRules     []string            `json:"sg_rules,omitempty" jsonschema_description:"security group rules on the path"`
	ErrorLines  []string            `json:"error_lines,omitempty" jsonschema_description:"recent error lines of the function's log"`
	Changes     []string            `json:"changes,omitempty" jsonschema_description:"CloudTrail changes in the window (when, what, who)"`
	Unknowns    []awsx.Unknown      `json:"unknown,omitempty" jsonschema_description:"AWS reads that failed, and the permission that would add them"`
	KafkaProbe  *kafkadiag.Evidence `json:"kafka,omitempty" jsonschema_description:"broker probe and lag, when the brokers answered from this server"`
	destination string
}

// state is what the checks share.
type state struct {
	b      *guidance.Base
	d      Deps
	sim    Simulator
	kf     *kafka.Factory
	x      *evidence.Evidence
	facts  *Facts
	isMSK  bool
	kafka  bool
	secret string
	// partCount is the smallest partition count of the mapped topics.
	partCount int
}

// Diagnose judges the evidence. The report's category is that of the
// first failing check other than the mapping's own state (a symptom),
// else the state's, else the first warning's.
func Diagnose(ctx context.Context, x *evidence.Evidence, d Deps) (diagnose.Report, Facts) {
	e := x.ESM
	facts := Facts{UUID: e.UUID, Source: string(x.Source), Mode: "on_demand", Filters: e.Config.FilterPatterns}
	if facts.Source == "" {
		facts.Source = "unknown"
	}
	if e.ProvisionedMode() {
		facts.Mode = "provisioned"
	}
	s := &state{b: d.Guidance, d: d, sim: d.Sim, kf: d.Kafka, x: x, facts: &facts, isMSK: x.Source == esm.MSK, kafka: x.Source.IsKafka()}
	if s.kafka {
		facts.Auth, s.secret = mappingAuth(e, s.isMSK)
		facts.Group = orPlaceholder(e.ConsumerGroupID, e.UUID)
		facts.Port = s.port()
	} else {
		s.secret = x.SecretARN
	}
	if x.Function != nil {
		facts.Role = x.Function.Role
	}
	facts.Subnets, facts.SGs = x.PathSubnets, x.PathSGs
	for _, t := range x.Topics {
		if s.partCount == 0 || int(t.Partitions) < s.partCount {
			s.partCount = int(t.Partitions)
		}
	}
	for _, l := range x.Logs {
		facts.ErrorLines = append(facts.ErrorLines, l.Time.Format("15:04:05Z")+" "+clip(l.Message, 160))
	}
	stateCat := s.stateCategory()
	defs := []diagnose.Def{
		{Name: "esm_state", Category: stateCat, Run: func(context.Context) diagnose.Outcome { return s.checkState() }},
		{Name: "function", Category: diagnose.Configuration, Run: func(context.Context) diagnose.Outcome { return s.checkFunction() }},
	}
	if s.kafka {
		defs = append(defs,
			diagnose.Def{Name: "cluster_state", Category: diagnose.BrokerHealth, Run: func(context.Context) diagnose.Outcome { return s.checkClusterState() }},
			diagnose.Def{Name: "cluster_auth_mode", Category: diagnose.Configuration, Needs: []string{"cluster_state"}, Run: func(context.Context) diagnose.Outcome { return s.checkAuthEnabled() }},
		)
	}
	defs = append(defs, diagnose.Def{Name: "secret_access", Category: diagnose.Authentication, Run: func(ctx context.Context) diagnose.Outcome { return s.checkSecret(ctx) }})
	if s.kafka {
		defs = append(defs, s.networkDefs()...)
		defs = append(defs,
			diagnose.Def{Name: "role_kafka_actions", Category: diagnose.Authorization, Needs: []string{"function"}, Run: func(ctx context.Context) diagnose.Outcome { return s.checkKafkaActions(ctx) }},
			diagnose.Def{Name: "role_eni_actions", Category: diagnose.Authorization, Needs: []string{"function"}, Run: func(ctx context.Context) diagnose.Outcome { return s.checkENIActions(ctx) }},
			diagnose.Def{Name: "topic_exists", Category: diagnose.Topic, Run: func(context.Context) diagnose.Outcome { return s.checkTopic() }},
			diagnose.Def{Name: "pollers_vs_partitions", Category: diagnose.Configuration, Run: func(context.Context) diagnose.Outcome { return s.checkPollers() }},
		)
	}
	defs = append(defs, s.healthDefs()...)
	defs = append(defs,
		diagnose.Def{Name: "configuration_rules", Category: diagnose.Configuration, Run: func(context.Context) diagnose.Outcome { return s.checkRules() }},
		diagnose.Def{Name: "changes", Category: diagnose.Configuration, Run: func(context.Context) diagnose.Outcome { return s.checkChanges() }},
	)
	rep := diagnose.Run(ctx, defs)
	if s.kafka && d.Kafka != nil && d.Bootstrap != nil {
		kc, kev := s.kafkaSide(ctx, d.Bootstrap, d.Sampling)
		facts.KafkaProbe = kev
		rep.Checks = append(rep.Checks, kc.Checks...)
		rep.Findings = append(rep.Findings, kc.Findings...)
		if rep.Category == diagnose.None && kc.Category != diagnose.None {
			rep.Category = kc.Category
		}
	}
	// The mapping's state is a symptom: a check that locates the cause (a
	// failure, else a warning) names the category.
	if len(rep.Checks) > 0 && rep.Checks[0].Status == diagnose.StatusFail {
		if c := firstOtherThan(rep.Checks, "esm_state", diagnose.StatusFail); c != "" {
			rep.Category = c
		} else if c := firstOtherThan(rep.Checks, "esm_state", diagnose.StatusWarn); c != "" {
			rep.Category = c
		}
	}
	facts.Unknowns = append(x.Unknowns(), facts.Unknowns...)
	facts.Unknowns = dedupeUnknowns(facts.Unknowns)
	if x.Path != nil {
		facts.SGRules = sgRules(x.Path.SecurityGroups)
	}
	for _, c := range x.Changes {
		facts.Changes = append(facts.Changes, changeLine(c))
	}
	return rep, facts
}

func dedupeUnknowns(us []awsx.Unknown) []awsx.Unknown {
	seen := map[string]bool{}
	var out []awsx.Unknown
	for _, u := range us {
		k := u.Call + "|" + u.Reason
		if !seen[k] {
			seen[k] = true
			out = append(out, u)
		}
	}
	return out
}

func firstOtherThan(cs []diagnose.Check, name string, st diagnose.Status) diagnose.Category {
	for _, c := range cs {
		if c.Name != name && c.Status == st {
			return c.Category
		}
	}
	return ""
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "..."
}

// arnPart returns field i (0-based) of an ARN: 3 Region, 4 account.
func arnPart(arn string, i int) string {
	p := strings.Split(arn, ":")
	if len(p) > i {
		return p[i]
	}
	return ""
}

// region is the mapping's Region, from its ARNs.
func (s *state) region() string {
	for _, a := range []string{s.x.ESM.EventSourceARN, s.x.ESM.FunctionARN, s.x.ESM.ARN} {
		if r := arnPart(a, 3); r != "" {
			return r
		}
	}
	return ""
}

// unknownOf says a fact is missing and why, naming the permission.
func (s *state) unknownOf(fact, what string) (diagnose.Outcome, bool) {
	u, ok := s.x.MissingFact(fact)
	if !ok {
		return diagnose.Outcome{}, false
	}
	why := what + " not readable: " + u.Reason
	if u.MissingPermission != "" && !strings.Contains(u.Reason, u.MissingPermission) {
		why += fmt.Sprintf(" (grant %s to decide this)", u.MissingPermission)
	}
	return diagnose.Unknown(why), true
}

// Health values of the list view.
const (
	HealthOK            = "ok"
	HealthProblem       = "problem"
	HealthDegraded      = "degraded"
	HealthStopped       = "stopped"
	HealthTransitioning = "transitioning"
)

// Health is the list view's verdict on one mapping, from light evidence
// (the mapping, its function and its metrics) judged by the same checks as
// the full diagnosis: a mapping whose state reads OK but which throttles,
// dead-letters, times out, filters everything or falls behind is never ok.
// It returns the health, the category of the first failing (else warning)
// check and that check's finding title.
func Health(ctx context.Context, x *evidence.Evidence, d Deps) (health, category, why string) {
	e := x.ESM
	switch {
	case e.State == "Disabled" || e.State == "Disabling":
		return HealthStopped, "", ""
	case e.State != "Enabled":
		return HealthTransitioning, "", ""
	}
	d.Sim, d.Kafka = nil, nil
	facts := Facts{}
	s := &state{b: d.Guidance, d: d, x: x, facts: &facts, isMSK: x.Source == esm.MSK, kafka: x.Source.IsKafka()}
	for _, t := range x.Topics {
		if s.partCount == 0 || int(t.Partitions) < s.partCount {
			s.partCount = int(t.Partitions)
		}
	}
	defs := []diagnose.Def{{Name: "esm_state", Category: s.stateCategory(), Run: func(context.Context) diagnose.Outcome { return s.checkState() }}}
	defs = append(defs, s.healthDefs()...)
	defs = append(defs, diagnose.Def{Name: "configuration_rules", Category: diagnose.Configuration, Run: func(context.Context) diagnose.Outcome { return s.checkRules() }})
	rep := diagnose.Run(ctx, defs)
	for _, want := range []diagnose.Status{diagnose.StatusFail, diagnose.StatusWarn} {
		for _, c := range rep.Checks {
			if c.Status != want {
				continue
			}
			why := c.Detail
			for _, f := range rep.Findings {
				if f.Severity != diagnose.Info && f.Category == c.Category {
					why = f.Title
					break
				}
			}
			if want == diagnose.StatusFail {
				return HealthProblem, string(c.Category), why
			}
			return HealthDegraded, string(c.Category), why
		}
	}
	return HealthOK, "", ""
}

// ResolutionTarget fills kafka_troubleshoot's resolution steps from a
// mapping's evidence: the cluster or bootstrap servers, auth, topic,
// group, the pollers' subnets and groups, the role and the destination.
func ResolutionTarget(x *evidence.Evidence) kafkadiag.ResolutionTarget {
	e := x.ESM
	rt := kafkadiag.ResolutionTarget{ESMUUID: e.UUID, Group: orPlaceholder(e.ConsumerGroupID, e.UUID), Destination: e.Config.OnFailureDestination,
		SubnetIDs: x.PathSubnets, SecurityGroups: x.PathSGs, Bootstrap: e.BootstrapServers}
	isMSK := x.Source == esm.MSK
	if isMSK {
		rt.ClusterARN = e.EventSourceARN
	}
	rt.Auth, _ = mappingAuth(e, isMSK)
	if len(e.Topics) > 0 {
		rt.Topic = e.Topics[0]
	}
	if x.Function != nil {
		rt.RoleARN = x.Function.Role
	}
	return rt
}
