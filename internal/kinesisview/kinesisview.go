// Package kinesisview is kinesis_inspect's answer: a stream's capacity,
// shards, consumers and CloudWatch series, judged by internal/kinesisdiag.
package kinesisview

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/esmview"
	"github.com/stream-mcp/stream-mcp/internal/kinesisdiag"
)

// ErrNotFound marks a stream that does not exist.
var ErrNotFound = errors.New("Kinesis stream not found in this account and Region")

type Stream struct {
	Name                string       `json:"name" jsonschema_description:"stream name"`
	ARN                 string       `json:"arn,omitempty" jsonschema_description:"stream ARN"`
	Status              string       `json:"status,omitempty" jsonschema_description:"CREATING, ACTIVE, UPDATING or DELETING"`
	Mode                string       `json:"mode,omitempty" jsonschema_description:"PROVISIONED or ON_DEMAND"`
	RetentionHours      int32        `json:"retention_hours,omitempty" jsonschema_description:"data retention period, hours"`
	Encryption          string       `json:"encryption,omitempty" jsonschema_description:"NONE or KMS"`
	KMSKeyID            string       `json:"kms_key_id,omitempty" jsonschema_description:"KMS key when encrypted"`
	MaxRecordSizeKiB    int32        `json:"max_record_size_kib,omitempty" jsonschema_description:"maximum record size, KiB (absent when the endpoint does not report it)"`
	Created             time.Time    `json:"created,omitzero" jsonschema_description:"creation time"`
	EnhancedMetrics     []string     `json:"enhanced_metrics,omitempty" jsonschema_description:"shard-level metrics enabled"`
	WarmThroughputMiBps int32        `json:"warm_throughput_mibps,omitempty" jsonschema_description:"current warm throughput (on-demand), MiB/s"`
	Unknown             *aws.Unknown `json:"unknown,omitempty" jsonschema_description:"why the stream summary could not be read"`
}

type Capacity struct {
	OpenShards            int     `json:"open_shards" jsonschema_description:"open shards"`
	WriteBytesPerSec      float64 `json:"write_bytes_per_sec" jsonschema_description:"write ceiling: open shards x per-shard limit, bytes/s"`
	WriteRecordsPerSec    float64 `json:"write_records_per_sec" jsonschema_description:"write ceiling, records/s"`
	SharedReadBytesPerSec float64 `json:"shared_read_bytes_per_sec" jsonschema_description:"read ceiling shared by all polling (GetRecords) consumers, bytes/s"`
	EFOReadBytesPerSec    float64 `json:"efo_read_bytes_per_sec_per_consumer" jsonschema_description:"read ceiling of each enhanced fan-out consumer across the stream, bytes/s"`
}

type Shard struct {
	ShardID          string  `json:"shard_id" jsonschema_description:"shard ID"`
	ParentShardID    string  `json:"parent_shard_id,omitempty" jsonschema_description:"parent after a split or merge"`
	StartingHashKey  string  `json:"starting_hash_key" jsonschema_description:"first hash key (decimal)"`
	EndingHashKey    string  `json:"ending_hash_key" jsonschema_description:"last hash key (decimal)"`
	KeyspaceFraction float64 `json:"keyspace_fraction" jsonschema_description:"share of the hash-key space (0-1)"`
	// Per-shard peaks, only with shard-level metrics.
	PeakBytesPerSec   *float64 `json:"peak_bytes_per_sec,omitempty" jsonschema_description:"highest per-period IncomingBytes rate (shard-level metrics)"`
	PeakRecordsPerSec *float64 `json:"peak_records_per_sec,omitempty" jsonschema_description:"highest per-period IncomingRecords rate (shard-level metrics)"`
	WriteThrottles    *float64 `json:"write_throttles,omitempty" jsonschema_description:"WriteProvisionedThroughputExceeded over the window (shard-level metrics)"`
	PeakUtilization   *float64 `json:"peak_utilization,omitempty" jsonschema_description:"highest share of the shard's own write ceiling (shard-level metrics)"`
	ReadThrottles     *float64 `json:"read_throttles,omitempty" jsonschema_description:"ReadProvisionedThroughputExceeded over the window (shard-level metrics)"`
	IteratorAgeMaxMs  *float64 `json:"iterator_age_max_ms,omitempty" jsonschema_description:"highest IteratorAgeMilliseconds of the shard in the window (shard-level metrics)"`
}

type Shards struct {
	Open                int          `json:"open" jsonschema_description:"open shards listed"`
	Closed              int          `json:"closed" jsonschema_description:"closed shards still within retention (parents of splits and merges)"`
	MinKeyspaceFraction float64      `json:"min_keyspace_fraction" jsonschema_description:"smallest open-shard share of the keyspace"`
	MaxKeyspaceFraction float64      `json:"max_keyspace_fraction" jsonschema_description:"largest open-shard share of the keyspace"`
	Even                bool         `json:"even" jsonschema_description:"true when every open shard covers the same share (within 1%)"`
	Page                []Shard      `json:"page" jsonschema_description:"open shards in hash-key order (paged)"`
	Unknown             *aws.Unknown `json:"unknown,omitempty" jsonschema_description:"why shards could not be listed"`
	ListTruncated       bool         `json:"list_truncated,omitempty" jsonschema_description:"ListShards stopped at its page bound"`
}

type Consumers struct {
	EFO      []aws.KinesisConsumer `json:"efo" jsonschema_description:"registered enhanced fan-out consumers (each has its own read throughput)"`
	EFOLimit int                   `json:"efo_limit" jsonschema_description:"registered consumers allowed per stream (Provisioned and On-demand Standard)"`
	Note     string                `json:"note" jsonschema_description:"what the API cannot show"`
	Unknown  *aws.Unknown          `json:"unknown,omitempty" jsonschema_description:"why consumers could not be listed"`
}

type Issue struct {
	Severity string `json:"severity" jsonschema:"enum=error,enum=warning,enum=info" jsonschema_description:"error: failing now; warning: will fail or risks data; info: worth knowing"`
	Title    string `json:"title" jsonschema_description:"one line"`
	Detail   string `json:"detail" jsonschema_description:"the evidence and what to do"`
}

type Out struct {
	Stream       Stream                      `json:"stream" jsonschema_description:"mode, retention, encryption, max record size"`
	Capacity     *Capacity                   `json:"capacity,omitempty" jsonschema_description:"write and read ceilings from open shards and per-shard limits"`
	Shards       Shards                      `json:"shards" jsonschema_description:"open/closed counts, keyspace balance, a page of open shards"`
	Consumers    Consumers                   `json:"consumers" jsonschema_description:"enhanced fan-out consumers"`
	Window       aws.MetricWindow            `json:"window" jsonschema_description:"CloudWatch window"`
	PeriodSecs   int                         `json:"period_seconds" jsonschema_description:"CloudWatch period of every series, seconds"`
	Metrics      []aws.SeriesDigest          `json:"metrics" jsonschema_description:"stream-level series: latest, max, mean per period and trend"`
	ShardMetrics string                      `json:"shard_metrics" jsonschema:"enum=on,enum=partial,enum=off" jsonschema_description:"whether shard-level metrics fed the diagnosis"`
	Writes       *kinesisdiag.WriteDiagnosis `json:"writes,omitempty" jsonschema_description:"write throttling classified: none, stream_over_capacity, hot_shard, hot_key, sub_period_bursts, undetermined, no_data"`
	Reads        *kinesisdiag.ReadDiagnosis  `json:"reads,omitempty" jsonschema_description:"shared-throughput read throttling"`
	IteratorAge  *kinesisdiag.IteratorAge    `json:"iterator_age,omitempty" jsonschema_description:"consumer lag (GetRecords.IteratorAgeMilliseconds) against retention"`
	Mappings     []esmview.Row               `json:"mappings,omitempty" jsonschema_description:"Lambda mappings reading the stream, health judged as esm_inspect's list does"`
	Issues       []Issue                     `json:"issues" jsonschema_description:"what is wrong or at risk, worst first"`
	AWSCalls     int                         `json:"aws_calls" jsonschema_description:"AWS API calls made"`
	References   []string                    `json:"references" jsonschema_description:"sources of the limits used"`
	NextOffset   int                         `json:"next_offset,omitempty" jsonschema_description:"offset of the next shard page when truncated"`
	Truncated    bool                        `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// maxShardsWithMetrics bounds shard-level metric queries (5 per shard, 500
// per GetMetricData call): beyond it the diagnosis uses the first shards in
// hash order and says so.
const maxShardsWithMetrics = 500

// Inspect reads a stream and its CloudWatch series and judges them. It
// returns ErrNotFound (wrapped) when the stream does not exist.
func Inspect(ctx context.Context, g *guidance.Base, kapi aws.KinesisReadAPI, cwapi aws.GetMetricDataAPI, opts aws.Options, target string, window time.Duration, now time.Time) (Out, error) {
	lim := kinesisdiag.LimitsFrom(g)
	out := Out{ShardMetrics: "off", Issues: []Issue{}}
	name := target
	if i := strings.LastIndex(target, ":stream/"); i >= 0 {
		name = target[i+len(":stream/"):]
	}
	// The stream-level series need only the name: read them while the
	// stream is described, so the two rounds overlap.
	w := aws.WindowEnding(now, window)
	out.Window, out.PeriodSecs = w, w.PeriodSeconds()
	metrics := aws.NewMetrics(cwapi, aws.MetricsOptions{CallTimeout: opts.CallTimeout, TrendZ: g.Num("metrics.trend.z_critical")})
	var b aws.MetricBundle
	fetched := make(chan struct{})
	go func() {
		defer close(fetched)
		b = metrics.Fetch(ctx, w, aws.KinesisStreamQueries(name))
	}()
	k := aws.NewKinesis(kapi, aws.KinesisOptions{CallTimeout: opts.CallTimeout})
	st, err := k.Stream(ctx, target)
	<-fetched
	switch {
	case errors.Is(err, aws.ErrStreamNotFound):
		return out, fmt.Errorf("%w: %q", ErrNotFound, target)
	case errmap.Classify(err).Kind == errmap.KindConfig:
		// No credentials or Region: every other read fails the same way,
		// so there is no partial answer to give (as esm_inspect).
		return out, err
	case err != nil:
		// The metrics were read by name: a partial answer.
		st = &aws.KinesisStream{Name: name, Calls: 1}
		out.Stream.Unknown = aws.UnknownFrom("Kinesis:DescribeStreamSummary", err)
	}
	out.Stream = Stream{
		Name: st.Name, ARN: st.ARN, Status: st.Status, Mode: st.Mode, RetentionHours: st.RetentionHours,
		Encryption: st.Encryption, KMSKeyID: st.KMSKeyID, MaxRecordSizeKiB: st.MaxRecordSizeKiB, Created: st.Created,
		EnhancedMetrics: st.EnhancedMetrics, WarmThroughputMiBps: st.WarmThroughputMiBps, Unknown: out.Stream.Unknown,
	}
	open := st.OpenShards()
	openCount := int(st.OpenShardCount)
	if openCount == 0 {
		openCount = len(open)
	}
	out.Shards = shardsOut(st, open)
	out.Consumers = Consumers{
		EFO: st.Consumers, EFOLimit: g.Int("kinesis.efo.consumers.max"), Unknown: st.ConsumersUnknown,
		Note: "polling (GetRecords) consumers such as a Lambda mapping without a consumer ARN are not registered and do not appear here; they share the shard read limit",
	}
	if out.Consumers.EFO == nil {
		out.Consumers.EFO = []aws.KinesisConsumer{}
	}
	if openCount > 0 {
		out.Capacity = &Capacity{
			OpenShards:            openCount,
			WriteBytesPerSec:      float64(openCount) * lim.ShardWriteBytesPerSec,
			WriteRecordsPerSec:    float64(openCount) * lim.ShardWriteRecordsPerSec,
			SharedReadBytesPerSec: float64(openCount) * lim.ShardReadBytesPerSec,
			EFOReadBytesPerSec:    float64(openCount) * g.Num("kinesis.efo.read_mbps_per_consumer_shard") * g.Num("kinesis_diag.bytes_per_mb"),
		}
	}

	// Shard-level series when enhanced monitoring is on.
	withMetrics := open
	if len(withMetrics) > maxShardsWithMetrics {
		withMetrics = withMetrics[:maxShardsWithMetrics]
	}
	ids := make([]string, 0, len(withMetrics))
	for _, sh := range withMetrics {
		ids = append(ids, sh.ShardID)
	}
	shardQs := aws.KinesisShardQueries(st.Name, st.EnhancedMetrics, ids)
	if len(shardQs) > 0 {
		sb := metrics.Fetch(ctx, w, shardQs)
		b.Series = append(b.Series, sb.Series...)
		b.Calls += sb.Calls
	}
	out.AWSCalls = st.Calls + b.Calls
	out.Metrics = b.Digests(func(key string) bool { return !strings.HasPrefix(key, "shard/") })

	// Write diagnosis.
	wi := kinesisdiag.WriteInput{Mode: st.Mode, OpenShards: openCount, PeriodSeconds: w.PeriodSeconds()}
	inBytes, _ := b.Get(aws.KeyKinesisIncomingBytes)
	inRecs, _ := b.Get(aws.KeyKinesisIncomingRecords)
	thr, _ := b.Get(aws.KeyKinesisWriteThrottled)
	wi.Stream = joinSamples(inBytes, inRecs, thr)
	if len(shardQs) > 0 && len(open) > 0 {
		wi.Shards, wi.ShardThrottleMetric = shardSamples(b, withMetrics)
		if wi.Shards != nil {
			out.ShardMetrics = "on"
			if len(withMetrics) < len(open) {
				out.ShardMetrics = "partial"
			}
		}
	}
	if inBytes.Status == aws.SeriesUnknown {
		out.Issues = append(out.Issues, Issue{Severity: "warning", Title: "write metrics unknown", Detail: inBytes.Unknown.Reason})
	} else if openCount > 0 {
		wd := kinesisdiag.DiagnoseWrites(wi, lim)
		out.Writes = &wd
		annotateShards(&out.Shards, wi, lim)
	}
	// Read diagnosis.
	rthr, _ := b.Get(aws.KeyKinesisReadThrottled)
	rbytes, _ := b.Get(aws.KeyKinesisGetRecordsBytes)
	if rthr.Status != aws.SeriesUnknown && openCount > 0 {
		rd := kinesisdiag.DiagnoseReads(kinesisdiag.ReadInput{OpenShards: openCount, PeriodSeconds: w.PeriodSeconds(),
			Throttled: values(rthr), Bytes: values(rbytes), EFOConsumers: len(st.Consumers)}, lim)
		out.Reads = &rd
	}
	// Iterator age.
	if age, _ := b.Get(aws.KeyKinesisIteratorAgeMs); age.Summary != nil {
		a := kinesisdiag.JudgeIteratorAge(age.Summary.Latest, age.Summary.Max, age.Summary.Trend, int(st.RetentionHours), lim)
		out.IteratorAge = &a
	}
	shardReadSide(&out.Shards, b)
	out.Issues = append(out.Issues, kinesisIssues(out, st, g.Int("kinesis.efo.consumers.max"))...)
	sort.SliceStable(out.Issues, func(i, j int) bool {
		return severityRank(out.Issues[i].Severity) < severityRank(out.Issues[j].Severity)
	})
	out.References = []string{
		g.Source("kinesis.shard.write_mbps"),
		g.Source("kinesis_diag.at_capacity_ratio"),
		g.Source("kinesis_diag.iterator_age.retention_risk_ratio"),
		"https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html",
	}
	return out, nil
}

func shardsOut(st *aws.KinesisStream, open []aws.KinesisShard) Shards {
	s := Shards{Open: len(open), Closed: len(st.Shards) - len(open), Unknown: st.ShardsUnknown, ListTruncated: st.ShardsTruncated, Page: []Shard{}}
	if len(open) == 0 {
		return s
	}
	s.MinKeyspaceFraction, s.MaxKeyspaceFraction = math.Inf(1), 0
	for _, sh := range open {
		s.MinKeyspaceFraction = math.Min(s.MinKeyspaceFraction, sh.KeyspaceFraction)
		s.MaxKeyspaceFraction = math.Max(s.MaxKeyspaceFraction, sh.KeyspaceFraction)
		s.Page = append(s.Page, Shard{ShardID: sh.ShardID, ParentShardID: sh.ParentShardID,
			StartingHashKey: sh.StartingHash, EndingHashKey: sh.EndingHash, KeyspaceFraction: sh.KeyspaceFraction})
	}
	// "Even" tolerates the rounding of an integer split of 2^128.
	s.Even = s.MaxKeyspaceFraction-s.MinKeyspaceFraction <= 0.01*s.MaxKeyspaceFraction
	return s
}

// joinSamples aligns the stream-level series by period start.
func joinSamples(bytes, recs, thr aws.MetricSeries) []kinesisdiag.Sample {
	at := map[time.Time]*kinesisdiag.Sample{}
	get := func(t time.Time) *kinesisdiag.Sample {
		if s, ok := at[t]; ok {
			return s
		}
		s := &kinesisdiag.Sample{At: t}
		at[t] = s
		return s
	}
	for _, p := range bytes.Points {
		get(p.At).Bytes = p.Value
	}
	for _, p := range recs.Points {
		get(p.At).Records = p.Value
	}
	for _, p := range thr.Points {
		get(p.At).Throttled = p.Value
	}
	out := make([]kinesisdiag.Sample, 0, len(at))
	for _, s := range at {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// shardSamples builds per-shard samples when bytes or records are enabled
// at shard level; nil when neither could be read.
func shardSamples(b aws.MetricBundle, open []aws.KinesisShard) ([]kinesisdiag.Shard, bool) {
	var shards []kinesisdiag.Shard
	haveLoad, haveThr := false, false
	for _, sh := range open {
		by, okB := b.Get(aws.ShardKey(aws.KeyKinesisIncomingBytes, sh.ShardID))
		rc, okR := b.Get(aws.ShardKey(aws.KeyKinesisIncomingRecords, sh.ShardID))
		th, okT := b.Get(aws.ShardKey(aws.KeyKinesisWriteThrottled, sh.ShardID))
		if (okB && by.Status == aws.SeriesUnknown) || (okR && rc.Status == aws.SeriesUnknown) {
			return nil, false
		}
		haveLoad = haveLoad || okB || okR
		haveThr = haveThr || okT
		shards = append(shards, kinesisdiag.Shard{ID: sh.ShardID, KeyspaceFraction: sh.KeyspaceFraction, Samples: joinSamples(by, rc, th)})
	}
	if !haveLoad {
		return nil, false
	}
	return shards, haveThr
}

func annotateShards(s *Shards, wi kinesisdiag.WriteInput, lim kinesisdiag.Limits) {
	if wi.Shards == nil || wi.PeriodSeconds <= 0 {
		return
	}
	p := float64(wi.PeriodSeconds)
	by := map[string]kinesisdiag.Shard{}
	for _, sh := range wi.Shards {
		by[sh.ID] = sh
	}
	for i := range s.Page {
		sh, ok := by[s.Page[i].ShardID]
		if !ok {
			continue
		}
		var pb, pr, thr, pu float64
		for _, x := range sh.Samples {
			pb = math.Max(pb, x.Bytes/p)
			pr = math.Max(pr, x.Records/p)
			thr += x.Throttled
			pu = math.Max(pu, math.Max(x.Bytes/p/lim.ShardWriteBytesPerSec, x.Records/p/lim.ShardWriteRecordsPerSec))
		}
		s.Page[i].PeakBytesPerSec, s.Page[i].PeakRecordsPerSec, s.Page[i].PeakUtilization = &pb, &pr, &pu
		if wi.ShardThrottleMetric {
			s.Page[i].WriteThrottles = &thr
		}
	}
}

// shardReadSide adds the shard-level read series (when enabled) to the
// page: read throttles and the highest iterator age per shard, which show
// which shard a lagging consumer is stuck on.
func shardReadSide(s *Shards, b aws.MetricBundle) {
	for i := range s.Page {
		id := s.Page[i].ShardID
		if rt, ok := b.Get(aws.ShardKey(aws.KeyKinesisReadThrottled, id)); ok && rt.Summary != nil {
			v := rt.Summary.Sum
			s.Page[i].ReadThrottles = &v
		}
		if age, ok := b.Get(aws.ShardKey(aws.KeyKinesisIteratorAgeMs, id)); ok && age.Summary != nil {
			v := age.Summary.Max
			s.Page[i].IteratorAgeMaxMs = &v
		}
	}
}

func values(s aws.MetricSeries) []float64 {
	out := make([]float64, 0, len(s.Points))
	for _, p := range s.Points {
		out = append(out, p.Value)
	}
	return out
}

func severityRank(s string) int {
	switch s {
	case "error":
		return 0
	case "warning":
		return 1
	}
	return 2
}

// kinesisIssues turns the verdicts into a short, ordered list.
func kinesisIssues(o Out, st *aws.KinesisStream, efoMax int) []Issue {
	var is []Issue
	if w := o.Writes; w != nil {
		switch w.Classification {
		case kinesisdiag.WriteStreamOverCapacity, kinesisdiag.WriteHotShard, kinesisdiag.WriteHotKey, kinesisdiag.WriteSubPeriodBursts, kinesisdiag.WriteUndetermined:
			is = append(is, Issue{Severity: "error", Title: "writes throttled: " + strings.ReplaceAll(w.Classification, "_", " "),
				Detail: last(w.Reasoning) + "; " + strings.Join(w.Remediation, "; ")})
		case kinesisdiag.WriteNone:
			if len(w.Remediation) > 0 {
				is = append(is, Issue{Severity: "warning", Title: "writes near capacity", Detail: last(w.Reasoning) + "; " + strings.Join(w.Remediation, "; ")})
			}
		}
	}
	if r := o.Reads; r != nil && r.Throttled {
		is = append(is, Issue{Severity: "error", Title: "reads throttled", Detail: last(r.Reasoning) + "; " + strings.Join(r.Remediation, "; ")})
	}
	if a := o.IteratorAge; a != nil {
		switch {
		case a.AtRisk:
			is = append(is, Issue{Severity: "error", Title: "records at risk of expiring unread", Detail: strings.Join(a.Reasoning, "; ")})
		case a.Trend == "rising":
			is = append(is, Issue{Severity: "warning", Title: "consumers falling behind", Detail: strings.Join(a.Reasoning, "; ")})
		}
	}
	if st.Status != "" && st.Status != "ACTIVE" {
		is = append(is, Issue{Severity: "warning", Title: "stream is " + st.Status, Detail: "writes and reshards wait until the stream is ACTIVE again"})
	}
	if efoMax > 0 && len(st.Consumers) >= efoMax {
		is = append(is, Issue{Severity: "warning", Title: "enhanced fan-out consumer limit reached", Detail: fmt.Sprintf("%d registered consumers, the per-stream limit is %d (On-demand Advantage allows more)", len(st.Consumers), efoMax)})
	}
	if st.Encryption == "NONE" {
		is = append(is, Issue{Severity: "info", Title: "server-side encryption is off", Detail: "enable KMS encryption (StartStreamEncryption) if the data is sensitive"})
	}
	return is
}

func last(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[len(xs)-1]
}

// AddMappings attaches the stream's Lambda mappings with their health (the
// esm_inspect list view's judgement) and raises an issue for each one that
// is not healthy: "consumers fall behind" is most often a mapping's story.
func (o *Out) AddMappings(rows []esmview.Row) {
	o.Mappings = rows
	for _, r := range rows {
		if r.Health == "ok" || r.Health == "stopped" {
			continue
		}
		sev := "warning"
		if r.Health == "problem" {
			sev = "error"
		}
		o.Issues = append(o.Issues, Issue{Severity: sev, Title: fmt.Sprintf("mapping %s (%s) has a %s (%s) health", r.UUID, r.Function, r.Health, r.Category),
			Detail: r.Why + "; esm_inspect esm_uuid=" + r.UUID + " has the evidence and the fix"})
	}
	sort.SliceStable(o.Issues, func(i, j int) bool { return severityRank(o.Issues[i].Severity) < severityRank(o.Issues[j].Severity) })
}
