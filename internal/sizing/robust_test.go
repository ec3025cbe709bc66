package sizing

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
)

// Property: whatever the numbers, a calculator either answers with a result
// that encodes as JSON (no NaN or Inf anywhere) or returns ErrInput; it never
// panics.
func TestRobustToAnyWorkload(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	rng := rand.New(rand.NewPCG(7, 11))
	neg := false
	pick := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return 0
		case 1:
			if neg {
				return -rng.Float64() * 10
			}
			return 0
		case 2:
			return rng.Float64() * 1e-3
		case 3:
			return rng.Float64() * 1e7
		}
		return rng.Float64() * 1000
	}
	sources := []string{"kinesis", "dynamodb", "sqs", "sqs_fifo", "msk", "self_managed_kafka", "", "mq"}
	types := append(append([]string{""}, b.Strings("msk.standard.broker_types")...), b.Strings("msk.express.broker_types")...)
	answered := 0
	for i := range 3000 {
		neg = i%50 == 0 // mostly valid numbers, so the calculators run
		w := Workload{
			IngressMBps: pick(), EgressMBps: pick(), ConsumerGroups: pick(), EFOConsumers: int(pick()),
			RecordsPerSecond: pick(), AvgRecordBytes: pick(), MaxRecordBytes: pick(), RetentionHours: pick(),
			ReplicationFactor: rng.IntN(5) - 1, Partitions: int(pick()), AZCount: rng.IntN(5) - 1, PeakFactor: pick(),
			BrokerType: types[rng.IntN(len(types))], HotKeyMBps: pick(), OnDemandAdvantage: rng.IntN(2) == 0,
			CompactedPartitions: int(pick()), EventSource: sources[rng.IntN(len(sources))], Shards: int(pick()),
			ProcessingMsPerRecord: pick(), ProcessingMsPerBatch: pick(), BatchSize: int(pick()), ParallelizationFactor: rng.IntN(13) - 1,
			BatchingWindowSeconds: pick(), LatencyTargetSeconds: pick(), BacklogRecords: pick(), FunctionTimeoutSeconds: pick(),
			PollerMode: []string{"", "on_demand", "provisioned"}[rng.IntN(3)], VisibilityTimeoutSeconds: pick(),
		}
		svc := Services()[rng.IntN(len(Services()))]
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("case %d %s %+v: panic %v", i, svc, w, r)
				}
			}()
			res, err := Size(svc, w, b)
			if err != nil {
				if !errors.Is(err, ErrInput) {
					t.Fatalf("case %d %s: error %v does not wrap ErrInput", i, svc, err)
				}
				return
			}
			if _, err := json.Marshal(res); err != nil {
				t.Fatalf("case %d %s %+v: result does not encode: %v", i, svc, w, err)
			}
			answered++
		}()
	}
	t.Logf("%d of 3000 random workloads answered", answered)
	if answered < 500 {
		t.Fatalf("only %d of 3000 random workloads were answered; the property is too weak", answered)
	}
}
