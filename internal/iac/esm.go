package iac

import (
	"encoding/json"
	"strings"
)

// Source is an event source kind, as esm_guidance names it.
type Source string

// The event sources.
const (
	SourceKinesis          Source = "kinesis"
	SourceDynamoDB         Source = "dynamodb"
	SourceSQS              Source = "sqs"
	SourceSQSFIFO          Source = "sqs_fifo"
	SourceMSK              Source = "msk"
	SourceSelfManagedKafka Source = "self_managed_kafka"
)

// Sources lists every source in display order.
func Sources() []Source {
	return []Source{SourceKinesis, SourceDynamoDB, SourceSQS, SourceSQSFIFO, SourceMSK, SourceSelfManagedKafka}
}

// IsKafka reports whether s is MSK or self-managed Kafka.
func (s Source) IsKafka() bool { return s == SourceMSK || s == SourceSelfManagedKafka }

// IsStream reports whether s is Kinesis or DynamoDB Streams.
func (s Source) IsStream() bool { return s == SourceKinesis || s == SourceDynamoDB }

// IsSQS reports whether s is a standard or FIFO queue.
func (s Source) IsSQS() bool { return s == SourceSQS || s == SourceSQSFIFO }

// ESM is an event source mapping's configuration under the Lambda API's
// names (CreateEventSourceMapping). Pointers and empty values mean "not set":
// the service default applies and nothing is rendered for it.
type ESM struct {
	// Source selects the event source kind; it is not an API field.
	Source Source `json:"-"`
	// FunctionName is a function name or ARN (optionally qualified).
	FunctionName string `json:"FunctionName,omitempty"`
	// FunctionRef, when set, points at a function resource in the same stack
	// instead of FunctionName.
	FunctionRef *Ref `json:"-"`
	// EventSourceArn is the stream, stream consumer, table stream, queue, MSK
	// cluster or MSK VPC connection ARN. Not used for self-managed Kafka.
	EventSourceArn string `json:"EventSourceArn,omitempty"`
	// EventSourceRef, when set, points at a source resource in the same
	// stack instead of EventSourceArn.
	EventSourceRef                 *Ref                        `json:"-"`
	Enabled                        *bool                       `json:"Enabled,omitempty"`
	BatchSize                      *int                        `json:"BatchSize,omitempty"`
	MaximumBatchingWindowInSeconds *int                        `json:"MaximumBatchingWindowInSeconds,omitempty"`
	ParallelizationFactor          *int                        `json:"ParallelizationFactor,omitempty"`
	StartingPosition               string                      `json:"StartingPosition,omitempty"`
	StartingPositionTimestamp      *float64                    `json:"StartingPositionTimestamp,omitempty"`
	MaximumRetryAttempts           *int                        `json:"MaximumRetryAttempts,omitempty"`
	MaximumRecordAgeInSeconds      *int                        `json:"MaximumRecordAgeInSeconds,omitempty"`
	BisectBatchOnFunctionError     *bool                       `json:"BisectBatchOnFunctionError,omitempty"`
	TumblingWindowInSeconds        *int                        `json:"TumblingWindowInSeconds,omitempty"`
	FunctionResponseTypes          []string                    `json:"FunctionResponseTypes,omitempty"`
	DestinationConfig              *DestinationConfig          `json:"DestinationConfig,omitempty"`
	FilterCriteria                 *FilterCriteria             `json:"FilterCriteria,omitempty"`
	ScalingConfig                  *ScalingConfig              `json:"ScalingConfig,omitempty"`
	ProvisionedPollerConfig        *ProvisionedPollerConfig    `json:"ProvisionedPollerConfig,omitempty"`
	Topics                         []string                    `json:"Topics,omitempty"`
	SourceAccessConfigurations     []SourceAccessConfiguration `json:"SourceAccessConfigurations,omitempty"`
	SelfManagedEventSource         *SelfManagedEventSource     `json:"SelfManagedEventSource,omitempty"`
	// AmazonManagedKafkaEventSourceConfig applies to MSK only.
	AmazonManagedKafkaEventSourceConfig *KafkaEventSourceConfig `json:"AmazonManagedKafkaEventSourceConfig,omitempty"`
	// SelfManagedKafkaEventSourceConfig applies to self-managed Kafka only.
	SelfManagedKafkaEventSourceConfig *KafkaEventSourceConfig `json:"SelfManagedKafkaEventSourceConfig,omitempty"`
	// KMSKeyArn encrypts the filter criteria (CloudFormation spells it KmsKeyArn).
	KMSKeyArn     string         `json:"KMSKeyArn,omitempty"`
	MetricsConfig *MetricsConfig `json:"MetricsConfig,omitempty"`
	LoggingConfig *LoggingConfig `json:"LoggingConfig,omitempty"`
}

// Ref points at a resource in the same stack: CFN is its logical ID and
// CFNAttr the GetAtt attribute ("" means Ref); TF is a Terraform traversal
// such as "aws_lambda_function.fn.function_name".
type Ref struct {
	CFN     string
	CFNAttr string
	TF      string
}

// DestinationConfig is where failed batches go.
type DestinationConfig struct {
	OnFailure *OnFailure `json:"OnFailure,omitempty"`
}

// OnFailure names the failure destination.
type OnFailure struct {
	Destination string `json:"Destination"`
}

// FilterCriteria holds event filters (ORed).
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter is one event filter; Pattern is a JSON document.
type Filter struct {
	Pattern string `json:"Pattern"`
}

// ScalingConfig caps SQS on-demand concurrency.
type ScalingConfig struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty"`
}

// ProvisionedPollerConfig switches the mapping to provisioned mode.
type ProvisionedPollerConfig struct {
	MinimumPollers  *int   `json:"MinimumPollers,omitempty"`
	MaximumPollers  *int   `json:"MaximumPollers,omitempty"`
	PollerGroupName string `json:"PollerGroupName,omitempty"`
}

// SourceAccessConfiguration is one auth or VPC entry of a Kafka mapping.
type SourceAccessConfiguration struct {
	Type string `json:"Type"`
	URI  string `json:"URI"`
}

// SelfManagedEventSource holds the bootstrap servers of a self-managed
// cluster under the key KAFKA_BOOTSTRAP_SERVERS.
type SelfManagedEventSource struct {
	Endpoints map[string][]string `json:"Endpoints"`
}

// KafkaEventSourceConfig is the consumer group and schema registry of a
// Kafka mapping.
type KafkaEventSourceConfig struct {
	ConsumerGroupId      string                `json:"ConsumerGroupId,omitempty"` //nolint:revive // Lambda API name
	SchemaRegistryConfig *SchemaRegistryConfig `json:"SchemaRegistryConfig,omitempty"`
}

// SchemaRegistryConfig points a Kafka mapping at a Glue or Confluent registry.
type SchemaRegistryConfig struct {
	SchemaRegistryURI       string                      `json:"SchemaRegistryURI,omitempty"`
	EventRecordFormat       string                      `json:"EventRecordFormat,omitempty"`
	AccessConfigs           []SourceAccessConfiguration `json:"AccessConfigs,omitempty"`
	SchemaValidationConfigs []SchemaValidationConfig    `json:"SchemaValidationConfigs,omitempty"`
}

// SchemaValidationConfig names an attribute (KEY or VALUE) to validate.
type SchemaValidationConfig struct {
	Attribute string `json:"Attribute"`
}

// MetricsConfig enables ESM metrics.
type MetricsConfig struct {
	Metrics []string `json:"Metrics"`
}

// LoggingConfig sets the ESM's system log level (Kafka, provisioned mode).
type LoggingConfig struct {
	SystemLogLevel string `json:"SystemLogLevel"`
}

// BootstrapServers returns the self-managed bootstrap servers, if any.
func (m ESM) BootstrapServers() []string {
	if m.SelfManagedEventSource == nil {
		return nil
	}
	return m.SelfManagedEventSource.Endpoints["KAFKA_BOOTSTRAP_SERVERS"]
}

// kafkaConfig returns the source's Kafka config block.
func (m ESM) kafkaConfig() *KafkaEventSourceConfig {
	if m.Source == SourceMSK {
		return m.AmazonManagedKafkaEventSourceConfig
	}
	return m.SelfManagedKafkaEventSourceConfig
}

// applies says which sources each optional field applies to, from the
// Lambda API reference (API_CreateEventSourceMapping.html, "applies to"
// notes per field) and the per-source parameter pages (limits.md §1).
func applies(field string, s Source) bool {
	switch field {
	case "ParallelizationFactor", "TumblingWindowInSeconds":
		return s.IsStream()
	case "StartingPosition":
		return s.IsStream() || s.IsKafka()
	case "StartingPositionTimestamp":
		return s == SourceKinesis || s.IsKafka()
	case "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "DestinationConfig":
		return s.IsStream() || s.IsKafka()
	case "MaximumBatchingWindowInSeconds":
		return s != SourceSQSFIFO
	case "ScalingConfig":
		return s.IsSQS()
	case "ProvisionedPollerConfig":
		return s.IsSQS() || s.IsKafka()
	case "Topics", "SourceAccessConfigurations", "LoggingConfig":
		return s.IsKafka()
	case "AmazonManagedKafkaEventSourceConfig":
		return s == SourceMSK
	case "SelfManagedKafkaEventSourceConfig", "SelfManagedEventSource":
		return s == SourceSelfManagedKafka
	}
	return true
}

// Validate checks that every value is well formed and every field applies to
// the source. It returns an error wrapping ErrInvalid naming the first
// problem.
func (m ESM) Validate() error {
	if !validSource(m.Source) {
		return invalidf("event source %q is not one of kinesis, dynamodb, sqs, sqs_fifo, msk, self_managed_kafka", string(m.Source))
	}
	if m.FunctionRef == nil {
		if m.FunctionName == "" {
			return invalidf("FunctionName is required")
		}
		if err := ValidateFunctionName(m.FunctionName); err != nil {
			return err
		}
	} else if err := m.FunctionRef.validate(); err != nil {
		return err
	}
	if err := m.validateSourceArn(); err != nil {
		return err
	}
	for field, set := range m.setFields() {
		if set && !applies(field, m.Source) {
			return invalidf("%s does not apply to a %s event source mapping", field, m.Source)
		}
	}
	if err := m.validateStartingPosition(); err != nil {
		return err
	}
	for _, t := range m.FunctionResponseTypes {
		if t != "ReportBatchItemFailures" {
			return invalidf("FunctionResponseTypes entry %s: the only value is ReportBatchItemFailures", quoteForError(t))
		}
	}
	if d := m.DestinationConfig; d != nil && d.OnFailure != nil {
		if err := validateDestination(d.OnFailure.Destination, m.Source); err != nil {
			return err
		}
	}
	if f := m.FilterCriteria; f != nil {
		for i, flt := range f.Filters {
			if !json.Valid([]byte(flt.Pattern)) || !strings.HasPrefix(strings.TrimSpace(flt.Pattern), "{") {
				return invalidf("FilterCriteria.Filters[%d].Pattern is not a JSON object", i)
			}
		}
	}
	if p := m.ProvisionedPollerConfig; p != nil && p.PollerGroupName != "" {
		if err := matchName("PollerGroupName", p.PollerGroupName, reTFName, "letters, digits, '-' and '_'"); err != nil {
			return err
		}
	}
	if m.KMSKeyArn != "" {
		if err := ValidateKMSKeyARN(m.KMSKeyArn); err != nil {
			return err
		}
	}
	if err := m.validateKafka(); err != nil {
		return err
	}
	if m.MetricsConfig != nil {
		for _, v := range m.MetricsConfig.Metrics {
			if !oneOf(v, "EventCount", "ErrorCount", "KafkaMetrics") {
				return invalidf("MetricsConfig.Metrics entry %s is not EventCount, ErrorCount or KafkaMetrics", quoteForError(v))
			}
		}
	}
	if m.LoggingConfig != nil && !oneOf(m.LoggingConfig.SystemLogLevel, "DEBUG", "INFO", "WARN") {
		return invalidf("LoggingConfig.SystemLogLevel %s is not DEBUG, INFO or WARN", quoteForError(m.LoggingConfig.SystemLogLevel))
	}
	return nil
}

func validSource(s Source) bool {
	for _, v := range Sources() {
		if s == v {
			return true
		}
	}
	return false
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func (m ESM) setFields() map[string]bool {
	return map[string]bool{
		"ParallelizationFactor":               m.ParallelizationFactor != nil,
		"TumblingWindowInSeconds":             m.TumblingWindowInSeconds != nil,
		"StartingPositionTimestamp":           m.StartingPositionTimestamp != nil,
		"MaximumRetryAttempts":                m.MaximumRetryAttempts != nil,
		"MaximumRecordAgeInSeconds":           m.MaximumRecordAgeInSeconds != nil,
		"BisectBatchOnFunctionError":          m.BisectBatchOnFunctionError != nil,
		"DestinationConfig":                   m.DestinationConfig != nil,
		"MaximumBatchingWindowInSeconds":      m.MaximumBatchingWindowInSeconds != nil,
		"ScalingConfig":                       m.ScalingConfig != nil,
		"ProvisionedPollerConfig":             m.ProvisionedPollerConfig != nil,
		"Topics":                              len(m.Topics) > 0,
		"SourceAccessConfigurations":          len(m.SourceAccessConfigurations) > 0,
		"LoggingConfig":                       m.LoggingConfig != nil,
		"AmazonManagedKafkaEventSourceConfig": m.AmazonManagedKafkaEventSourceConfig != nil,
		"SelfManagedKafkaEventSourceConfig":   m.SelfManagedKafkaEventSourceConfig != nil,
		"SelfManagedEventSource":              m.SelfManagedEventSource != nil,
	}
}

func (m ESM) validateSourceArn() error {
	if m.Source == SourceSelfManagedKafka {
		if m.EventSourceArn != "" || m.EventSourceRef != nil {
			return invalidf("a self_managed_kafka mapping has no EventSourceArn; give SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS")
		}
		servers := m.BootstrapServers()
		if len(servers) == 0 {
			return invalidf("a self_managed_kafka mapping needs SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS (host:port list)")
		}
		for k := range m.SelfManagedEventSource.Endpoints {
			if k != "KAFKA_BOOTSTRAP_SERVERS" {
				return invalidf("SelfManagedEventSource.Endpoints key %s: the only key is KAFKA_BOOTSTRAP_SERVERS", quoteForError(k))
			}
		}
		for _, s := range servers {
			if err := validateHostPort(s); err != nil {
				return err
			}
		}
		return nil
	}
	if m.EventSourceRef != nil {
		return m.EventSourceRef.validate()
	}
	if m.EventSourceArn == "" {
		return invalidf("EventSourceArn is required for a %s mapping", m.Source)
	}
	return ValidateSourceARN(m.Source, m.EventSourceArn)
}

// ValidateSourceARN checks that arn is the right kind of ARN for source: a
// Kinesis stream or stream consumer, a DynamoDB table stream, an SQS queue
// (".fifo" exactly when the source is sqs_fifo), or an MSK cluster or VPC
// connection. The ARN must carry its Region and account.
func ValidateSourceARN(source Source, s string) error {
	if source != SourceSelfManagedKafka {
		a, err := ParseARN(s, "")
		if err != nil {
			return err
		}
		if err := requireRegional(a, s); err != nil {
			return err
		}
	}
	switch source {
	case SourceKinesis:
		a, err := ParseARN(s, "kinesis")
		if err != nil {
			return err
		}
		_, err = ParseKinesisResource(a.Resource)
		return err
	case SourceDynamoDB:
		a, err := ParseARN(s, "dynamodb")
		if err != nil {
			return err
		}
		parts := strings.Split(a.Resource, "/")
		if len(parts) != 4 || parts[0] != "table" || parts[2] != "stream" || !reStreamLabel.MatchString(parts[3]) {
			return invalidf("DynamoDB ARN %s is not a table stream ARN (table/NAME/stream/LABEL)", quoteForError(s))
		}
		return matchName("table name", parts[1], reDynamoTable, "3-255 letters, digits, '_', '-' or '.'")
	case SourceSQS, SourceSQSFIFO:
		a, err := ParseARN(s, "sqs")
		if err != nil {
			return err
		}
		return ValidateQueueName(a.Resource, source == SourceSQSFIFO)
	case SourceMSK:
		a, err := ParseARN(s, "kafka")
		if err != nil {
			return err
		}
		_, err = ParseMSKResource(a.Resource)
		return err
	}
	return invalidf("%s mappings have no EventSourceArn", source)
}

// KinesisResource is the resource part of a Kinesis stream or consumer ARN.
type KinesisResource struct {
	Stream   string
	Consumer string // "" for a stream ARN
}

// ParseKinesisResource parses "stream/NAME" or
// "stream/NAME/consumer/CONSUMER:TIMESTAMP".
func ParseKinesisResource(r string) (KinesisResource, error) {
	parts := strings.Split(r, "/")
	if len(parts) < 2 || parts[0] != "stream" {
		return KinesisResource{}, invalidf("Kinesis ARN resource %s is not stream/NAME", quoteForError(r))
	}
	if err := matchName("stream name", parts[1], reKinesisStream, "1-128 letters, digits, '_', '-' or '.'"); err != nil {
		return KinesisResource{}, err
	}
	switch len(parts) {
	case 2:
		return KinesisResource{Stream: parts[1]}, nil
	case 4:
		name, ts, ok := strings.Cut(parts[3], ":")
		if parts[2] != "consumer" || !ok || ts == "" || strings.Trim(ts, "0123456789") != "" {
			return KinesisResource{}, invalidf("Kinesis ARN resource %s is not stream/NAME/consumer/CONSUMER:TIMESTAMP", quoteForError(r))
		}
		if err := matchName("consumer name", name, reKinesisConsumer, "1-128 letters, digits, '_', '-' or '.'"); err != nil {
			return KinesisResource{}, err
		}
		return KinesisResource{Stream: parts[1], Consumer: name}, nil
	}
	return KinesisResource{}, invalidf("Kinesis ARN resource %s is neither a stream nor a consumer", quoteForError(r))
}

// MSKResource is the resource part of an MSK cluster or VPC connection ARN.
type MSKResource struct {
	// Kind is "cluster" or "vpc-connection".
	Kind        string
	ClusterName string
	UUID        string
	// ClientAccount is the account of a VPC connection (cross-account).
	ClientAccount string
}

// ParseMSKResource parses "cluster/NAME/UUID" or
// "vpc-connection/ACCOUNT/NAME/UUID".
func ParseMSKResource(r string) (MSKResource, error) {
	parts := strings.Split(r, "/")
	var out MSKResource
	switch {
	case len(parts) == 3 && parts[0] == "cluster":
		out = MSKResource{Kind: "cluster", ClusterName: parts[1], UUID: parts[2]}
	case len(parts) == 4 && parts[0] == "vpc-connection":
		if !reAccount.MatchString(parts[1]) {
			return MSKResource{}, invalidf("MSK VPC connection ARN resource %s: %q is not a 12-digit account", quoteForError(r), parts[1])
		}
		out = MSKResource{Kind: "vpc-connection", ClientAccount: parts[1], ClusterName: parts[2], UUID: parts[3]}
	default:
		return MSKResource{}, invalidf("MSK ARN resource %s is not cluster/NAME/UUID (or vpc-connection/ACCOUNT/NAME/UUID)", quoteForError(r))
	}
	if err := matchName("MSK cluster name", out.ClusterName, reMSKCluster, "1-64 letters, digits or hyphens"); err != nil {
		return MSKResource{}, err
	}
	if err := matchName("MSK cluster UUID", out.UUID, reMSKUUID, "the UUID segment of the cluster ARN"); err != nil {
		return MSKResource{}, err
	}
	return out, nil
}

// ValidateDestination checks an on-failure destination for source: an SQS
// queue (not FIFO), SNS topic (not FIFO) or S3 bucket ARN, or kafka://TOPIC
// for Kafka sources.
func ValidateDestination(d string, s Source) error { return validateDestination(d, s) }

func validateDestination(d string, s Source) error {
	if s.IsKafka() && strings.HasPrefix(d, "kafka://") {
		return ValidateTopic(strings.TrimPrefix(d, "kafka://"))
	}
	a, err := ParseARN(d, "")
	if err != nil {
		return err
	}
	switch a.Service {
	case "sqs":
		if strings.HasSuffix(a.Resource, ".fifo") {
			return invalidf("on-failure destination %s is a FIFO queue, which Lambda cannot deliver to", quoteForError(d))
		}
		if err := requireRegional(a, d); err != nil {
			return err
		}
		return ValidateQueueName(a.Resource, false)
	case "sns":
		if strings.HasSuffix(a.Resource, ".fifo") {
			return invalidf("on-failure destination %s is a FIFO topic, which Lambda cannot deliver to", quoteForError(d))
		}
		if err := requireRegional(a, d); err != nil {
			return err
		}
		return matchName("SNS topic name", a.Resource, reSNSTopic, "1-256 letters, digits, hyphens or underscores")
	case "s3":
		// bucket ARNs carry no Region or account: arn:aws:s3:::BUCKET
		if a.Region != "" || a.AccountID != "" {
			return invalidf("on-failure destination %s is not a bucket ARN (arn:aws:s3:::BUCKET)", quoteForError(d))
		}
		return matchName("S3 bucket name", a.Resource, reS3Bucket, "3-63 lowercase letters, digits, '.' or '-' (a bucket ARN, not an object path)")
	}
	return invalidf("on-failure destination %s must be an SQS queue, SNS topic or S3 bucket ARN (or kafka://TOPIC for Kafka)", quoteForError(d))
}

func (m ESM) validateStartingPosition() error {
	needs := m.Source.IsStream() || m.Source.IsKafka()
	switch {
	case !needs && m.StartingPosition != "":
		return invalidf("StartingPosition does not apply to a %s mapping", m.Source)
	case needs && m.StartingPosition == "":
		return invalidf("StartingPosition is required for a %s mapping (TRIM_HORIZON or LATEST)", m.Source)
	case !needs:
		return nil
	}
	allowed := []string{"TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"}
	if m.Source == SourceDynamoDB {
		allowed = allowed[:2]
	}
	if !oneOf(m.StartingPosition, allowed...) {
		return invalidf("StartingPosition %s is not one of %s", quoteForError(m.StartingPosition), strings.Join(allowed, ", "))
	}
	if (m.StartingPosition == "AT_TIMESTAMP") != (m.StartingPositionTimestamp != nil) {
		return invalidf("StartingPositionTimestamp goes with StartingPosition AT_TIMESTAMP, and only with it")
	}
	return nil
}

func (m ESM) validateKafka() error {
	if !m.Source.IsKafka() {
		return nil
	}
	if len(m.Topics) != 1 {
		return invalidf("a Kafka mapping takes exactly one topic in Topics, got %d", len(m.Topics))
	}
	if err := ValidateTopic(m.Topics[0]); err != nil {
		return err
	}
	if c := m.kafkaConfig(); c != nil {
		if c.ConsumerGroupId != "" {
			if err := ValidateConsumerGroupID(c.ConsumerGroupId); err != nil {
				return err
			}
		}
		if r := c.SchemaRegistryConfig; r != nil {
			if !safeText(r.SchemaRegistryURI) || strings.ContainsAny(r.SchemaRegistryURI, "\"'`$\\{}<>|;&") {
				return invalidf("SchemaRegistryConfig.SchemaRegistryURI %s is not a Glue registry ARN or https URL", quoteForError(r.SchemaRegistryURI))
			}
			if r.EventRecordFormat != "" && !oneOf(r.EventRecordFormat, "JSON", "SOURCE") {
				return invalidf("SchemaRegistryConfig.EventRecordFormat %s is not JSON or SOURCE", quoteForError(r.EventRecordFormat))
			}
			for _, a := range r.AccessConfigs {
				if err := validateAccess(a, "BASIC_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH", "SERVER_ROOT_CA_CERTIFICATE"); err != nil {
					return err
				}
			}
			for _, v := range r.SchemaValidationConfigs {
				if !oneOf(v.Attribute, "KEY", "VALUE") {
					return invalidf("SchemaValidationConfigs attribute %s is not KEY or VALUE", quoteForError(v.Attribute))
				}
			}
		}
	}
	types := []string{"SASL_SCRAM_512_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH"}
	if m.Source == SourceSelfManagedKafka {
		types = []string{"BASIC_AUTH", "SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH", "CLIENT_CERTIFICATE_TLS_AUTH", "SERVER_ROOT_CA_CERTIFICATE", "VPC_SUBNET", "VPC_SECURITY_GROUP"}
	}
	for _, a := range m.SourceAccessConfigurations {
		if err := validateAccess(a, types...); err != nil {
			return err
		}
	}
	return nil
}

func validateAccess(a SourceAccessConfiguration, types ...string) error {
	if !oneOf(a.Type, types...) {
		return invalidf("SourceAccessConfigurations type %s is not one of %s here", quoteForError(a.Type), strings.Join(types, ", "))
	}
	switch a.Type {
	case "VPC_SUBNET":
		id, ok := strings.CutPrefix(a.URI, "subnet:")
		if !ok {
			return invalidf("VPC_SUBNET URI %s must be subnet:subnet-…", quoteForError(a.URI))
		}
		return validateSubnet(id)
	case "VPC_SECURITY_GROUP":
		id, ok := strings.CutPrefix(a.URI, "security_group:")
		if !ok {
			return invalidf("VPC_SECURITY_GROUP URI %s must be security_group:sg-…", quoteForError(a.URI))
		}
		return validateSG(id)
	}
	return ValidateSecretARN(a.URI)
}

var reSecretName = regexpMust(`^secret:[A-Za-z0-9/_+=.@-]{1,512}$`)

// ValidateSecretARN checks a Secrets Manager secret ARN.
func ValidateSecretARN(s string) error {
	a, err := ParseARN(s, "secretsmanager")
	if err != nil {
		return err
	}
	if !reSecretName.MatchString(a.Resource) {
		return invalidf("secret ARN %s: resource must be secret:NAME", quoteForError(s))
	}
	return nil
}

var reTFTraversal = regexpMust(`^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*\.[a-z_]+$`)

func (r *Ref) validate() error {
	if err := ValidateLogicalID(r.CFN); err != nil {
		return err
	}
	if r.CFNAttr != "" && !reLogicalID.MatchString(r.CFNAttr) {
		return invalidf("GetAtt attribute %s is not valid", quoteForError(r.CFNAttr))
	}
	if !reTFTraversal.MatchString(r.TF) {
		return invalidf("Terraform reference %s is not TYPE.NAME.ATTRIBUTE", quoteForError(r.TF))
	}
	return nil
}
