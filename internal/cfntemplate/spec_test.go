package cfntemplate

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
)

// TestPropertyListsMatchCloudFormationSchemas checks cfn.*.properties
// against the official resource schemas (@aws-cdk/aws-service-spec in
// testdata/npm): every property the validator accepts must exist in the
// schema. The test skips without the npm package (fails under CI=true).
func TestPropertyListsMatchCloudFormationSchemas(t *testing.T) {
	t.Parallel()
	spec := iactest.LoadSpec(t)
	b := loadBase(t)
	for id, typ := range map[string]string{
		"cfn.lambda_esm.properties":     typeESM,
		"cfn.msk_cluster.properties":    typeMSK,
		"cfn.kinesis_stream.properties": typeKinesis,
	} {
		props := map[string]any{}
		for _, p := range b.Strings(id) {
			props[p] = map[string]any{"Ref": "Anything"}
		}
		for _, err := range spec.CheckResource(typ, props) {
			if strings.Contains(err.Error(), "not a property") {
				t.Errorf("%s lists a property the %s schema does not have: %v", id, typ, err)
			}
		}
	}
	// The benchmark template is a real template, not a strawman.
	spec.CheckTemplate(t, template200())
}
