package iac_test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
)

const (
	clusterARN = "arn:aws:kafka:us-east-1:123456789012:cluster/prod/2a3b4c5d-1234-5678-9abc-def012345678-3"
	clusterUID = "2a3b4c5d-1234-5678-9abc-def012345678-3"
)

// fullESMs is one mapping per source with every field that applies set.
func fullESMs() map[string]iac.ESM {
	dest := &iac.DestinationConfig{OnFailure: &iac.OnFailure{Destination: "arn:aws:sqs:us-east-1:123456789012:failed"}}
	filters := &iac.FilterCriteria{Filters: []iac.Filter{{Pattern: `{"data":{"type":["order"]}}`}}}
	rbif := []string{"ReportBatchItemFailures"}
	return map[string]iac.ESM{
		"kinesis": {Source: iac.SourceKinesis, FunctionName: "orders", EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
			StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: ptrF(1.7e9), BatchSize: iac.Int(500), MaximumBatchingWindowInSeconds: iac.Int(1),
			ParallelizationFactor: iac.Int(4), MaximumRetryAttempts: iac.Int(3), MaximumRecordAgeInSeconds: iac.Int(3600),
			BisectBatchOnFunctionError: iac.Bool(true), TumblingWindowInSeconds: iac.Int(60), FunctionResponseTypes: rbif,
			DestinationConfig: dest, FilterCriteria: filters, Enabled: iac.Bool(true),
			KMSKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", MetricsConfig: &iac.MetricsConfig{Metrics: []string{"EventCount"}}},
		"dynamodb": {Source: iac.SourceDynamoDB, FunctionName: "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:orders:live",
			EventSourceArn:   "arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000",
			StartingPosition: "LATEST", BatchSize: iac.Int(100), ParallelizationFactor: iac.Int(2), BisectBatchOnFunctionError: iac.Bool(true),
			FunctionResponseTypes: rbif, DestinationConfig: dest},
		"sqs": {Source: iac.SourceSQS, FunctionName: "orders", EventSourceArn: "arn:aws-cn:sqs:cn-north-1:123456789012:orders",
			BatchSize: iac.Int(100), MaximumBatchingWindowInSeconds: iac.Int(5), ScalingConfig: &iac.ScalingConfig{MaximumConcurrency: iac.Int(50)},
			FunctionResponseTypes: rbif, FilterCriteria: filters},
		"sqs_fifo": {Source: iac.SourceSQSFIFO, FunctionName: "orders", EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
			BatchSize: iac.Int(10), FunctionResponseTypes: rbif, ProvisionedPollerConfig: &iac.ProvisionedPollerConfig{MinimumPollers: iac.Int(2), MaximumPollers: iac.Int(20)}},
		"msk": {Source: iac.SourceMSK, FunctionName: "orders", EventSourceArn: clusterARN, Topics: []string{"orders"}, StartingPosition: "TRIM_HORIZON",
			BatchSize: iac.Int(500), MaximumBatchingWindowInSeconds: iac.Int(1), FunctionResponseTypes: rbif, MaximumRetryAttempts: iac.Int(5),
			BisectBatchOnFunctionError: iac.Bool(true), DestinationConfig: &iac.DestinationConfig{OnFailure: &iac.OnFailure{Destination: "kafka://orders-dlq"}},
			ProvisionedPollerConfig:             &iac.ProvisionedPollerConfig{MinimumPollers: iac.Int(1), MaximumPollers: iac.Int(10)},
			AmazonManagedKafkaEventSourceConfig: &iac.KafkaEventSourceConfig{ConsumerGroupId: "orders-fn"},
			SourceAccessConfigurations:          []iac.SourceAccessConfiguration{{Type: "SASL_SCRAM_512_AUTH", URI: "arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_orders-AbCdEf"}}},
		"self_managed_kafka": {Source: iac.SourceSelfManagedKafka, FunctionName: "orders", Topics: []string{"orders"}, StartingPosition: "LATEST",
			SelfManagedEventSource:            &iac.SelfManagedEventSource{Endpoints: map[string][]string{"KAFKA_BOOTSTRAP_SERVERS": {"b-1.kafka.example.com:9096", "b-2.kafka.example.com:9096"}}},
			SelfManagedKafkaEventSourceConfig: &iac.KafkaEventSourceConfig{ConsumerGroupId: "orders-fn"},
			SourceAccessConfigurations: []iac.SourceAccessConfiguration{{Type: "SASL_SCRAM_512_AUTH", URI: "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf"},
				{Type: "VPC_SUBNET", URI: "subnet:subnet-0123456789abcdef0"}, {Type: "VPC_SECURITY_GROUP", URI: "security_group:sg-0123456789abcdef0"}}},
	}
}

func ptrF(v float64) *float64 { return &v }

func TestRenderESMMatchesSchemas(t *testing.T) {
	t.Parallel()
	spec := iactest.LoadSpec(t)
	for name, m := range fullESMs() {
		for _, f := range []iac.Format{iac.FormatCloudFormation, iac.FormatSAM, iac.FormatTerraform} {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				a, err := iac.RenderESM(m, f)
				if err != nil {
					t.Fatal(err)
				}
				if f == iac.FormatTerraform {
					if got := iactest.CheckTerraform(t, a.Content); len(got) != 1 || got[0] != "aws_lambda_event_source_mapping" {
						t.Errorf("resources %v", got)
					}
					return
				}
				spec.CheckTemplate(t, a.Content)
			})
		}
	}
}

// The Terraform checks must not depend on the npm package.
func TestRenderESMTerraformArguments(t *testing.T) {
	t.Parallel()
	for name, m := range fullESMs() {
		a, err := iac.RenderESM(m, iac.FormatTerraform)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		iactest.CheckTerraform(t, a.Content)
	}
}

// The SAM format falls back to a native resource when a field cannot be a
// SAM event property (KMSKeyArn on the Kinesis mapping).
func TestRenderESMSAMFallback(t *testing.T) {
	t.Parallel()
	a, err := iac.RenderESM(fullESMs()["kinesis"], iac.FormatSAM)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Content, "AWS::Lambda::EventSourceMapping") || len(a.Notes) == 0 {
		t.Errorf("want a native resource with a note, got %s %v", a.Content, a.Notes)
	}
	a, err = iac.RenderESM(fullESMs()["msk"], iac.FormatSAM)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Content, "Type: MSK") || !strings.Contains(a.Content, "Stream: "+clusterARN) {
		t.Errorf("want an MSK event, got %s", a.Content)
	}
}

// Regression for the anchor's injection: a crafted function name appended an
// Allow * on * statement to a "security-approved" policy. Every hostile
// value is rejected with ErrInvalid before anything is rendered.
func TestRenderESMRejectsHostileValues(t *testing.T) {
	t.Parallel()
	hostile := []string{
		`x"}]},{"Effect":"Allow","Action":"*","Resource":"*`,
		"orders\nResources:\n  Evil:",
		"orders'; rm -rf / #",
		"${AWS::AccountId}",
		"orders$(id)",
		"orders`id`",
		"a: b",
		"{orders}",
		"orders\x00",
		"órders",
		"",
	}
	mutate := map[string]func(*iac.ESM, string){
		"FunctionName":   func(m *iac.ESM, v string) { m.FunctionName = v },
		"EventSourceArn": func(m *iac.ESM, v string) { m.EventSourceArn = v },
		"ArnResource": func(m *iac.ESM, v string) {
			m.EventSourceArn = "arn:aws:kafka:us-east-1:123456789012:cluster/" + v + "/uuid"
		},
		"Topic":           func(m *iac.ESM, v string) { m.Topics = []string{v} },
		"ConsumerGroupId": func(m *iac.ESM, v string) { m.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId = v + "x" },
		"Destination":     func(m *iac.ESM, v string) { m.DestinationConfig.OnFailure.Destination = "kafka://" + v },
		"SecretURI": func(m *iac.ESM, v string) {
			m.SourceAccessConfigurations[0].URI = "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + v
		},
		"StartingPosition": func(m *iac.ESM, v string) { m.StartingPosition = v },
	}
	for field, set := range mutate {
		for _, v := range hostile {
			if field == "ConsumerGroupId" && v == "" {
				continue // "" + "x" is a valid group
			}
			m := fullESMs()["msk"]
			cfg := *m.AmazonManagedKafkaEventSourceConfig
			m.AmazonManagedKafkaEventSourceConfig = &cfg
			m.SourceAccessConfigurations = append([]iac.SourceAccessConfiguration(nil), m.SourceAccessConfigurations...)
			d := *m.DestinationConfig.OnFailure
			m.DestinationConfig = &iac.DestinationConfig{OnFailure: &d}
			set(&m, v)
			for _, f := range []iac.Format{iac.FormatCloudFormation, iac.FormatSAM, iac.FormatTerraform} {
				if _, err := iac.RenderESM(m, f); !errors.Is(err, iac.ErrInvalid) {
					t.Errorf("%s=%q (%s): want ErrInvalid, got %v", field, v, f, err)
				} else if strings.ContainsAny(err.Error(), "\n\x00") {
					t.Errorf("%s: error message carries raw control characters: %q", field, err.Error())
				}
			}
		}
	}
}

// Free text that is legitimately rich (a filter pattern is JSON) is encoded
// by the serializers, never interpreted: it round-trips exactly through the
// YAML and the HCL we emit, "${" included.
func TestFilterPatternIsEncodedNotInterpreted(t *testing.T) {
	t.Parallel()
	pattern := `{"data":{"note":["${AWS::AccountId}","%{if x}","it's \"quoted\"","a: b","- c","#d","$(id)"]}}`
	m := fullESMs()["sqs"]
	m.FilterCriteria = &iac.FilterCriteria{Filters: []iac.Filter{{Pattern: pattern}}}
	a, err := iac.RenderESM(m, iac.FormatCloudFormation)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct {
			Properties struct {
				FilterCriteria struct {
					Filters []struct {
						Pattern string `yaml:"Pattern"`
					} `yaml:"Filters"`
				} `yaml:"FilterCriteria"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(a.Content), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Resources[iac.ESMLogicalID].Properties.FilterCriteria.Filters[0].Pattern; got != pattern {
		t.Errorf("YAML round trip: got %q", got)
	}
	tf, err := iac.RenderESM(m, iac.FormatTerraform)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig([]byte(tf.Content), "x.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	criteria := f.Body.(*hclsyntax.Body).Blocks[0].Body.Blocks[0] // resource > filter_criteria
	if criteria.Type != "filter_criteria" {
		t.Fatalf("first block is %s", criteria.Type)
	}
	filter := criteria.Body.Blocks[0]
	v, diags := filter.Body.Attributes["pattern"].Expr.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("pattern is not a literal (was it interpolated?): %v", diags)
	}
	if v.AsString() != pattern {
		t.Errorf("HCL round trip: got %q", v.AsString())
	}
}

func TestValidateSourceARN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		source iac.Source
		arn    string
		ok     bool
	}{
		{"govcloud kinesis", iac.SourceKinesis, "arn:aws-us-gov:kinesis:us-gov-east-1:123456789012:stream/s", true},
		{"china sqs", iac.SourceSQS, "arn:aws-cn:sqs:cn-northwest-1:123456789012:q", true},
		{"efo consumer", iac.SourceKinesis, "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000", true},
		{"fifo needs sqs_fifo", iac.SourceSQS, "arn:aws:sqs:us-east-1:123456789012:q.fifo", false},
		{"fifo ok", iac.SourceSQSFIFO, "arn:aws:sqs:us-east-1:123456789012:q.fifo", true},
		{"fifo source standard queue", iac.SourceSQSFIFO, "arn:aws:sqs:us-east-1:123456789012:q", false},
		{"partition mismatch", iac.SourceSQS, "arn:aws:sqs:cn-north-1:123456789012:q", false},
		{"gov region in aws", iac.SourceSQS, "arn:aws:sqs:us-gov-west-1:123456789012:q", false},
		{"iso-f region", iac.SourceSQS, "arn:aws-iso-f:sqs:us-isof-south-1:123456789012:q", true},
		{"iso-e region in aws", iac.SourceSQS, "arn:aws:sqs:eu-isoe-west-1:123456789012:q", false},
		{"no region", iac.SourceSQS, "arn:aws:sqs::123456789012:q", false},
		{"wildcard queue", iac.SourceSQS, "arn:aws:sqs:us-east-1:123456789012:*", false},
		{"ddb label wildcard", iac.SourceDynamoDB, "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-*", false},
		{"unknown partition", iac.SourceSQS, "arn:whatever:sqs:us-east-1:123456789012:q", false},
		{"short account", iac.SourceSQS, "arn:aws:sqs:us-east-1:1234:q", false},
		{"wrong service", iac.SourceMSK, "arn:aws:sqs:us-east-1:123456789012:q", false},
		{"msk vpc connection", iac.SourceMSK, "arn:aws:kafka:us-east-1:111122223333:vpc-connection/444455556666/my-cluster/51jn98b4-0a61-46cc-b0a6-61g9a3d797d5-7", true},
		{"msk without uuid", iac.SourceMSK, "arn:aws:kafka:us-east-1:123456789012:cluster/prod", false},
		{"ddb table not stream", iac.SourceDynamoDB, "arn:aws:dynamodb:us-east-1:123456789012:table/T", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := iac.ValidateSourceARN(tc.source, tc.arn)
			if (err == nil) != tc.ok {
				t.Errorf("ValidateSourceARN(%s, %s) = %v, want ok=%v", tc.source, tc.arn, err, tc.ok)
			}
		})
	}
}

func TestFieldApplicability(t *testing.T) {
	t.Parallel()
	m := fullESMs()["sqs"]
	m.ParallelizationFactor = iac.Int(2)
	if _, err := iac.RenderESM(m, iac.FormatCloudFormation); !errors.Is(err, iac.ErrInvalid) || !strings.Contains(err.Error(), "ParallelizationFactor") {
		t.Errorf("ParallelizationFactor on SQS: %v", err)
	}
	f := fullESMs()["sqs_fifo"]
	f.MaximumBatchingWindowInSeconds = iac.Int(1)
	if _, err := iac.RenderESM(f, iac.FormatCloudFormation); !errors.Is(err, iac.ErrInvalid) {
		t.Errorf("batching window on FIFO: %v", err)
	}
	k := fullESMs()["msk"]
	k.Topics = []string{"a", "b"}
	if _, err := iac.RenderESM(k, iac.FormatCloudFormation); !errors.Is(err, iac.ErrInvalid) {
		t.Errorf("two topics: %v", err)
	}
}

// The ESM model takes the Lambda API's own JSON, as GetEventSourceMapping
// returns it.
func TestESMUnmarshalsAPIJSON(t *testing.T) {
	t.Parallel()
	raw := `{"FunctionName":"orders","EventSourceArn":"` + clusterARN + `","Topics":["orders"],"StartingPosition":"LATEST",
	"BatchSize":100,"ProvisionedPollerConfig":{"MinimumPollers":1,"MaximumPollers":4},"KMSKeyArn":""}`
	var m iac.ESM
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	m.Source = iac.SourceMSK
	a, err := iac.RenderESM(m, iac.FormatCloudFormation)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Content, "MaximumPollers: 4") {
		t.Errorf("%s", a.Content)
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, v := range []string{"", "plain", "it's", `"$(id)"`, "`id`", "a b\nc", "; rm -rf /", "${HOME}", `\'`} {
		out, err := exec.Command("bash", "-c", "printf %s "+iac.ShellQuote(v)).Output()
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if string(out) != v {
			t.Errorf("ShellQuote(%q) printed %q", v, out)
		}
	}
}
