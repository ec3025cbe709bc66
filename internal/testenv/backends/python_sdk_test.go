package backends

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// TestPythonSDKSmoke drives the built binary over stdio with the official
// Python MCP SDK (the third client beside the Go SDK and the Inspector):
// initialize, tools/list, a pure tool call with structured content, a bad
// call answered as a tool error, resources and prompts.
func TestPythonSDKSmoke(t *testing.T) {
	enabled(t)
	path := stream.get(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is not installed")
	}
	if err := exec.Command(py, "-c", "import mcp").Run(); err != nil {
		t.Fatal("the Python MCP SDK is not installed; make python-deps installs testdata/python/requirements.txt")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, repopath.Testdata("python", "mcp_smoke.py"), path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python SDK client: %v\n%s", err, stderr.String())
	}
	var got struct {
		Server        string   `json:"server"`
		Protocol      string   `json:"protocol"`
		Tools         []string `json:"tools"`
		OutputSchemas int      `json:"output_schemas"`
		SizingIsError bool     `json:"sizing_is_error"`
		SizingKeys    []string `json:"sizing_structured_keys"`
		SizingText    int      `json:"sizing_text_bytes"`
		BadIsError    bool     `json:"bad_is_error"`
		BadText       string   `json:"bad_text"`
		Resources     int      `json:"resources"`
		FirstResource int      `json:"first_resource_bytes"`
		Prompts       int      `json:"prompts"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("smoke output: %v\n%s", err, out)
	}
	t.Logf("python SDK: protocol %s, %d tools, %d resources, %d prompts", got.Protocol, len(got.Tools), got.Resources, got.Prompts)
	if got.Server != "stream-mcp" || got.Protocol == "" {
		t.Errorf("server %q, protocol %q", got.Server, got.Protocol)
	}
	for _, want := range []string{"esm_guidance", "esm_inspect", "kafka_inspect", "sizing", "validate_config"} {
		if !slices.Contains(got.Tools, want) {
			t.Errorf("tools/list lacks %s: %v", want, got.Tools)
		}
	}
	if slices.Contains(got.Tools, "kafka_admin") {
		t.Error("a write tool is listed without --allow-write")
	}
	if got.OutputSchemas != len(got.Tools) {
		t.Errorf("%d of %d tools have an output schema", got.OutputSchemas, len(got.Tools))
	}
	if got.SizingIsError || !slices.Contains(got.SizingKeys, "recommendation") || !slices.Contains(got.SizingKeys, "calculation") || got.SizingText == 0 {
		t.Errorf("sizing: error %v, keys %v, text %d bytes", got.SizingIsError, got.SizingKeys, got.SizingText)
	}
	if !got.BadIsError || !strings.Contains(got.BadText, "ingress_mb_per_second") {
		t.Errorf("a negative rate must be a tool error naming the field; got error=%v %q", got.BadIsError, got.BadText)
	}
	if got.Resources == 0 || got.FirstResource == 0 || got.Prompts == 0 {
		t.Errorf("resources %d (first %d bytes), prompts %d", got.Resources, got.FirstResource, got.Prompts)
	}
}
