package tools

import (
	"context"
	"fmt"
	"slices"

	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/mskreach"
)

// kafkaClientPositionIn places a non-Lambda client on the network, so
// kafka_troubleshoot judges that client's path to an MSK cluster (the
// probes themselves run from this server's position).
type kafkaClientPositionIn struct {
	ClientSubnetID         string   `json:"client_subnet_id,omitempty" jsonschema_description:"a client's subnet: check its path to cluster_arn"`
	ClientSecurityGroupIDs []string `json:"client_security_group_ids,omitempty" jsonschema_description:"that client's security groups"`
	ClientOutsideAWS       bool     `json:"client_outside_aws,omitempty" jsonschema_description:"the client is outside AWS"`
}

func (p kafkaClientPositionIn) set() bool {
	return p.ClientSubnetID != "" || len(p.ClientSecurityGroupIDs) > 0 || p.ClientOutsideAWS
}

// clientPositionError is a tool error for an unusable client position.
func clientPositionError(in kafkaTroubleshootIn, d ReadDeps) string {
	p := in.kafkaClientPositionIn
	switch {
	case !p.set():
		return ""
	case in.ClusterARN == "":
		return "client_subnet_id / client_security_group_ids / client_outside_aws need cluster_arn (the MSK cluster the client connects to)"
	case p.ClientOutsideAWS && (p.ClientSubnetID != "" || len(p.ClientSecurityGroupIDs) > 0):
		return "give client_outside_aws alone, or client_subnet_id with client_security_group_ids, not both"
	case !p.ClientOutsideAWS && p.ClientSubnetID == "":
		return "client_security_group_ids need client_subnet_id (the client's subnet)"
	case d.AWS == nil:
		return "checking a client's path needs AWS access, which this server has not configured"
	}
	if p.ClientSubnetID != "" {
		if err := iac.ValidateSubnetID(p.ClientSubnetID); err != nil {
			return err.Error()
		}
	}
	for _, g := range p.ClientSecurityGroupIDs {
		if err := iac.ValidateSecurityGroupID(g); err != nil {
			return err.Error()
		}
	}
	return ""
}

// reachAuthOf maps the tool's auth (or the cluster's enabled modes, best
// first) to the client path's auth.
func reachAuthOf(auth string, enabled []string) string {
	switch auth {
	case "iam":
		return mskreach.AuthIAM
	case "sasl_scram_512", "sasl_scram_256":
		return mskreach.AuthSCRAM
	case "mtls", "tls":
		return mskreach.AuthMTLS
	case "none":
		return mskreach.AuthNone
	}
	for _, m := range []struct{ cluster, reach string }{{"iam", mskreach.AuthIAM}, {"sasl_scram", mskreach.AuthSCRAM}, {"tls", mskreach.AuthMTLS}, {"unauthenticated", mskreach.AuthNone}} {
		if slices.Contains(enabled, m.cluster) {
			return m.reach
		}
	}
	return mskreach.AuthIAM
}

// addClientPath judges the client's path and puts its check and findings
// first (the path comes before anything the probes saw).
func addClientPath(ctx context.Context, d ReadDeps, in kafkaTroubleshootIn, out kafkaTroubleshootOut) kafkaTroubleshootOut {
	p := in.kafkaClientPositionIn
	if !p.set() {
		return out
	}
	var checks []diagnose.Check
	var finds []diagnose.Finding
	c, err := d.AWS.MSKCluster(ctx, in.ClusterARN)
	if err != nil {
		checks = []diagnose.Check{{Name: "client network path", Category: diagnose.Network, Status: diagnose.StatusUnknown,
			Detail: "the cluster could not be described: " + errmap.Classify(err).Reason()}}
	} else {
		cp := mskreach.ClientPath{Auth: reachAuthOf(in.Auth, c.Auth), ClusterPublicAccess: c.PublicAccess, OutsideAWS: p.ClientOutsideAWS,
			ClientSubnet: p.ClientSubnetID, ClientSGs: p.ClientSecurityGroupIDs, ClusterSGIDs: c.SecurityGroupIDs}
		cp.Cluster = d.AWS.VPCPath(ctx, c.SubnetIDs, c.SecurityGroupIDs)
		if !p.ClientOutsideAWS {
			cp.ClusterArn = in.ClusterARN
			if vcs, err := d.AWS.MSKVpcConnections(ctx); err != nil {
				cp.VpcConnErr = errmap.Classify(err).Reason()
			} else {
				cp.VpcConnections = vcs
			}
			cp.Client = d.AWS.VPCPath(ctx, []string{p.ClientSubnetID}, p.ClientSecurityGroupIDs)
			if len(cp.Client.Subnets) == 0 && len(cp.Client.Unknown) > 0 {
				u := cp.Client.Unknown[0]
				cp.ClientReadErr = fmt.Sprintf("%s %s: %s", u.Call, u.Kind, u.Reason)
			}
		}
		checks, finds = mskreach.JudgeClientPath(d.Guidance, cp)
	}
	out.Checks = append(checks, out.Checks...)
	// Never null: the output schema says array (a healthy path adds none).
	out.Findings = append(append([]diagnose.Finding{}, finds...), out.Findings...)
	if len(finds) > 0 && (out.Category == "" || out.Category == string(diagnose.None)) {
		out.Category = string(diagnose.Network)
		for _, f := range finds {
			out.ResolutionSteps = append(out.ResolutionSteps, f.Remediation...)
		}
	}
	return out
}
