package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/stream-mcp/stream-mcp/internal/httpserve"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

const (
	httpReadTok  = "e2e-read-token-0123456789abcdef01234"
	httpWriteTok = "e2e-write-token-0123456789abcdef0123"
)

type httpServer struct {
	url   string
	audit string
}

// startHTTP runs the binary as `serve --http` on a free loopback port with
// a token file and waits for /healthz.
func startHTTP(t *testing.T, global ...string) httpServer {
	t.Helper()
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte(httpReadTok+" read\n"+httpWriteTok+" write\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	audit := filepath.Join(dir, "audit.jsonl")
	args := append(append([]string{"--audit-log", audit}, global...), "serve", "--http", addr, "--auth-tokens-file", tokens)
	cmd := exec.Command(binPath, args...)
	cmd.Env = e2eEnv(t)
	cmd.Stderr = &testLogWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve --http did not exit cleanly on SIGINT: %v", err)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("serve --http did not stop within 20 s of SIGINT")
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /healthz on %s within 30 s", base)
		}
	}
	return httpServer{url: base, audit: audit}
}

type tokenRT struct{ tok string }

func (b tokenRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.tok != "" {
		r.Header.Set("Authorization", "Bearer "+b.tok)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func httpSession(t *testing.T, base, tok string) (*mcp.ClientSession, error) {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "e2e-http", Version: "0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: &http.Client{Transport: tokenRT{tok}}}, nil)
}

// TestE2EHTTP drives `serve --http` with three clients (the Go SDK, the
// TypeScript SDK and the MCP Inspector CLI), checks the token scopes, and
// applies a confirmed write over HTTP with the plan-bound token, the audit
// log naming the caller by fingerprint.
func TestE2EHTTP(t *testing.T) {
	t.Parallel()
	s := startHTTP(t, "--allow-write")
	t.Run("no token and a wrong token are 401", func(t *testing.T) {
		for _, tok := range []string{"", "wrong-token-0123456789abcdef01234567"} {
			if cs, err := httpSession(t, s.url, tok); err == nil {
				cs.Close()
				t.Fatalf("connected with token %q", tok)
			}
			req, _ := http.NewRequest(http.MethodPost, s.url+"/mcp", strings.NewReader(`{}`))
			resp, err := tokenRT{tok}.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("token %q: status %d", tok, resp.StatusCode)
			}
		}
	})
	names := func(cs *mcp.ClientSession) []string {
		res, err := cs.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, tl := range res.Tools {
			ns = append(ns, tl.Name)
		}
		return ns
	}
	t.Run("go sdk: a read token cannot see or call write tools", func(t *testing.T) {
		cs, err := httpSession(t, s.url, httpReadTok)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		ns := names(cs)
		if slices.Contains(ns, "kafka_admin") || !slices.Contains(ns, "sizing") {
			t.Fatalf("read token lists %v", ns)
		}
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "kafka_admin", Arguments: map[string]any{"action": "create_topic", "bootstrap_servers": "127.0.0.1:1", "topic": "x"}})
		if err == nil && !res.IsError {
			t.Fatal("a read token called kafka_admin")
		}
	})
	t.Run("go sdk: a write token applies a confirmed change", func(t *testing.T) {
		c, err := kafkatest.Start(1)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cs, err := httpSession(t, s.url, httpWriteTok)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		if ns := names(cs); !slices.Contains(ns, "kafka_admin") {
			t.Fatalf("write token lists %v", ns)
		}
		args := map[string]any{"action": "create_topic", "bootstrap_servers": strings.Join(c.ListenAddrs(), ","), "topic": "made-over-http", "partitions": 3, "replication_factor": 1}
		plan, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "kafka_admin", Arguments: args})
		if err != nil || plan.IsError {
			t.Fatalf("plan: %v %v", err, plan)
		}
		tok, _ := plan.StructuredContent.(map[string]any)["confirmation_token"].(string)
		if tok == "" {
			t.Fatalf("no confirmation_token in the plan: %v", plan.StructuredContent)
		}
		args["confirmation_token"] = tok
		applied, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "kafka_admin", Arguments: args})
		if err != nil || applied.IsError || applied.StructuredContent.(map[string]any)["applied"] != true {
			t.Fatalf("apply: %v %v", err, applied)
		}
		raw, err := os.ReadFile(s.audit)
		if err != nil {
			t.Fatal(err)
		}
		fp := httpserve.Fingerprint(httpWriteTok)
		if !strings.Contains(string(raw), `"caller":"`+fp+`"`) || strings.Contains(string(raw), httpWriteTok) {
			t.Fatalf("the audit log must name the caller by fingerprint %s, never the token:\n%s", fp, raw)
		}
	})
	t.Run("typescript sdk over streamable http", func(t *testing.T) {
		node, err := exec.LookPath("node")
		sdkDir := repopath.Testdata("npm", "node_modules", "@modelcontextprotocol", "sdk")
		if _, serr := os.Stat(sdkDir); err != nil || serr != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("node or the TypeScript MCP SDK is missing (make npm-deps): %v %v", err, serr)
			}
			t.Skip("node or the TypeScript MCP SDK is missing; make npm-deps")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, repopath.Testdata("npm", "mcp_http_smoke.mjs"), s.url+"/mcp", httpReadTok)
		cmd.Dir = repopath.Testdata("npm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ts sdk: %v\n%s", err, out)
		}
		var got struct {
			Tools      []string `json:"tools"`
			SizingErr  bool     `json:"sizing_error"`
			SizingKeys []string `json:"sizing_keys"`
			BadErr     bool     `json:"bad_error"`
			BadText    string   `json:"bad_text"`
		}
		line := lastJSONLine(string(out))
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("ts sdk output: %v\n%s", err, out)
		}
		if slices.Contains(got.Tools, "kafka_admin") || !slices.Contains(got.Tools, "sizing") || got.SizingErr ||
			!slices.Contains(got.SizingKeys, "recommendation") || !got.BadErr || !strings.Contains(got.BadText, "ingress_mb_per_second") {
			t.Fatalf("ts sdk saw %+v", got)
		}
	})
	t.Run("mcp inspector cli over http", func(t *testing.T) {
		inspector := repopath.Testdata("npm", "node_modules", ".bin", "mcp-inspector")
		if _, err := os.Stat(inspector); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("MCP Inspector missing (%v); make npm-deps", err)
			}
			t.Skip("MCP Inspector not installed; make npm-deps")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, inspector, "--cli", s.url+"/mcp", "--transport", "http",
			"--header", "Authorization: Bearer "+httpWriteTok, "--method", "tools/list")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("inspector: %v\n%s\n%s", err, out, stderr.String())
		}
		var res map[string][]map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("inspector output: %v\n%s", err, out)
		}
		var ns []string
		for _, tl := range res["tools"] {
			ns = append(ns, fmt.Sprint(tl["name"]))
		}
		if !slices.Contains(ns, "kafka_admin") || !slices.Contains(ns, "esm_inspect") {
			t.Fatalf("inspector with a write token lists %v", ns)
		}
	})
}

func lastJSONLine(s string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "{") {
			last = l
		}
	}
	return last
}

// TestServeHTTPRefusals: the CLI refuses unsafe or inconsistent serve flags
// with exit 2 and a sentence.
func TestServeHTTPRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--http", "0.0.0.0:0"}, "without authentication"},
		{[]string{"serve", "--auth-tokens-file", "/tmp/x"}, "need --http"},
		{[]string{"serve", "--http", "127.0.0.1:0", "--auth-issuer", "https://issuer.example"}, "go together"},
		{[]string{"serve", "--http", "127.0.0.1:0", "stray"}, "no arguments"},
	}
	for _, tc := range cases {
		cmd := exec.Command(binPath, tc.args...)
		cmd.Env = e2eEnv(t)
		out, err := cmd.CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: exit %v, output %q; want exit 2 naming %q", tc.args, err, out, tc.want)
		}
	}
}
