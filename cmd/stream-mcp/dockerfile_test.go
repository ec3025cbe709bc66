package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// TestDockerfileBuildsAStaticBinary: docker is not available to the test
// suite, so this builds the binary with the very command of the
// Dockerfile's build stage (CGO_ENABLED=0, -trimpath, the ldflags) and
// checks that it is static (no ELF interpreter, as distroless/static needs)
// and runs, printing the stamped version.
func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repopath.Root(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0) go build (.*) -o /out/stream-mcp (\./cmd/stream-mcp)$`).FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatal("the Dockerfile has no `RUN CGO_ENABLED=0 go build ... -o /out/stream-mcp ./cmd/stream-mcp` line")
	}
	for _, want := range []string{"FROM gcr.io/distroless/static", "USER nonroot", `ENTRYPOINT ["/stream-mcp"]`, `"serve", "--http"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
	flags := strings.ReplaceAll(m[2], "${VERSION}", "docker-test")
	args := []string{"build"}
	// -trimpath -ldflags "-s -w -X main.version=..." as the shell would split it.
	for _, f := range regexp.MustCompile(`"[^"]*"|\S+`).FindAllString(flags, -1) {
		args = append(args, strings.Trim(f, `"`))
	}
	out := filepath.Join(t.TempDir(), "stream-mcp")
	args = append(args, "-o", out, m[3])
	cmd := exec.Command("go", args...)
	cmd.Dir = repopath.Root()
	cmd.Env = append(os.Environ(), m[1])
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary needs a dynamic loader; distroless/static has none")
		}
	}
	v, err := exec.Command(out, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(v), "docker-test") {
		t.Fatalf("version: %v\n%s", err, v)
	}
}
