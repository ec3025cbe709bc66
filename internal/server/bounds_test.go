package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// Bug (#21.2, #21.11): arguments of any size and any number reached the
// handlers (40,000 repeated security_group_ids cost 2.7 GB in esm_guidance;
// 1e308 became +Inf in sizing). checkArgs bounds them centrally.
func TestCheckArgs(t *testing.T) {
	t.Parallel()
	many := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = "sg-0123456789abcdef0"
		}
		return out
	}
	keys := func(n int) map[string]any {
		m := make(map[string]any, n)
		for i := 0; i < n; i++ {
			m[strings.Repeat("k", 1+i%7)+string(rune('a'+i%26))+strings.Repeat("x", i/182)] = 1.0
		}
		return m
	}
	deep := any(map[string]any{})
	for i := 0; i < MaxArgDepth+2; i++ {
		deep = map[string]any{"a": deep}
	}
	cases := []struct {
		name string
		args any
		want string // "" = accepted
	}{
		{"ordinary", map[string]any{"event_source": "msk", "security_group_ids": many(3), "config": map[string]any{"BatchSize": 100.0}}, ""},
		{"40000 repeated security groups", map[string]any{"security_group_ids": many(40000)}, "security_group_ids has 40000 items"},
		{"at the item bound", map[string]any{"x": many(MaxArgItems)}, ""},
		{"100k-key object", map[string]any{"config": keys(100000)}, "keys, more than"},
		{"1e308", map[string]any{"ingress_mb_per_second": 1e308}, "outside the range"},
		{"negative huge", map[string]any{"n": -1e300}, "outside the range"},
		{"2^53 is still exact", map[string]any{"n": float64(1 << 53)}, ""},
		{"deep nesting", map[string]any{"config": deep}, "nests deeper"},
		{"huge string", map[string]any{"template": strings.Repeat("a", MaxArgString+1)}, "byte limit"},
		{"too many values overall", map[string]any{"a": many(900), "b": many(900), "c": []any{many(900), many(900), many(900)}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkArgs(tc.args)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err %v, want it to mention %q", err, tc.want)
			}
		})
	}
	wide := map[string]any{}
	for i := 0; i < 30; i++ {
		wide[string(rune('a'+i%26))+strings.Repeat("z", i/26)] = many(MaxArgItems)
	}
	if err := checkArgs(wide); err == nil || !strings.Contains(err.Error(), "more than 20000 values") {
		t.Fatalf("30,000 values accepted: %v", err)
	}
}

// Bug (#21.12): a request with "jsonrpc": 2.0 (a number) got no answer, and
// an id of 2^63 or more came back rounded. The guard answers both with an
// Invalid Request error carrying the id exactly as sent.
func TestGuardStdio(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		in       string
		passed   string // what reaches mcp-go
		answered string // what the guard answers itself
	}{
		{"valid request passes", `{"jsonrpc":"2.0","id":1,"method":"ping"}`, `{"jsonrpc":"2.0","id":1,"method":"ping"}` + "\n", ""},
		{"jsonrpc as a number", `{"jsonrpc":2.0,"id":7,"method":"ping"}`, "", `{"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"\"jsonrpc\" must be the string \"2.0\""}}` + "\n"},
		{"jsonrpc missing, string id", `{"id":"a","method":"ping"}`, "", `{"jsonrpc":"2.0","id":"a","error":{"code":-32600,"message":"\"jsonrpc\" must be the string \"2.0\""}}` + "\n"},
		{"bad jsonrpc notification: no answer", `{"jsonrpc":2,"method":"notifications/initialized"}`, "", ""},
		{"id 2^63+1", `{"jsonrpc":"2.0","id":9223372036854775809,"method":"ping"}`, "", `"id":9223372036854775809,"error":{"code":-32600`},
		{"id -(2^53+1)", `{"jsonrpc":"2.0","id":-9007199254740993,"method":"ping"}`, "", `"id":-9007199254740993,"error"`},
		{"id 2^53 passes", `{"jsonrpc":"2.0","id":9007199254740992,"method":"ping"}`, `"id":9007199254740992`, ""},
		{"garbage passes to mcp-go's parse error", `{not json`, "{not json\n", ""},
		{"batch passes", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, `[{"jsonrpc"`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			r, w := GuardStdio(strings.NewReader(tc.in+"\n"), &out)
			passed, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			_ = w
			if tc.passed == "" && len(passed) != 0 || !strings.Contains(string(passed), tc.passed) {
				t.Errorf("passed %q, want %q", passed, tc.passed)
			}
			if tc.answered == "" && out.Len() != 0 || !strings.Contains(out.String(), tc.answered) {
				t.Errorf("answered %q, want %q", out.String(), tc.answered)
			}
			if out.Len() > 0 && !json.Valid(bytes.TrimSpace(out.Bytes())) {
				t.Errorf("answer is not JSON: %q", out.String())
			}
		})
	}
}

// Bug (#21.1-style exhaustion over the protocol): one line of any length
// was read whole. A line over MaxMessageBytes is dropped with an error and
// the next line is served.
func TestGuardStdioLongLine(t *testing.T) {
	t.Parallel()
	in := `{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":"` + strings.Repeat("a", MaxMessageBytes) + `"}}` + "\n" + `{"jsonrpc":"2.0","id":2,"method":"ping"}` + "\n"
	var out bytes.Buffer
	r, _ := GuardStdio(strings.NewReader(in), &out)
	passed, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(passed) != `{"jsonrpc":"2.0","id":2,"method":"ping"}`+"\n" {
		t.Fatalf("passed %.200q", passed)
	}
	if !strings.Contains(out.String(), `"id":null,"error":{"code":-32600,"message":"message larger than 8 MiB`) {
		t.Fatalf("answered %q", out.String())
	}
}

// Bug (#21.10): a handler that ignores its context (a client library
// blocked in a retry loop) kept the answer waiting past the call deadline:
// kafka_admin answered after 15 s with 10 s, sampling after 25 s with 20 s.
// The answer now comes within the deadline plus deadlineGrace.
func TestDeadlineDoesNotWaitForAStubbornHandler(t *testing.T) {
	t.Parallel()
	stubborn := fakeTool("stubborn", true, false)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	stubborn.Handler = func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		<-release // ignores ctx
		return mcp.NewToolResultText("late"), nil
	}
	writer := fakeTool("stubborn_writer", false, false)
	writer.Handler = stubborn.Handler
	const d = 300 * time.Millisecond
	srv, err := New(Options{CallTimeout: d, AllowWrite: true}, []ServerTool{stubborn, writer}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"stubborn": "did not finish within 300ms", "stubborn_writer": "outcome is unknown"} {
		start := time.Now()
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = map[string]any{"mode": "ok"}
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > d+deadlineGrace+300*time.Millisecond {
			t.Errorf("%s answered after %s (deadline %s)", name, took, d)
		}
		if txt := res.Content[0].(mcp.TextContent).Text; !res.IsError || !strings.Contains(txt, want) {
			t.Errorf("%s: %q, want %q", name, txt, want)
		}
	}
}

// Bug (#21.3 through the protocol): a 400,000-key config was decoded and
// schema-validated by mcp-go (13 s on a busy machine) before checkArgs
// refused it. Large tools/call lines are scanned in the guard and refused
// as a tool error without decoding.
func TestGuardRefusesOversizeContainers(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"esm_optimize","arguments":{"config":{`)
	for i := 0; i < 400000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"K%06d":%d`, i, i)
	}
	b.WriteString("}}}}\n")
	var out bytes.Buffer
	start := time.Now()
	r, _ := GuardStdio(strings.NewReader(b.String()), &out)
	passed, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(passed) != 0 || !strings.Contains(out.String(), `"isError":true`) || !strings.Contains(out.String(), `"id":7`) || !strings.Contains(out.String(), "more than 1000 entries") {
		t.Fatalf("passed %d bytes, answered %.300s", len(passed), out.String())
	}
	// The old path took 13 s; the guard answers in milliseconds (a few
	// seconds under -race on a busy machine).
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("scanning took %s", took)
	}
	// A string holding commas and brackets is not counted.
	small := `{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"validate_config","arguments":{"template":"` + strings.Repeat(",[{", largeMessage) + `"}}}` + "\n"
	out.Reset()
	r, _ = GuardStdio(strings.NewReader(small), &out)
	if passed, _ := io.ReadAll(r); len(passed) == 0 || out.Len() != 0 {
		t.Fatalf("a large string argument was refused: %q", out.String())
	}
}
