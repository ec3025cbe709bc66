package kinesisdiag

import (
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
)

func limits(t *testing.T) Limits {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return LimitsFrom(b)
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// series builds per-minute samples from per-second rates.
func series(n int, bytesPerSec, recsPerSec, throttled float64) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = Sample{At: t0.Add(time.Duration(i) * time.Minute), Bytes: bytesPerSec * 60, Records: recsPerSec * 60, Throttled: throttled}
	}
	return out
}

const mib = 1 << 20

func TestLimitsFromGuidance(t *testing.T) {
	t.Parallel()
	l := limits(t)
	if l.ShardWriteBytesPerSec != mib || l.ShardWriteRecordsPerSec != 1000 || l.ShardReadBytesPerSec != 2*mib || l.AtCapacityRatio <= 0 || l.AtCapacityRatio >= 1 ||
		l.OnDemandBurstFactor != 2 || l.OnDemandBurstWindowMinutes != 15 {
		t.Fatalf("limits = %+v", l)
	}
}

func TestDiagnoseWrites(t *testing.T) {
	t.Parallel()
	l := limits(t)
	even2 := func(a, b []Sample) []Shard {
		return []Shard{{ID: "shardId-0", KeyspaceFraction: 0.5, Samples: a}, {ID: "shardId-1", KeyspaceFraction: 0.5, Samples: b}}
	}
	tests := []struct {
		name      string
		in        WriteInput
		want      string
		wantBound string
		wantHot   []string
		wantConf  string
		wantText  string
	}{
		{
			name: "no data",
			in:   WriteInput{OpenShards: 2, PeriodSeconds: 60},
			want: WriteNoData, wantConf: "low",
		},
		{
			name: "healthy",
			in:   WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 0.2*mib, 100, 0)},
			want: WriteNone, wantConf: "high",
		},
		{
			name:     "near capacity without throttling recommends headroom",
			in:       WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 1.9*mib, 100, 0)},
			want:     WriteNone,
			wantText: "next burst will throttle",
		},
		{
			// The post's test 1: 30 x 100 KB batches, bytes at the 2 MiB/s
			// ceiling of 2 shards, records far below; both shards equal.
			name: "size-bound stream over capacity (post test 1)",
			in: WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 1.98*mib, 20, 50),
				Shards: even2(series(10, 0.99*mib, 10, 25), series(10, 0.99*mib, 10, 25)), ShardThrottleMetric: true},
			want: WriteStreamOverCapacity, wantBound: BoundBytes, wantConf: "high",
		},
		{
			// The post's test 2: 500 x 50-byte records, records over 2,000/s.
			name: "count-bound stream over capacity (post test 2)",
			in:   WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 0.1*mib, 1995, 80)},
			want: WriteStreamOverCapacity, wantBound: BoundRecords, wantConf: "high",
		},
		{
			name: "on-demand over capacity names the burst rule from guidance",
			in:   WriteInput{Mode: "ON_DEMAND", OpenShards: 4, PeriodSeconds: 60, Stream: series(10, 3.9*mib, 100, 20)},
			want: WriteStreamOverCapacity, wantBound: BoundBytes,
			wantText: "more than 2x the previous peak within 15 minutes",
		},
		{
			// The post's viral URL: one shard gets 1,040 records/s, the
			// other 40; tiny bytes. Even hash ranges: a hot shard.
			name: "viral URL hot shard, count-bound",
			in: WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 11000, 1040, 40),
				Shards: even2(series(10, 10600, 1000, 40), series(10, 400, 40, 0)), ShardThrottleMetric: true},
			want: WriteHotShard, wantBound: BoundRecords, wantHot: []string{"shardId-0"}, wantConf: "high",
		},
		{
			name: "hot key: the hot shard was already split below an even share",
			in: WriteInput{OpenShards: 3, PeriodSeconds: 60, Stream: series(10, 1.2*mib, 300, 30),
				Shards: []Shard{
					{ID: "a", KeyspaceFraction: 0.25, Samples: series(10, 0.99*mib, 100, 30)},
					{ID: "b", KeyspaceFraction: 0.25, Samples: series(10, 0.05*mib, 100, 0)},
					{ID: "c", KeyspaceFraction: 0.5, Samples: series(10, 0.16*mib, 100, 0)},
				}, ShardThrottleMetric: true},
			want: WriteHotKey, wantBound: BoundBytes, wantHot: []string{"a"}, wantConf: "medium",
		},
		{
			name: "hot key: on-demand keeps a shard at its ceiling",
			in: WriteInput{Mode: "ON_DEMAND", OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 1.1*mib, 100, 5),
				Shards: even2(series(10, 0.98*mib, 50, 5), series(10, 0.12*mib, 50, 0))},
			want: WriteHotKey, wantHot: []string{"shardId-0"}, wantConf: "medium", wantText: "on-demand",
		},
		{
			name: "sub-period bursts: every shard throttled, none at its ceiling",
			in: WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(10, 1.0*mib, 500, 12),
				Shards: even2(series(10, 0.5*mib, 250, 6), series(10, 0.5*mib, 250, 6)), ShardThrottleMetric: true},
			want: WriteSubPeriodBursts, wantConf: "medium", wantText: "2 of 2 shards",
		},
		{
			name: "below capacity without shard metrics is undetermined",
			in:   WriteInput{OpenShards: 4, PeriodSeconds: 60, Stream: series(10, 1.0*mib, 500, 12)},
			want: WriteUndetermined, wantConf: "low", wantText: "shard-level metrics are off",
		},
		{
			name: "throttled minority of periods at capacity is not over capacity",
			in:   WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: append(series(1, 1.95*mib, 10, 5), series(3, 0.4*mib, 10, 5)...)},
			want: WriteUndetermined,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := DiagnoseWrites(tc.in, l)
			if d.Classification != tc.want {
				t.Fatalf("classification = %s, want %s\n%s", d.Classification, tc.want, strings.Join(d.Reasoning, "\n"))
			}
			if tc.wantBound != "" && d.Bound != tc.wantBound {
				t.Errorf("bound = %s, want %s", d.Bound, tc.wantBound)
			}
			if tc.wantConf != "" && d.Confidence != tc.wantConf {
				t.Errorf("confidence = %s, want %s", d.Confidence, tc.wantConf)
			}
			var hot []string
			for _, h := range d.HotShards {
				hot = append(hot, h.ShardID)
			}
			if strings.Join(hot, ",") != strings.Join(tc.wantHot, ",") {
				t.Errorf("hot shards = %v, want %v", hot, tc.wantHot)
			}
			if tc.wantText != "" && !strings.Contains(strings.Join(d.Reasoning, "\n"), tc.wantText) {
				t.Errorf("reasoning lacks %q:\n%s", tc.wantText, strings.Join(d.Reasoning, "\n"))
			}
			if d.Classification != WriteNone && d.Classification != WriteNoData && len(d.Remediation) == 0 {
				t.Error("no remediation for a throttling verdict")
			}
		})
	}
}

func TestOverCapacityRecommendsShardsWithinScalingBounds(t *testing.T) {
	t.Parallel()
	l := limits(t)
	d := DiagnoseWrites(WriteInput{OpenShards: 2, PeriodSeconds: 60, Stream: series(5, 1.98*mib, 10, 9)}, l)
	if d.RecommendedShards != 3 {
		t.Fatalf("recommended = %d, want 3 (1.98 MiB/s / 0.9 of 1 MiB/s per shard)", d.RecommendedShards)
	}
	// A stream needing more than double gets the step warning.
	d = DiagnoseWrites(WriteInput{OpenShards: 1, PeriodSeconds: 300, Stream: []Sample{{At: t0, Bytes: 0.99 * mib * 300 * 1, Records: 10, Throttled: 500}}}, l)
	if d.Classification != WriteStreamOverCapacity || d.RecommendedShards < 2 {
		t.Fatalf("d = %+v", d)
	}
}

func TestDiagnoseReads(t *testing.T) {
	t.Parallel()
	l := limits(t)
	tests := []struct {
		name     string
		in       ReadInput
		throttle bool
		remedies int
	}{
		{"quiet", ReadInput{OpenShards: 2, PeriodSeconds: 60, Throttled: []float64{0, 0}, Bytes: []float64{60 * mib}}, false, 0},
		{"throttled below volume limit", ReadInput{OpenShards: 2, PeriodSeconds: 60, Throttled: []float64{0, 3}, Bytes: []float64{60 * mib}}, true, 2},
		{"throttled at volume limit", ReadInput{OpenShards: 1, PeriodSeconds: 60, Throttled: []float64{4}, Bytes: []float64{2 * mib * 60}}, true, 3},
		{"throttled with EFO consumers present", ReadInput{OpenShards: 2, PeriodSeconds: 60, Throttled: []float64{2}, EFOConsumers: 2}, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := DiagnoseReads(tc.in, l)
			if d.Throttled != tc.throttle || len(d.Remediation) != tc.remedies {
				t.Fatalf("d = %+v", d)
			}
		})
	}
}

func TestJudgeIteratorAge(t *testing.T) {
	t.Parallel()
	l := limits(t)
	hour := float64(time.Hour / time.Millisecond)
	tests := []struct {
		name      string
		max       float64
		retention int
		risk      bool
	}{
		{"fresh", 1000, 24, false},
		{"half of retention", 12 * hour, 24, true},
		{"unknown retention", 12 * hour, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := JudgeIteratorAge(tc.max, tc.max, "rising", tc.retention, l)
			if a.AtRisk != tc.risk {
				t.Fatalf("a = %+v", a)
			}
		})
	}
}
