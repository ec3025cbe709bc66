package awssim_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// diagScenario exercises the sections the diagnosis reads beyond the
// mapping itself.
const diagScenario = `
name: diag-unit
functions:
  - FunctionName: orders
    Role: arn:aws:iam::123456789012:role/r
    Timeout: 60
    CodeSize: 1000
    ReservedConcurrentExecutions: 100
    LastUpdateStatus: Failed
    LastUpdateStatusReason: "The subnet does not have enough free addresses"
    LastUpdateStatusReasonCode: InsufficientRolePermissions
    Versions:
      - {Version: "1", Timeout: 30}
      - {Version: "2"}
    EventInvokeConfigs:
      - MaximumRetryAttempts: 0
        MaximumEventAgeInSeconds: 3600
        DestinationConfig: {OnFailure: {Destination: "arn:aws:sqs:us-east-1:123456789012:orders-dlq"}}
  - FunctionName: other
    CodeSize: 500
    ReservedConcurrentExecutions: 200
lambda_account:
  ConcurrentExecutions: 400
cloudtrail:
  events:
    - {EventName: UpdateEventSourceMapping20150331v2, EventSource: lambda.amazonaws.com, EventTime: now-2h, Username: alice, ReadOnly: "false",
       Resources: [{ResourceType: AWS::Lambda::EventSourceMapping, ResourceName: 7b1e2c3d}],
       CloudTrailEvent: {requestParameters: {batchSize: 10000}}}
    - {EventName: PutFunctionConcurrency20171031, EventSource: lambda.amazonaws.com, EventTime: now-30m, Username: bob,
       Resources: [{ResourceType: AWS::Lambda::Function, ResourceName: orders}]}
    - {EventName: UpdateFunctionConfiguration20150331v2, EventSource: lambda.amazonaws.com, EventTime: now-10m, Username: bob,
       Resources: [{ResourceType: AWS::Lambda::Function, ResourceName: orders}]}
    - {EventName: DeleteRolePolicy, EventSource: iam.amazonaws.com, EventTime: now-200h, Username: carol,
       Resources: [{ResourceType: AWS::IAM::Role, ResourceName: r}]}
kms:
  keys:
    - {KeyId: 1234abcd-12ab-34cd-56ef-1234567890ab, Aliases: [alias/orders], Description: orders secrets, KeyState: PendingDeletion,
       DeletionDate: now+168h, PendingDeletionWindowInDays: 7}
    - KeyId: 0000aaaa-12ab-34cd-56ef-1234567890ab
      Policy: {Version: "2012-10-17", Statement: [{Effect: Deny, Principal: "*", Action: "kms:Decrypt", Resource: "*"}]}
sqs_queues:
  - QueueName: orders
    Attributes: {RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":"5"}'}
  - QueueName: refunds
    Attributes: {RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":"3"}'}
  - QueueName: orders-dlq
    Attributes: {ApproximateNumberOfMessages: "1532", RedriveAllowPolicy: '{"redrivePermission":"allowAll"}'}
log_groups:
  - logGroupName: /aws/lambda/orders
    events:
      - {logStreamName: s, timestamp: now-5m, message: "Task timed out after 60.00 seconds"}
      - {logStreamName: s, timestamp: now-3h, message: "Task timed out after 60.00 seconds"}
msk:
  clusters:
    - clusterArn: arn:aws:kafka:us-east-1:123456789012:cluster/c/abc-1
      clusterName: c
      clusterType: PROVISIONED
      state: ACTIVE
      scramSecrets: [arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_a-AbCdEf, arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_b-AbCdEf]
ec2:
  network_interfaces:
    - {NetworkInterfaceId: eni-0aaa, SubnetId: subnet-1, VpcId: vpc-1, AvailabilityZone: us-east-1a, Description: "AWS Lambda VPC ENI-orders",
       InterfaceType: lambda, RequesterId: "560195767412", RequesterManaged: true, PrivateIpAddress: 10.0.1.5, Groups: [{GroupId: sg-1, GroupName: msk}]}
    - {NetworkInterfaceId: eni-0bbb, SubnetId: subnet-2, VpcId: vpc-1, Description: "other", Groups: [{GroupId: sg-2}]}
`

func startYAML(t *testing.T, yml string) (*awssim.Server, aws.Config) {
	t.Helper()
	sc, err := awssim.Parse("unit", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL()), RetryMaxAttempts: 1}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// LookupEvents: newest first, by resource name, within the time window,
// paged by MaxResults; times written relative to now stay relative.
func TestCloudTrailLookupEvents(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario)
	ctx := context.Background()
	c := cloudtrail.NewFromConfig(cfg)
	by := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("orders")}}
	p := cloudtrail.NewLookupEventsPaginator(c, &cloudtrail.LookupEventsInput{LookupAttributes: by, MaxResults: aws.Int32(1),
		StartTime: aws.Time(time.Now().Add(-24 * time.Hour)), EndTime: aws.Time(time.Now())})
	var names []string
	for i := 0; p.HasMorePages() && i < 5; i++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			names = append(names, aws.ToString(e.EventName))
			if age := time.Since(aws.ToTime(e.EventTime)); age < 0 || age > time.Hour {
				t.Errorf("%s is %v old, want within the last hour", aws.ToString(e.EventName), age)
			}
		}
	}
	if diff := cmp.Diff([]string{"UpdateFunctionConfiguration20150331v2", "PutFunctionConcurrency20171031"}, names); diff != "" {
		t.Fatalf("events by resource name (-want +got):\n%s", diff)
	}
	out, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("UpdateEventSourceMapping20150331v2")}}})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("by event name: %+v, %v", out, err)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.Events[0].CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["eventName"] != "UpdateEventSourceMapping20150331v2" || rec["requestParameters"].(map[string]any)["batchSize"] != float64(10000) || rec["readOnly"] != false {
		t.Fatalf("record = %v", rec)
	}
	_, err = c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: append(by, by...)})
	if apiCode(err) != "InvalidLookupAttributesException" {
		t.Fatalf("two attributes: %v", err)
	}
	_, err = c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
	if apiCode(err) != "InvalidTimeRangeException" {
		t.Fatalf("reversed window: %v", err)
	}
	_, err = c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
	if apiCode(err) != "InvalidMaxResultsException" {
		t.Fatalf("MaxResults 51: %v", err)
	}
}

func TestKMSKeys(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario)
	ctx := context.Background()
	c := kms.NewFromConfig(cfg)
	tests := []struct {
		ref, manager, state, id string
		enabled                 bool
	}{
		{"alias/orders", "CUSTOMER", "PendingDeletion", "1234abcd-12ab-34cd-56ef-1234567890ab", false},
		{"arn:aws:kms:us-east-1:123456789012:key/0000aaaa-12ab-34cd-56ef-1234567890ab", "CUSTOMER", "Enabled", "0000aaaa-12ab-34cd-56ef-1234567890ab", true},
		{"alias/aws/secretsmanager", "AWS", "Enabled", "", true},
	}
	for _, tc := range tests {
		out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.ref)})
		if err != nil {
			t.Fatalf("%s: %v", tc.ref, err)
		}
		m := out.KeyMetadata
		if string(m.KeyManager) != tc.manager || string(m.KeyState) != tc.state || m.Enabled != tc.enabled || (tc.id != "" && aws.ToString(m.KeyId) != tc.id) ||
			!strings.HasPrefix(aws.ToString(m.Arn), "arn:aws:kms:us-east-1:123456789012:key/") {
			t.Errorf("%s: %+v", tc.ref, m)
		}
	}
	for _, ref := range []string{"alias/nope", "9999aaaa-12ab-34cd-56ef-1234567890ab"} {
		if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)}); apiCode(err) != "NotFoundException" {
			t.Errorf("%s: %v", ref, err)
		}
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("0000aaaa-12ab-34cd-56ef-1234567890ab")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Effect":"Deny"`) || aws.ToString(pol.PolicyName) != "default" {
		t.Fatalf("policy = %+v, %v", pol, err)
	}
	pol, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"arn:aws:iam::123456789012:root"`) {
		t.Fatalf("default policy = %+v, %v", pol, err)
	}
	if _, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("alias/orders")}); apiCode(err) != "NotFoundException" {
		t.Fatalf("GetKeyPolicy by alias: %v", err)
	}
}

func TestLambdaAccountAndVersions(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario)
	ctx := context.Background()
	c := lambda.NewFromConfig(cfg)
	acct, err := c.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if acct.AccountLimit.ConcurrentExecutions != 400 || aws.ToInt32(acct.AccountLimit.UnreservedConcurrentExecutions) != 100 || acct.AccountUsage.FunctionCount != 2 || acct.AccountUsage.TotalCodeSize != 1500 {
		t.Fatalf("account = %+v %+v", acct.AccountLimit, acct.AccountUsage)
	}
	conc, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: aws.String("orders")})
	if err != nil || aws.ToInt32(conc.ReservedConcurrentExecutions) != 100 {
		t.Fatalf("concurrency = %+v, %v", conc, err)
	}
	f, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("orders")})
	if err != nil || f.LastUpdateStatus != "Failed" || aws.ToString(f.Version) != "$LATEST" {
		t.Fatalf("config = %+v, %v", f, err)
	}
	v1, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("orders"), Qualifier: aws.String("1")})
	if err != nil || aws.ToInt32(v1.Timeout) != 30 || !strings.HasSuffix(aws.ToString(v1.FunctionArn), ":orders:1") {
		t.Fatalf("version 1 = %+v, %v", v1, err)
	}
	if _, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("orders:9")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("version 9: %v", err)
	}
	vs, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("orders")})
	var got []string
	for _, v := range vs.Versions {
		got = append(got, aws.ToString(v.Version))
	}
	if err != nil || !cmp.Equal(got, []string{"$LATEST", "1", "2"}) {
		t.Fatalf("versions = %v, %v", got, err)
	}
	eic, err := c.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("orders")})
	if err != nil || len(eic.FunctionEventInvokeConfigs) != 1 || aws.ToInt32(eic.FunctionEventInvokeConfigs[0].MaximumRetryAttempts) != 0 ||
		!strings.HasSuffix(aws.ToString(eic.FunctionEventInvokeConfigs[0].DestinationConfig.OnFailure.Destination), ":orders-dlq") {
		t.Fatalf("invoke configs = %+v, %v", eic, err)
	}
}

func TestSQSRedriveAndDLQCounters(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario)
	ctx := context.Background()
	q := sqs.NewFromConfig(cfg)
	u, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	src, err := q.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: u.QueueUrl})
	if err != nil || len(src.QueueUrls) != 2 || !strings.HasSuffix(src.QueueUrls[0], "/orders") || !strings.HasSuffix(src.QueueUrls[1], "/refunds") {
		t.Fatalf("sources = %+v, %v", src, err)
	}
	cw := cloudwatch.NewFromConfig(cfg)
	now := time.Now()
	md, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("v"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(300), Stat: aws.String("Maximum"),
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateNumberOfMessagesVisible"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String("orders-dlq")}}}}}}})
	if err != nil || len(md.MetricDataResults) != 1 || len(md.MetricDataResults[0].Values) == 0 || md.MetricDataResults[0].Values[0] != 1532 {
		t.Fatalf("DLQ metric = %+v, %v", md, err)
	}
}

func TestLogsRelativeTimes(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario)
	out, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/orders"), StartTime: aws.Int64(time.Now().Add(-time.Hour).UnixMilli()), FilterPattern: aws.String(`"Task timed out"`)})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("events in the last hour = %+v, %v", out, err)
	}
}

func TestMSKScramSecretsAndENIs(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario)
	ctx := context.Background()
	p := kafka.NewListScramSecretsPaginator(kafka.NewFromConfig(cfg), &kafka.ListScramSecretsInput{ClusterArn: aws.String("arn:aws:kafka:us-east-1:123456789012:cluster/c/abc-1"), MaxResults: aws.Int32(1)})
	n := 0
	for i := 0; p.HasMorePages() && i < 5; i++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.SecretArnList)
	}
	if n != 2 {
		t.Fatalf("scram secrets = %d", n)
	}
	c := ec2.NewFromConfig(cfg)
	e, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("description"), Values: []string{"AWS Lambda VPC ENI*"}}}})
	if err != nil || len(e.NetworkInterfaces) != 1 {
		t.Fatalf("enis = %+v, %v", e, err)
	}
	ni := e.NetworkInterfaces[0]
	if aws.ToString(ni.SubnetId) != "subnet-1" || aws.ToString(ni.Groups[0].GroupId) != "sg-1" || aws.ToString(ni.RequesterId) != "560195767412" ||
		!aws.ToBool(ni.RequesterManaged) || ni.InterfaceType != ec2types.NetworkInterfaceTypeLambda || ni.Status != ec2types.NetworkInterfaceStatusInUse {
		t.Fatalf("eni = %+v", ni)
	}
	if _, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{"eni-nope"}}); apiCode(err) != "InvalidNetworkInterfaceID.NotFound" {
		t.Fatalf("unknown eni: %v", err)
	}
}
