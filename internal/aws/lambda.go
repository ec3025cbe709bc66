package aws

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// ESMConfig is a mapping's tunable configuration, with the Lambda API's own
// member names (CONTRACT.md: config objects use PascalCase API names). Nil
// pointers mean the field was not returned (the service default applies).
type ESMConfig struct {
	BatchSize                      *int32   `json:"BatchSize,omitempty" jsonschema_description:"records per batch (BatchSize)"`
	MaximumBatchingWindowInSeconds *int32   `json:"MaximumBatchingWindowInSeconds,omitempty" jsonschema_description:"seconds to gather a batch (MaximumBatchingWindowInSeconds)"`
	ParallelizationFactor          *int32   `json:"ParallelizationFactor,omitempty" jsonschema_description:"concurrent batches per shard, Kinesis/DynamoDB (ParallelizationFactor)"`
	StartingPosition               string   `json:"StartingPosition,omitempty" jsonschema_description:"TRIM_HORIZON, LATEST or AT_TIMESTAMP"`
	MaximumRecordAgeInSeconds      *int32   `json:"MaximumRecordAgeInSeconds,omitempty" jsonschema_description:"records older than this are discarded; -1 = never (streams)"`
	MaximumRetryAttempts           *int32   `json:"MaximumRetryAttempts,omitempty" jsonschema_description:"retries of a failing batch; -1 = until the record expires (streams)"`
	BisectBatchOnFunctionError     *bool    `json:"BisectBatchOnFunctionError,omitempty" jsonschema_description:"split a failing batch in two and retry each half"`
	TumblingWindowInSeconds        *int32   `json:"TumblingWindowInSeconds,omitempty" jsonschema_description:"tumbling window for stateful aggregation, seconds"`
	FunctionResponseTypes          []string `json:"FunctionResponseTypes,omitempty" jsonschema_description:"ReportBatchItemFailures when the function reports partial failures"`
	// MaximumConcurrency is ScalingConfig.MaximumConcurrency (SQS).
	MaximumConcurrency *int32 `json:"MaximumConcurrency,omitempty" jsonschema_description:"ScalingConfig.MaximumConcurrency: cap on concurrent invocations (SQS)"`
	// MinimumPollers/MaximumPollers are ProvisionedPollerConfig; set only
	// in provisioned mode.
	MinimumPollers *int32 `json:"MinimumPollers,omitempty" jsonschema_description:"ProvisionedPollerConfig.MinimumPollers (provisioned mode)"`
	MaximumPollers *int32 `json:"MaximumPollers,omitempty" jsonschema_description:"ProvisionedPollerConfig.MaximumPollers (provisioned mode)"`
	// OnFailureDestination / OnSuccessDestination are DestinationConfig.
	OnFailureDestination string `json:"OnFailureDestination,omitempty" jsonschema_description:"DestinationConfig.OnFailure.Destination ARN"`
	OnSuccessDestination string `json:"OnSuccessDestination,omitempty" jsonschema_description:"DestinationConfig.OnSuccess.Destination ARN"`
	// FilterCount is the number of FilterCriteria filters.
	FilterCount int `json:"FilterCount,omitempty" jsonschema_description:"number of FilterCriteria filters"`
	// FilterPatterns are the FilterCriteria patterns (configuration, not
	// data: they explain a mapping that drops every record).
	FilterPatterns []string `json:"FilterPatterns,omitempty" jsonschema_description:"FilterCriteria.Filters[].Pattern"`
	// MetricsConfig lists the enabled ESM metric groups.
	MetricsConfig []string `json:"MetricsConfig,omitempty" jsonschema_description:"enabled ESM metric groups (EventCount, ErrorCount, KafkaMetrics)"`
}

// SourceAccess is one SourceAccessConfiguration (Type + URI). URIs are
// resource ARNs or subnet/SG IDs, never secrets.
type SourceAccess struct {
	Type string `json:"type" jsonschema_description:"SourceAccessConfiguration Type (SASL_SCRAM_512_AUTH, VPC_SUBNET, ...)"`
	URI  string `json:"uri" jsonschema_description:"secret ARN, subnet or security group reference"`
}

// ESM is one event source mapping as read from Lambda.
type ESM struct {
	UUID                  string         `json:"uuid"`
	ARN                   string         `json:"arn,omitempty"`
	FunctionARN           string         `json:"function_arn"`
	EventSourceARN        string         `json:"event_source_arn,omitempty"`
	State                 string         `json:"state"`
	StateTransitionReason string         `json:"state_transition_reason,omitempty"`
	LastProcessingResult  string         `json:"last_processing_result,omitempty"`
	LastModified          time.Time      `json:"last_modified,omitzero"`
	Topics                []string       `json:"topics,omitempty"`
	Queues                []string       `json:"queues,omitempty"`
	ConsumerGroupID       string         `json:"consumer_group_id,omitempty"`
	BootstrapServers      []string       `json:"bootstrap_servers,omitempty"`
	SourceAccess          []SourceAccess `json:"source_access,omitempty"`
	KMSKeyARN             string         `json:"kms_key_arn,omitempty"`
	FilterCriteriaError   string         `json:"filter_criteria_error,omitempty"`
	Config                ESMConfig      `json:"config"`
}

// ProvisionedMode reports whether the mapping runs in provisioned poller
// mode (ProvisionedPollerConfig set).
func (e ESM) ProvisionedMode() bool {
	return e.Config.MinimumPollers != nil || e.Config.MaximumPollers != nil
}

func esmFrom(m ltypes.EventSourceMappingConfiguration) ESM {
	e := ESM{
		UUID: sdkaws.ToString(m.UUID), ARN: sdkaws.ToString(m.EventSourceMappingArn),
		FunctionARN: sdkaws.ToString(m.FunctionArn), EventSourceARN: sdkaws.ToString(m.EventSourceArn),
		State: sdkaws.ToString(m.State), StateTransitionReason: errmap.Clean(sdkaws.ToString(m.StateTransitionReason)),
		LastProcessingResult: errmap.Clean(sdkaws.ToString(m.LastProcessingResult)),
		Topics:               m.Topics, Queues: m.Queues, KMSKeyARN: sdkaws.ToString(m.KMSKeyArn),
		Config: ESMConfig{
			BatchSize: m.BatchSize, MaximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds,
			ParallelizationFactor: m.ParallelizationFactor, StartingPosition: string(m.StartingPosition),
			MaximumRecordAgeInSeconds: m.MaximumRecordAgeInSeconds, MaximumRetryAttempts: m.MaximumRetryAttempts,
			BisectBatchOnFunctionError: m.BisectBatchOnFunctionError, TumblingWindowInSeconds: m.TumblingWindowInSeconds,
		},
	}
	if m.LastModified != nil {
		e.LastModified = m.LastModified.UTC()
	}
	for _, t := range m.FunctionResponseTypes {
		e.Config.FunctionResponseTypes = append(e.Config.FunctionResponseTypes, string(t))
	}
	if m.ScalingConfig != nil {
		e.Config.MaximumConcurrency = m.ScalingConfig.MaximumConcurrency
	}
	if p := m.ProvisionedPollerConfig; p != nil {
		e.Config.MinimumPollers, e.Config.MaximumPollers = p.MinimumPollers, p.MaximumPollers
	}
	if d := m.DestinationConfig; d != nil {
		if d.OnFailure != nil {
			e.Config.OnFailureDestination = sdkaws.ToString(d.OnFailure.Destination)
		}
		if d.OnSuccess != nil {
			e.Config.OnSuccessDestination = sdkaws.ToString(d.OnSuccess.Destination)
		}
	}
	if m.FilterCriteria != nil {
		e.Config.FilterCount = len(m.FilterCriteria.Filters)
		for _, f := range m.FilterCriteria.Filters {
			e.Config.FilterPatterns = append(e.Config.FilterPatterns, sdkaws.ToString(f.Pattern))
		}
	}
	if m.MetricsConfig != nil {
		for _, x := range m.MetricsConfig.Metrics {
			e.Config.MetricsConfig = append(e.Config.MetricsConfig, string(x))
		}
	}
	if k := m.AmazonManagedKafkaEventSourceConfig; k != nil {
		e.ConsumerGroupID = sdkaws.ToString(k.ConsumerGroupId)
	}
	if k := m.SelfManagedKafkaEventSourceConfig; k != nil {
		e.ConsumerGroupID = sdkaws.ToString(k.ConsumerGroupId)
	}
	if s := m.SelfManagedEventSource; s != nil {
		e.BootstrapServers = append(e.BootstrapServers, s.Endpoints["KAFKA_BOOTSTRAP_SERVERS"]...)
	}
	for _, a := range m.SourceAccessConfigurations {
		e.SourceAccess = append(e.SourceAccess, SourceAccess{Type: string(a.Type), URI: sdkaws.ToString(a.URI)})
	}
	if f := m.FilterCriteriaError; f != nil {
		e.FilterCriteriaError = errmap.Clean(sdkaws.ToString(f.ErrorCode) + ": " + sdkaws.ToString(f.Message))
	}
	return e
}

// ESMFilter narrows ListESMs.
type ESMFilter struct {
	// FunctionName is a name, ARN or partial ARN.
	FunctionName string
	// EventSourceARN is the source's ARN.
	EventSourceARN string
}

// ESMPage is one page of mappings.
type ESMPage struct {
	Mappings []ESM
	// Truncated is true when more mappings exist past the limit; Next is
	// the marker to continue from.
	Truncated bool
	Next      string
}

// ListESMs lists mappings, following Lambda's pagination until limit
// mappings are collected (limit <= 0 means 50), starting at marker. The
// page is sorted by UUID. Returns the SDK error when a page call fails.
func (c *Client) ListESMs(ctx context.Context, f ESMFilter, marker string, limit int) (ESMPage, error) {
	if err := c.ready(ctx); err != nil {
		return ESMPage{}, err
	}
	if limit <= 0 {
		limit = 50
	}
	in := &lambda.ListEventSourceMappingsInput{}
	if f.FunctionName != "" {
		in.FunctionName = sdkaws.String(f.FunctionName)
	}
	if f.EventSourceARN != "" {
		in.EventSourceArn = sdkaws.String(f.EventSourceARN)
	}
	if marker != "" {
		in.Marker = sdkaws.String(marker)
	}
	var page ESMPage
	// Bounded: at most limit/1 + 1 pages even if the service returned one
	// mapping per page.
	for pages := 0; pages <= limit; pages++ {
		// Lambda returns at most 100 mappings per response whatever
		// MaxItems says; the loop follows NextMarker, so no page size is
		// assumed here.
		in.MaxItems = sdkaws.Int32(int32(limit - len(page.Mappings)))
		cctx, cancel := c.timeout(ctx)
		out, err := c.lambda.ListEventSourceMappings(cctx, in)
		cancel()
		if err != nil {
			return page, err
		}
		for _, m := range out.EventSourceMappings {
			page.Mappings = append(page.Mappings, esmFrom(m))
		}
		next := sdkaws.ToString(out.NextMarker)
		if next == "" {
			break
		}
		if len(page.Mappings) >= limit {
			page.Truncated, page.Next = true, next
			break
		}
		in.Marker = out.NextMarker
	}
	sort.SliceStable(page.Mappings, func(i, j int) bool { return page.Mappings[i].UUID < page.Mappings[j].UUID })
	return page, nil
}

// GetESM reads one mapping by UUID. Not found is an errmap KindNotFound.
func (c *Client) GetESM(ctx context.Context, uuid string) (ESM, error) {
	if err := c.ready(ctx); err != nil {
		return ESM{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.lambda.GetEventSourceMapping(cctx, &lambda.GetEventSourceMappingInput{UUID: sdkaws.String(uuid)})
	if err != nil {
		return ESM{}, err
	}
	return esmFrom(ltypes.EventSourceMappingConfiguration{
		UUID: out.UUID, EventSourceMappingArn: out.EventSourceMappingArn, FunctionArn: out.FunctionArn, EventSourceArn: out.EventSourceArn,
		State: out.State, StateTransitionReason: out.StateTransitionReason, LastProcessingResult: out.LastProcessingResult,
		LastModified: out.LastModified, Topics: out.Topics, Queues: out.Queues, KMSKeyArn: out.KMSKeyArn,
		BatchSize: out.BatchSize, MaximumBatchingWindowInSeconds: out.MaximumBatchingWindowInSeconds,
		ParallelizationFactor: out.ParallelizationFactor, StartingPosition: out.StartingPosition,
		MaximumRecordAgeInSeconds: out.MaximumRecordAgeInSeconds, MaximumRetryAttempts: out.MaximumRetryAttempts,
		BisectBatchOnFunctionError: out.BisectBatchOnFunctionError, TumblingWindowInSeconds: out.TumblingWindowInSeconds,
		FunctionResponseTypes: out.FunctionResponseTypes, ScalingConfig: out.ScalingConfig,
		ProvisionedPollerConfig: out.ProvisionedPollerConfig, DestinationConfig: out.DestinationConfig,
		FilterCriteria: out.FilterCriteria, MetricsConfig: out.MetricsConfig,
		AmazonManagedKafkaEventSourceConfig: out.AmazonManagedKafkaEventSourceConfig,
		SelfManagedKafkaEventSourceConfig:   out.SelfManagedKafkaEventSourceConfig,
		SelfManagedEventSource:              out.SelfManagedEventSource, SourceAccessConfigurations: out.SourceAccessConfigurations,
		FilterCriteriaError: out.FilterCriteriaError,
	}), nil
}

// Function is a function's configuration with environment variable values
// removed: only the names are kept, so no secret can leave through it.
type Function struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	Runtime     string `json:"runtime,omitempty"`
	Role        string `json:"role,omitempty"`
	State       string `json:"state,omitempty"`
	StateReason string `json:"state_reason,omitempty"`
	// TimeoutSeconds is the function timeout.
	TimeoutSeconds int32 `json:"timeout_seconds"`
	MemoryMB       int32 `json:"memory_mb"`
	// ReservedConcurrency is nil when none is reserved.
	ReservedConcurrency *int32   `json:"reserved_concurrency,omitempty"`
	SubnetIDs           []string `json:"subnet_ids,omitempty"`
	SecurityGroupIDs    []string `json:"security_group_ids,omitempty"`
	VpcID               string   `json:"vpc_id,omitempty"`
	// EnvVarNames are the environment variable names, sorted; values are
	// never read into this struct.
	EnvVarNames   []string `json:"env_var_names,omitempty"`
	Architectures []string `json:"architectures,omitempty"`
}

// Function reads a function (GetFunction: configuration plus reserved
// concurrency). ref is a name, ARN or partial ARN.
func (c *Client) Function(ctx context.Context, ref string) (Function, error) {
	if err := c.ready(ctx); err != nil {
		return Function{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.lambda.GetFunction(cctx, &lambda.GetFunctionInput{FunctionName: sdkaws.String(ref)})
	if err != nil {
		return Function{}, err
	}
	if out.Configuration == nil {
		return Function{}, fmt.Errorf("lambda GetFunction %s: no configuration in the answer", ref)
	}
	f := functionFrom(*out.Configuration)
	if out.Concurrency != nil {
		f.ReservedConcurrency = out.Concurrency.ReservedConcurrentExecutions
	}
	return f, nil
}

func functionFrom(cf ltypes.FunctionConfiguration) Function {
	f := Function{
		Name: sdkaws.ToString(cf.FunctionName), ARN: sdkaws.ToString(cf.FunctionArn), Runtime: string(cf.Runtime),
		Role: sdkaws.ToString(cf.Role), State: string(cf.State), StateReason: errmap.Clean(sdkaws.ToString(cf.StateReason)),
		TimeoutSeconds: sdkaws.ToInt32(cf.Timeout), MemoryMB: sdkaws.ToInt32(cf.MemorySize),
	}
	if v := cf.VpcConfig; v != nil {
		f.SubnetIDs, f.SecurityGroupIDs, f.VpcID = v.SubnetIds, v.SecurityGroupIds, sdkaws.ToString(v.VpcId)
	}
	if cf.Environment != nil {
		for k := range cf.Environment.Variables {
			f.EnvVarNames = append(f.EnvVarNames, k)
		}
		sort.Strings(f.EnvVarNames)
	}
	for _, a := range cf.Architectures {
		f.Architectures = append(f.Architectures, string(a))
	}
	return f
}

// APIConfig renders the mapping as Lambda API-shaped configuration (the
// GetEventSourceMapping member names, nested as the API nests them), the
// input internal/esm validates. FilterCriteria patterns are not kept (only
// their count is read), so filter rules see no patterns.
func (e ESM) APIConfig() map[string]any {
	m := map[string]any{}
	set := func(k string, v any) {
		switch x := v.(type) {
		case *int32:
			if x != nil {
				m[k] = int(*x)
			}
		case *bool:
			if x != nil {
				m[k] = *x
			}
		case string:
			if x != "" {
				m[k] = x
			}
		case []string:
			if len(x) > 0 {
				l := make([]any, len(x))
				for i, s := range x {
					l[i] = s
				}
				m[k] = l
			}
		}
	}
	c := e.Config
	set("EventSourceArn", e.EventSourceARN)
	set("FunctionName", e.FunctionARN)
	set("BatchSize", c.BatchSize)
	set("MaximumBatchingWindowInSeconds", c.MaximumBatchingWindowInSeconds)
	set("ParallelizationFactor", c.ParallelizationFactor)
	set("StartingPosition", c.StartingPosition)
	set("MaximumRecordAgeInSeconds", c.MaximumRecordAgeInSeconds)
	set("MaximumRetryAttempts", c.MaximumRetryAttempts)
	set("BisectBatchOnFunctionError", c.BisectBatchOnFunctionError)
	set("TumblingWindowInSeconds", c.TumblingWindowInSeconds)
	set("FunctionResponseTypes", c.FunctionResponseTypes)
	set("Topics", e.Topics)
	set("Queues", e.Queues)
	if c.MaximumConcurrency != nil {
		m["ScalingConfig"] = map[string]any{"MaximumConcurrency": int(*c.MaximumConcurrency)}
	}
	if c.MinimumPollers != nil || c.MaximumPollers != nil {
		p := map[string]any{}
		if c.MinimumPollers != nil {
			p["MinimumPollers"] = int(*c.MinimumPollers)
		}
		if c.MaximumPollers != nil {
			p["MaximumPollers"] = int(*c.MaximumPollers)
		}
		m["ProvisionedPollerConfig"] = p
	}
	if c.OnFailureDestination != "" || c.OnSuccessDestination != "" {
		d := map[string]any{}
		if c.OnFailureDestination != "" {
			d["OnFailure"] = map[string]any{"Destination": c.OnFailureDestination}
		}
		if c.OnSuccessDestination != "" {
			d["OnSuccess"] = map[string]any{"Destination": c.OnSuccessDestination}
		}
		m["DestinationConfig"] = d
	}
	if len(e.BootstrapServers) > 0 {
		l := make([]any, len(e.BootstrapServers))
		for i, s := range e.BootstrapServers {
			l[i] = s
		}
		m["SelfManagedEventSource"] = map[string]any{"Endpoints": map[string]any{"KAFKA_BOOTSTRAP_SERVERS": l}}
	}
	if e.ConsumerGroupID != "" {
		k := "AmazonManagedKafkaEventSourceConfig"
		if len(e.BootstrapServers) > 0 {
			k = "SelfManagedKafkaEventSourceConfig"
		}
		m[k] = map[string]any{"ConsumerGroupId": e.ConsumerGroupID}
	}
	if len(e.SourceAccess) > 0 {
		l := make([]any, len(e.SourceAccess))
		for i, a := range e.SourceAccess {
			l[i] = map[string]any{"Type": a.Type, "URI": a.URI}
		}
		m["SourceAccessConfigurations"] = l
	}
	if len(c.MetricsConfig) > 0 {
		l := make([]any, len(c.MetricsConfig))
		for i, s := range c.MetricsConfig {
			l[i] = s
		}
		m["MetricsConfig"] = map[string]any{"Metrics": l}
	}
	return m
}

// VPCAccess returns the subnets and security groups named in the mapping's
// SourceAccessConfigurations (self-managed Kafka in a VPC: VPC_SUBNET
// "subnet:ID", VPC_SECURITY_GROUP "security_group:ID"), the input of
// VPCPath for a mapping. MSK mappings use the cluster's own subnets and
// groups instead (MSKCluster.SubnetIDs / SecurityGroupIDs).
func (e ESM) VPCAccess() (subnets, securityGroups []string) {
	for _, a := range e.SourceAccess {
		switch a.Type {
		case "VPC_SUBNET":
			subnets = append(subnets, strings.TrimPrefix(a.URI, "subnet:"))
		case "VPC_SECURITY_GROUP":
			securityGroups = append(securityGroups, strings.TrimPrefix(a.URI, "security_group:"))
		}
	}
	return subnets, securityGroups
}
