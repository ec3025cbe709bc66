package aws

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

const kinesisSimScenario = `
name: kinesis-inspector
kinesis:
  streams:
    - StreamName: orders
      ShardCount: 7
      EnhancedMonitoring: [IncomingBytes, WriteProvisionedThroughputExceeded]
      Consumers: [{ConsumerName: a}, {ConsumerName: b}]
metrics:
  series:
    - {Namespace: AWS/Kinesis, MetricName: IncomingBytes, Dimensions: {StreamName: orders}, From: 100, To: 6000}
    - {Namespace: AWS/Kinesis, MetricName: GetRecords.IteratorAgeMilliseconds, Dimensions: {StreamName: orders}, Value: 250}
    - {Namespace: AWS/Kinesis, MetricName: IncomingBytes, Dimensions: {StreamName: orders, ShardId: shardId-000000000003}, Value: 42}
`

func simClients(t *testing.T, yml string, faults string) (*awssim.Server, *kinesis.Client, *cloudwatch.Client) {
	t.Helper()
	sc, err := awssim.Parse("unit", []byte(yml+faults))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")
	k := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(srv.URL()), Credentials: creds, RetryMaxAttempts: 1})
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(srv.URL()), Credentials: creds, RetryMaxAttempts: 1})
	return srv, k, cw
}

func TestKinesisStreamAgainstSimulator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		faults        string
		pageSize      int32
		wantShards    int
		shardsKind    string
		consumersKind string
		wantCalls     int
	}{
		{name: "paginated shards", pageSize: 3, wantShards: 7, wantCalls: 1 + 3 + 1},
		{name: "ListShards denied", faults: "faults: [{service: kinesis, operation: ListShards, error: access_denied}]", shardsKind: "access_denied", wantCalls: 3},
		{name: "ListShards throttled", pageSize: 3,
			faults: "faults: [{service: kinesis, operation: ListShards, error: throttling, count: 2}]", shardsKind: "throttled", wantCalls: 3},
		{name: "consumers 5xx", faults: "faults: [{service: kinesis, operation: ListStreamConsumers, error: server_error}]", wantShards: 7, consumersKind: "unavailable", wantCalls: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, k, _ := simClients(t, kinesisSimScenario, tc.faults)
			st, err := NewKinesis(k, KinesisOptions{ShardPageSize: tc.pageSize}).Stream(t.Context(), "orders")
			if err != nil {
				t.Fatal(err)
			}
			if len(st.OpenShards()) != tc.wantShards {
				t.Errorf("open shards = %d, want %d", len(st.OpenShards()), tc.wantShards)
			}
			if got := kindOf(st.ShardsUnknown); got != tc.shardsKind {
				t.Errorf("shards unknown = %+v, want kind %q", st.ShardsUnknown, tc.shardsKind)
			}
			if got := kindOf(st.ConsumersUnknown); got != tc.consumersKind {
				t.Errorf("consumers unknown = %+v, want kind %q", st.ConsumersUnknown, tc.consumersKind)
			}
			if tc.shardsKind == "access_denied" && st.ShardsUnknown.MissingPermission != "kinesis:ListShards" {
				t.Errorf("missing permission = %q", st.ShardsUnknown.MissingPermission)
			}
			if tc.consumersKind == "" && len(st.Consumers) != 2 {
				t.Errorf("consumers = %+v", st.Consumers)
			}
			if st.Calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", st.Calls, tc.wantCalls)
			}
			if len(st.EnhancedMetrics) != 2 || st.MaxRecordSizeKiB != 1024 {
				t.Errorf("summary = %+v", st)
			}
			if m := srv.MutatingCalls(); len(m) != 0 {
				t.Fatalf("mutating calls: %+v", m)
			}
		})
	}
}

func kindOf(u *Unknown) string {
	if u == nil {
		return ""
	}
	return u.Kind
}

func TestKinesisStreamErrors(t *testing.T) {
	t.Parallel()
	_, k, _ := simClients(t, kinesisSimScenario, "faults: [{service: kinesis, operation: DescribeStreamSummary, error: access_denied, count: 1}]")
	_, err := NewKinesis(k, KinesisOptions{}).Stream(t.Context(), "orders")
	if u := UnknownFrom("Kinesis:DescribeStreamSummary", err); u == nil || u.Kind != "access_denied" {
		t.Fatalf("denied summary: %v -> %+v", err, u)
	}
	_, err = NewKinesis(k, KinesisOptions{}).Stream(t.Context(), "arn:aws:kinesis:us-east-1:123456789012:stream/missing")
	if !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func TestMetricsFetchAgainstSimulator(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	w := WindowEnding(end, time.Hour)
	qs := append(KinesisStreamQueries("orders"), KinesisShardQueries("orders", []string{"IncomingBytes"}, []string{"shardId-000000000003", "shardId-000000000004"})...)

	t.Run("series, summaries and no_data", func(t *testing.T) {
		t.Parallel()
		srv, _, cw := simClients(t, kinesisSimScenario, "")
		b := NewMetrics(cw, MetricsOptions{TrendZ: 1.96}).Fetch(context.Background(), w, qs)
		in, _ := b.Get(KeyKinesisIncomingBytes)
		if in.Status != SeriesOK || in.Summary.Points != 60 || in.Summary.Trend != TrendRising || in.Summary.Latest != 6000 || in.Summary.Max != 6000 {
			t.Fatalf("incoming = %+v %+v", in.Status, in.Summary)
		}
		age, _ := b.Get(KeyKinesisIteratorAgeMs)
		if age.Summary == nil || age.Summary.Trend != TrendFlat || age.Summary.Latest != 250 {
			t.Fatalf("age = %+v", age.Summary)
		}
		if thr, _ := b.Get(KeyKinesisWriteThrottled); thr.Status != SeriesNoData {
			t.Fatalf("throttled = %+v", thr)
		}
		if sh, _ := b.Get(ShardKey(KeyKinesisIncomingBytes, "shardId-000000000003")); sh.Status != SeriesOK || sh.Summary.Sum != 42*60 {
			t.Fatalf("shard series = %+v", sh)
		}
		if b.Calls != 1 || len(srv.MutatingCalls()) != 0 {
			t.Fatalf("calls = %d, mutating %+v", b.Calls, srv.MutatingCalls())
		}
	})
	t.Run("denied becomes unknown with the permission", func(t *testing.T) {
		t.Parallel()
		_, _, cw := simClients(t, kinesisSimScenario, "faults: [{service: monitoring, operation: GetMetricData, error: access_denied}]")
		b := NewMetrics(cw, MetricsOptions{}).Fetch(context.Background(), w, qs)
		if len(b.Series) != len(qs) {
			t.Fatalf("%d series for %d queries: every query must come back, as unknown", len(b.Series), len(qs))
		}
		for _, s := range b.Series {
			if s.Status != SeriesUnknown || s.Unknown == nil || s.Unknown.Kind != "access_denied" || !strings.Contains(s.Unknown.MissingPermission, "GetMetricData") {
				t.Fatalf("series %s = %+v %+v", s.Query.Key, s.Status, s.Unknown)
			}
		}
	})
	t.Run("more than one page and more than 500 queries", func(t *testing.T) {
		t.Parallel()
		_, _, cw := simClients(t, kinesisSimScenario, "")
		var ids []string
		for i := range 130 {
			ids = append(ids, "shardId-"+strings.Repeat("0", 9)+string(rune('a'+i%26))+string(rune('a'+i/26)))
		}
		many := KinesisShardQueries("orders", []string{"ALL"}, ids) // 5 x 130 = 650 queries
		b := NewMetrics(cw, MetricsOptions{}).Fetch(context.Background(), w, many)
		// 500 queries per call; these series have no data points, and
		// CloudWatch pages by data points, so each batch is one call.
		if len(b.Series) != 650 || b.Calls != 2 {
			t.Fatalf("series %d calls %d", len(b.Series), b.Calls)
		}
	})
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	pts := func(vs ...float64) []MetricPoint {
		out := make([]MetricPoint, len(vs))
		for i, v := range vs {
			out[i] = MetricPoint{At: time.Unix(int64(60*i), 0), Value: v}
		}
		return out
	}
	tests := []struct {
		name  string
		in    []MetricPoint
		trend string
		max   float64
	}{
		{"empty", nil, TrendInsufficient, 0},
		{"three points", pts(1, 2, 3), TrendInsufficient, 3},
		{"rising", pts(1, 2, 3, 4, 5, 6, 7, 8), TrendRising, 8},
		{"falling", pts(9, 8, 7, 6, 5, 4, 3, 2), TrendFalling, 9},
		{"noise is flat", pts(5, 9, 4, 8, 5, 9, 4, 8), TrendFlat, 9},
		{"constant is flat", pts(3, 3, 3, 3, 3), TrendFlat, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Summarize(tc.in, 1.96)
			if s.Trend != tc.trend || (len(tc.in) > 0 && s.Max != tc.max) {
				t.Fatalf("summary = %+v", s)
			}
		})
	}
}

func TestWindowEnding(t *testing.T) {
	t.Parallel()
	end := time.Date(2026, 11, 22, 12, 0, 30, 0, time.UTC)
	if w := WindowEnding(end, time.Hour); w.Period != time.Minute || !w.End.Equal(end.Truncate(time.Minute)) {
		t.Fatalf("1h window = %+v", w)
	}
	if w := WindowEnding(end, 24*time.Hour); w.Period != 4*time.Minute || w.End.Sub(w.Start) != 24*time.Hour {
		t.Fatalf("24h window = %+v", w)
	}
}
