package optimize

import (
	"fmt"
	"math"
	"slices"

	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// tradeoffs compares before and after for every target.
func tradeoffs(targets []string, before, after sizing.ESMEstimates, notes map[string]string) []Tradeoff {
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
		{Target: TargetFailureRate, Before: fmt.Sprintf("%d records retried when one fails", before.BatchSize),
			After:  fmt.Sprintf("%d records per batch", after.BatchSize),
			Effect: effect(float64(before.BatchSize), float64(after.BatchSize), false)},
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
