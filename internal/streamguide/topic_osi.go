package streamguide

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/osipipe"
)

type osiOptions struct {
	// PipelineName names a live pipeline for troubleshooting (read by the
	// tool layer, not by the plan).
	PipelineName           string `json:"pipeline_name"`
	DomainEndpoint         string `json:"domain_endpoint"`
	Index                  string `json:"index"`
	DLQBucket              string `json:"dlq_bucket"`
	MinUnits               int    `json:"min_units"`
	MaxUnits               int    `json:"max_units"`
	Partitions             int    `json:"partitions"`
	RoleName               string `json:"role_name"`
	ConsumerStrategy       string `json:"consumer_strategy"`
	ClusterSecurityGroupID string `json:"cluster_security_group_id"`
}

// opensearchIngestion is an OpenSearch Ingestion pipeline reading MSK, MSK
// Serverless, self-managed Kafka or Kinesis into an OpenSearch domain or
// Serverless collection.
func opensearchIngestion() Topic {
	return Topic{
		Name:    "opensearch_ingestion",
		Summary: "Amazon OpenSearch Ingestion pipeline from Kafka or Kinesis to OpenSearch",
		Sources: []Source{SourceMSK, SourceMSKServerless, SourceKinesis, SourceSelfManagedKafka},
		Auths:   []iac.Auth{iac.AuthIAM, iac.AuthPlain, iac.AuthNone},
		Options: []string{"domain_endpoint", "index", "dlq_bucket", "min_units", "max_units", "partitions", "role_name", "consumer_strategy", "cluster_security_group_id", "pipeline_name"},
		Build:   buildOSI,
	}
}

var (
	rePipelineName = regexp.MustCompile(`^[a-z][a-z0-9-]{2,27}$`)
	reIndex        = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*(%\{[A-Za-z._-]+\}[a-z0-9_.-]*)*$`)
	reBucket       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	reEndpoint     = regexp.MustCompile(`^https://[a-z0-9][a-z0-9.-]+\.(es|aoss)\.amazonaws\.com(\.cn)?$`)
)

type osiPlan struct {
	r        Request
	o        osiOptions
	env      iac.Env
	cluster  iac.MSKCluster
	name     string
	role     string
	aoss     bool
	cross    bool
	min, max int
}

func planOSI(e Env, r Request) (osiPlan, error) {
	p := osiPlan{r: r}
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	if r.Source.IsMSK() && r.Auth != iac.AuthIAM {
		return p, fmt.Errorf("%w: an OpenSearch Ingestion MSK source authenticates with the pipeline role (auth iam); for SASL use the self_managed_kafka source", iac.ErrInvalid)
	}
	if r.Source == SourceSelfManagedKafka && r.Auth == iac.AuthIAM {
		return p, fmt.Errorf("%w: self-managed Kafka has no IAM authentication; use sasl_plain or none", iac.ErrInvalid)
	}
	p.name = r.Name
	if p.name == "" {
		p.name = "stream-pipeline"
	}
	if !rePipelineName.MatchString(p.name) {
		return p, fmt.Errorf("%w: pipeline name %q must be 3-28 lower-case letters, digits or hyphens, starting with a letter", iac.ErrInvalid, p.name)
	}
	if p.o.DomainEndpoint == "" {
		return p, fmt.Errorf("%w: give options.domain_endpoint, the https endpoint of the OpenSearch domain or Serverless collection", iac.ErrInvalid)
	}
	if !reEndpoint.MatchString(p.o.DomainEndpoint) {
		return p, fmt.Errorf("%w: options.domain_endpoint %q is not an https://...es.amazonaws.com or ...aoss.amazonaws.com endpoint (custom endpoints are not supported as sinks)", iac.ErrInvalid, p.o.DomainEndpoint)
	}
	p.aoss = strings.Contains(p.o.DomainEndpoint, ".aoss.")
	if p.o.Index == "" {
		p.o.Index = "stream-%{yyyy.MM.dd}"
	}
	if !reIndex.MatchString(p.o.Index) {
		return p, fmt.Errorf("%w: options.index %q: use lower-case letters, digits, '-', '_', '.' and %%{date} patterns", iac.ErrInvalid, p.o.Index)
	}
	if p.o.DLQBucket != "" && !reBucket.MatchString(p.o.DLQBucket) {
		return p, fmt.Errorf("%w: options.dlq_bucket %q is not an S3 bucket name", iac.ErrInvalid, p.o.DLQBucket)
	}
	switch p.o.ConsumerStrategy {
	case "", "enhanced_fan_out", "polling":
	default:
		return p, fmt.Errorf("%w: options.consumer_strategy %q is not enhanced_fan_out or polling", iac.ErrInvalid, p.o.ConsumerStrategy)
	}
	if p.o.ClusterSecurityGroupID != "" {
		if err := iac.ValidateSecurityGroupID(p.o.ClusterSecurityGroupID); err != nil {
			return p, err
		}
	}
	switch {
	case r.Source == SourceSelfManagedKafka && len(r.BootstrapServers) == 0:
		return p, fmt.Errorf("%w: self-managed Kafka needs bootstrap_servers", iac.ErrInvalid)
	case r.Source != SourceSelfManagedKafka && r.SourceArn == "":
		return p, fmt.Errorf("%w: give source_arn (the MSK cluster or Kinesis stream ARN)", iac.ErrInvalid)
	case r.Source != SourceKinesis && r.KafkaTopic == "":
		return p, fmt.Errorf("%w: give kafka_topic", iac.ErrInvalid)
	}
	env, err := where(r)
	if err != nil {
		return p, err
	}
	p.env = env
	if r.Source.IsMSK() {
		p.cluster, _ = iac.ParseMSKClusterARN(r.SourceArn)
		p.cross = p.cluster.Account != p.env.Account
		if p.cross && r.Source == SourceMSKServerless {
			return p, fmt.Errorf("%w: OpenSearch Ingestion reads MSK Serverless only from the cluster's own account; run the pipeline in account %s", iac.ErrInvalid, p.cluster.Account)
		}
	}
	if p.o.RoleName == "" {
		p.o.RoleName = "osi-" + p.name
	}
	if !validRoleName(p.o.RoleName) {
		return p, fmt.Errorf("%w: options.role_name %q is not a valid IAM role name", iac.ErrInvalid, p.o.RoleName)
	}
	p.role = roleARN(p.env, p.o.RoleName)
	p.min, p.max = p.units(e)
	return p, nil
}

// units is MinUnits/MaxUnits: the options, or the sizing rule (one OCU per
// partition or shard up to the per-pipeline maximum, minimum for HA).
func (p osiPlan) units(e Env) (int, int) {
	maxPer := e.Guidance.Int("osi.ocu.max_stateless")
	mx := p.o.MaxUnits
	if mx == 0 {
		mx = maxPer
		if p.o.Partitions > 0 {
			mx = min(maxPer, p.o.Partitions*e.Guidance.Int("osi.kafka.partitions_per_ocu"))
		}
	}
	mn := p.o.MinUnits
	if mn == 0 {
		mn = min(mx, e.Guidance.Int("osi.ocu.min_recommended_ha"))
	}
	return mn, mx
}

func (p osiPlan) group() string {
	if p.r.GroupID != "" {
		return p.r.GroupID
	}
	return p.name
}

// pipelineYAML is the pipeline definition.
func (p osiPlan) pipelineYAML(e Env) (string, error) {
	aws := map[string]any{"sts_role_arn": p.role, "region": p.env.Region}
	var source map[string]any
	switch p.r.Source {
	case SourceKinesis:
		a, _ := iac.ParseARN(p.r.SourceArn, "kinesis")
		kr, _ := iac.ParseKinesisResource(a.Resource)
		k := map[string]any{"streams": []any{map[string]any{"stream_name": kr.Stream}}, "aws": aws}
		if p.o.ConsumerStrategy != "" {
			k["consumer_strategy"] = p.o.ConsumerStrategy
		}
		source = map[string]any{"kinesis": k}
	default:
		k := map[string]any{"acknowledgments": true, "topics": []any{map[string]any{"name": p.r.KafkaTopic, "group_id": p.group(), "serde_format": "json"}}}
		if p.r.Source.IsMSK() {
			srcAWS := map[string]any{"sts_role_arn": p.role, "region": p.env.Region, "msk": map[string]any{"arn": p.r.SourceArn}}
			k["aws"] = srcAWS
		} else {
			k["bootstrap_servers"] = p.r.BootstrapServers
			if p.r.Auth == iac.AuthPlain {
				k["authentication"] = map[string]any{"sasl": map[string]any{"plaintext": map[string]any{"username": "${{aws_secrets:kafka-credentials:username}}", "password": "${{aws_secrets:kafka-credentials:password}}"}}}
				k["encryption"] = map[string]any{"type": "ssl"}
			}
		}
		source = map[string]any{"kafka": k}
	}
	sinkAWS := map[string]any{"sts_role_arn": p.role, "region": p.env.Region}
	if p.aoss {
		sinkAWS["serverless"] = true
	}
	sink := map[string]any{"hosts": []any{p.o.DomainEndpoint}, "index": p.o.Index, "aws": sinkAWS}
	if p.o.DLQBucket != "" {
		sink["dlq"] = map[string]any{"s3": map[string]any{"bucket": p.o.DLQBucket, "key_path_prefix": p.name + "/dlq/", "region": p.env.Region, "sts_role_arn": p.role}}
	}
	pl := map[string]any{"source": source, "processor": []any{map[string]any{"parse_json": map[string]any{}}}, "sink": []any{map[string]any{"opensearch": sink}}}
	doc := map[string]any{"version": strings.Join(e.Guidance.Strings("osi.pipeline.version"), ""), p.name: pl}
	raw, err := yaml.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("streamguide: marshal pipeline: %w", err)
	}
	return string(raw), nil
}

// rolePolicy is the pipeline role's permissions with exact ARNs.
func (p osiPlan) rolePolicy() iac.PolicyDocument {
	var sts []iac.Statement
	switch p.r.Source {
	case SourceMSK, SourceMSKServerless:
		c := p.cluster
		sts = append(sts,
			iac.Statement{Sid: "DescribeCluster", Resource: []string{c.ARN()}, Action: []string{"kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"}},
			iac.Statement{Sid: "Connect", Resource: []string{c.ARN()}, Action: []string{"kafka-cluster:Connect", "kafka-cluster:DescribeCluster"}},
			iac.Statement{Sid: "ReadTopic", Resource: []string{c.TopicARN(p.r.KafkaTopic)}, Action: []string{"kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"}},
			iac.Statement{Sid: "UseGroup", Resource: []string{c.GroupARN(p.group())}, Action: []string{"kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"}})
	case SourceKinesis:
		sts = append(sts,
			iac.Statement{Sid: "ReadStream", Resource: []string{p.r.SourceArn}, Action: []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreamConsumers", "kinesis:RegisterStreamConsumer"}},
			iac.Statement{Sid: "UseConsumer", Resource: []string{p.r.SourceArn + "/consumer/*"}, Action: []string{"kinesis:SubscribeToShard", "kinesis:DescribeStreamConsumer"}})
	case SourceSelfManagedKafka:
		if p.r.SecretArn != "" {
			sts = append(sts, iac.Statement{Sid: "ReadKafkaCredentials", Resource: []string{p.r.SecretArn}, Action: []string{"secretsmanager:GetSecretValue"}})
		}
	}
	if p.r.TargetArn != "" {
		a, _ := iac.ParseARN(p.r.TargetArn, "")
		switch a.Service {
		case "aoss":
			sts = append(sts, iac.Statement{Sid: "WriteCollection", Resource: []string{p.r.TargetArn}, Action: []string{"aoss:BatchGetCollection", "aoss:APIAccessAll"}})
		case "es":
			sts = append(sts, iac.Statement{Sid: "DescribeDomain", Resource: []string{p.r.TargetArn}, Action: []string{"es:DescribeDomain"}},
				iac.Statement{Sid: "WriteDomain", Resource: []string{p.r.TargetArn + "/*"}, Action: []string{"es:ESHttp*"}})
		}
	}
	if p.o.DLQBucket != "" {
		sts = append(sts, iac.Statement{Sid: "WriteDLQ", Resource: []string{"arn:" + p.env.Partition + ":s3:::" + p.o.DLQBucket + "/*"}, Action: []string{"s3:PutObject"}})
	}
	if len(p.r.KMSKeyArns) > 0 {
		sts = append(sts, iac.Statement{Sid: "Decrypt", Resource: p.r.KMSKeyArns, Action: []string{"kms:Decrypt"}})
	}
	return allow(sts...)
}

// clusterPolicy lets OpenSearch Ingestion create its PrivateLink connection
// (same account: the osis and osis-pipelines service principals; another
// account: the pipeline role).
func (p osiPlan) clusterPolicy() iac.PolicyDocument {
	c := []string{p.cluster.ARN()}
	if p.cross {
		return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{
			{Effect: "Allow", Principal: map[string][]string{"Service": {"osis.amazonaws.com"}}, Action: []string{"kafka:CreateVpcConnection", "kafka:DescribeClusterV2"}, Resource: c},
			{Effect: "Allow", Principal: map[string][]string{"AWS": {p.role}}, Action: []string{"kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeClusterV2"}, Resource: c},
		}}
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{
		{Effect: "Allow", Principal: map[string][]string{"Service": {"osis.amazonaws.com"}}, Action: []string{"kafka:CreateVpcConnection", "kafka:DescribeClusterV2"}, Resource: c},
		{Effect: "Allow", Principal: map[string][]string{"Service": {"osis-pipelines.amazonaws.com"}}, Action: []string{"kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeClusterV2"}, Resource: c},
	}}
}

func (p osiPlan) stack(body string) (Stack, error) {
	cfn, tf, err := roleStack("PipelineRole", p.o.RoleName, serviceTrust("osis-pipelines.amazonaws.com", p.env.Account), p.rolePolicy())
	if err != nil {
		return Stack{}, err
	}
	props := map[string]any{"PipelineName": p.name, "MinUnits": p.min, "MaxUnits": p.max, "PipelineConfigurationBody": body}
	tfp := []TFAttr{{"pipeline_name", p.name}, {"min_units", p.min}, {"max_units", p.max}, {"pipeline_configuration_body", body}}
	if p.r.Source == SourceSelfManagedKafka && len(p.r.SubnetIDs) > 0 {
		vpc := map[string]any{"SubnetIds": p.r.SubnetIDs}
		tv := []TFAttr{{"subnet_ids", p.r.SubnetIDs}}
		if len(p.r.SecurityGroupIDs) > 0 {
			vpc["SecurityGroupIds"] = p.r.SecurityGroupIDs
			tv = append(tv, TFAttr{"security_group_ids", p.r.SecurityGroupIDs})
		}
		props["VpcOptions"] = vpc
		tfp = append(tfp, TFAttr{"vpc_options", tv})
	}
	cfn["Pipeline"] = iac.Resource{Type: "AWS::OSIS::Pipeline", DependsOn: []string{"PipelineRole"}, Properties: props}
	tf = append(tf, TFBlock{Labels: []string{"aws_osis_pipeline", "this"}, Attrs: tfp})
	if p.r.Source.IsMSK() && !p.cross {
		pv, err := PolicyValue(p.clusterPolicy())
		if err != nil {
			return Stack{}, err
		}
		pj, err := p.clusterPolicy().JSON()
		if err != nil {
			return Stack{}, err
		}
		cfn["ClusterPolicy"] = iac.Resource{Type: "AWS::MSK::ClusterPolicy", Properties: map[string]any{"ClusterArn": p.cluster.ARN(), "Policy": pv}}
		tf = append(tf, TFBlock{Labels: []string{"aws_msk_cluster_policy", "osi"}, Attrs: []TFAttr{{"cluster_arn", p.cluster.ARN()}, {"policy", pj}}})
	}
	return Stack{Description: "OpenSearch Ingestion pipeline " + p.name, CFN: cfn, TF: tf}, nil
}

func buildOSI(e Env, r Request) (Result, error) {
	p, err := planOSI(e, r)
	if err != nil {
		return Result{}, err
	}
	doc := map[Source]string{SourceMSK: osipipe.DocMSK, SourceMSKServerless: osipipe.DocMSK, SourceKinesis: osipipe.DocKinesis, SourceSelfManagedKafka: osipipe.DocSelfKafka}[r.Source]
	res := Result{References: []string{doc, osipipe.DocScaling}}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = p.steps(e, r.Type == guide.TypeSetup)
		pa, err := PolicyArtifact("osi-pipeline-role-policy.json", p.rolePolicy(), "trust policy: osis-pipelines.amazonaws.com with aws:SourceAccount "+p.env.Account)
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Source.IsMSK() {
			ca, err := PolicyArtifact("msk-cluster-policy.json", p.clusterPolicy(), "aws kafka put-cluster-policy --cluster-arn "+p.cluster.ARN()+" --policy file://msk-cluster-policy.json")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, ca)
		}
		if r.Type == guide.TypeSetup {
			body, err := p.pipelineYAML(e)
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, iac.Artifact{Kind: iac.KindIaC, Format: "yaml", Name: "pipeline.yaml", Content: body, Notes: []string{"validate with validate_config kind=opensearch_pipeline"}})
			st, err := p.stack(body)
			if err != nil {
				return Result{}, err
			}
			notes := []string{"creates role " + p.o.RoleName + " (CAPABILITY_NAMED_IAM)"}
			if r.Source.IsMSK() && !p.cross {
				notes = append(notes, "the MSK cluster has one cluster policy: this stack's policy replaces an existing one, so merge statements other integrations (Lambda, Firehose) need")
			}
			a, err := st.Render(r.Format, "osi-pipeline", notes...)
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a)
		}
		res.Checks = []guide.Check{
			{Name: "Pipeline active", How: "aws osis get-pipeline --pipeline-name " + p.name + " shows Status ACTIVE"},
			{Name: "Pipeline definition valid", How: "validate_config kind=opensearch_pipeline reports no errors", Tool: "validate_config"},
			{Name: "Documents arrive", How: p.name + ".recordsProcessed.count and opensearch.documentsSuccess rise in CloudWatch (AWS/OSIS)"},
		}
		if r.Source != SourceKinesis {
			res.Checks = append(res.Checks, guide.Check{Name: "Consumer group keeps up", How: "group " + p.group() + " lag stays flat", Tool: "kafka_inspect"})
		}
		res.References = append(res.References, osipipe.DocPipelineRol, e.Ref("osi.kafka.partitions_per_ocu"))
	case guide.TypeNetworking:
		res.Steps = p.networkSteps(e)
		if r.Source == SourceSelfManagedKafka {
			port, id := e.kafkaPort(r.Auth)
			a, note, err := sgArtifact(r.Format, p.o.ClusterSecurityGroupID, first(r.SecurityGroupIDs), port, "OpenSearch Ingestion pipeline")
			if err != nil {
				return Result{}, err
			}
			if a != nil {
				res.Artifacts = append(res.Artifacts, *a)
			} else {
				res.Steps = append(res.Steps, guide.Step{Title: "Security group rule", Detail: note})
			}
			res.References = append(res.References, e.Ref(id))
		}
		res.Checks = []guide.Check{{Name: "Pipeline reaches the source", How: "the pipeline's logs show no connection errors and recordsProcessed rises"}}
	case guide.TypeTroubleshooting:
		res.Troubleshooting = p.rows(e)
		res.References = append(res.References, osipipe.DocMonitoring, osipipe.DocKafkaSource, osipipe.DocOSSink)
	}
	return res, nil
}

func (p osiPlan) steps(e Env, setup bool) []guide.Step {
	maxPer := e.Guidance.Int("osi.ocu.max_stateless")
	steps := []guide.Step{}
	if setup {
		steps = append(steps, guide.Step{Title: "Choose capacity", Detail: fmt.Sprintf("MinUnits %d, MaxUnits %d. One OCU (about %d GiB, %d vCPU) reads one partition or shard, so OCUs beyond the partition count of the largest topic sit idle; a pipeline takes at most %d (stateless). Use sizing service=opensearch_ingestion for the arithmetic.",
			p.min, p.max, e.Guidance.Int("osi.ocu.memory_gib"), e.Guidance.Int("osi.ocu.vcpu"), maxPer),
			Decision: &guide.Decision{Choice: "more throughput than one pipeline", Options: []string{"another pipeline on the same topic and consumer group", "a bigger MaxUnits"}, Recommendation: "another pipeline on the same topic and consumer group",
				Why: fmt.Sprintf("the consumer group spreads partitions over both pipelines (near-linear scaling) once MaxUnits reaches %d or the partition count", maxPer)}})
	}
	steps = append(steps, guide.Step{Title: "Create the pipeline role", Detail: "Role " + p.role + " trusted by osis-pipelines.amazonaws.com (aws:SourceAccount " + p.env.Account + "); the source, sink and DLQ settings all name it in sts_role_arn."})
	if p.r.Source.IsMSK() {
		d := "Turn on multi-VPC private connectivity for IAM on the cluster (OpenSearch Ingestion connects through PrivateLink; t3 brokers are not supported), then attach the cluster policy letting osis.amazonaws.com and osis-pipelines.amazonaws.com create the VPC connection."
		if p.cross {
			d = "The cluster is in account " + p.cluster.Account + ": turn on multi-VPC private connectivity for IAM and attach a cluster policy naming the pipeline role " + p.role + " (cross-account works for provisioned clusters only)."
		}
		steps = append(steps, guide.Step{Title: "Let the pipeline connect to MSK", Detail: d})
	}
	if p.aoss {
		steps = append(steps, guide.Step{Title: "Grant the collection", Detail: "Add the pipeline role to the collection's data access policy (aoss:CreateIndex, aoss:WriteDocument, aoss:UpdateIndex on the index pattern); IAM alone is not enough for Serverless collections."})
	} else {
		steps = append(steps, guide.Step{Title: "Grant the domain", Detail: "Allow the pipeline role in the domain's access policy (es:ESHttp* on the domain), and map it to a backend role if fine-grained access control is on."})
	}
	if setup {
		d := "Kafka sources use acknowledgments: true so offsets commit only after OpenSearch accepted the documents; failed documents go to the S3 DLQ when dlq_bucket is given."
		if p.r.Source == SourceKinesis {
			d = gsummary(e.Guidance, "osi.kinesis.checkpoint_interval_seconds") + " The stream is the buffer, so no persistent buffer is needed; failed documents go to the S3 DLQ when dlq_bucket is given."
		}
		steps = append(steps, guide.Step{Title: "Create the pipeline", Detail: d})
	}
	return steps
}

func (p osiPlan) networkSteps(e Env) []guide.Step {
	switch p.r.Source {
	case SourceKinesis:
		return []guide.Step{{Title: "No VPC settings for the source", Detail: "OpenSearch Ingestion reads Kinesis over AWS PrivateLink; subnets and security groups are only for VPC-bound sources and sinks. A VPC domain sink needs the pipeline in that domain's Region. No persistent buffer is needed: the stream is the buffer and the pipeline tracks its position. " + gsummary(e.Guidance, "osi.kinesis.checkpoint_interval_seconds") + " If account-level subscription filters send logs to the stream, exclude the pipeline's own log group to avoid a loop."}}
	case SourceSelfManagedKafka:
		port, _ := e.kafkaPort(p.r.Auth)
		return []guide.Step{{Title: "Put the pipeline in the brokers' VPC", Detail: fmt.Sprintf("Give the pipeline VpcOptions (subnet_ids, security_group_ids) that route to the brokers, and allow TCP %d on the brokers' security group from the pipeline's group.", port)}}
	}
	return []guide.Step{{Title: "PrivateLink to the cluster", Detail: "OpenSearch Ingestion creates a managed VPC connection to the cluster (multi-VPC private connectivity for IAM, cluster policy). No security-group rule from you is needed for provisioned MSK; MSK Serverless works from the cluster's own account only."}}
}

func (p osiPlan) rows(e Env) []guide.Row {
	if p.r.Source == SourceKinesis {
		return []guide.Row{
			{Symptom: "RateExceeded on the stream", Cause: "the pipeline's consumer subscribes too often (a misconfigured consumer strategy)", Check: "SubscribeToShard or GetRecords throttles on the stream", Fix: "check consumer_strategy and that one pipeline reads the stream once", Tool: "kinesis_inspect"},
			{Symptom: "MillisBehindLatest grows (enhanced fan-out)", Cause: "too few OCUs for the shards: one OCU reads one shard", Check: "computeUnits vs shard count", Fix: "raise MaxUnits to the shard count (at most the per-pipeline maximum)", Tool: "sizing"},
			{Symptom: "IteratorAgeMilliseconds grows (polling)", Cause: "too few OCUs, or the shared GetRecords budget is taken by other consumers", Check: "iterator age and other consumers of the stream", Fix: "raise MaxUnits or switch to enhanced_fan_out", Tool: "kinesis_inspect"},
			{Symptom: "AccessDenied in the pipeline logs", Cause: "the role misses Kinesis or sink permissions, or does not trust osis-pipelines.amazonaws.com", Check: "role trust and policy against osi-pipeline-role-policy.json", Fix: "apply the generated role", Tool: ""},
			{Symptom: "documents missing in OpenSearch", Cause: "OpenSearch rejected them and no DLQ was set", Check: "opensearch.documentErrors; DLQ objects", Fix: "add an S3 dlq and fix the mapping", Tool: "validate_config"},
		}
	}
	return []guide.Row{
		{Symptom: "pipeline stuck in CREATE_FAILED or no connection to MSK", Cause: "multi-VPC private connectivity not on for IAM, no cluster policy for the osis principals (or the pipeline role cross-account), or t3 brokers", Check: "aws kafka get-cluster-policy and describe-cluster-v2 (VpcConnectivity)", Fix: "apply msk-cluster-policy.json and turn on multi-VPC connectivity", Tool: "kafka_troubleshoot"},
		{Symptom: "AccessDenied in the pipeline logs", Cause: "the role misses a permission or does not trust osis-pipelines.amazonaws.com", Check: "role trust and policy against osi-pipeline-role-policy.json", Fix: "apply the generated role", Tool: ""},
		{Symptom: "lag grows while OCUs stay at MaxUnits", Cause: fmt.Sprintf("MaxUnits (or the partition count) caps parallelism; one pipeline tops out at %d OCUs", e.Guidance.Int("osi.ocu.max_stateless")), Check: "computeUnits metric vs MaxUnits, partitions of the topic", Fix: "raise MaxUnits up to the partition count, add partitions, or add a pipeline with the same consumer group", Tool: "sizing"},
		{Symptom: "documents missing in OpenSearch", Cause: "OpenSearch rejected them (mapping conflicts, size) and no DLQ was set", Check: "opensearch.documentErrors metric; DLQ objects under the prefix", Fix: "add an S3 dlq and fix the mapping", Tool: "validate_config"},
		{Symptom: "403 from a Serverless collection", Cause: "the role is not in the collection's data access policy", Check: "aws opensearchserverless get-access-policy", Fix: "add the role with write permissions on the index pattern", Tool: ""},
		{Symptom: "duplicates after a pipeline restart", Cause: "acknowledgments off: offsets committed before the sink wrote, or replay after a failure", Check: "acknowledgments in the kafka source", Fix: "set acknowledgments: true and idempotent document ids (document_id)", Tool: "validate_config"},
	}
}
