package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// TestInspectorSmoke lists the tools with the MCP Inspector CLI, an
// independent client implementation (installed by `make npm-deps`).
func TestInspectorSmoke(t *testing.T) {
	t.Parallel()
	inspector := repopath.Testdata("npm", "node_modules", ".bin", "mcp-inspector")
	if _, err := os.Stat(inspector); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MCP Inspector missing (%v); `make npm-deps` installs it", err)
		}
		t.Skipf("MCP Inspector not installed (%v); run `make npm-deps`", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, method := range []string{"tools/list", "resources/list"} {
		cmd := exec.CommandContext(ctx, inspector, "--cli", binPath, "serve", "--method", method)
		cmd.Env = e2eEnv(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", method, err, out)
		}
		var res map[string][]map[string]any
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("%s: output is not JSON: %v\n%s", method, err, out)
		}
		switch method {
		case "tools/list":
			if len(res["tools"]) < minReadTools {
				t.Errorf("the Inspector sees %d tools, want at least %d", len(res["tools"]), minReadTools)
			}
			for _, tool := range res["tools"] {
				if tool["name"] == "" || tool["annotations"] == nil {
					t.Errorf("tool without name or annotations: %v", tool)
				}
			}
		case "resources/list":
			if len(res["resources"]) == 0 {
				t.Error("no resources listed")
			}
		}
	}
}
