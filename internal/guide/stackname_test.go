package guide

import (
	"regexp"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Every function name Lambda accepts gives a stack name CloudFormation
// accepts (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html:
// [a-zA-Z][-a-zA-Z0-9]*, at most 128), never one the CLI reads as an option.
func TestStackNameIsValid(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)
	for _, fn := range []string{"orders", "_orders", "-orders", "1orders", "--help", "a_b-c",
		"arn:aws:lambda:us-east-1:123456789012:function:_x:live", "0123456789012345678901234567890123456789012345678901234567890123", ""} {
		if fn != "" && iac.ValidateFunctionName(fn) != nil {
			t.Fatalf("%q is not a valid function name; fix the case", fn)
		}
		for _, src := range iac.Sources() {
			if got := stackName(Request{Source: src, FunctionName: fn}); !valid.MatchString(got) {
				t.Errorf("stackName(%q, %s) = %q", fn, src, got)
			}
		}
	}
}
