package streamguide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/redshiftstream"
)

type redshiftOptions struct {
	SchemaName             string `json:"schema_name"`
	Target                 string `json:"target"`
	Partitions             int    `json:"partitions"`
	ClusterSecurityGroupID string `json:"cluster_security_group_id"`
	RoleName               string `json:"role_name"`
	CertificateArn         string `json:"certificate_arn"`
	Payload                string `json:"payload"`
}

// redshiftStreaming is Amazon Redshift streaming ingestion from MSK (IAM,
// unauthenticated, mTLS) and Kinesis: role (chain), SQL, network, sizing and
// troubleshooting queries.
func redshiftStreaming() Topic {
	return Topic{
		Name:    "redshift_streaming",
		Summary: "Amazon Redshift streaming ingestion (external schema + streaming materialized view)",
		Sources: []Source{SourceMSK, SourceMSKServerless, SourceKinesis},
		Auths:   []iac.Auth{iac.AuthIAM, iac.AuthNone, iac.AuthMTLS},
		Options: []string{"schema_name", "target", "partitions", "cluster_security_group_id", "role_name", "certificate_arn", "payload"},
		Build:   buildRedshift,
	}
}

type rsPlan struct {
	r          Request
	o          redshiftOptions
	env        iac.Env // the warehouse's account
	cluster    iac.MSKCluster
	stream     string // Kinesis stream name
	name       string // topic or stream name
	chain      []string
	cross      bool
	readPolicy iac.PolicyDocument
	mv, schema string
}

func planRedshift(e Env, r Request) (rsPlan, error) {
	p := rsPlan{r: r}
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	if r.Source == SourceMSKServerless && r.Auth != iac.AuthIAM {
		return p, fmt.Errorf("%w: MSK Serverless accepts IAM authentication only; use auth iam", iac.ErrInvalid)
	}
	switch p.o.Target {
	case "", "serverless", "provisioned":
	default:
		return p, fmt.Errorf("%w: options.target %q is not serverless or provisioned", iac.ErrInvalid, p.o.Target)
	}
	switch p.o.Payload {
	case "", "json", "raw":
	default:
		return p, fmt.Errorf("%w: options.payload %q is not json or raw", iac.ErrInvalid, p.o.Payload)
	}
	if p.o.ClusterSecurityGroupID != "" {
		if err := iac.ValidateSecurityGroupID(p.o.ClusterSecurityGroupID); err != nil {
			return p, err
		}
	}
	if p.o.CertificateArn != "" {
		if _, err := iac.ParseARN(p.o.CertificateArn, ""); err != nil {
			return p, err
		}
	}
	if r.SourceArn == "" {
		return p, fmt.Errorf("%w: redshift_streaming needs source_arn (the MSK cluster or Kinesis stream ARN) to scope the policy and the schema", iac.ErrInvalid)
	}
	env, err := where(r)
	if err != nil {
		return p, err
	}
	p.env = env
	if r.Account == "" {
		p.env.Account = ""
	}
	srcARN, _ := iac.ParseARN(r.SourceArn, "")
	if p.env.Account == "" {
		p.env.Account = srcARN.AccountID
	}
	p.cross = srcARN.AccountID != p.env.Account
	if r.Source == SourceKinesis {
		kr, err := iac.ParseKinesisResource(srcARN.Resource)
		if err != nil || kr.Consumer != "" {
			return p, fmt.Errorf("%w: source_arn must be a Kinesis stream ARN (not a consumer ARN)", iac.ErrInvalid)
		}
		p.stream, p.name = kr.Stream, kr.Stream
	} else {
		c, _ := iac.ParseMSKClusterARN(r.SourceArn)
		p.cluster = c
		if r.KafkaTopic == "" {
			return p, fmt.Errorf("%w: give kafka_topic, the topic the materialized view reads", iac.ErrInvalid)
		}
		p.name = r.KafkaTopic
	}
	if n := len(p.name); n > e.Guidance.Int("redshift_streaming.topic_name.max_chars") && r.Source != SourceKinesis {
		return p, fmt.Errorf("%w: topic %q has %d characters; Redshift streaming ingestion supports at most %d", iac.ErrInvalid, p.name, n, e.Guidance.Int("redshift_streaming.topic_name.max_chars"))
	}
	p.schema = p.o.SchemaName
	if p.schema == "" {
		p.schema = map[bool]string{true: "kinesis_ext", false: "msk_ext"}[r.Source == SourceKinesis]
	}
	p.mv = r.Name
	if p.mv == "" {
		p.mv = "stream_mv"
	}
	if p.o.RoleName == "" {
		p.o.RoleName = "redshift-streaming-" + p.mv
	}
	if !validRoleName(p.o.RoleName) {
		return p, fmt.Errorf("%w: options.role_name %q is not a valid IAM role name", iac.ErrInvalid, p.o.RoleName)
	}
	p.readPolicy = p.read(srcARN)
	switch {
	case len(r.RoleArns) > 0:
		p.chain = r.RoleArns
		first, _ := iac.ParseARN(r.RoleArns[0], "iam")
		last, _ := iac.ParseARN(r.RoleArns[len(r.RoleArns)-1], "iam")
		if first.AccountID != p.env.Account {
			return p, fmt.Errorf("%w: role_arns[0] is in account %s but the warehouse is in %s: the first role in IAM_ROLE must be the one attached to the cluster or namespace", iac.ErrInvalid, first.AccountID, p.env.Account)
		}
		if last.AccountID != srcARN.AccountID {
			return p, fmt.Errorf("%w: the last role in role_arns is in account %s but the stream is in %s: the role that reads the stream must be in the stream's account", iac.ErrInvalid, last.AccountID, srcARN.AccountID)
		}
	case p.cross:
		remote := iac.Env{Partition: srcARN.Partition, Account: srcARN.AccountID}
		p.chain = []string{roleARN(p.env, p.o.RoleName), roleARN(remote, p.o.RoleName+"-read")}
	default:
		p.chain = []string{roleARN(p.env, p.o.RoleName)}
	}
	return p, nil
}

// read is the policy of the role that reads the stream.
func (p rsPlan) read(src iac.ARN) iac.PolicyDocument {
	if p.r.Source == SourceKinesis {
		star := "arn:" + src.Partition + ":kinesis:" + src.Region + ":" + src.AccountID + ":stream/*"
		return allow(
			iac.Statement{Sid: "ReadStream", Resource: []string{p.r.SourceArn}, Action: []string{"kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards", "kinesis:DescribeStream"}},
			iac.Statement{Sid: "ListStreams", Resource: []string{star}, Action: []string{"kinesis:ListStreams"}},
		)
	}
	sts := []iac.Statement{{Sid: "GetBootstrapBrokers", Resource: []string{p.cluster.ARN()}, Action: []string{"kafka:GetBootstrapBrokers"}}}
	if p.r.Auth == iac.AuthIAM {
		sts = append(sts,
			iac.Statement{Sid: "Connect", Resource: []string{p.cluster.ARN()}, Action: []string{"kafka-cluster:Connect"}},
			iac.Statement{Sid: "ReadTopic", Resource: []string{p.cluster.TopicARN(p.r.KafkaTopic)}, Action: []string{"kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"}})
	}
	return allow(sts...)
}

func (p rsPlan) principals() []string {
	if p.o.Target == "serverless" {
		return []string{"redshift.amazonaws.com", "redshift-serverless.amazonaws.com"}
	}
	return []string{"redshift.amazonaws.com"}
}

// artifacts are the roles' policies and stacks.
func (p rsPlan) roleArtifacts(format iac.Format) ([]iac.Artifact, error) {
	trust := iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{{Effect: "Allow", Principal: map[string][]string{"Service": p.principals()}, Action: []string{"sts:AssumeRole"}}}}
	var out []iac.Artifact
	own := p.readPolicy
	if len(p.chain) > 1 {
		own = allow(iac.Statement{Sid: "AssumeNextRole", Resource: []string{p.chain[1]}, Action: []string{"sts:AssumeRole"}})
		a, err := PolicyArtifact("redshift-stream-read-policy.json", p.readPolicy, "attach to "+p.chain[len(p.chain)-1]+" in the stream's account; that role trusts "+p.chain[len(p.chain)-2])
		if err != nil {
			return nil, err
		}
		t, err := PolicyArtifact("redshift-stream-read-trust.json", roleTrust(p.chain[len(p.chain)-2]), "trust policy of "+p.chain[len(p.chain)-1])
		if err != nil {
			return nil, err
		}
		out = append(out, a, t)
	}
	a, err := PolicyArtifact("redshift-role-policy.json", own, "attach to "+p.chain[0]+" and associate that role with the cluster or namespace")
	if err != nil {
		return nil, err
	}
	out = append(out, a)
	if len(p.r.RoleArns) > 0 {
		return out, nil // the caller's roles exist; no stack
	}
	cfn, tf, err := roleStack("RedshiftStreamingRole", p.o.RoleName, trust, own)
	if err != nil {
		return nil, err
	}
	st := Stack{Description: "IAM role Redshift uses for streaming ingestion from " + p.name, CFN: cfn, TF: tf,
		Outputs: map[string]iac.Output{"RoleArn": {Value: CFNGetAtt("RedshiftStreamingRole", "Arn")}}}
	if format == iac.FormatTerraform {
		st.Outputs = nil
	}
	sa, err := st.Render(format, "redshift-streaming-role", "creates role "+p.o.RoleName+" (CAPABILITY_NAMED_IAM); associate it with the cluster (ModifyClusterIamRoles) or namespace (IamRoles) afterwards")
	if err != nil {
		return nil, err
	}
	out = append(out, sa)
	if len(p.chain) > 1 {
		remoteName := p.chain[1][strings.LastIndex(p.chain[1], "/")+1:]
		rcfn, rtf, err := roleStack("StreamReadRole", remoteName, roleTrust(p.chain[0]), p.readPolicy)
		if err != nil {
			return nil, err
		}
		rs := Stack{Description: "Role in the stream's account that Redshift chains to", CFN: rcfn, TF: rtf}
		ra, err := rs.Render(format, "redshift-streaming-remote-role", "deploy in the stream's account")
		if err != nil {
			return nil, err
		}
		out = append(out, ra)
	}
	return out, nil
}

// sql is the external schema and streaming MV.
func (p rsPlan) sql(e Env) string {
	var b strings.Builder
	b.WriteString("-- Redshift streaming ingestion: run in the target database. Generated by stream-mcp; review before running.\n")
	if redshiftstream.MixedCase(p.name) {
		b.WriteString("-- The name has upper-case letters: Redshift folds identifiers to lower case unless this is on (per session, user, or a custom parameter group).\n")
		b.WriteString("SET enable_case_sensitive_identifier TO true;\n")
	}
	role := strings.Join(p.chain, ",")
	if p.r.Source == SourceKinesis {
		fmt.Fprintf(&b, "CREATE EXTERNAL SCHEMA %s\nFROM KINESIS\nIAM_ROLE %s;\n\n", QuoteIdent(p.schema), QuoteLiteral(role))
	} else {
		fmt.Fprintf(&b, "CREATE EXTERNAL SCHEMA %s\nFROM MSK\nIAM_ROLE %s\nAUTHENTICATION %s\n", QuoteIdent(p.schema), QuoteLiteral(role), map[iac.Auth]string{iac.AuthIAM: "iam", iac.AuthNone: "none", iac.AuthMTLS: "mtls"}[p.r.Auth])
		switch {
		case p.r.Auth == iac.AuthMTLS && p.o.CertificateArn != "":
			fmt.Fprintf(&b, "AUTHENTICATION_ARN %s\n", QuoteLiteral(p.o.CertificateArn))
		case p.r.Auth == iac.AuthMTLS && p.r.SecretArn != "":
			fmt.Fprintf(&b, "SECRET_ARN %s\n", QuoteLiteral(p.r.SecretArn))
		case p.r.Auth == iac.AuthMTLS:
			b.WriteString("-- mTLS: add AUTHENTICATION_ARN 'ACM certificate ARN' or SECRET_ARN 'secret ARN' (give options.certificate_arn or secret_arn)\n")
		}
		fmt.Fprintf(&b, "CLUSTER_ARN %s;\n\n", QuoteLiteral(p.r.SourceArn))
	}
	value, meta := "kafka_value", "kafka_partition, kafka_offset, kafka_timestamp_type, kafka_timestamp, kafka_key, kafka_headers, refresh_time"
	if p.r.Source == SourceKinesis {
		value, meta = "kinesis_data", "approximate_arrival_timestamp, partition_key, shard_id, sequence_number, refresh_time"
	}
	fmt.Fprintf(&b, "-- One streaming MV per %s per warehouse; share it with other warehouses through data sharing.\n", map[bool]string{true: "stream", false: "topic"}[p.r.Source == SourceKinesis])
	fmt.Fprintf(&b, "-- No SORTKEY and no conversions here: a record that fails a conversion fails every refresh until it expires.\n")
	fmt.Fprintf(&b, "CREATE MATERIALIZED VIEW %s AUTO REFRESH YES AS\nSELECT %s,\n", QuoteIdent(p.mv), meta)
	if p.o.Payload == "raw" {
		fmt.Fprintf(&b, "       %s\n", value)
	} else {
		fmt.Fprintf(&b, "       CASE WHEN CAN_JSON_PARSE(%[1]s) THEN JSON_PARSE(%[1]s) END AS payload,\n       CASE WHEN NOT CAN_JSON_PARSE(%[1]s) THEN %[1]s END AS invalid_payload\n", value)
	}
	fmt.Fprintf(&b, "FROM %s.%s;\n", QuoteIdent(p.schema), QuoteIdent(p.name))
	return b.String()
}

// troubleshootingSQL queries the system views; offered, never run.
func (p rsPlan) troubleshootingSQL() string {
	mv := QuoteLiteral(p.mv)
	return fmt.Sprintf(`-- Redshift streaming ingestion diagnostics (system views; run as a superuser to see all rows).
-- 1. Records not loaded (e.g. larger than the MV column); position = Kafka offset or Kinesis sequence number.
SELECT record_time, mv_name, stream_name, partition_id, position, error_code, error_reason
FROM sys_stream_scan_errors WHERE mv_name = %[1]s ORDER BY record_time DESC LIMIT 50;
-- 2. Failed refreshes (conversion or parse errors fail the whole refresh; they are not in sys_stream_scan_errors).
SELECT query_id, start_time, status, error_message
FROM sys_query_history WHERE status = 'failed' AND query_text ILIKE %[2]s ORDER BY start_time DESC LIMIT 20;
-- 3. Refresh history: manual vs auto, status.
SELECT * FROM sys_mv_refresh_history WHERE mv_name = %[1]s ORDER BY start_time DESC LIMIT 20;
-- 4. End-to-end latency of the newest row (arrival in the stream to now).
SELECT DATEDIFF(second, MAX(%[3]s), GETDATE()) AS seconds_behind FROM %[4]s;
-- 5. Ingestion progress and lag per partition or shard.
SELECT partition_id, MAX(latest_position) AS latest_position, SUM(scanned_rows) AS rows_scanned, SUM(skipped_rows) AS rows_skipped,
       DATEDIFF(second, MAX(stream_record_time_max), MAX(record_time)) AS lag_seconds
FROM sys_stream_scan_states WHERE mv_name = %[1]s GROUP BY partition_id ORDER BY lag_seconds DESC;
`, mv, QuoteLiteral("%"+p.mv+"%"), map[bool]string{true: "approximate_arrival_timestamp", false: "kafka_timestamp"}[p.r.Source == SourceKinesis], QuoteIdent(p.mv))
}

func buildRedshift(e Env, r Request) (Result, error) {
	p, err := planRedshift(e, r)
	if err != nil {
		return Result{}, err
	}
	res := Result{References: []string{redshiftstream.DocStreaming}}
	if r.Source == SourceKinesis {
		res.References = append(res.References, redshiftstream.DocGettingKDS)
	} else {
		res.References = append(res.References, redshiftstream.DocGettingMSK)
	}
	port, portID := e.kafkaPort(r.Auth)
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = p.setupSteps(e, r.Type == guide.TypeSetup)
		arts, err := p.roleArtifacts(r.Format)
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, arts...)
		if r.Type == guide.TypeSetup {
			res.Artifacts = append(res.Artifacts, SQLArtifact("redshift-streaming.sql", p.sql(e)))
			if d := p.downstreamSQL(); d != "" {
				res.Artifacts = append(res.Artifacts, SQLArtifact("redshift-streaming-downstream.sql", d, "schedule the procedure (EventBridge Scheduler, query editor v2 or MWAA); it loads only offsets newer than the target's maximum per partition"))
			}
			if r.Source != SourceKinesis {
				if a, _, err := sgArtifact(r.Format, p.o.ClusterSecurityGroupID, first(r.SecurityGroupIDs), port, "Redshift streaming ingestion"); err != nil {
					return Result{}, err
				} else if a != nil {
					res.Artifacts = append(res.Artifacts, *a)
				}
			}
		}
		res.Checks = []guide.Check{
			{Name: "Role associated", How: "aws redshift describe-clusters (IamRoles) or aws redshift-serverless get-namespace lists " + p.chain[0]},
			{Name: "Rows arrive", How: "SELECT COUNT(*) FROM " + QuoteIdent(p.mv) + " grows after REFRESH; sys_stream_scan_states shows scanned_rows per partition"},
			{Name: "Validate the SQL", How: "validate_config kind=redshift_streaming with the SQL as text reports no errors", Tool: "validate_config"},
		}
		if r.Source == SourceKinesis {
			res.Checks = append(res.Checks, guide.Check{Name: "Stream not throttled by the extra reader", How: "ReadProvisionedThroughputExceeded stays 0", Tool: "kinesis_inspect"})
		}
		res.References = append(res.References, redshiftstream.DocRoleChaining, e.Ref("redshift_streaming.topic_name.max_chars"))
	case guide.TypeNetworking:
		res.Steps = p.networkSteps(e, port)
		if r.Source != SourceKinesis {
			a, note, err := sgArtifact(r.Format, p.o.ClusterSecurityGroupID, first(r.SecurityGroupIDs), port, "Redshift streaming ingestion")
			if err != nil {
				return Result{}, err
			}
			if a != nil {
				res.Artifacts = append(res.Artifacts, *a)
			} else {
				res.Steps = append(res.Steps, guide.Step{Title: "Security group rule", Detail: note})
			}
			res.References = append(res.References, e.Ref(portID), redshiftstream.BlogCDC)
		}
		res.Checks = []guide.Check{{Name: "Brokers reachable", How: fmt.Sprintf("REFRESH MATERIALIZED VIEW %s completes; a timeout points at the security groups or routes on TCP %d", QuoteIdent(p.mv), port), Tool: "kafka_troubleshoot"}}
	case guide.TypeTroubleshooting:
		res.Troubleshooting = p.rows(e, port)
		res.Artifacts = append(res.Artifacts, SQLArtifact("redshift-streaming-diagnostics.sql", p.troubleshootingSQL(), "offered, not run: stream-mcp does not connect to Redshift"))
		res.References = append(res.References, redshiftstream.DocScanErrors, redshiftstream.DocScanStates, redshiftstream.DocQueryHistory, redshiftstream.DocRefreshHist, redshiftstream.BlogBestPractices)
	}
	return res, nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (p rsPlan) setupSteps(e Env, setup bool) []guide.Step {
	var steps []guide.Step
	if setup {
		steps = append(steps, p.sizeStep(e))
	}
	chain := "one role, attached to the cluster or namespace and trusted by " + strings.Join(p.principals(), " and ")
	if len(p.chain) > 1 {
		chain = fmt.Sprintf("a chain: %s (attached to the warehouse, may sts:AssumeRole the next) then %s (in the stream's account, trusts the first, reads the stream); IAM_ROLE lists them in that order, comma-separated, no spaces", p.chain[0], p.chain[len(p.chain)-1])
	}
	steps = append(steps, guide.Step{Title: "Create the role Redshift uses", Detail: "IAM_ROLE is " + chain + "."})
	what := "kafka:GetBootstrapBrokers on the cluster (no Kafka authorization with AUTHENTICATION none)"
	switch {
	case p.r.Source == SourceKinesis:
		what = "kinesis:DescribeStreamSummary, GetShardIterator, GetRecords, ListShards, DescribeStream on the stream and ListStreams"
	case p.r.Auth == iac.AuthIAM:
		what = "kafka:GetBootstrapBrokers and kafka-cluster:Connect on the cluster, kafka-cluster:DescribeTopic and ReadData on " + p.cluster.TopicARN(p.r.KafkaTopic) + " (no consumer group: Redshift tracks offsets itself)"
	case p.r.Auth == iac.AuthMTLS:
		what += "; mTLS presents the client certificate named by AUTHENTICATION_ARN (ACM, issued by the cluster's private CA) or SECRET_ARN in the schema"
	}
	steps = append(steps, guide.Step{Title: "Grant read access", Detail: "The reading role needs " + what + "."})
	if redshiftstream.MixedCase(p.name) {
		steps = append(steps, guide.Step{Title: "Turn on case-sensitive identifiers", Detail: fmt.Sprintf("%q has upper-case letters. SET enable_case_sensitive_identifier TO true in the session (the SQL does), for the user, or in a custom parameter group (not the default one; reboot after changing it).", p.name)})
	}
	if setup {
		steps = append(steps, guide.Step{Title: "Create the external schema and the streaming MV", Detail: "Land the payload minimally (guarded JSON_PARSE to SUPER or raw VARBYTE) with AUTO REFRESH YES; flatten in a second MV or stored procedure. The first refresh starts at the stream's TRIM_HORIZON or offset 0. Binary payloads (protobuf, Avro) stay VARBYTE (payload raw) and are decoded downstream, e.g. with a Lambda UDF.",
			Decision: &guide.Decision{Choice: "MVs per stream", Options: []string{"one streaming MV shared by data sharing", "one MV per consumer warehouse"}, Recommendation: "one streaming MV shared by data sharing",
				Why: "each streaming MV reads the whole stream: more MVs multiply egress and compete for the provider's throughput"}})
	}
	return steps
}

func (p rsPlan) sizeStep(e Env) guide.Step {
	parts := p.o.Partitions
	s := guide.Step{Title: "Size the warehouse", Detail: fmt.Sprintf("Redshift Serverless: %d RPU of base capacity per %d partitions or shards; provisioned: one slice per partition. Call sizing service=redshift_streaming with the partition counts for the arithmetic.",
		e.Guidance.Int("redshift_streaming.serverless.rpu_per_partition_group"), e.Guidance.Int("redshift_streaming.serverless.partition_group"))}
	if parts > 0 {
		s.Detail = fmt.Sprintf("%d partitions or shards: base capacity %d RPU on Redshift Serverless, or at least %d slices on a provisioned cluster.", parts, redshiftstream.BaseRPU(e.Guidance, parts), parts*e.Guidance.Int("redshift_streaming.provisioned.slices_per_partition"))
	}
	s.Decision = &guide.Decision{Choice: "warehouse", Options: []string{"serverless", "provisioned"}, Recommendation: map[bool]string{true: "provisioned", false: "serverless"}[p.o.Target == "provisioned"],
		Why: "streaming refreshes are a steady workload: isolate them in their own workgroup or cluster when analytics share the warehouse, and share the MVs"}
	return s
}

func (p rsPlan) networkSteps(e Env, port int) []guide.Step {
	if p.r.Source == SourceKinesis {
		return []guide.Step{{Title: "Reach the Kinesis endpoint", Detail: "Redshift reads Kinesis through the service endpoint: no security group rule. With enhanced VPC routing on, the cluster's subnets need a route to Kinesis (NAT gateway or a Kinesis interface VPC endpoint)."}}
	}
	steps := []guide.Step{
		{Title: "Open the broker port", Detail: fmt.Sprintf("AUTHENTICATION %s uses TCP %d. Allow it inbound on the MSK cluster's security group from the Redshift cluster's or workgroup's security group (a CIDR rule must admit the Redshift nodes' private IPs; the CDC post admits the leader node IP shown on the cluster's properties).", p.r.Auth, port)},
		{Title: "Keep a broker in Redshift's AZ", Detail: "Redshift connects to a broker in its own Availability Zone when the cluster is rack-aware; with none there, reads cross AZs and incur data-transfer cost."},
	}
	if p.r.Source == SourceMSKServerless {
		steps = append(steps, guide.Step{Title: "Same VPC as the Serverless cluster", Detail: "MSK Serverless serves clients in the VPCs and subnets listed in its VPC configuration: put the workgroup's subnets there (or add the VPC to the cluster)."})
	}
	return steps
}

func (p rsPlan) rows(e Env, port int) []guide.Row {
	rows := []guide.Row{
		{Symptom: "MV has fewer rows than the topic; no refresh error", Cause: "records larger than the MV column are skipped", Check: "sys_stream_scan_errors (query 1): error_reason and position", Fix: "declare the payload column larger (VARBYTE up to 16 MiB) or keep large payloads out of the stream", Tool: "validate_config"},
		{Symptom: "every refresh fails", Cause: "a record the MV cannot parse or convert (JSON_PARSE on invalid JSON, a failing cast); the refresh fails until the record expires", Check: "sys_query_history error_message (query 2)", Fix: "guard with CAN_JSON_PARSE and move conversions to a downstream MV; recreate the MV if you cannot wait for the record to expire", Tool: "validate_config"},
		{Symptom: "schema or MV creation says the stream or topic does not exist", Cause: "mixed-case name folded to lower case", Check: "the name has upper-case letters and enable_case_sensitive_identifier is off", Fix: "SET enable_case_sensitive_identifier TO true (custom parameter group for cluster-wide)", Tool: "validate_config"},
		{Symptom: "data lands but cannot be read (binary garbage)", Cause: "producer-compressed payloads (gzip, e.g. CloudWatch Logs subscription records); Redshift cannot decompress", Check: "first bytes of kafka_value/kinesis_data are 1f8b (gzip)", Fix: "decompress before Redshift (Lambda or Firehose) or stop compressing values", Tool: ""},
		{Symptom: "ingestion falls behind", Cause: "too few RPU/slices for the partitions, several MVs on one stream, JSON_EXTRACT_PATH_TEXT in the MV, or a sort key", Check: "sys_stream_scan_states lag (query 4) and the MV definition", Fix: "size with sizing service=redshift_streaming; one MV per stream; JSON_PARSE to SUPER; no sort key", Tool: "sizing"},
		{Symptom: "MV never updates", Cause: "manual refresh (the default)", Check: "sys_mv_refresh_history shows no auto refreshes (query 3)", Fix: "ALTER MATERIALIZED VIEW ... AUTO REFRESH YES", Tool: ""},
	}
	if p.r.Source == SourceKinesis {
		rows = append(rows, guide.Row{Symptom: "permission denied on the stream", Cause: "the reading role lacks Kinesis read actions or IAM_ROLE order is wrong", Check: "the role policy against the generated one", Fix: "apply redshift-role-policy.json", Tool: "kinesis_inspect"})
	} else {
		rows = append(rows,
			guide.Row{Symptom: "refresh times out connecting to MSK", Cause: fmt.Sprintf("TCP %d blocked between Redshift and the brokers", port), Check: "security groups and NACLs on both sides", Fix: "stream_guidance guidance_type=networking", Tool: "kafka_troubleshoot"},
			guide.Row{Symptom: "access denied on the cluster or topic", Cause: "the role misses kafka-cluster:Connect/DescribeTopic/ReadData, or a cross-account chain is out of order", Check: "IAM_ROLE order (Redshift account first, cluster account last) and the policies", Fix: "apply the generated role policies; fix the IAM_ROLE order", Tool: "validate_config"})
	}
	return rows
}

// downstreamSQL is the incremental load from the streaming MV into a table
// keyed on (kafka_partition, kafka_offset), unique within a topic (MSK with
// JSON payloads only; Kinesis sequence numbers are strings).
func (p rsPlan) downstreamSQL() string {
	if p.r.Source == SourceKinesis || p.o.Payload == "raw" {
		return ""
	}
	target, proc := QuoteIdent(p.mv+"_target"), QuoteIdent("load_"+p.mv)
	return fmt.Sprintf(`-- Downstream table and incremental load: keep the streaming MV minimal, transform here.
CREATE TABLE IF NOT EXISTS %[1]s (
  kafka_partition INTEGER,
  kafka_offset BIGINT,
  kafka_timestamp TIMESTAMP,
  payload SUPER
);
CREATE OR REPLACE PROCEDURE %[2]s()
AS $$
BEGIN
  INSERT INTO %[1]s
  SELECT m.kafka_partition, m.kafka_offset, m.kafka_timestamp, m.payload
  FROM %[3]s m
  WHERE m.payload IS NOT NULL
    AND m.kafka_offset > COALESCE((SELECT MAX(t.kafka_offset) FROM %[1]s t WHERE t.kafka_partition = m.kafka_partition), -1);
END;
$$ LANGUAGE plpgsql;
CALL %[2]s();
`, target, proc, QuoteIdent(p.mv))
}
