package tools

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type esmInspectIn struct {
	ESMUUID        string `json:"esm_uuid,omitempty" jsonschema_description:"describe this mapping in full (state decoded, function, source topology, metrics, issues); omit to list mappings"`
	FunctionName   string `json:"function_name,omitempty" jsonschema_description:"list only mappings of this function (name, ARN or partial ARN)"`
	EventSourceARN string `json:"event_source_arn,omitempty" jsonschema_description:"list only mappings of this source (stream, queue, MSK cluster ARN)"`
	Limit          int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"mappings per page when listing (default 50)"`
	Marker         string `json:"marker,omitempty" jsonschema_description:"next_marker from a previous list call, to read the next page"`
	WindowMinutes  int    `json:"window_minutes,omitempty" jsonschema:"minimum=5,maximum=10080" jsonschema_description:"CloudWatch window ending now for the describe view, minutes (default 60)"`
}

type esmRowOut struct {
	UUID                 string `json:"uuid" jsonschema_description:"mapping UUID (pass as esm_uuid for the full view)"`
	Function             string `json:"function" jsonschema_description:"function name"`
	SourceType           string `json:"source_type" jsonschema_description:"kinesis, dynamodb, sqs, sqs_fifo, msk, self_managed_kafka, mq, documentdb or unknown"`
	Source               string `json:"source" jsonschema_description:"short source name: stream, queue, cluster/topic or bootstrap server"`
	State                string `json:"state" jsonschema_description:"Lambda State"`
	Health               string `json:"health" jsonschema:"enum=ok,enum=problem,enum=stopped,enum=transitioning" jsonschema_description:"ok, problem (LastProcessingResult reports one), stopped (Disabled) or transitioning"`
	Category             string `json:"category,omitempty" jsonschema_description:"problem category (network, authentication, authorization, lambda_unreachable, function_error, ...)"`
	LastProcessingResult string `json:"last_processing_result,omitempty" jsonschema_description:"Lambda's LastProcessingResult (first 80 bytes; the describe view has it whole)"`
	PollerMode           string `json:"poller_mode" jsonschema:"enum=on_demand,enum=provisioned" jsonschema_description:"on_demand or provisioned (ProvisionedPollerConfig set)"`
	BatchSize            *int32 `json:"batch_size,omitempty" jsonschema_description:"BatchSize"`
}

type esmSummaryOut struct {
	Mappings int            `json:"mappings" jsonschema_description:"mappings in this page"`
	ByHealth map[string]int `json:"by_health" jsonschema_description:"count per health"`
	BySource map[string]int `json:"by_source" jsonschema_description:"count per source type"`
}

type esmFunctionOut struct {
	Name                string   `json:"name" jsonschema_description:"function name"`
	Runtime             string   `json:"runtime,omitempty" jsonschema_description:"runtime"`
	State               string   `json:"state,omitempty" jsonschema_description:"function State"`
	TimeoutSeconds      int32    `json:"timeout_seconds" jsonschema_description:"function timeout, seconds"`
	MemoryMB            int32    `json:"memory_mb" jsonschema_description:"memory, MB"`
	ReservedConcurrency *int32   `json:"reserved_concurrency,omitempty" jsonschema_description:"reserved concurrency, when set"`
	Role                string   `json:"role,omitempty" jsonschema_description:"execution role ARN"`
	InVPC               bool     `json:"in_vpc" jsonschema_description:"function attached to a VPC"`
	EnvVarNames         []string `json:"env_var_names,omitempty" jsonschema_description:"environment variable names (values are never read out)"`
}

type esmTopologyOut struct {
	Kind              string           `json:"kind" jsonschema:"enum=kinesis_stream,enum=msk_cluster,enum=sqs_queue,enum=kafka_bootstrap,enum=other" jsonschema_description:"what the source is"`
	Status            string           `json:"status" jsonschema:"enum=ok,enum=unknown" jsonschema_description:"ok, or unknown when a call failed (see unknown)"`
	Shards            int              `json:"shards,omitempty" jsonschema_description:"open Kinesis shards"`
	StreamMode        string           `json:"stream_mode,omitempty" jsonschema_description:"Kinesis PROVISIONED or ON_DEMAND"`
	Partitions        map[string]int32 `json:"partitions,omitempty" jsonschema_description:"partition count per mapped topic (MSK topic API)"`
	ClusterState      string           `json:"cluster_state,omitempty" jsonschema_description:"MSK cluster state"`
	ClusterType       string           `json:"cluster_type,omitempty" jsonschema_description:"PROVISIONED or SERVERLESS"`
	ClusterAuth       []string         `json:"cluster_auth,omitempty" jsonschema_description:"client auth modes enabled on the cluster"`
	KafkaVersion      string           `json:"kafka_version,omitempty" jsonschema_description:"MSK Kafka version"`
	VisibilityTimeout int              `json:"visibility_timeout_seconds,omitempty" jsonschema_description:"SQS visibility timeout"`
	FIFO              bool             `json:"fifo,omitempty" jsonschema_description:"SQS FIFO queue"`
	Backlog           *int             `json:"backlog_messages,omitempty" jsonschema_description:"SQS approximate visible messages"`
	DeadLetterQueue   string           `json:"dead_letter_queue,omitempty" jsonschema_description:"SQS redrive target"`
	MaxReceiveCount   int              `json:"max_receive_count,omitempty" jsonschema_description:"SQS redrive maxReceiveCount"`
	Note              string           `json:"note,omitempty" jsonschema_description:"what this view cannot see and where to look"`
	Unknown           []aws.Unknown    `json:"unknown,omitempty" jsonschema_description:"calls that failed"`
}

type esmIssueOut struct {
	ID        string `json:"id" jsonschema_description:"stable issue id"`
	Severity  string `json:"severity" jsonschema:"enum=error,enum=warning,enum=info" jsonschema_description:"error, warning or info"`
	Message   string `json:"message" jsonschema_description:"what is wrong, with the evidence"`
	NextTool  string `json:"next_tool,omitempty" jsonschema_description:"the tool that digs deeper"`
	Reference string `json:"reference,omitempty" jsonschema_description:"documentation URL"`
}

type esmDetailOut struct {
	UUID                  string             `json:"uuid" jsonschema_description:"mapping UUID"`
	ARN                   string             `json:"arn,omitempty" jsonschema_description:"mapping ARN"`
	FunctionARN           string             `json:"function_arn" jsonschema_description:"function ARN"`
	EventSourceARN        string             `json:"event_source_arn,omitempty" jsonschema_description:"source ARN"`
	SourceType            string             `json:"source_type" jsonschema_description:"source type"`
	State                 esmstate.Decoded   `json:"state" jsonschema_description:"State decoded"`
	StateTransitionReason esmstate.Decoded   `json:"state_transition_reason" jsonschema_description:"StateTransitionReason decoded"`
	LastProcessingResult  esmstate.Decoded   `json:"last_processing_result" jsonschema_description:"LastProcessingResult decoded"`
	LastModified          time.Time          `json:"last_modified,omitzero" jsonschema_description:"last configuration change"`
	PollerMode            string             `json:"poller_mode" jsonschema:"enum=on_demand,enum=provisioned" jsonschema_description:"on_demand or provisioned"`
	Config                aws.ESMConfig      `json:"config" jsonschema_description:"batching, error handling and scaling, with Lambda API names"`
	Topics                []string           `json:"topics,omitempty" jsonschema_description:"Kafka topics"`
	ConsumerGroupID       string             `json:"consumer_group_id,omitempty" jsonschema_description:"Kafka consumer group"`
	BootstrapServers      []string           `json:"bootstrap_servers,omitempty" jsonschema_description:"self-managed Kafka brokers"`
	SourceAccess          []aws.SourceAccess `json:"source_access,omitempty" jsonschema_description:"SourceAccessConfigurations (auth secrets, subnets, security groups)"`
	Function              *esmFunctionOut    `json:"function,omitempty" jsonschema_description:"the target function"`
	FunctionUnknown       *aws.Unknown       `json:"function_unknown,omitempty" jsonschema_description:"why the function could not be read"`
	Topology              esmTopologyOut     `json:"topology" jsonschema_description:"the source's shape"`
	Secret                *aws.SecretMeta    `json:"secret,omitempty" jsonschema_description:"metadata of the auth secret in SourceAccessConfigurations (never its value)"`
	SecretUnknown         *aws.Unknown       `json:"secret_unknown,omitempty" jsonschema_description:"why the secret's metadata could not be read"`
	MetricsWindowMinutes  int                `json:"metrics_window_minutes" jsonschema_description:"CloudWatch window, minutes"`
	Metrics               []aws.SeriesDigest `json:"metrics" jsonschema_description:"mapping and function series with data (or unknown): latest, max, mean, trend"`
	MetricsNoData         []string           `json:"metrics_no_data,omitempty" jsonschema_description:"series keys CloudWatch had no points for (not emitted: no traffic, or the metric group is not enabled in MetricsConfig)"`
	MetricsUnknown        *aws.Unknown       `json:"metrics_unknown,omitempty" jsonschema_description:"why metrics could not be read at all"`
	Issues                []esmIssueOut      `json:"issues" jsonschema_description:"problems found, errors first, each with the tool that digs deeper"`
}

type esmInspectOut struct {
	Mode       string         `json:"mode" jsonschema:"enum=describe,enum=list" jsonschema_description:"describe (one mapping) or list"`
	Summary    *esmSummaryOut `json:"summary,omitempty" jsonschema_description:"counts over the listed page"`
	Mappings   []esmRowOut    `json:"mappings,omitempty" jsonschema_description:"one compact row per mapping (list)"`
	Mapping    *esmDetailOut  `json:"mapping,omitempty" jsonschema_description:"the full view (describe)"`
	NextMarker string         `json:"next_marker,omitempty" jsonschema_description:"pass as marker to read the next page"`
	AWSCalls   int64          `json:"aws_calls" jsonschema_description:"AWS API calls this answer took"`
	Truncated  bool           `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// EsmInspect lists event source mappings or describes one with its
// function, source topology, metrics and the issues they show.
func EsmInspect(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("esm_inspect",
		mcp.WithDescription("Returns Lambda event source mappings: a page of rows (state, health, poller mode), or with esm_uuid one mapping in full (state decoded, config, function, source topology, CloudWatch trends, issues with the next tool to call). "+
			"Use it first when a mapping misbehaves; failed AWS reads become unknown evidence naming the missing permission."),
		mcp.WithTitleAnnotation("ESM: Inspect"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[esmInspectIn](), schema.Output[esmInspectOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in esmInspectIn) (*mcp.CallToolResult, error) {
		if d.AWS == nil {
			return mcp.NewToolResultError("AWS access is not configured in this server"), nil
		}
		voc, err := esmstate.VocabularyFrom(d.Guidance)
		if err != nil {
			return nil, err
		}
		if in.ESMUUID != "" && (in.FunctionName != "" || in.EventSourceARN != "" || in.Marker != "") {
			return mcp.NewToolResultError("esm_uuid describes one mapping; drop function_name, event_source_arn and marker, or drop esm_uuid to list"), nil
		}
		ctx, calls := aws.WithCallCounter(ctx)
		if in.ESMUUID == "" {
			out, res := listESMs(ctx, d, voc, in)
			if res != nil {
				return res, nil
			}
			out.AWSCalls = calls.Load()
			return mcp.NewToolResultStructured(out, out.listSummary()), nil
		}
		det, res := describeESM(ctx, d, voc, in.ESMUUID, in.WindowMinutes, time.Now())
		if res != nil {
			return res, nil
		}
		out := esmInspectOut{Mode: "describe", Mapping: det, AWSCalls: calls.Load()}
		return mcp.NewToolResultStructured(out, out.describeSummary()), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func listESMs(ctx context.Context, d ReadDeps, voc *esmstate.Vocabulary, in esmInspectIn) (esmInspectOut, *mcp.CallToolResult) {
	limit := in.Limit
	if limit <= 0 {
		limit = 50
	}
	page, err := d.AWS.ListESMs(ctx, aws.ESMFilter{FunctionName: in.FunctionName, EventSourceARN: in.EventSourceARN}, in.Marker, limit)
	if err != nil {
		return esmInspectOut{}, errmap.Result(err, "check function_name / event_source_arn, or drop marker to start from the first page")
	}
	out := esmInspectOut{Mode: "list", NextMarker: page.Next, Truncated: page.Truncated,
		Summary: &esmSummaryOut{Mappings: len(page.Mappings), ByHealth: map[string]int{}, BySource: map[string]int{}}}
	for _, m := range page.Mappings {
		src := sourceType(m)
		lpr := voc.LastProcessingResult(m.LastProcessingResult, esm.SourceType(src).IsKafka())
		row := esmRowOut{UUID: m.UUID, Function: functionNameOf(m.FunctionARN), SourceType: src, Source: sourceName(m),
			State: m.State, LastProcessingResult: clip(m.LastProcessingResult, rowResultMax), PollerMode: pollerMode(m), BatchSize: m.Config.BatchSize}
		row.Health, row.Category = health(m.State, lpr)
		out.Mappings = append(out.Mappings, row)
		out.Summary.ByHealth[row.Health]++
		out.Summary.BySource[src]++
	}
	if out.Mappings == nil {
		out.Mappings = []esmRowOut{}
	}
	return out, nil
}

// rowResultMax bounds LastProcessingResult in list rows (bytes): the row
// carries the category, the full text is in the describe view.
const rowResultMax = 80

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "..."
}

func health(state string, lpr esmstate.Decoded) (h, category string) {
	switch {
	case state == "Disabled" || state == "Disabling":
		h = "stopped"
	case state != "Enabled":
		h = "transitioning"
	case lpr.Severity == esmstate.SeverityError:
		h = "problem"
	default:
		h = "ok"
	}
	if lpr.Severity == esmstate.SeverityError {
		category = lpr.Category
	}
	return h, category
}

func sourceType(m aws.ESM) string {
	if len(m.BootstrapServers) > 0 {
		return string(esm.SelfManagedKafka)
	}
	if s, ok := esm.SourceFromARN(m.EventSourceARN); ok {
		return string(s)
	}
	return "unknown"
}

func sourceName(m aws.ESM) string {
	if len(m.BootstrapServers) > 0 {
		return m.BootstrapServers[0] + topicSuffix(m.Topics)
	}
	a := m.EventSourceARN
	switch {
	case strings.Contains(a, ":kafka:"):
		name, _, _ := aws.ClusterUUIDFromARN(a)
		return name + topicSuffix(m.Topics)
	case strings.Contains(a, ":sqs:"):
		return a[strings.LastIndex(a, ":")+1:]
	case strings.Contains(a, ":kinesis:") || strings.Contains(a, ":dynamodb:"):
		_, rest, _ := strings.Cut(a, "/")
		return rest
	}
	return a
}

func topicSuffix(topics []string) string {
	if len(topics) == 0 {
		return ""
	}
	return "/" + strings.Join(topics, ",")
}

func functionNameOf(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":function:"); ok {
		name, _, _ := strings.Cut(rest, ":")
		return name
	}
	return arn
}

// authSecret is the Secrets Manager ARN of the mapping's credentials, ""
// when it has none.
func authSecret(m aws.ESM) string {
	for _, a := range m.SourceAccess {
		switch a.Type {
		case "SASL_SCRAM_512_AUTH", "SASL_SCRAM_256_AUTH", "BASIC_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH":
			if strings.HasPrefix(a.URI, "arn:") && strings.Contains(a.URI, ":secretsmanager:") {
				return a.URI
			}
		}
	}
	return ""
}

func scramAuth(m aws.ESM) bool {
	for _, a := range m.SourceAccess {
		if strings.HasPrefix(a.Type, "SASL_SCRAM_") {
			return true
		}
	}
	return false
}

func pollerMode(m aws.ESM) string {
	if m.ProvisionedMode() {
		return "provisioned"
	}
	return "on_demand"
}

// describeESM reads the mapping, then everything else about it in one
// parallel round: function, source topology and metrics.
func describeESM(ctx context.Context, d ReadDeps, voc *esmstate.Vocabulary, uuid string, windowMin int, now time.Time) (*esmDetailOut, *mcp.CallToolResult) {
	m, err := d.AWS.GetESM(ctx, uuid)
	if err != nil {
		return nil, errmap.Result(err, "call esm_inspect without esm_uuid to list mapping UUIDs")
	}
	if windowMin <= 0 {
		windowMin = 60
	}
	src := sourceType(m)
	st := esm.SourceType(src)
	det := &esmDetailOut{UUID: m.UUID, ARN: m.ARN, FunctionARN: m.FunctionARN, EventSourceARN: m.EventSourceARN, SourceType: src,
		State: esmstate.State(m.State), StateTransitionReason: voc.Reason(m.StateTransitionReason),
		LastProcessingResult: voc.LastProcessingResult(m.LastProcessingResult, st.IsKafka()),
		LastModified:         m.LastModified, PollerMode: pollerMode(m), Config: m.Config, Topics: m.Topics,
		ConsumerGroupID: m.ConsumerGroupID, BootstrapServers: m.BootstrapServers, SourceAccess: m.SourceAccess,
		MetricsWindowMinutes: windowMin, Metrics: []aws.SeriesDigest{}}

	var (
		mu      sync.Mutex
		fn      aws.Function
		fnErr   error
		cluster *aws.MSKCluster
		queue   *aws.Queue
	)
	topo := esmTopologyOut{Kind: "other", Status: aws.StatusOK}
	addUnknown := func(call string, err error) {
		mu.Lock()
		defer mu.Unlock()
		topo.Unknown = append(topo.Unknown, *aws.UnknownFrom(call, err))
	}
	fnName := functionNameOf(m.FunctionARN)
	tasks := []func(context.Context){
		func(ctx context.Context) { fn, fnErr = d.AWS.Function(ctx, m.FunctionARN) },
		func(ctx context.Context) {
			det.Metrics, det.MetricsNoData, det.MetricsUnknown = esmMetrics(ctx, d, m.UUID, fnName, src, windowMin, now)
		},
	}
	switch {
	case st == esm.Kinesis:
		topo.Kind = "kinesis_stream"
		tasks = append(tasks, func(ctx context.Context) {
			api, err := d.AWS.KinesisAPI(ctx)
			if err != nil {
				addUnknown("Kinesis:DescribeStreamSummary", err)
				return
			}
			n, mode, u := aws.NewKinesis(api, aws.KinesisOptions{CallTimeout: d.AWS.Options().CallTimeout}).OpenShardCount(ctx, m.EventSourceARN)
			if u != nil {
				mu.Lock()
				topo.Unknown = append(topo.Unknown, *u)
				mu.Unlock()
				return
			}
			topo.Shards, topo.StreamMode = n, mode
		})
	case st == esm.MSK:
		topo.Kind = "msk_cluster"
		tasks = append(tasks, func(ctx context.Context) {
			c, err := d.AWS.MSKCluster(ctx, m.EventSourceARN)
			if err != nil {
				addUnknown("Kafka:DescribeClusterV2", err)
				return
			}
			cluster = &c
		})
		topo.Partitions = map[string]int32{}
		for _, tp := range m.Topics {
			tasks = append(tasks, func(ctx context.Context) {
				t, err := d.AWS.MSKTopic(ctx, m.EventSourceARN, tp)
				if err != nil {
					addUnknown("Kafka:DescribeTopic", err)
					return
				}
				mu.Lock()
				topo.Partitions[tp] = t.Partitions
				mu.Unlock()
			})
		}
	case st.IsSQS():
		topo.Kind = "sqs_queue"
		tasks = append(tasks, func(ctx context.Context) {
			q, err := d.AWS.SQSQueue(ctx, m.EventSourceARN)
			if err != nil {
				addUnknown("SQS:GetQueueAttributes", err)
				return
			}
			queue = &q
		})
	case st == esm.SelfManagedKafka:
		topo.Kind = "kafka_bootstrap"
		topo.Note = "self-managed Kafka has no AWS control plane: read partitions and lag with kafka_inspect (bootstrap_servers and auth)"
	default:
		topo.Note = "this view reads topology for Kinesis, MSK and SQS sources only"
	}
	if sec := authSecret(m); sec != "" {
		tasks = append(tasks, func(ctx context.Context) {
			meta, err := d.AWS.SecretMeta(ctx, sec)
			if err != nil {
				det.SecretUnknown = aws.UnknownFrom("Secrets Manager:DescribeSecret", err)
				return
			}
			det.Secret = &meta
		})
	}
	d.AWS.Parallel(ctx, tasks...)

	if fnErr != nil {
		det.FunctionUnknown = aws.UnknownFrom("Lambda:GetFunction", fnErr)
	} else {
		det.Function = &esmFunctionOut{Name: fn.Name, Runtime: fn.Runtime, State: fn.State, TimeoutSeconds: fn.TimeoutSeconds, MemoryMB: fn.MemoryMB,
			ReservedConcurrency: fn.ReservedConcurrency, Role: fn.Role, InVPC: len(fn.SubnetIDs) > 0, EnvVarNames: fn.EnvVarNames}
	}
	if cluster != nil {
		topo.ClusterState, topo.ClusterType, topo.ClusterAuth, topo.KafkaVersion = cluster.State, cluster.Type, cluster.Auth, cluster.KafkaVersion
	}
	if queue != nil {
		topo.VisibilityTimeout, topo.FIFO, topo.DeadLetterQueue, topo.MaxReceiveCount = queue.VisibilityTimeoutSeconds, queue.FIFO, queue.RedriveTarget, queue.MaxReceiveCount
		b := queue.ApproximateMessages
		topo.Backlog = &b
	}
	if len(topo.Partitions) == 0 {
		topo.Partitions = nil
	}
	if len(topo.Unknown) > 0 {
		topo.Status = aws.StatusUnknown
		sort.Slice(topo.Unknown, func(i, j int) bool { return topo.Unknown[i].Call < topo.Unknown[j].Call })
	}
	det.Topology = topo
	det.Issues = esmIssues(d, m, det, fnErr == nil, fn, cluster, queue)
	return det, nil
}

// esmMetrics fetches the mapping and function bundles and keeps the answer
// small: series without data are listed by key only, and when every series
// failed for the same reason that reason is reported once.
func esmMetrics(ctx context.Context, d ReadDeps, uuid, fnName, src string, windowMin int, now time.Time) ([]aws.SeriesDigest, []string, *aws.Unknown) {
	api, err := d.AWS.CloudWatchAPI(ctx)
	if err != nil {
		return []aws.SeriesDigest{}, nil, aws.UnknownFrom("CloudWatch:GetMetricData", err)
	}
	qs := append(aws.ESMMetricQueries(uuid, fnName, src), aws.FunctionMetricQueries(fnName)...)
	w := aws.WindowEnding(now, time.Duration(windowMin)*time.Minute)
	b := aws.NewMetrics(api, aws.MetricsOptions{CallTimeout: d.AWS.Options().CallTimeout, TrendZ: d.Guidance.Num("metrics.trend.z_critical")}).Fetch(ctx, w, qs)
	digests := []aws.SeriesDigest{}
	var noData []string
	var firstUnknown *aws.Unknown
	allUnknown := len(b.Series) > 0
	for _, dg := range b.Digests(nil) {
		switch dg.Status {
		case aws.SeriesNoData:
			noData = append(noData, dg.Key)
			allUnknown = false
		case aws.SeriesUnknown:
			if firstUnknown == nil {
				firstUnknown = dg.Unknown
			}
			digests = append(digests, dg)
		default:
			allUnknown = false
			digests = append(digests, dg)
		}
	}
	if allUnknown && firstUnknown != nil {
		return []aws.SeriesDigest{}, nil, firstUnknown
	}
	return digests, noData, nil
}

// esmIssues judges the gathered evidence: decoded state and result, the
// source's own state, the rule engine over the live config with the joined
// context (function timeout, visibility timeout, partitions, shards), and
// the metric trends.
func esmIssues(d ReadDeps, m aws.ESM, det *esmDetailOut, fnOK bool, fn aws.Function, cluster *aws.MSKCluster, queue *aws.Queue) []esmIssueOut {
	var out []esmIssueOut
	add := func(id, sev, msg, next, ref string) {
		out = append(out, esmIssueOut{ID: id, Severity: sev, Message: msg, NextTool: next, Reference: ref})
	}
	sevOf := func(s string) string {
		if s == esmstate.SeverityError {
			return "error"
		}
		return "warning"
	}
	for _, x := range []struct {
		id string
		d  esmstate.Decoded
	}{{"state", det.State}, {"state_transition_reason", det.StateTransitionReason}, {"last_processing_result", det.LastProcessingResult}} {
		if x.d.Severity == esmstate.SeverityError || x.d.Severity == esmstate.SeverityWarning {
			next := x.d.NextTool
			if next == "" && x.d.Category == "function_error" {
				next = functionErrorTool(det.SourceType)
			}
			add(x.id, sevOf(x.d.Severity), fmt.Sprintf("%s: %s", x.d.Value, x.d.Meaning), next, x.d.Reference)
		}
	}
	kafkaNext := ""
	if esm.SourceType(det.SourceType).IsKafka() {
		kafkaNext = "kafka_troubleshoot"
	}
	if cluster != nil && cluster.State != "ACTIVE" {
		add("source.cluster_state", "error", fmt.Sprintf("MSK cluster %s is %s, not ACTIVE: brokers restart or are unavailable while it is, so polling fails intermittently; wait for the operation, then recheck %s", cluster.Name, cluster.State, "LastProcessingResult"), kafkaNext, "https://docs.aws.amazon.com/msk/latest/developerguide/msk-cluster-states.html")
	}
	if fnOK && fn.State != "" && fn.State != "Active" {
		add("function.state", "error", fmt.Sprintf("function %s is %s (%s): Lambda cannot invoke it until it is Active", fn.Name, fn.State, fn.StateReason), "", "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html")
	}
	if det.FunctionUnknown != nil && det.FunctionUnknown.Kind == string(errmap.KindNotFound) {
		add("function.missing", "error", "the mapping's function does not exist any more: "+det.FunctionUnknown.Reason, "", "")
	}
	if sec := det.Secret; sec != nil {
		if !sec.DeletedDate.IsZero() {
			add("secret.scheduled_for_deletion", "error", fmt.Sprintf("the auth secret %s is scheduled for deletion on %s: the pollers cannot log in once it is gone; restore it (RestoreSecret) or point the mapping at a new secret", sec.Name, sec.DeletedDate.Format(time.RFC3339)), kafkaNext, "https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_restore-secret.html")
		}
		if esm.SourceType(det.SourceType) == esm.MSK && scramAuth(m) {
			const id = "kafka.msk.scram_secret.name_prefix"
			if l, ok := d.Guidance.Lookup(id); ok {
				prefix, _ := l.Value.(string)
				if prefix != "" && !strings.HasPrefix(sec.Name, prefix) {
					add("secret.msk_name_prefix", "error", fmt.Sprintf("SCRAM secret %q does not start with %s: %s", sec.Name, prefix, l.Summary), kafkaNext, l.Source)
				}
				if sec.KMSKeyID == "" || strings.Contains(sec.KMSKeyID, "alias/aws/secretsmanager") {
					add("secret.msk_default_key", "error", fmt.Sprintf("SCRAM secret %q uses the AWS managed key: %s", sec.Name, l.Summary), kafkaNext, l.Source)
				}
			}
		}
	}
	// The rule engine over the live configuration, with the joined facts.
	cx := esm.Context{Shards: det.Topology.Shards}
	if fnOK {
		cx.FunctionTimeoutSeconds = float64(fn.TimeoutSeconds)
	}
	if queue != nil {
		cx.QueueVisibilityTimeoutSeconds = float64(queue.VisibilityTimeoutSeconds)
	}
	for _, p := range det.Topology.Partitions {
		if cx.Partitions == 0 || int(p) < cx.Partitions {
			cx.Partitions = int(p)
		}
	}
	src := esm.SourceType(det.SourceType)
	if det.SourceType == "unknown" {
		src = ""
	}
	res, err := esm.Validate(m.APIConfig(), esm.Options{Source: src, Context: cx}, d.Guidance)
	if err != nil {
		// Say so rather than report a clean bill of health by omission.
		add("esm.validate.unavailable", "info", "the configuration could not be checked by the rule engine: "+err.Error(), "esm_optimize", "")
	}
	for _, v := range res.Violations {
		if v.Severity == rules.Info {
			continue
		}
		add(v.RuleID, string(v.Severity), strings.TrimRight(v.Message, ". ")+"; fix: "+v.Fix, "esm_optimize", v.Reference)
	}
	// Metric trends: a rising backlog or any failed invocation is worth a look.
	for _, s := range det.Metrics {
		if s.Status != aws.SeriesOK {
			continue
		}
		switch s.Key {
		case aws.KeyIteratorAgeMs:
			if s.Trend == aws.TrendRising {
				add("metrics.iterator_age_rising", "warning", fmt.Sprintf("IteratorAge is rising (latest %s, max %s over the window): the mapping is falling behind the stream", msDuration(deref(s.Latest)), msDuration(deref(s.Max))), "kinesis_inspect", "")
			}
		case aws.KeyOffsetLag:
			if s.Trend == aws.TrendRising {
				add("metrics.offset_lag_rising", "warning", fmt.Sprintf("OffsetLag is rising (latest %.0f, max %.0f records): the mapping is falling behind the topic", deref(s.Latest), deref(s.Max)), "kafka_troubleshoot", "")
			}
		case aws.KeyFunctionErrors, aws.KeyFailedInvokeEvents:
			if deref(s.Max) > 0 {
				add("metrics."+s.Key, "warning", fmt.Sprintf("%s reported failures in the window (max %.0f per period)", s.Metric, deref(s.Max)), functionErrorTool(det.SourceType), "")
			}
		case aws.KeyFunctionThrottles:
			if deref(s.Max) > 0 {
				add("metrics.function_throttles", "warning", fmt.Sprintf("the function was throttled (max %.0f per period): reserved or account concurrency caps the mapping", deref(s.Max)), "esm_optimize", "")
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return sevRank(out[i].Severity) < sevRank(out[j].Severity) })
	if out == nil {
		out = []esmIssueOut{}
	}
	return out
}

func functionErrorTool(src string) string {
	switch esm.SourceType(src) {
	case esm.Kinesis:
		return "kinesis_inspect"
	case esm.MSK, esm.SelfManagedKafka:
		return "kafka_troubleshoot"
	}
	return "esm_optimize"
}

func sevRank(s string) int {
	switch s {
	case "error":
		return 0
	case "warning":
		return 1
	}
	return 2
}

// msDuration renders milliseconds for a reader ("12h29m0s").
func msDuration(ms float64) string {
	return (time.Duration(ms) * time.Millisecond).Round(time.Second).String()
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func (o esmInspectOut) listSummary() string {
	s := o.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "%d mappings: %d ok, %d with problems, %d stopped, %d transitioning", s.Mappings, s.ByHealth["ok"], s.ByHealth["problem"], s.ByHealth["stopped"], s.ByHealth["transitioning"])
	if o.Truncated {
		b.WriteString("; more: pass next_marker as marker")
	}
	for _, r := range o.Mappings {
		if r.Health != "ok" {
			fmt.Fprintf(&b, "\n- %s (%s, %s): %s %s", r.UUID, r.Function, r.SourceType, r.Health, r.Category)
		}
	}
	fmt.Fprintf(&b, "\n(%d AWS calls)", o.AWSCalls)
	return b.String()
}

func (o esmInspectOut) describeSummary() string {
	m := o.Mapping
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s → %s): %s, %s, %s mode", m.UUID, m.SourceType, functionNameOf(m.FunctionARN), m.State.Value, orNone(m.LastProcessingResult.Value), m.PollerMode)
	for _, i := range m.Issues {
		fmt.Fprintf(&b, "\n- [%s] %s", i.Severity, i.Message)
		if i.NextTool != "" {
			fmt.Fprintf(&b, " → %s", i.NextTool)
		}
	}
	if len(m.Issues) == 0 {
		b.WriteString("\nno issues found")
	}
	fmt.Fprintf(&b, "\n(%d AWS calls)", o.AWSCalls)
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "no processing result yet"
	}
	return s
}
