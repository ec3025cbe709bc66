package judge

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
)

// networkDefs are the checks of the pollers' network path: both directions
// of security groups and NACLs between pollers and brokers, the NAT
// gateway or VPC endpoint each AWS API is reached through, and the AZs.
func (s *state) networkDefs() []diagnose.Def {
	needs := []string{"network_path"}
	return []diagnose.Def{
		{Name: "network_path", Category: diagnose.Network, Run: func(context.Context) diagnose.Outcome { return s.checkPathRead() }},
		{Name: "subnets_multi_az", Category: diagnose.Network, Needs: needs, Run: func(context.Context) diagnose.Outcome { return s.checkAZs() }},
		{Name: "security_group_port", Category: diagnose.Network, Needs: needs, Run: func(context.Context) diagnose.Outcome { return s.checkSG() }},
		{Name: "security_group_egress", Category: diagnose.Network, Needs: needs, Run: func(context.Context) diagnose.Outcome { return s.checkSGEgress() }},
		{Name: "network_acls", Category: diagnose.Network, Needs: needs, Run: func(context.Context) diagnose.Outcome { return s.checkNACL() }},
		{Name: "reach_lambda", Category: diagnose.LambdaUnreachable, Needs: needs, Run: func(context.Context) diagnose.Outcome { return s.checkReach("lambda", diagnose.LambdaUnreachable) }},
		{Name: "reach_sts", Category: diagnose.STSUnreachable, Needs: needs, Run: func(context.Context) diagnose.Outcome { return s.checkReach("sts", diagnose.STSUnreachable) }},
		{Name: "reach_secretsmanager", Category: diagnose.Network, Needs: needs, Run: func(context.Context) diagnose.Outcome {
			if s.secret == "" {
				return diagnose.Skipped("no secret: auth " + s.facts.Auth)
			}
			return s.checkReach("secretsmanager", diagnose.Network)
		}},
		{Name: "reach_destination", Category: diagnose.DestinationUnreachable, Needs: needs, Run: func(context.Context) diagnose.Outcome {
			d := s.x.ESM.Config.OnFailureDestination
			if d == "" {
				return diagnose.Skipped("no on-failure destination")
			}
			if !strings.HasPrefix(d, "arn:") {
				return diagnose.Skipped("destination " + d + " is the Kafka cluster itself")
			}
			return s.checkReach(arnPart(d, 2), diagnose.DestinationUnreachable)
		}},
	}
}

func (s *state) checkPathRead() diagnose.Outcome {
	if len(s.x.PathSubnets) == 0 {
		if s.isMSK {
			if out, ok := s.unknownOf("cluster", "the cluster's subnets are unknown: cluster"); ok {
				return out
			}
			return diagnose.Unknown("the cluster's subnets are unknown")
		}
		return diagnose.Skipped("self-managed Kafka without VPC configuration: the pollers reach public brokers over the internet")
	}
	p := s.x.Path
	if p == nil || len(p.Subnets) == 0 {
		if out, ok := s.unknownOf("network_path", "network"); ok {
			return out
		}
		return diagnose.Unknown("network not read")
	}
	return diagnose.Pass(fmt.Sprintf("VPC %s: %d subnets, %d security groups, %d endpoints, %d NAT gateways", p.VpcID, len(p.Subnets), len(p.SecurityGroups), len(p.Endpoints), len(p.NatGateways)))
}

func (s *state) checkAZs() diagnose.Outcome {
	azs := map[string]bool{}
	for _, sn := range s.x.Path.Subnets {
		azs[orPlaceholder(sn.AZID, sn.AZ)] = true
	}
	minAZ := s.b.Int("guidance_esm.vpc.min_azs")
	detail := fmt.Sprintf("%d subnets in %d AZs", len(s.x.Path.Subnets), len(azs))
	if len(azs) >= minAZ {
		return diagnose.Pass(detail)
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "network.single_az", Severity: diagnose.Warning,
		Title: fmt.Sprintf("the mapping's subnets span fewer than %d AZs", minAZ), Evidence: detail,
		Remediation: []string{fmt.Sprintf("Add subnets in at least %d Availability Zones", minAZ)}, Reference: s.b.Source("guidance_esm.vpc.min_azs")})
}

// subnetPrefixes are the CIDRs of the pollers' subnets (on MSK also where
// the brokers live).
func (s *state) subnetPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, sn := range s.x.Path.Subnets {
		if p, err := netip.ParsePrefix(sn.CIDR); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// brokerPrefixes are where the brokers are: the cluster's subnets on MSK;
// for self-managed Kafka the bootstrap servers given as IP addresses (nil
// when they are host names this server cannot place).
func (s *state) brokerPrefixes() []netip.Prefix {
	if s.isMSK {
		return s.subnetPrefixes()
	}
	var out []netip.Prefix
	for _, b := range s.x.ESM.BootstrapServers {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			host = b
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			return nil
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out
}

func covers(cidr string, p netip.Prefix) bool {
	r, err := netip.ParsePrefix(cidr)
	return err == nil && r.Bits() <= p.Bits() && r.Contains(p.Addr())
}

// ruleAdmits reports whether a rule lets port through from/to one of sgs
// or from/to a CIDR that covers every given prefix.
func ruleAdmits(r awsx.PathRule, port int32, sgs []string, prefixes []netip.Prefix) bool {
	if !r.AllowsTCP(port) {
		return false
	}
	for _, g := range r.GroupIDs {
		for _, sg := range sgs {
			if g == sg {
				return true
			}
		}
	}
	if len(prefixes) == 0 {
		return false
	}
	for _, p := range prefixes {
		ok := false
		for _, c := range r.CIDRs {
			if covers(c, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyCIDR(r awsx.PathRule) bool {
	for _, c := range r.CIDRs {
		if c == "0.0.0.0/0" {
			return true
		}
	}
	return false
}

func (s *state) pollerGroups() []awsx.PathSG {
	var out []awsx.PathSG
	for _, g := range s.x.Path.SecurityGroups {
		if contains(s.x.PathSGs, g.ID) {
			out = append(out, g)
		}
	}
	return out
}

// checkSG judges the broker side's inbound rule for the listener port. On
// MSK the pollers use the cluster's own security groups, so the rule must
// admit those groups (a self reference) or the subnets' CIDRs. For a
// self-managed cluster the brokers' groups are outside what AWS shows
// here: the check says what the brokers' side must admit.
func (s *state) checkSG() diagnose.Outcome {
	port := int32(s.facts.Port)
	if port == 0 {
		return diagnose.Unknown("listener port unknown for auth " + s.facts.Auth)
	}
	if !s.isMSK {
		cidrs := strings.Join(s.subnetCIDRs(), ", ")
		return diagnose.Unknown(fmt.Sprintf("the brokers' security groups or firewall are not in this account's view: verify they admit TCP %d from the pollers' subnets %s (or from security groups %v when the brokers share the VPC)", port, cidrs, s.x.PathSGs))
	}
	prefixes := s.subnetPrefixes()
	in := false
	var names []string
	for _, g := range s.x.Path.SecurityGroups {
		names = append(names, g.ID)
		for _, r := range g.Inbound {
			if ruleAdmits(r, port, s.x.PathSGs, prefixes) {
				in = true
			}
		}
	}
	detail := fmt.Sprintf("TCP %d (%s) inbound on the cluster's security groups %v from the pollers (the same groups): %v", port, s.facts.Auth, names, in)
	if in {
		return diagnose.Pass(detail)
	}
	g := first(names)
	return diagnose.Fail(detail, diagnose.Finding{ID: "network.sg_port_closed", Severity: diagnose.Critical,
		Title:       fmt.Sprintf("security groups %s do not admit TCP %d, the %s listener", strings.Join(names, ", "), port, s.facts.Auth),
		Evidence:    detail + "; inbound rules: " + orPlaceholder(strings.Join(sgRules(s.x.Path.SecurityGroups), "; "), "none"),
		Remediation: []string{fmt.Sprintf("aws ec2 authorize-security-group-ingress --region %s --group-id %s --protocol tcp --port %d --source-group %s (the ESM's pollers use the cluster's own security group, so the rule references itself)", s.region(), g, port, g)},
		Reference:   s.b.Source("guidance_esm.msk.port.iam")})
}

func (s *state) subnetCIDRs() []string {
	var out []string
	for _, sn := range s.x.Path.Subnets {
		out = append(out, sn.CIDR)
	}
	return out
}

// checkSGEgress judges the pollers' groups' outbound rules: to the brokers
// on the listener port, and (on-demand mode) to 443 for Lambda, STS and
// Secrets Manager through NAT or endpoints.
func (s *state) checkSGEgress() diagnose.Outcome {
	port := int32(s.facts.Port)
	if port == 0 {
		return diagnose.Unknown("listener port unknown for auth " + s.facts.Auth)
	}
	groups := s.pollerGroups()
	if len(groups) == 0 {
		return diagnose.Unknown(fmt.Sprintf("the pollers' security groups %v were not read", s.x.PathSGs))
	}
	https := int32(s.b.Int("guidance_esm.vpc_endpoint.port"))
	brokers := s.brokerPrefixes()
	toBroker, toHTTPS, brokerUnknown := false, false, false
	for _, g := range groups {
		for _, r := range g.Outbound {
			if ruleAdmits(r, port, s.x.PathSGs, brokers) || (r.AllowsTCP(port) && anyCIDR(r)) {
				toBroker = true
			} else if r.AllowsTCP(port) && len(brokers) == 0 && len(r.CIDRs) > 0 {
				brokerUnknown = true
			}
			if r.AllowsTCP(https) && (anyCIDR(r) || len(r.PrefixLists) > 0 || len(r.GroupIDs) > 0 || len(r.CIDRs) > 0) {
				toHTTPS = true
			}
		}
	}
	ids := make([]string, 0, len(groups))
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	detail := fmt.Sprintf("outbound from the pollers' groups %v: TCP %d to the brokers %v, TCP %d %v", ids, port, toBroker, https, toHTTPS)
	needHTTPS := s.facts.Mode != "provisioned" || s.secret != ""
	var rem []string
	g := first(ids)
	if !toBroker && !brokerUnknown {
		dst := "--source-group " + g
		if !s.isMSK {
			dst = "--cidr <broker CIDR>"
			if len(brokers) > 0 {
				dst = "--cidr " + brokers[0].String()
			}
		}
		rem = append(rem, fmt.Sprintf("aws ec2 authorize-security-group-egress --region %s --group-id %s --protocol tcp --port %d %s", s.region(), g, port, dst))
	}
	if needHTTPS && !toHTTPS {
		rem = append(rem, fmt.Sprintf("aws ec2 authorize-security-group-egress --region %s --group-id %s --protocol tcp --port %d --cidr 0.0.0.0/0 (or to the VPC endpoints' security groups)", s.region(), g, https))
	}
	if len(rem) == 0 {
		if brokerUnknown && !toBroker {
			return diagnose.Unknown(detail + "; the brokers' addresses are host names, so whether the CIDR rules cover them cannot be decided here")
		}
		return diagnose.Pass(detail)
	}
	var outRules []string
	for _, g := range groups {
		for _, r := range g.Outbound {
			outRules = append(outRules, g.ID+" out "+ruleText(r))
		}
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "network.sg_egress_closed", Severity: diagnose.Critical,
		Title:       fmt.Sprintf("the pollers' security groups %v do not allow the outbound traffic the mapping needs", ids),
		Evidence:    detail + "; outbound rules: " + orPlaceholder(strings.Join(outRules, "; "), "none"),
		Remediation: rem, Reference: refSG})
}

func first(xs []string) string {
	if len(xs) == 0 {
		return "<security group>"
	}
	return xs[0]
}

func ruleText(r awsx.PathRule) string {
	peers := append(append(append([]string{}, r.GroupIDs...), r.CIDRs...), r.PrefixLists...)
	if r.Protocol == "-1" {
		return fmt.Sprintf("all %v", peers)
	}
	return fmt.Sprintf("%s %d-%d %v", r.Protocol, r.FromPort, r.ToPort, peers)
}

// sgRules renders the rules of the groups on the path.
func sgRules(gs []awsx.PathSG) []string {
	var parts []string
	for _, g := range gs {
		for _, r := range g.Inbound {
			parts = append(parts, g.ID+" in "+ruleText(r))
		}
		for _, r := range g.Outbound {
			parts = append(parts, g.ID+" out "+ruleText(r))
		}
	}
	return parts
}

// naclDecision evaluates a NACL's entries (by rule number) for TCP port
// from/to p, the first match deciding, as AWS does. With exact, a rule
// decides only if its CIDR covers p; a rule that merely overlaps (p is a
// peer whose address is not known) makes the decision "unknown".
func naclDecision(n awsx.PathNACL, egress bool, port int32, p netip.Prefix) (string, int32) {
	es := append([]awsx.PathNACLEntry(nil), n.Entries...)
	sort.Slice(es, func(i, j int) bool { return es[i].RuleNumber < es[j].RuleNumber })
	for _, e := range es {
		if e.Egress != egress {
			continue
		}
		if e.Protocol != "-1" && e.Protocol != "6" && e.Protocol != "tcp" {
			continue
		}
		if e.Protocol != "-1" && (e.FromPort != 0 || e.ToPort != 0) && (port < e.FromPort || port > e.ToPort) {
			continue
		}
		r, err := netip.ParsePrefix(e.CIDR)
		if err != nil || !r.Overlaps(p) {
			continue
		}
		if r.Bits() > p.Bits() {
			// The rule covers part of the peer range only.
			return "unknown", e.RuleNumber
		}
		return e.Action, e.RuleNumber
	}
	return "deny", -1 // the implicit final rule
}

// naclRange evaluates a port range: the decision is constant between the
// rules' port boundaries, so those boundaries decide the whole range. It
// returns the first port that is not allowed.
func naclRange(n awsx.PathNACL, egress bool, lo, hi int32, p netip.Prefix) (string, int32, int32) {
	ports := []int32{lo, hi}
	for _, e := range n.Entries {
		for _, q := range []int32{e.FromPort - 1, e.FromPort, e.ToPort, e.ToPort + 1} {
			if q >= lo && q <= hi {
				ports = append(ports, q)
			}
		}
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	for _, q := range ports {
		if act, rule := naclDecision(n, egress, q, p); act != "allow" {
			return act, rule, q
		}
	}
	return "allow", 0, 0
}

// checkNACL judges both directions of every hop between the pollers and
// the brokers: NACLs are stateless, so the listener port must pass out of
// the pollers' subnets and into the brokers', and the replies (to the
// pollers' ephemeral ports, 1024-65535) out of the brokers' subnets and
// into the pollers'. On MSK pollers and brokers share the cluster's
// subnets, so every ordered pair of distinct subnets is a hop.
func (s *state) checkNACL() diagnose.Outcome {
	port := int32(s.facts.Port)
	if port == 0 {
		return diagnose.Unknown("listener port unknown")
	}
	if len(s.x.Path.NACLs) == 0 {
		return diagnose.Unknown("network ACLs not readable (ec2:DescribeNetworkAcls)")
	}
	lo, hi := int32(s.b.Int("diag.nacl.ephemeral_port.min")), int32(s.b.Int("diag.nacl.ephemeral_port.max"))
	naclOf := map[string]awsx.PathNACL{}
	for _, n := range s.x.Path.NACLs {
		for _, id := range n.SubnetIDs {
			naclOf[id] = n
		}
	}
	type end struct {
		subnet string
		nacl   *awsx.PathNACL
		p      netip.Prefix
	}
	var pollers []end
	for _, sn := range s.x.Path.Subnets {
		p, err := netip.ParsePrefix(sn.CIDR)
		if err != nil {
			continue
		}
		e := end{subnet: sn.ID, p: p}
		if n, ok := naclOf[sn.ID]; ok {
			e.nacl = &n
		}
		pollers = append(pollers, e)
	}
	var brokers []end
	if s.isMSK {
		brokers = pollers
	} else {
		for _, p := range s.brokerPrefixes() {
			brokers = append(brokers, end{subnet: "broker " + p.String(), p: p})
		}
		if len(brokers) == 0 {
			// Host names: judge against any address; an allow-all passes,
			// anything narrower is unknown.
			brokers = []end{{subnet: "the brokers", p: netip.MustParsePrefix("0.0.0.0/0")}}
		}
	}
	var denied, unknown []string
	judge := func(n *awsx.PathNACL, egress bool, lo2, hi2 int32, peer netip.Prefix, what string) {
		if n == nil {
			return // outside this view (the brokers' own subnets, self-managed)
		}
		act, rule, q := naclRange(*n, egress, lo2, hi2, peer)
		dir := map[bool]string{false: "inbound", true: "outbound"}[egress]
		ports := fmt.Sprintf("TCP %d", lo2)
		if lo2 != hi2 {
			ports = fmt.Sprintf("TCP %d-%d (first blocked %d)", lo2, hi2, q)
		}
		line := fmt.Sprintf("%s %s rule %d: %s %s %s %s", n.ID, dir, rule, act, ports, map[bool]string{false: "from", true: "to"}[egress], peer)
		if rule == -1 {
			line = fmt.Sprintf("%s %s: no rule allows %s %s %s (the final * rule denies) — %s", n.ID, dir, ports, map[bool]string{false: "from", true: "to"}[egress], peer, what)
		}
		switch act {
		case "allow":
		case "unknown":
			unknown = append(unknown, line)
		default:
			denied = append(denied, line)
		}
	}
	for _, pl := range pollers {
		for _, br := range brokers {
			if pl.subnet == br.subnet {
				continue // traffic inside one subnet does not cross its NACL
			}
			judge(pl.nacl, true, port, port, br.p, "request to the brokers")
			judge(br.nacl, false, port, port, pl.p, "request from the pollers")
			judge(br.nacl, true, lo, hi, pl.p, "replies to the pollers' ephemeral ports")
			judge(pl.nacl, false, lo, hi, br.p, "replies from the brokers")
		}
	}
	detail := fmt.Sprintf("%d network ACLs, both directions: TCP %d pollers→brokers and TCP %d-%d brokers→pollers", len(s.x.Path.NACLs), port, lo, hi)
	sort.Strings(denied)
	denied = dedupe(denied)
	if len(denied) == 0 {
		if len(unknown) > 0 {
			sort.Strings(unknown)
			unknown = dedupe(unknown)
			return diagnose.Unknown(detail + "; the brokers' addresses are host names and these rules cover only part of the address space: " + strings.Join(unknown[:min(len(unknown), 4)], "; "))
		}
		return diagnose.Pass(detail)
	}
	var rem []string
	ephemeralDenied, portDenied := false, false
	for _, d := range denied {
		if strings.Contains(d, fmt.Sprintf("TCP %d-%d", lo, hi)) {
			ephemeralDenied = true
		} else {
			portDenied = true
		}
	}
	naclIDs := map[string]bool{}
	for _, d := range denied {
		naclIDs[strings.Fields(d)[0]] = true
	}
	for id := range naclIDs {
		if ephemeralDenied {
			rem = append(rem, fmt.Sprintf("aws ec2 create-network-acl-entry --region %s --network-acl-id %s --ingress --rule-number <below the denying rule> --protocol tcp --port-range From=%d,To=%d --cidr-block %s --rule-action allow, and the same with --egress (the replies in both directions between the subnets)", s.region(), id, lo, hi, s.vpcCIDRHint()))
		}
		if portDenied {
			rem = append(rem, fmt.Sprintf("aws ec2 create-network-acl-entry --region %s --network-acl-id %s --ingress --rule-number <below the denying rule> --protocol tcp --port-range From=%d,To=%d --cidr-block %s --rule-action allow, and the same with --egress", s.region(), id, port, port, s.vpcCIDRHint()))
		}
	}
	sort.Strings(rem)
	title := fmt.Sprintf("a network ACL blocks TCP %d between the pollers and the brokers", port)
	if ephemeralDenied && !portDenied {
		title = fmt.Sprintf("a network ACL blocks the return traffic (ephemeral TCP %d-%d) between the brokers and the pollers: NACLs are stateless", lo, hi)
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "network.nacl_denies_port", Severity: diagnose.Critical, Title: title,
		Evidence:    strings.Join(denied[:min(len(denied), 6)], "; "),
		Remediation: rem, Reference: s.b.Source("diag.nacl.ephemeral_port.min")})
}

// vpcCIDRHint is the CIDR covering the pollers' subnets, for NACL fixes.
func (s *state) vpcCIDRHint() string {
	ps := s.subnetPrefixes()
	if len(ps) == 0 {
		return "<pollers' subnet CIDR>"
	}
	if len(ps) == 1 {
		return ps[0].String()
	}
	// The smallest prefix that covers them all.
	a := ps[0]
	for bits := a.Bits(); bits >= 0; bits-- {
		c := netip.PrefixFrom(a.Addr(), bits).Masked()
		ok := true
		for _, p := range ps {
			if !c.Contains(p.Addr()) {
				ok = false
				break
			}
		}
		if ok {
			return c.String()
		}
	}
	return "0.0.0.0/0"
}

func dedupe(xs []string) []string {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// checkReach judges whether the pollers' subnets reach an AWS service:
// provisioned mode needs neither NAT nor endpoints for Lambda and STS;
// on-demand needs an interface endpoint (private DNS on, its security
// group admitting 443 from the pollers) or a NAT route to an available
// NAT gateway. A default route through a transit gateway, peering or an
// appliance is unknown: the path continues outside this VPC.
func (s *state) checkReach(service string, cat diagnose.Category) diagnose.Outcome {
	if s.facts.Mode == "provisioned" && (service == "lambda" || service == "sts") {
		return diagnose.Pass("provisioned mode: the pollers reach " + service + " without NAT or VPC endpoints")
	}
	p := s.x.Path
	ep := int32(s.b.Int("guidance_esm.vpc_endpoint.port"))
	var notes []string
	for _, e := range p.Endpoints {
		if e.Service != service || !strings.EqualFold(e.State, "available") {
			continue
		}
		if e.Type == "Interface" && !e.PrivateDNS {
			notes = append(notes, fmt.Sprintf("endpoint %s (%s) has private DNS off, so %s.%s.amazonaws.com does not resolve to it", e.ID, e.ServiceName, service, s.region()))
			continue
		}
		if e.Type == "Interface" && !s.endpointSGAdmits(e, ep) {
			return diagnose.Fail(fmt.Sprintf("endpoint %s for %s exists but its security groups do not admit TCP %d from the pollers", e.ID, service, ep), diagnose.Finding{
				ID: "network.endpoint_sg_" + service, Severity: diagnose.Critical, Category: cat,
				Title:       fmt.Sprintf("the %s endpoint does not admit HTTPS from the pollers' security groups", service),
				Evidence:    fmt.Sprintf("endpoint %s (%s) security groups %v; pollers' groups %v", e.ID, e.ServiceName, e.SecurityGroupIDs, s.x.PathSGs),
				Remediation: []string{fmt.Sprintf("aws ec2 authorize-security-group-ingress --region %s --group-id %s --protocol tcp --port %d --source-group %s", s.region(), first(e.SecurityGroupIDs), ep, first(s.x.PathSGs))}, Reference: refEndpoints})
		}
		return diagnose.Pass(fmt.Sprintf("VPC endpoint %s (%s, %s, private DNS %v)", e.ID, e.ServiceName, e.Type, e.PrivateDNS))
	}
	natState := map[string]string{}
	for _, n := range p.NatGateways {
		natState[n.ID] = n.State
	}
	var noRoute, badNAT, elsewhere []string
	for _, sn := range p.Subnets {
		switch sn.DefaultRouteKind {
		case "nat":
			if st, ok := natState[sn.DefaultRoute]; ok && st != "available" {
				badNAT = append(badNAT, fmt.Sprintf("%s → %s (%s)", sn.ID, sn.DefaultRoute, st))
			}
		case "tgw", "eni", "peering", "other":
			elsewhere = append(elsewhere, fmt.Sprintf("%s (0.0.0.0/0 → %s)", sn.ID, sn.DefaultRoute))
		default:
			noRoute = append(noRoute, fmt.Sprintf("%s (0.0.0.0/0 → %s)", sn.ID, orPlaceholder(sn.DefaultRoute, "none")))
		}
	}
	if len(badNAT) > 0 {
		return diagnose.Fail("NAT gateways not available: "+strings.Join(badNAT, ", "), diagnose.Finding{ID: "network.nat_unavailable_" + service, Severity: diagnose.Critical, Category: cat,
			Title:       fmt.Sprintf("the NAT gateway the pollers route through to reach %s is not available", service),
			Evidence:    strings.Join(append(badNAT, notes...), "; "),
			Remediation: []string{fmt.Sprintf("Replace the NAT gateway and point the subnets' 0.0.0.0/0 at it, or add an interface endpoint com.amazonaws.%s.%s with private DNS", s.region(), service)},
			Reference:   refNAT})
	}
	if len(noRoute) == 0 && len(elsewhere) == 0 {
		return diagnose.Pass(fmt.Sprintf("every subnet routes 0.0.0.0/0 to an available NAT gateway, which reaches %s", service))
	}
	if len(noRoute) == 0 {
		return diagnose.Unknown(fmt.Sprintf("verify: subnets %s send 0.0.0.0/0 through a transit gateway, peering or an appliance; whether that path reaches %s (and returns) is outside this VPC's view", strings.Join(elsewhere, ", "), service))
	}
	return diagnose.Fail(fmt.Sprintf("no NAT route and no %s endpoint for subnets %v", service, noRoute), diagnose.Finding{
		ID: "network.no_path_to_" + service, Severity: diagnose.Critical, Category: cat,
		Title:    fmt.Sprintf("the pollers' subnets cannot reach %s (on-demand mode needs a NAT gateway or a VPC endpoint)", service),
		Evidence: strings.Join(append([]string{fmt.Sprintf("mode %s; subnets without a NAT route: %s; no usable %s endpoint in %s (the pollers' ENIs have no public IP, so an internet gateway route does not help)", s.facts.Mode, strings.Join(noRoute, ", "), service, p.VpcID)}, notes...), "; "),
		Remediation: []string{
			fmt.Sprintf("aws ec2 create-vpc-endpoint --region %s --vpc-id %s --vpc-endpoint-type Interface --service-name com.amazonaws.%s.%s --subnet-ids %s --security-group-ids %s --private-dns-enabled", s.region(), p.VpcID, s.region(), service, strings.Join(s.x.PathSubnets, " "), strings.Join(s.x.PathSGs, " ")),
			fmt.Sprintf("or route the subnets' 0.0.0.0/0 to a NAT gateway, and allow outbound TCP %d from %v", ep, s.x.PathSGs),
			"or switch to provisioned mode (ProvisionedPollerConfig), whose pollers need neither",
		},
		Reference: refEndpoints})
}

func (s *state) endpointSGAdmits(e awsx.PathEndpoint, port int32) bool {
	if len(e.SecurityGroupIDs) == 0 {
		return true // unknown: do not accuse
	}
	known := false
	for _, g := range s.x.Path.SecurityGroups {
		for _, id := range e.SecurityGroupIDs {
			if g.ID != id {
				continue
			}
			known = true
			for _, r := range g.Inbound {
				if ruleAdmits(r, port, s.x.PathSGs, s.subnetPrefixes()) {
					return true
				}
			}
		}
	}
	return !known
}
