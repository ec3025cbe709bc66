package streamguide

import (
	"fmt"
	"math"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

type flinkOptions struct {
	Parallelism       int    `json:"parallelism"`
	ParallelismPerKPU int    `json:"parallelism_per_kpu"`
	CodeBucket        string `json:"code_bucket"`
	CodeKey           string `json:"code_key"`
	Runtime           string `json:"runtime"`
	Retrieval         string `json:"retrieval"`
}

// flinkApp is an Amazon Managed Service for Apache Flink application reading
// Kinesis or Kafka.
func flinkApp() Topic {
	return Topic{
		Name:    "flink",
		Summary: "Amazon Managed Service for Apache Flink application on Kinesis or Kafka (KPUs, parallelism, sources, checkpoints, VPC, role)",
		Sources: []Source{SourceKinesis, SourceMSK, SourceMSKServerless, SourceSelfManagedKafka},
		Auths:   []iac.Auth{iac.AuthIAM, iac.AuthSCRAM512, iac.AuthMTLS, iac.AuthNone},
		Options: []string{"parallelism", "parallelism_per_kpu", "code_bucket", "code_key", "runtime", "retrieval"},
		Build:   buildFlink,
	}
}

type flinkPlan struct {
	src         procSource
	o           flinkOptions
	app         string
	kafka, efo  bool
	topic       string
	group       string
	port        int
	kpu, billed float64
}

func planFlink(e Env, r Request) (flinkPlan, error) {
	var p flinkPlan
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	src, err := parseProcSource("flink", r)
	if err != nil {
		return p, err
	}
	b := e.Guidance
	p.src, p.kafka, p.topic, p.group = src, r.Source.IsKafka(), r.KafkaTopic, r.GroupID
	if p.o.ParallelismPerKPU == 0 {
		p.o.ParallelismPerKPU = b.Int("flink.parallelism_per_kpu.default")
	}
	if p.o.Parallelism == 0 {
		p.o.Parallelism = b.Int("flink.parallelism.default")
	}
	if maxPPK := b.Int("flink.parallelism_per_kpu.max"); p.o.ParallelismPerKPU < 1 || p.o.ParallelismPerKPU > maxPPK {
		return p, fmt.Errorf("%w: parallelism_per_kpu %d must be 1-%d", iac.ErrInvalid, p.o.ParallelismPerKPU, maxPPK)
	}
	if maxP := b.Int("flink.parallelism.max"); p.o.Parallelism < 1 || p.o.Parallelism > maxP {
		return p, fmt.Errorf("%w: parallelism %d must be 1-%d", iac.ErrInvalid, p.o.Parallelism, maxP)
	}
	prefix := gstring(b, "flink.runtime.prefix")
	if p.o.Runtime == "" {
		p.o.Runtime = prefix + "1_20"
	}
	if !strings.HasPrefix(p.o.Runtime, prefix) || !validVersion(strings.ReplaceAll(strings.TrimPrefix(p.o.Runtime, prefix), "_", ".")) {
		return p, fmt.Errorf("%w: runtime %q must look like %s1_20", iac.ErrInvalid, p.o.Runtime, prefix)
	}
	switch p.o.Retrieval {
	case "", "efo":
		p.efo = !p.kafka
	case "polling":
	default:
		return p, fmt.Errorf("%w: retrieval %q is not efo or polling", iac.ErrInvalid, p.o.Retrieval)
	}
	p.app = r.Name
	if p.app == "" {
		p.app = "stream-app"
	}
	if !validName(p.app) {
		return p, fmt.Errorf("%w: name %q must be letters, digits, - and _", iac.ErrInvalid, p.app)
	}
	if p.o.CodeBucket == "" {
		p.o.CodeBucket = "flink-code-" + src.env.Account + "-" + src.env.Region
	}
	if !validBucket(p.o.CodeBucket) {
		return p, fmt.Errorf("%w: code_bucket %q is not an S3 bucket name", iac.ErrInvalid, p.o.CodeBucket)
	}
	if p.o.CodeKey == "" {
		p.o.CodeKey = p.app + ".jar"
	}
	if strings.ContainsAny(p.o.CodeKey, "*?\"' \n") {
		return p, fmt.Errorf("%w: code_key %q must be one object key", iac.ErrInvalid, p.o.CodeKey)
	}
	if p.kafka {
		p.port = b.Int(brokerPortID(r.Auth))
	}
	p.kpu = math.Ceil(float64(p.o.Parallelism) / float64(p.o.ParallelismPerKPU))
	p.billed = p.kpu + b.Num("flink.kpu.orchestration")
	return p, nil
}

func (p flinkPlan) policy() iac.PolicyDocument {
	st := []iac.Statement{
		{Sid: "ReadCode", Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion"}, Resource: []string{"arn:" + p.src.env.Partition + ":s3:::" + p.o.CodeBucket + "/" + p.o.CodeKey}},
		{Sid: "DescribeLogs", Effect: "Allow", Action: []string{"logs:DescribeLogGroups"}, Resource: []string{p.src.arn("logs", "log-group:*")}},
		{Sid: "WriteLogs", Effect: "Allow", Action: []string{"logs:DescribeLogStreams", "logs:PutLogEvents"}, Resource: []string{p.src.arn("logs", "log-group:/aws/kinesis-analytics/"+p.app+":*")}},
	}
	switch {
	case p.src.kinesis:
		st = append(st, p.src.kinesisRead(p.efo)...)
	case p.src.msk:
		st = append(st, p.src.mskRead(p.topic, p.group)...)
	}
	if p.kafka {
		st = append(st, vpcENI())
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: st}
}

func (p flinkPlan) properties() map[string]string {
	if p.src.kinesis {
		m := map[string]string{"stream.arn": p.src.stream, "source.init.position": "LATEST", "source.reader.type": "POLLING"}
		if p.efo {
			m["source.reader.type"], m["source.efo.consumer.name"] = "EFO", p.app
		}
		return m
	}
	topic := p.topic
	if topic == "" {
		topic = "TOPIC"
	}
	group := p.group
	if group == "" {
		group = p.app
	}
	return map[string]string{"topic": topic, "group.id": group}
}

func (p flinkPlan) stack() (Stack, error) {
	roleCFN, roleTF, err := procRoleStack("FlinkAppRole", "flink_app", "kinesisanalytics", p.src.trustPolicy("kinesisanalytics.amazonaws.com"), p.policy())
	if err != nil {
		return Stack{}, err
	}
	props := p.properties()
	conf := map[string]any{
		"ApplicationCodeConfiguration": map[string]any{"CodeContentType": "ZIPFILE", "CodeContent": map[string]any{"S3ContentLocation": map[string]any{
			"BucketARN": "arn:" + p.src.env.Partition + ":s3:::" + p.o.CodeBucket, "FileKey": p.o.CodeKey}}},
		"FlinkApplicationConfiguration": map[string]any{
			"CheckpointConfiguration":  map[string]any{"ConfigurationType": "DEFAULT"},
			"ParallelismConfiguration": map[string]any{"ConfigurationType": "CUSTOM", "Parallelism": p.o.Parallelism, "ParallelismPerKPU": p.o.ParallelismPerKPU, "AutoScalingEnabled": true},
			"MonitoringConfiguration":  map[string]any{"ConfigurationType": "CUSTOM", "LogLevel": "INFO", "MetricsLevel": "APPLICATION"},
		},
		"EnvironmentProperties":            map[string]any{"PropertyGroups": []any{map[string]any{"PropertyGroupId": "source", "PropertyMap": props}}},
		"ApplicationSnapshotConfiguration": map[string]any{"SnapshotsEnabled": true},
	}
	tfConf := []TFAttr{
		{"application_code_configuration", []TFAttr{{"code_content_type", "ZIPFILE"}, {"code_content", []TFAttr{{"s3_content_location", []TFAttr{
			{"bucket_arn", "arn:" + p.src.env.Partition + ":s3:::" + p.o.CodeBucket}, {"file_key", p.o.CodeKey}}}}}}},
		{"flink_application_configuration", []TFAttr{
			{"checkpoint_configuration", []TFAttr{{"configuration_type", "DEFAULT"}}},
			{"parallelism_configuration", []TFAttr{{"configuration_type", "CUSTOM"}, {"parallelism", p.o.Parallelism}, {"parallelism_per_kpu", p.o.ParallelismPerKPU}, {"auto_scaling_enabled", true}}},
		}},
		{"environment_properties", []TFAttr{{"property_group", []TFAttr{{"property_group_id", "source"}, {"property_map", props}}}}},
		{"application_snapshot_configuration", []TFAttr{{"snapshots_enabled", true}}},
	}
	st := Stack{Description: "Managed Service for Apache Flink application " + p.app, CFN: roleCFN, TF: roleTF, Parameters: map[string]iac.Parameter{}}
	if p.kafka {
		st.Parameters["SubnetIds"] = iac.Parameter{Type: "List<AWS::EC2::Subnet::Id>", Description: "private subnets that route to the brokers"}
		st.Parameters["SecurityGroupIds"] = iac.Parameter{Type: "List<AWS::EC2::SecurityGroup::Id>", Description: fmt.Sprintf("groups allowed egress to the brokers on %d", p.port)}
		conf["VpcConfigurations"] = []any{map[string]any{"SubnetIds": CFNRef("SubnetIds"), "SecurityGroupIds": CFNRef("SecurityGroupIds")}}
		st.TF = append(st.TF, TFBlock{Kind: "variable", Labels: []string{"subnet_ids"}, Attrs: []TFAttr{{"type", TFRef("list(string)")}}},
			TFBlock{Kind: "variable", Labels: []string{"security_group_ids"}, Attrs: []TFAttr{{"type", TFRef("list(string)")}}})
		tfConf = append(tfConf, TFAttr{"vpc_configuration", []TFAttr{{"subnet_ids", TFRef("var.subnet_ids")}, {"security_group_ids", TFRef("var.security_group_ids")}}})
	}
	st.CFN["FlinkApplication"] = iac.Resource{Type: "AWS::KinesisAnalyticsV2::Application", Properties: map[string]any{
		"ApplicationName": p.app, "RuntimeEnvironment": p.o.Runtime, "ServiceExecutionRole": CFNGetAtt("FlinkAppRole", "Arn"), "ApplicationConfiguration": conf}}
	st.TF = append(st.TF, TFBlock{Labels: []string{"aws_kinesisanalyticsv2_application", "app"}, Attrs: []TFAttr{{"name", p.app}, {"runtime_environment", p.o.Runtime},
		{"service_execution_role", TFRef("aws_iam_role.flink_app.arn")}, {"application_configuration", tfConf}}})
	return st, nil
}

func buildFlink(e Env, r Request) (Result, error) {
	p, err := planFlink(e, r)
	if err != nil {
		return Result{}, err
	}
	b := e.Guidance
	unit := "shard"
	if p.kafka {
		unit = "partition"
	}
	res := Result{References: []string{e.Ref("flink.kpu.memory_gb"), e.Ref("flink.parallelism.max"), e.Ref("flink.autoscale.scale_up_cpu_percent"), e.Ref("flink.checkpoint.default_interval_ms")}}
	if p.src.kinesis {
		res.References = append(res.References, procKinesisSrcURL, procFlinkSourcesURL)
	}
	if p.src.msk && r.Auth == iac.AuthIAM {
		res.References = append(res.References, procMSKIAMURL)
	}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = []guide.Step{
			{Title: fmt.Sprintf("KPUs = ceil(Parallelism %d ÷ ParallelismPerKPU %d) = %g, + %g orchestration = %g billed", p.o.Parallelism, p.o.ParallelismPerKPU, p.kpu, b.Num("flink.kpu.orchestration"), p.billed),
				Detail: fmt.Sprintf("KPUs = ceil(Parallelism %d ÷ ParallelismPerKPU %d) = %g, plus %g orchestration KPU = %g billed. Each KPU is %g vCPU, %g GB memory (1 GB native, 3 GB heap) and %g GB running storage. Default quota %g KPUs per application.",
					p.o.Parallelism, p.o.ParallelismPerKPU, p.kpu, b.Num("flink.kpu.orchestration"), p.billed, b.Num("flink.kpu.vcpu"), b.Num("flink.kpu.memory_gb"), b.Num("flink.kpu.storage_gb"), b.Num("flink.kpu.max_default")),
				Decision: &guide.Decision{Choice: "ParallelismPerKPU", Options: []string{"1", "2", "4", "8"}, Recommendation: fmt.Sprint(p.o.ParallelismPerKPU),
					Why: "1 for CPU-bound operators; raise it only when operators mostly wait on I/O, so more subtasks share a KPU"}},
			{Title: fmt.Sprintf("Match source parallelism to %ss", unit),
				Detail: fmt.Sprintf("A %s is read by one source subtask: source parallelism above the %s count leaves subtasks idle (an idle Kafka source holds back watermarks unless idleness is configured). Set the source operator's parallelism to the %s count and keep heavier operators wider.", unit, unit, unit)},
			sourceStep(p, b),
			migrationStep(p),
			{Title: fmt.Sprintf("Keep checkpoints (DEFAULT: every %gms) and snapshots on", b.Num("flink.checkpoint.default_interval_ms")),
				Detail: fmt.Sprintf("ConfigurationType DEFAULT forces checkpointing every %gms with %gms minimum pause (values set in code are ignored; use CUSTOM to change them). Snapshots let updates and scaling restore state; every scale event restarts the job from a snapshot.", b.Num("flink.checkpoint.default_interval_ms"), b.Num("flink.checkpoint.default_min_pause_ms"))},
			{Title: fmt.Sprintf("Auto scaling: doubles at ≥%g%% CPU for %g min, halves after %g h under %g%%", b.Num("flink.autoscale.scale_up_cpu_percent"), b.Num("flink.autoscale.scale_up_minutes"), b.Num("flink.autoscale.scale_down_hours"), b.Num("flink.autoscale.scale_down_cpu_percent")),
				Detail: fmt.Sprintf("With AutoScalingEnabled the service doubles parallelism after %g minutes at ≥%g%% CPU and halves it after %g hours under %g%%, never below Parallelism. It reacts to CPU only: size manually for memory (heapMemoryUtilization) or backpressure spikes.", b.Num("flink.autoscale.scale_up_minutes"), b.Num("flink.autoscale.scale_up_cpu_percent"), b.Num("flink.autoscale.scale_down_hours"), b.Num("flink.autoscale.scale_down_cpu_percent"))},
		}
		pa, err := PolicyArtifact("flink-app-role-policy.json", p.policy(), "trust: kinesisanalytics.amazonaws.com (aws:SourceAccount "+p.src.env.Account+")")
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Type == guide.TypeSetup {
			st, err := p.stack()
			if err != nil {
				return Result{}, err
			}
			a, err := st.Render(r.Format, "flink-app")
			if err != nil {
				return Result{}, err
			}
			cfg, err := jsonArtifact("flink-source-properties.json", map[string]any{"PropertyGroupId": "source", "PropertyMap": p.properties()}, "read it in main() with KinesisAnalyticsRuntime.getApplicationProperties()")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a, cfg)
		}
		res.Checks = []guide.Check{
			{Name: "Application configuration", How: "validate_config kind=flink_app reports no errors", Tool: "validate_config"},
			{Name: "Keeps up", How: "millisBehindLatest (Kinesis) or records-lag-max (Kafka) flat; containerCPUUtilization below the scale-up threshold", Tool: map[bool]string{true: "kafka_inspect", false: "kinesis_inspect"}[p.kafka]},
			{Name: "Checkpoints succeed", How: "numberOfFailedCheckpoints stays 0 and lastCheckpointDuration well under the interval"},
		}
	case guide.TypeNetworking:
		if !p.kafka {
			res.Steps = []guide.Step{{Title: "No VPC needed for Kinesis", Detail: "Without a VPC configuration the application reaches Kinesis, S3 and CloudWatch over AWS endpoints. With one (to reach a VPC sink), add a NAT gateway or interface endpoints for Kinesis and CloudWatch and a gateway endpoint for S3."}}
			res.References = append(res.References, procFlinkVPCURL)
			break
		}
		res.Steps = []guide.Step{
			{Title: "Attach the application to the VPC", Detail: "VpcConfigurations with private subnets (ideally one per AZ of the cluster) and a security group; the service creates ENIs there."},
			{Title: "Open the broker port", Detail: fmt.Sprintf("Egress from the application's group to the brokers on %d (%s), and ingress on %d in the brokers' group from the application's group.", p.port, r.Auth, p.port)},
			{Title: "Reach AWS APIs from the VPC", Detail: "A VPC application loses default internet access: add a NAT gateway or interface endpoints for CloudWatch (logs, metrics), and an S3 gateway endpoint for code and snapshots; with IAM auth, STS too."},
		}
		res.References = append(res.References, procFlinkVPCURL)
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "Lag grows while CPU stays under the scale-up threshold", Cause: "a few hot subtasks (skewed keys) or an I/O-bound operator: auto scaling only looks at average CPU", Check: "backPressuredTimeMsPerSecond and busyTimeMsPerSecond per operator", Fix: "raise Parallelism (and ParallelismPerKPU for I/O), fix key skew", Tool: "sizing"},
			{Symptom: "Some source subtasks read nothing", Cause: "parallelism above the shard/partition count", Check: "subtask records in the Flink UI", Fix: "set the source operator parallelism to the shard/partition count", Tool: "validate_config"},
			{Symptom: "Application restarts in a loop", Cause: "an exception in user code, a failing checkpoint, or out-of-memory after restoring state", Check: "CloudWatch Logs of /aws/kinesis-analytics/" + p.app + " and the downtime / fullRestarts metrics", Fix: "fix the failure; restart from the last good snapshot, or without state if the schema changed incompatibly", Tool: ""},
			{Symptom: "Garbled or binary records from Kinesis", Cause: "producers use KPL aggregation and the Flink Kinesis source does not de-aggregate", Check: "producer AggregationEnabled", Fix: "disable aggregation or de-aggregate in a custom DeserializationSchema", Tool: "validate_config"},
			{Symptom: "ReadProvisionedThroughputExceeded on the stream", Cause: "polling shares 2 MB/s and 5 GetRecords/s per shard with every other polling consumer", Check: "kinesis_inspect throttling and consumers", Fix: "use the EFO reader (source.reader.type EFO)", Tool: "kinesis_inspect"},
		}
		res.References = append(res.References, procKinesisSrcURL)
	}
	return res, nil
}

// migrationStep covers replacing the legacy FlinkKinesisConsumer, whose
// snapshot state the new source cannot restore.
func migrationStep(p flinkPlan) guide.Step {
	if p.kafka {
		return guide.Step{Title: "Give every operator a UID", Detail: "uid() on each DataStream operator lets snapshots map state back after code changes; without UIDs (or with Table API/SQL) a changed job graph cannot restore state."}
	}
	return guide.Step{Title: "Migrating from FlinkKinesisConsumer",
		Detail: "Use dependency flink-connector-aws-kinesis-streams <connector>-<flink> (e.g. 5.0.0-1.20); the legacy consumer does not run on Flink 2.x. Its snapshot state is not compatible: with UIDs on every operator, change only the source's UID, start it AT_TIMESTAMP just before the deploy and restart from the latest snapshot with allowNonRestoredState=true (some records are reprocessed); with Table API/SQL or no UIDs, deploy with SKIP_RESTORE_FROM_SNAPSHOT, then return to RESTORE_FROM_LATEST_SNAPSHOT. SQL options changed: stream.arn (not the name) and source.init.position."}
}

func sourceStep(p flinkPlan, b interface{ Num(string) float64 }) guide.Step {
	if p.kafka {
		return guide.Step{Title: "Configure the Kafka source", Detail: "KafkaSource with group.id " + p.properties()["group.id"] + "; Flink commits offsets on checkpoints (for monitoring), but restores from its own state, so lag tools see progress only after each checkpoint."}
	}
	return guide.Step{Title: "Use KinesisStreamsSource (EFO or polling; it does not de-aggregate KPL records)",
		Detail: fmt.Sprintf("Use KinesisStreamsSource (AWS connectors 5.x): it reads parent shards before children (order survives resharding), assigns shards evenly across subtasks, needs an explicit watermark strategy and does not de-aggregate KPL records. EFO gives the application its own %g MiB/s per shard; polling shares %g MB/s and %g GetRecords/s per shard with every other polling consumer.",
			b.Num("kinesis.efo.read_mbps_per_consumer_shard"), b.Num("kinesis.shard.read_mbps"), b.Num("kinesis.shard.get_records_tps")),
		Decision: &guide.Decision{Choice: "Reader type", Options: []string{"EFO", "POLLING"}, Recommendation: map[bool]string{true: "EFO", false: "POLLING"}[p.efo],
			Why: "EFO when other consumers read the same stream or latency matters; POLLING when this is the only consumer and cost matters"}}
}
