package tools

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/esmview"
)

// diagnoseScenario lists a scenario's mappings and describes each with
// esm_inspect and, for Kafka sources, kafka_troubleshoot.
type scenarioDiagnosis struct {
	rows     []esmview.Row
	details  map[string]*esmview.Detail
	kafka    map[string]kafkaTroubleshootOut
	summary  map[string]string
	ktxt     map[string]string
	listText string
	kinesis  []string
}

func diagnoseScenario(t *testing.T, name string) scenarioDiagnosis {
	t.Helper()
	d := simDeps(t, name)
	out := scenarioDiagnosis{details: map[string]*esmview.Detail{}, kafka: map[string]kafkaTroubleshootOut{}, summary: map[string]string{}, ktxt: map[string]string{}}
	res, list, _ := esmCall(t, d, map[string]any{})
	if res.IsError {
		t.Fatalf("list: %s", text(res))
	}
	out.rows, out.listText = list.Mappings, text(res)
	for _, r := range list.Mappings {
		res, one, _ := esmCall(t, d, map[string]any{"esm_uuid": r.UUID})
		if res.IsError || one.Mapping == nil {
			t.Fatalf("describe %s: %s", r.UUID, text(res))
		}
		out.details[r.UUID], out.summary[r.UUID] = one.Mapping, text(res)
		if esm.SourceType(r.SourceType).IsKafka() {
			kres, m := call(t, KafkaTroubleshoot(d), map[string]any{"mode": "diagnosis", "esm_uuid": r.UUID, "sample_seconds": 0})
			if kres.IsError {
				t.Fatalf("kafka_troubleshoot %s: %s", r.UUID, text(kres))
			}
			raw, _ := json.Marshal(m)
			var k kafkaTroubleshootOut
			if err := json.Unmarshal(raw, &k); err != nil {
				t.Fatal(err)
			}
			out.kafka[r.UUID], out.ktxt[r.UUID] = k, text(kres)
		}
	}
	sc, err := awssim.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sc.Kinesis.Streams {
		res, m := call(t, KinesisInspect(d), map[string]any{"stream_name": st.StreamName})
		if res.IsError {
			t.Fatalf("kinesis_inspect %s: %s", st.StreamName, text(res))
		}
		raw, _ := json.Marshal(m)
		var k kinesisInspectOut
		if err := json.Unmarshal(raw, &k); err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("kinesis_inspect %s:", st.StreamName)
		if k.Writes != nil {
			line += fmt.Sprintf(" writes %s;", k.Writes.Classification)
		}
		for _, i := range k.Issues {
			line += fmt.Sprintf("\n  issue [%s] %s", i.Severity, i.Title)
		}
		out.kinesis = append(out.kinesis, line)
	}
	return out
}

var (
	normTime  = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z`)
	normClock = regexp.MustCompile(`\b\d{2}:\d{2}(:\d{2})?Z`)
	// How long after a change (relative to the simulator's load time) a
	// series turned bad depends on where the minute boundary falls.
	normAfter = regexp.MustCompile(`\b[\dhms]+ after the change`)
	normAge   = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+s\b`)
)

func normalise(s string) string {
	s = normTime.ReplaceAllString(s, "<time>")
	s = normClock.ReplaceAllString(s, "<clock>")
	s = normAfter.ReplaceAllString(s, "<duration> after the change")
	return s
}

// render is the golden text of a scenario's diagnosis: the list view's
// health, esm_inspect's issues and non-passing checks, and
// kafka_troubleshoot's category, checks and findings.
func (sd scenarioDiagnosis) render() string {
	var b strings.Builder
	for _, r := range sd.rows {
		fmt.Fprintf(&b, "list %s %s: %s %s %s\n", r.UUID, r.SourceType, r.Health, r.Category, r.Why)
	}
	uuids := make([]string, 0, len(sd.details))
	for u := range sd.details {
		uuids = append(uuids, u)
	}
	sort.Strings(uuids)
	for _, u := range uuids {
		d := sd.details[u]
		fmt.Fprintf(&b, "\nesm_inspect %s\n", u)
		for _, c := range d.Checks {
			fmt.Fprintf(&b, "  check %s %s: %s\n", c.Status, c.Name, c.Detail)
		}
		for _, i := range d.Issues {
			fmt.Fprintf(&b, "  issue [%s] %s: %s\n    evidence: %s\n    fix: %s\n", i.Severity, i.ID, i.Message, i.Evidence, strings.Join(i.Remediation, " | "))
		}
		if k, ok := sd.kafka[u]; ok {
			fmt.Fprintf(&b, "kafka_troubleshoot %s: category %s\n", u, k.Category)
			for _, c := range k.Checks {
				fmt.Fprintf(&b, "  check %s %s\n", c.Status, c.Name)
			}
			for _, f := range k.Findings {
				fmt.Fprintf(&b, "  finding [%s] %s: %s\n", f.Severity, f.ID, f.Title)
			}
			for _, s := range k.ResolutionSteps {
				fmt.Fprintf(&b, "  step %s\n", s)
			}
		}
	}
	for _, k := range sd.kinesis {
		fmt.Fprintf(&b, "\n%s\n", k)
	}
	return normalise(b.String())
}

// Every bundled scenario's diagnosis is a golden file
// (testdata/golden/diagnosis/NAME.txt; UPDATE_GOLDEN=1 rewrites them), and
// esm_inspect and kafka_troubleshoot agree on every check both run.
func TestDiagnosisGoldenAndAgreement(t *testing.T) {
	t.Parallel()
	for _, name := range awssim.Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sd := diagnoseScenario(t, name)
			// The describe view fits the default answer budget.
			for u, d := range sd.details {
				raw, _ := json.Marshal(d)
				if n := len(raw) + len(sd.summary[u]); n > 8192 {
					t.Errorf("%s: describe answer is %d bytes, over 8 KB", u, n)
				}
			}
			got := sd.render()
			path := filepath.Join("..", "testdata", "golden", "diagnosis", name+".txt")
			if os.Getenv("UPDATE_GOLDEN") == "1" {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
			}
			if got != string(want) {
				t.Errorf("diagnosis of %s differs from %s (UPDATE_GOLDEN=1 after review):\n%s", name, path, got)
			}
			// Agreement: every AWS-side check esm_inspect did not pass has
			// the same status in kafka_troubleshoot, and every check
			// kafka_troubleshoot failed or warned on appears in esm_inspect
			// with that status (the broker probe, kafka_*, runs only there).
			for u, k := range sd.kafka {
				ins := map[string]string{}
				for _, c := range sd.details[u].Checks {
					ins[c.Name] = string(c.Status)
				}
				for _, c := range k.Checks {
					if strings.HasPrefix(c.Name, "kafka_") {
						continue
					}
					st := string(c.Status)
					if st == "pass" || st == "skipped" {
						if s, ok := ins[c.Name]; ok {
							t.Errorf("%s: check %s is %s in kafka_troubleshoot, %s in esm_inspect", u, c.Name, st, s)
						}
						continue
					}
					if ins[c.Name] != st {
						t.Errorf("%s: check %s is %s in kafka_troubleshoot, %q in esm_inspect", u, c.Name, st, ins[c.Name])
					}
				}
			}
		})
	}
}

// Each incident's root cause is named by the tools as a failing check or
// an issue above info, the list view does not call the mapping ok, and
// the healthy twin of each incident passes the same judgement.
func TestDiagnosisNamesRootCause(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario string
		check    string
		status   string // fail, warn or pass
		issue    string // issue ID (error or warning) when failing
		text     string // in the issue's message, evidence or fix
	}{
		{"sqs-dlq-throttled", "throttling", "fail", "throttling.reserved_below_demand", "reserved concurrency 2 is below the 50"},
		{"sqs-dlq-throttled", "dead_letters", "fail", "dead_letters.sqs_dlq_growing", "throttled"},
		{"sqs-healthy", "throttling", "pass", "", ""},
		{"sqs-healthy", "dead_letters", "pass", "", ""},
		{"kinesis-under-provisioned", "lag_capacity", "fail", "lag.under_provisioned", "ParallelizationFactor 5"},
		{"kinesis-keeping-up", "lag_capacity", "pass", "", ""},
		{"sqs-filter-drops-all", "event_filter", "fail", "filter.drops_everything", `{"type": ["invoice"]}`},
		{"sqs-filter-matches", "event_filter", "pass", "", ""},
		{"kinesis-timeout-every-batch", "function_timeout", "fail", "function.timeout", "Task timed out after 3.00 seconds"},
		{"kinesis-keeping-up", "function_timeout", "pass", "", ""},
		{"msk-nacl-no-ephemeral-return", "network_acls", "fail", "network.nacl_denies_port", "From=1024,To=65535"},
		{"msk-iam-healthy", "network_acls", "pass", "", ""},
		{"msk-scram-aws-managed-key", "secret_access", "fail", "authentication.secret_aws_managed_key", "customer managed key"},
		{"msk-scram-healthy", "secret_access", "pass", "", ""},
		{"msk-iam-topic-arn-no-uuid", "role_kafka_actions", "fail", "authorization.role_topic_actions", "has no cluster UUID segment"},
		{"msk-iam-healthy", "role_kafka_actions", "pass", "", ""},
		{"msk-sg-change-cloudtrail", "security_group_port", "fail", "network.sg_port_closed", "9098"},
		{"msk-sg-change-cloudtrail", "changes", "warn", "changes.path_changed", "RevokeSecurityGroupIngress on sg-0c0ffee0c0ffee001 by terraform-cleanup"},
		{"msk-sg-change-cloudtrail", "changes", "warn", "changes.path_changed", "OffsetLag turned bad at"},
		{"msk-iam-healthy", "changes", "pass", "", ""},
		{"msk-nat-failed", "reach_lambda", "fail", "network.nat_unavailable_lambda", "nat-0123456789abcdef0 (failed)"},
		{"msk-iam-healthy", "reach_lambda", "pass", "", ""},
		{"msk-tgw-egress", "reach_lambda", "unknown", "", "tgw-0egress0000000001"},
		{"msk-sg-egress-closed", "security_group_egress", "fail", "network.sg_egress_closed", "authorize-security-group-egress --region us-east-1 --group-id sg-0c0ffee0c0ffee001 --protocol tcp --port 9098"},
		{"msk-iam-healthy", "security_group_egress", "pass", "", ""},
		{"msk-endpoint-private-dns-off", "reach_lambda", "fail", "network.no_path_to_lambda", "private DNS off"},
		{"msk-serverless-provisioned-pollers", "reach_lambda", "pass", "", ""},
		{"msk-scram-not-associated", "secret_access", "fail", "authentication.secret_not_associated", "batch-associate-scram-secret"},
		{"kinesis-records-dropped", "dead_letters", "fail", "dead_letters.dropped", "no on-failure destination"},
		{"kinesis-no-drops", "dead_letters", "pass", "", ""},
	}
	cache := map[string]scenarioDiagnosis{}
	for _, tc := range cases {
		sd, ok := cache[tc.scenario]
		if !ok {
			sd = diagnoseScenario(t, tc.scenario)
			cache[tc.scenario] = sd
		}
		t.Run(tc.scenario+"/"+tc.check, func(t *testing.T) {
			if len(sd.rows) == 0 {
				t.Fatal("no mappings")
			}
			for _, r := range sd.rows {
				d := sd.details[r.UUID]
				st := "absent"
				if slices.Contains(d.Passed, tc.check) {
					st = "pass"
				}
				for _, c := range d.Checks {
					if c.Name == tc.check {
						st = string(c.Status)
					}
				}
				if st != tc.status {
					t.Fatalf("check %s = %s, want %s\n%s", tc.check, st, tc.status, sd.summary[r.UUID])
				}
				if tc.status == "pass" {
					continue
				}
				if tc.status == "unknown" {
					for _, c := range d.Checks {
						if c.Name == tc.check && !strings.Contains(c.Detail, tc.text) {
							t.Errorf("unknown check %s lacks %q: %s", c.Name, tc.text, c.Detail)
						}
					}
					continue
				}
				if tc.status == "fail" && r.Health == "ok" {
					t.Errorf("the list view calls the broken mapping ok: %+v", r)
				}
				found := false
				for _, i := range d.Issues {
					if i.ID == tc.issue && i.Severity != "info" {
						found = true
						all := i.Message + " " + i.Evidence + " " + strings.Join(i.Remediation, " ")
						if !strings.Contains(all, tc.text) {
							t.Errorf("issue %s lacks %q: %s", i.ID, tc.text, all)
						}
					}
				}
				if !found {
					t.Errorf("no issue %s above info:\n%s", tc.issue, sd.summary[r.UUID])
				}
				if k, ok := sd.kafka[r.UUID]; ok && tc.status == "fail" {
					kst := ""
					for _, c := range k.Checks {
						if c.Name == tc.check {
							kst = string(c.Status)
						}
					}
					if kst != "fail" {
						t.Errorf("kafka_troubleshoot says %s for %s", kst, tc.check)
					}
				}
			}
		})
	}
}
