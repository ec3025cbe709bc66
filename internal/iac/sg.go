package iac

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// SGRule is one security-group rule. Exactly one of PeerGroupID and CIDR is
// set; a rule whose PeerGroupID equals GroupID is self-referencing.
type SGRule struct {
	Egress      bool
	GroupID     string
	PeerGroupID string
	CIDR        string
	Port        int
	Description string
}

// ValidateSGRules checks every rule's IDs and port.
func ValidateSGRules(rules []SGRule) error {
	if len(rules) == 0 {
		return invalidf("no security group rules to render")
	}
	for _, r := range rules {
		if err := validateSG(r.GroupID); err != nil {
			return err
		}
		switch {
		case r.PeerGroupID != "" && r.CIDR == "":
			if err := validateSG(r.PeerGroupID); err != nil {
				return err
			}
		case r.CIDR != "" && r.PeerGroupID == "":
			if r.CIDR != "0.0.0.0/0" {
				return invalidf("CIDR %s: only 0.0.0.0/0 is rendered here", quoteForError(r.CIDR))
			}
		default:
			return invalidf("a rule needs exactly one of a peer security group and a CIDR")
		}
		if r.Port < 1 || r.Port > 65535 {
			return invalidf("port %d is outside 1-65535", r.Port)
		}
		if !descSafe(r.Description) {
			return invalidf("rule description %s has characters security groups reject", quoteForError(r.Description))
		}
	}
	return nil
}

// descSafe follows the EC2 rule description charset: a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html); we drop
// the shell- and template-sensitive ones to stay conservative.
func descSafe(s string) bool {
	for _, r := range s {
		ok := r == ' ' || r == '.' || r == '_' || r == '-' || r == ':' || r == '/' || r == '(' || r == ')' || r == ',' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return len(s) <= 255
}

// RenderSGRules renders rules as standalone ingress/egress resources (so a
// self-referencing rule never makes a group depend on itself).
func RenderSGRules(rules []SGRule, format Format) (Artifact, error) {
	if err := ValidateSGRules(rules); err != nil {
		return Artifact{}, err
	}
	switch format {
	case FormatSAM, FormatCloudFormation:
		t := Template{AWSTemplateFormatVersion: cfnVersion, Description: "Security group rules for a Lambda event source mapping", Resources: map[string]Resource{}}
		if format == FormatSAM {
			t.Transform = samTransform
		}
		for i, r := range rules {
			p := map[string]any{"GroupId": r.GroupID, "IpProtocol": "tcp", "FromPort": r.Port, "ToPort": r.Port}
			if r.Description != "" {
				p["Description"] = r.Description
			}
			typ, id := "AWS::EC2::SecurityGroupIngress", fmt.Sprintf("Ingress%d", i+1)
			if r.Egress {
				typ, id = "AWS::EC2::SecurityGroupEgress", fmt.Sprintf("Egress%d", i+1)
				if r.PeerGroupID != "" {
					p["DestinationSecurityGroupId"] = r.PeerGroupID
				} else {
					p["CidrIp"] = r.CIDR
				}
			} else if r.PeerGroupID != "" {
				p["SourceSecurityGroupId"] = r.PeerGroupID
			} else {
				p["CidrIp"] = r.CIDR
			}
			t.Resources[id] = Resource{Type: typ, Properties: p}
		}
		body, err := t.Marshal()
		if err != nil {
			return Artifact{}, err
		}
		return Artifact{Kind: KindSecurityGroupRules, Format: string(format), Name: "sg-rules." + string(format) + ".yaml", Content: body}, nil
	case FormatTerraform:
		f := hclwrite.NewEmptyFile()
		keys := make([]int, len(rules))
		for i := range rules {
			keys[i] = i
		}
		sort.Ints(keys)
		for _, i := range keys {
			r := rules[i]
			typ, name := "aws_vpc_security_group_ingress_rule", fmt.Sprintf("ingress_%d", i+1)
			if r.Egress {
				typ, name = "aws_vpc_security_group_egress_rule", fmt.Sprintf("egress_%d", i+1)
			}
			b := f.Body().AppendNewBlock("resource", []string{typ, name}).Body()
			b.SetAttributeValue("security_group_id", cty.StringVal(r.GroupID))
			if r.PeerGroupID != "" {
				b.SetAttributeValue("referenced_security_group_id", cty.StringVal(r.PeerGroupID))
			} else {
				b.SetAttributeValue("cidr_ipv4", cty.StringVal(r.CIDR))
			}
			b.SetAttributeValue("ip_protocol", cty.StringVal("tcp"))
			b.SetAttributeValue("from_port", cty.NumberIntVal(int64(r.Port)))
			b.SetAttributeValue("to_port", cty.NumberIntVal(int64(r.Port)))
			if r.Description != "" {
				b.SetAttributeValue("description", cty.StringVal(r.Description))
			}
		}
		return Artifact{Kind: KindSecurityGroupRules, Format: string(format), Name: "sg-rules.tf", Content: string(f.Bytes())}, nil
	}
	return Artifact{}, invalidf("iac_format %q is not one of sam, cloudformation, terraform", string(format))
}
