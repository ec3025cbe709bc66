package writes

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
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
`

func simKinesis(t *testing.T) (*awssim.Server, *kinesis.Client) {
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
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(srv.URL()), RetryMaxAttempts: 1}
	return srv, kinesis.NewFromConfig(cfg)
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
	st, err := s.Apply(context.Background(), cl, cl)
	if err != nil || st.OpenShardCount != 8 {
		t.Fatalf("read-back %+v %v", st, err)
	}
	if m := srv.MutatingCalls(); len(m) != 1 || m[0].Operation != "UpdateShardCount" {
		t.Fatalf("mutating %+v", m)
	}
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
