package kafka

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/lag"
)

// fleetCluster is a kfake cluster of topics x partitions with groups that
// each commit every partition of perGroup topics (dense when perGroup is
// every topic: the shape a README claim must hold for).
func fleetCluster(tb testing.TB, topics, partitions, groups, perGroup int) (*kfake.Cluster, *Conn) {
	tb.Helper()
	ctx := context.Background()
	c, err := kafkatest.Start(3)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	cl, err := kafkatest.Producer(c, kgo.MaxBufferedRecords(topics*partitions*2))
	if err != nil {
		tb.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	names := make([]string, topics)
	for i := range names {
		names[i] = fmt.Sprintf("t%03d", i)
	}
	if _, err := adm.CreateTopics(ctx, int32(partitions), 1, nil, names...); err != nil {
		tb.Fatal(err)
	}
	var rs []*kgo.Record
	for _, t := range names {
		for p := range partitions {
			rs = append(rs, &kgo.Record{Topic: t, Partition: int32(p), Value: []byte("x")}, &kgo.Record{Topic: t, Partition: int32(p), Value: []byte("y")})
		}
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		tb.Fatal(err)
	}
	for g := range groups {
		os := kadm.Offsets{}
		for k := range perGroup {
			for p := range partitions {
				os.Add(kadm.Offset{Topic: names[(g+k)%topics], Partition: int32(p), At: int64(g % 3), LeaderEpoch: -1})
			}
		}
		if err := adm.CommitAllOffsets(ctx, fmt.Sprintf("g%04d", g), os); err != nil {
			tb.Fatal(err)
		}
	}
	f := NewFactory(nil, nil, Env{}, nil)
	tb.Cleanup(f.Close)
	conn, err := f.Conn(ctx, Target{Bootstrap: c.ListenAddrs(), Auth: AuthNone})
	if err != nil {
		tb.Fatal(err)
	}
	return c, conn
}

// heapPeak samples the live heap every millisecond while fn runs and
// returns the peak growth over the heap before it (after a GC), in MB. The
// kfake cluster lives in the same process, so RSS would measure it too; the
// heap growth during the call is what the call itself holds.
func heapPeak(fn func()) float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	if p := peak.Load(); p > base {
		return float64(p-base) / 1e6
	}
	return 0
}

func benchFleet(b *testing.B, topics, partitions, groups, perGroup int) {
	_, conn := fleetCluster(b, topics, partitions, groups, perGroup)
	th := lag.Thresholds{PhantomMaxRecords: 2, MinWindow: 10 * time.Second, WorstN: 10}
	ctx := context.Background()
	for _, impl := range []string{"fleet", "sample-all"} {
		b.Run(impl, func(b *testing.B) {
			var peak float64
			var judged int
			for range b.N {
				peak = max(peak, heapPeak(func() {
					switch impl {
					case "fleet":
						f, err := conn.FleetLag(ctx, nil, th, FleetOptions{BatchGroups: 16, Parallel: 2, WorstN: 10})
						if err != nil || f.Partial != "" {
							b.Fatal(err, f.Partial)
						}
						judged = f.Summary.Partitions
					default:
						gs, err := conn.SampleGroups(ctx, nil, Sampling{Samples: 1})
						if err != nil {
							b.Fatal(err)
						}
						fold := lag.NewFold(10)
						for _, g := range gs.Groups {
							r, _ := lag.Evaluate(g, th)
							fold.Add(r)
						}
						judged = fold.Summary().Partitions
					}
				}))
			}
			if judged != groups*perGroup*partitions {
				b.Fatalf("judged %d group-partitions, want %d", judged, groups*perGroup*partitions)
			}
			b.ReportMetric(peak, "peak-heap-MB")
			b.ReportMetric(float64(judged), "group-partitions")
		})
	}
}

// BenchmarkFleetLagSparse: 1,000 groups over 10,000 partitions, each group
// committing one topic of 100 partitions (100k group-partitions).
func BenchmarkFleetLagSparse(b *testing.B) { benchFleet(b, 100, 100, 1000, 1) }

// BenchmarkFleetLagDense: 200 groups each committing all 10,000 partitions
// (2 M group-partitions); the 10 M shape is BenchmarkFleetLagDense10M.
func BenchmarkFleetLagDense(b *testing.B) { benchFleet(b, 100, 100, 200, 100) }
