package streamguide

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

type kclOptions struct {
	KCLVersion   string `json:"kcl_version"`
	Retrieval    string `json:"retrieval"`
	MigratingTo3 bool   `json:"migrating_to_3"`
}

// kclConsumer is a Kinesis Client Library consumer application (2.x or 3.x).
func kclConsumer() Topic {
	return Topic{
		Name:    "kcl_consumer",
		Summary: "KCL 2.x/3.x consumer application: leases and workers, EFO vs polling, the 2.x to 3.x upgrade, DynamoDB tables and IAM",
		Sources: []Source{SourceKinesis},
		Options: []string{"kcl_version", "retrieval", "migrating_to_3"},
		Build:   buildKCL,
	}
}

type kclPlan struct {
	src      procSource
	o        kclOptions
	app      string
	v3, efo  bool
	tables   []string
	tableARN func(string) string
}

func planKCL(e Env, r Request) (kclPlan, error) {
	var p kclPlan
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	src, err := parseProcSource("kcl_consumer", r)
	if err != nil {
		return p, err
	}
	p.src = src
	switch p.o.KCLVersion {
	case "", "3", "3.x":
		p.v3 = true
	case "2", "2.x":
	default:
		return p, fmt.Errorf("%w: kcl_version %q is not 2 or 3 (KCL 1.x is not covered)", iac.ErrInvalid, p.o.KCLVersion)
	}
	if p.o.MigratingTo3 {
		// A 2.x application on its way to 3.x: kcl_version may name either
		// end of the upgrade (a model asking how to move to 3.x sends 3).
		p.v3 = false
	}
	switch p.o.Retrieval {
	case "":
		p.efo = gstring(e.Guidance, "kcl.retrieval.default") == "efo"
	case "efo":
		p.efo = true
	case "polling":
	default:
		return p, fmt.Errorf("%w: retrieval %q is not efo or polling", iac.ErrInvalid, p.o.Retrieval)
	}
	p.app = r.Name
	if p.app == "" {
		p.app = "kcl-app"
	}
	if !validName(p.app) {
		return p, fmt.Errorf("%w: name %q (the KCL applicationName and lease table) must be letters, digits, - and _", iac.ErrInvalid, p.app)
	}
	for _, t := range e.Guidance.Strings("kcl.v3.tables") {
		p.tables = append(p.tables, strings.ReplaceAll(t, "<application>", p.app))
	}
	p.tableARN = func(t string) string { return src.arn("dynamodb", "table/"+t) }
	return p, nil
}

func (p kclPlan) policy() iac.PolicyDocument {
	st := p.src.kinesisRead(p.efo)
	rw := []string{"dynamodb:DescribeTable", "dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:CreateTable"}
	st = append(st, iac.Statement{Sid: "LeaseTable", Effect: "Allow", Action: append(append([]string{}, rw...), "dynamodb:UpdateTable"), Resource: []string{p.tableARN(p.tables[0])}})
	if p.v3 || p.o.MigratingTo3 {
		st = append(st,
			iac.Statement{Sid: "LeaseOwnerIndex", Effect: "Allow", Action: []string{"dynamodb:Query"}, Resource: []string{p.tableARN(p.tables[0]) + "/index/*"}},
			iac.Statement{Sid: "WorkerMetricsAndCoordinatorState", Effect: "Allow", Action: rw, Resource: []string{p.tableARN(p.tables[1]), p.tableARN(p.tables[2])}})
	}
	st = append(st, iac.Statement{Sid: "PublishKCLMetrics", Effect: "Allow", Action: []string{"cloudwatch:PutMetricData"}, Resource: []string{"*"}})
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: st}
}

func (p kclPlan) properties(idle, maxRecords float64) [][2]string {
	mode := "FANOUT"
	if !p.efo {
		mode = "POLLING"
	}
	lines := [][2]string{{"applicationName", p.app}, {"streamName", p.src.name}, {"regionName", p.src.env.Region}, {"initialPositionInStream", "TRIM_HORIZON"}, {"retrievalMode", mode}}
	if !p.efo {
		lines = append(lines, [2]string{"idleTimeBetweenReadsInMillis", strconv.FormatFloat(idle, 'f', -1, 64)}, [2]string{"maxRecords", strconv.FormatFloat(maxRecords, 'f', -1, 64)})
	}
	if p.o.MigratingTo3 {
		lines = append(lines, [2]string{"clientVersionConfig", "CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X"})
	}
	return lines
}

func (p kclPlan) stack() (Stack, error) {
	pv, err := PolicyValue(p.policy())
	if err != nil {
		return Stack{}, err
	}
	pj, _ := p.policy().JSON()
	return Stack{
		Description: "IAM policy for the KCL application " + p.app + " (attach it to the workers' role)",
		CFN:         map[string]iac.Resource{"KCLConsumerPolicy": {Type: "AWS::IAM::ManagedPolicy", Properties: map[string]any{"Description": "KCL " + p.app + " on " + p.src.name, "PolicyDocument": pv}}},
		Outputs:     map[string]iac.Output{"PolicyArn": {Description: "attach to the workers' IAM role", Value: CFNRef("KCLConsumerPolicy")}},
		TF:          []TFBlock{{Labels: []string{"aws_iam_policy", "kcl_consumer"}, Attrs: []TFAttr{{"name", p.app + "-kcl"}, {"policy", pj}}}},
	}, nil
}

func buildKCL(e Env, r Request) (Result, error) {
	p, err := planKCL(e, r)
	if err != nil {
		return Result{}, err
	}
	b := e.Guidance
	res := Result{References: []string{e.Ref("kcl.failover_time_ms.default"), procKCLIAMURL, procKCLMigrateURL, e.Ref("kcl.v3.cost_reduction_percent"), e.Ref("kinesis.efo.read_mbps_per_consumer_shard")}}
	idle, tps := b.Num("kcl.polling.idle_time_ms.default"), b.Num("kinesis.shard.get_records_tps")
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = []guide.Step{
			{Title: "One lease per shard: workers beyond the shard count stand by",
				Detail: "KCL keeps one lease per shard in the DynamoDB table " + p.app + "; one worker holds a lease at a time, so workers beyond the shard count only stand by. A worker that stops renewing for failoverTimeMillis (default " + fmt.Sprintf("%g", b.Num("kcl.failover_time_ms.default")) + " ms) loses its leases to others. Size with sizing service=kcl."},
			{Title: "Choose the retrieval mode",
				Detail: fmt.Sprintf("KCL 2.0+ uses enhanced fan-out unless retrievalMode is POLLING. EFO: this application gets its own %g MiB/s per shard (HTTP/2 push), at most %g registered consumers per stream. Polling: all polling applications share %g MB/s and %g GetRecords/s per shard; at the default idleTimeBetweenReadsInMillis %g each application makes %.2f calls/s per shard.",
					b.Num("kinesis.efo.read_mbps_per_consumer_shard"), b.Num("kinesis.efo.consumers.max"), b.Num("kinesis.shard.read_mbps"), tps, idle, msPerSec/idle),
				Decision: &guide.Decision{Choice: "retrievalMode", Options: []string{"FANOUT", "POLLING"}, Recommendation: map[bool]string{true: "FANOUT", false: "POLLING"}[p.efo],
					Why: "FANOUT when several applications read the stream or latency matters; POLLING for a single reader where EFO's per-shard-hour and per-GB charges are not worth it"}},
		}
		if p.v3 || p.o.MigratingTo3 {
			res.Steps = append(res.Steps, guide.Step{Title: fmt.Sprintf("KCL 3.x: CPU-based lease balancing (up to %g%% less compute), two new DynamoDB tables and a lease-table GSI", b.Num("kcl.v3.cost_reduction_percent")),
				Detail: fmt.Sprintf("3.x balances leases on worker CPU instead of lease counts (AWS measured up to %g%% less compute on uneven shards), hands leases off gracefully (the old owner gets up to gracefulLeaseHandoffTimeoutMillis, default "+fmt.Sprintf("%g", b.Num("kcl.graceful_handoff_timeout_ms.default"))+" ms, to checkpoint in shutdownRequested()), reads the lease table with fewer RCUs and drops AWS SDK for Java 1.x. It creates %s and a GSI on the lease table; the role needs access to all of them (artifact). Avoid AWS SDK for Java %s; use 2.28.0+. A low maxLeasesForWorker limits CPU-based balancing. From KCL 3.5 a single-table format can fold the three tables into one.",
					b.Num("kcl.v3.cost_reduction_percent"), strings.Join(p.tables, ", "), strings.Join(b.Strings("kcl.v3.sdk_bad_versions"), "/"))})
		}
		if p.o.MigratingTo3 {
			res.Steps = append(res.Steps, guide.Step{Title: "Upgrade 2.x to 3.x: no code change; clientVersionConfig = CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X; add IAM; roll workers",
				Detail: "No record-processing code changes: (1) add the DynamoDB permissions for the new tables and the index; (2) bump amazon-kinesis-client to 3.x; (3) set CoordinatorConfig.clientVersionConfig = CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X; (4) deploy worker by worker. Once every worker runs 3.x, KCL switches itself to the new load balancing; then revisit CPU-based autoscaling thresholds — you may be able to lower them."})
		}
		pa, err := PolicyArtifact("kcl-consumer-policy.json", p.policy(), "attach to the role the workers run as (EC2 instance profile, ECS task role, EKS pod identity)")
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Type == guide.TypeSetup {
			st, err := p.stack()
			if err != nil {
				return Result{}, err
			}
			a, err := st.Render(r.Format, "kcl-consumer")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a, propertiesArtifact("kcl.properties", p.properties(idle, b.Num("kcl.polling.max_records.max")), "KCL multilang properties; Java applications set the same names on ConfigsBuilder's configs"))
		}
		res.Checks = []guide.Check{
			{Name: "Configuration", How: "validate_config kind=kcl reports no errors", Tool: "validate_config"},
			{Name: "Keeps up", How: "GetRecords.IteratorAgeMilliseconds (polling) or SubscribeToShardEvent.MillisBehindLatest (EFO) stays flat", Tool: "kinesis_inspect"},
			{Name: "Leases spread", How: "the lease table lists every shard with an owner; no worker holds far more leases (2.x) or CPU (3.x) than the rest"},
		}
	case guide.TypeNetworking:
		res.Steps = []guide.Step{{Title: "Reach Kinesis, DynamoDB and CloudWatch", Detail: "Workers call Kinesis (SubscribeToShard keeps HTTP/2 connections open), DynamoDB for leases and CloudWatch for metrics. From private subnets use a NAT gateway or interface endpoints for Kinesis and CloudWatch plus the DynamoDB gateway endpoint."}}
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "ReadProvisionedThroughputExceeded, iterator age rising", Cause: fmt.Sprintf("polling applications share %g GetRecords/s and %g MB/s per shard", tps, b.Num("kinesis.shard.read_mbps")), Check: "consumers of the stream and their retrieval modes", Fix: "move applications to FANOUT or raise idleTimeBetweenReadsInMillis", Tool: "kinesis_inspect"},
			{Symptom: "One worker at 100% CPU, others idle (KCL 2.x)", Cause: "2.x gives each worker the same number of leases whatever the shards' traffic", Check: "lease owners vs per-shard IncomingBytes", Fix: "upgrade to KCL 3.x (CPU-based balancing) or add workers", Tool: "kinesis_inspect"},
			{Symptom: "AccessDeniedException on -WorkerMetricStats, -CoordinatorState or the lease-table index after upgrading", Cause: "the role has only the 2.x lease-table permissions", Check: "the role against the artifact policy", Fix: "add the 3.x DynamoDB statements", Tool: ""},
			{Symptom: "Exceptions from KCL's DynamoDB calls on 3.x", Cause: "AWS SDK for Java " + strings.Join(b.Strings("kcl.v3.sdk_bad_versions"), "/"), Check: "dependency tree", Fix: "use AWS SDK for Java 2.28.0 or later", Tool: "validate_config"},
			{Symptom: "Records processed twice after a deploy or failover", Cause: "work since the last checkpoint is replayed when a lease moves", Check: "checkpoint frequency; shutdownRequested() checkpointing", Fix: "checkpoint in shutdownRequested() (graceful handoff) and make processing idempotent", Tool: ""},
			{Symptom: "Child shards not processed after resharding", Cause: "KCL finishes a parent shard before its children; a stuck parent blocks them", Check: "lease table: parent leases without SHARD_END checkpoints", Fix: "find why the parent's processor fails to reach the end", Tool: "kinesis_inspect"},
		}
	}
	return res, nil
}

const msPerSec = 1000 // unit conversion
