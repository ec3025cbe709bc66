package awssim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/esm"
)

// Function is a Lambda function (GetFunctionConfiguration shape).
type Function struct {
	FunctionName string `yaml:"FunctionName" json:"FunctionName"`
	// FunctionArn defaults to arn:aws:lambda:REGION:ACCOUNT:function:NAME.
	FunctionArn  string `yaml:"FunctionArn" json:"FunctionArn"`
	Runtime      string `yaml:"Runtime" json:"Runtime,omitempty"`
	Role         string `yaml:"Role" json:"Role,omitempty"`
	Handler      string `yaml:"Handler" json:"Handler,omitempty"`
	Description  string `yaml:"Description" json:"Description,omitempty"`
	Timeout      int    `yaml:"Timeout" json:"Timeout,omitempty"`
	MemorySize   int    `yaml:"MemorySize" json:"MemorySize,omitempty"`
	CodeSize     int64  `yaml:"CodeSize" json:"CodeSize,omitempty"`
	LastModified string `yaml:"LastModified" json:"LastModified,omitempty"`
	Version      string `yaml:"Version" json:"Version,omitempty"`
	State        string `yaml:"State" json:"State,omitempty"`
	StateReason  string `yaml:"StateReason" json:"StateReason,omitempty"`
	// StateReasonCode, LastUpdateStatus (Successful, Failed, InProgress)
	// and its reason say whether the last update of the function applied.
	StateReasonCode            string   `yaml:"StateReasonCode" json:"StateReasonCode,omitempty"`
	LastUpdateStatus           string   `yaml:"LastUpdateStatus" json:"LastUpdateStatus,omitempty"`
	LastUpdateStatusReason     string   `yaml:"LastUpdateStatusReason" json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string   `yaml:"LastUpdateStatusReasonCode" json:"LastUpdateStatusReasonCode,omitempty"`
	PackageType                string   `yaml:"PackageType" json:"PackageType,omitempty"`
	Architectures              []string `yaml:"Architectures" json:"Architectures,omitempty"`
	// VpcConfig holds SubnetIds, SecurityGroupIds and VpcId.
	VpcConfig *VpcConfig `yaml:"VpcConfig" json:"VpcConfig,omitempty"`
	// Environment holds Variables (name -> value). The values are there so
	// tests can prove no tool ever echoes them.
	Environment *Environment `yaml:"Environment" json:"Environment,omitempty"`
	// ReservedConcurrentExecutions is returned by GetFunction (Concurrency).
	ReservedConcurrentExecutions *int              `yaml:"ReservedConcurrentExecutions" json:"-"`
	Tags                         map[string]string `yaml:"Tags" json:"-"`
	// Versions are the published versions (ListVersionsByFunction, a
	// qualified GetFunction): the function's configuration with each
	// version's own fields over it.
	Versions []FunctionVersion `yaml:"Versions" json:"-"`
	// EventInvokeConfigs are the asynchronous invocation settings per
	// qualifier (ListFunctionEventInvokeConfigs).
	EventInvokeConfigs []EventInvokeConfig `yaml:"EventInvokeConfigs" json:"-"`
}

// FunctionVersion is one published version; empty fields take the
// function's values.
type FunctionVersion struct {
	Version          string `yaml:"Version"`
	Description      string `yaml:"Description"`
	LastModified     string `yaml:"LastModified"`
	Runtime          string `yaml:"Runtime"`
	Handler          string `yaml:"Handler"`
	Timeout          int    `yaml:"Timeout"`
	MemorySize       int    `yaml:"MemorySize"`
	State            string `yaml:"State"`
	LastUpdateStatus string `yaml:"LastUpdateStatus"`
}

// EventInvokeConfig is a FunctionEventInvokeConfig; Qualifier defaults to
// $LATEST.
type EventInvokeConfig struct {
	Qualifier                string         `yaml:"Qualifier" json:"-"`
	FunctionArn              string         `yaml:"-" json:"FunctionArn"`
	LastModified             Timestamp      `yaml:"LastModified" json:"LastModified,omitzero"`
	MaximumRetryAttempts     *int           `yaml:"MaximumRetryAttempts" json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int           `yaml:"MaximumEventAgeInSeconds" json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        map[string]any `yaml:"DestinationConfig" json:"DestinationConfig,omitempty"`
}

// LambdaAccount is the `lambda_account:` section (GetAccountSettings).
// ConcurrentExecutions defaults to guidance lambda.account.concurrency.default;
// UnreservedConcurrentExecutions is derived from the functions' reserved
// concurrency when absent; code sizes are omitted unless given.
type LambdaAccount struct {
	ConcurrentExecutions           int   `yaml:"ConcurrentExecutions"`
	UnreservedConcurrentExecutions *int  `yaml:"UnreservedConcurrentExecutions"`
	TotalCodeSize                  int64 `yaml:"TotalCodeSize"`
	CodeSizeUnzipped               int64 `yaml:"CodeSizeUnzipped"`
	CodeSizeZipped                 int64 `yaml:"CodeSizeZipped"`
}

// VpcConfig is a function's VPC attachment.
type VpcConfig struct {
	SubnetIds        []string `yaml:"SubnetIds" json:"SubnetIds"`
	SecurityGroupIds []string `yaml:"SecurityGroupIds" json:"SecurityGroupIds"`
	VpcId            string   `yaml:"VpcId" json:"VpcId,omitempty"`
}

// Environment is a function's environment.
type Environment struct {
	Variables map[string]string `yaml:"Variables" json:"Variables"`
}

// SourceAccessConfiguration is one ESM auth/network setting.
type SourceAccessConfiguration struct {
	Type string `yaml:"Type" json:"Type"`
	URI  string `yaml:"URI" json:"URI"`
}

// EventSourceMapping is a Lambda event source mapping in the shape of
// GetEventSourceMapping. Nested objects that the simulator only echoes are
// free-form (written with their API member names).
type EventSourceMapping struct {
	UUID                           string                      `yaml:"UUID" json:"UUID"`
	EventSourceMappingArn          string                      `yaml:"EventSourceMappingArn" json:"EventSourceMappingArn,omitempty"`
	FunctionArn                    string                      `yaml:"FunctionArn" json:"FunctionArn"`
	EventSourceArn                 string                      `yaml:"EventSourceArn" json:"EventSourceArn,omitempty"`
	State                          string                      `yaml:"State" json:"State,omitempty"`
	StateTransitionReason          string                      `yaml:"StateTransitionReason" json:"StateTransitionReason,omitempty"`
	LastProcessingResult           string                      `yaml:"LastProcessingResult" json:"LastProcessingResult,omitempty"`
	LastModified                   Timestamp                   `yaml:"LastModified" json:"LastModified,omitzero"`
	StartingPosition               string                      `yaml:"StartingPosition" json:"StartingPosition,omitempty"`
	StartingPositionTimestamp      Timestamp                   `yaml:"StartingPositionTimestamp" json:"StartingPositionTimestamp,omitzero"`
	BatchSize                      *int                        `yaml:"BatchSize" json:"BatchSize,omitempty"`
	MaximumBatchingWindowInSeconds *int                        `yaml:"MaximumBatchingWindowInSeconds" json:"MaximumBatchingWindowInSeconds,omitempty"`
	ParallelizationFactor          *int                        `yaml:"ParallelizationFactor" json:"ParallelizationFactor,omitempty"`
	MaximumRecordAgeInSeconds      *int                        `yaml:"MaximumRecordAgeInSeconds" json:"MaximumRecordAgeInSeconds,omitempty"`
	MaximumRetryAttempts           *int                        `yaml:"MaximumRetryAttempts" json:"MaximumRetryAttempts,omitempty"`
	BisectBatchOnFunctionError     *bool                       `yaml:"BisectBatchOnFunctionError" json:"BisectBatchOnFunctionError,omitempty"`
	TumblingWindowInSeconds        *int                        `yaml:"TumblingWindowInSeconds" json:"TumblingWindowInSeconds,omitempty"`
	FunctionResponseTypes          []string                    `yaml:"FunctionResponseTypes" json:"FunctionResponseTypes,omitempty"`
	Topics                         []string                    `yaml:"Topics" json:"Topics,omitempty"`
	Queues                         []string                    `yaml:"Queues" json:"Queues,omitempty"`
	SourceAccessConfigurations     []SourceAccessConfiguration `yaml:"SourceAccessConfigurations" json:"SourceAccessConfigurations,omitempty"`
	KMSKeyArn                      string                      `yaml:"KMSKeyArn" json:"KMSKeyArn,omitempty"`

	SelfManagedEventSource              map[string]any `yaml:"SelfManagedEventSource" json:"SelfManagedEventSource,omitempty"`
	AmazonManagedKafkaEventSourceConfig map[string]any `yaml:"AmazonManagedKafkaEventSourceConfig" json:"AmazonManagedKafkaEventSourceConfig,omitempty"`
	SelfManagedKafkaEventSourceConfig   map[string]any `yaml:"SelfManagedKafkaEventSourceConfig" json:"SelfManagedKafkaEventSourceConfig,omitempty"`
	DestinationConfig                   map[string]any `yaml:"DestinationConfig" json:"DestinationConfig,omitempty"`
	FilterCriteria                      map[string]any `yaml:"FilterCriteria" json:"FilterCriteria,omitempty"`
	FilterCriteriaError                 map[string]any `yaml:"FilterCriteriaError" json:"FilterCriteriaError,omitempty"`
	ScalingConfig                       map[string]any `yaml:"ScalingConfig" json:"ScalingConfig,omitempty"`
	ProvisionedPollerConfig             map[string]any `yaml:"ProvisionedPollerConfig" json:"ProvisionedPollerConfig,omitempty"`
	MetricsConfig                       map[string]any `yaml:"MetricsConfig" json:"MetricsConfig,omitempty"`
	LoggingConfig                       map[string]any `yaml:"LoggingConfig" json:"LoggingConfig,omitempty"`
	DocumentDBEventSourceConfig         map[string]any `yaml:"DocumentDBEventSourceConfig" json:"DocumentDBEventSourceConfig,omitempty"`

	// UpdatingGets is how many GetEventSourceMapping answers after an
	// UpdateEventSourceMapping still show Updating/Enabling/Disabling
	// (default 2) before the mapping settles to Enabled or Disabled.
	UpdatingGets int `yaml:"UpdatingGets" json:"-"`
	// settle is the transition under way.
	settle *esmSettle
}

// esmSettle is a mapping's transition after an update: the state it
// reaches and the answers left before it does.
type esmSettle struct {
	to   string
	left int
}

// progress counts one GetEventSourceMapping answer against a transition.
func (m *EventSourceMapping) progress() {
	if m.settle == nil {
		return
	}
	if m.settle.left <= 0 {
		m.State, m.settle = m.settle.to, nil
		return
	}
	m.settle.left--
}

// functionARN is the unqualified ARN of a function.
func (sc *Scenario) functionARN(f Function) string {
	if f.FunctionArn != "" {
		return f.FunctionArn
	}
	return "arn:aws:lambda:" + sc.Region + ":" + sc.Account + ":function:" + f.FunctionName
}

// findFunction resolves a name, an ARN, a partial ARN (ACCOUNT:function:NAME)
// or any of those with a :qualifier suffix.
func (sc *Scenario) findFunction(ref string) (Function, bool) {
	name := functionName(ref)
	for _, f := range sc.Functions {
		if f.FunctionName == name {
			f.FunctionArn = sc.functionARN(f)
			return f, true
		}
	}
	return Function{}, false
}

// functionName extracts the bare name from any accepted function reference.
func functionName(ref string) string {
	parts := strings.Split(ref, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	if len(parts) == 2 { // NAME:QUALIFIER
		return parts[0]
	}
	return ref
}

func (s *Server) lambdaService() service {
	routes := []restRoute{
		{http.MethodGet, "/2015-03-31/event-source-mappings", "ListEventSourceMappings"},
		{http.MethodGet, "/2015-03-31/event-source-mappings/{UUID}", "GetEventSourceMapping"},
		{http.MethodPut, "/2015-03-31/event-source-mappings/{UUID}", "UpdateEventSourceMapping"},
		{http.MethodGet, "/2015-03-31/functions/{FunctionName}", "GetFunction"},
		{http.MethodGet, "/2015-03-31/functions/{FunctionName}/configuration", "GetFunctionConfiguration"},
		{http.MethodGet, "/2015-03-31/functions/{FunctionName}/versions", "ListVersionsByFunction"},
		{http.MethodGet, "/2019-09-30/functions/{FunctionName}/concurrency", "GetFunctionConcurrency"},
		{http.MethodGet, "/2019-09-25/functions/{FunctionName}/event-invoke-config/list", "ListFunctionEventInvokeConfigs"},
		{http.MethodGet, "/2019-09-25/functions/{FunctionName}/event-invoke-config", "GetFunctionEventInvokeConfig"},
		{http.MethodGet, "/2016-08-19/account-settings", "GetAccountSettings"},
	}
	return service{
		name:      "lambda",
		proto:     protocol{kind: protoRESTJSON, errorBody: lambdaErrorBody},
		errors:    restJSONErrors,
		ops:       routeOps(routes),
		operation: restOp(routes),
		handle:    s.lambda,
	}
}

// lambdaLowerMessage are the Lambda errors whose model names the message
// member "message"; the others name it "Message" (Lambda API model).
var lambdaLowerMessage = []string{"InvalidParameterValueException", "ResourceConflictException", "TooManyRequestsException",
	"InvalidRequestContentException", "RequestTooLargeException", "UnsupportedMediaTypeException", "PolicyLengthExceededException"}

// lambdaErrorBody is Lambda's error layout: {"Type":"User"|"Service",
// "Message"|"message": ...}; the error code travels in X-Amzn-ErrorType.
func lambdaErrorBody(e *APIError) any {
	typ := "User"
	if e.Status >= 500 {
		typ = "Service"
	}
	key := "Message"
	if contains(lambdaLowerMessage, e.Code) {
		key = "message"
	}
	return map[string]string{"Type": typ, key: e.Message}
}

func (s *Server) lambda(_ context.Context, r *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	switch r.op {
	case "ListEventSourceMappings":
		// Lambda accepts MaxItems up to 10000 but returns at most 100
		// mappings per response, whatever MaxItems says (API reference,
		// ListEventSourceMappings); callers must follow NextMarker.
		const perResponse, maxItems = 100, 10000
		max, err := intParam(r.query.Get("MaxItems"), perResponse)
		if err != nil {
			return nil, err
		}
		if max > maxItems {
			return nil, errBadRequest("InvalidParameterValueException", "MaxItems must be at most 10000")
		}
		max = min(max, perResponse)
		fn, src := r.query.Get("FunctionName"), r.query.Get("EventSourceArn")
		var match []EventSourceMapping
		for _, m := range sc.EventSourceMappings {
			if fn != "" && functionName(m.FunctionArn) != functionName(fn) {
				continue
			}
			if src != "" && m.EventSourceArn != src {
				continue
			}
			match = append(match, m)
		}
		sort.SliceStable(match, func(i, j int) bool { return match[i].UUID < match[j].UUID })
		items, next, err := page(match, r.query.Get("Marker"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			EventSourceMappings []EventSourceMapping
			NextMarker          string `json:",omitempty"`
		}{EventSourceMappings: nonNil(items), NextMarker: next}, nil
	case "GetEventSourceMapping", "UpdateEventSourceMapping":
		for i, m := range sc.EventSourceMappings {
			if m.UUID != r.labels["UUID"] {
				continue
			}
			if r.op == "UpdateEventSourceMapping" {
				return s.updateESM(i, r.body)
			}
			sc.EventSourceMappings[i].progress()
			return sc.EventSourceMappings[i], nil
		}
		return nil, errNotFound("ResourceNotFoundException", "The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: "+requestID+")")
	case "GetAccountSettings":
		return s.accountSettings()
	case "GetFunction", "GetFunctionConfiguration", "ListVersionsByFunction", "GetFunctionConcurrency", "ListFunctionEventInvokeConfigs", "GetFunctionEventInvokeConfig":
		return s.functionOp(r)
	}
	return nil, errBadRequest("UnknownOperationException", r.op)
}

// versionsPerResponse is ListVersionsByFunction's page cap: "returns a
// maximum of 50 items in each response, even if you set the number higher"
// (API reference, ListVersionsByFunction, MaxItems).
const versionsPerResponse = 50

// functionOp answers the operations on one function. Callers hold s.mu.
func (s *Server) functionOp(r *request) (any, error) {
	sc := s.sc
	ref := r.labels["FunctionName"]
	f, ok := sc.findFunction(ref)
	if !ok {
		return nil, errNotFound("ResourceNotFoundException", "Function not found: "+sc.functionARNFor(ref))
	}
	qual := r.query.Get("Qualifier")
	if q := functionQualifier(ref); q != "" {
		qual = q
	}
	switch r.op {
	case "GetFunctionConcurrency":
		if f.ReservedConcurrentExecutions == nil {
			return struct{}{}, nil
		}
		return map[string]int{"ReservedConcurrentExecutions": *f.ReservedConcurrentExecutions}, nil
	case "ListVersionsByFunction":
		all := []Function{sc.functionVersion(f, "$LATEST")}
		for _, v := range f.Versions {
			all = append(all, sc.functionVersion(f, v.Version))
		}
		max, err := intParam(r.query.Get("MaxItems"), versionsPerResponse)
		if err != nil {
			return nil, err
		}
		if err := checkBounds("lambda.ListVersionsByFunction.MaxItems", "InvalidParameterValueException", max); err != nil {
			return nil, err
		}
		items, next, err := page(all, r.query.Get("Marker"), min(max, versionsPerResponse))
		if err != nil {
			return nil, err
		}
		return struct {
			Versions   []Function
			NextMarker string `json:",omitempty"`
		}{items, next}, nil
	case "ListFunctionEventInvokeConfigs", "GetFunctionEventInvokeConfig":
		var all []EventInvokeConfig
		for _, c := range f.EventInvokeConfigs {
			c.Qualifier = orDefault(c.Qualifier, "$LATEST")
			c.FunctionArn = f.FunctionArn + ":" + c.Qualifier
			all = append(all, c)
		}
		if r.op == "GetFunctionEventInvokeConfig" {
			for _, c := range all {
				if c.Qualifier == orDefault(qual, "$LATEST") {
					return c, nil
				}
			}
			return nil, errNotFound("ResourceNotFoundException", "The function "+f.FunctionArn+" doesn't have an EventInvokeConfig")
		}
		_, def, _ := bounds("lambda.ListFunctionEventInvokeConfigs.MaxItems")
		max, err := intParam(r.query.Get("MaxItems"), def)
		if err != nil {
			return nil, err
		}
		if err := checkBounds("lambda.ListFunctionEventInvokeConfigs.MaxItems", "InvalidParameterValueException", max); err != nil {
			return nil, err
		}
		items, next, err := page(all, r.query.Get("Marker"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			FunctionEventInvokeConfigs []EventInvokeConfig
			NextMarker                 string `json:",omitempty"`
		}{nonNil(items), next}, nil
	}
	if qual != "" && qual != "$LATEST" {
		found := false
		for _, v := range f.Versions {
			found = found || v.Version == qual
		}
		if !found {
			return nil, errNotFound("ResourceNotFoundException", "Function not found: "+f.FunctionArn+":"+qual)
		}
	}
	f = sc.functionVersion(f, orDefault(qual, "$LATEST"))
	if r.op == "GetFunctionConfiguration" {
		return f, nil
	}
	out := map[string]any{
		"Configuration": f,
		"Code":          map[string]string{"RepositoryType": "S3", "Location": "https://awslambda-" + sc.Region + "-tasks.s3." + sc.Region + ".amazonaws.com/snapshots/" + sc.Account + "/" + f.FunctionName},
	}
	if f.ReservedConcurrentExecutions != nil {
		out["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": *f.ReservedConcurrentExecutions}
	}
	if len(f.Tags) > 0 {
		out["Tags"] = f.Tags
	}
	return out, nil
}

// functionQualifier is the :QUALIFIER suffix of a function reference.
func functionQualifier(ref string) string {
	parts := strings.Split(ref, ":")
	for i, p := range parts {
		if p == "function" && i+2 < len(parts) {
			return parts[i+2]
		}
	}
	if len(parts) == 2 {
		return parts[1]
	}
	return ""
}

// functionVersion is f's configuration as version v reports it.
func (sc *Scenario) functionVersion(f Function, v string) Function {
	f.Version = v
	if v == "$LATEST" {
		if f.LastUpdateStatus == "" {
			f.LastUpdateStatus = "Successful"
		}
		return f
	}
	f.FunctionArn = sc.functionARN(Function{FunctionName: f.FunctionName, FunctionArn: f.FunctionArn}) + ":" + v
	for _, pv := range f.Versions {
		if pv.Version != v {
			continue
		}
		f.Description = orDefault(pv.Description, f.Description)
		f.LastModified = orDefault(pv.LastModified, f.LastModified)
		f.Runtime = orDefault(pv.Runtime, f.Runtime)
		f.Handler = orDefault(pv.Handler, f.Handler)
		f.State = orDefault(pv.State, f.State)
		f.LastUpdateStatus = orDefault(pv.LastUpdateStatus, "Successful")
		if pv.Timeout > 0 {
			f.Timeout = pv.Timeout
		}
		if pv.MemorySize > 0 {
			f.MemorySize = pv.MemorySize
		}
	}
	return f
}

// accountSettings answers GetAccountSettings. Callers hold s.mu.
func (s *Server) accountSettings() (any, error) {
	sc := s.sc
	acct := sc.LambdaAccount
	if acct.ConcurrentExecutions == 0 {
		g, err := guidance.Load()
		if err != nil {
			return nil, fmt.Errorf("awssim: guidance: %w", err)
		}
		acct.ConcurrentExecutions = g.Int("lambda.account.concurrency.default")
	}
	unreserved := acct.ConcurrentExecutions
	var code int64
	for _, f := range sc.Functions {
		if f.ReservedConcurrentExecutions != nil {
			unreserved -= *f.ReservedConcurrentExecutions
		}
		code += f.CodeSize
	}
	if acct.UnreservedConcurrentExecutions != nil {
		unreserved = *acct.UnreservedConcurrentExecutions
	}
	limit := map[string]any{"ConcurrentExecutions": acct.ConcurrentExecutions, "UnreservedConcurrentExecutions": unreserved}
	for k, v := range map[string]int64{"TotalCodeSize": acct.TotalCodeSize, "CodeSizeUnzipped": acct.CodeSizeUnzipped, "CodeSizeZipped": acct.CodeSizeZipped} {
		if v > 0 {
			limit[k] = v
		}
	}
	return map[string]any{
		"AccountLimit": limit,
		"AccountUsage": map[string]int64{"TotalCodeSize": code, "FunctionCount": int64(len(sc.Functions))},
	}, nil
}

func (sc *Scenario) functionARNFor(ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return "arn:aws:lambda:" + sc.Region + ":" + sc.Account + ":function:" + ref
}

// esmUpdateFields are the UpdateEventSourceMapping members the simulator
// applies. Any other member is refused, so a write path cannot believe a
// field was set when the simulator dropped it.
var esmUpdateFields = []string{"Enabled", "FunctionName", "BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor",
	"MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "BisectBatchOnFunctionError", "TumblingWindowInSeconds",
	"FunctionResponseTypes", "ScalingConfig", "ProvisionedPollerConfig", "DestinationConfig", "FilterCriteria", "MetricsConfig",
	"LoggingConfig", "SourceAccessConfigurations", "KMSKeyArn", "DocumentDBEventSourceConfig",
	"AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"}

// esmDefaultUpdatingGets is how many GetEventSourceMapping answers show a
// mapping still in transition when the scenario does not say: the write
// tools' read-back and a re-plan see it Updating (and a second update is
// refused), the next read sees it settled.
const esmDefaultUpdatingGets = 2

// esmSettling are the transitional states in which Lambda refuses another
// update with ResourceInUseException (API reference: "you tried to update
// an event source mapping in the CREATING state").
var esmSettling = []string{"Creating", "Enabling", "Disabling", "Updating", "Deleting"}

func lambdaInvalid(msg string) *APIError { return errBadRequest("InvalidParameterValueException", msg) }

// updateESM validates an UpdateEventSourceMapping body the way Lambda does
// (field applicability per source type, ranges and the SQS batching-window
// rule from guidance esm.*; no update while the mapping is settling),
// applies it, moves the mapping to Updating (or Enabling/Disabling) and
// returns it. Callers hold s.mu.
func (s *Server) updateESM(i int, body []byte) (any, error) {
	m := &s.sc.EventSourceMappings[i]
	if contains(esmSettling, m.State) {
		return nil, errBadRequest("ResourceInUseException", "Cannot update the event source mapping "+m.UUID+" because it is in use (state "+m.State+"). Wait for it to finish, then try again.")
	}
	raw := map[string]json.RawMessage{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, lambdaInvalid("malformed request body: " + err.Error())
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(esmUpdateFields, k) {
			return nil, lambdaInvalid("awssim: UpdateEventSourceMapping member " + k + " is not simulated; refusing rather than dropping it")
		}
	}
	var in struct {
		Enabled                             *bool
		FunctionName                        *string
		BatchSize                           *int
		MaximumBatchingWindowInSeconds      *int
		ParallelizationFactor               *int
		MaximumRecordAgeInSeconds           *int
		MaximumRetryAttempts                *int
		BisectBatchOnFunctionError          *bool
		TumblingWindowInSeconds             *int
		FunctionResponseTypes               []string
		ScalingConfig                       map[string]any
		ProvisionedPollerConfig             map[string]any
		DestinationConfig                   map[string]any
		FilterCriteria                      map[string]any
		MetricsConfig                       map[string]any
		LoggingConfig                       map[string]any
		SourceAccessConfigurations          []SourceAccessConfiguration
		KMSKeyArn                           *string
		DocumentDBEventSourceConfig         map[string]any
		AmazonManagedKafkaEventSourceConfig map[string]any
		SelfManagedKafkaEventSourceConfig   map[string]any
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, lambdaInvalid("malformed request body: " + err.Error())
		}
	}
	if err := s.validateESMUpdate(m, keys, in.BatchSize, in.MaximumBatchingWindowInSeconds, in.ParallelizationFactor); err != nil {
		return nil, err
	}
	if in.FunctionName != nil {
		f, ok := s.sc.findFunction(*in.FunctionName)
		if !ok {
			return nil, errNotFound("ResourceNotFoundException", "Function not found: "+s.sc.functionARNFor(*in.FunctionName))
		}
		m.FunctionArn = f.FunctionArn
	}
	setPtr(&m.BatchSize, in.BatchSize)
	setPtr(&m.MaximumBatchingWindowInSeconds, in.MaximumBatchingWindowInSeconds)
	setPtr(&m.ParallelizationFactor, in.ParallelizationFactor)
	setPtr(&m.MaximumRecordAgeInSeconds, in.MaximumRecordAgeInSeconds)
	setPtr(&m.MaximumRetryAttempts, in.MaximumRetryAttempts)
	setPtr(&m.BisectBatchOnFunctionError, in.BisectBatchOnFunctionError)
	setPtr(&m.TumblingWindowInSeconds, in.TumblingWindowInSeconds)
	if in.FunctionResponseTypes != nil {
		m.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.SourceAccessConfigurations != nil {
		m.SourceAccessConfigurations = in.SourceAccessConfigurations
	}
	if in.KMSKeyArn != nil {
		m.KMSKeyArn = *in.KMSKeyArn
	}
	for _, f := range []struct {
		dst *map[string]any
		src map[string]any
	}{
		{&m.ScalingConfig, in.ScalingConfig}, {&m.ProvisionedPollerConfig, in.ProvisionedPollerConfig}, {&m.DestinationConfig, in.DestinationConfig},
		{&m.FilterCriteria, in.FilterCriteria}, {&m.MetricsConfig, in.MetricsConfig}, {&m.LoggingConfig, in.LoggingConfig},
		{&m.DocumentDBEventSourceConfig, in.DocumentDBEventSourceConfig}, {&m.AmazonManagedKafkaEventSourceConfig, in.AmazonManagedKafkaEventSourceConfig},
		{&m.SelfManagedKafkaEventSourceConfig, in.SelfManagedKafkaEventSourceConfig},
	} {
		if f.src != nil {
			*f.dst = f.src
		}
	}
	settled := "Enabled"
	if m.State == "Disabled" {
		settled = "Disabled"
	}
	if in.Enabled != nil {
		if *in.Enabled {
			m.State, settled = "Enabling", "Enabled"
		} else {
			m.State, settled = "Disabling", "Disabled"
		}
	} else {
		m.State = "Updating"
	}
	m.settle = &esmSettle{to: settled, left: m.UpdatingGets}
	if m.settle.left <= 0 {
		m.settle.left = esmDefaultUpdatingGets
	}
	m.StateTransitionReason = "User action"
	m.LastModified = Timestamp{time.Now().UTC().Truncate(time.Second)}
	return *m, nil
}

func setPtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// esmSource is the mapping's source type as guidance names it.
func esmSource(m *EventSourceMapping) esm.SourceType {
	if st, ok := esm.SourceFromARN(m.EventSourceArn); ok {
		return st
	}
	if m.SelfManagedEventSource != nil {
		return esm.SelfManagedKafka
	}
	return ""
}

// validateESMUpdate applies Lambda's checks to the members an update sets.
// Sources: the UpdateEventSourceMapping API reference (which members apply
// to which source; BatchSize, MaximumBatchingWindowInSeconds and
// ParallelizationFactor ranges) and the SQS parameters page (BatchSize
// above 10 needs a batching window of at least 1 second), through guidance
// esm.fields.applicable.*, esm.batch_size.*, esm.batching_window.*,
// esm.parallelization_factor.* and esm.sqs.*.
func (s *Server) validateESMUpdate(m *EventSourceMapping, keys []string, batch, window, pf *int) error {
	g, err := guidance.Load()
	if err != nil {
		return fmt.Errorf("awssim: guidance: %w", err)
	}
	src := esmSource(m)
	for _, k := range keys {
		l, ok := g.Lookup("esm.fields.applicable." + k)
		if !ok || src == "" {
			continue
		}
		if !contains(g.Strings(l.ID), string(src)) {
			return lambdaInvalid(fmt.Sprintf("Unsupported %s for %s event sources.", k, sourceLabel(src)))
		}
	}
	if batch != nil {
		hi := g.Int("esm.batch_size.max")
		if src == esm.SQSFIFO {
			hi = g.Int("esm.sqs_fifo.batch_size.max")
		}
		if *batch < g.Int("esm.batch_size.min") || *batch > hi {
			return lambdaInvalid(fmt.Sprintf("BatchSize %d is out of range: must be between %d and %d for %s event sources.", *batch, g.Int("esm.batch_size.min"), hi, sourceLabel(src)))
		}
	}
	if window != nil {
		hi := g.Int("esm.batching_window.max_seconds")
		if src == esm.SQSFIFO {
			hi = g.Int("esm.sqs_fifo.batching_window.max_seconds")
		}
		if *window < g.Int("esm.batching_window.min_seconds") || *window > hi {
			return lambdaInvalid(fmt.Sprintf("MaximumBatchingWindowInSeconds %d is out of range: must be between %d and %d for %s event sources.", *window, g.Int("esm.batching_window.min_seconds"), hi, sourceLabel(src)))
		}
	}
	if pf != nil && (*pf < g.Int("esm.parallelization_factor.min") || *pf > g.Int("esm.parallelization_factor.max")) {
		return lambdaInvalid(fmt.Sprintf("ParallelizationFactor %d is out of range: must be between %d and %d.", *pf, g.Int("esm.parallelization_factor.min"), g.Int("esm.parallelization_factor.max")))
	}
	if src == esm.SQS {
		b, w := m.BatchSize, m.MaximumBatchingWindowInSeconds
		if batch != nil {
			b = batch
		}
		if window != nil {
			w = window
		}
		if b != nil && *b > g.Int("esm.sqs.batch_size.window_threshold") && (w == nil || *w < g.Int("esm.sqs.batch_size.large_batch_window_min_seconds")) {
			return lambdaInvalid(fmt.Sprintf("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than %d", g.Int("esm.sqs.batch_size.window_threshold")))
		}
	}
	return nil
}

func sourceLabel(src esm.SourceType) string {
	if src == "" {
		return "this"
	}
	return string(src)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
