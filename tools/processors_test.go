package tools

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/streamguide"
)

// TestProcessorTemplatesPassOwnValidation closes the loop between the two
// doors: the templates stream_guidance generates for the processors pass
// validate_config kind=template (which runs the processor rules on
// AWS::Glue::Job, AWS::KinesisAnalyticsV2::Application and
// AWS::KafkaConnect::*) without errors, and the rules really ran.
func TestProcessorTemplatesPassOwnValidation(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg := streamguide.New(b)
	const cluster = "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"
	reqs := []struct {
		req      streamguide.Request
		resource string
	}{
		{streamguide.Request{Topic: "glue_streaming", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: cluster, KafkaTopic: "orders", Options: map[string]any{"workers": 9}}, "AWS::Glue::Job"},
		{streamguide.Request{Topic: "flink", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: cluster, Options: map[string]any{"parallelism": 4}}, "AWS::KinesisAnalyticsV2::Application"},
		{streamguide.Request{Topic: "msk_connect", Source: streamguide.SourceMSK, Auth: iac.AuthIAM, SourceArn: cluster, KafkaTopic: "orders", TargetArn: "arn:aws:s3:::orders-archive"}, "AWS::KafkaConnect::Connector"},
	}
	for _, tc := range reqs {
		r := tc.req
		r.Format = iac.FormatCloudFormation
		res, err := reg.Guide(r)
		if err != nil {
			t.Fatal(err)
		}
		var tpl string
		for _, a := range res.Artifacts {
			if a.Format == string(iac.FormatCloudFormation) {
				tpl = a.Content
			}
		}
		out, msg := validateConfig(ReadDeps{Guidance: b}, validateConfigIn{Kind: "template", Template: tpl})
		if msg != "" {
			t.Fatalf("%s: %s", r.Topic, msg)
		}
		if rules.HasErrors(out.Violations) {
			t.Errorf("%s: generated template fails validation: %+v", r.Topic, out.Violations)
		}
		checked := false
		for _, c := range out.Resources {
			checked = checked || c.Type == tc.resource
		}
		if !checked || !strings.Contains(tpl, tc.resource) {
			t.Errorf("%s: %s was not validated (%+v)", r.Topic, tc.resource, out.Resources)
		}
	}
}
