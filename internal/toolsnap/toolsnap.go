// Package toolsnap pins each tool's public surface (name, title, description,
// annotations, input and output schemas) in testdata/toolsnaps/<name>.json, so
// every change to what clients see shows up in review. UPDATE_TOOLSNAPS=1
// rewrites the snapshots; a missing snapshot fails when CI=true and is
// written otherwise.
package toolsnap

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// Dir is where snapshots live.
func Dir() string { return repopath.Testdata("toolsnaps") }

// Canonical renders v as indented JSON with sorted keys.
func Canonical(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("toolsnap: marshal: %v", err)
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatalf("toolsnap: unmarshal: %v", err)
	}
	out, err := json.MarshalIndent(generic, "", "  ") // maps marshal with sorted keys
	if err != nil {
		t.Fatalf("toolsnap: marshal: %v", err)
	}
	return append(out, '\n')
}

// Check compares v with the snapshot named name.
func Check(t testing.TB, name string, v any) {
	t.Helper()
	got := Canonical(t, v)
	path := filepath.Join(Dir(), name+".json")
	want, err := os.ReadFile(path)
	switch {
	case os.Getenv("UPDATE_TOOLSNAPS") == "1":
		write(t, path, got)
		return
	case os.IsNotExist(err):
		if os.Getenv("CI") == "true" {
			t.Fatalf("toolsnap: %s is missing; run UPDATE_TOOLSNAPS=1 go test ./... and commit it", path)
		}
		write(t, path, got)
		t.Logf("toolsnap: wrote new snapshot %s", path)
		return
	case err != nil:
		t.Fatalf("toolsnap: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("toolsnap: %s differs from what the tool publishes; review the change and run UPDATE_TOOLSNAPS=1 (make snaps).\n got: %s", path, got)
	}
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
