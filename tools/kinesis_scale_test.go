package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

const kinesisScaleScenario = `
name: kinesis-scale
kinesis:
  streams:
    - StreamName: clicks
      ShardCount: 4
metrics:
  series:
    # 3 MiB/s per minute on clicks.
    - {Namespace: AWS/Kinesis, MetricName: IncomingBytes, Dimensions: {StreamName: clicks}, Value: 188743680}
    - {Namespace: AWS/Kinesis, MetricName: IncomingRecords, Dimensions: {StreamName: clicks}, Value: 150000}
`

func kinesisEnv(t *testing.T, destructive bool) *awsWriteEnv {
	t.Helper()
	sc, err := awssim.Parse("kinesis-scale", []byte(kinesisScaleScenario))
	if err != nil {
		t.Fatal(err)
	}
	return newAWSWriteEnv(t, sc, destructive)
}

func (e *awsWriteEnv) openShards(t *testing.T) int {
	t.Helper()
	// Read through the API, as a user would: Kinesis reports a reshard's
	// new shards once the stream is ACTIVE again, and the simulator ends
	// its UPDATING phase after the describes the scenario allows.
	cl := kinesis.NewFromConfig(sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: sdkaws.String(e.sim.URL()), RetryMaxAttempts: 1})
	for range 3 {
		out, err := cl.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String("clicks")})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == "ACTIVE" {
			return int(sdkaws.ToInt32(out.StreamDescriptionSummary.OpenShardCount))
		}
	}
	t.Fatal("stream clicks still UPDATING after 3 describes")
	return 0
}

func TestKinesisScaleAccessClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		destructive bool
		want        server.Access
	}{{false, server.Write}, {true, server.Destructive}} {
		tool := KinesisScale(WriteDeps{AllowDestructive: tc.destructive})
		if acc, err := server.AccessOf(tool.Tool); err != nil || acc != tc.want {
			t.Fatalf("destructive=%v: %v %v", tc.destructive, acc, err)
		}
		if got, _ := server.Registered(server.Options{}, []server.ServerTool{tool}); len(got) != 0 {
			t.Fatal("listed in read-only mode")
		}
	}
}

func TestKinesisScaleTokenFlow(t *testing.T) {
	t.Parallel()
	e := kinesisEnv(t, false)
	c := connectWrite(t, KinesisScale(e.deps), false, nil)
	args := map[string]any{"stream_name": "clicks", "target_shard_count": 8}
	res, out := callJSON(t, c, "kinesis_scale", args)
	mustOK(t, res)
	if out["status"] != "planned" || e.mutating(t) != 0 || e.openShards(t) != 4 {
		t.Fatalf("plan: %v mutating=%d", out["status"], e.mutating(t))
	}
	tok := out["confirmation_token"]

	res, _ = callJSON(t, c, "kinesis_scale", map[string]any{"stream_name": "clicks", "target_shard_count": 7, "confirmation_token": tok})
	mustToolError(t, res, "arguments differ")

	args["confirmation_token"] = tok
	res, out = callJSON(t, c, "kinesis_scale", args)
	mustOK(t, res)
	// UpdateShardCount is asynchronous: the read-back sees the stream
	// UPDATING with its old shards (API reference, UpdateShardCount).
	if rb, _ := out["read_back"].(map[string]any); out["applied"] != true || rb["stream_status"] != "UPDATING" || rb["open_shard_count"] != float64(4) {
		t.Fatalf("apply read-back: %v", out)
	}
	if e.openShards(t) != 8 || e.mutating(t) != 1 {
		t.Fatalf("apply: %v shards=%d", out, e.openShards(t))
	}
	res, _ = callJSON(t, c, "kinesis_scale", args)
	mustToolError(t, res, "already used")

	// Drift: plan 8 -> 12, someone reshards to 10 meanwhile.
	args = map[string]any{"stream_name": "clicks", "target_shard_count": 12}
	_, out = callJSON(t, c, "kinesis_scale", args)
	args["confirmation_token"] = out["confirmation_token"]
	other := map[string]any{"stream_name": "clicks", "target_shard_count": 10}
	_, o2 := callJSON(t, c, "kinesis_scale", other)
	other["confirmation_token"] = o2["confirmation_token"]
	mustOK(t, func() *mcp.CallToolResult { r, _ := callJSON(t, c, "kinesis_scale", other); return r }())
	res, _ = callJSON(t, c, "kinesis_scale", args)
	mustToolError(t, res, "live state changed")
	if e.openShards(t) != 10 {
		t.Fatalf("drifted plan applied: %d shards", e.openShards(t))
	}

	// Expired.
	args = map[string]any{"stream_name": "clicks", "capacity_mode": "on_demand"}
	_, out = callJSON(t, c, "kinesis_scale", args)
	args["confirmation_token"] = out["confirmation_token"]
	e.clock.advance(confirm.TokenTTL + time.Second)
	res, _ = callJSON(t, c, "kinesis_scale", args)
	mustToolError(t, res, "expired")
}

func TestKinesisScaleShrinkNeedsDestructive(t *testing.T) {
	t.Parallel()
	e := kinesisEnv(t, false)
	c := connectWrite(t, KinesisScale(e.deps), false, nil)
	res, _ := callJSON(t, c, "kinesis_scale", map[string]any{"stream_name": "clicks", "target_shard_count": 2})
	mustToolError(t, res, "--allow-destructive")

	d := kinesisEnv(t, true)
	cd := connectWrite(t, KinesisScale(d.deps), true, nil)
	res, out := callJSON(t, cd, "kinesis_scale", map[string]any{"stream_name": "clicks", "target_shard_count": 2})
	mustOK(t, res)
	if !strings.Contains(resultText(res), "capacity drops to 2 MiB/s") || !strings.Contains(resultText(res), "exceeds the new capacity of 2 shards") || out["confirmation_token"] == nil {
		t.Fatalf("shrink plan: %s", resultText(res))
	}
}

func TestKinesisScaleElicitation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		applied bool
	}{{mcp.ElicitationResponseActionAccept, true}, {mcp.ElicitationResponseActionDecline, false}, {mcp.ElicitationResponseActionCancel, false}} {
		t.Run(string(tc.action), func(t *testing.T) {
			t.Parallel()
			e := kinesisEnv(t, false)
			var shown string
			h := elicitAnswer(func(_ context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
				shown = r.Params.Message
				return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: tc.action, Content: map[string]any{"confirm": true}}}, nil
			})
			c := connectWrite(t, KinesisScale(e.deps), false, client.ElicitationHandler(h))
			res, out := callJSON(t, c, "kinesis_scale", map[string]any{"stream_name": "clicks", "target_shard_count": 6})
			mustOK(t, res)
			if !strings.Contains(shown, "open shards: 4 -> 6") {
				t.Errorf("elicitation message %q", shown)
			}
			if out["applied"] != tc.applied || (e.openShards(t) == 6) != tc.applied || (e.mutating(t) == 1) != tc.applied {
				t.Fatalf("%s: %v shards=%d", tc.action, out, e.openShards(t))
			}
		})
	}
}
