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
	if py != "" {
		runHandlers(t, py)
	}
	if _, _, err := Handler("mq"); err == nil {
		t.Error("unknown family accepted")
	}
}

// runHandlers invokes each handler on a sample event with one bad record and
// checks the partial-batch response names exactly that record.
func runHandlers(t *testing.T, py string) {
	t.Helper()
	cases := []struct {
		f     Family
		event string
		want  string
	}{
		{FamilySQS, `{"Records":[{"messageId":"m1","body":"{}"},{"messageId":"m2","body":"not json"}]}`, `{"batchItemFailures": [{"itemIdentifier": "m2"}]}`},
		{FamilyKinesis, `{"Records":[{"kinesis":{"sequenceNumber":"s1","data":"e30="}},{"kinesis":{"sequenceNumber":"s2","data":"eA=="}}]}`, `{"batchItemFailures": [{"itemIdentifier": "s2"}]}`},
		{FamilyDynamoDB, `{"Records":[{"eventName":"INSERT","dynamodb":{"SequenceNumber":"d1","Keys":{}}}]}`, `{"batchItemFailures": []}`},
		{FamilyKafka, `{"records":{"orders-0":[{"topic":"orders","partition":0,"offset":7,"value":"e30="}]}}`, `null`},
	}
	for _, tc := range cases {
		code, _, _ := Handler(tc.f)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "index.py"), []byte(code), 0o600); err != nil {
			t.Fatal(err)
		}
		script := "import json,sys,index; print(json.dumps(index.handler(json.loads(sys.argv[1]), None)))"
		cmd := exec.Command(py, "-c", script, tc.event)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s: %v %s", tc.f, err, out)
			continue
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%s: handler returned %s, want %s", tc.f, got, tc.want)
		}
	}
}
