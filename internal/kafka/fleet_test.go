package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/lag"
)

// TestFleetLagAgreesWithSampleGroups: the bounded fleet path judges every
// group exactly as the per-group path does (same counts, totals and worst
// groups), for a fleet with active members, empty groups, partial commits
// (UNCOMMITTED partitions) and several rounds.
func TestFleetLagAgreesWithSampleGroups(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := kafkatest.StartFleet(ctx, 4, 6, 23, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A live member of a group that committed only partition 0 of t000.
	m, err := kafkatest.Join(ctx, c, "g-live", "t000")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Leave(ctx)
	if err := m.Commit(ctx, "t000", map[int32]int64{0: 1}); err != nil {
		t.Fatal(err)
	}
	conn := plainConn(t, c)
	th := testThresholds()
	th.WorstN = 50
	gs, err := conn.SampleGroups(ctx, nil, Sampling{Samples: 1})
	if err != nil {
		t.Fatal(err)
	}
	var reps []lag.GroupReport
	for _, g := range gs.Groups {
		r, _ := lag.Evaluate(g, th)
		reps = append(reps, r)
	}
	want := lag.Summarize(reps, 50)
	for _, o := range []FleetOptions{{BatchGroups: 1, Parallel: 1, WorstN: 50}, {BatchGroups: 5, Parallel: 3, WorstN: 50}, {BatchGroups: 100, Parallel: 2, WorstN: 50}} {
		f, err := conn.FleetLag(ctx, nil, th, o)
		if err != nil {
			t.Fatal(err)
		}
		if f.Partial != "" || f.Listed != 24 {
			t.Fatalf("%+v: partial %q, listed %d", o, f.Partial, f.Listed)
		}
		// Time lags differ between the two reads; compare the rest.
		ignore := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".MaxLagSecs" }, cmp.Ignore())
		if d := cmp.Diff(want, f.Summary, ignore); d != "" {
			t.Errorf("%+v (-SampleGroups +FleetLag):\n%s", o, d)
		}
	}
}
