package iac

import (
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Role is a Lambda execution role with one inline policy.
type Role struct {
	// LogicalID names the role resource (CloudFormation logical ID and
	// Terraform resource name).
	LogicalID string
	Policy    PolicyDocument
}

// RenderRole renders the role (trusting lambda.amazonaws.com) with the
// policy inline, in format. The policy document is embedded as data
// (CloudFormation) or as a JSON string encoded by hclwrite (Terraform).
func RenderRole(r Role, format Format) (Artifact, error) {
	if err := ValidateLogicalID(r.LogicalID); err != nil {
		return Artifact{}, err
	}
	if len(r.Policy.Statement) == 0 {
		return Artifact{}, invalidf("the role policy has no statements")
	}
	switch format {
	case FormatSAM, FormatCloudFormation:
		t := Template{AWSTemplateFormatVersion: cfnVersion, Description: "Execution role for a Lambda event source mapping",
			Resources: map[string]Resource{r.LogicalID: {Type: "AWS::IAM::Role", Properties: map[string]any{
				"AssumeRolePolicyDocument": TrustPolicy().cfn(),
				"Policies":                 []any{map[string]any{"PolicyName": "EventSourceMapping", "PolicyDocument": r.Policy.cfn()}},
			}}},
			Outputs: map[string]Output{"RoleArn": {Value: getAtt(r.LogicalID, "Arn")}},
		}
		if format == FormatSAM {
			t.Transform = samTransform
		}
		body, err := t.Marshal()
		if err != nil {
			return Artifact{}, err
		}
		return Artifact{Kind: KindIaC, Format: string(format), Name: "role." + string(format) + ".yaml", Content: body}, nil
	case FormatTerraform:
		trust, err := TrustPolicy().JSON()
		if err != nil {
			return Artifact{}, err
		}
		pol, err := r.Policy.JSON()
		if err != nil {
			return Artifact{}, err
		}
		f := hclwrite.NewEmptyFile()
		name := tfName(r.LogicalID)
		rb := f.Body().AppendNewBlock("resource", []string{"aws_iam_role", name}).Body()
		rb.SetAttributeValue("assume_role_policy", cty.StringVal(trust))
		pb := f.Body().AppendNewBlock("resource", []string{"aws_iam_role_policy", name}).Body()
		setTraversal(pb, "role", "aws_iam_role."+name+".id")
		pb.SetAttributeValue("policy", cty.StringVal(pol))
		return Artifact{Kind: KindIaC, Format: string(format), Name: "role.tf", Content: string(f.Bytes())}, nil
	}
	return Artifact{}, invalidf("iac_format %q is not one of sam, cloudformation, terraform", string(format))
}

// RenderClusterPolicy renders an MSK cluster policy resource.
func RenderClusterPolicy(c MSKCluster, p PolicyDocument, format Format) (Artifact, error) {
	switch format {
	case FormatSAM, FormatCloudFormation:
		t := Template{AWSTemplateFormatVersion: cfnVersion, Description: "MSK cluster policy for cross-account Lambda access",
			Resources: map[string]Resource{"ClusterPolicy": {Type: "AWS::MSK::ClusterPolicy", Properties: map[string]any{
				"ClusterArn": c.ARN(), "Policy": p.cfn()}}}}
		if format == FormatSAM {
			t.Transform = samTransform
		}
		body, err := t.Marshal()
		if err != nil {
			return Artifact{}, err
		}
		return Artifact{Kind: KindIaC, Format: string(format), Name: "cluster-policy." + string(format) + ".yaml", Content: body}, nil
	case FormatTerraform:
		js, err := p.JSON()
		if err != nil {
			return Artifact{}, err
		}
		f := hclwrite.NewEmptyFile()
		b := f.Body().AppendNewBlock("resource", []string{"aws_msk_cluster_policy", "this"}).Body()
		b.SetAttributeValue("cluster_arn", cty.StringVal(c.ARN()))
		b.SetAttributeValue("policy", cty.StringVal(js))
		return Artifact{Kind: KindIaC, Format: string(format), Name: "cluster-policy.tf", Content: string(f.Bytes())}, nil
	}
	return Artifact{}, invalidf("iac_format %q is not one of sam, cloudformation, terraform", string(format))
}

// tfName turns a logical ID (letters and digits) into a snake_case
// Terraform name.
func tfName(id string) string {
	out := make([]byte, 0, len(id)+4)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				out = append(out, '_')
			}
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}
