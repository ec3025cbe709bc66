// Package esmstate decodes an event source mapping's State,
// StateTransitionReason and LastProcessingResult into what they mean, how
// bad they are, which troubleshooting category they belong to and which
// tool digs deeper. It is pure: plain strings in, plain structs out.
//
// The strings come from the AWS pages and observed values collected in
// shared/knowledge/limits.md §5 (API_EventSourceMappingConfiguration,
// with-kafka-troubleshoot, with-msk-permissions, services-mq-errors, and the
// AWS Knowledge Center "Connection error" variants). The codes and message
// fragments matched are read from guidance (kafka.esm.state_reason.* and
// kafka.esm.result.*), the same entries kafka_troubleshoot matches, so the
// two tools cannot drift apart. Matching is on stable fragments, not whole
// sentences: AWS rewords these messages, and the shorter variants seen in
// tools must not be matched literally.
package esmstate

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Vocabulary is the AWS wording the decoders match, read from guidance.
type Vocabulary struct {
	reasonAuthN, reasonAuthZ        string
	reasonESMConfig, reasonFnConfig string
	resultFunctionFailed            string
	resultConnection                string
	resultAssumeRole                string
	resultAuthorize                 string
	// resultSASL, resultServerRejectsCert, resultUntrustedServer and
	// resultBadCert are kafka.esm.result.authentication in its order.
	resultSASL, resultServerRejectsCert, resultUntrustedServer, resultBadCert string
}

// VocabularyFrom reads the codes and message fragments from guidance. It
// fails when an entry is missing or does not have the expected shape.
func VocabularyFrom(b *guidance.Base) (*Vocabulary, error) {
	if b == nil {
		return nil, fmt.Errorf("esmstate: no guidance base")
	}
	one := func(id string) (string, error) {
		l, ok := b.Lookup(id)
		s, isStr := l.Value.(string)
		if !ok || !isStr || s == "" {
			return "", fmt.Errorf("esmstate: guidance %q is missing or not a string", id)
		}
		return s, nil
	}
	list := func(id string, n int) ([]string, error) {
		l, ok := b.Lookup(id)
		s, isList := l.Value.([]string)
		if !ok || !isList || len(s) != n {
			return nil, fmt.Errorf("esmstate: guidance %q is missing or not a list of %d strings", id, n)
		}
		return s, nil
	}
	var v Vocabulary
	var err error
	for _, f := range []struct {
		dst *string
		id  string
	}{
		{&v.reasonAuthN, "kafka.esm.state_reason.authn"}, {&v.reasonAuthZ, "kafka.esm.state_reason.authz"},
		{&v.resultFunctionFailed, "kafka.esm.result.function_failed"}, {&v.resultConnection, "kafka.esm.result.connection"},
		{&v.resultAssumeRole, "kafka.esm.result.assume_role"}, {&v.resultAuthorize, "kafka.esm.result.authorize"},
	} {
		if *f.dst, err = one(f.id); err != nil {
			return nil, err
		}
	}
	cfg, err := list("kafka.esm.state_reason.config", 2)
	if err != nil {
		return nil, err
	}
	v.reasonESMConfig, v.reasonFnConfig = cfg[0], cfg[1]
	auth, err := list("kafka.esm.result.authentication", 4)
	if err != nil {
		return nil, err
	}
	v.resultSASL, v.resultServerRejectsCert, v.resultUntrustedServer, v.resultBadCert = auth[0], auth[1], auth[2], auth[3]
	return &v, nil
}

// has reports whether low (already lower-cased) contains fragment, ignoring case.
func has(low, fragment string) bool { return strings.Contains(low, strings.ToLower(fragment)) }

// Severity of a decoded field.
const (
	SeverityOK      = "ok"
	SeverityInfo    = "info"
	SeverityWarning = "warning"
	SeverityError   = "error"
)

// Decoded is what one field means.
type Decoded struct {
	// Value is the field as Lambda returned it.
	Value string `json:"value" jsonschema_description:"the field as Lambda returned it"`
	// Meaning is one sentence for a human.
	Meaning string `json:"meaning" jsonschema_description:"what it means, in a sentence"`
	// Severity is ok, info, warning or error.
	Severity string `json:"severity" jsonschema:"enum=ok,enum=info,enum=warning,enum=error" jsonschema_description:"ok, info, warning or error"`
	// Category is the kafka_troubleshoot issue category (network,
	// authentication, authorization, lambda_unreachable, sts_unreachable,
	// destination_unreachable, configuration, broker_health) or
	// function_error / user_action / none.
	Category string `json:"category,omitempty" jsonschema_description:"troubleshooting category (network, authentication, authorization, lambda_unreachable, sts_unreachable, destination_unreachable, configuration, function_error, user_action, none)"`
	// NextTool names the tool that digs deeper, when one does.
	NextTool string `json:"next_tool,omitempty" jsonschema_description:"the tool that digs deeper"`
	// Reference is where the meaning comes from.
	Reference string `json:"reference,omitempty" jsonschema_description:"documentation URL the meaning comes from"`
}

const (
	refAPI       = "https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html"
	refKafka     = "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html"
	refMSKPerms  = "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html"
	refKC        = "https://repost.aws/knowledge-center/lambda-trigger-msk-kafka-cluster"
	refESMStream = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html"
)

// State decodes the State field.
func State(v string) Decoded {
	d := Decoded{Value: v, Reference: refAPI}
	switch v {
	case "Enabled":
		d.Meaning, d.Severity = "The mapping is polling its source and invoking the function.", SeverityOK
	case "Disabled":
		d.Meaning, d.Severity = "The mapping is not polling: records accumulate in the source until it is enabled again (and may expire past the source's retention).", SeverityWarning
	case "Creating", "Enabling":
		d.Meaning, d.Severity = "The mapping is starting; polling begins when it reaches Enabled (Kafka mappings can take several minutes).", SeverityInfo
	case "Updating":
		d.Meaning, d.Severity = "A configuration change is being applied; the mapping keeps or resumes polling when it returns to Enabled.", SeverityInfo
	case "Disabling":
		d.Meaning, d.Severity = "The mapping is stopping its pollers.", SeverityInfo
	case "Deleting":
		d.Meaning, d.Severity = "The mapping is being deleted.", SeverityWarning
	case "":
		d.Meaning, d.Severity = "Lambda returned no state.", SeverityInfo
	default:
		d.Meaning, d.Severity = "A state this tool does not know; read it in the Lambda console or API reference.", SeverityInfo
	}
	return d
}

// Reason decodes StateTransitionReason.
func (voc *Vocabulary) Reason(v string) Decoded {
	d := Decoded{Value: v, Reference: refAPI}
	up := strings.ToUpper(strings.TrimSpace(v))
	switch {
	case up == "":
		d.Meaning, d.Severity, d.Category = "No transition reason was returned.", SeverityInfo, "none"
	case strings.Contains(up, "USER"):
		d.Meaning, d.Severity, d.Category = "The last state change was made by a user or by infrastructure code (API, console, CloudFormation).", SeverityOK, "user_action"
	case up == strings.ToUpper(voc.reasonESMConfig):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "Lambda stopped the consumer because the mapping's configuration is not valid (for example a missing or unusable source access configuration).", SeverityError, "configuration", "kafka_troubleshoot", refKafka
	case up == strings.ToUpper(voc.reasonAuthN):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "Lambda stopped the consumer because the event source rejected its credentials (SASL/SCRAM secret, IAM Connect permission or mTLS certificate).", SeverityError, "authentication", "kafka_troubleshoot", refKafka
	case up == strings.ToUpper(voc.reasonAuthZ):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "Lambda stopped the consumer because the event source denied an operation (topic or group ACLs, or kafka-cluster IAM actions).", SeverityError, "authorization", "kafka_troubleshoot", refKafka
	case up == strings.ToUpper(voc.reasonFnConfig):
		d.Meaning, d.Severity, d.Category, d.Reference = "Lambda stopped the consumer because the function's configuration is not valid for the mapping (for example the function or its role was changed or deleted).", SeverityError, "configuration", refKafka
	case strings.Contains(up, "LAMBDA"):
		d.Meaning, d.Severity, d.Category = "Lambda itself changed the state, typically after repeated failures or because the function or its permissions changed; read LastProcessingResult for the cause.", SeverityWarning, "configuration"
	default:
		d.Meaning, d.Severity = "A transition reason this tool does not know.", SeverityInfo
	}
	return d
}

// LastProcessingResult decodes the LastProcessingResult field. kafka says
// whether the source is Kafka (MSK or self-managed), which decides the next
// tool for network and auth problems.
func (voc *Vocabulary) LastProcessingResult(v string, kafka bool) Decoded {
	d := Decoded{Value: v, Reference: refESMStream}
	low := strings.ToLower(strings.TrimSpace(v))
	next := ""
	if kafka {
		next = "kafka_troubleshoot"
	}
	switch {
	case low == "":
		d.Meaning, d.Severity, d.Category = "Lambda has not reported a processing result yet (new or never-polled mapping).", SeverityInfo, "none"
	case low == "ok":
		d.Meaning, d.Severity, d.Category = "The last batch was read and the function invoked successfully.", SeverityOK, "none"
	case strings.HasPrefix(low, "no records processed"):
		d.Meaning, d.Severity, d.Category = "The pollers found no new records: the source is idle, or everything is filtered out.", SeverityOK, "none"
	case has(low, voc.resultFunctionFailed):
		d.Meaning, d.Severity, d.Category = "Lambda invoked the function and it returned an error or timed out; the batch is retried as the error-handling settings say, which can block a shard or partition.", SeverityError, "function_error"
	case has(low, voc.resultConnection) && (strings.Contains(low, "lambda and sts") || strings.Contains(low, "privatelink") || strings.Contains(low, "nat gateway")):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The pollers reach the source but cannot reach the Lambda and STS endpoints (and Secrets Manager when auth needs it) from the source's subnets: on-demand mode needs a NAT gateway or VPC endpoints there.", SeverityError, "lambda_unreachable", next, refKC
	case has(low, voc.resultConnection) && strings.Contains(low, "onfailure destination"):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The pollers cannot reach the on-failure destination (or Lambda/STS) from the source's subnets.", SeverityError, "destination_unreachable", next, refKC
	case has(low, voc.resultConnection):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The pollers cannot open a connection to the brokers: a security group, NACL or route blocks the auth port, or brokers are offline or overloaded.", SeverityError, "network", next, refKC
	case has(low, voc.resultAssumeRole):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "Lambda could not assume the execution role: the trust policy does not allow lambda.amazonaws.com, or STS is unreachable (or blocked by an endpoint policy) from the source's subnets.", SeverityError, "sts_unreachable", next, refKC
	case has(low, voc.resultSASL):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The brokers rejected the pollers' SASL login: wrong SCRAM/PLAIN credentials or an unreadable secret, or (IAM) the role lacks kafka-cluster:Connect; it can also be intermittent when brokers hit their connection quota.", SeverityError, "authentication", next, refKafka
	case has(low, voc.resultAuthorize):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The pollers logged in but may not read: missing topic/group ACLs (SCRAM, mTLS) or kafka-cluster topic/group actions on the execution role (IAM). Fixes can take minutes to apply.", SeverityError, "authorization", next, refMSKPerms
	case has(low, voc.resultServerRejectsCert):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "mTLS: the brokers did not accept a client certificate from the pollers (none supplied, not trusted, or brokers not set up for mTLS).", SeverityError, "authentication", next, refKafka
	case has(low, voc.resultUntrustedServer):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The pollers do not trust the brokers' certificate: a private CA without SERVER_ROOT_CA_CERTIFICATE, a CA mismatch, or a certificate without the broker name in its SAN.", SeverityError, "authentication", next, refKafka
	case has(low, voc.resultBadCert):
		d.Meaning, d.Severity, d.Category, d.NextTool, d.Reference = "The client certificate or key in the secret cannot be used (PEM format; the key must be PBES1-encrypted if encrypted).", SeverityError, "authentication", next, refKafka
	case strings.HasPrefix(low, "problem"):
		d.Meaning, d.Severity, d.Category, d.NextTool = "Lambda reports a problem this tool does not recognise; the text above is Lambda's own.", SeverityError, "configuration", next
	default:
		d.Meaning, d.Severity = "A processing result this tool does not recognise.", SeverityInfo
	}
	return d
}
