package judge

import (
	"fmt"
	"strings"
	"time"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"

	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
)

// checkChanges reports the control-plane changes (CloudTrail) made in the
// window to the resources on the mapping's path: an incident starts at a
// moment, and a change just before it is the first suspect. Changes are
// worth knowing (info) unless they touch what a failing check judges.
func (s *state) checkChanges() diagnose.Outcome {
	if u, ok := s.x.MissingFact(evidence.FactChanges); ok {
		why := "CloudTrail not readable: " + u.Reason
		if u.MissingPermission == "" {
			why += " (cloudtrail:LookupEvents adds the changes made in the window)"
		}
		return diagnose.Unknown(why)
	}
	if !s.x.ChangesRead {
		return diagnose.Unknown("CloudTrail changes were not read in this view")
	}
	if len(s.x.Changes) == 0 {
		return diagnose.Pass(fmt.Sprintf("no changes recorded since %s on %d resources on the path", s.x.Window.Start.Format("15:04Z"), len(s.x.PathResources())))
	}
	var lines []string
	for _, c := range s.x.Changes {
		lines = append(lines, changeLine(c))
	}
	detail := fmt.Sprintf("%d changes in the window: %s", len(lines), strings.Join(lines[:min(len(lines), 6)], "; "))
	var risky []string
	for _, c := range s.x.Changes {
		if riskyEvent(c.Event) {
			risky = append(risky, changeLine(c))
		}
	}
	if len(risky) == 0 {
		return diagnose.Warn(detail, diagnose.Finding{ID: "changes.recent", Severity: diagnose.Info, Title: fmt.Sprintf("%d changes were made on the path in the window", len(lines)),
			Evidence: detail, Remediation: []string{"Compare their times with the first bad point of the failing series"}, Reference: refCloudTrail})
	}
	ev := detail
	if near := s.followedBy(); near != "" {
		ev += "; " + near
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "changes.path_changed", Severity: diagnose.Warning,
		Title:       fmt.Sprintf("the path changed in the window: %s", strings.Join(risky[:min(len(risky), 3)], "; ")),
		Evidence:    ev,
		Remediation: []string{"Check whether the failing checks above started after these changes; revert or amend the change that removed access"},
		Reference:   refCloudTrail})
}

// followedBy names the series whose final bad run began at or after the
// latest risky change: the change point the metrics show.
func (s *state) followedBy() string {
	var last time.Time
	for _, c := range s.x.Changes {
		if riskyEvent(c.Event) && c.Time.After(last) {
			last = c.Time
		}
	}
	if last.IsZero() {
		return ""
	}
	bad := map[string]func(awsx.MetricSeries) func(float64) bool{
		awsx.KeyFunctionErrors:    func(awsx.MetricSeries) func(float64) bool { return func(v float64) bool { return v > 0 } },
		awsx.KeyFunctionThrottles: func(awsx.MetricSeries) func(float64) bool { return func(v float64) bool { return v > 0 } },
		awsx.KeyOffsetLag: func(m awsx.MetricSeries) func(float64) bool {
			return func(v float64) bool { return v > m.Points[0].Value }
		},
		awsx.KeyIteratorAgeMs: func(m awsx.MetricSeries) func(float64) bool {
			return func(v float64) bool { return v > m.Points[0].Value }
		},
	}
	var out []string
	for _, key := range []string{awsx.KeyFunctionErrors, awsx.KeyFunctionThrottles, awsx.KeyOffsetLag, awsx.KeyIteratorAgeMs} {
		ser, ok := s.x.Series(key)
		if !ok || len(ser.Points) == 0 {
			continue
		}
		first, lastGood := changePoint(ser, bad[key](ser))
		if first.IsZero() || lastGood.IsZero() || first.Before(last) {
			continue
		}
		out = append(out, fmt.Sprintf("%s turned bad at %s, %s after the change", ser.Query.Metric, first.UTC().Format("15:04Z"), first.Sub(last).Round(time.Minute)))
	}
	return strings.Join(out, "; ")
}

// riskyEvent: changes that remove access or capacity.
func riskyEvent(ev string) bool {
	for _, p := range []string{"Revoke", "Delete", "Replace", "Detach", "Disassociate", "Put", "Update", "Modify", "Remove", "Disable", "ScheduleKeyDeletion", "CreateNetworkAclEntry", "ChangeCluster", "BatchDisassociateScramSecret"} {
		if strings.HasPrefix(ev, p) || strings.Contains(ev, p) {
			return true
		}
	}
	return false
}

func changeLine(c evidence.Change) string {
	who := c.User
	if who == "" {
		who = "unknown principal"
	}
	return fmt.Sprintf("%s %s on %s by %s", c.Time.UTC().Format("2006-01-02T15:04Z"), c.Event, c.Resource, who)
}
