package kafka

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/lag"
)

// BenchmarkGroupLag1000x10000 measures lag for 1,000 groups over 10,000
// partitions (100 topics x 100 partitions; group i commits every
// partition of topic i%100, so 100,000 group-partitions) on a 3-broker kfake
// cluster: one snapshot of every group's offsets, verdicts and the bounded
// summary. Issue 6 targets: under 2 s and under 8 KB of summary, with a
// request count that grows with brokers, not with groups x partitions.
func BenchmarkGroupLag1000x10000(b *testing.B) {
	const (
		topics, partitions, groups = 100, 100, 1000
		brokers                    = 3
	)
	ctx := context.Background()
	c, err := kafkatest.Start(brokers)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cl, err := kafkatest.Producer(c, kgo.MaxBufferedRecords(topics*partitions*2))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	names := make([]string, topics)
	for i := range names {
		names[i] = fmt.Sprintf("t%03d", i)
	}
	if _, err := adm.CreateTopics(ctx, partitions, 1, nil, names...); err != nil {
		b.Fatal(err)
	}
	var rs []*kgo.Record
	for _, t := range names {
		for p := range partitions {
			for range 3 {
				rs = append(rs, &kgo.Record{Topic: t, Partition: int32(p), Value: []byte("x")})
			}
		}
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		b.Fatal(err)
	}
	for g := range groups {
		os := kadm.Offsets{}
		for p := range partitions {
			os.Add(kadm.Offset{Topic: names[g%topics], Partition: int32(p), At: int64(g % 4), LeaderEpoch: -1})
		}
		if err := adm.CommitAllOffsets(ctx, fmt.Sprintf("g%04d", g), os); err != nil {
			b.Fatal(err)
		}
	}
	f := NewFactory(nil, nil, Env{}, nil)
	defer f.Close()
	conn, err := f.Conn(ctx, Target{Bootstrap: c.ListenAddrs(), Auth: AuthNone})
	if err != nil {
		b.Fatal(err)
	}
	th := lag.Thresholds{PhantomMaxRecords: 2, MinWindow: 10 * time.Second, WorstN: 10}
	b.ResetTimer()
	var reqs int64
	var size int
	var judged int
	for range b.N {
		before := conn.Requests()
		gs, err := conn.SampleGroups(ctx, nil, Sampling{Samples: 1})
		if err != nil {
			b.Fatal(err)
		}
		reps := make([]lag.GroupReport, 0, len(gs.Groups))
		for _, g := range gs.Groups {
			rep, _ := lag.Evaluate(g, th)
			reps = append(reps, rep)
		}
		sum := lag.Summarize(reps, 10)
		raw, err := json.Marshal(sum)
		if err != nil {
			b.Fatal(err)
		}
		reqs, size, judged = conn.Requests()-before, len(raw), sum.Partitions
		if sum.Groups != groups {
			b.Fatalf("groups = %d", sum.Groups)
		}
	}
	b.ReportMetric(float64(reqs), "kafka-requests/op")
	b.ReportMetric(float64(size), "summary-bytes/op")
	b.ReportMetric(float64(judged), "group-partitions/op")
}
