package writes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

const kinesisSim = `
name: kinesis-writes
kinesis:
  streams:
    - StreamName: clicks
      ShardCount: 4
    - StreamName: odd
      ShardCount: 5
    - StreamName: od
      StreamMode: ON_DEMAND
      ShardCount: 4
    - StreamName: busy
      ShardCount: 2
      StreamStatus: UPDATING
metrics:
  series:
    # 3 MiB/s and 2500 records/s on clicks, per minute.
    - {Namespace: AWS/Kinesis, MetricName: IncomingBytes, Dimensions: {StreamName: clicks}, Value: 188743680}
    - {Namespace: AWS/Kinesis, MetricName: IncomingRecords, Dimensions: {StreamName: clicks}, Value: 150000}
`

func simKinesis(t *testing.T) (*awssim.Server, *kinesis.Client) {
	srv, cfg := simKinesisConfig(t)
	return srv, kinesis.NewFromConfig(cfg)
}

func simKinesisConfig(t *testing.T) (*awssim.Server, aws.Config) {
	t.Helper()
	sc, err := awssim.Parse("kinesis-writes", []byte(kinesisSim))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(srv.URL()), RetryMaxAttempts: 1}
}

func TestStreamScaleShards(t *testing.T) {
	t.Parallel()
	srv, cl := simKinesis(t)
	s := &StreamScale{Stream: "clicks", TargetShards: 8}
	p, fp, err := s.Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.MutatingCalls()) != 0 || fp != "status=ACTIVE mode=PROVISIONED open=4" {
		t.Fatalf("mutating %v fp %q", srv.MutatingCalls(), fp)
	}
	if p.Changes[1].Current != float64(4) || p.Changes[1].Desired != float64(8) || !strings.Contains(p.Risks[0], "10 UpdateShardCount operations") {
		t.Fatalf("plan %+v", p)
	}
	// UpdateShardCount is asynchronous (API reference, UpdateShardCount:
	// "returns immediately and sets the status of the stream to UPDATING"):
	// the read-back sees the old shards, UPDATING.
	st, err := s.Apply(context.Background(), cl, cl)
	if err != nil || st.StreamStatus != "UPDATING" || st.OpenShardCount != 4 {
		t.Fatalf("read-back %+v %v", st, err)
	}
	if m := srv.MutatingCalls(); len(m) != 1 || m[0].Operation != "UpdateShardCount" {
		t.Fatalf("mutating %+v", m)
	}
	now, err := describeStream(context.Background(), cl, "clicks")
	if err != nil || now.status != "ACTIVE" || now.open != 8 {
		t.Fatalf("after the update: %+v %v", now, err)
	}
}

// A second change while the first is under way is refused by Kinesis with
// ResourceInUseException (API reference, UpdateShardCount and
// UpdateStreamMode errors); the plan refuses an UPDATING stream before
// that, and an Apply that races the first change reports Kinesis's answer.
func TestStreamScaleWhileUpdating(t *testing.T) {
	t.Parallel()
	_, cl := simKinesis(t)
	first := &StreamScale{Stream: "clicks", TargetShards: 6}
	if _, _, err := first.Plan(context.Background(), cl, base(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.UpdateShardCount(context.Background(), &kinesis.UpdateShardCountInput{StreamName: aws.String("clicks"), TargetShardCount: aws.Int32(8), ScalingType: "UNIFORM_SCALING"}); err != nil {
		t.Fatal(err)
	}
	_, err := first.Apply(context.Background(), cl, cl)
	if err == nil || !strings.Contains(err.Error(), "ResourceInUseException") || !strings.Contains(err.Error(), "UPDATING") {
		t.Fatalf("apply during an update: %v", err)
	}
	mode := &StreamScale{Stream: "clicks", Mode: ModeOnDemand}
	_, _, err = mode.Plan(context.Background(), cl, base(t))
	wantRefusal(t, err, "only while it is ACTIVE")
}

func TestStreamScaleRefusals(t *testing.T) {
	t.Parallel()
	srv, cl := simKinesis(t)
	for _, tc := range []struct {
		name string
		s    StreamScale
		want string
	}{
		{"more than double", StreamScale{Stream: "clicks", TargetShards: 9}, "highest target is 8"},
		{"below half of odd", StreamScale{Stream: "odd", TargetShards: 2, AllowShrink: true}, "lowest target is 3"},
		{"shrink without destructive", StreamScale{Stream: "clicks", TargetShards: 3}, "--allow-destructive"},
		{"on-demand reshard", StreamScale{Stream: "od", TargetShards: 5}, "ON_DEMAND"},
		{"updating", StreamScale{Stream: "busy", TargetShards: 3}, "UPDATING"},
		{"not found", StreamScale{Stream: "nope", TargetShards: 3}, "not found"},
		{"both", StreamScale{Stream: "clicks", TargetShards: 3, Mode: ModeOnDemand}, "exactly one"},
		{"neither", StreamScale{Stream: "clicks"}, "exactly one"},
		{"above max", StreamScale{Stream: "clicks", TargetShards: 20000}, "maximum of 10000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.s.Plan(context.Background(), cl, base(t))
			wantRefusal(t, err, tc.want)
		})
	}
	if len(srv.MutatingCalls()) != 0 {
		t.Fatal("refusals mutated")
	}
}

func TestStreamScaleShrinkAllowed(t *testing.T) {
	t.Parallel()
	_, cl := simKinesis(t)
	s := &StreamScale{Stream: "odd", TargetShards: 3, AllowShrink: true}
	p, _, err := s.Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(p.Risks, " "), "capacity drops to 3 MiB/s") {
		t.Fatalf("risks %v", p.Risks)
	}
}

func TestStreamScaleMode(t *testing.T) {
	t.Parallel()
	srv, cl := simKinesis(t)
	s := &StreamScale{Stream: "clicks", Mode: ModeOnDemand}
	p, _, err := s.Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes[0].Desired != "ON_DEMAND" || !strings.Contains(p.Risks[0], "2 capacity-mode switches") {
		t.Fatalf("plan %+v", p)
	}
	st, err := s.Apply(context.Background(), cl, cl)
	if err != nil || st.CapacityMode != "ON_DEMAND" {
		t.Fatalf("read-back %+v %v", st, err)
	}
	if m := srv.MutatingCalls(); len(m) != 1 || m[0].Operation != "UpdateStreamMode" {
		t.Fatalf("mutating %+v", m)
	}
	p2, _, err := (&StreamScale{Stream: "od", Mode: ModeOnDemand}).Plan(context.Background(), cl, base(t))
	if err != nil || !p2.NoChange {
		t.Fatalf("same mode: %+v %v", p2, err)
	}
}

// The plan judges a shrink against the stream's recent peak from
// CloudWatch: 3 MiB/s does not fit in 2 shards.
func TestStreamScaleLoadFromCloudWatch(t *testing.T) {
	t.Parallel()
	srv, cfg := simKinesisConfig(t)
	cl := kinesis.NewFromConfig(cfg)
	load := CloudWatchLoad(cloudwatch.NewFromConfig(cfg), time.Now)
	s := &StreamScale{Stream: "clicks", TargetShards: 2, AllowShrink: true, Load: load}
	p, _, err := s.Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	var lc string
	for _, c := range p.Changes {
		if c.Field == "peak write load vs capacity" {
			lc = fmt.Sprint(c.Current, " -> ", c.Desired, " | ", c.Note)
		}
	}
	if !strings.Contains(lc, "75% of 4 MiB/s") || !strings.Contains(lc, "150% of 2 MiB/s") || !strings.Contains(lc, "peak 3.00 MiB/s and 2500 records/s") {
		t.Fatalf("load change %q", lc)
	}
	if !strings.Contains(strings.Join(p.Risks, " "), "exceeds the new capacity of 2 shards") {
		t.Fatalf("risks %v", p.Risks)
	}
	// A stream without metrics: unknown, said so, plan still made.
	p2, _, err := (&StreamScale{Stream: "odd", TargetShards: 6, Load: load}).Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := p2.Changes[len(p2.Changes)-1]; got.Current != "unknown" || !strings.Contains(got.Note, "no IncomingBytes") {
		t.Fatalf("no-metrics change %+v", got)
	}
	if len(srv.MutatingCalls()) != 0 {
		t.Fatal("planning mutated")
	}
}

// failingDescribe answers DescribeStreamSummary with an error: the read-back
// after a change that went through.
type failingDescribe struct{}

func (failingDescribe) DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error) {
	return nil, fmt.Errorf("connection reset")
}

// A change that went through but could not be read back is a read-back
// failure (the gate records it as applied), not a failed change.
func TestStreamScaleReadBackFailure(t *testing.T) {
	t.Parallel()
	srv, cl := simKinesis(t)
	s := &StreamScale{Stream: "clicks", TargetShards: 8}
	if _, _, err := s.Plan(context.Background(), cl, base(t)); err != nil {
		t.Fatal(err)
	}
	_, err := s.Apply(context.Background(), cl, failingDescribe{})
	var rbe *confirm.ReadBackError
	if !errors.As(err, &rbe) || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("want a read-back error, got %v", err)
	}
	if m := srv.MutatingCalls(); len(m) != 1 || m[0].Operation != "UpdateShardCount" {
		t.Fatalf("mutating %+v", m)
	}
}
