// Package iactest checks generated infrastructure code in tests: CloudFormation
// and SAM resources against the official CloudFormation resource schemas
// (the npm package @aws-cdk/aws-service-spec, installed by `make npm-deps`
// into testdata/npm), Terraform against HCL syntax and a table of the
// arguments each resource type accepts, IAM policies against the policy
// grammar, and scripts against bash's parser. Without the npm package the
// schema checks skip, except under CI=true where they fail.
package iactest

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// specType is a property type in the service-spec database.
type specType struct {
	Type      string      `json:"type"`
	Element   *specType   `json:"element"`
	Types     []*specType `json:"types"`
	Reference *struct {
		Ref string `json:"$ref"`
	} `json:"reference"`
}

type specProp struct {
	Type     specType `json:"type"`
	Required bool     `json:"required"`
}

type specEntity struct {
	ID         string              `json:"$id"`
	CFNType    string              `json:"cloudFormationType"`
	Name       string              `json:"name"`
	Properties map[string]specProp `json:"properties"`
}

// Spec is the loaded CloudFormation resource schema database.
type Spec struct {
	resources map[string]specEntity
	types     map[string]specEntity
}

// SpecPath is where make npm-deps installs the database.
func SpecPath() string {
	return repopath.Testdata("npm", "node_modules", "@aws-cdk", "aws-service-spec", "db.json.gz")
}

// neededTypes are the resource types generated templates use; the helper
// caches their schemas (and every type they reference) next to the
// database, because decoding the whole 15 MB database takes seconds under
// the race detector.
var neededTypes = []string{
	"AWS::Lambda::EventSourceMapping", "AWS::Lambda::Function", "AWS::Serverless::Function", "AWS::IAM::Role",
	"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::MSK::Cluster", "AWS::MSK::ClusterPolicy",
	"AWS::Kinesis::Stream", "AWS::SQS::Queue",
}

type specCache struct {
	Resources map[string]specEntity `json:"resources"`
	Types     map[string]specEntity `json:"types"`
}

var loadSpec = sync.OnceValues(func() (*Spec, error) {
	fi, err := os.Stat(SpecPath())
	if err != nil {
		return nil, err
	}
	cache := filepath.Join(filepath.Dir(SpecPath()), fmt.Sprintf(".stream-mcp-cfnspec-%d-%d.json", fi.Size(), fi.ModTime().UnixNano()))
	if raw, err := os.ReadFile(cache); err == nil {
		var c specCache
		if json.Unmarshal(raw, &c) == nil && len(c.Resources) == len(neededTypes) {
			return &Spec{resources: c.Resources, types: c.Types}, nil
		}
	}
	s, err := loadFullSpec()
	if err != nil {
		return nil, err
	}
	writeCache(s, cache)
	return s, nil
})

// writeCache stores the needed subset; failing to write only costs time.
func writeCache(s *Spec, path string) {
	c := specCache{Resources: map[string]specEntity{}, Types: map[string]specEntity{}}
	var walk func(t *specType)
	walk = func(t *specType) {
		if t == nil {
			return
		}
		if t.Reference != nil {
			if _, seen := c.Types[t.Reference.Ref]; !seen {
				def := s.types[t.Reference.Ref]
				c.Types[t.Reference.Ref] = def
				for _, p := range def.Properties {
					walk(&p.Type)
				}
			}
		}
		walk(t.Element)
		for _, alt := range t.Types {
			walk(alt)
		}
	}
	for _, typ := range neededTypes {
		ent, ok := s.resources[typ]
		if !ok {
			return
		}
		c.Resources[typ] = ent
		for _, p := range ent.Properties {
			walk(&p.Type)
		}
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cfnspec-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(raw)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

func loadFullSpec() (*Spec, error) {
	f, err := os.Open(SpecPath())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("iactest: %w", err)
	}
	var db struct {
		Schema struct {
			Resource struct {
				Entities []specEntity `json:"entities"`
			} `json:"resource"`
			TypeDefinition struct {
				Entities []specEntity `json:"entities"`
			} `json:"typeDefinition"`
		} `json:"schema"`
	}
	if err := json.NewDecoder(zr).Decode(&db); err != nil {
		return nil, fmt.Errorf("iactest: decode spec: %w", err)
	}
	s := &Spec{resources: map[string]specEntity{}, types: map[string]specEntity{}}
	for _, r := range db.Schema.Resource.Entities {
		s.resources[r.CFNType] = r
	}
	for _, t := range db.Schema.TypeDefinition.Entities {
		s.types[t.ID] = t
	}
	return s, nil
}

// LoadSpec returns the schema database, skipping the test when it is not
// installed (failing under CI=true).
func LoadSpec(t testing.TB) *Spec {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CloudFormation schemas missing (%v): run make npm-deps", err)
		}
		t.Skipf("CloudFormation schemas not installed (%v): run make npm-deps", err)
	}
	return s
}

// OptionalSpec is LoadSpec for tests that check more than the schemas
// (golden comparisons, our validator, Terraform, policies): without the npm
// package it returns nil and logs, so the other checks still run; under
// CI=true it fails like LoadSpec. Callers skip schema checks on nil.
func OptionalSpec(t testing.TB) *Spec {
	t.Helper()
	s, err := loadSpec()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CloudFormation schemas missing (%v): run make npm-deps", err)
		}
		t.Logf("CloudFormation schema checks skipped (%v): run make npm-deps", err)
		return nil
	}
	return s
}

// CheckTemplate parses a SAM or CloudFormation YAML template and checks
// every resource's properties against the schemas. SAM function events of
// the pull types are checked as the AWS::Lambda::EventSourceMapping SAM
// generates from them.
func (s *Spec) CheckTemplate(t testing.TB, body string) {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("template is not YAML: %v\n%s", err, body)
	}
	if _, ok := doc["Events"]; ok && len(doc) == 1 { // a SAM Events fragment
		s.checkEvents(t, doc["Events"])
		return
	}
	res, ok := doc["Resources"].(map[string]any)
	if !ok || len(res) == 0 {
		t.Fatalf("template has no Resources:\n%s", body)
	}
	for id, raw := range res {
		r, _ := raw.(map[string]any)
		typ, _ := r["Type"].(string)
		props, _ := r["Properties"].(map[string]any)
		for _, e := range s.CheckResource(typ, props) {
			t.Errorf("%s (%s): %v", id, typ, e)
		}
		if ev, ok := props["Events"]; ok && typ == "AWS::Serverless::Function" {
			s.checkEvents(t, ev)
		}
	}
}

// samEventProps maps SAM pull-event properties to the EventSourceMapping
// properties SAM generates (aws/serverless-application-model
// samtranslator/model/eventsources/pull.py).
func samToESM(typ string, p map[string]any) map[string]any {
	out := map[string]any{"FunctionName": "placeholder"}
	for k, v := range p {
		switch k {
		case "Stream", "Queue":
			out["EventSourceArn"] = v
		case "KafkaBootstrapServers":
			out["SelfManagedEventSource"] = map[string]any{"Endpoints": map[string]any{"KafkaBootstrapServers": v}}
		case "ConsumerGroupId":
			key := "AmazonManagedKafkaEventSourceConfig"
			if typ == "SelfManagedKafka" {
				key = "SelfManagedKafkaEventSourceConfig"
			}
			out[key] = map[string]any{"ConsumerGroupId": v}
		default:
			out[k] = v
		}
	}
	return out
}

func (s *Spec) checkEvents(t testing.TB, raw any) {
	t.Helper()
	evs, _ := raw.(map[string]any)
	if len(evs) == 0 {
		t.Fatal("empty Events")
	}
	for name, e := range evs {
		ev, _ := e.(map[string]any)
		typ, _ := ev["Type"].(string)
		switch typ {
		case "Kinesis", "DynamoDB", "SQS", "MSK", "SelfManagedKafka":
		default:
			t.Errorf("event %s: type %q is not a SAM pull event", name, typ)
			continue
		}
		props, _ := ev["Properties"].(map[string]any)
		for _, err := range s.CheckResource("AWS::Lambda::EventSourceMapping", samToESM(typ, props)) {
			t.Errorf("event %s (%s): %v", name, typ, err)
		}
	}
}

// CheckResource returns every property of props that the schema of typ does
// not accept: unknown names, missing required ones and wrong shapes.
func (s *Spec) CheckResource(typ string, props map[string]any) []error {
	ent, ok := s.resources[typ]
	if !ok {
		return []error{fmt.Errorf("resource type %q is not in the CloudFormation schemas (or not in iactest's neededTypes list)", typ)}
	}
	if typ == "AWS::Serverless::Function" {
		// SAM events are checked as mappings; the spec's event union is stale.
		props = withoutKey(props, "Events")
	}
	return s.checkProps(typ, ent.Properties, props)
}

func withoutKey(m map[string]any, k string) map[string]any {
	out := make(map[string]any, len(m))
	for kk, v := range m {
		if kk != k {
			out[kk] = v
		}
	}
	return out
}

func (s *Spec) checkProps(path string, schema map[string]specProp, props map[string]any) []error {
	var errs []error
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p, ok := schema[k]
		if !ok {
			errs = append(errs, fmt.Errorf("%s.%s: not a property of this type", path, k))
			continue
		}
		if err := s.checkValue(path+"."+k, p.Type, props[k]); err != nil {
			errs = append(errs, err)
		}
	}
	for k, p := range schema {
		if _, ok := props[k]; p.Required && !ok {
			errs = append(errs, fmt.Errorf("%s.%s: required property missing", path, k))
		}
	}
	return errs
}

func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

func (s *Spec) checkValue(path string, t specType, v any) error {
	if isIntrinsic(v) && t.Type != "json" {
		return nil
	}
	switch t.Type {
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: want string, got %T", path, v)
		}
	case "integer":
		if _, ok := v.(int); !ok {
			return fmt.Errorf("%s: want integer, got %T", path, v)
		}
	case "number":
		switch v.(type) {
		case int, float64:
		default:
			return fmt.Errorf("%s: want number, got %T", path, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want boolean, got %T", path, v)
		}
	case "json", "date-time":
		return nil
	case "array":
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want list, got %T", path, v)
		}
		for i, e := range l {
			if err := s.checkValue(fmt.Sprintf("%s[%d]", path, i), *t.Element, e); err != nil {
				return err
			}
		}
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want map, got %T", path, v)
		}
		for k, e := range m {
			if err := s.checkValue(path+"."+k, *t.Element, e); err != nil {
				return err
			}
		}
	case "tag":
		m, ok := v.(map[string]any)
		if !ok || m["Key"] == nil || m["Value"] == nil {
			return fmt.Errorf("%s: want a {Key, Value} tag", path)
		}
	case "ref":
		def, ok := s.types[t.Reference.Ref]
		if !ok {
			return fmt.Errorf("%s: unknown type reference %s", path, t.Reference.Ref)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want %s object, got %T", path, def.Name, v)
		}
		if errs := s.checkProps(path, def.Properties, m); len(errs) > 0 {
			return errs[0]
		}
	case "union":
		var first error
		for _, alt := range t.Types {
			err := s.checkValue(path, *alt, v)
			if err == nil {
				return nil
			}
			if first == nil {
				first = err
			}
		}
		return fmt.Errorf("%s: matches no alternative (%v)", path, first)
	default:
		return fmt.Errorf("%s: schema type %q not understood by the checker", path, t.Type)
	}
	return nil
}
