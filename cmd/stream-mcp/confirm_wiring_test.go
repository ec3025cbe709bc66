package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// Read-only mode must leave no trace on disk; write mode creates the
// confirmation state directory private to the user.
func TestStateDirOnlyInWriteMode(t *testing.T) {
	t.Parallel()
	for _, write := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "state")
		cfg := config.Config{AllowWrite: write, StateDir: dir, AuditLog: filepath.Join(t.TempDir(), "audit"), LogLevel: "error", CallTimeout: 1e10}
		if code := run(context.Background(), cfg, []string{"tools"}, nil, io.Discard, io.Discard); code != exitOK {
			t.Fatalf("write=%v: exit %d", write, code)
		}
		st, err := os.Stat(dir)
		switch {
		case !write && err == nil:
			t.Fatalf("read-only mode created %s", dir)
		case write && err != nil:
			t.Fatalf("write mode did not create the state dir: %v", err)
		case write && st.Mode().Perm() != 0o700:
			t.Fatalf("state dir mode %v, want 0700", st.Mode().Perm())
		}
	}
}
