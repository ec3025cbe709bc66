package awssim_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const diagScenario2 = `
name: diag-unit-2
dynamodb:
  tables:
    - TableName: orders
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: sk, AttributeType: N}]
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: {StreamEnabled: true, StreamViewType: KEYS_ONLY}
      StreamLabel: "2026-01-02T03:04:05.678"
      ShardCount: 3
    - TableName: plain
      KeySchema: [{AttributeName: id, KeyType: HASH}]
sns:
  topics:
    - Name: orders-events
      Attributes: {KmsMasterKeyId: alias/aws/sns}
      Subscriptions:
        - {SubscriptionId: 11111111-2222-4333-8444-555555555555, Protocol: sqs, Endpoint: "arn:aws:sqs:us-east-1:123456789012:orders",
           Attributes: {RawMessageDelivery: "true", FilterPolicy: '{"type":["order"]}'}}
s3:
  buckets:
    - {Name: failures, Policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "s3:PutObject", Resource: "arn:aws:s3:::failures/*"}]}}
    - {Name: nopolicy}
    - {Name: theirs, Owner: "999999999999"}
msk:
  clusters:
    - clusterArn: arn:aws:kafka:us-east-1:123456789012:cluster/c/abc-1
      clusterName: c
      clusterType: PROVISIONED
      state: UPDATING
      activeOperationArn: arn:aws:kafka:us-east-1:123456789012:cluster-operation/c/abc-1/op-2
      operations:
        - {operationArn: "arn:aws:kafka:us-east-1:123456789012:cluster-operation/c/abc-1/op-2", operationType: UPDATE_BROKER_TYPE, operationState: UPDATE_IN_PROGRESS, startTime: now-20m}
        - {operationArn: "arn:aws:kafka:us-east-1:123456789012:cluster-operation/c/abc-1/op-1", operationType: UPDATE_SECURITY, operationState: UPDATE_FAILED,
           startTime: now-26h, endTime: now-25h, errorInfo: {errorCode: InvalidSecurityGroup, errorString: "sg-0 not found"}}
  replicators:
    - replicatorArn: arn:aws:kafka:us-east-1:123456789012:replicator/r1/abc
      replicatorName: r1
      replicatorState: FAILED
      stateInfo: {code: ReplicatorFailed, message: "target unreachable"}
      creationTime: now-72h
      kafkaClusters:
        - {amazonMskCluster: {mskClusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/c/abc-1"}, kafkaClusterAlias: src, vpcConfig: {subnetIds: [subnet-1], securityGroupIds: [sg-1]}}
      replicationInfoList:
        - {sourceKafkaClusterAlias: src, targetKafkaClusterAlias: dst, targetCompressionType: NONE, topicReplication: {topicsToReplicate: [".*"]}}
  vpc_connections:
    - {vpcConnectionArn: "arn:aws:kafka:us-east-1:123456789012:vpc-connection/111/c/abc", targetClusterArn: "arn:aws:kafka:us-east-1:222222222222:cluster/c/abc-1",
       authentication: SASL_IAM, vpcId: vpc-1, state: REJECTED, creationTime: now-1h}
ec2:
  vpcs:
    - {VpcId: vpc-1, CidrBlock: 10.0.0.0/16, State: available, Ipv6CidrBlockAssociationSet: [{AssociationId: vpc-cidr-assoc-1, Ipv6CidrBlock: "2600:1f18::/56"}]}
  subnets:
    - {SubnetId: subnet-1, VpcId: vpc-1, CidrBlock: 10.0.1.0/24, State: available, AssignIpv6AddressOnCreation: true,
       Ipv6CidrBlockAssociationSet: [{AssociationId: subnet-cidr-assoc-1, Ipv6CidrBlock: "2600:1f18::/64"}]}
  route_tables:
    - RouteTableId: rtb-1
      VpcId: vpc-1
      Routes:
        - {DestinationCidrBlock: 10.0.0.0/16, GatewayId: local}
        - {DestinationCidrBlock: 10.50.0.0/16, TransitGatewayId: tgw-1}
        - {DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw-1}
  egress_only_internet_gateways:
    - {InternetGatewayId: eigw-1, Attachments: [{VpcId: vpc-1, State: attached}]}
  security_groups:
    - GroupId: sg-1
      GroupName: g
      VpcId: vpc-1
      IpPermissions: [{IpProtocol: tcp, FromPort: 9098, ToPort: 9098, Ipv6Ranges: [{CidrIpv6: "2600:1f18::/56"}]}]
  network_acls:
    - NetworkAclId: acl-1
      VpcId: vpc-1
      Entries: [{RuleNumber: 100, Protocol: "-1", RuleAction: deny, Egress: false, Ipv6CidrBlock: "::/0"}]
  transit_gateway_attachments:
    - {TransitGatewayAttachmentId: tgw-attach-1, TransitGatewayId: tgw-1, ResourceId: vpc-1, SubnetIds: [subnet-1],
       Association: {TransitGatewayRouteTableId: tgw-rtb-1}}
    - {TransitGatewayAttachmentId: tgw-attach-2, TransitGatewayId: tgw-1, ResourceId: vpc-2, ResourceOwnerId: "222222222222", State: pendingAcceptance}
  transit_gateway_route_tables:
    - TransitGatewayRouteTableId: tgw-rtb-1
      TransitGatewayId: tgw-1
      Routes:
        - {DestinationCidrBlock: 10.0.0.0/16, TransitGatewayAttachmentId: tgw-attach-1, Type: propagated}
        - {DestinationCidrBlock: 10.50.0.0/16, TransitGatewayAttachmentId: tgw-attach-2}
        - {DestinationCidrBlock: 10.50.8.0/24, State: blackhole}
`

func TestDynamoDBTablesAndStreams(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario2)
	ctx := context.Background()
	d, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	tb := d.Table
	arn := "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-02T03:04:05.678"
	if aws.ToString(tb.LatestStreamArn) != arn || tb.StreamSpecification.StreamViewType != "KEYS_ONLY" || tb.BillingModeSummary.BillingMode != "PAY_PER_REQUEST" ||
		tb.AttributeDefinitions[1].AttributeType != "N" || tb.KeySchema[1].KeyType != "RANGE" || tb.TableStatus != "ACTIVE" {
		t.Fatalf("table = %+v", tb)
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("missing table: %v", err)
	}
	sc := dynamodbstreams.NewFromConfig(cfg)
	var shards []string
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn), Limit: aws.Int32(2)}
	for i := 0; i < 5; i++ {
		out, err := sc.DescribeStream(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		sd := out.StreamDescription
		if sd.StreamViewType != "KEYS_ONLY" || sd.StreamStatus != "ENABLED" || aws.ToString(sd.TableName) != "orders" {
			t.Fatalf("stream = %+v", sd)
		}
		for _, s := range sd.Shards {
			shards = append(shards, aws.ToString(s.ShardId))
		}
		if sd.LastEvaluatedShardId == nil {
			break
		}
		in.ExclusiveStartShardId = sd.LastEvaluatedShardId
	}
	if len(shards) != 3 {
		t.Fatalf("shards = %v", shards)
	}
	if _, err := sc.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String("arn:aws:dynamodb:us-east-1:123456789012:table/plain/stream/x")}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("missing stream: %v", err)
	}
}

func TestSNSAttributes(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario2)
	ctx := context.Background()
	c := sns.NewFromConfig(cfg)
	topic := "arn:aws:sns:us-east-1:123456789012:orders-events"
	ta, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil || ta.Attributes["KmsMasterKeyId"] != "alias/aws/sns" || ta.Attributes["SubscriptionsConfirmed"] != "1" || ta.Attributes["TopicArn"] != topic {
		t.Fatalf("topic = %+v, %v", ta, err)
	}
	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil || len(subs.Subscriptions) != 1 {
		t.Fatalf("subs = %+v, %v", subs, err)
	}
	sa, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn})
	if err != nil || sa.Attributes["RawMessageDelivery"] != "true" || sa.Attributes["FilterPolicyScope"] != "MessageAttributes" || !strings.HasSuffix(sa.Attributes["Endpoint"], ":orders") {
		t.Fatalf("subscription = %+v, %v", sa, err)
	}
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic + "-nope")})
	var re *smithyhttp.ResponseError
	if apiCode(err) != "NotFound" || !errors.As(err, &re) || re.HTTPStatusCode() != 404 {
		t.Fatalf("missing topic: %v", err)
	}
}

func TestS3Buckets(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario2)
	ctx := context.Background()
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	h, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("failures")})
	if err != nil || aws.ToString(h.BucketRegion) != "us-east-1" {
		t.Fatalf("head = %+v, %v", h, err)
	}
	p, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("failures")})
	if err != nil || !strings.Contains(aws.ToString(p.Policy), `"s3:PutObject"`) {
		t.Fatalf("policy = %+v, %v", p, err)
	}
	tests := []struct {
		bucket string
		head   int
		policy string
	}{
		{"nope", 404, "NoSuchBucket"},
		{"nopolicy", 200, "NoSuchBucketPolicy"},
		{"theirs", 403, "AccessDenied"},
	}
	for _, tc := range tests {
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(tc.bucket)})
		var re *smithyhttp.ResponseError
		if status := 200; err != nil {
			if errors.As(err, &re) {
				status = re.HTTPStatusCode()
			}
			if status != tc.head {
				t.Errorf("HeadBucket %s: %v, want %d", tc.bucket, err, tc.head)
			}
		} else if tc.head != 200 {
			t.Errorf("HeadBucket %s succeeded, want %d", tc.bucket, tc.head)
		}
		if _, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(tc.bucket)}); apiCode(err) != tc.policy {
			t.Errorf("GetBucketPolicy %s: %v, want %s", tc.bucket, err, tc.policy)
		}
	}
}

func TestMSKOperationsReplicatorsVpcConnections(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario2)
	ctx := context.Background()
	c := kafka.NewFromConfig(cfg)
	ops, err := c.ListClusterOperationsV2(ctx, &kafka.ListClusterOperationsV2Input{ClusterArn: aws.String("arn:aws:kafka:us-east-1:123456789012:cluster/c/abc-1")})
	if err != nil || len(ops.ClusterOperationInfoList) != 2 || aws.ToString(ops.ClusterOperationInfoList[1].OperationState) != "UPDATE_FAILED" || ops.ClusterOperationInfoList[0].StartTime == nil {
		t.Fatalf("operations = %+v, %v", ops, err)
	}
	op, err := c.DescribeClusterOperationV2(ctx, &kafka.DescribeClusterOperationV2Input{ClusterOperationArn: ops.ClusterOperationInfoList[1].OperationArn})
	if err != nil || aws.ToString(op.ClusterOperationInfo.ErrorInfo.ErrorCode) != "InvalidSecurityGroup" || aws.ToString(op.ClusterOperationInfo.ClusterArn) == "" {
		t.Fatalf("operation = %+v, %v", op, err)
	}
	rl, err := c.ListReplicators(ctx, &kafka.ListReplicatorsInput{})
	if err != nil || len(rl.Replicators) != 1 || rl.Replicators[0].ReplicatorState != "FAILED" || aws.ToString(rl.Replicators[0].ReplicationInfoSummaryList[0].TargetKafkaClusterAlias) != "dst" {
		t.Fatalf("replicators = %+v, %v", rl, err)
	}
	rd, err := c.DescribeReplicator(ctx, &kafka.DescribeReplicatorInput{ReplicatorArn: rl.Replicators[0].ReplicatorArn})
	if err != nil || aws.ToString(rd.StateInfo.Message) != "target unreachable" || aws.ToString(rd.KafkaClusters[0].AmazonMskCluster.MskClusterArn) == "" ||
		rd.KafkaClusters[0].VpcConfig.SubnetIds[0] != "subnet-1" {
		t.Fatalf("replicator = %+v, %v", rd, err)
	}
	vc, err := c.ListVpcConnections(ctx, &kafka.ListVpcConnectionsInput{})
	if err != nil || len(vc.VpcConnections) != 1 || vc.VpcConnections[0].State != "REJECTED" || vc.VpcConnections[0].CreationTime == nil {
		t.Fatalf("vpc connections = %+v, %v", vc, err)
	}
}

func TestEC2TransitGatewayAndIPv6(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, diagScenario2)
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg)
	v, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || aws.ToString(v.Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock) != "2600:1f18::/56" || v.Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State != "associated" {
		t.Fatalf("vpc = %+v, %v", v, err)
	}
	sn, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || !aws.ToBool(sn.Subnets[0].AssignIpv6AddressOnCreation) || aws.ToString(sn.Subnets[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock) != "2600:1f18::/64" {
		t.Fatalf("subnet = %+v, %v", sn, err)
	}
	rt, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})
	if err != nil || aws.ToString(rt.RouteTables[0].Routes[1].TransitGatewayId) != "tgw-1" || aws.ToString(rt.RouteTables[0].Routes[2].EgressOnlyInternetGatewayId) != "eigw-1" {
		t.Fatalf("routes = %+v, %v", rt, err)
	}
	eg, err := c.DescribeEgressOnlyInternetGateways(ctx, &ec2.DescribeEgressOnlyInternetGatewaysInput{})
	if err != nil || aws.ToString(eg.EgressOnlyInternetGateways[0].EgressOnlyInternetGatewayId) != "eigw-1" {
		t.Fatalf("eigw = %+v, %v", eg, err)
	}
	sg, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil || aws.ToString(sg.SecurityGroups[0].IpPermissions[0].Ipv6Ranges[0].CidrIpv6) != "2600:1f18::/56" {
		t.Fatalf("sg = %+v, %v", sg, err)
	}
	acl, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{})
	if err != nil || aws.ToString(acl.NetworkAcls[0].Entries[0].Ipv6CidrBlock) != "::/0" || acl.NetworkAcls[0].Entries[0].CidrBlock != nil {
		t.Fatalf("acl = %+v, %v", acl, err)
	}
	at, err := c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"pendingAcceptance"}}}})
	if err != nil || len(at.TransitGatewayAttachments) != 1 || aws.ToString(at.TransitGatewayAttachments[0].ResourceOwnerId) != "222222222222" {
		t.Fatalf("attachments = %+v, %v", at, err)
	}
	va, err := c.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{TransitGatewayAttachmentIds: []string{"tgw-attach-1"}})
	if err != nil || len(va.TransitGatewayVpcAttachments) != 1 || va.TransitGatewayVpcAttachments[0].SubnetIds[0] != "subnet-1" {
		t.Fatalf("vpc attachments = %+v, %v", va, err)
	}
	routes := func(filter, val string) []string {
		t.Helper()
		out, err := c.SearchTransitGatewayRoutes(ctx, &ec2.SearchTransitGatewayRoutesInput{TransitGatewayRouteTableId: aws.String("tgw-rtb-1"),
			Filters: []ec2types.Filter{{Name: aws.String(filter), Values: []string{val}}}})
		if err != nil {
			t.Fatalf("%s=%s: %v", filter, val, err)
		}
		var got []string
		for _, r := range out.Routes {
			got = append(got, aws.ToString(r.DestinationCidrBlock)+"/"+string(r.State))
		}
		return got
	}
	if got := routes("route-search.longest-prefix-match", "10.50.8.7/32"); len(got) != 1 || got[0] != "10.50.8.0/24/blackhole" {
		t.Errorf("longest prefix = %v", got)
	}
	if got := routes("route-search.subnet-of-match", "10.50.0.0/16"); len(got) != 2 {
		t.Errorf("subnet-of = %v", got)
	}
	if got := routes("type", "propagated"); len(got) != 1 || got[0] != "10.0.0.0/16/active" {
		t.Errorf("propagated = %v", got)
	}
}
