package streamguide_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/streamguide"
)

func registry(t testing.TB) *streamguide.Registry {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return streamguide.New(b)
}

// lintRequests are the requests whose artifacts every format must render
// validly; a new topic adds its rows (all four guidance types are run for
// each row, in every IaC format).
func lintRequests() map[string]streamguide.Request {
	return map[string]streamguide.Request{
		"logs_kinesis": {Topic: "logs_subscription", SourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/logs",
			Options: map[string]any{"log_group_name": "/aws/lambda/orders", "filter_pattern": "[level=ERROR]", "distribution": "Random"}},
		"logs_firehose": {Topic: "logs_subscription", TargetArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs",
			Options: map[string]any{"log_group_name": "app-logs"}, Name: "app_to_firehose"},
		// mskops
		"msk_custom_domain":           {Topic: "msk_custom_domain", Options: map[string]any{"brokers": 6, "domain": "kafka.example.com", "broker_dns_suffix": "orders.abc123.c2.kafka.us-east-1.amazonaws.com"}},
		"msk_custom_domain_bootstrap": {Topic: "msk_custom_domain", Auth: iac.AuthIAM, Options: map[string]any{"brokers": 3, "clients_reach_brokers": true, "private_ca": true}},
		"msk_serverless_resolver":     {Topic: "msk_serverless_cross_vpc", Region: "us-east-1", ClientAccount: "444455556666", Options: map[string]any{"clusters": 2}},
		"msk_serverless_phz":          {Topic: "msk_serverless_cross_vpc", Options: map[string]any{"clusters": 1, "cross_account": true}},
		"msk_multi_vpc": {Topic: "msk_multi_vpc", SourceArn: "arn:aws:kafka:us-east-1:111122223333:cluster/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2", ClientAccount: "444455556666",
			Options: map[string]any{"kafka_version": "3.6.0", "instance_type": "kafka.m7g.large"}},
		"msk_public":           {Topic: "msk_multi_vpc", Auth: iac.AuthSCRAM512, Options: map[string]any{"public": true, "kafka_version": "3.6.0"}},
		"msk_replicator":       {Topic: "msk_replicator", SourceArn: "arn:aws:kafka:us-east-1:111122223333:cluster/primary/11111111-2222-3333-4444-555555555555-1", TargetArn: "arn:aws:kafka:us-west-2:111122223333:cluster/standby/66666666-7777-8888-9999-000000000000-1"},
		"mirrormaker2":         {Topic: "mirrormaker2", Source: streamguide.SourceSelfManagedKafka, Options: map[string]any{"pattern": "migration"}},
		"kinesis_cross_region": {Topic: "kinesis_cross_region", SourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/orders", Options: map[string]any{"secondary_region": "us-west-2"}},
	}
}

var guidanceTypes = []string{"setup", "networking", "permissions", "troubleshooting"}

// TestArtifactsParse renders every lint request in every format and checks
// each artifact parses as what it claims to be: policies against the IAM
// grammar, Terraform as HCL, SQL as non-empty statements ending in ';',
// templates as YAML with Resources.
func TestArtifactsParse(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	covered := map[string]bool{}
	for name, base := range lintRequests() {
		covered[base.Topic] = true
		for _, typ := range guidanceTypes {
			for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation, iac.FormatTerraform} {
				r := base
				r.Type, r.Format = typ, f
				res, err := reg.Guide(r)
				if err != nil {
					t.Fatalf("%s %s %s: %v", name, typ, f, err)
				}
				if len(res.Steps)+len(res.Troubleshooting) == 0 {
					t.Errorf("%s %s: no steps and no troubleshooting rows", name, typ)
				}
				if len(res.References) == 0 {
					t.Errorf("%s %s: no references", name, typ)
				}
				for _, ref := range res.References {
					if !strings.HasPrefix(ref, "https://") {
						t.Errorf("%s %s: reference %q is not a URL", name, typ, ref)
					}
				}
				for _, a := range res.Artifacts {
					checkArtifact(t, name+"/"+typ+"/"+string(f)+"/"+a.Name, a)
				}
			}
		}
	}
	for _, n := range reg.Names() {
		if !covered[n] {
			t.Errorf("topic %s has no lint request", n)
		}
	}
}

func checkArtifact(t *testing.T, label string, a iac.Artifact) {
	t.Helper()
	switch {
	case a.Kind == iac.KindIAMPolicy:
		iactest.CheckPolicy(t, a.Content, strings.Contains(a.Content, `"Principal"`))
	case a.Format == "terraform":
		if _, diags := hclsyntax.ParseConfig([]byte(a.Content), label, hclStart()); diags.HasErrors() {
			t.Errorf("%s: %v\n%s", label, diags, a.Content)
		}
	case a.Kind == streamguide.KindSQL:
		if s := strings.TrimSpace(a.Content); s == "" || !strings.HasSuffix(s, ";") {
			t.Errorf("%s: SQL does not end with ';'\n%s", label, a.Content)
		}
	case a.Kind == iac.KindScript:
		iactest.CheckScript(t, a.Content)
	case a.Format == "json":
		if !json.Valid([]byte(a.Content)) {
			t.Errorf("%s: invalid JSON", label)
		}
	case a.Format == "sam" || a.Format == "cloudformation":
		if !strings.Contains(a.Content, "Resources:") {
			t.Errorf("%s: template without Resources", label)
		}
	default:
		t.Errorf("%s: unknown artifact kind %s format %s", label, a.Kind, a.Format)
	}
}

// templates renders every CloudFormation and SAM artifact of the lint
// requests, keyed by a file name.
func templates(t *testing.T, reg *streamguide.Registry) (cfn, sam map[string]string) {
	cfn, sam = map[string]string{}, map[string]string{}
	for name, base := range lintRequests() {
		for _, typ := range guidanceTypes {
			for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation} {
				r := base
				r.Type, r.Format = typ, f
				res, err := reg.Guide(r)
				if err != nil {
					t.Fatal(err)
				}
				for i, a := range res.Artifacts {
					if a.Format != string(f) {
						continue
					}
					key := fmt.Sprintf("%s_%s_%s_%d.yaml", name, typ, f, i)
					cfn[key] = a.Content
					if f == iac.FormatSAM {
						sam[key] = a.Content
					}
				}
			}
		}
	}
	return cfn, sam
}

// TestArtifactsLint runs cfn-lint over every CloudFormation and SAM
// artifact and the SAM ones through aws-sam-translator. A missing tool
// skips locally and fails under CI=true.
func TestArtifactsLint(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	cfn, sam := templates(t, reg)
	if len(cfn) == 0 || len(sam) == 0 {
		t.Fatal("no templates rendered")
	}
	if _, err := exec.LookPath("cfn-lint"); err != nil && os.Getenv("CI") == "true" {
		t.Fatal("cfn-lint is not installed (CI=true)")
	}
	iactest.CfnLint(t, cfn)
	samTranslate(t, sam)
}

// samTranslator translates each SAM template with aws-sam-translator and
// prints the failures; managed policies are not looked up.
const samTranslator = `
import json, sys, yaml
from samtranslator.translator.transform import transform
from samtranslator.public.exceptions import InvalidDocumentException
class NoPolicies:
    def load(self): return {}
failed = 0
for path in sys.argv[1:]:
    with open(path) as f:
        tpl = yaml.safe_load(f)
    try:
        transform(tpl, {}, NoPolicies())
    except InvalidDocumentException as e:
        failed += 1
        print(path, "; ".join(str(c) for c in e.causes))
    except Exception as e:
        failed += 1
        print(path, repr(e))
sys.exit(1 if failed else 0)
`

func samTranslate(t *testing.T, sam map[string]string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import samtranslator, yaml").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("aws-sam-translator is not installed (CI=true): %v", err)
		}
		t.Skip("aws-sam-translator not installed")
	}
	dir := t.TempDir()
	args := []string{"-c", samTranslator}
	for name, body := range sam {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("aws-sam-translator: %v\n%s", err, out)
	}
}
