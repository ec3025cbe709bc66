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

	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// lookup walks a dotted path through nested maps. It returns ok=false when a
// segment is missing or the value is an intrinsic function.
func lookup(props map[string]any, path string) (any, bool) {
	var cur any = props
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[seg]
		if !ok || cur == nil {
			return nil, false
		}
	}
	if isIntrinsic(cur) {
		return nil, false
	}
	return cur, true
}

// first returns the value and path of the first alias present; paths is a
// '|'-separated list of dotted paths.
func first(props map[string]any, paths string) (any, string, bool) {
	all := strings.Split(paths, "|")
	for _, p := range all {
		if v, ok := lookup(props, p); ok {
			return v, p, true
		}
	}
	return nil, all[0], false
}

func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	}
	return false, false
}

func toString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64, int, int64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

func num(props map[string]any, paths string) (float64, string, bool) {
	v, p, ok := first(props, paths)
	if !ok {
		return 0, p, false
	}
	f, ok := rules.Number(v)
	return f, p, ok
}

func boolean(props map[string]any, paths string) (bool, string, bool) {
	v, p, ok := first(props, paths)
	if !ok {
		return false, p, false
	}
	b, ok := toBool(v)
	return b, p, ok
}

func str(props map[string]any, paths string) (string, string, bool) {
	v, p, ok := first(props, paths)
	if !ok {
		return "", p, false
	}
	s, ok := toString(v)
	return s, p, ok
}

func listLen(props map[string]any, paths string) (int, string, bool) {
	v, p, ok := first(props, paths)
	if !ok {
		return 0, p, false
	}
	l, ok := v.([]any)
	if !ok {
		if s, ok := v.([]string); ok {
			return len(s), p, true
		}
		return 0, p, false
	}
	return len(l), p, true
}

// parseProperties reads server.properties text ("key=value" lines, # comments)
// or a map into a flat string map.
func parseProperties(v any) map[string]string {
	out := map[string]string{}
	switch x := v.(type) {
	case string:
		for _, line := range strings.Split(x, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
				continue
			}
			k, val, ok := strings.Cut(line, "=")
			if !ok {
				k, val, ok = strings.Cut(line, ":")
			}
			if ok {
				out[strings.TrimSpace(k)] = strings.TrimSpace(val)
			}
		}
	case map[string]any:
		for k, val := range x {
			if s, ok := toString(val); ok {
				out[k] = s
			}
		}
	}
	return out
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
			if isIntrinsic(cur) {
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
			v, present := lookup(props, p)
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
		check(paths, "true or false", func(v any) bool { _, ok := toBool(v); return ok })
	}
	return out
}
