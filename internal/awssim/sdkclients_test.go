package awssim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Every SDK client of the services the diagnosis reads reaches the
// simulator through BaseEndpoint and the SigV4 credential scope; a service
// the simulator does not serve is refused with 400, never answered with an
// empty success.
func TestNewServiceClientsReachSimulator(t *testing.T) {
	t.Parallel()
	srv, cfg := start(t, "msk-iam-healthy", nil)
	ctx := context.Background()
	calls := []struct {
		service string
		call    func() error
	}{
		{"dynamodb", func() error {
			_, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t")})
			return err
		}},
		{"dynamodb", func() error {
			_, err := dynamodbstreams.NewFromConfig(cfg).DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000")})
			return err
		}},
		{"sns", func() error {
			_, err := sns.NewFromConfig(cfg).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:t")})
			return err
		}},
		{"s3", func() error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("b")})
			return err
		}},
	}
	for _, c := range calls {
		err := c.call()
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
			t.Errorf("%s: err = %v, want the simulator's 400 for an unserved service", c.service, err)
		}
	}
	got := map[string]bool{}
	for _, c := range srv.Calls() {
		got[c.Service] = c.ErrorCode == "UnknownService"
	}
	for _, c := range calls {
		if !got[c.service] {
			t.Errorf("no UnknownService call recorded for %s: %+v", c.service, srv.Calls())
		}
	}
}
