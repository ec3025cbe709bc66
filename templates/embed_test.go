package templates

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every family has a handler; each one compiles (when python3 is present)
// and returns the identifier Lambda expects for partial batch failures.
func TestHandlers(t *testing.T) {
	t.Parallel()
	want := map[Family]string{
		FamilyKinesis:  `record["kinesis"]["sequenceNumber"]`,
		FamilyDynamoDB: `record["dynamodb"]["SequenceNumber"]`,
		FamilySQS:      `record["messageId"]`,
		FamilyKafka:    `event["records"]`,
	}
	py, _ := exec.LookPath("python3")
	for f, marker := range want {
		code, handler, err := Handler(f)
		if err != nil {
			t.Fatal(err)
		}
		if handler != "index.handler" || !strings.Contains(code, "def handler(event, context):") || !strings.Contains(code, marker) {
			t.Errorf("%s: handler %q lacks %s", f, handler, marker)
		}
		if py == "" {
			continue
		}
		path := filepath.Join(t.TempDir(), "index.py")
		if err := os.WriteFile(path, []byte(code), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(py, "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", path).CombinedOutput(); err != nil {
			t.Errorf("%s: python does not parse it: %v %s", f, err, out)
		}
	}
	if _, _, err := Handler("mq"); err == nil {
		t.Error("unknown family accepted")
	}
}
