package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/lag"
)

func startCluster(t *testing.T, brokers int, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kafkatest.Start(brokers, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func plainConn(t *testing.T, c *kfake.Cluster) *Conn {
	t.Helper()
	f := NewFactory(nil, nil, Env{}, nil)
	t.Cleanup(f.Close)
	conn, err := f.Conn(context.Background(), Target{Bootstrap: c.ListenAddrs(), Auth: AuthNone})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func testThresholds() lag.Thresholds {
	return lag.Thresholds{PhantomMaxRecords: 2, MinWindow: 10 * time.Second, WorstN: 5}
}

// TestGroupLagStatuses drives real members and commits between samples, so
// every status comes from live offsets on a 3-broker kfake cluster.
func TestGroupLagStatuses(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := startCluster(t, 3, kfake.SeedTopics(1, "stalled", "falling", "catching", "empty", "uncommitted", "idle", "loss", "rewound", "txn-open", "txn-done"))
	prod, err := kafkatest.Producer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	p0 := []int32{0}
	for _, topic := range []string{"stalled", "falling", "catching", "empty", "uncommitted", "idle", "loss", "rewound"} {
		if err := kafkatest.Produce(ctx, prod, topic, p0, 100, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	join := func(group, topic string) *kafkatest.Member {
		m, err := kafkatest.Join(ctx, c, group, topic)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Client.Close() })
		return m
	}
	commit := func(m *kafkatest.Member, topic string, off int64) {
		if err := m.Commit(ctx, topic, map[int32]int64{0: off}); err != nil {
			t.Fatal(err)
		}
	}
	stalled, falling, catching := join("g-stalled", "stalled"), join("g-falling", "falling"), join("g-catching", "catching")
	join("g-uncommitted", "uncommitted")
	idle, rewound := join("g-idle", "idle"), join("g-rewound", "rewound")
	commit(stalled, "stalled", 10)
	commit(falling, "falling", 50)
	commit(catching, "catching", 10)
	commit(idle, "idle", 100)
	commit(rewound, "rewound", 90)
	if err := kafkatest.CommitEmpty(ctx, c, "g-empty", "empty", map[int32]int64{0: 20}); err != nil {
		t.Fatal(err)
	}
	if err := kafkatest.CommitEmpty(ctx, c, "g-loss", "loss", map[int32]int64{0: 5}); err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(prod)
	del := kadm.Offsets{}
	del.Add(kadm.Offset{Topic: "loss", Partition: 0, At: 40})
	if _, err := adm.DeleteRecords(ctx, del); err != nil {
		t.Fatal(err)
	}

	// Transactions: an open one holds the last stable offset below the high
	// watermark; a committed one leaves a control record after the data.
	txp, err := kafkatest.Producer(c, kgo.TransactionalID("stuck"))
	if err != nil {
		t.Fatal(err)
	}
	defer txp.Close()
	must(t, kafkatest.Produce(ctx, prod, "txn-open", p0, 10, time.Time{}))
	must(t, txp.BeginTransaction())
	must(t, kafkatest.Produce(ctx, txp, "txn-open", p0, 5, time.Time{}))
	done, err := kafkatest.Producer(c, kgo.TransactionalID("done"))
	if err != nil {
		t.Fatal(err)
	}
	defer done.Close()
	must(t, done.BeginTransaction())
	must(t, kafkatest.Produce(ctx, done, "txn-done", p0, 10, time.Time{}))
	must(t, done.EndTransaction(ctx, kgo.TryCommit))
	txnOpen, txnDone := join("g-txn-open", "txn-open"), join("g-txn-done", "txn-done")
	commit(txnOpen, "txn-open", 10) // at the LSO: read_committed cannot pass it
	commit(txnDone, "txn-done", 10) // after the 10 records; the marker sits at 10

	conn := plainConn(t, c)
	step := 0
	s := Sampling{Samples: 3, Interval: 50 * time.Millisecond, Progress: func(done, total int) {
		if done == total {
			return
		}
		step++
		// Between samples: producers write, some consumers commit.
		must(t, kafkatest.Produce(ctx, prod, "stalled", p0, 20, time.Time{}))
		must(t, kafkatest.Produce(ctx, prod, "falling", p0, 30, time.Time{}))
		commit(falling, "falling", 50+int64(step)*10)
		commit(catching, "catching", 10+int64(step)*40)
		commit(rewound, "rewound", 90-int64(step)*40)
	}}
	groups := []string{"g-stalled", "g-falling", "g-catching", "g-empty", "g-uncommitted", "g-idle", "g-loss", "g-rewound", "g-txn-open", "g-txn-done"}
	gs, err := conn.SampleGroups(ctx, groups, s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]lag.Status{
		"g-stalled": lag.Stalled, "g-falling": lag.FallingBehind, "g-catching": lag.CatchingUp, "g-empty": lag.NoActiveMembers,
		"g-uncommitted": lag.Uncommitted, "g-idle": lag.IdleCaughtUp, "g-loss": lag.DataLoss, "g-rewound": lag.Rewound,
		"g-txn-open": lag.TxnBlocked, "g-txn-done": lag.PhantomLag,
	}
	for _, g := range gs.Groups {
		rep, _ := lag.Evaluate(g, testThresholds())
		if rep.Status != want[g.Name] {
			ev := ""
			if len(rep.Worst) > 0 {
				ev = rep.Worst[0].Evidence
			}
			t.Errorf("%s: status %s, want %s (state %s, members %d, evidence %q)", g.Name, rep.Status, want[g.Name], g.State, g.Members, ev)
		}
		if rep.Samples != 3 {
			t.Errorf("%s: samples = %d", g.Name, rep.Samples)
		}
	}
	if len(gs.Groups) != len(groups) {
		t.Fatalf("groups = %d", len(gs.Groups))
	}
	if info := gs.Info["g-stalled"]; len(info.Members) != 1 || len(info.Members[0].Assigned) != 1 {
		t.Errorf("member assignment not decoded: %+v", info)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}

// A broker that fails ListOffsets for a partition (an injected fault) makes
// that partition UNKNOWN with the error, never lag 0.
func TestGroupLagOffsetsFault(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := startCluster(t, 2, kfake.SeedTopics(2, "t"))
	if err := kafkatest.CommitEmpty(ctx, c, "g", "t", map[int32]int64{0: 1, 1: 1}); err != nil {
		t.Fatal(err)
	}
	c.ControlKey(int16(kmsg.ListOffsets), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.ListOffsetsRequest)
		resp := r.ResponseKind().(*kmsg.ListOffsetsResponse)
		for _, rt := range r.Topics {
			st := kmsg.NewListOffsetsResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewListOffsetsResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.UnknownServerError.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	conn := plainConn(t, c)
	gs, err := conn.SampleGroups(ctx, []string{"g"}, Sampling{Samples: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, vs := lag.Evaluate(gs.Groups[0], testThresholds())
	if rep.Status != lag.Unknown || len(vs) != 2 || vs[0].LagRecords != nil {
		t.Fatalf("status %s, verdicts %+v", rep.Status, vs)
	}
}

// Regression: a group without members that committed on some partitions of
// a topic and not on the others reported lag 0 for the others' unread
// records (found by the real-Kafka backend suite). Every partition of a
// topic the group reads is judged; the uncommitted one is UNCOMMITTED.
func TestSampleGroupsUncommittedPartitionOfReadTopic(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := kafkatest.Start(1, kfake.SeedTopics(3, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prod, err := kafkatest.Producer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	must(t, kafkatest.Produce(ctx, prod, "orders", []int32{0, 1, 2}, 10, time.Time{}))
	must(t, kafkatest.CommitEmpty(ctx, c, "g", "orders", map[int32]int64{0: 10, 1: 4}))
	gs, err := plainConn(t, c).SampleGroups(ctx, []string{"g"}, Sampling{Samples: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := lag.Evaluate(gs.Groups[0], testThresholds())
	if rep.Partitions != 3 || rep.TotalLag != 6 || rep.Uncommitted != 10 || rep.Counts[lag.Uncommitted] != 1 {
		t.Fatalf("partitions %d, lag %d, uncommitted %d, counts %v; want 3, 6, 10 and one UNCOMMITTED", rep.Partitions, rep.TotalLag, rep.Uncommitted, rep.Counts)
	}
}
