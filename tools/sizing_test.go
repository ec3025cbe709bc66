package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

func sizingTestDeps(t *testing.T) ReadDeps {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// callTool runs a tool handler with JSON arguments.
func callToolJSON(t *testing.T, st server.ServerTool, args string) *mcp.CallToolResult {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = st.Tool.Name
	req.Params.Arguments = m
	res, err := st.Handler(context.Background(), req)
	if err != nil {
		t.Fatalf("go error (a bug, not a tool error): %v", err)
	}
	return res
}

func structuredMap(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSizingTool(t *testing.T) {
	t.Parallel()
	st := Sizing(sizingTestDeps(t))
	if acc, err := server.AccessOf(st.Tool); err != nil || acc != server.Read {
		t.Fatalf("access %v %v, want read", acc, err)
	}
	tests := []struct {
		name, args, wantBinding, wantErr string
	}{
		{"msk", `{"service":"msk","ingress_mb_per_second":100,"consumer_groups":2,"retention_hours":72,"broker_type":"kafka.m7g.xlarge"}`, "CPU (estimate)", ""},
		{"msk express", `{"service":"msk_express","ingress_mb_per_second":100,"consumer_groups":3}`, "egress (sustained)", ""},
		{"msk serverless", `{"service":"msk_serverless","ingress_mb_per_second":300}`, "cluster ingress", ""},
		{"kinesis", `{"service":"kinesis","ingress_mb_per_second":10,"records_per_second":12000,"consumer_groups":3}`, "shared read MB/s per shard", ""},
		{"lambda esm", `{"service":"lambda_esm","event_source":"kinesis","shards":100,"records_per_second":100000,"processing_ms_per_record":5,"batch_size":100}`, "shards × ParallelizationFactor", ""},
		{"missing ingress", `{"service":"msk"}`, "", "ingress_mb_per_second"},
		{"bad broker", `{"service":"msk","ingress_mb_per_second":1,"broker_type":"kafka.x9.large"}`, "", "broker_type"},
		{"esm without shards", `{"service":"lambda_esm","event_source":"kinesis","records_per_second":1,"processing_ms_per_record":1}`, "", "shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := callToolJSON(t, st, tc.args)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, tc.wantErr) {
					t.Fatalf("want tool error mentioning %q, got %+v", tc.wantErr, res)
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			out := structuredMap(t, res)
			if tc.wantBinding != "" && out["binding_constraint"] != tc.wantBinding {
				t.Fatalf("binding %v, want %q", out["binding_constraint"], tc.wantBinding)
			}
			if calc, _ := out["calculation"].([]any); len(calc) == 0 {
				t.Fatal("no calculation steps")
			}
			if refs, _ := out["references"].([]any); len(refs) == 0 {
				t.Fatal("no references")
			}
		})
	}
}

// TestSizingTemplates renders each sizable service's recommendation in every
// IaC format, runs the checks the guide package applies (CloudFormation
// resource schemas, validate_config kind=template, Terraform parse and
// argument allow-list) and asserts that the template carries exactly the
// recommended broker type, count, storage, throughput, shards and mode.
func TestSizingTemplates(t *testing.T) {
	t.Parallel()
	d := sizingTestDeps(t)
	st := Sizing(d)
	spec := iactest.LoadSpec(t)
	subnets := `"subnet_ids":["subnet-0123456789abcdef0","subnet-0123456789abcdef1","subnet-0123456789abcdef2"],"security_group_ids":["sg-0123456789abcdef0"]`
	services := []struct {
		name, args string
		params     []string // CloudFormation parameters expected (network not given)
	}{
		{"msk default network as parameters", `{"service":"msk","ingress_mb_per_second":50}`, []string{"ClientSubnets", "SecurityGroupIds"}},
		{"msk provisioned throughput", `{"service":"msk","ingress_mb_per_second":200,"consumer_groups":1,"retention_hours":1,"broker_type":"kafka.m5.8xlarge","cluster":"orders",` + subnets + `,"auth":"sasl_scram_512"}`, nil},
		{"msk two AZs", `{"service":"msk","ingress_mb_per_second":30,"az_count":2,"cluster":"orders","auth":"mtls"}`, []string{"ClientSubnets", "SecurityGroupIds"}},
		{"msk express", `{"service":"msk_express","ingress_mb_per_second":200,"cluster":"orders",` + subnets + `}`, nil},
		{"kinesis provisioned", `{"service":"kinesis","ingress_mb_per_second":20,"max_record_bytes":2000000,"retention_hours":48,"stream_name":"clicks"}`, nil},
		{"kinesis on-demand", `{"service":"kinesis","ingress_mb_per_second":30,"on_demand_advantage":true}`, nil},
	}
	for _, svc := range services {
		for _, f := range []string{"sam", "cloudformation", "terraform"} {
			t.Run(svc.name+"/"+f, func(t *testing.T) {
				t.Parallel()
				args := strings.TrimSuffix(svc.args, "}") + `,"iac_format":"` + f + `"}`
				res := callToolJSON(t, st, args)
				if res.IsError {
					t.Fatalf("tool error: %+v", res.Content)
				}
				var out sizingOut
				raw, err := json.Marshal(res.StructuredContent)
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(raw, &out); err != nil {
					t.Fatal(err)
				}
				if len(out.Artifacts) != 1 || out.TemplateSkipped != "" {
					t.Fatalf("want one artifact, got %d (skipped %q)", len(out.Artifacts), out.TemplateSkipped)
				}
				a := out.Artifacts[0]
				if a.Kind != iac.KindIaC || a.Format != f || a.Name == "" || a.Content == "" {
					t.Fatalf("artifact %+v", a)
				}
				rec := out.Recommendation
				var got sizedValues
				if f == "terraform" {
					iactest.CheckTerraform(t, a.Content)
					got = tfSized(t, a.Content)
				} else {
					spec.CheckTemplate(t, a.Content)
					v, err := cfntemplate.Validate(a.Content, d.Guidance)
					if err != nil {
						t.Fatal(err)
					}
					for _, viol := range v.Violations {
						if viol.Severity == rules.Error {
							t.Errorf("validate_config: %s %s: %s", viol.RuleID, viol.Field, viol.Message)
						}
					}
					got = cfnSized(t, a.Content, svc.params)
				}
				want := sizedValues{}
				if out.Service == "kinesis" {
					want.mode = "PROVISIONED"
					if strings.HasPrefix(rec.CapacityMode, "ON_DEMAND") {
						want.mode = "ON_DEMAND"
					} else {
						want.shards = rec.Shards
					}
					if f != "terraform" { // not in the provider schema the checker knows; a note says how to set it
						want.maxRecordKiB = int(rec.MaxRecordSizeKiB)
					}
				} else {
					want.brokerType, want.brokers = rec.BrokerType, rec.Brokers
					if out.Service == "msk" {
						want.volumeGiB = int(math.Ceil(rec.StorageGiBPerBroker))
						want.throughput = int(math.Floor(rec.ProvisionedThroughputMiBps))
					}
				}
				if got != want {
					t.Errorf("template %+v, recommendation %+v (%s)\n%s", got, want, rec.Summary, a.Content)
				}
				if svc.name == "msk provisioned throughput" && want.throughput == 0 {
					t.Error("case meant to exercise provisioned storage throughput recommends none")
				}
			})
		}
	}
}

// sizedValues are the recommendation's numbers as read back from a template.
type sizedValues struct {
	brokerType                     string
	brokers, volumeGiB, throughput int
	mode                           string
	shards, maxRecordKiB           int
}

func cfnSized(t *testing.T, body string, params []string) sizedValues {
	t.Helper()
	var doc struct {
		Parameters map[string]any `yaml:"Parameters"`
		Resources  map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Parameters) != len(params) {
		t.Errorf("parameters %v, want %v", doc.Parameters, params)
	}
	for _, p := range params {
		if _, ok := doc.Parameters[p]; !ok {
			t.Errorf("parameter %s missing", p)
		}
	}
	var v sizedValues
	num := func(x any) int { n, _ := x.(int); return n }
	get := func(m any, path ...string) any {
		for _, k := range path {
			mm, _ := m.(map[string]any)
			m = mm[k]
		}
		return m
	}
	for _, r := range doc.Resources {
		p := r.Properties
		switch r.Type {
		case "AWS::MSK::Cluster":
			v.brokerType, _ = get(p, "BrokerNodeGroupInfo", "InstanceType").(string)
			v.brokers = num(p["NumberOfBrokerNodes"])
			v.volumeGiB = num(get(p, "BrokerNodeGroupInfo", "StorageInfo", "EBSStorageInfo", "VolumeSize"))
			v.throughput = num(get(p, "BrokerNodeGroupInfo", "StorageInfo", "EBSStorageInfo", "ProvisionedThroughput", "VolumeThroughput"))
		case "AWS::Kinesis::Stream":
			v.mode, _ = get(p, "StreamModeDetails", "StreamMode").(string)
			v.shards = num(p["ShardCount"])
			v.maxRecordKiB = num(p["MaxRecordSizeInKiB"])
		default:
			t.Errorf("unexpected resource type %s", r.Type)
		}
	}
	return v
}

func tfSized(t *testing.T, src string) sizedValues {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "gen.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	attr := func(b *hclsyntax.Body, path ...string) cty.Value {
		for _, blk := range path[:len(path)-1] {
			var next *hclsyntax.Body
			for _, nb := range b.Blocks {
				if nb.Type == blk {
					next = nb.Body
				}
			}
			if next == nil {
				return cty.NilVal
			}
			b = next
		}
		a, ok := b.Attributes[path[len(path)-1]]
		if !ok {
			return cty.NilVal
		}
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return cty.NilVal // a reference (var.*), not a literal
		}
		return val
	}
	str := func(v cty.Value) string {
		if v == cty.NilVal || v.Type() != cty.String {
			return ""
		}
		return v.AsString()
	}
	num := func(v cty.Value) int {
		if v == cty.NilVal || v.Type() != cty.Number {
			return 0
		}
		n, _ := v.AsBigFloat().Int64()
		return int(n)
	}
	var v sizedValues
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if blk.Type != "resource" {
			continue
		}
		switch blk.Labels[0] {
		case "aws_msk_cluster":
			v.brokerType = str(attr(blk.Body, "broker_node_group_info", "instance_type"))
			v.brokers = num(attr(blk.Body, "number_of_broker_nodes"))
			v.volumeGiB = num(attr(blk.Body, "broker_node_group_info", "storage_info", "ebs_storage_info", "volume_size"))
			v.throughput = num(attr(blk.Body, "broker_node_group_info", "storage_info", "ebs_storage_info", "provisioned_throughput", "volume_throughput"))
		case "aws_kinesis_stream":
			v.mode = str(attr(blk.Body, "stream_mode_details", "stream_mode"))
			v.shards = num(attr(blk.Body, "shard_count"))
		default:
			t.Errorf("unexpected resource type %s", blk.Labels[0])
		}
	}
	return v
}

func TestSizingTemplateInputs(t *testing.T) {
	t.Parallel()
	st := Sizing(sizingTestDeps(t))
	tests := []struct{ name, args, wantErr, wantSkipped string }{
		{"name without format", `{"service":"msk","ingress_mb_per_second":10,"cluster":"orders"}`, "send iac_format", ""},
		{"stream name on msk", `{"service":"msk","ingress_mb_per_second":10,"iac_format":"sam","stream_name":"s"}`, "stream_name applies to service kinesis", ""},
		{"subnets on kinesis", `{"service":"kinesis","ingress_mb_per_second":10,"iac_format":"sam","subnet_ids":["subnet-0123456789abcdef0"]}`, "apply to service msk", ""},
		{"hostile cluster name", `{"service":"msk","ingress_mb_per_second":10,"iac_format":"cloudformation","cluster":"x\"\n  Evil: ${AWS::AccountId}"}`, "MSK cluster name", ""},
		{"hostile stream name", `{"service":"kinesis","ingress_mb_per_second":10,"iac_format":"terraform","stream_name":"a\" }\nresource \"x\" \"y\" {"}`, "stream name", ""},
		{"fake subnet", `{"service":"msk","ingress_mb_per_second":10,"iac_format":"sam","subnet_ids":["subnet-a","subnet-b","subnet-c"]}`, "subnet", ""},
		{"subnets per AZ", `{"service":"msk","ingress_mb_per_second":10,"iac_format":"sam","subnet_ids":["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]}`, "one subnet per AZ", ""},
		{"bad kafka version", `{"service":"msk_express","ingress_mb_per_second":10,"iac_format":"sam","kafka_version":"latest"}`, "Kafka version", ""},
		{"bad format", `{"service":"kinesis","ingress_mb_per_second":10,"iac_format":"pulumi"}`, "iac_format", ""},
		{"serverless", `{"service":"msk_serverless","ingress_mb_per_second":10,"iac_format":"terraform"}`, "", "no MSK Serverless model"},
		{"serverless does not fit", `{"service":"msk_serverless","ingress_mb_per_second":500,"iac_format":"sam"}`, "", "does not fit MSK Serverless"},
		{"lambda esm", `{"service":"lambda_esm","event_source":"sqs","records_per_second":10,"processing_ms_per_record":10,"iac_format":"sam"}`, "", "esm_optimize action=generate_template"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := callToolJSON(t, st, tc.args)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, tc.wantErr) {
					t.Fatalf("want tool error mentioning %q, got %+v", tc.wantErr, res.Content)
				}
				return
			}
			if res.IsError {
				t.Fatalf("tool error: %+v", res.Content)
			}
			out := structuredMap(t, res)
			if _, ok := out["artifacts"]; ok {
				t.Errorf("artifacts for a service without a template model: %v", out["artifacts"])
			}
			if s, _ := out["template_skipped"].(string); !strings.Contains(s, tc.wantSkipped) {
				t.Errorf("template_skipped %q, want it to mention %q", s, tc.wantSkipped)
			}
		})
	}
}
