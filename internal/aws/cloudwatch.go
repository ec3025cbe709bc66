package aws

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// GetMetricDataAPI is the one CloudWatch call the metric bundles make
// (*cloudwatch.Client satisfies it). It is read-only.
type GetMetricDataAPI interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// MetricWindow is the time range and aggregation period of a bundle.
type MetricWindow struct {
	Start  time.Time     `json:"start" jsonschema_description:"window start (UTC)"`
	End    time.Time     `json:"end" jsonschema_description:"window end (UTC)"`
	Period time.Duration `json:"-"`
}

// PeriodSeconds is the aggregation period in seconds.
func (w MetricWindow) PeriodSeconds() int { return int(w.Period / time.Second) }

// maxPointsPerSeries bounds a series: one-minute points up to six hours,
// coarser periods beyond, so a long window never yields a huge answer.
const maxPointsPerSeries = 360

// WindowEnding returns the window [end-span, end] with the finest period
// CloudWatch keeps for standard-resolution AWS metrics (60 s) that keeps a
// series under maxPointsPerSeries points. Start and End are aligned to the
// period, as GetMetricData recommends for fast answers.
func WindowEnding(end time.Time, span time.Duration) MetricWindow {
	if span < time.Minute {
		span = time.Minute
	}
	period := time.Minute
	for span/period > maxPointsPerSeries {
		period += time.Minute
	}
	end = end.UTC().Truncate(period)
	return MetricWindow{Start: end.Add(-span).Truncate(period), End: end, Period: period}
}

// Dimension is one CloudWatch dimension.
type Dimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MetricQuery names one series to fetch.
type MetricQuery struct {
	// Key is the stable name of the series in a bundle ("iterator_age_ms").
	Key        string      `json:"key"`
	Namespace  string      `json:"namespace"`
	Metric     string      `json:"metric"`
	Stat       string      `json:"stat"`
	Dimensions []Dimension `json:"dimensions"`
}

// MetricPoint is one aggregated value.
type MetricPoint struct {
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
}

// Trend values of a SeriesSummary.
const (
	TrendRising       = "rising"
	TrendFalling      = "falling"
	TrendFlat         = "flat"
	TrendInsufficient = "insufficient_data"
)

// SeriesSummary condenses a series for a reader: where it is now, how high
// it went and which way it is heading.
type SeriesSummary struct {
	Points   int       `json:"points"`
	Latest   float64   `json:"latest"`
	LatestAt time.Time `json:"latest_at"`
	Max      float64   `json:"max"`
	MaxAt    time.Time `json:"max_at"`
	Min      float64   `json:"min"`
	Mean     float64   `json:"mean"`
	Sum      float64   `json:"sum"`
	// Trend is rising, falling or flat by the Mann-Kendall test at the
	// configured significance, or insufficient_data below four points.
	Trend string `json:"trend"`
}

// Series status values.
const (
	SeriesOK      = "ok"
	SeriesNoData  = "no_data"
	SeriesUnknown = "unknown"
)

// MetricSeries is one fetched series with its summary.
type MetricSeries struct {
	Query MetricQuery `json:"query"`
	// Status is ok, no_data (CloudWatch has no points: the metric is not
	// emitted, e.g. EventCount metrics not enabled or no traffic) or
	// unknown (the call failed; Unknown says why).
	Status string `json:"status"`
	// Unknown says why the series could not be read (status unknown).
	Unknown *Unknown `json:"unknown,omitempty"`
	// Note flags a partial answer (status ok or no_data).
	Note    string         `json:"note,omitempty"`
	Points  []MetricPoint  `json:"points,omitempty"`
	Summary *SeriesSummary `json:"summary,omitempty"`
}

// MetricBundle is a set of series over one window.
type MetricBundle struct {
	Window MetricWindow   `json:"window"`
	Series []MetricSeries `json:"series"`
	// Calls is the number of GetMetricData calls made.
	Calls int `json:"calls"`
}

// Get returns the series with the given key.
func (b MetricBundle) Get(key string) (MetricSeries, bool) {
	for _, s := range b.Series {
		if s.Query.Key == key {
			return s, true
		}
	}
	return MetricSeries{}, false
}

// MetricsOptions tune a Metrics reader.
type MetricsOptions struct {
	// CallTimeout bounds each GetMetricData call (default 15 s).
	CallTimeout time.Duration
	// TrendZ is the two-sided critical |Z| of the Mann-Kendall trend test
	// (from guidance: metrics.trend.z_critical). Zero disables trends
	// (every summary says flat).
	TrendZ float64
	// MaxPages bounds NextToken pages per call batch (default 10).
	MaxPages int
}

// Metrics reads CloudWatch metric bundles.
type Metrics struct {
	api  GetMetricDataAPI
	opts MetricsOptions
}

// NewMetrics returns a reader over api.
func NewMetrics(api GetMetricDataAPI, opts MetricsOptions) *Metrics {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 15 * time.Second
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = 10
	}
	return &Metrics{api: api, opts: opts}
}

// queriesPerCall is GetMetricData's limit on MetricDataQueries per request.
const queriesPerCall = 500

// maxBatchesInFlight bounds parallel GetMetricData calls of one Fetch.
const maxBatchesInFlight = 4

// Fetch reads every query over w, 500 queries per call, batches in
// parallel (bounded), following NextToken. It never fails: a failed call
// marks its series unknown with the reason (AccessDenied names
// cloudwatch:GetMetricData), and a partial answer from CloudWatch
// (StatusCode PartialData after the page bound) is noted in Note.
func (m *Metrics) Fetch(ctx context.Context, w MetricWindow, qs []MetricQuery) MetricBundle {
	out := MetricBundle{Window: w, Series: make([]MetricSeries, len(qs))}
	for i, q := range qs {
		out.Series[i] = MetricSeries{Query: q, Status: SeriesNoData}
	}
	if len(qs) == 0 {
		return out
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		slots = make(chan struct{}, maxBatchesInFlight)
	)
	for lo := 0; lo < len(qs); lo += queriesPerCall {
		hi := min(lo+queriesPerCall, len(qs))
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			calls := m.fetchBatch(ctx, w, qs[lo:hi], out.Series[lo:hi])
			mu.Lock()
			out.Calls += calls
			mu.Unlock()
		}(lo, hi)
	}
	wg.Wait()
	for i := range out.Series {
		s := &out.Series[i]
		if s.Status == SeriesUnknown {
			continue
		}
		sort.Slice(s.Points, func(a, b int) bool { return s.Points[a].At.Before(s.Points[b].At) })
		if len(s.Points) > 0 {
			s.Status = SeriesOK
			sum := Summarize(s.Points, m.opts.TrendZ)
			s.Summary = &sum
		}
	}
	return out
}

// fetchBatch fills series (same order as qs) and returns the calls made.
func (m *Metrics) fetchBatch(ctx context.Context, w MetricWindow, qs []MetricQuery, series []MetricSeries) int {
	in := &cloudwatch.GetMetricDataInput{
		StartTime: sdkaws.Time(w.Start),
		EndTime:   sdkaws.Time(w.End),
		ScanBy:    cwtypes.ScanByTimestampAscending,
	}
	index := make(map[string]int, len(qs))
	for i, q := range qs {
		id := "m" + strconv.Itoa(i)
		index[id] = i
		dims := make([]cwtypes.Dimension, 0, len(q.Dimensions))
		for _, d := range q.Dimensions {
			dims = append(dims, cwtypes.Dimension{Name: sdkaws.String(d.Name), Value: sdkaws.String(d.Value)})
		}
		in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
			Id:         sdkaws.String(id),
			ReturnData: sdkaws.Bool(true),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: sdkaws.String(q.Namespace), MetricName: sdkaws.String(q.Metric), Dimensions: dims},
				Period: sdkaws.Int32(int32(w.PeriodSeconds())),
				Stat:   sdkaws.String(q.Stat),
			},
		})
	}
	calls := 0
	partial := map[int]bool{}
	for page := 0; page < m.opts.MaxPages; page++ {
		cctx, cancel := context.WithTimeout(ctx, m.opts.CallTimeout)
		resp, err := m.api.GetMetricData(cctx, in)
		cancel()
		calls++
		if err != nil {
			u := UnknownFrom("CloudWatch:GetMetricData", err)
			var de *smithy.DeserializationError
			if errors.As(err, &de) {
				// An endpoint that is not CloudWatch (an emulator behind
				// --endpoint-url that serves one service) answers in a form
				// the CBOR decoder cannot read; say that, not the decoder's
				// internals.
				u.Reason = "the endpoint's answer to GetMetricData is not a CloudWatch response (does --endpoint-url serve CloudWatch?): " + de.Error()
			}
			for i := range series {
				series[i].Status, series[i].Unknown, series[i].Points = SeriesUnknown, u, nil
			}
			return calls
		}
		for _, r := range resp.MetricDataResults {
			i, ok := index[sdkaws.ToString(r.Id)]
			if !ok {
				continue
			}
			for k := range min(len(r.Timestamps), len(r.Values)) {
				series[i].Points = append(series[i].Points, MetricPoint{At: r.Timestamps[k].UTC(), Value: r.Values[k]})
			}
			switch r.StatusCode {
			case cwtypes.StatusCodePartialData:
				partial[i] = true
			case cwtypes.StatusCodeComplete:
				delete(partial, i)
			case cwtypes.StatusCodeForbidden, cwtypes.StatusCodeInternalError:
				msg := string(r.StatusCode)
				for _, md := range r.Messages {
					msg += ": " + sdkaws.ToString(md.Value)
				}
				kind := "error"
				if r.StatusCode == cwtypes.StatusCodeForbidden {
					kind = "access_denied"
				}
				series[i].Status = SeriesUnknown
				series[i].Unknown = &Unknown{Call: "CloudWatch:GetMetricData", Kind: kind, Reason: "GetMetricData result " + msg}
			}
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			return calls
		}
		in.NextToken = resp.NextToken
	}
	for i := range partial {
		if series[i].Status != SeriesUnknown {
			series[i].Note = fmt.Sprintf("partial data: stopped after %d GetMetricData pages", m.opts.MaxPages)
		}
	}
	return calls
}

// Summarize condenses points (ascending time). trendZ is the Mann-Kendall
// critical |Z|; zero reports every trend as flat.
func Summarize(points []MetricPoint, trendZ float64) SeriesSummary {
	s := SeriesSummary{Points: len(points), Trend: TrendInsufficient}
	if len(points) == 0 {
		return s
	}
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	for _, p := range points {
		s.Sum += p.Value
		if p.Value > s.Max {
			s.Max, s.MaxAt = p.Value, p.At
		}
		s.Min = math.Min(s.Min, p.Value)
	}
	last := points[len(points)-1]
	s.Latest, s.LatestAt = last.Value, last.At
	s.Mean = s.Sum / float64(len(points))
	if len(points) >= 4 {
		s.Trend = mannKendall(points, trendZ)
	}
	return s
}

// mannKendall applies the Mann-Kendall trend test (normal approximation
// with tie correction): a monotonic trend is reported only when |Z| exceeds
// zCrit, so noise around a level reads flat whatever its amplitude.
func mannKendall(points []MetricPoint, zCrit float64) string {
	if zCrit <= 0 {
		return TrendFlat
	}
	n := len(points)
	var sgn float64
	for i := 0; i < n-1; i++ {
		for j := i + 1; j < n; j++ {
			d := points[j].Value - points[i].Value
			switch {
			case d > 0:
				sgn++
			case d < 0:
				sgn--
			}
		}
	}
	ties := map[float64]int{}
	for _, p := range points {
		ties[p.Value]++
	}
	nf := float64(n)
	variance := nf * (nf - 1) * (2*nf + 5)
	for _, t := range ties {
		tf := float64(t)
		variance -= tf * (tf - 1) * (2*tf + 5)
	}
	variance /= 18
	if variance <= 0 {
		return TrendFlat
	}
	var z float64
	switch {
	case sgn > 0:
		z = (sgn - 1) / math.Sqrt(variance)
	case sgn < 0:
		z = (sgn + 1) / math.Sqrt(variance)
	}
	switch {
	case z > zCrit:
		return TrendRising
	case z < -zCrit:
		return TrendFalling
	default:
		return TrendFlat
	}
}

// SeriesDigest is a series without its points: what a tool shows.
type SeriesDigest struct {
	Key    string `json:"key" jsonschema_description:"stable series name, e.g. iterator_age_ms"`
	Metric string `json:"metric" jsonschema_description:"CloudWatch namespace/metric"`
	Stat   string `json:"stat" jsonschema_description:"statistic per period (Sum, Maximum, ...)"`
	Status string `json:"status" jsonschema:"enum=ok,enum=no_data,enum=unknown" jsonschema_description:"ok, no_data (metric not emitted in the window) or unknown (could not be read)"`
	// Latest, Max and Mean are per-period values; nil without data.
	Latest   *float64  `json:"latest,omitempty" jsonschema_description:"value of the newest period"`
	LatestAt time.Time `json:"latest_at,omitzero" jsonschema_description:"start of the newest period"`
	Max      *float64  `json:"max,omitempty" jsonschema_description:"highest period value in the window"`
	Mean     *float64  `json:"mean,omitempty" jsonschema_description:"mean period value"`
	Trend    string    `json:"trend,omitempty" jsonschema:"enum=rising,enum=falling,enum=flat,enum=insufficient_data" jsonschema_description:"Mann-Kendall trend over the window"`
	Points   int       `json:"points" jsonschema_description:"periods with data"`
	Unknown  *Unknown  `json:"unknown,omitempty" jsonschema_description:"why the series could not be read"`
	Note     string    `json:"note,omitempty" jsonschema_description:"partial-data note"`
}

// Digest condenses a series.
func (s MetricSeries) Digest() SeriesDigest {
	d := SeriesDigest{Key: s.Query.Key, Metric: s.Query.Namespace + "/" + s.Query.Metric, Stat: s.Query.Stat, Status: s.Status, Unknown: s.Unknown, Note: s.Note}
	if s.Summary != nil {
		latest, peak, mean := s.Summary.Latest, s.Summary.Max, s.Summary.Mean
		d.Latest, d.Max, d.Mean = &latest, &peak, &mean
		d.LatestAt, d.Trend, d.Points = s.Summary.LatestAt, s.Summary.Trend, s.Summary.Points
	}
	return d
}

// Digests condenses the series whose keys pass keep (nil keeps all), in
// bundle order.
func (b MetricBundle) Digests(keep func(key string) bool) []SeriesDigest {
	var out []SeriesDigest
	for _, s := range b.Series {
		if keep == nil || keep(s.Query.Key) {
			out = append(out, s.Digest())
		}
	}
	return out
}
