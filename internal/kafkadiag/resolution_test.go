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
		{name: "hostile names are single-quoted", rt: ResolutionTarget{Auth: "sasl_scram_512", Username: "bob; id", Topic: "t$(id)", Group: "g' && id #"},
			want:      []string{"--allow-principal 'User:bob; id' ", "--topic 't$(id)'", `--group 'g'\'' && id #'`},
			forbidden: []string{"User:bob; id ", "--topic t$(id)"}},
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
