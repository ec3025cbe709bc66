package guide_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/repopath"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

const (
	acct   = "123456789012"
	fnARN  = "arn:aws:lambda:us-east-1:" + acct + ":function:orders"
	msk    = "arn:aws:kafka:us-east-1:" + acct + ":cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"
	secret = "arn:aws:secretsmanager:us-east-1:" + acct + ":secret:kafka-orders-AbCdEf"
)

// requests is one realistic, complete request per source.
func requests() map[iac.Source]guide.Request {
	return map[iac.Source]guide.Request{
		iac.SourceKinesis: {Source: iac.SourceKinesis, FunctionName: fnARN, EventSourceArn: "arn:aws:kinesis:us-east-1:" + acct + ":stream/orders",
			OnFailureDestination: "arn:aws:sqs:us-east-1:" + acct + ":orders-failed", KMSKeyArns: []string{"arn:aws:kms:us-east-1:" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		iac.SourceDynamoDB: {Source: iac.SourceDynamoDB, FunctionName: fnARN, EventSourceArn: "arn:aws:dynamodb:us-east-1:" + acct + ":table/Orders/stream/2024-01-01T00:00:00.000",
			OnFailureDestination: "arn:aws:sns:us-east-1:" + acct + ":orders-failed"},
		iac.SourceSQS:     {Source: iac.SourceSQS, FunctionName: fnARN, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":orders"},
		iac.SourceSQSFIFO: {Source: iac.SourceSQSFIFO, FunctionName: fnARN, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":orders.fifo", PollerMode: guide.ModeProvisioned},
		iac.SourceMSK: {Source: iac.SourceMSK, FunctionName: fnARN, EventSourceArn: msk, Topic: "orders", ConsumerGroupID: "orders-fn",
			Auth: iac.AuthIAM, PollerMode: guide.ModeProvisioned, SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, ClientAccount: "444455556666",
			OnFailureDestination: "kafka://orders-dlq", SchemaRegistryArn: "arn:aws:glue:us-east-1:" + acct + ":registry/orders"},
		iac.SourceSelfManagedKafka: {Source: iac.SourceSelfManagedKafka, FunctionName: fnARN, BootstrapServers: []string{"b-1.kafka.example.com:9096", "b-2.kafka.example.com:9096"},
			Topic: "orders", Auth: iac.AuthSCRAM512, SecretArn: secret, SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			SecurityGroupIDs: []string{"sg-0123456789abcdef1"}, OnFailureDestination: "arn:aws:s3:::orders-failed"},
	}
}

func load(t *testing.T) *guide.Engine {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return guide.New(b)
}

// TestGolden renders every source × guidance type × format, checks every
// artifact (CloudFormation/SAM against the resource schemas, Terraform
// against its argument table, policies against the IAM grammar, scripts
// with bash -n) and compares the whole answer with
// testdata/golden/esm_guidance/<source>_<type>_<format>.json
// (UPDATE_GOLDEN=1 rewrites them).
func TestGolden(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := guide.New(b)
	spec := iactest.OptionalSpec(t) // nil without the npm package: the golden comparison still runs
	dir := repopath.Testdata("golden", "esm_guidance")
	type variant struct {
		typ   string
		stack bool
	}
	variants := []variant{{guide.TypeSetup, false}, {guide.TypeNetworking, false}, {guide.TypePermissions, false}, {guide.TypeTroubleshooting, false}, {guide.TypeSetup, true}}
	for src, base := range requests() {
		for _, v := range variants {
			for _, f := range []iac.Format{iac.FormatSAM, iac.FormatCloudFormation, iac.FormatTerraform} {
				name := string(src) + "_" + v.typ + "_" + string(f)
				if v.stack {
					name = string(src) + "_setup-stack_" + string(f)
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					r := base
					r.Type, r.Format = v.typ, f
					if v.stack {
						// a new function (and, for SQS and Kinesis, a new source) in one deployable stack
						r.CreateFunction, r.CreateSource, r.FunctionTimeoutSeconds = true, true, iacInt(30)
						r.FunctionName = "orders"
					}
					res, err := e.Guide(r)
					if err != nil {
						t.Fatal(err)
					}
					checkArtifacts(t, b, spec, res.Artifacts)
					checkToolNames(t, res)
					got, err := json.MarshalIndent(res, "", "  ")
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, '\n')
					path := filepath.Join(dir, name+".json")
					if os.Getenv("UPDATE_GOLDEN") == "1" {
						if err := os.MkdirAll(dir, 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(path, got, 0o644); err != nil {
							t.Fatal(err)
						}
						return
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("%v (run with UPDATE_GOLDEN=1)", err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
					}
				})
			}
		}
	}
}

func iacInt(v int) *int { return &v }

func checkArtifacts(t *testing.T, b *guidance.Base, spec *iactest.Spec, arts []iac.Artifact) {
	t.Helper()
	for _, a := range arts {
		if a.Kind == iac.KindIaC || a.Kind == iac.KindSecurityGroupRules {
			checkOurValidator(t, b, a)
		}
		switch {
		case a.Kind == iac.KindIAMPolicy:
			iactest.CheckPolicy(t, a.Content, strings.Contains(a.Name, "cluster-policy"))
		case a.Kind == iac.KindScript:
			iactest.CheckScript(t, a.Content)
		case a.Format == string(iac.FormatTerraform):
			iactest.CheckTerraform(t, a.Content)
		case spec != nil:
			spec.CheckTemplate(t, a.Content)
		}
	}
}

// checkOurValidator runs validate_config kind=template's validator over a
// CloudFormation or SAM artifact; a SAM Events fragment is checked inside a
// minimal function, as a user would paste it.
func checkOurValidator(t *testing.T, b *guidance.Base, a iac.Artifact) {
	t.Helper()
	if a.Format == string(iac.FormatTerraform) {
		return
	}
	text := a.Content
	if strings.HasPrefix(text, "Events:") {
		var ev map[string]any
		if err := yaml.Unmarshal([]byte(text), &ev); err != nil {
			t.Fatal(err)
		}
		doc := map[string]any{"Transform": "AWS::Serverless-2016-10-31", "Resources": map[string]any{"Fn": map[string]any{
			"Type": "AWS::Serverless::Function", "Properties": map[string]any{"Handler": "index.handler", "Runtime": "python3.13", "CodeUri": "src/", "Events": ev["Events"]}}}}
		raw, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		text = string(raw)
	}
	res, err := cfntemplate.Validate(text, b)
	if err != nil {
		t.Fatalf("%s: validate_config cannot read it: %v", a.Name, err)
	}
	for _, v := range res.Violations {
		// Known conflict, reported to the cfntemplate owner: the CloudFormation
		// schema (@aws-cdk/aws-service-spec, AWS::Lambda::EventSourceMapping
		// Endpoints) names the key KafkaBootstrapServers; the validator expects
		// the Lambda API's KAFKA_BOOTSTRAP_SERVERS inside templates.
		if v.RuleID == "esm.self_managed.endpoints.key" && strings.Contains(a.Content, "KafkaBootstrapServers:") {
			continue
		}
		if v.Severity == rules.Error {
			t.Errorf("%s: validate_config error %s at %s: %s", a.Name, v.RuleID, v.Field, v.Message)
		}
	}
}

// realTools are the tools the contract defines; guidance must not point at
// anything else (the anchor pointed at tools that did not exist).
var realTools = map[string]bool{"esm_guidance": true, "esm_optimize": true, "kafka_troubleshoot": true, "kafka_inspect": true,
	"esm_inspect": true, "kinesis_inspect": true, "sizing": true, "validate_config": true}

func checkToolNames(t *testing.T, r guide.Result) {
	t.Helper()
	for _, c := range r.Checks {
		if c.Tool != "" && !realTools[c.Tool] {
			t.Errorf("check names tool %q", c.Tool)
		}
	}
	for _, row := range r.Troubleshooting {
		if !realTools[row.Tool] {
			t.Errorf("row names tool %q", row.Tool)
		}
	}
}

func TestMSKGoldenCarriesClusterUUID(t *testing.T) {
	t.Parallel()
	e := load(t)
	r := requests()[iac.SourceMSK]
	r.Type = guide.TypePermissions
	res, err := e.Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	var policy string
	for _, a := range res.Artifacts {
		if a.Name == "execution-role-policy.json" {
			policy = a.Content
		}
	}
	for _, want := range []string{
		"arn:aws:kafka:us-east-1:" + acct + ":topic/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/orders",
		"arn:aws:kafka:us-east-1:" + acct + ":group/prod/2a3b4c5d-1234-5678-9abc-def012345678-3/orders-fn",
	} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy lacks %s:\n%s", want, policy)
		}
	}
}

func TestGuideValidation(t *testing.T) {
	t.Parallel()
	e := load(t)
	bad := []guide.Request{
		{Source: "kafka"},
		{Source: iac.SourceSQS, Type: "deploy"},
		{Source: iac.SourceKinesis, PollerMode: guide.ModeProvisioned},
		{Source: iac.SourceSQS, Auth: iac.AuthIAM},
		{Source: iac.SourceMSK, Auth: iac.AuthPlain},
		{Source: iac.SourceSelfManagedKafka, Auth: iac.AuthIAM},
		{Source: iac.SourceMSK, Auth: "iam\n- evil"},
		{Source: iac.SourceSQS, EventSourceArn: "arn:aws:sqs:us-east-1:" + acct + ":q.fifo"},
		{Source: iac.SourceMSK, FunctionName: "x\ny"},
		{Source: iac.SourceMSK, Topic: "a b"},
		{Source: iac.SourceMSK, Region: "mars-1"},
		{Source: iac.SourceMSK, OnFailureDestination: "kafka://dlq"}, // on-demand: a topic destination needs provisioned mode
	}
	for i, r := range bad {
		if _, err := e.Guide(r); !errors.Is(err, iac.ErrInvalid) {
			t.Errorf("case %d %+v: want ErrInvalid, got %v", i, r, err)
		}
	}
}

// Without ARNs the answer still explains, but generates no policy with
// placeholder or wildcard ARNs.
func TestNoPlaceholderArtifacts(t *testing.T) {
	t.Parallel()
	e := load(t)
	for _, src := range iac.Sources() {
		res, err := e.Guide(guide.Request{Source: src, Type: guide.TypeSetup})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Steps) == 0 {
			t.Errorf("%s: no steps", src)
		}
		for _, a := range res.Artifacts {
			if a.Kind == iac.KindIAMPolicy || a.Kind == iac.KindIaC {
				t.Errorf("%s: artifact %s generated without inputs", src, a.Name)
			}
		}
	}
}

func TestNetworkingDependsOnPollerMode(t *testing.T) {
	t.Parallel()
	e := load(t)
	r := requests()[iac.SourceMSK]
	r.Type, r.PollerMode, r.Auth = guide.TypeNetworking, guide.ModeOnDemand, iac.AuthSCRAM512
	r.SecretArn = secret
	r.OnFailureDestination = "arn:aws:sqs:us-east-1:" + acct + ":orders-failed" // kafka:// needs provisioned mode
	res, err := e.Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := json.Marshal(res)
	for _, want := range []string{"9096", "Secrets Manager", "NAT gateway", "Egress", "the failure destination (sqs)"} {
		if !strings.Contains(string(all), want) {
			t.Errorf("on-demand SCRAM networking lacks %q", want)
		}
	}
	r.PollerMode = guide.ModeProvisioned
	res, err = e.Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := json.Marshal(res); !strings.Contains(string(all), "443") || !strings.Contains(string(all), "VPC endpoint for the on-failure destination") {
		t.Error("provisioned mode with an SQS destination must keep HTTPS egress to the destination's endpoint")
	}
	r.OnFailureDestination = ""
	res, err = e.Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range res.Artifacts {
		if strings.Contains(a.Content, "443") {
			t.Errorf("provisioned mode without a destination still opens 443 egress:\n%s", a.Content)
		}
	}
}

func TestDepartures(t *testing.T) {
	t.Parallel()
	e := load(t)
	r := requests()[iac.SourceKinesis]
	r.Type = guide.TypeTroubleshooting
	r.Live = &iac.ESM{MaximumRetryAttempts: iac.Int(-1), Enabled: iac.Bool(false)}
	res, err := e.Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Departures) != 4 {
		t.Errorf("departures = %q", res.Departures)
	}
	r.Live = &iac.ESM{MaximumRetryAttempts: iac.Int(3), FunctionResponseTypes: []string{"ReportBatchItemFailures"},
		DestinationConfig: &iac.DestinationConfig{OnFailure: &iac.OnFailure{Destination: "arn:aws:sqs:us-east-1:" + acct + ":f"}}}
	res, err = e.Guide(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Departures) != 0 {
		t.Errorf("a mapping that follows the guidance departs: %q", res.Departures)
	}
}
