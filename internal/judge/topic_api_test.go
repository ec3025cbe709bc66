package judge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
)

// A Serverless mapping has no topic metadata from the MSK API (the topic
// APIs serve provisioned ACTIVE clusters only:
// https://docs.aws.amazon.com/msk/latest/developerguide/msk-view-topic-information.html).
// Whether MSK refuses the call or answers NotFoundException, the diagnosis
// reports the topic unknown and never finds "topic does not exist".
func TestServerlessTopicIsUnknownNotMissing(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, faults := range [][]awssim.Fault{nil, {{Service: "kafka", Operation: "DescribeTopic", Error: "not_found"}}} {
		r := simClient(t, "msk-serverless-provisioned-pollers", func(sc *awssim.Scenario) { sc.Faults = faults })
		f := kafka.NewFactory(nil, nil, kafka.Env{LookupHost: noDNS}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rep, _, err := diagnoseESM(ctx, r, f, b, "3f4e5d6c-7b8a-4991-8a7b-6c5d4e3f2a1b", kafka.Sampling{Samples: 1})
		cancel()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range rep.Findings {
			if fd.ID == "topic.missing" {
				t.Errorf("faults %v: finding %s (%s) on a Serverless cluster", faults, fd.ID, fd.Title)
			}
		}
		found := false
		for _, c := range rep.Checks {
			if c.Name == "topic_exists" {
				found = true
				if c.Status != diagnose.StatusUnknown || !strings.Contains(c.Detail, "Serverless") {
					t.Errorf("faults %v: topic check = %s: %s", faults, c.Status, c.Detail)
				}
			}
		}
		if !found {
			t.Errorf("no topic check in %+v", rep.Checks)
		}
	}
}
