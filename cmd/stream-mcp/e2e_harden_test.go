package main

// Deadlines, cancellation and starvation through the built binary, driven
// by the official Go SDK client (#21.6), and the JSON-RPC quirks the stdio
// guard answers (#21.12).

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

// silentBroker accepts TCP connections and never answers: a broker that
// hangs, or a port that is not Kafka at all.
func silentBroker(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func cheapSizing() map[string]any {
	return map[string]any{"service": "kinesis", "ingress_mb_per_second": 5, "records_per_second": 1000}
}

// rawSession speaks JSON-RPC lines to the binary: for what the SDK client
// cannot do (an older protocol version, malformed messages).
type rawSession struct {
	t     *testing.T
	stdin io.WriteCloser
	lines chan string
}

func startRaw(t *testing.T, flags ...string) *rawSession {
	t.Helper()
	cmd := exec.Command(binPath, append(flags, "serve")...)
	cmd.Env = e2eEnv(t)
	cmd.Stderr = &testLogWriter{t: t}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &rawSession{t: t, stdin: stdin, lines: make(chan string, 100)}
	go func() {
		r := bufio.NewReader(stdout)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				close(s.lines)
				return
			}
			s.lines <- l
		}
	}()
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	return s
}

func (s *rawSession) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
}

func (s *rawSession) next(within time.Duration) map[string]json.RawMessage {
	s.t.Helper()
	select {
	case l, ok := <-s.lines:
		if !ok {
			s.t.Fatal("the server closed stdout")
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			s.t.Fatalf("%q: %v", l, err)
		}
		return m
	case <-time.After(within):
		s.t.Fatalf("no message within %s", within)
	}
	return nil
}

// Bug (#21.6): with --call-timeout 5s, six confirmation prompts nobody
// answered never returned and every later call stalled (a client of the
// 2025-06-18 protocol: mcp-go's bridge waited on the request's context,
// which has no deadline). Now each prompt ends with the call deadline, and
// a cheap call after them is answered at once. (A 2026-07-28 client, like
// the Go SDK's, answers prompts on its side: the server holds nothing.)
func TestE2EUnansweredPromptsEndWithTheDeadline(t *testing.T) {
	t.Parallel()
	c, err := kafkatest.Start(1, kfake.SeedTopics(1, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	const timeout = 3 * time.Second
	s := startRaw(t, "--allow-write", "--call-timeout", timeout.String())
	s.send(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},"clientInfo":{"name":"raw","version":"0"}}}`)
	s.next(10 * time.Second)
	s.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	args, _ := json.Marshal(map[string]any{"action": "add_partitions", "bootstrap_servers": strings.Join(c.ListenAddrs(), ","), "topic": "orders", "partitions": 2})
	start := time.Now()
	for i := 1; i <= 6; i++ {
		s.send(`{"jsonrpc":"2.0","id":` + string(rune('0'+i)) + `,"method":"tools/call","params":{"name":"kafka_admin","arguments":` + string(args) + `}}`)
	}
	prompts, answers := 0, 0
	for answers < 6 {
		m := s.next(timeout + 10*time.Second)
		switch {
		case string(m["method"]) == `"elicitation/create"`:
			prompts++ // never answered: the user walked away
		case m["result"] != nil:
			answers++
			if !strings.Contains(string(m["result"]), "not answered within") || !strings.Contains(string(m["result"]), `"isError":true`) {
				t.Errorf("want a deadline tool error, got %s", m["result"])
			}
		default:
			t.Errorf("unexpected %v", m)
		}
	}
	if took := time.Since(start); prompts != 6 || took > timeout+3*time.Second {
		t.Errorf("%d prompts; six unanswered prompts took %s with a %s deadline", prompts, took, timeout)
	}
	cheap := time.Now()
	s.send(`{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{"name":"sizing","arguments":{"service":"kinesis","ingress_mb_per_second":5}}}`)
	if m := s.next(5 * time.Second); string(m["id"]) != "20" || time.Since(cheap) > 2*time.Second {
		t.Errorf("cheap call after the prompts: %v after %s", m, time.Since(cheap))
	}
}

// Bug (#21.6): ten slow calls delayed forty cheap ones by 20 s (the stdio
// transport serves tool calls from five workers). Now slow live calls
// leave workers for cheap ones, and notifications/cancelled ends a call.
func TestE2ESlowCallsDoNotStarveCheapOnes(t *testing.T) {
	t.Parallel()
	broker := silentBroker(t)
	cs := session(t, nil, "--call-timeout", "60s")
	slowCtx, cancelSlow := context.WithCancel(context.Background())
	var slow sync.WaitGroup
	slowDone := make(chan time.Duration, 10)
	for i := 0; i < 10; i++ {
		slow.Go(func() {
			start := time.Now()
			_, _ = cs.CallTool(slowCtx, &mcp.CallToolParams{Name: "kafka_inspect", Arguments: map[string]any{"what": "overview", "bootstrap_servers": broker}})
			slowDone <- time.Since(start)
		})
	}
	time.Sleep(500 * time.Millisecond) // the slow calls hold their workers
	start := time.Now()
	var cheap sync.WaitGroup
	for i := 0; i < 40; i++ {
		cheap.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "sizing", Arguments: cheapSizing()})
			if err != nil || res.IsError {
				t.Errorf("cheap call: %v %v", err, res)
			}
		})
	}
	cheap.Wait()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("forty cheap calls behind ten slow ones took %s", took)
	}
	// The client gives up on the slow calls: the SDK sends
	// notifications/cancelled, and the server stops them, which frees
	// their live-call slots at once.
	cancelSlow()
	slow.Wait()
	close(slowDone)
	for d := range slowDone {
		if d < 500*time.Millisecond {
			t.Fatalf("a slow call ended after %s: the test needs calls that hang until cancelled", d)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "kafka_inspect", Arguments: map[string]any{"what": "overview", "bootstrap_servers": "127.0.0.1:1"}})
		cancel()
		if err == nil && !strings.Contains(contentText(res), "already running") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cancelled calls still hold their slots: %v %s", err, contentText(res))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Bug (#21.12): "jsonrpc": 2.0 as a number got no reply, and ids of 2^63 or
// more came back rounded. Raw lines over the binary's stdin.
func TestE2EJSONRPCQuirks(t *testing.T) {
	t.Parallel()
	s := startRaw(t)
	s.send(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`)
	s.next(10 * time.Second)
	for _, tc := range []struct{ line, id, code string }{
		{`{"jsonrpc":2.0,"id":5,"method":"ping"}`, "5", "-32600"},
		{`{"jsonrpc":"2.0","id":9223372036854775808,"method":"ping"}`, "9223372036854775808", "-32600"},
		{`{"jsonrpc":"2.0","id":18446744073709551616,"method":"tools/list"}`, "18446744073709551616", "-32600"},
		{`{"jsonrpc":"2.0","id":6,"method":"ping"}`, "6", ""},
	} {
		s.send(tc.line)
		m := s.next(10 * time.Second)
		if string(m["id"]) != tc.id {
			t.Errorf("%s: id %s, want %s exactly", tc.line, m["id"], tc.id)
		}
		if tc.code != "" && !strings.Contains(string(m["error"]), tc.code) {
			t.Errorf("%s: want error %s, got %s", tc.line, tc.code, m["error"])
		}
		if tc.code == "" && m["error"] != nil {
			t.Errorf("%s: unexpected error %s", tc.line, m["error"])
		}
	}
}

// Bug (#21.10): against a broker that accepts TCP and never answers,
// kafka_admin answered after 15 s with a 10 s timeout and the error said
// "failed at tcp (timeout)" although TCP had connected. Every call now
// answers within its deadline plus a small margin, and never blames TCP.
func TestE2ESilentBrokerAnswersWithinTheDeadline(t *testing.T) {
	t.Parallel()
	broker := silentBroker(t)
	const timeout = 4 * time.Second
	cs := session(t, nil, "--allow-write", "--call-timeout", timeout.String())
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"kafka_inspect", map[string]any{"what": "overview", "bootstrap_servers": broker}},
		{"kafka_inspect", map[string]any{"what": "group", "group_id": "g", "sample_seconds": 30, "bootstrap_servers": broker}},
		{"kafka_admin", map[string]any{"action": "create_topic", "topic": "x", "partitions": 1, "bootstrap_servers": broker}},
	} {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tc.tool, Arguments: tc.args})
		cancel()
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", tc.tool, err)
		}
		txt := contentText(res)
		if !res.IsError || strings.Contains(txt, "failed at tcp") || strings.Contains(txt, "authentication") {
			t.Errorf("%s %v: %s", tc.tool, tc.args, txt)
		}
		if took > timeout+1500*time.Millisecond {
			t.Errorf("%s answered after %s with a %s deadline", tc.tool, took, timeout)
		}
		t.Logf("%s: %s: %s", tc.tool, took, txt)
	}
}
