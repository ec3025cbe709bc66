package streamguide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// MSK listener port ids in guidance (shared with esm_guidance).
const (
	portPlaintextID = "guidance_esm.msk.port.plaintext"
	portTLSID       = "guidance_esm.msk.port.tls"
	portSCRAMID     = "guidance_esm.msk.port.sasl_scram"
	portIAMID       = "guidance_esm.msk.port.iam"
)

// kafkaPort is the MSK listener for an auth mode, and its guidance id.
func (e Env) kafkaPort(a iac.Auth) (int, string) {
	id := portPlaintextID
	switch a {
	case iac.AuthIAM:
		id = portIAMID
	case iac.AuthSCRAM512, iac.AuthSCRAM256, iac.AuthPlain:
		id = portSCRAMID
	case iac.AuthMTLS:
		id = portTLSID
	}
	return e.Guidance.Int(id), id
}

// where resolves the partition, Region and account the integration's
// resources live in: Account and Region when given, else the first ARN
// that has them.
func where(r Request) (iac.Env, error) {
	env := iac.Env{Region: r.Region, Account: r.Account}
	for _, s := range []string{r.SourceArn, r.TargetArn} {
		if s == "" {
			continue
		}
		a, err := iac.ParseARN(s, "")
		if err != nil {
			continue
		}
		if env.Partition == "" {
			env.Partition = a.Partition
		}
		if env.Region == "" {
			env.Region = a.Region
		}
		if env.Account == "" {
			env.Account = a.AccountID
		}
	}
	if env.Partition == "" && env.Region != "" {
		p, err := iac.PartitionForRegion(env.Region)
		if err != nil {
			return env, err
		}
		env.Partition = p
	}
	if env.Account == "" || env.Region == "" {
		return env, fmt.Errorf("%w: give account and region (or a source_arn/target_arn that carries them) so the policies name exact ARNs", iac.ErrInvalid)
	}
	if env.Partition == "" {
		env.Partition = "aws"
	}
	return env, nil
}

// roleARN is the ARN a role named name gets in env's account.
func roleARN(env iac.Env, name string) string {
	return "arn:" + env.Partition + ":iam::" + env.Account + ":role/" + name
}

// serviceTrust lets an AWS service assume a role, only on behalf of this
// account (aws:SourceAccount, the confused-deputy guard).
func serviceTrust(principal, account string) iac.PolicyDocument {
	st := iac.Statement{Effect: "Allow", Principal: map[string][]string{"Service": {principal}}, Action: []string{"sts:AssumeRole"}}
	if account != "" {
		st.Condition = map[string]map[string]string{"StringEquals": {"aws:SourceAccount": account}}
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{st}}
}

// roleTrust lets another role assume this one (role chaining).
func roleTrust(roleArn string) iac.PolicyDocument {
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{{Effect: "Allow",
		Principal: map[string][]string{"AWS": {roleArn}}, Action: []string{"sts:AssumeRole"}}}}
}

// allow builds a policy from (sid, resources, actions...) statements.
func allow(sts ...iac.Statement) iac.PolicyDocument {
	for i := range sts {
		sts[i].Effect = "Allow"
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: sts}
}

// roleStack renders one IAM role with an inline policy into a Stack (CFN
// and Terraform), under a fixed role name so other artifacts can name its
// ARN.
func roleStack(logicalID, roleName string, trust, policy iac.PolicyDocument) (map[string]iac.Resource, []TFBlock, error) {
	tv, err := PolicyValue(trust)
	if err != nil {
		return nil, nil, err
	}
	pv, err := PolicyValue(policy)
	if err != nil {
		return nil, nil, err
	}
	tj, err := trust.JSON()
	if err != nil {
		return nil, nil, err
	}
	pj, err := policy.JSON()
	if err != nil {
		return nil, nil, err
	}
	tf := strings.ToLower(logicalID)
	cfn := map[string]iac.Resource{logicalID: {Type: "AWS::IAM::Role", Properties: map[string]any{"RoleName": roleName, "AssumeRolePolicyDocument": tv,
		"Policies": []any{map[string]any{"PolicyName": roleName + "-policy", "PolicyDocument": pv}}}}}
	blocks := []TFBlock{
		{Labels: []string{"aws_iam_role", tf}, Attrs: []TFAttr{{"name", roleName}, {"assume_role_policy", tj}}},
		{Labels: []string{"aws_iam_role_policy", tf}, Attrs: []TFAttr{{"name", roleName + "-policy"}, {"role", TFRef("aws_iam_role." + tf + ".id")}, {"policy", pj}}},
	}
	return cfn, blocks, nil
}

// validRoleName is IAM's role-name charset, at most 64 characters.
func validRoleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("+=,.@_-", c)) {
			return false
		}
	}
	return true
}

// sgArtifact renders ingress on the cluster's group from the client's
// group on port, or returns a step explaining what is missing.
func sgArtifact(format iac.Format, clusterSG, clientSG string, port int, desc string) (*iac.Artifact, string, error) {
	if clusterSG == "" || clientSG == "" {
		return nil, fmt.Sprintf("give options.cluster_security_group_id and security_group_ids (the integration's group) to get the rule as IaC: inbound TCP %d on the cluster's group from the integration's group.", port), nil
	}
	a, err := iac.RenderSGRules([]iac.SGRule{{GroupID: clusterSG, PeerGroupID: clientSG, Port: port, Description: desc}}, format)
	if err != nil {
		return nil, "", err
	}
	return &a, fmt.Sprintf("inbound TCP %d on %s from %s", port, clusterSG, clientSG), nil
}
