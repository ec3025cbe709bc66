// Package streamcfg validates Amazon MSK provisioned-cluster and Kinesis
// Data Streams configurations against the limits in guidance/. Input is a
// plain map that accepts the CloudFormation property names of
// AWS::MSK::Cluster and AWS::Kinesis::Stream (so the template validator can
// pass a resource's Properties straight in) as well as short snake_case
// aliases for hand-written requests. Output is []rules.Violation.
//
// Values that are CloudFormation intrinsics (Ref, Fn::*) are treated as
// unknown: the rules that need them are skipped, never guessed.
package streamcfg

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// parseProperties reads server.properties text or a map into a flat string
// map.
func parseProperties(v any) map[string]string {
	switch x := v.(type) {
	case string:
		return fields.ParseProperties(x)
	case map[string]any:
		return fields.StringMap(x)
	}
	return map[string]string{}
}

// version is a parsed Kafka version such as 3.6.0, 2.8.2.tiered or 3.7.x.kraft.
type version struct {
	parts [versionFields]int
	raw   string
}

// versionFields is major.minor.patch (a format, exempt like a unit conversion).
const versionFields = 3 // unit conversion (format width)

// bytesPerKiB converts KiB to bytes.
const bytesPerKiB = 1 << 10 // unit conversion

// parseVersion parses the numeric prefix; "x" counts as the newest patch.
func parseVersion(s string) (version, bool) {
	v := version{raw: s}
	fields := strings.Split(strings.TrimSpace(s), ".")
	n := 0
	for _, f := range fields {
		if n == len(v.parts) {
			break
		}
		if f == "x" {
			v.parts[n] = math.MaxInt32
			n++
			continue
		}
		i, err := strconv.Atoi(f)
		if err != nil {
			break
		}
		v.parts[n] = i
		n++
	}
	return v, n > 1 // at least major.minor
}

// less reports whether v is older than w.
func (v version) less(w version) bool {
	for i := range v.parts {
		if v.parts[i] != w.parts[i] {
			return v.parts[i] < w.parts[i]
		}
	}
	return false
}

// kraft reports whether the version runs KRaft: a ".kraft" version string,
// or a release at or above kraftOnly (Kafka without ZooKeeper).
func (v version) kraft(kraftOnly version) bool {
	return strings.Contains(v.raw, "kraft") || !v.less(kraftOnly)
}

// exists reports whether any of the '|'-separated paths is present, even as
// an intrinsic function (whose value we cannot know).
func exists(props map[string]any, paths string) bool {
	for _, p := range strings.Split(paths, "|") {
		var cur any = props
		found := true
		for _, seg := range strings.Split(p, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				found = false
				break
			}
			if cur, ok = m[seg]; !ok || cur == nil {
				found = false
				break
			}
			if fields.IsIntrinsic(cur) {
				break // present, value unknown
			}
		}
		if found {
			return true
		}
	}
	return false
}

// typeErrors reports every literal under the numeric or boolean paths that
// is not a number (or numeric string) or a boolean: the rules that read such
// a value skip it, so without this a ShardCount of "four" would pass
// silently. Intrinsic values are not literals and are not reported. ref is
// the guidance id whose source documents the property types.
func typeErrors(props map[string]any, numeric, booleans []string, id, ref string, b interface{ Source(string) string }) []rules.Violation {
	var out []rules.Violation
	check := func(paths string, want string, ok func(any) bool) {
		for _, p := range strings.Split(paths, "|") {
			v, present := fields.Lookup(props, p)
			if present && !ok(v) {
				out = append(out, rules.Violation{RuleID: id, Severity: rules.Error, Field: p,
					Message: fmt.Sprintf("%s is %v, not %s", p, v, want), Fix: fmt.Sprintf("set %s to %s", p, want), Reference: b.Source(ref)})
			}
		}
	}
	for _, paths := range numeric {
		check(paths, "a number", func(v any) bool { _, ok := rules.Number(v); return ok })
	}
	for _, paths := range booleans {
		check(paths, "true or false", func(v any) bool { _, ok := fields.AsBool(v); return ok })
	}
	return out
}
