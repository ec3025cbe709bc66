package mskreach

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// ServerlessRequest describes where MSK Serverless clients are.
type ServerlessRequest struct {
	Type string
	// Region of the cluster(s).
	Region string
	// Clusters is how many serverless clusters the client VPCs must reach.
	Clusters int
	// ClientVPCs is how many client VPCs need access.
	ClientVPCs int
	// CrossAccount is true when some client VPCs are in other accounts.
	CrossAccount bool
	// CrossRegion is true when some clients are in another Region.
	CrossRegion bool
	// OverlappingCIDRs is true when client and cluster VPC CIDRs overlap.
	OverlappingCIDRs bool
	// BeforeCreation is true when the cluster is not created yet.
	BeforeCreation bool
}

// Serverless DNS patterns.
const (
	PatternAtCreation = "vpcs_at_creation"
	PatternPHZ        = "private_hosted_zone"
	PatternResolver   = "resolver_rules_ram"
	PatternPrivLink   = "privatelink_nlb"
)

const serverlessRef = "msk_reach.serverless.phz_clusters_per_vpc"

// ChooseServerlessPattern picks the DNS/connectivity pattern and says why.
func ChooseServerlessPattern(b *guidance.Base, r ServerlessRequest) (string, string) {
	maxVPCs := b.Int("msk_reach.serverless.vpcs_at_creation.max")
	perVPC := b.Int(serverlessRef)
	switch {
	case r.OverlappingCIDRs:
		return PatternPrivLink, "client and cluster CIDRs overlap, so routing (peering, Transit Gateway) cannot work; PrivateLink (an NLB with an IP target group on the cluster's zonal VPC endpoint IPs, exposed as an endpoint service) is the only option, one direction, with a private hosted zone per cluster in the client account"
	case r.BeforeCreation && !r.CrossAccount && !r.CrossRegion && r.ClientVPCs <= maxVPCs:
		return PatternAtCreation, fmt.Sprintf("attach the client VPCs' subnets at creation (up to %d VPCs, same account): MSK creates an endpoint and keeps a private hosted zone in each, no DNS work", maxVPCs)
	case r.Clusters > perVPC || r.CrossRegion:
		return PatternResolver, fmt.Sprintf("%d clusters per client VPC (or clients in another Region) rule out the wildcard private hosted zone, which sends every kafka-serverless name from a VPC to one cluster (limit %d); Route 53 Resolver inbound/outbound endpoints in the cluster VPC with a forwarding rule shared through RAM reach several clusters, provided they all live in that one VPC and clients have IP routing to it", max(r.Clusters, perVPC), perVPC)
	default:
		return PatternPHZ, fmt.Sprintf("one cluster per client VPC: a private hosted zone kafka-serverless.<region>.amazonaws.com with a wildcard alias to the cluster's Regional VPC endpoint, associated with each client VPC (other accounts by authorization), over peering or Transit Gateway; limit %d cluster per client VPC", perVPC)
	}
}

// ServerlessCrossVPC answers msk_serverless_cross_vpc.
func ServerlessCrossVPC(b *guidance.Base, r ServerlessRequest) (guide.Result, error) {
	typ, err := checkType(r.Type)
	if err != nil {
		return guide.Result{}, err
	}
	if r.Region != "" {
		if err := iac.ValidateRegion(r.Region); err != nil {
			return guide.Result{}, err
		}
	}
	if r.Clusters < 0 || r.ClientVPCs < 0 {
		return guide.Result{}, fmt.Errorf("%w: clusters and client_vpcs cannot be negative", iac.ErrInvalid)
	}
	region := r.Region
	if region == "" {
		region = "${AWS::Region}"
	}
	zone := fmt.Sprintf("%s.%s.amazonaws.com", str(b, "msk_reach.serverless.dns_zone"), region)
	pattern, why := ChooseServerlessPattern(b, r)
	ref := b.Source(serverlessRef)
	port := b.Int("guidance_esm.msk.port.iam")
	res := guide.Result{References: []string{ref, b.Source("msk_reach.serverless.vpcs_at_creation.max"), b.Source("msk.serverless.auth")}}
	res.Steps = append(res.Steps,
		guide.Step{Title: "Names clients must resolve",
			Detail: fmt.Sprintf("The bootstrap is boot-<id>.xx.%s and brokers are dynamic names (b0001-..., b0037-...) in the same zone that change over time; clients must resolve the bootstrap and every broker name or connections fail after bootstrap. Auth is IAM only (port %d); cross-account clients assume a role in the cluster account.", zone, port)},
		guide.Step{Title: "Choose the connectivity and DNS pattern",
			Detail:   why,
			Decision: &guide.Decision{Choice: "pattern", Options: []string{PatternAtCreation, PatternPHZ, PatternResolver, PatternPrivLink}, Recommendation: pattern, Why: why}},
		guide.Step{Title: "Network layer between the VPCs",
			Detail: "VPC peering is simple but not transitive (a few VPCs); Transit Gateway is transitive (many VPCs, lateral traffic); PrivateLink is one-way with resource-level isolation and the only choice when CIDRs overlap or the parties are administered separately."},
		guide.Step{Title: "Client VPC prerequisites",
			Detail: fmt.Sprintf("Turn on %s in every client VPC; the cluster's security group admits TCP %d from the client CIDRs (or the PrivateLink NLB).", strings.Join(b.Strings("msk_reach.dns.vpc_attributes"), " and "), port)},
	)
	if typ == TypeSetup || typ == TypeNetworking {
		switch pattern {
		case PatternPHZ:
			res.Artifacts = append(res.Artifacts, phzScript(zone))
		case PatternResolver:
			a, err := resolverTemplate(zone)
			if err != nil {
				return guide.Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a)
		}
	}
	res.Checks = []guide.Check{
		{Name: "bootstrap and broker names resolve from the client VPC", How: "dig boot-<id>.xx." + zone + " and a broker name returns the endpoint IPs"},
		{Name: "IAM connection works", How: fmt.Sprintf("a client with the role connects on %d", port), Tool: "kafka_troubleshoot"},
	}
	if typ == TypeTroubleshooting {
		res.Troubleshooting = []guide.Row{
			{Symptom: "bootstrap connects, then requests time out or fail to resolve b0xxx-... names", Cause: "the client VPC resolves the bootstrap but not the dynamic broker names", Check: "dig a broker name from the client", Fix: "associate the private hosted zone (wildcard) or the resolver rule with the client VPC", Tool: "kafka_troubleshoot"},
			{Symptom: "a second serverless cluster is unreachable from a VPC that reaches the first", Cause: fmt.Sprintf("the wildcard private hosted zone sends every kafka-serverless name to one cluster (%d per client VPC)", b.Int(serverlessRef)), Check: "aws route53 list-hosted-zones-by-vpc", Fix: "switch to Route 53 Resolver rules shared through RAM with all clusters in one VPC", Tool: ""},
			{Symptom: "names resolve to nothing in the client VPC", Cause: "enableDnsSupport or enableDnsHostnames is off", Check: "aws ec2 describe-vpc-attribute", Fix: "turn both on", Tool: ""},
			{Symptom: "re-association to the hosted zone is refused", Cause: "the VPC association authorization was deleted (existing associations keep working)", Check: "aws route53 list-vpc-association-authorizations", Fix: "create the authorization again from the zone owner account", Tool: ""},
		}
	}
	return finish(res), nil
}

func phzScript(zone string) iac.Artifact {
	s := iac.Script{Name: "serverless-phz-association.sh",
		Comment: "Associate the cluster account's private hosted zone " + zone + " with a client VPC in another account.\nRun the first and last command in the zone owner's account, the middle one in the client account.\nDeleting the authorization afterwards does not break the association; it only blocks re-association.",
		Commands: [][]string{
			{"aws", "route53", "create-vpc-association-authorization", "--hosted-zone-id", "ZONE_ID", "--vpc", "VPCRegion=REGION,VPCId=CLIENT_VPC_ID"},
			{"aws", "route53", "associate-vpc-with-hosted-zone", "--hosted-zone-id", "ZONE_ID", "--vpc", "VPCRegion=REGION,VPCId=CLIENT_VPC_ID"},
			{"aws", "route53", "delete-vpc-association-authorization", "--hosted-zone-id", "ZONE_ID", "--vpc", "VPCRegion=REGION,VPCId=CLIENT_VPC_ID"},
		}}
	a := s.Render()
	a.Notes = []string{"replace ZONE_ID, REGION and CLIENT_VPC_ID"}
	return a
}

// resolverTemplate: inbound and outbound Resolver endpoints in the cluster
// VPC, a forwarding rule for the serverless zone and a RAM share of it.
func resolverTemplate(zone string) (iac.Artifact, error) {
	params := map[string]iac.Parameter{
		"SubnetA":           {Type: "AWS::EC2::Subnet::Id", Description: "first subnet for the resolver endpoints, in the VPC that holds every MSK Serverless cluster endpoint"},
		"SubnetB":           {Type: "AWS::EC2::Subnet::Id", Description: "second subnet (another AZ)"},
		"InboundIpA":        {Type: "String", Description: "fixed IP for the inbound endpoint in SubnetA"},
		"InboundIpB":        {Type: "String", Description: "fixed IP for the inbound endpoint in SubnetB"},
		"ResolverSgId":      {Type: "AWS::EC2::SecurityGroup::Id", Description: "security group allowing DNS (TCP/UDP 53) from the client CIDRs"},
		"ConsumerAccountId": {Type: "String", Description: "account (or organization ARN) that receives the rule"},
	}
	ip := func(subnet, addr string) map[string]any {
		return map[string]any{"SubnetId": cfnRef(subnet), "Ip": cfnRef(addr)}
	}
	res := map[string]iac.Resource{
		"InboundEndpoint": {Type: "AWS::Route53Resolver::ResolverEndpoint", Properties: map[string]any{
			"Direction": "INBOUND", "SecurityGroupIds": []any{cfnRef("ResolverSgId")},
			"IpAddresses": []any{ip("SubnetA", "InboundIpA"), ip("SubnetB", "InboundIpB")}}},
		"OutboundEndpoint": {Type: "AWS::Route53Resolver::ResolverEndpoint", Properties: map[string]any{
			"Direction": "OUTBOUND", "SecurityGroupIds": []any{cfnRef("ResolverSgId")},
			"IpAddresses": []any{map[string]any{"SubnetId": cfnRef("SubnetA")}, map[string]any{"SubnetId": cfnRef("SubnetB")}}}},
		"ServerlessRule": {Type: "AWS::Route53Resolver::ResolverRule", Properties: map[string]any{
			"RuleType": "FORWARD", "DomainName": subIfNeeded(zone), "ResolverEndpointId": cfnGetAtt("OutboundEndpoint", "ResolverEndpointId"),
			"TargetIps": []any{map[string]any{"Ip": cfnRef("InboundIpA")}, map[string]any{"Ip": cfnRef("InboundIpB")}}}},
		"RuleShare": {Type: "AWS::RAM::ResourceShare", Properties: map[string]any{
			"Name": "msk-serverless-resolver-rule", "ResourceArns": []any{cfnGetAtt("ServerlessRule", "Arn")}, "Principals": []any{cfnRef("ConsumerAccountId")}}},
	}
	t := iac.Template{AWSTemplateFormatVersion: "2010-09-09", Description: "Route 53 Resolver rule for MSK Serverless names, shared through AWS RAM", Parameters: params, Resources: res}
	body, err := t.Marshal()
	if err != nil {
		return iac.Artifact{}, err
	}
	return iac.Artifact{Kind: iac.KindIaC, Format: string(iac.FormatCloudFormation), Name: "msk-serverless-resolver.yaml", Content: body,
		Notes: []string{"the rule is not associated with a VPC here: each consumer account accepts the RAM share and associates the rule with its VPCs",
			"clients need IP routing (peering or Transit Gateway) to the cluster VPC; for another Region duplicate the outbound endpoint and rule there, forwarding to these inbound IPs"}}, nil
}

// subIfNeeded wraps s in Fn::Sub only when it has a ${...} variable.
func subIfNeeded(s string) any {
	if strings.Contains(s, "${") {
		return cfnSub(s)
	}
	return s
}
