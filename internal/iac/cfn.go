package iac

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Template is a CloudFormation (or SAM) template document. It is marshalled
// with go.yaml.in/yaml/v3, which quotes every string that needs it.
type Template struct {
	AWSTemplateFormatVersion string               `yaml:"AWSTemplateFormatVersion" json:"AWSTemplateFormatVersion"`
	Transform                string               `yaml:"Transform,omitempty" json:"Transform,omitempty"`
	Description              string               `yaml:"Description,omitempty" json:"Description,omitempty"`
	Parameters               map[string]Parameter `yaml:"Parameters,omitempty" json:"Parameters,omitempty"`
	Resources                map[string]Resource  `yaml:"Resources" json:"Resources"`
	Outputs                  map[string]Output    `yaml:"Outputs,omitempty" json:"Outputs,omitempty"`
}

// Parameter is a template parameter.
type Parameter struct {
	Type        string `yaml:"Type" json:"Type"`
	Default     any    `yaml:"Default,omitempty" json:"Default,omitempty"`
	Description string `yaml:"Description,omitempty" json:"Description,omitempty"`
}

// Resource is one template resource.
type Resource struct {
	Type       string         `yaml:"Type" json:"Type"`
	DependsOn  []string       `yaml:"DependsOn,omitempty" json:"DependsOn,omitempty"`
	Properties map[string]any `yaml:"Properties" json:"Properties"`
}

// Output is a template output.
type Output struct {
	Description string `yaml:"Description,omitempty" json:"Description,omitempty"`
	Value       any    `yaml:"Value" json:"Value"`
}

// The intrinsic functions we emit, in their long (mapping) form so the same
// document is valid YAML and JSON and needs no YAML tags.
type (
	cfnRef struct {
		Ref string `yaml:"Ref" json:"Ref"`
	}
	cfnGetAtt struct {
		GetAtt [2]string `yaml:"Fn::GetAtt" json:"Fn::GetAtt"`
	}
)

func ref(id string) cfnRef { return cfnRef{Ref: id} }

func getAtt(id, attr string) cfnGetAtt { return cfnGetAtt{GetAtt: [2]string{id, attr}} }

func (r Ref) cfn() any {
	if r.CFNAttr == "" {
		return ref(r.CFN)
	}
	return getAtt(r.CFN, r.CFNAttr)
}

const (
	cfnVersion   = "2010-09-09"
	samTransform = "AWS::Serverless-2016-10-31"
)

// Marshal renders t as YAML (2-space indent).
func (t Template) Marshal() (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return "", fmt.Errorf("iac: marshal template: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("iac: marshal template: %w", err)
	}
	return buf.String(), nil
}

func marshalYAML(v any) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("iac: marshal yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("iac: marshal yaml: %w", err)
	}
	return buf.String(), nil
}
