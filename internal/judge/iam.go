package judge

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
)

// simulate asks IAM whether the role may call actions on resources and,
// on a deny, shows the role's statements that nearly match and how they
// differ from what was asked (a topic ARN without the cluster UUID, a
// statement naming another cluster, another Region or account).
func (s *state) simulate(ctx context.Context, name string, actions, resources []string, cat diagnose.Category, ref string) diagnose.Outcome {
	if s.sim == nil {
		return diagnose.Unknown("IAM simulation not available in this view")
	}
	if s.facts.Role == "" {
		return diagnose.Unknown("the execution role is unknown (function not read)")
	}
	ds, err := s.sim.Simulate(ctx, s.facts.Role, actions, resources)
	if err != nil {
		u := awsx.UnknownFrom("IAM:SimulatePrincipalPolicy", err)
		s.facts.Unknowns = append(s.facts.Unknowns, *u)
		return diagnose.Unknown("IAM simulation failed: " + u.Reason)
	}
	var denied []string
	for _, d := range ds {
		if !d.Allowed() {
			denied = append(denied, fmt.Sprintf("%s on %s: %s", d.Action, orPlaceholder(d.Resource, "*"), d.Decision))
		}
	}
	detail := fmt.Sprintf("simulated %d decisions for %s", len(ds), s.facts.Role)
	if len(ds) == 0 {
		return diagnose.Unknown("IAM simulation returned no decisions")
	}
	if len(denied) == 0 {
		return diagnose.Pass(detail + ": all allowed")
	}
	res := "*"
	if len(resources) > 0 {
		res = strings.Join(resources, ", ")
	}
	var acts []string
	for _, d := range ds {
		if !d.Allowed() && !contains(acts, d.Action) {
			acts = append(acts, d.Action)
		}
	}
	evidence := "IAM SimulatePrincipalPolicy: " + strings.Join(denied, "; ")
	if near := s.nearest(acts, resources); len(near) > 0 {
		evidence += "; nearest statements: " + strings.Join(near, "; ")
	}
	return diagnose.Fail(detail+": denied "+strings.Join(denied, "; "), diagnose.Finding{ID: "authorization." + name, Severity: diagnose.Critical, Category: cat,
		Title:       fmt.Sprintf("the execution role cannot %s", strings.Join(acts, ", ")),
		Evidence:    evidence,
		Remediation: []string{fmt.Sprintf("Add to %s: {\"Effect\":\"Allow\",\"Action\":[\"%s\"],\"Resource\":[\"%s\"]}", s.facts.Role, strings.Join(acts, "\",\""), strings.ReplaceAll(res, ", ", "\",\""))},
		Reference:   ref})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// statement is one IAM policy statement, normalised to lists.
type statement struct {
	Policy   string
	Sid      string
	Effect   string
	Actions  []string
	Resource []string
}

func parseStatements(policy, doc string) []statement {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var raws []json.RawMessage
	if json.Unmarshal(d.Statement, &raws) != nil {
		raws = []json.RawMessage{d.Statement}
	}
	var out []statement
	for _, r := range raws {
		var st struct {
			Sid      string
			Effect   string
			Action   any
			Resource any
		}
		if json.Unmarshal(r, &st) != nil {
			continue
		}
		out = append(out, statement{Policy: policy, Sid: st.Sid, Effect: st.Effect, Actions: strs(st.Action), Resource: strs(st.Resource)})
	}
	return out
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// wildMatch matches IAM's * and ? wildcards, case-insensitively for
// actions (ci) and exactly for resources.
func wildMatch(pattern, s string, ci bool) bool {
	if ci {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// path.Match treats / specially; IAM does not, so map / away.
	p := strings.ReplaceAll(strings.ReplaceAll(pattern, "[", "\\["), "/", "\x00")
	ok, err := path.Match(p, strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// nearest lists the role's Allow statements that name one of the denied
// actions (or its service wildcard) on other resources, with the
// difference from the resource that was asked.
func (s *state) nearest(actions, resources []string) []string {
	if s.x.Role == nil {
		return nil
	}
	var sts []statement
	for _, p := range append(append([]awsx.RolePolicy{}, s.x.Role.Managed...), s.x.Role.Inline...) {
		sts = append(sts, parseStatements(p.Name, p.Document)...)
	}
	var out []string
	for _, st := range sts {
		if !strings.EqualFold(st.Effect, "Allow") {
			continue
		}
		match := false
		for _, a := range actions {
			for _, pa := range st.Actions {
				if wildMatch(pa, a, true) {
					match = true
				}
			}
		}
		if !match {
			continue
		}
		for _, want := range resources {
			for _, have := range st.Resource {
				if wildMatch(have, want, false) {
					continue
				}
				label := st.Policy
				if st.Sid != "" {
					label += "/" + st.Sid
				}
				out = append(out, fmt.Sprintf("%s allows %v on %s: %s", label, st.Actions, have, ResourceDiff(have, want)))
			}
		}
	}
	sort.Strings(out)
	out = dedupe(out)
	return out[:min(len(out), 4)]
}

// ResourceDiff names how a policy's resource pattern differs from the ARN
// that was asked for.
func ResourceDiff(have, want string) string {
	h, w := strings.SplitN(have, ":", 6), strings.SplitN(want, ":", 6)
	if len(h) < 6 || len(w) < 6 {
		return fmt.Sprintf("does not match %s", want)
	}
	switch {
	case h[2] != w[2] && h[2] != "*":
		return fmt.Sprintf("names service %s, the request is %s", h[2], w[2])
	case h[3] != w[3] && h[3] != "*":
		return fmt.Sprintf("names Region %s, the resource is in %s", h[3], w[3])
	case h[4] != w[4] && h[4] != "*":
		return fmt.Sprintf("names account %s, the resource is in %s", h[4], w[4])
	}
	hp, wp := strings.Split(h[5], "/"), strings.Split(w[5], "/")
	if hp[0] != wp[0] && hp[0] != "*" {
		return fmt.Sprintf("is a %s ARN, the request needs a %s ARN (%s)", hp[0], wp[0], want)
	}
	// MSK topic/group ARNs are TYPE/CLUSTER/UUID/NAME.
	if wp[0] == "topic" || wp[0] == "group" || wp[0] == "transactional-id" {
		if len(hp) > 1 && len(wp) > 1 && hp[1] != wp[1] && !strings.ContainsAny(hp[1], "*?") {
			return fmt.Sprintf("names cluster %s, the mapping reads cluster %s", hp[1], wp[1])
		}
		if len(hp) == 3 && len(wp) == 4 {
			return fmt.Sprintf("has no cluster UUID segment: %s ARNs are %s/CLUSTER/UUID/NAME, here %s", wp[0], wp[0], want)
		}
		if len(hp) == 4 && len(wp) == 4 && hp[2] != wp[2] && !strings.ContainsAny(hp[2], "*?") {
			return fmt.Sprintf("names cluster UUID %s, the cluster's is %s (recreated cluster?)", hp[2], wp[2])
		}
		if len(hp) == 4 && len(wp) == 4 && hp[3] != wp[3] {
			return fmt.Sprintf("names %s %s, the mapping uses %s", wp[0], hp[3], wp[3])
		}
	}
	if wp[0] == "cluster" && len(hp) > 1 && len(wp) > 1 && hp[1] != wp[1] && !strings.ContainsAny(hp[1], "*?") {
		return fmt.Sprintf("names cluster %s, the mapping reads cluster %s", hp[1], wp[1])
	}
	return fmt.Sprintf("does not match %s", want)
}

// merge folds several outcomes of one check: the worst status wins, details
// and findings are kept.
func merge(outs []diagnose.Outcome) diagnose.Outcome {
	rank := map[diagnose.Status]int{diagnose.StatusPass: 0, diagnose.StatusSkipped: 0, diagnose.StatusWarn: 1, diagnose.StatusUnknown: 2, diagnose.StatusFail: 3}
	m := diagnose.Outcome{Status: diagnose.StatusPass}
	sorted := append([]diagnose.Outcome(nil), outs...)
	sort.SliceStable(sorted, func(i, j int) bool { return rank[sorted[i].Status] > rank[sorted[j].Status] })
	var details []string
	for _, o := range sorted {
		if rank[o.Status] > rank[m.Status] {
			m.Status = o.Status
		}
		details = append(details, o.Detail)
		m.Findings = append(m.Findings, o.Findings...)
	}
	m.Detail = strings.Join(details, "; ")
	return m
}
