package streamguide_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.yaml.in/yaml/v3"

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
	m := map[string]streamguide.Request{
		"logs_kinesis": {Topic: "logs_subscription", SourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/logs",
			Options: map[string]any{"log_group_name": "/aws/lambda/orders", "filter_pattern": "[level=ERROR]", "distribution": "Random", "ingest_mb_per_second": 3.5, "events_per_second": 2000, "sender_account": "210987654321"}},
		"logs_firehose": {Topic: "logs_subscription", TargetArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs",
			Options: map[string]any{"log_group_name": "app-logs"}, Name: "app_to_firehose"},
		// hosting (#17)
		"stream_mcp_hosting_tokens": {Topic: "stream_mcp_hosting", SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"}, Name: "team-mcp",
			Options: map[string]any{"vpc_id": "vpc-0123456789abcdef0", "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
				"image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/tools/stream-mcp:v1.2.0", "token_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stream-mcp-tokens-AbCdEf",
				"client_cidr": "10.20.0.0/16", "broker_security_group_id": "sg-0fedcba9876543210", "cpu": 1024, "memory": 3072, "log_retention_days": 90,
				"cluster_arns": []any{"arn:aws:kafka:us-east-1:123456789012:cluster/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2"},
				"stream_arns":  []any{"arn:aws:kinesis:us-east-1:123456789012:stream/clicks"}}},
		"stream_mcp_hosting_oauth": {Topic: "stream_mcp_hosting", SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210", "subnet-0aaaabbbbccccdddd"},
			Options: map[string]any{"vpc_id": "vpc-0123456789abcdef0", "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
				"image_uri":   "123456789012.dkr.ecr.eu-west-1.amazonaws.com/stream-mcp@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				"auth_issuer": "https://login.example.com/realms/eng", "auth_audience": "stream-mcp", "client_security_group_id": "sg-0123456789abcdef0", "desired_count": 3}},
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
		"redshift_msk_iam": {Topic: "redshift_streaming", Source: streamguide.SourceMSK, Auth: "iam", SourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd-1234-5",
			KafkaTopic: "OrderEvents", Name: "orders_mv", SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
			Options: map[string]any{"cluster_security_group_id": "sg-0fedcba9876543210", "partitions": 12, "target": "serverless"}},
		"redshift_msk_cross_account": {Topic: "redshift_streaming", Source: streamguide.SourceMSK, Auth: "iam", Account: "111111111111", SourceArn: "arn:aws:kafka:us-east-1:222222222222:cluster/orders/abcd-1234-5",
			KafkaTopic: "orders"},
		"redshift_msk_mtls": {Topic: "redshift_streaming", Source: streamguide.SourceMSK, Auth: "mtls", SourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd-1234-5",
			KafkaTopic: "orders", Options: map[string]any{"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc", "target": "provisioned"}},
		"osi_msk": {Topic: "opensearch_ingestion", Source: streamguide.SourceMSK, Auth: "iam", SourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/ev/abcd-1234-5", KafkaTopic: "ev-telemetry",
			GroupID: "osi-ev", Name: "ev-pipeline", TargetArn: "arn:aws:es:us-east-1:123456789012:domain/ev",
			Options: map[string]any{"domain_endpoint": "https://search-ev-abc123.us-east-1.es.amazonaws.com", "dlq_bucket": "ev-dlq", "partitions": 12}},
		"osi_msk_cross": {Topic: "opensearch_ingestion", Source: streamguide.SourceMSK, Auth: "iam", Account: "111111111111", Region: "us-east-1", SourceArn: "arn:aws:kafka:us-east-1:222222222222:cluster/ev/abcd-1234-5", KafkaTopic: "ev",
			Options: map[string]any{"domain_endpoint": "https://abc123.us-east-1.aoss.amazonaws.com"}, TargetArn: "arn:aws:aoss:us-east-1:111111111111:collection/abc123"},
		"osi_kinesis": {Topic: "opensearch_ingestion", Source: streamguide.SourceKinesis, SourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/logs", Name: "logs-pipeline",
			Options: map[string]any{"domain_endpoint": "https://search-logs-abc.us-east-1.es.amazonaws.com", "consumer_strategy": "polling", "max_units": 4}},
		"osi_self_managed": {Topic: "opensearch_ingestion", Source: streamguide.SourceSelfManagedKafka, Auth: "sasl_plain", Account: "123456789012", Region: "us-east-1", KafkaTopic: "app",
			BootstrapServers: []string{"b1.example.com:9096"}, SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-credentials-AbCdEf", SubnetIDs: []string{"subnet-0123456789abcdef0"},
			SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, Options: map[string]any{"domain_endpoint": "https://search-app-abc.us-east-1.es.amazonaws.com", "cluster_security_group_id": "sg-0fedcba9876543210"}},
		"firehose_kinesis": {Topic: "firehose", Source: streamguide.SourceKinesis, SourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", Name: "clicks-to-s3",
			TargetArn: "arn:aws:s3:::clicks-lake", Options: map[string]any{"prefix": "raw/", "buffer_size_mib": 64, "buffer_interval_seconds": 600}},
		"firehose_msk_serverless": {Topic: "firehose", Source: streamguide.SourceMSKServerless, SourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/serverless/abcd-1234-s1",
			KafkaTopic: "orders", Options: map[string]any{"bucket": "orders-lake"}, KMSKeyArns: []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		"redshift_kinesis": {Topic: "redshift_streaming", Source: streamguide.SourceKinesis, SourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", Options: map[string]any{"payload": "raw"}},
	}
	maps.Copy(m, processorLintRequests())
	return m
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
	case a.Kind == iac.KindIAMPolicy && isTrust(a.Content):
		checkTrust(t, label, a.Content)
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
	case a.Format == "properties":
		checkProperties(t, label, a.Content)
	case a.Format == "yaml":
		var m map[string]any
		if err := yaml.Unmarshal([]byte(a.Content), &m); err != nil || len(m) == 0 {
			t.Errorf("%s: not a YAML document (%v)", label, err)
		}
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

// TestArtifactsLint checks every CloudFormation and SAM artifact with AWS's
// validators (iactest.CfnLint: SAM through aws-sam-translator, then
// cfn-lint); a missing tool skips locally and fails under CI=true.
func TestArtifactsLint(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	cfn, sam := templates(t, reg)
	if len(cfn) == 0 || len(sam) == 0 {
		t.Fatal("no templates rendered")
	}
	iactest.CfnLint(t, cfn)
}

// isTrust reports whether a policy is a role trust policy (principals, no
// resources, sts:AssumeRole).
func isTrust(body string) bool {
	return strings.Contains(body, `"Principal"`) && !strings.Contains(body, `"Resource"`) && strings.Contains(body, `"sts:AssumeRole"`)
}

func checkTrust(t *testing.T, label, body string) {
	t.Helper()
	var doc struct {
		Version   string
		Statement []struct {
			Effect    string
			Principal map[string][]string
			Action    []string
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
		t.Errorf("%s: not a trust policy (%v)\n%s", label, err, body)
		return
	}
	for _, st := range doc.Statement {
		if st.Effect != "Allow" || len(st.Principal) == 0 || len(st.Action) == 0 {
			t.Errorf("%s: trust statement without effect, principal or action\n%s", label, body)
		}
	}
}
