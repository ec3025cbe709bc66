package esmview

import (
	"context"
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/judge"
)

// LiveReader reads a live mapping's evidence and simulates IAM;
// *aws.Client implements it.
type LiveReader interface {
	evidence.Reader
	judge.Simulator
}

// Tailor reads the live mapping (with internal/evidence: its function,
// queue or cluster) and fills the request's empty fields from it, so the
// guidance names the real ARNs, ports, subnets and groups and can flag
// where live state departs from it. For troubleshooting it also judges the
// mapping with the same rules as esm_inspect (internal/judge) and returns
// what they found. A failed read is a warning, never a failure.
func Tailor(ctx context.Context, rd LiveReader, g *guidance.Base, uuid string, r *guide.Request) (warnings, findings []string) {
	troubleshooting := r.Type == guide.TypeTroubleshooting
	x, err := evidence.Collect(ctx, rd, uuid, evidence.Options{Light: !troubleshooting, NoMetrics: !troubleshooting, TrendZ: g.Num("metrics.trend.z_critical")})
	if err != nil {
		return []string{fmt.Sprintf("could not read mapping %q (%v); answered from the inputs only", uuid, err)}, nil
	}
	m := x.ESM
	facts := &guide.Facts{LiveSource: LiveSource(m)}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&r.FunctionName, m.FunctionARN)
	if r.Source != iac.SourceSelfManagedKafka {
		fill(&r.EventSourceArn, m.EventSourceARN)
	}
	if len(m.Topics) > 0 {
		fill(&r.Topic, m.Topics[0])
	}
	fill(&r.ConsumerGroupID, m.ConsumerGroupID)
	if len(r.BootstrapServers) == 0 {
		r.BootstrapServers = m.BootstrapServers
	}
	fill(&r.OnFailureDestination, m.Config.OnFailureDestination)
	if r.PollerMode == "" && r.Source.IsKafka() || r.PollerMode == "" && r.Source.IsSQS() {
		r.PollerMode = map[bool]string{true: guide.ModeProvisioned, false: guide.ModeOnDemand}[m.ProvisionedMode()]
	}
	for _, a := range m.SourceAccess {
		switch a.Type {
		case "SASL_SCRAM_512_AUTH", "SASL_SCRAM_256_AUTH", "BASIC_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH":
			fill(&r.SecretArn, a.URI)
			if r.Auth == "" {
				r.Auth = map[string]iac.Auth{"SASL_SCRAM_512_AUTH": iac.AuthSCRAM512, "SASL_SCRAM_256_AUTH": iac.AuthSCRAM256, "BASIC_AUTH": iac.AuthPlain, "CLIENT_CERTIFICATE_TLS_AUTH": iac.AuthMTLS}[a.Type]
			}
		case "SERVER_ROOT_CA_CERTIFICATE":
			fill(&r.RootCASecretArn, a.URI)
		case "VPC_SUBNET":
			r.SubnetIDs = appendNew(r.SubnetIDs, strings.TrimPrefix(a.URI, "subnet:"))
		case "VPC_SECURITY_GROUP":
			r.SecurityGroupIDs = appendNew(r.SecurityGroupIDs, strings.TrimPrefix(a.URI, "security_group:"))
		}
	}
	live := liveESM(m)
	r.Live = &live
	miss := func(fact, what string) {
		if u, ok := x.MissingFact(fact); ok {
			warnings = append(warnings, fmt.Sprintf("could not read the %s (%s)", what, u.Reason))
		}
	}
	if fn := x.Function; fn != nil {
		facts.FunctionTimeoutSeconds = int(fn.TimeoutSeconds)
	}
	miss(evidence.FactFunction, "function")
	switch {
	case r.Source.IsSQS() && m.EventSourceARN != "":
		if q := x.Queue; q != nil {
			facts.QueueRead, facts.QueueVisibilityTimeoutSeconds = true, q.VisibilityTimeoutSeconds
			facts.QueueHasDLQ, facts.QueueMaxReceiveCount = q.RedriveTarget != "", q.MaxReceiveCount
		}
		miss(evidence.FactQueue, "queue")
	case r.Source == iac.SourceMSK && strings.Contains(m.EventSourceARN, ":cluster/"):
		if c := x.Cluster; c != nil {
			facts.ClusterRead, facts.ClusterSubnets, facts.ClusterSecurityGroups = true, c.SubnetIDs, c.SecurityGroupIDs
			facts.ClusterAuth, facts.ClusterServerless = c.Auth, c.Type == "SERVERLESS"
			if len(r.SecurityGroupIDs) == 0 {
				r.SecurityGroupIDs = c.SecurityGroupIDs
			}
		}
		miss(evidence.FactCluster, "cluster")
	}
	r.Facts = facts
	if !troubleshooting {
		return warnings, nil
	}
	voc, err := esmstate.VocabularyFrom(g)
	if err != nil {
		return append(warnings, "live diagnosis unavailable: "+err.Error()), nil
	}
	rep, _ := judge.Diagnose(ctx, x, judge.Deps{Guidance: g, Vocabulary: voc, Sim: rd})
	var found []string
	for _, i := range Issues(rep, string(x.Source), m.UUID) {
		if i.Severity != "info" {
			found = append(found, fmt.Sprintf("[%s] %s: %s", i.Severity, i.ID, i.Message))
		}
	}
	return warnings, found
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// LiveSource is the source kind of a live mapping: self-managed Kafka when
// it has bootstrap servers, else what its ARN points at (esm.SourceFromARN,
// the one ARN classifier). "" when neither says.
func LiveSource(m aws.ESM) iac.Source {
	if len(m.BootstrapServers) > 0 {
		return iac.SourceSelfManagedKafka
	}
	if st, ok := esm.SourceFromARN(m.EventSourceARN); ok {
		return iac.Source(st)
	}
	return ""
}

// liveESM converts the inspector's view into the iac model the guidance
// compares against.
func liveESM(m aws.ESM) iac.ESM {
	c := m.Config
	i32 := func(p *int32) *int {
		if p == nil {
			return nil
		}
		v := int(*p)
		return &v
	}
	out := iac.ESM{FunctionName: m.FunctionARN, EventSourceArn: m.EventSourceARN, Topics: m.Topics,
		BatchSize: i32(c.BatchSize), MaximumBatchingWindowInSeconds: i32(c.MaximumBatchingWindowInSeconds),
		ParallelizationFactor: i32(c.ParallelizationFactor), StartingPosition: c.StartingPosition,
		MaximumRecordAgeInSeconds: i32(c.MaximumRecordAgeInSeconds), MaximumRetryAttempts: i32(c.MaximumRetryAttempts),
		BisectBatchOnFunctionError: c.BisectBatchOnFunctionError, TumblingWindowInSeconds: i32(c.TumblingWindowInSeconds),
		FunctionResponseTypes: c.FunctionResponseTypes, Enabled: iac.Bool(m.State != "Disabled" && m.State != "Disabling")}
	if c.OnFailureDestination != "" {
		out.DestinationConfig = &iac.DestinationConfig{OnFailure: &iac.OnFailure{Destination: c.OnFailureDestination}}
	}
	if m.ProvisionedMode() {
		out.ProvisionedPollerConfig = &iac.ProvisionedPollerConfig{MinimumPollers: i32(c.MinimumPollers), MaximumPollers: i32(c.MaximumPollers)}
	}
	if m.ConsumerGroupID != "" {
		k := &iac.KafkaEventSourceConfig{ConsumerGroupId: m.ConsumerGroupID}
		out.AmazonManagedKafkaEventSourceConfig, out.SelfManagedKafkaEventSourceConfig = k, k
	}
	return out
}
