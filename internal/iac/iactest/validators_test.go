package iactest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps errors instead of failing, so the
// validators themselves can be shown to fail on bad templates.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatal(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *recorder) Helper()           {}
func (r *recorder) Failed() bool      { return len(r.errs) > 0 }

const goodSAM = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.13
      InlineCode: "def handler(e, c): pass"
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: arn:aws:sqs:us-east-1:123456789012:orders
            BatchSize: 10
`

// TestValidatorsCatchBadTemplates: each validator passes a good template and
// fails a bad one, so a green template suite means something.
func TestValidatorsCatchBadTemplates(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"good sam", goodSAM, ""},
		{"sam event without its queue", strings.Replace(goodSAM, "            Queue: arn:aws:sqs:us-east-1:123456789012:orders\n", "", 1), "SAM translator"},
		{"cloudformation with an unknown property", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeoutSecs: 30\n", "cfn-lint"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			CfnLint(r, map[string]string{"t.yaml": tc.body})
			got := strings.Join(r.errs, "\n")
			if tc.want == "" && got != "" {
				t.Fatalf("a valid template was rejected: %s", got)
			}
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("want a %s failure, got %q", tc.want, got)
			}
		})
	}
}
