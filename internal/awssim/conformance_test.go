package awssim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/osis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// conformanceScenario extends the healthy MSK account with every section
// the other services read, so one server answers every operation.
const conformanceScenario = `
extends: msk-iam-healthy
functions:
  - FunctionName: orders-consumer
    Versions: [{Version: "1", Timeout: 30}]
    LastUpdateStatus: Failed
    LastUpdateStatusReason: subnet out of addresses
    LastUpdateStatusReasonCode: SubnetOutOfIPAddresses
    EventInvokeConfigs:
      - {MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600, LastModified: now-1h, DestinationConfig: {OnFailure: {Destination: "arn:aws:sqs:us-east-1:123456789012:orders-dlq"}}}
lambda_account: {ConcurrentExecutions: 1000, CodeSizeZipped: 52428800}
msk:
  clusters:
    - clusterArn: arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3
      policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "kafka:DescribeClusterV2", Resource: "*"}]}
      scramSecrets: [arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_orders-AbCdEf]
      operations:
        - {operationArn: "arn:aws:kafka:us-east-1:123456789012:cluster-operation/orders-prod/5a1e7b8c/op-1", operationType: UPDATE_SECURITY, operationState: UPDATE_FAILED,
           startTime: now-26h, endTime: now-25h, errorInfo: {errorCode: InvalidSecurityGroup, errorString: "sg not found"},
           provisioned: {operationSteps: [{stepName: INITIALIZE_UPDATE, stepInfo: {stepStatus: FAILED}}]}}
  replicators:
    - replicatorArn: arn:aws:kafka:us-east-1:123456789012:replicator/r1/abc
      replicatorName: r1
      replicatorState: RUNNING
      currentVersion: K1
      creationTime: now-72h
      serviceExecutionRoleArn: arn:aws:iam::123456789012:role/r
      stateInfo: {code: OK, message: running}
      kafkaClusters:
        - {amazonMskCluster: {mskClusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"}, kafkaClusterAlias: src,
           vpcConfig: {subnetIds: [subnet-0a11b22c33d44e551], securityGroupIds: [sg-0c0ffee0c0ffee001]}}
      replicationInfoList:
        - {sourceKafkaClusterAlias: src, targetKafkaClusterAlias: dst, targetCompressionType: NONE,
           topicReplication: {topicsToReplicate: [".*"], copyTopicConfigurations: true, detectAndCopyNewTopics: true, copyAccessControlListsForTopics: true},
           consumerGroupReplication: {consumerGroupsToReplicate: [".*"], detectAndCopyNewConsumerGroups: true, synchroniseConsumerGroupOffsets: true}}
  vpc_connections:
    - {vpcConnectionArn: "arn:aws:kafka:us-east-1:123456789012:vpc-connection/111/c/abc", targetClusterArn: "arn:aws:kafka:us-east-1:222222222222:cluster/c/abc-1",
       authentication: SASL_IAM, vpcId: vpc-0a1b2c3d4e5f60718, state: AVAILABLE, creationTime: now-1h}
ec2:
  vpcs:
    - {VpcId: vpc-0a1b2c3d4e5f60718, Ipv6CidrBlockAssociationSet: [{AssociationId: vpc-cidr-assoc-1, Ipv6CidrBlock: "2600:1f18::/56"}]}
  vpc_endpoints:
    - {VpcEndpointId: vpce-0s3, VpcEndpointType: Gateway, VpcId: vpc-0a1b2c3d4e5f60718, ServiceName: com.amazonaws.us-east-1.s3, State: available,
       RouteTableIds: [rtb-0private00000001], PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "*", Resource: "*"}]}}
    - {VpcEndpointId: vpce-0sts, VpcEndpointType: Interface, VpcId: vpc-0a1b2c3d4e5f60718, ServiceName: com.amazonaws.us-east-1.sts, State: available,
       PrivateDnsEnabled: true, SubnetIds: [subnet-0a11b22c33d44e551], Groups: [{GroupId: sg-0c0ffee0c0ffee001, GroupName: g}]}
  egress_only_internet_gateways:
    - {InternetGatewayId: eigw-1, Attachments: [{VpcId: vpc-0a1b2c3d4e5f60718, State: attached}]}
  network_interfaces:
    - {NetworkInterfaceId: eni-0aaa, SubnetId: subnet-0a11b22c33d44e551, VpcId: vpc-0a1b2c3d4e5f60718, AvailabilityZone: us-east-1a, Description: "AWS Lambda VPC ENI-orders",
       InterfaceType: lambda, RequesterId: "560195767412", RequesterManaged: true, PrivateIpAddress: 10.20.1.5, Groups: [{GroupId: sg-0c0ffee0c0ffee001, GroupName: g}],
       Ipv6Addresses: [{Ipv6Address: "2600:1f18::5"}], Tags: [{Key: k, Value: v}]}
  transit_gateway_attachments:
    - {TransitGatewayAttachmentId: tgw-attach-1, TransitGatewayId: tgw-1, ResourceId: vpc-0a1b2c3d4e5f60718, SubnetIds: [subnet-0a11b22c33d44e551],
       Association: {TransitGatewayRouteTableId: tgw-rtb-1}}
  transit_gateway_route_tables:
    - TransitGatewayRouteTableId: tgw-rtb-1
      TransitGatewayId: tgw-1
      DefaultAssociationRouteTable: true
      Routes:
        - {DestinationCidrBlock: 10.20.0.0/16, TransitGatewayAttachmentId: tgw-attach-1, Type: propagated}
        - {DestinationCidrBlock: 10.50.8.0/24, State: blackhole}
sqs_queues:
  - QueueName: orders
    Attributes: {VisibilityTimeout: "30", RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":"5"}'}
  - QueueName: orders-dlq
    Attributes: {ApproximateNumberOfMessages: "12"}
secrets:
  - {Name: AmazonMSK_orders, KmsKeyId: alias/orders, CreatedDate: now-400h, LastChangedDate: now-2h, Tags: [{Key: team, Value: data}]}
cloudtrail:
  events:
    - {EventName: UpdateEventSourceMapping20150331v2, EventSource: lambda.amazonaws.com, EventTime: now-2h, Username: alice, ReadOnly: "false", AccessKeyId: AKIAEXAMPLE,
       Resources: [{ResourceType: AWS::Lambda::EventSourceMapping, ResourceName: 7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e}]}
kms:
  keys:
    - {KeyId: 1234abcd-12ab-34cd-56ef-1234567890ab, Aliases: [alias/orders], Description: orders, KeyState: PendingDeletion, DeletionDate: now+168h, PendingDeletionWindowInDays: 7}
kinesis:
  streams:
    - {StreamName: clicks, ShardCount: 2, EncryptionType: KMS, KeyId: alias/aws/kinesis, EnhancedMonitoring: [IncomingBytes], WarmThroughputMiBps: 10,
       Consumers: [{ConsumerName: a}]}
metrics:
  series:
    - {Namespace: AWS/Kinesis, MetricName: IncomingBytes, Dimensions: {StreamName: clicks}, Value: 100}
osis:
  pipelines:
    - PipelineName: logs
      Status: ACTIVE
      StatusReason: {Description: The pipeline is ready to ingest data.}
      MinUnits: 1
      MaxUnits: 4
      PipelineConfigurationBody: "version: \"2\"\nkafka-pipeline:\n  source:\n    kafka: {}\n  sink:\n    - opensearch: {}\n"
      CreatedAt: "2025-01-01T00:00:00Z"
      LastUpdatedAt: "2025-01-02T00:00:00Z"
      IngestEndpointUrls: [logs-abc.us-east-1.osis.amazonaws.com]
      LogPublishingOptions: {IsLoggingEnabled: true, CloudWatchLogDestination: {LogGroup: /aws/vendedlogs/OpenSearchIngestion/logs}}
      VpcEndpoints: [{VpcEndpointId: vpce-0abc, VpcId: vpc-0abc, VpcOptions: {SubnetIds: [subnet-0a], SecurityGroupIds: [sg-0a]}}]
      PipelineRoleArn: arn:aws:iam::123456789012:role/osis-pipeline
      Destinations: [{ServiceName: OpenSearch, Endpoint: "https://search-logs.us-east-1.es.amazonaws.com"}]
firehose:
  delivery_streams:
    - DeliveryStreamName: orders-to-s3
      DeliveryStreamType: MSKAsSource
      FailureDescription: {Type: UNKNOWN_ERROR, Details: "Access denied to the cluster"}
      DeliveryStreamEncryptionConfiguration: {KeyType: AWS_OWNED_CMK, Status: ENABLED}
      CreateTimestamp: "2025-01-01T00:00:00Z"
      Source: {MSKSourceDescription: {MSKClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd1234-ab12-cd34-ef56-abcdef123456-1", TopicName: orders,
               AuthenticationConfiguration: {RoleARN: "arn:aws:iam::123456789012:role/firehose-msk", Connectivity: PRIVATE}}}
      Destinations:
        - DestinationId: destinationId-000000000001
          ExtendedS3DestinationDescription: {RoleARN: "arn:aws:iam::123456789012:role/firehose-s3", BucketARN: "arn:aws:s3:::failures",
            BufferingHints: {SizeInMBs: 64, IntervalInSeconds: 300}, CloudWatchLoggingOptions: {Enabled: true, LogGroupName: /aws/kinesisfirehose/orders-to-s3, LogStreamName: DestinationDelivery}}
dynamodb:
  tables:
    - TableName: orders
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
      SSEDescription: {Status: ENABLED, SSEType: KMS, KMSMasterKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
      StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}
      Shards: [{ShardId: shardId-00000001700000000000-aaaaaaaa, Closed: true}, {ShardId: shardId-00000001700000000001-bbbbbbbb, ParentShardId: shardId-00000001700000000000-aaaaaaaa}]
sns:
  topics:
    - Name: orders-events
      Attributes: {KmsMasterKeyId: alias/aws/sns}
      Subscriptions:
        - {SubscriptionId: 11111111-2222-4333-8444-555555555555, Protocol: sqs, Endpoint: "arn:aws:sqs:us-east-1:123456789012:orders", Attributes: {RawMessageDelivery: "true"}}
s3:
  buckets:
    - {Name: failures, Policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "s3:PutObject", Resource: "arn:aws:s3:::failures/*"}]}}
`

// exchange is one recorded HTTP answer.
type exchange struct {
	Service string            `json:"service"`
	Op      string            `json:"op"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// recorder keeps every response the SDK receives.
type recorder struct {
	mu  sync.Mutex
	out []exchange
}

func (rc *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	h := map[string]string{}
	for k := range resp.Header {
		h[k] = resp.Header.Get(k)
	}
	rc.mu.Lock()
	rc.out = append(rc.out, exchange{Status: resp.StatusCode, Headers: h, Body: base64.StdEncoding.EncodeToString(body)})
	rc.mu.Unlock()
	return resp, nil
}

// botocoreName maps a signing name and operation to botocore's service
// name.
func botocoreName(svc, op string) string {
	switch {
	case svc == "monitoring":
		return "cloudwatch"
	case svc == "dynamodb" && op != "DescribeTable":
		return "dynamodbstreams"
	}
	return svc
}

// TestConformanceWithBotocoreModels drives every operation the simulator
// serves through aws-sdk-go-v2 and checks each raw answer against the
// current service model shipped with botocore: botocore's own parser must
// read it, and a strict walk finds no member, type, enum or layout the
// model does not allow. Skipped without python3/botocore outside CI.
func TestConformanceWithBotocoreModels(t *testing.T) {
	t.Parallel()
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: python3 with botocore is required for the conformance test: %v", err)
		}
		t.Skipf("python3 with botocore not available: %v", err)
	}
	sc, err := Parse("conformance", []byte(conformanceScenario))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	rec := &recorder{}
	cfg := sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: sdkaws.String(srv.URL()), RetryMaxAttempts: 1, HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}}
	ctx := context.Background()
	calls := conformanceCalls(cfg)
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	log := srv.Calls()
	if len(log) != len(rec.out) {
		t.Fatalf("%d calls logged, %d answers recorded", len(log), len(rec.out))
	}
	var lines bytes.Buffer
	covered := map[string]bool{}
	for i, c := range log {
		ex := rec.out[i]
		ex.Service, ex.Op = botocoreName(c.Service, c.Operation), c.Operation
		covered[c.Service+"."+c.Operation] = true
		b, _ := json.Marshal(ex)
		lines.Write(append(b, '\n'))
	}
	var missing []string
	for _, svc := range (&Server{}).services() {
		for _, op := range svc.ops {
			if !covered[svc.name+"."+op] {
				missing = append(missing, svc.name+"."+op)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("served operations not exercised: %s", strings.Join(missing, ", "))
	}
	cmd := exec.CommandContext(ctx, "python3", "testdata/conformance.py")
	cmd.Stdin = &lines
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("checker: %v\n%s", err, stderr.String())
	}
	var res struct {
		Checked  int
		Problems []string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("checker output %q: %v", out, err)
	}
	if res.Checked != len(log) {
		t.Errorf("checked %d of %d answers", res.Checked, len(log))
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
}

// conformanceCalls is one SDK call per served operation, against the
// conformance scenario.
func conformanceCalls(cfg sdkaws.Config) []func() error {
	ctx := context.Background()
	s := sdkaws.String
	const (
		esmID   = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
		cluster = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
		role    = "arn:aws:iam::123456789012:role/orders-consumer-role"
		policy  = "arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole"
		queue   = "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq"
		topic   = "arn:aws:sns:us-east-1:123456789012:orders-events"
		stream  = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2025-03-14T09:26:53.000"
	)
	lm, kf, e2, im := lambda.NewFromConfig(cfg), kafka.NewFromConfig(cfg), ec2.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	kn := kinesis.NewFromConfig(cfg)
	return []func() error{
		func() error {
			_, err := lm.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{})
			return err
		},
		func() error {
			_, err := lm.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: s(esmID)})
			return err
		},
		func() error {
			_, err := lm.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: s("orders-consumer")})
			return err
		},
		func() error {
			_, err := lm.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: s("orders-consumer"), Qualifier: s("1")})
			return err
		},
		func() error {
			_, err := lm.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: s("orders-consumer")})
			return err
		},
		func() error {
			_, err := lm.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: s("orders-consumer")})
			return err
		},
		func() error {
			_, err := lm.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: s("orders-consumer")})
			return err
		},
		func() error {
			_, err := lm.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: s("orders-consumer")})
			return err
		},
		func() error { _, err := lm.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{}); return err },
		func() error {
			_, err := lm.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: s(esmID), BatchSize: sdkaws.Int32(100)})
			return err
		},
		func() error { _, err := kf.ListClustersV2(ctx, &kafka.ListClustersV2Input{}); return err },
		func() error {
			_, err := kf.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: s(cluster)})
			return err
		},
		func() error {
			_, err := kf.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: s(cluster)})
			return err
		},
		func() error { _, err := kf.ListNodes(ctx, &kafka.ListNodesInput{ClusterArn: s(cluster)}); return err },
		func() error {
			_, err := kf.GetClusterPolicy(ctx, &kafka.GetClusterPolicyInput{ClusterArn: s(cluster)})
			return err
		},
		func() error { _, err := kf.ListTopics(ctx, &kafka.ListTopicsInput{ClusterArn: s(cluster)}); return err },
		func() error {
			_, err := kf.DescribeTopic(ctx, &kafka.DescribeTopicInput{ClusterArn: s(cluster), TopicName: s("orders")})
			return err
		},
		func() error {
			_, err := kf.ListScramSecrets(ctx, &kafka.ListScramSecretsInput{ClusterArn: s(cluster)})
			return err
		},
		func() error {
			_, err := kf.ListClusterOperationsV2(ctx, &kafka.ListClusterOperationsV2Input{ClusterArn: s(cluster)})
			return err
		},
		func() error {
			_, err := kf.DescribeClusterOperationV2(ctx, &kafka.DescribeClusterOperationV2Input{ClusterOperationArn: s("arn:aws:kafka:us-east-1:123456789012:cluster-operation/orders-prod/5a1e7b8c/op-1")})
			return err
		},
		func() error { _, err := kf.ListReplicators(ctx, &kafka.ListReplicatorsInput{}); return err },
		func() error {
			_, err := kf.DescribeReplicator(ctx, &kafka.DescribeReplicatorInput{ReplicatorArn: s("arn:aws:kafka:us-east-1:123456789012:replicator/r1/abc")})
			return err
		},
		func() error { _, err := kf.ListVpcConnections(ctx, &kafka.ListVpcConnectionsInput{}); return err },
		func() error { _, err := e2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); return err },
		func() error {
			_, err := e2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{MaxResults: sdkaws.Int32(5)})
			return err
		},
		func() error { _, err := e2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{}); return err },
		func() error { _, err := e2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{}); return err },
		func() error {
			_, err := e2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})
			return err
		},
		func() error {
			_, err := e2.DescribeEgressOnlyInternetGateways(ctx, &ec2.DescribeEgressOnlyInternetGatewaysInput{})
			return err
		},
		func() error { _, err := e2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{}); return err },
		func() error { _, err := e2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{}); return err },
		func() error { _, err := e2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{}); return err },
		func() error {
			_, err := e2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{})
			return err
		},
		func() error {
			_, err := e2.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{})
			return err
		},
		func() error {
			_, err := e2.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{})
			return err
		},
		func() error {
			_, err := e2.DescribeTransitGatewayRouteTables(ctx, &ec2.DescribeTransitGatewayRouteTablesInput{})
			return err
		},
		func() error {
			_, err := e2.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: s("tgw-rtb-1"),
				Filters: []ec2types.Filter{{Name: s("state"), Values: []string{"active", "blackhole"}}}})
			return err
		},
		func() error {
			_, err := im.GetRole(ctx, &iam.GetRoleInput{RoleName: s("orders-consumer-role")})
			return err
		},
		func() error {
			_, err := im.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: s("orders-consumer-role")})
			return err
		},
		func() error {
			_, err := im.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: s("orders-consumer-role")})
			return err
		},
		func() error {
			_, err := im.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: s("orders-consumer-role"), PolicyName: s("msk-data-plane")})
			return err
		},
		func() error { _, err := im.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: s(policy)}); return err },
		func() error {
			_, err := im.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: s(policy), VersionId: s("v1")})
			return err
		},
		func() error {
			_, err := im.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: s(role), ActionNames: []string{"kafka-cluster:Connect", "kafka:DescribeClusterV2"}})
			return err
		},
		func() error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
		func() error {
			_, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: s("orders-dlq")})
			return err
		},
		func() error {
			_, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: s(queue)})
			return err
		},
		func() error {
			_, err := sqs.NewFromConfig(cfg).ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: s(queue)})
			return err
		},
		func() error {
			_, err := secretsmanager.NewFromConfig(cfg).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: s("AmazonMSK_orders")})
			return err
		},
		func() error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: s("/aws/lambda/orders-consumer")})
			return err
		},
		func() error {
			_, err := kn.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: s("clicks")})
			return err
		},
		func() error {
			_, err := kn.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: s("clicks")})
			return err
		},
		func() error {
			_, err := kn.ListShards(ctx, &kinesis.ListShardsInput{StreamName: s("clicks")})
			return err
		},
		func() error {
			_, err := kn.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: s("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")})
			return err
		},
		func() error { _, err := kn.ListStreams(ctx, &kinesis.ListStreamsInput{}); return err },
		func() error {
			_, err := kn.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: s("clicks"), TargetShardCount: sdkaws.Int32(4), ScalingType: kintypes.ScalingTypeUniformScaling})
			return err
		},
		func() error {
			_, err := kn.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: s("clicks")})
			return err
		},
		func() error {
			_, err := kn.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: s("arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
				StreamModeDetails: &kintypes.StreamModeDetails{StreamMode: kintypes.StreamModeOnDemand}})
			return err
		},
		func() error {
			now := time.Now()
			_, err := cloudwatch.NewFromConfig(cfg).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: sdkaws.Time(now.Add(-10 * time.Minute)), EndTime: sdkaws.Time(now),
				MetricDataQueries: []cwtypes.MetricDataQuery{{Id: s("b"), MetricStat: &cwtypes.MetricStat{Period: sdkaws.Int32(60), Stat: s("Sum"),
					Metric: &cwtypes.Metric{Namespace: s("AWS/Kinesis"), MetricName: s("IncomingBytes"), Dimensions: []cwtypes.Dimension{{Name: s("StreamName"), Value: s("clicks")}}}}}}})
			return err
		},
		func() error {
			_, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
			return err
		},
		func() error {
			_, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: s("alias/orders")})
			return err
		},
		func() error {
			_, err := kms.NewFromConfig(cfg).GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: s("1234abcd-12ab-34cd-56ef-1234567890ab")})
			return err
		},
		func() error {
			_, err := osis.NewFromConfig(cfg).GetPipeline(ctx, &osis.GetPipelineInput{PipelineName: s("logs")})
			return err
		},
		func() error {
			_, err := firehose.NewFromConfig(cfg).DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: s("orders-to-s3")})
			return err
		},
		func() error {
			_, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: s("orders")})
			return err
		},
		func() error {
			_, err := dynamodbstreams.NewFromConfig(cfg).DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: s(stream)})
			return err
		},
		func() error {
			_, err := dynamodbstreams.NewFromConfig(cfg).ListStreams(ctx, &dynamodbstreams.ListStreamsInput{})
			return err
		},
		func() error {
			_, err := sns.NewFromConfig(cfg).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: s(topic)})
			return err
		},
		func() error {
			_, err := sns.NewFromConfig(cfg).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: s(topic)})
			return err
		},
		func() error {
			_, err := sns.NewFromConfig(cfg).GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: s(topic + ":11111111-2222-4333-8444-555555555555")})
			return err
		},
		func() error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: s("failures")})
			return err
		},
		func() error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: s("failures")})
			return err
		},
	}
}

// TestErrorConformanceWithBotocore injects each fault kind into every served
// operation and checks that botocore's parser for the service's protocol
// reads the error code the simulator means to send (SQS's query code,
// Lambda's header, CloudWatch's CBOR __type, S3's bodiless HEAD status).
func TestErrorConformanceWithBotocore(t *testing.T) {
	t.Parallel()
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: python3 with botocore is required for the conformance test: %v", err)
		}
		t.Skipf("python3 with botocore not available: %v", err)
	}
	var lines bytes.Buffer
	total := 0
	for _, kind := range faultKinds[1:] {
		sc, err := Parse("conformance", []byte(conformanceScenario))
		if err != nil {
			t.Fatal(err)
		}
		f := Fault{Service: "*", Operation: "*", Error: kind}
		sc.Faults = []Fault{f}
		srv, err := Start(t.Context(), sc)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		cfg := sdkaws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
			BaseEndpoint: sdkaws.String(srv.URL()), RetryMaxAttempts: 1, HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}}
		for _, call := range conformanceCalls(cfg) {
			if call() == nil {
				t.Fatalf("%s: a call succeeded through a fault on every operation", kind)
			}
		}
		log := srv.Calls()
		_ = srv.Close()
		if len(log) != len(rec.out) {
			t.Fatalf("%s: %d calls logged, %d answers recorded", kind, len(log), len(rec.out))
		}
		for i, c := range log {
			svc := srv.svc[c.Service]
			e := faultError(sc, svc, c.Operation, f)
			want := orDefault(e.QueryCode, e.Code)
			if c.Operation == "HeadBucket" {
				want = strconv.Itoa(e.Status) // HEAD answers carry no body
			}
			ex := rec.out[i]
			b, _ := json.Marshal(struct {
				exchange
				ExpectCode string `json:"expect_code"`
			}{exchange{Service: botocoreName(c.Service, c.Operation), Op: c.Operation, Status: ex.Status, Headers: ex.Headers, Body: ex.Body}, want})
			lines.Write(append(b, '\n'))
			total++
		}
	}
	cmd := exec.CommandContext(context.Background(), "python3", "testdata/conformance.py")
	cmd.Stdin = &lines
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("checker: %v\n%s", err, stderr.String())
	}
	var res struct {
		Checked  int
		Problems []string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("checker output %q: %v", out, err)
	}
	t.Logf("botocore read %d error answers", res.Checked)
	if res.Checked != total {
		t.Errorf("checked %d of %d error answers", res.Checked, total)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
}

// TestParamBoundsMatchModels checks the request bounds the simulator
// enforces against botocore's models: every bound a model states must be
// the simulator's; the two the models leave out are documented in
// bounds.go.
func TestParamBoundsMatchModels(t *testing.T) {
	t.Parallel()
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: python3 with botocore is required: %v", err)
		}
		t.Skipf("python3 with botocore not available: %v", err)
	}
	in, err := json.Marshal(paramBounds)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), "python3", "testdata/bounds.py")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("checker: %v", err)
	}
	var res struct {
		Checked   int
		Unchecked []string
		Problems  []string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("checker output %q: %v", out, err)
	}
	for _, p := range res.Problems {
		t.Error(p)
	}
	if want := []string{"sqs.ListDeadLetterSourceQueues.MaxResults"}; strings.Join(res.Unchecked, ",") != strings.Join(want, ",") {
		t.Errorf("bounds the models do not state: %v, want only %v (documented in bounds.go)", res.Unchecked, want)
	}
	if res.Checked+len(res.Unchecked) != len(paramBounds) {
		t.Errorf("checked %d + %d of %d bounds", res.Checked, len(res.Unchecked), len(paramBounds))
	}
}
