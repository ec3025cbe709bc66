package livecheck_test

import (
	"context"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/livecheck"
)

func live(t *testing.T, scenario string, faults ...awssim.Fault) livecheck.Live {
	t.Helper()
	sc, err := awssim.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	sc.Faults = faults
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: sdkaws.String(srv.URL()), RetryMaxAttempts: 1}
	return livecheck.Live{Client: aws.NewFromConfig(cfg, aws.Options{}), Metrics: aws.MetricsOptions{TrendZ: 1.96}, Now: time.Now()}
}

func statuses(cs []livecheck.Check) map[string]livecheck.Check {
	m := map[string]livecheck.Check{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

func TestScenariosNameRootCause(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scenario, resource string
		faults                   []awssim.Fault
		want                     map[string]string // check name -> status
		wantAction               string            // substring of the action of the first non-pass check
	}{
		{name: "osi at max units with growing backlog", scenario: "osi-max-units-lag", resource: "osi:orders-logs",
			want: map[string]string{"pipeline status": livecheck.Pass, "sink keeps up with source": livecheck.Warn}, wantAction: "MaxUnits (4)"},
		{name: "firehose from msk failing delivery", scenario: "firehose-msk-delivery-failing", resource: "firehose:orders-archive",
			want: map[string]string{"delivery stream status": livecheck.Pass, "delivery to S3 succeeds": livecheck.Fail,
				"data freshness within buffer interval": livecheck.Fail, "no throttled records": livecheck.Pass, "MSK cluster policy allows Firehose": livecheck.Fail}},
		{name: "access denied names the permission", scenario: "firehose-msk-delivery-failing", resource: "firehose:orders-archive",
			faults: []awssim.Fault{{Service: "firehose", Operation: "DescribeDeliveryStream", Error: "access_denied"}},
			want:   map[string]string{"delivery stream status": livecheck.Unknown}, wantAction: "firehose:DescribeDeliveryStream"},
		{name: "unknown pipeline", scenario: "osi-max-units-lag", resource: "osi:nope",
			want: map[string]string{"pipeline status": livecheck.Unknown}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := live(t, tc.scenario, tc.faults...)
			var got []livecheck.Check
			if name, ok := strings.CutPrefix(tc.resource, "osi:"); ok {
				got = l.OSI(context.Background(), name)
			} else {
				got = l.Firehose(context.Background(), strings.TrimPrefix(tc.resource, "firehose:"))
			}
			m := statuses(got)
			for k, v := range tc.want {
				if m[k].Status != v {
					t.Errorf("%s: status %q (%s), want %q", k, m[k].Status, m[k].Detail, v)
				}
			}
			if tc.wantAction != "" {
				found := false
				for _, c := range got {
					if c.Status != livecheck.Pass && strings.Contains(c.Action, tc.wantAction) {
						found = true
					}
				}
				if !found {
					t.Errorf("no check's action names %q: %+v", tc.wantAction, got)
				}
			}
		})
	}
}
