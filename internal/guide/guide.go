// Package guide is the esm_guidance engine: for each event source (Kinesis,
// DynamoDB Streams, SQS standard and FIFO, Amazon MSK, self-managed Kafka)
// and guidance type (setup, networking, permissions, troubleshooting) it
// computes the steps, the decisions with a recommendation and the reason,
// the artifacts (IaC via internal/iac, least-privilege IAM policies,
// security-group rules, scripts) and the checks to run afterwards, naming
// the live stream-mcp tools that perform each check.
//
// Every number (ports, AZ minimum, visibility-timeout ratio, ...) comes from
// the guidance tables through *guidance.Base. The engine takes plain inputs
// and never calls AWS; live state, when the tool has it, arrives in
// Request.Live and is compared against the guidance.
package guide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Guidance types.
const (
	TypeSetup           = "setup"
	TypeNetworking      = "networking"
	TypePermissions     = "permissions"
	TypeTroubleshooting = "troubleshooting"
)

// Poller modes.
const (
	ModeOnDemand    = "on_demand"
	ModeProvisioned = "provisioned"
)

// Request is one guidance question with whatever names the caller knows.
type Request struct {
	Source               iac.Source
	Type                 string
	Auth                 iac.Auth
	PollerMode           string
	Format               iac.Format
	FunctionName         string // name or ARN
	EventSourceArn       string
	ClusterArn           string // MSK cluster ARN when the source is a VPC connection
	Topic                string
	ConsumerGroupID      string
	BootstrapServers     []string
	SecretArn            string
	RootCASecretArn      string
	KMSKeyArns           []string
	OnFailureDestination string
	SchemaRegistryArn    string
	SubnetIDs            []string
	SecurityGroupIDs     []string
	ClientAccount        string // cross-account MSK: the Lambda account
	Region               string
	// CreateFunction adds a new function (starter handler) wired to the
	// mapping; the stack artifact then deploys function, role and mapping.
	CreateFunction bool
	// CreateSource adds the SQS queue (with DLQ) or Kinesis stream named by
	// EventSourceArn to the stack.
	CreateSource bool
	// FunctionTimeoutSeconds sets the new function's timeout and the queue's
	// visibility timeout from it.
	FunctionTimeoutSeconds *int
	// Live is the mapping as read from AWS, when the caller had an esm_uuid.
	Live *iac.ESM
	// Facts is what the tool read about the mapping's surroundings.
	Facts *Facts
}

// Facts is live state around a mapping that the guidance compares against.
// Zero values mean "not read".
type Facts struct {
	// LiveSource is the source kind the live mapping's ARN says it has.
	LiveSource iac.Source
	// FunctionTimeoutSeconds is the function's timeout.
	FunctionTimeoutSeconds int
	// Queue facts (SQS): the visibility timeout, the redrive threshold and
	// whether a dead-letter queue is set.
	QueueVisibilityTimeoutSeconds int
	QueueMaxReceiveCount          int
	QueueHasDLQ                   bool
	QueueRead                     bool
	// Cluster facts (MSK): client subnets, security groups and enabled
	// auth modes (iam, sasl_scram, tls, unauthenticated).
	ClusterSubnets        []string
	ClusterSecurityGroups []string
	ClusterAuth           []string
	ClusterServerless     bool
	ClusterRead           bool
}

// Result is the answer.
type Result struct {
	Steps           []Step         `json:"steps"`
	Artifacts       []iac.Artifact `json:"artifacts"`
	Checks          []Check        `json:"checks"`
	Troubleshooting []Row          `json:"troubleshooting,omitempty"`
	Departures      []string       `json:"departures,omitempty"`
	References      []string       `json:"references"`
}

// Step is one ordered step, optionally a decision the user must make.
type Step struct {
	Title    string    `json:"title" jsonschema_description:"what this step does"`
	Detail   string    `json:"detail" jsonschema_description:"the facts behind it, with the computed values"`
	Decision *Decision `json:"decision,omitempty" jsonschema_description:"set when the user must choose"`
}

// Decision is a choice with our recommendation and why.
type Decision struct {
	Choice         string   `json:"choice" jsonschema_description:"what must be decided"`
	Options        []string `json:"options" jsonschema_description:"the possible values"`
	Recommendation string   `json:"recommendation" jsonschema_description:"what we recommend for this input"`
	Why            string   `json:"why" jsonschema_description:"the reason"`
}

// Check is something to verify afterwards, with the tool that verifies it.
type Check struct {
	Name string `json:"name" jsonschema_description:"what to verify"`
	How  string `json:"how" jsonschema_description:"what passing looks like"`
	Tool string `json:"tool,omitempty" jsonschema_description:"the stream-mcp tool that checks it"`
}

// Row is one troubleshooting line: symptom, cause, how to check, fix, tool.
type Row struct {
	Symptom string `json:"symptom" jsonschema_description:"what the user sees"`
	Cause   string `json:"cause" jsonschema_description:"why it happens"`
	Check   string `json:"check" jsonschema_description:"what to look at to confirm the cause"`
	Fix     string `json:"fix" jsonschema_description:"what resolves it"`
	Tool    string `json:"tool" jsonschema_description:"the stream-mcp tool that checks this live"`
}

// Engine answers guidance requests from the knowledge base.
type Engine struct {
	b *guidance.Base
}

// New returns an engine reading numbers from b.
func New(b *guidance.Base) *Engine { return &Engine{b: b} }

// Guide answers r. It returns an error wrapping iac.ErrInvalid for bad input
// (an unknown source or type, a malformed name or ARN).
func (e *Engine) Guide(r Request) (Result, error) {
	if err := e.normalize(&r); err != nil {
		return Result{}, err
	}
	var (
		res Result
		err error
	)
	switch r.Type {
	case TypeSetup:
		res, err = e.setup(r)
	case TypeNetworking:
		res, err = e.networking(r)
	case TypePermissions:
		res, err = e.permissions(r)
	case TypeTroubleshooting:
		res = e.troubleshooting(r)
	}
	if err != nil {
		return Result{}, err
	}
	if r.Live != nil || r.Facts != nil {
		res.Departures = e.departures(r)
	}
	res.References = dedupe(append(res.References, references(r)...))
	if res.Artifacts == nil {
		res.Artifacts = []iac.Artifact{}
	}
	if res.Checks == nil {
		res.Checks = []Check{}
	}
	return res, nil
}

func (e *Engine) normalize(r *Request) error {
	ok := false
	for _, s := range iac.Sources() {
		ok = ok || s == r.Source
	}
	if !ok {
		return fmt.Errorf("%w: event_source %q is not one of kinesis, dynamodb, sqs, sqs_fifo, msk, self_managed_kafka", iac.ErrInvalid, r.Source)
	}
	if r.Type == "" {
		r.Type = TypeSetup
	}
	switch r.Type {
	case TypeSetup, TypeNetworking, TypePermissions, TypeTroubleshooting:
	default:
		return fmt.Errorf("%w: guidance_type %q is not one of setup, networking, permissions, troubleshooting", iac.ErrInvalid, r.Type)
	}
	switch r.PollerMode {
	case "", ModeOnDemand, ModeProvisioned:
	default:
		return fmt.Errorf("%w: poller_mode %q is not on_demand or provisioned", iac.ErrInvalid, r.PollerMode)
	}
	if r.PollerMode == ModeProvisioned && r.Source.IsStream() {
		return fmt.Errorf("%w: provisioned mode exists for SQS and Kafka mappings only, not %s", iac.ErrInvalid, r.Source)
	}
	if r.Format == "" {
		r.Format = iac.FormatSAM
	}
	switch r.Auth {
	case iac.AuthUnchosen, iac.AuthIAM, iac.AuthSCRAM512, iac.AuthSCRAM256, iac.AuthPlain, iac.AuthMTLS, iac.AuthNone:
	default:
		// the tool's schema enum stops this first; the engine does not rely on it,
		// because the value reaches decisions and notes as text
		return fmt.Errorf("%w: auth %q is not one of iam, sasl_scram_512, sasl_scram_256, sasl_plain, mtls, none", iac.ErrInvalid, r.Auth)
	}
	if r.Auth != "" && !r.Source.IsKafka() {
		return fmt.Errorf("%w: auth applies to Kafka sources only; %s uses the execution role", iac.ErrInvalid, r.Source)
	}
	if r.Source == iac.SourceMSK && r.Auth == iac.AuthPlain {
		return fmt.Errorf("%w: Amazon MSK does not support SASL/PLAIN for Lambda; use iam, sasl_scram_512 or mtls", iac.ErrInvalid)
	}
	if r.Source == iac.SourceMSK && r.Auth == iac.AuthSCRAM256 {
		return fmt.Errorf("%w: Amazon MSK SCRAM is SASL/SCRAM-512 (sasl_scram_512)", iac.ErrInvalid)
	}
	if r.Source == iac.SourceSelfManagedKafka && r.Auth == iac.AuthIAM {
		return fmt.Errorf("%w: self-managed Kafka does not support IAM auth; use sasl_scram_512, sasl_scram_256, sasl_plain, mtls or none", iac.ErrInvalid)
	}
	if r.Source.IsKafka() && r.Auth == "" {
		if r.Source == iac.SourceMSK {
			r.Auth = iac.AuthIAM
		} else if r.SecretArn != "" {
			r.Auth = iac.AuthSCRAM512
		}
	}
	if r.EventSourceArn != "" && r.Source != iac.SourceSelfManagedKafka {
		if err := iac.ValidateSourceARN(r.Source, r.EventSourceArn); err != nil {
			return err
		}
	}
	if r.FunctionName != "" {
		if err := iac.ValidateFunctionName(r.FunctionName); err != nil {
			return err
		}
	}
	if r.Region != "" {
		if err := iac.ValidateRegion(r.Region); err != nil {
			return err
		}
	}
	if r.Topic != "" {
		if err := iac.ValidateTopic(r.Topic); err != nil {
			return err
		}
	}
	if r.ConsumerGroupID != "" {
		if err := iac.ValidateConsumerGroupID(r.ConsumerGroupID); err != nil {
			return err
		}
	}
	return validateIDs(r)
}

// validateIDs checks every identifier, whatever the guidance type uses, so
// a bad value is reported at once rather than only when it is rendered.
func validateIDs(r *Request) error {
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
	for _, v := range r.BootstrapServers {
		if err := iac.ValidateBootstrapServer(v); err != nil {
			return err
		}
	}
	if r.ClientAccount != "" {
		if err := iac.ValidateAccount(r.ClientAccount); err != nil {
			return err
		}
	}
	for _, v := range []string{r.SecretArn, r.RootCASecretArn} {
		if v != "" {
			if err := iac.ValidateSecretARN(v); err != nil {
				return err
			}
		}
	}
	for _, v := range r.KMSKeyArns {
		if err := iac.ValidateKMSKeyARN(v); err != nil {
			return err
		}
	}
	if r.SchemaRegistryArn != "" {
		if _, err := iac.ParseARN(r.SchemaRegistryArn, "glue"); err != nil {
			return err
		}
	}
	if r.ClusterArn != "" {
		if _, err := iac.ParseMSKClusterARN(r.ClusterArn); err != nil {
			return err
		}
	}
	if d := r.OnFailureDestination; d != "" {
		if r.Source.IsSQS() {
			return fmt.Errorf("%w: SQS mappings have no on-failure destination; configure a dead-letter queue on the queue", iac.ErrInvalid)
		}
		if err := iac.ValidateDestination(d, r.Source); err != nil {
			return err
		}
		if strings.HasPrefix(d, "kafka://") && r.PollerMode != ModeProvisioned {
			return fmt.Errorf("%w: a kafka:// failure destination needs provisioned mode; send poller_mode=provisioned or an SQS, SNS or S3 destination", iac.ErrInvalid)
		}
	}
	return nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
