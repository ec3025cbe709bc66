package awssim

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// CloudWatch Logs filter patterns: bare and quoted terms must all appear;
// ?-prefixed terms match when any of them appears
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
func TestPatternTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    []string
	}{
		{`ERROR`, []string{"ERROR"}},
		{`"Task timed out" ERROR`, []string{"Task timed out", "ERROR"}},
		{`?"Task timed out" ?ERROR ?Exception`, []string{"?Task timed out", "?ERROR", "?Exception"}},
		{`  ?ERROR  `, []string{"?ERROR"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, patternTerms(tc.pattern)); diff != "" {
			t.Errorf("patternTerms(%q) (-want +got):\n%s", tc.pattern, diff)
		}
	}
}
