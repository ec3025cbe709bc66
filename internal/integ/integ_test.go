package integ_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

func TestSizeInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		in             integ.SizeInput
		total, largest int
		ingress        float64
		wantErr        bool
	}{
		{"topics win", integ.SizeInput{Topics: []integ.Topic{{"a", 3}, {"b", 9}}, Workload: sizing.Workload{Partitions: 100}}, 12, 9, 0, false},
		{"partitions", integ.SizeInput{Workload: sizing.Workload{Partitions: 6, Shards: 2}}, 6, 6, 0, false},
		{"shards", integ.SizeInput{Workload: sizing.Workload{Shards: 4, RecordsPerSecond: 1000, AvgRecordBytes: 2000}}, 4, 4, 2, false},
		{"ingress given", integ.SizeInput{Workload: sizing.Workload{IngressMBps: 5, RecordsPerSecond: 1, AvgRecordBytes: 1}}, 0, 0, 5, false},
		{"negative partitions", integ.SizeInput{Topics: []integ.Topic{{"a", -1}}}, -1, 0, 0, true},
		{"bad target", integ.SizeInput{Target: "x"}, 0, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.Check()
			if tc.wantErr {
				if !errors.Is(err, integ.ErrInput) {
					t.Fatalf("err %v, want input error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.in.TotalPartitions(); got != tc.total {
				t.Errorf("TotalPartitions = %d, want %d", got, tc.total)
			}
			if got := tc.in.LargestTopic().Partitions; got != tc.largest {
				t.Errorf("LargestTopic = %d, want %d", got, tc.largest)
			}
			if got := tc.in.IngressMBps(); got != tc.ingress {
				t.Errorf("IngressMBps = %g, want %g", got, tc.ingress)
			}
		})
	}
}

func TestCeil(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]int{0: 0, 1: 1, 1.0000000001: 1, 1.01: 2, 2.5: 3} {
		if got := integ.Ceil(in); got != want {
			t.Errorf("Ceil(%g) = %d, want %d", in, got, want)
		}
	}
}

func TestCheckerAndCalc(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	ch := integ.NewChecker(b, "Resources.X.Properties.")
	ch.Rule("r.one")
	ch.Report(rules.Error, "r.two", "A", "https://example.com/doc", "bad", "fix it")
	v := ch.Done()
	if diff := cmp.Diff([]string{"r.one", "r.two"}, v.Checked); diff != "" {
		t.Error(diff)
	}
	if len(v.Violations) != 1 || v.Violations[0].Field != "Resources.X.Properties.A" {
		t.Errorf("violations %+v", v.Violations)
	}
	c := integ.NewCalc(b, "svc")
	n := c.N("firehose.record.max_kib")
	c.Step("double", "n x 2", n*2, "KiB", "n", n)
	res := c.Done(sizing.Recommendation{Summary: "s"}, "binding")
	if res.Service != "svc" || len(res.Calculation) != 1 || res.Calculation[0].Inputs["n"] != n || len(res.References) != 1 {
		t.Errorf("result %+v", res)
	}
}
