package judge

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
)

// healthDefs judge what the metrics, queue counters and logs show: the
// function timing out or failing, throttling against the concurrency the
// mapping asks for, dead-lettering, a filter that drops everything, and a
// lag that grows because arrival outruns processing capacity.
func (s *state) healthDefs() []diagnose.Def {
	return []diagnose.Def{
		{Name: "function_timeout", Category: diagnose.FunctionError, Run: func(context.Context) diagnose.Outcome { return s.checkTimeout() }},
		{Name: "function_errors", Category: diagnose.FunctionError, Run: func(context.Context) diagnose.Outcome { return s.checkErrors() }},
		{Name: "throttling", Category: diagnose.Throttling, Run: func(context.Context) diagnose.Outcome { return s.checkThrottles() }},
		{Name: "dead_letters", Category: diagnose.FunctionError, Run: func(context.Context) diagnose.Outcome { return s.checkDeadLetters() }},
		{Name: "event_filter", Category: diagnose.Configuration, Run: func(context.Context) diagnose.Outcome { return s.checkFilter() }},
		{Name: "lag_capacity", Category: diagnose.ConsumerLag, Run: func(context.Context) diagnose.Outcome { return s.checkLag() }},
	}
}

func (s *state) metricsUnknown() (diagnose.Outcome, bool) {
	return s.unknownOf(evidence.FactMetrics, "CloudWatch metrics")
}

func sum(x *evidence.Evidence, key string) (float64, bool) {
	ser, ok := x.Series(key)
	if !ok {
		return 0, false
	}
	return ser.Summary.Sum, true
}

// changePoint returns the start of the final run of bad points and the
// last good point before it (zero when every point is bad).
func changePoint(ser awsx.MetricSeries, bad func(float64) bool) (firstBad, lastGood time.Time) {
	for i := len(ser.Points) - 1; i >= 0; i-- {
		p := ser.Points[i]
		if !bad(p.Value) {
			lastGood = p.At
			break
		}
		firstBad = p.At
	}
	return firstBad, lastGood
}

func changeText(firstBad, lastGood time.Time) string {
	if firstBad.IsZero() {
		return ""
	}
	if lastGood.IsZero() {
		return fmt.Sprintf("; bad since at least %s (the whole window)", firstBad.Format("15:04Z"))
	}
	return fmt.Sprintf("; first bad %s, last good %s", firstBad.Format("15:04Z"), lastGood.Format("15:04Z"))
}

func (s *state) logLines(contains string, n int) []string {
	var out []string
	for _, l := range s.x.Logs {
		if contains == "" || strings.Contains(l.Message, contains) {
			out = append(out, l.Time.Format("15:04:05Z")+" "+clip(l.Message, 160))
		}
	}
	return out[:min(len(out), n)]
}

// timingOut is set by checkTimeout for checkErrors.
func (s *state) timeoutThreshold() (float64, bool) {
	if s.x.Function == nil || s.x.Function.TimeoutSeconds <= 0 {
		return 0, false
	}
	return float64(s.x.Function.TimeoutSeconds) * 1000 * s.b.Num("diag.function.timeout_ratio"), true
}

func (s *state) checkTimeout() diagnose.Outcome {
	thr, ok := s.timeoutThreshold()
	if !ok {
		if out, ok := s.unknownOf(evidence.FactFunction, "function timeout"); ok {
			return out
		}
		return diagnose.Unknown("function timeout unknown")
	}
	dmax, ok := s.x.Series(awsx.KeyFunctionDurationMaxMs)
	if !ok {
		if out, ok := s.metricsUnknown(); ok {
			return out
		}
		return diagnose.Skipped("no invocations in the window")
	}
	fn := s.x.Function
	detail := fmt.Sprintf("max Duration %.0f ms against a %d s timeout", dmax.Summary.Max, fn.TimeoutSeconds)
	if dmax.Summary.Max < thr {
		return diagnose.Pass(detail)
	}
	at, periods := 0, 0
	for _, p := range dmax.Points {
		periods++
		if p.Value >= thr {
			at++
		}
	}
	errs, _ := sum(s.x, awsx.KeyFunctionErrors)
	inv, _ := sum(s.x, awsx.KeyFunctionInvocations)
	lines := s.logLines("Task timed out", 2)
	ev := fmt.Sprintf("%s: %d of %d periods reached the timeout; Errors %.0f of %.0f invocations", detail, at, periods, errs, inv)
	if len(lines) > 0 {
		ev += "; log: " + strings.Join(lines, " | ")
	}
	first, last := changePoint(dmax, func(v float64) bool { return v >= thr })
	ev += changeText(first, last)
	maxT := s.b.Int("lambda.function.timeout.max_seconds")
	next := min(int(fn.TimeoutSeconds)*3, maxT)
	rem := []string{fmt.Sprintf("aws lambda update-function-configuration --region %s --function-name %s --timeout %d (the batch needs longer than %d s; Duration is capped at the timeout, so measure again after raising it)", s.region(), fn.Name, next, fn.TimeoutSeconds)}
	if bs := s.x.ESM.Config.BatchSize; bs != nil && *bs > 1 {
		rem = append(rem, fmt.Sprintf("or lower BatchSize from %d so a batch finishes in time: aws lambda update-event-source-mapping --uuid %s --batch-size %d", *bs, s.x.ESM.UUID, max(1, int(*bs)/4)))
	}
	every := at == periods || (inv > 0 && errs >= inv)
	if every || len(lines) > 0 {
		title := fmt.Sprintf("function %s times out (max Duration = its %d s timeout)", fn.Name, fn.TimeoutSeconds)
		if every {
			title = fmt.Sprintf("function %s is timing out on every batch: max Duration equals its %d s timeout in every period", fn.Name, fn.TimeoutSeconds)
		}
		return diagnose.Fail(detail, diagnose.Finding{ID: "function.timeout", Severity: diagnose.Critical, Title: title, Evidence: ev, Remediation: rem, Reference: refTimeout})
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "function.timeout", Severity: diagnose.Warning,
		Title: fmt.Sprintf("function %s reaches its %d s timeout in some periods", fn.Name, fn.TimeoutSeconds), Evidence: ev, Remediation: rem, Reference: refTimeout})
}

func (s *state) checkErrors() diagnose.Outcome {
	errs, ok := sum(s.x, awsx.KeyFunctionErrors)
	if !ok {
		if out, ok := s.metricsUnknown(); ok {
			return out
		}
		return diagnose.Skipped("no Errors data in the window")
	}
	inv, _ := sum(s.x, awsx.KeyFunctionInvocations)
	detail := fmt.Sprintf("Errors %.0f of %.0f invocations in the window", errs, inv)
	if errs == 0 {
		return diagnose.Pass(detail)
	}
	if thr, ok := s.timeoutThreshold(); ok {
		if d, ok := s.x.Series(awsx.KeyFunctionDurationMaxMs); ok && d.Summary.Max >= thr {
			return diagnose.Pass(detail + "; judged as timeouts by function_timeout")
		}
	}
	ser, _ := s.x.Series(awsx.KeyFunctionErrors)
	first, last := changePoint(ser, func(v float64) bool { return v > 0 })
	ev := detail + changeText(first, last)
	if lines := s.logLines("", 3); len(lines) > 0 {
		ev += "; log: " + strings.Join(lines, " | ")
	} else if u, ok := s.x.MissingFact(evidence.FactLogs); ok {
		ev += "; log lines unknown: " + u.Reason
	}
	name := evidence.FunctionName(s.x.ESM.FunctionARN)
	rem := []string{fmt.Sprintf("Read the errors: aws logs filter-log-events --region %s --log-group-name /aws/lambda/%s --filter-pattern ERROR", s.region(), name)}
	if s.x.Source.IsStream() || s.x.Source.IsKafka() {
		rem = append(rem, "A failing batch blocks its shard or partition until it succeeds or expires: set an on-failure destination, BisectBatchOnFunctionError and MaximumRetryAttempts (streams)")
	}
	if inv > 0 && errs >= inv {
		return diagnose.Fail(detail, diagnose.Finding{ID: "function.errors", Severity: diagnose.Critical,
			Title: fmt.Sprintf("every invocation of %s fails", name), Evidence: ev, Remediation: rem, Reference: refMetrics})
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "function.errors", Severity: diagnose.Warning,
		Title: fmt.Sprintf("%s fails on %.0f of %.0f invocations", name, errs, inv), Evidence: ev, Remediation: rem, Reference: refMetrics})
}

// demand is the concurrency the mapping asks for: MaximumConcurrency on
// SQS, shards x ParallelizationFactor on streams, partitions on Kafka (0
// when unknown), and how it was computed.
func (s *state) demand() (int, string) {
	c := s.x.ESM.Config
	switch {
	case s.x.Source.IsSQS() && c.MaximumConcurrency != nil:
		return int(*c.MaximumConcurrency), fmt.Sprintf("MaximumConcurrency %d", *c.MaximumConcurrency)
	case s.x.Source.IsStream() && s.x.Stream != nil:
		pf := 1
		if c.ParallelizationFactor != nil {
			pf = int(*c.ParallelizationFactor)
		}
		return s.x.Stream.Shards * pf, fmt.Sprintf("%d shards x ParallelizationFactor %d", s.x.Stream.Shards, pf)
	case s.kafka && s.partCount > 0:
		return s.partCount, fmt.Sprintf("%d partitions (one concurrent batch each)", s.partCount)
	}
	return 0, ""
}

func (s *state) checkThrottles() diagnose.Outcome {
	thr, ok := sum(s.x, awsx.KeyFunctionThrottles)
	if !ok {
		if out, ok := s.metricsUnknown(); ok {
			return out
		}
		return diagnose.Skipped("no Throttles data in the window")
	}
	fn := s.x.Function
	detail := fmt.Sprintf("Throttles %.0f in the window", thr)
	reserved := int32(-1)
	if fn != nil && fn.ReservedConcurrency != nil {
		reserved = *fn.ReservedConcurrency
		detail += fmt.Sprintf("; reserved concurrency %d", reserved)
	}
	dem, how := s.demand()
	if how != "" {
		detail += "; the mapping asks for up to " + how
	}
	if s.x.AccountLimit > 0 {
		detail += fmt.Sprintf("; account concurrency %d (%d unreserved)", s.x.AccountLimit, s.x.AccountUnreserved)
	}
	if reserved == 0 {
		return diagnose.Fail(detail, diagnose.Finding{ID: "throttling.reserved_zero", Severity: diagnose.Critical,
			Title: fmt.Sprintf("function %s has reserved concurrency 0: every invocation is throttled", fn.Name), Evidence: detail,
			Remediation: []string{fmt.Sprintf("aws lambda delete-function-concurrency --region %s --function-name %s (or put-function-concurrency with the concurrency the mapping needs)", s.region(), fn.Name)}, Reference: refConcurrency})
	}
	if thr == 0 {
		return diagnose.Pass(detail)
	}
	ser, _ := s.x.Series(awsx.KeyFunctionThrottles)
	first, last := changePoint(ser, func(v float64) bool { return v > 0 })
	ev := detail + changeText(first, last)
	if reserved > 0 && dem > int(reserved) {
		rem := []string{fmt.Sprintf("aws lambda put-function-concurrency --region %s --function-name %s --reserved-concurrent-executions %d (at least what the mapping asks for)", s.region(), fn.Name, dem)}
		if s.x.Source.IsSQS() {
			rem = append(rem, fmt.Sprintf("or cap the mapping below the reservation: aws lambda update-event-source-mapping --uuid %s --scaling-config MaximumConcurrency=%d", s.x.ESM.UUID, max(int32(s.b.Int("esm.scaling_config.maximum_concurrency.min")), reserved)))
		}
		title := fmt.Sprintf("function %s is throttled: its reserved concurrency %d is below the %d the mapping asks for (%s)", fn.Name, reserved, dem, how)
		if s.x.Source.IsSQS() {
			title += "; throttled messages return to the queue and count a receive each time, so valid messages reach maxReceiveCount and the dead-letter queue"
		}
		return diagnose.Fail(detail, diagnose.Finding{ID: "throttling.reserved_below_demand", Severity: diagnose.Critical, Title: title, Evidence: ev, Remediation: rem, Reference: refSQSScaling})
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "throttling.function", Severity: diagnose.Warning,
		Title:       fmt.Sprintf("the function was throttled %.0f times: reserved or account concurrency caps the mapping", thr),
		Evidence:    ev,
		Remediation: []string{"Compare ConcurrentExecutions with the account limit (aws lambda get-account-settings) and other functions' reservations; raise the limit or reserve concurrency for this function"},
		Reference:   refConcurrency})
}

func (s *state) checkDeadLetters() diagnose.Outcome {
	e := s.x.ESM
	var fs []diagnose.Finding
	var details []string
	// SQS: the queue's redrive target.
	if s.x.Source.IsSQS() {
		q := s.x.Queue
		if q == nil {
			if out, ok := s.unknownOf(evidence.FactQueue, "queue"); ok {
				return out
			}
			return diagnose.Unknown("queue not read")
		}
		if q.RedriveTarget == "" {
			details = append(details, "the queue has no redrive policy")
		} else {
			sent, okSent := sum(s.x, evidence.KeyDLQSent)
			vis, okVis := s.x.Series(evidence.KeyDLQVisible)
			held := -1
			if s.x.DLQ != nil {
				held = s.x.DLQ.ApproximateMessages
			}
			d := fmt.Sprintf("dead-letter queue %s (maxReceiveCount %d): %d messages held", lastPart(q.RedriveTarget), q.MaxReceiveCount, held)
			if okSent {
				d += fmt.Sprintf(", %.0f sent in the window", sent)
			}
			details = append(details, d)
			growing := (okSent && sent > 0) || (okVis && vis.Summary.Trend == awsx.TrendRising)
			if growing {
				cause, cat := s.deadLetterCause()
				ev := d
				if okVis {
					first, last := changePoint(vis, func(v float64) bool { return v > vis.Points[0].Value })
					ev += changeText(first, last)
				}
				fs = append(fs, diagnose.Finding{ID: "dead_letters.sqs_dlq_growing", Severity: diagnose.Critical, Category: cat,
					Title:       fmt.Sprintf("messages are being dead-lettered to %s: %s", lastPart(q.RedriveTarget), cause),
					Evidence:    ev,
					Remediation: []string{"Fix the cause above, then redrive: aws sqs start-message-move-task --source-arn " + q.RedriveTarget},
					Reference:   refSQSScaling})
			} else if held > 0 {
				fs = append(fs, diagnose.Finding{ID: "dead_letters.sqs_dlq_not_empty", Severity: diagnose.Warning,
					Title: fmt.Sprintf("the dead-letter queue %s holds %d messages", lastPart(q.RedriveTarget), held), Evidence: d,
					Remediation: []string{"Inspect and redrive: aws sqs start-message-move-task --source-arn " + q.RedriveTarget}, Reference: refSQSScaling})
			}
		}
	}
	// Streams and Kafka: records sent to the on-failure destination or
	// dropped.
	if dl, ok := sum(s.x, awsx.KeyOnFailureDelivered); ok && dl > 0 {
		d := fmt.Sprintf("%.0f records sent to the on-failure destination %s", dl, e.Config.OnFailureDestination)
		details = append(details, d)
		fs = append(fs, diagnose.Finding{ID: "dead_letters.on_failure_deliveries", Severity: diagnose.Warning, Title: d + ": their batches failed every retry",
			Evidence: d, Remediation: []string{"Read the destination's records (they carry the batch's shard/offset range and the error) and fix the function"}, Reference: refDestinations})
	}
	if dr, ok := sum(s.x, awsx.KeyDroppedEvents); ok && dr == 0 {
		details = append(details, "no records dropped")
	} else if ok {
		d := fmt.Sprintf("%.0f records dropped (MaximumRecordAgeInSeconds or MaximumRetryAttempts reached)", dr)
		details = append(details, d)
		sev := diagnose.Warning
		if e.Config.OnFailureDestination == "" {
			sev, d = diagnose.Critical, d+" with no on-failure destination: they are lost"
		}
		fs = append(fs, diagnose.Finding{ID: "dead_letters.dropped", Severity: sev, Title: d, Evidence: d,
			Remediation: []string{fmt.Sprintf("Add an on-failure destination: aws lambda update-event-source-mapping --uuid %s --destination-config '{\"OnFailure\":{\"Destination\":\"<SQS/SNS/S3 ARN>\"}}'", e.UUID)}, Reference: refDestinations})
	}
	detail := strings.Join(details, "; ")
	if len(fs) == 0 {
		if detail == "" {
			return diagnose.Skipped("no dead-letter queue, destination deliveries or drops in the window")
		}
		return diagnose.Pass(detail)
	}
	for _, f := range fs {
		if f.Severity == diagnose.Critical {
			return diagnose.Fail(detail, fs...)
		}
	}
	return diagnose.Warn(detail, fs...)
}

// deadLetterCause names why an SQS mapping dead-letters: throttling,
// function errors or timeouts, or a visibility timeout shorter than the
// function's timeout.
func (s *state) deadLetterCause() (string, diagnose.Category) {
	if t, ok := sum(s.x, awsx.KeyFunctionThrottles); ok && t > 0 {
		return fmt.Sprintf("the function is throttled (%.0f throttles), so messages return to the queue and count a receive each time", t), diagnose.Throttling
	}
	if s.x.Queue != nil && s.x.Function != nil && s.x.Queue.VisibilityTimeoutSeconds < int(s.x.Function.TimeoutSeconds) {
		return fmt.Sprintf("the queue's visibility timeout (%d s) is shorter than the function timeout (%d s), so messages in flight reappear and are received again", s.x.Queue.VisibilityTimeoutSeconds, s.x.Function.TimeoutSeconds), diagnose.Configuration
	}
	if e, ok := sum(s.x, awsx.KeyFunctionErrors); ok && e > 0 {
		return fmt.Sprintf("the function fails (%.0f errors)", e), diagnose.FunctionError
	}
	return "the cause is not visible in the metrics read (check the function's logs)", diagnose.FunctionError
}

func lastPart(arn string) string {
	return arn[strings.LastIndex(arn, ":")+1:]
}

func (s *state) checkFilter() diagnose.Outcome {
	c := s.x.ESM.Config
	if c.FilterCount == 0 {
		return diagnose.Skipped("no FilterCriteria")
	}
	patterns := strings.Join(c.FilterPatterns, " OR ")
	if s.x.ESM.FilterCriteriaError != "" {
		return diagnose.Fail("FilterCriteriaError "+s.x.ESM.FilterCriteriaError, diagnose.Finding{ID: "filter.error", Severity: diagnose.Critical,
			Title: "Lambda cannot apply the mapping's filter: " + s.x.ESM.FilterCriteriaError, Evidence: "patterns: " + patterns,
			Remediation: []string{"Fix the pattern syntax (JSON, keys matching the record's shape)"}, Reference: refFilter})
	}
	polled, okP := sum(s.x, awsx.KeyPolledEvents)
	out, okF := sum(s.x, awsx.KeyFilteredOutEvents)
	if !okP || !okF {
		if u, ok := s.metricsUnknown(); ok {
			return u
		}
		return diagnose.Unknown(fmt.Sprintf("filter patterns %s; PolledEventCount/FilteredOutEventCount have no data: enable the EventCount metrics group (aws lambda update-event-source-mapping --uuid %s --metrics-config Metrics=EventCount) to see what the filter drops", patterns, s.x.ESM.UUID))
	}
	detail := fmt.Sprintf("FilteredOutEventCount %.0f of PolledEventCount %.0f; patterns %s", out, polled, patterns)
	if polled == 0 || out < polled {
		return diagnose.Pass(detail)
	}
	hint := "records on this source are base64 data: a pattern on \"data\" matches only JSON records, a pattern on body fields needs \"body\" (SQS) or \"value\" (Kafka)"
	if s.x.Source.IsStream() && !strings.Contains(patterns, `"data"`) && !strings.Contains(patterns, `"dynamodb"`) {
		hint = "Kinesis records are matched under \"data\" (DynamoDB under \"dynamodb\"): a pattern on a top-level body field matches nothing"
	}
	if s.x.Source.IsSQS() && !strings.Contains(patterns, `"body"`) && !strings.Contains(patterns, `"attributes"`) && !strings.Contains(patterns, `"messageAttributes"`) {
		hint = "SQS message fields are matched under \"body\": a pattern on a top-level field matches nothing"
	}
	if s.kafka && !strings.Contains(patterns, `"value"`) {
		hint = "Kafka record fields are matched under \"value\": a pattern on a top-level field matches nothing"
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "filter.drops_everything", Severity: diagnose.Critical,
		Title:    "the mapping's filter drops every record: nothing reaches the function",
		Evidence: detail + "; " + hint,
		Remediation: []string{fmt.Sprintf("Test the pattern against a real record, then: aws lambda update-event-source-mapping --uuid %s --filter-criteria '{\"Filters\":[{\"Pattern\":\"<fixed pattern>\"}]}'", s.x.ESM.UUID),
			"Records filtered out are gone for good (streams advance, SQS deletes them)"},
		Reference: refFilter})
}

// checkLag judges a growing IteratorAge (streams) or OffsetLag (Kafka)
// with the arithmetic: arrival rate, processing capacity, and the smallest
// change that keeps up.
func (s *state) checkLag() diagnose.Outcome {
	var key string
	switch {
	case s.x.Source.IsStream():
		key = awsx.KeyIteratorAgeMs
	case s.kafka:
		key = awsx.KeyOffsetLag
	default:
		return diagnose.Skipped("no lag metric for this source")
	}
	ser, ok := s.x.Series(key)
	if !ok {
		if out, ok := s.metricsUnknown(); ok {
			return out
		}
		return diagnose.Skipped("no lag data in the window")
	}
	sm := ser.Summary
	val := func(v float64) string { return fmt.Sprintf("%.0f records", v) }
	if key == awsx.KeyIteratorAgeMs {
		val = func(v float64) string { return (time.Duration(v) * time.Millisecond).Round(time.Second).String() }
	}
	detail := fmt.Sprintf("%s latest %s, max %s, trend %s", ser.Query.Metric, val(sm.Latest), val(sm.Max), sm.Trend)
	if sm.Trend != awsx.TrendRising {
		return diagnose.Pass(detail)
	}
	first, last := changePoint(ser, func(v float64) bool { return v > ser.Points[0].Value })
	ev := detail + changeText(first, last)
	a := s.lagArithmetic(ser)
	if a.text != "" {
		ev += "; " + a.text
	}
	if errs, ok := sum(s.x, awsx.KeyFunctionErrors); ok && errs > 0 {
		return diagnose.Warn(detail, diagnose.Finding{ID: "lag.growing", Severity: diagnose.Warning,
			Title:       "the mapping is falling behind while the function fails: retries of failing batches hold their shards or partitions",
			Evidence:    ev,
			Remediation: []string{"Fix the failing records first (function_errors / function_timeout); then re-judge the capacity"}, Reference: refKinesisScale})
	}
	if a.underProvisioned {
		return diagnose.Fail(detail, diagnose.Finding{ID: "lag.under_provisioned", Severity: diagnose.Critical,
			Title:    fmt.Sprintf("the mapping is under-provisioned: records arrive at %.0f/s, it can process at most %.0f/s, so it falls further behind every minute", a.arrival, a.capacity),
			Evidence: ev, Remediation: a.fixes, Reference: refKinesisScale})
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "lag.growing", Severity: diagnose.Warning,
		Title: "the mapping is falling behind (" + ser.Query.Metric + " rising)", Evidence: ev,
		Remediation: append([]string{"Compare arrival with processing: raise ParallelizationFactor/BatchSize (streams), partitions or pollers (Kafka), or make the function faster"}, a.fixes...), Reference: refKinesisScale})
}

type lagMath struct {
	arrival, capacity float64
	underProvisioned  bool
	text              string
	fixes             []string
}

// lagArithmetic computes the processing capacity (concurrent batches x
// BatchSize / average Duration) and the arrival rate (the stream's
// IncomingRecords, or for Kafka processed records plus the lag's growth),
// and the smallest change that makes capacity reach arrival.
func (s *state) lagArithmetic(ser awsx.MetricSeries) lagMath {
	var m lagMath
	c := s.x.ESM.Config
	avg, ok := s.x.Series(evidence.KeyFunctionDurationAvgMs)
	if !ok || avg.Summary.Mean <= 0 {
		m.text = "processing capacity unknown (no Duration data)"
		return m
	}
	dur := avg.Summary.Mean / 1000
	batch := 100.0
	if c.BatchSize != nil {
		batch = float64(*c.BatchSize)
	}
	secs := s.x.Window.Period.Seconds() * float64(max(1, len(ser.Points)))
	slots, how := s.demand()
	if slots == 0 {
		m.text = "processing capacity unknown (shards or partitions not read)"
		return m
	}
	m.capacity = float64(slots) * batch / dur
	switch {
	case s.x.Source == esm.Kinesis:
		in, ok := s.x.Series(evidence.KeyStreamIncomingRecords)
		if !ok {
			m.text = fmt.Sprintf("capacity %.0f records/s (%s x BatchSize %.0f / avg Duration %.2f s); arrival unknown (no IncomingRecords)", m.capacity, how, batch, dur)
			return m
		}
		m.arrival = in.Summary.Sum / (s.x.Window.Period.Seconds() * float64(max(1, len(in.Points))))
	case s.kafka:
		processed, ok := sum(s.x, awsx.KeyPolledEvents)
		if !ok {
			inv, _ := sum(s.x, awsx.KeyFunctionInvocations)
			processed = inv * batch
		}
		growth := (ser.Summary.Latest - ser.Points[0].Value) / secs
		m.arrival = processed/secs + math.Max(0, growth)
	default:
		return m
	}
	keep := s.b.Num("diag.lag.keep_up_margin")
	m.text = fmt.Sprintf("arrival %.0f records/s; capacity %.0f records/s = %s x BatchSize %.0f / avg Duration %.2f s", m.arrival, m.capacity, how, batch, dur)
	if m.arrival <= m.capacity*keep {
		m.text += "; capacity covers arrival, so the growth comes from retries, throttling or partial batches"
		return m
	}
	m.underProvisioned = true
	needSlots := int(math.Ceil(m.arrival * keep * dur / batch))
	targetDur := float64(slots) * batch / (m.arrival * keep)
	switch {
	case s.x.Source.IsStream() && s.x.Stream != nil && s.x.Stream.Shards > 0:
		pfMax := s.b.Int("esm.parallelization_factor.max")
		pf := int(math.Ceil(float64(needSlots) / float64(s.x.Stream.Shards)))
		if pf <= pfMax {
			m.fixes = append(m.fixes, fmt.Sprintf("smallest change: ParallelizationFactor %d (from %d): aws lambda update-event-source-mapping --uuid %s --parallelization-factor %d", pf, max(1, deref32(c.ParallelizationFactor)), s.x.ESM.UUID, pf))
		} else {
			shards := int(math.Ceil(float64(needSlots) / float64(pfMax)))
			m.fixes = append(m.fixes, fmt.Sprintf("ParallelizationFactor %d is not enough: reshard to %d shards with ParallelizationFactor %d (kinesis_scale)", pfMax, shards, pfMax))
		}
	case s.kafka:
		m.fixes = append(m.fixes, fmt.Sprintf("smallest change: %d partitions (from %d), since each partition carries one concurrent batch", needSlots, slots))
	}
	if c.BatchSize != nil {
		m.fixes = append(m.fixes, fmt.Sprintf("or cut the average Duration per batch from %.2f s to %.2f s", dur, targetDur))
	}
	return m
}
