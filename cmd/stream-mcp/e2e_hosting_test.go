package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// hostingE2ECases: stream_guidance stream_mcp_hosting (issue #17) through
// the binary, the IaC that hosts stream-mcp itself for a team.
func hostingE2ECases() []e2eCase {
	args := func(format string, opts map[string]any) map[string]any {
		o := map[string]any{"vpc_id": "vpc-0123456789abcdef0", "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab",
			"image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/stream-mcp:v1.0.0", "client_cidr": "10.0.0.0/16"}
		for k, v := range opts {
			o[k] = v
		}
		a := map[string]any{"topic": "stream_mcp_hosting", "subnet_ids": []any{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"}, "options": o}
		if format != "" {
			// the template is over the default answer's budget: ask for it
			a["iac_format"], a["artifacts"] = format, []any{"all"}
		}
		return a
	}
	return []e2eCase{
		{name: "stream_guidance stream_mcp_hosting cloudformation", tool: "stream_guidance",
			args: args("cloudformation", map[string]any{"token_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stream-mcp-tokens-AbCdEf"}),
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "stream-mcp-hosting.cloudformation.yaml")
				res, _ := tpl["Resources"].(map[string]any)
				for id, typ := range map[string]string{"Listener": "AWS::ElasticLoadBalancingV2::Listener", "Service": "AWS::ECS::Service",
					"TaskRole": "AWS::IAM::Role", "LogGroup": "AWS::Logs::LogGroup"} {
					r, _ := res[id].(map[string]any)
					if r["Type"] != typ {
						t.Errorf("%s is %v, want %s", id, r["Type"], typ)
					}
				}
				l, _ := res["Listener"].(map[string]any)
				if p, _ := l["Properties"].(map[string]any); p["Protocol"] != "TLS" {
					t.Errorf("listener %v", l)
				}
				if !strings.Contains(string(raw), "--transport http") {
					t.Error("no Claude Code HTTP client check")
				}
			}},
		{name: "stream_guidance stream_mcp_hosting terraform with OAuth", tool: "stream_guidance",
			args: args("terraform", map[string]any{"auth_issuer": "https://idp.example.com", "auth_audience": "stream-mcp"}),
			check: func(t *testing.T, raw json.RawMessage) {
				var out struct {
					Artifacts []struct{ Name, Content string }
				}
				if err := json.Unmarshal(raw, &out); err != nil || len(out.Artifacts) != 1 {
					t.Fatalf("artifacts: %v %s", err, raw)
				}
				c := out.Artifacts[0].Content
				if _, diags := hclsyntax.ParseConfig([]byte(c), "hosting.tf", hcl.InitialPos); diags.HasErrors() {
					t.Fatalf("terraform does not parse: %v", diags)
				}
				for _, want := range []string{`resource "aws_lb_listener" "tls"`, "--auth-issuer", `internal`} {
					if !strings.Contains(c, want) {
						t.Errorf("terraform lacks %s", want)
					}
				}
			}},
		{name: "stream_guidance stream_mcp_hosting without auth", tool: "stream_guidance", wantError: true, errorContains: "token_secret_arn",
			args: args("", nil)},
	}
}
