package iac_test

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

var (
	threeSubnets = []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"}
	oneSG        = []string{"sg-0123456789abcdef0"}
)

// TestRenderSizedResources renders the clusters and streams the sizing tool
// produces (Express brokers, provisioned storage throughput, network lists
// left to template parameters, a raised record size) in every format and
// runs the same checks as TestRenderStack.
func TestRenderSizedResources(t *testing.T) {
	t.Parallel()
	spec := iactest.LoadSpec(t)
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		stack iac.Stack
		// params are the CloudFormation parameters (Terraform variables)
		// the template must declare and reference.
		params, vars []string
		want         []string // in the CloudFormation rendering
		wantTF       []string
	}{
		"standard, provisioned throughput, network given": {
			stack: iac.Stack{Cluster: &iac.MSKClusterSpec{Name: "orders", KafkaVersion: "3.8.x", InstanceType: "kafka.m7g.4xlarge", Brokers: 6, VolumeGiB: 2000,
				ProvisionedThroughputMiBps: 500, SubnetIDs: threeSubnets, SecurityGroupIDs: oneSG, Auth: iac.AuthSCRAM512}},
			want:   []string{"VolumeThroughput: 500", "VolumeSize: 2000", "NumberOfBrokerNodes: 6", "Scram:"},
			wantTF: []string{"volume_throughput = 500", "volume_size = 2000", `client_subnets = ["subnet-0123456789abcdef0"`},
		},
		"standard, network as parameters": {
			stack: iac.Stack{Cluster: &iac.MSKClusterSpec{Name: "orders", KafkaVersion: "3.8.x", InstanceType: "kafka.m5.large", Brokers: 4, VolumeGiB: 100,
				AZCount: 2, Auth: iac.AuthMTLS}},
			params: []string{"ClientSubnets", "SecurityGroupIds"}, vars: []string{"client_subnets", "security_group_ids"},
			want:   []string{"exactly 2 client subnets", "Tls:"},
			wantTF: []string{"length(var.client_subnets) == 2", "client_subnets = var.client_subnets", "security_groups = var.security_group_ids"},
		},
		"express, subnets given, security groups as parameter": {
			stack: iac.Stack{Cluster: &iac.MSKClusterSpec{Name: "orders", KafkaVersion: "3.8.x", InstanceType: "express.m7g.large", Brokers: 3,
				SubnetIDs: threeSubnets, Auth: iac.AuthIAM}},
			params: []string{"SecurityGroupIds"}, vars: []string{"security_group_ids"},
			want:   []string{"InstanceType: express.m7g.large"},
			wantTF: []string{`instance_type = "express.m7g.large"`},
		},
		"provisioned stream with large records": {
			stack:  iac.Stack{Stream: &iac.KinesisStream{Name: "clicks", Shards: iac.Int(12), RetentionHours: iac.Int(168), MaxRecordSizeKiB: iac.Int(2048)}},
			want:   []string{"MaxRecordSizeInKiB: 2048", "ShardCount: 12", "RetentionPeriodHours: 168"},
			wantTF: []string{"shard_count = 12", "retention_period = 168"},
		},
	}
	for name, tc := range cases {
		for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation, iac.FormatTerraform} {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				a, err := iac.RenderStack(tc.stack, f)
				if err != nil {
					t.Fatal(err)
				}
				flat := strings.Join(strings.Fields(a.Content), " ")
				if f == iac.FormatTerraform {
					iactest.CheckTerraform(t, a.Content)
					for _, w := range tc.wantTF {
						if !strings.Contains(flat, w) {
							t.Errorf("lacks %q:\n%s", w, a.Content)
						}
					}
					for _, v := range tc.vars {
						if !strings.Contains(a.Content, `variable "`+v+`"`) || !strings.Contains(a.Content, "var."+v) {
							t.Errorf("variable %s not declared and used:\n%s", v, a.Content)
						}
					}
					if strings.Contains(a.Content, "express.") && strings.Contains(a.Content, "storage_info") {
						t.Errorf("Express brokers with EBS storage:\n%s", a.Content)
					}
					return
				}
				spec.CheckTemplate(t, a.Content)
				res, err := cfntemplate.Validate(a.Content, b)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range res.Violations {
					if v.Severity == rules.Error {
						t.Errorf("validate_config: %s %s: %s", v.RuleID, v.Field, v.Message)
					}
				}
				for _, w := range tc.want {
					if !strings.Contains(a.Content, w) {
						t.Errorf("lacks %q:\n%s", w, a.Content)
					}
				}
				var doc struct {
					Parameters map[string]map[string]any `yaml:"Parameters"`
				}
				if err := yaml.Unmarshal([]byte(a.Content), &doc); err != nil {
					t.Fatal(err)
				}
				if len(doc.Parameters) != len(tc.params) {
					t.Errorf("parameters %v, want %v", doc.Parameters, tc.params)
				}
				for _, p := range tc.params {
					if _, ok := doc.Parameters[p]; !ok || !strings.Contains(a.Content, "Ref: "+p) {
						t.Errorf("parameter %s not declared and referenced:\n%s", p, a.Content)
					}
				}
				if strings.Contains(a.Content, "express.") && strings.Contains(a.Content, "StorageInfo") {
					t.Errorf("Express brokers with EBS storage:\n%s", a.Content)
				}
			})
		}
	}
}

func TestRenderClusterRejects(t *testing.T) {
	t.Parallel()
	ok := iac.MSKClusterSpec{Name: "orders", KafkaVersion: "3.8.x", InstanceType: "kafka.m7g.large", Brokers: 3, VolumeGiB: 100, AZCount: 3, Auth: iac.AuthIAM}
	cases := map[string]func(c *iac.MSKClusterSpec){
		"express with a volume": func(c *iac.MSKClusterSpec) { c.InstanceType = "express.m7g.large" },
		"express with throughput": func(c *iac.MSKClusterSpec) {
			c.InstanceType, c.VolumeGiB, c.ProvisionedThroughputMiBps = "express.m7g.large", 0, 300
		},
		"standard without a volume":       func(c *iac.MSKClusterSpec) { c.VolumeGiB = 0 },
		"no subnets and no AZ count":      func(c *iac.MSKClusterSpec) { c.AZCount = 0 },
		"brokers not a multiple of AZs":   func(c *iac.MSKClusterSpec) { c.Brokers = 4 },
		"AZ count disagrees with subnets": func(c *iac.MSKClusterSpec) { c.SubnetIDs = threeSubnets[:2] },
		"hostile name":                    func(c *iac.MSKClusterSpec) { c.Name = "a\"\n${x}" },
		"hostile instance type":           func(c *iac.MSKClusterSpec) { c.InstanceType = "kafka.m5.large\nx: y" },
		"made-up subnet":                  func(c *iac.MSKClusterSpec) { c.SubnetIDs, c.AZCount = []string{"subnet-x", "subnet-y", "subnet-z"}, 0 },
		"negative throughput":             func(c *iac.MSKClusterSpec) { c.ProvisionedThroughputMiBps = -1 },
	}
	if _, err := iac.RenderStack(iac.Stack{Cluster: &ok}, iac.FormatCloudFormation); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	for name, mut := range cases {
		c := ok
		mut(&c)
		for _, f := range []iac.Format{iac.FormatCloudFormation, iac.FormatTerraform} {
			if _, err := iac.RenderStack(iac.Stack{Cluster: &c}, f); !errors.Is(err, iac.ErrInvalid) {
				t.Errorf("%s/%s: want ErrInvalid, got %v", name, f, err)
			}
		}
	}
}
