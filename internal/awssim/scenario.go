package awssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/testdata/scenarios"
)

// Scenario is one simulated AWS account. Section keys are snake_case;
// resource fields use the AWS API member names of the response that carries
// them (PascalCase for Lambda, EC2, IAM, SQS, Secrets Manager; camelCase for
// MSK and CloudWatch Logs, as those APIs do).
type Scenario struct {
	// Name is the scenario's short name (the file name without .yaml).
	Name string `yaml:"name"`
	// Description says what the scenario shows and what a correct diagnosis
	// finds.
	Description string `yaml:"description"`
	// Account is the 12-digit account ID (default 123456789012).
	Account string `yaml:"account"`
	// Region is the simulated Region (default us-east-1).
	Region string `yaml:"region"`
	// CallerARN is what STS GetCallerIdentity returns.
	CallerARN string `yaml:"caller_arn"`

	Functions           []Function           `yaml:"functions"`
	EventSourceMappings []EventSourceMapping `yaml:"event_source_mappings"`
	MSK                 MSKState             `yaml:"msk"`
	EC2                 EC2State             `yaml:"ec2"`
	IAM                 IAMState             `yaml:"iam"`
	SQS                 []Queue              `yaml:"sqs_queues"`
	Secrets             []Secret             `yaml:"secrets"`
	Logs                []LogGroup           `yaml:"log_groups"`
	// Kinesis and Metrics are defined in kinesis.go and cloudwatch.go.
	Kinesis KinesisState `yaml:"kinesis"`
	Metrics MetricsState `yaml:"metrics"`

	LambdaAccount LambdaAccount   `yaml:"lambda_account"`
	CloudTrail    CloudTrailState `yaml:"cloudtrail"`
	KMS           KMSState        `yaml:"kms"`
	DynamoDB      DynamoDBState   `yaml:"dynamodb"`
	SNS           SNSState        `yaml:"sns"`
	S3            S3State         `yaml:"s3"`
	OSIS          OSISState       `yaml:"osis"`
	Firehose      FirehoseState   `yaml:"firehose"`

	Faults []Fault `yaml:"faults"`
}

// Timestamp is a point in time written in a scenario as RFC 3339. It
// renders as epoch seconds in JSON, which is what the REST-JSON and JSON
// protocols expect for members without a timestamp format trait.
type Timestamp struct{ time.Time }

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000)), nil
}

// IsZero reports whether no time was set (used by omitempty/omitzero).
func (t Timestamp) IsZero() bool { return t.Time.IsZero() }

// Duration is a Go duration written as a string ("100ms", "2s").
type Duration struct{ time.Duration }

// UnmarshalYAML parses "100ms"-style strings.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: duration %q: %w", n.Line, n.Value, err)
	}
	d.Duration = v
	return nil
}

// Fault injects an error or latency into matching calls.
type Fault struct {
	// Service is the signing name (lambda, kafka, ec2, iam, sts, sqs,
	// secretsmanager, logs, kinesis, monitoring) or "*" / "" for any.
	Service string `yaml:"service"`
	// Operation is the API operation name or "*" / "" for any.
	Operation string `yaml:"operation"`
	// Error is one of access_denied, throttling, server_error, unavailable,
	// not_found; empty for latency only.
	Error string `yaml:"error"`
	// Message overrides the default error message.
	Message string `yaml:"message"`
	// Latency delays the answer (before any error).
	Latency Duration `yaml:"latency"`
	// Count applies the fault to the first Count matching calls only; 0
	// means every call.
	Count int `yaml:"count"`
}

// FaultKinds are the accepted values of Fault.Error.
var faultKinds = []string{"", "access_denied", "throttling", "server_error", "unavailable", "not_found"}

// FaultKinds returns the accepted values of Fault.Error ("" = latency only).
func FaultKinds() []string { return append([]string(nil), faultKinds...) }

// Load returns the scenario named nameOrFile: a path to a YAML file when one
// exists there (or the argument ends in .yaml/.yml), otherwise the embedded
// scenario of that name. The error lists the embedded names when none match.
func Load(nameOrFile string) (*Scenario, error) {
	if strings.HasSuffix(nameOrFile, ".yaml") || strings.HasSuffix(nameOrFile, ".yml") || strings.ContainsRune(nameOrFile, os.PathSeparator) {
		raw, err := os.ReadFile(nameOrFile)
		if err == nil {
			name := strings.TrimSuffix(strings.TrimSuffix(path.Base(strings.ReplaceAll(nameOrFile, string(os.PathSeparator), "/")), ".yaml"), ".yml")
			return parse(name, raw, filepath.Dir(nameOrFile))
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("scenario %s: %w", nameOrFile, err)
		}
	}
	raw, err := embeddedScenario(nameOrFile)
	if err != nil {
		return nil, fmt.Errorf("scenario %q: %w", nameOrFile, err)
	}
	return Parse(nameOrFile, raw)
}

// embeddedScenario reads an embedded scenario by name.
func embeddedScenario(name string) ([]byte, error) {
	raw, err := fs.ReadFile(scenarios.FS, name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("no such file and no embedded scenario of that name (embedded: %s)", strings.Join(Names(), ", "))
	}
	return raw, nil
}

// Names lists the embedded scenarios, sorted.
func Names() []string {
	ents, err := fs.ReadDir(scenarios.FS, ".")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Parse decodes and checks one scenario. Unknown keys are errors, so a typo
// in a scenario fails loudly instead of silently dropping state.
func Parse(name string, raw []byte) (*Scenario, error) {
	return parse(name, raw, "")
}

// parse is Parse with the directory a relative `extends` path starts from.
func parse(name string, raw []byte, dir string) (*Scenario, error) {
	raw, err := resolveExtends(raw, dir, 0)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	if sc.Name == "" {
		sc.Name = name
	}
	if sc.Account == "" {
		sc.Account = "123456789012"
	}
	if sc.Region == "" {
		sc.Region = "us-east-1"
	}
	if sc.CallerARN == "" {
		sc.CallerARN = "arn:aws:iam::" + sc.Account + ":user/simulated"
	}
	if err := sc.check(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	return &sc, nil
}

func (sc *Scenario) check() error {
	for i, f := range sc.Faults {
		known := false
		for _, k := range faultKinds {
			known = known || f.Error == k
		}
		if !known {
			return fmt.Errorf("faults[%d].error %q: want one of %s", i, f.Error, strings.Join(faultKinds[1:], ", "))
		}
	}
	seen := map[string]bool{}
	for i, m := range sc.EventSourceMappings {
		if m.UUID == "" {
			return fmt.Errorf("event_source_mappings[%d]: UUID is required", i)
		}
		if seen[m.UUID] {
			return fmt.Errorf("event_source_mappings[%d]: duplicate UUID %s", i, m.UUID)
		}
		seen[m.UUID] = true
		if m.FunctionArn == "" {
			return fmt.Errorf("event_source_mappings[%d]: FunctionArn is required", i)
		}
	}
	for i, f := range sc.Functions {
		if f.FunctionName == "" {
			return fmt.Errorf("functions[%d]: FunctionName is required", i)
		}
	}
	for i, c := range sc.MSK.Clusters {
		if c.ClusterArn == "" {
			return fmt.Errorf("msk.clusters[%d]: clusterArn is required", i)
		}
		if c.ClusterType == "SERVERLESS" && len(c.Topics) > 0 {
			return fmt.Errorf("msk.clusters[%d].topics: the MSK topic API does not serve Serverless clusters, so these would never be answered; remove them", i)
		}
	}
	return sc.checkExtensions()
}

// Clone returns a deep copy, so a server can change state (for example
// UpdateEventSourceMapping) without touching the caller's scenario.
func (sc *Scenario) Clone() (*Scenario, error) {
	raw, err := yaml.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("clone scenario: %w", err)
	}
	var out Scenario
	if err := yaml.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("clone scenario: %w", err)
	}
	return &out, nil
}

// MarshalYAML keeps Timestamp round-trippable through Clone.
func (t Timestamp) MarshalYAML() (any, error) {
	if t.Time.IsZero() {
		return nil, nil
	}
	return t.Time, nil
}

// UnmarshalYAML accepts an RFC 3339 timestamp, or a time relative to when
// the scenario is loaded: "now", "now-90m", "now-2h30m", "now+5m" (Go
// duration syntax), so a scenario keeps its meaning on any day.
func (t *Timestamp) UnmarshalYAML(n *yaml.Node) error {
	if rel, ok := strings.CutPrefix(n.Value, "now"); ok && n.Kind == yaml.ScalarNode {
		at, err := relativeTime(rel, time.Now())
		if err != nil {
			return fmt.Errorf("line %d: time %q: %w", n.Line, n.Value, err)
		}
		t.Time = at
		return nil
	}
	return n.Decode(&t.Time)
}

// relativeTime reads the part after "now": "", "-2h", "+5m".
func relativeTime(rel string, now time.Time) (time.Time, error) {
	now = now.UTC().Truncate(time.Second)
	if rel == "" {
		return now, nil
	}
	if rel[0] != '-' && rel[0] != '+' {
		return time.Time{}, errors.New(`want "now", "now-DURATION" or "now+DURATION" (for example now-2h30m)`)
	}
	d, err := time.ParseDuration(rel)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(d), nil
}

// MarshalYAML keeps Duration round-trippable through Clone.
func (d Duration) MarshalYAML() (any, error) { return d.Duration.String(), nil }

// rawJSON renders a YAML-decoded value (maps, lists, scalars) as compact
// JSON, for policy documents written as YAML objects.
func rawJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// checkExtensions validates the sections owned by other files.
func (sc *Scenario) checkExtensions() error {
	if err := sc.Kinesis.check(sc); err != nil {
		return err
	}
	if err := sc.CloudTrail.check(); err != nil {
		return err
	}
	if err := sc.KMS.check(); err != nil {
		return err
	}
	if err := sc.DynamoDB.check(); err != nil {
		return err
	}
	if err := sc.SNS.check(); err != nil {
		return err
	}
	if err := sc.S3.check(); err != nil {
		return err
	}
	return sc.Metrics.check(sc)
}
