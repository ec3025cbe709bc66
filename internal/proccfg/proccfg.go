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

// gstr reads a string-valued guidance entry ("" when missing or not a
// string; the knowledge test resolves every id the code names).
func gstr(b *guidance.Base, id string) string {
	l, _ := b.Lookup(id)
	s, _ := l.Value.(string)
	return s
}
