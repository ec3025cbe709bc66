package esm

import (
	"strings"
	"testing"
)

func TestSharedGroup(t *testing.T) {
	t.Parallel()
	lambda := GroupMember{ClientID: "lambda-poller-7f3e2a1b", Host: "/10.0.1.5"}
	tests := []struct {
		name     string
		group    string
		enabled  bool
		members  []GroupMember
		verdict  string
		evidence string
	}{
		{"default group, Lambda only", "", true, []GroupMember{lambda, {ClientID: "lambda-poller-9a8b7c6d"}}, GroupNotShared, "mapping's own UUID"},
		{"custom group with another app", "orders", true, []GroupMember{lambda, {ClientID: "billing-service-1"}, {ClientID: "billing-service-2"}}, GroupShared, "2 different clients"},
		{"disabled mapping, group still consumed", "orders", false, []GroupMember{{ClientID: "billing-service-1"}}, GroupShared, "another application"},
		{"no members while enabled", "orders", true, nil, GroupUnknown, "no active members"},
		{"no members while disabled", "orders", false, nil, GroupNotShared, "no active members"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, why := SharedGroup(tc.group, "3f1c2d4e-0000-4000-8000-123456789abc", tc.enabled, tc.members)
			if v != tc.verdict || !strings.Contains(why, tc.evidence) {
				t.Fatalf("got %s (%s), want %s containing %q", v, why, tc.verdict, tc.evidence)
			}
		})
	}
}
