// Package lag judges consumer-group lag: from per-partition offsets (the
// group's commit, the log start, the high watermark and the last stable
// offset), sampled one or more times over a short window, it gives each
// partition a status with its evidence and a confidence, and rolls a group up
// into a bounded summary (counts per status, totals, the worst partitions).
//
// It is pure: it takes plain structs and never imports a Kafka or AWS client
// (STYLE.md rule 4). internal/kafka collects the offsets; tools render the
// report. The status taxonomy follows shared/knowledge/peers.md section 4.3,
// which improves on Burrow's evaluator (time-based windows, no STOP for idle
// caught-up consumers) and on kafka-lag-exporter (real record timestamps
// instead of interpolation).
package lag

import (
	"time"
)

// Status is a partition's (or a group's) lag verdict.
type Status string

// Statuses, roughly from healthy to broken. Severity orders them for the
// group roll-up.
const (
	// OK: lag is zero or the consumer keeps pace.
	OK Status = "OK"
	// IdleCaughtUp: lag 0 and nothing produced or committed in the window;
	// not a stopped consumer (Burrow's false STOP).
	IdleCaughtUp Status = "IDLE_CAUGHT_UP"
	// PhantomLag: one or two offsets of lag that never move on an idle
	// partition, typically transaction control records.
	PhantomLag Status = "PHANTOM_LAG"
	// Lagging: lag > 0 with members present, but a single sample cannot
	// tell a trend; sample a window to classify.
	Lagging Status = "LAGGING"
	// CatchingUp: lag falling while offsets advance (an ETA is given).
	CatchingUp Status = "CATCHING_UP"
	// Rebalancing: the group is mid-rebalance; commits pause meanwhile.
	Rebalancing Status = "REBALANCING"
	// Uncommitted: the group has no commit for the partition; its lag is
	// measured from the log start (never reported as 0).
	Uncommitted Status = "UNCOMMITTED"
	// FallingBehind: offsets advance but lag keeps rising.
	FallingBehind Status = "FALLING_BEHIND"
	// NoActiveMembers: the group is empty and lag > 0; nobody consumes.
	NoActiveMembers Status = "NO_ACTIVE_MEMBERS"
	// TxnBlocked: the committed offset sits at the last stable offset, below
	// the high watermark, for the whole window: an open (possibly hanging)
	// transaction blocks read_committed consumers.
	TxnBlocked Status = "TXN_BLOCKED"
	// Stalled: members present, lag > 0, the committed offset frozen for the
	// window.
	Stalled Status = "STALLED"
	// Rewound: the committed offset went backwards in the window.
	Rewound Status = "REWOUND"
	// AheadOfLog: the committed offset is beyond the high watermark (topic
	// recreated or truncated by an unclean leader election); the consumer will
	// reset by its auto.offset.reset policy.
	AheadOfLog Status = "AHEAD_OF_LOG"
	// DataLoss: the committed offset is below the log start: retention or
	// compaction deleted records the group never read.
	DataLoss Status = "DATA_LOSS"
	// Unknown: the offsets could not be read (the error says why).
	Unknown Status = "UNKNOWN"
)

// AllStatuses lists every status from best to worst.
func AllStatuses() []Status {
	return []Status{OK, IdleCaughtUp, PhantomLag, Lagging, CatchingUp, Rebalancing, Uncommitted,
		FallingBehind, NoActiveMembers, TxnBlocked, Stalled, Rewound, AheadOfLog, DataLoss, Unknown}
}

// Severity ranks, in increasing order.
const (
	SeverityHealthy = iota // nothing to do
	SeverityWatch          // worth watching
	SeverityProblem        // a problem that needs action
	SeverityBroken         // consumption is broken or data is lost
)

// Severity ranks a status (SeverityHealthy..SeverityBroken). The group
// status is its worst partition's.
func (s Status) Severity() int {
	switch s {
	case OK, IdleCaughtUp, PhantomLag:
		return SeverityHealthy
	case Lagging, CatchingUp, Rebalancing, Uncommitted, Unknown:
		return SeverityWatch
	case FallingBehind, NoActiveMembers, TxnBlocked:
		return SeverityProblem
	default: // Stalled, Rewound, AheadOfLog, DataLoss
		return SeverityBroken
	}
}

// Confidence says how much evidence backs a verdict.
type Confidence string

// Confidence levels.
const (
	High   Confidence = "high"   // several samples over the window agree
	Medium Confidence = "medium" // one sample, but the offsets alone decide it
	Low    Confidence = "low"    // a guess from one sample or thin evidence
)

// NoOffset marks an absent offset (no commit, or not listed).
const NoOffset int64 = -1

// Sample is one reading of a partition's offsets.
type Sample struct {
	At time.Time
	// Committed is the group's committed offset (the next record to read),
	// or NoOffset when the group never committed this partition.
	Committed int64
	// LogStart is the earliest readable offset; HWM the high watermark (the
	// offset of the next record to be written); LSO the last stable offset
	// (read_committed end), NoOffset when unknown.
	LogStart, HWM, LSO int64
}

// MetricPoint is one reading of an external lag time series (CloudWatch
// OffsetLag / MaxOffsetLag), used for a trend when no window was sampled.
type MetricPoint struct {
	At         time.Time
	LagRecords float64
}

// RecordTime is the timestamp of the record at the committed offset, read
// through direct partition assignment (never by joining the group).
type RecordTime struct {
	Timestamp time.Time
	// Type is "CreateTime" or "LogAppendTime".
	Type string
}

// Partition is everything known about one partition of one group.
type Partition struct {
	Topic     string
	Partition int32
	// Samples, oldest first; at least one unless Err is set.
	Samples []Sample
	// Member is the client/member ID that owns the partition ("" when
	// unassigned).
	Member string
	// History is an optional external lag series (oldest first).
	History []MetricPoint
	// Produced is what was written over a recent interval, read from
	// ListOffsets by timestamp: a produce rate without waiting for a second
	// sample (nil when not read).
	Produced *Produced
	// Record is the timestamp of the record at the last committed offset,
	// when it was read.
	Record *RecordTime
	// Err is why offsets could not be read ("" when they could).
	Err string
}

// Group is the input for one consumer group.
type Group struct {
	Name string
	// State as the coordinator reports it (Stable, Empty, PreparingRebalance,
	// CompletingRebalance, Dead, ...).
	State      string
	Members    int
	Partitions []Partition
	// Now is the evaluation time (the last sample's time when zero).
	Now time.Time
}

// Produced counts the records written to a partition over a recent
// interval (high watermark minus the first offset at or after its start).
type Produced struct {
	Records int64
	Over    time.Duration
}

// Thresholds tune the rules; they come from guidance/limits/kafka_lag.yaml.
type Thresholds struct {
	// PhantomMaxRecords is the largest frozen lag on an idle partition that
	// counts as transaction control records rather than unread data.
	PhantomMaxRecords int64
	// MinWindow is the shortest sampling window over which a frozen offset
	// counts as STALLED (shorter windows give Low confidence).
	MinWindow time.Duration
	// WorstN is how many worst partitions a group summary lists.
	WorstN int
}
