package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
)

// TestE2EStreamGuidanceLiveChecks runs stream_guidance troubleshooting
// through the binary against `stream-mcp simulate`: the named live pipeline
// or delivery stream is read and the verdicts name the root cause, and the
// answer stays within the default size budget.
func TestE2EStreamGuidanceLiveChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scenario, args string
		want           map[string]string // live check name -> status
	}{
		{"firehose-msk-delivery-failing",
			`{"topic":"firehose","guidance_type":"troubleshooting","source":"msk","options":{"delivery_stream_name":"orders-archive"}}`,
			map[string]string{"MSK cluster policy allows Firehose": "fail", "delivery to S3 succeeds": "fail", "delivery stream status": "pass"}},
		{"osi-max-units-lag",
			`{"topic":"opensearch_ingestion","guidance_type":"troubleshooting","source":"msk","options":{"pipeline_name":"orders-logs"}}`,
			map[string]string{"pipeline status": "pass", "sink keeps up with source": "warn"}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			url := startSimulateProcess(t, tc.scenario)
			cmd := exec.Command(binPath, "--endpoint-url", url, "call", "stream_guidance", "--args", tc.args)
			cmd.Env = e2eEnv(t)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("call: %v; stderr %s", err, stderr.String())
			}
			if len(out) > 8<<10 {
				t.Errorf("answer is %d bytes, over the 8 KB default budget", len(out))
			}
			var res struct {
				Live []struct{ Name, Status, Detail string }
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("stdout is not JSON: %s", out)
			}
			got := map[string]string{}
			for _, c := range res.Live {
				got[c.Name] = c.Status
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (live: %+v)", k, got[k], v, res.Live)
				}
			}
		})
	}
}
