// Package cfntemplate validates SAM and CloudFormation templates (YAML with
// short-form intrinsic tags such as !Ref, !GetAtt and !Sub, or JSON). It
// finds every AWS::Lambda::EventSourceMapping, every SAM function event that
// creates one (Kinesis, DynamoDB, SQS, MSK, SelfManagedKafka, MQ,
// DocumentDB), every AWS::MSK::Cluster and every AWS::Kinesis::Stream, and
// runs the same rules as validate_config on each: internal/esm for
// mappings, internal/streamcfg for clusters and streams. Literal values are
// checked; intrinsic values are skipped with an info note; properties the
// resource type does not define are reported. Every violation's field is the
// full path inside the template (Resources.<Id>.Properties...).
package cfntemplate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrNotTemplate is returned (wrapped) when the text is not a YAML or JSON
// document with a Resources mapping.
var ErrNotTemplate = errors.New("not a CloudFormation or SAM template")

// parse decodes template text into plain Go values. Short-form intrinsic
// tags become their long form ({"Ref": x}, {"Fn::GetAtt": [a, b]}), so YAML
// and JSON templates look the same to the rules. maxNodes bounds the values
// built once YAML aliases are expanded (see converter).
func parse(text string, maxNodes int) (map[string]any, error) {
	m, _, err := parseNode(text, maxNodes)
	return m, err
}

// parseNode is parse plus the YAML node tree, kept to find the line of a
// violation afterwards (only when there are violations, so clean templates
// pay nothing for it).
func parseNode(text string, maxNodes int) (map[string]any, *yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotTemplate, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil, fmt.Errorf("%w: empty document", ErrNotTemplate)
	}
	cv := &converter{left: maxNodes, expanding: map[*yaml.Node]bool{}}
	v, err := cv.convert(doc.Content[0])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotTemplate, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%w: the top level is not a mapping", ErrNotTemplate)
	}
	if _, ok := m["Resources"].(map[string]any); !ok {
		return nil, nil, fmt.Errorf("%w: no Resources mapping", ErrNotTemplate)
	}
	return m, doc.Content[0], nil
}

// converter turns a YAML node tree into Go values. Decoding into a
// yaml.Node skips yaml.v3's own alias checks, so they are done here: an
// alias that refers to a node it sits in (`a: &a [*a]`) would recurse until
// the Go stack overflows, which kills the whole server, and nested aliases
// (a "billion laughs" document) expand exponentially. left counts down the
// values still allowed to be built.
type converter struct {
	left      int
	expanding map[*yaml.Node]bool
}

func (c *converter) convert(n *yaml.Node) (any, error) {
	if c.left--; c.left < 0 {
		return nil, fmt.Errorf("line %d: the template expands (through YAML aliases) beyond the largest template CloudFormation accepts", n.Line)
	}
	if n.Kind == yaml.AliasNode {
		if c.expanding[n.Alias] {
			return nil, fmt.Errorf("line %d: alias *%s refers to a node that contains it", n.Line, n.Value)
		}
		c.expanding[n.Alias] = true
		v, err := c.convert(n.Alias)
		delete(c.expanding, n.Alias)
		return v, err
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content))
		for i := 0; i+1 < len(n.Content); i++ {
			k := n.Content[i]
			i++
			val := n.Content[i]
			cv, err := c.convert(val)
			if err != nil {
				return nil, err
			}
			m[k.Value] = cv
		}
		v = m
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			cv, err := c.convert(e)
			if err != nil {
				return nil, err
			}
			l = append(l, cv)
		}
		v = l
	case yaml.ScalarNode:
		if isShortTag(n.Tag) {
			v = n.Value
			break
		}
		s, err := scalar(n)
		if err != nil {
			return nil, err
		}
		v = s
	}
	if isShortTag(n.Tag) {
		return longForm(n.Tag, v), nil
	}
	return v, nil
}

// scalar resolves a plain scalar by its (implicit or explicit) YAML tag
// without a decoder per value, which dominated the cost of large templates.
func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return nil, fmt.Errorf("line %d: %q is not a boolean", n.Line, n.Value)
		}
		return b, nil
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return int(i), nil
		}
		var out any
		if err := n.Decode(&out); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return out, nil
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f, nil
		}
		var out any
		if err := n.Decode(&out); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return out, nil
	}
	return n.Value, nil
}

func isShortTag(tag string) bool { return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") }

func longForm(tag string, v any) any {
	name := strings.TrimPrefix(tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}
	case "GetAtt":
		if s, ok := v.(string); ok {
			if res, attr, found := strings.Cut(s, "."); found {
				return map[string]any{"Fn::GetAtt": []any{res, attr}}
			}
		}
	}
	return map[string]any{"Fn::" + name: v}
}

// intrinsic reports whether v is an intrinsic function in long form and
// returns its name ("Ref", "Fn::GetAtt", ...).
func intrinsic(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return k, arg, true
		}
	}
	return "", nil, false
}

// render prints an intrinsic briefly, e.g. "!GetAtt Queue.Arn".
func render(v any) string {
	name, arg, ok := intrinsic(v)
	if !ok {
		return fmt.Sprint(v)
	}
	short := "!" + strings.TrimPrefix(name, "Fn::")
	switch a := arg.(type) {
	case string:
		return short + " " + a
	case []any:
		parts := make([]string, 0, len(a))
		for _, p := range a {
			if s, ok := p.(string); ok {
				parts = append(parts, s)
			}
		}
		if name == "Fn::GetAtt" {
			return short + " " + strings.Join(parts, ".")
		}
		return short + " [" + strings.Join(parts, ", ") + "]"
	}
	return short
}

// lineOf returns the line of a field path (Resources.Q.Properties.Topics[0])
// in the node tree, or of the deepest ancestor that exists: a violation
// about a missing field points at its parent. 0 when nothing matches.
func lineOf(root *yaml.Node, path string) int {
	n, line := root, 0
	for _, seg := range strings.Split(path, ".") {
		key, idx, hasIdx := strings.Cut(seg, "[")
		next, l := child(n, key)
		if next == nil {
			return line
		}
		n, line = next, l
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if n.Kind == yaml.AliasNode {
				n = n.Alias
			}
			if err != nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n, line = n.Content[i], n.Content[i].Line
		}
	}
	return line
}

func child(n *yaml.Node, key string) (*yaml.Node, int) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i++ {
		k := n.Content[i]
		i++
		if k.Value == key {
			return n.Content[i], k.Line
		}
	}
	return nil, 0
}
