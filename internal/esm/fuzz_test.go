package esm

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzValidate feeds arbitrary JSON objects to the ESM rule engine, as
// esm_optimize and validate_config receive them from a model: it must never
// panic and must stay fast (the quadratic dedupe of #21.3 is the failure it
// guards). Seeds live in testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s","BatchSize":100,"StartingPosition":"LATEST"}`))
	b := loadBase(f)
	eng := NewEngine(b)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cfg Config
		if json.Unmarshal(raw, &cfg) != nil {
			return
		}
		start := time.Now()
		for _, src := range []SourceType{"", Kinesis, SQS, MSK, SelfManagedKafka} {
			_, _ = eng.Validate(cfg, Options{Source: src})
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d-byte config took %s", len(raw), d)
		}
	})
}
