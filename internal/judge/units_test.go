package judge

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
)

func TestResourceDiff(t *testing.T) {
	t.Parallel()
	const topic = "arn:aws:kafka:us-east-1:123456789012:topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders"
	tests := []struct {
		name, have, want string
	}{
		{"topic ARN without the cluster UUID", "arn:aws:kafka:us-east-1:123456789012:topic/orders-prod/orders", "has no cluster UUID segment"},
		{"another cluster", "arn:aws:kafka:us-east-1:123456789012:topic/payments-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders", "names cluster payments-prod, the mapping reads cluster orders-prod"},
		{"a recreated cluster's UUID", "arn:aws:kafka:us-east-1:123456789012:topic/orders-prod/0000-1/orders", "names cluster UUID 0000-1"},
		{"another topic", "arn:aws:kafka:us-east-1:123456789012:topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/payments", "names topic payments, the mapping uses orders"},
		{"another Region", "arn:aws:kafka:eu-west-1:123456789012:topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders", "names Region eu-west-1"},
		{"another account", "arn:aws:kafka:us-east-1:999999999999:topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders", "names account 999999999999"},
		{"a cluster ARN for a topic action", "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3", "is a cluster ARN, the request needs a topic ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ResourceDiff(tc.have, topic); !strings.Contains(got, tc.want) {
				t.Errorf("ResourceDiff = %q, want it to say %q", got, tc.want)
			}
		})
	}
}

func TestWildMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		ci, want   bool
	}{
		{"kafka-cluster:*", "kafka-cluster:ReadData", true, true},
		{"Kafka-Cluster:readdata", "kafka-cluster:ReadData", true, true},
		{"arn:aws:kafka:us-east-1:1:topic/c/*", "arn:aws:kafka:us-east-1:1:topic/c/u/orders", false, true},
		{"arn:aws:kafka:us-east-1:1:topic/c/orders", "arn:aws:kafka:us-east-1:1:topic/c/u/orders", false, false},
		{"arn:aws:kafka:*:1:topic/c/?/orders", "arn:aws:kafka:us-east-1:1:topic/c/u/orders", false, true},
	}
	for _, tc := range tests {
		if got := wildMatch(tc.pattern, tc.s, tc.ci); got != tc.want {
			t.Errorf("wildMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func nacl(entries ...awsx.PathNACLEntry) awsx.PathNACL {
	return awsx.PathNACL{ID: "acl-1", Entries: entries}
}

// NACLs are evaluated rule by rule, lowest number first, for a whole port
// range: one blocked port in 1024-65535 blocks the replies.
func TestNACLRange(t *testing.T) {
	t.Parallel()
	peer := netip.MustParsePrefix("10.0.2.0/24")
	allowAll := awsx.PathNACLEntry{RuleNumber: 100, Protocol: "-1", Action: "allow", CIDR: "0.0.0.0/0"}
	denyAll := awsx.PathNACLEntry{RuleNumber: 32767, Protocol: "-1", Action: "deny", CIDR: "0.0.0.0/0"}
	tests := []struct {
		name     string
		n        awsx.PathNACL
		lo, hi   int32
		wantAct  string
		wantRule int32
		wantPort int32
	}{
		{"allow all", nacl(allowAll, denyAll), 1024, 65535, "allow", 0, 0},
		{"only the listener port", nacl(awsx.PathNACLEntry{RuleNumber: 100, Protocol: "6", Action: "allow", CIDR: "10.0.0.0/16", FromPort: 9098, ToPort: 9098}, denyAll), 1024, 65535, "deny", 32767, 1024},
		{"ephemeral range allowed", nacl(awsx.PathNACLEntry{RuleNumber: 100, Protocol: "6", Action: "allow", CIDR: "10.0.0.0/16", FromPort: 1024, ToPort: 65535}, denyAll), 1024, 65535, "allow", 0, 0},
		{"a Linux-only range leaves 1024-32767 blocked", nacl(awsx.PathNACLEntry{RuleNumber: 100, Protocol: "6", Action: "allow", CIDR: "10.0.0.0/16", FromPort: 32768, ToPort: 65535}, denyAll), 1024, 65535, "deny", 32767, 1024},
		{"a deny before the allow wins", nacl(awsx.PathNACLEntry{RuleNumber: 50, Protocol: "6", Action: "deny", CIDR: "10.0.2.0/24", FromPort: 5000, ToPort: 5000}, allowAll), 1024, 65535, "deny", 50, 5000},
		{"another peer's deny does not apply", nacl(awsx.PathNACLEntry{RuleNumber: 50, Protocol: "6", Action: "deny", CIDR: "10.0.9.0/24", FromPort: 5000, ToPort: 5000}, allowAll), 1024, 65535, "allow", 0, 0},
		{"no rule at all", nacl(), 9098, 9098, "deny", -1, 9098},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			act, rule, port := naclRange(tc.n, false, tc.lo, tc.hi, peer)
			if act != tc.wantAct || rule != tc.wantRule || port != tc.wantPort {
				t.Errorf("naclRange = %s rule %d port %d, want %s rule %d port %d", act, rule, port, tc.wantAct, tc.wantRule, tc.wantPort)
			}
		})
	}
}

// One judgement of a secret, whichever tool asks.
func TestJudgeSecret(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	base := SecretFacts{NamePrefix: "AmazonMSK_", AWSManagedAlias: "alias/aws/secretsmanager", MSKSCRAM: true, Region: "us-east-1",
		ClusterARN: "arn:aws:kafka:us-east-1:1:cluster/c/u", Associated: &yes,
		Meta: awsx.SecretMeta{Name: "AmazonMSK_app", ARN: "arn:aws:secretsmanager:us-east-1:1:secret:AmazonMSK_app-x", KMSKeyID: "arn:aws:kms:us-east-1:1:key/k"}}
	tests := []struct {
		name string
		edit func(*SecretFacts)
		want []string
	}{
		{"customer managed key, associated", func(*SecretFacts) {}, nil},
		{"no KmsKeyId is the AWS managed key", func(f *SecretFacts) { f.Meta.KMSKeyID = "" }, []string{"authentication.secret_aws_managed_key"}},
		{"the alias", func(f *SecretFacts) { f.Meta.KMSKeyID = "alias/aws/secretsmanager" }, []string{"authentication.secret_aws_managed_key"}},
		{"DescribeKey says AWS", func(f *SecretFacts) { f.Key = &evidence.Key{Manager: "AWS", State: "Enabled"} }, []string{"authentication.secret_aws_managed_key"}},
		{"a key pending deletion", func(f *SecretFacts) { f.Key = &evidence.Key{ARN: "k", Manager: "CUSTOMER", State: "PendingDeletion"} }, []string{"authentication.secret_key_state"}},
		{"no prefix", func(f *SecretFacts) { f.Meta.Name = "app" }, []string{"authentication.secret_name_prefix"}},
		{"not associated", func(f *SecretFacts) { f.Associated = &no }, []string{"authentication.secret_not_associated"}},
		{"association unknown is not a finding", func(f *SecretFacts) { f.Associated = nil }, nil},
		{"scheduled for deletion", func(f *SecretFacts) { f.Meta.DeletedDate = time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC) }, []string{"authentication.secret_deleted"}},
		{"self-managed SASL: no MSK rules", func(f *SecretFacts) { f.MSKSCRAM, f.Meta.Name, f.Meta.KMSKeyID = false, "app", "" }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := base
			tc.edit(&f)
			var got []string
			for _, p := range JudgeSecret(f) {
				got = append(got, p.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("JudgeSecret (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChangePoint(t *testing.T) {
	t.Parallel()
	at := func(m int) time.Time { return time.Date(2026, 12, 2, 16, m, 0, 0, time.UTC) }
	ser := func(vs ...float64) awsx.MetricSeries {
		var s awsx.MetricSeries
		for i, v := range vs {
			s.Points = append(s.Points, awsx.MetricPoint{At: at(i), Value: v})
		}
		return s
	}
	bad := func(v float64) bool { return v > 0 }
	tests := []struct {
		name            string
		s               awsx.MetricSeries
		firstBad, lastG time.Time
	}{
		{"turns bad at minute 3", ser(0, 0, 0, 5, 7, 9), at(3), at(2)},
		{"bad throughout", ser(1, 2, 3), at(0), time.Time{}},
		{"recovered", ser(1, 2, 0), time.Time{}, at(2)},
		{"bad, good, bad again: the last run counts", ser(4, 0, 0, 6), at(3), at(2)},
	}
	for _, tc := range tests {
		fb, lg := changePoint(tc.s, bad)
		if !fb.Equal(tc.firstBad) || !lg.Equal(tc.lastG) {
			t.Errorf("%s: changePoint = %v, %v; want %v, %v", tc.name, fb, lg, tc.firstBad, tc.lastG)
		}
	}
}
