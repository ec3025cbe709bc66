package streamguide

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// The helpers below are the one way topics render infrastructure: a stack of
// resources described once per format family — CloudFormation properties
// (SAM adds the transform) and Terraform attributes — marshalled by yaml.v3
// (through iac.Template) and hclwrite. No caller value is spliced into text.

// Stack is what one setup artifact deploys.
type Stack struct {
	Description string
	Parameters  map[string]iac.Parameter
	CFN         map[string]iac.Resource
	Outputs     map[string]iac.Output
	TF          []TFBlock
}

// TFBlock is a Terraform block: resource "TYPE" "NAME" (or data, variable).
type TFBlock struct {
	Kind   string // resource (default), data, variable, output
	Labels []string
	Attrs  []TFAttr
}

// TFAttr is one attribute or nested block. Value is a string, int, float64,
// bool, []string, TFRef (a traversal such as aws_iam_role.x.arn) or []TFAttr
// (a nested block; repeat the name for repeated blocks).
type TFAttr struct {
	Name  string
	Value any
}

// TFRef is a Terraform traversal expression, e.g. aws_iam_role.logs.arn.
type TFRef string

// CFNRef is {"Ref": id}.
func CFNRef(id string) map[string]any { return map[string]any{"Ref": id} }

// CFNGetAtt is {"Fn::GetAtt": [id, attr]}.
func CFNGetAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []string{id, attr}}
}

// PolicyValue is a policy document as a plain value for a template.
func PolicyValue(p iac.PolicyDocument) (map[string]any, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("streamguide: marshal policy: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("streamguide: policy: %w", err)
	}
	return m, nil
}

// PolicyArtifact renders a policy as a JSON artifact.
func PolicyArtifact(name string, p iac.PolicyDocument, notes ...string) (iac.Artifact, error) {
	body, err := p.JSON()
	if err != nil {
		return iac.Artifact{}, err
	}
	return iac.Artifact{Kind: iac.KindIAMPolicy, Format: "json", Name: name, Content: body, Notes: notes}, nil
}

// SQLArtifact is SQL to run (or offer) in a database; never executed here.
func SQLArtifact(name, body string, notes ...string) iac.Artifact {
	return iac.Artifact{Kind: KindSQL, Format: FormatSQL, Name: name, Content: body, Notes: notes}
}

// Render renders the stack in format; base names the file (base.yaml or
// base.tf).
func (s Stack) Render(format iac.Format, base string, notes ...string) (iac.Artifact, error) {
	switch format {
	case iac.FormatSAM, iac.FormatCloudFormation:
		t := iac.Template{AWSTemplateFormatVersion: "2010-09-09", Description: s.Description, Parameters: s.Parameters, Resources: s.CFN, Outputs: s.Outputs}
		if format == iac.FormatSAM {
			t.Transform = "AWS::Serverless-2016-10-31"
		}
		body, err := t.Marshal()
		if err != nil {
			return iac.Artifact{}, err
		}
		return iac.Artifact{Kind: iac.KindIaC, Format: string(format), Name: base + "." + string(format) + ".yaml", Content: body, Notes: notes}, nil
	case iac.FormatTerraform:
		f := hclwrite.NewEmptyFile()
		for i, blk := range s.TF {
			if i > 0 {
				f.Body().AppendNewline()
			}
			kind := blk.Kind
			if kind == "" {
				kind = "resource"
			}
			if err := writeAttrs(f.Body().AppendNewBlock(kind, blk.Labels).Body(), blk.Attrs); err != nil {
				return iac.Artifact{}, err
			}
		}
		return iac.Artifact{Kind: iac.KindIaC, Format: string(format), Name: base + ".tf", Content: string(f.Bytes()), Notes: notes}, nil
	}
	return iac.Artifact{}, fmt.Errorf("%w: iac_format %q is not one of sam, cloudformation, terraform", iac.ErrInvalid, format)
}

func writeAttrs(b *hclwrite.Body, attrs []TFAttr) error {
	for _, a := range attrs {
		switch v := a.Value.(type) {
		case []TFAttr:
			if err := writeAttrs(b.AppendNewBlock(a.Name, nil).Body(), v); err != nil {
				return err
			}
		case TFRef:
			b.SetAttributeTraversal(a.Name, traversal(string(v)))
		case TFRefs:
			elems := make([]hclwrite.Tokens, len(v))
			for i, r := range v {
				elems[i] = hclwrite.TokensForTraversal(traversal(string(r)))
			}
			b.SetAttributeRaw(a.Name, hclwrite.TokensForTuple(elems))
		default:
			cv, err := ctyOf(v)
			if err != nil {
				return fmt.Errorf("streamguide: terraform attribute %s: %w", a.Name, err)
			}
			b.SetAttributeValue(a.Name, cv)
		}
	}
	return nil
}

func ctyOf(v any) (cty.Value, error) {
	switch x := v.(type) {
	case string:
		return cty.StringVal(x), nil
	case int:
		return cty.NumberIntVal(int64(x)), nil
	case float64:
		return cty.NumberFloatVal(x), nil
	case bool:
		return cty.BoolVal(x), nil
	case []string:
		if len(x) == 0 {
			return cty.ListValEmpty(cty.String), nil
		}
		vals := make([]cty.Value, len(x))
		for i, s := range x {
			vals[i] = cty.StringVal(s)
		}
		return cty.ListVal(vals), nil
	case map[string]string:
		if len(x) == 0 {
			return cty.MapValEmpty(cty.String), nil
		}
		m := map[string]cty.Value{}
		for k, s := range x {
			m[k] = cty.StringVal(s)
		}
		return cty.ObjectVal(m), nil
	}
	return cty.NilVal, fmt.Errorf("unsupported value type %T", v)
}

func traversal(path string) hcl.Traversal {
	parts := strings.Split(path, ".")
	t := hcl.Traversal{hcl.TraverseRoot{Name: parts[0]}}
	for _, p := range parts[1:] {
		t = append(t, hcl.TraverseAttr{Name: p})
	}
	return t
}

// LogicalID turns a name into a CloudFormation logical ID / Terraform
// label: letters and digits only, starting with a letter.
func LogicalID(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	up := true
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z':
			if up {
				c -= 'a' - 'A'
			}
			b.WriteRune(c)
			up = false
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// TFRefs is a list of traversals, e.g. depends_on = [aws_lb_listener.x].
type TFRefs []TFRef

func refs(paths ...string) TFRefs {
	out := make(TFRefs, len(paths))
	for i, p := range paths {
		out[i] = TFRef(p)
	}
	return out
}
