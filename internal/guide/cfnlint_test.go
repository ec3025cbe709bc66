package guide_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
)

// TestCfnLint runs cfn-lint over every CloudFormation and SAM artifact the
// golden requests produce (SAM event fragments inside a minimal function),
// in one cfn-lint process, the SAM ones after AWS's SAM translator. It takes tens of seconds, so it runs under
// CI=true or CFN_LINT=1.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	if os.Getenv("CI") != "true" && os.Getenv("CFN_LINT") == "" {
		t.Skip("slow: set CFN_LINT=1 (CI runs it)")
	}
	e := load(t)
	templates := map[string]string{}
	for src, base := range requests() {
		for _, typ := range []string{guide.TypeSetup, guide.TypeNetworking, guide.TypePermissions} {
			for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation} {
				for _, stack := range []bool{false, true} {
					r := base
					r.Type, r.Format = typ, f
					if stack {
						if typ != guide.TypeSetup {
							continue
						}
						r.CreateFunction, r.CreateSource, r.FunctionTimeoutSeconds, r.FunctionName = true, true, iacInt(30), "orders"
					}
					res, err := e.Guide(r)
					if err != nil {
						t.Fatal(err)
					}
					for i, a := range res.Artifacts {
						if a.Kind != iac.KindIaC && a.Kind != iac.KindSecurityGroupRules {
							continue
						}
						body := a.Content
						if strings.HasPrefix(body, "Events:") {
							body = wrapEvents(t, body)
						}
						templates[fmt.Sprintf("%s_%s_%s_%v_%d.yaml", src, typ, f, stack, i)] = body
					}
				}
			}
		}
	}
	if len(templates) < 50 {
		t.Fatalf("only %d templates", len(templates))
	}
	iactest.CfnLint(t, templates)
}

func wrapEvents(t *testing.T, fragment string) string {
	t.Helper()
	var ev map[string]any
	if err := yaml.Unmarshal([]byte(fragment), &ev); err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"Transform": "AWS::Serverless-2016-10-31", "Resources": map[string]any{"Fn": map[string]any{
		"Type": "AWS::Serverless::Function", "Properties": map[string]any{"Handler": "index.handler", "Runtime": "python3.13", "InlineCode": "def handler(e, c): pass", "Events": ev["Events"]}}}}
	raw, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
