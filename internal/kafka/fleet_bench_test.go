package kafka

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/lag"
)

func fleetCluster(tb testing.TB, topics, partitions, groups, perGroup int) *Conn {
	tb.Helper()
	ctx := context.Background()
	c, err := kafkatest.StartFleet(ctx, topics, partitions, groups, perGroup)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	f := NewFactory(nil, nil, Env{}, nil)
	tb.Cleanup(f.Close)
	conn, err := f.Conn(ctx, Target{Bootstrap: c.ListenAddrs(), Auth: AuthNone})
	if err != nil {
		tb.Fatal(err)
	}
	return conn
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
	conn := fleetCluster(b, topics, partitions, groups, perGroup)
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
