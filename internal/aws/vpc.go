package aws

import (
	"context"
	"sort"
	"strings"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// VPCPath is the network around a set of subnets and security groups (an
// MSK cluster's, or a mapping's): what each subnet routes 0.0.0.0/0 to,
// which endpoints exist, the security group rules and the NACLs. It holds
// facts only; judging reachability is the caller's job.
type VPCPath struct {
	VpcID            string           `json:"vpc_id"`
	Subnets          []PathSubnet     `json:"subnets"`
	SecurityGroups   []PathSG         `json:"security_groups"`
	Endpoints        []PathEndpoint   `json:"endpoints"`
	NatGateways      []PathNAT        `json:"nat_gateways"`
	InternetGateways []string         `json:"internet_gateways"`
	NACLs            []PathNACL       `json:"nacls"`
	RouteTables      []PathRouteTable `json:"route_tables"`
	Unknown          []Unknown        `json:"unknown,omitempty"`
}

// PathSubnet is one subnet and how it leaves the VPC.
type PathSubnet struct {
	ID      string `json:"id"`
	AZ      string `json:"az"`
	AZID    string `json:"az_id,omitempty"`
	CIDR    string `json:"cidr"`
	FreeIPs int32  `json:"free_ips"`
	Public  bool   `json:"map_public_ip"`
	// RouteTableID is the explicitly associated table, else the VPC's main
	// table ("" when route tables are unknown).
	RouteTableID string `json:"route_table_id,omitempty"`
	// DefaultRoute is the 0.0.0.0/0 target ID ("nat-...", "igw-...",
	// "tgw-...", "pcx-...", "eni-...") or "" when there is none.
	DefaultRoute string `json:"default_route,omitempty"`
	// DefaultRouteKind is nat, igw, tgw, peering, eni, other or none.
	DefaultRouteKind string `json:"default_route_kind,omitempty"`
	NACLID           string `json:"nacl_id,omitempty"`
}

// PathRule is one security group rule; ports are -1 for "all".
type PathRule struct {
	Protocol    string   `json:"protocol"` // tcp, udp, icmp, -1 (all)
	FromPort    int32    `json:"from_port"`
	ToPort      int32    `json:"to_port"`
	CIDRs       []string `json:"cidrs,omitempty"`
	GroupIDs    []string `json:"group_ids,omitempty"`
	PrefixLists []string `json:"prefix_lists,omitempty"`
}

// AllowsTCP reports whether the rule admits TCP on port.
func (r PathRule) AllowsTCP(port int32) bool {
	if r.Protocol == "-1" {
		return true
	}
	return (r.Protocol == "tcp" || r.Protocol == "6") && r.FromPort <= port && port <= r.ToPort
}

// PathSG is a security group with its rules.
type PathSG struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	VpcID    string     `json:"vpc_id"`
	Inbound  []PathRule `json:"inbound"`
	Outbound []PathRule `json:"outbound"`
}

// PathEndpoint is a VPC endpoint.
type PathEndpoint struct {
	ID   string `json:"id"`
	Type string `json:"type"` // Interface, Gateway, ...
	// Service is the short service name (sts, lambda, secretsmanager,
	// kafka, s3, ...) taken from ServiceName.
	Service          string   `json:"service"`
	ServiceName      string   `json:"service_name"`
	State            string   `json:"state"`
	PrivateDNS       bool     `json:"private_dns"`
	SubnetIDs        []string `json:"subnet_ids,omitempty"`
	SecurityGroupIDs []string `json:"security_group_ids,omitempty"`
	RouteTableIDs    []string `json:"route_table_ids,omitempty"`
	// Policy is the endpoint policy JSON ("" = the default full access).
	Policy string `json:"policy,omitempty"`
}

// PathNAT is a NAT gateway.
type PathNAT struct {
	ID           string `json:"id"`
	SubnetID     string `json:"subnet_id"`
	State        string `json:"state"`
	Connectivity string `json:"connectivity,omitempty"`
}

// PathNACLEntry is one NACL rule; ports are zero when the rule has none.
type PathNACLEntry struct {
	RuleNumber int32  `json:"rule_number"`
	Protocol   string `json:"protocol"`
	Action     string `json:"action"`
	Egress     bool   `json:"egress"`
	CIDR       string `json:"cidr"`
	FromPort   int32  `json:"from_port,omitempty"`
	ToPort     int32  `json:"to_port,omitempty"`
}

// PathNACL is a network ACL and the subnets it guards.
type PathNACL struct {
	ID        string          `json:"id"`
	SubnetIDs []string        `json:"subnet_ids"`
	Entries   []PathNACLEntry `json:"entries"`
}

// PathRouteTable is a route table reduced to what reachability needs.
type PathRouteTable struct {
	ID        string            `json:"id"`
	Main      bool              `json:"main"`
	SubnetIDs []string          `json:"subnet_ids,omitempty"`
	Routes    map[string]string `json:"routes"` // destination -> target
}

// VPCPath reads the network of subnetIDs and sgIDs in two parallel rounds:
// subnets and security groups first (they name the VPC), then route tables,
// NAT and internet gateways, endpoints and NACLs of that VPC. Failed calls
// land in Unknown; the rest is still filled.
func (c *Client) VPCPath(ctx context.Context, subnetIDs, sgIDs []string) VPCPath {
	var p VPCPath
	if err := c.ready(ctx); err != nil {
		p.Unknown = append(p.Unknown, *UnknownFrom("EC2", err))
		return p
	}
	var mu sync.Mutex
	fail := func(call string, err error) {
		mu.Lock()
		defer mu.Unlock()
		p.Unknown = append(p.Unknown, *UnknownFrom(call, err))
	}
	var subnets []ec2types.Subnet
	var sgs []ec2types.SecurityGroup
	round1 := []func(context.Context){}
	if len(subnetIDs) > 0 {
		round1 = append(round1, func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			out, err := c.ec2.DescribeSubnets(cctx, &ec2.DescribeSubnetsInput{SubnetIds: subnetIDs})
			if err != nil {
				fail("EC2:DescribeSubnets", err)
				return
			}
			subnets = out.Subnets
		})
	}
	if len(sgIDs) > 0 {
		round1 = append(round1, func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			out, err := c.ec2.DescribeSecurityGroups(cctx, &ec2.DescribeSecurityGroupsInput{GroupIds: sgIDs})
			if err != nil {
				fail("EC2:DescribeSecurityGroups", err)
				return
			}
			sgs = out.SecurityGroups
		})
	}
	c.Parallel(ctx, round1...)
	for _, s := range subnets {
		p.VpcID = sdkaws.ToString(s.VpcId)
		p.Subnets = append(p.Subnets, PathSubnet{ID: sdkaws.ToString(s.SubnetId), AZ: sdkaws.ToString(s.AvailabilityZone), AZID: sdkaws.ToString(s.AvailabilityZoneId),
			CIDR: sdkaws.ToString(s.CidrBlock), FreeIPs: sdkaws.ToInt32(s.AvailableIpAddressCount), Public: sdkaws.ToBool(s.MapPublicIpOnLaunch)})
	}
	for _, g := range sgs {
		if p.VpcID == "" {
			p.VpcID = sdkaws.ToString(g.VpcId)
		}
		p.SecurityGroups = append(p.SecurityGroups, PathSG{ID: sdkaws.ToString(g.GroupId), Name: sdkaws.ToString(g.GroupName), VpcID: sdkaws.ToString(g.VpcId),
			Inbound: rules(g.IpPermissions), Outbound: rules(g.IpPermissionsEgress)})
	}
	if p.VpcID == "" {
		return p.sorted()
	}
	vpc := []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{p.VpcID}}}
	var rts []ec2types.RouteTable
	var acls []ec2types.NetworkAcl
	c.Parallel(ctx,
		func(ctx context.Context) {
			var all []ec2types.RouteTable
			pg := ec2.NewDescribeRouteTablesPaginator(c.ec2, &ec2.DescribeRouteTablesInput{Filters: vpc})
			for i := 0; pg.HasMorePages() && i < 20; i++ {
				cctx, cancel := c.timeout(ctx)
				out, err := pg.NextPage(cctx)
				cancel()
				if err != nil {
					fail("EC2:DescribeRouteTables", err)
					return
				}
				all = append(all, out.RouteTables...)
			}
			rts = all
		},
		func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			out, err := c.ec2.DescribeNatGateways(cctx, &ec2.DescribeNatGatewaysInput{Filter: vpc})
			if err != nil {
				fail("EC2:DescribeNatGateways", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range out.NatGateways {
				p.NatGateways = append(p.NatGateways, PathNAT{ID: sdkaws.ToString(n.NatGatewayId), SubnetID: sdkaws.ToString(n.SubnetId), State: string(n.State), Connectivity: string(n.ConnectivityType)})
			}
		},
		func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			out, err := c.ec2.DescribeInternetGateways(cctx, &ec2.DescribeInternetGatewaysInput{Filters: []ec2types.Filter{{Name: sdkaws.String("attachment.vpc-id"), Values: []string{p.VpcID}}}})
			if err != nil {
				fail("EC2:DescribeInternetGateways", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, g := range out.InternetGateways {
				p.InternetGateways = append(p.InternetGateways, sdkaws.ToString(g.InternetGatewayId))
			}
		},
		func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			out, err := c.ec2.DescribeVpcEndpoints(cctx, &ec2.DescribeVpcEndpointsInput{Filters: vpc})
			if err != nil {
				fail("EC2:DescribeVpcEndpoints", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, e := range out.VpcEndpoints {
				pe := PathEndpoint{ID: sdkaws.ToString(e.VpcEndpointId), Type: string(e.VpcEndpointType), ServiceName: sdkaws.ToString(e.ServiceName),
					State: strings.ToLower(string(e.State)), PrivateDNS: sdkaws.ToBool(e.PrivateDnsEnabled), SubnetIDs: e.SubnetIds,
					RouteTableIDs: e.RouteTableIds, Policy: sdkaws.ToString(e.PolicyDocument)}
				pe.Service = pe.ServiceName[strings.LastIndex(pe.ServiceName, ".")+1:]
				for _, g := range e.Groups {
					pe.SecurityGroupIDs = append(pe.SecurityGroupIDs, sdkaws.ToString(g.GroupId))
				}
				p.Endpoints = append(p.Endpoints, pe)
			}
		},
		func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			out, err := c.ec2.DescribeNetworkAcls(cctx, &ec2.DescribeNetworkAclsInput{Filters: vpc})
			if err != nil {
				fail("EC2:DescribeNetworkAcls", err)
				return
			}
			acls = out.NetworkAcls
		},
	)
	p.joinRoutes(rts)
	for _, a := range acls {
		n := PathNACL{ID: sdkaws.ToString(a.NetworkAclId)}
		for _, as := range a.Associations {
			sid := sdkaws.ToString(as.SubnetId)
			n.SubnetIDs = append(n.SubnetIDs, sid)
			for i := range p.Subnets {
				if p.Subnets[i].ID == sid {
					p.Subnets[i].NACLID = n.ID
				}
			}
		}
		for _, e := range a.Entries {
			pe := PathNACLEntry{RuleNumber: sdkaws.ToInt32(e.RuleNumber), Protocol: sdkaws.ToString(e.Protocol), Action: string(e.RuleAction), Egress: sdkaws.ToBool(e.Egress), CIDR: sdkaws.ToString(e.CidrBlock)}
			if e.PortRange != nil {
				pe.FromPort, pe.ToPort = sdkaws.ToInt32(e.PortRange.From), sdkaws.ToInt32(e.PortRange.To)
			}
			n.Entries = append(n.Entries, pe)
		}
		sort.Slice(n.Entries, func(i, j int) bool {
			if n.Entries[i].Egress != n.Entries[j].Egress {
				return !n.Entries[i].Egress
			}
			return n.Entries[i].RuleNumber < n.Entries[j].RuleNumber
		})
		p.NACLs = append(p.NACLs, n)
	}
	return p.sorted()
}

func (p *VPCPath) joinRoutes(rts []ec2types.RouteTable) {
	mainID := ""
	for _, rt := range rts {
		t := PathRouteTable{ID: sdkaws.ToString(rt.RouteTableId), Routes: map[string]string{}}
		for _, as := range rt.Associations {
			if sdkaws.ToBool(as.Main) {
				t.Main, mainID = true, t.ID
			}
			if s := sdkaws.ToString(as.SubnetId); s != "" {
				t.SubnetIDs = append(t.SubnetIDs, s)
			}
		}
		for _, r := range rt.Routes {
			dst := sdkaws.ToString(r.DestinationCidrBlock)
			if dst == "" {
				dst = sdkaws.ToString(r.DestinationPrefixListId)
			}
			if string(r.State) == "blackhole" {
				t.Routes[dst] = "blackhole"
				continue
			}
			t.Routes[dst] = firstNonEmpty(sdkaws.ToString(r.NatGatewayId), sdkaws.ToString(r.GatewayId), sdkaws.ToString(r.TransitGatewayId),
				sdkaws.ToString(r.VpcPeeringConnectionId), sdkaws.ToString(r.NetworkInterfaceId))
		}
		p.RouteTables = append(p.RouteTables, t)
	}
	if len(rts) == 0 {
		return
	}
	for i := range p.Subnets {
		s := &p.Subnets[i]
		s.RouteTableID = mainID
		for _, t := range p.RouteTables {
			if contains(t.SubnetIDs, s.ID) {
				s.RouteTableID = t.ID
			}
		}
		for _, t := range p.RouteTables {
			if t.ID == s.RouteTableID {
				s.DefaultRoute = t.Routes["0.0.0.0/0"]
			}
		}
		s.DefaultRouteKind = routeKind(s.DefaultRoute)
	}
}

func routeKind(target string) string {
	switch {
	case target == "":
		return "none"
	case strings.HasPrefix(target, "nat-"):
		return "nat"
	case strings.HasPrefix(target, "igw-"):
		return "igw"
	case strings.HasPrefix(target, "tgw-"):
		return "tgw"
	case strings.HasPrefix(target, "pcx-"):
		return "peering"
	case strings.HasPrefix(target, "eni-"):
		return "eni"
	case target == "blackhole":
		return "blackhole"
	}
	return "other"
}

func (p VPCPath) sorted() VPCPath {
	sort.Slice(p.Subnets, func(i, j int) bool { return p.Subnets[i].ID < p.Subnets[j].ID })
	sort.Slice(p.SecurityGroups, func(i, j int) bool { return p.SecurityGroups[i].ID < p.SecurityGroups[j].ID })
	sort.Slice(p.Endpoints, func(i, j int) bool { return p.Endpoints[i].ID < p.Endpoints[j].ID })
	sort.Slice(p.NatGateways, func(i, j int) bool { return p.NatGateways[i].ID < p.NatGateways[j].ID })
	sort.Strings(p.InternetGateways)
	sort.Slice(p.NACLs, func(i, j int) bool { return p.NACLs[i].ID < p.NACLs[j].ID })
	sort.Slice(p.RouteTables, func(i, j int) bool { return p.RouteTables[i].ID < p.RouteTables[j].ID })
	sort.Slice(p.Unknown, func(i, j int) bool { return p.Unknown[i].Call < p.Unknown[j].Call })
	return p
}

// HasEndpoint reports whether an available endpoint for service (sts,
// lambda, secretsmanager, ...) exists in the VPC.
func (p VPCPath) HasEndpoint(service string) bool {
	for _, e := range p.Endpoints {
		if e.Service == service && e.State == "available" {
			return true
		}
	}
	return false
}

func rules(perms []ec2types.IpPermission) []PathRule {
	var out []PathRule
	for _, ip := range perms {
		r := PathRule{Protocol: sdkaws.ToString(ip.IpProtocol), FromPort: -1, ToPort: -1}
		if ip.FromPort != nil {
			r.FromPort = *ip.FromPort
		}
		if ip.ToPort != nil {
			r.ToPort = *ip.ToPort
		}
		for _, x := range ip.IpRanges {
			r.CIDRs = append(r.CIDRs, sdkaws.ToString(x.CidrIp))
		}
		for _, x := range ip.Ipv6Ranges {
			r.CIDRs = append(r.CIDRs, sdkaws.ToString(x.CidrIpv6))
		}
		for _, x := range ip.UserIdGroupPairs {
			r.GroupIDs = append(r.GroupIDs, sdkaws.ToString(x.GroupId))
		}
		for _, x := range ip.PrefixListIds {
			r.PrefixLists = append(r.PrefixLists, sdkaws.ToString(x.PrefixListId))
		}
		out = append(out, r)
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
