package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/testenv/kinesislocal"
)

// startScenario serves an embedded scenario for the rest of the test.
func startScenario(t testing.TB, name string) *awssim.Server {
	t.Helper()
	sc, err := awssim.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := awssim.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func jsonPath(t *testing.T, raw json.RawMessage, path ...any) any {
	t.Helper()
	var cur any
	if err := json.Unmarshal(raw, &cur); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[k]
		case int:
			l, _ := cur.([]any)
			if k >= len(l) {
				return nil
			}
			cur = l[k]
		}
	}
	return cur
}

// kinesisE2ECases drive kinesis_inspect through an MCP session of the
// binary started with --endpoint-url pointing at the simulator.
func kinesisE2ECases(t testing.TB) []e2eCase {
	t.Helper()
	srv := startScenario(t, "kinesis-hot-shard")
	flags := []string{"--endpoint-url", srv.URL()}
	return []e2eCase{
		{name: "kinesis_inspect hot shard", flags: flags, tool: "kinesis_inspect", args: map[string]any{"stream_name": "web-requests"},
			check: func(t *testing.T, raw json.RawMessage) {
				if got := jsonPath(t, raw, "writes", "classification"); got != "hot_shard" {
					t.Errorf("classification = %v: %s", got, raw)
				}
				if got := jsonPath(t, raw, "writes", "hot_shards", 0, "shard_id"); got != "shardId-000000000000" {
					t.Errorf("hot shard = %v", got)
				}
				if m := srv.MutatingCalls(); len(m) != 0 {
					t.Errorf("mutating calls: %+v", m)
				}
			}},
		{name: "kinesis_inspect missing stream", flags: flags, tool: "kinesis_inspect", args: map[string]any{"stream_name": "nope"},
			wantError: true, errorContains: `Kinesis stream "nope" not found`},
	}
}

// TestE2EKinesisInspectCLI runs `stream-mcp --endpoint-url URL call
// kinesis_inspect` as a user would, against the simulator and against
// kinesis-local, and checks exit codes and the JSON printed.
func TestE2EKinesisInspectCLI(t *testing.T) {
	t.Parallel()
	call := func(t *testing.T, endpoint, args string, wantCode int) json.RawMessage {
		t.Helper()
		cmd := exec.Command(binPath, "--endpoint-url", endpoint, "call", "kinesis_inspect", "--args", args)
		cmd.Env = e2eEnv(t)
		out, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != wantCode {
			t.Fatalf("exit %d, want %d; stdout %s", code, wantCode, out)
		}
		return out
	}
	t.Run("simulator", func(t *testing.T) {
		t.Parallel()
		srv := startScenario(t, "kinesis-over-capacity")
		out := call(t, srv.URL(), `{"stream_name":"media-uploads"}`, 0)
		if got := jsonPath(t, out, "writes", "classification"); got != "stream_over_capacity" {
			t.Fatalf("classification = %v: %s", got, out)
		}
		if got := jsonPath(t, out, "writes", "bound"); got != "bytes" {
			t.Fatalf("bound = %v", got)
		}
		if m := srv.MutatingCalls(); len(m) != 0 {
			t.Fatalf("mutating calls: %+v", m)
		}
		call(t, srv.URL(), `{"stream_name":"absent"}`, 1)
	})
	t.Run("kinesis-local", func(t *testing.T) {
		t.Parallel()
		e := kinesislocal.Start(t, kinesislocal.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		c := kinesis.New(kinesis.Options{Region: e.Region, BaseEndpoint: sdkaws.String(e.Endpoint),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: sdkaws.String("e2e"), ShardCount: sdkaws.Int32(3)}); err != nil {
			t.Fatal(err)
		}
		active := false
		for range 100 {
			out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String("e2e")})
			if err == nil && out.StreamDescriptionSummary.StreamStatus == kintypes.StreamStatusActive {
				active = true
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !active {
			t.Fatal("stream not ACTIVE in 5 s")
		}
		for i := range 10 {
			if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: sdkaws.String("e2e"), PartitionKey: sdkaws.String(fmt.Sprint(i)), Data: []byte("x")}); err != nil {
				t.Fatal(err)
			}
		}
		out := call(t, e.Endpoint, `{"stream_name":"e2e","limit":2}`, 0)
		if got := jsonPath(t, out, "shards", "open"); got != float64(3) {
			t.Fatalf("open shards = %v: %s", got, out)
		}
		if got := jsonPath(t, out, "truncated"); got != true {
			t.Fatalf("truncated = %v", got)
		}
		if got := jsonPath(t, out, "capacity", "write_records_per_sec"); got != float64(3000) {
			t.Fatalf("capacity = %v", got)
		}
		// kinesis-local has no CloudWatch: the metrics are unknown, not a failure.
		if got := jsonPath(t, out, "metrics", 0, "status"); got != "unknown" {
			t.Fatalf("metrics status = %v", got)
		}
		call(t, e.Endpoint, `{"stream_name":"absent"}`, 1)
	})
}
