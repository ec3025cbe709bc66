package aws

import (
	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// Status values of a piece of evidence, shared by every tool output.
const (
	StatusOK      = "ok"
	StatusUnknown = "unknown"
)

// Unknown says why a piece of evidence could not be read. Tools embed it
// (as `unknown`) wherever a value would have been; checks that depend on it
// report status "unknown" with Reason rather than guessing.
type Unknown struct {
	// Call is the API call that failed, "Service:Operation"
	// ("Lambda:GetFunction").
	Call string `json:"call" jsonschema_description:"the AWS call that failed, Service:Operation"`
	// Kind is the errmap kind: access_denied, throttled, not_found,
	// invalid_input, timeout, unavailable, aws_config or error.
	Kind string `json:"kind" jsonschema_description:"why it failed" jsonschema:"enum=access_denied,enum=throttled,enum=not_found,enum=invalid_input,enum=timeout,enum=unavailable,enum=aws_config,enum=error"`
	// MissingPermission is the IAM action to grant, for access_denied.
	MissingPermission string `json:"missing_permission,omitempty" jsonschema_description:"IAM action the caller lacks (access_denied only)"`
	// Reason is one sentence with what failed and what to do.
	Reason string `json:"reason" jsonschema_description:"what failed and what to do next"`
}

// UnknownFrom classifies err; nil for a nil error. call names the call
// when the error does not (errors raised before the SDK ran).
func UnknownFrom(call string, err error) *Unknown {
	if err == nil {
		return nil
	}
	i := errmap.Classify(err)
	c := i.Call()
	if c == "" {
		c = call
		if i.Service == "" {
			i.Service = call
		}
	}
	kind := i.Kind
	if kind == errmap.KindPartial {
		// Partial Kafka answers carry data; as an Unknown they mean some
		// brokers did not answer. Keeps the published enum stable.
		kind = errmap.KindUnavailable
	}
	return &Unknown{Call: c, Kind: string(kind), MissingPermission: i.Permission, Reason: i.Reason()}
}

// StatusOf is StatusOK for a nil Unknown, else StatusUnknown.
func StatusOf(u *Unknown) string {
	if u == nil {
		return StatusOK
	}
	return StatusUnknown
}
