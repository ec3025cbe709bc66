package sizing

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestESMModelFromPublishedFigures pins the ESM throughput model to figures
// an expert derives from AWS's published behaviour.
func TestESMModelFromPublishedFigures(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	type want struct {
		recordsPerInvocation float64
		invocationsPerSecond float64
		concurrency          int
		bound                string
	}
	tests := []struct {
		name string
		w    Workload
		cfg  ESMConfig
		want want
	}{
		{
			// Issue 14: 1,000 msg/s into BatchSize 100 (window 1 s, required above
			// 10): a batch fills from the arrival rate in 0.1 s, so every invocation
			// carries 100 messages = 10 invocations/s — not spread over the 1,000
			// concurrent batches SQS allows.
			name: "sqs fills from the arrival rate",
			w:    Workload{EventSource: "sqs", RecordsPerSecond: 1000, ProcessingMsPerRecord: 2},
			cfg:  ESMConfig{BatchSize: 100, BatchingWindowSeconds: 1},
			want: want{100, 10, 1000, "lambda_max_timeout"},
		},
		{
			// 5 msg/s with a 5 s window: the window closes first with 25 messages.
			name: "sqs window closes first",
			w:    Workload{EventSource: "sqs", RecordsPerSecond: 5, ProcessingMsPerRecord: 2, FunctionTimeoutSeconds: 30},
			cfg:  ESMConfig{BatchSize: 100, BatchingWindowSeconds: 5},
			want: want{25, 0.2, 1000, "function_timeout"},
		},
		{
			// A backlog fills every batch whatever the arrival rate.
			name: "sqs backlog fills batches",
			w:    Workload{EventSource: "sqs", RecordsPerSecond: 5, ProcessingMsPerRecord: 2, BacklogRecords: 1e6},
			cfg:  ESMConfig{BatchSize: 100, BatchingWindowSeconds: 5},
			want: want{100, 0.05, 1000, "lambda_max_timeout"},
		},
		{
			// One batch in flight per partition in provisioned mode too: 3
			// partitions cap 10 pollers × 5 invokes at 3 concurrent batches; each
			// partition fills its own batch (100 rec/s × 1 s window = 100).
			name: "kafka provisioned concurrency capped by partitions",
			w:    Workload{EventSource: "msk", Partitions: 3, RecordsPerSecond: 300, ProcessingMsPerRecord: 1},
			cfg:  ESMConfig{BatchSize: 100, BatchingWindowSeconds: 1, Provisioned: true, MaximumPollers: 10},
			want: want{100, 3, 3, "lambda_max_timeout"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := EvaluateESM(tc.w, tc.cfg, b)
			if err != nil {
				t.Fatal(err)
			}
			e := ev.Estimates
			got := want{e.RecordsPerInvocation, e.InvocationsPerSecond, e.Concurrency, e.BatchTimeBound}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Fatalf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestBatchTimeBound: no recommendation keeps a batch whose processing time
// passes the function timeout, or Lambda's 900 s maximum when the timeout is
// unknown, and the answer says which bound applied.
func TestBatchTimeBound(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name      string
		w         Workload
		wantBatch int
		wantWarn  string
	}{
		{
			// Issue 14: BatchSize 10,000 at 2 s per record = 20,000 s. With no
			// timeout the bound is 900 s × 0.8 margin = 720 s → 360 records.
			name:      "no timeout: 900 s maximum",
			w:         Workload{EventSource: "sqs", RecordsPerSecond: 10, ProcessingMsPerRecord: 2000, BatchSize: 10000, BatchingWindowSeconds: 1},
			wantBatch: 360,
			wantWarn:  "Lambda's maximum timeout",
		},
		{
			// Timeout 60 s × 0.8 = 48 s at 100 ms per record → 480 records.
			name:      "function timeout",
			w:         Workload{EventSource: "kinesis", Shards: 4, RecordsPerSecond: 100, ProcessingMsPerRecord: 100, BatchSize: 1000, FunctionTimeoutSeconds: 60},
			wantBatch: 480,
			wantWarn:  "the function timeout",
		},
		{
			// A fixed 1,000 s per batch cannot be fixed by BatchSize: warn.
			name:      "fixed batch time past 900 s",
			w:         Workload{EventSource: "kinesis", Shards: 1, RecordsPerSecond: 1, ProcessingMsPerBatch: 1e6},
			wantBatch: 100,
			wantWarn:  "past Lambda's 900 s maximum timeout",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := LambdaESM(tc.w, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Recommendation.BatchSize != tc.wantBatch {
				t.Errorf("BatchSize %d, want %d", r.Recommendation.BatchSize, tc.wantBatch)
			}
			if ws := strings.Join(r.Warnings, " | "); !strings.Contains(ws, tc.wantWarn) {
				t.Errorf("warnings %q lack %q", ws, tc.wantWarn)
			}
		})
	}
}

// TestKafkaSizingFromThroughput: sizing service=lambda_esm answers a Kafka
// mapping from MB/s and partitions alone (5 MB/s per provisioned poller,
// pollers ≤ partitions, concurrency ≤ partitions) and says what the
// processing time would decide.
func TestKafkaSizingFromThroughput(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name             string
		w                Workload
		minP, maxP, conc int
		warn             string
	}{
		// 50 MB/s ÷ 5 MB/s = 10 pollers on 24 partitions; 24 invocations at most.
		{"50 MB/s on 24 partitions", Workload{EventSource: "msk", IngressMBps: 50, Partitions: 24, AvgRecordBytes: 1000}, 10, 10, 24, "must finish within"},
		// 50 MB/s needs 10 pollers but 6 partitions cap them at 6 (30 MB/s); a
		// topic under 10 partitions starts with one poller (Kafka ESM throughput post).
		{"pollers capped by partitions", Workload{EventSource: "msk", IngressMBps: 50, Partitions: 6}, 1, 6, 6, "caps pollers at the 6 partitions"},
		// 12 MB/s = ceil(2.4) = 3 pollers (seed-001's worked figure).
		{"12 MB/s", Workload{EventSource: "self_managed_kafka", IngressMBps: 12, Partitions: 12}, 3, 3, 12, "processing time not given"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Size("lambda_esm", tc.w, b)
			if err != nil {
				t.Fatal(err)
			}
			rec := r.Recommendation
			if rec.MinimumPollers != tc.minP || rec.MaximumPollers != tc.maxP || rec.Concurrency != tc.conc {
				t.Fatalf("pollers %d–%d, concurrency %d; want %d–%d, %d", rec.MinimumPollers, rec.MaximumPollers, rec.Concurrency, tc.minP, tc.maxP, tc.conc)
			}
			if ws := strings.Join(r.Warnings, " | "); !strings.Contains(ws, tc.warn) {
				t.Fatalf("warnings %q lack %q", ws, tc.warn)
			}
		})
	}
}

// TestParallelizationSmallestWithHeadroom: the factor is the smallest that
// keeps up with a spare batch, not the maximum.
func TestParallelizationSmallestWithHeadroom(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name string
		w    Workload
		pf   int
	}{
		// 2,000 rec/s × 0.1 s ÷ 100 = 2 batches on 4 shards: PF 1 covers it with 2 spare.
		{"light load stays at 1", Workload{EventSource: "kinesis", Shards: 4, RecordsPerSecond: 2000, ProcessingMsPerRecord: 1}, 1},
		// 10,000 rec/s × 1 s ÷ 100 = 100 batches on 25 shards = PF 4 at exactly 100%: 5.
		{"exactly full gets one more", Workload{EventSource: "kinesis", Shards: 25, RecordsPerSecond: 10000, ProcessingMsPerRecord: 10}, 5},
		// 30 batches on 10 shards = PF 3 at 100% → 4, far below 10.
		{"no jump to maxima", Workload{EventSource: "dynamodb", Shards: 10, RecordsPerSecond: 3000, ProcessingMsPerRecord: 10}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := LambdaESM(tc.w, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Recommendation.ParallelizationFactor != tc.pf {
				t.Fatalf("PF %d, want %d (%s)", r.Recommendation.ParallelizationFactor, tc.pf, r.Recommendation.Summary)
			}
		})
	}
}

// TestKinesisRegionAndHotKeys: the on-demand write ceiling depends on the
// Region class (10 GB/s in us-east-1/us-west-2/eu-west-1, 200 MB/s
// elsewhere, 200 MB/s assumed when no Region is given); a key at 1,000 small
// records/s is hot though far under 1 MB/s; a new on-demand stream starts
// at 4 MB/s.
func TestKinesisRegionAndHotKeys(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name     string
		w        Workload
		odFits   bool
		warn     string
		noWarn   string
		binding  string
		modeWant string
	}{
		{"large Region", Workload{IngressMBps: 500, AvgRecordBytes: 1000, Region: "us-east-1"}, true, "starts at 4 MB/s", "", "", ""},
		{"other Region", Workload{IngressMBps: 500, AvgRecordBytes: 1000, Region: "ap-south-1"}, false, "", "", "", ""},
		{"no Region assumes the default", Workload{IngressMBps: 500, AvgRecordBytes: 1000}, false, "", "", "", ""},
		{"hot key by records", Workload{IngressMBps: 2, AvgRecordBytes: 100, HotKeyRecordsPerSec: 1500}, true, "1500 records/s", "", "hot partition key (records/s)", ""},
		{"key under both limits", Workload{IngressMBps: 2, AvgRecordBytes: 100, HotKeyRecordsPerSec: 900, HotKeyMBps: 0.09}, true, "", "one partition key", "", ""},
		{"unknown pattern → on-demand", Workload{IngressMBps: 2, AvgRecordBytes: 100, TrafficPattern: "unknown"}, true, "", "starts at 4 MB/s", "", "ON_DEMAND"},
		{"warm throughput needs Advantage", Workload{IngressMBps: 50, AvgRecordBytes: 1000}, true, "needs On-demand Advantage", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Size("kinesis", tc.w, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range r.Alternatives {
				if a.Option == "ON_DEMAND (Standard)" && a.Fits != tc.odFits {
					t.Errorf("on-demand fits %v, want %v (%s)", a.Fits, tc.odFits, a.Tradeoff)
				}
			}
			ws := strings.Join(r.Warnings, " | ")
			if tc.warn != "" && !strings.Contains(ws, tc.warn) {
				t.Errorf("warnings %q lack %q", ws, tc.warn)
			}
			if tc.noWarn != "" && strings.Contains(ws, tc.noWarn) {
				t.Errorf("warnings %q should not mention %q", ws, tc.noWarn)
			}
			if tc.binding != "" && r.BindingConstraint != tc.binding {
				t.Errorf("binding %q, want %q", r.BindingConstraint, tc.binding)
			}
			if tc.modeWant != "" && r.Recommendation.CapacityMode != tc.modeWant {
				t.Errorf("mode %q, want %q", r.Recommendation.CapacityMode, tc.modeWant)
			}
		})
	}
}

// TestSQSBatchFillFromQueue: an SQS batch fills from the whole queue's
// arrival rate: 100 messages at 1,000/s take 0.1 s, so a 1 s window never
// waits its full length and latency is 0.1 s + the 2 s batch.
func TestSQSBatchFillFromQueue(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	ev, err := EvaluateESM(Workload{EventSource: "sqs", RecordsPerSecond: 1000, ProcessingMsPerRecord: 20}, ESMConfig{BatchSize: 100, BatchingWindowSeconds: 1, MaximumConcurrency: 21}, b)
	if err != nil {
		t.Fatal(err)
	}
	if e := ev.Estimates; e.BatchFillSeconds != 0.1 || e.ExpectedLatencySeconds != 2.1 {
		t.Fatalf("fill %v s, latency %v s; want 0.1 and 2.1", e.BatchFillSeconds, e.ExpectedLatencySeconds)
	}
}

// TestFIFOMessageGroups: a FIFO mapping runs one batch per message group, so
// 4 groups cap concurrency at 4 whatever MaximumConcurrency allows.
func TestFIFOMessageGroups(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	ev, err := EvaluateESM(Workload{EventSource: "sqs_fifo", RecordsPerSecond: 100, ProcessingMsPerRecord: 50, MessageGroups: 4}, ESMConfig{BatchSize: 10}, b)
	if err != nil {
		t.Fatal(err)
	}
	// 4 batches × 10 records ÷ 0.5 s = 80 records/s < 100 arriving.
	if e := ev.Estimates; e.Concurrency != 4 || e.KeepsUp || e.Binding != "active message groups (one batch per group)" {
		t.Fatalf("got %+v", e)
	}
}
