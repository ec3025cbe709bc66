package firehosecfg_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/firehosecfg"
	"github.com/stream-mcp/stream-mcp/internal/integ"
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

func TestSize(t *testing.T) {
	t.Parallel()
	b := base(t)
	for _, tc := range []struct {
		name    string
		w       sizing.Workload
		steps   map[string]float64
		summary string
		warns   int
	}{
		{"small direct put", sizing.Workload{IngressMBps: 1, RecordsPerSecond: 1000},
			map[string]float64{"buffer size": 10, "streams for bytes": 0.2}, "1 Firehose stream(s) from Direct PUT with BufferingHints SizeInMBs 10, IntervalInSeconds 300", 0},
		{"above quota", sizing.Workload{IngressMBps: 20, RecordsPerSecond: 20000},
			map[string]float64{"streams for bytes": 4, "streams for records": 4, "buffer size": 128}, "4 Firehose stream(s)", 1},
		{"latency target", sizing.Workload{IngressMBps: 0.1, LatencyTargetSeconds: 60},
			map[string]float64{"buffer interval": 60, "buffer size": 1}, "IntervalInSeconds 60", 0},
		{"kinesis source, oversized records", sizing.Workload{IngressMBps: 2, Shards: 4, MaxRecordBytes: 2e6},
			map[string]float64{"buffer size": 20}, "from a Kinesis data stream", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := firehosecfg.Size(integ.SizeInput{Workload: tc.w}, b)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, s := range res.Calculation {
				if _, ok := tc.steps[s.Step]; ok {
					got[s.Step] = s.Result
				}
			}
			if diff := cmp.Diff(tc.steps, got, cmpRound()); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if !strings.Contains(res.Recommendation.Summary, tc.summary) {
				t.Errorf("summary %q lacks %q", res.Recommendation.Summary, tc.summary)
			}
			if len(res.Warnings) != tc.warns {
				t.Errorf("warnings %q, want %d", res.Warnings, tc.warns)
			}
		})
	}
	if _, err := firehosecfg.Size(integ.SizeInput{}, b); !errors.Is(err, integ.ErrInput) {
		t.Errorf("empty workload: %v", err)
	}
}

func cmpRound() cmp.Option {
	return cmp.Comparer(func(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 })
}

func TestValidate(t *testing.T) {
	t.Parallel()
	b := base(t)
	s3 := func(extra map[string]any) map[string]any {
		m := map[string]any{"BucketARN": "arn:aws:s3:::b", "RoleARN": "arn:aws:iam::123456789012:role/fh"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		props map[string]any
		want  []string
	}{
		{"good kinesis", map[string]any{"DeliveryStreamType": "KinesisStreamAsSource",
			"KinesisStreamSourceConfiguration":   map[string]any{"KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "RoleARN": "arn:aws:iam::123456789012:role/fh"},
			"ExtendedS3DestinationConfiguration": s3(map[string]any{"BufferingHints": map[string]any{"SizeInMBs": 64, "IntervalInSeconds": 300}})}, nil},
		{"msk private info", map[string]any{"DeliveryStreamType": "MSKAsSource",
			"MSKSourceConfiguration": map[string]any{"MSKClusterARN": "arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1", "TopicName": "t",
				"AuthenticationConfiguration": map[string]any{"Connectivity": "PRIVATE", "RoleARN": "arn:aws:iam::123456789012:role/fh"}},
			"ExtendedS3DestinationConfiguration": s3(nil)}, []string{"info firehose_stream.msk.connectivity"}},
		{"msk missing pieces", map[string]any{"DeliveryStreamType": "MSKAsSource",
			"MSKSourceConfiguration":             map[string]any{"AuthenticationConfiguration": map[string]any{"Connectivity": "VPC"}},
			"ExtendedS3DestinationConfiguration": s3(nil)},
			[]string{"error firehose_stream.msk", "error firehose_stream.msk", "error firehose_stream.msk", "error firehose_stream.msk.connectivity"}},
		{"type mismatch, two destinations, bad buffering, dynamic zero", map[string]any{
			"KinesisStreamSourceConfiguration": map[string]any{},
			"S3DestinationConfiguration":       s3(map[string]any{"BufferingHints": map[string]any{"SizeInMBs": 200}}),
			"ExtendedS3DestinationConfiguration": s3(map[string]any{"BufferingHints": map[string]any{"SizeInMBs": 64, "IntervalInSeconds": 0},
				"DynamicPartitioningConfiguration": map[string]any{"Enabled": true}})},
			[]string{"error firehose_stream.buffering_hints", "error firehose_stream.buffering_hints", "error firehose_stream.destination", "error firehose_stream.dynamic_partitioning",
				"error firehose_stream.source_configuration", "info firehose_stream.dynamic_partitioning"}},
		{"kinesis without config", map[string]any{"DeliveryStreamType": "KinesisStreamAsSource", "ExtendedS3DestinationConfiguration": s3(nil)}, []string{"error firehose_stream.source_configuration"}},
		{"bad type", map[string]any{"DeliveryStreamType": "S3AsSource", "ExtendedS3DestinationConfiguration": s3(nil)}, []string{"error firehose_stream.type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := firehosecfg.Validate(integ.ValidateInput{Config: tc.props}, b)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range res.Violations {
				got = append(got, string(v.Severity)+" "+v.RuleID)
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := firehosecfg.Validate(integ.ValidateInput{Text: "x"}, b); !errors.Is(err, integ.ErrInput) {
		t.Errorf("text: %v", err)
	}
}

func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := base(t)
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "firehose.")
}
