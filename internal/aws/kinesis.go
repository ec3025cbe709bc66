package aws

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// KinesisReadAPI is the read-only subset of *kinesis.Client the stream
// inspector calls. No write method is reachable through it.
type KinesisReadAPI interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, opts ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, opts ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	ListStreamConsumers(ctx context.Context, in *kinesis.ListStreamConsumersInput, opts ...func(*kinesis.Options)) (*kinesis.ListStreamConsumersOutput, error)
}

// KinesisShard is one shard with its share of the hash-key space.
type KinesisShard struct {
	ShardID        string `json:"shard_id"`
	ParentShardID  string `json:"parent_shard_id,omitempty"`
	StartingHash   string `json:"starting_hash_key"`
	EndingHash     string `json:"ending_hash_key"`
	Open           bool   `json:"open"`
	StartingSeqNum string `json:"-"`
	// KeyspaceFraction is the shard's share of the 128-bit hash-key space
	// (0..1); with random partition keys it is the share of traffic the
	// shard receives.
	KeyspaceFraction float64 `json:"keyspace_fraction"`
}

// KinesisConsumer is one registered (enhanced fan-out) consumer.
type KinesisConsumer struct {
	Name    string    `json:"name" jsonschema_description:"consumer name"`
	ARN     string    `json:"arn" jsonschema_description:"consumer ARN"`
	Status  string    `json:"status" jsonschema_description:"CREATING, DELETING or ACTIVE"`
	Created time.Time `json:"created,omitzero" jsonschema_description:"registration time"`
}

// KinesisStream is what the inspector learned about one stream. The shard
// and consumer lists are read separately: when one of those calls fails,
// its list is empty and ShardsUnknown / ConsumersUnknown says why.
type KinesisStream struct {
	Name    string    `json:"name"`
	ARN     string    `json:"arn"`
	Status  string    `json:"status"`
	Mode    string    `json:"mode"` // PROVISIONED or ON_DEMAND
	Created time.Time `json:"created,omitzero"`
	// RetentionHours is the data retention period.
	RetentionHours int32 `json:"retention_hours"`
	// Encryption is NONE or KMS; KMSKeyID names the key when KMS.
	Encryption string `json:"encryption"`
	KMSKeyID   string `json:"kms_key_id,omitempty"`
	// MaxRecordSizeKiB is the stream's maximum record size; 0 when the
	// endpoint did not report it (older APIs and emulators omit it).
	MaxRecordSizeKiB int32 `json:"max_record_size_kib,omitempty"`
	// OpenShardCount is the summary's count of open shards.
	OpenShardCount int32 `json:"open_shard_count"`
	// ConsumerCount is the summary's count of registered consumers.
	ConsumerCount int32 `json:"consumer_count"`
	// EnhancedMetrics are the shard-level metrics enabled.
	EnhancedMetrics []string `json:"enhanced_metrics,omitempty"`
	// WarmThroughputMiBps is the current warm throughput (on-demand).
	WarmThroughputMiBps int32 `json:"warm_throughput_mibps,omitempty"`

	// Shards are every shard listed (open and closed), sorted by starting
	// hash key then shard ID; ShardsUnknown explains an empty list.
	Shards        []KinesisShard `json:"shards,omitempty"`
	ShardsUnknown *Unknown       `json:"shards_unknown,omitempty"`
	// ShardsTruncated is true when the page bound stopped ListShards.
	ShardsTruncated bool `json:"shards_truncated,omitempty"`

	Consumers        []KinesisConsumer `json:"consumers,omitempty"`
	ConsumersUnknown *Unknown          `json:"consumers_unknown,omitempty"`

	// Calls is the number of Kinesis API calls made.
	Calls int `json:"calls"`
}

// OpenShards returns the shards that are still open (no ending sequence
// number), in hash-key order.
func (s *KinesisStream) OpenShards() []KinesisShard {
	var out []KinesisShard
	for _, sh := range s.Shards {
		if sh.Open {
			out = append(out, sh)
		}
	}
	return out
}

// KinesisOptions tune a Kinesis inspector.
type KinesisOptions struct {
	// CallTimeout bounds each call (default 15 s).
	CallTimeout time.Duration
	// MaxShardPages bounds ListShards pages (default 100; 1,000 shards a
	// page, so 100,000 shards).
	MaxShardPages int
	// MaxConsumerPages bounds ListStreamConsumers pages (default 10).
	MaxConsumerPages int
	// ShardPageSize is ListShards' MaxResults (0: the API default, 1,000).
	ShardPageSize int32
}

// Kinesis inspects Kinesis data streams, read-only.
type Kinesis struct {
	api  KinesisReadAPI
	opts KinesisOptions
}

// NewKinesis returns an inspector over api.
func NewKinesis(api KinesisReadAPI, opts KinesisOptions) *Kinesis {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 15 * time.Second
	}
	if opts.MaxShardPages <= 0 {
		opts.MaxShardPages = 100
	}
	if opts.MaxConsumerPages <= 0 {
		opts.MaxConsumerPages = 10
	}
	return &Kinesis{api: api, opts: opts}
}

// ErrStreamNotFound is returned (wrapped) by Stream when the stream does
// not exist.
var ErrStreamNotFound = errors.New("stream not found")

// splitStream accepts a stream name or ARN.
func splitStream(nameOrARN string) (name, arn string) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		if i := strings.LastIndex(nameOrARN, ":stream/"); i >= 0 {
			return nameOrARN[i+len(":stream/"):], nameOrARN
		}
		return "", nameOrARN
	}
	return nameOrARN, ""
}

// Stream describes one stream (name or ARN): the summary, then shards and
// consumers in parallel. It returns an error only when the summary cannot
// be read, wrapping ErrStreamNotFound when the stream does not exist and
// otherwise the SDK error (classify it with UnknownFrom or errmap). Failed
// shard or consumer listings degrade to ShardsUnknown / ConsumersUnknown.
func (k *Kinesis) Stream(ctx context.Context, nameOrARN string) (*KinesisStream, error) {
	name, arn := splitStream(nameOrARN)
	in := &kinesis.DescribeStreamSummaryInput{}
	if arn != "" {
		in.StreamARN = sdkaws.String(arn)
	} else {
		in.StreamName = sdkaws.String(name)
	}
	cctx, cancel := context.WithTimeout(ctx, k.opts.CallTimeout)
	resp, err := k.api.DescribeStreamSummary(cctx, in)
	cancel()
	if err != nil {
		var nf *kintypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("kinesis stream %q: %w", nameOrARN, ErrStreamNotFound)
		}
		return nil, fmt.Errorf("kinesis stream %q: %w", nameOrARN, err)
	}
	d := resp.StreamDescriptionSummary
	if d == nil {
		return nil, fmt.Errorf("kinesis stream %q: DescribeStreamSummary returned no description", nameOrARN)
	}
	st := &KinesisStream{
		Name:             sdkaws.ToString(d.StreamName),
		ARN:              sdkaws.ToString(d.StreamARN),
		Status:           string(d.StreamStatus),
		RetentionHours:   sdkaws.ToInt32(d.RetentionPeriodHours),
		Encryption:       string(d.EncryptionType),
		KMSKeyID:         sdkaws.ToString(d.KeyId),
		MaxRecordSizeKiB: sdkaws.ToInt32(d.MaxRecordSizeInKiB),
		OpenShardCount:   sdkaws.ToInt32(d.OpenShardCount),
		ConsumerCount:    sdkaws.ToInt32(d.ConsumerCount),
		Calls:            1,
	}
	if st.Encryption == "" {
		st.Encryption = string(kintypes.EncryptionTypeNone)
	}
	if d.StreamCreationTimestamp != nil {
		st.Created = d.StreamCreationTimestamp.UTC()
	}
	// Streams created before capacity modes existed omit StreamModeDetails;
	// they are provisioned.
	st.Mode = string(kintypes.StreamModeProvisioned)
	if d.StreamModeDetails != nil && d.StreamModeDetails.StreamMode != "" {
		st.Mode = string(d.StreamModeDetails.StreamMode)
	}
	if d.WarmThroughput != nil {
		st.WarmThroughputMiBps = sdkaws.ToInt32(d.WarmThroughput.CurrentMiBps)
	}
	for _, em := range d.EnhancedMonitoring {
		for _, m := range em.ShardLevelMetrics {
			st.EnhancedMetrics = append(st.EnhancedMetrics, string(m))
		}
	}
	sort.Strings(st.EnhancedMetrics)

	var wg sync.WaitGroup
	var shardCalls, consumerCalls int
	wg.Add(2)
	go func() {
		defer wg.Done()
		shardCalls = k.listShards(ctx, st)
	}()
	go func() {
		defer wg.Done()
		consumerCalls = k.listConsumers(ctx, st)
	}()
	wg.Wait()
	st.Calls += shardCalls + consumerCalls
	return st, nil
}

// listShards pages through ListShards. Follow-up pages carry only
// NextToken: the API rejects StreamName together with NextToken.
func (k *Kinesis) listShards(ctx context.Context, st *KinesisStream) int {
	in := &kinesis.ListShardsInput{StreamARN: sdkaws.String(st.ARN)}
	if st.ARN == "" {
		in = &kinesis.ListShardsInput{StreamName: sdkaws.String(st.Name)}
	}
	var size *int32
	if k.opts.ShardPageSize > 0 {
		size = sdkaws.Int32(k.opts.ShardPageSize)
	}
	in.MaxResults = size
	calls := 0
	for page := 0; ; page++ {
		if page == k.opts.MaxShardPages {
			st.ShardsTruncated = true
			break
		}
		cctx, cancel := context.WithTimeout(ctx, k.opts.CallTimeout)
		resp, err := k.api.ListShards(cctx, in)
		cancel()
		calls++
		if err != nil {
			st.Shards = nil
			st.ShardsUnknown = UnknownFrom("Kinesis:ListShards", err)
			return calls
		}
		for _, s := range resp.Shards {
			st.Shards = append(st.Shards, toShard(s))
		}
		if resp.NextToken == nil || *resp.NextToken == "" {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: resp.NextToken, MaxResults: size}
	}
	sort.SliceStable(st.Shards, func(i, j int) bool {
		a, b := hashInt(st.Shards[i].StartingHash), hashInt(st.Shards[j].StartingHash)
		if c := a.Cmp(b); c != 0 {
			return c < 0
		}
		return st.Shards[i].ShardID < st.Shards[j].ShardID
	})
	return calls
}

// keyspace is 2^128, the size of the Kinesis hash-key space.
func keyspace() *big.Float {
	return new(big.Float).SetInt(new(big.Int).Lsh(big.NewInt(1), 128))
}

func hashInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return new(big.Int)
	}
	return v
}

func toShard(s kintypes.Shard) KinesisShard {
	sh := KinesisShard{
		ShardID:       sdkaws.ToString(s.ShardId),
		ParentShardID: sdkaws.ToString(s.ParentShardId),
		Open:          true,
	}
	if r := s.SequenceNumberRange; r != nil {
		sh.StartingSeqNum = sdkaws.ToString(r.StartingSequenceNumber)
		sh.Open = sdkaws.ToString(r.EndingSequenceNumber) == ""
	}
	if h := s.HashKeyRange; h != nil {
		sh.StartingHash = sdkaws.ToString(h.StartingHashKey)
		sh.EndingHash = sdkaws.ToString(h.EndingHashKey)
		width := new(big.Int).Sub(hashInt(sh.EndingHash), hashInt(sh.StartingHash))
		width.Add(width, big.NewInt(1))
		f, _ := new(big.Float).Quo(new(big.Float).SetInt(width), keyspace()).Float64()
		sh.KeyspaceFraction = f
	}
	return sh
}

// listConsumers pages through ListStreamConsumers (needs the stream ARN).
func (k *Kinesis) listConsumers(ctx context.Context, st *KinesisStream) int {
	if st.ARN == "" {
		st.ConsumersUnknown = &Unknown{Call: "Kinesis:ListStreamConsumers", Kind: "error", Reason: "the stream ARN is unknown, so ListStreamConsumers could not be called"}
		return 0
	}
	p := kinesis.NewListStreamConsumersPaginator(k.api, &kinesis.ListStreamConsumersInput{StreamARN: sdkaws.String(st.ARN)})
	calls := 0
	for p.HasMorePages() && calls < k.opts.MaxConsumerPages {
		cctx, cancel := context.WithTimeout(ctx, k.opts.CallTimeout)
		resp, err := p.NextPage(cctx)
		cancel()
		calls++
		if err != nil {
			st.Consumers = nil
			st.ConsumersUnknown = UnknownFrom("Kinesis:ListStreamConsumers", err)
			return calls
		}
		for _, c := range resp.Consumers {
			kc := KinesisConsumer{Name: sdkaws.ToString(c.ConsumerName), ARN: sdkaws.ToString(c.ConsumerARN), Status: string(c.ConsumerStatus)}
			if c.ConsumerCreationTimestamp != nil {
				kc.Created = c.ConsumerCreationTimestamp.UTC()
			}
			st.Consumers = append(st.Consumers, kc)
		}
	}
	sort.Slice(st.Consumers, func(i, j int) bool { return st.Consumers[i].Name < st.Consumers[j].Name })
	return calls
}

// OpenShardCount is the one-call topology of a stream for callers that need
// only its size (esm_inspect's source topology): DescribeStreamSummary's
// OpenShardCount and the stream mode. A failure comes back as an Unknown.
func (k *Kinesis) OpenShardCount(ctx context.Context, nameOrARN string) (shards int, mode string, u *Unknown) {
	name, arn := splitStream(nameOrARN)
	in := &kinesis.DescribeStreamSummaryInput{}
	if arn != "" {
		in.StreamARN = sdkaws.String(arn)
	} else {
		in.StreamName = sdkaws.String(name)
	}
	cctx, cancel := context.WithTimeout(ctx, k.opts.CallTimeout)
	defer cancel()
	resp, err := k.api.DescribeStreamSummary(cctx, in)
	if err != nil {
		return 0, "", UnknownFrom("Kinesis:DescribeStreamSummary", err)
	}
	d := resp.StreamDescriptionSummary
	if d == nil {
		return 0, "", &Unknown{Call: "Kinesis:DescribeStreamSummary", Kind: "error", Reason: "DescribeStreamSummary returned no description"}
	}
	mode = string(kintypes.StreamModeProvisioned)
	if d.StreamModeDetails != nil && d.StreamModeDetails.StreamMode != "" {
		mode = string(d.StreamModeDetails.StreamMode)
	}
	return int(sdkaws.ToInt32(d.OpenShardCount)), mode, nil
}
