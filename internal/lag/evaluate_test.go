package lag

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
)

var t0 = time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)

// s builds a sample at t0+sec.
func s(sec int, committed, start, hwm int64) Sample {
	return Sample{At: t0.Add(time.Duration(sec) * time.Second), Committed: committed, LogStart: start, HWM: hwm, LSO: NoOffset}
}

func th() Thresholds { return Thresholds{PhantomMaxRecords: 2, MinWindow: 10 * time.Second, WorstN: 3} }

func TestJudgeStatuses(t *testing.T) {
	t.Parallel()
	lso := func(x Sample, l int64) Sample { x.LSO = l; return x }
	tests := []struct {
		name    string
		state   string
		members int
		member  string
		samples []Sample
		err     string
		hist    []MetricPoint
		want    Status
		conf    Confidence
		lagNil  bool
	}{
		{name: "empty partition never committed", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, NoOffset, 0, 0)}, want: Uncommitted, lagNil: true},
		{name: "uncommitted with data is never lag 0", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, NoOffset, 0, 50)}, want: Uncommitted, lagNil: true},
		{name: "zero lag one sample", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 10)}, want: OK, conf: Medium},
		{name: "idle caught up over window", state: "Empty", samples: []Sample{s(0, 10, 0, 10), s(10, 10, 0, 10)}, want: IdleCaughtUp, conf: High},
		{name: "caught up and moving", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 10), s(10, 20, 0, 20)}, want: OK, conf: High},
		{name: "compacted: commit below log start", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 5, 40, 100)}, want: DataLoss},
		{name: "commit beyond hwm", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 500, 0, 100)}, want: AheadOfLog},
		{name: "rewound", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 90, 0, 100), s(5, 20, 0, 100)}, want: Rewound},
		{name: "empty group with lag", state: "Empty", samples: []Sample{s(0, 10, 0, 100)}, want: NoActiveMembers},
		// Regression (found on Apache Kafka by the backend suite): a
		// memberless group one marker behind a committed transaction was
		// reported as "1 unread records".
		{name: "empty group frozen on a transaction marker", state: "Empty", samples: []Sample{lso(s(0, 5, 0, 6), 6), lso(s(10, 5, 0, 6), 6)}, want: PhantomLag, conf: High},
		{name: "empty group with real lag is not phantom", state: "Empty", samples: []Sample{s(0, 10, 0, 100), s(10, 10, 0, 100)}, want: NoActiveMembers},
		{name: "unassigned partition in stable group", state: "Stable", members: 2, samples: []Sample{s(0, 10, 0, 100)}, want: NoActiveMembers, conf: Medium},
		{name: "rebalancing", state: "PreparingRebalance", members: 2, member: "c", samples: []Sample{s(0, 10, 0, 100)}, want: Rebalancing},
		{name: "stalled", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100), s(5, 10, 0, 120), s(10, 10, 0, 140)}, want: Stalled, conf: High},
		{name: "stalled short window is medium", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100), s(2, 10, 0, 120)}, want: Stalled, conf: Medium},
		{name: "falling behind", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100), s(5, 20, 0, 150), s(10, 30, 0, 200)}, want: FallingBehind, conf: High},
		{name: "catching up", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100), s(5, 60, 0, 110), s(10, 100, 0, 120)}, want: CatchingUp, conf: High},
		{name: "keeping pace", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100), s(10, 60, 0, 150)}, want: OK, conf: High},
		{name: "txn blocked", state: "Stable", members: 1, member: "c", samples: []Sample{lso(s(0, 50, 0, 80), 50), lso(s(10, 50, 0, 90), 50)}, want: TxnBlocked, conf: High},
		{name: "phantom markers", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 98, 0, 100), s(10, 98, 0, 100)}, want: PhantomLag, conf: High},
		{name: "single sample lag has no trend", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100)}, want: Lagging, conf: Low},
		{name: "cloudwatch trend rising", state: "Stable", members: 1, member: "c", samples: []Sample{s(0, 10, 0, 100)},
			hist: []MetricPoint{{At: t0.Add(-5 * time.Minute), LagRecords: 10}, {At: t0, LagRecords: 90}}, want: FallingBehind, conf: Medium},
		{name: "missing offsets", state: "Stable", members: 1, err: "NOT_LEADER_OR_FOLLOWER", want: Unknown, conf: Low, lagNil: true},
		{name: "no samples at all", state: "Stable", members: 1, want: Unknown, lagNil: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := Group{Name: "g", State: tc.state, Members: tc.members, Partitions: []Partition{{Topic: "t", Partition: 0, Member: tc.member, Samples: tc.samples, Err: tc.err, History: tc.hist}}}
			rep, vs := Evaluate(g, th())
			if len(vs) != 1 {
				t.Fatalf("verdicts = %d", len(vs))
			}
			v := vs[0]
			if v.Status != tc.want {
				t.Fatalf("status = %s, want %s (evidence %q)", v.Status, tc.want, v.Evidence)
			}
			if tc.conf != "" && v.Confidence != tc.conf {
				t.Errorf("confidence = %s, want %s", v.Confidence, tc.conf)
			}
			if (v.LagRecords == nil) != tc.lagNil {
				t.Errorf("lag_records nil = %v, want %v", v.LagRecords == nil, tc.lagNil)
			}
			if v.Evidence == "" {
				t.Error("no evidence")
			}
			if rep.Status != v.Status {
				t.Errorf("group status %s != partition status %s", rep.Status, v.Status)
			}
		})
	}
}

func TestDetails(t *testing.T) {
	t.Parallel()
	// Data loss counts the deleted records; uncommitted reports what is readable.
	g := Group{Name: "g", State: "Stable", Members: 1, Partitions: []Partition{
		{Topic: "t", Partition: 0, Member: "c", Samples: []Sample{s(0, 5, 40, 100)}},
		{Topic: "t", Partition: 1, Member: "c", Samples: []Sample{s(0, NoOffset, 7, 50)}},
		{Topic: "t", Partition: 2, Member: "c", Samples: []Sample{s(0, 60, 0, 100)}, Record: &RecordTime{Timestamp: t0.Add(-90 * time.Second), Type: "CreateTime"}},
		{Topic: "t", Partition: 3, Member: "c", Samples: []Sample{s(0, 10, 0, 100), s(10, 60, 0, 110)}},
	}}
	rep, vs := Evaluate(g, th())
	byP := map[int32]Verdict{}
	for _, v := range vs {
		byP[v.Partition] = v
	}
	if byP[0].LostRecords != 35 || *byP[0].LagRecords != 95 {
		t.Errorf("data loss: lost %d lag %d", byP[0].LostRecords, *byP[0].LagRecords)
	}
	if byP[1].FromLogStartRecords != 43 {
		t.Errorf("uncommitted from start = %d, want 43", byP[1].FromLogStartRecords)
	}
	if ls := byP[2].LagSeconds; ls == nil || *ls != 90 || byP[2].TimestampType != "CreateTime" {
		t.Errorf("time lag = %v %q, want 90 CreateTime", ls, byP[2].TimestampType)
	}
	if e := byP[3].ETASeconds; byP[3].Status != CatchingUp || e == nil || *e != 12.5 {
		t.Errorf("eta = %v (%s), want 50 lag / 4 per s = 12.5", e, byP[3].Status)
	}
	if rep.Status != DataLoss || rep.Lost != 35 || rep.Uncommitted != 43 || rep.TotalLag != 95+40+50 {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.Worst) != 3 || rep.Worst[0].Status != DataLoss {
		t.Errorf("worst = %+v", rep.Worst)
	}
}

func TestEmptyGroup(t *testing.T) {
	t.Parallel()
	rep, vs := Evaluate(Group{Name: "g", State: "Empty"}, th())
	if len(vs) != 0 || rep.Status != NoActiveMembers || rep.Worst == nil || len(rep.Worst) != 0 {
		t.Fatalf("rep = %+v", rep)
	}
}

// A 10,000-partition group must summarise into a few KB (issue 6).
func TestSummaryIsBounded(t *testing.T) {
	t.Parallel()
	g := Group{Name: "big", State: "Stable", Members: 50}
	for i := range 10000 {
		g.Partitions = append(g.Partitions, Partition{Topic: "orders", Partition: int32(i), Member: "m", Samples: []Sample{s(0, int64(i), 0, int64(2*i))}})
	}
	rep, vs := Evaluate(g, Thresholds{PhantomMaxRecords: 2, MinWindow: 10 * time.Second, WorstN: 10})
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 8<<10 {
		t.Fatalf("summary is %d bytes", len(raw))
	}
	if len(vs) != 10000 || rep.Worst[0].Partition != 9999 {
		t.Fatalf("worst first = %+v", rep.Worst[0])
	}
	sum := Summarize([]GroupReport{rep, {Group: "ok", Status: OK}}, 5)
	if sum.Groups != 2 || sum.Worst[0].Group != "big" || sum.Counts[Lagging] != 1 {
		t.Fatalf("summary = %+v", sum)
	}
}

func TestThresholdsFromGuidance(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	th := ThresholdsFrom(b, 7)
	if th.PhantomMaxRecords != 2 || th.MinWindow != 10*time.Second || th.WorstN != 7 || SampleInterval(b) != 5*time.Second {
		t.Fatalf("thresholds = %+v", th)
	}
}

// TestFoldMatchesSummarize: folding reports one at a time gives the same
// summary as summarising them all at once, for budgets below, at and above
// the number of groups.
func TestFoldMatchesSummarize(t *testing.T) {
	t.Parallel()
	var reps []GroupReport
	statuses := []Status{OK, Lagging, Stalled, Uncommitted, NoActiveMembers, DataLoss}
	for i := range 97 {
		reps = append(reps, GroupReport{Group: fmt.Sprintf("g%03d", i), Status: statuses[i%len(statuses)], Partitions: i % 7, TotalLag: int64((i * 37) % 101)})
	}
	for _, n := range []int{0, 1, 5, 97, 200} {
		want := summarizeAll(reps, n)
		f := NewFold(n)
		for _, r := range reps {
			f.Add(r)
		}
		if d := cmp.Diff(want, f.Summary()); d != "" {
			t.Errorf("worstN %d (-all at once +folded):\n%s", n, d)
		}
	}
}

// summarizeAll is the reference: sort every brief, keep n.
func summarizeAll(reps []GroupReport, n int) GroupsSummary {
	s := GroupsSummary{Groups: len(reps), Counts: map[Status]int{}}
	bs := make([]GroupBrief, 0, len(reps))
	for _, r := range reps {
		s.Counts[r.Status]++
		s.TotalLag += r.TotalLag
		s.Partitions += r.Partitions
		bs = append(bs, r.Brief())
	}
	SortGroups(bs)
	s.Worst = bs[:min(n, len(bs))]
	return s
}

// TestSummariseMatchesEvaluate: the bounded evaluation keeps exactly the
// report and the worst verdicts of the full one.
func TestSummariseMatchesEvaluate(t *testing.T) {
	t.Parallel()
	g := Group{Name: "g", State: "Stable", Members: 1}
	for p := range 250 {
		committed := int64((p * 7919) % 300)
		if p%17 == 0 {
			committed = NoOffset
		}
		g.Partitions = append(g.Partitions, Partition{Topic: fmt.Sprintf("t%d", p%3), Partition: int32(p), Member: "c",
			Samples: []Sample{s(0, committed, int64(p%5*10), 300)}})
	}
	for _, n := range []int{0, 1, 10, 250, 400} {
		tt := th()
		tt.WorstN = n
		full, _ := Evaluate(g, tt)
		if d := cmp.Diff(full, Summarise(g, tt)); d != "" {
			t.Errorf("worstN %d (-Evaluate +Summarise):\n%s", n, d)
		}
	}
}
