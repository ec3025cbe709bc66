package streamguide

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Source is where the integration reads from.
type Source string

// The stream sources a topic may accept.
const (
	SourceMSK              Source = "msk"
	SourceMSKServerless    Source = "msk_serverless"
	SourceKinesis          Source = "kinesis"
	SourceSelfManagedKafka Source = "self_managed_kafka"
)

// IsKafka reports whether s is a Kafka source.
func (s Source) IsKafka() bool { return s != SourceKinesis && s != "" }

// IsMSK reports whether s is Amazon MSK (provisioned or Serverless).
func (s Source) IsMSK() bool { return s == SourceMSK || s == SourceMSKServerless }

// Artifact kinds and formats this package adds to iac's.
const (
	KindSQL   = "sql"
	FormatSQL = "sql"
)

// Result is the answer; the same shape as esm_guidance's.
type Result = guide.Result

// Request is one stream_guidance question. Fields a topic does not use are
// ignored by it; every identifier is validated before Build runs.
type Request struct {
	Topic  string
	Type   string // setup | networking | permissions | troubleshooting
	Source Source
	Auth   iac.Auth
	Format iac.Format
	// Region and Account locate the resources the integration creates.
	Region  string
	Account string
	// SourceArn is the Kinesis stream or MSK cluster ARN.
	SourceArn string
	// KafkaTopic is the Kafka topic (or Kinesis stream name when no ARN).
	KafkaTopic string
	// GroupID is the Kafka consumer group the integration uses.
	GroupID          string
	BootstrapServers []string
	SecretArn        string
	KMSKeyArns       []string
	SubnetIDs        []string
	SecurityGroupIDs []string
	// RoleArns are IAM roles the integration assumes, in chain order.
	RoleArns []string
	// TargetArn is what the integration writes to or runs in (Redshift
	// workgroup/cluster, OpenSearch domain/collection, S3 bucket, Firehose
	// stream, log group, ...).
	TargetArn string
	// Name names the resource to create (pipeline, delivery stream,
	// materialized view, subscription filter, ...).
	Name string
	// ClientAccount is the consuming account in a cross-account setup.
	ClientAccount string
	// Options are the topic-specific fields (Topic.Options), decoded with
	// DecodeOptions.
	Options map[string]any
}

// Env is what a topic builds from.
type Env struct {
	Guidance *guidance.Base
}

// Ref is the source URL of a guidance limit (empty when the limit is
// unknown or its source is not a URL).
func (e Env) Ref(id string) string {
	s := e.Guidance.Source(id)
	if !strings.HasPrefix(s, "https://") {
		return ""
	}
	return s
}

// Topic is one integration stream_guidance answers for.
type Topic struct {
	Name    string
	Summary string
	Sources []Source
	Auths   []iac.Auth
	Options []string
	Build   func(Env, Request) (Result, error)
}

// Registry holds the topics by name.
type Registry struct {
	topics map[string]Topic
	names  []string
	env    Env
}

// New builds the registry from the built-in topic list (registry.go). It
// panics on a duplicate or malformed topic: that is a programming error the
// registry test catches.
func New(b *guidance.Base) *Registry {
	r := &Registry{topics: map[string]Topic{}, env: Env{Guidance: b}}
	for _, t := range builtins() {
		if t.Name == "" || t.Build == nil {
			panic(fmt.Sprintf("streamguide: topic %q has no name or build function", t.Name))
		}
		if _, dup := r.topics[t.Name]; dup {
			panic(fmt.Sprintf("streamguide: duplicate topic %q", t.Name))
		}
		r.topics[t.Name] = t
		r.names = append(r.names, t.Name)
	}
	sort.Strings(r.names)
	return r
}

// Names lists the topics, sorted.
func (r *Registry) Names() []string { return slices.Clone(r.names) }

// Topic returns a topic by name.
func (r *Registry) Topic(name string) (Topic, bool) {
	t, ok := r.topics[name]
	return t, ok
}

// Guide validates req against its topic and builds the answer. Bad input is
// an error wrapping iac.ErrInvalid.
func (r *Registry) Guide(req Request) (Result, error) {
	t, ok := r.topics[req.Topic]
	if !ok {
		return Result{}, fmt.Errorf("%w: topic %q is not one of %s", iac.ErrInvalid, req.Topic, strings.Join(r.names, ", "))
	}
	if err := normalize(t, &req); err != nil {
		return Result{}, err
	}
	res, err := t.Build(r.env, req)
	if err != nil {
		return Result{}, err
	}
	if res.Steps == nil {
		res.Steps = []guide.Step{}
	}
	if res.Artifacts == nil {
		res.Artifacts = []iac.Artifact{}
	}
	if res.Checks == nil {
		res.Checks = []guide.Check{}
	}
	res.References = dedupe(res.References)
	return res, nil
}

func normalize(t Topic, r *Request) error {
	if r.Type == "" {
		r.Type = guide.TypeSetup
	}
	switch r.Type {
	case guide.TypeSetup, guide.TypeNetworking, guide.TypePermissions, guide.TypeTroubleshooting:
	default:
		return fmt.Errorf("%w: guidance_type %q is not one of setup, networking, permissions, troubleshooting", iac.ErrInvalid, r.Type)
	}
	if r.Format == "" {
		r.Format = iac.FormatSAM
	}
	switch {
	case len(t.Sources) == 0 && r.Source != "":
		return fmt.Errorf("%w: topic %s has no stream source; drop source", iac.ErrInvalid, t.Name)
	case len(t.Sources) > 0 && r.Source == "":
		r.Source = t.Sources[0]
	case len(t.Sources) > 0 && !slices.Contains(t.Sources, r.Source):
		return fmt.Errorf("%w: topic %s reads from %s, not %q", iac.ErrInvalid, t.Name, joinSources(t.Sources), r.Source)
	}
	if r.Auth != "" {
		if !r.Source.IsKafka() || len(t.Auths) == 0 {
			return fmt.Errorf("%w: auth applies to Kafka sources of topics that support it; drop auth for %s from %s", iac.ErrInvalid, t.Name, r.Source)
		}
		if !slices.Contains(t.Auths, r.Auth) {
			return fmt.Errorf("%w: %s from %s supports auth %s, not %q", iac.ErrInvalid, t.Name, r.Source, joinAuths(t.Auths), r.Auth)
		}
	}
	if r.Auth == "" && r.Source.IsKafka() {
		for _, a := range t.Auths {
			// IAM is MSK's; a self-managed cluster defaults to the next mode
			if a != iac.AuthIAM || r.Source.IsMSK() {
				r.Auth = a
				break
			}
		}
	}
	for k := range r.Options {
		if !slices.Contains(t.Options, k) {
			allowed := "none"
			if len(t.Options) > 0 {
				allowed = strings.Join(t.Options, ", ")
			}
			return fmt.Errorf("%w: option %q does not apply to topic %s (its options: %s)", iac.ErrInvalid, k, t.Name, allowed)
		}
	}
	return validateIDs(r)
}

// validateIDs checks every identifier the request carries, whatever the
// topic uses, so a bad value is reported at once.
func validateIDs(r *Request) error {
	if r.Region != "" {
		if err := iac.ValidateRegion(r.Region); err != nil {
			return err
		}
	}
	if r.Account != "" {
		if err := iac.ValidateAccount(r.Account); err != nil {
			return err
		}
	}
	if r.ClientAccount != "" {
		if err := iac.ValidateAccount(r.ClientAccount); err != nil {
			return err
		}
	}
	if r.SourceArn != "" {
		switch {
		case r.Source == SourceKinesis:
			if err := iac.ValidateSourceARN(iac.SourceKinesis, r.SourceArn); err != nil {
				return err
			}
		case r.Source.IsMSK():
			if _, err := iac.ParseMSKClusterARN(r.SourceArn); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: source_arn names a Kinesis stream or MSK cluster; %s has none (send bootstrap_servers)", iac.ErrInvalid, r.Source)
		}
	}
	if r.KafkaTopic != "" {
		if err := iac.ValidateTopic(r.KafkaTopic); err != nil {
			return err
		}
	}
	if r.GroupID != "" {
		if err := iac.ValidateConsumerGroupID(r.GroupID); err != nil {
			return err
		}
	}
	for _, v := range r.BootstrapServers {
		if err := iac.ValidateBootstrapServer(v); err != nil {
			return err
		}
	}
	if r.SecretArn != "" {
		if err := iac.ValidateSecretARN(r.SecretArn); err != nil {
			return err
		}
	}
	for _, v := range r.KMSKeyArns {
		if err := iac.ValidateKMSKeyARN(v); err != nil {
			return err
		}
	}
	for _, v := range r.SubnetIDs {
		if err := iac.ValidateSubnetID(v); err != nil {
			return err
		}
	}
	for _, v := range r.SecurityGroupIDs {
		if err := iac.ValidateSecurityGroupID(v); err != nil {
			return err
		}
	}
	for _, v := range r.RoleArns {
		a, err := iac.ParseARN(v, "iam")
		if err != nil {
			return err
		}
		if !strings.HasPrefix(a.Resource, "role/") {
			return fmt.Errorf("%w: %q is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)", iac.ErrInvalid, v)
		}
	}
	if r.TargetArn != "" {
		if _, err := iac.ParseARN(r.TargetArn, ""); err != nil {
			return err
		}
	}
	if r.Name != "" && !safeName(r.Name) {
		return fmt.Errorf("%w: name %q must be 1-63 letters, digits, '-' or '_'", iac.ErrInvalid, r.Name)
	}
	return nil
}

// safeName is the common denominator of the names topics create (pipeline,
// delivery stream, view, filter names): letters, digits, '-' and '_'.
func safeName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DecodeOptions decodes the request's options into dst (a pointer to a
// struct with json tags), rejecting values of the wrong type with the
// option's name.
func DecodeOptions(r Request, dst any) error {
	if len(r.Options) == 0 {
		return nil
	}
	raw, err := json.Marshal(r.Options)
	if err != nil {
		return fmt.Errorf("%w: options: %v", iac.ErrInvalid, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("%w: options for topic %s: %v", iac.ErrInvalid, r.Topic, err)
	}
	return nil
}

func joinSources(s []Source) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

func joinAuths(a []iac.Auth) string {
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
