// Package esmview shapes esm_inspect's answers: the list view (one line per
// mapping, its health judged by internal/judge from the mapping, its
// function and its metrics) and the describe view (the evidence collected
// by internal/evidence and the issues internal/judge found in it). It holds
// no rules of its own.
package esmview

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/esmstate"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
	"github.com/stream-mcp/stream-mcp/internal/judge"
)

// Row is one mapping in the list view.
type Row struct {
	UUID                 string `json:"uuid" jsonschema_description:"mapping UUID (pass as esm_uuid for the full view)"`
	Function             string `json:"function" jsonschema_description:"function name"`
	SourceType           string `json:"source_type" jsonschema_description:"kinesis, dynamodb, sqs, sqs_fifo, msk, self_managed_kafka, mq, documentdb or unknown"`
	Source               string `json:"source" jsonschema_description:"short source name"`
	State                string `json:"state" jsonschema_description:"Lambda State"`
	Health               string `json:"health" jsonschema:"enum=ok,enum=problem,enum=degraded,enum=stopped,enum=transitioning" jsonschema_description:"ok, problem (a check fails), degraded (a check warns), stopped or transitioning; judged from state, throttles, errors, timeouts, DLQ, filters and lag"`
	Category             string `json:"category,omitempty" jsonschema_description:"problem category"`
	Why                  string `json:"why,omitempty" jsonschema_description:"the finding behind the health"`
	LastProcessingResult string `json:"last_processing_result,omitempty" jsonschema_description:"LastProcessingResult (first 80 bytes)"`
	PollerMode           string `json:"poller_mode" jsonschema:"enum=on_demand,enum=provisioned" jsonschema_description:"on_demand or provisioned"`
}

// Function is the target function's configuration (no env values).
type Function struct {
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

// Topology is the source's shape.
type Topology struct {
	Kind              string           `json:"kind" jsonschema:"enum=kinesis_stream,enum=msk_cluster,enum=sqs_queue,enum=kafka_bootstrap,enum=other" jsonschema_description:"what the source is"`
	Status            string           `json:"status" jsonschema:"enum=ok,enum=unknown" jsonschema_description:"ok, or unknown when a call failed"`
	Shards            int              `json:"shards,omitempty" jsonschema_description:"open Kinesis shards"`
	StreamMode        string           `json:"stream_mode,omitempty" jsonschema_description:"PROVISIONED or ON_DEMAND"`
	Partitions        map[string]int32 `json:"partitions,omitempty" jsonschema_description:"partitions per mapped topic"`
	ClusterState      string           `json:"cluster_state,omitempty" jsonschema_description:"MSK cluster state"`
	ClusterType       string           `json:"cluster_type,omitempty" jsonschema_description:"PROVISIONED or SERVERLESS"`
	ClusterAuth       []string         `json:"cluster_auth,omitempty" jsonschema_description:"client auth modes enabled on the cluster"`
	KafkaVersion      string           `json:"kafka_version,omitempty" jsonschema_description:"MSK Kafka version"`
	VisibilityTimeout int              `json:"visibility_timeout_seconds,omitempty" jsonschema_description:"SQS visibility timeout"`
	FIFO              bool             `json:"fifo,omitempty" jsonschema_description:"SQS FIFO queue"`
	Backlog           *int             `json:"backlog_messages,omitempty" jsonschema_description:"SQS approximate visible messages"`
	DeadLetterQueue   string           `json:"dead_letter_queue,omitempty" jsonschema_description:"SQS redrive target"`
	DLQMessages       *int             `json:"dead_letter_messages,omitempty" jsonschema_description:"messages in the redrive target"`
	MaxReceiveCount   int              `json:"max_receive_count,omitempty" jsonschema_description:"SQS redrive maxReceiveCount"`
	Note              string           `json:"note,omitempty" jsonschema_description:"what this view cannot see"`
	Unknown           []aws.Unknown    `json:"unknown,omitempty" jsonschema_description:"calls that failed"`
}

// Issue is one finding.
type Issue struct {
	ID          string   `json:"id" jsonschema_description:"stable issue id"`
	Severity    string   `json:"severity" jsonschema:"enum=error,enum=warning,enum=info" jsonschema_description:"error, warning or info"`
	Check       string   `json:"check" jsonschema_description:"the check that found it"`
	Message     string   `json:"message" jsonschema_description:"what is wrong"`
	Evidence    string   `json:"evidence,omitempty" jsonschema_description:"the readings that prove it"`
	Remediation []string `json:"fix,omitempty" jsonschema_description:"concrete steps"`
	NextTool    string   `json:"next_tool,omitempty" jsonschema_description:"the tool that digs deeper"`
	Reference   string   `json:"reference,omitempty" jsonschema_description:"documentation URL"`
}

// Detail is the describe view.
type Detail struct {
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
	Config                aws.ESMConfig      `json:"config" jsonschema_description:"batching, error handling, scaling and filters, with Lambda API names"`
	Topics                []string           `json:"topics,omitempty" jsonschema_description:"Kafka topics"`
	ConsumerGroupID       string             `json:"consumer_group_id,omitempty" jsonschema_description:"Kafka consumer group"`
	BootstrapServers      []string           `json:"bootstrap_servers,omitempty" jsonschema_description:"self-managed Kafka brokers"`
	SourceAccess          []aws.SourceAccess `json:"source_access,omitempty" jsonschema_description:"SourceAccessConfigurations"`
	Function              *Function          `json:"function,omitempty" jsonschema_description:"the target function"`
	FunctionUnknown       *aws.Unknown       `json:"function_unknown,omitempty" jsonschema_description:"why the function could not be read"`
	Topology              Topology           `json:"topology" jsonschema_description:"the source's shape"`
	Secret                *aws.SecretMeta    `json:"secret,omitempty" jsonschema_description:"auth secret metadata (never its value)"`
	SecretUnknown         *aws.Unknown       `json:"secret_unknown,omitempty" jsonschema_description:"why the secret could not be read"`
	MetricsWindowMinutes  int                `json:"metrics_window_minutes" jsonschema_description:"CloudWatch window, minutes"`
	Metrics               []aws.SeriesDigest `json:"metrics" jsonschema_description:"series with data: latest, max, mean, trend"`
	MetricsNoData         []string           `json:"metrics_no_data,omitempty" jsonschema_description:"series keys without points"`
	MetricsUnknown        *aws.Unknown       `json:"metrics_unknown,omitempty" jsonschema_description:"why metrics could not be read"`
	Facts                 judge.Facts        `json:"facts" jsonschema_description:"what the checks judged: filter patterns, SG rules, error log lines, changes, missing evidence"`
	Checks                []diagnose.Check   `json:"checks" jsonschema_description:"checks that did not pass (fail, warn, unknown), causal order"`
	Passed                []string           `json:"passed,omitempty" jsonschema_description:"names of the checks that passed"`
	Issues                []Issue            `json:"issues" jsonschema_description:"problems found, errors first"`
}

// Describe builds the describe view from collected evidence and its
// diagnosis.
func Describe(x *evidence.Evidence, voc *esmstate.Vocabulary, rep diagnose.Report, facts judge.Facts) *Detail {
	m := x.ESM
	src := string(x.Source)
	if src == "" {
		src = "unknown"
	}
	d := &Detail{UUID: m.UUID, ARN: m.ARN, FunctionARN: m.FunctionARN, EventSourceARN: m.EventSourceARN, SourceType: src,
		State: esmstate.State(m.State), StateTransitionReason: voc.Reason(m.StateTransitionReason),
		LastProcessingResult: voc.LastProcessingResult(m.LastProcessingResult, x.Source.IsKafka()),
		LastModified:         m.LastModified, PollerMode: PollerMode(m), Config: m.Config, Topics: m.Topics,
		ConsumerGroupID: m.ConsumerGroupID, BootstrapServers: m.BootstrapServers, SourceAccess: m.SourceAccess,
		MetricsWindowMinutes: int(x.Window.End.Sub(x.Window.Start).Minutes()), Facts: facts, Secret: x.Secret}
	if fn := x.Function; fn != nil {
		d.Function = &Function{Name: fn.Name, Runtime: fn.Runtime, State: fn.State, TimeoutSeconds: fn.TimeoutSeconds, MemoryMB: fn.MemoryMB,
			ReservedConcurrency: fn.ReservedConcurrency, Role: fn.Role, InVPC: len(fn.SubnetIDs) > 0, EnvVarNames: fn.EnvVarNames}
	} else if u, ok := x.MissingFact(evidence.FactFunction); ok {
		d.FunctionUnknown = &u
	}
	if u, ok := x.MissingFact(evidence.FactSecret); ok {
		d.SecretUnknown = &u
	}
	d.Topology = topology(x)
	d.Metrics, d.MetricsNoData, d.MetricsUnknown = metrics(x)
	d.Checks = []diagnose.Check{}
	for _, c := range rep.Checks {
		switch c.Status {
		case diagnose.StatusFail, diagnose.StatusWarn, diagnose.StatusUnknown:
			d.Checks = append(d.Checks, c)
		case diagnose.StatusPass:
			d.Passed = append(d.Passed, c.Name)
		}
	}
	d.Issues = Issues(rep, src, m.UUID)
	return d
}

// Issues turns a diagnosis's findings into issues, errors first, each
// with the tool that digs deeper.
func Issues(rep diagnose.Report, src, uuid string) []Issue {
	out := []Issue{}
	for _, f := range rep.Findings {
		sev := map[diagnose.Severity]string{diagnose.Critical: "error", diagnose.Warning: "warning", diagnose.Info: "info"}[f.Severity]
		out = append(out, Issue{ID: f.ID, Severity: sev, Check: f.Check, Message: f.Title, Evidence: f.Evidence, Remediation: f.Remediation,
			NextTool: nextTool(f, src), Reference: f.Reference})
	}
	rank := map[string]int{"error": 0, "warning": 1, "info": 2}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Severity] < rank[out[j].Severity] })
	return out
}

func nextTool(f diagnose.Finding, src string) string {
	st := esm.SourceType(src)
	switch {
	case st.IsKafka():
		return "kafka_troubleshoot"
	case st == esm.Kinesis && (f.Category == diagnose.ConsumerLag || f.Category == diagnose.FunctionError):
		return "kinesis_inspect"
	case f.Category == diagnose.Configuration || f.Category == diagnose.Throttling || f.Category == diagnose.ConsumerLag:
		return "esm_optimize"
	}
	return ""
}

func topology(x *evidence.Evidence) Topology {
	t := Topology{Kind: "other", Status: aws.StatusOK}
	m := x.ESM
	unk := func(facts ...string) {
		for _, f := range facts {
			if u, ok := x.MissingFact(f); ok {
				t.Unknown = append(t.Unknown, u)
			}
		}
	}
	switch {
	case x.Source == esm.Kinesis:
		t.Kind = "kinesis_stream"
		if x.Stream != nil {
			t.Shards, t.StreamMode = x.Stream.Shards, x.Stream.Mode
		}
		unk(evidence.FactStream)
	case x.Source == esm.MSK:
		t.Kind = "msk_cluster"
		if c := x.Cluster; c != nil {
			t.ClusterState, t.ClusterType, t.ClusterAuth, t.KafkaVersion = c.State, c.Type, c.Auth, c.KafkaVersion
		}
		if len(x.Topics) > 0 {
			t.Partitions = map[string]int32{}
			for n, tp := range x.Topics {
				t.Partitions[n] = tp.Partitions
			}
		}
		unk(evidence.FactCluster, evidence.FactTopic)
	case x.Source.IsSQS():
		t.Kind = "sqs_queue"
		if q := x.Queue; q != nil {
			t.VisibilityTimeout, t.FIFO, t.DeadLetterQueue, t.MaxReceiveCount = q.VisibilityTimeoutSeconds, q.FIFO, q.RedriveTarget, q.MaxReceiveCount
			b := q.ApproximateMessages
			t.Backlog = &b
		}
		if x.DLQ != nil {
			n := x.DLQ.ApproximateMessages
			t.DLQMessages = &n
		}
		unk(evidence.FactQueue, evidence.FactDLQ)
	case x.Source == esm.SelfManagedKafka:
		t.Kind = "kafka_bootstrap"
		t.Note = "self-managed Kafka has no AWS control plane: read partitions and lag with kafka_inspect (bootstrap_servers and auth)"
	default:
		t.Note = "this view reads topology for Kinesis, MSK and SQS sources only"
	}
	if len(m.Topics) == 0 {
		t.Partitions = nil
	}
	if len(t.Unknown) > 0 {
		t.Status = aws.StatusUnknown
	}
	return t
}

// metrics keeps the answer small: series without data are listed by key
// only, and when every series failed for one reason it is reported once.
func metrics(x *evidence.Evidence) ([]aws.SeriesDigest, []string, *aws.Unknown) {
	if u, ok := x.MissingFact(evidence.FactMetrics); ok {
		return []aws.SeriesDigest{}, nil, &u
	}
	digests := []aws.SeriesDigest{}
	var noData []string
	for _, dg := range x.Metrics.Digests(nil) {
		if dg.Status == aws.SeriesNoData {
			noData = append(noData, dg.Key)
			continue
		}
		digests = append(digests, dg)
	}
	if len(digests) == 0 && len(noData) > 0 {
		// Keys add nothing when no series has points.
		noData = []string{fmt.Sprintf("all %d series (no traffic in the window, or the metric groups are not enabled)", len(noData))}
	}
	return digests, noData, nil
}

// PollerMode is on_demand or provisioned.
func PollerMode(m aws.ESM) string {
	if m.ProvisionedMode() {
		return "provisioned"
	}
	return "on_demand"
}

// rowResultMax bounds LastProcessingResult in list rows (bytes).
const rowResultMax = 80

// Rows judges each listed mapping's health from light evidence (function
// and metrics), collected with the reader's bounded parallelism.
func Rows(ctx context.Context, r evidence.Reader, mappings []aws.ESM, deps judge.Deps, o evidence.Options) []Row {
	rows := make([]Row, len(mappings))
	o.Light, o.NoMetrics = true, true
	var mu sync.Mutex
	cache := map[string]*entry{}
	xs := make([]*evidence.Evidence, len(mappings))
	tasks := make([]func(context.Context), len(mappings))
	for i, m := range mappings {
		tasks[i] = func(ctx context.Context) {
			xs[i] = evidence.CollectFor(ctx, lightReader{Reader: r, mu: &mu, cache: cache}, m, o)
		}
	}
	r.Parallel(ctx, tasks...)
	// One round of GetMetricData for the whole page.
	evidence.FetchShared(ctx, r, xs, o.TrendZ)
	for i, x := range xs {
		m := x.ESM
		h, cat, why := judge.Health(ctx, x, deps)
		src := string(x.Source)
		if src == "" {
			src = "unknown"
		}
		rows[i] = Row{UUID: m.UUID, Function: evidence.FunctionName(m.FunctionARN), SourceType: src, Source: SourceName(m), State: m.State,
			Health: h, Category: cat, Why: clip(why, 160), LastProcessingResult: clip(m.LastProcessingResult, rowResultMax), PollerMode: PollerMode(m)}
	}
	return rows
}

// lightReader shares one read per function, topic and queue across a
// page: many mappings share them.
type lightReader struct {
	evidence.Reader
	mu    *sync.Mutex
	cache map[string]*entry
}

type entry struct {
	once sync.Once
	v    any
	err  error
}

func (l lightReader) once(key string, read func() (any, error)) (any, error) {
	l.mu.Lock()
	e, ok := l.cache[key]
	if !ok {
		e = &entry{}
		l.cache[key] = e
	}
	l.mu.Unlock()
	e.once.Do(func() { e.v, e.err = read() })
	return e.v, e.err
}

func (l lightReader) Function(ctx context.Context, ref string) (aws.Function, error) {
	v, err := l.once("fn|"+ref, func() (any, error) { return l.Reader.Function(ctx, ref) })
	f, _ := v.(aws.Function)
	return f, err
}

func (l lightReader) MSKTopic(ctx context.Context, arn, topic string) (aws.MSKTopic, error) {
	v, err := l.once("topic|"+arn+"|"+topic, func() (any, error) { return l.Reader.MSKTopic(ctx, arn, topic) })
	t, _ := v.(aws.MSKTopic)
	return t, err
}

func (l lightReader) MSKCluster(ctx context.Context, arn string) (aws.MSKCluster, error) {
	v, err := l.once("cluster|"+arn, func() (any, error) { return l.Reader.MSKCluster(ctx, arn) })
	c, _ := v.(aws.MSKCluster)
	return c, err
}

func (l lightReader) SQSQueue(ctx context.Context, arn string) (aws.Queue, error) {
	v, err := l.once("queue|"+arn, func() (any, error) { return l.Reader.SQSQueue(ctx, arn) })
	q, _ := v.(aws.Queue)
	return q, err
}

func (l lightReader) Parallel(ctx context.Context, fns ...func(ctx context.Context)) {
	for _, f := range fns {
		f(ctx)
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "..."
}

// SourceName is a short name of the source.
func SourceName(m aws.ESM) string {
	suffix := ""
	if len(m.Topics) > 0 {
		suffix = "/" + strings.Join(m.Topics, ",")
	}
	if len(m.BootstrapServers) > 0 {
		return m.BootstrapServers[0] + suffix
	}
	a := m.EventSourceARN
	switch {
	case strings.Contains(a, ":kafka:"):
		name, _, _ := aws.ClusterUUIDFromARN(a)
		return name + suffix
	case strings.Contains(a, ":sqs:"):
		return a[strings.LastIndex(a, ":")+1:]
	case strings.Contains(a, ":kinesis:") || strings.Contains(a, ":dynamodb:"):
		_, rest, _ := strings.Cut(a, "/")
		return rest
	}
	return a
}
