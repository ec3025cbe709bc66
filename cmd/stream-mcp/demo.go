package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

// demoEnv is what the demo started in process for the tools to work on.
type demoEnv struct {
	// Bootstrap is the address of the in-process Kafka cluster ("" if none).
	Bootstrap string
	// EndpointURL is the AWS simulator's endpoint ("" if none).
	EndpointURL string
	// awsCalls lists the calls the simulator recorded so far.
	awsCalls func() []awssim.Call
}

// demoStep is one tool call of the guided tour.
type demoStep struct {
	Title string // what the user is trying to do
	Tool  string
	Args  map[string]any
	// Show picks what to print from the structured result; nil prints the
	// tool's own text summary.
	Show func(structured json.RawMessage) string
}

// demoSteps is the tour. Each tool adds at least one realistic step; a test
// fails when a registered read tool has none.
func demoSteps(env demoEnv) []demoStep {
	var steps []demoStep
	steps = append(steps, esmDemoSteps(env)...)
	steps = append(steps, kinesisDemoSteps(env)...)
	steps = append(steps, kafkaDemoSteps(env)...)
	steps = append(steps, kafkaESMDemoSteps(env)...)
	steps = append(steps, sizingDemoSteps()...)
	steps = append(steps, guidanceDemoSteps(env)...)
	steps = append(steps, integrationDemoSteps()...)
	steps = append(steps, processorDemoSteps()...)
	return steps
}

// kafkaDemoSteps look at the in-process cluster: a group whose member
// committed half of every partition and stopped, judged over a short window.
func kafkaDemoSteps(env demoEnv) []demoStep {
	if env.Bootstrap == "" {
		return nil
	}
	return []demoStep{
		{Title: "Is my consumer group keeping up?", Tool: "kafka_inspect",
			Args: map[string]any{"bootstrap_servers": env.Bootstrap, "auth": "none", "what": "group", "group_id": kafkaDemoGroup, "sample_seconds": 2, "limit": 3}},
		{Title: "Why is nothing being consumed?", Tool: "kafka_troubleshoot",
			Args: map[string]any{"mode": "diagnosis", "bootstrap_servers": env.Bootstrap, "topic": kafkaDemoTopic, "group_id": kafkaDemoGroup, "sample_seconds": 2}},
	}
}

// demo runs the guided tour: it starts what the tools need in process, then
// calls each tool through an in-process MCP client, the same path as a real
// client, and prints what came back. Nothing is canned: every line printed
// is a tool's answer.
func demo(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) error {
	_, err := runDemo(ctx, cfg, logger, stdout)
	return err
}

// runDemo is demo, also returning the AWS calls the tools made, so tests can
// hold them against the documented read-only policy.
func runDemo(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) (calls []awssim.Call, err error) {
	env, stop, err := startDemoEnv(ctx, logger)
	if err != nil {
		return nil, err
	}
	defer stop()
	defer func() {
		if env.awsCalls != nil {
			calls = env.awsCalls()
		}
	}()
	if env.EndpointURL != "" {
		cfg.EndpointURL = env.EndpointURL
	}
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	defer a.cleanup()
	c, err := client.NewInProcessClient(a.srv)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "stream-mcp-demo", Version: version}
	if _, err := c.Initialize(ctx, init); err != nil {
		return nil, err
	}
	mode := "read-only mode"
	switch {
	case cfg.AllowDestructive:
		mode = "write and destructive tools allowed, each behind confirmation"
	case cfg.AllowWrite:
		mode = "write tools allowed, each behind confirmation"
	}
	fmt.Fprintf(stdout, "stream-mcp demo: %d tools registered (%s)\n", len(a.tools), mode)
	if env.Bootstrap != "" {
		fmt.Fprintf(stdout, "  in-process Kafka cluster (kfake) at %s\n", env.Bootstrap)
	}
	if env.EndpointURL != "" {
		fmt.Fprintf(stdout, "  AWS simulator at %s (no AWS account is used)\n", env.EndpointURL)
	}
	failed := 0
	for i, s := range demoSteps(env) {
		fmt.Fprintf(stdout, "\n== %d. %s\n$ stream-mcp call %s --args '%s'\n", i+1, s.Title, s.Tool, compactJSON(s.Args))
		req := mcp.CallToolRequest{}
		req.Params.Name = s.Tool
		req.Params.Arguments = s.Args
		start := time.Now()
		res, err := c.CallTool(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("demo step %q: %w", s.Title, err)
		}
		took := time.Since(start)
		if res.IsError {
			failed++
			fmt.Fprintf(stdout, "tool error: %s\n", resultText(res))
			continue
		}
		text := resultText(res)
		if s.Show != nil {
			raw, _ := json.Marshal(res.StructuredContent)
			text = s.Show(raw)
		}
		fmt.Fprintln(stdout, indent(excerpt(strings.TrimSpace(text), demoLines)))
		fmt.Fprintf(stdout, "(%s, %d bytes of structured output)\n", took.Round(time.Millisecond), jsonSize(res.StructuredContent))
	}
	if cfg.AllowWrite {
		n, err := writeDemo(ctx, c, env, cfg.AllowDestructive, stdout)
		if err != nil {
			return nil, err
		}
		failed += n
	}
	if failed > 0 {
		return nil, fmt.Errorf("demo: %d steps returned tool errors", failed)
	}
	return nil, nil
}

// The in-process Kafka cluster's names (kafkatest.StartDemo).
const (
	kafkaDemoTopic = "orders"
	kafkaDemoGroup = "orders-processor"
)

// startDemoEnv starts the in-process backends the tour needs.
func startDemoEnv(ctx context.Context, logger *slog.Logger) (demoEnv, func(), error) {
	var env demoEnv
	kd, err := kafkatest.StartDemo(ctx)
	if err != nil {
		return env, func() {}, fmt.Errorf("demo Kafka cluster: %w", err)
	}
	env.Bootstrap = kd.Bootstrap()
	url, calls, stopAWS, err := startDemoAWS(ctx, logger)
	if err != nil {
		kd.Close()
		return env, func() {}, err
	}
	env.EndpointURL, env.awsCalls = url, calls
	return env, func() { stopAWS(); kd.Close() }, nil
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonSize(v any) int {
	b, _ := json.Marshal(v)
	return len(b)
}

// demoLines is how many lines of each answer the demo prints: the headline
// and the start of the full rendering the model receives.
const demoLines = 16

// excerpt keeps the first n lines of s and says how many it left out.
func excerpt(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… %d more lines (the model receives the whole answer)", len(lines)-n)
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
