package backends

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/stream-mcp/stream-mcp/internal/testenv/kafkareal"
)

func adminSCRAM() sasl.Mechanism {
	return scram.Auth{User: kafkareal.AdminUser, Pass: kafkareal.AdminPassword}.AsSha512Mechanism()
}

// kafkaCase is one behaviour, run against every Kafka backend. topic is a
// fresh name per case and backend.
type kafkaCase struct {
	name    string
	cluster string
	setup   func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string)
	tool    string
	args    func(topic string) map[string]any
	check   func(t *testing.T, r result, topic string)
}

func createTopic(ctx context.Context, t *testing.T, adm *kgo.Client, topic string, partitions int32, configs map[string]*string) {
	t.Helper()
	res, err := kadm.NewClient(adm).CreateTopic(ctx, partitions, 1, configs, topic)
	if err == nil {
		err = res.Err
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

func produce(ctx context.Context, t *testing.T, adm *kgo.Client, topic string, partitions, n int32) {
	t.Helper()
	var rs []*kgo.Record
	for p := range partitions {
		for i := range n {
			rs = append(rs, &kgo.Record{Topic: topic, Partition: p, Value: []byte(fmt.Sprint("v", i))})
		}
	}
	cl, err := kgo.NewClient(append(adm.Opts(), kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// commit commits offsets for an empty group (no members), as a stopped
// consumer leaves them.
func commit(ctx context.Context, t *testing.T, adm *kgo.Client, group, topic string, offsets map[int32]int64) {
	t.Helper()
	os := kadm.Offsets{}
	for p, o := range offsets {
		os.Add(kadm.Offset{Topic: topic, Partition: p, At: o, LeaderEpoch: -1})
	}
	res, err := kadm.NewClient(adm).CommitOffsets(ctx, group, os)
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		t.Fatalf("commit %s: %v", group, err)
	}
}

// transact writes n records to partition 0 in one transaction, committed
// or left open (the producer is not closed until the test ends, so the
// transaction stays open).
func transact(ctx context.Context, t *testing.T, adm *kgo.Client, topic string, n int, commitIt bool) {
	t.Helper()
	cl, err := kgo.NewClient(append(adm.Opts(), kgo.TransactionalID("tx-"+topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: 0, Value: []byte(fmt.Sprint("t", i))}).FirstErr(); err != nil {
			t.Fatalf("transactional produce: %v", err)
		}
	}
	if commitIt {
		if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
			t.Fatalf("commit transaction: %v", err)
		}
	}
}

func wantGroupStatus(want string) func(*testing.T, result, string) {
	return func(t *testing.T, r result, _ string) {
		t.Helper()
		if r.out == nil {
			t.Fatalf("tool error: %s", r.errText)
		}
		if got := str(dig(r.out, "group", "lag", "status")); got != want {
			t.Errorf("group status = %q, want %q: %s", got, want, r.raw)
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) float64 { f, _ := v.(float64); return f }

// checkStatus finds the troubleshoot check named like want and returns
// its status.
func checks(r result) map[string]string {
	out := map[string]string{}
	for _, c := range list(dig(r.out, "checks")) {
		out[str(c["name"])] = str(c["status"])
	}
	return out
}

// wantHealthy: the connection, authentication and authorization checks
// pass and nothing fails (a single-broker cluster may warn about its
// replication factor).
func wantHealthy(t *testing.T, r result, _ string) {
	t.Helper()
	if r.out == nil {
		t.Fatalf("tool error: %s", r.errText)
	}
	cs := checks(r)
	for name, st := range cs {
		if st == "fail" {
			t.Errorf("check %s failed on a healthy cluster: %v", name, cs)
		}
	}
	for _, name := range []string{"tcp_connect", "authorization"} {
		if cs[name] != "pass" {
			t.Errorf("check %s = %q, want pass: %v", name, cs[name], cs)
		}
	}
}

// wantFail: the named check fails and the category is the given one.
func wantFail(check, category string) func(*testing.T, result, string) {
	return func(t *testing.T, r result, topic string) {
		t.Helper()
		wantCategory(category)(t, r, topic)
		if st := checks(r)[check]; st != "fail" {
			t.Errorf("check %s = %q, want fail: %v", check, st, checks(r))
		}
	}
}

func wantCategory(want string) func(*testing.T, result, string) {
	return func(t *testing.T, r result, _ string) {
		t.Helper()
		if r.out == nil {
			t.Fatalf("tool error: %s", r.errText)
		}
		if got := str(r.out["category"]); got != want {
			t.Errorf("category = %q, want %q; checks %v", got, want, checks(r))
		}
	}
}

func diagnosis(cluster string) func(string) map[string]any {
	return func(topic string) map[string]any {
		return map[string]any{"mode": "diagnosis", "cluster": cluster, "topic": topic}
	}
}

func kafkaCases() []kafkaCase {
	seed := func(partitions int32) func(context.Context, *testing.T, *kgo.Client, string) {
		return func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string) {
			createTopic(ctx, t, adm, topic, partitions, nil)
		}
	}
	return []kafkaCase{
		{
			name: "overview", cluster: cNone, tool: "kafka_inspect",
			args: func(string) map[string]any { return map[string]any{"what": "overview", "cluster": cNone} },
			check: func(t *testing.T, r result, _ string) {
				if r.out == nil {
					t.Fatalf("tool error: %s", r.errText)
				}
				if n := len(list(dig(r.out, "overview", "brokers"))); n != 1 {
					t.Errorf("brokers = %d, want 1", n)
				}
				if c := num(dig(r.out, "overview", "controller")); c < 0 {
					t.Errorf("controller = %v, want a broker id", c)
				}
				if o := num(dig(r.out, "overview", "offline_partitions")); o != 0 {
					t.Errorf("offline_partitions = %v", o)
				}
			},
		},
		{
			name: "topic configs with their source", cluster: cNone, tool: "kafka_inspect",
			setup: func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string) {
				day := "86400000"
				createTopic(ctx, t, adm, topic, 3, map[string]*string{"retention.ms": &day})
				produce(ctx, t, adm, topic, 3, 4)
			},
			args: func(topic string) map[string]any {
				return map[string]any{"what": "topic", "cluster": cNone, "topic": topic}
			},
			check: func(t *testing.T, r result, topic string) {
				if r.out == nil {
					t.Fatalf("tool error: %s", r.errText)
				}
				tp := dig(r.out, "topic")
				if n := num(dig(tp, "partitions")); n != 3 {
					t.Errorf("partitions = %v, want 3", n)
				}
				if n := num(dig(tp, "records_retained")); n != 12 {
					t.Errorf("records_retained = %v, want 12", n)
				}
				found := false
				for _, c := range list(dig(tp, "non_default_configs")) {
					if str(c["name"]) == "retention.ms" {
						found = true
						if str(c["value"]) != "86400000" || str(c["source"]) != "DYNAMIC_TOPIC_CONFIG" {
							t.Errorf("retention.ms = %v", c)
						}
					}
				}
				if !found {
					t.Errorf("retention.ms override not listed: %s", r.raw)
				}
			},
		},
		{
			name: "group lag per partition", cluster: cNone, tool: "kafka_inspect",
			setup: func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string) {
				createTopic(ctx, t, adm, topic, 3, nil)
				produce(ctx, t, adm, topic, 3, 10)
				commit(ctx, t, adm, "g-"+topic, topic, map[int32]int64{0: 10, 1: 4})
			},
			args: func(topic string) map[string]any {
				return map[string]any{"what": "group", "cluster": cNone, "group_id": "g-" + topic}
			},
			check: func(t *testing.T, r result, topic string) {
				if r.out == nil {
					t.Fatalf("tool error: %s", r.errText)
				}
				// Partition 1 lags 6; partition 2 has no commit at all
				// (10 records nobody read): 16 in all.
				if !strings.Contains(r.raw, topic) {
					t.Fatalf("group answer does not name the topic: %s", r.raw)
				}
				lagRep := dig(r.out, "group", "lag")
				lagged := num(dig(lagRep, "total_lag_records"))
				unread := num(dig(lagRep, "uncommitted_from_log_start_records"))
				if lagged != 6 || unread != 10 {
					t.Errorf("lag = %v + %v never committed, want 6 + 10: %s", lagged, unread, r.raw)
				}
				if n := num(dig(lagRep, "status_counts", "UNCOMMITTED")); n != 1 {
					t.Errorf("UNCOMMITTED partitions = %v, want 1", n)
				}
			},
		},
		{
			name: "topic acls", cluster: cSCRAM, tool: "kafka_inspect",
			setup: func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string) {
				createTopic(ctx, t, adm, topic, 1, nil)
				b := kadm.NewACLs().Allow("User:" + kafkareal.AliceUser).Topics(topic).Operations(kadm.OpRead).ResourcePatternType(kadm.ACLPatternLiteral)
				res, err := kadm.NewClient(adm).CreateACLs(ctx, b)
				if err == nil && len(res) > 0 {
					err = res[0].Err
				}
				if err != nil {
					t.Fatalf("create acl: %v", err)
				}
			},
			args: func(topic string) map[string]any {
				return map[string]any{"what": "topic", "cluster": cSCRAM, "topic": topic}
			},
			check: func(t *testing.T, r result, topic string) {
				if r.out == nil {
					t.Fatalf("tool error: %s", r.errText)
				}
				acls := list(dig(r.out, "topic", "acls"))
				if len(acls) != 1 || str(acls[0]["principal"]) != "User:"+kafkareal.AliceUser ||
					str(acls[0]["operation"]) != "READ" || str(acls[0]["permission"]) != "ALLOW" {
					t.Errorf("acls = %v, want alice READ ALLOW", acls)
				}
			},
		},
		{
			name: "committed transaction: the marker is phantom lag", cluster: cNone, tool: "kafka_inspect",
			setup: func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string) {
				createTopic(ctx, t, adm, topic, 1, nil)
				transact(ctx, t, adm, topic, 5, true)
				commit(ctx, t, adm, "g-"+topic, topic, map[int32]int64{0: 5})
			},
			args: func(topic string) map[string]any {
				return map[string]any{"what": "group", "cluster": cNone, "group_id": "g-" + topic, "sample_seconds": 1}
			},
			check: wantGroupStatus("PHANTOM_LAG"),
		},
		{
			name: "open transaction above a memberless group's commit", cluster: cNone, tool: "kafka_inspect",
			setup: func(ctx context.Context, t *testing.T, adm *kgo.Client, topic string) {
				createTopic(ctx, t, adm, topic, 1, nil)
				produce(ctx, t, adm, topic, 1, 10)
				transact(ctx, t, adm, topic, 5, false)
				commit(ctx, t, adm, "g-"+topic, topic, map[int32]int64{0: 10})
			},
			args: func(topic string) map[string]any {
				return map[string]any{"what": "group", "cluster": cNone, "group_id": "g-" + topic, "sample_seconds": 1}
			},
			check: func(t *testing.T, r result, topic string) {
				wantGroupStatus("NO_ACTIVE_MEMBERS")(t, r, topic)
				if !strings.Contains(r.raw, "open transaction") {
					t.Errorf("the evidence must name the open transaction: %s", r.raw)
				}
			},
		},
		{name: "scram-sha-512 over SASL_PLAINTEXT connects", cluster: cSCRAM, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cSCRAM), check: wantHealthy},
		{name: "plain over SASL_PLAINTEXT connects", cluster: cPLAIN, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cPLAIN), check: wantHealthy},
		{name: "scram-sha-512 over SASL_SSL connects", cluster: cSCRAMTLS, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cSCRAMTLS), check: wantHealthy},
		{name: "mtls connects", cluster: cMTLS, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cMTLS), check: wantHealthy},
		{name: "wrong scram password", cluster: cBadPass, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cBadPass), check: wantFail("sasl_authentication", "authentication")},
		{name: "wrong plain password", cluster: cPlainBad, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cPlainBad), check: wantFail("sasl_authentication", "authentication")},
		{name: "user without acls", cluster: cAlice, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cAlice), check: wantFail("authorization", "authorization")},
		{name: "tls without the private ca", cluster: cNoCA, tool: "kafka_troubleshoot", setup: seed(1), args: diagnosis(cNoCA), check: wantFail("tls_handshake", "authentication")},
		{name: "nothing listens on the port", cluster: cClosed, tool: "kafka_troubleshoot", args: diagnosis(cClosed), check: wantFail("tcp_connect", "network")},
	}
}

// TestKafkaBackends runs every case against kfake and Apache Kafka.
func TestKafkaBackends(t *testing.T) {
	enabled(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	path := stream.get(t)
	starts := []struct {
		name  string
		start func(dir string) (*kafkaBackend, error)
	}{
		{"kfake", startKfake},
		{"apache-kafka", func(dir string) (*kafkaBackend, error) { return startReal(ctx, dir) }},
	}
	for _, s := range starts {
		t.Run(s.name, func(t *testing.T) {
			b, err := s.start(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer b.close()
			t.Logf("backend %s", b.name)
			state := t.TempDir()
			global := []string{"--config", b.config, "--state-dir", state, "--call-timeout", "60s"}
			for i, tc := range kafkaCases() {
				t.Run(tc.name, func(t *testing.T) {
					if why, ok := b.divergent[tc.name]; ok {
						t.Skipf("%s diverges from Apache Kafka here: %s", b.name, why)
					}
					topic := fmt.Sprintf("case-%02d", i)
					if tc.setup != nil {
						tc.setup(ctx, t, b.admin(tc.cluster), topic)
					}
					r := call(t, path, global, nil, tc.tool, tc.args(topic))
					tc.check(t, r, topic)
					if t.Failed() && os.Getenv("STREAM_MCP_BACKENDS_VERBOSE") == "1" {
						t.Logf("answer:\n%s", r.raw)
					}
				})
			}
			adminCases(ctx, t, b, path, global)
		})
	}
}
