package main

// The end-to-end suite: it builds the real binary once and drives it over
// stdio with the official MCP Go SDK client, exactly as an assistant does.
// Every tool adds its cases to e2eCases (e2e_cases_test.go).

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// minReadTools is how many read tools the product has at least; a listing
// below it means registration broke, and the loops below would pass vacuously.
const minReadTools = 8

// coveredElsewhere names read tools whose end-to-end tests need a live
// endpoint and so live in their own test (e2e_esm_inspect_test.go).
func coveredElsewhere(tool string) bool { return tool == "esm_inspect" }

// binPath is the binary built by TestMain.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stream-mcp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "stream-mcp")
	// The release flags (Makefile build, Dockerfile): a static binary
	// without paths, so the Dockerfile test reuses this build's cache.
	build := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the binary:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// e2eEnv is the environment every spawned binary gets: no real AWS
// credentials or config, a private state directory.
func e2eEnv(t testing.TB, extra ...string) []string {
	t.Helper()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"STREAM_MCP_STATE_DIR=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	return append(env, extra...)
}

// session spawns the binary with flags and connects the SDK client.
func session(t testing.TB, opts *mcp.ClientOptions, flags ...string) *mcp.ClientSession {
	t.Helper()
	cmd := exec.Command(binPath, append(flags, "serve")...)
	cmd.Env = e2eEnv(t)
	cmd.Stderr = &testLogWriter{t: t}
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "0"}, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// testLogWriter forwards the server's stderr (slog) to the test log.
type testLogWriter struct{ t testing.TB }

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.t.Logf("server: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func sessionTools(t testing.TB, cs *mcp.ClientSession) map[string]*mcp.Tool {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		out[tool.Name] = tool
	}
	return out
}

func TestE2EListToolsReadOnly(t *testing.T) {
	t.Parallel()
	cs := session(t, nil)
	listed := sessionTools(t, cs)
	if len(listed) < minReadTools {
		t.Fatalf("read-only mode lists %d tools, want at least %d", len(listed), minReadTools)
	}
	for name, tool := range listed {
		if tool.Title == "" && (tool.Annotations == nil || tool.Annotations.Title == "") {
			t.Errorf("%s: no title", name)
		}
		if tool.Annotations == nil {
			t.Fatalf("%s: no annotations", name)
		}
		if !tool.Annotations.ReadOnlyHint {
			t.Errorf("%s: readOnlyHint false in the default mode", name)
		}
		if tool.OutputSchema == nil {
			t.Errorf("%s: no output schema", name)
		}
	}
}

func TestE2EResources(t *testing.T) {
	t.Parallel()
	cs := session(t, nil)
	res, err := cs.ListResources(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range res.Resources {
		uris = append(uris, r.URI)
	}
	if len(uris) < 2 {
		t.Fatalf("resources = %v, want the limits table and the guidance documents", uris)
	}
	rr, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: "guidance://limits"})
	if err != nil {
		t.Fatal(err)
	}
	var index struct {
		Parts []struct {
			URI    string `json:"uri"`
			Limits int    `json:"limits"`
		} `json:"parts"`
	}
	if err := json.Unmarshal([]byte(rr.Contents[0].Text), &index); err != nil || len(index.Parts) < 5 {
		t.Fatalf("limits index: %v (%d parts)", err, len(index.Parts))
	}
	// Every part is a resource of at most 16 KB, and together they hold
	// every limit once, each with its provenance.
	ids := map[string]bool{}
	for _, p := range index.Parts {
		rr, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: p.URI})
		if err != nil {
			t.Fatalf("%s: %v", p.URI, err)
		}
		text := rr.Contents[0].Text
		if len(text) > 16<<10 {
			t.Errorf("%s is %d bytes, over 16 KB", p.URI, len(text))
		}
		var limits []map[string]any
		if err := json.Unmarshal([]byte(text), &limits); err != nil || len(limits) != p.Limits {
			t.Fatalf("%s: %v (%d entries, index says %d)", p.URI, err, len(limits), p.Limits)
		}
		for _, l := range limits {
			id, _ := l["id"].(string)
			if ids[id] {
				t.Errorf("limit %s in two parts", id)
			}
			ids[id] = true
			if l["source"] == "" || l["verified"] == "" {
				t.Errorf("limit %v has no provenance", id)
			}
		}
	}
	base, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(base.All()) {
		t.Errorf("the parts hold %d limits, the table has %d", len(ids), len(base.All()))
	}
}

// TestE2ECalls runs every case of e2eCases through the binary and checks
// structured content against the tool's own output schema.
func TestE2ECalls(t *testing.T) {
	t.Parallel()
	sessions := map[string]*mcp.ClientSession{}
	tools := map[string]map[string]*mcp.Tool{}
	get := func(flags []string) (*mcp.ClientSession, map[string]*mcp.Tool) {
		key := strings.Join(flags, " ")
		if cs, ok := sessions[key]; ok {
			return cs, tools[key]
		}
		cs := session(t, nil, flags...)
		sessions[key], tools[key] = cs, sessionTools(t, cs)
		return cs, tools[key]
	}
	cases := e2eCases(t)
	// Every tool a client sees in read-only mode has a successful case here,
	// or a dedicated end-to-end test named in coveredElsewhere.
	succeeds := map[string]bool{}
	for _, tc := range cases {
		if !tc.wantError {
			succeeds[tc.tool] = true
		}
	}
	_, readTools := get(nil)
	for name := range readTools {
		if !succeeds[name] && !coveredElsewhere(name) {
			t.Errorf("no successful end-to-end case calls %s; add one to e2eCases", name)
		}
	}
	for _, tc := range cases {
		cs, known := get(tc.flags)
		tool, ok := known[tc.tool]
		if !ok {
			t.Errorf("%s: tool %s not listed with flags %v", tc.name, tc.tool, tc.flags)
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		args := tc.args
		if _, given := args["artifacts"]; !given && (tc.tool == "stream_guidance" || tc.tool == "esm_guidance") && !tc.wantError {
			// These cases check the artifacts' contents; the default answer
			// keeps only what fits 8 KB (the answer corpus tests that), so
			// ask for every artifact in full.
			args = maps.Clone(args)
			args["artifacts"] = []any{"all"}
		}
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tc.tool, Arguments: args})
		cancel()
		if err != nil {
			t.Errorf("%s: protocol error %v; failures must be tool results", tc.name, err)
			continue
		}
		if res.IsError != tc.wantError {
			t.Errorf("%s: isError=%v, want %v: %s", tc.name, res.IsError, tc.wantError, contentText(res))
			continue
		}
		if res.IsError {
			if txt := contentText(res); tc.errorContains != "" && !strings.Contains(txt, tc.errorContains) {
				t.Errorf("%s: error %q does not mention %q", tc.name, txt, tc.errorContains)
			}
			continue
		}
		checkAgainstSchema(t, tc.name, tool, res.StructuredContent)
		if tc.check != nil {
			raw, _ := json.Marshal(res.StructuredContent)
			tc.check(t, raw)
		}
	}
}

func checkAgainstSchema(t *testing.T, name string, tool *mcp.Tool, structured any) {
	t.Helper()
	if structured == nil {
		t.Errorf("%s: no structuredContent", name)
		return
	}
	raw, err := json.Marshal(tool.OutputSchema)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: output schema: %v", name, err)
	}
	rs, err := s.Resolve(nil)
	if err != nil {
		t.Fatalf("%s: resolve output schema: %v", name, err)
	}
	// Validate the JSON form, as a client receives it.
	b, _ := json.Marshal(structured)
	var inst any
	_ = json.Unmarshal(b, &inst)
	if err := rs.Validate(inst); err != nil {
		t.Errorf("%s: structuredContent does not match the output schema: %v", name, err)
	}
}

func contentText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func TestE2EBadArgumentsAreToolErrors(t *testing.T) {
	t.Parallel()
	cs := session(t, nil)
	listed := sessionTools(t, cs)
	if len(listed) < minReadTools {
		t.Fatalf("read-only mode lists %d tools, want at least %d", len(listed), minReadTools)
	}
	for name := range listed {
		res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: map[string]any{"no_such_field": true}})
		if err != nil {
			t.Errorf("%s: bad arguments gave a protocol error %v", name, err)
			continue
		}
		if !res.IsError {
			t.Errorf("%s: bad arguments accepted", name)
		}
	}
	// The session is still alive.
	if _, err := cs.ListTools(context.Background(), nil); err != nil {
		t.Fatalf("session lost: %v", err)
	}
}

// TestE2ECallCommand checks `stream-mcp call` exit codes: 0 ok, 1 tool error,
// 2 usage.
func TestE2ECallCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"no tool", []string{"call"}, 2},
		{"unknown tool", []string{"call", "no_such_tool"}, 2},
		{"args not JSON", []string{"call", "no_such_tool", "--args", "{"}, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"bad flag", []string{"--log-level", "loud", "tools"}, 2},
		{"version", []string{"version"}, 0},
		{"tools", []string{"tools", "--json"}, 0},
	}
	for _, c := range e2eCases(t) {
		if len(c.flags) > 0 || c.skipCLI {
			continue
		}
		raw, _ := json.Marshal(c.args)
		code := 0
		if c.wantError {
			code = 1
		}
		cases = append(cases, struct {
			name string
			args []string
			code int
		}{"call " + c.name, []string{"call", c.tool, "--args", string(raw)}, code})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binPath, tc.args...)
			cmd.Env = e2eEnv(t)
			out, err := cmd.Output()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %s", code, tc.code, out)
			}
			if code == 0 && tc.args[0] == "call" && !json.Valid(out) {
				t.Fatalf("stdout is not JSON: %s", out)
			}
		})
	}
}
