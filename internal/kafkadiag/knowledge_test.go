package kafkadiag

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestEveryIDResolves fails when the checks name a guidance id no table
// holds (Base.Num would panic at call time).
func TestEveryIDResolves(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "kafka.", "guidance_esm.")
	// The prefix completions PortForAuth builds.
	for _, a := range []string{"iam", "sasl_scram_512", "tls", "none"} {
		if PortForAuth(b, a, false) == 0 {
			t.Errorf("no port for %s", a)
		}
	}
}
