package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/esmview"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/toolsnap"
)

func esmGuidanceTool(t *testing.T) server.ServerTool {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return EsmGuidance(ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func esmGuidanceCall(t *testing.T, st server.ServerTool, args string) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = st.Tool.Name
	req.Params.Arguments = m
	res, err := st.Handler(context.Background(), req)
	if err != nil {
		t.Fatalf("Go error (a bug, not a tool error): %v", err)
	}
	var out map[string]any
	if res.StructuredContent != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(raw, &out)
	}
	return res, out
}

func TestEsmGuidanceSnapshotAndAccess(t *testing.T) {
	t.Parallel()
	st := esmGuidanceTool(t)
	toolsnap.Check(t, "esm_guidance", publishedTool(t, "esm_guidance"))
	if a, err := server.AccessOf(st.Tool); err != nil || a.String() != "read" {
		t.Errorf("access = %v, %v; want read", a, err)
	}
}

func TestEsmGuidanceBehaviour(t *testing.T) {
	t.Parallel()
	st := esmGuidanceTool(t)
	const cluster = "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"
	cases := []struct {
		name      string
		args      string
		wantErr   string
		wantInOut []string
	}{
		{"msk setup terraform", `{"event_source":"msk","guidance_type":"setup","iac_format":"terraform","function_name":"orders","event_source_arn":"` + cluster + `","topic":"orders","group_id":"g1","artifacts":["all"]}`,
			"", []string{"aws_lambda_event_source_mapping", "topic/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/orders", "9098"}},
		{"kinesis troubleshooting", `{"event_source":"kinesis","guidance_type":"troubleshooting"}`, "", []string{"kinesis_inspect", "IteratorAge"}},
		{"sqs_fifo networking", `{"event_source":"sqs_fifo","guidance_type":"networking"}`, "", []string{"No VPC configuration"}},
		{"live departures", `{"event_source":"dynamodb","guidance_type":"troubleshooting","live_config":{"MaximumRetryAttempts":-1,"Enabled":false}}`, "", []string{"MaximumRetryAttempts is infinite", "disabled"}},
		{"esm_uuid without AWS access", `{"event_source":"sqs","esm_uuid":"a1b2c3d4-5678-90ab-cdef-11111EXAMPLE"}`, "", []string{"no AWS access"}},
		{"hostile function name", `{"event_source":"msk","function_name":"x\"}]},{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*"}`, "function_name", nil},
		{"fifo arn on sqs", `{"event_source":"sqs","event_source_arn":"arn:aws:sqs:us-east-1:123456789012:q.fifo"}`, "sqs_fifo", nil},
		{"iam on self-managed", `{"event_source":"self_managed_kafka","auth":"iam"}`, "self-managed Kafka does not support IAM", nil},
		{"bad format", `{"event_source":"sqs","iac_format":"pulumi"}`, "iac_format", nil},
		{"new sqs app", `{"event_source":"sqs","create_function":true,"create_source":true,"function_timeout_seconds":30,"function_name":"orders","event_source_arn":"arn:aws:sqs:us-east-1:123456789012:orders","artifacts":["all"]}`,
			"", []string{"stack.sam.yaml", "AWS::Serverless::Function", "VisibilityTimeout: 180", "cleanup.sh"}},
		{"default answer names what it left out", `{"event_source":"msk","guidance_type":"setup","function_name":"orders","event_source_arn":"` + cluster + `","topic":"orders"}`,
			"", []string{"artifacts_left_out", "artifacts=[", "AWS::Serverless"}},
		{"one artifact by name", `{"event_source":"msk","guidance_type":"setup","function_name":"orders","event_source_arn":"` + cluster + `","topic":"orders","artifacts":["execution-role-policy.json"]}`,
			"", []string{"kafka-cluster:Connect"}},
		{"unknown artifact name", `{"event_source":"msk","artifacts":["nope.yaml"]}`, "this answer's artifacts are", nil},
		{"timeout above max", `{"event_source":"sqs","function_timeout_seconds":901}`, "exceeds Lambda's maximum", nil},
		{"bad live config", `{"event_source":"sqs","live_config":{"BatchSize":"ten"}}`, "live_config", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, out := esmGuidanceCall(t, st, tc.args)
			text := ""
			for _, c := range res.Content {
				if tc, ok := c.(mcp.TextContent); ok {
					text += tc.Text
				}
			}
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(text, tc.wantErr) {
					t.Fatalf("want tool error containing %q, got IsError=%v %q", tc.wantErr, res.IsError, text)
				}
				return
			}
			if res.IsError {
				t.Fatalf("unexpected tool error: %s", text)
			}
			raw, _ := json.Marshal(out)
			for _, w := range tc.wantInOut {
				if !strings.Contains(string(raw), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if _, ok := out["references"]; !ok {
				t.Error("no references")
			}
		})
	}
}

func TestPromptsNameRealTools(t *testing.T) {
	t.Parallel()
	real := map[string]bool{}
	for _, st := range allTools(t) {
		real[st.Tool.Name] = true
	}
	contract := []string{"esm_guidance", "esm_optimize", "kafka_troubleshoot", "kafka_inspect", "esm_inspect", "kinesis_inspect", "sizing", "validate_config"}
	named := map[string]bool{}
	for _, p := range Prompts() {
		args := map[string]string{}
		for _, a := range p.Prompt.Arguments {
			args[a.Name] = "7" // valid for string and number arguments alike
		}
		req := mcp.GetPromptRequest{}
		req.Params.Name = p.Prompt.Name
		req.Params.Arguments = args
		res, err := p.Handler(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", p.Prompt.Name, err)
		}
		body := res.Messages[0].Content.(mcp.TextContent).Text
		for _, name := range contract {
			if strings.Contains(body, name) {
				named[name] = true
			}
		}
		// every word shaped like a tool name must be a contract tool (the
		// anchor pointed models at esm_msk_policy and others that did not exist)
		for _, w := range strings.Fields(body) {
			w = strings.Trim(w, ".,:;()")
			if strings.HasSuffix(w, "_inspect") || strings.HasSuffix(w, "_troubleshoot") || strings.HasSuffix(w, "_guidance") ||
				strings.HasSuffix(w, "_optimize") || strings.HasSuffix(w, "_policy") || strings.HasPrefix(w, "validate_") {
				ok := false
				for _, c := range contract {
					ok = ok || w == c
				}
				if !ok {
					t.Errorf("%s names %q, which is not a stream-mcp tool", p.Prompt.Name, w)
				}
			}
		}
		req.Params.Arguments = map[string]string{}
		required := false
		for _, a := range p.Prompt.Arguments {
			required = required || a.Required
		}
		if _, err := p.Handler(context.Background(), req); required && err == nil {
			t.Errorf("%s: missing required argument accepted", p.Prompt.Name)
		}
	}
	for _, name := range contract {
		if !named[name] {
			t.Errorf("no prompt mentions %s", name)
		}
	}
	for _, name := range contract {
		if !real[name] {
			t.Errorf("prompts point at %s, which is not registered", name)
		}
	}
}

// simTool serves an awssim scenario on loopback and returns esm_guidance
// reading from it.
func simTool(t *testing.T, scenario string) server.ServerTool {
	t.Helper()
	sc, err := awssim.Load(scenario)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: sdkaws.String(srv.URL())}
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return EsmGuidance(ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AWS: awsx.NewFromConfig(cfg, awsx.Options{MaxAttempts: 1})})
}

// With esm_uuid the guidance names the live ARNs and flags departures read
// from the mapping, its function, queue and cluster.
func TestEsmGuidanceTailorsToLiveMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario, args string
		want           []string
	}{
		{"sqs-visibility-timeout", `{"event_source":"sqs","guidance_type":"troubleshooting","esm_uuid":"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"}`,
			[]string{"VisibilityTimeout is 30 s, below 6", "maxReceiveCount is 3"}},
		{"msk-iam-healthy", `{"event_source":"msk","guidance_type":"permissions","esm_uuid":"7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}`,
			[]string{"topic/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders", "group/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3/orders-consumer-lambda", "log-group:/aws/lambda/orders-consumer"}},
		{"msk-iam-healthy", `{"event_source":"kinesis","esm_uuid":"7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}`, nil},
		// Troubleshooting a live mapping judges it with esm_inspect's rules:
		// the SCRAM secret on the AWS managed key fails here too.
		{"msk-scram-aws-managed-key", `{"event_source":"msk","guidance_type":"troubleshooting","esm_uuid":"7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}`,
			[]string{"[error] authentication.secret_aws_managed_key"}},
		{"sqs-dlq-throttled", `{"event_source":"sqs","guidance_type":"troubleshooting","esm_uuid":"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"}`,
			[]string{"[error] throttling.reserved_below_demand"}},
		{"sqs-visibility-timeout", `{"event_source":"sqs","esm_uuid":"00000000-0000-0000-0000-000000000000"}`, []string{"could not read mapping"}},
	}
	for _, tc := range cases {
		t.Run(tc.scenario+tc.args[:30], func(t *testing.T) {
			t.Parallel()
			res, out := esmGuidanceCall(t, simTool(t, tc.scenario), tc.args)
			raw, _ := json.Marshal(out)
			if tc.want == nil { // a mapping of another kind: the ARN check refuses it
				if !res.IsError {
					t.Fatalf("want a tool error for a Kafka mapping read as kinesis, got %s", raw)
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %v", res.Content)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(raw), w) {
					t.Errorf("output lacks %q:\n%s", w, raw)
				}
			}
		})
	}
}

// Every "argument=value" a prompt tells the model to send a tool is an
// argument of that tool's input schema, and a value of its enum when it has
// one: a prompt that names a real tool with a made-up argument sends the
// model into a tool error just as surely as a made-up tool.
func TestPromptsUseRealArguments(t *testing.T) {
	t.Parallel()
	type prop struct {
		Enum []any `json:"enum"`
	}
	schemas := map[string]map[string]prop{}
	for _, st := range allTools(t) {
		var s struct {
			Properties map[string]prop `json:"properties"`
		}
		if err := json.Unmarshal(st.Tool.RawInputSchema, &s); err != nil {
			t.Fatalf("%s: %v", st.Tool.Name, err)
		}
		schemas[st.Tool.Name] = s.Properties
	}
	word := regexp.MustCompile(`[a-z][a-z0-9_]*(=[a-z][a-z0-9_]*)?`)
	checked := 0
	for _, p := range Prompts() {
		args := map[string]string{}
		for _, a := range p.Prompt.Arguments {
			args[a.Name] = "7" // valid for string and number arguments alike
		}
		req := mcp.GetPromptRequest{}
		req.Params.Name, req.Params.Arguments = p.Prompt.Name, args
		res, err := p.Handler(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		body := res.Messages[0].Content.(mcp.TextContent).Text
		for _, line := range strings.Split(body, "\n") {
			tool := "" // the tool the line last named
			for _, w := range word.FindAllString(line, -1) {
				if _, ok := schemas[w]; ok {
					tool = w
					continue
				}
				k, v, ok := strings.Cut(w, "=")
				if !ok || tool == "" {
					continue
				}
				pr, ok := schemas[tool][k]
				if !ok {
					t.Errorf("%s: %s has no argument %q", p.Prompt.Name, tool, k)
					continue
				}
				checked++
				if len(pr.Enum) == 0 {
					continue
				}
				found := false
				for _, e := range pr.Enum {
					found = found || e == v
				}
				if !found {
					t.Errorf("%s: %s %s=%s is not one of %v", p.Prompt.Name, tool, k, v, pr.Enum)
				}
			}
		}
	}
	t.Logf("%d tool arguments checked", checked)
	if checked < 10 {
		t.Errorf("only %d tool arguments checked: the prompt parser no longer finds them", checked)
	}
}

// The live mapping's kind comes from its bootstrap servers or its ARN; a
// mapping of another kind than the guidance asked about is flagged.
func TestLiveSource(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		m    awsx.ESM
		want iac.Source
	}{
		"kinesis":      {awsx.ESM{EventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s"}, iac.SourceKinesis},
		"efo consumer": {awsx.ESM{EventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1"}, iac.SourceKinesis},
		"ddb":          {awsx.ESM{EventSourceARN: "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-01-01T00:00:00.000"}, iac.SourceDynamoDB},
		"fifo":         {awsx.ESM{EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q.fifo"}, iac.SourceSQSFIFO},
		"sqs":          {awsx.ESM{EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q"}, iac.SourceSQS},
		"msk":          {awsx.ESM{EventSourceARN: "arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1"}, iac.SourceMSK},
		"self-managed": {awsx.ESM{BootstrapServers: []string{"b:9092"}}, iac.SourceSelfManagedKafka},
		"none":         {awsx.ESM{}, ""},
	}
	for name, tc := range cases {
		if got := esmview.LiveSource(tc.m); got != tc.want {
			t.Errorf("%s: liveSource = %q, want %q", name, got, tc.want)
		}
	}
}
