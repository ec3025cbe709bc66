package lag

import (
	"sort"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// GroupBrief is one group's line in a multi-group summary.
type GroupBrief struct {
	Group       string   `json:"group_id" jsonschema_description:"consumer group ID"`
	State       string   `json:"state" jsonschema_description:"coordinator-reported group state"`
	Members     int      `json:"members" jsonschema_description:"active members"`
	Status      Status   `json:"status" jsonschema_description:"worst partition status"`
	Partitions  int      `json:"partitions" jsonschema_description:"partitions judged"`
	TotalLag    int64    `json:"total_lag_records" jsonschema_description:"sum of lag over committed partitions"`
	MaxLag      int64    `json:"max_lag_records" jsonschema_description:"largest partition lag"`
	MaxLagSecs  *float64 `json:"max_lag_seconds,omitempty" jsonschema_description:"largest time lag read"`
	Uncommitted int64    `json:"uncommitted_from_log_start_records,omitempty" jsonschema_description:"records readable on never-committed partitions"`
	Lost        int64    `json:"lost_records,omitempty" jsonschema_description:"records deleted before the group read them"`
}

// GroupsSummary rolls many groups up into a summary whose size is bounded
// by the number of statuses plus the n worst groups.
type GroupsSummary struct {
	Groups     int            `json:"groups" jsonschema_description:"groups judged"`
	Partitions int            `json:"partitions" jsonschema_description:"group-partitions judged"`
	Counts     map[Status]int `json:"status_counts" jsonschema_description:"groups per (worst partition) status"`
	TotalLag   int64          `json:"total_lag_records" jsonschema_description:"sum of lag over every group"`
	Worst      []GroupBrief   `json:"worst" jsonschema_description:"the worst groups, most severe and most lagging first"`
}

// Brief shortens a report to its summary line.
func (r GroupReport) Brief() GroupBrief {
	return GroupBrief{Group: r.Group, State: r.State, Members: r.Members, Status: r.Status, Partitions: r.Partitions,
		TotalLag: r.TotalLag, MaxLag: r.MaxLag, MaxLagSecs: r.MaxLagSeconds, Uncommitted: r.Uncommitted, Lost: r.Lost}
}

// SortGroups orders briefs worst first (severity, then total lag, then name).
func SortGroups(bs []GroupBrief) {
	sort.SliceStable(bs, func(i, j int) bool {
		a, b := bs[i], bs[j]
		if sa, sb := a.Status.Severity(), b.Status.Severity(); sa != sb {
			return sa > sb
		}
		if a.TotalLag+a.Lost+a.Uncommitted != b.TotalLag+b.Lost+b.Uncommitted {
			return a.TotalLag+a.Lost+a.Uncommitted > b.TotalLag+b.Lost+b.Uncommitted
		}
		return a.Group < b.Group
	})
}

// Summarize rolls reports up; worstN bounds the listed groups.
func Summarize(reps []GroupReport, worstN int) GroupsSummary {
	f := NewFold(worstN)
	for _, r := range reps {
		f.Add(r)
	}
	return f.Summary()
}

// Fold rolls group reports into a GroupsSummary one at a time, keeping only
// the counts, the totals and the worstN worst groups, so a fleet of any
// size is summarised in memory bounded by worstN (not by groups x
// partitions).
type Fold struct {
	worstN int
	s      GroupsSummary
	worst  []GroupBrief
}

// NewFold starts an empty summary listing at most worstN groups.
func NewFold(worstN int) *Fold {
	return &Fold{worstN: max(worstN, 0), s: GroupsSummary{Counts: map[Status]int{}}}
}

// Add folds one group's report in.
func (f *Fold) Add(r GroupReport) {
	f.s.Groups++
	f.s.Counts[r.Status]++
	f.s.TotalLag += r.TotalLag
	f.s.Partitions += r.Partitions
	if f.worstN == 0 {
		return
	}
	f.worst = append(f.worst, r.Brief())
	// Trim in amortised O(log n): sort and cut only when the buffer has
	// doubled past the budget.
	if len(f.worst) > f.worstN+f.worstN {
		SortGroups(f.worst)
		f.worst = f.worst[:f.worstN]
	}
}

// Summary returns the summary so far (the Fold stays usable).
func (f *Fold) Summary() GroupsSummary {
	s := f.s
	s.Counts = make(map[Status]int, len(f.s.Counts))
	for k, v := range f.s.Counts {
		s.Counts[k] = v
	}
	w := append([]GroupBrief(nil), f.worst...)
	SortGroups(w)
	s.Worst = w[:min(f.worstN, len(w))]
	if s.Worst == nil {
		s.Worst = []GroupBrief{}
	}
	return s
}

// ThresholdsFrom reads the lag thresholds from the knowledge base
// (guidance/limits/kafka_lag.yaml); worstN is the caller's output budget.
func ThresholdsFrom(b *guidance.Base, worstN int) Thresholds {
	return Thresholds{
		PhantomMaxRecords: int64(b.Int("kafka.lag.phantom.max_records")),
		MinWindow:         time.Duration(b.Num("kafka.lag.window.min_seconds") * float64(time.Second)),
		WorstN:            worstN,
	}
}

// SampleInterval is the pause between two offset samples of a window.
func SampleInterval(b *guidance.Base) time.Duration {
	return time.Duration(b.Num("kafka.consumer.auto_commit_interval.default_ms") * float64(time.Millisecond))
}
