package server

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// FuzzGuardStdio feeds arbitrary lines to the stdio guard (#21.12): it must
// never panic, every answer it writes must be one valid JSON-RPC error
// line, and a valid request must pass through unchanged. Seeds live in
// testdata/fuzz/FuzzGuardStdio.
func FuzzGuardStdio(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":2.0,"id":5,"method":"ping"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.ReplaceAll(line, []byte("\n"), nil)
		var out bytes.Buffer
		r, _ := GuardStdio(bytes.NewReader(append(line, '\n')), &out)
		passed, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if l == "" {
				continue
			}
			var m struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   *struct{ Code int }
			}
			if err := json.Unmarshal([]byte(l), &m); err != nil || m.JSONRPC != "2.0" || m.Error == nil || len(m.ID) == 0 {
				t.Fatalf("answer %q to %q is not a JSON-RPC error", l, line)
			}
		}
		if len(passed) > 0 && out.Len() > 0 {
			t.Fatalf("%q was both passed and answered", line)
		}
	})
}

// FuzzCheckArgs feeds arbitrary JSON to the central argument bounds: they
// must never panic and must accept or refuse, never hang.
func FuzzCheckArgs(f *testing.F) {
	f.Add([]byte(`{"security_group_ids":["sg-1","sg-1"],"ingress_mb_per_second":1e308,"config":{"a":{"b":[1,2,3]}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		_ = checkArgs(v)
	})
}
