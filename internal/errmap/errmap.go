// Package errmap maps errors from AWS SDK calls (smithy API errors,
// operation errors, timeouts, transport failures) and from Kafka admin calls
// (kerr codes, kadm AuthError and ShardErrors) to a small vocabulary of kinds
// that tools can act on, and to actionable MCP tool errors (STYLE.md rules
// 22-25). It never echoes credentials: messages come from the service
// and name actions and resources, not secrets.
package errmap

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/smithy-go"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// Kind classifies a failure by what the caller can do about it.
type Kind string

// The kinds of failure.
const (
	KindAccessDenied Kind = "access_denied" // grant the named permission
	KindThrottled    Kind = "throttled"     // retry later
	KindNotFound     Kind = "not_found"     // the resource does not exist
	KindInvalid      Kind = "invalid_input" // fix the request
	KindTimeout      Kind = "timeout"       // the call took too long
	KindUnavailable  Kind = "unavailable"   // service 5xx or connection failure
	KindConfig       Kind = "aws_config"    // no region, credentials or profile
	KindError        Kind = "error"         // anything else
	// KindPartial is a Kafka request that failed on some brokers only
	// (kadm.ShardErrors with AllFailed false): return the data with
	// warnings, not a tool error.
	KindPartial Kind = "partial"
)

// Info is a classified error.
type Info struct {
	Kind Kind
	// Code is the AWS error code ("AccessDeniedException"), if any.
	Code string
	// Message is the service's message, trimmed.
	Message string
	// Permission is the IAM action the call needed ("lambda:GetFunction")
	// for KindAccessDenied: taken from the message when AWS names it,
	// otherwise derived from the service and operation.
	Permission string
	// Service and Operation name the SDK call ("Lambda", "GetFunction").
	Service, Operation string
}

var accessDeniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true, "ForbiddenException": true,
	"UnauthorizedException": true, "AuthorizationError": true, "AuthFailure": true, "NotAuthorized": true,
	"UnrecognizedClientException": true, "InvalidClientTokenId": true, "ExpiredToken": true, "ExpiredTokenException": true,
}

var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true, "RequestThrottledException": true,
	"TooManyRequestsException": true, "ProvisionedThroughputExceededException": true, "TransactionInProgressException": true,
	"RequestLimitExceeded": true, "BandwidthLimitExceeded": true, "LimitExceededException": true, "RequestThrottled": true,
	"SlowDown": true, "PriorRequestNotComplete": true, "EC2ThrottledException": true,
}

var notFoundCodes = map[string]bool{
	"ResourceNotFoundException": true, "NotFoundException": true, "NoSuchEntity": true, "QueueDoesNotExist": true,
	"AWS.SimpleQueueService.NonExistentQueue": true, "InvalidVpcID.NotFound": true, "InvalidSubnetID.NotFound": true,
	"InvalidGroup.NotFound": true, "InvalidRouteTableID.NotFound": true, "NatGatewayNotFound": true,
	"InvalidInternetGatewayID.NotFound": true, "InvalidVpcEndpointId.NotFound": true, "InvalidNetworkAclID.NotFound": true,
}

// servicePrefix maps SDK service IDs to IAM action prefixes.
var servicePrefix = map[string]string{
	"Lambda": "lambda", "Kafka": "kafka", "EC2": "ec2", "IAM": "iam", "STS": "sts", "SQS": "sqs",
	"Secrets Manager": "secretsmanager", "CloudWatch Logs": "logs", "Kinesis": "kinesis", "CloudWatch": "cloudwatch",
	"OSIS": "osis", "Firehose": "firehose",
}

var permRE = regexp.MustCompile(`not authorized to perform:?\s+([A-Za-z0-9-]+:[A-Za-z0-9*]+)`)

// Classify maps any error from an SDK call. A nil error gives a zero Info.
func Classify(err error) Info {
	if err == nil {
		return Info{}
	}
	var in Info
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		in.Service, in.Operation = oe.ServiceID, oe.OperationName
	}
	var ae smithy.APIError
	var ke *kerr.Error
	var se *kadm.ShardErrors
	switch {
	case errors.As(err, &se) && !se.AllFailed:
		in.Kind, in.Message = KindPartial, Clean(fmt.Sprintf("%s failed on %d of its shards: %v", se.Name, len(se.Errs), firstShardErr(se)))
	case errors.As(err, &ke):
		in.Code, in.Message = ke.Message, Clean(ke.Description)
		in.Kind = kafkaKind(ke)
	case errors.As(err, &ae):
		in.Code, in.Message = ae.ErrorCode(), Clean(ae.ErrorMessage())
		switch {
		case accessDeniedCodes[in.Code] || strings.Contains(in.Message, "not authorized to perform"):
			in.Kind = KindAccessDenied
		case throttleCodes[in.Code]:
			in.Kind = KindThrottled
		case notFoundCodes[in.Code] || strings.HasSuffix(in.Code, ".NotFound"):
			in.Kind = KindNotFound
		case ae.ErrorFault() == smithy.FaultServer || in.Code == "ServiceUnavailable" || strings.Contains(in.Code, "InternalError") || strings.Contains(in.Code, "ServiceException") || strings.Contains(in.Code, "InternalServer") || in.Code == "ServiceFailure" || in.Code == "InternalFailure":
			in.Kind = KindUnavailable
		case strings.Contains(in.Code, "Validation") || strings.Contains(in.Code, "InvalidParameter") || strings.Contains(in.Code, "BadRequest") || in.Code == "InvalidInput":
			in.Kind = KindInvalid
		default:
			in.Kind = KindError
		}
	case errors.Is(err, context.DeadlineExceeded):
		in.Kind, in.Message = KindTimeout, "the call did not finish before its deadline"
	case errors.Is(err, context.Canceled):
		in.Kind, in.Message = KindTimeout, "the call was cancelled"
	case isConfigErr(err):
		in.Kind, in.Message = KindConfig, Clean(err.Error())
	default:
		var ne net.Error
		if errors.As(err, &ne) || strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "no such host") {
			in.Kind = KindUnavailable
		} else {
			in.Kind = KindError
		}
		in.Message = Clean(rootMessage(err))
	}
	if in.Kind == KindAccessDenied {
		if m := permRE.FindStringSubmatch(in.Message); m != nil {
			in.Permission = m[1]
		} else if p, ok := servicePrefix[in.Service]; ok && in.Operation != "" {
			in.Permission = p + ":" + in.Operation
		}
	}
	return in
}

// kafkaKind classifies a Kafka protocol error code.
func kafkaKind(e *kerr.Error) Kind {
	switch e {
	case kerr.TopicAuthorizationFailed, kerr.GroupAuthorizationFailed, kerr.ClusterAuthorizationFailed,
		kerr.TransactionalIDAuthorizationFailed, kerr.DelegationTokenAuthorizationFailed,
		kerr.SaslAuthenticationFailed, kerr.IllegalSaslState, kerr.UnsupportedSaslMechanism:
		return KindAccessDenied
	case kerr.UnknownTopicOrPartition, kerr.GroupIDNotFound, kerr.UnknownTopicID, kerr.ResourceNotFound:
		return KindNotFound
	case kerr.ThrottlingQuotaExceeded, kerr.PolicyViolation:
		if e == kerr.ThrottlingQuotaExceeded {
			return KindThrottled
		}
		return KindInvalid
	case kerr.InvalidRequest, kerr.InvalidConfig, kerr.InvalidPartitions, kerr.InvalidReplicationFactor,
		kerr.InvalidTopicException, kerr.TopicAlreadyExists, kerr.NonEmptyGroup, kerr.InvalidGroupID:
		return KindInvalid
	case kerr.RequestTimedOut:
		return KindTimeout
	}
	if e.Retriable {
		return KindUnavailable
	}
	return KindError
}

func firstShardErr(se *kadm.ShardErrors) error {
	if len(se.Errs) == 0 {
		return nil
	}
	return se.Errs[0].Err
}

func isConfigErr(err error) bool {
	s := err.Error()
	for _, k := range []string{"failed to retrieve credentials", "no EC2 IMDS role found", "Invalid region", "failed to resolve service endpoint", "failed to get shared config profile", "get identity: get credentials", "AWS config:"} {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

// rootMessage drops the SDK's "operation error X: Y, https response error
// ..." framing when nothing better is known.
func rootMessage(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// Clean trims a service message for output: no control characters, one
// line, at most 300 bytes.
func Clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // never split a multi-byte character
		}
		s = s[:cut] + "..."
	}
	return s
}

// Call is "Service:Operation" for messages ("Lambda:GetFunction"), or "".
func (i Info) Call() string {
	if i.Operation == "" {
		return i.Service
	}
	return i.Service + ":" + i.Operation
}

// Reason is one sentence saying what failed and what to do next.
func (i Info) Reason() string {
	what := i.Call()
	if what == "" {
		what = "the call"
	}
	switch i.Kind {
	case KindAccessDenied:
		if i.Permission != "" {
			return fmt.Sprintf("%s was denied: the caller lacks %s; grant it to read this evidence", what, i.Permission)
		}
		return fmt.Sprintf("%s was denied: %s", what, i.Message)
	case KindThrottled:
		return fmt.Sprintf("%s was throttled (%s); retry in a few seconds", what, i.Code)
	case KindNotFound:
		return fmt.Sprintf("%s: not found (%s): %s", what, i.Code, i.Message)
	case KindTimeout:
		return fmt.Sprintf("%s timed out: %s", what, i.Message)
	case KindUnavailable:
		return fmt.Sprintf("%s failed on the service side or could not connect: %s", what, i.Message)
	case KindConfig:
		return fmt.Sprintf("AWS is not configured for this process: %s; set --region/AWS_REGION and credentials (or --endpoint-url for the simulator)", i.Message)
	case KindInvalid:
		return fmt.Sprintf("%s rejected the request (%s): %s", what, i.Code, i.Message)
	case KindPartial:
		return fmt.Sprintf("partial answer: %s", i.Message)
	}
	if i.Code != "" {
		return fmt.Sprintf("%s failed (%s): %s", what, i.Code, i.Message)
	}
	return fmt.Sprintf("%s failed: %s", what, i.Message)
}

// Result turns an error into an MCP tool error (IsError, nil Go error) with
// an actionable message. hint, when set, says what to send instead for
// not-found and invalid-input errors ("call esm_inspect without esm_uuid to
// list mappings").
func Result(err error, hint string) *mcp.CallToolResult {
	i := Classify(err)
	msg := i.Reason()
	if hint != "" && (i.Kind == KindNotFound || i.Kind == KindInvalid) {
		msg += "; " + hint
	}
	return mcp.NewToolResultError(msg)
}
