package aws

import (
	"strings"
	"testing"
)

func keysOf(qs []MetricQuery) string {
	var ks []string
	for _, q := range qs {
		ks = append(ks, q.Key)
	}
	return strings.Join(ks, ",")
}

func TestESMMetricQueriesPerSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source     string
		want, deny []string
	}{
		{SourceKinesis, []string{KeyIteratorAgeMs, KeyPolledEvents, KeyDroppedEvents, KeyOnFailureDelivered}, []string{KeyOffsetLag, KeyDeletedEvents, KeyProvisionedPollers, KeyESMMaxOffsetLag}},
		{SourceDynamoDB, []string{KeyIteratorAgeMs, KeyDroppedEvents}, []string{KeyOffsetLag, KeyCommittedEvents}},
		{SourceSQS, []string{KeyPolledEvents, KeyDeletedEvents, KeyProvisionedPollers}, []string{KeyIteratorAgeMs, KeyOffsetLag, KeyDroppedEvents}},
		{SourceMSK, []string{KeyOffsetLag, KeyCommittedEvents, KeyESMMaxOffsetLag, KeyESMSumOffsetLag, KeyPollingErrors, KeyProvisionedPollers}, []string{KeyIteratorAgeMs, KeyDeletedEvents}},
		{SourceSelfManagedKafka, []string{KeyOffsetLag, KeyInvokeErrors}, []string{KeyIteratorAgeMs}},
	}
	for _, tc := range tests {
		t.Run(tc.source, func(t *testing.T) {
			t.Parallel()
			qs := ESMMetricQueries("uuid-1", "fn", tc.source)
			ks := "," + keysOf(qs) + ","
			for _, k := range tc.want {
				if !strings.Contains(ks, ","+k+",") {
					t.Errorf("missing %s in %s", k, ks)
				}
			}
			for _, k := range tc.deny {
				if strings.Contains(ks, ","+k+",") {
					t.Errorf("%s does not apply to %s", k, tc.source)
				}
			}
			for _, q := range qs {
				if q.Namespace != NamespaceLambda || len(q.Dimensions) != 1 || q.Stat == "" {
					t.Errorf("query %+v", q)
				}
				byFn := q.Key == KeyIteratorAgeMs || q.Key == KeyOffsetLag
				if want := map[bool]string{true: "FunctionName", false: "EventSourceMappingUUID"}[byFn]; q.Dimensions[0].Name != want {
					t.Errorf("%s dimension %s, want %s", q.Key, q.Dimensions[0].Name, want)
				}
			}
		})
	}
	if qs := ESMMetricQueries("", "fn", SourceKinesis); keysOf(qs) != KeyIteratorAgeMs {
		t.Errorf("without a UUID only the per-function series: %s", keysOf(qs))
	}
}

func TestMSKAndFunctionAndShardQueries(t *testing.T) {
	t.Parallel()
	msk := MSKConsumerLagQueries("prod", "g1", "orders")
	if len(msk) != 3 || msk[0].Namespace != NamespaceKafka || msk[0].Dimensions[0].Name != "Cluster Name" || msk[0].Dimensions[1].Name != "Consumer Group" {
		t.Fatalf("msk = %+v", msk)
	}
	if fn := FunctionMetricQueries("fn"); len(fn) != 5 || fn[3].Stat != "Maximum" {
		t.Fatalf("function = %+v", fn)
	}
	if qs := KinesisShardQueries("s", nil, []string{"a"}); len(qs) != 0 {
		t.Fatalf("no enhanced metrics must mean no shard queries: %+v", qs)
	}
	qs := KinesisShardQueries("s", []string{"IncomingRecords", "OutgoingBytes"}, []string{"a", "b"})
	if len(qs) != 2 || qs[0].Key != ShardKey(KeyKinesisIncomingRecords, "a") || qs[1].Dimensions[1].Value != "b" {
		t.Fatalf("shard queries = %+v", qs)
	}
}
