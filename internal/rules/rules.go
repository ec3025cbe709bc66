// Package rules holds the vocabulary every validator shares: a Violation with
// its rule id, severity, field path, message, fix and reference. The ESM rule
// engine, the Kafka/MSK/Kinesis configuration rules and template validation
// all report in these terms, so validate_config and esm_optimize render them
// the same way.
package rules

import "sort"

// Severity of a violation.
type Severity string

// Severities, most serious first.
const (
	Error   Severity = "error"   // the service rejects it, or it cannot work
	Warning Severity = "warning" // accepted, but likely wrong or costly
	Info    Severity = "info"    // worth knowing; nothing to fix
)

// Output and input bounds every validator shares. They are this server's
// policy, not AWS facts (which live in guidance/limits).
const (
	// MaxListed is how many violations of one rule a result lists; the
	// rest are counted in one summary violation. A config with 40,000
	// misspelt keys needs one line saying so, not 40,000.
	MaxListed = 20
	// MaxConfigKeys bounds the fields of one configuration object a
	// validator reads: an event source mapping has about 40 fields and a
	// Kafka topic about 40 configs, so more than this is not a config.
	MaxConfigKeys = 1000
)

// Violation is one broken or questionable rule.
type Violation struct {
	RuleID    string   `json:"rule_id" jsonschema_description:"stable id of the rule, e.g. esm.sqs_fifo.batch_size.max"`
	Severity  Severity `json:"severity" jsonschema:"enum=error,enum=warning,enum=info" jsonschema_description:"error: rejected or cannot work; warning: accepted but likely wrong; info: worth knowing"`
	Field     string   `json:"field" jsonschema_description:"path of the offending field, e.g. ScalingConfig.MaximumConcurrency or Resources.MyESM.Properties.BatchSize"`
	Message   string   `json:"message" jsonschema_description:"what is wrong and why"`
	Fix       string   `json:"fix" jsonschema_description:"the concrete value or change that resolves it"`
	Reference string   `json:"reference" jsonschema_description:"documentation URL the rule comes from"`
}

func rank(s Severity) int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Sort orders violations errors first, then by field and rule id, so output
// is deterministic.
func Sort(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool {
		a, b := vs[i], vs[j]
		if rank(a.Severity) != rank(b.Severity) {
			return rank(a.Severity) < rank(b.Severity)
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.RuleID < b.RuleID
	})
}

// HasErrors reports whether any violation is an error.
func HasErrors(vs []Violation) bool {
	for _, v := range vs {
		if v.Severity == Error {
			return true
		}
	}
	return false
}
