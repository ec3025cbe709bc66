package cfntemplate

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// TestMoreResourceTypes: MSK configurations (ServerProperties parsed),
// Serverless clusters (IAM only, VpcConfigs at creation), Firehose streams
// (type vs source configuration, one destination), and unknown types
// listed as not checked instead of counted as valid.
func TestMoreResourceTypes(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	tests := []struct {
		name, tpl    string
		rule, field  string
		sev          rules.Severity
		notChecked   int
		wantNoIssues bool
	}{
		{name: "msk configuration bad isr", tpl: `
Resources:
  Cfg:
    Type: AWS::MSK::Configuration
    Properties:
      Name: c
      KafkaVersionsList: ["3.8.x"]
      ServerProperties: |
        auto.create.topics.enable=true
        min.insync.replicas=1
`, rule: "msk_cluster.config.auto_create_topics", field: "Resources.Cfg.Properties.ServerProperties.auto.create.topics.enable", sev: rules.Warning},
		{name: "serverless without IAM", tpl: `
Resources:
  Sl:
    Type: AWS::MSK::ServerlessCluster
    Properties:
      ClusterName: s
      ClientAuthentication: {Sasl: {Iam: {Enabled: false}}}
      VpcConfigs: [{SubnetIds: [subnet-1, subnet-2]}]
`, rule: "msk.serverless.auth", field: "Resources.Sl.Properties.ClientAuthentication", sev: rules.Error},
		{name: "serverless one subnet", tpl: `
Resources:
  Sl:
    Type: AWS::MSK::ServerlessCluster
    Properties:
      ClusterName: s
      ClientAuthentication: {Sasl: {Iam: {Enabled: true}}}
      VpcConfigs: [{SubnetIds: [subnet-1]}]
`, rule: "guidance_esm.vpc.min_azs", field: "Resources.Sl.Properties.VpcConfigs[0].SubnetIds", sev: rules.Warning},
		{name: "serverless fine", tpl: `
Resources:
  Sl:
    Type: AWS::MSK::ServerlessCluster
    Properties:
      ClusterName: s
      ClientAuthentication: {Sasl: {Iam: {Enabled: true}}}
      VpcConfigs: [{SubnetIds: [subnet-1, subnet-2]}]
`, wantNoIssues: true},
		{name: "only unknown types", tpl: `
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties: {}
`, rule: "cfn.resource.not_checked", field: "Resources", sev: rules.Warning, notChecked: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := Validate(tc.tpl, b)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.NotChecked) != tc.notChecked {
				t.Errorf("not checked %+v, want %d", res.NotChecked, tc.notChecked)
			}
			if tc.wantNoIssues {
				for _, v := range res.Violations {
					if v.Severity != rules.Info {
						t.Errorf("unexpected %+v", v)
					}
				}
				return
			}
			for _, v := range res.Violations {
				if v.RuleID == tc.rule && strings.HasPrefix(v.Field, tc.field) && v.Severity == tc.sev {
					return
				}
			}
			t.Fatalf("no %s %s on %s in %+v", tc.sev, tc.rule, tc.field, res.Violations)
		})
	}
}
