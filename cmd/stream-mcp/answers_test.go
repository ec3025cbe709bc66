package main

// The answer corpus: every read tool called the way an assistant calls it,
// over every bundled scenario (testdata/scenarios), the README's offline
// examples and the Kafka lag cases on kfake. The budget test, the
// text-carries-everything test and the answer-bytes benchmark all use it,
// so a tool that grows past its budget on any of them is caught.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/repopath"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/twmb/franz-go/pkg/kfake"
)

// answerCall is one call of the corpus.
type answerCall struct {
	label string // scenario/tool/what, stable across runs (the baseline key)
	tool  string
	args  map[string]any
	// budget is the byte budget of the default answer (0: answerBudget).
	budget int
}

// answerBudget is the most bytes a default answer may take (issue #11).
const (
	answerBudget    = 8 << 10
	bigGroupBudget  = 4 << 10
	bigGroupPartits = 1000
)

// answerSet is the calls against one server (one endpoint or none).
type answerSet struct {
	flags []string
	calls []answerCall
}

// offlineCalls are the tools that need no AWS account or cluster, called
// with the README's examples and the other main paths.
func offlineCalls() []answerCall {
	kinesisCfg := map[string]any{"FunctionName": "orders-fn", "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders", "StartingPosition": "LATEST", "BatchSize": 100, "ParallelizationFactor": 1}
	workload := map[string]any{"shards": 100, "records_per_second": 100000, "avg_record_bytes": 1000, "processing_ms_per_record": 5, "latency_target_seconds": 60}
	mskARN := "arn:aws:kafka:us-east-1:123456789012:cluster/orders/0b8a6a39-8d4e-4b3c-9a1f-1c2d3e4f5a6b-3"
	calls := []answerCall{
		{label: "offline/validate_config/sqs_fifo", tool: "validate_config", args: map[string]any{"kind": "esm", "config": map[string]any{"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:orders.fifo", "BatchSize": 20}, "context": map[string]any{"function_timeout_seconds": 60, "queue_visibility_timeout_seconds": 120}}},
		{label: "offline/esm_optimize/validate", tool: "esm_optimize", args: map[string]any{"action": "validate", "config": map[string]any{"EventSourceArn": mskARN, "Topics": []any{"orders"}, "StartingPosition": "LATEST", "MaximumRetryAttempts": 3, "BisectBatchOnFunctionError": true}}},
		{label: "offline/esm_optimize/analyze", tool: "esm_optimize", args: map[string]any{"action": "analyze", "config": kinesisCfg, "workload": workload}},
		{label: "offline/esm_optimize/generate_template", tool: "esm_optimize", args: map[string]any{"action": "generate_template", "iac_format": "sam", "config": kinesisCfg, "workload": workload}},
		{label: "offline/sizing/msk", tool: "sizing", args: map[string]any{"service": "msk", "ingress_mb_per_second": 100, "consumer_groups": 2, "retention_hours": 72, "partitions": 600}},
		{label: "offline/sizing/msk_template", tool: "sizing", args: map[string]any{"service": "msk", "ingress_mb_per_second": 100, "consumer_groups": 2, "retention_hours": 72, "partitions": 600, "iac_format": "terraform"}},
		{label: "offline/sizing/kinesis", tool: "sizing", args: map[string]any{"service": "kinesis", "ingress_mb_per_second": 20, "records_per_second": 20000, "consumer_groups": 3}},
		{label: "offline/sizing/lambda_esm", tool: "sizing", args: map[string]any{"service": "lambda_esm", "event_source": "kinesis", "shards": 100, "records_per_second": 100000, "processing_ms_per_record": 5, "batch_size": 100}},
		{label: "offline/esm_guidance/msk_permissions", tool: "esm_guidance", args: map[string]any{"event_source": "msk", "guidance_type": "permissions", "auth": "iam", "event_source_arn": mskARN, "topic": "orders", "function_name": "orders-fn"}},
		{label: "offline/esm_guidance/msk_setup", tool: "esm_guidance", args: map[string]any{"event_source": "msk", "guidance_type": "setup", "auth": "iam", "event_source_arn": mskARN, "topic": "orders", "function_name": "orders-fn"}},
		{label: "offline/esm_guidance/kinesis_setup", tool: "esm_guidance", args: map[string]any{"event_source": "kinesis", "guidance_type": "setup"}},
		{label: "offline/esm_guidance/sqs_troubleshoot", tool: "esm_guidance", args: map[string]any{"event_source": "sqs", "guidance_type": "troubleshooting"}},
		{label: "offline/stream_guidance/firehose", tool: "stream_guidance", args: map[string]any{"topic": "firehose", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders", "options": map[string]any{"bucket": "orders-archive"}}},
		{label: "offline/stream_guidance/redshift_streaming", tool: "stream_guidance", args: map[string]any{"topic": "redshift_streaming", "source": "msk", "source_arn": mskARN, "kafka_topic": "orders"}},
		{label: "offline/stream_guidance/logs_subscription", tool: "stream_guidance", args: map[string]any{"topic": "logs_subscription", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders", "options": map[string]any{"log_group_name": "/aws/lambda/orders"}}},
		{label: "offline/stream_guidance/stream_mcp_hosting", tool: "stream_guidance", args: map[string]any{"topic": "stream_mcp_hosting", "subnet_ids": []any{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"}, "options": map[string]any{"vpc_id": "vpc-0123456789abcdef0", "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab", "image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/stream-mcp:v1.0.0", "token_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stream-mcp-tokens-AbCdEf", "client_cidr": "10.0.0.0/16"}}},
		{label: "offline/stream_guidance/opensearch_ingestion", tool: "stream_guidance", args: map[string]any{"topic": "opensearch_ingestion", "source": "msk", "source_arn": mskARN, "kafka_topic": "orders", "options": map[string]any{"domain_endpoint": "https://search-orders.us-east-1.es.amazonaws.com"}}},
		{label: "offline/kafka_troubleshoot/resolution", tool: "kafka_troubleshoot", args: map[string]any{"mode": "resolution", "issue_category": "authorization"}},
	}
	return calls
}

// scenarioCalls are the live tools against one simulated account.
func scenarioCalls(sc *awssim.Scenario) []answerCall {
	calls := []answerCall{{label: sc.Name + "/esm_inspect/list", tool: "esm_inspect", args: map[string]any{}}}
	for _, m := range sc.EventSourceMappings {
		calls = append(calls, answerCall{label: sc.Name + "/esm_inspect/" + m.UUID[:8], tool: "esm_inspect", args: map[string]any{"esm_uuid": m.UUID}})
		kafkaSource := strings.Contains(m.EventSourceArn, ":kafka:") || m.SelfManagedEventSource != nil
		if kafkaSource {
			calls = append(calls, answerCall{label: sc.Name + "/kafka_troubleshoot/" + m.UUID[:8], tool: "kafka_troubleshoot", args: map[string]any{"mode": "diagnosis", "esm_uuid": m.UUID, "sample_seconds": 0}})
		}
		work := map[string]any{"records_per_second": 1000, "avg_record_bytes": 1000, "processing_ms_per_record": 10}
		if kafkaSource {
			// A self-managed topic, and an MSK topic some scenarios do not
			// list, has no partition count an AWS API returns.
			work["partitions"] = 12
		}
		calls = append(calls, answerCall{label: sc.Name + "/esm_optimize/" + m.UUID[:8], tool: "esm_optimize", args: map[string]any{"action": "analyze", "esm_uuid": m.UUID, "workload": work}})
	}
	for _, st := range sc.Kinesis.Streams {
		calls = append(calls, answerCall{label: sc.Name + "/kinesis_inspect/" + st.StreamName, tool: "kinesis_inspect", args: map[string]any{"stream_name": st.StreamName}})
	}
	return calls
}

// kafkaCalls are the Kafka lag cases on kfake: the demo cluster (a stalled
// and an idle group) and a 1,000-partition group.
func kafkaCalls(t testing.TB) []answerCall {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d, err := kafkatest.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	bs := d.Bootstrap()
	big, bigBS := bigGroupCluster(t)
	calls := []answerCall{
		{label: "kafka/kafka_inspect/overview", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "overview"}},
		{label: "kafka/kafka_inspect/topics", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "topics"}},
		{label: "kafka/kafka_inspect/topic", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "topic", "topic": d.Topic}},
		{label: "kafka/kafka_inspect/groups", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "groups"}},
		{label: "kafka/kafka_inspect/group", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bs, "auth": "none", "what": "group", "group_id": d.Group}},
		{label: "kafka/kafka_troubleshoot/group", tool: "kafka_troubleshoot", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": bs, "topic": d.Topic, "group_id": d.Group, "sample_seconds": 0}},
		{label: "kafka/kafka_troubleshoot/unreachable", tool: "kafka_troubleshoot", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": "127.0.0.1:1"}},
		{label: "kafka/kafka_inspect/group_1000_partitions", tool: "kafka_inspect", budget: bigGroupBudget, args: map[string]any{"bootstrap_servers": bigBS, "auth": "none", "what": "group", "group_id": big}},
		{label: "kafka/kafka_inspect/group_1000_partitions_detail", tool: "kafka_inspect", budget: 32 << 10, args: map[string]any{"bootstrap_servers": bigBS, "auth": "none", "what": "group", "group_id": big, "detail": "partitions", "limit": 50, "offset": 50}},
		{label: "kafka/kafka_inspect/topic_1000_partitions", tool: "kafka_inspect", args: map[string]any{"bootstrap_servers": bigBS, "auth": "none", "what": "topic", "topic": "big"}},
		{label: "kafka/kafka_troubleshoot/group_1000_partitions", tool: "kafka_troubleshoot", args: map[string]any{"mode": "diagnosis", "bootstrap_servers": bigBS, "topic": "big", "group_id": big, "sample_seconds": 0}},
	}
	return calls
}

// bigGroupCluster starts a cluster with topic "big" of 1,000 partitions and
// an empty group that committed half of what was produced on each.
func bigGroupCluster(t testing.TB) (group, bootstrap string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := kafkatest.Start(1, kfake.SeedTopics(bigGroupPartits, "big"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	prod, err := kafkatest.Producer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	parts := make([]int32, bigGroupPartits)
	offsets := map[int32]int64{}
	for i := range parts {
		parts[i] = int32(i)
		offsets[int32(i)] = int64(i % 3) // 4 produced: lag 4, 3, 2 by partition
	}
	if err := kafkatest.Produce(ctx, prod, "big", parts, 4, time.Now().Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	group = "big-consumer"
	if err := kafkatest.CommitEmpty(ctx, c, group, "big", offsets); err != nil {
		t.Fatal(err)
	}
	return group, strings.Join(c.ListenAddrs(), ",")
}

// answerSets builds the whole corpus: it starts one simulator per bundled
// scenario and the Kafka clusters (all closed at cleanup).
func answerSets(t testing.TB) []answerSet {
	t.Helper()
	sets := []answerSet{{calls: append(offlineCalls(), kafkaCalls(t)...)}}
	for _, name := range awssim.Names() {
		sc, err := awssim.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		srv, err := awssim.Start(ctx, sc)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close(); cancel() })
		sets = append(sets, answerSet{flags: []string{"--endpoint-url", srv.URL()}, calls: scenarioCalls(sc)})
	}
	return sets
}

// answer is one call's result as a client receives it.
type answer struct {
	call  answerCall
	res   *mcp.CallToolResult
	bytes int // the result's JSON encoding (content and structuredContent)
}

// collectAnswers runs the whole corpus through the built binary, one
// session per set, the sets two at a time.
func collectAnswers(t testing.TB) []answer {
	t.Helper()
	sets := answerSets(t)
	var (
		mu  sync.Mutex
		out []answer
		wg  sync.WaitGroup
		sem = make(chan struct{}, 2)
	)
	for _, set := range sets {
		cs := session(t, nil, set.flags...)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			for _, c := range set.calls {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
				cancel()
				if err != nil {
					t.Errorf("%s: %v", c.label, err)
					continue
				}
				raw, _ := json.Marshal(res)
				mu.Lock()
				out = append(out, answer{call: c, res: res, bytes: len(raw)})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].call.label < out[j].call.label })
	return out
}

// baselinePath holds the answer bytes measured on main before issue #11
// (2026-12-02), for the benchmark's ratio.
func baselinePath() string {
	return filepath.Join(repopath.Root(), "testdata", "golden", "answer_bytes_before.json")
}

func loadBaseline(t testing.TB) map[string]int {
	t.Helper()
	raw, err := os.ReadFile(baselinePath())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]int
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRecordAnswerBaseline writes the baseline when RECORD_ANSWER_BASELINE=1;
// it was run once, on main before the change.
func TestRecordAnswerBaseline(t *testing.T) {
	if os.Getenv("RECORD_ANSWER_BASELINE") != "1" {
		t.Skip("set RECORD_ANSWER_BASELINE=1 to rewrite testdata/golden/answer_bytes_before.json")
	}
	m := map[string]int{}
	for _, a := range collectAnswers(t) {
		m[a.call.label] = a.bytes
		t.Logf("%-70s %7d error=%v", a.call.label, a.bytes, a.res.IsError)
	}
	m["tools/list read-only"] = toolsListBytes(t)
	m["tools/list all"] = toolsListBytes(t, "--allow-write", "--allow-destructive")
	for name, n := range toolBytes(t, "--allow-write", "--allow-destructive") {
		m["tool/"+name] = n
	}
	m["resource/guidance://limits"] = resourceBytes(t, "guidance://limits")
	raw, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(baselinePath(), append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// toolsListBytes is the JSON size of the tools/list result.
func toolsListBytes(t testing.TB, flags ...string) int {
	t.Helper()
	cs := session(t, nil, flags...)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res)
	return len(raw)
}

// toolBytes is the JSON size of each tool's definition in tools/list.
func toolBytes(t testing.TB, flags ...string) map[string]int {
	t.Helper()
	cs := session(t, nil, flags...)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tool := range res.Tools {
		raw, _ := json.Marshal(tool)
		out[tool.Name] = len(raw)
	}
	return out
}

// resourceBytes is the size of a resource's text.
func resourceBytes(t testing.TB, uri string) int {
	t.Helper()
	cs := session(t, nil)
	rr, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range rr.Contents {
		n += len(c.Text)
	}
	return n
}

// BenchmarkAnswerBytes reports the bytes of every call of the corpus and
// its ratio to the baseline measured before issue #11.
func BenchmarkAnswerBytes(b *testing.B) {
	base := loadBaseline(b)
	answers := collectAnswers(b)
	for _, a := range answers {
		b.Run(a.call.label, func(b *testing.B) {
			for b.Loop() {
			}
			n := structuredBytes(a.res)
			b.ReportMetric(float64(n), "bytes")
			b.ReportMetric(float64(len(contentText(a.res))), "text-bytes")
			b.ReportMetric(float64(a.bytes), "wire-bytes")
			// Before issue #11 the wire carried the structured result and a
			// short summary; now the text repeats the whole result, so the
			// answer's content is compared: structured now / wire before.
			if was := base[a.call.label]; was > 0 {
				b.ReportMetric(float64(n)/float64(was), "x-before")
			}
		})
	}
}

// TestAnswersTextCarriesStructured holds the text content of every answer
// of the corpus to its structured content: below a one-line headline the
// text reads back (as YAML) to exactly the structured result, and every
// single-line string and every number appears in it literally. A client
// that gives the model only text (Amazon Q Developer CLI among them) loses
// nothing.
func TestAnswersTextCarriesStructured(t *testing.T) {
	t.Parallel()
	answers := collectAnswers(t)
	if len(answers) < 60 {
		t.Fatalf("corpus has %d answers; it lost its scenarios", len(answers))
	}
	for _, a := range answers {
		if a.res.IsError {
			t.Errorf("%s: tool error %s", a.call.label, contentText(a.res))
			continue
		}
		text := contentText(a.res)
		head, body, ok := strings.Cut(text, "\n\n")
		if !ok || strings.Contains(head, "\n") || head == "" {
			t.Errorf("%s: text does not start with a one-line headline: %.200q", a.call.label, text)
			continue
		}
		var fromText any
		if err := yaml.Unmarshal([]byte(body), &fromText); err != nil {
			t.Errorf("%s: text body is not YAML: %v", a.call.label, err)
			continue
		}
		want := normalJSON(t, a.res.StructuredContent)
		if diff := cmp.Diff(want, normalJSON(t, fromText)); diff != "" {
			t.Errorf("%s: text does not carry the structured content (-structured +text):\n%s", a.call.label, diff)
		}
		for _, leaf := range leaves(want) {
			if !strings.Contains(body, leaf) {
				t.Errorf("%s: %q of the structured content is not in the text", a.call.label, leaf)
			}
		}
	}
}

// normalJSON round-trips v through JSON, so numbers are float64 and maps
// map[string]any whichever decoder produced them.
func normalJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// leaves are the single-line strings (without quote characters, which YAML
// may escape) and the numbers of v, as text.
func leaves(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				out = append(out, k)
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		case string:
			if x != "" && !strings.ContainsAny(x, "\n\"'\\\t") {
				out = append(out, x)
			}
		case float64:
			raw, _ := json.Marshal(x)
			out = append(out, string(raw))
		}
	}
	walk(v)
	return out
}

// TestSurfaceBudgets holds what a client loads into every conversation to
// the budgets of issue #11: tools/list within 20 KB read-only and 30 KB
// with every write tool, no tool definition over 3.5 KB.
func TestSurfaceBudgets(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		flags  []string
		budget int
	}{{nil, schema.ReadOnlyListBudget}, {[]string{"--allow-write", "--allow-destructive"}, schema.AllListBudget}} {
		if n := toolsListBytes(t, mode.flags...); n > mode.budget {
			t.Errorf("tools/list with %v is %d bytes, over the %d-byte budget", mode.flags, n, mode.budget)
		}
		for name, n := range toolBytes(t, mode.flags...) {
			if n > schema.ToolBudget {
				t.Errorf("%s is %d bytes in tools/list, over the %d-byte budget", name, n, schema.ToolBudget)
			}
		}
	}
}

// BenchmarkSurfaceBytes reports the bytes of tools/list (read-only and
// with every write tool) and of each tool definition, with the ratio to
// the figures before issue #11.
func BenchmarkSurfaceBytes(b *testing.B) {
	base := loadBaseline(b)
	report := func(label string, n int) {
		b.Run(label, func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(float64(n), "bytes")
			if was := base[label]; was > 0 {
				b.ReportMetric(float64(n)/float64(was), "x-before")
			}
		})
	}
	report("tools/list read-only", toolsListBytes(b))
	report("tools/list all", toolsListBytes(b, "--allow-write", "--allow-destructive"))
	report("resource/guidance://limits", resourceBytes(b, "guidance://limits"))
	per := toolBytes(b, "--allow-write", "--allow-destructive")
	names := make([]string, 0, len(per))
	for n := range per {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		report("tool/"+n, per[n])
	}
}

// structuredBytes is the compact JSON size of the structured result.
func structuredBytes(res *mcp.CallToolResult) int {
	raw, _ := json.Marshal(res.StructuredContent)
	return len(raw)
}

// TestAnswerBudgets holds every default answer of the corpus to 8 KB (the
// 1,000-partition group to 4 KB): its structured result and its text, the
// two forms a client hands a model.
func TestAnswerBudgets(t *testing.T) {
	t.Parallel()
	for _, a := range collectAnswers(t) {
		budget := a.call.budget
		if budget == 0 {
			budget = answerBudget
		}
		if n := structuredBytes(a.res); n > budget {
			t.Errorf("%s: structured result is %d bytes, over the %d-byte budget", a.call.label, n, budget)
		}
		if n := len(contentText(a.res)); n > budget {
			t.Errorf("%s: text is %d bytes, over the %d-byte budget", a.call.label, n, budget)
		}
	}
}
