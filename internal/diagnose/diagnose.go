// Package diagnose is the check engine behind kafka_troubleshoot (and any
// other tool that diagnoses): a diagnosis is an ordered list of checks, each
// judging one piece of evidence and reporting pass, fail, warn, unknown
// (evidence missing, with why) or skipped (a check it depends on did not
// pass). Failing and warning checks carry findings: an id, a severity, a
// title, the evidence, remediation steps and a reference.
//
// Usage:
//
//	defs := []diagnose.Def{
//		{Name: "tcp_connect", Category: diagnose.Network, Run: func(ctx context.Context) diagnose.Outcome {
//			if err != nil { return diagnose.Fail("refused", diagnose.Finding{ID: "network.refused", ...}) }
//			return diagnose.Pass("3/3 brokers reachable")
//		}},
//		{Name: "sasl", Category: diagnose.Authentication, Needs: []string{"tcp_connect"}, Run: ...},
//	}
//	rep := diagnose.Run(ctx, defs)
//
// Checks run in order (the order is the causal order: a network failure
// explains an authentication timeout), so the primary category of a report
// is the category of the first failing check.
package diagnose

import (
	"context"
	"fmt"
	"slices"
)

// Status of one check.
type Status string

// Check statuses.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusWarn    Status = "warn"
	StatusUnknown Status = "unknown" // evidence missing (AccessDenied, unreachable, not given)
	StatusSkipped Status = "skipped" // a prerequisite check did not pass, or the check does not apply
)

// Severity of a finding.
type Severity string

// Finding severities.
const (
	Critical Severity = "critical" // the path is broken: nothing is consumed
	Warning  Severity = "warning"  // works now, but degraded or at risk
	Info     Severity = "info"     // worth knowing
)

// Category is an issue category shared by diagnosis and resolution
// (CONTRACT.md, kafka_troubleshoot).
type Category string

// Categories.
const (
	Network                Category = "network"
	Authentication         Category = "authentication"
	Authorization          Category = "authorization"
	LambdaUnreachable      Category = "lambda_unreachable"
	STSUnreachable         Category = "sts_unreachable"
	DestinationUnreachable Category = "destination_unreachable"
	BrokerHealth           Category = "broker_health"
	Topic                  Category = "topic"
	ConsumerLag            Category = "consumer_lag"
	Throttling             Category = "throttling"
	Configuration          Category = "configuration"
	// FunctionError: the function fails or times out on the records.
	FunctionError Category = "function_error"
	// None: every check passed or could not be judged.
	None Category = "none"
)

// Categories lists every issue category in display order.
func Categories() []Category {
	return []Category{Network, Authentication, Authorization, LambdaUnreachable, STSUnreachable,
		DestinationUnreachable, BrokerHealth, Topic, ConsumerLag, Throttling, Configuration, FunctionError}
}

// ParseCategory validates a category name.
func ParseCategory(s string) (Category, error) {
	for _, c := range Categories() {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown issue category %q", s)
}

// Finding is one problem found, with what to do about it.
type Finding struct {
	ID          string   `json:"id" jsonschema_description:"stable id, e.g. network.sg_port_closed"`
	Severity    Severity `json:"severity" jsonschema:"enum=critical,enum=warning,enum=info" jsonschema_description:"critical: broken; warning: degraded or at risk; info: worth knowing"`
	Category    Category `json:"category" jsonschema_description:"issue category"`
	Title       string   `json:"title" jsonschema_description:"one line"`
	Evidence    string   `json:"evidence" jsonschema_description:"the readings that prove it"`
	Remediation []string `json:"remediation" jsonschema_description:"concrete steps, in order"`
	Reference   string   `json:"reference" jsonschema_description:"documentation URL"`
	// Check is the check that found it (set by Run).
	Check string `json:"check,omitempty" jsonschema_description:"the check that found it"`
}

// Check is one check's result.
type Check struct {
	Name     string   `json:"name" jsonschema_description:"check name"`
	Category Category `json:"category" jsonschema_description:"issue category it belongs to"`
	Status   Status   `json:"status" jsonschema:"enum=pass,enum=fail,enum=warn,enum=unknown,enum=skipped" jsonschema_description:"pass, fail, warn, unknown (evidence missing) or skipped"`
	Detail   string   `json:"detail" jsonschema_description:"what was checked and seen, or why it could not be"`
}

// Outcome is what a check's Run returns.
type Outcome struct {
	Status   Status
	Detail   string
	Findings []Finding
}

// Pass, Fail, Warn, Unknown and Skipped build outcomes.
func Pass(detail string) Outcome { return Outcome{Status: StatusPass, Detail: detail} }

// Fail reports a broken check with its findings.
func Fail(detail string, f ...Finding) Outcome {
	return Outcome{Status: StatusFail, Detail: detail, Findings: f}
}

// Warn reports a degraded check with its findings.
func Warn(detail string, f ...Finding) Outcome {
	return Outcome{Status: StatusWarn, Detail: detail, Findings: f}
}

// Unknown reports missing evidence and why it is missing.
func Unknown(why string) Outcome { return Outcome{Status: StatusUnknown, Detail: why} }

// Skipped reports a check that does not apply.
func Skipped(why string) Outcome { return Outcome{Status: StatusSkipped, Detail: why} }

// Def defines one check.
type Def struct {
	Name     string
	Category Category
	// Needs names earlier checks that must pass (or warn, or have skipped
	// themselves as not applicable) for this one to run; otherwise it is
	// skipped, naming the blocker.
	Needs []string
	Run   func(ctx context.Context) Outcome
}

// Report is a diagnosis.
type Report struct {
	// Category is the primary category: that of the first failing check,
	// else the first warning, else None.
	Category Category  `json:"category"`
	Checks   []Check   `json:"checks"`
	Findings []Finding `json:"findings"`
}

// Run executes defs in order. A panicking check is a bug, not a diagnosis:
// it is not recovered here (the server's middleware does). A cancelled
// context turns the remaining checks into unknown.
func Run(ctx context.Context, defs []Def) Report {
	rep := Report{Category: None, Checks: make([]Check, 0, len(defs)), Findings: []Finding{}}
	status := map[string]Status{}
	blockedByEngine := map[string]bool{}
	var firstWarn Category
	for _, d := range defs {
		var out Outcome
		switch blocker, st := blocked(d.Needs, status, blockedByEngine); {
		case ctx.Err() != nil:
			out = Unknown("not run: " + ctx.Err().Error())
		case blocker != "":
			out = Skipped(fmt.Sprintf("needs %s, which is %s", blocker, st))
			blockedByEngine[d.Name] = true
		default:
			out = d.Run(ctx)
		}
		status[d.Name] = out.Status
		rep.Checks = append(rep.Checks, Check{Name: d.Name, Category: d.Category, Status: out.Status, Detail: out.Detail})
		for _, f := range out.Findings {
			if f.Category == "" {
				f.Category = d.Category
			}
			f.Check = d.Name
			if f.Remediation == nil {
				f.Remediation = []string{}
			}
			rep.Findings = append(rep.Findings, f)
		}
		switch {
		case out.Status == StatusFail && rep.Category == None:
			rep.Category = d.Category
		case out.Status == StatusWarn && firstWarn == "":
			firstWarn = d.Category
		}
	}
	if rep.Category == None && firstWarn != "" {
		rep.Category = firstWarn
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return rank(a.Severity) - rank(b.Severity) })
	return rep
}

// blocked returns the first need that is not satisfied. A check that
// skipped itself (it does not apply, e.g. DNS for an IP address) satisfies
// its dependents; one the engine skipped for a failed need does not.
func blocked(needs []string, status map[string]Status, byEngine map[string]bool) (string, Status) {
	for _, n := range needs {
		st, ok := status[n]
		switch {
		case !ok:
			return n, "not run"
		case st == StatusPass, st == StatusWarn:
		case st == StatusSkipped && !byEngine[n]:
		default:
			return n, st
		}
	}
	return "", ""
}

func rank(s Severity) int {
	switch s {
	case Critical:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Counts tallies checks per status.
func (r Report) Counts() map[Status]int {
	m := map[Status]int{}
	for _, c := range r.Checks {
		m[c.Status]++
	}
	return m
}
