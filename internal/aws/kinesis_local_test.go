package aws

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/stream-mcp/stream-mcp/internal/testenv/kinesislocal"
)

// localKinesis returns a real SDK client pointed at a fresh kinesis-local.
func localKinesis(t *testing.T) *kinesis.Client {
	t.Helper()
	e := kinesislocal.Start(t, kinesislocal.Options{})
	return kinesis.New(kinesis.Options{
		Region:       e.Region,
		BaseEndpoint: sdkaws.String(e.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
}

// waitActive polls DescribeStreamSummary until the stream is ACTIVE (bounded).
func waitActive(ctx context.Context, t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	for range 100 {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == kintypes.StreamStatusActive {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("stream %s not ACTIVE within 5s", name)
}

// TestKinesisStreamAgainstKinesisLocal proves the inspector against an
// independent implementation of the Kinesis API: summary, paginated shard
// listing with hash ranges, a split shard, and EFO consumers.
func TestKinesisStreamAgainstKinesisLocal(t *testing.T) {
	t.Parallel()
	c := localKinesis(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const name = "orders"
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: sdkaws.String(name), ShardCount: sdkaws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	waitActive(ctx, t, c, name)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	arn := sdkaws.ToString(sum.StreamDescriptionSummary.StreamARN)
	for i := range 2 {
		if _, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sdkaws.String(arn), ConsumerName: sdkaws.String(fmt.Sprintf("efo-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: sdkaws.String(name), PartitionKey: sdkaws.String(fmt.Sprintf("k%d", i)), Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name     string
		target   string
		pageSize int32
	}{
		{"by name, one page", name, 0},
		{"by ARN, one shard per page", arn, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := NewKinesis(c, KinesisOptions{ShardPageSize: tc.pageSize})
			st, err := k.Stream(ctx, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if st.Name != name || st.ARN != arn || st.Status != "ACTIVE" || st.Mode != "PROVISIONED" {
				t.Errorf("summary = %+v", st)
			}
			if st.RetentionHours != 24 || st.Encryption != "NONE" {
				t.Errorf("retention %d encryption %q", st.RetentionHours, st.Encryption)
			}
			if st.ShardsUnknown != nil || st.ConsumersUnknown != nil {
				t.Fatalf("unknowns: %+v %+v", st.ShardsUnknown, st.ConsumersUnknown)
			}
			open := st.OpenShards()
			if len(open) != 3 || st.OpenShardCount != 3 {
				t.Fatalf("open shards %d (summary %d), want 3", len(open), st.OpenShardCount)
			}
			var frac float64
			for _, sh := range open {
				frac += sh.KeyspaceFraction
			}
			if frac < 0.999999 || frac > 1.000001 {
				t.Errorf("open shards cover %.6f of the keyspace, want 1", frac)
			}
			if len(st.Consumers) != 2 || st.Consumers[0].Name != "efo-0" {
				t.Errorf("consumers = %+v", st.Consumers)
			}
			wantCalls := 1 + 1 + 1 // summary, shards, consumers
			if tc.pageSize == 1 {
				wantCalls = 1 + 3 + 1
			}
			if st.Calls < wantCalls {
				t.Errorf("calls = %d, want >= %d (pagination followed)", st.Calls, wantCalls)
			}
		})
	}

	t.Run("not found", func(t *testing.T) {
		_, err := NewKinesis(c, KinesisOptions{}).Stream(ctx, "missing")
		if !errors.Is(err, ErrStreamNotFound) {
			t.Fatalf("err = %v, want ErrStreamNotFound", err)
		}
	})
}
