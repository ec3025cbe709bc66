// Package kafkadiag holds kafka_troubleshoot's checks and resolutions: it
// turns the evidence internal/kafka reads (the broker probe, cluster health,
// the topic, the consumer group's lag verdicts, the client's throttle
// readings) into internal/diagnose checks and findings, and makes the
// resolution steps of each issue category concrete with the target's names,
// ports and ARNs.
package kafkadiag

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/lag"
)

// Documentation pages the findings cite.
const (
	refPorts        = "https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html"
	refTroubleshoot = "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html"
	refMSKPerms     = "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html"
	refIAMActions   = "https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html"
	refMSKNetwork   = "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html"
	refKafkaOps     = "https://kafka.apache.org/documentation/#basic_ops"
	refLag          = "https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html"
	refQuotas       = "https://kafka.apache.org/documentation/#design_quotas"
)

// ClusterInput is what a cluster diagnosis needs.
type ClusterInput struct {
	Target kafka.Target
	// Listeners are the MSK cluster's bootstrap strings (nil when the
	// target is not an MSK ARN).
	Listeners *kafka.BootstrapBrokers
	// ResolveErr is why the target could not be resolved (MSK ARN).
	ResolveErr error
	Topic      string
	Group      string
	// Sampling for the group's lag window.
	Sampling kafka.Sampling
}

// Evidence is what the checks saw, for the tool's output.
type Evidence struct {
	Probe    *kafka.ProbeReport `json:"probe,omitempty" jsonschema_description:"per-address connection stages with timings, from the server's network position"`
	Overview *kafka.Overview    `json:"overview,omitempty" jsonschema_description:"cluster health"`
	Group    *lag.GroupReport   `json:"group_lag,omitempty" jsonschema_description:"the consumer group's lag summary"`
}

// Cluster runs the cluster-side checks: target and auth mode, DNS, TCP,
// TLS, SASL, authorization, broker health, the topic, the group's lag and
// throttling. f provides the connection; unreachable clusters produce
// failing checks, never an error.
func Cluster(ctx context.Context, f *kafka.Factory, b *guidance.Base, in ClusterInput) (diagnose.Report, Evidence) {
	var ev Evidence
	var conn *kafka.Conn
	var probe kafka.ProbeReport
	var ov *kafka.Overview
	// The MSK listener ports follow the auth mode; a cluster given by its
	// bootstrap servers listens wherever it was configured to, so its
	// findings name "the listener port" rather than an MSK port.
	port := 0
	if in.Target.ClusterARN != "" {
		port = PortForAuth(b, in.Target.Auth, false)
	}
	defs := []diagnose.Def{
		{Name: "target_auth_mode", Category: diagnose.Configuration, Run: func(ctx context.Context) diagnose.Outcome {
			return checkTarget(in, port, PortForAuth(b, in.Target.Auth, true))
		}},
		{Name: "dns", Category: diagnose.Network, Needs: []string{"target_auth_mode"}, Run: func(ctx context.Context) diagnose.Outcome {
			probe = f.Env().Probe(ctx, in.Target, kafka.ProbeOptions{Topic: in.Topic, Group: in.Group})
			ev.Probe = &probe
			return notFromHere(probe, kafka.StageDNS, in.Target, stage(probe, kafka.StageDNS, in.Target, port))
		}},
		{Name: "tcp_connect", Category: diagnose.Network, Needs: []string{"dns"}, Run: func(ctx context.Context) diagnose.Outcome {
			return notFromHere(probe, kafka.StageTCP, in.Target, stage(probe, kafka.StageTCP, in.Target, port))
		}},
		{Name: "tls_handshake", Category: diagnose.Authentication, Needs: []string{"tcp_connect"}, Run: func(ctx context.Context) diagnose.Outcome {
			return stage(probe, kafka.StageTLS, in.Target, port)
		}},
		// A listener that accepts TCP and never answers is a network or
		// broker problem, not authentication (#21.10).
		{Name: "kafka_response", Category: diagnose.Network, Needs: []string{"tls_handshake"}, Run: func(ctx context.Context) diagnose.Outcome {
			return stage(probe, kafka.StageKafka, in.Target, port)
		}},
		{Name: "sasl_authentication", Category: diagnose.Authentication, Needs: []string{"kafka_response"}, Run: func(ctx context.Context) diagnose.Outcome {
			return stage(probe, kafka.StageSASL, in.Target, port)
		}},
		{Name: "authorization", Category: diagnose.Authorization, Needs: []string{"sasl_authentication"}, Run: func(ctx context.Context) diagnose.Outcome {
			return stage(probe, kafka.StageAuthorization, in.Target, port)
		}},
		{Name: "broker_health", Category: diagnose.BrokerHealth, Needs: []string{"authorization"}, Run: func(ctx context.Context) diagnose.Outcome {
			var err error
			conn, err = f.Conn(ctx, in.Target)
			if err != nil {
				return diagnose.Unknown("no client: " + err.Error())
			}
			o, err := conn.Overview(ctx)
			if err != nil {
				return diagnose.Unknown("metadata not readable: " + err.Error())
			}
			ov = &o
			ev.Overview = ov
			return brokerHealth(o)
		}},
		{Name: "topic", Category: diagnose.Topic, Needs: []string{"broker_health"}, Run: func(ctx context.Context) diagnose.Outcome {
			if in.Topic == "" {
				return diagnose.Skipped("no topic given")
			}
			return checkTopic(ctx, conn, in)
		}},
		{Name: "consumer_group_lag", Category: diagnose.ConsumerLag, Needs: []string{"broker_health"}, Run: func(ctx context.Context) diagnose.Outcome {
			if in.Group == "" {
				return diagnose.Skipped("no group_id given")
			}
			out, rep := checkGroup(ctx, conn, b, in)
			ev.Group = rep
			return out
		}},
		{Name: "throttling", Category: diagnose.Throttling, Needs: []string{"broker_health"}, Run: func(ctx context.Context) diagnose.Outcome {
			return checkThrottle(conn)
		}},
	}
	return diagnose.Run(ctx, defs), ev
}

// notFromHere turns a probe that failed for every broker of an MSK
// cluster at DNS (the names MSK gave do not resolve here) or by TCP
// timeout into unknown: this server's network position is not the
// pollers', so the failure does not locate a fault in the cluster's path.
// Self-managed targets keep the failure (a mistyped host is a real cause).
func notFromHere(p kafka.ProbeReport, name string, t kafka.Target, out diagnose.Outcome) diagnose.Outcome {
	if t.ClusterARN == "" || out.Status != diagnose.StatusFail || len(p.Addresses) == 0 {
		return out
	}
	for _, a := range p.Addresses {
		if a.Failed != name {
			return out
		}
		if name == kafka.StageTCP && a.Reason != "timeout" && a.Reason != "unreachable" {
			return out
		}
	}
	why := fmt.Sprintf("not reachable from this server's network position: every broker of %s failed at %s (%s); ", t.ClusterARN, name, p.Addresses[0].Reason)
	why += "MSK brokers are private to their VPC, so this says nothing about the pollers' path unless this server runs inside it; kafka_troubleshoot esm_uuid (or esm_inspect) judges the mapping's security groups, NACLs and routes from AWS"
	return diagnose.Unknown(why)
}

// PortForAuth is the MSK listener port of an auth mode (public listener
// when public); 0 when the auth has no MSK listener.
func PortForAuth(b *guidance.Base, auth string, public bool) int {
	id := ""
	switch auth {
	case kafka.AuthIAM:
		id = "iam"
	case kafka.AuthSCRAM512, kafka.AuthSCRAM256:
		id = "sasl_scram"
	case kafka.AuthTLS, kafka.AuthMTLS:
		id = "tls"
	case kafka.AuthNone:
		if public {
			return 0 // MSK public access needs an authenticated listener
		}
		id = "plaintext"
	default:
		return 0
	}
	if public {
		id = "public_" + id
	}
	return b.Int("guidance_esm.msk.port." + id)
}

// BootstrapPort is the port of the first bootstrap address that has one
// (0 when none parses): the port a self-managed cluster's clients, the
// ESM's pollers among them, connect to.
func BootstrapPort(addrs []string) int {
	for _, a := range addrs {
		if _, ps, err := net.SplitHostPort(a); err == nil {
			if p, err := strconv.Atoi(ps); err == nil {
				return p
			}
		}
	}
	return 0
}

func checkTarget(in ClusterInput, port, publicPort int) diagnose.Outcome {
	t := in.Target
	if in.ResolveErr != nil {
		if errors.Is(in.ResolveErr, kafka.ErrAuthNotEnabled) {
			enabled := []string{}
			if in.Listeners != nil {
				enabled = in.Listeners.Enabled()
			}
			return diagnose.Fail(in.ResolveErr.Error(), diagnose.Finding{
				ID: "configuration.auth_not_enabled", Severity: diagnose.Critical,
				Title:    fmt.Sprintf("the cluster has no listener for auth %s", t.Auth),
				Evidence: fmt.Sprintf("GetBootstrapBrokers for %s returns listeners for %v only", t.ClusterARN, enabled),
				Remediation: []string{
					fmt.Sprintf("Use one of the enabled auth modes %v in the mapping (SourceAccessConfigurations) and in this call, or", enabled),
					fmt.Sprintf("enable %s on the cluster: aws kafka update-security --cluster-arn %s --client-authentication ... --current-version $(aws kafka describe-cluster-v2 --cluster-arn %s --query ClusterInfo.CurrentVersion --output text)", t.Auth, t.ClusterARN, t.ClusterARN),
				},
				Reference: refPorts,
			})
		}
		return diagnose.Unknown("target not resolved: " + in.ResolveErr.Error())
	}
	detail := fmt.Sprintf("%d bootstrap address(es), auth %s", len(t.Bootstrap), t.Auth)
	if in.Listeners != nil {
		detail += fmt.Sprintf("; MSK listeners enabled: %v", in.Listeners.Enabled())
	}
	if port > 0 && in.Listeners != nil {
		for _, a := range t.Bootstrap {
			if !strings.HasSuffix(a, fmt.Sprintf(":%d", port)) && !strings.HasSuffix(a, fmt.Sprintf(":%d", publicPort)) {
				return diagnose.Warn(detail, diagnose.Finding{ID: "configuration.unexpected_port", Severity: diagnose.Warning,
					Title:       fmt.Sprintf("bootstrap address %s is not on the %s listener port %d", a, t.Auth, port),
					Evidence:    detail,
					Remediation: []string{fmt.Sprintf("Use the bootstrap string GetBootstrapBrokers returns for %s", t.Auth)},
					Reference:   refPorts})
			}
		}
	}
	return diagnose.Pass(detail)
}

// stage turns one probe stage across all addresses into a check.
func stage(p kafka.ProbeReport, name string, t kafka.Target, port int) diagnose.Outcome {
	var failed []kafka.AddressProbe
	var reasons []string
	ok, skipped := 0, 0
	var slowest float64
	var details []string
	for _, a := range p.Addresses {
		for _, s := range a.Stages {
			if s.Stage != name {
				continue
			}
			switch s.Result {
			case kafka.StageFailed:
				failed = append(failed, a)
				reasons = append(reasons, fmt.Sprintf("%s: %s (%s)", a.Address, s.Reason, s.Detail))
			case kafka.StageSkipped:
				skipped++
				if len(details) == 0 {
					details = append(details, s.Detail)
				}
			default:
				ok++
				slowest = max(slowest, s.Millis)
				if s.Detail != "" && len(details) == 0 {
					details = append(details, s.Detail)
				}
			}
		}
	}
	total := len(p.Addresses)
	if len(failed) == 0 {
		if ok == 0 {
			return diagnose.Skipped(strings.Join(details, "; "))
		}
		d := fmt.Sprintf("%d/%d addresses ok, slowest %.1f ms; %s", ok, total, slowest, p.Vantage)
		if len(details) > 0 {
			d = fmt.Sprintf("%d/%d addresses ok, slowest %.1f ms (%s); %s", ok, total, slowest, details[0], p.Vantage)
		}
		return diagnose.Pass(d)
	}
	f := stageFinding(name, failed[0].Reason, t, port)
	f.Evidence = strings.Join(reasons, "; ") + ". Probed " + p.Vantage
	detail := fmt.Sprintf("%d/%d addresses failed at %s", len(failed), total, name)
	if len(failed) < total-skipped && ok > 0 {
		f.Severity = diagnose.Warning
		return diagnose.Warn(detail+" (others passed)", f)
	}
	return diagnose.Fail(detail, f)
}

func stageFinding(stage, reason string, t kafka.Target, port int) diagnose.Finding {
	portTxt := "the listener port"
	if port > 0 {
		portTxt = fmt.Sprintf("TCP %d (the %s listener)", port, t.Auth)
	}
	f := diagnose.Finding{Severity: diagnose.Critical, Reference: refTroubleshoot}
	switch stage {
	case kafka.StageDNS:
		f.ID, f.Title = "network.dns", "broker host names do not resolve"
		f.Remediation = []string{"Check the bootstrap host names for typos", "For MSK private endpoints, resolve from inside the VPC (enableDnsSupport and enableDnsHostnames on the VPC)", "For public access, use the public bootstrap string from GetBootstrapBrokers"}
		f.Reference = refMSKNetwork
	case kafka.StageTCP:
		f.ID, f.Reference = "network."+reason, refMSKNetwork
		switch reason {
		case "refused":
			f.Title = "brokers refuse the connection: nothing listens on that port"
			f.Remediation = []string{fmt.Sprintf("Use %s; the port must match the auth mode", portTxt), "Check the broker is running and its listener is enabled for this auth"}
		default:
			f.Title = "TCP connection to the brokers times out: packets are dropped on the path"
			f.Remediation = []string{
				fmt.Sprintf("Allow inbound %s on the brokers' security group from the client's security group (for a Lambda ESM on MSK: from the cluster's own security group, which the ESM's ENIs use)", portTxt),
				"Check the subnet NACLs allow the port inbound and the return traffic to the client's ephemeral ports (NACLs are stateless)",
				"Check a route exists between the client and broker subnets (peering, transit gateway)",
			}
		}
	case kafka.StageTLS:
		f.ID, f.Reference = "authentication.tls_"+reason, refTroubleshoot
		switch reason {
		case "unknown_ca":
			f.Title = "the broker certificate is signed by a CA the client does not trust"
			f.Remediation = []string{"Give the private root CA (ca_file here; for a Lambda ESM on self-managed Kafka, SERVER_ROOT_CA_CERTIFICATE in SourceAccessConfigurations)"}
		case "hostname_mismatch":
			f.Title = "the broker certificate does not name the host connected to"
			f.Remediation = []string{"Add the broker DNS names or IPs to the certificate's SAN, or connect by a name it lists"}
		case "not_tls":
			f.Title = "the listener speaks plaintext, not TLS"
			f.Remediation = []string{fmt.Sprintf("Use %s, or auth none for a plaintext listener", portTxt)}
		case "client_config":
			f.ID = "configuration.client_tls"
			f.Title = "the client TLS material could not be loaded"
			f.Remediation = []string{"Check ca_file, cert_file and key_file point to readable PEM files (for mTLS the key must be unencrypted PEM here; Lambda needs PKCS#8 with PBES1 encryption in the secret)"}
		default:
			f.Title = "the TLS handshake failed: " + reason
			f.Remediation = []string{"Check the broker certificate chain and validity", "For mTLS, check the client certificate is signed by a CA the brokers trust (ssl.truststore / ACM PCA on MSK)"}
		}
	case kafka.StageKafka:
		f.ID, f.Reference = "network.no_kafka_response", refMSKNetwork
		f.Title = "no Kafka response after connect (timeout): the port accepts TCP but nothing answers Kafka requests"
		f.Remediation = []string{
			fmt.Sprintf("Check the address is a Kafka listener: use %s; a load balancer or another service on that port accepts connections but does not speak Kafka", portTxt),
			"Check the broker process is healthy (a hung broker accepts connections it never serves)",
			"Check no proxy or firewall between here and the broker holds the connection open without forwarding it",
		}
	case kafka.StageSASL:
		f.ID = "authentication." + reason
		switch {
		case t.Auth == kafka.AuthIAM:
			f.Title = "IAM authentication failed"
			f.Remediation = []string{"Allow kafka-cluster:Connect on the cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID) for the caller's role", "Check the AWS credentials resolve (the SDK chain) and the clock is in sync (SigV4)"}
			f.Reference = refMSKPerms
		case reason == "client_config" || reason == "client_credentials":
			f.ID = "configuration.client_credentials"
			f.Title = "the client credentials could not be loaded"
			f.Remediation = []string{"Set the environment variable or file named by password_env / password_file (the server never takes a password inline)"}
		default:
			f.Title = "SASL authentication failed (" + reason + ")"
			f.Remediation = []string{
				fmt.Sprintf("Check user %q exists with this mechanism (%s) and the password in the secret is current", t.Username, t.Auth),
				"For a Lambda ESM: the Secrets Manager secret must hold {\"username\",\"password\"} and, on MSK, be named AmazonMSK_* and associated with the cluster (aws kafka batch-associate-scram-secret)",
				"If failures are intermittent, the brokers may be rejecting connections past a connection quota; Lambda retries",
			}
		}
	case kafka.StageAuthorization:
		f.ID, f.Reference = "authorization."+reason, refTroubleshoot
		f.Title = "the principal is not authorized"
		if t.Auth == kafka.AuthIAM {
			f.Remediation = []string{"Grant kafka-cluster:DescribeTopic and kafka-cluster:ReadData on the topic ARN and kafka-cluster:DescribeGroup and kafka-cluster:AlterGroup on the group ARN; both ARNs repeat the cluster UUID (topic/NAME/UUID/TOPIC, group/NAME/UUID/GROUP)"}
			f.Reference = refIAMActions
		} else {
			f.Remediation = []string{fmt.Sprintf("Add Kafka ACLs for User:%s: DESCRIBE_CONFIGS on the cluster, DESCRIBE and READ on the topic, DESCRIBE and READ on the group (for a Lambda ESM the group is its UUID or ConsumerGroupId)", t.Username)}
		}
	}
	return f
}

func brokerHealth(o kafka.Overview) diagnose.Outcome {
	detail := fmt.Sprintf("%d brokers in %d racks, controller %d, %d partitions; offline %d, under-replicated %d, under-min-ISR %d, leader skew %.2f",
		len(o.Brokers), o.Racks, o.Controller, o.Partitions, o.OfflineCount, o.URPCount, o.UnderMinISR, o.LeaderSkew)
	var fs []diagnose.Finding
	fail := false
	if o.OfflineCount > 0 {
		fail = true
		fs = append(fs, diagnose.Finding{ID: "broker_health.offline_partitions", Severity: diagnose.Critical,
			Title:       fmt.Sprintf("%d partitions have no leader", o.OfflineCount),
			Evidence:    fmt.Sprintf("offline: %s", tpList(o.Offline)),
			Remediation: []string{"Bring the brokers hosting these replicas back (check broker health and disk)", "Consumers and producers on these partitions are blocked until a replica in the ISR becomes leader"},
			Reference:   refKafkaOps})
	}
	if o.UnderMinISR > 0 {
		fail = true
		fs = append(fs, diagnose.Finding{ID: "broker_health.under_min_isr", Severity: diagnose.Critical,
			Title:       fmt.Sprintf("%d partitions are below min.insync.replicas: acks=all producers fail", o.UnderMinISR),
			Evidence:    tpList(o.UnderMinISRList),
			Remediation: []string{"Restore the lagging or stopped brokers", "Do not lower min.insync.replicas to work around it unless you accept data loss on failure"},
			Reference:   refKafkaOps})
	}
	if o.URPCount > 0 {
		fs = append(fs, diagnose.Finding{ID: "broker_health.under_replicated", Severity: diagnose.Warning,
			Title:       fmt.Sprintf("%d partitions are under-replicated", o.URPCount),
			Evidence:    tpList(o.UnderReplicated),
			Remediation: []string{"Check broker load, disk and network; a restarting broker causes this briefly"},
			Reference:   refKafkaOps})
	}
	if o.Controller < 0 {
		fs = append(fs, diagnose.Finding{ID: "broker_health.no_controller", Severity: diagnose.Warning, Title: "no active controller reported",
			Evidence: "metadata controller id -1", Remediation: []string{"Check the controller quorum (KRaft) or ZooKeeper"}, Reference: refKafkaOps})
	}
	switch {
	case fail:
		return diagnose.Fail(detail, fs...)
	case len(fs) > 0:
		return diagnose.Warn(detail, fs...)
	}
	return diagnose.Pass(detail)
}

func tpList(tps []kafka.TP) string {
	parts := make([]string, 0, len(tps))
	for _, tp := range tps {
		parts = append(parts, fmt.Sprintf("%s/%d", tp.Topic, tp.Partition))
	}
	return strings.Join(parts, ", ")
}

func checkTopic(ctx context.Context, conn *kafka.Conn, in ClusterInput) diagnose.Outcome {
	td, err := conn.Topic(ctx, in.Topic)
	if errors.Is(err, kafka.ErrTopicNotFound) {
		tbs, _ := conn.Topics(ctx)
		names := []string{}
		for _, tb := range tbs {
			if !tb.Internal && len(names) < 10 {
				names = append(names, tb.Name)
			}
		}
		return diagnose.Fail(fmt.Sprintf("topic %q does not exist", in.Topic), diagnose.Finding{
			ID: "topic.missing", Severity: diagnose.Critical, Title: fmt.Sprintf("topic %q does not exist on the cluster", in.Topic),
			Evidence: fmt.Sprintf("metadata has no topic %q; existing topics include %v", in.Topic, names),
			Remediation: []string{
				"Fix the topic name in the mapping (Topics is set at creation; a new mapping is needed to change it)",
				fmt.Sprintf("or create the topic (kafka_admin action=create_topic, or kafka-topics.sh --create --topic %s)", shellWord(in.Topic)),
			},
			Reference: refTroubleshoot})
	}
	if err != nil {
		return diagnose.Unknown("topic not readable: " + err.Error())
	}
	offline := 0
	for _, p := range td.PartitionList {
		if p.Leader < 0 {
			offline++
		}
	}
	detail := fmt.Sprintf("topic %q: %d partitions, RF %d, %d records retained", td.Name, td.Partitions, td.ReplicationFactor, td.Records)
	if offline > 0 {
		return diagnose.Fail(detail, diagnose.Finding{ID: "topic.offline_partitions", Severity: diagnose.Critical,
			Title:    fmt.Sprintf("%d of the topic's partitions have no leader", offline),
			Evidence: detail, Remediation: []string{"Restore the brokers hosting these partitions"}, Reference: refKafkaOps})
	}
	if td.ReplicationFactor < 2 {
		return diagnose.Warn(detail, diagnose.Finding{ID: "topic.single_replica", Severity: diagnose.Warning,
			Title:       "the topic has one replica: a broker loss makes it unavailable",
			Evidence:    detail,
			Remediation: []string{"Reassign partitions to add replicas (kafka-reassign-partitions.sh)"}, Reference: refKafkaOps})
	}
	return diagnose.Pass(detail)
}

func checkGroup(ctx context.Context, conn *kafka.Conn, b *guidance.Base, in ClusterInput) (diagnose.Outcome, *lag.GroupReport) {
	gs, err := conn.SampleGroups(ctx, []string{in.Group}, in.Sampling)
	if err != nil {
		return diagnose.Unknown("group offsets not readable: " + err.Error()), nil
	}
	if len(gs.Groups) == 0 {
		return diagnose.Unknown("group not described"), nil
	}
	g := gs.Groups[0]
	info := gs.Info[in.Group]
	if info.Error != "" && len(g.Partitions) == 0 {
		return diagnose.Unknown(fmt.Sprintf("group %q: %s", in.Group, info.Error)), nil
	}
	rep, vs := lag.Evaluate(g, lag.ThresholdsFrom(b, 5))
	if len(g.Partitions) == 0 && info.State == "Dead" || len(g.Partitions) == 0 && len(info.Members) == 0 {
		return diagnose.Fail(fmt.Sprintf("group %q has no members and no committed offsets", in.Group), diagnose.Finding{
			ID: "consumer_lag.group_absent", Severity: diagnose.Critical, Title: fmt.Sprintf("consumer group %q does not exist: nothing consumes", in.Group),
			Evidence: fmt.Sprintf("state %q, 0 members, 0 committed partitions", info.State),
			Remediation: []string{
				"For a Lambda ESM the group is the mapping UUID unless ConsumerGroupId is set: check the group_id",
				"If the mapping is Enabled but never joined, its earlier checks (network, authentication, authorization) explain why",
			},
			Reference: refLag}), &rep
	}
	detail := fmt.Sprintf("group %q %s: state %s, %d members, %d partitions, total lag %d, %d samples over %.1fs; %s",
		in.Group, rep.Status, rep.State, rep.Members, rep.Partitions, rep.TotalLag, rep.Samples, rep.WindowSeconds, counts(rep.Counts))
	sev := rep.Status.Severity()
	if sev < lag.SeverityProblem {
		return diagnose.Pass(detail), &rep
	}
	w := vs[0]
	f := diagnose.Finding{ID: "consumer_lag." + strings.ToLower(string(rep.Status)), Severity: diagnose.Warning,
		Title: fmt.Sprintf("group %q is %s", in.Group, rep.Status), Evidence: fmt.Sprintf("%s/%d: %s", w.Topic, w.Partition, w.Evidence),
		Remediation: lagRemediation(rep.Status, in.Group, w), Reference: refLag}
	if sev >= lag.SeverityBroken || rep.Status == lag.NoActiveMembers {
		f.Severity = diagnose.Critical
		return diagnose.Fail(detail, f), &rep
	}
	return diagnose.Warn(detail, f), &rep
}

func counts(m map[lag.Status]int) string {
	parts := make([]string, 0, len(m))
	for s, n := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", s, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func lagRemediation(s lag.Status, group string, w lag.Verdict) []string {
	switch s {
	case lag.Stalled:
		return []string{
			"The consumer is connected but not committing: look for a poison record or a failing function at " + fmt.Sprintf("%s/%d offset %d", w.Topic, w.Partition, ptrOr(w.Committed)),
			"For a Lambda ESM: check LastProcessingResult, the function's errors and timeouts, and configure an on-failure destination or bisect/retry limits (provisioned mode) so one record cannot block the partition",
		}
	case lag.NoActiveMembers:
		return []string{
			fmt.Sprintf("Nothing consumes group %q: start the consumer, or for a Lambda ESM check State is Enabled and its connection checks pass", group),
		}
	case lag.FallingBehind:
		return []string{
			"Consumption is slower than production: raise throughput (for a Lambda ESM in provisioned mode raise MinimumPollers/MaximumPollers, up to one poller per partition; increase BatchSize and MaximumBatchingWindowInSeconds; speed up the function)",
			"If the partition count caps consumers, add partitions (kafka_admin action=add_partitions)",
		}
	case lag.TxnBlocked:
		return []string{"An open transaction holds the last stable offset: find it with kafka-transactions.sh list / describe-producers and let its producer commit or abort (kafka-transactions.sh abort as a last resort)"}
	case lag.DataLoss:
		return []string{
			fmt.Sprintf("Retention deleted %d records the group never read; they are gone. The consumer will reset by auto.offset.reset", w.LostRecords),
			"Raise retention.ms on the topic or fix the consumer's throughput so it keeps up",
		}
	case lag.Rewound:
		return []string{"The committed offset moved backwards: someone reset offsets or a consumer restarted from an older position; records will be reprocessed (make the function idempotent)"}
	case lag.AheadOfLog:
		return []string{"The committed offset is past the end of the log: the topic was recreated or truncated; reset the group's offsets (kafka_admin action=reset_group_offsets) to a valid position"}
	}
	return []string{"Sample a longer window (sample_seconds) to confirm the trend"}
}

func ptrOr(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func checkThrottle(conn *kafka.Conn) diagnose.Outcome {
	n, worst := conn.Throttles()
	if n == 0 {
		return diagnose.Pass(fmt.Sprintf("no broker throttled this server's %d requests", conn.Requests()))
	}
	return diagnose.Warn(fmt.Sprintf("%d responses were throttled, longest %s", n, worst), diagnose.Finding{
		ID: "throttling.client_quota", Severity: diagnose.Warning, Title: "brokers throttle clients (a client quota is in force)",
		Evidence:    fmt.Sprintf("%d of %d responses carried a throttle time, longest %s", n, conn.Requests(), worst),
		Remediation: []string{"Check client quotas (kafka-configs.sh --describe --entity-type clients/users); MSK Express and Serverless enforce per-partition and per-cluster throughput quotas", "Spread load across more partitions or raise the quota"},
		Reference:   refQuotas})
}

// MSKResourceARNs returns the topic and group ARNs of an MSK cluster ARN
// (they repeat the cluster UUID), or empty strings when it does not parse.
func MSKResourceARNs(clusterARN, topic, group string) (topicARN, groupARN string) {
	c, err := iac.ParseMSKClusterARN(clusterARN)
	if err != nil {
		return "", ""
	}
	if topic != "" {
		topicARN = c.TopicARN(topic)
	}
	if group != "" {
		groupARN = c.GroupARN(group)
	}
	return topicARN, groupARN
}
