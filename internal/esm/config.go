package esm

import (
	"strconv"
	"strings"
	"time"
)

// Config is an event source mapping configuration keyed by the Lambda API's
// field names; nested objects are map[string]any and lists []any, as
// encoding/json or a YAML decoder produce them. A value may be [Unresolved]
// when it came from a template and is an intrinsic function.
type Config map[string]any

// Unresolved stands for a value whose literal is unknown until deployment,
// such as !Ref or !GetAtt in a template. Rules treat the field as present but
// skip checks of its value.
type Unresolved struct {
	// Expr is a short rendering of the expression, e.g. "!GetAtt Queue.Arn".
	Expr string
}

// Context is what the rules may know beyond the mapping itself. Zero values
// mean unknown and switch the dependent rules off.
type Context struct {
	// FunctionTimeoutSeconds is the target function's timeout.
	FunctionTimeoutSeconds float64
	// QueueVisibilityTimeoutSeconds is the SQS queue's visibility timeout.
	QueueVisibilityTimeoutSeconds float64
	// Partitions is the Kafka topic's partition count.
	Partitions int
	// Shards is the Kinesis stream's (or DynamoDB stream's) shard count.
	Shards int
	// AvgRecordBytes is the average record size.
	AvgRecordBytes float64
	// AccountConcurrency is the account's concurrency quota; 0 means the
	// default quota from the guidance table.
	AccountConcurrency int
	// Now is the current time, for StartingPositionTimestamp; zero means
	// time.Now().
	Now time.Time
}

type presence int

const (
	absent presence = iota
	unresolved
	present
)

// lookup walks a dotted path through nested maps. A JSON null counts as
// absent, as the Lambda API treats it.
func (c Config) lookup(path string) (any, presence) {
	var cur any = map[string]any(c)
	rest := path
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ".")
		var m map[string]any
		switch x := cur.(type) {
		case map[string]any:
			m = x
		case Config:
			m = x
		case Unresolved:
			return x, unresolved
		default:
			return nil, absent
		}
		v, ok := m[part]
		if !ok || v == nil {
			return nil, absent
		}
		cur = v
	}
	if u, ok := cur.(Unresolved); ok {
		return u, unresolved
	}
	return cur, present
}

func toList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

func toMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case Config:
		return x, true
	}
	return nil, false
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
