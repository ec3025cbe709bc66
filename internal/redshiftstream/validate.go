package redshiftstream

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Rule ids.
const (
	ruleSource        = "redshift_streaming.source"
	ruleAuth          = "redshift_streaming.auth"
	ruleRole          = "redshift_streaming.iam_role.required"
	ruleRoleSpaces    = "redshift_streaming.iam_role.chain_format"
	ruleRoleChain     = "redshift_streaming.iam_role.chain_order"
	ruleTopicName     = "redshift_streaming.topic_name.max"
	ruleCase          = "redshift_streaming.case_sensitive_identifier"
	ruleParamGroup    = "redshift_streaming.case_sensitive_identifier.parameter_group"
	ruleCompression   = "redshift_streaming.payload_compression"
	ruleOversize      = "redshift_streaming.record_size.column"
	ruleTooLarge      = "redshift_streaming.record_size.max"
	ruleJSONExtract   = "redshift_streaming.mv.json_extract_path_text"
	ruleJSONGuard     = "redshift_streaming.mv.json_parse_guard"
	ruleFromVarbyte   = "redshift_streaming.mv.from_varbyte"
	ruleConversion    = "redshift_streaming.mv.conversion"
	ruleSortKey       = "redshift_streaming.mv.sort_key"
	ruleMVsPerStream  = "redshift_streaming.mv.per_stream"
	ruleAutoRefresh   = "redshift_streaming.mv.auto_refresh"
	ruleRPU           = "redshift_streaming.serverless.base_rpu"
	ruleMVMissing     = "redshift_streaming.mv.missing"
	ruleClusterArnAcc = "redshift_streaming.cluster_arn"
	ruleColumns       = "redshift_streaming.mv.columns"
	idColsKinesis     = "redshift.streaming.columns.kinesis"
	idColsKafka       = "redshift.streaming.columns.kafka"
)

// legacyKinesisColumns are the preview-era names some samples still use.
var legacyKinesisColumns = []string{"approximatearrivaltimestamp", "sequencenumber", "partitionkey", "shardid", "data"}

// checkColumns reports source columns an MV parsed from SQL selects that
// its source does not have: the other source's metadata columns, or the
// preview-era Kinesis names. Unknown identifiers (functions, aliases) are
// left alone.
func checkColumns(ch *integ.Checker, b *guidance.Base, c Config, p string) {
	ch.Rule(ruleColumns)
	if len(c.Identifiers) == 0 || c.Source == "" {
		return
	}
	own, other, id := b.Strings(idColsKafka), b.Strings(idColsKinesis), idColsKafka
	if c.Source == "kinesis" {
		own, other, id = other, own, idColsKinesis
	}
	var bad []string
	for _, x := range c.Identifiers {
		if slices.Contains(own, x) {
			continue
		}
		if slices.Contains(other, x) && x != "refresh_time" || c.Source == "kinesis" && slices.Contains(legacyKinesisColumns, x) {
			bad = append(bad, x)
		}
	}
	if len(bad) > 0 {
		ch.Report(rules.Error, ruleColumns, p+"columns", b.Source(id), fmt.Sprintf("the MV selects %s, which a %s source does not have; its columns are %s.", strings.Join(bad, ", "), c.Source, strings.Join(own, ", ")),
			"select "+pick(c.Source == "kinesis", "kinesis_data", "kafka_value")+" for the record and the metadata columns listed")
	}
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// Validate checks a streaming ingestion setup given as fields (Config) or
// as SQL text (every MV in it).
func Validate(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
	var cfgs []Config
	switch {
	case strings.TrimSpace(in.Text) != "":
		parsed, err := ParseSQL(in.Text)
		if err != nil {
			return integ.Validation{}, err
		}
		cfgs = parsed
	default:
		c, err := decodeConfig(in.Config)
		if err != nil {
			return integ.Validation{}, err
		}
		cfgs = []Config{c}
	}
	ch := integ.NewChecker(b, "")
	for i, c := range cfgs {
		prefix := ""
		if len(cfgs) > 1 {
			prefix = fmt.Sprintf("mv[%d].", i)
		}
		check(ch, b, c, in, prefix)
	}
	return ch.Done(), nil
}

func check(ch *integ.Checker, b *guidance.Base, c Config, in integ.ValidateInput, p string) {
	blog := b.Source(idTopicMax)
	ch.Rule(ruleSource)
	switch c.Source {
	case "msk", "msk_serverless", "kinesis":
	case "kafka":
		ch.Report(rules.Info, ruleSource, p+"source", DocStreaming, "the schema reads a self-managed (or Confluent) Kafka cluster: these rules are written for MSK and Kinesis.", "check the Kafka cluster's listener and authentication against the Redshift documentation")
	case "":
		ch.Report(rules.Warning, ruleSource, p+"source", DocStreaming, "source not given: the MSK- and Kinesis-specific rules were not run.", "send source msk, msk_serverless or kinesis")
	default:
		ch.Report(rules.Error, ruleSource, p+"source", DocStreaming, fmt.Sprintf("source %q is not msk, msk_serverless or kinesis.", c.Source), "use CREATE EXTERNAL SCHEMA ... FROM MSK or FROM KINESIS")
	}
	checkAuth(ch, b, c, p)
	checkRoles(ch, c, p)
	name := c.Name()
	ch.Rule(ruleTopicName)
	if n := len(name); n > b.Int(idTopicMax) && c.Source != "kinesis" {
		ch.Report(rules.Error, ruleTopicName, p+"topic", blog, fmt.Sprintf("topic %q has %d characters; Redshift streaming ingestion supports topic names up to %d.", name, n, b.Int(idTopicMax)), fmt.Sprintf("produce to a topic whose name has at most %d characters (MirrorMaker or a Kafka Streams copy), then point the MV at it", b.Int(idTopicMax)))
	}
	checkCase(ch, c, p, name)
	ch.Rule(ruleCompression)
	if pc := strings.ToLower(c.PayloadCompression); pc != "" && pc != "none" {
		ch.Report(rules.Error, ruleCompression, p+"payload_compression", blog, fmt.Sprintf("record values compressed by the producer (%s) land in the MV as compressed bytes; Redshift has no function to decompress them, so the data cannot be queried.", pc),
			"produce uncompressed values (Kafka's own compression.type batch compression is fine), or decompress upstream (Lambda or Firehose) before Redshift; CloudWatch Logs subscription records are gzip and need this too")
	}
	checkRecordSize(ch, b, c, in, p)
	checkMV(ch, b, c, in, p)
}

func checkAuth(ch *integ.Checker, b *guidance.Base, c Config, p string) {
	ch.Rule(ruleAuth)
	switch c.Source {
	case "msk", "msk_serverless":
		switch c.Auth {
		case "iam", "none", "mtls":
		case "":
			ch.Report(rules.Warning, ruleAuth, p+"auth", DocGettingMSK, "AUTHENTICATION not given for an MSK schema.", fmt.Sprintf("add AUTHENTICATION iam (port %d), none (%d) or mtls (%d) to match a listener the cluster enables", b.Int(PortIAM), b.Int(PortPlaintext), b.Int(PortTLS)))
		default:
			ch.Report(rules.Error, ruleAuth, p+"auth", DocGettingMSK, fmt.Sprintf("AUTHENTICATION %q is not supported for MSK; Redshift supports none, iam and mtls (not SASL/SCRAM).", c.Auth), "enable IAM access control on the cluster and use AUTHENTICATION iam")
		}
		if c.Source == "msk_serverless" && c.Auth != "" && c.Auth != "iam" {
			ch.Report(rules.Error, ruleAuth, p+"auth", DocGettingMSK, "MSK Serverless accepts IAM authentication only.", "use AUTHENTICATION iam with an IAM_ROLE that has kafka-cluster:Connect, DescribeTopic and ReadData")
		}
		ch.Rule(ruleClusterArnAcc)
		if c.ClusterArn == "" && c.fromSQL {
			ch.Report(rules.Error, ruleClusterArnAcc, p+"cluster_arn", DocGettingMSK, "an MSK external schema needs CLUSTER_ARN.", "add CLUSTER_ARN 'arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID'")
		} else if c.ClusterArn != "" {
			if _, err := iac.ParseMSKClusterARN(c.ClusterArn); err != nil {
				ch.Report(rules.Error, ruleClusterArnAcc, p+"cluster_arn", DocGettingMSK, err.Error(), "use the cluster ARN from aws kafka list-clusters-v2")
			}
		}
	}
}

func checkRoles(ch *integ.Checker, c Config, p string) {
	roles, spaced := c.Roles()
	ch.Rule(ruleRole)
	needRole := c.Source == "kinesis" || c.Auth == "iam"
	if len(roles) == 0 {
		if needRole {
			ch.Report(rules.Error, ruleRole, p+"iam_role", DocGettingMSK, "IAM_ROLE is required: Redshift reads the stream (or authenticates to MSK with IAM) through it.", "attach a role trusted by redshift.amazonaws.com to the cluster or namespace and name its ARN in IAM_ROLE (or IAM_ROLE default)")
		}
		return
	}
	ch.Rule(ruleRoleSpaces)
	if spaced {
		ch.Report(rules.Error, ruleRoleSpaces, p+"iam_role", DocRoleChaining, "a chained IAM_ROLE lists ARNs separated by commas with no spaces.", "write IAM_ROLE 'arn:aws:iam::A:role/redshift-role,arn:aws:iam::B:role/stream-role'")
	}
	if len(roles) == 1 && strings.EqualFold(roles[0], "default") {
		return
	}
	ch.Rule(ruleRoleChain)
	var accounts []string
	for _, r := range roles {
		a, err := iac.ParseARN(r, "iam")
		if err != nil || !strings.HasPrefix(a.Resource, "role/") {
			ch.Report(rules.Error, ruleRoleChain, p+"iam_role", DocRoleChaining, fmt.Sprintf("%q is not an IAM role ARN.", r), "use arn:PARTITION:iam::ACCOUNT:role/NAME")
			return
		}
		accounts = append(accounts, a.AccountID)
	}
	if c.RedshiftAccount != "" && accounts[0] != c.RedshiftAccount {
		ch.Report(rules.Error, ruleRoleChain, p+"iam_role", DocRoleChaining, fmt.Sprintf("the first role in IAM_ROLE is in account %s, but the warehouse is in %s: Redshift assumes the first role itself, so it must be a role attached to the cluster or namespace.", accounts[0], c.RedshiftAccount),
			"put the Redshift account's attached role first, then the role in the stream's account (which trusts the first role)")
	}
	streamAccount := ""
	if a, err := iac.ParseARN(c.ClusterArn, "kafka"); err == nil {
		streamAccount = a.AccountID
	}
	if streamAccount != "" && accounts[len(accounts)-1] != streamAccount {
		msg := fmt.Sprintf("the last role in IAM_ROLE is in account %s but the MSK cluster is in %s; the role that reads the cluster must be in the cluster's account.", accounts[len(accounts)-1], streamAccount)
		fix := "chain roles: IAM_ROLE 'arn:aws:iam::REDSHIFT_ACCOUNT:role/redshift-role,arn:aws:iam::" + streamAccount + ":role/msk-read-role' (no spaces); the second role trusts the first, the first may sts:AssumeRole the second"
		if len(roles) > 1 {
			fix = "reorder IAM_ROLE: the Redshift account's attached role first, the cluster account's role last"
		}
		ch.Report(rules.Error, ruleRoleChain, p+"iam_role", DocRoleChaining, msg, fix)
	}
}

func checkCase(ch *integ.Checker, c Config, p, name string) {
	ch.Rule(ruleCase)
	if !MixedCase(name) {
		return
	}
	on := c.CaseSensitive != nil && *c.CaseSensitive
	if !on {
		ch.Report(rules.Error, ruleCase, p+"enable_case_sensitive_identifier", DocCaseSensitive, fmt.Sprintf("%q has upper-case letters; Redshift folds identifiers to lower case, so the MV looks for a stream or topic that does not exist.", name),
			"SET enable_case_sensitive_identifier TO true before CREATE MATERIALIZED VIEW (and in every session that refreshes or queries it), or set it for the user or in a custom parameter group")
		return
	}
	ch.Rule(ruleParamGroup)
	if c.CaseSensitiveLevel == "cluster" && (c.ParameterGroup == "" || strings.HasPrefix(strings.ToLower(c.ParameterGroup), "default.")) && c.Target != "serverless" {
		ch.Report(rules.Error, ruleParamGroup, p+"parameter_group", BlogCDC, "enable_case_sensitive_identifier cannot be changed in the default parameter group.",
			"create a parameter group with enable_case_sensitive_identifier=true, attach it to the cluster and reboot the cluster (or set it per session or user)")
	}
}

func checkRecordSize(ch *integ.Checker, b *guidance.Base, c Config, in integ.ValidateInput, p string) {
	maxRec := c.MaxRecordBytes
	if maxRec == 0 {
		maxRec = int(in.AvgRecordBytes)
	}
	ch.Rule(ruleTooLarge)
	ch.Rule(ruleOversize)
	if maxRec <= 0 {
		return
	}
	vmax := b.Int(idVarbyteMax)
	if maxRec > vmax {
		ch.Report(rules.Error, ruleTooLarge, p+"max_record_bytes", b.Source(idVarbyteMax), fmt.Sprintf("records of %d bytes exceed the largest VARBYTE (%d bytes); they cannot land in the MV.", maxRec, vmax), "store large payloads in S3 and stream a reference, or split records")
		return
	}
	capacity, col := 0, ""
	for _, cl := range c.Columns {
		if n := columnBytes(cl.Type, b.Int(idVarbyteDefault)); n > 0 && (capacity == 0 || n < capacity) {
			capacity, col = n, cl.Name+" "+cl.Type
		}
	}
	if capacity > 0 && maxRec > capacity {
		ch.Report(rules.Warning, ruleOversize, p+"columns", b.Source(idTopicMax), fmt.Sprintf("records up to %d bytes do not fit column %s (%d bytes): they are skipped, not loaded, and logged in SYS_STREAM_SCAN_ERRORS (position = Kafka offset or Kinesis sequence number).", maxRec, col, capacity),
			fmt.Sprintf("declare the payload column as VARBYTE(%d) or larger (at most %d), and watch SYS_STREAM_SCAN_ERRORS", maxRec, vmax))
	}
}

func checkMV(ch *integ.Checker, b *guidance.Base, c Config, in integ.ValidateInput, p string) {
	blog := b.Source(idTopicMax)
	checkColumns(ch, b, c, p)
	payload := pick(c.Source == "kinesis", "kinesis_data", "kafka_value")
	has := func(fn string) bool { return slices.Contains(c.Functions, fn) }
	ch.Rule(ruleJSONExtract)
	if has("json_extract_path_text") {
		ch.Report(rules.Warning, ruleJSONExtract, p+"functions", DocStreaming, fmt.Sprintf("JSON_EXTRACT_PATH_TEXT in the streaming MV re-parses the JSON for every extracted column (slow ingestion) and fails on records over %d KB.", b.Int(idJSONExtractKB)),
			"land JSON_PARSE(kafka_value) (or kinesis_data) as SUPER and extract fields with PartiQL dot notation in a second MV or on query")
	}
	ch.Rule(ruleFromVarbyte)
	if maxRec := max(c.MaxRecordBytes, int(in.AvgRecordBytes)); has("from_varbyte") && maxRec > b.Int(idVarcharMax) {
		ch.Report(rules.Warning, ruleFromVarbyte, p+"functions", b.Source(idVarcharMax), fmt.Sprintf("FROM_VARBYTE returns VARCHAR (at most %d bytes); records of %d bytes do not make it through.", b.Int(idVarcharMax), maxRec),
			"JSON_PARSE the VARBYTE payload directly into SUPER instead of FROM_VARBYTE")
	}
	ch.Rule(ruleJSONGuard)
	if has("json_parse") && !has("can_json_parse") && !has("is_valid_json") {
		ch.Report(rules.Warning, ruleJSONGuard, p+"functions", blog, "JSON_PARSE without a CAN_JSON_PARSE guard: one malformed record fails every refresh until it expires from the stream.",
			fmt.Sprintf("add WHERE CAN_JSON_PARSE(%[1]s), or keep invalid rows: CASE WHEN CAN_JSON_PARSE(%[1]s) THEN JSON_PARSE(%[1]s) END plus the raw %[1]s column", payload))
	}
	ch.Rule(ruleConversion)
	if c.Casts {
		ch.Report(rules.Warning, ruleConversion, p+"casts", blog, "type conversions or calculations in the streaming MV fail the refresh on the first record they cannot convert, and the refresh keeps failing until that record expires from the stream (the error is in SYS_QUERY_HISTORY.error_message, not SYS_STREAM_SCAN_ERRORS).",
			"keep the streaming MV minimal (raw VARBYTE or guarded SUPER) and convert in a downstream MV or stored procedure")
	}
	ch.Rule(ruleSortKey)
	if sk := c.SortKey; sk != nil && sk != false && sk != "" {
		ch.Report(rules.Warning, ruleSortKey, p+"sort_key", blog, "a sort key on the streaming MV sorts every ingested batch and slows ingestion.", "drop the sort key from the streaming MV; sort in the downstream table or MV")
	}
	ch.Rule(ruleMVsPerStream)
	if rec := b.Int(idMVsPerStream); c.MVsOnStream > rec {
		ch.Report(rules.Warning, ruleMVsPerStream, p+"mvs_on_stream", DocStreaming, fmt.Sprintf("%d streaming MVs read %q in one warehouse; each reads the whole stream (more egress, shared provider throughput, slower refresh).", c.MVsOnStream, c.Name()),
			"land the stream in one streaming MV and build the others from it; share it with other warehouses through data sharing instead of one MV per warehouse")
	}
	ch.Rule(ruleAutoRefresh)
	if c.AutoRefresh != nil && !*c.AutoRefresh {
		ch.Report(rules.Info, ruleAutoRefresh, p+"auto_refresh", DocStreaming, "the MV refreshes only when you run REFRESH MATERIALIZED VIEW (manual refresh is the default).", "add AUTO REFRESH YES (or ALTER MATERIALIZED VIEW ... AUTO REFRESH YES), or schedule the refresh")
	}
	ch.Rule(ruleRPU)
	parts := max(in.Partitions, in.Shards)
	if c.BaseRPU > 0 && parts > 0 && (c.Target == "" || c.Target == "serverless") {
		if need := BaseRPU(b, parts); c.BaseRPU < need {
			ch.Report(rules.Warning, ruleRPU, p+"base_rpu", blog, fmt.Sprintf("base capacity %d RPU is below the %d RPU the streaming rule gives for %d partitions (%d RPU per %d).", c.BaseRPU, need, parts, b.Int(idRPUPerGroup), b.Int(idPartitionGroup)),
				fmt.Sprintf("raise the workgroup's base capacity to %d RPU, or move topics to another workgroup", need))
		}
	}
	ch.Rule(ruleMVMissing)
	if c.fromSQL && c.Name() == "" {
		ch.Report(rules.Info, ruleMVMissing, p+"sql", DocStreaming, "no CREATE MATERIALIZED VIEW reading the external schema was found; the MV rules did not run.", "send the CREATE MATERIALIZED VIEW statement too")
	}
}
