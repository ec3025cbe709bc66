package streamguide

import (
	"fmt"
	"regexp"

	"github.com/stream-mcp/stream-mcp/internal/firehosecfg"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

type firehoseOptions struct {
	// DeliveryStreamName names a live stream for troubleshooting (read by
	// the tool layer, not by the plan).
	DeliveryStreamName string `json:"delivery_stream_name"`
	Bucket             string `json:"bucket"`
	Prefix             string `json:"prefix"`
	ErrorPrefix        string `json:"error_prefix"`
	BufferSizeMiB      int    `json:"buffer_size_mib"`
	BufferIntervalS    *int   `json:"buffer_interval_seconds"`
	Connectivity       string `json:"connectivity"`
	RoleName           string `json:"role_name"`
}

// firehose is an Amazon Data Firehose stream reading a Kinesis data stream
// or an MSK topic (provisioned or Serverless) into S3.
func firehose() Topic {
	return Topic{
		Name:    "firehose",
		Summary: "Amazon Data Firehose from Kinesis Data Streams or Amazon MSK to S3",
		Sources: []Source{SourceKinesis, SourceMSK, SourceMSKServerless},
		Auths:   []iac.Auth{iac.AuthIAM},
		Options: []string{"bucket", "prefix", "error_prefix", "buffer_size_mib", "buffer_interval_seconds", "connectivity", "role_name", "delivery_stream_name"},
		Build:   buildFirehose,
	}
}

var (
	reStreamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	rePrefix     = regexp.MustCompile(`^[a-zA-Z0-9!_.*'()/=-]*$`)
)

type fhPlan struct {
	r        Request
	o        firehoseOptions
	env      iac.Env
	cluster  iac.MSKCluster
	name     string
	role     string
	bucket   string
	size     int
	interval int
}

func planFirehose(e Env, r Request) (fhPlan, error) {
	p := fhPlan{r: r}
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	p.name = r.Name
	if p.name == "" {
		p.name = "stream-to-s3"
	}
	if !reStreamName.MatchString(p.name) {
		return p, fmt.Errorf("%w: Firehose stream name %q must be 1-64 letters, digits, '_', '.' or '-'", iac.ErrInvalid, p.name)
	}
	if r.SourceArn == "" {
		return p, fmt.Errorf("%w: give source_arn (the Kinesis stream or MSK cluster ARN)", iac.ErrInvalid)
	}
	if r.Source.IsMSK() && r.KafkaTopic == "" {
		return p, fmt.Errorf("%w: give kafka_topic", iac.ErrInvalid)
	}
	switch {
	case p.o.Bucket != "":
		p.bucket = p.o.Bucket
	case r.TargetArn != "":
		a, _ := iac.ParseARN(r.TargetArn, "")
		if a.Service != "s3" {
			return p, fmt.Errorf("%w: target_arn must be the destination S3 bucket ARN (arn:aws:s3:::NAME)", iac.ErrInvalid)
		}
		p.bucket = a.Resource
	default:
		return p, fmt.Errorf("%w: give options.bucket or target_arn, the destination S3 bucket", iac.ErrInvalid)
	}
	if !reBucket.MatchString(p.bucket) {
		return p, fmt.Errorf("%w: %q is not an S3 bucket name", iac.ErrInvalid, p.bucket)
	}
	for _, pre := range []string{p.o.Prefix, p.o.ErrorPrefix} {
		if !rePrefix.MatchString(pre) {
			return p, fmt.Errorf("%w: S3 prefix %q has characters outside letters, digits and !_.*'()/=-", iac.ErrInvalid, pre)
		}
	}
	if p.o.ErrorPrefix == "" {
		p.o.ErrorPrefix = "errors/"
	}
	switch p.o.Connectivity {
	case "":
		p.o.Connectivity = "PRIVATE"
	case "PRIVATE", "PUBLIC":
	default:
		return p, fmt.Errorf("%w: options.connectivity %q is not PRIVATE or PUBLIC", iac.ErrInvalid, p.o.Connectivity)
	}
	env, err := where(r)
	if err != nil {
		return p, err
	}
	p.env = env
	if r.Source.IsMSK() {
		p.cluster, _ = iac.ParseMSKClusterARN(r.SourceArn)
	}
	if p.o.RoleName == "" {
		p.o.RoleName = "firehose-" + p.name
	}
	if !validRoleName(p.o.RoleName) {
		return p, fmt.Errorf("%w: options.role_name %q is not a valid IAM role name", iac.ErrInvalid, p.o.RoleName)
	}
	p.role = roleARN(p.env, p.o.RoleName)
	b := e.Guidance
	p.size, p.interval = b.Int("firehose.buffer.size_mib.default"), b.Int("firehose.buffer.interval_seconds.default")
	if p.o.BufferSizeMiB != 0 {
		p.size = p.o.BufferSizeMiB
	}
	if p.o.BufferIntervalS != nil {
		p.interval = *p.o.BufferIntervalS
	}
	if p.size < b.Int("firehose.buffer.size_mib.min") || p.size > b.Int("firehose.buffer.size_mib.max") {
		return p, fmt.Errorf("%w: buffer_size_mib %d is outside %d-%d", iac.ErrInvalid, p.size, b.Int("firehose.buffer.size_mib.min"), b.Int("firehose.buffer.size_mib.max"))
	}
	if p.interval < b.Int("firehose.buffer.interval_seconds.min") || p.interval > b.Int("firehose.buffer.interval_seconds.max") {
		return p, fmt.Errorf("%w: buffer_interval_seconds %d is outside %d-%d", iac.ErrInvalid, p.interval, b.Int("firehose.buffer.interval_seconds.min"), b.Int("firehose.buffer.interval_seconds.max"))
	}
	return p, nil
}

func (p fhPlan) bucketARN() string { return "arn:" + p.env.Partition + ":s3:::" + p.bucket }

func (p fhPlan) rolePolicy() iac.PolicyDocument {
	var sts []iac.Statement
	if p.r.Source == SourceKinesis {
		sts = append(sts, iac.Statement{Sid: "ReadStream", Resource: []string{p.r.SourceArn}, Action: []string{"kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"}})
	} else {
		c := p.cluster
		sts = append(sts,
			iac.Statement{Sid: "DescribeCluster", Resource: []string{c.ARN()}, Action: []string{"kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka-cluster:Connect"}},
			iac.Statement{Sid: "ReadTopic", Resource: []string{c.TopicARN(p.r.KafkaTopic)}, Action: []string{"kafka-cluster:DescribeTopic", "kafka-cluster:DescribeTopicDynamicConfiguration", "kafka-cluster:ReadData"}},
			iac.Statement{Sid: "DescribeGroups", Resource: []string{c.GroupARN("*")}, Action: []string{"kafka-cluster:DescribeGroup"}})
	}
	sts = append(sts,
		iac.Statement{Sid: "WriteBucket", Resource: []string{p.bucketARN(), p.bucketARN() + "/*"}, Action: []string{"s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject"}},
		iac.Statement{Sid: "WriteErrorLogs", Resource: []string{"arn:" + p.env.Partition + ":logs:" + p.env.Region + ":" + p.env.Account + ":log-group:/aws/kinesisfirehose/" + p.name + ":*"}, Action: []string{"logs:PutLogEvents"}})
	if len(p.r.KMSKeyArns) > 0 {
		sts = append(sts, iac.Statement{Sid: "UseKeys", Resource: p.r.KMSKeyArns, Action: []string{"kms:Decrypt", "kms:GenerateDataKey"}})
	}
	return allow(sts...)
}

// clusterPolicy lets the Firehose service principal create the private
// connection to the cluster (PRIVATE connectivity).
func (p fhPlan) clusterPolicy() iac.PolicyDocument {
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{{Sid: "FirehosePrivateConnectivity", Effect: "Allow",
		Principal: map[string][]string{"Service": {"firehose.amazonaws.com"}}, Action: []string{"kafka:CreateVpcConnection"}, Resource: []string{p.cluster.ARN()}}}}
}

// Properties is the AWS::KinesisFirehose::DeliveryStream properties (role
// given as an ARN value or intrinsic).
func (p fhPlan) properties(role any) map[string]any {
	dest := map[string]any{"BucketARN": p.bucketARN(), "RoleARN": role, "ErrorOutputPrefix": p.o.ErrorPrefix,
		"BufferingHints":           map[string]any{"SizeInMBs": p.size, "IntervalInSeconds": p.interval},
		"CloudWatchLoggingOptions": map[string]any{"Enabled": true, "LogGroupName": "/aws/kinesisfirehose/" + p.name, "LogStreamName": "DestinationDelivery"}}
	if p.o.Prefix != "" {
		dest["Prefix"] = p.o.Prefix
	}
	props := map[string]any{"DeliveryStreamName": p.name, "ExtendedS3DestinationConfiguration": dest}
	if p.r.Source == SourceKinesis {
		props["DeliveryStreamType"] = "KinesisStreamAsSource"
		props["KinesisStreamSourceConfiguration"] = map[string]any{"KinesisStreamARN": p.r.SourceArn, "RoleARN": role}
	} else {
		props["DeliveryStreamType"] = "MSKAsSource"
		props["MSKSourceConfiguration"] = map[string]any{"MSKClusterARN": p.r.SourceArn, "TopicName": p.r.KafkaTopic,
			"AuthenticationConfiguration": map[string]any{"Connectivity": p.o.Connectivity, "RoleARN": role}}
	}
	return props
}

func (p fhPlan) stack() (Stack, error) {
	cfn, tf, err := roleStack("FirehoseRole", p.o.RoleName, serviceTrust("firehose.amazonaws.com", p.env.Account), p.rolePolicy())
	if err != nil {
		return Stack{}, err
	}
	cfn["DeliveryStream"] = iac.Resource{Type: "AWS::KinesisFirehose::DeliveryStream", Properties: p.properties(CFNGetAtt("FirehoseRole", "Arn"))}
	role := TFRef("aws_iam_role.firehoserole.arn")
	s3 := []TFAttr{{"role_arn", role}, {"bucket_arn", p.bucketARN()}, {"error_output_prefix", p.o.ErrorPrefix}, {"buffering_size", p.size}, {"buffering_interval", p.interval}}
	if p.o.Prefix != "" {
		s3 = append(s3, TFAttr{"prefix", p.o.Prefix})
	}
	attrs := []TFAttr{{"name", p.name}, {"destination", "extended_s3"}}
	if p.r.Source == SourceKinesis {
		attrs = append(attrs, TFAttr{"kinesis_source_configuration", []TFAttr{{"kinesis_stream_arn", p.r.SourceArn}, {"role_arn", role}}})
	} else {
		attrs = append(attrs, TFAttr{"msk_source_configuration", []TFAttr{{"msk_cluster_arn", p.r.SourceArn}, {"topic_name", p.r.KafkaTopic},
			{"authentication_configuration", []TFAttr{{"connectivity", p.o.Connectivity}, {"role_arn", role}}}}})
	}
	attrs = append(attrs, TFAttr{"extended_s3_configuration", s3})
	tf = append(tf, TFBlock{Labels: []string{"aws_kinesis_firehose_delivery_stream", "this"}, Attrs: attrs})
	if p.r.Source.IsMSK() && p.o.Connectivity == "PRIVATE" {
		pv, err := PolicyValue(p.clusterPolicy())
		if err != nil {
			return Stack{}, err
		}
		pj, err := p.clusterPolicy().JSON()
		if err != nil {
			return Stack{}, err
		}
		cfn["ClusterPolicy"] = iac.Resource{Type: "AWS::MSK::ClusterPolicy", Properties: map[string]any{"ClusterArn": p.cluster.ARN(), "Policy": pv}}
		tf = append(tf, TFBlock{Labels: []string{"aws_msk_cluster_policy", "firehose"}, Attrs: []TFAttr{{"cluster_arn", p.cluster.ARN()}, {"policy", pj}}})
	}
	return Stack{Description: "Firehose stream " + p.name + " to s3://" + p.bucket, CFN: cfn, TF: tf}, nil
}

func buildFirehose(e Env, r Request) (Result, error) {
	p, err := planFirehose(e, r)
	if err != nil {
		return Result{}, err
	}
	src := map[bool]string{true: firehosecfg.DocKinesisSource, false: firehosecfg.DocMSKSource}[r.Source == SourceKinesis]
	res := Result{References: []string{src, firehosecfg.DocBuffering}}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = p.steps(e, r.Type == guide.TypeSetup)
		pa, err := PolicyArtifact("firehose-role-policy.json", p.rolePolicy(), "trust policy: firehose.amazonaws.com with aws:SourceAccount "+p.env.Account)
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Source.IsMSK() && p.o.Connectivity == "PRIVATE" {
			ca, err := PolicyArtifact("msk-cluster-policy.json", p.clusterPolicy(), "merge into the cluster's policy (aws kafka get-cluster-policy / put-cluster-policy): a cluster has one policy")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, ca)
		}
		if r.Type == guide.TypeSetup {
			st, err := p.stack()
			if err != nil {
				return Result{}, err
			}
			notes := []string{"creates role " + p.o.RoleName + " (CAPABILITY_NAMED_IAM)"}
			if r.Source.IsMSK() && p.o.Connectivity == "PRIVATE" {
				notes = append(notes, "the MSK cluster has one cluster policy: this stack's policy replaces an existing one, so merge statements other integrations (Lambda, OpenSearch Ingestion) need")
			}
			a, err := st.Render(r.Format, "firehose-stream", notes...)
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a)
		}
		res.Checks = []guide.Check{
			{Name: "Stream active", How: "aws firehose describe-delivery-stream --delivery-stream-name " + p.name + " shows ACTIVE and no FailureDescription"},
			{Name: "Objects arrive", How: "DeliveryToS3.Success = 1 and DeliveryToS3.DataFreshness below the buffer interval in CloudWatch (AWS/Firehose)"},
			{Name: "Validate the stream properties", How: "validate_config kind=firehose_stream reports no errors", Tool: "validate_config"},
		}
		if r.Source == SourceKinesis {
			res.Checks = append(res.Checks, guide.Check{Name: "Source not over-read", How: "ReadProvisionedThroughputExceeded stays 0 with Firehose as one more shared reader", Tool: "kinesis_inspect"})
		}
		res.References = append(res.References, firehosecfg.DocAccess, e.Ref("firehose.record.max_kib"))
	case guide.TypeNetworking:
		res.Steps = p.networkSteps()
		res.Checks = []guide.Check{{Name: "Firehose reaches the source", How: "describe-delivery-stream shows no FailureDescription about connectivity"}}
	case guide.TypeTroubleshooting:
		res.Troubleshooting = p.rows(e)
		res.References = append(res.References, firehosecfg.DocTroubleshoot, firehosecfg.DocMonitoring)
	}
	return res, nil
}

func (p fhPlan) steps(e Env, setup bool) []guide.Step {
	b := e.Guidance
	var steps []guide.Step
	if setup {
		steps = append(steps, guide.Step{Title: "Choose buffering", Detail: fmt.Sprintf("SizeInMBs %d, IntervalInSeconds %d: Firehose writes an object when either is reached. AWS recommends a size above %d s of ingest; sizing service=firehose computes it from your rate.", p.size, p.interval, b.Int("firehose.buffer.size_covers_seconds")),
			Decision: &guide.Decision{Choice: "buffer interval", Options: []string{"low (60 s): fresher data, more small objects", fmt.Sprintf("high (up to %d s): fewer, larger objects", b.Int("firehose.buffer.interval_seconds.max"))},
				Recommendation: "as high as the freshness you need allows", Why: "small objects make Athena/Glue scans slower and cost more per GB"}})
	}
	steps = append(steps, guide.Step{Title: "Create the Firehose role", Detail: "Role " + p.role + " trusted by firehose.amazonaws.com (aws:SourceAccount " + p.env.Account + "), reading the source and writing s3://" + p.bucket + " (including the error prefix)."})
	switch p.r.Source {
	case SourceKinesis:
		steps = append(steps, guide.Step{Title: "Firehose reads the stream like any shared consumer", Detail: fmt.Sprintf("It uses GetRecords, sharing each shard's %g MB/s and %d calls/s with the other standard consumers; records over %d KiB cannot be delivered.",
			b.Num("kinesis.shard.read_mbps"), b.Int("kinesis.shard.get_records_tps"), b.Int("firehose.record.max_kib"))})
	default:
		d := "PRIVATE connectivity (private bootstrap brokers) needs IAM access control on the cluster, multi-VPC private connectivity turned on for IAM, and a cluster policy letting firehose.amazonaws.com call kafka:CreateVpcConnection (msk-cluster-policy.json)."
		if p.r.Source == SourceMSKServerless {
			d = "MSK Serverless: choose private bootstrap brokers (PRIVATE) and add the Firehose service principal to the cluster policy (kafka:CreateVpcConnection); Serverless clusters authenticate with IAM only."
		}
		steps = append(steps, guide.Step{Title: "Let Firehose connect to MSK", Detail: d}, guide.Step{Title: "Pick the starting position", Detail: "Firehose reads the topic from the stream's creation time by default; choose Earliest or a timestamp (ReadFromTimestamp) to backfill."})
	}
	return steps
}

func (p fhPlan) networkSteps() []guide.Step {
	if p.r.Source == SourceKinesis {
		return []guide.Step{{Title: "No network path to configure", Detail: "Firehose reads Kinesis and writes S3 through the service endpoints; no subnets or security groups."}}
	}
	if p.o.Connectivity == "PUBLIC" {
		return []guide.Step{{Title: "Public bootstrap brokers", Detail: "PUBLIC connectivity reads through the cluster's public endpoints: public access must be on for the cluster (IAM), and the brokers' security group must admit the public listener."}}
	}
	return []guide.Step{{Title: "Private connectivity through PrivateLink", Detail: "Firehose creates a managed VPC connection to the cluster: turn on multi-VPC private connectivity for IAM and attach the cluster policy; no security-group rule from you."}}
}

func (p fhPlan) rows(e Env) []guide.Row {
	return []guide.Row{
		{Symptom: "stream creation fails for an MSK source", Cause: "multi-VPC private connectivity for IAM is off, or the cluster policy lacks firehose.amazonaws.com kafka:CreateVpcConnection", Check: "aws kafka describe-cluster-v2 (VpcConnectivity) and get-cluster-policy", Fix: "turn it on and merge msk-cluster-policy.json", Tool: "kafka_troubleshoot"},
		{Symptom: "DeliveryToS3.Success below 1, objects under the error prefix", Cause: "S3 or KMS access denied, or the bucket's Region/policy blocks the role", Check: "the stream's CloudWatch error logs (/aws/kinesisfirehose/" + p.name + ")", Fix: "apply firehose-role-policy.json; allow the role in the bucket and key policies", Tool: ""},
		{Symptom: "DataFreshness grows", Cause: "delivery failures and retries, or the source outpaces delivery", Check: "DataFreshness vs the buffer interval; ThrottledRecords", Fix: "fix the destination error; for Direct PUT raise the quota", Tool: "sizing"},
		{Symptom: "many small objects", Cause: "buffer interval reached before buffer size", Check: "object sizes vs SizeInMBs", Fix: fmt.Sprintf("raise IntervalInSeconds (max %d) and SizeInMBs (max %d)", e.Guidance.Int("firehose.buffer.interval_seconds.max"), e.Guidance.Int("firehose.buffer.size_mib.max")), Tool: "sizing"},
		{Symptom: "records missing", Cause: fmt.Sprintf("records above %d KiB are rejected", e.Guidance.Int("firehose.record.max_kib")), Check: "producer record sizes", Fix: "split large records or put payloads in S3", Tool: "validate_config"},
	}
}
