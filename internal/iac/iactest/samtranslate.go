package iactest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// requireTool finds a command for a template check. Outside CI a missing
// tool skips the check; under CI=true it fails the test, so a green CI run
// always means AWS's own validators ran (make python-deps installs them).
func requireTool(t testing.TB, name, check string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err == nil {
		return bin
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed, so %s cannot run; make python-deps installs testdata/python/requirements.txt", name, check)
	}
	t.Skipf("%s not installed (make python-deps); %s skipped outside CI", name, check)
	return ""
}

// SAMTranslate transforms every SAM template (keyed by file name) with AWS's
// aws-sam-translator, the library behind `sam validate` and CloudFormation's
// AWS::Serverless transform, and fails the test with each template it
// rejects. Templates without the Serverless transform are ignored.
func SAMTranslate(t testing.TB, templates map[string]string) {
	t.Helper()
	samTranslate(t, templates, "")
}

// samTranslate is SAMTranslate, writing the transformed templates to out
// when it is not empty.
func samTranslate(t testing.TB, templates map[string]string, out string) {
	t.Helper()
	py := requireTool(t, "python3", "the SAM translator check")
	if err := exec.Command(py, "-c", "import samtranslator").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws-sam-translator is not installed; make python-deps installs it")
		}
		t.Skip("aws-sam-translator not installed (make python-deps)")
	}
	dir := t.TempDir()
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	sort.Strings(names)
	args := []string{repopath.Testdata("python", "sam_translate.py")}
	if out != "" {
		args = append(args, "--out", out)
	}
	for _, name := range names {
		body := templates[name]
		if !strings.Contains(body, "AWS::Serverless-2016-10-31") {
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	if len(args) == 1 || (out != "" && len(args) == 3) {
		t.Fatal("SAMTranslate: no SAM template among the templates given")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := exec.CommandContext(ctx, py, args...).Output()
	for _, line := range strings.Split(string(res), "\n") {
		if strings.HasPrefix(line, "error ") {
			t.Errorf("SAM translator: %s", strings.TrimPrefix(line, "error "))
		}
	}
	if err != nil && !t.Failed() {
		t.Errorf("SAM translator: %v\n%s", err, res)
	}
}
