package backends

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"go.yaml.in/yaml/v3"
)

// The fixture: one account's streaming resources, built in moto through the
// AWS APIs and described to awssim as a scenario, so both backends hold the
// same state and every case can expect the same facts from both.
const (
	fxAccount   = "123456789012"
	fxRegion    = "us-east-1"
	fxFunction  = "orders-fn"
	fxRole      = "orders-fn-role"
	fxQueue     = "orders-jobs"
	fxDLQ       = "orders-jobs-dlq"
	fxStream    = "clicks"
	fxShards    = 4
	fxSecret    = "AmazonMSK_orders"
	fxSGName    = "cluster-sg"
	fxVPCCIDR   = "10.20.0.0/16"
	fxTimeout   = 120
	fxMaxRecv   = 3
	fxVisTO     = 30
	fxSQSBatch  = 10
	fxKinBatch  = 100
	fxAuthPort  = 9098
	fxCluster   = "orders-msk"
	fxBrokers   = 2
	fxBrokerTy  = "kafka.m7g.large"
	fxInlineDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"arn:aws:sqs:us-east-1:123456789012:orders-jobs"}]}`
	fxManagedDc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:GetRecords","kinesis:GetShardIterator","kinesis:DescribeStream","kinesis:ListShards"],"Resource":"arn:aws:kinesis:us-east-1:123456789012:stream/clicks"}]}`
	fxTrustDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

func arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, fxRegion, fxAccount, resource)
}

// fxIDs are the identifiers a backend assigned.
type fxIDs struct {
	subnets   []string // the two private subnets
	sg        string
	nat       string
	sqsESM    string
	kinesisES string
	cluster   string // MSK cluster ARN
}

// simScenario is the fixture as an awssim scenario, with fixed identifiers.
func simScenario() ([]byte, fxIDs, error) {
	ids := fxIDs{subnets: []string{"subnet-0a1", "subnet-0b2"}, sg: "sg-0c1", nat: "nat-0d1",
		sqsESM: "0f0e0d0c-1111-4222-8333-444455556666", kinesisES: "0f0e0d0c-7777-4888-9999-aaaabbbbcccc",
		cluster: arn("kafka", "cluster/"+fxCluster+"/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3")}
	var trust, inline, managed any
	for doc, into := range map[string]*any{fxTrustDoc: &trust, fxInlineDoc: &inline, fxManagedDc: &managed} {
		if err := json.Unmarshal([]byte(doc), into); err != nil {
			return nil, ids, err
		}
	}
	fnARN := arn("lambda", "function:"+fxFunction)
	managedARN := "arn:aws:iam::" + fxAccount + ":policy/kinesis-read"
	sc := map[string]any{
		"name": "backends-fixture", "description": "the cross-backend fixture", "account": fxAccount, "region": fxRegion,
		"functions": []any{map[string]any{
			"FunctionName": fxFunction, "Runtime": "python3.12", "Role": "arn:aws:iam::" + fxAccount + ":role/" + fxRole,
			"Handler": "h.h", "Timeout": fxTimeout, "MemorySize": 128, "State": "Active", "PackageType": "Zip",
		}},
		"event_source_mappings": []any{
			map[string]any{"UUID": ids.sqsESM, "FunctionArn": fnARN, "EventSourceArn": arn("sqs", fxQueue), "State": "Enabled", "BatchSize": fxSQSBatch},
			map[string]any{"UUID": ids.kinesisES, "FunctionArn": fnARN, "EventSourceArn": arn("kinesis", "stream/"+fxStream), "State": "Enabled",
				"BatchSize": fxKinBatch, "StartingPosition": "LATEST"},
		},
		"sqs_queues": []any{
			map[string]any{"QueueName": fxQueue, "Attributes": map[string]any{
				"VisibilityTimeout": fmt.Sprint(fxVisTO),
				"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%d}`, arn("sqs", fxDLQ), fxMaxRecv),
			}},
			map[string]any{"QueueName": fxDLQ, "Attributes": map[string]any{"VisibilityTimeout": fmt.Sprint(fxVisTO)}},
		},
		"kinesis": map[string]any{"streams": []any{map[string]any{"StreamName": fxStream, "ShardCount": fxShards, "StreamMode": "PROVISIONED"}}},
		"secrets": []any{map[string]any{"Name": fxSecret, "ARN": arn("secretsmanager", "secret:"+fxSecret+"-AbCdEf")}},
		"iam": map[string]any{
			"roles": []any{map[string]any{"RoleName": fxRole, "AssumeRolePolicyDocument": trust,
				"AttachedPolicyArns": []string{managedARN}, "InlinePolicies": map[string]any{"sqs-read": inline}}},
			"policies": []any{map[string]any{"Arn": managedARN, "PolicyName": "kinesis-read", "Document": managed}},
		},
		"msk": map[string]any{"clusters": []any{map[string]any{
			"clusterArn": ids.cluster, "clusterName": fxCluster, "clusterType": "PROVISIONED", "state": "ACTIVE",
			"provisioned": map[string]any{"numberOfBrokerNodes": fxBrokers, "brokerNodeGroupInfo": map[string]any{
				"instanceType": fxBrokerTy, "clientSubnets": ids.subnets, "securityGroups": []string{ids.sg}},
				"currentBrokerSoftwareInfo": map[string]any{"kafkaVersion": "3.6.0"}},
		}}},
		"ec2": map[string]any{
			"vpcs": []any{map[string]any{"VpcId": "vpc-0a1", "CidrBlock": fxVPCCIDR}},
			"subnets": []any{
				map[string]any{"SubnetId": ids.subnets[0], "VpcId": "vpc-0a1", "CidrBlock": "10.20.1.0/24", "AvailabilityZone": "us-east-1a"},
				map[string]any{"SubnetId": ids.subnets[1], "VpcId": "vpc-0a1", "CidrBlock": "10.20.2.0/24", "AvailabilityZone": "us-east-1b"},
				map[string]any{"SubnetId": "subnet-0pub", "VpcId": "vpc-0a1", "CidrBlock": "10.20.0.0/24", "AvailabilityZone": "us-east-1a"},
			},
			"nat_gateways":      []any{map[string]any{"NatGatewayId": ids.nat, "SubnetId": "subnet-0pub", "VpcId": "vpc-0a1", "State": "available"}},
			"internet_gateways": []any{map[string]any{"InternetGatewayId": "igw-0a1", "Attachments": []any{map[string]any{"VpcId": "vpc-0a1", "State": "available"}}}},
			"route_tables": []any{map[string]any{"RouteTableId": "rtb-0priv", "VpcId": "vpc-0a1",
				"Routes": []any{
					map[string]any{"DestinationCidrBlock": fxVPCCIDR, "GatewayId": "local"},
					map[string]any{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ids.nat},
				},
				"Associations": []any{
					map[string]any{"SubnetId": ids.subnets[0], "RouteTableAssociationId": "rtbassoc-1"},
					map[string]any{"SubnetId": ids.subnets[1], "RouteTableAssociationId": "rtbassoc-2"},
				}}},
			"security_groups": []any{map[string]any{"GroupId": ids.sg, "GroupName": fxSGName, "VpcId": "vpc-0a1",
				"IpPermissions": []any{map[string]any{"IpProtocol": "tcp", "FromPort": fxAuthPort, "ToPort": fxAuthPort,
					"UserIdGroupPairs": []any{map[string]any{"GroupId": ids.sg}}}},
				"IpPermissionsEgress": []any{map[string]any{"IpProtocol": "-1", "IpRanges": []any{map[string]any{"CidrIp": "0.0.0.0/0"}}}},
			}},
		},
	}
	raw, err := yaml.Marshal(sc)
	return raw, ids, err
}

// motoConfig is an SDK config for moto at endpoint.
func motoConfig(endpoint string) sdkaws.Config {
	return sdkaws.Config{
		Region:       fxRegion,
		BaseEndpoint: sdkaws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("moto", "moto", ""),
	}
}

// applyMoto builds the fixture in moto through the AWS APIs.
func applyMoto(ctx context.Context, endpoint string) (fxIDs, error) {
	var ids fxIDs
	cfg := motoConfig(endpoint)
	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: sdkaws.String(fxVPCCIDR)})
	if err != nil {
		return ids, fmt.Errorf("CreateVpc: %w", err)
	}
	vpcID := vpc.Vpc.VpcId
	subnet := func(cidr, az string) (string, error) {
		s, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: sdkaws.String(cidr), AvailabilityZone: sdkaws.String(az)})
		if err != nil {
			return "", fmt.Errorf("CreateSubnet: %w", err)
		}
		return *s.Subnet.SubnetId, nil
	}
	for _, s := range []struct{ cidr, az string }{{"10.20.1.0/24", "us-east-1a"}, {"10.20.2.0/24", "us-east-1b"}} {
		id, err := subnet(s.cidr, s.az)
		if err != nil {
			return ids, err
		}
		ids.subnets = append(ids.subnets, id)
	}
	pub, err := subnet("10.20.0.0/24", "us-east-1a")
	if err != nil {
		return ids, err
	}
	igw, err := e.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		return ids, fmt.Errorf("CreateInternetGateway: %w", err)
	}
	if _, err := e.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: vpcID}); err != nil {
		return ids, fmt.Errorf("AttachInternetGateway: %w", err)
	}
	eip, err := e.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		return ids, fmt.Errorf("AllocateAddress: %w", err)
	}
	nat, err := e.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: sdkaws.String(pub), AllocationId: eip.AllocationId})
	if err != nil {
		return ids, fmt.Errorf("CreateNatGateway: %w", err)
	}
	ids.nat = *nat.NatGateway.NatGatewayId
	rt, err := e.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpcID})
	if err != nil {
		return ids, fmt.Errorf("CreateRouteTable: %w", err)
	}
	if _, err := e.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId,
		DestinationCidrBlock: sdkaws.String("0.0.0.0/0"), NatGatewayId: nat.NatGateway.NatGatewayId}); err != nil {
		return ids, fmt.Errorf("CreateRoute: %w", err)
	}
	for _, s := range ids.subnets {
		if _, err := e.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: sdkaws.String(s)}); err != nil {
			return ids, fmt.Errorf("AssociateRouteTable: %w", err)
		}
	}
	sg, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: sdkaws.String(fxSGName), Description: sdkaws.String("cluster"), VpcId: vpcID})
	if err != nil {
		return ids, fmt.Errorf("CreateSecurityGroup: %w", err)
	}
	ids.sg = *sg.GroupId
	if _, err := e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId,
		IpPermissions: []ec2types.IpPermission{{IpProtocol: sdkaws.String("tcp"), FromPort: sdkaws.Int32(fxAuthPort), ToPort: sdkaws.Int32(fxAuthPort),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: sg.GroupId}}}}}); err != nil {
		return ids, fmt.Errorf("AuthorizeSecurityGroupIngress: %w", err)
	}

	im := iam.NewFromConfig(cfg)
	if _, err := im.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String(fxRole), AssumeRolePolicyDocument: sdkaws.String(fxTrustDoc)}); err != nil {
		return ids, fmt.Errorf("CreateRole: %w", err)
	}
	if _, err := im.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: sdkaws.String(fxRole), PolicyName: sdkaws.String("sqs-read"), PolicyDocument: sdkaws.String(fxInlineDoc)}); err != nil {
		return ids, fmt.Errorf("PutRolePolicy: %w", err)
	}
	pol, err := im.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: sdkaws.String("kinesis-read"), PolicyDocument: sdkaws.String(fxManagedDc)})
	if err != nil {
		return ids, fmt.Errorf("CreatePolicy: %w", err)
	}
	if _, err := im.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdkaws.String(fxRole), PolicyArn: pol.Policy.Arn}); err != nil {
		return ids, fmt.Errorf("AttachRolePolicy: %w", err)
	}

	msk, err := kafka.NewFromConfig(cfg).CreateClusterV2(ctx, &kafka.CreateClusterV2Input{ClusterName: sdkaws.String(fxCluster),
		Provisioned: &kafkatypes.ProvisionedRequest{NumberOfBrokerNodes: sdkaws.Int32(fxBrokers), KafkaVersion: sdkaws.String("3.6.0"),
			BrokerNodeGroupInfo: &kafkatypes.BrokerNodeGroupInfo{InstanceType: sdkaws.String(fxBrokerTy), ClientSubnets: ids.subnets, SecurityGroups: []string{ids.sg}}}})
	if err != nil {
		return ids, fmt.Errorf("CreateClusterV2: %w", err)
	}
	ids.cluster = *msk.ClusterArn

	q := sqs.NewFromConfig(cfg)
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String(fxDLQ),
		Attributes: map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): fmt.Sprint(fxVisTO)}}); err != nil {
		return ids, fmt.Errorf("CreateQueue dlq: %w", err)
	}
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String(fxQueue), Attributes: map[string]string{
		string(sqstypes.QueueAttributeNameVisibilityTimeout): fmt.Sprint(fxVisTO),
		string(sqstypes.QueueAttributeNameRedrivePolicy):     fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"%d"}`, arn("sqs", fxDLQ), fxMaxRecv),
	}}); err != nil {
		return ids, fmt.Errorf("CreateQueue: %w", err)
	}
	if _, err := kinesis.NewFromConfig(cfg).CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: sdkaws.String(fxStream), ShardCount: sdkaws.Int32(fxShards)}); err != nil {
		return ids, fmt.Errorf("CreateStream: %w", err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: sdkaws.String(fxSecret), SecretString: sdkaws.String("never read")}); err != nil {
		return ids, fmt.Errorf("CreateSecret: %w", err)
	}

	l := lambda.NewFromConfig(cfg)
	zipped, err := handlerZip()
	if err != nil {
		return ids, err
	}
	if _, err := l.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: sdkaws.String(fxFunction), Runtime: ltypes.RuntimePython312,
		Role: sdkaws.String("arn:aws:iam::" + fxAccount + ":role/" + fxRole), Handler: sdkaws.String("h.h"),
		Timeout: sdkaws.Int32(fxTimeout), MemorySize: sdkaws.Int32(128), Code: &ltypes.FunctionCode{ZipFile: zipped}}); err != nil {
		return ids, fmt.Errorf("CreateFunction: %w", err)
	}
	m1, err := l.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: sdkaws.String(fxFunction),
		EventSourceArn: sdkaws.String(arn("sqs", fxQueue)), BatchSize: sdkaws.Int32(fxSQSBatch)})
	if err != nil {
		return ids, fmt.Errorf("CreateEventSourceMapping sqs: %w", err)
	}
	ids.sqsESM = *m1.UUID
	m2, err := l.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: sdkaws.String(fxFunction),
		EventSourceArn: sdkaws.String(arn("kinesis", "stream/"+fxStream)), BatchSize: sdkaws.Int32(fxKinBatch), StartingPosition: ltypes.EventSourcePositionLatest})
	if err != nil {
		return ids, fmt.Errorf("CreateEventSourceMapping kinesis: %w", err)
	}
	ids.kinesisES = *m2.UUID
	return ids, nil
}

func handlerZip() ([]byte, error) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("h.py")
	if err != nil {
		return nil, err
	}
	if _, err := f.Write([]byte("def h(event, context):\n    return None\n")); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
