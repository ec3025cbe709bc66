package aws_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// The MSK topic API serves only MSK Provisioned clusters in ACTIVE state
// (https://docs.aws.amazon.com/msk/latest/developerguide/msk-view-topic-information.html:
// "These APIs are not available for MSK Serverless clusters", "Your cluster
// must be in the ACTIVE state"). Whatever MSK answers a Serverless or busy
// cluster, MSKTopic reports the topic's metadata as unavailable, never as a
// missing topic; on an ACTIVE provisioned cluster a missing topic stays
// not-found.
func TestMSKTopicAPIRefusals(t *testing.T) {
	t.Parallel()
	const serverless = "arn:aws:kafka:us-east-1:123456789012:cluster/telemetry-sls/0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d-s1"
	notFound := []awssim.Fault{{Service: "kafka", Operation: "DescribeTopic", Error: "not_found"}}
	tests := []struct {
		name, scenario, arn, topic string
		faults                     []awssim.Fault
		wantUnavailable            string // part of the reason; "" = not a refusal
		wantKind                   errmap.Kind
	}{
		{"serverless refused", "msk-serverless-provisioned-pollers", serverless, "telemetry", nil, "MSK Serverless", errmap.KindError},
		{"serverless answered not found", "msk-serverless-provisioned-pollers", serverless, "telemetry", notFound, "MSK Serverless", errmap.KindError},
		{"updating cluster", "msk-cluster-not-active", "", "orders", nil, "UPDATING", errmap.KindError},
		{"active cluster, missing topic", "msk-iam-healthy", mskARN, "nope", nil, "", errmap.KindNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := sim(t, tc.scenario, func(sc *awssim.Scenario) { sc.Faults = tc.faults })
			arn := tc.arn
			if arn == "" {
				arn = srv.Scenario().MSK.Clusters[0].ClusterArn
			}
			_, err := c.MSKTopic(context.Background(), arn, tc.topic)
			var ue *awsx.TopicAPIUnavailableError
			isUnavailable := errors.As(err, &ue)
			if isUnavailable != (tc.wantUnavailable != "") || (isUnavailable && !strings.Contains(ue.ErrorMessage(), tc.wantUnavailable)) {
				t.Fatalf("err = %v, want a topic-API refusal mentioning %q: %v", err, tc.wantUnavailable, isUnavailable)
			}
			if k := errmap.Classify(err).Kind; k != tc.wantKind {
				t.Fatalf("kind = %s, want %s (%v)", k, tc.wantKind, err)
			}
		})
	}
}
