package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

// kafkaE2ECases drive kafka_inspect and kafka_troubleshoot through the
// binary against an in-process kfake cluster given by bootstrap_servers.
func kafkaE2ECases(t testing.TB) []e2eCase {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := kafkatest.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	bs := d.Bootstrap()
	// A simulated account whose SCRAM mapping's secret is broken. The SCRAM
	// path never probes the brokers (the credentials are in Secrets Manager),
	// so no DNS query for the scenario's broker names leaves the machine.
	sc, err := awssim.Load("msk-scram-secret-problems")
	if err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithCancel(context.Background())
	srv, err := awssim.Start(sctx, sc)
	if err != nil {
		scancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(); scancel() })
	field := func(path []string, want any) func(t *testing.T, raw json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			t.Helper()
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			var cur any = m
			for _, p := range path {
				cur, _ = cur.(map[string]any)[p]
			}
			if cur != want {
				t.Errorf("%v = %v, want %v: %s", path, cur, want, raw)
			}
		}
	}
	return []e2eCase{
		{name: "kafka_inspect overview", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "overview"},
			check: field([]string{"overview", "partitions"}, float64(6))},
		{name: "kafka_inspect group lag", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "what": "group", "group_id": d.Group, "sample_seconds": 1},
			check: field([]string{"group", "lag", "status"}, "STALLED")},
		{name: "kafka_inspect missing topic", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "what": "topic", "topic": "nope"},
			wantError: true, errorContains: `topic "nope" not found`},
		{name: "kafka_troubleshoot stalled group", tool: "kafka_troubleshoot", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": bs, "topic": d.Topic, "group_id": d.Group, "sample_seconds": 1},
			check: field([]string{"category"}, "consumer_lag")},
		{name: "kafka_troubleshoot unreachable", tool: "kafka_troubleshoot", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": "127.0.0.1:1"},
			check: field([]string{"category"}, "network")},
		{name: "kafka_troubleshoot esm_uuid on the simulator", flags: []string{"--endpoint-url", srv.URL()}, tool: "kafka_troubleshoot",
			args:  map[string]any{"mode": "diagnosis", "esm_uuid": sc.EventSourceMappings[0].UUID, "sample_seconds": 0},
			check: field([]string{"category"}, "authentication")},
		{name: "kafka_troubleshoot resolution without category", tool: "kafka_troubleshoot", args: map[string]any{"mode": "resolution"},
			wantError: true, errorContains: "needs issue_category"},
	}
}
