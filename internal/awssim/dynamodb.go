package awssim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// DynamoDBState is the `dynamodb:` section: tables and their streams.
type DynamoDBState struct {
	Tables []DynamoTable `yaml:"tables"`
}

// DynamoTable is a table in the DescribeTable shape plus its stream. With
// StreamSpecification.StreamEnabled, the table has a latest stream labelled
// StreamLabel (default from CreationDateTime) whose shards are ShardCount
// open shards or the explicit Shards.
type DynamoTable struct {
	TableName            string           `yaml:"TableName"`
	TableStatus          string           `yaml:"TableStatus"`
	KeySchema            []map[string]any `yaml:"KeySchema"`
	AttributeDefinitions []map[string]any `yaml:"AttributeDefinitions"`
	// BillingMode is PAY_PER_REQUEST or PROVISIONED (with
	// ProvisionedThroughput{ReadCapacityUnits,WriteCapacityUnits}).
	BillingMode               string         `yaml:"BillingMode"`
	ProvisionedThroughput     map[string]any `yaml:"ProvisionedThroughput"`
	ItemCount                 int64          `yaml:"ItemCount"`
	TableSizeBytes            int64          `yaml:"TableSizeBytes"`
	CreationDateTime          Timestamp      `yaml:"CreationDateTime"`
	SSEDescription            map[string]any `yaml:"SSEDescription"`
	DeletionProtectionEnabled bool           `yaml:"DeletionProtectionEnabled"`
	StreamSpecification       *struct {
		StreamEnabled  bool   `yaml:"StreamEnabled" json:"StreamEnabled"`
		StreamViewType string `yaml:"StreamViewType" json:"StreamViewType,omitempty"`
	} `yaml:"StreamSpecification"`
	StreamLabel  string          `yaml:"StreamLabel"`
	StreamStatus string          `yaml:"StreamStatus"`
	ShardCount   int             `yaml:"ShardCount"`
	Shards       []DynamoDBShard `yaml:"Shards"`
}

// DynamoDBShard is one stream shard; Closed shards have an ending sequence
// number.
type DynamoDBShard struct {
	ShardId       string `yaml:"ShardId"`
	ParentShardId string `yaml:"ParentShardId"`
	Closed        bool   `yaml:"Closed"`
}

var streamViewTypes = []string{"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"}

func (d DynamoDBState) check() error {
	for i, t := range d.Tables {
		if t.TableName == "" || len(t.KeySchema) == 0 {
			return fmt.Errorf("dynamodb.tables[%d]: TableName and KeySchema are required", i)
		}
		if ss := t.StreamSpecification; ss != nil && ss.StreamEnabled && !contains(streamViewTypes, ss.StreamViewType) {
			return fmt.Errorf("dynamodb.tables[%d].StreamSpecification.StreamViewType %q: want one of %s", i, ss.StreamViewType, strings.Join(streamViewTypes, ", "))
		}
		if len(t.Shards) > 0 && t.ShardCount > 0 {
			return fmt.Errorf("dynamodb.tables[%d]: give ShardCount or Shards, not both", i)
		}
	}
	return nil
}

func (sc *Scenario) tableARN(name string) string {
	return "arn:aws:dynamodb:" + sc.Region + ":" + sc.Account + ":table/" + name
}

// streamLabel is the table's latest stream label (an ISO 8601 time).
func (t DynamoTable) streamLabel() string {
	if t.StreamLabel != "" {
		return t.StreamLabel
	}
	return t.created().UTC().Format("2006-01-02T15:04:05.000")
}

func (t DynamoTable) created() Timestamp {
	if t.CreationDateTime.IsZero() {
		return Timestamp{iamCreated}
	}
	return t.CreationDateTime
}

func (t DynamoTable) streaming() bool {
	return t.StreamSpecification != nil && t.StreamSpecification.StreamEnabled
}

func (sc *Scenario) describeTable(t DynamoTable) map[string]any {
	out := map[string]any{
		"TableName":                 t.TableName,
		"TableArn":                  sc.tableARN(t.TableName),
		"TableId":                   uuidFrom("ddb:" + t.TableName),
		"TableStatus":               orDefault(t.TableStatus, "ACTIVE"),
		"KeySchema":                 t.KeySchema,
		"AttributeDefinitions":      nonNil(t.AttributeDefinitions),
		"CreationDateTime":          t.created(),
		"ItemCount":                 t.ItemCount,
		"TableSizeBytes":            t.TableSizeBytes,
		"DeletionProtectionEnabled": t.DeletionProtectionEnabled,
	}
	pt := map[string]any{"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
	for k, v := range t.ProvisionedThroughput {
		pt[k] = v
	}
	out["ProvisionedThroughput"] = pt
	if mode := orDefault(t.BillingMode, "PROVISIONED"); mode == "PAY_PER_REQUEST" {
		out["BillingModeSummary"] = map[string]any{"BillingMode": mode}
	}
	if t.SSEDescription != nil {
		out["SSEDescription"] = t.SSEDescription
	}
	if t.StreamSpecification != nil {
		out["StreamSpecification"] = t.StreamSpecification
	}
	if t.streaming() {
		out["LatestStreamLabel"] = t.streamLabel()
		out["LatestStreamArn"] = sc.tableARN(t.TableName) + "/stream/" + t.streamLabel()
	}
	return out
}

func (s *Server) dynamodbService() service {
	ops := map[string]string{"DescribeTable": "DynamoDB_20120810", "DescribeStream": "DynamoDBStreams_20120810", "ListStreams": "DynamoDBStreams_20120810"}
	return service{
		name:  "dynamodb",
		proto: protocol{kind: protoJSON, jsonVersion: "1.0", typePrefix: "com.amazonaws.dynamodb.v20120810#"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "ThrottlingException", throttlingStatus: http.StatusBadRequest,
			internal: "InternalServerError", notFound: "ResourceNotFoundException"},
		ops: []string{"DescribeTable", "DescribeStream", "ListStreams"},
		// DynamoDB and DynamoDB Streams share the signing name; the
		// X-Amz-Target prefix tells them apart.
		operation: func(r *request) string {
			p, op, _ := strings.Cut(r.http.Header.Get("X-Amz-Target"), ".")
			if ops[op] == p {
				return op
			}
			return ""
		},
		handle: s.dynamodb,
	}
}

func (s *Server) dynamodb(_ context.Context, r *request) (any, error) {
	var in struct {
		TableName, StreamArn, ExclusiveStartShardId, ExclusiveStartStreamArn string
		Limit                                                                *int
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("SerializationException", "malformed request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	switch r.op {
	case "DescribeTable":
		name := strings.TrimPrefix(in.TableName, sc.tableARN(""))
		for _, t := range sc.DynamoDB.Tables {
			if t.TableName == name {
				return map[string]any{"Table": sc.describeTable(t)}, nil
			}
		}
		return nil, errBadRequest("ResourceNotFoundException", "Requested resource not found: Table: "+name+" not found")
	case "ListStreams":
		var streams []map[string]string
		for _, t := range sc.DynamoDB.Tables {
			if t.streaming() && (in.TableName == "" || in.TableName == t.TableName) {
				streams = append(streams, map[string]string{"StreamArn": sc.tableARN(t.TableName) + "/stream/" + t.streamLabel(),
					"TableName": t.TableName, "StreamLabel": t.streamLabel()})
			}
		}
		return map[string]any{"Streams": nonNil(streams)}, nil
	}
	// DescribeStream
	for _, t := range sc.DynamoDB.Tables {
		if !t.streaming() || sc.tableARN(t.TableName)+"/stream/"+t.streamLabel() != in.StreamArn {
			continue
		}
		_, limit, _ := bounds("dynamodbstreams.DescribeStream.Limit")
		if in.Limit != nil {
			if err := checkBounds("dynamodbstreams.DescribeStream.Limit", "ValidationException", *in.Limit); err != nil {
				return nil, err
			}
			limit = *in.Limit
		}
		shards := t.streamShards()
		start := 0
		if in.ExclusiveStartShardId != "" {
			for i, sh := range shards {
				if sh.ShardId == in.ExclusiveStartShardId {
					start = i + 1
				}
			}
		}
		end := min(start+limit, len(shards))
		out := make([]map[string]any, 0, end-start)
		for i := start; i < end; i++ {
			sh := shards[i]
			seq := map[string]string{"StartingSequenceNumber": fmt.Sprintf("%021d", (i+1)*100000000000)}
			if sh.Closed {
				seq["EndingSequenceNumber"] = fmt.Sprintf("%021d", (i+1)*100000000000+99999)
			}
			m := map[string]any{"ShardId": sh.ShardId, "SequenceNumberRange": seq}
			if sh.ParentShardId != "" {
				m["ParentShardId"] = sh.ParentShardId
			}
			out = append(out, m)
		}
		d := map[string]any{
			"StreamArn": in.StreamArn, "StreamLabel": t.streamLabel(), "StreamStatus": orDefault(t.StreamStatus, "ENABLED"),
			"StreamViewType": t.StreamSpecification.StreamViewType, "CreationRequestDateTime": t.created(),
			"TableName": t.TableName, "KeySchema": t.KeySchema, "Shards": out,
		}
		if end < len(shards) {
			d["LastEvaluatedShardId"] = shards[end-1].ShardId
		}
		return map[string]any{"StreamDescription": d}, nil
	}
	return nil, errBadRequest("ResourceNotFoundException", "Requested resource not found: Stream: "+in.StreamArn+" not found")
}

// streamShards are the explicit shards or ShardCount (default 1) open ones.
func (t DynamoTable) streamShards() []DynamoDBShard {
	if len(t.Shards) > 0 {
		return t.Shards
	}
	out := make([]DynamoDBShard, max(t.ShardCount, 1))
	for i := range out {
		out[i].ShardId = fmt.Sprintf("shardId-%020d-%s", 1700000000000+i, shortHash(t.TableName)[:8])
	}
	return out
}
