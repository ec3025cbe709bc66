package guidance_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// TestReadmePolicy keeps the README's read-only policy block equal to
// guidance/iam/stream-mcp-readonly.json, the copy the code reads.
func TestReadmePolicy(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repopath.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var data any
	if err := json.Unmarshal(guidance.ReadOnlyPolicy(), &data); err != nil {
		t.Fatalf("guidance/iam/stream-mcp-readonly.json: %v", err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)\n```").FindAllSubmatch(readme, -1)
	found := false
	for _, b := range blocks {
		if !regexp.MustCompile(`"StreamMcpReadOnly"`).Match(b[1]) {
			continue
		}
		found = true
		var got any
		if err := json.Unmarshal(b[1], &got); err != nil {
			t.Fatalf("README's read-only policy block is not JSON: %v", err)
		}
		if d := cmp.Diff(data, got); d != "" {
			t.Errorf("README's read-only policy differs from guidance/iam/stream-mcp-readonly.json (-file +README):\n%s", d)
		}
	}
	if !found {
		t.Fatal("README has no json block with Sid StreamMcpReadOnly")
	}
}
