package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// TestCLI runs the built binary as a user does: help and version exit 0
// and say what they should; anything the command line does not know exits
// 2 with a hint instead of being ignored.
func TestCLI(t *testing.T) {
	t.Parallel()
	helpWants := []string{"serve", "tools", "call", "demo", "simulate", "version", "--help, --version"}
	for _, f := range config.Flags() {
		helpWants = append(helpWants, "--"+f.Name, f.Env)
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		stdoutHas  []string
		stderrHas  []string
		stdoutNone []string
	}{
		{"--help", []string{"--help"}, 0, helpWants, nil, []string{"-endpoint-url stream-mcp simulate"}},
		{"-h", []string{"-h"}, 0, []string{"commands:"}, nil, nil},
		{"help command", []string{"help"}, 0, helpWants, nil, nil},
		{"--version", []string{"--version"}, 0, []string{"stream-mcp ", "module github.com/stream-mcp/stream-mcp", "go1."}, nil, nil},
		{"version command", []string{"version"}, 0, []string{"module github.com/stream-mcp/stream-mcp"}, nil, nil},
		{"serve --http beyond loopback needs authentication", []string{"serve", "--http", ":8080"}, 2, nil, []string{"without authentication", "--auth-tokens-file"}, nil},
		{"serve --help", []string{"serve", "--help"}, 0, []string{"--auth-tokens-file", "--auth-issuer", "/healthz"}, nil, nil},
		{"global flag after the command", []string{"serve", "--allow-write"}, 2, nil, []string{"global flags go before the command", "stream-mcp --allow-write serve"}, nil},
		{"unknown command", []string{"frobnicate"}, 2, nil, []string{`unknown command "frobnicate"`, "stream-mcp --help"}, nil},
		{"unknown flag", []string{"--frobnicate", "serve"}, 2, nil, []string{"-frobnicate", "stream-mcp --help"}, nil},
		{"version with an argument", []string{"version", "extra"}, 2, nil, []string{"version takes no arguments"}, nil},
		{"demo with an argument", []string{"demo", "now"}, 2, nil, []string{"demo takes no arguments"}, nil},
		{"--version with an argument", []string{"--version", "x"}, 2, nil, []string{"takes no arguments"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runBinary(t, binPath, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.stdoutHas {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.stderrHas {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, w := range tc.stdoutNone {
				if strings.Contains(stdout, w) {
					t.Errorf("stdout has %q", w)
				}
			}
		})
	}
}

// TestVersionStamped builds the binary the way `make build` does and
// checks both the stamped version and the build info.
func TestVersionStamped(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "stream-mcp")
	build := exec.Command("go", "build", "-buildvcs=auto", "-ldflags", "-X main.version=v9.9.9-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	code, stdout, _ := runBinary(t, bin, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "stream-mcp v9.9.9-test\n") || !strings.Contains(stdout, "revision ") {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
}

func runBinary(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = e2eEnv(t)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestNoCredentialsFailCleanly: without AWS credentials the live tools
// answer one tool error that says what to set (kinesis_inspect used to
// "succeed" with the same error once per read).
func TestNoCredentialsFailCleanly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ tool, args string }{
		{"kinesis_inspect", `{"stream_name":"clickstream"}`},
		{"esm_inspect", `{}`},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binPath, "call", tc.tool, "--args", tc.args)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
				"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "STREAM_MCP_STATE_DIR=" + t.TempDir()}
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 1 {
				t.Fatalf("err %v, want exit 1; stdout %s", err, out.String())
			}
			if n := strings.Count(errb.String(), "AWS is not configured"); n != 1 || !strings.Contains(errb.String(), "--region") {
				t.Errorf("stderr says %d times that AWS is not configured (want once, with what to set): %s", n, errb.String())
			}
		})
	}
}
