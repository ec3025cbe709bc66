package optimize

import (
	"fmt"
	"math"
	"slices"

	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// retryScope says what one failing record costs in retries: the whole batch,
// or (with partial batch responses) only what the handler reports.
type retryScope struct {
	batch   int
	partial bool // FunctionResponseTypes carries ReportBatchItemFailures
}

func (r retryScope) String() string {
	if r.partial {
		return fmt.Sprintf("only reported records retried (batches of %d; streams retry from the first reported record)", r.batch)
	}
	return fmt.Sprintf("whole batch of %d records retried when one fails", r.batch)
}

// failureEffect: turning partial batch responses on is better whatever the
// batch size; otherwise a smaller batch retries fewer records.
func failureEffect(b, a retryScope) string {
	switch {
	case a.partial && !b.partial:
		return "better"
	case b.partial && !a.partial:
		return "worse"
	case a.batch == b.batch:
		return "same"
	case a.batch < b.batch:
		return "better"
	}
	return "worse"
}

// partialBatch reports whether cfg turns on partial batch responses.
func partialBatch(cfg map[string]any, values []string) bool {
	switch l := cfg["FunctionResponseTypes"].(type) {
	case []any:
		for _, v := range l {
			if s, ok := v.(string); ok && slices.Contains(values, s) {
				return true
			}
		}
	case []string:
		for _, s := range l {
			if slices.Contains(values, s) {
				return true
			}
		}
	}
	return false
}

// tradeoffs compares before and after for every target.
func tradeoffs(targets []string, before, after sizing.ESMEstimates, retryBefore, retryAfter retryScope, notes map[string]string) []Tradeoff {
	effect := func(b, a float64, higherBetter bool) string {
		switch {
		case a == b:
			return "same"
		case (a > b) == higherBetter:
			return "better"
		}
		return "worse"
	}
	lat := func(e sizing.ESMEstimates) (string, float64) {
		if !e.KeepsUp {
			return "unbounded (falls behind)", math.Inf(1)
		}
		return fmt.Sprintf("%.3g s", e.ExpectedLatencySeconds), e.ExpectedLatencySeconds
	}
	lb, lbv := lat(before)
	la, lav := lat(after)
	out := []Tradeoff{
		{Target: TargetThroughput, Before: fmt.Sprintf("%s records/s capacity (%.0f%% utilised)", fmtRate(before.CapacityRecordsPerSecond), before.Utilisation*percent),
			After:  fmt.Sprintf("%s records/s capacity (%.0f%% utilised)", fmtRate(after.CapacityRecordsPerSecond), after.Utilisation*percent),
			Effect: effect(before.CapacityRecordsPerSecond, after.CapacityRecordsPerSecond, true), Note: "binding: " + after.Binding},
		{Target: TargetLatency, Before: lb, After: la, Effect: effect(lbv, lav, false), Note: "batching wait + batch duration"},
		{Target: TargetCost, Before: fmt.Sprintf("%s invocations/s, up to %d concurrent", fmtRate(before.InvocationsPerSecond), before.Concurrency),
			After:  fmt.Sprintf("%s invocations/s, up to %d concurrent", fmtRate(after.InvocationsPerSecond), after.Concurrency),
			Effect: effect(before.InvocationsPerSecond, after.InvocationsPerSecond, false), Note: "invocations and GB-seconds drive Lambda cost; provisioned pollers add Event Poller Units"},
		{Target: TargetFailureRate, Before: retryBefore.String(), After: retryAfter.String(), Effect: failureEffect(retryBefore, retryAfter)},
	}
	for i := range out {
		out[i].Requested = slices.Contains(targets, out[i].Target)
		if n, ok := notes[out[i].Target]; ok {
			if out[i].Note != "" {
				out[i].Note += "; "
			}
			out[i].Note += n
		}
	}
	return out
}

const percent = 100 // unit conversion
