package streamguide_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/repopath"
	"github.com/stream-mcp/stream-mcp/internal/streamguide"
)

func hostingRequest(mut func(o map[string]any)) streamguide.Request {
	o := map[string]any{"vpc_id": "vpc-0123456789abcdef0", "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
		"image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/stream-mcp:v1", "token_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:tok-AbCdEf",
		"client_cidr": "10.0.0.0/16"}
	if mut != nil {
		mut(o)
	}
	return streamguide.Request{Topic: "stream_mcp_hosting", Type: "setup", Format: iac.FormatCloudFormation,
		SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"}, Options: o}
}

func TestHostingRejects(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	cases := []struct {
		name string
		mut  func(o map[string]any)
		req  func(r *streamguide.Request)
		want string
	}{
		{name: "no auth", mut: func(o map[string]any) { delete(o, "token_secret_arn") }, want: "without authentication"},
		{name: "both auths", mut: func(o map[string]any) { o["auth_issuer"], o["auth_audience"] = "https://idp.example.com", "x" }, want: "not both"},
		{name: "issuer not https", mut: func(o map[string]any) {
			delete(o, "token_secret_arn")
			o["auth_issuer"], o["auth_audience"] = "http://idp.example.com", "x"
		}, want: "https URL"},
		{name: "audience with a quote", mut: func(o map[string]any) {
			delete(o, "token_secret_arn")
			o["auth_issuer"], o["auth_audience"] = "https://idp.example.com", `a" b`
		}, want: "auth_audience"},
		{name: "one subnet", req: func(r *streamguide.Request) { r.SubnetIDs = r.SubnetIDs[:1] }, want: "at least 2"},
		{name: "bad vpc", mut: func(o map[string]any) { o["vpc_id"] = "vpc-1; rm" }, want: "vpc_id"},
		{name: "not an ACM ARN", mut: func(o map[string]any) { o["certificate_arn"] = "arn:aws:iam::123456789012:server-certificate/x" }, want: "ACM certificate"},
		{name: "image not ECR", mut: func(o map[string]any) { o["image_uri"] = "docker.io/library/stream-mcp:latest" }, want: "ECR image"},
		{name: "image without tag", mut: func(o map[string]any) { o["image_uri"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/stream-mcp" }, want: "ECR image"},
		{name: "open to the world", mut: func(o map[string]any) { o["client_cidr"] = "0.0.0.0/0" }, want: "internal"},
		{name: "cidr not normalized", mut: func(o map[string]any) { o["client_cidr"] = "10.0.0.1/16" }, want: "IPv4 CIDR"},
		{name: "no clients", mut: func(o map[string]any) { delete(o, "client_cidr") }, want: "who may reach"},
		{name: "not a Fargate size", mut: func(o map[string]any) { o["cpu"], o["memory"] = 512, 512 }, want: "not a Fargate size"},
		{name: "2 vCPU odd memory", mut: func(o map[string]any) { o["cpu"], o["memory"] = 2048, 5000 }, want: "not a Fargate size"},
		{name: "retention", mut: func(o map[string]any) { o["log_retention_days"] = 10 }, want: "log_retention_days 10"},
		{name: "bad cluster ARN", mut: func(o map[string]any) { o["cluster_arns"] = []any{"arn:aws:kafka:us-east-1:123456789012:cluster/x"} }, want: ""},
		{name: "bad secret", mut: func(o map[string]any) { o["token_secret_arn"] = "arn:aws:s3:::bucket" }, want: ""},
		{name: "source given", req: func(r *streamguide.Request) { r.Source = streamguide.SourceKinesis }, want: "no stream source"},
		{name: "region mismatch", req: func(r *streamguide.Request) { r.Region = "eu-west-1" }, want: "own Region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := hostingRequest(c.mut)
			if c.req != nil {
				c.req(&r)
			}
			_, err := reg.Guide(r)
			if !errors.Is(err, iac.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

type cfnTemplate struct {
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Properties map[string]any `yaml:"Properties"`
	} `yaml:"Resources"`
}

func hostingTemplate(t *testing.T, r streamguide.Request) cfnTemplate {
	t.Helper()
	res, err := registry(t).Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Artifacts) != 1 {
		t.Fatalf("want one template, got %d artifacts", len(res.Artifacts))
	}
	var tpl cfnTemplate
	if err := yaml.Unmarshal([]byte(res.Artifacts[0].Content), &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// TestHostingTemplate checks the decisions the template encodes: internal
// NLB, TLS listener with the certificate, HTTP health check on /healthz,
// private tasks, non-root read-only containers, the secret only in the
// execution role and the init container, and the README's read-only
// actions on the task role.
func TestHostingTemplate(t *testing.T) {
	t.Parallel()
	tpl := hostingTemplate(t, hostingRequest(nil))
	get := func(id, prop string) any { return tpl.Resources[id].Properties[prop] }
	for _, c := range []struct {
		id, prop string
		want     any
	}{
		{"LoadBalancer", "Scheme", "internal"},
		{"LoadBalancer", "Type", "network"},
		{"Listener", "Protocol", "TLS"},
		{"Listener", "Port", 443},
		{"TargetGroup", "HealthCheckProtocol", "HTTP"},
		{"TargetGroup", "HealthCheckPath", "/healthz"},
		{"TargetGroup", "Port", 8080},
		{"TaskDefinition", "NetworkMode", "awsvpc"},
		{"TaskDefinition", "Cpu", "512"},
		{"TaskDefinition", "Memory", "1024"},
		{"LogGroup", "RetentionInDays", 30},
		{"Service", "DesiredCount", 2},
	} {
		if got := get(c.id, c.prop); !cmp.Equal(got, c.want) {
			t.Errorf("%s.%s = %v, want %v", c.id, c.prop, got, c.want)
		}
	}
	certs, _ := json.Marshal(get("Listener", "Certificates"))
	if !strings.Contains(string(certs), "certificate/abc") {
		t.Errorf("listener certificates %s", certs)
	}
	net, _ := json.Marshal(get("Service", "NetworkConfiguration"))
	if !strings.Contains(string(net), `"AssignPublicIp":"DISABLED"`) {
		t.Errorf("tasks get public IPs: %s", net)
	}
	defs, _ := get("TaskDefinition", "ContainerDefinitions").([]any)
	if len(defs) != 2 {
		t.Fatalf("want init + server containers, got %d", len(defs))
	}
	server, _ := defs[1].(map[string]any)
	if server["User"] != "65532" || server["ReadonlyRootFilesystem"] != true {
		t.Errorf("server container not non-root/read-only: %v", server)
	}
	if _, ok := server["Secrets"]; ok {
		t.Error("the server container must not receive the token secret as an environment variable")
	}
	cmd, _ := json.Marshal(server["Command"])
	if string(cmd) != `["serve","--http","0.0.0.0:8080","--auth-tokens-file","/run/secrets/stream-mcp-tokens"]` {
		t.Errorf("command %s", cmd)
	}
	taskPol, _ := json.Marshal(get("TaskRole", "Policies"))
	var want struct{ Statement []struct{ Action []string } }
	if err := json.Unmarshal(guidance.ReadOnlyPolicy(), &want); err != nil {
		t.Fatal(err)
	}
	for _, a := range want.Statement[0].Action {
		if !strings.Contains(string(taskPol), `"`+a+`"`) {
			t.Errorf("task role lacks the README's %s", a)
		}
	}
	if strings.Contains(string(taskPol), "secretsmanager:GetSecretValue") || strings.Contains(string(taskPol), "Put") {
		t.Errorf("task role grants more than read-only: %s", taskPol)
	}
	execPol, _ := json.Marshal(get("ExecutionRole", "Policies"))
	if !strings.Contains(string(execPol), "secret:tok-AbCdEf") || !strings.Contains(string(execPol), "repository/stream-mcp") {
		t.Errorf("execution role not scoped to the secret and repository: %s", execPol)
	}
}

func TestHostingOAuthAndScoping(t *testing.T) {
	t.Parallel()
	cluster := "arn:aws:kafka:us-east-1:123456789012:cluster/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2"
	stream := "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
	tpl := hostingTemplate(t, hostingRequest(func(o map[string]any) {
		delete(o, "token_secret_arn")
		o["auth_issuer"], o["auth_audience"] = "https://idp.example.com/realms/eng", "stream-mcp"
		o["cluster_arns"], o["stream_arns"] = []any{cluster}, []any{stream}
	}))
	defs, _ := tpl.Resources["TaskDefinition"].Properties["ContainerDefinitions"].([]any)
	if len(defs) != 1 {
		t.Fatalf("OAuth needs no init container; got %d containers", len(defs))
	}
	cmd, _ := json.Marshal(defs[0].(map[string]any)["Command"])
	if string(cmd) != `["serve","--http","0.0.0.0:8080","--auth-issuer","https://idp.example.com/realms/eng","--auth-audience","stream-mcp"]` {
		t.Errorf("command %s", cmd)
	}
	execPol, _ := json.Marshal(tpl.Resources["ExecutionRole"].Properties["Policies"])
	if strings.Contains(string(execPol), "secretsmanager") {
		t.Errorf("OAuth execution role reads a secret: %s", execPol)
	}
	var pols []struct {
		PolicyDocument struct {
			Statement []struct {
				Action   []string
				Resource []string
			}
		}
	}
	raw, _ := json.Marshal(tpl.Resources["TaskRole"].Properties["Policies"])
	if err := json.Unmarshal(raw, &pols); err != nil || len(pols) != 1 {
		t.Fatalf("task policies %s: %v", raw, err)
	}
	where := map[string][]string{}
	for _, st := range pols[0].PolicyDocument.Statement {
		for _, a := range st.Action {
			where[a] = st.Resource
		}
	}
	for a, wantRes := range map[string][]string{
		"kafka:DescribeClusterV2":      {cluster, "arn:aws:kafka:us-east-1:123456789012:topic/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2/*"},
		"kafka:ListClustersV2":         {"*"},
		"kinesis:ListShards":           {stream},
		"lambda:GetEventSourceMapping": {"*"},
	} {
		if d := cmp.Diff(wantRes, where[a]); d != "" {
			t.Errorf("%s resources (-want +got):\n%s", a, d)
		}
	}
}

// TestHostingMatchesDockerfile holds the template's container port, user
// and token path to the Dockerfile the image is built from.
func TestHostingMatchesDockerfile(t *testing.T) {
	t.Parallel()
	df, err := os.ReadFile(filepath.Join(repopath.Root(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"EXPOSE 8080", "USER nonroot:nonroot", `"--auth-tokens-file", "/run/secrets/stream-mcp-tokens"`, "distroless/static"} {
		if !strings.Contains(string(df), want) {
			t.Errorf("Dockerfile lacks %q; update topic_hosting.go's constants with it", want)
		}
	}
	// distroless's nonroot user is uid 65532
	tpl := hostingTemplate(t, hostingRequest(nil))
	defs, _ := tpl.Resources["TaskDefinition"].Properties["ContainerDefinitions"].([]any)
	if u := defs[len(defs)-1].(map[string]any)["User"]; u != "65532" {
		t.Errorf("user %v", u)
	}
}

// TestHostingAnswerSize bounds the engine's answers before the tool's
// artifact budget (tools/budget.go leaves the template out of the default
// answer and hands it out on request): the template must not keep growing,
// and networking carries no roles.
func TestHostingAnswerSize(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	for _, c := range []struct {
		typ string
		max int
	}{{"setup", 14 << 10}, {"networking", 6 << 10}, {"permissions", 6 << 10}, {"troubleshooting", 4 << 10}} {
		r := hostingRequest(nil)
		r.Type, r.Format = c.typ, ""
		res, err := reg.Guide(r)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(res)
		t.Logf("%s: %d bytes", c.typ, len(raw))
		if len(raw) > c.max {
			t.Errorf("%s answer is %d bytes, over %d", c.typ, len(raw), c.max)
		}
		if c.typ == "networking" && slices.ContainsFunc(res.Artifacts, func(a iac.Artifact) bool { return strings.Contains(a.Content, "AWS::IAM::Role") }) {
			t.Error("networking answer carries roles")
		}
	}
}
