package diagnose

import (
	"context"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	f := func(id string, sev Severity) Finding { return Finding{ID: id, Severity: sev, Title: id} }
	tests := []struct {
		name     string
		defs     []Def
		category Category
		statuses []Status
		findings []string
	}{
		{name: "all pass", category: None,
			defs:     []Def{{Name: "a", Category: Network, Run: func(context.Context) Outcome { return Pass("ok") }}},
			statuses: []Status{StatusPass}},
		{name: "first failure wins and blocks dependents", category: Network,
			defs: []Def{
				{Name: "tcp", Category: Network, Run: func(context.Context) Outcome { return Fail("refused", f("network.refused", Critical)) }},
				{Name: "sasl", Category: Authentication, Needs: []string{"tcp"}, Run: func(context.Context) Outcome { t.Error("sasl ran"); return Pass("") }},
				{Name: "lag", Category: ConsumerLag, Run: func(context.Context) Outcome { return Warn("lagging", f("lag.stalled", Warning)) }},
				{Name: "acl", Category: Authorization, Run: func(context.Context) Outcome { return Fail("denied", f("authz.denied", Critical)) }},
			},
			statuses: []Status{StatusFail, StatusSkipped, StatusWarn, StatusFail},
			findings: []string{"network.refused", "authz.denied", "lag.stalled"}},
		{name: "warning alone sets category", category: ConsumerLag,
			defs: []Def{
				{Name: "x", Category: Network, Run: func(context.Context) Outcome { return Unknown("AccessDenied on DescribeSecurityGroups") }},
				{Name: "y", Category: ConsumerLag, Needs: []string{"x"}, Run: func(context.Context) Outcome { return Pass("") }},
				{Name: "z", Category: ConsumerLag, Run: func(context.Context) Outcome { return Warn("w", f("lag.w", Warning)) }},
			},
			statuses: []Status{StatusUnknown, StatusSkipped, StatusWarn},
			findings: []string{"lag.w"}},
		{name: "self-skipped need does not block; engine-skipped does", category: None,
			defs: []Def{
				{Name: "dns", Run: func(context.Context) Outcome { return Skipped("address is an IP") }},
				{Name: "tcp", Needs: []string{"dns"}, Run: func(context.Context) Outcome { return Unknown("x") }},
				{Name: "tls", Needs: []string{"tcp"}, Run: func(context.Context) Outcome { return Pass("") }},
				{Name: "sasl", Needs: []string{"tls"}, Run: func(context.Context) Outcome { return Pass("") }},
			},
			statuses: []Status{StatusSkipped, StatusUnknown, StatusSkipped, StatusSkipped}},
		{name: "unknown dependency name skips", category: None,
			defs:     []Def{{Name: "a", Needs: []string{"nope"}, Run: func(context.Context) Outcome { return Pass("") }}},
			statuses: []Status{StatusSkipped}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := Run(context.Background(), tc.defs)
			if rep.Category != tc.category {
				t.Errorf("category = %s, want %s", rep.Category, tc.category)
			}
			if len(rep.Checks) != len(tc.statuses) {
				t.Fatalf("checks = %d", len(rep.Checks))
			}
			for i, c := range rep.Checks {
				if c.Status != tc.statuses[i] {
					t.Errorf("check %s = %s, want %s (%s)", c.Name, c.Status, tc.statuses[i], c.Detail)
				}
			}
			if len(rep.Findings) != len(tc.findings) {
				t.Fatalf("findings = %+v", rep.Findings)
			}
			for i, id := range tc.findings {
				if rep.Findings[i].ID != id || rep.Findings[i].Category == "" || rep.Findings[i].Remediation == nil {
					t.Errorf("finding %d = %+v, want %s", i, rep.Findings[i], id)
				}
			}
		})
	}
}

func TestCancelledContextMakesUnknown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := Run(ctx, []Def{{Name: "a", Run: func(context.Context) Outcome { t.Error("ran"); return Pass("") }}})
	if rep.Checks[0].Status != StatusUnknown {
		t.Fatalf("status = %s", rep.Checks[0].Status)
	}
}

func TestParseCategory(t *testing.T) {
	t.Parallel()
	for _, c := range Categories() {
		if got, err := ParseCategory(string(c)); err != nil || got != c {
			t.Errorf("%s: %v", c, err)
		}
	}
	if _, err := ParseCategory("vibes"); err == nil {
		t.Error("accepted vibes")
	}
}
