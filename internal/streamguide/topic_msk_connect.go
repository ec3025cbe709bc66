package streamguide

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

type connectOptions struct {
	Connector    string `json:"connector"`
	Workers      int    `json:"workers"`
	MCUPerWorker int    `json:"mcu_per_worker"`
	TasksMax     int    `json:"tasks_max"`
}

// mskConnect is an MSK Connect connector (S3 sink, Debezium MySQL source,
// MirrorMaker 2 or a custom plugin) on an MSK or self-managed cluster.
func mskConnect() Topic {
	return Topic{
		Name:    "msk_connect",
		Summary: "MSK Connect connector (S3 sink, Debezium, MirrorMaker 2, custom): capacity, worker configuration, network, service execution role",
		Sources: []Source{SourceMSK, SourceMSKServerless, SourceSelfManagedKafka},
		Auths:   []iac.Auth{iac.AuthIAM, iac.AuthNone},
		Options: []string{"connector", "workers", "mcu_per_worker", "tasks_max"},
		Build:   buildConnect,
	}
}

type connectPlan struct {
	src           procSource
	o             connectOptions
	name, topic   string
	bucket        string
	secret        string
	port          int
	iam           bool
	servers       string
	version       string
	scaleIn, scOu int
}

func planConnect(e Env, r Request) (connectPlan, error) {
	var p connectPlan
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	src, err := parseProcSource("msk_connect", r)
	if err != nil {
		return p, err
	}
	b := e.Guidance
	p.src, p.topic, p.iam, p.secret = src, r.KafkaTopic, r.Auth == iac.AuthIAM, r.SecretArn
	if p.o.Connector == "" {
		p.o.Connector = "s3_sink"
	}
	switch p.o.Connector {
	case "s3_sink":
		if r.TargetArn == "" {
			return p, fmt.Errorf("%w: connector s3_sink needs target_arn (the bucket ARN, arn:aws:s3:::BUCKET)", iac.ErrInvalid)
		}
		bucket, ok := strings.CutPrefix(r.TargetArn, "arn:"+src.env.Partition+":s3:::")
		if !ok || !validBucket(bucket) {
			return p, fmt.Errorf("%w: target_arn %q must be an S3 bucket ARN (arn:%s:s3:::BUCKET)", iac.ErrInvalid, r.TargetArn, src.env.Partition)
		}
		p.bucket = bucket
		if p.topic == "" {
			return p, fmt.Errorf("%w: connector s3_sink needs kafka_topic (the topic it copies)", iac.ErrInvalid)
		}
	case "debezium_mysql", "mirrormaker2", "custom":
	default:
		return p, fmt.Errorf("%w: connector %q is not s3_sink, debezium_mysql, mirrormaker2 or custom", iac.ErrInvalid, p.o.Connector)
	}
	maxW := b.Int("mskconnect.workers.max")
	if p.o.Workers == 0 {
		p.o.Workers = 2
		if p.o.Workers > maxW {
			p.o.Workers = maxW
		}
	}
	if p.o.Workers < 1 || p.o.Workers > maxW {
		return p, fmt.Errorf("%w: workers %d must be 1-%d", iac.ErrInvalid, p.o.Workers, maxW)
	}
	mcus := b.Strings("mskconnect.mcu_count.values")
	if p.o.MCUPerWorker == 0 {
		p.o.MCUPerWorker, _ = strconv.Atoi(mcus[0])
	}
	if !containsStr(mcus, strconv.Itoa(p.o.MCUPerWorker)) {
		return p, fmt.Errorf("%w: mcu_per_worker %d is not one of %s", iac.ErrInvalid, p.o.MCUPerWorker, strings.Join(mcus, ", "))
	}
	if p.o.TasksMax == 0 {
		p.o.TasksMax = 1
	}
	p.name = r.Name
	if p.name == "" {
		p.name = strings.ReplaceAll(p.o.Connector, "_", "-") + "-connector"
	}
	if !validName(p.name) {
		return p, fmt.Errorf("%w: name %q must be letters, digits, - and _", iac.ErrInvalid, p.name)
	}
	p.port = b.Int(brokerPortID(r.Auth))
	p.servers = strings.Join(r.BootstrapServers, ",")
	p.version = b.Strings("mskconnect.kafka_connect_versions")[0]
	p.scaleIn, p.scOu = b.Int("mskconnect.example.scale_in_cpu_percent"), b.Int("mskconnect.example.scale_out_cpu_percent")
	return p, nil
}

func (p connectPlan) policy() iac.PolicyDocument {
	var st []iac.Statement
	if p.src.msk && p.iam {
		c := p.src.cluster
		topic := p.topic
		if topic == "" {
			topic = "*"
		}
		dataActions := []string{"kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"}
		if p.o.Connector != "s3_sink" {
			dataActions = []string{"kafka-cluster:DescribeTopic", "kafka-cluster:WriteData", "kafka-cluster:CreateTopic", "kafka-cluster:ReadData"}
		}
		st = append(st,
			iac.Statement{Sid: "ConnectCluster", Effect: "Allow", Action: []string{"kafka-cluster:Connect", "kafka-cluster:DescribeCluster"}, Resource: []string{c.ARN()}},
			iac.Statement{Sid: "ConnectorTopics", Effect: "Allow", Action: dataActions, Resource: []string{c.TopicARN(topic)}},
			iac.Statement{Sid: "InternalTopics", Effect: "Allow", Action: []string{"kafka-cluster:CreateTopic", "kafka-cluster:WriteData", "kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"},
				Resource: []string{c.TopicARN("__amazon_msk_connect_*")}},
			iac.Statement{Sid: "ConnectGroups", Effect: "Allow", Action: []string{"kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"},
				Resource: []string{c.GroupARN("__amazon_msk_connect_*"), c.GroupARN("connect-*")}})
	}
	if p.bucket != "" {
		arn := "arn:" + p.src.env.Partition + ":s3:::" + p.bucket
		st = append(st,
			iac.Statement{Sid: "BucketLevel", Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}, Resource: []string{arn}},
			iac.Statement{Sid: "ObjectLevel", Effect: "Allow", Action: []string{"s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}, Resource: []string{arn + "/*"}})
	}
	if p.secret != "" {
		st = append(st, iac.Statement{Sid: "ReadConnectorSecret", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{p.secret}})
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: st}
}

// crossAccountClusterPolicy grants the connector's account the IAM
// data-plane actions on the cluster, its topics, the internal topics and
// groups, when the connector runs in another account than the cluster.
func (p connectPlan) crossAccountClusterPolicy(client string) (iac.PolicyDocument, bool) {
	if !p.src.msk || !p.iam || client == "" || client == p.src.env.Account {
		return iac.PolicyDocument{}, false
	}
	c := p.src.cluster
	who := map[string][]string{"AWS": {"arn:" + p.src.env.Partition + ":iam::" + client + ":root"}}
	own := p.policy()
	var st []iac.Statement
	for _, s := range own.Statement {
		if strings.HasPrefix(s.Action[0], "kafka-cluster:") {
			s.Principal = who
			st = append(st, s)
		}
	}
	st = append(st, iac.Statement{Sid: "DescribeForConnect", Effect: "Allow", Principal: who, Action: []string{"kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"}, Resource: []string{c.ARN()}})
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: st}, true
}

func (p connectPlan) connectorConfig(b *guidance.Base) map[string]string {
	tasks := strconv.Itoa(p.o.TasksMax)
	iamKeys := func(m map[string]string, prefix string) {
		m[prefix+"security.protocol"] = "SASL_SSL"
		m[prefix+"sasl.mechanism"] = "AWS_MSK_IAM"
		m[prefix+"sasl.jaas.config"] = "software.amazon.msk.auth.iam.IAMLoginModule required;"
		m[prefix+"sasl.client.callback.handler.class"] = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
	}
	switch p.o.Connector {
	case "s3_sink":
		return map[string]string{"connector.class": "io.confluent.connect.s3.S3SinkConnector", "tasks.max": tasks, "topics": p.topic,
			"s3.region": p.src.env.Region, "s3.bucket.name": p.bucket, "flush.size": "1000", "storage.class": "io.confluent.connect.s3.storage.S3Storage",
			"format.class": "io.confluent.connect.s3.format.json.JsonFormat", "schema.compatibility": "NONE", "key.converter": "org.apache.kafka.connect.storage.StringConverter",
			"value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false"}
	case "debezium_mysql":
		m := map[string]string{"connector.class": "io.debezium.connector.mysql.MySqlConnector", "tasks.max": strconv.FormatFloat(b.Num("mskconnect.debezium.tasks_max"), 'f', -1, 64),
			"database.hostname": "DB_HOST", "database.port": "3306", "database.user": "${secretsmanager:DB_SECRET:username}", "database.password": "${secretsmanager:DB_SECRET:password}",
			"database.server.id": "123456", "topic.prefix": "cdc", "include.schema.changes": "true",
			"schema.history.internal.kafka.bootstrap.servers": p.servers, "schema.history.internal.kafka.topic": "schema-history.cdc",
			"config.providers": "secretsmanager", "config.providers.secretsmanager.class": "com.amazonaws.kafka.config.providers.SecretsManagerConfigProvider",
			"config.providers.secretsmanager.param.region": p.src.env.Region}
		if p.iam {
			iamKeys(m, "schema.history.internal.producer.")
			iamKeys(m, "schema.history.internal.consumer.")
		}
		return m
	case "mirrormaker2":
		m := map[string]string{"connector.class": "org.apache.kafka.connect.mirror.MirrorSourceConnector", "tasks.max": tasks,
			"source.cluster.alias": "source", "target.cluster.alias": "target", "source.cluster.bootstrap.servers": "SOURCE_BOOTSTRAP",
			"target.cluster.bootstrap.servers": p.servers, "topics": p.topicOr(".*"), "replication.factor": "3",
			"replication.policy.class": "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"}
		if p.iam {
			iamKeys(m, "source.cluster.")
			iamKeys(m, "target.cluster.")
		}
		return m
	}
	return map[string]string{"connector.class": "YOUR_CONNECTOR_CLASS", "tasks.max": tasks}
}

func (p connectPlan) topicOr(def string) string {
	if p.topic == "" {
		return def
	}
	return p.topic
}

func (p connectPlan) workerProperties() string {
	return "key.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\n"
}

func (p connectPlan) stack(b *guidance.Base) (Stack, error) {
	trust := p.src.trustPolicy("kafkaconnect.amazonaws.com")
	roleCFN, roleTF, err := procRoleStack("ConnectorRole", "connector", "kafkaconnect", trust, p.policy())
	if err != nil {
		return Stack{}, err
	}
	cfg := p.connectorConfig(b)
	auth, enc := "NONE", "TLS"
	if p.iam {
		auth = "IAM"
	}
	st := Stack{Description: "MSK Connect connector " + p.name, CFN: roleCFN, TF: roleTF, Parameters: map[string]iac.Parameter{
		"CustomPluginArn":  {Type: "String", Description: "ARN of the custom plugin (the connector's ZIP/JAR uploaded with CreateCustomPlugin)"},
		"SubnetIds":        {Type: "List<AWS::EC2::Subnet::Id>", Description: "private subnets that reach the brokers (one IP per worker)"},
		"SecurityGroupIds": {Type: "List<AWS::EC2::SecurityGroup::Id>", Description: fmt.Sprintf("groups allowed egress to the brokers on %d", p.port)},
	}}
	var servers any = p.servers
	tfServers := any(p.servers)
	if p.servers == "" {
		st.Parameters["BootstrapServers"] = iac.Parameter{Type: "String", Description: "bootstrap broker string for the connector's auth mode (aws kafka get-bootstrap-brokers)"}
		servers, tfServers = CFNRef("BootstrapServers"), TFRef("var.bootstrap_servers")
		st.TF = append(st.TF, TFBlock{Kind: "variable", Labels: []string{"bootstrap_servers"}, Attrs: []TFAttr{{"type", TFRef("string")}}})
	}
	st.TF = append(st.TF,
		TFBlock{Kind: "variable", Labels: []string{"custom_plugin_arn"}, Attrs: []TFAttr{{"type", TFRef("string")}}},
		TFBlock{Kind: "variable", Labels: []string{"subnet_ids"}, Attrs: []TFAttr{{"type", TFRef("list(string)")}}},
		TFBlock{Kind: "variable", Labels: []string{"security_group_ids"}, Attrs: []TFAttr{{"type", TFRef("list(string)")}}})
	st.CFN["ConnectorLogs"] = iac.Resource{Type: "AWS::Logs::LogGroup", Properties: map[string]any{"LogGroupName": "/msk-connect/" + p.name, "RetentionInDays": 30}}
	st.CFN["WorkerConfig"] = iac.Resource{Type: "AWS::KafkaConnect::WorkerConfiguration", Properties: map[string]any{"Name": p.name + "-workers",
		"PropertiesFileContent": map[string]any{"Fn::Base64": p.workerProperties()}}}
	st.CFN["Connector"] = iac.Resource{Type: "AWS::KafkaConnect::Connector", Properties: map[string]any{
		"ConnectorName": p.name, "KafkaConnectVersion": p.version, "ServiceExecutionRoleArn": CFNGetAtt("ConnectorRole", "Arn"),
		"Capacity": map[string]any{"AutoScaling": map[string]any{"MinWorkerCount": 1, "MaxWorkerCount": p.o.Workers, "McuCount": p.o.MCUPerWorker,
			"ScaleInPolicy": map[string]any{"CpuUtilizationPercentage": p.scaleIn}, "ScaleOutPolicy": map[string]any{"CpuUtilizationPercentage": p.scOu}}},
		"ConnectorConfiguration": cfg,
		"KafkaCluster": map[string]any{"ApacheKafkaCluster": map[string]any{"BootstrapServers": servers,
			"Vpc": map[string]any{"Subnets": CFNRef("SubnetIds"), "SecurityGroups": CFNRef("SecurityGroupIds")}}},
		"KafkaClusterClientAuthentication": map[string]any{"AuthenticationType": auth},
		"KafkaClusterEncryptionInTransit":  map[string]any{"EncryptionType": enc},
		"Plugins":                          []any{map[string]any{"CustomPlugin": map[string]any{"CustomPluginArn": CFNRef("CustomPluginArn"), "Revision": 1}}},
		"WorkerConfiguration":              map[string]any{"WorkerConfigurationArn": CFNGetAtt("WorkerConfig", "WorkerConfigurationArn"), "Revision": CFNGetAtt("WorkerConfig", "Revision")},
		"LogDelivery":                      map[string]any{"WorkerLogDelivery": map[string]any{"CloudWatchLogs": map[string]any{"Enabled": true, "LogGroup": CFNRef("ConnectorLogs")}}},
	}}
	st.TF = append(st.TF,
		TFBlock{Labels: []string{"aws_cloudwatch_log_group", "connector"}, Attrs: []TFAttr{{"name", "/msk-connect/" + p.name}, {"retention_in_days", 30}}},
		TFBlock{Labels: []string{"aws_mskconnect_worker_configuration", "this"}, Attrs: []TFAttr{{"name", p.name + "-workers"}, {"properties_file_content", p.workerProperties()}}},
		TFBlock{Labels: []string{"aws_mskconnect_connector", "this"}, Attrs: []TFAttr{
			{"name", p.name}, {"kafkaconnect_version", p.version}, {"service_execution_role_arn", TFRef("aws_iam_role.connector.arn")},
			{"capacity", []TFAttr{{"autoscaling", []TFAttr{{"min_worker_count", 1}, {"max_worker_count", p.o.Workers}, {"mcu_count", p.o.MCUPerWorker},
				{"scale_in_policy", []TFAttr{{"cpu_utilization_percentage", p.scaleIn}}}, {"scale_out_policy", []TFAttr{{"cpu_utilization_percentage", p.scOu}}}}}}},
			{"connector_configuration", cfg},
			{"kafka_cluster", []TFAttr{{"apache_kafka_cluster", []TFAttr{{"bootstrap_servers", tfServers},
				{"vpc", []TFAttr{{"security_groups", TFRef("var.security_group_ids")}, {"subnets", TFRef("var.subnet_ids")}}}}}}},
			{"kafka_cluster_client_authentication", []TFAttr{{"authentication_type", auth}}},
			{"kafka_cluster_encryption_in_transit", []TFAttr{{"encryption_type", enc}}},
			{"plugin", []TFAttr{{"custom_plugin", []TFAttr{{"arn", TFRef("var.custom_plugin_arn")}, {"revision", 1}}}}},
			{"worker_configuration", []TFAttr{{"arn", TFRef("aws_mskconnect_worker_configuration.this.arn")}, {"revision", TFRef("aws_mskconnect_worker_configuration.this.latest_revision")}}},
			{"log_delivery", []TFAttr{{"worker_log_delivery", []TFAttr{{"cloudwatch_logs", []TFAttr{{"enabled", true}, {"log_group", TFRef("aws_cloudwatch_log_group.connector.name")}}}}}}},
		}})
	return st, nil
}

func buildConnect(e Env, r Request) (Result, error) {
	p, err := planConnect(e, r)
	if err != nil {
		return Result{}, err
	}
	b := e.Guidance
	res := Result{References: []string{e.Ref("mskconnect.mcu.memory_gib"), e.Ref("mskconnect.workers.max"), e.Ref("mskconnect.worker_config.required_keys"), procConnectRoleURL, e.Ref("mskconnect.worker_config.in_use_not_deletable")}}
	if p.src.msk && r.Auth == iac.AuthIAM {
		res.References = append(res.References, procMSKIAMURL)
	}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = []guide.Step{
			{Title: fmt.Sprintf("Capacity = workers × MCUs (%g vCPU, %g GiB each; 1-%g workers, one subnet IP each)", b.Num("mskconnect.mcu.vcpu"), b.Num("mskconnect.mcu.memory_gib"), b.Num("mskconnect.workers.max")),
				Detail: fmt.Sprintf("Create a custom plugin (ZIP or JAR) for %s. Each worker is a JVM with mcuCount MCUs (%g vCPU, %g GiB each; mcuCount %s); up to %g workers per connector, one subnet IP each. Autoscaled %d-%d workers × %d MCU here; MSK Connect then overrides tasks.max in proportion to workers × MCUs.",
					p.o.Connector, b.Num("mskconnect.mcu.vcpu"), b.Num("mskconnect.mcu.memory_gib"), strings.Join(b.Strings("mskconnect.mcu_count.values"), "/"), b.Num("mskconnect.workers.max"), 1, p.o.Workers, p.o.MCUPerWorker),
				Decision: &guide.Decision{Choice: "Capacity mode", Options: []string{"autoscaled", "provisioned"}, Recommendation: "autoscaled",
					Why: fmt.Sprintf("load varies or is unknown; use provisioned to pin tasks.max (a sink task owns whole partitions, so tasks beyond the partition count idle). The AWS post scales out at %d%% and in at %d%% CPU.", p.scOu, p.scaleIn)}},
			{Title: "Worker configuration: key/value converters required; it cannot be deleted while a connector uses it",
				Detail: "Set key.converter and value.converter (required); only the listed producer.*/consumer.* properties are supported. Worker configurations are reusable across connectors and manageable in CloudFormation (AWS::KafkaConnect::WorkerConfiguration, returning its ARN, state and latest revision) and taggable. DeleteWorkerConfiguration refuses a configuration a connector still uses (the console disables Delete; workerConfigurationState shows it): create a new one (or revision), move connectors, then delete the old one. ListWorkerConfigurations and ListCustomPlugins take a name prefix for selective clean-up."},
			connectorStep(p),
			{Title: "Service execution role: trust kafkaconnect.amazonaws.com; cluster, topics, __amazon_msk_connect_* topics and connect-* groups",
				Detail: "Trust kafkaconnect.amazonaws.com (aws:SourceAccount). With IAM auth: Connect/DescribeCluster on the cluster, the connector's topics, the __amazon_msk_connect_* internal topics and the connect-* / __amazon_msk_connect_* groups — ARNs carry the cluster UUID."},
		}
		if cp, ok := p.crossAccountClusterPolicy(r.ClientAccount); ok {
			res.Steps = append(res.Steps, guide.Step{Title: "Cross-account cluster: attach a cluster policy in the cluster's account",
				Detail: "The connector runs in account " + r.ClientAccount + " and the cluster in " + p.src.env.Account + ": put the cluster policy (artifact) on the cluster, keep the role policy in the connector's account, open " + fmt.Sprint(p.port) + " to the connector's VPC over peering or Transit Gateway, and create the connector with the CLI or API (the console does not list other accounts' clusters). AWS's post notes MSK Connect could not use the multi-VPC (PrivateLink) bootstrap ports when it was written."})
			ca, err := PolicyArtifact("msk-cluster-policy.json", cp, "aws kafka put-cluster-policy --cluster-arn "+p.src.cluster.ARN()+" --policy file://msk-cluster-policy.json")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, ca)
		}
		if pol := p.policy(); len(pol.Statement) > 0 {
			pa, err := PolicyArtifact("msk-connect-role-policy.json", pol, "trust: kafkaconnect.amazonaws.com (aws:SourceAccount "+p.src.env.Account+")")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, pa)
		}
		if r.Type == guide.TypeSetup {
			st, err := p.stack(b)
			if err != nil {
				return Result{}, err
			}
			a, err := st.Render(r.Format, "msk-connect")
			if err != nil {
				return Result{}, err
			}
			cfg, err := jsonArtifact("connector-configuration.json", p.connectorConfig(b), "flush.size and the placeholders (DB_HOST, DB_SECRET, SOURCE_BOOTSTRAP) are yours to set")
			if err != nil {
				return Result{}, err
			}
			var lines [][2]string
			for _, l := range strings.Split(strings.TrimSpace(p.workerProperties()), "\n") {
				k, v, _ := strings.Cut(l, "=")
				lines = append(lines, [2]string{k, v})
			}
			res.Artifacts = append(res.Artifacts, a, cfg, propertiesArtifact("worker-configuration.properties", lines))
		}
		res.Checks = []guide.Check{
			{Name: "Connector and worker configuration", How: "validate_config kind=msk_connect (or kind=template) reports no errors", Tool: "validate_config"},
			{Name: "Connector RUNNING", How: "aws kafkaconnect describe-connector shows connectorState RUNNING; worker logs in /msk-connect/" + p.name},
			{Name: "Sink keeps up", How: "the connect-" + p.name + " group's lag stays flat", Tool: "kafka_inspect"},
		}
	case guide.TypeNetworking:
		res.Steps = []guide.Step{
			{Title: "Place workers in private subnets", Detail: "Each worker takes one IP from the connector's subnets; leave room for maxWorkerCount."},
			{Title: "Open the broker port", Detail: fmt.Sprintf("Egress from the connector's group to the brokers on %d (%s) and ingress on %d in the brokers' group. MSK Connect supports IAM or unauthenticated MSK clusters only.", p.port, r.Auth, p.port)},
			{Title: "Reach the data store", Detail: "An S3 sink in private subnets needs an S3 gateway endpoint; connectors calling the internet (or AWS APIs without endpoints, e.g. Secrets Manager) need a NAT gateway. Over peering or Transit Gateway, do not target " + strings.Join(b.Strings("mskconnect.reserved_cidrs"), ", ") + " (reserved by MSK Connect)."},
		}
		res.References = append(res.References, e.Ref("mskconnect.reserved_cidrs"))
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "Connector stuck in CREATING, then FAILED", Cause: "workers cannot reach the brokers (SG, NACL, route) or the role lacks kafka-cluster permissions", Check: "the connector's CloudWatch log group; if it shows no error yet, wait", Fix: "apply the networking and permissions steps", Tool: "kafka_troubleshoot"},
			{Symptom: "DeleteWorkerConfiguration fails", Cause: "a connector still uses the worker configuration", Check: "aws kafkaconnect list-connectors and each connector's workerConfiguration", Fix: "move or delete those connectors first", Tool: ""},
			{Symptom: "Some tasks idle while lag grows", Cause: "tasks.max above the partition count, or workers × MCUs too small", Check: "partitions of the topic vs tasks.max; CpuUtilization", Fix: "add partitions or MCUs/workers", Tool: "sizing"},
			{Symptom: "Debezium fails with authentication errors on the schema-history topic", Cause: "schema.history.internal.producer/consumer.* lack the IAM SASL settings", Check: "connector configuration", Fix: "add the four IAM keys for both clients", Tool: "validate_config"},
			{Symptom: "S3 sink times out writing", Cause: "no S3 gateway endpoint or NAT in the connector's subnets", Check: "route tables of the subnets", Fix: "add the S3 gateway endpoint", Tool: ""},
		}
	}
	return res, nil
}

func connectorStep(p connectPlan) guide.Step {
	switch p.o.Connector {
	case "s3_sink":
		return guide.Step{Title: "Configure the S3 sink", Detail: "Set topics, s3.bucket.name, s3.region, flush.size (records per object), format.class and storage.class; tasks.max up to the topic's partition count."}
	case "debezium_mysql":
		return guide.Step{Title: "Configure Debezium", Detail: "Debezium runs one task per database; read credentials through the Secrets Manager config provider; with IAM auth repeat the SASL settings for schema.history.internal.producer.* and .consumer.*."}
	case "mirrormaker2":
		return guide.Step{Title: "Configure MirrorMaker 2", Detail: "Run MirrorSourceConnector (plus checkpoint and heartbeat connectors as needed) with both cluster aliases and bootstrap servers; IdentityReplicationPolicy keeps topic names identical."}
	}
	return guide.Step{Title: "Configure the connector", Detail: "Set connector.class and tasks.max per the plugin's documentation."}
}
