package sizing

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
)

func loadTestBase(t testing.TB) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stepResult returns the result of the first step whose name starts with prefix.
func stepResult(t *testing.T, r Result, prefix string) float64 {
	t.Helper()
	for _, s := range r.Calculation {
		if strings.HasPrefix(s.Step, prefix) {
			return s.Result
		}
	}
	t.Fatalf("no step %q in %+v", prefix, r.Calculation)
	return 0
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b)) }

// Worked examples drawn from the knowledge files (each names its source).
func TestGoldenMSKStandard(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name  string
		w     Workload
		step  string
		want  float64
		check func(*testing.T, Result)
	}{
		{
			// peers.md 3.5: "without provisioned throughput EBS tops out around
			// 250 MiB/s, so with RF 3 about 83 MiB/s of client ingress per broker
			// already saturates it" — 83.33 MiB/s = 87.381 MB/s needs exactly 1 broker.
			name: "250 MiB/s volume at RF 3 saturates at 83 MiB/s ingress",
			w:    Workload{IngressMBps: 250.0 / 3 * 1.048576, ReplicationFactor: 3, BrokerType: "kafka.m5.4xlarge"},
			step: "brokers for storage (volume) throughput", want: 1,
		},
		{
			// seed-000 P18: m7g.4xlarge held 54 MB/s per broker at 40% CPU on 3
			// brokers: 162 MB/s against a 60% target needs 162 × 40/54 ÷ 60 = 2 brokers.
			name: "Graviton benchmark reproduces its own CPU",
			w:    Workload{IngressMBps: 162, ReplicationFactor: 3, BrokerType: "kafka.m7g.4xlarge", ConsumerGroups: 1},
			step: "brokers for CPU below target (estimate)", want: 2,
		},
		{
			// Right-sizing Equation 1, EC2 network term: 100 MB/s, 2 groups, RF 3
			// on m5.xlarge (1.25 Gbit/s = 156.25 MB/s): 100 × (2+3−1) ÷ 156.25.
			name: "Equation 1 EC2 network term",
			w:    Workload{IngressMBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, BrokerType: "kafka.m5.xlarge"},
			step: "brokers for EC2 network throughput", want: 2.56,
		},
		{
			// Equation 1, EBS network term: 100 × 3 ÷ (1150 Mbit/s ÷ 8 = 143.75 MB/s).
			name: "Equation 1 EBS network term",
			w:    Workload{IngressMBps: 100, ConsumerGroups: 2, ReplicationFactor: 3, BrokerType: "kafka.m5.xlarge"},
			step: "brokers for EC2-to-EBS network throughput", want: 2.087,
		},
		{
			// storage = ingress × retention × RF plus headroom; "about 20%" would leave
			// full disks at 83%, past MSK's 80% storage alert, so the headroom is
			// 100 ÷ 80 − 1 = 25%: 10 MB/s × 24 h × 3 × 1.25 = 3,240,000 MB = 3017.49 GiB.
			name: "storage under the 80% storage alert",
			w:    Workload{IngressMBps: 10, RetentionHours: 24, ReplicationFactor: 3, BrokerType: "kafka.m5.large"},
			step: "storage needed", want: 3017.4851,
		},
		{
			// MSK best practices: recommended 1000 partitions per m5.large; 2000
			// partitions × RF 3 needs 6 brokers for partitions alone.
			name: "partitions per broker",
			w:    Workload{IngressMBps: 1, Partitions: 2000, ReplicationFactor: 3, BrokerType: "kafka.m5.large"},
			step: "brokers for partitions", want: 6,
			check: func(t *testing.T, r Result) {
				if r.BindingConstraint != "partitions per broker" || r.Recommendation.Brokers != 6 {
					t.Fatalf("binding %q brokers %d, want partitions per broker / 6", r.BindingConstraint, r.Recommendation.Brokers)
				}
			},
		},
		{
			// MSK storage-throughput page: m7g.8xlarge can provision up to 1000
			// MiB/s. At 1000 MB/s, RF 3 the default 250 MiB/s volume would need
			// 11.4 brokers; provisioned, 2.86. CPU then binds (12 brokers, 8 left
			// after an AZ loss), so each volume needs 3000 ÷ 8 MB/s = 357.6 MiB/s.
			name: "provisioned storage throughput when the volume binds",
			w:    Workload{IngressMBps: 1000, ConsumerGroups: 1, ReplicationFactor: 3, RetentionHours: 1, BrokerType: "kafka.m7g.8xlarge", AZCount: 3},
			step: "brokers for storage throughput with provisioned throughput", want: 1000 * 3 / (1000 * 1.048576),
			check: func(t *testing.T, r Result) {
				if r.Recommendation.ProvisionedThroughputMiBps != 358 || r.Recommendation.Brokers != 12 {
					t.Fatalf("no provisioned throughput recommended: %+v", r.Recommendation)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := MSKStandard(tc.w, b)
			if err != nil {
				t.Fatal(err)
			}
			if got := stepResult(t, r, tc.step); !near(got, tc.want) {
				t.Fatalf("%s = %v, want %v", tc.step, got, tc.want)
			}
			if r.BindingConstraint == "" || len(r.References) == 0 || len(r.Alternatives) == 0 {
				t.Fatalf("missing binding/references/alternatives: %+v", r)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestGoldenOthers(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	tests := []struct {
		name    string
		service string
		w       Workload
		step    string
		want    float64
		check   func(*testing.T, Result)
	}{
		{
			// peers.md 3.5 Kinesis shard calculator: max(10 MB/s ÷ 1, 12,000 ÷ 1000,
			// 3 shared consumers × 10 ÷ 2) = 15, bound by shared reads.
			name: "kinesis shards bound by shared reads", service: "kinesis",
			w:    Workload{IngressMBps: 10, RecordsPerSecond: 12000, ConsumerGroups: 3},
			step: "shards (provisioned)", want: 15,
			check: func(t *testing.T, r Result) {
				if r.BindingConstraint != "shared read MB/s per shard" || r.Recommendation.Shards != 15 {
					t.Fatalf("got %q %d", r.BindingConstraint, r.Recommendation.Shards)
				}
			},
		},
		{
			// seed-002-003 KCL example: 4 shards carrying 2.5 MB/s: write needs ceil(2.5) = 3.
			name: "kinesis KCL example", service: "kinesis",
			w:    Workload{IngressMBps: 2.5},
			step: "shards (provisioned)", want: 3,
		},
		{
			// how-do-i-size-a-stream: a single key is capped at 1 MB/s — more shards do not help.
			name: "kinesis hot key", service: "kinesis",
			w:    Workload{IngressMBps: 5, HotKeyMBps: 2},
			step: "hottest partition key", want: 2,
			check: func(t *testing.T, r Result) {
				if r.BindingConstraint != "hot partition key" || !strings.Contains(strings.Join(r.Warnings, " "), "will not help") {
					t.Fatalf("hot key not flagged: %+v", r)
				}
			},
		},
		{
			// On-demand Advantage commitment 25 MiB/s: 30 MB/s (28.6 MiB/s) clears it.
			name: "kinesis advantage", service: "kinesis",
			w:    Workload{IngressMBps: 30},
			step: "average ingest vs On-demand Advantage", want: 30 / 1.048576 / 25,
			check: func(t *testing.T, r Result) {
				if !strings.Contains(r.Recommendation.CapacityMode, "Advantage") {
					t.Fatalf("mode %q", r.Recommendation.CapacityMode)
				}
			},
		},
		{
			// limits.md §2: concurrency = shards × ParallelizationFactor, "100 shards × PF 2 = 200".
			name: "kinesis ESM 100 shards x PF 2", service: "lambda_esm",
			w:    Workload{EventSource: "kinesis", Shards: 100, ParallelizationFactor: 2, RecordsPerSecond: 1000, ProcessingMsPerRecord: 1},
			step: "concurrent batches", want: 200,
		},
		{
			// Issue 4's case: 100 MB/s of 1 KB records (100,000 rec/s) on 100 shards,
			// BatchSize 100 at 5 ms per record = 0.5 s per batch: PF = ceil(100000 × 0.5 ÷ 100 ÷ 100) = 5,
			// which runs at exactly 100% with no spare batch; the smallest factor with headroom is 6.
			name: "issue 4 iterator age case", service: "lambda_esm",
			w:    Workload{EventSource: "kinesis", Shards: 100, BatchSize: 100, RecordsPerSecond: 100000, AvgRecordBytes: 1000, ProcessingMsPerRecord: 5},
			step: "ParallelizationFactor needed", want: 5,
			check: func(t *testing.T, r Result) {
				if r.Recommendation.ParallelizationFactor != 6 || r.Recommendation.Concurrency != 600 || !*r.Recommendation.KeepsUp {
					t.Fatalf("got %+v", r.Recommendation)
				}
			},
		},
		{
			// kafka-scaling-modes: 1 MB payload × 1 s duration ⇒ one poller ≈ 5 MB/s and 5 invokes.
			// 5 concurrent batches fill one poller exactly; with one spare batch
			// (5 + 1) ÷ 5 = 1.2 → 2 pollers.
			name: "kafka provisioned one poller", service: "lambda_esm",
			w:    Workload{EventSource: "msk", PollerMode: "provisioned", Partitions: 10, RecordsPerSecond: 5, AvgRecordBytes: 1e6, BatchSize: 1, ProcessingMsPerRecord: 1000},
			step: "pollers for concurrency", want: 1.2,
			check: func(t *testing.T, r Result) {
				if r.Recommendation.MaximumPollers != 2 || r.Recommendation.MinimumPollers != 2 {
					t.Fatalf("got %+v", r.Recommendation)
				}
			},
		},
		{
			// seed-001 (Kafka ESM throughput): "minimum pollers ≈ ceil(required MB/s ÷ 5)":
			// 12,000 records/s × 1,000 bytes = 12 MB/s → ceil(2.4) = 3 pollers.
			name: "kafka pollers from MB/s", service: "lambda_esm",
			w:    Workload{EventSource: "self_managed_kafka", PollerMode: "provisioned", Partitions: 24, RecordsPerSecond: 12000, AvgRecordBytes: 1000, ProcessingMsPerRecord: 0.1},
			step: "pollers for bytes", want: 2.4,
			check: func(t *testing.T, r Result) {
				if r.Recommendation.MinimumPollers != 3 || r.Recommendation.MaximumPollers != 3 {
					t.Fatalf("got %+v", r.Recommendation)
				}
			},
		},
		{
			// Issue 4 §4 SQS: concurrency = arrival × processing time ÷ batch size = 1000 × 0.2 ÷ 10 = 20,
			// plus one spare batch: MaximumConcurrency 21.
			name: "sqs concurrency", service: "lambda_esm",
			w:    Workload{EventSource: "sqs", RecordsPerSecond: 1000, ProcessingMsPerBatch: 200, BatchSize: 10},
			step: "MaximumConcurrency", want: 21,
		},
		{
			// SQS provisioned: ≈1 MB/s per poller; 5 MB/s needs 5 pollers.
			name: "sqs provisioned pollers by bytes", service: "lambda_esm",
			w:    Workload{EventSource: "sqs", PollerMode: "provisioned", RecordsPerSecond: 500, AvgRecordBytes: 10000, ProcessingMsPerBatch: 10, BatchSize: 10},
			step: "pollers for bytes", want: 5,
		},
		{
			// Serverless quotas: 150 MB/s in, 2 groups: egress 300 of 400; partitions max(150/5, 300/10) = 30.
			name: "serverless fits", service: "msk_serverless",
			w:    Workload{IngressMBps: 150, ConsumerGroups: 2},
			step: "utilisation: cluster egress", want: 0.75,
			check: func(t *testing.T, r Result) {
				if !*r.Recommendation.Fits || r.Recommendation.MinPartitions != 30 {
					t.Fatalf("got %+v", r.Recommendation)
				}
			},
		},
		{
			name: "serverless too much ingress", service: "msk_serverless",
			w:    Workload{IngressMBps: 250, ConsumerGroups: 1},
			step: "utilisation: cluster ingress", want: 1.25,
			check: func(t *testing.T, r Result) {
				if *r.Recommendation.Fits || r.BindingConstraint != "cluster ingress" {
					t.Fatalf("got %+v %q", r.Recommendation, r.BindingConstraint)
				}
			},
		},
		{
			// Express large: 15.6 MB/s sustained ingress per broker; 100 MB/s needs 6.41 → 9 brokers (3 AZs).
			name: "express sustained ingress", service: "msk_express",
			w:    Workload{IngressMBps: 100, ConsumerGroups: 1, BrokerType: "express.m7g.large"},
			step: "brokers for sustained ingress", want: 100 / 15.6,
			check: func(t *testing.T, r Result) {
				if r.Recommendation.Brokers%3 != 0 || r.Recommendation.Brokers < 7 {
					t.Fatalf("got %+v", r.Recommendation)
				}
			},
		},
		{
			// Express quota table: express.m7g.large recommends 1,000 partitions per
			// broker; 4,000 partitions × RF 3 need 12 brokers, more than 5 MB/s needs.
			name: "express partitions bind", service: "msk_express",
			w:    Workload{IngressMBps: 5, ConsumerGroups: 1, Partitions: 4000, BrokerType: "express.m7g.large"},
			step: "brokers for partitions", want: 12,
			check: func(t *testing.T, r Result) {
				if r.BindingConstraint != "partitions per broker" || r.Recommendation.Brokers != 12 {
					t.Fatalf("got %q %+v", r.BindingConstraint, r.Recommendation)
				}
			},
		},
		{
			// Express with one AZ down must stay under the maximum (quota) ingress:
			// 200 MB/s on express.m7g.xlarge (max 46.8) → 200 ÷ 46.8 × 3 ÷ 2 = 6.41 brokers.
			name: "express AZ-down quota", service: "msk_express",
			w:    Workload{IngressMBps: 200, ConsumerGroups: 1, BrokerType: "express.m7g.xlarge"},
			step: "brokers so one AZ down stays under the ingress quota", want: 200 / 46.8 * 3 / 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Size(tc.service, tc.w, b)
			if err != nil {
				t.Fatal(err)
			}
			if got := stepResult(t, r, tc.step); !near(got, tc.want) {
				t.Fatalf("%s = %v, want %v", tc.step, got, tc.want)
			}
			if r.BindingConstraint == "" || r.Recommendation.Summary == "" {
				t.Fatalf("no binding constraint or summary: %+v", r)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestInputErrors(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	for _, tc := range []struct {
		service string
		w       Workload
		want    string
	}{
		{"msk", Workload{}, "ingress_mb_per_second"},
		{"msk", Workload{IngressMBps: 1, AZCount: 4}, "az_count"},
		{"msk", Workload{IngressMBps: 1, BrokerType: "kafka.m6.large"}, "broker_type"},
		{"msk_express", Workload{IngressMBps: 1, BrokerType: "kafka.m5.large"}, "Express size"},
		{"kinesis", Workload{}, "ingress_mb_per_second"},
		{"lambda_esm", Workload{EventSource: "kinesis", RecordsPerSecond: 1, ProcessingMsPerRecord: 1}, "shards"},
		{"lambda_esm", Workload{EventSource: "msk", RecordsPerSecond: 1, ProcessingMsPerRecord: 1}, "partitions"},
		{"lambda_esm", Workload{EventSource: "sqs", RecordsPerSecond: 1}, "processing_ms"},
		{"nope", Workload{}, "service"},
	} {
		_, err := Size(tc.service, tc.w, b)
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: err %v, want ErrInput mentioning %q", tc.service, tc.w, err, tc.want)
		}
	}
}

// Property: more throughput never yields fewer brokers, shards or pollers,
// and broker counts are always multiples of the AZ count.
func TestMonotonicAndAZMultiples(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	rates := []float64{0.5, 1, 3, 7, 15, 40, 90, 200, 450, 900, 1600}
	for _, bt := range append(b.Strings("msk.standard.broker_types"), "") {
		for _, azs := range []int{2, 3} {
			prevBrokers, prevVCPU := 0, 0.0
			for _, in := range rates {
				r, err := MSKStandard(Workload{IngressMBps: in, ConsumerGroups: 2, AZCount: azs, ReplicationFactor: min(azs, 3), BrokerType: bt}, b)
				if err != nil {
					t.Fatal(err)
				}
				n := r.Recommendation.Brokers
				if n%azs != 0 {
					t.Fatalf("%s %g MB/s on %d AZs: %d brokers is not an AZ multiple", bt, in, azs, n)
				}
				vcpu := float64(n) * specFor(b, r.Recommendation.BrokerType).vcpu
				if bt != "" && n < prevBrokers {
					t.Fatalf("%s: %g MB/s gave %d brokers, fewer than %d at a lower rate", bt, in, n, prevBrokers)
				}
				if bt == "" && vcpu < prevVCPU {
					t.Fatalf("auto: %g MB/s gave %g vCPU, less than %g at a lower rate", in, vcpu, prevVCPU)
				}
				prevBrokers, prevVCPU = n, vcpu
			}
		}
	}
	for _, bt := range b.Strings("msk.express.broker_types") {
		prev := 0
		for _, in := range rates {
			r, err := MSKExpress(Workload{IngressMBps: in, ConsumerGroups: 2, BrokerType: bt}, b)
			if err != nil {
				t.Fatal(err)
			}
			if n := r.Recommendation.Brokers; n < prev || n%3 != 0 {
				t.Fatalf("express %s %g MB/s: %d brokers (prev %d)", bt, in, n, prev)
			} else {
				prev = n
			}
		}
	}
	prev := 0
	for _, in := range rates {
		r, err := Kinesis(Workload{IngressMBps: in, AvgRecordBytes: 500, ConsumerGroups: 2}, b)
		if err != nil {
			t.Fatal(err)
		}
		if r.Recommendation.Shards < prev {
			t.Fatalf("kinesis %g MB/s: %d shards < %d", in, r.Recommendation.Shards, prev)
		}
		prev = r.Recommendation.Shards
	}
	for _, src := range []string{"msk", "sqs"} {
		prevMax, prevPF := 0, 0
		for _, rps := range []float64{1, 10, 100, 1000, 5000, 20000, 80000} {
			r, err := LambdaESM(Workload{EventSource: src, PollerMode: "provisioned", Partitions: 5000, RecordsPerSecond: rps, AvgRecordBytes: 200, ProcessingMsPerRecord: 2}, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Recommendation.MaximumPollers < prevMax {
				t.Fatalf("%s %g rec/s: %d pollers < %d", src, rps, r.Recommendation.MaximumPollers, prevMax)
			}
			prevMax = r.Recommendation.MaximumPollers
			k, err := LambdaESM(Workload{EventSource: "kinesis", Shards: 50, RecordsPerSecond: rps, ProcessingMsPerRecord: 2}, b)
			if err != nil {
				t.Fatal(err)
			}
			if k.Recommendation.ParallelizationFactor < prevPF {
				t.Fatalf("kinesis %g rec/s: PF %d < %d", rps, k.Recommendation.ParallelizationFactor, prevPF)
			}
			prevPF = k.Recommendation.ParallelizationFactor
		}
	}
}

func BenchmarkSize(b *testing.B) {
	g := loadTestBase(b)
	cases := map[string]Workload{
		"msk":            {IngressMBps: 200, ConsumerGroups: 3, RetentionHours: 72, Partitions: 600},
		"msk_express":    {IngressMBps: 200, ConsumerGroups: 3, Partitions: 600},
		"msk_serverless": {IngressMBps: 100, ConsumerGroups: 2, Partitions: 60},
		"kinesis":        {IngressMBps: 50, RecordsPerSecond: 60000, ConsumerGroups: 2, EFOConsumers: 3, HotKeyMBps: 0.5},
		"lambda_esm":     {EventSource: "kinesis", Shards: 100, RecordsPerSecond: 100000, AvgRecordBytes: 1000, ProcessingMsPerRecord: 5, BacklogRecords: 1e7},
	}
	for _, svc := range Services() {
		w := cases[svc]
		b.Run(svc, func(b *testing.B) {
			for b.Loop() {
				if _, err := Size(svc, w, g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
