package judge

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// checkRules runs the ESM rule engine over the live configuration with
// the joined facts (function timeout, visibility timeout, shards,
// partitions).
func (s *state) checkRules() diagnose.Outcome {
	cx := esm.Context{}
	if s.x.Stream != nil {
		cx.Shards = s.x.Stream.Shards
	}
	if s.x.Function != nil {
		cx.FunctionTimeoutSeconds = float64(s.x.Function.TimeoutSeconds)
	}
	if s.x.Queue != nil {
		cx.QueueVisibilityTimeoutSeconds = float64(s.x.Queue.VisibilityTimeoutSeconds)
	}
	cx.Partitions = s.partCount
	res, err := esm.Validate(s.x.ESM.APIConfig(), esm.Options{Source: s.x.Source, Context: cx}, s.b)
	if err != nil {
		// Say so rather than report a clean bill of health by omission.
		return diagnose.Unknown("the configuration could not be checked by the rule engine: " + err.Error())
	}
	var fs []diagnose.Finding
	worst := diagnose.StatusPass
	for _, v := range res.Violations {
		sev := diagnose.Info
		switch v.Severity {
		case rules.Error:
			sev, worst = diagnose.Critical, diagnose.StatusFail
		case rules.Warning:
			sev = diagnose.Warning
			if worst == diagnose.StatusPass {
				worst = diagnose.StatusWarn
			}
		default:
			continue
		}
		fs = append(fs, diagnose.Finding{ID: v.RuleID, Severity: sev, Title: strings.TrimRight(v.Message, ". "), Evidence: "live configuration", Remediation: []string{v.Fix}, Reference: v.Reference})
	}
	detail := fmt.Sprintf("%d rules violated", len(fs))
	switch worst {
	case diagnose.StatusFail:
		return diagnose.Fail(detail, fs...)
	case diagnose.StatusWarn:
		return diagnose.Warn(detail, fs...)
	}
	return diagnose.Pass(detail)
}
