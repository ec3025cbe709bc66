package kafkadiag

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
)

// Names the caller supplies reach suggested command lines quoted when they
// hold shell syntax, and unchanged when they are plain.
func TestResolutionQuotesNamesInCommands(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		rt        ResolutionTarget
		want      []string
		forbidden []string
	}{
		{name: "plain names stay readable", rt: ResolutionTarget{Auth: "sasl_scram_512", Username: "alice", Topic: "orders.v1", Group: "g-1"},
			want: []string{"--allow-principal User:alice ", "--topic orders.v1", "--group g-1"}},
		{name: "hostile user names are single-quoted", rt: ResolutionTarget{Auth: "sasl_scram_512", Username: "bob; id", Topic: "orders", Group: "g-1"},
			want:      []string{"--allow-principal 'User:bob; id' "},
			forbidden: []string{"User:bob; id "}},
		// Topic and group names no Kafka topic or Lambda group can have are
		// not used at all (they cannot name the resource they pretend to).
		{name: "impossible topic and group names are left out", rt: ResolutionTarget{Auth: "sasl_scram_512", Username: "u", Topic: "t$(id)", Group: "g' && id #"},
			want:      []string{"--topic <topic>", "--group <group: the ESM UUID or ConsumerGroupId>", `topic "t$(id)"`},
			forbidden: []string{"--topic 't$(id)'", "--topic t$(id)"}},
		// Bug (#21.7): issue_category=authorization with topic "*" and
		// group_id "*" advised ReadData on topic/…/* and kafka-acls
		// 'User:*' --topic '*'; raw newlines from names landed in steps.
		{name: "wildcards and newlines are refused", rt: ResolutionTarget{Auth: "sasl_scram_512", Username: "*", Topic: "*", Group: "*\nkafka-acls --remove"},
			want:      []string{"User:<username>", "--topic <topic>", "--group <group", `group "*\nkafka-acls --remove"`},
			forbidden: []string{"'User:*'", "--topic '*'", "--group '*", "\nkafka-acls --remove"}},
		{name: "IAM: wildcard topic and group never reach an ARN", rt: ResolutionTarget{Auth: "iam", ClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3", Topic: "*", Group: "*"},
			want:      []string{"topic/NAME/UUID/<topic>", `topic "*"`},
			forbidden: []string{"/*"}},
		{name: "absent names stay placeholders", rt: ResolutionTarget{Auth: "sasl_scram_512"},
			want: []string{"User:<username>", "--topic <topic>", "--group <group: the ESM UUID or ConsumerGroupId>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			steps := strings.Join(Resolution(b, diagnose.Authorization, tc.rt), "\n")
			for _, w := range tc.want {
				if !strings.Contains(steps, w) {
					t.Errorf("steps lack %q:\n%s", w, steps)
				}
			}
			for _, f := range tc.forbidden {
				if strings.Contains(steps, f) {
					t.Errorf("steps contain the unquoted %q:\n%s", f, steps)
				}
			}
		})
	}
}

// MSK listener ports follow the auth mode; a cluster given by bootstrap
// servers is reached on the port those servers name.
func TestResolutionNetworkPort(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:kafka:us-east-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-7"
	tests := []struct {
		name string
		rt   ResolutionTarget
		want string
	}{
		{name: "msk iam", rt: ResolutionTarget{Auth: "iam", ClusterARN: arn}, want: "TCP 9098"},
		{name: "self-managed plaintext on 29092", rt: ResolutionTarget{Auth: "none", Bootstrap: []string{"k1.internal:29092", "k2.internal:29092"}}, want: "TCP 29092"},
		{name: "self-managed scram on 9093", rt: ResolutionTarget{Auth: "sasl_scram_512", Bootstrap: []string{"k1.internal:9093"}}, want: "TCP 9093"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			steps := strings.Join(Resolution(b, diagnose.Network, tc.rt), "\n")
			if !strings.Contains(steps, tc.want) {
				t.Errorf("steps lack %q:\n%s", tc.want, steps)
			}
		})
	}
}

// An auth mismatch is not fixed by opening the mismatched mode's port: the
// configuration steps name every mode's listener and the cluster's modes.
func TestResolutionConfigurationNamesListeners(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:kafka:us-east-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-7"
	steps := strings.Join(Resolution(b, diagnose.Configuration, ResolutionTarget{Auth: "iam", ClusterARN: arn}), "\n")
	for _, want := range []string{"none 9092", "mtls 9094", "sasl_scram_512 9096", "iam 9098", "describe-cluster-v2 --cluster-arn " + arn} {
		if !strings.Contains(steps, want) {
			t.Errorf("steps lack %q:\n%s", want, steps)
		}
	}
	if strings.Contains(steps, "TCP 9098 (iam)") {
		t.Errorf("steps tell the user to use the mismatched mode's port:\n%s", steps)
	}
}
