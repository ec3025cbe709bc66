package writes

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

// cluster starts a 3-broker kfake cluster with topic "orders" (6
// partitions) and returns an admin client.
func cluster(t *testing.T) (*kfake.Cluster, *kgo.Client, *kadm.Client) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(6, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return c, cl, kadm.NewClient(cl)
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func wantRefusal(t *testing.T, err error, substr string) {
	t.Helper()
	var r *confirm.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("want a refusal containing %q, got %v", substr, err)
	}
	if !strings.Contains(r.Msg, substr) {
		t.Fatalf("refusal %q does not mention %q", r.Msg, substr)
	}
}

func topicExists(t *testing.T, adm *kadm.Client, topic string) bool {
	t.Helper()
	_, ok, err := describeTopic(ctx(t), adm, topic)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestCreateTopic(t *testing.T) {
	t.Parallel()
	_, _, adm := cluster(t)
	req := TopicCreate{Topic: "payments", Partitions: 12, ReplicationFactor: 3, Configs: map[string]string{"retention.ms": "86400000", "min.insync.replicas": "3"}}
	p, fp, err := PlanCreateTopic(ctx(t), adm, req)
	if err != nil {
		t.Fatal(err)
	}
	if topicExists(t, adm, "payments") {
		t.Fatal("planning created the topic")
	}
	if fp != "absent:payments" || !strings.Contains(p.Summary, "12 partitions, replication factor 3") {
		t.Fatalf("plan %q fp %q", p.Summary, fp)
	}
	if !strings.Contains(strings.Join(p.Risks, "\n"), "min.insync.replicas=3 with replication factor 3") {
		t.Errorf("risks miss the acks=all trap: %v", p.Risks)
	}
	res, err := ApplyCreateTopic(ctx(t), adm, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Topic == nil || res.Topic.Partitions != 12 || res.Topic.ReplicationFactor != 3 {
		t.Fatalf("read-back %+v", res.Topic)
	}
	var got string
	for _, c := range res.Topic.Configs {
		if c.Name == "retention.ms" {
			got = c.Value + "@" + c.Source
		}
	}
	if got != "86400000@DYNAMIC_TOPIC_CONFIG" {
		t.Fatalf("retention.ms read back as %q", got)
	}
	_, _, err = PlanCreateTopic(ctx(t), adm, req)
	wantRefusal(t, err, "already exists")
}

func TestCreateTopicValidateOnlyRejects(t *testing.T) {
	t.Parallel()
	_, _, adm := cluster(t)
	for _, tc := range []struct {
		name string
		req  TopicCreate
	}{
		{"replication above broker count", TopicCreate{Topic: "x", Partitions: 1, ReplicationFactor: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := PlanCreateTopic(ctx(t), adm, tc.req)
			wantRefusal(t, err, "validate-only")
			if topicExists(t, adm, "x") {
				t.Fatal("validation created the topic")
			}
		})
	}
}

// kfake accepts any config name in validate-only mode, so a broker that
// rejects one is simulated: the control function answers the validate-only
// request with INVALID_CONFIG, as Kafka does for an unknown name, and fails
// the test if the plan ever sends a request that is not validate-only.
func TestValidateOnlyRejectionsRefuse(t *testing.T) {
	t.Parallel()
	c, _, adm := cluster(t)
	var sawApply atomic.Bool
	c.ControlKey(int16(kmsg.CreateTopics), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.CreateTopicsRequest)
		if !req.ValidateOnly {
			sawApply.Store(true)
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewCreateTopicsResponseTopic()
			st.Topic = rt.Topic
			st.ErrorCode = kerr.InvalidConfig.Code
			msg := "Unknown topic config name: no.such.config"
			st.ErrorMessage = &msg
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	c.ControlKey(int16(kmsg.IncrementalAlterConfigs), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.IncrementalAlterConfigsRequest)
		if !req.ValidateOnly {
			sawApply.Store(true)
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
		for _, rr := range req.Resources {
			st := kmsg.NewIncrementalAlterConfigsResponseResource()
			st.ResourceName, st.ResourceType = rr.ResourceName, rr.ResourceType
			st.ErrorCode = kerr.InvalidConfig.Code
			msg := "Unknown topic config name: no.such.config"
			st.ErrorMessage = &msg
			resp.Resources = append(resp.Resources, st)
		}
		return resp, nil, true
	})
	_, _, err := PlanCreateTopic(ctx(t), adm, TopicCreate{Topic: "x", Partitions: 1, ReplicationFactor: 1, Configs: map[string]string{"no.such.config": "1"}})
	wantRefusal(t, err, "Unknown topic config name")
	_, _, err = PlanAlterTopicConfig(ctx(t), adm, TopicConfigAlter{Topic: "orders", Set: map[string]string{"no.such.config": "1"}})
	wantRefusal(t, err, "Unknown topic config name")
	if sawApply.Load() {
		t.Fatal("planning sent a request that was not validate-only")
	}
}

func configOf(t *testing.T, adm *kadm.Client, topic, name string) ConfigValue {
	t.Helper()
	cs, err := topicConfigs(ctx(t), adm, topic, []string{name})
	if err != nil {
		t.Fatal(err)
	}
	return configValue(cs[name])
}

func TestAlterTopicConfig(t *testing.T) {
	t.Parallel()
	_, _, adm := cluster(t)
	before := configOf(t, adm, "orders", "retention.ms")
	req := TopicConfigAlter{Topic: "orders", Set: map[string]string{"retention.ms": "3600000"}, AllowDestructive: true}
	p, fp, err := PlanAlterTopicConfig(ctx(t), adm, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := configOf(t, adm, "orders", "retention.ms"); got != before {
		t.Fatalf("planning changed the config: %v -> %v", before, got)
	}
	if len(p.Changes) != 1 || p.Changes[0].Current != before.Value || p.Changes[0].Desired != "3600000" || !strings.Contains(p.Changes[0].Note, before.Source) {
		t.Fatalf("changes %+v (before %+v)", p.Changes, before)
	}
	if !strings.Contains(fp, "retention.ms="+before.Value+"@"+before.Source) {
		t.Fatalf("fingerprint %q", fp)
	}
	if !strings.Contains(strings.Join(p.Risks, "\n"), "shrinks") {
		t.Errorf("shorter retention not flagged: %v", p.Risks)
	}
	res, err := ApplyAlterTopicConfig(ctx(t), adm, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Topic.Configs) != 1 || res.Topic.Configs[0] != (ConfigValue{"retention.ms", "3600000", "DYNAMIC_TOPIC_CONFIG"}) {
		t.Fatalf("read-back %+v", res.Topic.Configs)
	}
	// Same request again: nothing to do.
	p2, _, err := PlanAlterTopicConfig(ctx(t), adm, req)
	if err != nil || !p2.NoChange {
		t.Fatalf("repeat: NoChange=%v err=%v", p2.NoChange, err)
	}
	// Deleting the override reverts to the inherited value.
	del := TopicConfigAlter{Topic: "orders", Delete: []string{"retention.ms"}, AllowDestructive: true}
	p3, _, err := PlanAlterTopicConfig(ctx(t), adm, del)
	if err != nil || p3.NoChange || !strings.Contains(p3.Changes[0].Note, "falls back") {
		t.Fatalf("delete plan %+v err %v", p3, err)
	}
	if _, err := ApplyAlterTopicConfig(ctx(t), adm, del); err != nil {
		t.Fatal(err)
	}
	if got := configOf(t, adm, "orders", "retention.ms"); got.Source == "DYNAMIC_TOPIC_CONFIG" {
		t.Fatalf("override still there: %+v", got)
	}
}

// Bug (#21, "also found"): kafka_admin applied retention.ms 7 days -> 60 s
// with --allow-write alone. Changes that delete data or block producers
// need --allow-destructive.
func TestDestructiveConfigChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, old, desired string
		destructive             bool
	}{
		{"retention 7 days -> 60 s", "retention.ms", "604800000", "60000", true},
		{"retention raised", "retention.ms", "604800000", "1209600000", false},
		{"retention to unlimited", "retention.ms", "604800000", "-1", false},
		{"unlimited retention -> finite", "retention.bytes", "-1", "1073741824", true},
		{"retention with the old value unknown", "retention.ms", "", "60000", true},
		{"segment.bytes shrink", "segment.bytes", "1073741824", "1048576", true},
		{"segment.bytes grow", "segment.bytes", "104857600", "1073741824", false},
		{"compact -> delete", "cleanup.policy", "compact", "delete", true},
		{"compact -> compact,delete", "cleanup.policy", "compact", "compact,delete", true},
		{"delete -> compact", "cleanup.policy", "delete", "compact", false},
		{"min.insync.replicas raised", "min.insync.replicas", "1", "2", true},
		{"min.insync.replicas lowered", "min.insync.replicas", "2", "1", false},
		{"unrelated config", "max.message.bytes", "1048588", "1", false},
	} {
		if got := destroys(tc.key, tc.old, tc.desired) != ""; got != tc.destructive {
			t.Errorf("%s: destructive=%v, want %v", tc.name, got, tc.destructive)
		}
	}
	_, _, adm := cluster(t)
	before := configOf(t, adm, "orders", "retention.ms")
	_, _, err := PlanAlterTopicConfig(ctx(t), adm, TopicConfigAlter{Topic: "orders", Set: map[string]string{"retention.ms": "60000"}})
	wantRefusal(t, err, "--allow-destructive")
	if got := configOf(t, adm, "orders", "retention.ms"); got != before {
		t.Fatalf("a refused plan changed the config: %v -> %v", before, got)
	}
	p, _, err := PlanAlterTopicConfig(ctx(t), adm, TopicConfigAlter{Topic: "orders", Set: map[string]string{"retention.ms": "60000"}, AllowDestructive: true})
	if err != nil || !strings.Contains(strings.Join(p.Risks, "\n"), "destructive: retention.ms") {
		t.Fatalf("with --allow-destructive: %v, risks %v", err, p.Risks)
	}
}

func TestAlterTopicConfigRefusals(t *testing.T) {
	t.Parallel()
	_, _, adm := cluster(t)
	for _, tc := range []struct {
		name string
		req  TopicConfigAlter
		want string
	}{
		{"nothing", TopicConfigAlter{Topic: "orders"}, "needs configs"},
		{"both", TopicConfigAlter{Topic: "orders", Set: map[string]string{"retention.ms": "1"}, Delete: []string{"retention.ms"}}, "both"},
		{"missing topic", TopicConfigAlter{Topic: "nope", Set: map[string]string{"retention.ms": "1"}}, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := PlanAlterTopicConfig(ctx(t), adm, tc.req)
			wantRefusal(t, err, tc.want)
		})
	}
}

func TestAddPartitions(t *testing.T) {
	t.Parallel()
	_, _, adm := cluster(t)
	p, fp, err := PlanAddPartitions(ctx(t), adm, PartitionsAdd{Topic: "orders", Total: 8})
	if err != nil {
		t.Fatal(err)
	}
	td, _, _ := describeTopic(ctx(t), adm, "orders")
	if len(td.Partitions) != 6 || fp != "6" {
		t.Fatalf("planning changed partitions (%d) or fp %q", len(td.Partitions), fp)
	}
	// 6 -> 8: min/lcm = 6/24, so 75% of keys move.
	if !strings.Contains(p.Risks[0], "about 75% of keys") {
		t.Fatalf("key-ordering risk: %q", p.Risks[0])
	}
	res, err := ApplyAddPartitions(ctx(t), adm, PartitionsAdd{Topic: "orders", Total: 8})
	if err != nil || res.Topic.Partitions != 8 {
		t.Fatalf("apply: %+v %v", res.Topic, err)
	}
	_, _, err = PlanAddPartitions(ctx(t), adm, PartitionsAdd{Topic: "orders", Total: 4})
	wantRefusal(t, err, "cannot remove partitions")
	p2, _, err := PlanAddPartitions(ctx(t), adm, PartitionsAdd{Topic: "orders", Total: 8})
	if err != nil || !p2.NoChange {
		t.Fatalf("same count: %+v %v", p2, err)
	}
}

func TestKeysRemappedFraction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m, n int
		want float64
	}{
		{3, 6, 0.5}, {6, 8, 0.75}, {4, 5, 0.8}, {1, 2, 0.5}, {5, 5, 0}, {0, 3, 0},
	} {
		if got := KeysRemappedFraction(tc.m, tc.n); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%d->%d: %v, want %v", tc.m, tc.n, got, tc.want)
		}
	}
	// Brute force over hashes agrees with the closed form.
	for m := 1; m <= 12; m++ {
		for n := m; n <= 12; n++ {
			moved := 0
			const hashes = 27720 // lcm(1..12): every residue pair equally often
			for h := range hashes {
				if h%m != h%n {
					moved++
				}
			}
			if got, want := KeysRemappedFraction(m, n), float64(moved)/hashes; math.Abs(got-want) > 1e-9 {
				t.Errorf("%d->%d: closed form %v, brute force %v", m, n, got, want)
			}
		}
	}
}

// produce writes n records to each partition of topic, with timestamps
// base+i seconds.
func produce(t *testing.T, cl *kgo.Client, topic string, partitions int32, n int, base time.Time) {
	t.Helper()
	for p := range partitions {
		for i := range n {
			r := &kgo.Record{Topic: topic, Partition: p, Value: []byte("v"), Timestamp: base.Add(time.Duration(i) * time.Second)}
			if err := cl.ProduceSync(ctx(t), r).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func manualPartitioner(t *testing.T, c *kfake.Cluster) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func commit(t *testing.T, adm *kadm.Client, group, topic string, at map[int32]int64) {
	t.Helper()
	os := kadm.Offsets{}
	for p, o := range at {
		os.Add(kadm.Offset{Topic: topic, Partition: p, At: o, LeaderEpoch: -1})
	}
	if err := adm.CommitAllOffsets(ctx(t), group, os); err != nil {
		t.Fatal(err)
	}
}

func committed(t *testing.T, adm *kadm.Client, group, topic string, p int32) int64 {
	t.Helper()
	got, err := adm.FetchOffsets(ctx(t), group)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := got.Lookup(topic, p)
	if !ok {
		return -1
	}
	return o.At
}

func TestResetGroupOffsets(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		reset OffsetReset
		want  map[int32]int64 // desired per partition (partitions 0 and 1 only)
		risk  string
	}{
		{"earliest", OffsetReset{To: ResetEarliest}, map[int32]int64{0: 0, 1: 0}, "replayed"},
		{"latest", OffsetReset{To: ResetLatest}, map[int32]int64{0: 10, 1: 10}, "skipped"},
		{"timestamp", OffsetReset{To: ResetTimestamp, Timestamp: base.Add(7 * time.Second)}, map[int32]int64{0: 7, 1: 7}, "skipped"},
		{"timestamp after last record", OffsetReset{To: ResetTimestamp, Timestamp: base.Add(time.Hour)}, map[int32]int64{0: 10, 1: 10}, "skipped"},
		{"offset", OffsetReset{To: ResetOffset, Offset: 2}, map[int32]int64{0: 2, 1: 2}, "replayed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, adm := cluster(t)
			produce(t, manualPartitioner(t, c), "orders", 2, 10, base)
			commit(t, adm, "billing", "orders", map[int32]int64{0: 5, 1: 5})
			r := tc.reset
			r.Group, r.Topic, r.Partitions = "billing", "orders", []int32{0, 1}
			p, fp, err := r.Plan(ctx(t), adm)
			if err != nil {
				t.Fatal(err)
			}
			if committed(t, adm, "billing", "orders", 0) != 5 {
				t.Fatal("planning moved the offsets")
			}
			if want := fmt.Sprintf("state=Empty members=0,0:5->%d,1:5->%d", tc.want[0], tc.want[1]); fp != want {
				t.Errorf("fingerprint %q", fp)
			}
			if len(p.Changes) != 2 {
				t.Fatalf("changes %+v, want one per partition 0 and 1", p.Changes)
			}
			for _, ch := range p.Changes {
				var part int32
				fmt.Sscanf(ch.Field, "orders/%d", &part)
				if ch.Current != int64(5) || ch.Desired != tc.want[part] {
					t.Errorf("%s: %v -> %v, want 5 -> %d", ch.Field, ch.Current, ch.Desired, tc.want[part])
				}
			}
			if !strings.Contains(strings.Join(p.Risks, "\n"), tc.risk) {
				t.Errorf("risks %v lack %q", p.Risks, tc.risk)
			}
			res, err := r.Apply(ctx(t), adm)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Group.Offsets) != 2 {
				t.Fatalf("read back %+v, want partitions 0 and 1", res.Group.Offsets)
			}
			for _, o := range res.Group.Offsets {
				if o.Offset != tc.want[o.Partition] || committed(t, adm, "billing", "orders", o.Partition) != tc.want[o.Partition] {
					t.Errorf("partition %d read back %d, want %d", o.Partition, o.Offset, tc.want[o.Partition])
				}
			}
			if committed(t, adm, "billing", "orders", 2) != -1 {
				t.Error("touched a partition outside the request")
			}
		})
	}
}

func TestResetGroupOffsetsPlanNumbers(t *testing.T) {
	t.Parallel()
	c, _, adm := cluster(t)
	produce(t, manualPartitioner(t, c), "orders", 2, 10, time.Now())
	commit(t, adm, "billing", "orders", map[int32]int64{0: 4, 1: 10})
	// Partition 1 named twice, out of order: counted once, and the
	// caller's slice is left as sent.
	only := []int32{1, 0, 1}
	r := OffsetReset{Group: "billing", Topic: "orders", Partitions: only, To: ResetEarliest}
	p, _, err := r.Plan(ctx(t), adm)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Summary, "0 records skipped, 14 replayed") || len(p.Changes) != 2 || !strings.Contains(p.Changes[0].Note, "replays 4 records") {
		t.Fatalf("plan %q / %+v", p.Summary, p.Changes)
	}
	if fmt.Sprint(only) != "[1 0 1]" {
		t.Fatalf("Plan reordered the caller's partitions: %v", only)
	}
}

func TestResetRefusals(t *testing.T) {
	t.Parallel()
	c, _, adm := cluster(t)
	produce(t, manualPartitioner(t, c), "orders", 1, 5, time.Now())
	for _, tc := range []struct {
		name string
		r    OffsetReset
		want string
	}{
		{"offset out of range", OffsetReset{Group: "g", Topic: "orders", Partitions: []int32{0}, To: ResetOffset, Offset: 99}, "outside partition 0's range [0, 5]"},
		{"no such partition", OffsetReset{Group: "g", Topic: "orders", Partitions: []int32{42}, To: ResetEarliest}, "no partition 42"},
		{"no such topic", OffsetReset{Group: "g", Topic: "nope", To: ResetEarliest}, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.r.Plan(ctx(t), adm)
			wantRefusal(t, err, tc.want)
		})
	}
}

// A group with a live consumer is refused before any offset is read.
func TestResetRefusesActiveGroup(t *testing.T) {
	t.Parallel()
	c, _, adm := cluster(t)
	produce(t, manualPartitioner(t, c), "orders", 1, 3, time.Now())
	consumer, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumerGroup("live"), kgo.ConsumeTopics("orders"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	// Poll until the member has joined (bounded by the test context).
	deadline := time.Now().Add(15 * time.Second)
	for {
		fctx, cancel := context.WithTimeout(ctx(t), 500*time.Millisecond)
		consumer.PollFetches(fctx)
		cancel()
		_, members, err := groupMembers(ctx(t), adm, "live")
		if err != nil {
			t.Fatal(err)
		}
		if members > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("consumer never joined")
		}
	}
	r := OffsetReset{Group: "live", Topic: "orders", To: ResetEarliest}
	_, _, err = r.Plan(ctx(t), adm)
	wantRefusal(t, err, "active member")
}
