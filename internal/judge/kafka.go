package judge

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafkadiag"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// mappingAuth derives the auth mode and the credentials secret from
// SourceAccessConfigurations (MSK without one uses IAM). A self-managed
// mapping with only SERVER_ROOT_CA_CERTIFICATE connects over TLS to brokers
// signed by a private CA whose root it reads from that secret: probing it as
// plaintext would blame authentication for a TLS listener.
func mappingAuth(e awsx.ESM, isMSK bool) (auth, secret string) {
	rootCA := ""
	for _, a := range e.SourceAccess {
		switch a.Type {
		case "SERVER_ROOT_CA_CERTIFICATE":
			rootCA = a.URI
		case "SASL_SCRAM_512_AUTH":
			return kafka.AuthSCRAM512, a.URI
		case "SASL_SCRAM_256_AUTH":
			return kafka.AuthSCRAM256, a.URI
		case "BASIC_AUTH":
			return kafka.AuthPlain, a.URI
		case "CLIENT_CERTIFICATE_TLS_AUTH":
			return kafka.AuthMTLS, a.URI
		}
	}
	if isMSK {
		return kafka.AuthIAM, ""
	}
	if rootCA != "" {
		return kafka.AuthTLS, rootCA
	}
	return kafka.AuthNone, ""
}

func (s *state) port() int {
	if s.isMSK {
		return kafkadiag.PortForAuth(s.b, s.facts.Auth, false)
	}
	// Self-managed: the port in the bootstrap servers.
	return kafkadiag.BootstrapPort(s.x.ESM.BootstrapServers)
}

func (s *state) scramAuth() bool {
	return s.facts.Auth == kafka.AuthSCRAM512 || s.facts.Auth == kafka.AuthSCRAM256 || strings.HasPrefix(s.sourceAccessType(), "SASL_SCRAM_")
}

func (s *state) sourceAccessType() string {
	for _, a := range s.x.ESM.SourceAccess {
		if a.URI == s.secret {
			return a.Type
		}
	}
	return ""
}

// stateCategory is the category the decoded state points at.
func (s *state) stateCategory() diagnose.Category {
	c, _ := s.categoryOfResult()
	if c == diagnose.None {
		return diagnose.Configuration
	}
	return c
}

// categoryOfResult decodes StateTransitionReason and LastProcessingResult:
// Kafka results with the Kafka troubleshooting vocabulary, the others with
// esmstate's.
func (s *state) categoryOfResult() (diagnose.Category, string) {
	b, e := s.b, s.x.ESM
	if !s.kafka {
		if s.d.Vocabulary == nil {
			return diagnose.None, ""
		}
		for _, dd := range []esmstate.Decoded{s.d.Vocabulary.Reason(e.StateTransitionReason), s.d.Vocabulary.LastProcessingResult(e.LastProcessingResult, false)} {
			if dd.Severity == esmstate.SeverityError {
				return categoryFromDecoded(dd.Category), dd.Value + ": " + dd.Meaning
			}
		}
		return diagnose.None, ""
	}
	switch r := e.StateTransitionReason; {
	case slices.ContainsFunc(b.Strings("kafka.esm.state_reason.config"), func(code string) bool { return strings.Contains(r, code) }):
		return diagnose.Configuration, "StateTransitionReason " + r
	case strings.Contains(r, stringOf(b, "kafka.esm.state_reason.authn")):
		return diagnose.Authentication, "StateTransitionReason " + r
	case strings.Contains(r, stringOf(b, "kafka.esm.state_reason.authz")):
		return diagnose.Authorization, "StateTransitionReason " + r
	}
	lpr := e.LastProcessingResult
	low := strings.ToLower(lpr)
	has := func(id string) bool { return strings.Contains(low, strings.ToLower(stringOf(b, id))) }
	switch {
	case lpr == "" || !strings.HasPrefix(lpr, "PROBLEM"):
		return diagnose.None, ""
	case has("kafka.esm.result.authorize"):
		return diagnose.Authorization, lpr
	case has("kafka.esm.result.assume_role"):
		return diagnose.STSUnreachable, lpr
	case has("kafka.esm.result.function_failed"):
		return diagnose.FunctionError, lpr
	case has("kafka.esm.result.connection"):
		switch {
		case strings.Contains(low, "lambda and sts"), strings.Contains(low, "connect to lambda"):
			return diagnose.LambdaUnreachable, lpr
		case strings.Contains(low, "connect to sts"):
			return diagnose.STSUnreachable, lpr
		case strings.Contains(low, "onfailure destination") && !strings.Contains(low, "lambda"):
			return diagnose.DestinationUnreachable, lpr
		}
		return diagnose.Network, lpr
	}
	for _, a := range b.Strings("kafka.esm.result.authentication") {
		if strings.Contains(low, strings.ToLower(a)) {
			return diagnose.Authentication, lpr
		}
	}
	return diagnose.Configuration, lpr
}

func categoryFromDecoded(c string) diagnose.Category {
	if cat, err := diagnose.ParseCategory(c); err == nil {
		return cat
	}
	if c == "function_error" {
		return diagnose.FunctionError
	}
	return diagnose.Configuration
}

func stringOf(b *guidance.Base, id string) string {
	l, _ := b.Lookup(id)
	s, _ := l.Value.(string)
	return s
}

func (s *state) checkState() diagnose.Outcome {
	e := s.x.ESM
	detail := fmt.Sprintf("State %s; StateTransitionReason %q; LastProcessingResult %q", e.State, e.StateTransitionReason, e.LastProcessingResult)
	cat, why := s.categoryOfResult()
	switch {
	case cat != diagnose.None:
		rem := []string{"The checks below locate the cause"}
		if s.kafka {
			rem = []string{fmt.Sprintf("The checks below locate the cause; kafka_troubleshoot mode=resolution issue_category=%s esm_uuid=%s gives the steps", cat, e.UUID)}
		}
		return diagnose.Fail(detail, diagnose.Finding{ID: "esm_state." + string(cat), Severity: diagnose.Critical, Category: cat,
			Title:    fmt.Sprintf("the mapping reports a problem (%s)", cat),
			Evidence: why, Remediation: rem, Reference: refTroubleshoot})
	case e.State == "Disabled":
		return diagnose.Warn(detail, diagnose.Finding{ID: "esm_state.disabled", Severity: diagnose.Warning,
			Title: "the mapping is Disabled: nothing is consumed", Evidence: detail,
			Remediation: []string{fmt.Sprintf("Enable it once the checks pass: aws lambda update-event-source-mapping --uuid %s --enabled", e.UUID)}, Reference: refESMConfig})
	case e.State != "Enabled":
		return diagnose.Warn(detail, diagnose.Finding{ID: "esm_state.transitional", Severity: diagnose.Info,
			Title: "the mapping is " + e.State, Evidence: detail, Remediation: []string{"Wait for the state to settle, then diagnose again"}, Reference: refESMConfig})
	}
	return diagnose.Pass(detail)
}

func (s *state) checkFunction() diagnose.Outcome {
	fn := s.x.Function
	if fn == nil {
		if u, ok := s.x.MissingFact("function"); ok && u.Kind == "not_found" {
			return diagnose.Fail("function not found", diagnose.Finding{ID: "function.missing", Severity: diagnose.Critical,
				Title: "the mapping's function does not exist any more", Evidence: u.Reason,
				Remediation: []string{"Recreate the function, or delete the mapping: aws lambda delete-event-source-mapping --uuid " + s.x.ESM.UUID}, Reference: refESMConfig})
		}
		out, _ := s.unknownOf("function", "function")
		return out
	}
	detail := fmt.Sprintf("function %s (%s, timeout %ds, %d MB) runs as %s", fn.Name, orPlaceholder(fn.State, "state unknown"), fn.TimeoutSeconds, fn.MemoryMB, fn.Role)
	if fn.State != "" && fn.State != "Active" {
		return diagnose.Fail(detail, diagnose.Finding{ID: "function.state", Severity: diagnose.Critical,
			Title: fmt.Sprintf("function %s is %s: Lambda cannot invoke it until it is Active", fn.Name, fn.State), Evidence: fn.StateReason,
			Remediation: []string{"aws lambda get-function --function-name " + fn.Name + " and fix StateReason"}, Reference: "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html"})
	}
	return diagnose.Pass(detail)
}

func (s *state) checkClusterState() diagnose.Outcome {
	if !s.isMSK {
		return diagnose.Skipped("self-managed Kafka: no MSK cluster to read")
	}
	c := s.x.Cluster
	if c == nil {
		out, _ := s.unknownOf("cluster", "cluster")
		return out
	}
	detail := fmt.Sprintf("cluster %s is %s (%s, Kafka %s)", c.Name, c.State, c.Type, c.KafkaVersion)
	switch c.State {
	case "ACTIVE":
		return diagnose.Pass(detail)
	case "UPDATING", "MAINTENANCE", "REBOOTING_BROKER", "HEALING":
		return diagnose.Warn(detail, diagnose.Finding{ID: "broker_health.cluster_" + strings.ToLower(c.State), Severity: diagnose.Warning,
			Title: "the cluster is " + c.State + ": brokers restart one at a time", Evidence: detail + "; " + c.StateMessage,
			Remediation: []string{"Wait for the operation to finish (aws kafka list-cluster-operations-v2 --cluster-arn " + c.ARN + "); the mapping retries and the lag drains afterwards", "Nothing in the mapping, network or IAM needs changing for this"},
			Reference:   refMSKStates})
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "broker_health.cluster_" + strings.ToLower(c.State), Severity: diagnose.Critical,
		Title: "the cluster is " + c.State, Evidence: detail + "; " + c.StateMessage,
		Remediation: []string{"Resolve the cluster state first (see the MSK console events)"}, Reference: refMSKStates})
}

func (s *state) checkAuthEnabled() diagnose.Outcome {
	c := s.x.Cluster
	if c == nil {
		return diagnose.Skipped("self-managed Kafka")
	}
	mode := map[string]string{kafka.AuthIAM: "iam", kafka.AuthSCRAM512: "sasl_scram", kafka.AuthSCRAM256: "sasl_scram", kafka.AuthMTLS: "tls", kafka.AuthNone: "unauthenticated"}[s.facts.Auth]
	detail := fmt.Sprintf("mapping auth %s; cluster enables %v", s.facts.Auth, c.Auth)
	if c.HasAuth(mode) {
		return diagnose.Pass(detail)
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "configuration.auth_not_enabled", Severity: diagnose.Critical,
		Title:       fmt.Sprintf("the mapping authenticates with %s, which the cluster does not enable", s.facts.Auth),
		Evidence:    detail,
		Remediation: []string{fmt.Sprintf("Recreate the mapping with an enabled mode (%v), or enable %s on cluster %s (aws kafka update-security)", c.Auth, s.facts.Auth, c.ARN)},
		Reference:   refClusterAut})
}

func (s *state) checkENIActions(ctx context.Context) diagnose.Outcome {
	if !s.isMSK && len(s.x.PathSubnets) == 0 {
		return diagnose.Skipped("no VPC configuration: no network interfaces to create")
	}
	ref := refMSKPerms
	if !s.isMSK {
		ref = refKafkaPerms
	}
	out := s.simulate(ctx, "role_eni_actions", s.b.Strings("kafka.esm.role.eni_actions"), nil, diagnose.Authorization, ref)
	if out.Status == diagnose.StatusFail && s.x.ESM.State == "Enabled" && s.x.ESM.LastProcessingResult == "OK" {
		// Documented as required, yet the mapping works today: the network
		// interfaces exist already. Creating new ones (scaling, subnet
		// changes) will fail.
		out.Status = diagnose.StatusWarn
		for i := range out.Findings {
			out.Findings[i].Severity = diagnose.Warning
			out.Findings[i].Evidence += "; the mapping processes records today (its network interfaces exist), so this bites when Lambda creates new ones"
		}
	}
	return out
}

func (s *state) checkKafkaActions(ctx context.Context) diagnose.Outcome {
	if !s.isMSK {
		return diagnose.Skipped("self-managed Kafka: authorization is Kafka ACLs, checked by the broker probe")
	}
	b := s.b
	arn := s.x.ESM.EventSourceARN
	var outs []diagnose.Outcome
	outs = append(outs, s.simulate(ctx, "role_control_plane", b.Strings("kafka.esm.role.control_plane_actions"), []string{arn}, diagnose.Authorization, refMSKPerms))
	if s.facts.Auth == kafka.AuthIAM {
		topic := ""
		if len(s.x.ESM.Topics) > 0 {
			topic = s.x.ESM.Topics[0]
		}
		topicARN, groupARN := kafkadiag.MSKResourceARNs(arn, topic, s.facts.Group)
		outs = append(outs, s.simulate(ctx, "role_cluster_actions", b.Strings("kafka.esm.role.cluster_actions"), []string{arn}, diagnose.Authorization, refClusterAut))
		if topicARN != "" {
			outs = append(outs, s.simulate(ctx, "role_topic_actions", b.Strings("kafka.esm.role.topic_actions"), []string{topicARN}, diagnose.Authorization, refClusterAut))
		}
		if groupARN != "" {
			outs = append(outs, s.simulate(ctx, "role_group_actions", b.Strings("kafka.esm.role.group_actions"), []string{groupARN}, diagnose.Authorization, refClusterAut))
		}
	}
	return merge(outs)
}

func (s *state) checkTopic() diagnose.Outcome {
	if len(s.x.ESM.Topics) == 0 {
		return diagnose.Fail("the mapping names no topic", diagnose.Finding{ID: "topic.none", Severity: diagnose.Critical, Title: "the mapping has no topic", Evidence: "Topics is empty", Remediation: []string{"Recreate the mapping with Topics"}, Reference: refESMConfig})
	}
	if !s.isMSK {
		return diagnose.Skipped("self-managed Kafka: the topic is checked by the broker probe when reachable")
	}
	if len(s.x.TopicsMissing) > 0 {
		topic := s.x.TopicsMissing[0]
		return diagnose.Fail(fmt.Sprintf("topic %q not found on the cluster", topic), diagnose.Finding{ID: "topic.missing", Severity: diagnose.Critical,
			Title: fmt.Sprintf("topic %q does not exist on the cluster", topic), Evidence: "MSK DescribeTopic: not found",
			Remediation: []string{"Create the topic, or recreate the mapping with the right topic name (Topics cannot be updated)"}, Reference: refTroubleshoot})
	}
	topic := s.x.ESM.Topics[0]
	t, ok := s.x.Topics[topic]
	if !ok {
		if out, ok := s.unknownOf("topic", "topic (MSK topic API)"); ok {
			return out
		}
		return diagnose.Unknown("topic not read")
	}
	return diagnose.Pass(fmt.Sprintf("topic %q: %d partitions, RF %d", topic, t.Partitions, t.ReplicationFactor))
}

func (s *state) checkPollers() diagnose.Outcome {
	c := s.x.ESM.Config
	if s.facts.Mode != "provisioned" {
		return diagnose.Skipped("on-demand mode: Lambda scales pollers itself")
	}
	if s.partCount == 0 {
		return diagnose.Unknown("partition count unknown")
	}
	detail := fmt.Sprintf("MinimumPollers %d, MaximumPollers %d, %d partitions", deref32(c.MinimumPollers), deref32(c.MaximumPollers), s.partCount)
	if c.MinimumPollers != nil && int(*c.MinimumPollers) > s.partCount {
		return diagnose.Warn(detail, diagnose.Finding{ID: "configuration.pollers_exceed_partitions", Severity: diagnose.Warning,
			Title: "more minimum pollers than partitions: the extra pollers have nothing to read but are billed", Evidence: detail,
			Remediation: []string{fmt.Sprintf("Lower MinimumPollers to at most %d, or add partitions", s.partCount)}, Reference: refScaling})
	}
	return diagnose.Pass(detail)
}

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// kafkaSide runs the broker probe and, when the brokers answer from here,
// the topic and lag checks. When they do not, one check says so as
// unknown: this server's network position is not the mapping's, and the
// AWS-side checks above still judge the mapping's path.
func (s *state) kafkaSide(ctx context.Context, br Bootstrapper, sampling kafka.Sampling) (diagnose.Report, *kafkadiag.Evidence) {
	t := kafka.Target{Auth: s.facts.Auth}
	if s.isMSK {
		bb, err := br.MSKBootstrap(ctx, s.x.ESM.EventSourceARN)
		if err != nil {
			return unknownReport("kafka_probe", "bootstrap brokers not readable: "+awsx.UnknownFrom("Kafka:GetBootstrapBrokers", err).Reason), nil
		}
		key := map[string]string{kafka.AuthIAM: "sasl_iam", kafka.AuthSCRAM512: "sasl_scram", kafka.AuthSCRAM256: "sasl_scram", kafka.AuthMTLS: "tls", kafka.AuthNone: "plaintext"}[s.facts.Auth]
		t.Bootstrap = kafka.SplitBootstrap(bb[key])
		t.ClusterARN = s.x.ESM.EventSourceARN // an MSK target: its listener ports apply
	} else {
		t.Bootstrap = s.x.ESM.BootstrapServers
	}
	if len(t.Bootstrap) == 0 {
		return unknownReport("kafka_probe", "no bootstrap brokers for auth "+s.facts.Auth), nil
	}
	if s.facts.Auth == kafka.AuthMTLS {
		return unknownReport("kafka_probe", "the mapping's client certificate is in Secrets Manager, which this server never reads"), nil
	}
	if s.secret != "" {
		return unknownReport("kafka_probe", "the mapping's credentials or root CA are in Secrets Manager, which this server never reads; probe the brokers with kafka_troubleshoot bootstrap_servers and a password_env or ca_file of your own"), nil
	}
	probe := s.kf.Env().Probe(ctx, t, kafka.ProbeOptions{})
	if a, bad := probe.FirstFailure(); bad && (a.Failed == kafka.StageDNS || a.Failed == kafka.StageTCP) {
		return unknownReport("kafka_probe", fmt.Sprintf("not reachable from this server's network position (%s at %s: %s); the VPC checks above judge the mapping's own path", a.Address, a.Failed, a.Reason)), &kafkadiag.Evidence{Probe: &probe}
	}
	topic := ""
	if len(s.x.ESM.Topics) > 0 {
		topic = s.x.ESM.Topics[0]
	}
	rep, ev := kafkadiag.Cluster(ctx, s.kf, s.b, kafkadiag.ClusterInput{Target: t, Topic: topic, Group: s.facts.Group, Sampling: sampling})
	// Drop the duplicate target check; prefix the rest to show their origin.
	var cs []diagnose.Check
	for _, c := range rep.Checks {
		if c.Name == "target_auth_mode" {
			continue
		}
		c.Name = "kafka_" + c.Name
		cs = append(cs, c)
	}
	rep.Checks = cs
	return rep, &ev
}

func unknownReport(name, why string) diagnose.Report {
	return diagnose.Report{Category: diagnose.None, Findings: []diagnose.Finding{}, Checks: []diagnose.Check{{Name: name, Category: diagnose.Network, Status: diagnose.StatusUnknown, Detail: why}}}
}
