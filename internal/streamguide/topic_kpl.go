package streamguide

import (
	"fmt"
	"strconv"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

type kplOptions struct {
	Producers   int    `json:"producers"`
	Consumer    string `json:"consumer"`
	Aggregation *bool  `json:"aggregation"`
}

// kplProducer is a KPL or AWS SDK producer writing to a Kinesis stream.
func kplProducer() Topic {
	return Topic{
		Name:    "kpl_producer",
		Summary: "KPL or AWS SDK producer on Kinesis: batching and aggregation, RecordMaxBufferedTime, rate limits, retries and duplicates, partition keys",
		Sources: []Source{SourceKinesis},
		Options: []string{"producers", "consumer", "aggregation"},
		Build:   buildKPL,
	}
}

type kplPlan struct {
	src       procSource
	o         kplOptions
	aggregate bool
	rate      float64
}

func planKPL(e Env, r Request) (kplPlan, error) {
	var p kplPlan
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	src, err := parseProcSource("kpl_producer", r)
	if err != nil {
		return p, err
	}
	p.src = src
	switch p.o.Consumer {
	case "", "kcl", "lambda", "flink", "firehose", "other":
	default:
		return p, fmt.Errorf("%w: consumer %q is not kcl, lambda, flink, firehose or other", iac.ErrInvalid, p.o.Consumer)
	}
	if p.o.Producers < 0 {
		return p, fmt.Errorf("%w: producers must be positive", iac.ErrInvalid)
	}
	if p.o.Producers == 0 {
		p.o.Producers = 1
	}
	p.aggregate = p.o.Consumer != "flink"
	if p.o.Aggregation != nil {
		p.aggregate = *p.o.Aggregation
	}
	p.rate = e.Guidance.Num("kpl.rate_limit_percent.default")
	return p, nil
}

func (p kplPlan) policy() iac.PolicyDocument {
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{
		{Sid: "WriteStream", Effect: "Allow", Action: []string{"kinesis:PutRecord", "kinesis:PutRecords", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"}, Resource: []string{p.src.stream}},
		{Sid: "PublishKPLMetrics", Effect: "Allow", Action: []string{"cloudwatch:PutMetricData"}, Resource: []string{"*"}},
	}}
}

func (p kplPlan) properties(e Env) [][2]string {
	b := e.Guidance
	f := func(id string) string { return strconv.FormatFloat(b.Num(id), 'f', -1, 64) }
	rate := strconv.FormatFloat(p.rate, 'f', -1, 64)
	return [][2]string{
		{"Region", p.src.env.Region}, {"AggregationEnabled", strconv.FormatBool(p.aggregate)}, {"RecordMaxBufferedTime", f("kpl.record_max_buffered_time_ms.default")},
		{"RecordTtl", f("kpl.record_ttl_ms.default")}, {"RateLimit", rate}, {"RequestTimeout", f("kpl.request_timeout_ms.default")}, {"MetricsLevel", "summary"},
	}
}

func buildKPL(e Env, r Request) (Result, error) {
	p, err := planKPL(e, r)
	if err != nil {
		return Result{}, err
	}
	b := e.Guidance
	res := Result{References: []string{e.Ref("kpl.rate_limit_percent.default"), procKPLURL, procWriteBlogURL, e.Ref("kinesis.shard.write_mbps")}}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = []guide.Step{
			{Title: "Batch and aggregate",
				Detail: fmt.Sprintf("A shard takes %g MB/s and %g records/s. The KPL collects up to %g records (%g bytes) per PutRecords call and, with aggregation, packs user records into Kinesis records of up to %g bytes, so many small records count as one against the records/s limit (sizing service=kpl shows the shards saved). Consumers must de-aggregate (KCL and Lambda do; the Flink Kinesis source does not).",
					b.Num("kinesis.shard.write_mbps"), b.Num("kinesis.shard.write_records_per_second"), b.Num("kpl.collection_max_count.max"), b.Num("kpl.collection_max_size.default"), b.Num("kpl.aggregation_max_size.default")),
				Decision: &guide.Decision{Choice: "AggregationEnabled", Options: []string{"true", "false"}, Recommendation: strconv.FormatBool(p.aggregate),
					Why: map[bool]string{true: "small records hit the records/s limit long before the MB/s limit; aggregation removes that ceiling", false: "the consumer cannot de-aggregate (Flink's KinesisStreamsSource), so send plain records"}[p.aggregate]}},
			{Title: fmt.Sprintf("RecordMaxBufferedTime (default %gms) trades latency for fuller batches", b.Num("kpl.record_max_buffered_time_ms.default")),
				Detail: fmt.Sprintf("Records wait up to RecordMaxBufferedTime (default and minimum %gms) to fill batches; higher values batch better, and two records are reordered by at most twice this time.", b.Num("kpl.record_max_buffered_time_ms.default"))},
			{Title: fmt.Sprintf("RateLimit (default %g%%) caps each producer instance per shard", p.rate),
				Detail: fmt.Sprintf("RateLimit (default %g%% of a shard's limits) caps each KPL instance. %d producers can offer %g%% of a shard together, so the excess comes back as throttles and retries; lower RateLimit to cut throttling at the cost of peak throughput.", p.rate, p.o.Producers, p.rate*float64(p.o.Producers))},
			{Title: fmt.Sprintf("Retries until RecordTtl (default %gms) cause duplicates: make consumers idempotent", b.Num("kpl.record_ttl_ms.default")),
				Detail: fmt.Sprintf("The KPL retries throttled and failed puts until RecordTtl (default %gms) expires, then fails the record to your callback. A request that times out (RequestTimeout %gms) may still have succeeded, so retries write duplicates: make consumers idempotent (dedupe on a record id). With the SDK, PutRecords can partly fail: retry only the entries with an ErrorCode (FailedRecordCount > 0), with backoff, and bound the memory the retry buffer uses.", b.Num("kpl.record_ttl_ms.default"), b.Num("kpl.request_timeout_ms.default"))},
			{Title: fmt.Sprintf("Partition keys: one key is capped at %g MB/s (hot key); spread keys across shards", b.Num("kinesis.partition_key.write_mbps")),
				Detail: fmt.Sprintf("A key's MD5 hash picks the shard, so one key is capped at %g MB/s whatever the shard count (a hot key); uneven keys make hot shards. Use high-cardinality keys (or add a suffix to hot keys); keep one key per entity only where per-entity order matters. Adding shards fixes total load and hot shards, not a hot key. ExplicitHashKey pins a record to the shard owning that hash (e.g. to spread a hot key deliberately). Split a hot shard when per-key order and locality must stay; change the key scheme when they need not.", b.Num("kinesis.partition_key.write_mbps"))},
			{Title: "KPL or SDK: the KPL cannot take a stream ARN, so cross-account producers use the SDK", Detail: "The KPL cannot take a stream ARN, so cross-account producers use the AWS SDK (PutRecords with StreamARN). The SDK path gives lower latency and no native daemon, but no aggregation or per-shard rate limiting."},
		}
		pa, err := PolicyArtifact("kpl-producer-policy.json", p.policy())
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Type == guide.TypeSetup {
			pv, err := PolicyValue(p.policy())
			if err != nil {
				return Result{}, err
			}
			pj, _ := p.policy().JSON()
			st := Stack{Description: "IAM policy for producers writing " + p.src.name,
				CFN:     map[string]iac.Resource{"KPLProducerPolicy": {Type: "AWS::IAM::ManagedPolicy", Properties: map[string]any{"Description": "write " + p.src.name, "PolicyDocument": pv}}},
				Outputs: map[string]iac.Output{"PolicyArn": {Description: "attach to the producers' IAM role", Value: CFNRef("KPLProducerPolicy")}},
				TF:      []TFBlock{{Labels: []string{"aws_iam_policy", "kpl_producer"}, Attrs: []TFAttr{{"name", p.src.name + "-producer"}, {"policy", pj}}}}}
			a, err := st.Render(r.Format, "kpl-producer")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a, propertiesArtifact("kpl.properties", p.properties(e), "load with KinesisProducerConfiguration.fromPropertiesFile"))
		}
		res.Checks = []guide.Check{
			{Name: "Configuration", How: "validate_config kind=kpl reports no errors", Tool: "validate_config"},
			{Name: "No throttling", How: "WriteProvisionedThroughputExceeded stays 0 per shard; KPL UserRecordsPut vs KinesisRecordsPut shows the aggregation ratio", Tool: "kinesis_inspect"},
		}
	case guide.TypeNetworking:
		res.Steps = []guide.Step{{Title: "Reach Kinesis and CloudWatch", Detail: "Producers call the Kinesis endpoint (and CloudWatch for KPL metrics). From private subnets use a NAT gateway or interface endpoints for Kinesis and CloudWatch."}}
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "WriteProvisionedThroughputExceeded", Cause: "total write above the shards' capacity, a hot shard (uneven keys), or a hot key (one key over one shard's limit)", Check: "per-shard IncomingBytes/IncomingRecords and the busiest keys", Fix: "add shards for total load, split hot shards, spread or suffix hot keys", Tool: "kinesis_inspect"},
			{Symptom: "Throttling while per-minute metrics look under the limit", Cause: "bursts inside the minute: CloudWatch averages per minute, limits apply per second", Check: "enhanced shard-level metrics; per-second arrival timestamps", Fix: "smooth the producer (RateLimit, buffering) or add headroom", Tool: "kinesis_inspect"},
			{Symptom: "Records expire (failed callbacks) under load", Cause: "retries outlast RecordTtl", Check: "KPL metrics ErrorsByCode, RetriesPerRecord", Fix: "raise RecordTtl, lower the send rate, add shards", Tool: "validate_config"},
			{Symptom: "Duplicates downstream", Cause: "retried puts whose first attempt succeeded (timeouts)", Check: "duplicate record ids with different sequence numbers", Fix: "dedupe on a record id; do not shorten RequestTimeout", Tool: ""},
			{Symptom: "Consumer sees binary blobs", Cause: "aggregated records read by a consumer that does not de-aggregate", Check: "producer AggregationEnabled; consumer type", Fix: "disable aggregation or de-aggregate in the consumer", Tool: "validate_config"},
			{Symptom: "Producer memory grows during an outage", Cause: "unbounded retry buffer", Check: "outstanding records (getOutstandingRecordsCount)", Fix: "apply backpressure: stop adding when outstanding records pass a bound", Tool: ""},
		}
	}
	return res, nil
}
