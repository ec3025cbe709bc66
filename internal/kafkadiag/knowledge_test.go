package kafkadiag

import (
	"strings"
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
	ids, err := limitcheck.IDLiterals(".", "kafka.", "guidance_esm.")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no ids found; the scan is broken")
	}
	for _, id := range ids {
		if strings.HasSuffix(id, ".") {
			continue // a prefix completed in code (guidance_esm.msk.port.<auth>)
		}
		if _, ok := b.Lookup(id); !ok {
			t.Errorf("code names guidance id %q that no table holds", id)
		}
	}
	// The prefix completions PortForAuth builds.
	for _, a := range []string{"iam", "sasl_scram_512", "tls", "none"} {
		if PortForAuth(b, a, false) == 0 {
			t.Errorf("no port for %s", a)
		}
	}
}
