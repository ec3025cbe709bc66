package guide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

func (r Request) policyInput() iac.PolicyInput {
	in := iac.PolicyInput{
		Source: r.Source, EventSourceArn: r.EventSourceArn, ClusterArn: r.ClusterArn, Auth: r.Auth,
		Topic: r.Topic, ConsumerGroupID: r.ConsumerGroupID, SecretArn: r.SecretArn, RootCASecretArn: r.RootCASecretArn,
		KMSKeyArns: r.KMSKeyArns, OnFailureDestination: r.OnFailureDestination, SchemaRegistryArn: r.SchemaRegistryArn,
		VPC: r.Source == iac.SourceMSK || (r.Source == iac.SourceSelfManagedKafka && len(r.SubnetIDs) > 0),
	}
	if strings.HasPrefix(r.FunctionName, "arn:") {
		in.FunctionArn = r.FunctionName
	}
	return in
}

// missingForPolicy names the inputs without which no exact policy can be
// built.
func (r Request) missingForPolicy() []string {
	var m []string
	if r.Source != iac.SourceSelfManagedKafka && r.EventSourceArn == "" {
		m = append(m, "event_source_arn")
	}
	if r.Source == iac.SourceMSK && r.Auth == iac.AuthIAM && r.Topic == "" {
		m = append(m, "topic")
	}
	return m
}

func (e *Engine) permissions(r Request) (Result, error) {
	var res Result
	res.Steps = append(res.Steps, e.permissionFacts(r)...)
	if miss := r.missingForPolicy(); len(miss) > 0 {
		res.Steps = append(res.Steps, Step{Title: "Inputs needed for the exact policy", Detail: "Give " + strings.Join(miss, " and ") + " to get a policy scoped to the real ARNs; no policy with placeholder or wildcard ARNs is generated."})
	} else {
		arts, err := e.policyArtifacts(r)
		if err != nil {
			return Result{}, err
		}
		if len(arts) == 0 {
			res.Steps = append(res.Steps, Step{Title: "Nothing to grant from these inputs", Detail: "Give secret_arn, subnet_ids or function_name (as an ARN) to get the statements they need."})
		}
		res.Artifacts = append(res.Artifacts, arts...)
	}
	res.Checks = append(res.Checks,
		Check{Name: "Execution role can do what the mapping needs", How: "no EVENT_SOURCE_AUTHZ_ERROR / 'Cluster failed to authorize Lambda' / AccessDenied in LastProcessingResult", Tool: "esm_inspect"})
	if r.Source.IsKafka() {
		res.Checks = append(res.Checks, Check{Name: "Authorization on topic and group", How: "authorization checks pass for the topic and the consumer group", Tool: "kafka_troubleshoot"})
	}
	return res, nil
}

func (e *Engine) permissionFacts(r Request) []Step {
	var s []Step
	switch r.Source {
	case iac.SourceKinesis:
		s = append(s, Step{Title: "Stream read actions", Detail: "kinesis:DescribeStream, DescribeStreamSummary, GetRecords, GetShardIterator and ListShards on the stream ARN. With enhanced fan-out (EventSourceArn is a consumer ARN) also kinesis:SubscribeToShard and DescribeStreamConsumer on the consumer ARN. For an SSE-KMS stream with a customer managed key, kms:Decrypt on that key (give kms_key_arns)."})
	case iac.SourceDynamoDB:
		s = append(s, Step{Title: "Table stream read actions", Detail: "dynamodb:DescribeStream, GetRecords and GetShardIterator on the stream ARN (table/NAME/stream/LABEL), and dynamodb:ListStreams on table/NAME/stream/*."})
	case iac.SourceSQS, iac.SourceSQSFIFO:
		s = append(s, Step{Title: "Queue consume actions", Detail: "sqs:ReceiveMessage, DeleteMessage and GetQueueAttributes on the queue ARN. For SSE-KMS with a customer managed key, kms:Decrypt on that key. The queue's dead-letter queue is fed by SQS redrive, not by the role, so the role needs nothing on it."})
	case iac.SourceMSK:
		d := "kafka:DescribeClusterV2 and GetBootstrapBrokers on the cluster ARN, and the EC2 network-interface actions (Create/Describe/DeleteNetworkInterface, DescribeVpcs, DescribeSubnets, DescribeSecurityGroups), which take no resource ARN."
		switch r.Auth {
		case iac.AuthIAM:
			d += " With IAM auth: kafka-cluster:Connect and DescribeClusterDynamicConfiguration on the cluster ARN, DescribeTopic and ReadData on topic/CLUSTER/UUID/TOPIC, DescribeGroup and AlterGroup on group/CLUSTER/UUID/GROUP. Topic and group ARNs repeat the cluster UUID; without it they match nothing."
		case iac.AuthSCRAM512, iac.AuthMTLS:
			d += " With SCRAM or mTLS: secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its customer managed key); Kafka ACLs on the cluster grant DescribeConfigs on the cluster, Describe and Read on the topic and on the group."
		}
		s = append(s, Step{Title: "Cluster, data-plane and network actions", Detail: d})
		if r.ClientAccount != "" {
			s = append(s, Step{Title: "Cross-account: the cluster policy", Detail: "The cluster owner attaches a cluster policy granting the client account kafka:CreateVpcConnection, GetBootstrapBrokers, DescribeCluster and DescribeClusterV2 (plus the kafka-cluster data actions with IAM auth); the client's role also needs kafka:DescribeVpcConnection on the VPC connection ARN."})
		}
	case iac.SourceSelfManagedKafka:
		s = append(s, Step{Title: "Secrets and network actions", Detail: "secretsmanager:GetSecretValue on the credentials secret (and on the root CA secret if the brokers use a private CA), kms:Decrypt on a customer managed key of those secrets, and the EC2 network-interface actions when the mapping has VPC subnets. Authorization on the topic and group is the brokers' ACLs."})
	}
	if r.OnFailureDestination != "" {
		s = append(s, Step{Title: "Failure destination", Detail: "sqs:SendMessage, sns:Publish, or s3:PutObject and s3:ListBucket on the destination; for a kafka:// topic destination on MSK with IAM auth, kafka-cluster:WriteData and DescribeTopic on that topic's ARN."})
	}
	if r.SchemaRegistryArn != "" {
		s = append(s, Step{Title: "Glue schema registry", Detail: "glue:GetRegistry and glue:GetSchemaVersion on the registry and its schemas."})
	}
	return s
}

func (e *Engine) policyArtifacts(r Request) ([]iac.Artifact, error) {
	pol, notes, err := iac.ExecutionPolicy(r.policyInput())
	if err != nil {
		return nil, err
	}
	if len(pol.Statement) == 0 {
		return nil, nil // nothing to grant from these inputs; the steps say what is missing
	}
	js, err := pol.JSON()
	if err != nil {
		return nil, err
	}
	out := []iac.Artifact{{Kind: iac.KindIAMPolicy, Format: "json", Name: "execution-role-policy.json", Content: js, Notes: notes}}
	role, err := iac.RenderRole(iac.Role{LogicalID: "ExecutionRole", Policy: pol}, r.Format)
	if err != nil {
		return nil, err
	}
	out = append(out, role)
	if r.Source == iac.SourceMSK && r.ClientAccount != "" {
		carn := r.ClusterArn
		if carn == "" {
			carn = r.EventSourceArn
		}
		c, err := iac.ParseMSKClusterARN(carn)
		if err != nil {
			return nil, fmt.Errorf("cluster policy: %w", err)
		}
		cp, err := iac.ClusterPolicy(c, r.ClientAccount, r.Auth, r.Topic, r.ConsumerGroupID)
		if err != nil {
			return nil, err
		}
		cjs, err := cp.JSON()
		if err != nil {
			return nil, err
		}
		out = append(out, iac.Artifact{Kind: iac.KindIAMPolicy, Format: "json", Name: "msk-cluster-policy.json", Content: cjs})
		a, err := iac.RenderClusterPolicy(c, cp, r.Format)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
