package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/testenv/kinesislocal"
	"github.com/stream-mcp/stream-mcp/internal/toolsnap"
)

// kinesisDeps points the read deps at endpoint with static credentials and
// no SDK retries, so injected faults surface at once.
func kinesisDeps(t *testing.T, endpoint, region string) ReadDeps {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg := sdkaws.Config{Region: region, BaseEndpoint: sdkaws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	return ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AWS: aws.NewFromConfig(cfg, aws.Options{MaxAttempts: 1, CallTimeout: 5 * time.Second})}
}

// simWithFaults serves an embedded scenario with extra faults appended.
func simWithFaults(t *testing.T, name string, faults []awssim.Fault) *awssim.Server {
	t.Helper()
	sc, err := awssim.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults = append(sc.Faults, faults...)
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func decodeKinesisOut(t *testing.T, res *mcp.CallToolResult) kinesisInspectOut {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %+v", res.Content)
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var out kinesisInspectOut
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKinesisInspectSchemaAndAccess(t *testing.T) {
	t.Parallel()
	st := KinesisInspect(kinesisDeps(t, "http://127.0.0.1:1", "us-east-1"))
	toolsnap.Check(t, "kinesis_inspect", publishedTool(t, "kinesis_inspect"))
	if acc, err := server.AccessOf(st.Tool); err != nil || acc != server.Read {
		t.Fatalf("access %v %v, want read", acc, err)
	}
}

func TestKinesisInspectScenarios(t *testing.T) {
	t.Parallel()
	denied := func(op string) []awssim.Fault {
		return []awssim.Fault{{Service: op[:strings.Index(op, ":")], Operation: op[strings.Index(op, ":")+1:], Error: "access_denied"}}
	}
	tests := []struct {
		name     string
		scenario string
		faults   []awssim.Fault
		args     string
		check    func(t *testing.T, o kinesisInspectOut)
		toolErr  string
	}{
		{
			name: "hot shard", scenario: "kinesis-hot-shard", args: `{"stream_name":"web-requests","limit":2}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Writes == nil || o.Writes.Classification != "hot_shard" || o.Writes.Bound != "records" ||
					len(o.Writes.HotShards) != 1 || o.Writes.HotShards[0].ShardID != "shardId-000000000000" {
					t.Fatalf("writes = %+v", o.Writes)
				}
				if o.ShardMetrics != "on" || !o.Truncated || o.NextOffset != 2 || len(o.Shards.Page) != 2 || o.Shards.Open != 4 || !o.Shards.Even {
					t.Fatalf("shards = %+v next %d truncated %v", o.Shards, o.NextOffset, o.Truncated)
				}
				if p := o.Shards.Page[0]; p.PeakRecordsPerSec == nil || *p.PeakRecordsPerSec != 1040 || p.WriteThrottles == nil || *p.WriteThrottles == 0 {
					t.Fatalf("shard 0 = %+v", p)
				}
				if len(o.Issues) == 0 || o.Issues[0].Severity != "error" || len(o.Consumers.EFO) != 1 {
					t.Fatalf("issues %+v consumers %+v", o.Issues, o.Consumers)
				}
				if o.Stream.Encryption != "KMS" || o.Stream.MaxRecordSizeKiB != 1024 || o.Capacity.WriteRecordsPerSec != 4000 {
					t.Fatalf("stream %+v capacity %+v", o.Stream, o.Capacity)
				}
			},
		},
		{
			name: "hot key: a split shard still at its ceiling", scenario: "kinesis-hot-key", args: `{"stream_name":"tenant-events"}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Writes == nil || o.Writes.Classification != "hot_key" || o.Writes.Bound != "bytes" ||
					len(o.Writes.HotShards) != 1 || o.Writes.HotShards[0].ShardID != "shardId-000000000002" {
					t.Fatalf("writes = %+v", o.Writes)
				}
				if o.Shards.Open != 3 || o.Shards.Closed != 1 || o.Shards.Even || o.Shards.MinKeyspaceFraction != 0.25 {
					t.Fatalf("shards = %+v", o.Shards)
				}
			},
		},
		{
			name: "second page of shards", scenario: "kinesis-hot-shard", args: `{"stream_name":"web-requests","limit":2,"offset":2}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Truncated || len(o.Shards.Page) != 2 || o.Shards.Page[0].ShardID != "shardId-000000000002" {
					t.Fatalf("page = %+v truncated %v", o.Shards.Page, o.Truncated)
				}
			},
		},
		{
			name: "size-bound over capacity, by ARN", scenario: "kinesis-over-capacity",
			args: `{"stream_name":"arn:aws:kinesis:us-east-1:123456789012:stream/media-uploads"}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Writes == nil || o.Writes.Classification != "stream_over_capacity" || o.Writes.Bound != "bytes" || o.Writes.RecommendedShards != 3 || len(o.Writes.HotShards) != 0 {
					t.Fatalf("writes = %+v", o.Writes)
				}
				if p := o.Shards.Page[1]; p.IteratorAgeMaxMs == nil || *p.IteratorAgeMaxMs != 900 || p.ReadThrottles == nil || *p.ReadThrottles != 0 {
					t.Fatalf("shard 1 read side = %+v", p)
				}
			},
		},
		{
			name: "iterator age at risk", scenario: "kinesis-high-iterator-age", args: `{"stream_name":"clickstream","window_minutes":30}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.IteratorAge == nil || !o.IteratorAge.AtRisk || o.IteratorAge.Trend != "rising" || o.Writes.Classification != "none" {
					t.Fatalf("age = %+v writes %+v", o.IteratorAge, o.Writes)
				}
				if o.Window.End.Sub(o.Window.Start) != 30*time.Minute || o.PeriodSecs != 60 {
					t.Fatalf("window = %+v", o.Window)
				}
			},
		},
		{
			name: "CloudWatch denied: verdicts unknown, topology still there", scenario: "kinesis-hot-shard", faults: denied("monitoring:GetMetricData"),
			args: `{"stream_name":"web-requests"}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Writes != nil || o.Shards.Open != 4 || len(o.Metrics) == 0 || o.Metrics[0].Status != "unknown" ||
					o.Metrics[0].Unknown == nil || o.Metrics[0].Unknown.MissingPermission != "cloudwatch:GetMetricData" {
					t.Fatalf("out = %+v metrics %+v", o.Writes, o.Metrics)
				}
				if o.Issues[0].Title != "write metrics unknown" {
					t.Fatalf("issues = %+v", o.Issues)
				}
			},
		},
		{
			name: "ListShards denied: shards unknown, verdict from the summary's count", scenario: "kinesis-over-capacity", faults: denied("kinesis:ListShards"),
			args: `{"stream_name":"media-uploads"}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Shards.Unknown == nil || o.Shards.Unknown.MissingPermission != "kinesis:ListShards" || o.Writes == nil || o.Writes.Classification != "stream_over_capacity" {
					t.Fatalf("shards = %+v writes %+v", o.Shards, o.Writes)
				}
				if o.ShardMetrics != "off" {
					t.Fatalf("shard metrics %s without a shard list", o.ShardMetrics)
				}
			},
		},
		{
			name: "summary throttled: metrics still read by name", scenario: "kinesis-over-capacity",
			faults: []awssim.Fault{{Service: "kinesis", Operation: "DescribeStreamSummary", Error: "throttling"}},
			args:   `{"stream_name":"media-uploads"}`,
			check: func(t *testing.T, o kinesisInspectOut) {
				if o.Stream.Unknown == nil || o.Stream.Unknown.Kind != "throttled" || o.Capacity != nil || len(o.Metrics) == 0 || o.Metrics[0].Status != "ok" {
					t.Fatalf("stream = %+v metrics %+v", o.Stream, o.Metrics)
				}
			},
		},
		{name: "not found", scenario: "kinesis-hot-shard", args: `{"stream_name":"nope"}`, toolErr: "not found"},
		{name: "missing name", scenario: "kinesis-hot-shard", args: `{}`, toolErr: "stream_name is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := simWithFaults(t, tc.scenario, tc.faults)
			st := KinesisInspect(kinesisDeps(t, srv.URL(), "us-east-1"))
			res := callToolJSON(t, st, tc.args)
			if m := srv.MutatingCalls(); len(m) != 0 {
				t.Fatalf("a read tool made mutating calls: %+v", m)
			}
			if tc.toolErr != "" {
				if !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, tc.toolErr) {
					t.Fatalf("want tool error %q, got %+v", tc.toolErr, res.Content)
				}
				return
			}
			o := decodeKinesisOut(t, res)
			tc.check(t, o)
			raw, _ := json.Marshal(res.StructuredContent)
			if len(raw) > 16<<10 {
				t.Errorf("output %d bytes; keep it compact", len(raw))
			}
		})
	}
}

// TestKinesisInspectAgainstKinesisLocal proves the tool against an
// independent Kinesis implementation: a stream created, resharded and
// written in kinesis-local, then inspected. kinesis-local has no
// CloudWatch, so the metric verdicts degrade to unknown, as they would for
// a caller without cloudwatch:GetMetricData.
func TestKinesisInspectAgainstKinesisLocal(t *testing.T) {
	t.Parallel()
	e := kinesislocal.Start(t, kinesislocal.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := kinesis.New(kinesis.Options{Region: e.Region, BaseEndpoint: sdkaws.String(e.Endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	const name = "local-orders"
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: sdkaws.String(name), ShardCount: sdkaws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	waitStream := func() {
		for range 100 {
			out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String(name)})
			if err == nil && out.StreamDescriptionSummary.StreamStatus == kintypes.StreamStatusActive {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("stream not ACTIVE in 5 s")
	}
	waitStream()
	// Split shard 0 so the listing has a closed parent and uneven children.
	ls, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: sdkaws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	s0 := ls.Shards[0]
	mid := "42535295865117307932921825928971026432" // a quarter of 2^128
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: sdkaws.String(name), ShardToSplit: s0.ShardId, NewStartingHashKey: sdkaws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	waitStream()
	for i := range 25 {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: sdkaws.String(name), PartitionKey: sdkaws.String(fmt.Sprint("k", i)), Data: []byte("payload")}); err != nil {
			t.Fatal(err)
		}
	}

	st := KinesisInspect(kinesisDeps(t, e.Endpoint, e.Region))
	o := decodeKinesisOut(t, callToolJSON(t, st, `{"stream_name":"`+name+`"}`))
	if o.Stream.Status != "ACTIVE" || o.Stream.Mode != "PROVISIONED" || o.Stream.RetentionHours != 24 {
		t.Fatalf("stream = %+v", o.Stream)
	}
	if o.Shards.Open != 3 || o.Shards.Closed != 1 || o.Shards.Even || o.Capacity == nil || o.Capacity.OpenShards != 3 {
		t.Fatalf("shards = %+v capacity %+v", o.Shards, o.Capacity)
	}
	var sum float64
	for _, p := range o.Shards.Page {
		sum += p.KeyspaceFraction
	}
	if sum < 0.999999 || sum > 1.000001 || o.Shards.MinKeyspaceFraction > 0.2500001 {
		t.Fatalf("keyspace: sum %.6f min %.6f", sum, o.Shards.MinKeyspaceFraction)
	}
	if len(o.Metrics) == 0 || o.Metrics[0].Status != "unknown" || o.Writes != nil {
		t.Fatalf("metrics against an endpoint without CloudWatch = %+v, writes %+v", o.Metrics, o.Writes)
	}
	if u := o.Metrics[0].Unknown; u == nil || !strings.Contains(u.Reason, "not a CloudWatch response") {
		t.Fatalf("unknown reason = %+v", u)
	}
}

// TestKinesisInspectEveryScenario runs the tool on every stream of every
// embedded scenario: no mutating call, no environment variable value in the
// output, and a verdict or an unknown for the writes.
func TestKinesisInspectEveryScenario(t *testing.T) {
	t.Parallel()
	streams := 0
	for _, name := range awssim.Names() {
		sc, err := awssim.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sc.Kinesis.Streams {
			streams++
			t.Run(name+"/"+s.StreamName, func(t *testing.T) {
				t.Parallel()
				srv := simWithFaults(t, name, nil)
				res := callToolJSON(t, KinesisInspect(kinesisDeps(t, srv.URL(), sc.Region)), `{"stream_name":"`+s.StreamName+`"}`)
				if m := srv.MutatingCalls(); len(m) != 0 {
					t.Fatalf("mutating calls: %+v", m)
				}
				raw, _ := json.Marshal(res)
				for _, f := range sc.Functions {
					if f.Environment == nil {
						continue
					}
					for k, v := range f.Environment.Variables {
						if strings.Contains(string(raw), v) {
							t.Fatalf("the value of %s leaked: %s", k, raw)
						}
					}
				}
				o := decodeKinesisOut(t, res)
				if o.Writes == nil && len(o.Metrics) > 0 && o.Metrics[0].Status != "unknown" {
					t.Fatalf("no write verdict although metrics were read: %+v", o.Metrics)
				}
			})
		}
	}
	if streams < 3 {
		t.Fatalf("only %d scenario streams found", streams)
	}
}

// TestKinesisInspectOverlapsCalls pins the call plan: with every AWS call
// delayed, the stream description (DescribeStreamSummary, then ListShards
// and ListStreamConsumers together) overlaps the stream-level metrics, so
// the inspection costs two round trips, not the four of a sequential plan.
// It checks the simulator's record of which calls were in flight together,
// not wall-clock thresholds.
func TestKinesisInspectOverlapsCalls(t *testing.T) {
	t.Parallel()
	// Each call is held this long, so two calls that the plan runs together
	// overlap even when a loaded race run starts their goroutines late (at
	// 100 ms the test failed under load on 2 cores).
	const latency = 600 * time.Millisecond
	srv := simWithFaults(t, "kinesis-high-iterator-age", []awssim.Fault{{Service: "*", Operation: "*", Latency: awssim.Duration{Duration: latency}}})
	st := KinesisInspect(kinesisDeps(t, srv.URL(), "us-east-1"))
	o := decodeKinesisOut(t, callToolJSON(t, st, `{"stream_name":"clickstream"}`))
	if o.AWSCalls != 4 {
		t.Fatalf("aws calls = %d, want 4 for the stream (summary, shards, consumers, metrics)", o.AWSCalls)
	}
	byOp := map[string]awssim.Call{}
	for _, c := range srv.Calls() {
		// The first of each: later calls judge the stream's mappings.
		if _, seen := byOp[c.Operation]; !seen {
			byOp[c.Operation] = c
		}
	}
	pairs := [][2]string{{"DescribeStreamSummary", "GetMetricData"}, {"ListShards", "ListStreamConsumers"}}
	for _, p := range pairs {
		a, okA := byOp[p[0]]
		b, okB := byOp[p[1]]
		if !okA || !okB {
			t.Fatalf("calls %v missing from %v", p, srv.Calls())
		}
		if !a.Overlaps(b) {
			t.Errorf("%s and %s ran one after the other; the plan should overlap them", p[0], p[1])
		}
	}
}
