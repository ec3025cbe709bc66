// Package proccfg validates the configuration of the stream processors that
// sit on Kinesis and Kafka: AWS Glue streaming jobs (job properties, job
// arguments and streaming source options), Managed Service for Apache Flink
// applications, MSK Connect connectors and worker configurations, KCL
// consumer properties and KPL producer properties.
//
// Input is a plain map. The Glue, Flink and MSK Connect validators accept
// the CloudFormation property names of AWS::Glue::Job,
// AWS::KinesisAnalyticsV2::Application and AWS::KafkaConnect::Connector /
// WorkerConfiguration (so template validation can pass Properties straight
// in) and the API's names where they differ; KCL and KPL take their property
// names. Context a rule needs (the source's shards or partitions, workers,
// batch processing time) may be given in the same map under snake_case keys.
// Values that are CloudFormation intrinsics are unknown: rules that need them
// are skipped, never guessed. Output is []rules.Violation with a fix and the
// documentation URL of the fact behind each rule.
package proccfg

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Kinds lists the validate_config kinds this package serves.
func Kinds() []string { return []string{"glue_job", "flink_app", "msk_connect", "kcl", "kpl"} }

// Validate runs the validator of kind over props and returns the violations
// and the rule ids it evaluated. ok is false for an unknown kind.
func Validate(kind string, props map[string]any, b *guidance.Base) (vs []rules.Violation, ruleIDs []string, ok bool) {
	switch kind {
	case "glue_job":
		return ValidateGlueJob(props, b), GlueJobRuleIDs(), true
	case "flink_app":
		return ValidateFlinkApp(props, b), FlinkAppRuleIDs(), true
	case "msk_connect":
		return ValidateConnect(props, b), ConnectRuleIDs(), true
	case "kcl":
		return ValidateKCL(props, b), KCLRuleIDs(), true
	case "kpl":
		return ValidateKPL(props, b), KPLRuleIDs(), true
	}
	return nil, nil, false
}

// out collects violations for one validation.
type out struct {
	b  *guidance.Base
	vs []rules.Violation
}

// add records a violation whose reference is the source of guidance id ref.
func (o *out) add(id string, sev rules.Severity, field, ref, msg, fix string) {
	o.vs = append(o.vs, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: o.b.Source(ref)})
}

func (o *out) list() []rules.Violation {
	if o.vs == nil {
		return []rules.Violation{}
	}
	return o.vs
}

// lookup walks a dotted path through nested maps. ok is false when a segment
// is missing or the value is an intrinsic function.
func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, seg := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[seg]; !ok || cur == nil {
			return nil, false
		}
	}
	return cur, !isIntrinsic(cur)
}

// first returns the first alias present of a '|'-separated list of paths.
func first(m map[string]any, paths string) (any, string, bool) {
	all := strings.Split(paths, "|")
	for _, p := range all {
		if v, ok := lookup(m, p); ok {
			return v, p, true
		}
	}
	return nil, all[0], false
}

// present reports whether any alias exists, intrinsic or not.
func present(m map[string]any, paths string) bool {
	for _, p := range strings.Split(paths, "|") {
		var cur any = m
		found := true
		for _, seg := range strings.Split(p, ".") {
			mm, ok := cur.(map[string]any)
			if !ok {
				found = false
				break
			}
			if cur, ok = mm[seg]; !ok {
				found = false
				break
			}
		}
		if found {
			return true
		}
	}
	return false
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

func num(m map[string]any, paths string) (float64, string, bool) {
	v, p, ok := first(m, paths)
	if !ok {
		return 0, p, false
	}
	f, ok := rules.Number(v)
	return f, p, ok
}

func str(m map[string]any, paths string) (string, string, bool) {
	v, p, ok := first(m, paths)
	if !ok {
		return "", p, false
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), p, true
	case bool, float64, int, json.Number:
		return fmt.Sprint(x), p, true
	}
	return "", p, false
}

func boolean(m map[string]any, paths string) (bool, string, bool) {
	v, p, ok := first(m, paths)
	if !ok {
		return false, p, false
	}
	switch x := v.(type) {
	case bool:
		return x, p, true
	case string:
		bv, err := strconv.ParseBool(strings.TrimSpace(x))
		return bv, p, err == nil
	}
	return false, p, false
}

// sub returns a nested map (or nil).
func sub(m map[string]any, paths string) (map[string]any, string) {
	v, p, ok := first(m, paths)
	if !ok {
		return nil, p
	}
	mm, _ := v.(map[string]any)
	return mm, p
}

// stringMap flattens a map of scalars (job arguments, connector
// configuration) to strings; intrinsic values are left out.
func stringMap(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = strings.TrimSpace(x)
		case bool, float64, int, json.Number:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

// ParseProperties reads Java properties text (key=value or key: value per
// line, # and ! comments), as KCL, KPL and Kafka Connect files are written.
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

// gstr reads a string-valued guidance entry ("" when missing or not a
// string; the knowledge test resolves every id the code names).
func gstr(b *guidance.Base, id string) string {
	l, _ := b.Lookup(id)
	s, _ := l.Value.(string)
	return s
}
