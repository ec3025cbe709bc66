package kinesislocal

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStartServesKinesisOnLoopback proves the harness: the emulator answers
// on 127.0.0.1, speaks the Kinesis JSON protocol and is gone after Stop.
func TestStartServesKinesisOnLoopback(t *testing.T) {
	t.Parallel()
	e := Start(t, Options{InitializeStreams: "harness:2"})
	if !strings.HasPrefix(e.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %q is not loopback", e.Endpoint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := strings.NewReader(`{"StreamName":"harness"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Endpoint, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("DescribeStreamSummary: %v\n%s", err, e.Output())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("DescribeStreamSummary status %d\n%s", resp.StatusCode, e.Output())
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := http.Get(e.Endpoint + "/healthcheck"); err == nil { //nolint:noctx // one-shot probe
		t.Fatal("emulator still answers after Stop")
	}
}
