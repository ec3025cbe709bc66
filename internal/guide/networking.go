package guide

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// kafkaPort is the in-VPC broker port for an auth mode on MSK.
func (e *Engine) kafkaPort(a iac.Auth) (int, string) {
	switch a {
	case iac.AuthIAM:
		return e.b.Int("guidance_esm.msk.port.iam"), "guidance_esm.msk.port.iam"
	case iac.AuthSCRAM512, iac.AuthSCRAM256:
		return e.b.Int("guidance_esm.msk.port.sasl_scram"), "guidance_esm.msk.port.sasl_scram"
	case iac.AuthMTLS:
		return e.b.Int("guidance_esm.msk.port.tls"), "guidance_esm.msk.port.tls"
	}
	return e.b.Int("guidance_esm.msk.port.plaintext"), "guidance_esm.msk.port.plaintext"
}

// smkPorts are the distinct ports of the bootstrap servers.
func smkPorts(servers []string) []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range servers {
		i := strings.LastIndexByte(s, ':')
		if i < 0 {
			continue
		}
		p, err := strconv.Atoi(s[i+1:])
		if err == nil && p > 0 && p <= 65535 && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func (e *Engine) networking(r Request) (Result, error) {
	var res Result
	switch {
	case r.Source.IsStream() || r.Source.IsSQS():
		res.Steps = append(res.Steps, Step{
			Title:  "No VPC configuration on the mapping",
			Detail: fmt.Sprintf("Lambda's pollers for %s run in Lambda's own network and call the service's public regional endpoint; the mapping has no subnets or security groups, and the function's VPC settings do not apply to polling. A resource or VPC-endpoint policy that requires aws:SourceVpc or aws:SourceVpce will therefore deny the pollers.", r.Source),
		}, Step{
			Title:  "Function in a VPC: only its own calls need a route",
			Detail: "If the function itself runs in a VPC, the records still arrive by invocation; only calls the function code makes (to the source, a database, other APIs) need a NAT gateway or VPC endpoints.",
		})
		res.Checks = append(res.Checks, Check{Name: "Mapping state", How: "State is Enabled and LastProcessingResult is OK or No records processed", Tool: "esm_inspect"})
		return res, nil
	}
	minAZ := e.b.Int("guidance_esm.vpc.min_azs")
	httpsPort := e.b.Int("guidance_esm.vpc_endpoint.port")
	var ports []int
	if r.Source == iac.SourceMSK {
		p, _ := e.kafkaPort(r.Auth)
		ports = []int{p}
		res.Steps = append(res.Steps, Step{
			Title: "The mapping uses the cluster's subnets and security groups",
			Detail: fmt.Sprintf("Lambda creates the pollers' network interfaces in the MSK cluster's client subnets and attaches the cluster's security groups; the function's own VPC settings play no part. With auth %s the brokers listen on %d inside the VPC (public listeners %d/%d/%d are for clients outside AWS; the mapping never uses them). Keep the cluster's subnets in at least %d Availability Zones.",
				authName(r.Auth), p, e.b.Int("guidance_esm.msk.port.public_tls"), e.b.Int("guidance_esm.msk.port.public_sasl_scram"), e.b.Int("guidance_esm.msk.port.public_iam"), minAZ),
		}, Step{
			Title:  "Self-referencing security-group rules",
			Detail: fmt.Sprintf("Because the pollers carry the cluster's security group, that group must allow inbound TCP %d from itself (and outbound to itself on that port, unless egress is open). Rules are separate resources so the group never depends on itself.", p),
		})
	} else {
		ports = smkPorts(r.BootstrapServers)
		detail := "Give the mapping VPC_SUBNET and VPC_SECURITY_GROUP entries in SourceAccessConfigurations when the brokers are private; Lambda creates the pollers' interfaces there. Without them the brokers must be reachable on a public address."
		if len(ports) > 0 {
			detail += fmt.Sprintf(" The bootstrap servers listen on %s: the mapping's security group needs egress to those ports and the brokers' security group ingress from the mapping's group.", joinInts(ports))
		} else {
			detail += " Give bootstrap_servers (host:port) to compute the exact ports."
		}
		res.Steps = append(res.Steps, Step{Title: "The mapping's own VPC configuration", Detail: detail + fmt.Sprintf(" Use subnets in at least %d Availability Zones.", minAZ)})
		if n := len(r.SubnetIDs); n > 0 && n < minAZ {
			res.Steps = append(res.Steps, Step{Title: "Too few subnets", Detail: fmt.Sprintf("%d subnet given; use at least %d in distinct Availability Zones.", n, minAZ)})
		}
	}
	mode := r.PollerMode
	endpoints := []string{"Lambda (lambda)", "STS (sts)"}
	if r.Auth != iac.AuthIAM && r.Auth != iac.AuthNone && r.Auth != "" {
		endpoints = append(endpoints, "Secrets Manager (secretsmanager)")
	}
	if d := r.OnFailureDestination; d != "" && !strings.HasPrefix(d, "kafka://") {
		if a, err := iac.ParseARN(d, ""); err == nil {
			endpoints = append(endpoints, "the failure destination ("+a.Service+")")
		}
	}
	onDemand := fmt.Sprintf("In on-demand mode the pollers call %s from these subnets: give the subnets a route to a NAT gateway, or create interface VPC endpoints for each, whose security group allows TCP %d from the mapping's security group.", strings.Join(endpoints, ", "), httpsPort)
	prov := "In provisioned mode Lambda reaches those services itself; no NAT gateway or VPC endpoints are needed."
	if d := r.OnFailureDestination; r.Source == iac.SourceMSK && d != "" && !strings.HasPrefix(d, "kafka://") {
		// https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html states it without naming a mode
		prov += " Exception: AWS requires a VPC endpoint for the on-failure destination's service inside the MSK cluster's VPC, whatever the mode."
	}
	res.Steps = append(res.Steps, Step{
		Title:  "Reaching Lambda, STS and the rest",
		Detail: onDemand + " " + prov,
		Decision: &Decision{Choice: "poller_mode", Options: []string{ModeOnDemand, ModeProvisioned},
			Recommendation: pick(mode == ModeOnDemand, ModeOnDemand, ModeProvisioned),
			Why: pick(mode == ModeOnDemand, "You chose on-demand: budget for a NAT gateway or the endpoints above.",
				"Provisioned mode removes the NAT/endpoint requirement, unlocks retries, bisect, partial-batch responses and schema registries for Kafka, and sizes pollers predictably (esm_optimize).")},
	})
	if r.Source == iac.SourceMSK {
		res.Steps = append(res.Steps, Step{
			Title:  "Cross-account clusters",
			Detail: "A function in another account reaches a provisioned MSK cluster in the same Region through multi-VPC private connectivity: the owner turns it on and attaches a cluster policy allowing kafka:CreateVpcConnection, GetBootstrapBrokers, DescribeCluster and DescribeClusterV2 to the client account; the client creates a managed VPC connection and uses its ARN (vpc-connection/…) as EventSourceArn. The VPC connection and the function must be in the cluster's Region, and the connection in the VPC the mapping's pollers use. Not available for MSK Serverless. Give client_account to get the cluster policy.",
		})
	}
	if len(r.SecurityGroupIDs) > 0 && len(ports) > 0 {
		a, err := e.sgArtifact(r)
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, a)
	}
	res.Checks = append(res.Checks,
		Check{Name: "Broker reachability and security groups", How: "network checks pass for the mapping's subnets and security groups on the broker port", Tool: "kafka_troubleshoot"},
		Check{Name: "Mapping state", How: "State Enabled, LastProcessingResult OK; no 'PROBLEM: Connection error'", Tool: "esm_inspect"},
	)
	return res, nil
}

func (e *Engine) sgArtifact(r Request) (iac.Artifact, error) {
	return iac.RenderSGRules(e.sgRules(r), r.Format)
}

// sgRules are the rules the mapping needs on the given security groups:
// for MSK self-referencing ingress and egress on the broker port (the
// pollers carry the cluster's groups); for self-managed Kafka egress to the
// brokers' ports; in on-demand mode egress to HTTPS for Lambda, STS and
// Secrets Manager (through NAT or endpoints).
func (e *Engine) sgRules(r Request) []iac.SGRule {
	var ports []int
	if r.Source == iac.SourceMSK {
		p, _ := e.kafkaPort(r.Auth)
		ports = []int{p}
	} else {
		ports = smkPorts(r.BootstrapServers)
	}
	var rules []iac.SGRule
	httpsPort := e.b.Int("guidance_esm.vpc_endpoint.port")
	for _, sg := range r.SecurityGroupIDs {
		for _, p := range ports {
			if r.Source == iac.SourceMSK {
				rules = append(rules,
					iac.SGRule{GroupID: sg, PeerGroupID: sg, Port: p, Description: "Lambda ESM pollers to brokers (self)"},
					iac.SGRule{Egress: true, GroupID: sg, PeerGroupID: sg, Port: p, Description: "Lambda ESM pollers to brokers (self)"})
			} else {
				rules = append(rules, iac.SGRule{Egress: true, GroupID: sg, CIDR: "0.0.0.0/0", Port: p, Description: "Lambda ESM pollers to Kafka brokers"})
			}
		}
		mskDest := r.Source == iac.SourceMSK && r.OnFailureDestination != "" && !strings.HasPrefix(r.OnFailureDestination, "kafka://")
		if r.PollerMode != ModeProvisioned || mskDest {
			rules = append(rules, iac.SGRule{Egress: true, GroupID: sg, CIDR: "0.0.0.0/0", Port: httpsPort, Description: "Lambda ESM pollers to AWS service endpoints (HTTPS)"})
		}
	}
	return rules
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func authName(a iac.Auth) string {
	if a == "" {
		return "unspecified"
	}
	return string(a)
}
