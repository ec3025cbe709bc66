package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// TestDemoWrites runs `stream-mcp --allow-write --allow-destructive demo`:
// the confirmation protocol end to end on the in-process cluster.
func TestDemoWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, _, err := config.Parse([]string{"--allow-write", "--allow-destructive", "--state-dir", filepath.Join(dir, "state"), "--audit-log", filepath.Join(dir, "audit.jsonl")},
		func(k string) string {
			if k == "HOME" {
				return dir
			}
			return os.Getenv(k)
		}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := demo(context.Background(), cfg, slog.New(slog.DiscardHandler), &out); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"Plan (nothing changed yet)", "- field: retention.ms\n        current: \"604800000\"\n        desired: \"86400000\"",
		"Applied: alter 1 config(s) of topic orders", `"source":"DYNAMIC_TOPIC_CONFIG","value":"86400000"`,
		"refused, as it must be: the confirmation_token was already used",
		"refused, as it must be: group \"orders-processor\" has 1 active member",
		"1200 replayed",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	audit, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"planned", "confirmed", "applied", "refused"} {
		if !bytes.Contains(audit, []byte(`"outcome":"`+o+`"`)) {
			t.Errorf("audit log lacks %s", o)
		}
	}
}
