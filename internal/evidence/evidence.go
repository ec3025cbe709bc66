// Package evidence collects everything that can be read about one Lambda
// event source mapping, once, in parallel with bounded concurrency: the
// mapping, its function, the source (stream, queue and dead-letter queue,
// MSK cluster and topics), the auth secret, the network path its pollers
// use, the execution role's policies, CloudWatch series, the function's
// recent error lines and the changes made in the window. Every read that
// fails becomes missing evidence (an aws.Unknown naming the call and the
// permission that would decide it), never an error: the judge
// (internal/judge) turns missing evidence into `unknown`, not failure.
//
// It holds facts only; judging them is internal/judge's job, so every
// tool that diagnoses a mapping judges the same facts the same way.
package evidence

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/esm"
)

// Reader is what collection reads; *aws.Client implements it.
type Reader interface {
	GetESM(ctx context.Context, uuid string) (aws.ESM, error)
	Function(ctx context.Context, ref string) (aws.Function, error)
	MSKCluster(ctx context.Context, arn string) (aws.MSKCluster, error)
	MSKTopic(ctx context.Context, arn, topic string) (aws.MSKTopic, error)
	VPCPath(ctx context.Context, subnetIDs, sgIDs []string) aws.VPCPath
	SecretMeta(ctx context.Context, ref string) (aws.SecretMeta, error)
	SQSQueue(ctx context.Context, arn string) (aws.Queue, error)
	LogEvents(ctx context.Context, group, pattern string, since time.Time, limit int) ([]aws.LogEvent, error)
	RolePolicies(ctx context.Context, roleRef string) aws.RolePolicies
	KinesisAPI(ctx context.Context) (*kinesis.Client, error)
	CloudWatchAPI(ctx context.Context) (*cloudwatch.Client, error)
	Options() aws.Options
	Parallel(ctx context.Context, fns ...func(ctx context.Context))
}

// ChangeReader is implemented by readers that can read CloudTrail
// (LookupEvents) for a resource over a time window.
type ChangeReader interface {
	Changes(ctx context.Context, resource string, start, end time.Time) ([]Change, error)
}

// KeyReader is implemented by readers that can describe a KMS key
// (kms:DescribeKey).
type KeyReader interface {
	KMSKey(ctx context.Context, keyID string) (Key, error)
}

// ScramReader is implemented by readers that can list the SCRAM secrets
// associated with an MSK cluster (kafka:ListScramSecrets).
type ScramReader interface {
	ScramSecrets(ctx context.Context, clusterARN string) ([]string, error)
}

// ConcurrencyReader is implemented by readers that can read the account's
// concurrency (lambda:GetAccountSettings).
type ConcurrencyReader interface {
	AccountConcurrency(ctx context.Context) (limit, unreserved int32, err error)
}

// Change is one control-plane event (CloudTrail) on a resource on the path.
type Change = aws.TrailEvent

// Key is what the judge needs of a KMS key.
type Key = aws.KMSKeyMeta

// Stream is what the judge needs of a Kinesis stream.
type Stream struct {
	Shards int    `json:"shards" jsonschema_description:"open shards"`
	Mode   string `json:"mode,omitempty" jsonschema_description:"PROVISIONED or ON_DEMAND"`
}

// Fact names keys of Evidence.Missing.
const (
	FactFunction = "function"
	FactCluster  = "cluster"
	FactTopic    = "topic"
	FactQueue    = "queue"
	FactDLQ      = "dlq"
	FactStream   = "stream"
	FactSecret   = "secret"
	FactKey      = "kms_key"
	FactScram    = "scram_association"
	FactPath     = "network_path"
	FactRole     = "role"
	FactMetrics  = "metrics"
	FactLogs     = "logs"
	FactChanges  = "changes"
	FactAccount  = "account_concurrency"
)

// Evidence is everything read about one mapping.
type Evidence struct {
	Now    time.Time
	Window aws.MetricWindow
	ESM    aws.ESM
	Source esm.SourceType
	// Function is nil when it could not be read (see Missing).
	Function *aws.Function
	Cluster  *aws.MSKCluster
	Topics   map[string]aws.MSKTopic
	// TopicsMissing are topics MSK says do not exist.
	TopicsMissing []string
	Queue         *aws.Queue
	DLQ           *aws.Queue
	Stream        *Stream
	// SecretARN is the auth secret named by the mapping ("" = none).
	SecretARN string
	Secret    *aws.SecretMeta
	Key       *Key
	// ScramAssociated is set when ListScramSecrets was read: whether the
	// mapping's secret is associated with the cluster.
	ScramAssociated *bool
	// Path is the network of PathSubnets/PathSGs: the MSK cluster's (its
	// ESM pollers use the cluster's subnets and groups) or the mapping's
	// own VPC configuration (self-managed Kafka).
	Path        *aws.VPCPath
	PathSubnets []string
	PathSGs     []string
	Role        *aws.RolePolicies
	Metrics     aws.MetricBundle
	Logs        []aws.LogEvent
	Changes     []Change
	// ChangesRead is true when CloudTrail was asked (the reader can).
	ChangesRead bool
	// AccountLimit/AccountUnreserved are the account's concurrency (0 when
	// unknown).
	AccountLimit, AccountUnreserved int32
	// Missing maps a fact (Fact*) to why it could not be read.
	Missing map[string]aws.Unknown
	mu      sync.Mutex
}

// Unknowns lists the missing evidence, sorted by call.
func (e *Evidence) Unknowns() []aws.Unknown {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]aws.Unknown, 0, len(e.Missing))
	for _, u := range e.Missing {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Call < out[j].Call })
	return out
}

// MissingFact returns why fact could not be read.
func (e *Evidence) MissingFact(fact string) (aws.Unknown, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, ok := e.Missing[fact]
	return u, ok
}

func (e *Evidence) miss(fact, call string, err error) {
	u := aws.UnknownFrom(call, err)
	if u == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.Missing == nil {
		e.Missing = map[string]aws.Unknown{}
	}
	e.Missing[fact] = *u
}

// Series returns a metric series with data.
func (e *Evidence) Series(key string) (aws.MetricSeries, bool) {
	s, ok := e.Metrics.Get(key)
	if !ok || s.Status != aws.SeriesOK || s.Summary == nil {
		return aws.MetricSeries{}, false
	}
	return s, true
}

// Options tune a collection.
type Options struct {
	// Now ends the window; Window is its length (default 60 minutes).
	Now    time.Time
	Window time.Duration
	// TrendZ is the Mann-Kendall critical value (guidance
	// metrics.trend.z_critical).
	TrendZ float64
	// LogLimit bounds the error lines read (default 10).
	LogLimit int
	// Light collects only what the list view's health needs: the
	// function and the metrics.
	Light bool
	// NoMetrics skips the metrics (the caller fetches them for many
	// mappings at once: Queries, FetchShared).
	NoMetrics bool
}

// ErrNotFound marks a mapping that does not exist.
var ErrNotFound = errors.New("event source mapping not found")

// Extra metric keys read besides the aws bundles.
const (
	KeyFunctionDurationAvgMs = "function_duration_avg_ms"
	KeyStreamIncomingRecords = "stream_incoming_records"
	KeyDLQVisible            = "dlq_visible"
	KeyDLQSent               = "dlq_sent"
	KeyQueueVisible          = "queue_visible"
)

// LogErrorPattern is the CloudWatch Logs filter pattern for the lines that
// explain failed invocations (any term matches).
const LogErrorPattern = `?"Task timed out" ?ERROR ?Error ?Exception ?"Runtime exited" ?"Status: timeout"`

// Collect reads the mapping and everything around it. It returns an error
// only when the mapping itself cannot be read (ErrNotFound when it does
// not exist).
func Collect(ctx context.Context, r Reader, uuid string, o Options) (*Evidence, error) {
	m, err := r.GetESM(ctx, uuid)
	if err != nil {
		if errmap.Classify(err).Kind == errmap.KindNotFound {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, uuid)
		}
		return nil, err
	}
	return CollectFor(ctx, r, m, o), nil
}

// CollectFor collects the evidence around an already read mapping.
func CollectFor(ctx context.Context, r Reader, m aws.ESM, o Options) *Evidence {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Window <= 0 {
		o.Window = time.Hour
	}
	if o.LogLimit <= 0 {
		o.LogLimit = 10
	}
	ev := &Evidence{Now: o.Now, Window: aws.WindowEnding(o.Now, o.Window), ESM: m, Source: SourceOf(m), Missing: map[string]aws.Unknown{}}
	ev.SecretARN = AuthSecret(m)
	fnName := FunctionName(m.FunctionARN)

	// Round one: everything the mapping names.
	tasks := []func(context.Context){
		func(ctx context.Context) {
			fn, err := r.Function(ctx, m.FunctionARN)
			if err != nil {
				ev.miss(FactFunction, "Lambda:GetFunction", err)
				return
			}
			ev.Function = &fn
		},
	}
	switch {
	case ev.Source == esm.MSK:
		tasks = append(tasks, func(ctx context.Context) {
			c, err := r.MSKCluster(ctx, m.EventSourceARN)
			if err != nil {
				ev.miss(FactCluster, "Kafka:DescribeClusterV2", err)
				return
			}
			ev.Cluster = &c
		})
		ev.Topics = map[string]aws.MSKTopic{}
		for _, tp := range m.Topics {
			tasks = append(tasks, func(ctx context.Context) {
				t, err := r.MSKTopic(ctx, m.EventSourceARN, tp)
				ev.mu.Lock()
				defer ev.mu.Unlock()
				switch {
				case err == nil:
					ev.Topics[tp] = t
				case errmap.Classify(err).Kind == errmap.KindNotFound:
					ev.TopicsMissing = append(ev.TopicsMissing, tp)
				default:
					ev.Missing[FactTopic] = *aws.UnknownFrom("Kafka:DescribeTopic", err)
				}
			})
		}
		if sr, ok := r.(ScramReader); ok && !o.Light && ev.SecretARN != "" && scram(m) {
			tasks = append(tasks, func(ctx context.Context) {
				arns, err := sr.ScramSecrets(ctx, m.EventSourceARN)
				if err != nil {
					ev.miss(FactScram, "Kafka:ListScramSecrets", err)
					return
				}
				assoc := false
				for _, a := range arns {
					if a == ev.SecretARN {
						assoc = true
					}
				}
				ev.ScramAssociated = &assoc
			})
		}
	case ev.Source.IsSQS():
		tasks = append(tasks, func(ctx context.Context) {
			q, err := r.SQSQueue(ctx, m.EventSourceARN)
			if err != nil {
				ev.miss(FactQueue, "SQS:GetQueueAttributes", err)
				return
			}
			ev.Queue = &q
			if q.RedriveTarget != "" {
				d, err := r.SQSQueue(ctx, q.RedriveTarget)
				if err != nil {
					ev.miss(FactDLQ, "SQS:GetQueueAttributes", err)
					return
				}
				ev.DLQ = &d
			}
		})
	case ev.Source == esm.Kinesis:
		tasks = append(tasks, func(ctx context.Context) {
			api, err := r.KinesisAPI(ctx)
			if err != nil {
				ev.miss(FactStream, "Kinesis:DescribeStreamSummary", err)
				return
			}
			n, mode, u := aws.NewKinesis(api, aws.KinesisOptions{CallTimeout: r.Options().CallTimeout}).OpenShardCount(ctx, m.EventSourceARN)
			if u != nil {
				ev.mu.Lock()
				ev.Missing[FactStream] = *u
				ev.mu.Unlock()
				return
			}
			ev.Stream = &Stream{Shards: n, Mode: mode}
		})
	}
	if o.Light {
		// The list view: the function, the source's shape and the metrics
		// are what health is judged from.
		if !o.NoMetrics {
			tasks = append(tasks, func(ctx context.Context) { ev.Metrics = fetchMetrics(ctx, r, ev, Queries(ev), o.TrendZ) })
		}
		r.Parallel(ctx, tasks...)
		return ev
	}
	if ev.SecretARN != "" {
		tasks = append(tasks, func(ctx context.Context) {
			s, err := r.SecretMeta(ctx, ev.SecretARN)
			if err != nil {
				ev.miss(FactSecret, "SecretsManager:DescribeSecret", err)
				return
			}
			ev.Secret = &s
			kr, ok := r.(KeyReader)
			if !ok || s.KMSKeyID == "" {
				return
			}
			k, err := kr.KMSKey(ctx, s.KMSKeyID)
			if err != nil {
				ev.miss(FactKey, "KMS:DescribeKey", err)
				return
			}
			ev.Key = &k
		})
	}
	if fnName != "" {
		tasks = append(tasks, func(ctx context.Context) {
			lines, err := r.LogEvents(ctx, "/aws/lambda/"+fnName, LogErrorPattern, ev.Window.Start, o.LogLimit)
			if err != nil {
				ev.miss(FactLogs, "CloudWatchLogs:FilterLogEvents", err)
			}
			ev.Logs = lines
		})
	}
	if cr, ok := r.(ConcurrencyReader); ok {
		tasks = append(tasks, func(ctx context.Context) {
			l, u, err := cr.AccountConcurrency(ctx)
			if err != nil {
				ev.miss(FactAccount, "Lambda:GetAccountSettings", err)
				return
			}
			ev.AccountLimit, ev.AccountUnreserved = l, u
		})
	}
	r.Parallel(ctx, tasks...)

	// Round two: what round one named (the cluster's network, the role,
	// the queue's dead-letter queue) and the series of all of them.
	tasks = []func(context.Context){
		func(ctx context.Context) { ev.Metrics = fetchMetrics(ctx, r, ev, Queries(ev), o.TrendZ) },
	}
	ev.PathSubnets, ev.PathSGs = m.VPCAccess()
	if ev.Cluster != nil {
		ev.PathSubnets, ev.PathSGs = ev.Cluster.SubnetIDs, ev.Cluster.SecurityGroupIDs
	}
	if len(ev.PathSubnets) > 0 {
		tasks = append(tasks, func(ctx context.Context) {
			p := r.VPCPath(ctx, ev.PathSubnets, ev.PathSGs)
			ev.Path = &p
			if len(p.Subnets) == 0 && len(p.Unknown) > 0 {
				ev.mu.Lock()
				ev.Missing[FactPath] = p.Unknown[0]
				ev.mu.Unlock()
			}
		})
	}
	if ev.Function != nil && ev.Function.Role != "" {
		tasks = append(tasks, func(ctx context.Context) {
			rp := r.RolePolicies(ctx, ev.Function.Role)
			ev.Role = &rp
			if len(rp.Managed)+len(rp.Inline) == 0 && len(rp.Unknown) > 0 {
				ev.mu.Lock()
				ev.Missing[FactRole] = rp.Unknown[0]
				ev.mu.Unlock()
			}
		})
	}
	r.Parallel(ctx, tasks...)
	// Round three: what changed on the path (it names the NACLs and route
	// tables round two read).
	if cr, ok := r.(ChangeReader); ok {
		ev.ChangesRead = true
		// CloudTrail allows 2 LookupEvents a second per account and
		// Region: one resource after the other, stopping at the first
		// failure.
		func() {
			for _, res := range ev.PathResources() {
				cs, err := cr.Changes(ctx, res, ev.Window.Start, ev.Now)
				if err != nil {
					ev.miss(FactChanges, "CloudTrail:LookupEvents", err)
					return
				}
				ev.mu.Lock()
				ev.Changes = append(ev.Changes, cs...)
				ev.mu.Unlock()
			}
		}()
	}
	sort.SliceStable(ev.Changes, func(i, j int) bool { return ev.Changes[i].Time.Before(ev.Changes[j].Time) })
	sort.Strings(ev.TopicsMissing)
	return ev
}

// PathResources names every resource on the mapping's path whose changes
// can explain an incident: the mapping, the function, its role, the
// source, the secret, the security groups, subnets (NACLs and routes are
// looked up by subnet association) and the dead-letter queue.
func (e *Evidence) PathResources() []string {
	var out []string
	add := func(s string) {
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	add(e.ESM.UUID)
	add(FunctionName(e.ESM.FunctionARN))
	if e.Function != nil {
		add(aws.RoleNameFromARN(e.Function.Role))
	}
	add(e.ESM.EventSourceARN)
	add(e.SecretARN)
	for _, s := range e.PathSGs {
		add(s)
	}
	for _, s := range e.PathSubnets {
		add(s)
	}
	if e.Path != nil {
		for _, n := range e.Path.NACLs {
			add(n.ID)
		}
		for _, t := range e.Path.RouteTables {
			add(t.ID)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Queries are the CloudWatch series judged for a mapping.
func Queries(ev *Evidence) []aws.MetricQuery {
	fnName := FunctionName(ev.ESM.FunctionARN)
	src := string(ev.Source)
	switch ev.Source {
	case esm.SQSFIFO:
		src = aws.SourceSQS
	case esm.DynamoDB:
		src = aws.SourceDynamoDB
	}
	qs := aws.ESMMetricQueries(ev.ESM.UUID, fnName, src)
	if fnName != "" {
		qs = append(qs, aws.FunctionMetricQueries(fnName)...)
		qs = append(qs, aws.MetricQuery{Key: KeyFunctionDurationAvgMs, Namespace: aws.NamespaceLambda, Metric: "Duration", Stat: "Average",
			Dimensions: []aws.Dimension{{Name: "FunctionName", Value: fnName}}})
	}
	if ev.Source == esm.Kinesis {
		if name := StreamName(ev.ESM.EventSourceARN); name != "" {
			qs = append(qs, aws.MetricQuery{Key: KeyStreamIncomingRecords, Namespace: aws.NamespaceKinesis, Metric: "IncomingRecords", Stat: "Sum",
				Dimensions: []aws.Dimension{{Name: "StreamName", Value: name}}})
		}
	}
	sqsQ := func(key, arn, metric, stat string) aws.MetricQuery {
		parts := strings.Split(arn, ":")
		return aws.MetricQuery{Key: key, Namespace: "AWS/SQS", Metric: metric, Stat: stat, Dimensions: []aws.Dimension{{Name: "QueueName", Value: parts[len(parts)-1]}}}
	}
	if ev.Source.IsSQS() {
		qs = append(qs, sqsQ(KeyQueueVisible, ev.ESM.EventSourceARN, "ApproximateNumberOfMessagesVisible", "Maximum"))
		if ev.Queue != nil && ev.Queue.RedriveTarget != "" {
			qs = append(qs, sqsQ(KeyDLQVisible, ev.Queue.RedriveTarget, "ApproximateNumberOfMessagesVisible", "Maximum"),
				sqsQ(KeyDLQSent, ev.Queue.RedriveTarget, "NumberOfMessagesSent", "Sum"))
		}
	}
	return qs
}

// FetchShared fetches the series of many mappings in one round of
// GetMetricData calls and hands each its own bundle.
func FetchShared(ctx context.Context, r Reader, evs []*Evidence, trendZ float64) {
	if len(evs) == 0 {
		return
	}
	var qs []aws.MetricQuery
	for i, ev := range evs {
		for _, q := range Queries(ev) {
			q.Key = fmt.Sprintf("%d|%s", i, q.Key)
			qs = append(qs, q)
		}
	}
	all := &Evidence{Window: evs[0].Window, Missing: map[string]aws.Unknown{}}
	b := fetchMetrics(ctx, r, all, qs, trendZ)
	for i, ev := range evs {
		ev.Metrics = aws.MetricBundle{Window: b.Window, Calls: b.Calls}
		if u, ok := all.Missing[FactMetrics]; ok {
			ev.Missing[FactMetrics] = u
		}
		prefix := fmt.Sprintf("%d|", i)
		for _, s := range b.Series {
			if k, ok := strings.CutPrefix(s.Query.Key, prefix); ok {
				s.Query.Key = k
				ev.Metrics.Series = append(ev.Metrics.Series, s)
			}
		}
	}
}

func fetchMetrics(ctx context.Context, r Reader, ev *Evidence, qs []aws.MetricQuery, trendZ float64) aws.MetricBundle {
	api, err := r.CloudWatchAPI(ctx)
	if err != nil {
		ev.miss(FactMetrics, "CloudWatch:GetMetricData", err)
		return aws.MetricBundle{Window: ev.Window}
	}
	b := aws.NewMetrics(api, aws.MetricsOptions{CallTimeout: r.Options().CallTimeout, TrendZ: trendZ}).Fetch(ctx, ev.Window, qs)
	all := len(b.Series) > 0
	for _, s := range b.Series {
		if s.Status != aws.SeriesUnknown {
			all = false
		}
	}
	if all && b.Series[0].Unknown != nil {
		ev.mu.Lock()
		ev.Missing[FactMetrics] = *b.Series[0].Unknown
		ev.mu.Unlock()
	}
	return b
}

// SourceOf classifies the mapping's source ("" when unknown).
func SourceOf(m aws.ESM) esm.SourceType {
	if len(m.BootstrapServers) > 0 {
		return esm.SelfManagedKafka
	}
	s, _ := esm.SourceFromARN(m.EventSourceARN)
	return s
}

// FunctionName is the function name in a function ARN (or the input).
func FunctionName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":function:"); ok {
		name, _, _ := strings.Cut(rest, ":")
		return name
	}
	return arn
}

// StreamName is the stream name of a Kinesis stream ARN ("" otherwise).
func StreamName(arn string) string {
	if !strings.Contains(arn, ":kinesis:") {
		return ""
	}
	_, rest, _ := strings.Cut(arn, ":stream/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// AuthSecret is the Secrets Manager ARN of the mapping's credentials (or
// root CA), "" when it has none.
func AuthSecret(m aws.ESM) string {
	for _, a := range m.SourceAccess {
		switch a.Type {
		case "SASL_SCRAM_512_AUTH", "SASL_SCRAM_256_AUTH", "BASIC_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH", "SERVER_ROOT_CA_CERTIFICATE":
			if strings.Contains(a.URI, ":secretsmanager:") {
				return a.URI
			}
		}
	}
	return ""
}

func scram(m aws.ESM) bool {
	for _, a := range m.SourceAccess {
		if strings.HasPrefix(a.Type, "SASL_SCRAM_") {
			return true
		}
	}
	return false
}

// The AWS client reads every optional fact.
var (
	_ ChangeReader      = (*aws.Client)(nil)
	_ KeyReader         = (*aws.Client)(nil)
	_ ScramReader       = (*aws.Client)(nil)
	_ ConcurrencyReader = (*aws.Client)(nil)
)
