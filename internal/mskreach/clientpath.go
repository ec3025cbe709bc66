package mskreach

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
)

// ClientPath is the network position of one (non-Lambda) client and what
// was read about the cluster and the client's side.
type ClientPath struct {
	// Auth is the client's auth mode (iam, sasl_scram, mtls, none).
	Auth string
	// Cluster facts.
	ClusterPublicAccess string // DISABLED or SERVICE_PROVIDED_EIPS
	Cluster             aws.VPCPath
	// Client position: OutsideAWS, or a subnet (with its VPC path) and
	// security groups.
	OutsideAWS    bool
	ClientSubnet  string
	ClientSGs     []string
	Client        aws.VPCPath
	ClusterSGIDs  []string
	ClientReadErr string
	// ClusterArn and VpcConnections (this account's managed VPC
	// connections) let a client in another VPC pass through multi-VPC
	// private connectivity; VpcConnErr says why they could not be read.
	ClusterArn     string
	VpcConnections []aws.MSKVpcConnection
	VpcConnErr     string
}

// vpcConnAuth is the VPC connection's Authentication for a client auth.
func vpcConnAuth(auth string) string {
	return map[string]string{AuthIAM: "SASL_IAM", AuthSCRAM: "SASL_SCRAM", AuthMTLS: "TLS"}[auth]
}

// viaVpcConnection judges a client in another VPC against the managed VPC
// connections to the cluster; ok=false means none applies.
func viaVpcConnection(b *guidance.Base, p ClientPath, clientVPC string) (diagnose.Check, *diagnose.Finding, bool) {
	for _, v := range p.VpcConnections {
		if v.VpcID != clientVPC || v.TargetClusterArn != p.ClusterArn {
			continue
		}
		c := diagnose.Check{Name: clientPathCheck, Category: diagnose.Network}
		switch {
		case v.State != "AVAILABLE":
			c.Status, c.Detail = diagnose.StatusFail, fmt.Sprintf("managed VPC connection %s from %s to the cluster is %s, not AVAILABLE", v.Arn, clientVPC, v.State)
			return c, &diagnose.Finding{ID: "network.client_vpc_connection_unavailable", Severity: diagnose.Critical, Category: diagnose.Network,
				Title: "the client's managed VPC connection is not available", Evidence: c.Detail,
				Remediation: []string{"check the cluster policy grants kafka:CreateVpcConnection to this account and that the owner did not reject the connection; recreate it (stream_guidance topic msk_multi_vpc)"},
				Reference:   b.Source("msk_reach.multi_vpc.auth")}, true
		case v.Authentication != "" && vpcConnAuth(p.Auth) != "" && v.Authentication != vpcConnAuth(p.Auth):
			c.Status, c.Detail = diagnose.StatusWarn, fmt.Sprintf("managed VPC connection %s is for %s but the client authenticates with %s", v.Arn, v.Authentication, p.Auth)
			return c, &diagnose.Finding{ID: "network.client_vpc_connection_auth", Severity: diagnose.Warning, Category: diagnose.Network,
				Title: "the VPC connection serves another auth scheme", Evidence: c.Detail,
				Remediation: []string{"create a VPC connection for the client's auth scheme (multi-VPC must be on for it on the cluster), or switch the client to " + v.Authentication},
				Reference:   b.Source("msk_reach.multi_vpc.auth")}, true
		default:
			c.Status, c.Detail = diagnose.StatusPass, fmt.Sprintf("client VPC %s reaches the cluster through managed VPC connection %s (%s); use the multi-VPC bootstrap string (BootstrapBrokerStringVpcConnectivity*)", clientVPC, v.Arn, v.Authentication)
			return c, nil, true
		}
	}
	return diagnose.Check{}, nil, false
}

const clientPathCheck = "client network path"

// JudgeClientPath checks whether the client can reach the brokers on the
// port of its auth mode. Missing evidence is unknown, never pass.
func JudgeClientPath(b *guidance.Base, p ClientPath) ([]diagnose.Check, []diagnose.Finding) {
	var checks []diagnose.Check
	var finds []diagnose.Finding
	add := func(st diagnose.Status, detail string) {
		checks = append(checks, diagnose.Check{Name: clientPathCheck, Category: diagnose.Network, Status: st, Detail: detail})
	}
	port, err := portFor(b, p.Auth, p.OutsideAWS)
	if err != nil {
		add(diagnose.StatusFail, err.Error())
		return checks, []diagnose.Finding{{ID: "network.client_public_auth", Severity: diagnose.Critical, Category: diagnose.Network,
			Title: "public access needs an authenticated listener", Evidence: err.Error(),
			Remediation: []string{"turn on IAM, SASL/SCRAM or mTLS and turn unauthenticated access off"}, Reference: b.Source("msk_reach.public_access.min_kafka_version")}}
	}
	if p.OutsideAWS {
		return judgeOutside(b, p, port)
	}
	if p.ClientReadErr != "" || len(p.Client.Subnets) == 0 {
		add(diagnose.StatusUnknown, "the client's subnet could not be read: "+orText(p.ClientReadErr, "no subnet returned"))
		return checks, nil
	}
	cs := p.Client.Subnets[0]
	same := p.Client.VpcID != "" && p.Client.VpcID == p.Cluster.VpcID
	if !same {
		if c, f, ok := viaVpcConnection(b, p, p.Client.VpcID); ok {
			checks = append(checks, c)
			if f != nil {
				finds = append(finds, *f)
			}
			return checks, finds
		}
		missing := clusterCIDRsWithoutRoute(p.Client, cs, p.Cluster.Subnets)
		if len(missing) > 0 {
			vc := "no managed VPC connection from this VPC to the cluster"
			if p.VpcConnErr != "" {
				vc = "managed VPC connections unknown (" + p.VpcConnErr + ")"
			}
			add(diagnose.StatusFail, fmt.Sprintf("client %s is in %s, the cluster in %s; the client's route table has no peering or Transit Gateway route to %s, and %s", cs.ID, p.Client.VpcID, p.Cluster.VpcID, strings.Join(missing, ", "), vc))
			finds = append(finds, diagnose.Finding{ID: "network.client_no_route", Severity: diagnose.Critical, Category: diagnose.Network,
				Title:    "the client's VPC has no route to the cluster's subnets",
				Evidence: fmt.Sprintf("client subnet %s (%s) in %s; cluster subnets %s in %s", cs.ID, cs.CIDR, p.Client.VpcID, strings.Join(missing, ", "), p.Cluster.VpcID),
				Remediation: []string{
					fmt.Sprintf("multi-VPC private connectivity (same Region, %s): a managed VPC connection in the client VPC, no routing (stream_guidance topic msk_multi_vpc)", strings.Join(b.Strings("msk_reach.multi_vpc.auth"), "/")),
					"or VPC peering / Transit Gateway with routes both ways and the cluster security group admitting the client CIDR",
					"or a custom domain through an NLB with per-broker listeners, exposed over PrivateLink (stream_guidance topic msk_custom_domain)"},
				Reference: b.Source("msk_reach.multi_vpc.auth")})
			return checks, finds
		}
	}
	ok, why := sgAdmits(p.Cluster.SecurityGroups, p.ClusterSGIDs, port, p.ClientSGs, cs.CIDR, same)
	if !ok {
		add(diagnose.StatusFail, why)
		finds = append(finds, diagnose.Finding{ID: "network.client_sg_closed", Severity: diagnose.Critical, Category: diagnose.Network,
			Title: fmt.Sprintf("the cluster's security groups do not admit the client on %d", port), Evidence: why,
			Remediation: []string{fmt.Sprintf("add an inbound rule TCP %d to the cluster security group from %s", port, sgSource(p.ClientSGs, cs.CIDR, same))},
			Reference:   b.Source("guidance_esm.msk.port.iam")})
		return checks, finds
	}
	if out, why := egressAllows(p.Client.SecurityGroups, p.ClientSGs, port); !out {
		add(diagnose.StatusFail, why)
		finds = append(finds, diagnose.Finding{ID: "network.client_egress_closed", Severity: diagnose.Critical, Category: diagnose.Network,
			Title: fmt.Sprintf("the client's security groups block egress on %d", port), Evidence: why,
			Remediation: []string{fmt.Sprintf("allow outbound TCP %d from the client security group to the cluster", port)}, Reference: b.Source("guidance_esm.msk.port.iam")})
		return checks, finds
	}
	where := "same VPC"
	if !same {
		where = "routed from " + p.Client.VpcID
	}
	add(diagnose.StatusPass, fmt.Sprintf("client subnet %s (%s, %s) reaches the brokers on %d: %s", cs.ID, cs.CIDR, where, port, why))
	return checks, finds
}

func judgeOutside(b *guidance.Base, p ClientPath, port int) ([]diagnose.Check, []diagnose.Finding) {
	ref := b.Source("msk_reach.public_access.min_kafka_version")
	if p.ClusterPublicAccess != "SERVICE_PROVIDED_EIPS" {
		detail := fmt.Sprintf("the client is outside AWS and the cluster's public access is %s: brokers have private addresses only", orText(p.ClusterPublicAccess, "off"))
		return []diagnose.Check{{Name: clientPathCheck, Category: diagnose.Network, Status: diagnose.StatusFail, Detail: detail}},
			[]diagnose.Finding{{ID: "network.client_outside_private_cluster", Severity: diagnose.Critical, Category: diagnose.Network,
				Title: "a client outside AWS cannot reach a private MSK cluster", Evidence: detail,
				Remediation: []string{
					fmt.Sprintf("turn on public access (Kafka %s or later, after creation, public subnets, TLS, an auth mode with unauthenticated off) and connect on %d (stream_guidance topic msk_multi_vpc with options.public)", str(b, "msk_reach.public_access.min_kafka_version"), port),
					"or reach the VPC privately (Site-to-Site VPN or Direct Connect) and, if clients cannot route to the broker ENIs, put a custom domain NLB with per-broker listeners in front (stream_guidance topic msk_custom_domain)"},
				Reference: ref}}
	}
	for _, sg := range p.Cluster.SecurityGroups {
		for _, r := range sg.Inbound {
			if r.AllowsTCP(int32(port)) && len(r.CIDRs) > 0 {
				return []diagnose.Check{{Name: clientPathCheck, Category: diagnose.Network, Status: diagnose.StatusPass,
					Detail: fmt.Sprintf("public access is on and %s admits TCP %d from %s", sg.ID, port, strings.Join(r.CIDRs, ", "))}}, nil
			}
		}
	}
	detail := fmt.Sprintf("public access is on but no cluster security group admits TCP %d from an address range", port)
	return []diagnose.Check{{Name: clientPathCheck, Category: diagnose.Network, Status: diagnose.StatusFail, Detail: detail}},
		[]diagnose.Finding{{ID: "network.client_public_sg_closed", Severity: diagnose.Critical, Category: diagnose.Network, Title: "the public listener is not open to the client", Evidence: detail,
			Remediation: []string{fmt.Sprintf("add an inbound rule TCP %d from the client's public CIDR (not 0.0.0.0/0) to the cluster security group", port)}, Reference: ref}}
}

// clusterCIDRsWithoutRoute lists cluster subnet CIDRs the client subnet's
// route table does not send to a peering connection or transit gateway.
func clusterCIDRsWithoutRoute(client aws.VPCPath, cs aws.PathSubnet, cluster []aws.PathSubnet) []string {
	var routes map[string]string
	for _, rt := range client.RouteTables {
		if rt.ID == cs.RouteTableID {
			routes = rt.Routes
		}
	}
	var missing []string
	for _, s := range cluster {
		pfx, err := netip.ParsePrefix(s.CIDR)
		if err != nil {
			missing = append(missing, s.CIDR)
			continue
		}
		routed := false
		for dest, target := range routes {
			d, err := netip.ParsePrefix(dest)
			if err != nil || d.Bits() == 0 {
				continue // the default route does not reach another VPC's private range
			}
			if d.Contains(pfx.Addr()) && d.Bits() <= pfx.Bits() && (strings.HasPrefix(target, "pcx-") || strings.HasPrefix(target, "tgw-")) {
				routed = true
			}
		}
		if !routed {
			missing = append(missing, s.CIDR)
		}
	}
	return missing
}

func sgAdmits(sgs []aws.PathSG, clusterSGIDs []string, port int, clientSGs []string, clientCIDR string, same bool) (bool, string) {
	addr, _ := netip.ParsePrefix(clientCIDR)
	for _, sg := range sgs {
		if len(clusterSGIDs) > 0 && !slices.Contains(clusterSGIDs, sg.ID) {
			continue
		}
		for _, r := range sg.Inbound {
			if !r.AllowsTCP(int32(port)) {
				continue
			}
			for _, g := range r.GroupIDs {
				if same && slices.Contains(clientSGs, g) {
					return true, fmt.Sprintf("%s admits TCP %d from the client's group %s", sg.ID, port, g)
				}
			}
			for _, c := range r.CIDRs {
				if p, err := netip.ParsePrefix(c); err == nil && addr.IsValid() && p.Contains(addr.Addr()) && p.Bits() <= addr.Bits() {
					return true, fmt.Sprintf("%s admits TCP %d from %s, which covers %s", sg.ID, port, c, clientCIDR)
				}
			}
		}
	}
	return false, fmt.Sprintf("no inbound rule on the cluster security groups admits TCP %d from %s", port, sgSource(clientSGs, clientCIDR, same))
}

func sgSource(clientSGs []string, cidr string, same bool) string {
	if same && len(clientSGs) > 0 {
		return "security group " + clientSGs[0] + " (or " + cidr + ")"
	}
	return cidr
}

func egressAllows(sgs []aws.PathSG, clientSGs []string, port int) (bool, string) {
	if len(clientSGs) == 0 {
		return true, "no client security group given, egress not checked"
	}
	for _, sg := range sgs {
		if !slices.Contains(clientSGs, sg.ID) {
			continue
		}
		for _, r := range sg.Outbound {
			if r.AllowsTCP(int32(port)) {
				return true, fmt.Sprintf("%s allows egress on %d", sg.ID, port)
			}
		}
	}
	return false, fmt.Sprintf("no outbound rule on %s allows TCP %d", strings.Join(clientSGs, ", "), port)
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
