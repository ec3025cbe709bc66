package iac

import (
	"errors"
	"strings"
	"testing"
)

func TestRenderESMSmoke(t *testing.T) {
	t.Parallel()
	m := ESM{Source: SourceMSK, FunctionName: "orders", EventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3",
		Topics: []string{"orders"}, StartingPosition: "LATEST", BatchSize: Int(500),
		ProvisionedPollerConfig: &ProvisionedPollerConfig{MinimumPollers: Int(1), MaximumPollers: Int(4)}}
	for _, f := range []Format{FormatCloudFormation, FormatSAM, FormatTerraform} {
		a, err := RenderESM(m, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !strings.Contains(a.Content, "orders") {
			t.Errorf("%s: %s", f, a.Content)
		}
	}
	m.FunctionName = `x"}]},{"Effect":"Allow","Action":"*","Resource":"*`
	if _, err := RenderESM(m, FormatCloudFormation); !errors.Is(err, ErrInvalid) {
		t.Fatalf("hostile function name accepted: %v", err)
	}
}
