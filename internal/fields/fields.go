// Package fields reads CloudFormation-style resource properties given as
// decoded JSON/YAML maps: dotted paths with '|'-separated aliases (so
// "BrokerNodeGroupInfo.InstanceType|instance_type" accepts the template's
// name and a short hand-written one), typed getters that report the path
// they read, and Java properties text. A value that is a CloudFormation
// intrinsic (Ref, Condition, Fn::*) is unknown: getters report it as absent,
// so rules that need it are skipped, never guessed.
package fields

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// IsIntrinsic reports whether v is a CloudFormation intrinsic function.
func IsIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// Lookup walks a dotted path through nested maps. ok is false when a segment
// is missing, null, or the value is an intrinsic.
func Lookup(m map[string]any, path string) (any, bool) {
	v, ok := walk(m, path)
	if !ok || v == nil {
		return nil, false
	}
	return v, !IsIntrinsic(v)
}

func walk(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, seg := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[seg]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// First returns the value and path of the first alias present of a
// '|'-separated list of paths; when none is, the path is the first alias.
func First(m map[string]any, paths string) (any, string, bool) {
	all := strings.Split(paths, "|")
	for _, p := range all {
		if v, ok := Lookup(m, p); ok {
			return v, p, true
		}
	}
	return nil, all[0], false
}

// Present reports whether any alias exists, intrinsic or null included.
func Present(m map[string]any, paths string) bool {
	for _, p := range strings.Split(paths, "|") {
		if _, ok := walk(m, p); ok {
			return true
		}
	}
	return false
}

// Num reads a number (JSON numbers, Go integers, numeric strings as
// rules.Number accepts them).
func Num(m map[string]any, paths string) (float64, string, bool) {
	v, p, ok := First(m, paths)
	if !ok {
		return 0, p, false
	}
	f, ok := rules.Number(v)
	return f, p, ok
}

// Str reads a scalar as trimmed text.
func Str(m map[string]any, paths string) (string, string, bool) {
	v, p, ok := First(m, paths)
	if !ok {
		return "", p, false
	}
	s, ok := Scalar(v)
	return s, p, ok
}

// Bool reads a boolean or its text ("true", "false").
func Bool(m map[string]any, paths string) (bool, string, bool) {
	v, p, ok := First(m, paths)
	if !ok {
		return false, p, false
	}
	b, ok := AsBool(v)
	return b, p, ok
}

// AsBool reads a boolean or its text ("true", "false").
func AsBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	}
	return false, false
}

// Sub returns a nested map, or nil when it is absent or not a map.
func Sub(m map[string]any, paths string) (map[string]any, string) {
	v, p, ok := First(m, paths)
	if !ok {
		return nil, p
	}
	mm, _ := v.(map[string]any)
	return mm, p
}

// Len returns the length of a list.
func Len(m map[string]any, paths string) (int, string, bool) {
	v, p, ok := First(m, paths)
	if !ok {
		return 0, p, false
	}
	switch l := v.(type) {
	case []any:
		return len(l), p, true
	case []string:
		return len(l), p, true
	}
	return 0, p, false
}

// Scalar renders a string, number or boolean as trimmed text; anything else
// (maps, lists, intrinsics) is not a scalar.
func Scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case bool, float64, float32, int, int32, int64, json.Number:
		return fmt.Sprint(x), true
	}
	return "", false
}

// StringMap flattens a map of scalars (job arguments, connector or broker
// configuration) to text; intrinsic and nested values are left out.
func StringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if s, ok := Scalar(v); ok {
			out[k] = s
		}
	}
	return out
}

// ParseProperties reads Java properties text (key=value or key: value per
// line, the first separator wins; a key alone maps to ""; # and !
// comments), as server.properties, KCL, KPL and Kafka Connect
// files are written.
func ParseProperties(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "!") {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			out[line] = ""
			continue
		}
		out[strings.TrimSpace(line[:i])] = strings.TrimSpace(line[i+1:])
	}
	return out
}
