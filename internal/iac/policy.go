package iac

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PolicyDocument is an IAM policy document. It is built from typed
// statements and marshalled with encoding/json; no caller value is ever
// spliced into policy text.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string][]string          `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// PolicyVersion is the current IAM policy language version.
const PolicyVersion = "2012-10-17"

// JSON renders the document, indented.
func (p PolicyDocument) JSON() (string, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "", fmt.Errorf("iac: marshal policy: %w", err)
	}
	return string(b) + "\n", nil
}

// cfn returns the document as a plain value for embedding in a template.
func (p PolicyDocument) cfn() map[string]any {
	sts := make([]any, 0, len(p.Statement))
	for _, s := range p.Statement {
		m := map[string]any{"Effect": s.Effect, "Action": s.Action}
		if len(s.Resource) > 0 {
			m["Resource"] = s.Resource
		}
		if s.Sid != "" {
			m["Sid"] = s.Sid
		}
		if len(s.Principal) > 0 {
			m["Principal"] = s.Principal
		}
		if len(s.Condition) > 0 {
			m["Condition"] = s.Condition
		}
		sts = append(sts, m)
	}
	return map[string]any{"Version": p.Version, "Statement": sts}
}

// Env is where ARNs are built: partition, Region and account.
type Env struct {
	Partition string
	Region    string
	Account   string
}

func (e Env) arn(service, resource string) string {
	return "arn:" + e.Partition + ":" + service + ":" + e.Region + ":" + e.Account + ":" + resource
}

func envOf(a ARN) Env { return Env{Partition: a.Partition, Region: a.Region, Account: a.AccountID} }

// MSKCluster identifies an MSK cluster: its ARN carries the UUID that every
// topic and group ARN must repeat.
type MSKCluster struct {
	Env
	Name string
	UUID string
}

// ParseMSKClusterARN parses a cluster ARN (not a VPC connection ARN).
func ParseMSKClusterARN(s string) (MSKCluster, error) {
	a, err := ParseARN(s, "kafka")
	if err != nil {
		return MSKCluster{}, err
	}
	r, err := ParseMSKResource(a.Resource)
	if err != nil {
		return MSKCluster{}, err
	}
	if r.Kind != "cluster" {
		return MSKCluster{}, invalidf("%s is a VPC connection ARN; the cluster ARN (cluster/NAME/UUID) is needed here", quoteForError(s))
	}
	return MSKCluster{Env: envOf(a), Name: r.ClusterName, UUID: r.UUID}, nil
}

// ARN is the cluster ARN: arn:P:kafka:R:A:cluster/NAME/UUID.
func (c MSKCluster) ARN() string { return c.arn("kafka", "cluster/"+c.Name+"/"+c.UUID) }

// TopicARN is arn:P:kafka:R:A:topic/NAME/UUID/TOPIC — with the UUID.
// https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
func (c MSKCluster) TopicARN(topic string) string {
	return c.arn("kafka", "topic/"+c.Name+"/"+c.UUID+"/"+topic)
}

// GroupARN is arn:P:kafka:R:A:group/NAME/UUID/GROUP — with the UUID.
func (c MSKCluster) GroupARN(group string) string {
	return c.arn("kafka", "group/"+c.Name+"/"+c.UUID+"/"+group)
}

// Auth is a Kafka authentication mode as esm_guidance names it.
type Auth string

// The authentication modes.
const (
	AuthIAM            Auth = "iam"
	AuthSCRAM512       Auth = "sasl_scram_512"
	AuthSCRAM256       Auth = "sasl_scram_256"
	AuthPlain          Auth = "sasl_plain"
	AuthMTLS           Auth = "mtls"
	AuthNone           Auth = "none"
	AuthUnchosen       Auth = ""
	sidLogs                 = "WriteOwnLogs"
	sidENI                  = "ManageVpcNetworkInterfaces"
	ec2Unscopable           = "*" // these EC2 actions do not support resource-level permissions
	secretsmanagerName      = "secretsmanager"
)

// PolicyInput is what the execution-role policy is built from.
type PolicyInput struct {
	Source Source
	// EventSourceArn is the stream, stream consumer, table stream, queue,
	// MSK cluster or VPC connection ARN.
	EventSourceArn string
	// ClusterArn is the MSK cluster ARN when EventSourceArn is a VPC
	// connection (cross-account): its UUID is in the cluster ARN only.
	ClusterArn string
	// FunctionArn, when set, scopes the log statement to this function.
	FunctionArn string
	Auth        Auth
	Topic       string
	// ConsumerGroupID is the ESM's group; empty means Lambda will use the
	// mapping's UUID, unknown before creation, so the group ARN ends in "*".
	ConsumerGroupID string
	// SecretArn holds SCRAM/PLAIN credentials or the mTLS client certificate.
	SecretArn string
	// RootCASecretArn holds a private root CA (self-managed Kafka).
	RootCASecretArn string
	// KMSKeyArns are customer managed keys: of the stream or queue (SSE),
	// of the secret.
	KMSKeyArns []string
	// OnFailureDestination is an SQS, SNS, S3 ARN or kafka://TOPIC.
	OnFailureDestination string
	// SchemaRegistryArn is a Glue schema registry ARN.
	SchemaRegistryArn string
	// VPC says the mapping creates network interfaces (MSK, or self-managed
	// Kafka in a VPC).
	VPC bool
}

// ExecutionPolicy builds the least-privilege policy for the function's
// execution role: only the actions the mapping performs, each on the exact
// resource ARN. It returns an error wrapping ErrInvalid for bad input, and
// notes for what it could not scope.
func ExecutionPolicy(in PolicyInput) (PolicyDocument, []string, error) {
	var (
		sts   []Statement
		notes []string
		env   Env
	)
	add := func(sid string, res []string, actions ...string) {
		sts = append(sts, Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: res})
	}
	if in.Source != SourceSelfManagedKafka {
		if err := ValidateSourceARN(in.Source, in.EventSourceArn); err != nil {
			return PolicyDocument{}, nil, err
		}
		a, _ := ParseARN(in.EventSourceArn, "")
		env = envOf(a)
	}
	switch in.Source {
	case SourceKinesis:
		a, _ := ParseARN(in.EventSourceArn, "kinesis")
		kr, _ := ParseKinesisResource(a.Resource)
		streamARN := env.arn("kinesis", "stream/"+kr.Stream)
		// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (execution role permissions)
		add("ReadStream", []string{streamARN}, "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards")
		if kr.Consumer != "" {
			// enhanced fan-out: the mapping reads through the consumer
			add("ReadThroughConsumer", []string{in.EventSourceArn}, "kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer")
		}
	case SourceDynamoDB:
		add("ReadTableStream", []string{in.EventSourceArn}, "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
		a, _ := ParseARN(in.EventSourceArn, "dynamodb")
		table := strings.Split(a.Resource, "/")[1]
		// ListStreams is authorized on the table's stream/* resource
		// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-read-stream-only.html)
		add("ListTableStreams", []string{env.arn("dynamodb", "table/"+table+"/stream/*")}, "dynamodb:ListStreams")
	case SourceSQS, SourceSQSFIFO:
		// https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (execution role permissions)
		add("ConsumeQueue", []string{in.EventSourceArn}, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
	case SourceMSK:
		n, err := mskStatements(in, env, add)
		if err != nil {
			return PolicyDocument{}, nil, err
		}
		notes = append(notes, n...)
	case SourceSelfManagedKafka:
		if in.Auth == AuthIAM {
			return PolicyDocument{}, nil, invalidf("self-managed Kafka does not support IAM authentication; use sasl_scram_512, sasl_scram_256, sasl_plain, mtls or none")
		}
	default:
		return PolicyDocument{}, nil, invalidf("event source %q is not one of kinesis, dynamodb, sqs, sqs_fifo, msk, self_managed_kafka", string(in.Source))
	}
	secrets := []string{}
	for _, s := range []string{in.SecretArn, in.RootCASecretArn} {
		if s == "" {
			continue
		}
		if err := ValidateSecretARN(s); err != nil {
			return PolicyDocument{}, nil, err
		}
		secrets = append(secrets, s)
	}
	if in.Source.IsKafka() && in.Auth != AuthIAM && in.Auth != AuthNone && in.Auth != AuthUnchosen && in.SecretArn == "" {
		notes = append(notes, fmt.Sprintf("Auth %s needs a Secrets Manager secret: give secret_arn to scope secretsmanager:GetSecretValue to it.", in.Auth))
	}
	if len(secrets) > 0 {
		add("ReadKafkaCredentials", secrets, "secretsmanager:GetSecretValue")
	}
	if len(in.KMSKeyArns) > 0 {
		keys := make([]string, 0, len(in.KMSKeyArns))
		for _, k := range in.KMSKeyArns {
			if err := ValidateKMSKeyARN(k); err != nil {
				return PolicyDocument{}, nil, err
			}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		add("DecryptWithCustomerKeys", keys, "kms:Decrypt")
	}
	if in.VPC || in.Source == SourceMSK {
		// https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html: these EC2
		// actions do not support resource-level permissions, so "*" is the narrowest resource.
		add(sidENI, []string{ec2Unscopable}, "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")
	}
	if d := in.OnFailureDestination; d != "" {
		n, err := destinationStatements(in, d, add)
		if err != nil {
			return PolicyDocument{}, nil, err
		}
		notes = append(notes, n...)
	}
	if r := in.SchemaRegistryArn; r != "" {
		a, err := ParseARN(r, "glue")
		if err != nil {
			return PolicyDocument{}, nil, err
		}
		name, ok := strings.CutPrefix(a.Resource, "registry/")
		if !ok || !reKinesisStream.MatchString(name) {
			return PolicyDocument{}, nil, invalidf("Glue ARN %s is not a registry ARN (registry/NAME)", quoteForError(r))
		}
		genv := envOf(a)
		// https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html (Glue schema registry)
		add("ReadSchemaRegistry", []string{r, genv.arn("glue", "schema/"+name+"/*")}, "glue:GetRegistry", "glue:GetSchemaVersion")
	}
	if in.FunctionArn != "" {
		if err := ValidateFunctionName(in.FunctionArn); err != nil {
			return PolicyDocument{}, nil, err
		}
		a, err := ParseARN(in.FunctionArn, "lambda")
		if err != nil {
			return PolicyDocument{}, nil, invalidf("function ARN needed for the log statement: %v", err)
		}
		fn := strings.Split(a.Resource, ":")[1]
		fenv := envOf(a)
		group := "log-group:/aws/lambda/" + fn
		add(sidLogs, []string{fenv.arn("logs", group), fenv.arn("logs", group+":*")}, "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
	} else {
		notes = append(notes, "No function ARN: the CloudWatch Logs statement is left out; attach AWSLambdaBasicExecutionRole or give function_name as an ARN.")
	}
	return PolicyDocument{Version: PolicyVersion, Statement: sts}, notes, nil
}

func mskStatements(in PolicyInput, env Env, add func(string, []string, ...string)) ([]string, error) {
	var notes []string
	a, _ := ParseARN(in.EventSourceArn, "kafka")
	r, _ := ParseMSKResource(a.Resource)
	var cluster MSKCluster
	switch {
	case r.Kind == "cluster":
		cluster = MSKCluster{Env: env, Name: r.ClusterName, UUID: r.UUID}
	case in.ClusterArn != "":
		c, err := ParseMSKClusterARN(in.ClusterArn)
		if err != nil {
			return nil, err
		}
		cluster = c
	}
	if r.Kind == "vpc-connection" {
		// https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html (cross-account)
		add("DescribeVpcConnection", []string{in.EventSourceArn}, "kafka:DescribeVpcConnection")
	}
	if cluster.Name == "" {
		notes = append(notes, "The event source is a VPC connection: give cluster_arn (the owner's cluster ARN, whose UUID topic and group ARNs repeat) to get the kafka-cluster statements.")
		return notes, nil
	}
	add("DescribeCluster", []string{cluster.ARN()}, "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers")
	if in.Auth != AuthIAM {
		return notes, nil
	}
	if in.Topic == "" {
		return nil, invalidf("IAM auth: topic is required to scope kafka-cluster:ReadData to the topic ARN")
	}
	if err := ValidateTopic(in.Topic); err != nil {
		return nil, err
	}
	group := "*"
	if in.ConsumerGroupID != "" {
		if err := ValidateConsumerGroupID(in.ConsumerGroupID); err != nil {
			return nil, err
		}
		group = in.ConsumerGroupID
	} else {
		notes = append(notes, "No consumer_group_id: the group defaults to the mapping's UUID, unknown before creation, so the group ARN ends in /*. Set ConsumerGroupId to scope it.")
	}
	// https://docs.aws.amazon.com/lambda/latest/dg/msk-cluster-auth.html and kafka-actions.html
	add("ConnectToCluster", []string{cluster.ARN()}, "kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration")
	add("ReadTopic", []string{cluster.TopicARN(in.Topic)}, "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData")
	add("UseConsumerGroup", []string{cluster.GroupARN(group)}, "kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup")
	if t, ok := strings.CutPrefix(in.OnFailureDestination, "kafka://"); ok {
		if err := ValidateTopic(t); err != nil {
			return nil, err
		}
		add("WriteFailureTopic", []string{cluster.TopicARN(t)}, "kafka-cluster:DescribeTopic", "kafka-cluster:WriteData")
	}
	return notes, nil
}

func destinationStatements(in PolicyInput, d string, add func(string, []string, ...string)) ([]string, error) {
	if strings.HasPrefix(d, "kafka://") {
		if in.Source != SourceMSK || in.Auth != AuthIAM {
			return []string{"A kafka:// failure destination is authorized by Kafka ACLs (or IAM on MSK with IAM auth); no execution-role statement added."}, nil
		}
		return nil, nil // added with the MSK statements
	}
	if err := validateDestination(d, in.Source); err != nil {
		return nil, err
	}
	a, _ := ParseARN(d, "")
	switch a.Service {
	case "sqs":
		add("SendToFailureQueue", []string{d}, "sqs:SendMessage")
	case "sns":
		add("PublishToFailureTopic", []string{d}, "sns:Publish")
	case "s3":
		// https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html: s3:PutObject and s3:ListBucket
		add("WriteFailureObjects", []string{d + "/*"}, "s3:PutObject")
		add("ListFailureBucket", []string{d}, "s3:ListBucket")
	}
	return nil, nil
}

// TrustPolicy lets Lambda assume the execution role.
func TrustPolicy() PolicyDocument {
	return PolicyDocument{Version: PolicyVersion, Statement: []Statement{{
		Effect: "Allow", Principal: map[string][]string{"Service": {"lambda.amazonaws.com"}},
		Action: []string{"sts:AssumeRole"}, Resource: nil,
	}}}
}

// ClusterPolicy is the MSK cluster (resource) policy that lets
// clientAccount create a multi-VPC connection to the cluster and read
// bootstrap brokers, the cross-account prerequisite for a Lambda mapping.
// https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-policy.html
// With IAM auth it also grants the data-plane actions the mapping needs on
// the topic and group ARNs.
func ClusterPolicy(c MSKCluster, clientAccount string, auth Auth, topic, group string) (PolicyDocument, error) {
	if !reAccount.MatchString(clientAccount) {
		return PolicyDocument{}, invalidf("client account %s is not 12 digits", quoteForError(clientAccount))
	}
	root := "arn:" + c.Partition + ":iam::" + clientAccount + ":root"
	p := map[string][]string{"AWS": {root}}
	sts := []Statement{{Sid: "AllowMultiVpcConnection", Effect: "Allow", Principal: p,
		Action:   []string{"kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2"},
		Resource: []string{c.ARN()}}}
	if auth == AuthIAM {
		if err := ValidateTopic(topic); err != nil {
			return PolicyDocument{}, err
		}
		g := "*"
		if group != "" {
			if err := ValidateConsumerGroupID(group); err != nil {
				return PolicyDocument{}, err
			}
			g = group
		}
		sts = append(sts,
			Statement{Sid: "AllowConnect", Effect: "Allow", Principal: p, Action: []string{"kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"}, Resource: []string{c.ARN()}},
			Statement{Sid: "AllowReadTopic", Effect: "Allow", Principal: p, Action: []string{"kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"}, Resource: []string{c.TopicARN(topic)}},
			Statement{Sid: "AllowConsumerGroup", Effect: "Allow", Principal: p, Action: []string{"kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"}, Resource: []string{c.GroupARN(g)}},
		)
	}
	return PolicyDocument{Version: PolicyVersion, Statement: sts}, nil
}
