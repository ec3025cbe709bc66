package awssim

// This file is owned by the Kinesis/CloudWatch work (see doc.go): the
// `metrics:` scenario section and CloudWatch GetMetricData. The current SDK
// speaks smithy rpcv2 CBOR to CloudWatch (POST
// /service/GraniteServiceVersion20100801/operation/GetMetricData,
// Smithy-Protocol: rpc-v2-cbor), so requests and answers are CBOR, encoded
// with smithy-go's own CBOR package. The awsJson1_0 form (X-Amz-Target
// GraniteServiceVersion20100801.GetMetricData), which the AWS CLI v1 sends,
// is answered in JSON, errors included. CloudWatch is awsQueryCompatible:
// errors also carry the query code in x-amzn-query-error.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	smithycbor "github.com/aws/smithy-go/encoding/cbor"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// MetricsState is the `metrics:` section of a scenario: CloudWatch series.
type MetricsState struct {
	Series []MetricSeries `yaml:"series"`
}

// MetricSeries is one simulated metric. Values are per minute (the
// resolution AWS services publish at) and relative to the request: the
// window a caller asks for is filled from Value (a constant level) or
// From/To (a straight line from the window's start to its end), and Values
// overrides the most recent len(Values) minutes, oldest first. A series
// with none of them has no data points. The requested Period and Stat
// aggregate the minutes (Sum adds, Maximum/Minimum pick, SampleCount
// counts, the rest average).
type MetricSeries struct {
	Namespace  string            `yaml:"Namespace"`
	MetricName string            `yaml:"MetricName"`
	Dimensions map[string]string `yaml:"Dimensions"`
	Value      *float64          `yaml:"Value"`
	From       *float64          `yaml:"From"`
	To         *float64          `yaml:"To"`
	Values     []float64         `yaml:"Values"`
}

// check validates the section.
func (m MetricsState) check(*Scenario) error {
	for i, s := range m.Series {
		if s.Namespace == "" || s.MetricName == "" {
			return fmt.Errorf("metrics.series[%d]: Namespace and MetricName are required", i)
		}
		if (s.From == nil) != (s.To == nil) {
			return fmt.Errorf("metrics.series[%d] %s: From and To go together", i, s.MetricName)
		}
		if s.Value != nil && s.From != nil {
			return fmt.Errorf("metrics.series[%d] %s: give Value or From/To, not both", i, s.MetricName)
		}
	}
	return nil
}

// minuteValue is the series' value for the minute starting at t in the
// window [start, end), and whether it has one.
func (s MetricSeries) minuteValue(t, start, end time.Time) (float64, bool) {
	if n := len(s.Values); n > 0 {
		back := int(end.Sub(t) / time.Minute) // 1 for the last minute
		if back >= 1 && back <= n {
			return s.Values[n-back], true
		}
	}
	switch {
	case s.Value != nil:
		return *s.Value, true
	case s.From != nil:
		span := end.Sub(start) - time.Minute
		if span <= 0 {
			return *s.To, true
		}
		f := float64(t.Sub(start)) / float64(span)
		return *s.From + (*s.To-*s.From)*f, true
	}
	return 0, false
}

func aggregate(stat string, vals []float64) float64 {
	switch stat {
	case "Sum":
		var t float64
		for _, v := range vals {
			t += v
		}
		return t
	case "Maximum":
		m := math.Inf(-1)
		for _, v := range vals {
			m = math.Max(m, v)
		}
		return m
	case "Minimum":
		m := math.Inf(1)
		for _, v := range vals {
			m = math.Min(m, v)
		}
		return m
	case "SampleCount":
		return float64(len(vals))
	default: // Average, pNN, tmNN, ...: the mean is close enough for tests
		var t float64
		for _, v := range vals {
			t += v
		}
		return t / float64(len(vals))
	}
}

func (sc *Scenario) findSeries(ns, name string, dims map[string]string) *MetricSeries {
	for i := range sc.Metrics.Series {
		s := &sc.Metrics.Series[i]
		if s.Namespace != ns || s.MetricName != name || len(s.Dimensions) != len(dims) {
			continue
		}
		match := true
		for k, v := range dims {
			if s.Dimensions[k] != v {
				match = false
				break
			}
		}
		if match {
			return s
		}
	}
	return nil
}

func (s *Server) cloudwatchService() service {
	return service{
		name:         "monitoring",
		actionPrefix: "cloudwatch",
		proto:        protocol{kind: protoCustom, result: writeCBORResult, errorf: writeCBORError},
		errors: errorCodes{accessDenied: "AccessDenied", throttling: "Throttling", throttlingStatus: http.StatusBadRequest,
			internal: "InternalServiceError", notFound: "ResourceNotFound", notFoundStatus: http.StatusNotFound},
		ops: []string{"GetMetricData"},
		operation: func(r *request) string {
			_, op, ok := strings.Cut(r.http.URL.Path, "/operation/")
			if !ok {
				// awsJson1_0, which CloudWatch also speaks and which the
				// AWS CLI v1 sends.
				_, op, ok = strings.Cut(r.http.Header.Get("X-Amz-Target"), cwJSONTargetPrefix+".")
			}
			if !ok || op != "GetMetricData" {
				return ""
			}
			return op
		},
		handle: s.getMetricData,
	}
}

// cwJSONTargetPrefix is CloudWatch's X-Amz-Target prefix in awsJson1_0.
const cwJSONTargetPrefix = "GraniteServiceVersion20100801"

// jsonAnswer marks a result for an awsJson1_0 client: the same value,
// rendered as JSON (timestamps as epoch seconds).
type jsonAnswer struct{ v smithycbor.Value }

func writeCBORResult(w http.ResponseWriter, op string, out any) {
	if ja, ok := out.(jsonAnswer); ok {
		b, err := json.Marshal(cborToJSON(ja.v))
		if err != nil {
			writeCBORError(w, nil, op, &APIError{Code: "InternalServiceError", Message: "awssim: encode: " + err.Error(), Status: http.StatusInternalServerError})
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-RequestId", requestID)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	v, ok := out.(smithycbor.Value)
	if !ok {
		writeCBORError(w, nil, "", &APIError{Code: "InternalServiceError", Message: fmt.Sprintf("awssim: %T is not a CBOR value", out), Status: http.StatusInternalServerError})
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(smithycbor.Encode(v))
}

func writeCBORError(w http.ResponseWriter, r *http.Request, _ string, e *APIError) {
	fault := "Receiver"
	if e.Sender {
		fault = "Sender"
	}
	w.Header().Set("X-Amzn-Query-Error", e.Code+";"+fault)
	w.Header().Set("X-Amzn-RequestId", requestID)
	typ := "com.amazonaws.cloudwatch#" + e.Code
	if r != nil && r.Header.Get("X-Amz-Target") != "" && !strings.Contains(r.URL.Path, "/operation/") {
		// An awsJson1_0 client (the AWS CLI v1) gets a JSON error.
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(e.Status)
		b, _ := json.Marshal(map[string]string{"__type": typ, "message": e.Message})
		_, _ = w.Write(b)
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(e.Status)
	_, _ = w.Write(smithycbor.Encode(smithycbor.Map{
		"__type":  smithycbor.String(typ),
		"message": smithycbor.String(e.Message),
	}))
}

func cborString(m smithycbor.Map, k string) string {
	if v, ok := m[k].(smithycbor.String); ok {
		return string(v)
	}
	return ""
}

func cborTime(m smithycbor.Map, k string) (time.Time, error) {
	v, ok := m[k]
	if !ok {
		return time.Time{}, fmt.Errorf("%s is required", k)
	}
	t, err := smithycbor.AsTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", k, err)
	}
	return t.UTC(), nil
}

func (s *Server) getMetricData(_ context.Context, r *request) (any, error) {
	asJSON := !strings.Contains(r.http.URL.Path, "/operation/")
	var v smithycbor.Value
	if asJSON {
		var raw any
		if err := json.Unmarshal(r.body, &raw); err != nil {
			return nil, errBadRequest("SerializationException", "malformed JSON: "+err.Error())
		}
		v = jsonToCBOR(raw, "")
	} else {
		var err error
		if v, err = smithycbor.Decode(r.body); err != nil {
			return nil, errBadRequest("SerializationException", "malformed CBOR: "+err.Error())
		}
	}
	out, err := s.metricData(v)
	if err != nil || !asJSON {
		return out, err
	}
	return jsonAnswer{out.(smithycbor.Value)}, nil
}

// metricData answers a decoded GetMetricData request. CloudWatch pages by
// data points: a call returns at most MaxDatapoints (default guidance
// cloudwatch.get_metric_data.max_datapoints); a series cut by that bound is
// returned with StatusCode PartialData and the NextToken continues it
// (API reference, GetMetricData and MetricDataResult).
func (s *Server) metricData(v smithycbor.Value) (any, error) {
	in, ok := v.(smithycbor.Map)
	if !ok {
		return nil, errBadRequest("SerializationException", "request is not a CBOR map")
	}
	start, err := cborTime(in, "StartTime")
	if err != nil {
		return nil, errBadRequest("ValidationError", err.Error())
	}
	end, err := cborTime(in, "EndTime")
	if err != nil {
		return nil, errBadRequest("ValidationError", err.Error())
	}
	if !end.After(start) {
		return nil, errBadRequest("ValidationError", "The parameter StartTime must be less than the parameter EndTime.")
	}
	g, err := guidance.Load()
	if err != nil {
		return nil, fmt.Errorf("awssim: guidance: %w", err)
	}
	queries, _ := in["MetricDataQueries"].(smithycbor.List)
	if maxQ := g.Int("cloudwatch.get_metric_data.max_queries"); len(queries) == 0 || len(queries) > maxQ {
		return nil, errBadRequest("ValidationError", fmt.Sprintf("The collection MetricDataQueries must not have a size greater than %d or less than 1.", maxQ))
	}
	budget := g.Int("cloudwatch.get_metric_data.max_datapoints")
	if mv, ok := in["MaxDatapoints"]; ok {
		n, err := smithycbor.AsInt64(mv)
		if err != nil || n < 1 {
			return nil, errBadRequest("InvalidParameterValue", "The value for MaxDatapoints must be a positive integer.")
		}
		budget = int(n)
	}
	qi, off := 0, 0
	if tok := cborString(in, "NextToken"); tok != "" {
		a, b, ok := strings.Cut(tok, ".")
		var errA, errB error
		qi, errA = strconv.Atoi(a)
		off, errB = strconv.Atoi(b)
		if !ok || errA != nil || errB != nil || qi < 0 || qi >= len(queries) || off < 0 {
			return nil, errBadRequest("InvalidNextToken", "The service couldn't process the NextToken.")
		}
	}
	descending := cborString(in, "ScanBy") != "TimestampAscending"
	s.mu.Lock()
	defer s.mu.Unlock()
	results := smithycbor.List{}
	next := ""
	for ; qi < len(queries); qi, off = qi+1, 0 {
		q, _ := queries[qi].(smithycbor.Map)
		res, err := s.sc.metricResult(q, start, end, descending)
		if err != nil {
			return nil, err
		}
		if res == nil {
			continue
		}
		m := res.(smithycbor.Map)
		ts, vals := m["Timestamps"].(smithycbor.List), m["Values"].(smithycbor.List)
		off = min(off, len(ts))
		take := min(len(ts)-off, budget)
		m["Timestamps"], m["Values"] = ts[off:off+take], vals[off:off+take]
		budget -= take
		results = append(results, m)
		if off+take < len(ts) {
			m["StatusCode"] = smithycbor.String("PartialData")
			next = strconv.Itoa(qi) + "." + strconv.Itoa(off+take)
			break
		}
		if budget == 0 && qi+1 < len(queries) {
			next = strconv.Itoa(qi+1) + ".0"
			break
		}
	}
	out := smithycbor.Map{"MetricDataResults": results, "Messages": smithycbor.List{}}
	if next != "" {
		out["NextToken"] = smithycbor.String(next)
	}
	return out, nil
}

// metricResult answers one MetricDataQuery (nil for ReturnData false).
func (sc *Scenario) metricResult(q smithycbor.Map, start, end time.Time, descending bool) (smithycbor.Value, error) {
	id := cborString(q, "Id")
	if id == "" {
		return nil, errBadRequest("ValidationError", "MetricDataQueries.member.Id is required")
	}
	if rd, ok := q["ReturnData"].(smithycbor.Bool); ok && !bool(rd) {
		return nil, nil
	}
	ms, ok := q["MetricStat"].(smithycbor.Map)
	if !ok {
		return nil, errBadRequest("ValidationError", "awssim: only MetricStat queries are simulated (query "+id+")")
	}
	metric, _ := ms["Metric"].(smithycbor.Map)
	period, err := smithycbor.AsInt64(ms["Period"])
	if err != nil || period <= 0 || period%60 != 0 {
		return nil, errBadRequest("ValidationError", "awssim: Period must be a positive multiple of 60 (query "+id+")")
	}
	stat := cborString(ms, "Stat")
	dims := map[string]string{}
	if dl, ok := metric["Dimensions"].(smithycbor.List); ok {
		for _, dv := range dl {
			d, _ := dv.(smithycbor.Map)
			dims[cborString(d, "Name")] = cborString(d, "Value")
		}
	}
	ns, name := cborString(metric, "Namespace"), cborString(metric, "MetricName")
	var ts, vals smithycbor.List
	series := sc.findSeries(ns, name, dims)
	if series == nil {
		series = sc.queueSeries(ns, name, dims)
	}
	if series != nil {
		step := time.Duration(period) * time.Second
		start, end = start.Truncate(time.Minute), end.Truncate(time.Minute)
		type point struct {
			at time.Time
			v  float64
		}
		var pts []point
		for p := start; p.Before(end); p = p.Add(step) {
			var minute []float64
			for m := p; m.Before(p.Add(step)) && m.Before(end); m = m.Add(time.Minute) {
				if v, ok := series.minuteValue(m, start, end); ok {
					minute = append(minute, v)
				}
			}
			if len(minute) > 0 {
				pts = append(pts, point{p, aggregate(stat, minute)})
			}
		}
		if descending {
			sort.Slice(pts, func(i, j int) bool { return pts[i].at.After(pts[j].at) })
		}
		for _, p := range pts {
			ts = append(ts, &smithycbor.Tag{ID: 1, Value: smithycbor.Float64(float64(p.at.UnixMilli()) / 1000)})
			vals = append(vals, smithycbor.Float64(p.v))
		}
	}
	if ts == nil {
		ts, vals = smithycbor.List{}, smithycbor.List{}
	}
	return smithycbor.Map{
		"Id":         smithycbor.String(id),
		"Label":      smithycbor.String(name),
		"Timestamps": ts,
		"Values":     vals,
		"StatusCode": smithycbor.String("Complete"),
		"Messages":   smithycbor.List{},
	}, nil
}

// jsonToCBOR turns a decoded awsJson1_0 request into the CBOR value the
// rpcv2 path reads: StartTime/EndTime (epoch seconds) become epoch tags,
// whole numbers unsigned ints.
func jsonToCBOR(v any, key string) smithycbor.Value {
	switch x := v.(type) {
	case map[string]any:
		m := smithycbor.Map{}
		for k, e := range x {
			m[k] = jsonToCBOR(e, k)
		}
		return m
	case []any:
		l := smithycbor.List{}
		for _, e := range x {
			l = append(l, jsonToCBOR(e, ""))
		}
		return l
	case string:
		return smithycbor.String(x)
	case bool:
		return smithycbor.Bool(x)
	case float64:
		if key == "StartTime" || key == "EndTime" {
			return &smithycbor.Tag{ID: 1, Value: smithycbor.Float64(x)}
		}
		if x >= 0 && x == math.Trunc(x) {
			return smithycbor.Uint(uint64(x))
		}
		return smithycbor.Float64(x)
	}
	return &smithycbor.Nil{}
}

// cborToJSON renders an answer for awsJson1_0 (epoch tags as seconds).
func cborToJSON(v smithycbor.Value) any {
	switch x := v.(type) {
	case smithycbor.Map:
		m := map[string]any{}
		for k, e := range x {
			m[k] = cborToJSON(e)
		}
		return m
	case smithycbor.List:
		l := make([]any, 0, len(x))
		for _, e := range x {
			l = append(l, cborToJSON(e))
		}
		return l
	case smithycbor.String:
		return string(x)
	case smithycbor.Float64:
		return float64(x)
	case smithycbor.Uint:
		return uint64(x)
	case smithycbor.Bool:
		return bool(x)
	case *smithycbor.Tag:
		return cborToJSON(x.Value)
	}
	return nil
}
