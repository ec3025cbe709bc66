package awssim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A scenario may start from another: `extends: NAME` (an embedded scenario
// or a YAML path, relative to the extending file) plus overrides, deep
// merged over the base:
//   - maps merge key by key; a key set to null is removed;
//   - lists of resources merge item by item on the resource's identity
//     (FunctionName, UUID, clusterArn, SubnetId, GroupId, QueueName, ...;
//     a metric series on Namespace+MetricName+Dimensions): a matching item
//     takes the override's fields over the base's, `_remove: true` drops
//     it, a new item is appended;
//   - other lists (scalars, free-form lists) are replaced whole.
// The merged document is then decoded strictly, so unknown keys stay
// errors. The base's name and description are not inherited.

// identityKeys are the keys that name a resource in a list, most specific
// first.
var identityKeys = []string{
	"UUID", "FunctionName", "clusterArn", "replicatorArn", "vpcConnectionArn", "operationArn", "topicName",
	"SubnetId", "RouteTableId", "NatGatewayId", "InternetGatewayId", "VpcEndpointId", "GroupId", "NetworkAclId",
	"NetworkInterfaceId", "TransitGatewayAttachmentId", "TransitGatewayRouteTableId", "RouteTableAssociationId",
	"NetworkAclAssociationId", "VpcId", "RoleName", "Arn", "QueueName", "logGroupName", "StreamName", "ShardId",
	"ConsumerName", "KeyId", "TableName", "Name", "Version", "EventId", "DestinationCidrBlock",
}

// maxExtendsDepth bounds a chain of extends (and so any cycle).
const maxExtendsDepth = 8

// resolveExtends returns raw with its extends chain merged in, as YAML.
// dir is the directory of the file raw came from ("" for embedded
// scenarios and bytes given to Parse).
func resolveExtends(raw []byte, dir string, depth int) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	base, ok := doc["extends"]
	if !ok {
		return raw, nil
	}
	name, _ := base.(string)
	if name == "" {
		return nil, errors.New("extends: want the name of an embedded scenario or a YAML path")
	}
	if depth >= maxExtendsDepth {
		return nil, fmt.Errorf("extends %s: more than %d levels (a cycle?)", name, maxExtendsDepth)
	}
	braw, bdir, err := readScenario(name, dir)
	if err != nil {
		return nil, fmt.Errorf("extends %s: %w", name, err)
	}
	if braw, err = resolveExtends(braw, bdir, depth+1); err != nil {
		return nil, fmt.Errorf("extends %s: %w", name, err)
	}
	var bdoc map[string]any
	if err := yaml.Unmarshal(braw, &bdoc); err != nil {
		return nil, fmt.Errorf("extends %s: %w", name, err)
	}
	delete(bdoc, "name")
	delete(bdoc, "description")
	delete(doc, "extends")
	merged := mergeValue(bdoc, doc)
	return yaml.Marshal(merged)
}

// readScenario finds a base scenario: a path (relative to dir when not
// absolute) when it ends in .yaml/.yml or names a file, else an embedded
// scenario.
func readScenario(name, dir string) ([]byte, string, error) {
	if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || strings.ContainsRune(name, '/') {
		p := name
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		raw, err := os.ReadFile(p)
		if err == nil {
			return raw, filepath.Dir(p), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, "", err
		}
	}
	raw, err := embeddedScenario(name)
	return raw, "", err
}

// mergeValue merges override over base.
func mergeValue(base, over any) any {
	switch o := over.(type) {
	case map[string]any:
		b, ok := base.(map[string]any)
		if !ok {
			return stripRemoved(o)
		}
		out := make(map[string]any, len(b)+len(o))
		for k, v := range b {
			out[k] = v
		}
		for k, v := range o {
			if v == nil {
				delete(out, k)
				continue
			}
			out[k] = mergeValue(b[k], v)
		}
		return out
	case []any:
		b, ok := base.([]any)
		if !ok || !resourceList(o) || !resourceList(b) {
			return stripRemoved(o)
		}
		out := append([]any(nil), b...)
		for _, item := range o {
			om := item.(map[string]any)
			idx := -1
			for i, bi := range out {
				if sameResource(bi.(map[string]any), om) {
					idx = i
					break
				}
			}
			remove, _ := om["_remove"].(bool)
			switch {
			case idx >= 0 && remove:
				out = append(out[:idx], out[idx+1:]...)
			case idx >= 0:
				out[idx] = mergeValue(out[idx], om)
			case !remove:
				out = append(out, stripRemoved(om))
			}
		}
		return out
	}
	return over
}

// stripRemoved drops `_remove` markers that matched nothing, so the strict
// decode does not see them.
func stripRemoved(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k != "_remove" {
				out[k] = stripRemoved(e)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && m["_remove"] == true {
				continue
			}
			out = append(out, stripRemoved(e))
		}
		return out
	}
	return v
}

// resourceList reports whether every item is a map with an identity.
func resourceList(l []any) bool {
	if len(l) == 0 {
		return true
	}
	for _, it := range l {
		m, ok := it.(map[string]any)
		if !ok || identity(m) == "" {
			return false
		}
	}
	return true
}

// identity is the item's identity: its first identity key, or a metric
// series' namespace, name and dimensions.
func identity(m map[string]any) string {
	if ns, ok := m["Namespace"].(string); ok {
		name, _ := m["MetricName"].(string)
		dims, _ := m["Dimensions"].(map[string]any)
		keys := make([]string, 0, len(dims))
		for k := range dims {
			keys = append(keys, k+"="+fmt.Sprint(dims[k]))
		}
		sort.Strings(keys)
		return "metric:" + ns + "/" + name + "{" + strings.Join(keys, ",") + "}"
	}
	for _, k := range identityKeys {
		if v, ok := m[k]; ok && v != nil {
			return k + "=" + fmt.Sprint(v)
		}
	}
	return ""
}

func sameResource(a, b map[string]any) bool {
	ia := identity(a)
	return ia != "" && ia == identity(b)
}
