package guide_test

import (
	"errors"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Every caller-supplied value that reaches an artifact is validated: a
// hostile value in any field is rejected with iac.ErrInvalid, whatever the
// guidance type, so nothing is ever rendered from it.
func TestHostileInputsRejectedEverywhere(t *testing.T) {
	t.Parallel()
	e := load(t)
	hostile := []string{`a"b`, "a\nb", "${AWS::Region}", "a'b", "$(id)", "a;b", "a b", "{}", "a: b", "`id`"}
	fields := map[string]func(r *guide.Request, v string){
		"subnet_ids":         func(r *guide.Request, v string) { r.SubnetIDs = []string{"subnet-" + v} },
		"security_group_ids": func(r *guide.Request, v string) { r.SecurityGroupIDs = []string{"sg-" + v} },
		"bootstrap_servers":  func(r *guide.Request, v string) { r.BootstrapServers = []string{"b-1.example.com" + v + ":9096"} },
		"secret_arn":         func(r *guide.Request, v string) { r.SecretArn = secret + v },
		"kms_key_arns": func(r *guide.Request, v string) {
			r.KMSKeyArns = []string{"arn:aws:kms:us-east-1:" + acct + ":key/" + v}
		},
		"schema_registry": func(r *guide.Request, v string) {
			r.SchemaRegistryArn = "arn:aws:glue:us-east-1:" + acct + ":registry/" + v
		},
		"on_failure":     func(r *guide.Request, v string) { r.OnFailureDestination = "arn:aws:sqs:us-east-1:" + acct + ":" + v },
		"topic":          func(r *guide.Request, v string) { r.Topic = v },
		"group_id":       func(r *guide.Request, v string) { r.ConsumerGroupID = v },
		"function_name":  func(r *guide.Request, v string) { r.FunctionName = "orders" + v },
		"region":         func(r *guide.Request, v string) { r.Region = "us-east-1" + v },
		"client_account": func(r *guide.Request, v string) { r.ClientAccount = "4444" + v },
	}
	sources := map[string]iac.Source{"subnet_ids": iac.SourceSelfManagedKafka, "bootstrap_servers": iac.SourceSelfManagedKafka}
	for field, set := range fields {
		for _, v := range hostile {
			src := iac.SourceMSK
			if s, ok := sources[field]; ok {
				src = s
			}
			base := requests()[src]
			v := "ZQ" + v // a marker no generated text contains
			for _, typ := range []string{guide.TypeSetup, guide.TypeNetworking, guide.TypePermissions, guide.TypeTroubleshooting} {
				r := base
				r.Type = typ
				r.SubnetIDs = append([]string(nil), base.SubnetIDs...)
				r.SecurityGroupIDs = append([]string(nil), base.SecurityGroupIDs...)
				set(&r, v)
				if _, err := e.Guide(r); !errors.Is(err, iac.ErrInvalid) {
					t.Errorf("%s=%q (%s): want ErrInvalid, got %v", field, v, typ, err)
				}
			}
		}
	}
}
