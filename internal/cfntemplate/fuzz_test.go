package cfntemplate

import (
	"testing"
	"time"
)

// FuzzValidate feeds arbitrary template text (YAML or JSON, as
// validate_config kind=template takes it from a model) to the template
// validator: it must never panic and must stay fast. Seeds live in
// testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	f.Add("Resources:\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: f\n      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:q\n      BatchSize: 10\n")
	b := loadBase(f)
	f.Fuzz(func(t *testing.T, text string) {
		start := time.Now()
		_, _ = Validate(text, b)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%d-byte template took %s", len(text), d)
		}
	})
}
