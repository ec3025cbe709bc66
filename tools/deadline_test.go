package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/mark3labs/mcp-go/mcp"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/kafkadiag"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

// slowDeps serves scenario with every call of the named services delayed
// far past the test's deadline (a hung AWS endpoint).
func slowDeps(t *testing.T, scenario string, services ...string) ReadDeps {
	t.Helper()
	sc, err := awssim.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range services {
		sc.Faults = append(sc.Faults, awssim.Fault{Service: s, Operation: "*", Latency: awssim.Duration{Duration: 30 * time.Second}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	d := kafkaDeps(t, nil)
	d.AWS = awsx.NewFromConfig(sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: sdkaws.String(srv.URL())}, awsx.Options{MaxAttempts: 1})
	d.Kafka.SetResolver(kafkadiag.Resolver{R: d.AWS})
	return d
}

// Issue 15: every tool honours the call's deadline. With parts of AWS hung,
// esm_inspect and kafka_troubleshoot answer before the deadline (plus a
// small margin) with what they could read, the rest marked unknown, never a
// success that pretends to be complete and never a call that runs on.
func TestDeadlineGivesMarkedPartialAnswers(t *testing.T) {
	t.Parallel()
	const uuid = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e" // msk-iam-healthy
	cases := []struct {
		name     string
		services []string
		tool     func(ReadDeps) server.ServerTool
		args     map[string]any
	}{
		{"kafka_troubleshoot diagnosis, EC2 and IAM hung", []string{"ec2", "iam"}, KafkaTroubleshoot, map[string]any{"mode": "diagnosis", "esm_uuid": uuid}},
		{"esm_inspect describe, CloudWatch hung", []string{"monitoring"}, EsmInspect, map[string]any{"esm_uuid": uuid}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tool := tc.tool(slowDeps(t, "msk-iam-healthy", tc.services...))
			req := mcp.CallToolRequest{}
			req.Params.Name = tool.Tool.Name
			req.Params.Arguments = tc.args
			const budget = 3 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			start := time.Now()
			res, err := tool.Handler(ctx, req)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("Go error: %v", err)
			}
			if margin := time.Second; elapsed > budget+margin {
				t.Errorf("answered after %s; the deadline was %s", elapsed, budget)
			}
			// The same call without the hang, for comparison.
			base, err := tc.tool(slowDeps(t, "msk-iam-healthy")).Handler(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			marks := func(r *mcp.CallToolResult) int {
				raw, _ := json.Marshal(r.StructuredContent)
				all := strings.ToLower(string(raw) + text(r))
				return strings.Count(all, "unknown") + strings.Count(all, "deadline") + strings.Count(all, "timeout")
			}
			if got, was := marks(res), marks(base); got <= was {
				t.Errorf("a partial answer must mark what it could not read: %d unknown/deadline/timeout marks, %d without the hang\n%s", got, was, text(res))
			}
		})
	}
}
