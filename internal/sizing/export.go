package sizing

import (
	"github.com/stream-mcp/stream-mcp/guidance"
)

// ESMEvaluation is the throughput model's verdict on one configuration, with
// its arithmetic.
type ESMEvaluation struct {
	Estimates   ESMEstimates
	Calculation []Step
	Warnings    []string
	References  []string
}

// EvaluateESM runs the ESM throughput model for cfg against w (w.EventSource
// selects the source) and returns the estimates, the steps, the payload /
// timeout / latency / concurrency warnings and the references used. Errors
// wrap ErrInput.
func EvaluateESM(w Workload, cfg ESMConfig, b *guidance.Base) (ESMEvaluation, error) {
	if err := validateESMWorkload(w); err != nil {
		return ESMEvaluation{}, err
	}
	if err := nonNegative(w); err != nil {
		return ESMEvaluation{}, err
	}
	c := newCalc(b, "lambda_esm")
	e := c.estimate(w, cfg, true)
	c.checks(w, cfg, e)
	r := c.done()
	return ESMEvaluation{Estimates: e, Calculation: r.Calculation, Warnings: r.Warnings, References: r.References}, nil
}

// MaxBatchSize is the largest BatchSize the source allows for w, also capped
// by the synchronous invocation payload when avg_record_bytes is known.
func MaxBatchSize(w Workload, b *guidance.Base) int {
	return newCalc(b, "lambda_esm").maxBatch(w)
}

// DefaultBatchSize is the source's default BatchSize.
func DefaultBatchSize(source string, b *guidance.Base) int {
	return newCalc(b, "lambda_esm").defaultBatch(source)
}

// BatchDurationSeconds is the function time for a batch of n records.
func BatchDurationSeconds(w Workload, n int) float64 { return batchDuration(w, n) }

// IsStream, IsKafka and IsSQS classify an event_source value.
func IsStream(s string) bool { return isStream(s) }

// IsKafka reports whether s is msk or self_managed_kafka.
func IsKafka(s string) bool { return isKafka(s) }

// IsSQS reports whether s is sqs or sqs_fifo.
func IsSQS(s string) bool { return isSQS(s) }

// BatchTimeBound is the time a batch must finish within for w: the function
// timeout when given, else Lambda's maximum; which is "function_timeout" or
// "lambda_max_timeout".
func BatchTimeBound(w Workload, b *guidance.Base) (seconds float64, which string) {
	return newCalc(b, "lambda_esm").batchTimeBound(w)
}
