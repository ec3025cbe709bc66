package esmstate

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
)

func vocabulary(t *testing.T) *Vocabulary {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := VocabularyFrom(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLastProcessingResult(t *testing.T) {
	t.Parallel()
	voc := vocabulary(t)
	cases := []struct {
		in       string
		kafka    bool
		sev, cat string
		next     string
	}{
		{"OK", true, SeverityOK, "none", ""},
		{"No records processed", false, SeverityOK, "none", ""},
		{"", false, SeverityInfo, "none", ""},
		{"PROBLEM: Function call failed", false, SeverityError, "function_error", ""},
		{"PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS, as well as Secrets Manager if authentication is required. You can provide access by configuring PrivateLink or a NAT Gateway.", true, SeverityError, "lambda_unreachable", "kafka_troubleshoot"},
		{"PROBLEM: Connection error. Your event source VPC must be able to connect to Lambda and STS, Secrets Manager (if event source authentication is required), and the OnFailure Destination (if one is configured).", true, SeverityError, "lambda_unreachable", "kafka_troubleshoot"},
		{"PROBLEM: Connection error. Please check your event source connection configuration.", true, SeverityError, "network", "kafka_troubleshoot"},
		{"PROBLEM: Lambda failed to assume your function execution role.", true, SeverityError, "sts_unreachable", "kafka_troubleshoot"},
		{"PROBLEM: SASL authentication failed.", true, SeverityError, "authentication", "kafka_troubleshoot"},
		{"PROBLEM: Cluster failed to authorize Lambda.", true, SeverityError, "authorization", "kafka_troubleshoot"},
		{"PROBLEM: Server failed to authenticate Lambda.", true, SeverityError, "authentication", "kafka_troubleshoot"},
		{"PROBLEM: Lambda failed to authenticate server.", true, SeverityError, "authentication", "kafka_troubleshoot"},
		{"PROBLEM: Provided certificate or private key is invalid.", true, SeverityError, "authentication", "kafka_troubleshoot"},
		{"PROBLEM: Something new.", false, SeverityError, "configuration", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d := voc.LastProcessingResult(tc.in, tc.kafka)
			if d.Severity != tc.sev || d.Category != tc.cat || d.NextTool != tc.next || d.Meaning == "" || d.Value != tc.in {
				t.Fatalf("got %+v", d)
			}
		})
	}
}

func TestStateAndReason(t *testing.T) {
	t.Parallel()
	voc := vocabulary(t)
	for _, tc := range []struct{ in, sev string }{{"Enabled", SeverityOK}, {"Disabled", SeverityWarning}, {"Creating", SeverityInfo}, {"Updating", SeverityInfo}, {"Weird", SeverityInfo}, {"", SeverityInfo}} {
		if d := State(tc.in); d.Severity != tc.sev || d.Meaning == "" {
			t.Errorf("State(%q) = %+v", tc.in, d)
		}
	}
	for _, tc := range []struct{ in, cat string }{{"User action", "user_action"}, {"User initiated", "user_action"}, {"USER_INITIATED", "user_action"},
		{"EVENT_SOURCE_AUTHN_ERROR", "authentication"}, {"EVENT_SOURCE_AUTHZ_ERROR", "authorization"}, {"ESM_CONFIG_NOT_VALID", "configuration"},
		{"FUNCTION_CONFIG_NOT_VALID", "configuration"}, {"Lambda initiated", "configuration"}, {"", "none"}} {
		if d := voc.Reason(tc.in); d.Category != tc.cat || d.Meaning == "" {
			t.Errorf("Reason(%q) = %+v", tc.in, d)
		}
	}
}

// Every code and fragment kafka_troubleshoot matches (guidance) is decoded
// here too, into a known meaning: the two tools read the same entries.
func TestGuidanceWordingIsRecognised(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	voc := vocabulary(t)
	var reasons, results []string
	for _, id := range []string{"kafka.esm.state_reason.authn", "kafka.esm.state_reason.authz"} {
		l, _ := b.Lookup(id)
		reasons = append(reasons, l.Value.(string))
	}
	reasons = append(reasons, b.Strings("kafka.esm.state_reason.config")...)
	for _, id := range []string{"kafka.esm.result.authorize", "kafka.esm.result.connection", "kafka.esm.result.assume_role", "kafka.esm.result.function_failed"} {
		l, _ := b.Lookup(id)
		results = append(results, l.Value.(string))
	}
	results = append(results, b.Strings("kafka.esm.result.authentication")...)
	if len(reasons) != 4 || len(results) != 8 {
		t.Fatalf("reasons %v results %v", reasons, results)
	}
	for _, r := range reasons {
		if d := voc.Reason(r); d.Severity != SeverityError || d.Category == "" {
			t.Errorf("Reason(%q) = %+v", r, d)
		}
	}
	for _, r := range results {
		if d := voc.LastProcessingResult("PROBLEM: "+r+".", true); d.Severity != SeverityError || d.Category == "configuration" {
			t.Errorf("LastProcessingResult(%q) = %+v: not recognised", r, d)
		}
	}
	if _, err := VocabularyFrom(nil); err == nil {
		t.Error("nil guidance should fail")
	}
}
