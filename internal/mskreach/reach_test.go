package mskreach

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

func loadBase(t *testing.T) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func text(r guide.Result) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(r)
	return sb.String()
}

func artifact(t *testing.T, r guide.Result, name string) iac.Artifact {
	t.Helper()
	for _, a := range r.Artifacts {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no artifact %s in %v", name, r.Artifacts)
	return iac.Artifact{}
}

func TestCustomDomain(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	tests := []struct {
		name    string
		req     CustomDomainRequest
		want    []string
		not     []string
		wantErr string
	}{
		// The post's layout: 3 brokers, TLS 9000 bootstrap, 9001-9003 per broker, targets TLS 9096 ip.
		{name: "per broker", req: CustomDomainRequest{Brokers: 3, Domain: "example.com"},
			want: []string{"TLS 9000", "listeners TLS 9001..9003", "port 9096", "type ip", "ELBSecurityPolicy-TLS13-1-2-2021-06", "b-3.example.com", "cross-zone load balancing ON (default on an NLB: off",
				"REPLICATION://b-N-internal.<cluster DNS>:9093", "REPLICATION_SECURE://b-N-internal.<cluster DNS>:9095", "does not start when two brokers advertise the same address", "At most 50 listeners"}},
		{name: "bootstrap only", req: CustomDomainRequest{Brokers: 3, Domain: "example.com", ClientsReachBrokers: true},
			want: []string{"bootstrap_only", "no per-broker listeners"}, not: []string{"set-advertised-listeners.sh", "b-2.example.com"}},
		{name: "iam not covered", req: CustomDomainRequest{Brokers: 3, Auth: AuthIAM},
			want: []string{"covers sasl_scram clients only", "iam is not covered", "port 9098"}},
		{name: "private CA", req: CustomDomainRequest{Brokers: 3, PrivateCA: true}, want: []string{"PKIX"}},
		{name: "too many brokers", req: CustomDomainRequest{Brokers: 50}, wantErr: "need 51 NLB listeners"},
		{name: "49 brokers fit", req: CustomDomainRequest{Brokers: 49}, want: []string{"listeners TLS 9001..9049"}},
		{name: "no broker count", req: CustomDomainRequest{}, wantErr: "send brokers"},
		{name: "bad domain", req: CustomDomainRequest{Brokers: 3, Domain: "Example.com;rm"}, wantErr: "not a DNS name"},
		{name: "bad suffix", req: CustomDomainRequest{Brokers: 3, BrokerDNSSuffix: "x$(id)"}, wantErr: "broker_dns_suffix"},
		{name: "troubleshooting", req: CustomDomainRequest{Brokers: 3, Type: TypeTroubleshooting},
			want: []string{"No subject alternative DNS name", "load_balancing.cross_zone.enabled=true", "under-replicated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := CustomDomain(b, tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, iac.ErrInvalid) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			all := text(res)
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("answer lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(all, w) {
					t.Errorf("answer has %q", w)
				}
			}
			for _, r := range res.References {
				if !strings.HasPrefix(r, "https://") {
					t.Errorf("reference %q is not a URL", r)
				}
			}
		})
	}
}

func TestCustomDomainArtifacts(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	res, err := CustomDomain(b, CustomDomainRequest{Brokers: 3, Domain: "kafka.example.com", BrokerDNSSuffix: "mycluster.abc123.c2.kafka.us-east-1.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	var tmpl iac.Template
	if err := yaml.Unmarshal([]byte(artifact(t, res, "msk-custom-domain.yaml").Content), &tmpl); err != nil {
		t.Fatal(err)
	}
	listeners := 0
	for _, r := range tmpl.Resources {
		if r.Type == "AWS::ElasticLoadBalancingV2::Listener" {
			listeners++
		}
	}
	if listeners != 4 {
		t.Errorf("%d listeners, want bootstrap + 3", listeners)
	}
	attrs := fmt.Sprint(tmpl.Resources["Nlb"].Properties["LoadBalancerAttributes"])
	if !strings.Contains(attrs, "load_balancing.cross_zone.enabled") || !strings.Contains(attrs, "true") {
		t.Errorf("cross-zone not on: %s", attrs)
	}
	script := artifact(t, res, "set-advertised-listeners.sh").Content
	for i := 1; i <= 3; i++ {
		want := fmt.Sprintf("CLIENT_SASL_SCRAM://b-%d.kafka.example.com:%d,REPLICATION://b-%d-internal.${CLUSTER_DNS}:9093,REPLICATION_SECURE://b-%d-internal.${CLUSTER_DNS}:9095", i, 9000+i, i, i)
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %s", want)
		}
	}
	// Every advertised address is unique (the cluster refuses duplicates).
	seen := map[string]bool{}
	for _, line := range strings.Split(script, "\n") {
		if i := strings.Index(line, "CLIENT_SASL_SCRAM://"); i >= 0 {
			addr := strings.SplitN(line[i:], ",", 2)[0]
			if seen[addr] {
				t.Errorf("duplicate advertised address %s", addr)
			}
			seen[addr] = true
		}
	}
	perm, err := CustomDomain(b, CustomDomainRequest{Type: TypePermissions, Brokers: 3, Domain: "kafka.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	cert := artifact(t, perm, "nlb-certificate.sh").Content
	for _, s := range []string{"CN = bootstrap.kafka.example.com", "DNS.1 = bootstrap.kafka.example.com", "DNS.4 = b-3.kafka.example.com"} {
		if !strings.Contains(cert, s) {
			t.Errorf("certificate config lacks %q", s)
		}
	}
	bashParses(t, script, cert)
}

func bashParses(t *testing.T, scripts ...string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	for i, s := range scripts {
		p := filepath.Join(t.TempDir(), fmt.Sprintf("s%d.sh", i))
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bash, "-n", p).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s\n%s", err, out, s)
		}
	}
}

func TestServerlessPattern(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	tests := []struct {
		name string
		req  ServerlessRequest
		want string
		why  string
	}{
		{"before creation, 3 VPCs", ServerlessRequest{Clusters: 1, ClientVPCs: 3, BeforeCreation: true}, PatternAtCreation, "up to 5 VPCs"},
		{"before creation, 6 VPCs", ServerlessRequest{Clusters: 1, ClientVPCs: 6, BeforeCreation: true}, PatternPHZ, "limit 1 cluster per client VPC"},
		{"cross account one cluster", ServerlessRequest{Clusters: 1, ClientVPCs: 2, CrossAccount: true}, PatternPHZ, "wildcard alias"},
		{"two clusters", ServerlessRequest{Clusters: 2, ClientVPCs: 2, CrossAccount: true}, PatternResolver, "shared through RAM"},
		{"other region", ServerlessRequest{Clusters: 1, CrossRegion: true}, PatternResolver, "IP routing"},
		{"overlap wins", ServerlessRequest{Clusters: 3, OverlappingCIDRs: true}, PatternPrivLink, "IP target group"},
	}
	for _, tc := range tests {
		got, why := ChooseServerlessPattern(b, tc.req)
		if got != tc.want || !strings.Contains(why, tc.why) {
			t.Errorf("%s: got %s (%s), want %s with %q", tc.name, got, why, tc.want, tc.why)
		}
	}
}

func TestServerlessArtifactsAndTroubleshooting(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	res, err := ServerlessCrossVPC(b, ServerlessRequest{Clusters: 2, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	body := artifact(t, res, "msk-serverless-resolver.yaml").Content
	for _, s := range []string{"AWS::Route53Resolver::ResolverRule", "kafka-serverless.us-east-1.amazonaws.com", "AWS::RAM::ResourceShare", "INBOUND", "OUTBOUND"} {
		if !strings.Contains(body, s) {
			t.Errorf("template lacks %s", s)
		}
	}
	res, err = ServerlessCrossVPC(b, ServerlessRequest{Clusters: 1, CrossAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	bashParses(t, artifact(t, res, "serverless-phz-association.sh").Content)
	res, err = ServerlessCrossVPC(b, ServerlessRequest{Clusters: 1, Type: TypeTroubleshooting})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text(res), "enableDnsHostnames") || len(res.Troubleshooting) == 0 {
		t.Errorf("troubleshooting answer lacks the DNS rows: %s", text(res))
	}
	if _, err := ServerlessCrossVPC(b, ServerlessRequest{Region: "mars-1"}); err == nil {
		t.Fatal("bad region accepted")
	}
}

func TestMultiVPC(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	arn := "arn:aws:kafka:us-east-1:111122223333:cluster/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-2"
	tests := []struct {
		name string
		req  MultiVPCRequest
		want []string
		not  []string
	}{
		{"ready iam", MultiVPCRequest{ClusterArn: arn, ClientAccount: "444455556666", Auth: AuthIAM, KafkaVersion: "3.6.0", InstanceType: "kafka.m5.large"},
			[]string{"kafka:CreateVpcConnection", "444455556666", "30 minutes", "create-vpc-connection"}, []string{"NOT MET"}},
		{"old version", MultiVPCRequest{KafkaVersion: "2.6.2"}, []string{"NOT MET", "needs 2.7.1 or later"}, nil},
		{"t3", MultiVPCRequest{InstanceType: "kafka.t3.small"}, []string{"kafka.t3.small does not support"}, nil},
		{"unauthenticated", MultiVPCRequest{Auth: AuthNone}, []string{"an unauthenticated cluster cannot use it"}, nil},
		{"cross region", MultiVPCRequest{ClusterArn: arn, ClientRegion: "eu-west-1"}, []string{"same-Region only"}, nil},
		{"scram", MultiVPCRequest{Auth: AuthSCRAM, Type: TypeTroubleshooting}, []string{"allow.everyone.if.no.acl.found=false"}, []string{"NOT MET"}},
		{"public", MultiVPCRequest{Public: true, Auth: AuthIAM, KafkaVersion: "2.5.1"}, []string{"NOT MET", "older than 2.6.0", "port 9198", "SERVICE_PROVIDED_EIPS"}, nil},
		{"public scram", MultiVPCRequest{Public: true, Auth: AuthSCRAM, KafkaVersion: "3.6.0"}, []string{"port 9196"}, []string{"NOT MET"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := MultiVPC(b, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			all := text(res)
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("answer lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(all, w) {
					t.Errorf("answer has %q", w)
				}
			}
			for _, a := range res.Artifacts {
				if a.Kind == iac.KindScript {
					bashParses(t, a.Content)
				}
				if a.Kind == iac.KindIAMPolicy && !json.Valid([]byte(a.Content)) {
					t.Errorf("policy is not JSON: %s", a.Content)
				}
			}
		})
	}
	if _, err := MultiVPC(b, MultiVPCRequest{Public: true, Auth: AuthNone}); err == nil {
		t.Fatal("public access without auth accepted")
	}
	if _, err := MultiVPC(b, MultiVPCRequest{ClientAccount: "12"}); err == nil {
		t.Fatal("bad account accepted")
	}
}

// TestCfnLint runs cfn-lint over every CloudFormation artifact.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	templates := map[string]string{}
	for i, req := range []CustomDomainRequest{{Brokers: 3}, {Brokers: 6, ClientsReachBrokers: true}, {Brokers: 12, Auth: AuthIAM}} {
		res, err := CustomDomain(b, req)
		if err != nil {
			t.Fatal(err)
		}
		templates[fmt.Sprintf("custom%d.yaml", i)] = artifact(t, res, "msk-custom-domain.yaml").Content
	}
	for i, region := range []string{"", "us-east-1"} {
		res, err := ServerlessCrossVPC(b, ServerlessRequest{Clusters: 2, Region: region})
		if err != nil {
			t.Fatal(err)
		}
		templates[fmt.Sprintf("resolver%d.yaml", i)] = artifact(t, res, "msk-serverless-resolver.yaml").Content
	}
	iactest.CfnLint(t, templates)
}

func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := loadBase(t)
	ids := limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "msk_reach.", "msk.", "msk_ops.", "guidance_esm.")
	used := map[string]bool{}
	for _, id := range ids {
		used[id] = true
	}
	for _, l := range b.All() {
		if strings.HasPrefix(l.ID, "msk_reach.") && !used[l.ID] {
			t.Errorf("guidance entry %s is read by no rule", l.ID)
		}
	}
}
