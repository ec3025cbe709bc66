// Package esm is the Lambda event source mapping domain: the per-source rule
// engine behind validate_config kind=esm and esm_optimize action=validate,
// source-type detection from an EventSourceArn, and helpers to read an ESM
// configuration written with the Lambda API's own PascalCase field names (as
// GetEventSourceMapping returns it, or as AWS::Lambda::EventSourceMapping
// properties).
//
// Every limit, allowed value and applicability list comes from the guidance
// base (guidance/limits/esm.yaml and lambda.yaml); the rule id of each
// violation is the guidance id of the fact it enforces, and its reference is
// that entry's source URL.
package esm

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// SourceType names the kind of event source behind a mapping.
type SourceType string

// The eight source types. The string values are the ones the tools accept
// in event_source and the guidance tables use in applicability lists.
const (
	Kinesis          SourceType = "kinesis"
	DynamoDB         SourceType = "dynamodb"
	SQS              SourceType = "sqs"
	SQSFIFO          SourceType = "sqs_fifo"
	MSK              SourceType = "msk"
	SelfManagedKafka SourceType = "self_managed_kafka"
	MQ               SourceType = "mq"
	DocumentDB       SourceType = "documentdb"
)

// SourceTypes lists every source type in a stable order.
func SourceTypes() []SourceType {
	return []SourceType{Kinesis, DynamoDB, SQS, SQSFIFO, MSK, SelfManagedKafka, MQ, DocumentDB}
}

// IsKafka reports whether the source is Amazon MSK or self-managed Kafka.
func (s SourceType) IsKafka() bool { return s == MSK || s == SelfManagedKafka }

// IsStream reports whether the source is Kinesis or DynamoDB Streams.
func (s SourceType) IsStream() bool { return s == Kinesis || s == DynamoDB }

// IsSQS reports whether the source is an SQS queue (standard or FIFO).
func (s SourceType) IsSQS() bool { return s == SQS || s == SQSFIFO }

// ParseSourceType accepts a source type name; "kafka" is not accepted
// because MSK and self-managed Kafka differ in their rules.
func ParseSourceType(s string) (SourceType, error) {
	v := SourceType(strings.ToLower(strings.TrimSpace(s)))
	for _, t := range SourceTypes() {
		if v == t {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown event source %q; use one of %v", s, SourceTypes())
}

// SourceFromARN returns the source type an EventSourceArn points at:
// a Kinesis stream or stream consumer, a DynamoDB stream, an SQS queue
// (FIFO when the name ends in .fifo), an MSK cluster or managed VPC
// connection, an Amazon MQ broker, or a DocumentDB cluster (rds service,
// cluster resource). It returns false for anything else.
func SourceFromARN(s string) (SourceType, bool) {
	a, err := arn.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	switch a.Service {
	case "kinesis":
		if strings.HasPrefix(a.Resource, "stream/") {
			return Kinesis, true
		}
	case "dynamodb":
		if strings.Contains(a.Resource, "/stream/") {
			return DynamoDB, true
		}
	case "sqs":
		if strings.HasSuffix(a.Resource, ".fifo") {
			return SQSFIFO, true
		}
		return SQS, true
	case "kafka":
		if strings.HasPrefix(a.Resource, "cluster/") || strings.HasPrefix(a.Resource, "vpc-connection/") {
			return MSK, true
		}
	case "mq":
		if strings.HasPrefix(a.Resource, "broker:") {
			return MQ, true
		}
	case "rds":
		if strings.HasPrefix(a.Resource, "cluster:") {
			return DocumentDB, true
		}
	}
	return "", false
}

// DetectSource decides the source type of a configuration from its
// EventSourceArn, or from SelfManagedEventSource for self-managed Kafka.
// It returns an error naming what to send when neither tells.
func DetectSource(cfg Config) (SourceType, error) {
	if v, k := cfg.lookup("EventSourceArn"); k == present {
		if s, ok := v.(string); ok {
			if t, ok := SourceFromARN(s); ok {
				return t, nil
			}
			return "", fmt.Errorf("EventSourceArn %q is not a Kinesis, DynamoDB stream, SQS, MSK, Amazon MQ or DocumentDB ARN; send event_source", s)
		}
	}
	if _, k := cfg.lookup("SelfManagedEventSource"); k != absent {
		return SelfManagedKafka, nil
	}
	return "", fmt.Errorf("cannot tell the source type: no literal EventSourceArn and no SelfManagedEventSource; send event_source")
}
