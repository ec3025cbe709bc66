package streamguide_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/streamguide"
)

func TestGuideRejectsBadInput(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	kinesis := "arn:aws:kinesis:us-east-1:123456789012:stream/logs"
	logs := map[string]any{"log_group_name": "g"}
	for _, tc := range []struct {
		name string
		r    streamguide.Request
		want string
	}{
		{"unknown topic", streamguide.Request{Topic: "nope"}, "logs_subscription"},
		{"bad type", streamguide.Request{Topic: "logs_subscription", Type: "deploy", SourceArn: kinesis, Options: logs}, "guidance_type"},
		{"source not accepted", streamguide.Request{Topic: "logs_subscription", Source: streamguide.SourceMSK, Options: logs}, "reads from kinesis"},
		{"auth on kinesis", streamguide.Request{Topic: "logs_subscription", Auth: iac.AuthIAM, SourceArn: kinesis, Options: logs}, "auth applies"},
		{"unknown option", streamguide.Request{Topic: "logs_subscription", SourceArn: kinesis, Options: map[string]any{"log_group": "g"}}, "its options: log_group_name"},
		{"option type", streamguide.Request{Topic: "logs_subscription", SourceArn: kinesis, Options: map[string]any{"log_group_name": 3}}, "log_group_name"},
		{"bad region", streamguide.Request{Topic: "logs_subscription", Region: "moon-1", SourceArn: kinesis, Options: logs}, "moon-1"},
		{"bad role", streamguide.Request{Topic: "logs_subscription", RoleArns: []string{"arn:aws:iam::123456789012:user/x"}, SourceArn: kinesis, Options: logs}, "not an IAM role"},
		{"bad name", streamguide.Request{Topic: "logs_subscription", Name: "a b", SourceArn: kinesis, Options: logs}, "name"},
		{"msk arn for kinesis", streamguide.Request{Topic: "logs_subscription", SourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/c/abc-1", Options: logs}, "kinesis"},
		{"no destination", streamguide.Request{Topic: "logs_subscription", Options: logs}, "source_arn"},
		{"no log group", streamguide.Request{Topic: "logs_subscription", SourceArn: kinesis}, "log_group_name"},
		{"firehose target wrong service", streamguide.Request{Topic: "logs_subscription", TargetArn: "arn:aws:s3:::bucket", Options: logs}, "Firehose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reg.Guide(tc.r)
			if !errors.Is(err, iac.ErrInvalid) {
				t.Fatalf("err %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestQuoteSQL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, ident, lit string }{
		{`orders`, `"orders"`, `'orders'`},
		{`a"b`, `"a""b"`, `'a"b'`},
		{`it's`, `"it's"`, `'it''s'`},
		{`a\'; drop`, `"a\'; drop"`, `'a\\''; drop'`},
	} {
		if got := streamguide.QuoteIdent(tc.in); got != tc.ident {
			t.Errorf("QuoteIdent(%q) = %s, want %s", tc.in, got, tc.ident)
		}
		if got := streamguide.QuoteLiteral(tc.in); got != tc.lit {
			t.Errorf("QuoteLiteral(%q) = %s, want %s", tc.in, got, tc.lit)
		}
	}
}

// TestDocListsTopics keeps the package doc's topic list (the contract) in
// step with the registry: every topic and each of its options is named in
// doc.go.
func TestDocListsTopics(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	reg := registry(t)
	for _, name := range reg.Names() {
		tp, _ := reg.Topic(name)
		if !strings.Contains(doc, "//   - "+name+" ") {
			t.Errorf("doc.go does not list topic %s", name)
		}
		for _, o := range tp.Options {
			if !strings.Contains(doc, o) {
				t.Errorf("doc.go does not name %s's option %s", name, o)
			}
		}
	}
}
