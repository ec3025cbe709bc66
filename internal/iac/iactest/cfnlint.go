package iactest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// CfnLint runs cfn-lint (when installed; it is not an npm package, so the
// check skips without it) over the given templates at once, keyed by file
// name, and fails the test with its findings. cfn-lint applies the SAM
// transform itself, so SAM templates are checked as deployed.
func CfnLint(t testing.TB, templates map[string]string) {
	t.Helper()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint not installed")
	}
	dir := t.TempDir()
	args := []string{"--regions", "us-east-1", "--"}
	for name, body := range templates {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint on %d templates: %v\n%s", len(templates), err, out)
	}
}
