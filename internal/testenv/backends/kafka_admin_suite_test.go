package backends

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// adminCases drives kafka_admin's two-phase protocol through the binary:
// plan (no change), apply with the token (the change is read back from the
// broker by the test, not trusted from the tool), and the token refused the
// second time.
func adminCases(ctx context.Context, t *testing.T, b *kafkaBackend, bin string, global []string) {
	write := append(append([]string{}, global...), "--allow-write", "--allow-destructive")
	adm := kadm.NewClient(b.admin(cNone))
	twoPhase := func(t *testing.T, args map[string]any) {
		t.Helper()
		plan := call(t, bin, write, nil, "kafka_admin", args)
		if plan.out == nil {
			t.Fatalf("plan: %s", plan.errText)
		}
		tok := str(plan.out["confirmation_token"])
		if tok == "" || plan.out["applied"] == true {
			t.Fatalf("the first call must only plan: %s", plan.raw)
		}
		with := map[string]any{"confirmation_token": tok}
		for k, v := range args {
			with[k] = v
		}
		applied := call(t, bin, write, nil, "kafka_admin", with)
		if testing.Verbose() {
			t.Logf("applied: %s", applied.raw)
		}
		if applied.out == nil || applied.out["applied"] != true {
			t.Fatalf("apply: %s %s", applied.errText, applied.raw)
		}
		again := call(t, bin, write, nil, "kafka_admin", with)
		if again.out != nil {
			t.Fatalf("a token must apply once; the second use answered %s", again.raw)
		}
	}
	t.Run("admin create_topic", func(t *testing.T) {
		twoPhase(t, map[string]any{"action": "create_topic", "cluster": cNone, "topic": "made-by-admin", "partitions": 2, "replication_factor": 1})
		d, err := adm.ListTopics(ctx, "made-by-admin")
		if err != nil || d["made-by-admin"].Err != nil || len(d["made-by-admin"].Partitions) != 2 {
			t.Fatalf("topic after apply: %v %v", d, err)
		}
	})
	t.Run("admin alter_topic_config", func(t *testing.T) {
		twoPhase(t, map[string]any{"action": "alter_topic_config", "cluster": cNone, "topic": "made-by-admin", "configs": map[string]any{"retention.ms": "1209600000"}})
		rc, err := adm.DescribeTopicConfigs(ctx, "made-by-admin")
		if err != nil {
			t.Fatal(err)
		}
		c, err := rc.On("made-by-admin", nil)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, kv := range c.Configs {
			if kv.Key == "retention.ms" && kv.Value != nil {
				got = *kv.Value
			}
		}
		if got != "1209600000" {
			t.Fatalf("retention.ms after apply = %q", got)
		}
	})
	t.Run("admin add_partitions", func(t *testing.T) {
		twoPhase(t, map[string]any{"action": "add_partitions", "cluster": cNone, "topic": "made-by-admin", "partitions": 4})
		// Metadata reaches the brokers' caches asynchronously after
		// CreatePartitions (on Apache Kafka and kfake alike): poll briefly.
		n := 0
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			d, err := adm.ListTopics(ctx, "made-by-admin")
			if err != nil {
				t.Fatal(err)
			}
			if n = len(d["made-by-admin"].Partitions); n == 4 {
				break
			}
		}
		if n != 4 {
			t.Fatalf("partitions after apply = %d, want 4", n)
		}
	})
	t.Run("admin reset_group_offsets", func(t *testing.T) {
		createTopic(ctx, t, b.admin(cNone), "reset-me", 1, nil)
		produce(ctx, t, b.admin(cNone), "reset-me", 1, 20)
		commit(ctx, t, b.admin(cNone), "g-reset", "reset-me", map[int32]int64{0: 5})
		twoPhase(t, map[string]any{"action": "reset_group_offsets", "cluster": cNone, "group_id": "g-reset", "topic": "reset-me", "to": "earliest"})
		o, err := adm.FetchOffsets(ctx, "g-reset")
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := o.Lookup("reset-me", 0); !ok || r.At != 0 {
			t.Fatalf("committed offset after reset to earliest = %+v", r)
		}
	})
}
