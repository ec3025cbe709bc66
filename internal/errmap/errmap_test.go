package errmap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/smithy-go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func opErr(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		err      error
		kind     Kind
		perm     string
		contains string
	}{
		{"denied with action in message", opErr("Lambda", "GetFunction", &smithy.GenericAPIError{Code: "AccessDeniedException",
			Message: "User: arn:aws:sts::1:assumed-role/x/y is not authorized to perform: lambda:GetFunction on resource: arn"}), KindAccessDenied, "lambda:GetFunction", "lacks lambda:GetFunction"},
		{"denied without action", opErr("Secrets Manager", "DescribeSecret", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"}), KindAccessDenied, "secretsmanager:DescribeSecret", "secretsmanager:DescribeSecret"},
		{"ec2 unauthorized", opErr("EC2", "DescribeVpcs", &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."}), KindAccessDenied, "ec2:DescribeVpcs", ""},
		{"msk forbidden", opErr("Kafka", "DescribeClusterV2", &smithy.GenericAPIError{Code: "ForbiddenException", Message: "x"}), KindAccessDenied, "kafka:DescribeClusterV2", ""},
		{"throttled", opErr("Lambda", "ListEventSourceMappings", &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Rate exceeded"}), KindThrottled, "", "retry"},
		{"ec2 throttled", opErr("EC2", "DescribeSubnets", &smithy.GenericAPIError{Code: "RequestLimitExceeded"}), KindThrottled, "", ""},
		{"not found", opErr("IAM", "GetRole", &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "The role with name x cannot be found."}), KindNotFound, "", "cannot be found"},
		{"ec2 not found", opErr("EC2", "DescribeVpcs", &smithy.GenericAPIError{Code: "InvalidVpcID.NotFound"}), KindNotFound, "", ""},
		{"5xx", opErr("Kafka", "DescribeClusterV2", &smithy.GenericAPIError{Code: "InternalServerErrorException", Fault: smithy.FaultServer}), KindUnavailable, "", ""},
		{"validation", opErr("Lambda", "GetFunction", &smithy.GenericAPIError{Code: "InvalidParameterValueException"}), KindInvalid, "", ""},
		{"deadline", opErr("Lambda", "GetFunction", fmt.Errorf("wrapped: %w", context.DeadlineExceeded)), KindTimeout, "", "timed out"},
		{"config", errors.New("AWS config: no region; set --region or AWS_REGION"), KindConfig, "", "--region"},
		{"other", errors.New("boom"), KindError, "", "boom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			i := Classify(tc.err)
			if i.Kind != tc.kind || i.Permission != tc.perm || !strings.Contains(i.Reason(), tc.contains) {
				t.Fatalf("Classify = %+v, reason %q", i, i.Reason())
			}
		})
	}
	if (Classify(nil) != Info{}) {
		t.Fatal("nil error should give zero Info")
	}
}

func TestCleanAndResult(t *testing.T) {
	t.Parallel()
	if got := Clean("a\nb\x00c\td"); got != "a bc d" {
		t.Fatalf("Clean = %q", got)
	}
	if got := Clean(strings.Repeat("x", 400)); len(got) != 303 {
		t.Fatalf("Clean length = %d", len(got))
	}
	if got := Clean("x" + strings.Repeat("é", 200)); !utf8.ValidString(got) || len(got) != 299+3 {
		t.Fatalf("Clean split a character: %q (%d bytes)", got, len(got))
	}
	r := Result(opErr("Lambda", "GetEventSourceMapping", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "nope"}), "call esm_inspect without esm_uuid to list mappings")
	if !r.IsError || !strings.Contains(fmt.Sprint(r.Content), "call esm_inspect without esm_uuid") {
		t.Fatalf("Result = %+v", r)
	}
}

func TestClassifyKafka(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  error
		kind Kind
	}{
		{"topic acl", fmt.Errorf("describe: %w", kerr.TopicAuthorizationFailed), KindAccessDenied},
		{"kadm auth error", &kadm.AuthError{Err: kerr.GroupAuthorizationFailed}, KindAccessDenied},
		{"sasl", kerr.SaslAuthenticationFailed, KindAccessDenied},
		{"unknown topic", kerr.UnknownTopicOrPartition, KindNotFound},
		{"group not found", kerr.GroupIDNotFound, KindNotFound},
		{"quota", kerr.ThrottlingQuotaExceeded, KindThrottled},
		{"bad partitions", kerr.InvalidPartitions, KindInvalid},
		{"retriable", kerr.NotLeaderForPartition, KindUnavailable},
		{"timeout", kerr.RequestTimedOut, KindTimeout},
		{"partial", &kadm.ShardErrors{Name: "DescribeConfigs", AllFailed: false, Errs: []kadm.ShardError{{Err: kerr.BrokerNotAvailable}}}, KindPartial},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			i := Classify(tc.err)
			if i.Kind != tc.kind || i.Reason() == "" {
				t.Fatalf("Classify = %+v", i)
			}
		})
	}
}
