package streamguide

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

type glueOptions struct {
	GlueVersion    string `json:"glue_version"`
	WorkerType     string `json:"worker_type"`
	Workers        int    `json:"workers"`
	ScriptLocation string `json:"script_location"`
}

// glueStreaming is an AWS Glue streaming (Spark Structured Streaming) job on
// Kinesis or Kafka.
func glueStreaming() Topic {
	return Topic{
		Name:    "glue_streaming",
		Summary: "AWS Glue streaming ETL job reading Kinesis or Kafka (workers and cores, micro-batches, connection, role)",
		Sources: []Source{SourceKinesis, SourceMSK, SourceMSKServerless, SourceSelfManagedKafka},
		Auths:   []iac.Auth{iac.AuthIAM, iac.AuthSCRAM512, iac.AuthMTLS, iac.AuthNone},
		Options: []string{"glue_version", "worker_type", "workers", "script_location"},
		Build:   buildGlueStreaming,
	}
}

type gluePlan struct {
	src                 procSource
	opts                glueOptions
	job, bucket, script string
	kafka               bool
	port                int
	topic, group        string
	subnets, sgs        []string
	driver              float64
}

func planGlue(e Env, r Request) (gluePlan, error) {
	var p gluePlan
	if err := DecodeOptions(r, &p.opts); err != nil {
		return p, err
	}
	src, err := parseProcSource("glue_streaming", r)
	if err != nil {
		return p, err
	}
	p.src, p.kafka = src, r.Source.IsKafka()
	b := e.Guidance
	if p.opts.GlueVersion == "" {
		p.opts.GlueVersion = gstring(b, "glue.default.version")
	}
	if p.opts.WorkerType == "" {
		p.opts.WorkerType = gstring(b, "glue.default.worker_type")
	}
	if !containsStr(b.Strings("glue.worker_types.streaming"), p.opts.WorkerType) {
		return p, fmt.Errorf("%w: worker_type %q; use one of %s", iac.ErrInvalid, p.opts.WorkerType, strings.Join(b.Strings("glue.worker_types.streaming"), ", "))
	}
	if !validVersion(p.opts.GlueVersion) {
		return p, fmt.Errorf("%w: glue_version %q; use e.g. 4.0", iac.ErrInvalid, p.opts.GlueVersion)
	}
	p.driver = b.Num("glue.driver_workers")
	if p.opts.Workers == 0 {
		p.opts.Workers = int(p.driver) + 1
	}
	if float64(p.opts.Workers) <= p.driver {
		return p, fmt.Errorf("%w: workers %d leaves no executor (one worker is the driver); send at least %g", iac.ErrInvalid, p.opts.Workers, p.driver+1)
	}
	p.job = r.Name
	if p.job == "" {
		p.job = "stream-etl"
	}
	if !validName(p.job) {
		return p, fmt.Errorf("%w: name %q must be letters, digits, - and _", iac.ErrInvalid, p.job)
	}
	p.bucket = "aws-glue-assets-" + src.env.Account + "-" + src.env.Region
	p.script = "s3://" + p.bucket + "/scripts/" + p.job + ".py"
	if s := p.opts.ScriptLocation; s != "" {
		bucket, key, ok := strings.Cut(strings.TrimPrefix(s, "s3://"), "/")
		if !strings.HasPrefix(s, "s3://") || !ok || key == "" || !validBucket(bucket) {
			return p, fmt.Errorf("%w: script_location %q must be s3://BUCKET/KEY", iac.ErrInvalid, s)
		}
		p.bucket, p.script = bucket, s
	}
	p.topic, p.group = r.KafkaTopic, r.GroupID
	if p.kafka {
		p.port = b.Int(brokerPortID(r.Auth))
		p.subnets, p.sgs = r.SubnetIDs, r.SecurityGroupIDs
	}
	return p, nil
}

func (p gluePlan) policy() iac.PolicyDocument {
	st := []iac.Statement{
		{Sid: "ScriptAndCheckpoints", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resource: []string{"arn:" + p.src.env.Partition + ":s3:::" + p.bucket + "/*"}},
		{Sid: "ListAssetsBucket", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{"arn:" + p.src.env.Partition + ":s3:::" + p.bucket}},
		p.src.logsStatement("/aws-glue/*"),
		{Sid: "GlueMetrics", Effect: "Allow", Action: []string{"cloudwatch:PutMetricData"}, Resource: []string{"*"}, Condition: map[string]map[string]string{"StringEquals": {"cloudwatch:namespace": "Glue"}}},
	}
	switch {
	case p.src.kinesis:
		st = append(st, p.src.kinesisRead(false)...)
	case p.src.msk:
		st = append(st, p.src.mskRead(p.topic, p.group)...)
	}
	if p.kafka {
		st = append(st, vpcENI(), iac.Statement{Sid: "TagGlueEnis", Effect: "Allow", Action: []string{"ec2:CreateTags", "ec2:DeleteTags"},
			Resource: []string{p.src.arn("ec2", "network-interface/*")}})
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: st}
}

// sourceOptions is the source DataFrame's options for the job script.
func (p gluePlan) sourceOptions(b *guidance.Base) map[string]any {
	n := func(id string) string { return strconv.FormatFloat(b.Num(id), 'f', -1, 64) }
	if p.src.kinesis {
		return map[string]any{"connection_type": "kinesis", "connection_options": map[string]string{
			"streamARN": p.src.stream, "startingPosition": "TRIM_HORIZON", "classification": "json", "inferSchema": "true",
			"kinesis.executor.maxFetchRecordsPerShard": n("glue.kinesis.max_fetch_records_per_shard.default"), "kinesis.executor.maxFetchTimeInMs": n("glue.kinesis.max_fetch_time_ms.default"), "kinesis.executor.maxRecordPerRead": n("glue.kinesis.max_record_per_read.default")},
			"for_each_batch": map[string]string{"windowSize": "100 seconds", "checkpointLocation": "s3://" + p.bucket + "/checkpoints/" + p.job + "/", "batchMaxRetries": n("glue.batch_max_retries.default")}}
	}
	topic := p.topic
	if topic == "" {
		topic = "TOPIC"
	}
	return map[string]any{"connection_type": "kafka", "connection_options": map[string]string{
		"connectionName": p.job + "-network", "topicName": topic, "startingOffsets": "earliest", "classification": "json", "inferSchema": "true"},
		"for_each_batch": map[string]string{"windowSize": "100 seconds", "checkpointLocation": "s3://" + p.bucket + "/checkpoints/" + p.job + "/", "batchMaxRetries": n("glue.batch_max_retries.default")}}
}

func (p gluePlan) stack() (Stack, error) {
	roleCFN, roleTF, err := procRoleStack("GlueJobRole", "glue_job", "glue", p.src.trustPolicy("glue.amazonaws.com"), p.policy())
	if err != nil {
		return Stack{}, err
	}
	args := map[string]string{"--job-language": "python", "--enable-auto-scaling": "true", "--enable-metrics": "true",
		"--enable-continuous-cloudwatch-log": "true", "--TempDir": "s3://" + p.bucket + "/temporary/"}
	jobProps := map[string]any{
		"Name": p.job, "Role": CFNGetAtt("GlueJobRole", "Arn"),
		"Command":     map[string]any{"Name": "gluestreaming", "ScriptLocation": p.script, "PythonVersion": "3"},
		"GlueVersion": p.opts.GlueVersion, "WorkerType": p.opts.WorkerType, "NumberOfWorkers": p.opts.Workers,
		"DefaultArguments": args, "MaxRetries": 0,
	}
	tfJob := []TFAttr{{"name", p.job}, {"role_arn", TFRef("aws_iam_role.glue_job.arn")}, {"glue_version", p.opts.GlueVersion},
		{"worker_type", p.opts.WorkerType}, {"number_of_workers", p.opts.Workers}, {"max_retries", 0},
		{"command", []TFAttr{{"name", "gluestreaming"}, {"script_location", p.script}, {"python_version", "3"}}}, {"default_arguments", args}}
	st := Stack{Description: "AWS Glue streaming job " + p.job, CFN: roleCFN, TF: roleTF, Parameters: map[string]iac.Parameter{}}
	if p.kafka {
		var subnet, sgs any = CFNRef("SubnetId"), CFNRef("SecurityGroupIds")
		tfSubnet, tfSGs := any(TFRef("var.subnet_id")), any(TFRef("var.security_group_ids"))
		if len(p.subnets) > 0 {
			subnet, tfSubnet = p.subnets[0], p.subnets[0]
		} else {
			st.Parameters["SubnetId"] = iac.Parameter{Type: "AWS::EC2::Subnet::Id", Description: "private subnet with a route to the brokers (one Glue connection uses one subnet)"}
			st.TF = append(st.TF, TFBlock{Kind: "variable", Labels: []string{"subnet_id"}, Attrs: []TFAttr{{"type", TFRef("string")}}})
		}
		if len(p.sgs) > 0 {
			sgs, tfSGs = p.sgs, p.sgs
		} else {
			st.Parameters["SecurityGroupIds"] = iac.Parameter{Type: "List<AWS::EC2::SecurityGroup::Id>", Description: "security groups with a self-referencing all-TCP inbound rule"}
			st.TF = append(st.TF, TFBlock{Kind: "variable", Labels: []string{"security_group_ids"}, Attrs: []TFAttr{{"type", TFRef("list(string)")}}})
		}
		conn := p.job + "-network"
		st.CFN["GlueNetworkConnection"] = iac.Resource{Type: "AWS::Glue::Connection", Properties: map[string]any{"CatalogId": CFNRef("AWS::AccountId"),
			"ConnectionInput": map[string]any{"Name": conn, "ConnectionType": "NETWORK", "PhysicalConnectionRequirements": map[string]any{"SubnetId": subnet, "SecurityGroupIdList": sgs}}}}
		jobProps["Connections"] = map[string]any{"Connections": []any{CFNRef("GlueNetworkConnection")}}
		st.TF = append(st.TF, TFBlock{Labels: []string{"aws_glue_connection", "network"}, Attrs: []TFAttr{{"name", conn}, {"connection_type", "NETWORK"},
			{"physical_connection_requirements", []TFAttr{{"subnet_id", tfSubnet}, {"security_group_id_list", tfSGs}}}}})
		tfJob = append(tfJob, TFAttr{"connections", TFRef("[aws_glue_connection.network.name]")})
	}
	st.CFN["GlueStreamingJob"] = iac.Resource{Type: "AWS::Glue::Job", Properties: jobProps}
	st.TF = append(st.TF, TFBlock{Labels: []string{"aws_glue_job", "stream"}, Attrs: tfJob})
	return st, nil
}

func buildGlueStreaming(e Env, r Request) (Result, error) {
	p, err := planGlue(e, r)
	if err != nil {
		return Result{}, err
	}
	b := e.Guidance
	unit := "shard"
	if p.kafka {
		unit = "partition"
	}
	cpw := b.Num("glue.v3.spark_cores." + p.opts.WorkerType)
	cores := (float64(p.opts.Workers) - p.driver) * cpw
	res := Result{References: []string{procGlueBlogURL, e.Ref("glue.v3.spark_cores.G.4X"), e.Ref("glue.auto_scaling.min_version"), e.Ref("glue.kinesis.max_fetch_records_per_shard.default"), e.Ref("glue.timeout.max_minutes")}}
	if p.src.msk && r.Auth == iac.AuthIAM {
		res.References = append(res.References, procMSKIAMURL)
	}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = []guide.Step{
			{Title: fmt.Sprintf("Size workers: NumberOfWorkers = 1 driver + ceil(cores ÷ %g cores per %s)", cpw, p.opts.WorkerType),
				Detail: fmt.Sprintf("On Glue 3.0+ a %s worker runs %g Spark cores (Glue 2.0 ran twice as many threads per vCPU); NumberOfWorkers = 1 driver + ceil(cores ÷ %g). %d workers give %g executor cores. Benchmark one %s at the 1-second minimum interval to get records/s per core, then size with sizing service=glue_streaming.", p.opts.WorkerType, cpw, cpw, p.opts.Workers, cores, unit),
				Decision: &guide.Decision{Choice: "Worker type", Options: b.Strings("glue.worker_types.streaming"), Recommendation: p.opts.WorkerType,
					Why: "smaller workers keep fewer cores competing for memory, disk and network; G.025X (2 cores, 4 GB, a quarter DPU) suits low-volume streams; go larger only for memory-heavy operations"}},
			{Title: fmt.Sprintf("Give the source one %s per core (else repartition in the batch)", unit),
				Detail: fmt.Sprintf("Each %s becomes one Spark partition: %g cores need %g %ss. With fewer (a stream you do not control), repartition(%g) inside the batch function; adding workers alone does not help. More %ss than cores queue and leave workers idle at the end of each batch.", unit, cores, cores, unit, cores, unit)},
			{Title: fmt.Sprintf("Bound each micro-batch; keep batch time under the interval (worst-case latency ≈ %g × interval)", b.Num("glue.latency.worst_case_intervals")),
				Detail: fmt.Sprintf("Limit a batch with %s; keep batch duration under the trigger interval (windowSize) — when Avg Input/sec ≈ Avg Process/sec the job is at maximum capacity. Worst-case latency is ≈ %g × the interval, so keep batch duration under half the latency target. Raise kinesis.executor.maxFetchTimeInMs (default %gms) with the per-shard limit (default %g records), and make it a multiple of maxRecordPerRead (%g) to keep it strict.",
					map[bool]string{true: "maxOffsetsPerTrigger (split equally across partitions)", false: "kinesis.executor.maxFetchRecordsPerShard"}[p.kafka], b.Num("glue.latency.worst_case_intervals"), b.Num("glue.kinesis.max_fetch_time_ms.default"), b.Num("glue.kinesis.max_fetch_records_per_shard.default"), b.Num("glue.kinesis.max_record_per_read.default"))},
			{Title: fmt.Sprintf("Enable auto scaling (Glue %g+) and set a maintenance window (restarts every 7 days)", b.Num("glue.auto_scaling.min_version")),
				Detail: fmt.Sprintf("--enable-auto-scaling true (Glue %g+) makes NumberOfWorkers the maximum; Glue adds workers as batch time nears the interval. Glue restarts streaming jobs every 7 days (Timeout < %g minutes); set MaintenanceWindow to choose when.", b.Num("glue.auto_scaling.min_version"), b.Num("glue.timeout.max_minutes"))},
			{Title: "Split or combine jobs",
				Detail: "When one job stops scaling (a single driver; nodes wait for the slowest task each batch), split the work: a Kafka topic can be divided between jobs with assign (JSON listing each job's partitions, e.g. {\"orders\":[0,1,2]}) instead of subscribe; a Kinesis stream must be split into several streams. The other way round, many small streams can share one job: read several topics/streams into one DataFrame (topic / streamName columns, cache it) — they then share one interval — or run separate queries on threads."},
			{Title: "Make the sink idempotent: task and batch retries re-send output",
				Detail: fmt.Sprintf("A task is retried up to spark.task.maxFailures=%g times and a failed batch batchMaxRetries=%g times; a retried last stage re-sends to DynamoDB, JDBC or OpenSearch (files are not duplicated), so write idempotently. forEachBatch caches the batch (persistDataFrame) so multiple outputs do not re-read the source. ", b.Num("glue.spark.task_max_failures.default"), b.Num("glue.batch_max_retries.default"))},
		}
		pa, err := PolicyArtifact("glue-streaming-role-policy.json", p.policy(), "trust: glue.amazonaws.com (aws:SourceAccount "+p.src.env.Account+")")
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Type == guide.TypeSetup {
			st, err := p.stack()
			if err != nil {
				return Result{}, err
			}
			a, err := st.Render(r.Format, "glue-streaming")
			if err != nil {
				return Result{}, err
			}
			cfg, err := jsonArtifact("glue-streaming-source-options.json", p.sourceOptions(b), "pass connection_options to glueContext.create_data_frame.from_options and for_each_batch to glueContext.forEachBatch", "windowSize is the Glue docs example; set it and the per-batch limit (maxOffsetsPerTrigger for Kafka) from sizing service=glue_streaming")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a, cfg)
		}
		res.Checks = []guide.Check{
			{Name: "Batches keep up", How: "Spark UI Structured Streaming tab: batch duration stays under windowSize and Avg Process/sec clearly above Avg Input/sec after ~10 batches"},
			{Name: "Job configuration", How: "validate_config kind=glue_job (or kind=template) reports no errors", Tool: "validate_config"},
			{Name: "Source keeps pace", How: "iterator age / consumer lag stays flat", Tool: map[bool]string{true: "kafka_inspect", false: "kinesis_inspect"}[p.kafka]},
		}
	case guide.TypeNetworking:
		if !p.kafka {
			res.Steps = []guide.Step{{Title: "No VPC needed for Kinesis", Detail: "A Glue job without a connection reads Kinesis over the public endpoint. If you attach a NETWORK connection (to reach a database sink), the job runs in that subnet and then needs a NAT gateway or Kinesis, S3 and CloudWatch Logs VPC endpoints."}}
			break
		}
		res.Steps = []guide.Step{
			{Title: "Create a NETWORK connection in a private subnet", Detail: "One Glue connection places the job in one subnet (one AZ); pick a subnet that routes to the brokers."},
			{Title: "Security group", Detail: fmt.Sprintf("Add a self-referencing inbound rule for all TCP (Glue workers talk to each other) and allow egress to the brokers on %d (%s); the brokers' group must admit this group on %d.", p.port, r.Auth, p.port)},
			{Title: "Reach S3 and AWS APIs", Detail: "Add an S3 gateway endpoint (script, checkpoints, temp dir) and a NAT gateway or interface endpoints for CloudWatch Logs, Glue and, with IAM auth, STS."},
		}
		res.References = append(res.References, e.Ref("glue.connection.self_referencing_sg"))
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "Latency grows; Avg Input/sec ≈ Avg Process/sec", Cause: "batch duration reached the trigger interval: the job is at maximum capacity", Check: "Spark UI batch duration vs windowSize", Fix: "add cores (workers and shards/partitions together) or raise windowSize", Tool: "sizing"},
			{Symptom: "Input rows flat at a round number, yet lag grows", Cause: "the per-batch limit is hit every batch: a silent backlog", Check: "input rows per batch vs maxOffsetsPerTrigger / maxFetchRecordsPerShard × shards", Fix: "raise the limit (and maxFetchTimeInMs) or add capacity", Tool: "validate_config"},
			{Symptom: "Most executors idle, one busy", Cause: "fewer shards/partitions than cores", Check: "Spark UI stage tasks vs cores", Fix: "reshard/add partitions, or repartition in the batch function", Tool: "sizing"},
			{Symptom: "Duplicate rows in DynamoDB/JDBC/OpenSearch", Cause: "task or batch retries re-sent the last stage", Check: "Spark UI Jobs tab: tasks that succeeded after retry", Fix: "idempotent upserts keyed by record id", Tool: ""},
			{Symptom: "ReadProvisionedThroughputExceeded on the stream", Cause: "the job polls with GetRecords and shares 2 MB/s and 5 calls/s per shard with every other polling consumer", Check: "kinesis_inspect throttling per shard", Fix: "raise idleTimeBetweenReadsInMs, give the job its own enhanced fan-out consumer (FanoutConsumerARN in the Kinesis source options), or move other consumers to enhanced fan-out", Tool: "kinesis_inspect"},
			{Symptom: "Short intervals spend most of each batch checkpointing", Cause: "fixed per-batch overhead (planning, latestOffset, checkpoint commit) dominates small, frequent batches", Check: "Spark UI Operation Duration: addBatch should dominate", Fix: "raise windowSize (e.g. from 3 s to 5 s or more) so batches checkpoint less often", Tool: ""},
			{Symptom: "Job restarts on its own weekly", Cause: "Glue restarts streaming jobs after 7 days (maintenance)", Check: "job run history", Fix: "set MaintenanceWindow; checkpoints make the restart resume", Tool: ""},
		}
		if p.kafka {
			res.Troubleshooting = append(res.Troubleshooting, guide.Row{Symptom: "Connection timeout to brokers", Cause: "missing self-referencing rule, broker SG, or route", Check: fmt.Sprintf("SG rules for %d and the self-reference", p.port), Fix: "apply the networking steps", Tool: "kafka_troubleshoot"})
		}
	}
	return res, nil
}
