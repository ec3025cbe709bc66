package awssim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

const kinesisScenario = `
name: kinesis-unit
kinesis:
  streams:
    - StreamName: clicks
      ShardCount: 5
      EncryptionType: KMS
      KeyId: alias/aws/kinesis
      EnhancedMonitoring: [IncomingBytes]
      Consumers:
        - ConsumerName: a
        - ConsumerName: b
        - ConsumerName: c
    - StreamName: od
      StreamMode: ON_DEMAND
      Shards:
        - {ShardId: shardId-000000000000, StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455", Closed: true}
        - {ShardId: shardId-000000000001, ParentShardId: shardId-000000000000, StartingHashKey: "0", EndingHashKey: "170141183460469231731687303715884105727"}
        - {ShardId: shardId-000000000002, ParentShardId: shardId-000000000000, StartingHashKey: "170141183460469231731687303715884105728", EndingHashKey: "340282366920938463463374607431768211455"}
metrics:
  series:
    - {Namespace: AWS/Kinesis, MetricName: IncomingBytes, Dimensions: {StreamName: clicks}, Value: 100}
    - {Namespace: AWS/Kinesis, MetricName: IncomingRecords, Dimensions: {StreamName: clicks}, From: 0, To: 590}
    - {Namespace: AWS/Kinesis, MetricName: WriteProvisionedThroughputExceeded, Dimensions: {StreamName: clicks}, Values: [1, 2, 3]}
faults:
  - {service: kinesis, operation: ListStreamConsumers, error: access_denied, count: 1}
  - {service: monitoring, operation: GetMetricData, error: throttling, count: 0, latency: 1ms}
`

func startSim(t *testing.T, yml string) *Server {
	t.Helper()
	sc, err := Parse("unit", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func kinesisClient(srv *Server) *kinesis.Client {
	return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
}

func TestKinesisOperations(t *testing.T) {
	t.Parallel()
	srv := startSim(t, kinesisScenario)
	c := kinesisClient(srv)
	ctx := t.Context()

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String("clicks")})
	if err != nil {
		t.Fatal(err)
	}
	d := sum.StreamDescriptionSummary
	if sdkaws.ToInt32(d.OpenShardCount) != 5 || d.StreamModeDetails.StreamMode != kintypes.StreamModeProvisioned ||
		d.EncryptionType != kintypes.EncryptionTypeKms || sdkaws.ToInt32(d.MaxRecordSizeInKiB) != 1024 ||
		sdkaws.ToInt32(d.ConsumerCount) != 3 || len(d.EnhancedMonitoring) != 1 || d.StreamCreationTimestamp.IsZero() {
		t.Fatalf("summary = %+v", d)
	}
	arn := sdkaws.ToString(d.StreamARN)

	// ListShards pages of two: 3 calls, follow-ups with the token only.
	var ids []string
	in := &kinesis.ListShardsInput{StreamARN: sdkaws.String(arn), MaxResults: sdkaws.Int32(2)}
	for range 10 {
		out, err := c.ListShards(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Shards {
			ids = append(ids, sdkaws.ToString(s.ShardId))
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: sdkaws.Int32(2)}
	}
	if len(ids) != 5 || ids[4] != "shardId-000000000004" {
		t.Fatalf("shards = %v", ids)
	}
	ex, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: sdkaws.String("clicks"), ExclusiveStartShardId: sdkaws.String("shardId-000000000002")})
	if err != nil || len(ex.Shards) != 2 || sdkaws.ToString(ex.Shards[0].ShardId) != "shardId-000000000003" {
		t.Fatalf("ExclusiveStartShardId: %v %+v", err, ex)
	}
	// Name and token together is what the real API rejects.
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: sdkaws.String("clicks"), NextToken: sdkaws.String(encodeKinesisToken("clicks", 2))})
	var inv *kintypes.InvalidArgumentException
	if !errors.As(err, &inv) {
		t.Fatalf("name+token err = %v, want InvalidArgumentException", err)
	}

	// The first ListStreamConsumers is denied by the scenario fault.
	_, err = c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: sdkaws.String(arn)})
	var ad *kintypes.AccessDeniedException
	if !errors.As(err, &ad) {
		t.Fatalf("consumers err = %v, want AccessDeniedException", err)
	}
	p := kinesis.NewListStreamConsumersPaginator(c, &kinesis.ListStreamConsumersInput{StreamARN: sdkaws.String(arn), MaxResults: sdkaws.Int32(2)})
	var names []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.Consumers {
			names = append(names, sdkaws.ToString(c.ConsumerName))
		}
	}
	if len(names) != 3 {
		t.Fatalf("consumers = %v", names)
	}

	ds, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: sdkaws.String("od"), Limit: sdkaws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.StreamDescription.Shards) != 2 || !sdkaws.ToBool(ds.StreamDescription.HasMoreShards) ||
		ds.StreamDescription.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("describe stream = %+v", ds.StreamDescription)
	}

	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String("nope")})
	var nf *kintypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("missing stream err = %v", err)
	}
	if m := srv.MutatingCalls(); len(m) != 0 {
		t.Fatalf("read calls recorded as mutating: %+v", m)
	}
}

func TestKinesisWritesAreRecordedAndBounded(t *testing.T) {
	t.Parallel()
	srv := startSim(t, kinesisScenario)
	c := kinesisClient(srv)
	ctx := t.Context()
	tests := []struct {
		name    string
		stream  string
		target  int32
		wantErr bool
	}{
		{"more than double", "clicks", 11, true},
		{"on-demand refuses", "od", 2, true},
		{"double", "clicks", 10, false},
	}
	for _, tc := range tests {
		_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: sdkaws.String(tc.stream), TargetShardCount: sdkaws.Int32(tc.target), ScalingType: kintypes.ScalingTypeUniformScaling})
		if (err != nil) != tc.wantErr {
			t.Fatalf("%s: err = %v", tc.name, err)
		}
	}
	// The first describe still sees the update under way, the next one
	// the new shards.
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String("clicks")})
	if err != nil || sum.StreamDescriptionSummary.StreamStatus != kintypes.StreamStatusUpdating || sdkaws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount) != 5 {
		t.Fatalf("during the update: %+v, %v", sum, err)
	}
	sum, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: sdkaws.String("clicks")})
	if err != nil {
		t.Fatal(err)
	}
	if got := sdkaws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); got != 10 || sum.StreamDescriptionSummary.StreamStatus != kintypes.StreamStatusActive {
		t.Fatalf("open shards after scaling = %d (%s), want 10 ACTIVE", got, sum.StreamDescriptionSummary.StreamStatus)
	}
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, StreamModeDetails: &kintypes.StreamModeDetails{StreamMode: kintypes.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	if m := srv.MutatingCalls(); len(m) != 4 {
		t.Fatalf("mutating calls = %+v, want 3 UpdateShardCount + 1 UpdateStreamMode", m)
	}
}

func TestGetMetricDataOverCBOR(t *testing.T) {
	t.Parallel()
	yml := kinesisScenario[:len(kinesisScenario)-len("  - {service: monitoring, operation: GetMetricData, error: throttling, count: 0, latency: 1ms}\n")]
	srv := startSim(t, yml)
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
	end := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	q := func(id, metric, stat string, period int32) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: sdkaws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: sdkaws.String("AWS/Kinesis"), MetricName: sdkaws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: sdkaws.String("StreamName"), Value: sdkaws.String("clicks")}}},
			Period: sdkaws.Int32(period), Stat: sdkaws.String(stat)}}
	}
	queries := []cwtypes.MetricDataQuery{
		q("bytes", "IncomingBytes", "Sum", 300),
		q("recs", "IncomingRecords", "Maximum", 60),
		q("thr", "WriteProvisionedThroughputExceeded", "Sum", 60),
		q("none", "ReadProvisionedThroughputExceeded", "Sum", 60),
	}
	for i := range 150 {
		queries = append(queries, q("pad"+time.Duration(i).String(), "IncomingBytes", "Sum", 60))
	}
	// CloudWatch pages by data points: 1,515 points at 100 a call need 16
	// calls, and a series cut by a page boundary comes back PartialData,
	// continued on the next page.
	p := cloudwatch.NewGetMetricDataPaginator(cw, &cloudwatch.GetMetricDataInput{
		StartTime: sdkaws.Time(end.Add(-10 * time.Minute)), EndTime: sdkaws.Time(end), MaxDatapoints: sdkaws.Int32(100),
		ScanBy: cwtypes.ScanByTimestampAscending, MetricDataQueries: queries})
	got := map[string]cwtypes.MetricDataResult{}
	pages, partial := 0, 0
	for p.HasMorePages() && pages < 50 {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range out.MetricDataResults {
			n += len(r.Values)
			if r.StatusCode == cwtypes.StatusCodePartialData {
				partial++
			}
			prev := got[sdkaws.ToString(r.Id)]
			r.Values, r.Timestamps = append(prev.Values, r.Values...), append(prev.Timestamps, r.Timestamps...)
			got[sdkaws.ToString(r.Id)] = r
		}
		if n > 100 {
			t.Fatalf("page %d has %d data points, above MaxDatapoints 100", pages, n)
		}
	}
	if pages != 16 || partial == 0 || len(got) != len(queries) {
		t.Fatalf("pages %d partial %d results %d", pages, partial, len(got))
	}
	for i := range 150 {
		if pad := got["pad"+time.Duration(i).String()]; len(pad.Values) != 10 || pad.StatusCode != cwtypes.StatusCodeComplete {
			t.Fatalf("pad %d: %d values, last status %s", i, len(pad.Values), pad.StatusCode)
		}
	}
	if b := got["bytes"]; len(b.Values) != 2 || b.Values[0] != 500 || !b.Timestamps[0].Equal(end.Add(-10*time.Minute)) {
		t.Errorf("bytes = %v at %v", b.Values, b.Timestamps)
	}
	if r := got["recs"]; len(r.Values) != 10 || r.Values[0] != 0 || r.Values[9] != 590 {
		t.Errorf("records ramp = %v", r.Values)
	}
	if th := got["thr"]; len(th.Values) != 3 || th.Values[2] != 3 || !th.Timestamps[2].Equal(end.Add(-time.Minute)) {
		t.Errorf("throttles = %v at %v", th.Values, th.Timestamps)
	}
	if n := got["none"]; len(n.Values) != 0 || n.StatusCode != cwtypes.StatusCodeComplete {
		t.Errorf("absent series = %+v", n)
	}
}

func TestGetMetricDataFault(t *testing.T) {
	t.Parallel()
	srv := startSim(t, kinesisScenario)
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: sdkaws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
	_, err := cw.GetMetricData(t.Context(), &cloudwatch.GetMetricDataInput{
		StartTime: sdkaws.Time(time.Now().Add(-time.Hour)), EndTime: sdkaws.Time(time.Now()),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: sdkaws.String("a"), Expression: sdkaws.String("1")}}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
		t.Fatalf("err = %v, want Throttling", err)
	}
}

// TestGetMetricDataOverJSON covers the awsJson1_0 form of GetMetricData,
// which the AWS CLI v1 sends (X-Amz-Target, epoch-second timestamps).
func TestGetMetricDataOverJSON(t *testing.T) {
	t.Parallel()
	srv := startSim(t, kinesisScenario[:strings.Index(kinesisScenario, "faults:")])
	end := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC).Unix()
	body := fmt.Sprintf(`{"StartTime":%d,"EndTime":%d,"ScanBy":"TimestampAscending","MetricDataQueries":[{"Id":"t","MetricStat":{"Metric":{"Namespace":"AWS/Kinesis","MetricName":"WriteProvisionedThroughputExceeded","Dimensions":[{"Name":"StreamName","Value":"clicks"}]},"Period":120,"Stat":"Sum"}}]}`, end-600, end)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261122/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		MetricDataResults []struct {
			Id         string
			Timestamps []float64
			Values     []float64
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	r := out.MetricDataResults
	// Values [1,2,3] are the last three minutes: periods of 120 s sum them
	// as 1 (minute -3) and 2+3.
	if len(r) != 1 || len(r[0].Values) != 2 || r[0].Values[0] != 1 || r[0].Values[1] != 5 || int64(r[0].Timestamps[1]) != end-120 {
		t.Fatalf("results = %+v", r)
	}
}
