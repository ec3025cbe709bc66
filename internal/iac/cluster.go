package iac

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// An MSK cluster's network is either given (SubnetIDs, SecurityGroupIDs) or,
// when a list is empty, a template parameter (CloudFormation Parameters,
// Terraform variables) the user fills in at deploy time: the stack never
// invents subnet or security group IDs.
const (
	paramSubnets = "ClientSubnets"
	paramSGs     = "SecurityGroupIds"
	varSubnets   = "client_subnets"
	varSGs       = "security_group_ids"
)

var (
	// Standard brokers are kafka.<family>.<size>, Express brokers
	// express.<family>.<size>
	// (https://docs.aws.amazon.com/msk/latest/developerguide/broker-instance-sizes.html).
	reMSKInstance = regexpMust(`^(kafka|express)\.[a-z0-9]+\.[a-z0-9]+$`)
	reKafkaVer    = regexpMust(`^[0-9]+\.[0-9]+\.[0-9a-z.]+$`)
)

// Express reports whether the cluster uses Express brokers, whose storage
// MSK manages (no EBS volume, no provisioned storage throughput).
func (c *MSKClusterSpec) Express() bool { return strings.HasPrefix(c.InstanceType, "express.") }

// azs is the number of client subnets (one per AZ) the cluster spans.
func (c *MSKClusterSpec) azs() int {
	if len(c.SubnetIDs) > 0 {
		return len(c.SubnetIDs)
	}
	return c.AZCount
}

func (c *MSKClusterSpec) validate() error {
	if err := matchName("MSK cluster name", c.Name, reMSKCluster, "1-64 letters, digits or hyphens"); err != nil {
		return err
	}
	if !reKafkaVer.MatchString(c.KafkaVersion) || !reMSKInstance.MatchString(c.InstanceType) {
		return invalidf("Kafka version %s / instance type %s are not well formed", quoteForError(c.KafkaVersion), quoteForError(c.InstanceType))
	}
	if len(c.SubnetIDs) > 0 && c.AZCount != 0 && c.AZCount != len(c.SubnetIDs) {
		return invalidf("AZCount %d disagrees with the %d client subnets given", c.AZCount, len(c.SubnetIDs))
	}
	azs := c.azs()
	if c.Brokers < 1 || azs < 1 || c.Brokers%azs != 0 {
		return invalidf("an MSK cluster needs brokers (a multiple of the %d client subnets, one per AZ) and subnets (or AZCount for a subnet parameter)", azs)
	}
	switch {
	case c.Express() && (c.VolumeGiB != 0 || c.ProvisionedThroughputMiBps != 0):
		return invalidf("Express brokers take no EBS volume or provisioned storage throughput (MSK manages their storage)")
	case !c.Express() && c.VolumeGiB < 1:
		return invalidf("Standard brokers need VolumeGiB >= 1")
	case c.ProvisionedThroughputMiBps < 0:
		return invalidf("ProvisionedThroughputMiBps must not be negative")
	}
	for _, id := range c.SubnetIDs {
		if err := validateSubnet(id); err != nil {
			return err
		}
	}
	for _, id := range c.SecurityGroupIDs {
		if err := validateSG(id); err != nil {
			return err
		}
	}
	if !oneOf(string(c.Auth), string(AuthIAM), string(AuthSCRAM512), string(AuthMTLS)) {
		return invalidf("MSK cluster auth %q is not iam, sasl_scram_512 or mtls", string(c.Auth))
	}
	return nil
}

// cfnParams are the template parameters standing in for network lists the
// caller did not give.
func (c *MSKClusterSpec) cfnParams() map[string]Parameter {
	p := map[string]Parameter{}
	if len(c.SubnetIDs) == 0 {
		p[paramSubnets] = Parameter{Type: "List<AWS::EC2::Subnet::Id>",
			Description: fmt.Sprintf("exactly %d client subnets, each in a different Availability Zone (%d brokers are spread evenly over them)", c.AZCount, c.Brokers)}
	}
	if len(c.SecurityGroupIDs) == 0 {
		p[paramSGs] = Parameter{Type: "List<AWS::EC2::SecurityGroup::Id>",
			Description: "security groups for the brokers' network interfaces; allow the Kafka port of the chosen auth from your clients and from themselves"}
	}
	return p
}

func (c *MSKClusterSpec) cfn() map[string]any {
	auth := map[string]any{}
	switch c.Auth {
	case AuthIAM:
		auth["Sasl"] = map[string]any{"Iam": map[string]any{"Enabled": true}}
	case AuthSCRAM512:
		auth["Sasl"] = map[string]any{"Scram": map[string]any{"Enabled": true}}
	case AuthMTLS:
		auth["Tls"] = map[string]any{"Enabled": true}
	}
	var subnets, sgs any = c.SubnetIDs, c.SecurityGroupIDs
	if len(c.SubnetIDs) == 0 {
		subnets = ref(paramSubnets)
	}
	if len(c.SecurityGroupIDs) == 0 {
		sgs = ref(paramSGs)
	}
	bng := map[string]any{"InstanceType": c.InstanceType, "ClientSubnets": subnets, "SecurityGroups": sgs}
	if !c.Express() {
		ebs := map[string]any{"VolumeSize": c.VolumeGiB}
		if c.ProvisionedThroughputMiBps > 0 {
			ebs["ProvisionedThroughput"] = map[string]any{"Enabled": true, "VolumeThroughput": c.ProvisionedThroughputMiBps}
		}
		bng["StorageInfo"] = map[string]any{"EBSStorageInfo": ebs}
	}
	return map[string]any{"ClusterName": c.Name, "KafkaVersion": c.KafkaVersion, "NumberOfBrokerNodes": c.Brokers,
		"BrokerNodeGroupInfo": bng, "ClientAuthentication": auth,
		"EncryptionInfo": map[string]any{"EncryptionInTransit": map[string]any{"ClientBroker": "TLS", "InCluster": true}}}
}

// tf appends the cluster (and the variables standing in for network lists
// not given) to body and returns notes.
func (c *MSKClusterSpec) tf(body *hclwrite.Body) []string {
	var notes []string
	subnets, sgs := hclwrite.TokensForValue(stringList(c.SubnetIDs)), hclwrite.TokensForValue(stringList(c.SecurityGroupIDs))
	if len(c.SubnetIDs) == 0 {
		tfListVariable(body, varSubnets, fmt.Sprintf("exactly %d client subnets, each in a different Availability Zone (%d brokers are spread evenly over them)", c.AZCount, c.Brokers), c.AZCount)
		subnets = traversalTokens("var." + varSubnets)
	}
	if len(c.SecurityGroupIDs) == 0 {
		tfListVariable(body, varSGs, "security groups for the brokers' network interfaces; allow the Kafka port of the chosen auth from your clients and from themselves", 0)
		sgs = traversalTokens("var." + varSGs)
	}
	b := body.AppendNewBlock("resource", []string{"aws_msk_cluster", tfName(idCluster)}).Body()
	b.SetAttributeValue("cluster_name", cty.StringVal(c.Name))
	b.SetAttributeValue("kafka_version", cty.StringVal(c.KafkaVersion))
	b.SetAttributeValue("number_of_broker_nodes", cty.NumberIntVal(int64(c.Brokers)))
	bn := b.AppendNewBlock("broker_node_group_info", nil).Body()
	bn.SetAttributeValue("instance_type", cty.StringVal(c.InstanceType))
	bn.SetAttributeRaw("client_subnets", subnets)
	bn.SetAttributeRaw("security_groups", sgs)
	if !c.Express() {
		ebs := bn.AppendNewBlock("storage_info", nil).Body().AppendNewBlock("ebs_storage_info", nil).Body()
		ebs.SetAttributeValue("volume_size", cty.NumberIntVal(int64(c.VolumeGiB)))
		if c.ProvisionedThroughputMiBps > 0 {
			pt := ebs.AppendNewBlock("provisioned_throughput", nil).Body()
			pt.SetAttributeValue("enabled", cty.True)
			pt.SetAttributeValue("volume_throughput", cty.NumberIntVal(int64(c.ProvisionedThroughputMiBps)))
		}
	}
	ca := b.AppendNewBlock("client_authentication", nil).Body()
	switch c.Auth {
	case AuthIAM:
		ca.AppendNewBlock("sasl", nil).Body().SetAttributeValue("iam", cty.True)
	case AuthSCRAM512:
		ca.AppendNewBlock("sasl", nil).Body().SetAttributeValue("scram", cty.True)
	case AuthMTLS:
		ca.AppendNewBlock("tls", nil)
		notes = append(notes, "mTLS: add certificate_authority_arns to client_authentication.tls (your ACM Private CA).")
	}
	et := b.AppendNewBlock("encryption_info", nil).Body().AppendNewBlock("encryption_in_transit", nil).Body()
	et.SetAttributeValue("client_broker", cty.StringVal("TLS"))
	et.SetAttributeValue("in_cluster", cty.True)
	return notes
}

// tfListVariable declares a list(string) input variable; with n > 0 a
// validation block requires exactly n elements.
func tfListVariable(body *hclwrite.Body, name, description string, n int) {
	v := body.AppendNewBlock("variable", []string{name}).Body()
	v.SetAttributeRaw("type", hclwrite.TokensForFunctionCall("list", hclwrite.TokensForIdentifier("string")))
	v.SetAttributeValue("description", cty.StringVal(description))
	if n <= 0 {
		return
	}
	cond := hclwrite.TokensForFunctionCall("length", traversalTokens("var."+name))
	cond = append(cond, &hclwrite.Token{Type: hclsyntax.TokenEqualOp, Bytes: []byte("=="), SpacesBefore: 1})
	num := hclwrite.TokensForValue(cty.NumberIntVal(int64(n)))
	num[0].SpacesBefore = 1
	cond = append(cond, num...)
	val := v.AppendNewBlock("validation", nil).Body()
	val.SetAttributeRaw("condition", cond)
	val.SetAttributeValue("error_message", cty.StringVal(fmt.Sprintf("Give exactly %d subnets, one per Availability Zone.", n)))
}
