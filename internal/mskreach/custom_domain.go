package mskreach

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// CustomDomainRequest asks how to give a provisioned cluster a custom DNS
// name through a Network Load Balancer.
type CustomDomainRequest struct {
	Type string
	// Brokers is the broker count (one NLB listener and DNS record each
	// when every connection goes through the NLB).
	Brokers int
	// Domain is the custom domain (records bootstrap.<domain> and
	// b-<id>.<domain>).
	Domain string
	// Auth is the client auth mode (the documented pattern is SCRAM).
	Auth string
	// ClientsReachBrokers is true when clients can route to the broker
	// ENIs directly: then only the bootstrap goes through the NLB and the
	// brokers' advertised listeners stay untouched.
	ClientsReachBrokers bool
	// BrokerDNSSuffix is the part of the broker names after "b-N.", e.g.
	// mycluster.abc123.c2.kafka.us-east-1.amazonaws.com (for the
	// REPLICATION listeners in the advertised.listeners commands).
	BrokerDNSSuffix string
	// PrivateCA is true when the NLB certificate comes from a private CA.
	PrivateCA bool
}

// customDomainRef is the post the pattern comes from.
const customDomainRef = "msk_reach.custom_domain.auth"

// CustomDomain answers msk_custom_domain.
func CustomDomain(b *guidance.Base, r CustomDomainRequest) (guide.Result, error) {
	typ, err := checkType(r.Type)
	if err != nil {
		return guide.Result{}, err
	}
	if r.Domain == "" {
		r.Domain = "example.com"
	}
	if err := ValidateDomain(r.Domain); err != nil {
		return guide.Result{}, err
	}
	if r.BrokerDNSSuffix != "" && !reDNSSuffix.MatchString(r.BrokerDNSSuffix) {
		return guide.Result{}, fmt.Errorf("%w: broker_dns_suffix %q is not a DNS name (the part after b-1. in a broker host name)", iac.ErrInvalid, r.BrokerDNSSuffix)
	}
	if r.Auth == "" {
		r.Auth = AuthSCRAM
	}
	target, err := portFor(b, r.Auth, false)
	if err != nil {
		return guide.Result{}, err
	}
	maxListeners := b.Int("msk_reach.nlb.listeners.max")
	if r.Brokers < 1 {
		return guide.Result{}, fmt.Errorf("%w: send brokers (the cluster's broker count) so the NLB listeners, target groups and DNS records can be laid out", iac.ErrInvalid)
	}
	if !r.ClientsReachBrokers && r.Brokers+1 > maxListeners {
		return guide.Result{}, fmt.Errorf("%w: %d brokers need %d NLB listeners (bootstrap plus one per broker); an NLB has at most %d (not adjustable); split brokers across NLBs or let clients reach broker ENIs directly", iac.ErrInvalid, r.Brokers, r.Brokers+1, maxListeners)
	}
	boot := b.Int("msk_reach.custom_domain.bootstrap_listener_port")
	ref := b.Source(customDomainRef)
	res := guide.Result{References: []string{ref, b.Source("msk_reach.nlb.listeners.max"), b.Source("guidance_esm.msk.port.sasl_scram")}}
	authNote := fmt.Sprintf("the documented pattern covers %s clients only", strings.Join(b.Strings(customDomainRef), ", "))
	if !slices.Contains(b.Strings(customDomainRef), r.Auth) {
		authNote = fmt.Sprintf("%s: %s is not covered by it; test TLS re-encryption through the NLB for %s before relying on it", authNote, r.Auth, r.Auth)
	}
	mode := "every connection through the NLB: one listener per broker and per-broker advertised.listeners"
	if r.ClientsReachBrokers {
		mode = "bootstrap only through the NLB: brokers are not touched; clients then connect to the AWS broker names"
	}
	res.Steps = append(res.Steps,
		guide.Step{Title: "Choose bootstrap-only or per-broker NLB listeners",
			Detail: "MSK broker certificates are issued for the AWS names and cannot be replaced, so a custom name needs a TLS NLB that terminates TLS with your certificate and opens a new TLS session to the broker. " + authNote + ".",
			Decision: &guide.Decision{Choice: "NLB layout", Options: []string{"bootstrap_only", "per_broker"}, Recommendation: map[bool]string{true: "bootstrap_only", false: "per_broker"}[r.ClientsReachBrokers],
				Why: "bootstrap-only works when clients can route to the broker ENIs (metadata still returns the AWS broker names); clients that reach the cluster only through the NLB, PrivateLink or multi-VPC need per-broker listeners and advertised.listeners. Chosen: " + mode}},
		guide.Step{Title: "Network Load Balancer, listeners and target groups",
			Detail: fmt.Sprintf("Internal network NLB in the cluster's subnets with cross-zone load balancing ON (default on an NLB: %v; when off a node then forwards only to targets in its own AZ and clients see slow or failed connects). Listener TLS %d -> target group of all broker IPs; %s. Targets: type %s, protocol TLS, port %d (the broker's %s listener). SSL policy %s. At most %d listeners per NLB.",
				crossZoneDefault(b), boot, brokerListeners(boot, r), str(b, "msk_reach.custom_domain.target_type"), target, r.Auth, str(b, "msk_reach.custom_domain.ssl_policy"), maxListeners)},
		guide.Step{Title: "Certificate (ACM) with every name in the SAN list",
			Detail: fmt.Sprintf("Import (or issue) one certificate for bootstrap.%s whose Subject Alternative Names list %s; clients validate the name they dial against the CN or a SAN, so a missing SAN is a hostname-verification failure. %s", r.Domain, strings.Join(sanList(r), ", "), trustNote(r.PrivateCA))},
		guide.Step{Title: "DNS records",
			Detail: fmt.Sprintf("Route 53 private hosted zone %s associated with the client VPCs: A alias records bootstrap.%s and b-1..b-%d.%s to the NLB (other DNS: CNAME to the NLB DNS name; a public zone or an inbound resolver also works). Optional: point each b-N at the NLB ENI IP in the broker's AZ to avoid cross-AZ charges.", r.Domain, r.Domain, r.Brokers, r.Domain)},
	)
	if !r.ClientsReachBrokers {
		res.Steps = append(res.Steps, guide.Step{Title: "Advertised listeners per broker (dynamic broker config)",
			Detail: fmt.Sprintf("For each broker set advertised.listeners=[%s://b-N.%s:<its NLB port>,REPLICATION://b-N-internal.<cluster DNS>:%d,REPLICATION_SECURE://b-N-internal.<cluster DNS>:%d]. Keep both REPLICATION entries (brokers replicate through them). Each value must be unique: the cluster does not start when two brokers advertise the same address. A cluster with dynamically set advertised.listeners cannot migrate from ZooKeeper to KRaft in place.",
				str(b, "msk_reach.custom_domain.client_listener"), r.Domain, b.Int("msk_reach.broker.replication_port"), b.Int("msk_reach.broker.replication_secure_port"))})
		res.References = append(res.References, b.Source("msk_ops.kraft.migration_kafka_version"))
	}
	tmpl, err := customDomainTemplate(b, r, boot, target)
	if err != nil {
		return guide.Result{}, err
	}
	switch typ {
	case TypeSetup:
		res.Artifacts = append(res.Artifacts, tmpl)
		if !r.ClientsReachBrokers {
			res.Artifacts = append(res.Artifacts, advertisedListenersScript(b, r, boot))
		}
	case TypeNetworking:
		res.Artifacts = append(res.Artifacts, tmpl)
	case TypePermissions:
		res.Artifacts = append(res.Artifacts, certificateScript(r))
	}
	res.Checks = []guide.Check{
		{Name: "cross-zone load balancing is on", How: "aws elbv2 describe-load-balancer-attributes shows load_balancing.cross_zone.enabled=true"},
		{Name: "the custom bootstrap answers", How: fmt.Sprintf("bootstrap.%s:%d completes TLS and SASL and lists the brokers by their custom names", r.Domain, boot), Tool: "kafka_troubleshoot"},
		{Name: "advertised listeners are unique and keep REPLICATION", How: "kafka-configs.sh --describe --entity-type brokers shows a distinct CLIENT address per broker plus REPLICATION and REPLICATION_SECURE"},
	}
	if typ == TypeTroubleshooting {
		res.Troubleshooting = customDomainRows(b, r)
	}
	return finish(res), nil
}

func brokerListeners(boot int, r CustomDomainRequest) string {
	if r.ClientsReachBrokers {
		return "no per-broker listeners"
	}
	return fmt.Sprintf("listeners TLS %d..%d -> one target group per broker (broker N on port %d+N)", boot+1, boot+r.Brokers, boot)
}

func sanList(r CustomDomainRequest) []string {
	out := []string{"bootstrap." + r.Domain}
	if r.ClientsReachBrokers {
		return out
	}
	for i := 1; i <= r.Brokers; i++ {
		out = append(out, fmt.Sprintf("b-%d.%s", i, r.Domain))
	}
	return out
}

func trustNote(private bool) string {
	if private {
		return "The CA is private: import its root and intermediate certificates into every client's trust store (keytool -import -trustcacerts, e.g. into a copy of the JVM cacerts whose default password is changeit; then ssl.truststore.location), or clients fail with a PKIX path error."
	}
	return "A public CA's chain is already in the clients' default trust store; a private CA's root and intermediates must be imported into it."
}

func customDomainTemplate(b *guidance.Base, r CustomDomainRequest, boot, target int) (iac.Artifact, error) {
	params := map[string]iac.Parameter{
		"VpcId":              {Type: "AWS::EC2::VPC::Id", Description: "VPC of the MSK cluster"},
		"SubnetIds":          {Type: "List<AWS::EC2::Subnet::Id>", Description: "the cluster's client subnets (one per AZ)"},
		"NlbSecurityGroupId": {Type: "AWS::EC2::SecurityGroup::Id", Description: "security group of the NLB; the brokers' group must admit it on the target port"},
		"CertificateArn":     {Type: "String", Description: "ACM certificate for bootstrap.<domain> with every broker name as a SAN"},
		"ClientVpcId":        {Type: "AWS::EC2::VPC::Id", Description: "client VPC the private hosted zone is associated with"},
		"Domain":             {Type: "String", Default: r.Domain, Description: "custom domain"},
	}
	res := map[string]iac.Resource{
		"Nlb": {Type: "AWS::ElasticLoadBalancingV2::LoadBalancer", Properties: map[string]any{
			"Type": "network", "Scheme": "internal", "Subnets": cfnRef("SubnetIds"), "SecurityGroups": []any{cfnRef("NlbSecurityGroupId")},
			"LoadBalancerAttributes": []any{map[string]any{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}},
		}},
		"HostedZone": {Type: "AWS::Route53::HostedZone", Properties: map[string]any{
			"Name": cfnRef("Domain"), "VPCs": []any{map[string]any{"VPCId": cfnRef("ClientVpcId"), "VPCRegion": cfnRef("AWS::Region")}},
		}},
	}
	brokerIP := func(i int) map[string]any {
		return map[string]any{"Fn::Select": []any{fmt.Sprint(i - 1), cfnRef("BrokerIps")}}
	}
	tg := func(name string, ips []int) {
		targets := make([]any, 0, len(ips))
		for _, i := range ips {
			targets = append(targets, map[string]any{"Id": brokerIP(i), "Port": target})
		}
		res[name] = iac.Resource{Type: "AWS::ElasticLoadBalancingV2::TargetGroup", Properties: map[string]any{
			"Protocol": "TLS", "Port": target, "TargetType": str(b, "msk_reach.custom_domain.target_type"), "VpcId": cfnRef("VpcId"), "Targets": targets,
		}}
	}
	listener := func(name, group string, port int) {
		res[name] = iac.Resource{Type: "AWS::ElasticLoadBalancingV2::Listener", Properties: map[string]any{
			"LoadBalancerArn": cfnRef("Nlb"), "Port": port, "Protocol": "TLS", "SslPolicy": str(b, "msk_reach.custom_domain.ssl_policy"),
			"Certificates":   []any{map[string]any{"CertificateArn": cfnRef("CertificateArn")}},
			"DefaultActions": []any{map[string]any{"Type": "forward", "TargetGroupArn": cfnRef(group)}},
		}}
	}
	record := func(name, host string) {
		res[name] = iac.Resource{Type: "AWS::Route53::RecordSet", Properties: map[string]any{
			"HostedZoneId": cfnRef("HostedZone"), "Name": cfnSub(host + ".${Domain}"), "Type": "A",
			"AliasTarget": map[string]any{"DNSName": cfnGetAtt("Nlb", "DNSName"), "HostedZoneId": cfnGetAtt("Nlb", "CanonicalHostedZoneID")},
		}}
	}
	params["BrokerIps"] = iac.Parameter{Type: "CommaDelimitedList", Description: fmt.Sprintf("private IPs of brokers 1..%d in broker-id order (aws kafka list-nodes)", r.Brokers)}
	var ips []int
	for i := 1; i <= r.Brokers; i++ {
		ips = append(ips, i)
	}
	tg("BootstrapTargetGroup", ips)
	listener("BootstrapListener", "BootstrapTargetGroup", boot)
	record("BootstrapRecord", "bootstrap")
	if !r.ClientsReachBrokers {
		for i := 1; i <= r.Brokers; i++ {
			tg(fmt.Sprintf("Broker%dTargetGroup", i), []int{i})
			listener(fmt.Sprintf("Broker%dListener", i), fmt.Sprintf("Broker%dTargetGroup", i), boot+i)
			record(fmt.Sprintf("Broker%dRecord", i), fmt.Sprintf("b-%d", i))
		}
	}
	t := iac.Template{AWSTemplateFormatVersion: "2010-09-09", Description: "Custom domain for an Amazon MSK cluster through a TLS Network Load Balancer", Parameters: params, Resources: res,
		Outputs: map[string]iac.Output{"Bootstrap": {Description: "bootstrap address for clients", Value: cfnSub(fmt.Sprintf("bootstrap.${Domain}:%d", boot))}}}
	body, err := t.Marshal()
	if err != nil {
		return iac.Artifact{}, err
	}
	return iac.Artifact{Kind: iac.KindIaC, Format: string(iac.FormatCloudFormation), Name: "msk-custom-domain.yaml", Content: body,
		Notes: []string{"the NLB security group must reach the brokers on the target port, and the brokers' security group must admit it",
			"NLB listeners and the certificate take the ACM ARN of an imported certificate; ACM import is a CLI step (see the certificate script)",
			fmt.Sprintf("deleting the NLB can take up to %d minutes before dependent resources can be deleted", b.Int("msk_reach.nlb.delete_wait_minutes"))}}, nil
}

// advertisedListenersScript sets advertised.listeners per broker. Values
// are validated (domain, suffix); the bootstrap string and client config
// come from environment variables at run time.
func advertisedListenersScript(b *guidance.Base, r CustomDomainRequest, boot int) iac.Artifact {
	suffix := r.BrokerDNSSuffix
	var sb strings.Builder
	sb.WriteString("#!/usr/bin/env bash\nset -euo pipefail\n")
	sb.WriteString("# Set per-broker advertised.listeners for the custom domain (run from a client that reaches the brokers directly).\n")
	sb.WriteString("# Keep REPLICATION and REPLICATION_SECURE: brokers replicate through them. Every value must be unique per broker.\n")
	sb.WriteString(": \"${BOOTSTRAP:?set BOOTSTRAP to the SASL/SCRAM bootstrap string (aws kafka get-bootstrap-brokers)}\"\n")
	sb.WriteString(": \"${CLIENT_CONFIG:?set CLIENT_CONFIG to the client.properties with the SASL/SCRAM settings}\"\n")
	if suffix == "" {
		sb.WriteString(": \"${CLUSTER_DNS:?set CLUSTER_DNS to the broker name after b-N. (e.g. mycluster.abc123.c2.kafka.us-east-1.amazonaws.com)}\"\n")
	} else {
		sb.WriteString("CLUSTER_DNS=" + iac.ShellQuote(suffix) + "\n")
	}
	listener := str(b, "msk_reach.custom_domain.client_listener")
	rep, reps := b.Int("msk_reach.broker.replication_port"), b.Int("msk_reach.broker.replication_secure_port")
	for i := 1; i <= r.Brokers; i++ {
		value := fmt.Sprintf("advertised.listeners=[%s://b-%d.%s:%d,REPLICATION://b-%d-internal.${CLUSTER_DNS}:%d,REPLICATION_SECURE://b-%d-internal.${CLUSTER_DNS}:%d]",
			listener, i, r.Domain, boot+i, i, rep, i, reps)
		fmt.Fprintf(&sb, "bin/kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$CLIENT_CONFIG\" --entity-type brokers --entity-name %d --alter --add-config \"%s\"\n", i, value)
	}
	sb.WriteString("bin/kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$CLIENT_CONFIG\" --entity-type brokers --describe --all | grep advertised.listeners\n")
	return iac.Artifact{Kind: iac.KindScript, Format: "bash", Name: "set-advertised-listeners.sh", Content: sb.String(),
		Notes: []string{"broker ids are assumed to be 1..N (aws kafka list-nodes shows them)", "undo with --delete-config advertised.listeners per broker"}}
}

// certificateScript makes a SAN-complete CSR config and imports the
// certificate into ACM.
func certificateScript(r CustomDomainRequest) iac.Artifact {
	sans := sanList(r)
	var sb strings.Builder
	sb.WriteString("#!/usr/bin/env bash\nset -euo pipefail\n")
	sb.WriteString("# Certificate for the NLB: CN bootstrap.<domain>, every client-facing name as a SAN, imported into ACM.\n")
	sb.WriteString("cat > san.cnf <<'EOF'\n[req]\ndistinguished_name = dn\nreq_extensions = ext\nprompt = no\n[dn]\nCN = " + sans[0] + "\n[ext]\nsubjectAltName = @alt\n[alt]\n")
	for i, s := range sans {
		fmt.Fprintf(&sb, "DNS.%d = %s\n", i+1, s)
	}
	sb.WriteString("EOF\n")
	sb.WriteString("openssl req -new -newkey rsa:2048 -nodes -keyout bootstrap.key -out bootstrap.csr -config san.cnf\n")
	sb.WriteString("# sign bootstrap.csr with your CA (public or private) into bootstrap.pem and chain.pem, then:\n")
	sb.WriteString("aws acm import-certificate --certificate fileb://bootstrap.pem --private-key fileb://bootstrap.key --certificate-chain fileb://chain.pem\n")
	return iac.Artifact{Kind: iac.KindScript, Format: "bash", Name: "nlb-certificate.sh", Content: sb.String()}
}

func customDomainRows(b *guidance.Base, r CustomDomainRequest) []guide.Row {
	return []guide.Row{
		{Symptom: "SSL handshake fails: No subject alternative DNS name matching b-2." + r.Domain, Cause: "the NLB certificate's SAN list lacks a name clients dial (the CN alone covers only bootstrap)",
			Check: "openssl s_client -connect bootstrap." + r.Domain + ":<port> -servername b-2." + r.Domain + " and read the SANs", Fix: "reissue the certificate with bootstrap and every b-N name as SANs and re-import it into ACM", Tool: "kafka_troubleshoot"},
		{Symptom: "connects are slow or time out for some brokers only", Cause: "cross-zone load balancing is off (the default), so an NLB node drops traffic whose only target is in another AZ; clients retry every NLB IP",
			Check: "aws elbv2 describe-load-balancer-attributes", Fix: "set load_balancing.cross_zone.enabled=true", Tool: "kafka_troubleshoot"},
		{Symptom: "a broker does not start or the cluster stays unhealthy after the advertised.listeners change", Cause: "two brokers advertise the same address (each must be unique)",
			Check: "kafka-configs.sh --describe --entity-type brokers", Fix: "give broker N its own name and NLB port, or delete the dynamic advertised.listeners", Tool: "kafka_inspect"},
		{Symptom: "under-replicated partitions after the change", Cause: "the overridden advertised.listeners dropped REPLICATION or REPLICATION_SECURE",
			Check: "kafka-configs.sh --describe --entity-type brokers --entity-name N", Fix: fmt.Sprintf("add REPLICATION://b-N-internal...:%d and REPLICATION_SECURE://b-N-internal...:%d back", b.Int("msk_reach.broker.replication_port"), b.Int("msk_reach.broker.replication_secure_port")), Tool: "kafka_inspect"},
		{Symptom: "PKIX path building failed / unable to find valid certification path", Cause: "the NLB certificate comes from a private CA the client does not trust",
			Check: "keytool -list -keystore <truststore>", Fix: "import the root and intermediate CA certificates into the client trust store and set ssl.truststore.location", Tool: "kafka_troubleshoot"},
		{Symptom: "clients bootstrap through the NLB but then cannot reach brokers", Cause: "bootstrap-only layout while clients cannot route to the broker ENIs: metadata returns the AWS broker names",
			Check: "the client's route to the broker subnets", Fix: "use per-broker listeners with advertised.listeners, or give clients a route to the cluster VPC", Tool: "kafka_troubleshoot"},
	}
}

func crossZoneDefault(b *guidance.Base) string {
	if on, _ := mustLookup(b, "msk_reach.nlb.cross_zone_default").(bool); on {
		return "on"
	}
	return "off"
}
