package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// startSimulateProcess runs `stream-mcp simulate` as a user would and
// returns the endpoint it printed; the process is interrupted at cleanup
// and must exit cleanly, having seen no mutating call.
func startSimulateProcess(t *testing.T, scenario string) string {
	t.Helper()
	cmd := exec.Command(binPath, "simulate", "--scenario", scenario, "--listen", "127.0.0.1:0")
	cmd.Env = e2eEnv(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlRE := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	var url string
	select {
	case url = <-found:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("simulate printed no endpoint; stderr: %s", stderr.String())
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("simulate exited with %v; stderr: %s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("simulate did not stop on SIGINT")
		}
		if !strings.Contains(stderr.String(), "mutating_calls=0") {
			t.Errorf("simulator saw mutating calls or did not report: %s", stderr.String())
		}
	})
	return url
}

// TestE2EEsmInspectAgainstSimulate drives the two processes a user runs:
// `stream-mcp simulate` in one shell, `stream-mcp --endpoint-url ... call
// esm_inspect` (and an MCP session) in another, with static test creds.
func TestE2EEsmInspectAgainstSimulate(t *testing.T) {
	t.Parallel()
	url := startSimulateProcess(t, "msk-iam-missing-group-actions")

	// `call`: list, then describe.
	run := func(args string) map[string]any {
		t.Helper()
		cmd := exec.Command(binPath, "--endpoint-url", url, "call", "esm_inspect", "--args", args)
		cmd.Env = e2eEnv(t)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("call %s: %v; stderr %s", args, err, stderr.String())
		}
		if strings.Contains(string(out), "sim-secret-value") {
			t.Fatal("environment value in output")
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("stdout is not JSON: %s", out)
		}
		return m
	}
	list := run(`{}`)
	rows, _ := list["mappings"].([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["health"] != "problem" || rows[0].(map[string]any)["category"] != "authorization" {
		t.Fatalf("list = %v", list)
	}
	det := run(`{"esm_uuid":"7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}`)
	m := det["mapping"].(map[string]any)
	lpr := m["last_processing_result"].(map[string]any)
	if lpr["category"] != "authorization" || lpr["next_tool"] != "kafka_troubleshoot" || det["aws_calls"].(float64) < 4 {
		t.Fatalf("describe = %v", det)
	}

	// An unknown UUID is a tool error (exit 1), not a crash.
	cmd := exec.Command(binPath, "--endpoint-url", url, "call", "esm_inspect", "--args", `{"esm_uuid":"00000000-0000-0000-0000-000000000000"}`)
	cmd.Env = e2eEnv(t)
	if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("unknown uuid: %v", err)
	}

	// The same through an MCP session over stdio, checked against the
	// published output schema.
	cs := session(t, nil, "--endpoint-url", url)
	tool := sessionTools(t, cs)["esm_inspect"]
	if tool == nil {
		t.Fatal("esm_inspect not listed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "esm_inspect", Arguments: map[string]any{"esm_uuid": "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}})
	if err != nil || res.IsError {
		t.Fatalf("call: %v %s", err, contentText(res))
	}
	checkAgainstSchema(t, "esm_inspect", tool, res.StructuredContent)
}

// TestE2ESimulateUsage pins the simulate command's usage errors.
func TestE2ESimulateUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"simulate"},
		{"simulate", "--scenario", "no-such-scenario"},
		{"simulate", "--scenario", "msk-iam-healthy", "--listen", "0.0.0.0:0"},
	} {
		cmd := exec.Command(binPath, args...)
		cmd.Env = e2eEnv(t)
		cmd.Stdout, cmd.Stderr = os.Stderr, nil
		if err := cmd.Run(); err == nil || cmd.ProcessState.ExitCode() != exitUsage {
			t.Errorf("%v: exit %v, want %d", args, err, exitUsage)
		}
	}
}
