// Package kinesisdiag judges a Kinesis data stream from its metrics: whether
// writes are throttled because the whole stream is over capacity, because
// one shard is hot, because one partition key is hot, or because of bursts
// shorter than the metric period; how close reads are to the shared read
// limit; and whether the consumers' iterator age puts records at risk of
// expiring. It follows the decision tree of the AWS blog post on optimizing
// Kinesis write throughput, as summarised in
// shared/knowledge/seed-002-003.md (§3d).
//
// Everything here is a pure function over plain structs; limits come from
// guidance through [LimitsFrom].
package kinesisdiag

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// percent turns a ratio into a percentage for the reasoning text.
const percent = 100 // unit conversion

// Limits are the numbers the diagnosis compares against.
type Limits struct {
	ShardWriteBytesPerSec   float64
	ShardWriteRecordsPerSec float64
	ShardReadBytesPerSec    float64
	// GetRecordsTPS is the shared GetRecords call rate per shard.
	GetRecordsTPS float64
	// AtCapacityRatio is the share of a ceiling that counts as at capacity
	// while throttled.
	AtCapacityRatio float64
	// RetentionRiskRatio is the share of retention at which iterator age
	// puts records at risk.
	RetentionRiskRatio float64
	// MaxScaleFactor is UpdateShardCount's largest step (x current).
	MaxScaleFactor float64
	// OnDemandBurstFactor and OnDemandBurstWindowMinutes: an on-demand
	// stream can throttle when writes grow past this multiple of the
	// previous peak within this window.
	OnDemandBurstFactor        float64
	OnDemandBurstWindowMinutes float64
	// Sources name where each number came from, for the evidence text.
	Sources map[string]string
}

// LimitsFrom reads the limits from the knowledge base.
func LimitsFrom(b *guidance.Base) Limits {
	mb := b.Num("kinesis_diag.bytes_per_mb")
	ids := []string{"kinesis.shard.write_mbps", "kinesis.shard.write_records_per_second", "kinesis.shard.read_mbps", "kinesis.shard.get_records_tps",
		"kinesis_diag.at_capacity_ratio", "kinesis_diag.iterator_age.retention_risk_ratio", "kinesis.update_shard_count.max_factor",
		"kinesis.on_demand.burst_factor", "kinesis.on_demand.burst_window_minutes"}
	src := map[string]string{}
	for _, id := range ids {
		src[id] = b.Source(id)
	}
	return Limits{
		ShardWriteBytesPerSec:      b.Num("kinesis.shard.write_mbps") * mb,
		ShardWriteRecordsPerSec:    b.Num("kinesis.shard.write_records_per_second"),
		ShardReadBytesPerSec:       b.Num("kinesis.shard.read_mbps") * mb,
		GetRecordsTPS:              b.Num("kinesis.shard.get_records_tps"),
		AtCapacityRatio:            b.Num("kinesis_diag.at_capacity_ratio"),
		RetentionRiskRatio:         b.Num("kinesis_diag.iterator_age.retention_risk_ratio"),
		MaxScaleFactor:             b.Num("kinesis.update_shard_count.max_factor"),
		OnDemandBurstFactor:        b.Num("kinesis.on_demand.burst_factor"),
		OnDemandBurstWindowMinutes: b.Num("kinesis.on_demand.burst_window_minutes"),
		Sources:                    src,
	}
}

// Sample is one metric period of write traffic: the period's sums.
type Sample struct {
	At        time.Time
	Bytes     float64 // IncomingBytes (Sum)
	Records   float64 // IncomingRecords (Sum)
	Throttled float64 // WriteProvisionedThroughputExceeded (Sum)
}

// Shard is one open shard's per-period samples (enhanced monitoring).
type Shard struct {
	ID string
	// KeyspaceFraction is the shard's share of the hash-key space.
	KeyspaceFraction float64
	Samples          []Sample
}

// WriteInput is what the write diagnosis needs.
type WriteInput struct {
	// Mode is PROVISIONED or ON_DEMAND.
	Mode          string
	OpenShards    int
	PeriodSeconds int
	// Stream holds the stream-level samples, aligned by period. Periods in
	// which CloudWatch had no point are absent.
	Stream []Sample
	// Shards holds per-shard samples; nil when shard-level metrics are off.
	Shards []Shard
	// ShardThrottleMetric is true when the shard samples carry
	// WriteProvisionedThroughputExceeded (not just bytes and records).
	ShardThrottleMetric bool
}

// Classifications of write throttling.
const (
	WriteNone               = "none"
	WriteStreamOverCapacity = "stream_over_capacity"
	WriteHotShard           = "hot_shard"
	WriteHotKey             = "hot_key"
	WriteSubPeriodBursts    = "sub_period_bursts"
	WriteUndetermined       = "undetermined"
	WriteNoData             = "no_data"
)

// Bounds: which ceiling the traffic hits.
const (
	BoundBytes   = "bytes"
	BoundRecords = "records"
)

// HotShard is a shard that reached its own ceiling while the stream did not.
type HotShard struct {
	ShardID           string  `json:"shard_id" jsonschema_description:"shard ID"`
	PeakBytesPerSec   float64 `json:"peak_bytes_per_sec" jsonschema_description:"highest per-period write rate, bytes/s"`
	PeakRecordsPerSec float64 `json:"peak_records_per_sec" jsonschema_description:"highest per-period write rate, records/s"`
	// PeakUtilization is the highest per-period share of the shard's own
	// ceiling (bytes or records, whichever is higher).
	PeakUtilization  float64 `json:"peak_utilization" jsonschema_description:"highest per-period share of the ceiling (bytes or records, whichever is higher)"`
	KeyspaceFraction float64 `json:"keyspace_fraction" jsonschema_description:"share of the hash-key space (0-1)"`
	ThrottleEvents   float64 `json:"throttle_events,omitempty" jsonschema_description:"WriteProvisionedThroughputExceeded (or ReadProvisionedThroughputExceeded) summed over the window"`
	Bound            string  `json:"bound" jsonschema_description:"bytes or records: the ceiling that is hit"`
}

// WriteDiagnosis is the verdict on write throttling, with the arithmetic.
type WriteDiagnosis struct {
	Classification string `json:"classification" jsonschema_description:"none, stream_over_capacity, hot_shard, hot_key, sub_period_bursts, undetermined or no_data"`
	// Bound is bytes or records: which ceiling is hit ("" when none).
	Bound string `json:"bound,omitempty" jsonschema_description:"bytes or records: the ceiling that is hit"`
	// Confidence is high (the metrics show it directly), medium (inferred)
	// or low (several causes fit).
	Confidence            string  `json:"confidence" jsonschema_description:"high (shown by the metrics), medium (inferred) or low (several causes fit)"`
	CapacityBytesPerSec   float64 `json:"capacity_bytes_per_sec" jsonschema_description:"ceiling: open shards x per-shard limit, bytes/s"`
	CapacityRecordsPerSec float64 `json:"capacity_records_per_sec" jsonschema_description:"ceiling: open shards x per-shard limit, records/s"`
	PeakBytesPerSec       float64 `json:"peak_bytes_per_sec" jsonschema_description:"highest per-period write rate, bytes/s"`
	PeakRecordsPerSec     float64 `json:"peak_records_per_sec" jsonschema_description:"highest per-period write rate, records/s"`
	// PeakUtilization is the highest per-period share of the stream's
	// ceiling (bytes or records, whichever is higher).
	PeakUtilization float64 `json:"peak_utilization" jsonschema_description:"highest per-period share of the ceiling (bytes or records, whichever is higher)"`
	// UtilizationWhenThrottled is the highest stream utilization in a
	// period with throttling (0 when none).
	UtilizationWhenThrottled float64    `json:"utilization_when_throttled" jsonschema_description:"highest stream utilization in a period with throttling"`
	Periods                  int        `json:"periods" jsonschema_description:"periods with data in the window"`
	ThrottledPeriods         int        `json:"throttled_periods" jsonschema_description:"periods with throttling"`
	ThrottleEvents           float64    `json:"throttle_events" jsonschema_description:"WriteProvisionedThroughputExceeded (or ReadProvisionedThroughputExceeded) summed over the window"`
	HotShards                []HotShard `json:"hot_shards,omitempty" jsonschema_description:"shards at their own ceiling while the stream was not, hottest first"`
	// RecommendedShards is the open-shard count the observed peak needs at
	// the per-shard limits (0 when not applicable). Throttled records are
	// not counted in IncomingBytes, so real demand may be higher.
	RecommendedShards int `json:"recommended_shards,omitempty" jsonschema_description:"open shards the observed peak needs; throttled records are uncounted, so demand may be higher"`
	// Reasoning lists each step with its numbers.
	Reasoning []string `json:"reasoning" jsonschema_description:"each step of the judgement with its numbers"`
	// Remediation follows the post's decision tree for this classification.
	Remediation []string `json:"remediation,omitempty" jsonschema_description:"what to do, following the write-throughput decision tree"`
}

func util(s Sample, period float64, capB, capR float64) (ub, ur float64) {
	if capB > 0 {
		ub = s.Bytes / period / capB
	}
	if capR > 0 {
		ur = s.Records / period / capR
	}
	return ub, ur
}

func bound(ub, ur float64) string {
	if ur > ub {
		return BoundRecords
	}
	return BoundBytes
}

// DiagnoseWrites classifies write throttling. It reads the stream-level
// sums first: throttling while the stream is at its ceiling is a capacity
// problem. Below the ceiling it needs shard-level metrics to tell a hot
// shard (one shard at its own ceiling) from a hot key (a hot shard that is
// already narrower than an even share, or any hot shard in on-demand mode,
// where the service splits hot shards itself but cannot split one key)
// from bursts shorter than the period (throttles on shards that are all
// under their ceiling).
func DiagnoseWrites(in WriteInput, l Limits) WriteDiagnosis {
	d := WriteDiagnosis{Confidence: "high", Periods: len(in.Stream)}
	period := float64(in.PeriodSeconds)
	if len(in.Stream) == 0 || in.OpenShards <= 0 || period <= 0 {
		d.Classification, d.Confidence = WriteNoData, "low"
		d.Reasoning = append(d.Reasoning, "no IncomingBytes/IncomingRecords data points in the window (no traffic, or the metrics could not be read)")
		return d
	}
	n := float64(in.OpenShards)
	d.CapacityBytesPerSec = n * l.ShardWriteBytesPerSec
	d.CapacityRecordsPerSec = n * l.ShardWriteRecordsPerSec
	var atCapB, atCapR, atCap int
	for _, s := range in.Stream {
		ub, ur := util(s, period, d.CapacityBytesPerSec, d.CapacityRecordsPerSec)
		u := math.Max(ub, ur)
		d.PeakBytesPerSec = math.Max(d.PeakBytesPerSec, s.Bytes/period)
		d.PeakRecordsPerSec = math.Max(d.PeakRecordsPerSec, s.Records/period)
		d.PeakUtilization = math.Max(d.PeakUtilization, u)
		if s.Throttled <= 0 {
			continue
		}
		d.ThrottledPeriods++
		d.ThrottleEvents += s.Throttled
		d.UtilizationWhenThrottled = math.Max(d.UtilizationWhenThrottled, u)
		if u >= l.AtCapacityRatio {
			atCap++
			if bound(ub, ur) == BoundRecords {
				atCapR++
			} else {
				atCapB++
			}
		}
	}
	d.Reasoning = append(d.Reasoning, fmt.Sprintf(
		"capacity: %d open shards x %.0f B/s and %.0f records/s = %.0f B/s, %.0f records/s; peak per-%ds average %.0f B/s, %.0f records/s (%.0f%% of capacity)",
		in.OpenShards, l.ShardWriteBytesPerSec, l.ShardWriteRecordsPerSec, d.CapacityBytesPerSec, d.CapacityRecordsPerSec,
		in.PeriodSeconds, d.PeakBytesPerSec, d.PeakRecordsPerSec, percent*d.PeakUtilization))
	need := int(math.Ceil(math.Max(d.PeakBytesPerSec/l.ShardWriteBytesPerSec, d.PeakRecordsPerSec/l.ShardWriteRecordsPerSec) / l.AtCapacityRatio))

	if d.ThrottledPeriods == 0 {
		d.Classification = WriteNone
		d.Reasoning = append(d.Reasoning, fmt.Sprintf("WriteProvisionedThroughputExceeded is 0 in all %d periods", d.Periods))
		if d.PeakUtilization >= l.AtCapacityRatio {
			d.Reasoning = append(d.Reasoning, fmt.Sprintf("but the peak reached %.0f%% of capacity (at-capacity threshold %.0f%%): the next burst will throttle", percent*d.PeakUtilization, percent*l.AtCapacityRatio))
			d.RecommendedShards = max(need, in.OpenShards+1)
			d.Remediation = scaleRemediation(in, l, d.RecommendedShards)
		}
		return d
	}
	d.Reasoning = append(d.Reasoning, fmt.Sprintf("writes throttled in %d of %d periods (%.0f throttle events); the highest stream utilization in a throttled period was %.0f%%",
		d.ThrottledPeriods, d.Periods, d.ThrottleEvents, percent*d.UtilizationWhenThrottled))

	// 1. The whole stream at its ceiling in most throttled periods.
	if atCap > 0 && atCap >= d.ThrottledPeriods-atCap {
		d.Classification = WriteStreamOverCapacity
		d.Bound = BoundBytes
		if atCapR > atCapB {
			d.Bound = BoundRecords
		}
		d.Reasoning = append(d.Reasoning, fmt.Sprintf("in %d of %d throttled periods the stream was at >= %.0f%% of its %s ceiling: the stream as a whole is over capacity (%s-bound)",
			atCap, d.ThrottledPeriods, percent*l.AtCapacityRatio, d.Bound, sizeOrCount(d.Bound)))
		if in.Shards != nil {
			hot := hotShards(in, l)
			if len(hot) > 0 && len(hot) < len(in.Shards) {
				d.Confidence = "medium"
				d.Reasoning = append(d.Reasoning, fmt.Sprintf("%d of %d shards reached their own ceiling, so part of the load is also skewed", len(hot), len(in.Shards)))
				d.HotShards = hot
			} else {
				d.Reasoning = append(d.Reasoning, "shard-level metrics show the load spread evenly across shards")
			}
		}
		if in.Mode == "ON_DEMAND" {
			d.Reasoning = append(d.Reasoning, fmt.Sprintf("in on-demand mode this means traffic rose faster than the service scales (more than %gx the previous peak within %g minutes)",
				l.OnDemandBurstFactor, l.OnDemandBurstWindowMinutes))
		}
		d.RecommendedShards = max(need, in.OpenShards+1)
		d.Remediation = scaleRemediation(in, l, d.RecommendedShards)
		return d
	}

	// 2. Below the ceiling: needs shard-level metrics.
	if in.Shards == nil {
		d.Classification, d.Confidence = WriteUndetermined, "low"
		d.Reasoning = append(d.Reasoning, fmt.Sprintf("the stream stayed under %.0f%% of capacity while throttled, so one shard or key is hot, or bursts shorter than %d s exceed the limit; shard-level metrics are off, so the metrics cannot tell which",
			percent*l.AtCapacityRatio, in.PeriodSeconds))
		if in.Mode == "ON_DEMAND" {
			d.Reasoning = append(d.Reasoning, "on-demand streams split hot shards themselves, so persistent throttling below capacity points to a single hot partition key")
		}
		d.Remediation = []string{
			"enable shard-level metrics IncomingBytes, IncomingRecords and WriteProvisionedThroughputExceeded (EnableEnhancedMonitoring; billed per shard) and re-run kinesis_inspect to tell a hot shard from a hot key or bursts",
			"or sample the throttled window (about 10 s) per shard by ApproximateArrivalTimestamp and partition key with a temporary EFO consumer, as the Kinesis Hot Shard Advisor does",
		}
		return d
	}
	hot := hotShards(in, l)
	if len(hot) > 0 {
		d.HotShards = hot
		// A shard is narrower than an even share when it is narrower than
		// the widest shard and than 1/n. Comparing with the widest shard
		// keeps an even split (equal floats) from reading as narrow through
		// rounding in 1/n.
		widest := 0.0
		for _, sh := range in.Shards {
			widest = math.Max(widest, sh.KeyspaceFraction)
		}
		key := in.Mode == "ON_DEMAND"
		narrow := 0
		for _, h := range hot {
			if h.KeyspaceFraction > 0 && h.KeyspaceFraction < widest && h.KeyspaceFraction*n < 1 {
				narrow++
			}
		}
		key = key || narrow == len(hot)
		d.Bound = hot[0].Bound
		if key {
			d.Classification, d.Confidence = WriteHotKey, "medium"
			why := fmt.Sprintf("%d hot shard(s) already cover less than an even share (1/%d) of the keyspace and still hit their ceiling", narrow, in.OpenShards)
			if in.Mode == "ON_DEMAND" {
				why = "the stream is on-demand, where the service splits hot shards itself, yet a shard stays at its ceiling"
			}
			d.Reasoning = append(d.Reasoning, fmt.Sprintf("%d of %d shards reached >= %.0f%% of their own ceiling while the stream did not: %s, so a single partition key carries more than one shard can take",
				len(hot), in.OpenShards, percent*l.AtCapacityRatio, why))
			d.Remediation = []string{
				"change the partition-key scheme for the hot key (add a suffix to spread it, or a random key when order per key does not matter); more shards will not help one key",
				"confirm the key with a short per-key sample of the throttled window before changing producers",
			}
			return d
		}
		d.Classification = WriteHotShard
		d.Reasoning = append(d.Reasoning, fmt.Sprintf("%d of %d shards reached >= %.0f%% of their own ceiling (%s-bound) while the stream stayed at %.0f%%: hot shard(s); their keyspace shares are not below an even share, so splitting them spreads the keys",
			len(hot), in.OpenShards, percent*l.AtCapacityRatio, d.Bound, percent*d.UtilizationWhenThrottled))
		var ids string
		for i, h := range hot {
			if i > 0 {
				ids += ", "
			}
			ids += h.ShardID
		}
		d.Remediation = []string{
			fmt.Sprintf("if order or locality per key matters: SplitShard %s at the midpoint of its hash range", ids),
			"if it does not: change the partition-key scheme to spread writes (e.g. a random or higher-cardinality key)",
			"for relief now: switch the stream to on-demand, then analyse",
		}
		return d
	}
	// No shard at its ceiling in the period sums.
	throttledShards := 0
	if in.ShardThrottleMetric {
		for _, sh := range in.Shards {
			for _, s := range sh.Samples {
				if s.Throttled > 0 {
					throttledShards++
					break
				}
			}
		}
	}
	d.Classification, d.Confidence = WriteSubPeriodBursts, "medium"
	d.Reasoning = append(d.Reasoning, fmt.Sprintf("no shard reached %.0f%% of its ceiling in any %d s sum, yet writes were throttled: bursts shorter than the period exceed the per-second limit and average out in the sums",
		percent*l.AtCapacityRatio, in.PeriodSeconds))
	if in.ShardThrottleMetric {
		d.Reasoning = append(d.Reasoning, fmt.Sprintf("throttles were recorded on %d of %d shards", throttledShards, len(in.Shards)))
	}
	d.Remediation = []string{
		"smooth producers: batch with PutRecords, spread sends over the second, and cap retry buffers (retries of a burst make the next burst)",
		"or add headroom for the burst peak: more shards or on-demand mode",
	}
	return d
}

func sizeOrCount(b string) string {
	if b == BoundRecords {
		return "count"
	}
	return "size"
}

// hotShards returns the shards that reached their own ceiling in a period
// in which the stream was throttled (or, when shards carry the throttle
// metric, in which the shard itself was throttled), hottest first.
func hotShards(in WriteInput, l Limits) []HotShard {
	throttled := map[time.Time]bool{}
	for _, s := range in.Stream {
		if s.Throttled > 0 {
			throttled[s.At] = true
		}
	}
	period := float64(in.PeriodSeconds)
	var out []HotShard
	for _, sh := range in.Shards {
		h := HotShard{ShardID: sh.ID, KeyspaceFraction: sh.KeyspaceFraction}
		hot := false
		var bestB, bestR float64
		for _, s := range sh.Samples {
			ub, ur := util(s, period, l.ShardWriteBytesPerSec, l.ShardWriteRecordsPerSec)
			u := math.Max(ub, ur)
			h.PeakBytesPerSec = math.Max(h.PeakBytesPerSec, s.Bytes/period)
			h.PeakRecordsPerSec = math.Max(h.PeakRecordsPerSec, s.Records/period)
			h.ThrottleEvents += s.Throttled
			if u > h.PeakUtilization {
				h.PeakUtilization = u
				bestB, bestR = ub, ur
			}
			inThrottle := throttled[s.At] || s.Throttled > 0
			if inThrottle && u >= l.AtCapacityRatio {
				hot = true
			}
		}
		if hot {
			h.Bound = bound(bestB, bestR)
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].PeakUtilization != out[j].PeakUtilization {
			return out[i].PeakUtilization > out[j].PeakUtilization
		}
		return out[i].ShardID < out[j].ShardID
	})
	return out
}

func scaleRemediation(in WriteInput, l Limits, target int) []string {
	if in.Mode == "ON_DEMAND" {
		return []string{
			"on-demand scales by itself; to absorb the step, raise warm throughput (On-demand Advantage) or pre-scale by switching to provisioned with enough shards before a known peak",
		}
	}
	step := int(math.Floor(float64(in.OpenShards) * l.MaxScaleFactor))
	r := []string{fmt.Sprintf("UpdateShardCount to at least %d shards (observed peak / %.0f%% of the per-shard limits; throttled records are not counted, so real demand may be higher)", target, percent*l.AtCapacityRatio)}
	if target > step {
		r = append(r, fmt.Sprintf("one UpdateShardCount call may at most reach %d shards (%.0fx current); scale in steps, or switch to on-demand", step, l.MaxScaleFactor))
	}
	r = append(r, "for relief now: switch the stream to on-demand, then analyse")
	return r
}

// ReadInput is what the read diagnosis needs: per-period sums.
type ReadInput struct {
	OpenShards    int
	PeriodSeconds int
	// Throttled is ReadProvisionedThroughputExceeded per period.
	Throttled []float64
	// Bytes is GetRecords.Bytes per period (shared-throughput consumers).
	Bytes []float64
	// EFOConsumers is the number of registered enhanced fan-out consumers.
	EFOConsumers int
}

// ReadDiagnosis is the verdict on shared-throughput reads.
type ReadDiagnosis struct {
	Throttled        bool    `json:"throttled" jsonschema_description:"true when ReadProvisionedThroughputExceeded was above 0"`
	ThrottledPeriods int     `json:"throttled_periods" jsonschema_description:"periods with throttling"`
	ThrottleEvents   float64 `json:"throttle_events" jsonschema_description:"ReadProvisionedThroughputExceeded summed over the window"`
	// PeakUtilization is the highest per-period GetRecords.Bytes rate as a
	// share of the shared read limit (all polling consumers together).
	PeakUtilization     float64  `json:"peak_utilization" jsonschema_description:"highest per-period GetRecords.Bytes rate as a share of the shared read ceiling"`
	CapacityBytesPerSec float64  `json:"capacity_bytes_per_sec" jsonschema_description:"shared read ceiling: open shards x per-shard read limit, bytes/s"`
	Reasoning           []string `json:"reasoning" jsonschema_description:"each step of the judgement with its numbers"`
	Remediation         []string `json:"remediation,omitempty" jsonschema_description:"what to do, following the write-throughput decision tree"`
}

// DiagnoseReads judges shared-throughput (GetRecords) reads. Enhanced
// fan-out consumers have their own throughput and do not count here.
func DiagnoseReads(in ReadInput, l Limits) ReadDiagnosis {
	d := ReadDiagnosis{}
	period := float64(in.PeriodSeconds)
	if in.OpenShards > 0 {
		d.CapacityBytesPerSec = float64(in.OpenShards) * l.ShardReadBytesPerSec
	}
	for _, t := range in.Throttled {
		if t > 0 {
			d.ThrottledPeriods++
			d.ThrottleEvents += t
		}
	}
	d.Throttled = d.ThrottledPeriods > 0
	if d.CapacityBytesPerSec > 0 && period > 0 {
		for _, b := range in.Bytes {
			d.PeakUtilization = math.Max(d.PeakUtilization, b/period/d.CapacityBytesPerSec)
		}
	}
	d.Reasoning = append(d.Reasoning, fmt.Sprintf("shared read capacity %d shards x %.0f B/s = %.0f B/s, split across every polling consumer; peak GetRecords rate %.0f%% of it",
		in.OpenShards, l.ShardReadBytesPerSec, d.CapacityBytesPerSec, percent*d.PeakUtilization))
	if !d.Throttled {
		d.Reasoning = append(d.Reasoning, "ReadProvisionedThroughputExceeded is 0: polling consumers fit the shared limits")
		return d
	}
	d.Reasoning = append(d.Reasoning, fmt.Sprintf("reads throttled in %d periods (%.0f events): polling consumers exceed the shared %.0f B/s or %.0f GetRecords calls/s per shard", d.ThrottledPeriods, d.ThrottleEvents, l.ShardReadBytesPerSec, l.GetRecordsTPS))
	if in.EFOConsumers > 0 {
		d.Reasoning = append(d.Reasoning, fmt.Sprintf("the %d registered enhanced fan-out consumer(s) read with their own throughput; the throttled reads come from polling consumers", in.EFOConsumers))
	}
	d.Remediation = []string{
		"move consumers to enhanced fan-out (each gets its own read throughput per shard), e.g. a Lambda ESM with a registered consumer ARN",
		"or reduce polling: fewer shared consumers, larger batches, longer batching windows",
	}
	if d.PeakUtilization >= l.AtCapacityRatio {
		d.Remediation = append(d.Remediation, "the read volume itself is at the shared limit: adding shards adds read capacity")
	}
	return d
}

// IteratorAge is the consumers' lag verdict.
type IteratorAge struct {
	LatestMs float64 `json:"latest_ms" jsonschema_description:"newest GetRecords.IteratorAgeMilliseconds (Maximum), ms"`
	MaxMs    float64 `json:"max_ms" jsonschema_description:"highest iterator age in the window, ms"`
	Trend    string  `json:"trend" jsonschema_description:"rising, falling, flat or insufficient_data"`
	// RetentionShare is MaxMs as a share of the retention period.
	RetentionShare float64 `json:"retention_share" jsonschema_description:"max iterator age as a share of the retention period"`
	// AtRisk is true when the age reached the risk share of retention.
	AtRisk    bool     `json:"at_risk" jsonschema_description:"true when the age reached the risk share of retention"`
	Reasoning []string `json:"reasoning" jsonschema_description:"each step of the judgement with its numbers"`
}

// JudgeIteratorAge compares the consumers' iterator age with retention.
func JudgeIteratorAge(latestMs, maxMs float64, trend string, retentionHours int, l Limits) IteratorAge {
	a := IteratorAge{LatestMs: latestMs, MaxMs: maxMs, Trend: trend}
	if retentionHours <= 0 {
		a.Reasoning = []string{"retention unknown; cannot judge expiry risk"}
		return a
	}
	ret := float64(retentionHours) * float64(time.Hour/time.Millisecond)
	a.RetentionShare = maxMs / ret
	a.AtRisk = a.RetentionShare >= l.RetentionRiskRatio
	a.Reasoning = append(a.Reasoning, fmt.Sprintf("max iterator age %s is %.1f%% of the %d h retention (risk at %.0f%%); trend %s",
		time.Duration(maxMs)*time.Millisecond, percent*a.RetentionShare, retentionHours, percent*l.RetentionRiskRatio, trend))
	if a.AtRisk {
		a.Reasoning = append(a.Reasoning, "records older than the retention period expire unread: speed up consumers or raise retention now")
	} else if trend == "rising" {
		a.Reasoning = append(a.Reasoning, "the age is rising: consumers fall behind the write rate")
	}
	return a
}
