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
)

// CfnLint checks templates (keyed by file name) with AWS's own validators,
// as CloudFormation would deploy them: SAM templates are transformed by
// aws-sam-translator (the library behind CloudFormation's
// AWS::Serverless-2016-10-31 transform; a rejected template fails the test)
// and cfn-lint then checks every CloudFormation template, the transformed
// ones included, in one process. cfn-lint's own schema of SAM event
// properties lags the SAM specification (1.58 refuses DestinationConfig on
// SelfManagedKafka events and ProvisionedPollerConfig on SQS events, both
// documented SAM properties the translator accepts), which is why SAM
// templates are linted after the transform, not before. Without the tools
// the check skips, except under CI=true, where it fails.
func CfnLint(t testing.TB, templates map[string]string) {
	t.Helper()
	bin := requireTool(t, "cfn-lint", "the cfn-lint check")
	dir := t.TempDir()
	sam := map[string]string{}
	var files []string
	for name, body := range templates {
		if strings.Contains(body, "AWS::Serverless-2016-10-31") {
			sam[name] = body
			continue
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	if len(sam) > 0 {
		out := filepath.Join(dir, "transformed")
		if err := os.Mkdir(out, 0o700); err != nil {
			t.Fatal(err)
		}
		samTranslate(t, sam, out)
		transformed, err := filepath.Glob(filepath.Join(out, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, transformed...)
	}
	if len(files) == 0 {
		return
	}
	sort.Strings(files)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"--regions", "us-east-1", "--"}, files...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint on %d templates (%d transformed from SAM): %v\n%s", len(files), len(sam), err, out)
	}
}
