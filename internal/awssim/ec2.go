package awssim

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// EC2State is the `ec2:` section: the VPC resources on a network path.
type EC2State struct {
	Vpcs             []Vpc             `yaml:"vpcs"`
	Subnets          []Subnet          `yaml:"subnets"`
	RouteTables      []RouteTable      `yaml:"route_tables"`
	NatGateways      []NatGateway      `yaml:"nat_gateways"`
	InternetGateways []InternetGateway `yaml:"internet_gateways"`
	VpcEndpoints     []VpcEndpoint     `yaml:"vpc_endpoints"`
	SecurityGroups   []SecurityGroup   `yaml:"security_groups"`
	NetworkAcls      []NetworkAcl      `yaml:"network_acls"`
	// NetworkInterfaces are ENIs, such as the Hyperplane ENIs Lambda
	// creates for a mapping in the source's subnets.
	NetworkInterfaces []NetworkInterface `yaml:"network_interfaces"`
	// EgressOnlyInternetGateways carry IPv6 egress from private subnets.
	EgressOnlyInternetGateways []InternetGateway `yaml:"egress_only_internet_gateways"`
	// TransitGatewayAttachments and TransitGatewayRouteTables describe the
	// path through a transit gateway (a Kafka cluster in another VPC).
	TransitGatewayAttachments []TGWAttachment `yaml:"transit_gateway_attachments"`
	TransitGatewayRouteTables []TGWRouteTable `yaml:"transit_gateway_route_tables"`
}

// TGWAttachment is a transit gateway attachment. ResourceType defaults to
// vpc (ResourceId the VPC, SubnetIds its subnets); State to available;
// owners to the account.
type TGWAttachment struct {
	TransitGatewayAttachmentId string          `yaml:"TransitGatewayAttachmentId" xml:"transitGatewayAttachmentId"`
	TransitGatewayId           string          `yaml:"TransitGatewayId" xml:"transitGatewayId"`
	TransitGatewayOwnerId      string          `yaml:"TransitGatewayOwnerId" xml:"transitGatewayOwnerId"`
	ResourceOwnerId            string          `yaml:"ResourceOwnerId" xml:"resourceOwnerId"`
	ResourceType               string          `yaml:"ResourceType" xml:"resourceType"`
	ResourceId                 string          `yaml:"ResourceId" xml:"resourceId"`
	State                      string          `yaml:"State" xml:"state"`
	Association                *TGWAssociation `yaml:"Association" xml:"association,omitempty"`
	SubnetIds                  []string        `yaml:"SubnetIds" xml:"-"`
	Tags                       []Tag           `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// TGWAssociation is an attachment's route table association.
type TGWAssociation struct {
	TransitGatewayRouteTableId string `yaml:"TransitGatewayRouteTableId" xml:"transitGatewayRouteTableId"`
	State                      string `yaml:"State" xml:"state"`
}

// tgwVpcAttachment is the DescribeTransitGatewayVpcAttachments item.
type tgwVpcAttachment struct {
	TransitGatewayAttachmentId string   `xml:"transitGatewayAttachmentId"`
	TransitGatewayId           string   `xml:"transitGatewayId"`
	VpcId                      string   `xml:"vpcId"`
	VpcOwnerId                 string   `xml:"vpcOwnerId"`
	State                      string   `xml:"state"`
	SubnetIds                  []string `xml:"subnetIds>item"`
	Tags                       []Tag    `xml:"tagSet>item,omitempty"`
}

// TGWRouteTable is a transit gateway route table with its routes.
type TGWRouteTable struct {
	TransitGatewayRouteTableId   string     `yaml:"TransitGatewayRouteTableId" xml:"transitGatewayRouteTableId"`
	TransitGatewayId             string     `yaml:"TransitGatewayId" xml:"transitGatewayId"`
	State                        string     `yaml:"State" xml:"state"`
	DefaultAssociationRouteTable bool       `yaml:"DefaultAssociationRouteTable" xml:"defaultAssociationRouteTable"`
	DefaultPropagationRouteTable bool       `yaml:"DefaultPropagationRouteTable" xml:"defaultPropagationRouteTable"`
	Routes                       []TGWRoute `yaml:"Routes" xml:"-"`
	Tags                         []Tag      `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// TGWRoute is one transit gateway route: a CIDR to an attachment, or a
// blackhole. Type defaults to static, State to active.
type TGWRoute struct {
	DestinationCidrBlock       string `yaml:"DestinationCidrBlock"`
	TransitGatewayAttachmentId string `yaml:"TransitGatewayAttachmentId"`
	Type                       string `yaml:"Type"`
	State                      string `yaml:"State"`
}

// NetworkInterface is an elastic network interface. OwnerId defaults to the
// account; Status to in-use; InterfaceType to interface.
type NetworkInterface struct {
	NetworkInterfaceId string  `yaml:"NetworkInterfaceId" xml:"networkInterfaceId"`
	SubnetId           string  `yaml:"SubnetId" xml:"subnetId"`
	VpcId              string  `yaml:"VpcId" xml:"vpcId"`
	AvailabilityZone   string  `yaml:"AvailabilityZone" xml:"availabilityZone,omitempty"`
	Description        string  `yaml:"Description" xml:"description"`
	InterfaceType      string  `yaml:"InterfaceType" xml:"interfaceType"`
	Status             string  `yaml:"Status" xml:"status"`
	OwnerId            string  `yaml:"OwnerId" xml:"ownerId"`
	RequesterId        string  `yaml:"RequesterId" xml:"requesterId,omitempty"`
	RequesterManaged   bool    `yaml:"RequesterManaged" xml:"requesterManaged"`
	PrivateIpAddress   string  `yaml:"PrivateIpAddress" xml:"privateIpAddress,omitempty"`
	MacAddress         string  `yaml:"MacAddress" xml:"macAddress,omitempty"`
	SourceDestCheck    bool    `yaml:"SourceDestCheck" xml:"sourceDestCheck"`
	Groups             []SGRef `yaml:"Groups" xml:"groupSet>item,omitempty"`
	Ipv6Addresses      []struct {
		Ipv6Address string `yaml:"Ipv6Address" xml:"ipv6Address"`
	} `yaml:"Ipv6Addresses" xml:"ipv6AddressesSet>item,omitempty"`
	Tags []Tag `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// Tag is an EC2 tag.
type Tag struct {
	Key   string `yaml:"Key" xml:"key"`
	Value string `yaml:"Value" xml:"value"`
}

// Vpc is a VPC.
type Vpc struct {
	VpcId     string `yaml:"VpcId" xml:"vpcId"`
	CidrBlock string `yaml:"CidrBlock" xml:"cidrBlock"`
	State     string `yaml:"State" xml:"state"`
	IsDefault bool   `yaml:"IsDefault" xml:"isDefault"`
	OwnerId   string `yaml:"OwnerId" xml:"ownerId,omitempty"`
	// Ipv6CidrBlockAssociationSet are the VPC's IPv6 CIDRs.
	Ipv6CidrBlockAssociationSet []Ipv6CidrAssociation `yaml:"Ipv6CidrBlockAssociationSet" xml:"ipv6CidrBlockAssociationSet>item,omitempty"`
	Tags                        []Tag                 `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// Ipv6CidrAssociation is an IPv6 CIDR associated with a VPC or subnet;
// State defaults to associated.
type Ipv6CidrAssociation struct {
	AssociationId string `yaml:"AssociationId" xml:"associationId"`
	Ipv6CidrBlock string `yaml:"Ipv6CidrBlock" xml:"ipv6CidrBlock"`
	State         string `yaml:"State" xml:"ipv6CidrBlockState>state"`
}

func ipv6Assocs(in []Ipv6CidrAssociation) ([]Ipv6CidrAssociation, []string) {
	out := make([]Ipv6CidrAssociation, 0, len(in))
	var cidrs []string
	for _, a := range in {
		a.State = orDefault(a.State, "associated")
		out = append(out, a)
		cidrs = append(cidrs, a.Ipv6CidrBlock)
	}
	return out, cidrs
}

// Subnet is a subnet.
type Subnet struct {
	SubnetId                string `yaml:"SubnetId" xml:"subnetId"`
	VpcId                   string `yaml:"VpcId" xml:"vpcId"`
	AvailabilityZone        string `yaml:"AvailabilityZone" xml:"availabilityZone"`
	AvailabilityZoneId      string `yaml:"AvailabilityZoneId" xml:"availabilityZoneId,omitempty"`
	CidrBlock               string `yaml:"CidrBlock" xml:"cidrBlock"`
	AvailableIpAddressCount int    `yaml:"AvailableIpAddressCount" xml:"availableIpAddressCount"`
	MapPublicIpOnLaunch     bool   `yaml:"MapPublicIpOnLaunch" xml:"mapPublicIpOnLaunch"`
	State                   string `yaml:"State" xml:"state"`
	// Ipv6CidrBlockAssociationSet, AssignIpv6AddressOnCreation and
	// Ipv6Native describe a dual-stack or IPv6-only subnet.
	Ipv6CidrBlockAssociationSet []Ipv6CidrAssociation `yaml:"Ipv6CidrBlockAssociationSet" xml:"ipv6CidrBlockAssociationSet>item,omitempty"`
	AssignIpv6AddressOnCreation bool                  `yaml:"AssignIpv6AddressOnCreation" xml:"assignIpv6AddressOnCreation"`
	Ipv6Native                  bool                  `yaml:"Ipv6Native" xml:"ipv6Native"`
	Tags                        []Tag                 `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// RouteTable is a route table with its routes and subnet associations.
type RouteTable struct {
	RouteTableId string                  `yaml:"RouteTableId" xml:"routeTableId"`
	VpcId        string                  `yaml:"VpcId" xml:"vpcId"`
	Routes       []Route                 `yaml:"Routes" xml:"routeSet>item"`
	Associations []RouteTableAssociation `yaml:"Associations" xml:"associationSet>item"`
	Tags         []Tag                   `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// Route is one route. Exactly one target is normally set.
type Route struct {
	DestinationCidrBlock        string `yaml:"DestinationCidrBlock" xml:"destinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock    string `yaml:"DestinationIpv6CidrBlock" xml:"destinationIpv6CidrBlock,omitempty"`
	DestinationPrefixListId     string `yaml:"DestinationPrefixListId" xml:"destinationPrefixListId,omitempty"`
	GatewayId                   string `yaml:"GatewayId" xml:"gatewayId,omitempty"`
	EgressOnlyInternetGatewayId string `yaml:"EgressOnlyInternetGatewayId" xml:"egressOnlyInternetGatewayId,omitempty"`
	NatGatewayId                string `yaml:"NatGatewayId" xml:"natGatewayId,omitempty"`
	TransitGatewayId            string `yaml:"TransitGatewayId" xml:"transitGatewayId,omitempty"`
	VpcPeeringConnectionId      string `yaml:"VpcPeeringConnectionId" xml:"vpcPeeringConnectionId,omitempty"`
	NetworkInterfaceId          string `yaml:"NetworkInterfaceId" xml:"networkInterfaceId,omitempty"`
	State                       string `yaml:"State" xml:"state,omitempty"`
	Origin                      string `yaml:"Origin" xml:"origin,omitempty"`
}

// RouteTableAssociation links a route table to a subnet or marks it main.
type RouteTableAssociation struct {
	RouteTableAssociationId string `yaml:"RouteTableAssociationId" xml:"routeTableAssociationId"`
	RouteTableId            string `yaml:"RouteTableId" xml:"routeTableId"`
	SubnetId                string `yaml:"SubnetId" xml:"subnetId,omitempty"`
	Main                    bool   `yaml:"Main" xml:"main"`
}

// NatGateway is a NAT gateway.
type NatGateway struct {
	NatGatewayId     string `yaml:"NatGatewayId" xml:"natGatewayId"`
	VpcId            string `yaml:"VpcId" xml:"vpcId"`
	SubnetId         string `yaml:"SubnetId" xml:"subnetId"`
	State            string `yaml:"State" xml:"state"`
	ConnectivityType string `yaml:"ConnectivityType" xml:"connectivityType,omitempty"`
	FailureCode      string `yaml:"FailureCode" xml:"failureCode,omitempty"`
	FailureMessage   string `yaml:"FailureMessage" xml:"failureMessage,omitempty"`
	Tags             []Tag  `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// InternetGateway is an internet gateway with its VPC attachments.
type InternetGateway struct {
	InternetGatewayId string       `yaml:"InternetGatewayId" xml:"internetGatewayId"`
	Attachments       []Attachment `yaml:"Attachments" xml:"attachmentSet>item"`
	Tags              []Tag        `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// Attachment is an internet gateway attachment.
type Attachment struct {
	VpcId string `yaml:"VpcId" xml:"vpcId"`
	State string `yaml:"State" xml:"state"`
}

// VpcEndpoint is an interface or gateway endpoint. PolicyDocument may be
// written as a YAML object; it is returned as JSON text.
type VpcEndpoint struct {
	VpcEndpointId     string   `yaml:"VpcEndpointId" xml:"vpcEndpointId"`
	VpcEndpointType   string   `yaml:"VpcEndpointType" xml:"vpcEndpointType"`
	VpcId             string   `yaml:"VpcId" xml:"vpcId"`
	ServiceName       string   `yaml:"ServiceName" xml:"serviceName"`
	State             string   `yaml:"State" xml:"state"`
	PolicyDocument    any      `yaml:"PolicyDocument" xml:"-"`
	PrivateDnsEnabled bool     `yaml:"PrivateDnsEnabled" xml:"privateDnsEnabled"`
	SubnetIds         []string `yaml:"SubnetIds" xml:"subnetIdSet>item,omitempty"`
	RouteTableIds     []string `yaml:"RouteTableIds" xml:"routeTableIdSet>item,omitempty"`
	Groups            []SGRef  `yaml:"Groups" xml:"groupSet>item,omitempty"`
	// Policy is the rendered PolicyDocument (filled when answering).
	Policy string `yaml:"-" xml:"policyDocument,omitempty"`
}

// SGRef names a security group attached to an endpoint.
type SGRef struct {
	GroupId   string `yaml:"GroupId" xml:"groupId"`
	GroupName string `yaml:"GroupName" xml:"groupName,omitempty"`
}

// SecurityGroup is a security group with its rules.
type SecurityGroup struct {
	GroupId             string         `yaml:"GroupId" xml:"groupId"`
	GroupName           string         `yaml:"GroupName" xml:"groupName"`
	Description         string         `yaml:"Description" xml:"groupDescription"`
	VpcId               string         `yaml:"VpcId" xml:"vpcId"`
	OwnerId             string         `yaml:"OwnerId" xml:"ownerId,omitempty"`
	IpPermissions       []IpPermission `yaml:"IpPermissions" xml:"ipPermissions>item"`
	IpPermissionsEgress []IpPermission `yaml:"IpPermissionsEgress" xml:"ipPermissionsEgress>item"`
	Tags                []Tag          `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// IpPermission is one security group rule. IpProtocol "-1" means all; ports
// are absent (nil) then.
type IpPermission struct {
	IpProtocol       string            `yaml:"IpProtocol" xml:"ipProtocol"`
	FromPort         *int              `yaml:"FromPort" xml:"fromPort,omitempty"`
	ToPort           *int              `yaml:"ToPort" xml:"toPort,omitempty"`
	IpRanges         []IpRange         `yaml:"IpRanges" xml:"ipRanges>item,omitempty"`
	Ipv6Ranges       []Ipv6Range       `yaml:"Ipv6Ranges" xml:"ipv6Ranges>item,omitempty"`
	UserIdGroupPairs []UserIdGroupPair `yaml:"UserIdGroupPairs" xml:"groups>item,omitempty"`
	PrefixListIds    []PrefixListId    `yaml:"PrefixListIds" xml:"prefixListIds>item,omitempty"`
}

// IpRange is a CIDR source or destination of a rule.
type IpRange struct {
	CidrIp      string `yaml:"CidrIp" xml:"cidrIp"`
	Description string `yaml:"Description" xml:"description,omitempty"`
}

// Ipv6Range is an IPv6 CIDR source or destination of a rule.
type Ipv6Range struct {
	CidrIpv6    string `yaml:"CidrIpv6" xml:"cidrIpv6"`
	Description string `yaml:"Description" xml:"description,omitempty"`
}

// UserIdGroupPair references another security group in a rule.
type UserIdGroupPair struct {
	GroupId     string `yaml:"GroupId" xml:"groupId"`
	UserId      string `yaml:"UserId" xml:"userId,omitempty"`
	Description string `yaml:"Description" xml:"description,omitempty"`
}

// PrefixListId references a managed prefix list in a rule.
type PrefixListId struct {
	PrefixListId string `yaml:"PrefixListId" xml:"prefixListId"`
}

// NetworkAcl is a network ACL with its entries and subnet associations.
type NetworkAcl struct {
	NetworkAclId string                  `yaml:"NetworkAclId" xml:"networkAclId"`
	VpcId        string                  `yaml:"VpcId" xml:"vpcId"`
	IsDefault    bool                    `yaml:"IsDefault" xml:"default"`
	Entries      []NetworkAclEntry       `yaml:"Entries" xml:"entrySet>item"`
	Associations []NetworkAclAssociation `yaml:"Associations" xml:"associationSet>item"`
	Tags         []Tag                   `yaml:"Tags" xml:"tagSet>item,omitempty"`
}

// NetworkAclEntry is one NACL rule. Protocol is "-1", "6" (tcp), "17"...
type NetworkAclEntry struct {
	RuleNumber    int        `yaml:"RuleNumber" xml:"ruleNumber"`
	Protocol      string     `yaml:"Protocol" xml:"protocol"`
	RuleAction    string     `yaml:"RuleAction" xml:"ruleAction"`
	Egress        bool       `yaml:"Egress" xml:"egress"`
	CidrBlock     string     `yaml:"CidrBlock" xml:"cidrBlock,omitempty"`
	Ipv6CidrBlock string     `yaml:"Ipv6CidrBlock" xml:"ipv6CidrBlock,omitempty"`
	PortRange     *PortRange `yaml:"PortRange" xml:"portRange,omitempty"`
}

// PortRange is an inclusive port range.
type PortRange struct {
	From int `yaml:"From" xml:"from"`
	To   int `yaml:"To" xml:"to"`
}

// NetworkAclAssociation links a NACL to a subnet.
type NetworkAclAssociation struct {
	NetworkAclAssociationId string `yaml:"NetworkAclAssociationId" xml:"networkAclAssociationId"`
	NetworkAclId            string `yaml:"NetworkAclId" xml:"networkAclId"`
	SubnetId                string `yaml:"SubnetId" xml:"subnetId"`
}

// ec2Describe is one Describe operation: the ID parameter, the output list
// element and how to read filter attributes from an item.
type ec2Describe struct {
	idParam string
	listTag string
	items   func(sc *Scenario) []ec2Item
}

// ec2Item is one resource with its filterable attributes.
type ec2Item struct {
	id    string
	attrs map[string][]string
	value any
}

func tagAttrs(m map[string][]string, tags []Tag) {
	for _, t := range tags {
		m["tag:"+t.Key] = append(m["tag:"+t.Key], t.Value)
		m["tag-key"] = append(m["tag-key"], t.Key)
	}
}

func ec2Describes() map[string]ec2Describe {
	return map[string]ec2Describe{
		"DescribeVpcs": {"VpcId", "vpcSet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.Vpcs {
				if v.OwnerId == "" {
					v.OwnerId = sc.Account
				}
				var v6 []string
				v.Ipv6CidrBlockAssociationSet, v6 = ipv6Assocs(v.Ipv6CidrBlockAssociationSet)
				a := map[string][]string{"vpc-id": {v.VpcId}, "state": {v.State}, "cidr": {v.CidrBlock}, "is-default": {strconv.FormatBool(v.IsDefault)},
					"ipv6-cidr-block-association.ipv6-cidr-block": v6}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.VpcId, a, v})
			}
			return out
		}},
		"DescribeSubnets": {"SubnetId", "subnetSet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.Subnets {
				var v6 []string
				v.Ipv6CidrBlockAssociationSet, v6 = ipv6Assocs(v.Ipv6CidrBlockAssociationSet)
				a := map[string][]string{"subnet-id": {v.SubnetId}, "vpc-id": {v.VpcId}, "availability-zone": {v.AvailabilityZone}, "state": {v.State},
					"ipv6-cidr-block-association.ipv6-cidr-block": v6}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.SubnetId, a, v})
			}
			return out
		}},
		"DescribeRouteTables": {"RouteTableId", "routeTableSet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.RouteTables {
				a := map[string][]string{"route-table-id": {v.RouteTableId}, "vpc-id": {v.VpcId}}
				for _, as := range v.Associations {
					if as.SubnetId != "" {
						a["association.subnet-id"] = append(a["association.subnet-id"], as.SubnetId)
					}
					a["association.main"] = append(a["association.main"], strconv.FormatBool(as.Main))
				}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.RouteTableId, a, v})
			}
			return out
		}},
		"DescribeNatGateways": {"NatGatewayId", "natGatewaySet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.NatGateways {
				a := map[string][]string{"nat-gateway-id": {v.NatGatewayId}, "vpc-id": {v.VpcId}, "subnet-id": {v.SubnetId}, "state": {v.State}}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.NatGatewayId, a, v})
			}
			return out
		}},
		"DescribeInternetGateways": {"InternetGatewayId", "internetGatewaySet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.InternetGateways {
				a := map[string][]string{"internet-gateway-id": {v.InternetGatewayId}}
				for _, at := range v.Attachments {
					a["attachment.vpc-id"] = append(a["attachment.vpc-id"], at.VpcId)
					a["attachment.state"] = append(a["attachment.state"], at.State)
				}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.InternetGatewayId, a, v})
			}
			return out
		}},
		"DescribeVpcEndpoints": {"VpcEndpointId", "vpcEndpointSet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.VpcEndpoints {
				if v.PolicyDocument != nil {
					v.Policy = rawJSON(v.PolicyDocument)
				}
				a := map[string][]string{"vpc-endpoint-id": {v.VpcEndpointId}, "vpc-id": {v.VpcId}, "service-name": {v.ServiceName},
					"vpc-endpoint-type": {v.VpcEndpointType}, "vpc-endpoint-state": {strings.ToLower(v.State)}}
				out = append(out, ec2Item{v.VpcEndpointId, a, v})
			}
			return out
		}},
		"DescribeSecurityGroups": {"GroupId", "securityGroupInfo", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.SecurityGroups {
				if v.OwnerId == "" {
					v.OwnerId = sc.Account
				}
				a := map[string][]string{"group-id": {v.GroupId}, "group-name": {v.GroupName}, "vpc-id": {v.VpcId}}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.GroupId, a, v})
			}
			return out
		}},
		"DescribeNetworkInterfaces": {"NetworkInterfaceId", "networkInterfaceSet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.NetworkInterfaces {
				v.OwnerId = orDefault(v.OwnerId, sc.Account)
				v.Status = orDefault(v.Status, "in-use")
				v.InterfaceType = orDefault(v.InterfaceType, "interface")
				a := map[string][]string{"network-interface-id": {v.NetworkInterfaceId}, "subnet-id": {v.SubnetId}, "vpc-id": {v.VpcId},
					"description": {v.Description}, "status": {v.Status}, "interface-type": {v.InterfaceType}, "owner-id": {v.OwnerId},
					"requester-id": {v.RequesterId}, "requester-managed": {strconv.FormatBool(v.RequesterManaged)},
					"availability-zone": {v.AvailabilityZone}, "private-ip-address": {v.PrivateIpAddress}}
				for _, g := range v.Groups {
					a["group-id"] = append(a["group-id"], g.GroupId)
					a["group-name"] = append(a["group-name"], g.GroupName)
				}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.NetworkInterfaceId, a, v})
			}
			return out
		}},
		"DescribeEgressOnlyInternetGateways": {"EgressOnlyInternetGatewayId", "egressOnlyInternetGatewaySet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.EgressOnlyInternetGateways {
				a := map[string][]string{"egress-only-internet-gateway-id": {v.InternetGatewayId}}
				for _, at := range v.Attachments {
					a["attachment.vpc-id"] = append(a["attachment.vpc-id"], at.VpcId)
					a["attachment.state"] = append(a["attachment.state"], at.State)
				}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.InternetGatewayId, a, eoigw(v)})
			}
			return out
		}},
		"DescribeTransitGatewayAttachments": {"TransitGatewayAttachmentIds", "transitGatewayAttachments", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.tgwAttachments() {
				a := map[string][]string{"transit-gateway-attachment-id": {v.TransitGatewayAttachmentId}, "transit-gateway-id": {v.TransitGatewayId},
					"resource-type": {v.ResourceType}, "resource-id": {v.ResourceId}, "resource-owner-id": {v.ResourceOwnerId}, "state": {v.State},
					"transit-gateway-owner-id": {v.TransitGatewayOwnerId}}
				if v.Association != nil {
					a["association.transit-gateway-route-table-id"] = []string{v.Association.TransitGatewayRouteTableId}
					a["association.state"] = []string{v.Association.State}
				}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.TransitGatewayAttachmentId, a, v})
			}
			return out
		}},
		"DescribeTransitGatewayVpcAttachments": {"TransitGatewayAttachmentIds", "transitGatewayVpcAttachments", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.tgwAttachments() {
				if v.ResourceType != "vpc" {
					continue
				}
				a := map[string][]string{"transit-gateway-attachment-id": {v.TransitGatewayAttachmentId}, "transit-gateway-id": {v.TransitGatewayId},
					"vpc-id": {v.ResourceId}, "state": {v.State}}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.TransitGatewayAttachmentId, a, tgwVpcAttachment{v.TransitGatewayAttachmentId, v.TransitGatewayId, v.ResourceId,
					v.ResourceOwnerId, v.State, nonNil(v.SubnetIds), v.Tags}})
			}
			return out
		}},
		"DescribeTransitGatewayRouteTables": {"TransitGatewayRouteTableIds", "transitGatewayRouteTables", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.TransitGatewayRouteTables {
				v.State = orDefault(v.State, "available")
				a := map[string][]string{"transit-gateway-route-table-id": {v.TransitGatewayRouteTableId}, "transit-gateway-id": {v.TransitGatewayId},
					"state": {v.State}, "default-association-route-table": {strconv.FormatBool(v.DefaultAssociationRouteTable)},
					"default-propagation-route-table": {strconv.FormatBool(v.DefaultPropagationRouteTable)}}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.TransitGatewayRouteTableId, a, v})
			}
			return out
		}},
		"DescribeNetworkAcls": {"NetworkAclId", "networkAclSet", func(sc *Scenario) []ec2Item {
			var out []ec2Item
			for _, v := range sc.EC2.NetworkAcls {
				a := map[string][]string{"network-acl-id": {v.NetworkAclId}, "vpc-id": {v.VpcId}, "default": {strconv.FormatBool(v.IsDefault)}}
				for _, as := range v.Associations {
					a["association.subnet-id"] = append(a["association.subnet-id"], as.SubnetId)
				}
				tagAttrs(a, v.Tags)
				out = append(out, ec2Item{v.NetworkAclId, a, v})
			}
			return out
		}},
	}
}

// ec2NotFound is the error code EC2 returns for an unknown ID, per operation.
var ec2NotFound = map[string]string{
	"DescribeVpcs": "InvalidVpcID.NotFound", "DescribeSubnets": "InvalidSubnetID.NotFound",
	"DescribeRouteTables": "InvalidRouteTableID.NotFound", "DescribeNatGateways": "NatGatewayNotFound",
	"DescribeInternetGateways": "InvalidInternetGatewayID.NotFound", "DescribeVpcEndpoints": "InvalidVpcEndpointId.NotFound",
	"DescribeSecurityGroups": "InvalidGroup.NotFound", "DescribeNetworkAcls": "InvalidNetworkAclID.NotFound",
	"DescribeNetworkInterfaces":            "InvalidNetworkInterfaceID.NotFound",
	"DescribeEgressOnlyInternetGateways":   "InvalidEgressOnlyInternetGatewayId.NotFound",
	"DescribeTransitGatewayAttachments":    "InvalidTransitGatewayAttachmentID.NotFound",
	"DescribeTransitGatewayVpcAttachments": "InvalidTransitGatewayAttachmentID.NotFound",
	"DescribeTransitGatewayRouteTables":    "InvalidRouteTableID.NotFound",
}

func (s *Server) ec2Service() service {
	ops := map[string]bool{}
	for k := range ec2Describes() {
		ops[k] = true
	}
	ops["SearchTransitGatewayRoutes"] = true
	return service{
		name:  "ec2",
		proto: protocol{kind: protoEC2, xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/"},
		errors: errorCodes{accessDenied: "UnauthorizedOperation", throttling: "RequestLimitExceeded",
			throttlingStatus: http.StatusServiceUnavailable, internal: "InternalError", notFound: "InvalidParameterValue",
			notFoundFor: func(op string) string { return ec2NotFound[op] }, unavailable: "Unavailable"},
		ops:       opList(ops),
		operation: queryActionOp(ops),
		handle:    s.ec2,
	}
}

// eoigw renders an egress-only internet gateway (its ID member differs
// from an internet gateway's).
func eoigw(v InternetGateway) any {
	return struct {
		Attachments                 []Attachment `xml:"attachmentSet>item"`
		EgressOnlyInternetGatewayId string       `xml:"egressOnlyInternetGatewayId"`
		Tags                        []Tag        `xml:"tagSet>item,omitempty"`
	}{v.Attachments, v.InternetGatewayId, v.Tags}
}

// tgwAttachments fills the attachments' defaults.
func (sc *Scenario) tgwAttachments() []TGWAttachment {
	out := make([]TGWAttachment, 0, len(sc.EC2.TransitGatewayAttachments))
	for _, v := range sc.EC2.TransitGatewayAttachments {
		v.ResourceType = orDefault(v.ResourceType, "vpc")
		v.State = orDefault(v.State, "available")
		v.ResourceOwnerId = orDefault(v.ResourceOwnerId, sc.Account)
		v.TransitGatewayOwnerId = orDefault(v.TransitGatewayOwnerId, sc.Account)
		if v.Association != nil {
			a := *v.Association
			a.State = orDefault(a.State, "associated")
			v.Association = &a
		}
		out = append(out, v)
	}
	return out
}

// ec2Output is the body of every Describe answer: one list of items and a
// pagination token.
type ec2Output struct {
	listTag   string
	items     []any
	nextToken string
}

// MarshalXML writes <listTag><item>...</item></listTag><nextToken/>.
func (o ec2Output) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	list := xml.StartElement{Name: xml.Name{Local: o.listTag}}
	if err := e.EncodeToken(list); err != nil {
		return err
	}
	for _, it := range o.items {
		if err := e.EncodeElement(it, xml.StartElement{Name: xml.Name{Local: "item"}}); err != nil {
			return err
		}
	}
	if err := e.EncodeToken(list.End()); err != nil {
		return err
	}
	if o.nextToken != "" {
		if err := e.EncodeElement(o.nextToken, xml.StartElement{Name: xml.Name{Local: "nextToken"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func (s *Server) ec2(_ context.Context, r *request) (any, error) {
	if r.op == "SearchTransitGatewayRoutes" {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.sc.searchTGWRoutes(r.form)
	}
	d := ec2Describes()[r.op]
	s.mu.Lock()
	all := d.items(s.sc)
	s.mu.Unlock()
	ids := indexed(r.form, d.idParam)
	filters, err := ec2Filters(r.form)
	if err != nil {
		return nil, err
	}
	var match []ec2Item
	for _, id := range ids {
		found := false
		for _, it := range all {
			found = found || it.id == id
		}
		if !found {
			return nil, errBadRequest(ec2NotFound[r.op], fmt.Sprintf("The %s '%s' does not exist", strings.TrimPrefix(d.idParam, "Describe"), id))
		}
	}
	for _, it := range all {
		if len(ids) > 0 && !contains(ids, it.id) {
			continue
		}
		ok := true
		for name, vals := range filters {
			have, known := it.attrs[name]
			if !known && !strings.HasPrefix(name, "tag:") && name != "tag-key" {
				if !knownFilter(all, name) {
					return nil, errBadRequest("InvalidParameterValue", fmt.Sprintf("The filter '%s' is invalid", name))
				}
			}
			if !anyMatch(have, vals) {
				ok = false
				break
			}
		}
		if ok {
			match = append(match, it)
		}
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].id < match[j].id })
	max, err := intParam(r.form.Get("MaxResults"), 1000)
	if err != nil {
		return nil, err
	}
	if r.form.Get("MaxResults") != "" {
		if err := checkBounds("ec2."+r.op+".MaxResults", "InvalidParameterValue", max); err != nil {
			return nil, err
		}
	}
	items, next, err := page(match, r.form.Get("NextToken"), max)
	if err != nil {
		return nil, err
	}
	out := ec2Output{listTag: d.listTag, nextToken: next}
	for _, it := range items {
		out.items = append(out.items, it.value)
	}
	return out, nil
}

func knownFilter(items []ec2Item, name string) bool {
	for _, it := range items {
		if _, ok := it.attrs[name]; ok {
			return true
		}
	}
	// Filters on attributes no item has (e.g. association.subnet-id on an
	// empty table) are valid names EC2 accepts.
	for _, k := range []string{"vpc-id", "subnet-id", "association.subnet-id", "attachment.vpc-id", "group-id", "state", "service-name", "vpc-endpoint-type"} {
		if k == name {
			return true
		}
	}
	return false
}

func anyMatch(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if wildcardMatch(w, h) {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// indexed reads a query-protocol list: NAME.1, NAME.2, ...
func indexed(form map[string][]string, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[name+"."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// ec2Filters reads Filter.N.Name / Filter.N.Value.M.
func ec2Filters(form map[string][]string) (map[string][]string, error) {
	out := map[string][]string{}
	for i := 1; ; i++ {
		n, ok := form["Filter."+strconv.Itoa(i)+".Name"]
		if !ok || len(n) == 0 {
			return out, nil
		}
		vals := indexed(form, "Filter."+strconv.Itoa(i)+".Value")
		if len(vals) == 0 {
			return nil, errBadRequest("InvalidParameterCombination", "The filter '"+n[0]+"' has no values")
		}
		out[n[0]] = append(out[n[0]], vals...)
	}
}
