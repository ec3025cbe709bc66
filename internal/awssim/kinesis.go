package awssim

// This file is owned by the Kinesis/CloudWatch work (see doc.go): the
// `kinesis:` scenario section and the Kinesis Data Streams JSON 1.1
// protocol (X-Amz-Target Kinesis_20131202.*).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// KinesisState is the `kinesis:` section of a scenario.
type KinesisState struct {
	Streams []KinesisStream `yaml:"streams"`
}

// KinesisStream is one simulated data stream. Field names follow
// DescribeStreamSummary. Either ShardCount (that many open shards splitting
// the hash-key space evenly) or Shards (explicit, e.g. after splits) is
// given.
type KinesisStream struct {
	StreamName string `yaml:"StreamName"`
	// StreamMode is PROVISIONED (default) or ON_DEMAND.
	StreamMode           string    `yaml:"StreamMode"`
	StreamStatus         string    `yaml:"StreamStatus"` // default ACTIVE
	RetentionPeriodHours int       `yaml:"RetentionPeriodHours"`
	EncryptionType       string    `yaml:"EncryptionType"` // NONE (default) or KMS
	KeyId                string    `yaml:"KeyId"`
	MaxRecordSizeInKiB   int       `yaml:"MaxRecordSizeInKiB"`
	StreamCreationTime   Timestamp `yaml:"StreamCreationTimestamp"`
	// EnhancedMonitoring lists the enabled shard-level metrics (or ALL).
	EnhancedMonitoring []string `yaml:"EnhancedMonitoring"`
	// WarmThroughputMiBps is the current warm throughput (on-demand).
	WarmThroughputMiBps int `yaml:"WarmThroughputMiBps"`

	ShardCount int               `yaml:"ShardCount"`
	Shards     []KinesisShard    `yaml:"Shards"`
	Consumers  []KinesisConsumer `yaml:"Consumers"`

	// UpdatingDescribes is how many DescribeStreamSummary, DescribeStream
	// or ListShards calls after an UpdateShardCount or UpdateStreamMode
	// still see the stream UPDATING (default 1); UpdatingFor, when set,
	// makes it a duration instead. A change asked for meanwhile is refused
	// with ResourceInUseException, as Kinesis does.
	UpdatingDescribes int      `yaml:"UpdatingDescribes"`
	UpdatingFor       Duration `yaml:"UpdatingFor"`

	// pending is the change under way: the shards the stream gets when the
	// update completes (nil for a mode switch), the describes left and the
	// deadline.
	pending *kinesisUpdate
}

// kinesisUpdate is an asynchronous capacity change in progress.
type kinesisUpdate struct {
	shards []KinesisShard
	left   int
	until  time.Time
}

// progress advances a pending update by one describe (now is the time of
// the call): the update completes, and the stream is ACTIVE again with its
// new shards, once its describes or its duration are used up.
func (st *KinesisStream) progress(now time.Time, describe bool) {
	u := st.pending
	if u == nil {
		return
	}
	done := u.left <= 0
	if !u.until.IsZero() {
		done = !now.Before(u.until)
	}
	if done {
		if u.shards != nil {
			st.Shards = u.shards
		}
		st.StreamStatus, st.pending = "ACTIVE", nil
		return
	}
	if describe && u.until.IsZero() {
		u.left--
	}
}

// busy refuses a change while another is under way (or the stream is not
// ACTIVE for any other reason), with Kinesis's ResourceInUseException.
func (st *KinesisStream) busy(sc *Scenario, now time.Time) error {
	st.progress(now, false)
	if st.StreamStatus != "ACTIVE" {
		return errBadRequest("ResourceInUseException", "Stream "+st.StreamName+" under account "+sc.Account+" not ACTIVE, instead in state "+st.StreamStatus)
	}
	return nil
}

// startUpdate marks the stream UPDATING until the change completes, or
// refuses when another change is under way.
func (st *KinesisStream) startUpdate(sc *Scenario, now time.Time, shards []KinesisShard) error {
	if err := st.busy(sc, now); err != nil {
		return err
	}
	u := &kinesisUpdate{shards: shards, left: st.UpdatingDescribes}
	if u.left <= 0 {
		u.left = 1
	}
	if st.UpdatingFor.Duration > 0 {
		u.until = now.Add(st.UpdatingFor.Duration)
	}
	st.StreamStatus, st.pending = "UPDATING", u
	return nil
}

// KinesisShard is one shard. Closed shards (parents of a split or merge)
// have an ending sequence number.
type KinesisShard struct {
	ShardId               string `yaml:"ShardId"`
	ParentShardId         string `yaml:"ParentShardId"`
	AdjacentParentShardId string `yaml:"AdjacentParentShardId"`
	StartingHashKey       string `yaml:"StartingHashKey"`
	EndingHashKey         string `yaml:"EndingHashKey"`
	Closed                bool   `yaml:"Closed"`
}

// KinesisConsumer is one registered enhanced fan-out consumer.
type KinesisConsumer struct {
	ConsumerName   string    `yaml:"ConsumerName"`
	ConsumerStatus string    `yaml:"ConsumerStatus"` // default ACTIVE
	Created        Timestamp `yaml:"ConsumerCreationTimestamp"`
}

// check validates the section and fills defaults, so every stream has
// explicit shards from here on.
func (k KinesisState) check(sc *Scenario) error {
	seen := map[string]bool{}
	for i := range sc.Kinesis.Streams {
		st := &sc.Kinesis.Streams[i]
		if st.StreamName == "" {
			return fmt.Errorf("kinesis.streams[%d]: StreamName is required", i)
		}
		if seen[st.StreamName] {
			return fmt.Errorf("kinesis.streams[%d]: duplicate StreamName %s", i, st.StreamName)
		}
		seen[st.StreamName] = true
		switch st.StreamMode {
		case "":
			st.StreamMode = "PROVISIONED"
		case "PROVISIONED", "ON_DEMAND":
		default:
			return fmt.Errorf("kinesis.streams[%d].StreamMode %q: want PROVISIONED or ON_DEMAND", i, st.StreamMode)
		}
		if st.StreamStatus == "" {
			st.StreamStatus = "ACTIVE"
		}
		if st.RetentionPeriodHours == 0 {
			st.RetentionPeriodHours = 24
		}
		if st.EncryptionType == "" {
			st.EncryptionType = "NONE"
		}
		if st.MaxRecordSizeInKiB == 0 {
			st.MaxRecordSizeInKiB = 1024
		}
		if st.StreamCreationTime.IsZero() {
			st.StreamCreationTime = Timestamp{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		}
		switch {
		case len(st.Shards) > 0 && st.ShardCount > 0:
			return fmt.Errorf("kinesis.streams[%d]: give ShardCount or Shards, not both", i)
		case len(st.Shards) == 0 && st.ShardCount <= 0:
			return fmt.Errorf("kinesis.streams[%d]: ShardCount or Shards is required", i)
		case len(st.Shards) == 0:
			st.Shards = evenShards(st.ShardCount, 0)
			st.ShardCount = 0
		}
		for j, sh := range st.Shards {
			if sh.ShardId == "" || sh.StartingHashKey == "" || sh.EndingHashKey == "" {
				return fmt.Errorf("kinesis.streams[%d].Shards[%d]: ShardId, StartingHashKey and EndingHashKey are required", i, j)
			}
		}
		for j := range st.Consumers {
			if st.Consumers[j].ConsumerName == "" {
				return fmt.Errorf("kinesis.streams[%d].Consumers[%d]: ConsumerName is required", i, j)
			}
			if st.Consumers[j].ConsumerStatus == "" {
				st.Consumers[j].ConsumerStatus = "ACTIVE"
			}
			if st.Consumers[j].Created.IsZero() {
				st.Consumers[j].Created = st.StreamCreationTime
			}
		}
	}
	return nil
}

// evenShards splits the 128-bit hash-key space into n open shards, the way
// CreateStream does, numbering them from first.
func evenShards(n, first int) []KinesisShard {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	out := make([]KinesisShard, n)
	for i := range n {
		lo := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i))), big.NewInt(int64(n)))
		hi := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i+1))), big.NewInt(int64(n)))
		hi.Sub(hi, big.NewInt(1))
		out[i] = KinesisShard{
			ShardId:         fmt.Sprintf("shardId-%012d", first+i),
			StartingHashKey: lo.String(),
			EndingHashKey:   hi.String(),
		}
	}
	return out
}

func (sc *Scenario) streamARN(name string) string {
	return "arn:aws:kinesis:" + sc.Region + ":" + sc.Account + ":stream/" + name
}

var kinesisOps = map[string]bool{
	"DescribeStreamSummary": true, "DescribeStream": true, "ListShards": true,
	"ListStreamConsumers": true, "ListStreams": true,
	"UpdateShardCount": true, "UpdateStreamMode": true,
}

func (s *Server) kinesisService() service {
	return service{
		name:  "kinesis",
		proto: protocol{kind: protoJSON, jsonVersion: "1.1"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "LimitExceededException", throttlingStatus: http.StatusBadRequest,
			internal: "InternalFailure", notFound: "ResourceNotFoundException"},
		ops:       opList(kinesisOps),
		operation: jsonTargetOp("Kinesis_20131202", kinesisOps),
		handle:    s.kinesis,
	}
}

// kinesisIn is the union of the request members the simulated operations
// read.
type kinesisIn struct {
	StreamName            string
	StreamARN             string
	NextToken             string
	MaxResults            int
	ExclusiveStartShardId string
	Limit                 int
	TargetShardCount      int
	ScalingType           string
	StreamModeDetails     struct{ StreamMode string }
}

func (s *Server) kinesis(_ context.Context, r *request) (any, error) {
	var in kinesisIn
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &in); err != nil {
			return nil, errBadRequest("SerializationException", "malformed request: "+err.Error())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	if r.op == "ListStreams" {
		names := make([]string, 0, len(sc.Kinesis.Streams))
		for _, st := range sc.Kinesis.Streams {
			names = append(names, st.StreamName)
		}
		sort.Strings(names)
		return map[string]any{"StreamNames": names, "HasMoreStreams": false}, nil
	}
	// ListShards follow-up pages name the stream only in the token, and the
	// API rejects a stream name next to a token.
	if r.op == "ListShards" && in.NextToken != "" {
		if in.StreamName != "" || in.StreamARN != "" {
			return nil, errBadRequest("InvalidArgumentException", "NextToken and StreamName/StreamARN cannot be provided together.")
		}
		name, off, err := decodeKinesisToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		in.StreamName = name
		st := sc.findStream(name)
		if st == nil {
			return nil, errBadRequest("ExpiredNextTokenException", "The token is no longer valid")
		}
		return listShardsPage(sc, st, off, in.MaxResults)
	}
	st, err := sc.kinesisTarget(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	switch r.op {
	case "DescribeStreamSummary", "DescribeStream", "ListShards":
		st.progress(time.Now(), true)
	}
	switch r.op {
	case "DescribeStreamSummary":
		return map[string]any{"StreamDescriptionSummary": streamSummary(sc, st)}, nil
	case "DescribeStream":
		return describeStream(sc, st, in)
	case "ListShards":
		off := 0
		if in.ExclusiveStartShardId != "" {
			for i, sh := range st.Shards {
				if sh.ShardId == in.ExclusiveStartShardId {
					off = i + 1
				}
			}
		}
		return listShardsPage(sc, st, off, in.MaxResults)
	case "ListStreamConsumers":
		return listConsumers(sc, st, in)
	case "UpdateShardCount":
		return updateShardCount(sc, st, in)
	case "UpdateStreamMode":
		switch in.StreamModeDetails.StreamMode {
		case "PROVISIONED", "ON_DEMAND":
		default:
			return nil, errBadRequest("ValidationException", "StreamModeDetails.StreamMode must be PROVISIONED or ON_DEMAND")
		}
		if st.StreamMode == in.StreamModeDetails.StreamMode {
			return nil, errBadRequest("ValidationException", "Stream "+st.StreamName+" is already in "+st.StreamMode+" mode")
		}
		if err := st.startUpdate(sc, time.Now(), nil); err != nil {
			return nil, err
		}
		st.StreamMode = in.StreamModeDetails.StreamMode
		return struct{}{}, nil
	}
	return nil, errBadRequest("UnknownOperationException", r.op)
}

func (sc *Scenario) findStream(name string) *KinesisStream {
	for i := range sc.Kinesis.Streams {
		if sc.Kinesis.Streams[i].StreamName == name {
			return &sc.Kinesis.Streams[i]
		}
	}
	return nil
}

// kinesisTarget resolves StreamName or StreamARN to a stream.
func (sc *Scenario) kinesisTarget(name, arn string) (*KinesisStream, error) {
	if arn != "" {
		prefix := sc.streamARN("")
		if !strings.HasPrefix(arn, prefix) {
			return nil, errBadRequest("ResourceNotFoundException", "Stream "+arn+" under account "+sc.Account+" not found.")
		}
		name = strings.TrimPrefix(arn, prefix)
	}
	if name == "" {
		return nil, errBadRequest("ValidationException", "Either StreamName or StreamARN is required")
	}
	st := sc.findStream(name)
	if st == nil {
		return nil, errBadRequest("ResourceNotFoundException", "Stream "+name+" under account "+sc.Account+" not found.")
	}
	return st, nil
}

func openShardCount(st *KinesisStream) int {
	n := 0
	for _, sh := range st.Shards {
		if !sh.Closed {
			n++
		}
	}
	return n
}

func streamSummary(sc *Scenario, st *KinesisStream) map[string]any {
	metrics := st.EnhancedMonitoring
	if metrics == nil {
		metrics = []string{}
	}
	out := map[string]any{
		"StreamName":              st.StreamName,
		"StreamARN":               sc.streamARN(st.StreamName),
		"StreamStatus":            st.StreamStatus,
		"StreamModeDetails":       map[string]string{"StreamMode": st.StreamMode},
		"RetentionPeriodHours":    st.RetentionPeriodHours,
		"StreamCreationTimestamp": st.StreamCreationTime,
		"EnhancedMonitoring":      []map[string]any{{"ShardLevelMetrics": metrics}},
		"EncryptionType":          st.EncryptionType,
		"OpenShardCount":          openShardCount(st),
		"ConsumerCount":           len(st.Consumers),
		"MaxRecordSizeInKiB":      st.MaxRecordSizeInKiB,
	}
	if st.KeyId != "" {
		out["KeyId"] = st.KeyId
	}
	if st.WarmThroughputMiBps > 0 {
		out["WarmThroughput"] = map[string]int{"CurrentMiBps": st.WarmThroughputMiBps, "TargetMiBps": st.WarmThroughputMiBps}
	}
	return out
}

// shardJSON renders a shard as the API does. Sequence numbers are
// synthetic but ordered: a child starts after its parent ended.
func shardJSON(i int, sh KinesisShard) map[string]any {
	seq := map[string]string{"StartingSequenceNumber": fmt.Sprintf("4960%056d", i*1000)}
	if sh.Closed {
		seq["EndingSequenceNumber"] = fmt.Sprintf("4960%056d", i*1000+999)
	}
	out := map[string]any{
		"ShardId":             sh.ShardId,
		"HashKeyRange":        map[string]string{"StartingHashKey": sh.StartingHashKey, "EndingHashKey": sh.EndingHashKey},
		"SequenceNumberRange": seq,
	}
	if sh.ParentShardId != "" {
		out["ParentShardId"] = sh.ParentShardId
	}
	if sh.AdjacentParentShardId != "" {
		out["AdjacentParentShardId"] = sh.AdjacentParentShardId
	}
	return out
}

func encodeKinesisToken(stream string, off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(stream + "\x00" + strconv.Itoa(off)))
}

func decodeKinesisToken(tok string) (string, int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", 0, errBadRequest("InvalidArgumentException", "invalid NextToken")
	}
	name, off, ok := strings.Cut(string(raw), "\x00")
	n, err := strconv.Atoi(off)
	if !ok || err != nil || n < 0 {
		return "", 0, errBadRequest("InvalidArgumentException", "invalid NextToken")
	}
	return name, n, nil
}

// listShardsPage answers ListShards from offset off; MaxResults defaults to
// 1,000 and is capped at 10,000 like the API.
func listShardsPage(_ *Scenario, st *KinesisStream, off, max int) (any, error) {
	if max < 0 || max > 10000 {
		return nil, errBadRequest("InvalidArgumentException", "MaxResults must be between 1 and 10000")
	}
	if max == 0 {
		max = 1000
	}
	if off > len(st.Shards) {
		off = len(st.Shards)
	}
	end := min(off+max, len(st.Shards))
	shards := make([]map[string]any, 0, end-off)
	for i := off; i < end; i++ {
		shards = append(shards, shardJSON(i, st.Shards[i]))
	}
	out := map[string]any{"Shards": shards}
	if end < len(st.Shards) {
		out["NextToken"] = encodeKinesisToken(st.StreamName, end)
	}
	return out, nil
}

// describeStream is the legacy paged shard listing (Limit ≤ 100,
// ExclusiveStartShardId, HasMoreShards).
func describeStream(sc *Scenario, st *KinesisStream, in kinesisIn) (any, error) {
	limit := in.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	start := 0
	if in.ExclusiveStartShardId != "" {
		for i, sh := range st.Shards {
			if sh.ShardId == in.ExclusiveStartShardId {
				start = i + 1
			}
		}
	}
	end := min(start+limit, len(st.Shards))
	shards := make([]map[string]any, 0, end-start)
	for i := start; i < end; i++ {
		shards = append(shards, shardJSON(i, st.Shards[i]))
	}
	d := streamSummary(sc, st)
	delete(d, "OpenShardCount")
	delete(d, "ConsumerCount")
	delete(d, "MaxRecordSizeInKiB")
	delete(d, "WarmThroughput") // DescribeStream's StreamDescription has no WarmThroughput
	d["Shards"] = shards
	d["HasMoreShards"] = end < len(st.Shards)
	return map[string]any{"StreamDescription": d}, nil
}

func listConsumers(sc *Scenario, st *KinesisStream, in kinesisIn) (any, error) {
	if in.StreamARN == "" {
		return nil, errBadRequest("ValidationException", "StreamARN is required")
	}
	max := in.MaxResults
	if max <= 0 || max > 10000 {
		max = 100
	}
	off := 0
	if in.NextToken != "" {
		name, n, err := decodeKinesisToken(in.NextToken)
		if err != nil || name != st.StreamName {
			return nil, errBadRequest("InvalidArgumentException", "invalid NextToken")
		}
		off = n
	}
	off = min(off, len(st.Consumers))
	end := min(off+max, len(st.Consumers))
	cs := make([]map[string]any, 0, end-off)
	for _, c := range st.Consumers[off:end] {
		cs = append(cs, map[string]any{
			"ConsumerName":              c.ConsumerName,
			"ConsumerARN":               sc.streamARN(st.StreamName) + "/consumer/" + c.ConsumerName + ":" + strconv.FormatInt(c.Created.Unix(), 10),
			"ConsumerStatus":            c.ConsumerStatus,
			"ConsumerCreationTimestamp": c.Created,
		})
	}
	out := map[string]any{"Consumers": cs}
	if end < len(st.Consumers) {
		out["NextToken"] = encodeKinesisToken(st.StreamName, end)
	}
	return out, nil
}

// updateShardCount applies UNIFORM_SCALING: the stream is UPDATING for a
// while (UpdatingDescribes or UpdatingFor), then every open shard is
// closed and TargetShardCount new shards split the keyspace evenly
// (Kinesis API reference, UpdateShardCount: "Kinesis Data Streams returns
// immediately and sets the status of the stream to UPDATING. After the
// update is complete, Kinesis Data Streams sets the status of the stream
// back to ACTIVE"). The
// API's bounds (guidance kinesis.update_shard_count.*; provisioned only)
// are enforced so write tools see the real refusals.
func updateShardCount(sc *Scenario, st *KinesisStream, in kinesisIn) (any, error) {
	if err := st.busy(sc, time.Now()); err != nil {
		return nil, err
	}
	if st.StreamMode != "PROVISIONED" {
		return nil, errBadRequest("ValidationException", "UpdateShardCount is not supported for streams in ON_DEMAND mode")
	}
	if in.ScalingType != "UNIFORM_SCALING" {
		return nil, errBadRequest("ValidationException", "ScalingType must be UNIFORM_SCALING")
	}
	g, err := guidance.Load()
	if err != nil {
		return nil, fmt.Errorf("awssim: guidance: %w", err)
	}
	cur := openShardCount(st)
	lo := math.Ceil(float64(cur) * g.Num("kinesis.update_shard_count.min_factor"))
	hi := math.Floor(float64(cur) * g.Num("kinesis.update_shard_count.max_factor"))
	if t := float64(in.TargetShardCount); t < 1 || t < lo || t > hi || in.TargetShardCount > g.Int("kinesis.update_shard_count.max_shards") {
		return nil, errBadRequest("InvalidArgumentException", fmt.Sprintf("TargetShardCount %d must be between %.0f and %.0f for a stream with %d open shards", in.TargetShardCount, lo, hi, cur))
	}
	next := make([]KinesisShard, 0, len(st.Shards)+in.TargetShardCount)
	for _, sh := range st.Shards {
		sh.Closed = true
		next = append(next, sh)
	}
	next = append(next, evenShards(in.TargetShardCount, len(st.Shards))...)
	// The stream keeps its shards while UPDATING; the new ones appear when
	// the update completes.
	if err := st.startUpdate(sc, time.Now(), next); err != nil {
		return nil, err
	}
	return map[string]any{
		"StreamName":        st.StreamName,
		"StreamARN":         sc.streamARN(st.StreamName),
		"CurrentShardCount": cur,
		"TargetShardCount":  in.TargetShardCount,
	}, nil
}
