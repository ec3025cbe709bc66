package mskreach

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
)

func clusterPath(rules ...aws.PathRule) aws.VPCPath {
	return aws.VPCPath{VpcID: "vpc-cluster", Subnets: []aws.PathSubnet{{ID: "subnet-c1", CIDR: "10.0.1.0/24"}, {ID: "subnet-c2", CIDR: "10.0.2.0/24"}},
		SecurityGroups: []aws.PathSG{{ID: "sg-cluster", Inbound: rules}}}
}

func clientPath(vpc, cidr string, routes map[string]string, egress ...aws.PathRule) aws.VPCPath {
	return aws.VPCPath{VpcID: vpc, Subnets: []aws.PathSubnet{{ID: "subnet-client", CIDR: cidr, RouteTableID: "rtb-1"}},
		RouteTables:    []aws.PathRouteTable{{ID: "rtb-1", Routes: routes}},
		SecurityGroups: []aws.PathSG{{ID: "sg-client", Outbound: egress}}}
}

func TestJudgeClientPath(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	allOut := aws.PathRule{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: []string{"0.0.0.0/0"}}
	fromClientSG := aws.PathRule{Protocol: "tcp", FromPort: 9098, ToPort: 9098, GroupIDs: []string{"sg-client"}}
	fromPeerCIDR := aws.PathRule{Protocol: "tcp", FromPort: 9098, ToPort: 9098, CIDRs: []string{"172.16.0.0/16"}}
	public := aws.PathRule{Protocol: "tcp", FromPort: 9198, ToPort: 9198, CIDRs: []string{"203.0.113.0/24"}}
	tests := []struct {
		name   string
		p      ClientPath
		status diagnose.Status
		find   string
		detail string
	}{
		{"same VPC open", ClientPath{Auth: AuthIAM, Cluster: clusterPath(fromClientSG), ClientSGs: []string{"sg-client"}, Client: clientPath("vpc-cluster", "10.0.3.0/24", nil, allOut)},
			diagnose.StatusPass, "", "admits TCP 9098 from the client's group sg-client"},
		{"same VPC wrong port", ClientPath{Auth: AuthSCRAM, Cluster: clusterPath(fromClientSG), ClientSGs: []string{"sg-client"}, Client: clientPath("vpc-cluster", "10.0.3.0/24", nil, allOut)},
			diagnose.StatusFail, "network.client_sg_closed", "TCP 9096"},
		{"same VPC egress closed", ClientPath{Auth: AuthIAM, Cluster: clusterPath(fromClientSG), ClientSGs: []string{"sg-client"}, Client: clientPath("vpc-cluster", "10.0.3.0/24", nil)},
			diagnose.StatusFail, "network.client_egress_closed", "no outbound rule"},
		{"peered VPC routed and admitted", ClientPath{Auth: AuthIAM, Cluster: clusterPath(fromPeerCIDR), Client: clientPath("vpc-peer", "172.16.4.0/24", map[string]string{"10.0.0.0/16": "pcx-1", "0.0.0.0/0": "nat-1"})},
			diagnose.StatusPass, "", "covers 172.16.4.0/24"},
		{"other VPC no route", ClientPath{Auth: AuthIAM, Cluster: clusterPath(fromPeerCIDR), Client: clientPath("vpc-peer", "172.16.4.0/24", map[string]string{"0.0.0.0/0": "nat-1"})},
			diagnose.StatusFail, "network.client_no_route", "no peering or Transit Gateway route to 10.0.1.0/24, 10.0.2.0/24"},
		{"other VPC via VPC connection", ClientPath{Auth: AuthIAM, ClusterArn: "arn:c", Cluster: clusterPath(), Client: clientPath("vpc-peer", "172.16.4.0/24", nil),
			VpcConnections: []aws.MSKVpcConnection{{Arn: "arn:vc", TargetClusterArn: "arn:c", VpcID: "vpc-peer", State: "AVAILABLE", Authentication: "SASL_IAM"}}},
			diagnose.StatusPass, "", "through managed VPC connection arn:vc"},
		{"VPC connection rejected", ClientPath{Auth: AuthIAM, ClusterArn: "arn:c", Cluster: clusterPath(), Client: clientPath("vpc-peer", "172.16.4.0/24", nil),
			VpcConnections: []aws.MSKVpcConnection{{Arn: "arn:vc", TargetClusterArn: "arn:c", VpcID: "vpc-peer", State: "REJECTED"}}},
			diagnose.StatusFail, "network.client_vpc_connection_unavailable", "is REJECTED"},
		{"VPC connection other auth", ClientPath{Auth: AuthSCRAM, ClusterArn: "arn:c", Cluster: clusterPath(), Client: clientPath("vpc-peer", "172.16.4.0/24", nil),
			VpcConnections: []aws.MSKVpcConnection{{Arn: "arn:vc", TargetClusterArn: "arn:c", VpcID: "vpc-peer", State: "AVAILABLE", Authentication: "SASL_IAM"}}},
			diagnose.StatusWarn, "network.client_vpc_connection_auth", "is for SASL_IAM"},
		{"VPC connection to another cluster ignored", ClientPath{Auth: AuthIAM, ClusterArn: "arn:c", Cluster: clusterPath(), Client: clientPath("vpc-peer", "172.16.4.0/24", nil),
			VpcConnections: []aws.MSKVpcConnection{{Arn: "arn:vc", TargetClusterArn: "arn:other", VpcID: "vpc-peer", State: "AVAILABLE"}}},
			diagnose.StatusFail, "network.client_no_route", "no managed VPC connection"},
		{"other VPC SG by group does not count", ClientPath{Auth: AuthIAM, Cluster: clusterPath(fromClientSG), ClientSGs: []string{"sg-client"}, Client: clientPath("vpc-peer", "172.16.4.0/24", map[string]string{"10.0.0.0/8": "tgw-1"})},
			diagnose.StatusFail, "network.client_sg_closed", "from 172.16.4.0/24"},
		{"outside AWS private cluster", ClientPath{Auth: AuthIAM, OutsideAWS: true, ClusterPublicAccess: "DISABLED", Cluster: clusterPath(fromClientSG)},
			diagnose.StatusFail, "network.client_outside_private_cluster", "public access is DISABLED"},
		{"outside AWS public open", ClientPath{Auth: AuthIAM, OutsideAWS: true, ClusterPublicAccess: "SERVICE_PROVIDED_EIPS", Cluster: clusterPath(public)},
			diagnose.StatusPass, "", "TCP 9198 from 203.0.113.0/24"},
		{"outside AWS public closed", ClientPath{Auth: AuthSCRAM, OutsideAWS: true, ClusterPublicAccess: "SERVICE_PROVIDED_EIPS", Cluster: clusterPath(public)},
			diagnose.StatusFail, "network.client_public_sg_closed", "TCP 9196"},
		{"outside AWS unauthenticated", ClientPath{Auth: AuthNone, OutsideAWS: true, ClusterPublicAccess: "SERVICE_PROVIDED_EIPS"},
			diagnose.StatusFail, "network.client_public_auth", "public access needs an auth mode"},
		{"client unreadable", ClientPath{Auth: AuthIAM, ClientReadErr: "EC2:DescribeSubnets access_denied", Cluster: clusterPath(fromClientSG)},
			diagnose.StatusUnknown, "", "access_denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checks, finds := JudgeClientPath(b, tc.p)
			if len(checks) != 1 || checks[0].Status != tc.status || !strings.Contains(checks[0].Detail, tc.detail) {
				t.Fatalf("checks = %+v, want one %s mentioning %q", checks, tc.status, tc.detail)
			}
			if tc.find == "" && len(finds) > 0 {
				t.Errorf("unexpected findings %+v", finds)
			}
			if tc.find != "" && (len(finds) != 1 || finds[0].ID != tc.find || len(finds[0].Remediation) == 0 || !strings.HasPrefix(finds[0].Reference, "https://")) {
				t.Errorf("findings = %+v, want %s with remediation and a URL", finds, tc.find)
			}
		})
	}
}
