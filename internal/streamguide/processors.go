package streamguide

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Shared pieces of the stream-processor topics (glue_streaming, flink,
// msk_connect, kcl_consumer, kpl_producer; owner integ2): the read and write
// statements on Kinesis and on IAM-authenticated MSK, with exact ARNs, and
// the facts every processor topic cites.

const (
	procGlueBlogURL     = "https://aws.amazon.com/blogs/big-data/best-practices-to-optimize-cost-and-performance-for-aws-glue-streaming-etl-jobs/"
	procKCLIAMURL       = "https://docs.aws.amazon.com/streams/latest/dev/kcl-iam-permissions.html"
	procKCLMigrateURL   = "https://docs.aws.amazon.com/streams/latest/dev/kcl-migration-from-2-3.html"
	procMSKIAMURL       = "https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html"
	procConnectRoleURL  = "https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-service-execution-role.html"
	procFlinkVPCURL     = "https://docs.aws.amazon.com/managed-flink/latest/java/vpc-api.html"
	procKPLURL          = "https://docs.aws.amazon.com/streams/latest/dev/kinesis-kpl-config.html"
	procWriteBlogURL    = "https://aws.amazon.com/blogs/big-data/optimize-write-throughput-for-amazon-kinesis-data-streams/"
	procFlinkSourcesURL = "https://docs.aws.amazon.com/managed-flink/latest/java/how-sources.html"
	procKinesisSrcURL   = "https://aws.amazon.com/blogs/big-data/introducing-the-new-amazon-kinesis-source-connector-for-apache-flink/"
)

// procSource is the parsed stream a processor reads or writes.
type procSource struct {
	env     iac.Env
	kinesis bool
	stream  string // Kinesis stream ARN
	name    string // Kinesis stream name
	cluster iac.MSKCluster
	msk     bool
}

// parseProcSource reads source_arn (a Kinesis stream or MSK cluster ARN);
// self-managed Kafka has none and takes region/account instead.
func parseProcSource(topic string, r Request) (procSource, error) {
	var p procSource
	switch {
	case r.Source == SourceKinesis:
		if r.SourceArn == "" {
			return p, fmt.Errorf("%w: %s needs source_arn (the Kinesis stream ARN) to build exact policies", iac.ErrInvalid, topic)
		}
		a, err := iac.ParseARN(r.SourceArn, "kinesis")
		if err != nil {
			return p, err
		}
		p.kinesis, p.stream, p.name = true, r.SourceArn, strings.TrimPrefix(a.Resource, "stream/")
		p.env = iac.Env{Partition: a.Partition, Region: a.Region, Account: a.AccountID}
	case r.Source.IsMSK():
		if r.SourceArn == "" {
			return p, fmt.Errorf("%w: %s needs source_arn (the MSK cluster ARN, cluster/NAME/UUID) to build exact policies", iac.ErrInvalid, topic)
		}
		c, err := iac.ParseMSKClusterARN(r.SourceArn)
		if err != nil {
			return p, err
		}
		p.msk, p.cluster, p.env = true, c, c.Env
	default:
		if r.Region == "" || r.Account == "" {
			return p, fmt.Errorf("%w: %s from self-managed Kafka needs region and account (where it runs)", iac.ErrInvalid, topic)
		}
		p.env = iac.Env{Partition: partitionOf(r.Region), Region: r.Region, Account: r.Account}
	}
	if r.Region != "" && r.Region != p.env.Region {
		return p, fmt.Errorf("%w: region %s differs from source_arn's %s", iac.ErrInvalid, r.Region, p.env.Region)
	}
	return p, nil
}

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

func (p procSource) arn(service, resource string) string {
	return "arn:" + p.env.Partition + ":" + service + ":" + p.env.Region + ":" + p.env.Account + ":" + resource
}

// kinesisRead is what a polling or EFO consumer needs on the stream.
func (p procSource) kinesisRead(efo bool) []iac.Statement {
	st := []iac.Statement{{Sid: "ReadStream", Effect: "Allow",
		Action:   []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
		Resource: []string{p.stream}}}
	if efo {
		st = append(st,
			iac.Statement{Sid: "RegisterConsumer", Effect: "Allow", Action: []string{"kinesis:RegisterStreamConsumer"}, Resource: []string{p.stream}},
			iac.Statement{Sid: "SubscribeToShard", Effect: "Allow", Action: []string{"kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"}, Resource: []string{p.stream + "/consumer/*"}})
	}
	return st
}

// mskRead is what an IAM-authenticated consumer needs: connect, describe
// and read the topic, and join its group (ARNs carry the cluster UUID).
func (p procSource) mskRead(topic, group string) []iac.Statement {
	if topic == "" {
		topic = "*"
	}
	if group == "" {
		group = "*"
	}
	return []iac.Statement{
		{Sid: "ConnectCluster", Effect: "Allow", Action: []string{"kafka-cluster:Connect", "kafka-cluster:DescribeCluster"}, Resource: []string{p.cluster.ARN()}},
		{Sid: "ReadTopic", Effect: "Allow", Action: []string{"kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"}, Resource: []string{p.cluster.TopicARN(topic)}},
		{Sid: "ConsumerGroup", Effect: "Allow", Action: []string{"kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"}, Resource: []string{p.cluster.GroupARN(group)}},
	}
}

// logsStatement lets a service role write its own log group.
func (p procSource) logsStatement(group string) iac.Statement {
	return iac.Statement{Sid: "WriteLogs", Effect: "Allow", Action: []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{p.arn("logs", "log-group:"+group+":*")}}
}

// vpcENI are the EC2 calls a service needs to place ENIs in the caller's
// subnets; they do not support resource-level permissions.
func vpcENI() iac.Statement {
	return iac.Statement{Sid: "VpcNetworkInterfaces", Effect: "Allow", Action: []string{"ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions"}, Resource: []string{"*"}}
}

// trustPolicy lets one service assume the role, limited to this account.
func (p procSource) trustPolicy(service string) iac.PolicyDocument {
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{{Effect: "Allow", Principal: map[string][]string{"Service": {service}},
		Action: []string{"sts:AssumeRole"}, Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": p.env.Account}}}}}
}

// brokerPort is the MSK port of auth (TLS listener for mtls and none:
// unauthenticated MSK clients in these topics use TLS in transit).
func brokerPortID(a iac.Auth) string {
	switch a {
	case iac.AuthIAM:
		return "guidance_esm.msk.port.iam"
	case iac.AuthSCRAM512, iac.AuthSCRAM256:
		return "guidance_esm.msk.port.sasl_scram"
	}
	return "guidance_esm.msk.port.tls"
}

// roleStack is a service role with an inline policy, as CloudFormation and
// Terraform.
func procRoleStack(id, tfName, service string, trust, policy iac.PolicyDocument) (map[string]iac.Resource, []TFBlock, error) {
	t, err := PolicyValue(trust)
	if err != nil {
		return nil, nil, err
	}
	tj, _ := trust.JSON()
	props := map[string]any{"AssumeRolePolicyDocument": t}
	tf := []TFBlock{{Labels: []string{"aws_iam_role", tfName}, Attrs: []TFAttr{{"assume_role_policy", tj}}}}
	if len(policy.Statement) > 0 {
		pv, err := PolicyValue(policy)
		if err != nil {
			return nil, nil, err
		}
		pj, _ := policy.JSON()
		props["Policies"] = []any{map[string]any{"PolicyName": service + "-access", "PolicyDocument": pv}}
		tf = append(tf, TFBlock{Labels: []string{"aws_iam_role_policy", tfName}, Attrs: []TFAttr{{"role", TFRef("aws_iam_role." + tfName + ".id")}, {"policy", pj}}})
	}
	return map[string]iac.Resource{id: {Type: "AWS::IAM::Role", Properties: props}}, tf, nil
}

// jsonArtifact is a configuration snippet rendered as JSON.
func jsonArtifact(name string, v any, notes ...string) (iac.Artifact, error) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return iac.Artifact{}, fmt.Errorf("streamguide: %s: %w", name, err)
	}
	return iac.Artifact{Kind: "config", Format: "json", Name: name, Content: string(body) + "\n", Notes: notes}, nil
}

// propertiesArtifact is a Java properties file (KCL, KPL, Kafka Connect).
func propertiesArtifact(name string, lines [][2]string, notes ...string) iac.Artifact {
	var b strings.Builder
	for _, kv := range lines {
		b.WriteString(kv[0] + " = " + kv[1] + "\n")
	}
	return iac.Artifact{Kind: "config", Format: "properties", Name: name, Content: b.String(), Notes: notes}
}

// gstring reads a string guidance entry ("" when missing; the knowledge test
// resolves every id the code names).
func gstring(b *guidance.Base, id string) string {
	l, _ := b.Lookup(id)
	v, _ := l.Value.(string)
	return v
}

// gsummary reads a guidance entry's summary, the fact in words.
func gsummary(b *guidance.Base, id string) string {
	l, _ := b.Lookup(id)
	return l.Summary
}

func containsStr(list []string, s string) bool { return slices.Contains(list, s) }

// validVersion accepts N.N version strings.
func validVersion(s string) bool {
	maj, min, ok := strings.Cut(s, ".")
	return ok && maj != "" && min != "" && strings.Trim(maj+min, "0123456789") == ""
}

// validName accepts names made of letters, digits, '-' and '_' (Glue jobs,
// connectors, KCL applications), 1-100 characters.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validBucket accepts S3 bucket names (3-63 of a-z 0-9 . -).
func validBucket(s string) bool {
	if len(s) < minBucketLen || len(s) > maxBucketLen {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// Name length bounds (input hygiene for generated names, not AWS limits we
// reason about).
const (
	maxNameLen   = 100
	minBucketLen = 3
	maxBucketLen = 63
)
