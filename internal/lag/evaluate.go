package lag

import (
	"fmt"
	"slices"
	"time"
)

// Verdict is one partition's judged lag.
type Verdict struct {
	Topic      string     `json:"topic" jsonschema_description:"topic name"`
	Partition  int32      `json:"partition" jsonschema_description:"partition number"`
	Status     Status     `json:"status" jsonschema_description:"lag verdict (see the status list in the tool description)"`
	Confidence Confidence `json:"confidence" jsonschema:"enum=high,enum=medium,enum=low" jsonschema_description:"how much evidence backs the status"`
	// Committed is nil when the group never committed this partition.
	Committed *int64 `json:"committed_offset,omitempty" jsonschema_description:"the group's committed offset (next record to read); absent when never committed"`
	LogStart  int64  `json:"log_start_offset" jsonschema_description:"earliest readable offset"`
	HWM       int64  `json:"high_watermark" jsonschema_description:"offset of the next record to be written"`
	LSO       *int64 `json:"last_stable_offset,omitempty" jsonschema_description:"read_committed end offset, when listed"`
	// LagRecords is nil when there is no commit: the lag then depends on the
	// consumer's auto.offset.reset and is never reported as 0.
	LagRecords *int64 `json:"lag_records,omitempty" jsonschema_description:"high watermark minus committed offset; absent when never committed"`
	// FromLogStartRecords is what an earliest-reset consumer would read for
	// an uncommitted partition.
	FromLogStartRecords int64    `json:"from_log_start_records,omitempty" jsonschema_description:"uncommitted partitions: records between log start and high watermark"`
	LostRecords         int64    `json:"lost_records,omitempty" jsonschema_description:"DATA_LOSS: records deleted before the group read them (log start minus committed)"`
	LagSeconds          *float64 `json:"lag_seconds,omitempty" jsonschema_description:"now minus the timestamp of the record at the committed offset"`
	TimestampType       string   `json:"timestamp_type,omitempty" jsonschema_description:"CreateTime or LogAppendTime of that record"`
	ConsumeRate         *float64 `json:"consume_records_per_second,omitempty" jsonschema_description:"committed-offset advance over the window"`
	ProduceRate         *float64 `json:"produce_records_per_second,omitempty" jsonschema_description:"high-watermark advance over the window"`
	ETASeconds          *float64 `json:"eta_seconds,omitempty" jsonschema_description:"CATCHING_UP: time to drain the lag at the observed net rate"`
	Member              string   `json:"member,omitempty" jsonschema_description:"client ID of the member that owns the partition"`
	Evidence            string   `json:"evidence" jsonschema_description:"the readings that decided the status"`
}

// GroupReport is a group's bounded summary: its size does not depend on the
// number of partitions (Worst is capped by Thresholds.WorstN).
type GroupReport struct {
	Group         string         `json:"group_id" jsonschema_description:"consumer group ID"`
	State         string         `json:"state" jsonschema_description:"coordinator-reported group state"`
	Members       int            `json:"members" jsonschema_description:"active members"`
	Status        Status         `json:"status" jsonschema_description:"worst partition status"`
	Partitions    int            `json:"partitions" jsonschema_description:"partitions with a commit or an assignment"`
	Counts        map[Status]int `json:"status_counts" jsonschema_description:"partitions per status"`
	TotalLag      int64          `json:"total_lag_records" jsonschema_description:"sum of lag over committed partitions"`
	MaxLag        int64          `json:"max_lag_records" jsonschema_description:"largest partition lag"`
	MaxLagSeconds *float64       `json:"max_lag_seconds,omitempty" jsonschema_description:"largest time lag among partitions whose record timestamp was read"`
	Uncommitted   int64          `json:"uncommitted_from_log_start_records,omitempty" jsonschema_description:"records readable on partitions the group never committed"`
	Lost          int64          `json:"lost_records,omitempty" jsonschema_description:"records deleted before the group read them"`
	Samples       int            `json:"samples" jsonschema_description:"offset samples per partition"`
	WindowSeconds float64        `json:"window_seconds" jsonschema_description:"time between first and last sample"`
	Worst         []Verdict      `json:"worst" jsonschema_description:"the worst partitions, most severe and most lagging first"`
}

// Evaluate judges every partition of g and returns the summary and all
// verdicts sorted worst first. It never fails: missing evidence gives
// UNKNOWN or a lower confidence.
func Evaluate(g Group, th Thresholds) (GroupReport, []Verdict) {
	vs := make([]Verdict, 0, len(g.Partitions))
	rep := evaluate(g, th, func(v Verdict) { vs = append(vs, v) })
	SortWorstFirst(vs)
	rep.Worst = make([]Verdict, min(th.WorstN, len(vs)))
	copy(rep.Worst, vs)
	return rep, vs
}

// Summarise is Evaluate without the full verdict list: it keeps only the
// th.WorstN worst verdicts while judging, so a group of any size costs
// memory bounded by WorstN (what every-group summaries need).
func Summarise(g Group, th Thresholds) GroupReport {
	var worst []Verdict
	var cut *Verdict // the WorstN-th worst so far, once the buffer was full
	rep := evaluate(g, th, func(v Verdict) {
		if th.WorstN <= 0 || (cut != nil && !worse(v, *cut)) {
			return
		}
		worst = append(worst, v)
		if len(worst) > th.WorstN+th.WorstN {
			SortWorstFirst(worst)
			worst = worst[:th.WorstN]
			c := worst[th.WorstN-1]
			cut = &c
		}
	})
	SortWorstFirst(worst)
	rep.Worst = make([]Verdict, min(th.WorstN, len(worst)))
	copy(rep.Worst, worst)
	return rep
}

// evaluate judges every partition, rolls the counts and totals into the
// report (Status from the worst verdict) and hands each verdict to keep.
func evaluate(g Group, th Thresholds, keep func(Verdict)) GroupReport {
	now := g.Now
	rep := GroupReport{Group: g.Name, State: g.State, Members: g.Members, Status: OK, Counts: map[Status]int{}}
	var worst *Verdict
	for _, p := range g.Partitions {
		if now.IsZero() && len(p.Samples) > 0 {
			now = p.Samples[len(p.Samples)-1].At
		}
		v := judge(g, p, now, th)
		rep.Partitions++
		rep.Counts[v.Status]++
		if v.LagRecords != nil {
			rep.TotalLag += *v.LagRecords
			rep.MaxLag = max(rep.MaxLag, *v.LagRecords)
		}
		if v.LagSeconds != nil && (rep.MaxLagSeconds == nil || *v.LagSeconds > *rep.MaxLagSeconds) {
			s := *v.LagSeconds
			rep.MaxLagSeconds = &s
		}
		rep.Uncommitted += v.FromLogStartRecords
		rep.Lost += v.LostRecords
		if n := len(p.Samples); n > rep.Samples {
			rep.Samples = n
			rep.WindowSeconds = p.Samples[n-1].At.Sub(p.Samples[0].At).Seconds()
		}
		if worst == nil || worse(v, *worst) {
			w := v
			worst = &w
		}
		keep(v)
	}
	if rep.Partitions == 0 && g.Members == 0 {
		// A group with nothing committed and nobody consuming has no partition
		// to judge; say so rather than OK.
		rep.Status = NoActiveMembers
	}
	if worst != nil {
		rep.Status = worst.Status
	}
	// Never nil: the output schema says array, and a group with nothing to
	// judge must render "worst": [] rather than null.
	rep.Worst = []Verdict{}
	return rep
}

// SortWorstFirst orders verdicts by severity, then lag, then topic and
// partition: a total order, so pages are stable.
func SortWorstFirst(vs []Verdict) {
	slices.SortFunc(vs, func(a, b Verdict) int {
		switch {
		case worse(a, b):
			return -1
		case worse(b, a):
			return 1
		}
		return 0
	})
}

// worse reports whether a sorts before b worst-first.
func worse(a, b Verdict) bool {
	if sa, sb := a.Status.Severity(), b.Status.Severity(); sa != sb {
		return sa > sb
	}
	if la, lb := weight(a), weight(b); la != lb {
		return la > lb
	}
	if a.Topic != b.Topic {
		return a.Topic < b.Topic
	}
	return a.Partition < b.Partition
}

func weight(v Verdict) int64 {
	if v.LagRecords != nil {
		return *v.LagRecords + v.LostRecords
	}
	return v.FromLogStartRecords
}

func ptr[T any](v T) *T { return &v }

func rebalancing(state string) bool {
	return state == "PreparingRebalance" || state == "CompletingRebalance" || state == "Assigning" || state == "Reconciling"
}

func judge(g Group, p Partition, now time.Time, th Thresholds) Verdict {
	v := Verdict{Topic: p.Topic, Partition: p.Partition, Member: p.Member, Confidence: High}
	if p.Err != "" || len(p.Samples) == 0 {
		v.Status, v.Confidence = Unknown, Low
		v.Evidence = "offsets not readable: " + orStr(p.Err, "no sample")
		return v
	}
	first, last := p.Samples[0], p.Samples[len(p.Samples)-1]
	v.LogStart, v.HWM = last.LogStart, last.HWM
	if last.LSO >= 0 {
		v.LSO = ptr(last.LSO)
	}
	window := last.At.Sub(first.At)
	multi := len(p.Samples) > 1 && window > 0
	if !multi && p.Produced != nil && p.Produced.Over > 0 {
		v.ProduceRate = ptr(float64(p.Produced.Records) / p.Produced.Over.Seconds())
	}
	if multi {
		secs := window.Seconds()
		if first.Committed >= 0 && last.Committed >= 0 {
			v.ConsumeRate = ptr(float64(last.Committed-first.Committed) / secs)
		}
		v.ProduceRate = ptr(float64(last.HWM-first.HWM) / secs)
	}

	// 1. No commit: lag depends on auto.offset.reset; never 0.
	if last.Committed < 0 {
		v.Status = Uncommitted
		v.FromLogStartRecords = max(0, last.HWM-last.LogStart)
		v.Evidence = fmt.Sprintf("no committed offset; %d records between log start %d and high watermark %d (what an earliest-reset consumer would read; a latest-reset consumer skips them)",
			v.FromLogStartRecords, last.LogStart, last.HWM)
		return v
	}
	v.Committed = ptr(last.Committed)

	// 2. Committed below log start: retention or compaction deleted unread records.
	if last.Committed < last.LogStart {
		v.Status = DataLoss
		v.LostRecords = last.LogStart - last.Committed
		v.LagRecords = ptr(last.HWM - last.Committed)
		v.Evidence = fmt.Sprintf("committed offset %d is below log start %d: %d records were deleted (retention or compaction) before the group read them",
			last.Committed, last.LogStart, v.LostRecords)
		return v
	}
	// 3. Committed beyond the end of the log.
	if last.Committed > last.HWM {
		v.Status = AheadOfLog
		v.LagRecords = ptr(int64(0))
		v.Evidence = fmt.Sprintf("committed offset %d is beyond high watermark %d: the topic was recreated or truncated; the consumer will reset by auto.offset.reset", last.Committed, last.HWM)
		return v
	}
	lagNow := last.HWM - last.Committed
	v.LagRecords = ptr(lagNow)
	setTimeLag(&v, p, now, lagNow)

	// 4. Offset went backwards inside the window.
	for i := 1; i < len(p.Samples); i++ {
		a, b := p.Samples[i-1], p.Samples[i]
		if a.Committed >= 0 && b.Committed >= 0 && b.Committed < a.Committed {
			v.Status = Rewound
			v.Evidence = fmt.Sprintf("committed offset went back from %d to %d within the window (offset reset or reprocessing)", a.Committed, b.Committed)
			return v
		}
	}

	produced, consumed := last.HWM-first.HWM, last.Committed-first.Committed
	idle := multi && produced == 0 && consumed == 0

	// 5. Caught up.
	if lagNow == 0 {
		switch {
		case idle:
			v.Status = IdleCaughtUp
			v.Evidence = fmt.Sprintf("lag 0 and no records produced or committed over %s: idle, not stopped", window.Round(time.Millisecond))
		case multi:
			v.Status = OK
			v.Evidence = fmt.Sprintf("lag 0 at offset %d; %d records produced and consumed over %s", last.Committed, produced, window.Round(time.Millisecond))
		default:
			v.Status, v.Confidence = OK, Medium
			v.Evidence = fmt.Sprintf("lag 0 at offset %d (one sample)", last.Committed)
		}
		return v
	}
	// 6. Group-level states that explain lag.
	if rebalancing(g.State) {
		v.Status, v.Confidence = Rebalancing, Medium
		v.Evidence = fmt.Sprintf("group is %s; commits pause until assignment completes (lag %d)", g.State, lagNow)
		return v
	}
	if g.Members == 0 {
		// What the lag is made of still matters without members: a frozen
		// lag of a marker or two is nothing to read (a committed
		// transaction's marker after the last record), and a commit at the
		// LSO waits on an open transaction whoever consumes next.
		if idle && lagNow <= th.PhantomMaxRecords {
			v.Status = PhantomLag
			v.Confidence = confidenceFor(multi, window, th)
			v.Evidence = fmt.Sprintf("group has no active members; lag %d frozen on an idle partition over %s is likely transaction markers, not unread data", lagNow, window.Round(time.Millisecond))
			return v
		}
		v.Status = NoActiveMembers
		v.Evidence = fmt.Sprintf("group has no active members and %d unread records", lagNow)
		if last.LSO >= 0 && last.LSO < last.HWM && last.Committed == last.LSO {
			v.Evidence += fmt.Sprintf("; the commit sits at the last stable offset: the %d records above it are in an open transaction that read_committed consumers cannot pass until it ends", last.HWM-last.LSO)
		}
		return v
	}
	if p.Member == "" && g.State == "Stable" {
		v.Status, v.Confidence = NoActiveMembers, Medium
		v.Evidence = fmt.Sprintf("group is Stable but no member is assigned this partition; %d unread records (topic no longer subscribed?)", lagNow)
		return v
	}
	// 7. Stuck at the last stable offset: an open transaction.
	if last.LSO >= 0 && last.LSO < last.HWM && last.Committed == last.LSO && sameCommitted(p.Samples) {
		v.Status = TxnBlocked
		v.Confidence = confidenceFor(multi, window, th)
		v.Evidence = fmt.Sprintf("committed offset %d equals the last stable offset, %d below the high watermark %d: an open transaction blocks read_committed consumers", last.Committed, last.HWM-last.LSO, last.HWM)
		return v
	}
	// 8. One or two frozen offsets on an idle partition: control records.
	if idle && lagNow <= th.PhantomMaxRecords {
		v.Status = PhantomLag
		v.Confidence = confidenceFor(multi, window, th)
		v.Evidence = fmt.Sprintf("lag %d frozen on an idle partition over %s: likely transaction markers, not unread data", lagNow, window.Round(time.Millisecond))
		return v
	}
	if !multi {
		return trendFromHistory(v, p, lagNow)
	}
	// 9. Trends over the sampled window.
	lags := make([]int64, len(p.Samples))
	for i, s := range p.Samples {
		lags[i] = s.HWM - s.Committed
	}
	firstLag := lags[0]
	switch {
	case consumed == 0:
		v.Status = Stalled
		v.Confidence = confidenceFor(true, window, th)
		v.Evidence = fmt.Sprintf("members present, committed offset frozen at %d for %s while lag is %d (%d records produced meanwhile)",
			last.Committed, window.Round(time.Millisecond), lagNow, produced)
	case anyZero(lags):
		v.Status = OK
		v.Evidence = fmt.Sprintf("lag touched 0 within the window; now %d", lagNow)
	case lagNow > firstLag && neverFell(lags):
		v.Status = FallingBehind
		v.Evidence = fmt.Sprintf("offsets advance (%d records consumed) but lag rose from %d to %d over %s", consumed, firstLag, lagNow, window.Round(time.Millisecond))
	case lagNow < firstLag:
		v.Status = CatchingUp
		net := float64(firstLag-lagNow) / window.Seconds()
		v.ETASeconds = ptr(float64(lagNow) / net)
		v.Evidence = fmt.Sprintf("lag fell from %d to %d over %s (%.1f records/s net drain)", firstLag, lagNow, window.Round(time.Millisecond), net)
	default:
		v.Status = OK
		v.Evidence = fmt.Sprintf("consumer keeps pace: lag %d → %d while %d records were consumed", firstLag, lagNow, consumed)
	}
	if v.Confidence == High && window < th.MinWindow {
		v.Confidence = Medium
	}
	return v
}

// trendFromHistory classifies a single-sample partition from an external
// lag series (CloudWatch), or reports LAGGING when there is none.
func trendFromHistory(v Verdict, p Partition, lagNow int64) Verdict {
	h := p.History
	if len(h) <= 1 { // a trend needs two points
		v.Status, v.Confidence = Lagging, Low
		v.Evidence = fmt.Sprintf("lag %d from one snapshot", lagNow)
		if v.ProduceRate != nil {
			v.Evidence += fmt.Sprintf("; %.1f records/s written over the last %s (by record timestamp)", *v.ProduceRate, p.Produced.Over)
		}
		if v.LagSeconds != nil {
			v.Evidence += fmt.Sprintf("; the next unread record is %.0f s old", *v.LagSeconds)
		}
		v.Evidence += "; whether the consumer keeps up needs its consume rate: call again with sample_seconds (e.g. 10) to classify STALLED, FALLING_BEHIND or CATCHING_UP"
		return v
	}
	a, b := h[0], h[len(h)-1]
	dt := b.At.Sub(a.At)
	v.Confidence = Medium
	switch {
	case b.LagRecords > a.LagRecords:
		v.Status = FallingBehind
		v.Evidence = fmt.Sprintf("metric lag rose from %.0f to %.0f over %s; now %d", a.LagRecords, b.LagRecords, dt, lagNow)
	case b.LagRecords < a.LagRecords && dt > 0:
		v.Status = CatchingUp
		net := (a.LagRecords - b.LagRecords) / dt.Seconds()
		v.ETASeconds = ptr(float64(lagNow) / net)
		v.Evidence = fmt.Sprintf("metric lag fell from %.0f to %.0f over %s; now %d", a.LagRecords, b.LagRecords, dt, lagNow)
	default:
		v.Status = Lagging
		v.Evidence = fmt.Sprintf("metric lag flat at %.0f over %s; now %d", b.LagRecords, dt, lagNow)
	}
	return v
}

func setTimeLag(v *Verdict, p Partition, now time.Time, lagNow int64) {
	switch {
	case lagNow == 0:
		v.LagSeconds = ptr(0.0)
	case p.Record != nil && !p.Record.Timestamp.IsZero():
		v.LagSeconds = ptr(max(0, now.Sub(p.Record.Timestamp).Seconds()))
		v.TimestampType = p.Record.Type
	}
}

func confidenceFor(multi bool, window time.Duration, th Thresholds) Confidence {
	switch {
	case !multi:
		return Low
	case window < th.MinWindow:
		return Medium
	}
	return High
}

func sameCommitted(ss []Sample) bool {
	for _, s := range ss[1:] {
		if s.Committed != ss[0].Committed {
			return false
		}
	}
	return true
}

func anyZero(xs []int64) bool {
	for _, x := range xs {
		if x == 0 {
			return true
		}
	}
	return false
}

func neverFell(xs []int64) bool {
	for i := 1; i < len(xs); i++ {
		if xs[i] < xs[i-1] {
			return false
		}
	}
	return true
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
