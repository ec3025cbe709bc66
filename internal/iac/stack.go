package iac

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/stream-mcp/stream-mcp/templates"
)

// Function is a new Lambda function with a starter handler from templates/.
type Function struct {
	// Name is the function name (required: Terraform needs it).
	Name string
	// Runtime, e.g. python3.13 (the starter handlers are Python).
	Runtime string
	// TimeoutSeconds and MemoryMB are left to the service default when nil.
	TimeoutSeconds *int
	MemoryMB       *int
}

// Queue is an SQS queue with its dead-letter queue. A FIFO queue's DLQ is
// FIFO too (SQS requires it).
type Queue struct {
	// Name is the queue name; for FIFO it ends in ".fifo".
	Name string
	FIFO bool
	// VisibilityTimeoutSeconds should be a multiple of the function timeout
	// (guidance esm.sqs.visibility_timeout.function_timeout_ratio).
	VisibilityTimeoutSeconds *int
	// MaxReceiveCount moves a message to the DLQ after this many receives.
	MaxReceiveCount int
}

// FailureQueue is a standard SQS queue that receives a mapping's
// on-failure records.
type FailureQueue struct {
	Name string
}

// DLQName is the dead-letter queue's name: NAME-dlq (before .fifo).
func (q Queue) DLQName() string {
	if q.FIFO {
		return strings.TrimSuffix(q.Name, ".fifo") + "-dlq.fifo"
	}
	return q.Name + "-dlq"
}

// KinesisStream is a Kinesis data stream.
type KinesisStream struct {
	Name string
	// OnDemand selects ON_DEMAND capacity; otherwise Shards is required.
	OnDemand       bool
	Shards         *int
	RetentionHours *int
	// MaxRecordSizeKiB raises the largest record the stream accepts
	// (CloudFormation MaxRecordSizeInKiB); nil keeps the default.
	MaxRecordSizeKiB *int
}

// MSKClusterSpec is a provisioned MSK cluster of Standard (kafka.*) or
// Express (express.*) brokers. An empty SubnetIDs or SecurityGroupIDs
// becomes a template parameter (Terraform variable); see cluster.go.
type MSKClusterSpec struct {
	Name         string
	KafkaVersion string
	InstanceType string
	Brokers      int
	// VolumeGiB is the EBS volume per Standard broker; 0 for Express.
	VolumeGiB int
	// ProvisionedThroughputMiBps enables provisioned storage throughput per
	// Standard broker; 0 keeps the volume's default throughput.
	ProvisionedThroughputMiBps int
	SubnetIDs                  []string
	// AZCount is the number of client subnets the parameter must hold when
	// SubnetIDs is empty.
	AZCount          int
	SecurityGroupIDs []string
	// Auth is iam, sasl_scram_512 or mtls.
	Auth Auth
}

// Stack is a set of models rendered together into one template or
// Terraform file. The mapping points at the stack's function and source
// when they are present.
type Stack struct {
	Description string
	Function    *Function
	// Policy is the execution role's inline policy; with a Function it
	// becomes the function's role.
	Policy  *PolicyDocument
	ESM     *ESM
	SGRules []SGRule
	Queue   *Queue
	// FailureQueue, when set, is an SQS queue the stack creates as the
	// mapping's on-failure destination (the mapping's DestinationConfig
	// names its ARN, and the mapping waits for it).
	FailureQueue *FailureQueue
	Stream       *KinesisStream
	Cluster      *MSKClusterSpec
}

// Logical IDs (CloudFormation) and names (Terraform) of stack resources.
const (
	idFunction = "Function"
	idRole     = "ExecutionRole"
	idQueue    = "Queue"
	idDLQ      = "DeadLetterQueue"
	idStream   = "Stream"
	idCluster  = "Cluster"
	idFailures = "OnFailureQueue"
)

var reRuntime = regexpMust(`^python3\.[0-9]{1,2}$`)

func (s *Stack) validate() error {
	if s.Function != nil {
		if err := matchName("function name", s.Function.Name, reFunctionName, "1-64 letters, digits, hyphens or underscores"); err != nil {
			return err
		}
		if !reRuntime.MatchString(s.Function.Runtime) {
			return invalidf("runtime %s: the starter handlers are Python (python3.N)", quoteForError(s.Function.Runtime))
		}
		if s.Policy == nil || len(s.Policy.Statement) == 0 {
			return invalidf("a stack function needs its execution-role policy")
		}
		if s.ESM == nil {
			return invalidf("a stack function needs the event source mapping that feeds it")
		}
	}
	if q := s.Queue; q != nil {
		if err := ValidateQueueName(q.Name, q.FIFO); err != nil {
			return err
		}
		if err := ValidateQueueName(q.DLQName(), q.FIFO); err != nil {
			return err
		}
		if q.MaxReceiveCount < 1 {
			return invalidf("MaxReceiveCount must be at least 1")
		}
	}
	if fq := s.FailureQueue; fq != nil {
		if err := ValidateQueueName(fq.Name, false); err != nil {
			return err
		}
	}
	if k := s.Stream; k != nil {
		if err := matchName("stream name", k.Name, reKinesisStream, "1-128 letters, digits, '_', '-' or '.'"); err != nil {
			return err
		}
		if !k.OnDemand && (k.Shards == nil || *k.Shards < 1) {
			return invalidf("a provisioned stream needs Shards >= 1")
		}
		if k.OnDemand && k.Shards != nil {
			return invalidf("an on-demand stream takes no shard count")
		}
	}
	if c := s.Cluster; c != nil {
		if err := c.validate(); err != nil {
			return err
		}
	}
	if len(s.SGRules) > 0 {
		if err := ValidateSGRules(s.SGRules); err != nil {
			return err
		}
	}
	if s.ESM != nil {
		m := s.wiredESM()
		if err := m.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// wiredESM points the mapping at the stack's function and source.
func (s *Stack) wiredESM() ESM {
	m := *s.ESM
	if s.Function != nil {
		m.FunctionName, m.FunctionRef = "", &Ref{CFN: idFunction, TF: "aws_lambda_function." + tfName(idFunction) + ".function_name"}
	}
	switch {
	case s.Queue != nil && m.Source.IsSQS():
		m.EventSourceArn, m.EventSourceRef = "", &Ref{CFN: idQueue, CFNAttr: "Arn", TF: "aws_sqs_queue." + tfName(idQueue) + ".arn"}
	case s.Stream != nil && m.Source == SourceKinesis:
		m.EventSourceArn, m.EventSourceRef = "", &Ref{CFN: idStream, CFNAttr: "Arn", TF: "aws_kinesis_stream." + tfName(idStream) + ".arn"}
	case s.Cluster != nil && m.Source == SourceMSK:
		m.EventSourceArn, m.EventSourceRef = "", &Ref{CFN: idCluster, TF: "aws_msk_cluster." + tfName(idCluster) + ".arn"}
	}
	return m
}

func (s *Stack) family() templates.Family {
	switch {
	case s.ESM.Source == SourceKinesis:
		return templates.FamilyKinesis
	case s.ESM.Source == SourceDynamoDB:
		return templates.FamilyDynamoDB
	case s.ESM.Source.IsSQS():
		return templates.FamilySQS
	}
	return templates.FamilyKafka
}

// RenderStack renders every model of s into one artifact.
func RenderStack(s Stack, format Format) (Artifact, error) {
	if err := s.validate(); err != nil {
		return Artifact{}, err
	}
	switch format {
	case FormatSAM, FormatCloudFormation:
		return s.cfn(format)
	case FormatTerraform:
		return s.tf()
	}
	return Artifact{}, invalidf("iac_format %q is not one of sam, cloudformation, terraform", string(format))
}

func (s *Stack) cfn(format Format) (Artifact, error) {
	t := Template{AWSTemplateFormatVersion: cfnVersion, Description: s.Description, Resources: map[string]Resource{}, Outputs: map[string]Output{}}
	if format == FormatSAM {
		t.Transform = samTransform
	}
	var notes []string
	if s.Function != nil {
		code, handler, err := templates.Handler(s.family())
		if err != nil {
			return Artifact{}, err
		}
		t.Resources[idRole] = Resource{Type: "AWS::IAM::Role", Properties: map[string]any{
			"AssumeRolePolicyDocument": TrustPolicy().cfn(),
			"Policies":                 []any{map[string]any{"PolicyName": "EventSourceMapping", "PolicyDocument": s.Policy.cfn()}},
		}}
		p := map[string]any{"FunctionName": s.Function.Name, "Runtime": s.Function.Runtime, "Handler": handler, "Role": getAtt(idRole, "Arn")}
		if s.Function.TimeoutSeconds != nil {
			p["Timeout"] = *s.Function.TimeoutSeconds
		}
		if s.Function.MemoryMB != nil {
			p["MemorySize"] = *s.Function.MemoryMB
		}
		typ := "AWS::Lambda::Function"
		if format == FormatSAM {
			typ = "AWS::Serverless::Function"
			p["InlineCode"] = code
		} else {
			p["Code"] = map[string]any{"ZipFile": code}
		}
		t.Resources[idFunction] = Resource{Type: typ, Properties: p}
		t.Outputs["FunctionArn"] = Output{Value: getAtt(idFunction, "Arn")}
	} else if s.Policy != nil {
		t.Resources[idRole] = Resource{Type: "AWS::IAM::Role", Properties: map[string]any{
			"AssumeRolePolicyDocument": TrustPolicy().cfn(),
			"Policies":                 []any{map[string]any{"PolicyName": "EventSourceMapping", "PolicyDocument": s.Policy.cfn()}},
		}}
		t.Outputs["RoleArn"] = Output{Value: getAtt(idRole, "Arn")}
		notes = append(notes, "Set ExecutionRole as the function's role, or attach its policy to the role the function has.")
	}
	if q := s.Queue; q != nil {
		dlq := map[string]any{"QueueName": q.DLQName()}
		qp := map[string]any{"QueueName": q.Name, "RedrivePolicy": map[string]any{"deadLetterTargetArn": getAtt(idDLQ, "Arn"), "maxReceiveCount": q.MaxReceiveCount}}
		if q.FIFO {
			dlq["FifoQueue"], qp["FifoQueue"] = true, true
		}
		if q.VisibilityTimeoutSeconds != nil {
			qp["VisibilityTimeout"] = *q.VisibilityTimeoutSeconds
		}
		t.Resources[idDLQ] = Resource{Type: "AWS::SQS::Queue", Properties: dlq}
		t.Resources[idQueue] = Resource{Type: "AWS::SQS::Queue", Properties: qp}
		t.Outputs["QueueUrl"] = Output{Value: ref(idQueue)}
	}
	if fq := s.FailureQueue; fq != nil {
		t.Resources[idFailures] = Resource{Type: "AWS::SQS::Queue", Properties: map[string]any{"QueueName": fq.Name}}
		t.Outputs["OnFailureQueueUrl"] = Output{Value: ref(idFailures)}
	}
	if k := s.Stream; k != nil {
		p := map[string]any{"Name": k.Name, "StreamEncryption": map[string]any{"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}}
		if k.OnDemand {
			p["StreamModeDetails"] = map[string]any{"StreamMode": "ON_DEMAND"}
		} else {
			p["StreamModeDetails"] = map[string]any{"StreamMode": "PROVISIONED"}
			p["ShardCount"] = *k.Shards
		}
		if k.RetentionHours != nil {
			p["RetentionPeriodHours"] = *k.RetentionHours
		}
		if k.MaxRecordSizeKiB != nil {
			p["MaxRecordSizeInKiB"] = *k.MaxRecordSizeKiB
		}
		t.Resources[idStream] = Resource{Type: "AWS::Kinesis::Stream", Properties: p}
		t.Outputs["StreamArn"] = Output{Value: getAtt(idStream, "Arn")}
	}
	if c := s.Cluster; c != nil {
		t.Resources[idCluster] = Resource{Type: "AWS::MSK::Cluster", Properties: c.cfn()}
		if ps := c.cfnParams(); len(ps) > 0 {
			t.Parameters = ps
		}
		t.Outputs["ClusterArn"] = Output{Value: ref(idCluster)}
	}
	for i, r := range s.SGRules {
		id, typ := fmt.Sprintf("Ingress%d", i+1), "AWS::EC2::SecurityGroupIngress"
		if r.Egress {
			id, typ = fmt.Sprintf("Egress%d", i+1), "AWS::EC2::SecurityGroupEgress"
		}
		t.Resources[id] = Resource{Type: typ, Properties: r.cfn()}
	}
	if s.ESM != nil {
		m := s.wiredESM()
		typ, props, ok := m.samEvent()
		if format == FormatSAM && s.Function != nil && ok {
			fn := t.Resources[idFunction]
			delete(props, "FunctionName")
			fn.Properties["Events"] = map[string]any{samEventName(m.Source): map[string]any{"Type": typ, "Properties": props}}
			if s.FailureQueue != nil {
				fn.DependsOn = append(fn.DependsOn, idFailures) // the mapping SAM creates names the queue's ARN
			}
			t.Resources[idFunction] = fn
		} else {
			r := m.cfnResource()
			if s.Function != nil {
				r.DependsOn = []string{idRole} // the role's policy must exist before Lambda validates the mapping
			}
			if s.FailureQueue != nil {
				r.DependsOn = append(r.DependsOn, idFailures)
			}
			t.Resources[ESMLogicalID] = r
		}
		notes = append(notes, m.notes()...)
	}
	body, err := t.Marshal()
	if err != nil {
		return Artifact{}, err
	}
	return Artifact{Kind: KindIaC, Format: string(format), Name: "stack." + string(format) + ".yaml", Content: body, Notes: notes}, nil
}

func (r SGRule) cfn() map[string]any {
	p := map[string]any{"GroupId": r.GroupID, "IpProtocol": "tcp", "FromPort": r.Port, "ToPort": r.Port}
	if r.Description != "" {
		p["Description"] = r.Description
	}
	switch {
	case r.Egress && r.PeerGroupID != "":
		p["DestinationSecurityGroupId"] = r.PeerGroupID
	case r.PeerGroupID != "":
		p["SourceSecurityGroupId"] = r.PeerGroupID
	default:
		p["CidrIp"] = r.CIDR
	}
	return p
}

func (s *Stack) tf() (Artifact, error) {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	var notes []string
	if s.Policy != nil {
		trust, err := TrustPolicy().JSON()
		if err != nil {
			return Artifact{}, err
		}
		pol, err := s.Policy.JSON()
		if err != nil {
			return Artifact{}, err
		}
		name := tfName(idRole)
		body.AppendNewBlock("resource", []string{"aws_iam_role", name}).Body().SetAttributeValue("assume_role_policy", cty.StringVal(trust))
		pb := body.AppendNewBlock("resource", []string{"aws_iam_role_policy", name}).Body()
		setTraversal(pb, "role", "aws_iam_role."+name+".id")
		pb.SetAttributeValue("policy", cty.StringVal(pol))
		if s.Function == nil {
			notes = append(notes, "Set aws_iam_role.execution_role as the function's role, or attach its policy to the role the function has.")
		}
	}
	if fn := s.Function; fn != nil {
		code, handler, err := templates.Handler(s.family())
		if err != nil {
			return Artifact{}, err
		}
		ab := body.AppendNewBlock("data", []string{"archive_file", "function"}).Body()
		ab.SetAttributeValue("type", cty.StringVal("zip"))
		ab.SetAttributeValue("output_path", cty.StringVal("function.zip"))
		src := ab.AppendNewBlock("source", nil).Body()
		src.SetAttributeValue("content", cty.StringVal(code))
		src.SetAttributeValue("filename", cty.StringVal("index.py"))
		b := body.AppendNewBlock("resource", []string{"aws_lambda_function", tfName(idFunction)}).Body()
		b.SetAttributeValue("function_name", cty.StringVal(fn.Name))
		setTraversal(b, "role", "aws_iam_role."+tfName(idRole)+".arn")
		b.SetAttributeValue("runtime", cty.StringVal(fn.Runtime))
		b.SetAttributeValue("handler", cty.StringVal(handler))
		setTraversal(b, "filename", "data.archive_file.function.output_path")
		setTraversal(b, "source_code_hash", "data.archive_file.function.output_base64sha256")
		if fn.TimeoutSeconds != nil {
			b.SetAttributeValue("timeout", cty.NumberIntVal(int64(*fn.TimeoutSeconds)))
		}
		if fn.MemoryMB != nil {
			b.SetAttributeValue("memory_size", cty.NumberIntVal(int64(*fn.MemoryMB)))
		}
	}
	if q := s.Queue; q != nil {
		db := body.AppendNewBlock("resource", []string{"aws_sqs_queue", tfName(idDLQ)}).Body()
		db.SetAttributeValue("name", cty.StringVal(q.DLQName()))
		if q.FIFO {
			db.SetAttributeValue("fifo_queue", cty.True)
		}
		qb := body.AppendNewBlock("resource", []string{"aws_sqs_queue", tfName(idQueue)}).Body()
		qb.SetAttributeValue("name", cty.StringVal(q.Name))
		if q.FIFO {
			qb.SetAttributeValue("fifo_queue", cty.True)
		}
		if q.VisibilityTimeoutSeconds != nil {
			qb.SetAttributeValue("visibility_timeout_seconds", cty.NumberIntVal(int64(*q.VisibilityTimeoutSeconds)))
		}
		qb.SetAttributeRaw("redrive_policy", hclwrite.TokensForFunctionCall("jsonencode", hclwrite.TokensForObject([]hclwrite.ObjectAttrTokens{
			{Name: hclwrite.TokensForIdentifier("deadLetterTargetArn"), Value: traversalTokens("aws_sqs_queue." + tfName(idDLQ) + ".arn")},
			{Name: hclwrite.TokensForIdentifier("maxReceiveCount"), Value: hclwrite.TokensForValue(cty.NumberIntVal(int64(q.MaxReceiveCount)))},
		})))
	}
	if k := s.Stream; k != nil {
		b := body.AppendNewBlock("resource", []string{"aws_kinesis_stream", tfName(idStream)}).Body()
		b.SetAttributeValue("name", cty.StringVal(k.Name))
		if !k.OnDemand {
			b.SetAttributeValue("shard_count", cty.NumberIntVal(int64(*k.Shards)))
		}
		if k.RetentionHours != nil {
			b.SetAttributeValue("retention_period", cty.NumberIntVal(int64(*k.RetentionHours)))
		}
		if k.MaxRecordSizeKiB != nil {
			notes = append(notes, fmt.Sprintf("After apply, raise the stream's maximum record size: aws kinesis update-max-record-size --stream-arn <arn> --max-record-size-in-ki-b %d (not set here: the argument is not in the provider schema this package checks against).", *k.MaxRecordSizeKiB))
		}
		b.SetAttributeValue("encryption_type", cty.StringVal("KMS"))
		b.SetAttributeValue("kms_key_id", cty.StringVal("alias/aws/kinesis"))
		b.AppendNewBlock("stream_mode_details", nil).Body().SetAttributeValue("stream_mode", cty.StringVal(map[bool]string{true: "ON_DEMAND", false: "PROVISIONED"}[k.OnDemand]))
	}
	if c := s.Cluster; c != nil {
		notes = append(notes, c.tf(body)...)
	}
	if len(s.SGRules) > 0 {
		a, err := RenderSGRules(s.SGRules, FormatTerraform)
		if err != nil {
			return Artifact{}, err
		}
		f2, diags := hclwrite.ParseConfig([]byte(a.Content), "sg.tf", hclInitialPos())
		if diags.HasErrors() {
			return Artifact{}, fmt.Errorf("iac: reparse sg rules: %s", diags.Error())
		}
		for _, blk := range f2.Body().Blocks() {
			body.AppendBlock(blk)
		}
	}
	if fq := s.FailureQueue; fq != nil {
		body.AppendNewBlock("resource", []string{"aws_sqs_queue", tfName(idFailures)}).Body().SetAttributeValue("name", cty.StringVal(fq.Name))
	}
	if s.ESM != nil {
		m := s.wiredESM()
		m.tfResource(body, "this")
		if s.FailureQueue != nil {
			for _, blk := range body.Blocks() {
				if l := blk.Labels(); blk.Type() == "resource" && len(l) == 2 && l[0] == "aws_lambda_event_source_mapping" {
					blk.Body().SetAttributeRaw("depends_on", hclwrite.TokensForTuple([]hclwrite.Tokens{traversalTokens("aws_sqs_queue." + tfName(idFailures))}))
				}
			}
		}
		notes = append(notes, m.notes()...)
		notes = append(notes, m.tfNotes()...)
	}
	return Artifact{Kind: KindIaC, Format: string(FormatTerraform), Name: "stack.tf", Content: string(f.Bytes()), Notes: notes}, nil
}

func traversalTokens(path string) hclwrite.Tokens {
	return hclwrite.TokensForTraversal(traversal(path))
}
