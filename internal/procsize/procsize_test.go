package procsize

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

func base(t *testing.T) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func stepResult(t *testing.T, r sizing.Result, name string) float64 {
	t.Helper()
	for _, s := range r.Calculation {
		if s.Step == name {
			return s.Result
		}
	}
	t.Fatalf("no step %q in %+v", name, r.Calculation)
	return 0
}

func hasWarning(r sizing.Result, sub string) bool {
	for _, w := range r.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestGlue(t *testing.T) {
	t.Parallel()
	b := base(t)
	tests := []struct {
		name      string
		in        Input
		workers   int
		shards    int
		binding   string
		warn      string
		keepsUp   *bool
		stepName  string
		stepValue float64
	}{
		// The post: 32 cores on Glue 3.0 G.1X = a driver and 8 workers = 9 nodes, with 32 shards.
		{name: "post 32 cores", in: Input{GlueVersion: "3.0", WorkerType: "G.1X", CoresNeeded: 32, Source: "kinesis"}, workers: 9, shards: 32, binding: "Spark cores needed"},
		// Doubled volume: 16 + 1 driver = 17, 64 shards.
		{name: "post doubled", in: Input{GlueVersion: "3.0", WorkerType: "G.1X", CoresNeeded: 64, Source: "kinesis"}, workers: 17, shards: 64},
		// One shard you do not control, 8 cores of work: 3 G.1X nodes and repartition.
		{name: "post one shard", in: Input{GlueVersion: "3.0", WorkerType: "G.1X", CoresNeeded: 8, Source: "kinesis", Shards: 1}, workers: 3, binding: "source shards", warn: "adding workers alone will not help"},
		// Glue 2.0 ran 8 Spark cores per G.1X: 32 cores = 4 executors + driver.
		{name: "glue 2 cores", in: Input{GlueVersion: "2.0", WorkerType: "G.1X", CoresNeeded: 32}, workers: 5, shards: 32, warn: "no auto scaling"},
		{name: "small worker", in: Input{GlueVersion: "4.0", WorkerType: "G.025X", CoresNeeded: 4, Source: "kafka", Partitions: 4}, workers: 3},
		// The post's rates: 1,000 records, 10 s interval, 5 s processing → input 100/s, process 200/s.
		{name: "post rates", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 1000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 5}, workers: 2, keepsUp: boolPtr(true), stepName: "process rate", stepValue: 200},
		{name: "input rate", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 1000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 5}, workers: 2, stepName: "input rate", stepValue: 100},
		{name: "worst latency", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 1000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 5}, workers: 2, stepName: "worst-case latency", stepValue: 15},
		{name: "at max capacity", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 3000, TriggerIntervalSeconds: 3, BatchProcessingSeconds: 3.5}, workers: 2, keepsUp: boolPtr(false), binding: "micro-batch processing time", warn: "at maximum capacity"},
		{name: "limit hit", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 1000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 5, RecordsPerSecond: 500}, workers: 2, keepsUp: boolPtr(false), binding: "records per batch limit", warn: "backlog builds silently"},
		// 1,000,000 per batch over 4 shards = 250,000 per shard, rounded to a multiple of 10,000, above the 100,000 default.
		{name: "fetch spread", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 1000000, TriggerIntervalSeconds: 60, BatchProcessingSeconds: 20}, workers: 2, warn: "default maxFetchRecordsPerShard", stepName: "per-shard fetch limit (maxFetchRecordsPerShard)", stepValue: 250000},
		{name: "kafka spread", in: Input{CoresNeeded: 4, Source: "kafka", Partitions: 8, BatchRecords: 8000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 2}, workers: 2, warn: "queue behind", stepName: "batch limit per partition", stepValue: 1000},
		{name: "cores from shards", in: Input{Shards: 12}, workers: 4, stepName: "cores needed", stepValue: 12},
		// The post's method: total records/s ÷ one core's benchmark rate.
		{name: "cores from benchmark", in: Input{RecordsPerSecond: 10000, CoreRecordsPerSecond: 400, Source: "kinesis"}, workers: 8, shards: 25, stepName: "cores needed", stepValue: 25},
		{name: "latency target missed", in: Input{CoresNeeded: 4, Shards: 4, BatchRecords: 1000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 5, LatencyTargetSeconds: 12}, workers: 2, warn: "misses the 12s target", stepName: "longest batch duration for the latency target", stepValue: 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Glue(tc.in, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Recommendation.Workers != tc.workers {
				t.Errorf("workers = %d, want %d (%s)", r.Recommendation.Workers, tc.workers, r.Recommendation.Summary)
			}
			if tc.shards != 0 && r.Recommendation.Shards != tc.shards {
				t.Errorf("shards = %d, want %d", r.Recommendation.Shards, tc.shards)
			}
			if tc.binding != "" && r.BindingConstraint != tc.binding {
				t.Errorf("binding = %q, want %q", r.BindingConstraint, tc.binding)
			}
			if tc.warn != "" && !hasWarning(r, tc.warn) {
				t.Errorf("no warning with %q in %v", tc.warn, r.Warnings)
			}
			if diff := cmp.Diff(tc.keepsUp, r.Recommendation.KeepsUp); tc.keepsUp != nil && diff != "" {
				t.Errorf("keeps_up (-want +got):\n%s", diff)
			}
			if tc.stepName != "" {
				if got := stepResult(t, r, tc.stepName); got != tc.stepValue {
					t.Errorf("%s = %g, want %g", tc.stepName, got, tc.stepValue)
				}
			}
			if len(r.References) == 0 {
				t.Error("no references")
			}
		})
	}
}

func TestFlink(t *testing.T) {
	t.Parallel()
	b := base(t)
	tests := []struct {
		name        string
		in          Input
		parallelism int
		billed      int
		warn        string
	}{
		{"defaults from shards", Input{Shards: 4}, 4, 5, ""},
		{"ppk packs subtasks", Input{Parallelism: 16, ParallelismPerKPU: 2}, 16, 9, ""},
		{"odd division rounds up", Input{Parallelism: 5, ParallelismPerKPU: 2}, 5, 4, ""},
		{"from kpu", Input{KPU: 3, ParallelismPerKPU: 4}, 12, 4, ""},
		{"idle source subtasks", Input{Parallelism: 8, Source: "kafka", Partitions: 6}, 8, 9, "2 source subtasks idle"},
		{"over quota", Input{Parallelism: 80}, 80, 81, "quota"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Flink(tc.in, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Recommendation.Parallelism != tc.parallelism || r.Recommendation.KPU != tc.billed {
				t.Errorf("got parallelism %d, KPU %d; want %d, %d", r.Recommendation.Parallelism, r.Recommendation.KPU, tc.parallelism, tc.billed)
			}
			if tc.warn != "" && !hasWarning(r, tc.warn) {
				t.Errorf("no warning with %q in %v", tc.warn, r.Warnings)
			}
		})
	}
	r, _ := Flink(Input{Parallelism: 16, ParallelismPerKPU: 2}, b)
	if got := stepResult(t, r, "memory"); got != 32 {
		t.Errorf("memory = %g GB, want 32 (8 KPU × 4 GB)", got)
	}
	if got := stepResult(t, r, "running application storage"); got != 400 {
		t.Errorf("storage = %g GB, want 400", got)
	}
}

func TestConnect(t *testing.T) {
	t.Parallel()
	b := base(t)
	tests := []struct {
		name    string
		in      Input
		workers int
		tasks   int
		vcpu    float64
		warn    string
	}{
		{"provisioned", Input{Workers: 2, MCUPerWorker: 2, Partitions: 8}, 2, 8, 4, ""},
		{"autoscaled bound by tasks", Input{Partitions: 3}, 3, 3, 3, ""},
		{"autoscaled bound by limit", Input{Partitions: 40, MCUPerWorker: 4}, 10, 40, 40, ""},
		{"idle tasks", Input{Workers: 1, TasksMax: 12, Partitions: 6}, 1, 12, 1, "6 sink tasks get no partition"},
		{"idle workers", Input{Workers: 4, TasksMax: 2}, 4, 2, 4, "2 workers run no task"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Connect(tc.in, b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Recommendation.Workers != tc.workers || r.Recommendation.Tasks != tc.tasks {
				t.Errorf("workers %d tasks %d, want %d %d", r.Recommendation.Workers, r.Recommendation.Tasks, tc.workers, tc.tasks)
			}
			if got := stepResult(t, r, "connector vCPU"); got != tc.vcpu {
				t.Errorf("vCPU = %g, want %g", got, tc.vcpu)
			}
			if tc.warn != "" && !hasWarning(r, tc.warn) {
				t.Errorf("no warning with %q in %v", tc.warn, r.Warnings)
			}
		})
	}
}

func TestKCL(t *testing.T) {
	t.Parallel()
	b := base(t)
	tests := []struct {
		name      string
		in        Input
		perWorker float64
		binding   string
		warn      string
	}{
		{"post workload v2", Input{Shards: 4, Workers: 2, KCLVersion: "2.6", IngressMBps: 2.5}, 2, "shards (leases)", "same number of leases"},
		{"v3 tables", Input{Shards: 4, Workers: 3}, 2, "shards (leases)", "WorkerMetricStats"},
		{"idle workers", Input{Shards: 2, Workers: 5}, 1, "", "3 workers hold no lease"},
		{"polling shares read", Input{Shards: 2, Workers: 2, Retrieval: "polling", ConsumerApps: 3, IngressMBps: 2}, 1, "shared GetRecords throughput", "move some applications"},
		{"polling too many apps", Input{Shards: 2, Retrieval: "polling", ConsumerApps: 8}, 1, "GetRecords calls per shard", "exceed the 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := KCL(tc.in, b)
			if err != nil {
				t.Fatal(err)
			}
			if got := stepResult(t, r, "leases per worker"); got != tc.perWorker {
				t.Errorf("leases per worker = %g, want %g", got, tc.perWorker)
			}
			if tc.binding != "" && r.BindingConstraint != tc.binding {
				t.Errorf("binding = %q, want %q", r.BindingConstraint, tc.binding)
			}
			if tc.warn != "" && !hasWarning(r, tc.warn) {
				t.Errorf("no warning with %q in %v", tc.warn, r.Warnings)
			}
		})
	}
}

func TestKPL(t *testing.T) {
	t.Parallel()
	b := base(t)
	// 5,000 records/s of 100 bytes = 0.5 MB/s: 5 shards by records without
	// aggregation, 1 with (512 records per 51,200-byte aggregated record).
	r, err := KPL(Input{RecordsPerSecond: 5000, AvgRecordBytes: 100, Shards: 2}, b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Recommendation.Shards != 1 || stepResult(t, r, "user records per aggregated record") != 512 || stepResult(t, r, "shards for records without aggregation") != 5 {
		t.Errorf("got %s; %+v", r.Recommendation.Summary, r.Calculation)
	}
	if !hasWarning(r, "saves 4 shards") {
		t.Errorf("warnings %v", r.Warnings)
	}
	// Large records: bytes bind either way.
	r, _ = KPL(Input{RecordsPerSecond: 100, AvgRecordBytes: 100000, Shards: 5}, b)
	if r.Recommendation.Shards != 10 || r.BindingConstraint != "write MB/s per shard" || !hasWarning(r, "WriteProvisionedThroughputExceeded") {
		t.Errorf("got %d shards, %q, %v", r.Recommendation.Shards, r.BindingConstraint, r.Warnings)
	}
}

func TestSizeRejectsBadInput(t *testing.T) {
	t.Parallel()
	b := base(t)
	tests := []struct {
		service string
		in      Input
		want    string
	}{
		{"glue_streaming", Input{}, "cores_needed"},
		{"glue_streaming", Input{CoresNeeded: 4, GlueVersion: "1.0"}, "MaxCapacity"},
		{"glue_streaming", Input{CoresNeeded: 4, GlueVersion: "2.0", WorkerType: "G.025X"}, "needs AWS Glue 3"},
		{"glue_streaming", Input{CoresNeeded: 4, WorkerType: "G.3X"}, "worker_type"},
		{"glue_streaming", Input{CoresNeeded: 4, GlueVersion: "four"}, "version number"},
		{"glue_streaming", Input{CoresNeeded: 4, GlueVersion: "NaN"}, "version number"},
		{"glue_streaming", Input{CoresNeeded: 4, GlueVersion: "+Inf"}, "version number"},
		{"flink", Input{}, "parallelism"},
		{"flink", Input{Parallelism: 4, ParallelismPerKPU: 9}, "maximum"},
		{"msk_connect", Input{MCUPerWorker: 3}, "mcu_per_worker"},
		{"msk_connect", Input{Workers: 11}, "per connector"},
		{"kcl", Input{}, "shards"},
		{"kcl", Input{Shards: 1, KCLVersion: "1.14"}, "kcl_version"},
		{"kcl", Input{Shards: 1, Retrieval: "push"}, "retrieval"},
		{"kcl", Input{Shards: -1}, "non-negative"},
		{"glue_streaming", Input{CoresNeeded: 2, Source: "sqs"}, "source"},
		{"kpl", Input{RecordsPerSecond: 10}, "avg_record_bytes"},
		{"spark", Input{}, "service"},
	}
	for _, tc := range tests {
		_, err := Size(tc.service, tc.in, b)
		if !errors.Is(err, sizing.ErrInput) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: err %v, want sizing.ErrInput mentioning %q", tc.service, tc.in, err, tc.want)
		}
	}
}

// TestNoDeadFacts fails when an entry of the processor tables (glue, flink,
// mskconnect, kcl, kpl) is read by none of the code that owns them
// (procsize, proccfg, streamguide); ids built from a prefix count as read.
func TestNoDeadFacts(t *testing.T) {
	t.Parallel()
	b := base(t)
	prefixes := []string{"glue.", "flink.", "mskconnect.", "kcl.", "kpl."}
	used := map[string]bool{}
	for _, dir := range []string{".", "../proccfg", "../streamguide"} {
		ids, err := limitcheck.IDLiterals(dir, prefixes...)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			used[id] = true
		}
	}
	composed := []string{"glue.v2.spark_cores.", "glue.v3.spark_cores.", "glue.dpu."}
	for _, l := range b.All() {
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(l.ID, p) }) || used[l.ID] ||
			slices.ContainsFunc(composed, func(p string) bool { return strings.HasPrefix(l.ID, p) }) {
			continue
		}
		t.Errorf("guidance entry %s is read by no code", l.ID)
	}
}

func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := base(t)
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "glue.", "flink.", "mskconnect.", "kcl.", "kinesis.", "sizing.")
}

// Regression (QA set): the Glue post's micro-batch question (1,000 records
// per batch, a 10 s trigger, 5 s of processing) was refused until cores or
// shards were sent; the batch alone answers the rates and the latency.
func TestGlueMicroBatchWithoutCores(t *testing.T) {
	t.Parallel()
	res, err := Size("glue_streaming", Input{BatchRecords: 1000, TriggerIntervalSeconds: 10, BatchProcessingSeconds: 5}, base(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, c := range res.Calculation {
		got[c.Step] = c.Result
	}
	if got["input rate"] != 100 || got["process rate"] != 200 || got["worst-case latency"] != 15 {
		t.Fatalf("calculation = %v; want input 100/s, process 200/s, worst case 15 s", got)
	}
	if res.Recommendation.Workers != 0 || len(res.Warnings) == 0 {
		t.Fatalf("without cores there is no worker count, and the answer must say what would give one: %+v", res)
	}
}
