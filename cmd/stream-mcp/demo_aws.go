package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// demoAWSScenario is the simulated account of the tour: a Kinesis mapping
// stuck on a poison record, with its stream and CloudWatch series.
const demoAWSScenario = "kinesis-high-iterator-age"

// startDemoAWS serves the demo scenario on loopback (embedded, so the demo
// works from any directory).
func startDemoAWS(ctx context.Context, logger *slog.Logger) (string, func() []awssim.Call, func(), error) {
	sc, err := awssim.Load(demoAWSScenario)
	if err != nil {
		return "", nil, func() {}, err
	}
	if err := addKafkaDemoMapping(sc); err != nil {
		return "", nil, func() {}, err
	}
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		return "", nil, func() {}, fmt.Errorf("demo AWS simulator: %w", err)
	}
	return srv.URL(), srv.Calls, func() {
		logger.Debug("demo AWS simulator stopped", "calls", len(srv.Calls()), "mutating_calls", len(srv.MutatingCalls()))
		_ = srv.Close()
	}, nil
}

// esmDemoSteps list the simulated account's mappings, then read the one that
// falls behind in full.
func esmDemoSteps(env demoEnv) []demoStep {
	if env.EndpointURL == "" {
		return nil
	}
	return []demoStep{
		{Title: "Which event source mappings does this account have, and are they healthy?", Tool: "esm_inspect",
			Args: map[string]any{}},
		{Title: "Why is my clickstream mapping falling behind?", Tool: "esm_inspect",
			Args: map[string]any{"esm_uuid": "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"}},
	}
}
