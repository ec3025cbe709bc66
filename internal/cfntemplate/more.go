package cfntemplate

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/streamcfg"
)

// More resource types the validator checks.
const (
	typeMSKServerless    = "AWS::MSK::ServerlessCluster"
	typeMSKConfiguration = "AWS::MSK::Configuration"
)

// supportTypePrefixes are the service prefixes of types that only support
// the checked ones (roles, policies, security groups...): listing them as
// not checked would be noise. Everything else unknown is listed.
func supportTypePrefixes() []string {
	return []string{"AWS::IAM::", "AWS::EC2::", "AWS::Logs::", "AWS::KMS::", "AWS::CloudFormation::", "AWS::SSM::", "AWS::SecretsManager::", "AWS::S3::", "AWS::SNS::", "AWS::CloudWatch::"}
}

// other validates the resource types beyond mappings, SAM functions, MSK
// clusters and Kinesis streams; it reports false for a type it does not know.
func (v *validator) other(id, typ string, props map[string]any) bool {
	path := "Resources." + id + ".Properties"
	switch typ {
	case typeMSKServerless:
		v.unknownProps(path, props, "cfn.msk_serverless.properties")
		v.mskServerless(path, props)
	case typeMSKConfiguration:
		v.unknownProps(path, props, "cfn.msk_configuration.properties")
		cluster := map[string]any{}
		if sp, ok := props["ServerProperties"]; ok {
			cluster["ServerProperties"] = sp
		}
		if l, ok := props["KafkaVersionsList"].([]any); ok && len(l) > 0 {
			if s, ok := l[0].(string); ok {
				cluster["KafkaVersion"] = s
			}
		}
		v.stream(path, typ, streamcfg.ValidateMSKCluster(cluster, v.b), streamcfg.MSKClusterRuleIDs())
	case typeFunction, typeQueue:
		return true // read as context of the mappings
	default:
		return false
	}
	return true
}

func (v *validator) mskServerless(path string, props map[string]any) {
	v.done = append(v.done, Checked{Path: strings.TrimSuffix(path, ".Properties"), Type: typeMSKServerless})
	const authID = "msk.serverless.auth"
	v.checked[authID] = true
	iam := false
	if ca, ok := props["ClientAuthentication"].(map[string]any); ok {
		if sasl, ok := ca["Sasl"].(map[string]any); ok {
			if m, ok := sasl["Iam"].(map[string]any); ok {
				iam = m["Enabled"] == true || m["Enabled"] == "true"
				if _, _, isFn := intrinsic(m["Enabled"]); isFn {
					iam = true
				}
			}
		}
	}
	if !iam {
		v.report(rules.Error, authID, path+".ClientAuthentication", "MSK Serverless accepts IAM access control only; ClientAuthentication must enable Sasl.Iam (no SCRAM, mTLS or unauthenticated access)",
			"set ClientAuthentication: {Sasl: {Iam: {Enabled: true}}} and grant clients kafka-cluster:* permissions")
	}
	const vpcID = "cfn.msk_serverless.properties"
	vpcs, _ := props["VpcConfigs"].([]any)
	if len(vpcs) == 0 {
		if _, _, isFn := intrinsic(props["VpcConfigs"]); !isFn {
			v.report(rules.Error, vpcID, path+".VpcConfigs", "VpcConfigs is required: a Serverless cluster lives in the subnets given at creation and cannot move (every property requires replacement)",
				"add VpcConfigs with SubnetIds in at least two Availability Zones and the security groups clients use")
		}
		return
	}
	minAZ := v.b.Int("guidance_esm.vpc.min_azs")
	v.checked["guidance_esm.vpc.min_azs"] = true
	for i, c := range vpcs {
		m, _ := c.(map[string]any)
		subs, ok := m["SubnetIds"].([]any)
		if ok && len(subs) < minAZ {
			v.report(rules.Warning, "guidance_esm.vpc.min_azs", fmt.Sprintf("%s.VpcConfigs[%d].SubnetIds", path, i), fmt.Sprintf("%d subnet(s): use subnets in at least %d Availability Zones, and choose them now: VpcConfigs cannot change after creation", len(subs), minAZ),
				fmt.Sprintf("list at least %d subnets in different AZs", minAZ))
		}
	}
}

// notChecked lists a resource whose type has no rules here, unless it only
// supports the checked resources.
func (v *validator) notChecked(id, typ string) {
	for _, p := range supportTypePrefixes() {
		if strings.HasPrefix(typ, p) {
			return
		}
	}
	v.skipped = append(v.skipped, Checked{Path: "Resources." + id, Type: typ})
}
