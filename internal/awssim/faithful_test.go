package awssim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// The MSK topic APIs serve only MSK Provisioned clusters in ACTIVE state
// running Kafka 3.6.0 or later. Amazon MSK Developer Guide, "Topic
// Operations" (https://docs.aws.amazon.com/msk/latest/developerguide/msk-view-topic-information.html):
// "Your cluster must be an MSK Provisioned cluster. These APIs are not
// available for MSK Serverless clusters. Your cluster must be running
// Apache Kafka version 3.6.0 or later. Your cluster must be in the ACTIVE
// state."
func TestMSKTopicAPIRequirements(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, `
msk:
  clusters:
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/ok/1", clusterName: ok, clusterType: PROVISIONED, state: ACTIVE,
       provisioned: {currentBrokerSoftwareInfo: {kafkaVersion: 3.9.x}}, topics: [{topicName: t, partitionCount: 6, replicationFactor: 3}]}
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/sls/2", clusterName: sls, clusterType: SERVERLESS, state: ACTIVE}
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/busy/3", clusterName: busy, clusterType: PROVISIONED, state: UPDATING,
       topics: [{topicName: t, partitionCount: 6, replicationFactor: 3}]}
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/old/4", clusterName: old, clusterType: PROVISIONED, state: ACTIVE,
       provisioned: {currentBrokerSoftwareInfo: {kafkaVersion: 3.5.1}}, topics: [{topicName: t, partitionCount: 6, replicationFactor: 3}]}
`)
	c := kafka.NewFromConfig(cfg)
	ctx := context.Background()
	tests := []struct {
		cluster, wantMsg string
	}{
		{"ok/1", ""},
		{"sls/2", "serverless"},
		{"busy/3", "UPDATING"},
		{"old/4", "3.6.0"},
	}
	for _, tc := range tests {
		arn := aws.String("arn:aws:kafka:us-east-1:123456789012:cluster/" + tc.cluster)
		_, derr := c.DescribeTopic(ctx, &kafka.DescribeTopicInput{ClusterArn: arn, TopicName: aws.String("t")})
		_, lerr := c.ListTopics(ctx, &kafka.ListTopicsInput{ClusterArn: arn})
		for op, err := range map[string]error{"DescribeTopic": derr, "ListTopics": lerr} {
			if tc.wantMsg == "" {
				if err != nil {
					t.Errorf("%s %s: %v", op, tc.cluster, err)
				}
				continue
			}
			var re *smithyhttp.ResponseError
			if apiCode(err) != "BadRequestException" || !errors.As(err, &re) || re.HTTPStatusCode() != 400 || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("%s %s: err = %v, want 400 BadRequestException mentioning %q", op, tc.cluster, err, tc.wantMsg)
			}
		}
	}
}

// UpdateShardCount and UpdateStreamMode are asynchronous: the stream is
// UPDATING until the change completes, and another change meanwhile is
// refused with ResourceInUseException. Kinesis API reference,
// UpdateShardCount (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html):
// "Kinesis Data Streams returns immediately and sets the status of the
// stream to UPDATING. After the update is complete, Kinesis Data Streams
// sets the status of the stream back to ACTIVE"; ResourceInUseException:
// "the resource must be in the ACTIVE state".
func TestKinesisUpdatingPhase(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, `
kinesis:
  streams:
    - {StreamName: counted, ShardCount: 2, UpdatingDescribes: 2}
    - {StreamName: timed, ShardCount: 2, UpdatingFor: 150ms}
`)
	c := kinesis.NewFromConfig(cfg)
	ctx := context.Background()
	status := func(name string) (kintypes.StreamStatus, int32) {
		t.Helper()
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out.StreamDescriptionSummary.StreamStatus, aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount)
	}
	scale := func(name string, n int32) error {
		_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(name), TargetShardCount: aws.Int32(n), ScalingType: kintypes.ScalingTypeUniformScaling})
		return err
	}
	if err := scale("counted", 4); err != nil {
		t.Fatal(err)
	}
	err := scale("counted", 3)
	var re *smithyhttp.ResponseError
	if apiCode(err) != "ResourceInUseException" || !errors.As(err, &re) || re.HTTPStatusCode() != 400 || !strings.Contains(err.Error(), "UPDATING") {
		t.Fatalf("second change: %v", err)
	}
	_, err = c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/counted"),
		StreamModeDetails: &kintypes.StreamModeDetails{StreamMode: kintypes.StreamModeOnDemand}})
	if apiCode(err) != "ResourceInUseException" {
		t.Fatalf("mode switch during reshard: %v", err)
	}
	for i, want := range []struct {
		st kintypes.StreamStatus
		n  int32
	}{{"UPDATING", 2}, {"UPDATING", 2}, {"ACTIVE", 4}} {
		if st, n := status("counted"); st != want.st || n != want.n {
			t.Fatalf("describe %d: %s with %d shards, want %s with %d", i+1, st, n, want.st, want.n)
		}
	}
	if err := scale("counted", 8); err != nil {
		t.Fatalf("after the update: %v", err)
	}

	if err := scale("timed", 3); err != nil {
		t.Fatal(err)
	}
	if st, _ := status("timed"); st != "UPDATING" {
		t.Fatalf("timed stream right after the change: %s", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, n := status("timed")
		if st == "ACTIVE" {
			if n != 3 {
				t.Fatalf("timed stream ACTIVE with %d shards", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("timed stream still UPDATING after 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// UpdateEventSourceMapping validates like Lambda, and Lambda's error body
// layout ({"Type":"User","message"|"Message":...}, code in
// X-Amzn-ErrorType). Sources: Lambda API reference,
// UpdateEventSourceMapping (https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html):
// ParallelizationFactor "(Kinesis and DynamoDB Streams only)";
// ResourceInUseException "you tried to update an event source mapping in
// the CREATING state"; and the SQS parameters page
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html):
// a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1.
func TestUpdateEventSourceMappingValidation(t *testing.T) {
	t.Parallel()
	const sqsESM, kinESM = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
	sqsSrv, _ := start(t, "sqs-visibility-timeout", nil)
	kinSrv, _ := start(t, "kinesis-high-iterator-age", nil)
	tests := []struct {
		name, body string
		srv        *awssim.Server
		uuid       string
		status     int
		code, msg  string
		msgKey     string
	}{
		{"sqs batch 100 without window", `{"BatchSize":100}`, sqsSrv, sqsESM, 400, "InvalidParameterValueException", "greater than 0", "message"},
		{"sqs parallelization factor", `{"ParallelizationFactor":2}`, sqsSrv, sqsESM, 400, "InvalidParameterValueException", "Unsupported ParallelizationFactor", "message"},
		{"sqs batch above max", `{"BatchSize":10001,"MaximumBatchingWindowInSeconds":1}`, sqsSrv, sqsESM, 400, "InvalidParameterValueException", "between 1 and 10000", "message"},
		{"kinesis tumbling window ok, batch 500 without window ok", `{"BatchSize":500}`, kinSrv, kinESM, 200, "", "", ""},
		{"kinesis update while Updating", `{"BatchSize":100}`, kinSrv, kinESM, 400, "ResourceInUseException", "in use", "Message"},
		{"unsimulated member refused", `{"BatchSize":100,"NewMemberFromTheFuture":1}`, sqsSrv, sqsESM, 400, "InvalidParameterValueException", "not simulated", "message"},
		{"sqs batch 100 with window", `{"BatchSize":100,"MaximumBatchingWindowInSeconds":5}`, sqsSrv, sqsESM, 200, "", "", ""},
	}
	for _, tc := range tests {
		req, err := http.NewRequest(http.MethodPut, tc.srv.URL()+"/2015-03-31/event-source-mappings/"+tc.uuid, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, resp.StatusCode, tc.status, body)
			continue
		}
		if tc.code == "" {
			continue
		}
		msg, _ := body[tc.msgKey].(string)
		if resp.Header.Get("X-Amzn-ErrorType") != tc.code || body["Type"] != "User" || !strings.Contains(msg, tc.msg) || len(body) != 2 {
			t.Errorf("%s: %s %v, want %s with %s containing %q", tc.name, resp.Header.Get("X-Amzn-ErrorType"), body, tc.code, tc.msgKey, tc.msg)
		}
	}
}

// Injected faults carry each service's own code and status: EC2's
// not-found code names the resource type and client errors are 400 ("Error
// codes for the Amazon EC2 API",
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
// SQS over JSON answers 400 with __type com.amazonaws.sqs#QueueDoesNotExist
// and x-amzn-query-error AWS.SimpleQueueService.NonExistentQueue;Sender
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html);
// IAM NoSuchEntity is 404, SNS NotFound 404, MSK ServiceUnavailableException
// 503, and Lambda has no 503 error, only ServiceException 500 (the
// services' API models in botocore, httpStatusCode of each error shape);
// Secrets Manager and Kinesis ResourceNotFoundException carry no status in
// their awsJson models, so they are the protocol's 400.
func TestFaultCodesPerService(t *testing.T) {
	t.Parallel()
	faults := []awssim.Fault{
		{Service: "ec2", Operation: "DescribeSubnets", Error: "not_found"},
		{Service: "ec2", Operation: "DescribeSecurityGroups", Error: "not_found"},
		{Service: "ec2", Operation: "DescribeVpcs", Error: "unavailable"},
		{Service: "iam", Operation: "GetRole", Error: "not_found"},
		{Service: "sqs", Operation: "GetQueueUrl", Error: "not_found"},
		{Service: "secretsmanager", Operation: "DescribeSecret", Error: "not_found"},
		{Service: "kinesis", Operation: "DescribeStreamSummary", Error: "not_found"},
		{Service: "kafka", Operation: "DescribeClusterV2", Error: "unavailable"},
		{Service: "lambda", Operation: "GetFunction", Error: "unavailable"},
		{Service: "lambda", Operation: "GetEventSourceMapping", Error: "not_found"},
		{Service: "sns", Operation: "GetTopicAttributes", Error: "not_found"},
	}
	srv, _ := start(t, "msk-iam-healthy", func(sc *awssim.Scenario) { sc.Faults = faults })
	tests := []struct {
		service, target, path, form string
		status                      int
		code, header                string
	}{
		{service: "ec2", form: "Action=DescribeSubnets&Version=2016-11-15", status: 400, code: "InvalidSubnetID.NotFound"},
		{service: "ec2", form: "Action=DescribeSecurityGroups&Version=2016-11-15", status: 400, code: "InvalidGroup.NotFound"},
		{service: "ec2", form: "Action=DescribeVpcs&Version=2016-11-15", status: 503, code: "Unavailable"},
		{service: "iam", form: "Action=GetRole&Version=2010-05-08&RoleName=x", status: 404, code: "NoSuchEntity"},
		{service: "sqs", target: "AmazonSQS.GetQueueUrl", status: 400, code: "QueueDoesNotExist", header: "AWS.SimpleQueueService.NonExistentQueue;Sender"},
		{service: "secretsmanager", target: "secretsmanager.DescribeSecret", status: 400, code: "ResourceNotFoundException"},
		{service: "kinesis", target: "Kinesis_20131202.DescribeStreamSummary", status: 400, code: "ResourceNotFoundException"},
		{service: "kafka", path: "/api/v2/clusters/x", status: 503, code: "ServiceUnavailableException"},
		{service: "lambda", path: "/2015-03-31/functions/x", status: 500, code: "ServiceException"},
		{service: "lambda", path: "/2015-03-31/event-source-mappings/x", status: 404, code: "ResourceNotFoundException"},
		{service: "sns", form: "Action=GetTopicAttributes&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:123456789012:t", status: 404, code: "NotFound"},
	}
	for _, tc := range tests {
		method, body := http.MethodGet, ""
		if tc.path == "" {
			method, body = http.MethodPost, tc.form
			if tc.target != "" {
				body = "{}"
			}
		}
		req, err := http.NewRequest(method, srv.URL()+orSlash(tc.path), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/"+tc.service+"/aws4_request, SignedHeaders=host, Signature=0")
		if tc.target != "" {
			req.Header.Set("X-Amz-Target", tc.target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		} else if tc.form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		hasCode := strings.Contains(string(raw), tc.code) || resp.Header.Get("X-Amzn-ErrorType") == tc.code
		if resp.StatusCode != tc.status || !hasCode || (tc.header != "" && resp.Header.Get("X-Amzn-Query-Error") != tc.header) {
			t.Errorf("%s %s%s: %d %s %q, want %d %s %q", tc.service, tc.target, tc.path+tc.form, resp.StatusCode, raw, resp.Header.Get("X-Amzn-Query-Error"), tc.status, tc.code, tc.header)
		}
	}
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// CloudWatch answers an awsJson1_0 client (the AWS CLI v1) in JSON,
// errors too, with the query code in x-amzn-query-error (CloudWatch is
// awsQueryCompatible in its API model), and refuses more queries than
// GetMetricData takes (API reference, GetMetricData:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).
func TestCloudWatchJSONErrors(t *testing.T) {
	t.Parallel()
	srv, _ := start(t, "kinesis-high-iterator-age", nil)
	post := func(body string) (*http.Response, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0")
		req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData")
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		return resp, out
	}
	resp, out := post(`{"StartTime": 1000, "EndTime": 500, "MetricDataQueries": [{"Id": "a"}]}`)
	if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" || out["__type"] != "com.amazonaws.cloudwatch#ValidationError" ||
		resp.Header.Get("X-Amzn-Query-Error") != "ValidationError;Sender" {
		t.Fatalf("reversed window: %d %v %v", resp.StatusCode, resp.Header, out)
	}
	var qs []string
	for i := range 501 {
		qs = append(qs, fmt.Sprintf(`{"Id":"q%d","MetricStat":{"Metric":{"Namespace":"AWS/Kinesis","MetricName":"IncomingBytes"},"Period":60,"Stat":"Sum"}}`, i))
	}
	resp, out = post(`{"StartTime": 1000, "EndTime": 2000, "MetricDataQueries": [` + strings.Join(qs, ",") + `]}`)
	if resp.StatusCode != 400 || !strings.Contains(fmt.Sprint(out["message"]), "500") {
		t.Fatalf("501 queries: %d %v", resp.StatusCode, out)
	}
}

// EC2 answers in its XML namespace with a requestId, and refuses MaxResults
// outside the operation's bounds in the EC2 API model (DescribeSubnets and
// DescribeVpcs 5-1000, DescribeRouteTables 5-100) with InvalidParameterValue
// ("Error codes for the Amazon EC2 API",
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
func TestEC2NamespaceRequestIDAndMaxResults(t *testing.T) {
	t.Parallel()
	srv, cfg := start(t, "msk-iam-healthy", nil)
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/", strings.NewReader("Action=DescribeVpcs&Version=2016-11-15"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`) || !strings.Contains(string(raw), "<vpcSet><item>") {
		t.Fatalf("body = %s", raw)
	}
	c := ec2.NewFromConfig(cfg)
	out, err := c.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
	if id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); err != nil || id == "" {
		t.Fatalf("request id %q, %v", id, err)
	}
	for _, tc := range []struct {
		call func() error
		ok   bool
	}{
		{func() error {
			_, err := c.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(4)})
			return err
		}, false},
		{func() error {
			_, err := c.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(5)})
			return err
		}, true},
		{func() error {
			_, err := c.DescribeRouteTables(context.Background(), &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(101)})
			return err
		}, false},
	} {
		err := tc.call()
		if tc.ok != (err == nil) || (!tc.ok && apiCode(err) != "InvalidParameterValue") {
			t.Errorf("err = %v, want ok=%v", err, tc.ok)
		}
	}
}

// A mapping settles after an update: Updating (or Enabling/Disabling) for
// the next UpdatingGets reads, then Enabled or Disabled; an update is
// accepted again once it has settled. Lambda API reference,
// EventSourceMappingConfiguration State: "Creating, Enabling, Enabled,
// Disabling, Disabled, Updating, or Deleting".
func TestEventSourceMappingSettles(t *testing.T) {
	t.Parallel()
	_, cfg := start(t, "kinesis-high-iterator-age", nil)
	const uuid = "2c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"
	c := lambda.NewFromConfig(cfg)
	ctx := context.Background()
	state := func() string {
		t.Helper()
		m, err := c.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(m.State)
	}
	if _, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), BatchSize: aws.Int32(200)}); err != nil {
		t.Fatal(err)
	}
	if got := []string{state(), state(), state()}; strings.Join(got, ",") != "Updating,Updating,Enabled" {
		t.Fatalf("states after an update = %v", got)
	}
	if _, err := c.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)}); err != nil {
		t.Fatalf("update after settling: %v", err)
	}
	if got := []string{state(), state(), state()}; strings.Join(got, ",") != "Disabling,Disabling,Disabled" {
		t.Fatalf("states after disabling = %v", got)
	}
}
