package awssim

import (
	"context"
	"encoding/json"
	"net/http"
)

// FirehoseState is the Amazon Data Firehose section of a scenario.
type FirehoseState struct {
	DeliveryStreams []DeliveryStream `yaml:"delivery_streams"`
}

// DeliveryStream is a Firehose stream as DescribeDeliveryStream returns it
// (member names of DeliveryStreamDescription). Destinations support the
// extended S3 description, the one Firehose returns for S3 destinations.
type DeliveryStream struct {
	DeliveryStreamName string `yaml:"DeliveryStreamName" json:"DeliveryStreamName"`
	// DeliveryStreamARN defaults to
	// arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME.
	DeliveryStreamARN    string `yaml:"DeliveryStreamARN" json:"DeliveryStreamARN"`
	DeliveryStreamStatus string `yaml:"DeliveryStreamStatus" json:"DeliveryStreamStatus"`
	// DeliveryStreamType is DirectPut (default), KinesisStreamAsSource or
	// MSKAsSource.
	DeliveryStreamType                    string                `yaml:"DeliveryStreamType" json:"DeliveryStreamType"`
	FailureDescription                    *FirehoseFailure      `yaml:"FailureDescription" json:"FailureDescription,omitempty"`
	DeliveryStreamEncryptionConfiguration *FirehoseEncryption   `yaml:"DeliveryStreamEncryptionConfiguration" json:"DeliveryStreamEncryptionConfiguration,omitempty"`
	VersionID                             string                `yaml:"VersionId" json:"VersionId"`
	CreateTimestamp                       Timestamp             `yaml:"CreateTimestamp" json:"CreateTimestamp,omitzero"`
	LastUpdateTimestamp                   Timestamp             `yaml:"LastUpdateTimestamp" json:"LastUpdateTimestamp,omitzero"`
	Source                                *FirehoseSource       `yaml:"Source" json:"Source,omitempty"`
	Destinations                          []FirehoseDestination `yaml:"Destinations" json:"Destinations"`
	HasMoreDestinations                   bool                  `yaml:"-" json:"HasMoreDestinations"`
}

// FirehoseFailure is FailureDescription.
type FirehoseFailure struct {
	Type    string `yaml:"Type" json:"Type"`
	Details string `yaml:"Details" json:"Details"`
}

// FirehoseEncryption is DeliveryStreamEncryptionConfiguration.
type FirehoseEncryption struct {
	KeyARN  string `yaml:"KeyARN" json:"KeyARN,omitempty"`
	KeyType string `yaml:"KeyType" json:"KeyType,omitempty"`
	Status  string `yaml:"Status" json:"Status,omitempty"`
}

// FirehoseSource is SourceDescription.
type FirehoseSource struct {
	KinesisStreamSourceDescription *FirehoseKinesisSource `yaml:"KinesisStreamSourceDescription" json:"KinesisStreamSourceDescription,omitempty"`
	MSKSourceDescription           *FirehoseMSKSource     `yaml:"MSKSourceDescription" json:"MSKSourceDescription,omitempty"`
}

// FirehoseKinesisSource is KinesisStreamSourceDescription.
type FirehoseKinesisSource struct {
	KinesisStreamARN string `yaml:"KinesisStreamARN" json:"KinesisStreamARN,omitempty"`
	RoleARN          string `yaml:"RoleARN" json:"RoleARN,omitempty"`
}

// FirehoseMSKSource is MSKSourceDescription.
type FirehoseMSKSource struct {
	MSKClusterARN               string           `yaml:"MSKClusterARN" json:"MSKClusterARN,omitempty"`
	TopicName                   string           `yaml:"TopicName" json:"TopicName,omitempty"`
	AuthenticationConfiguration *FirehoseMSKAuth `yaml:"AuthenticationConfiguration" json:"AuthenticationConfiguration,omitempty"`
}

// FirehoseMSKAuth is AuthenticationConfiguration.
type FirehoseMSKAuth struct {
	RoleARN      string `yaml:"RoleARN" json:"RoleARN"`
	Connectivity string `yaml:"Connectivity" json:"Connectivity"`
}

// FirehoseDestination is DestinationDescription.
type FirehoseDestination struct {
	DestinationID                    string          `yaml:"DestinationId" json:"DestinationId"`
	ExtendedS3DestinationDescription *FirehoseS3Dest `yaml:"ExtendedS3DestinationDescription" json:"ExtendedS3DestinationDescription,omitempty"`
}

// FirehoseS3Dest is ExtendedS3DestinationDescription (the required members
// and the ones the inspector reads).
type FirehoseS3Dest struct {
	RoleARN                  string               `yaml:"RoleARN" json:"RoleARN"`
	BucketARN                string               `yaml:"BucketARN" json:"BucketARN"`
	Prefix                   string               `yaml:"Prefix" json:"Prefix,omitempty"`
	ErrorOutputPrefix        string               `yaml:"ErrorOutputPrefix" json:"ErrorOutputPrefix,omitempty"`
	BufferingHints           FirehoseBuffering    `yaml:"BufferingHints" json:"BufferingHints"`
	CompressionFormat        string               `yaml:"CompressionFormat" json:"CompressionFormat"`
	EncryptionConfiguration  FirehoseS3Encryption `yaml:"-" json:"EncryptionConfiguration"`
	CloudWatchLoggingOptions *FirehoseLogging     `yaml:"CloudWatchLoggingOptions" json:"CloudWatchLoggingOptions,omitempty"`
}

// FirehoseBuffering is BufferingHints.
type FirehoseBuffering struct {
	SizeInMBs         int `yaml:"SizeInMBs" json:"SizeInMBs,omitempty"`
	IntervalInSeconds int `yaml:"IntervalInSeconds" json:"IntervalInSeconds,omitempty"`
}

// FirehoseS3Encryption is the S3 EncryptionConfiguration; the simulator
// always answers NoEncryption.
type FirehoseS3Encryption struct {
	NoEncryptionConfig string `json:"NoEncryptionConfig"`
}

// FirehoseLogging is CloudWatchLoggingOptions.
type FirehoseLogging struct {
	Enabled       bool   `yaml:"Enabled" json:"Enabled"`
	LogGroupName  string `yaml:"LogGroupName" json:"LogGroupName,omitempty"`
	LogStreamName string `yaml:"LogStreamName" json:"LogStreamName,omitempty"`
}

func (sc *Scenario) deliveryStreamARN(d DeliveryStream) string {
	if d.DeliveryStreamARN != "" {
		return d.DeliveryStreamARN
	}
	return "arn:aws:firehose:" + sc.Region + ":" + sc.Account + ":deliverystream/" + d.DeliveryStreamName
}

func (s *Server) firehoseService() service {
	ops := map[string]bool{"DescribeDeliveryStream": true}
	return service{
		name:  "firehose",
		proto: protocol{kind: protoJSON, jsonVersion: "1.1"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "ThrottlingException", throttlingStatus: http.StatusBadRequest,
			internal: "ServiceUnavailableException", notFound: "ResourceNotFoundException"},
		ops:       opList(ops),
		operation: jsonTargetOp("Firehose_20150804", ops),
		handle:    s.firehose,
	}
}

func (s *Server) firehose(_ context.Context, r *request) (any, error) {
	var in struct{ DeliveryStreamName string }
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("InvalidArgumentException", "malformed request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.sc.Firehose.DeliveryStreams {
		if d.DeliveryStreamName != in.DeliveryStreamName {
			continue
		}
		d.DeliveryStreamARN = s.sc.deliveryStreamARN(d)
		d.VersionID = orDefault(d.VersionID, "1")
		d.DeliveryStreamType = orDefault(d.DeliveryStreamType, "DirectPut")
		d.DeliveryStreamStatus = orDefault(d.DeliveryStreamStatus, "ACTIVE")
		dests := make([]FirehoseDestination, len(d.Destinations))
		for i, x := range d.Destinations {
			if x.ExtendedS3DestinationDescription != nil {
				s3 := *x.ExtendedS3DestinationDescription
				s3.CompressionFormat = orDefault(s3.CompressionFormat, "UNCOMPRESSED")
				s3.EncryptionConfiguration = FirehoseS3Encryption{NoEncryptionConfig: "NoEncryption"}
				x.ExtendedS3DestinationDescription = &s3
			}
			dests[i] = x
		}
		d.Destinations = dests
		return struct{ DeliveryStreamDescription DeliveryStream }{d}, nil
	}
	return nil, errBadRequest("ResourceNotFoundException", "Firehose "+in.DeliveryStreamName+" under account "+s.sc.Account+" not found.")
}
