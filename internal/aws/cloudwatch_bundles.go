package aws

// Metric bundles: the CloudWatch series each source is judged by. Names,
// namespaces and dimensions are from the AWS metric references:
// Lambda https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html,
// Kinesis https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html,
// MSK https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html
// (summarised in shared/knowledge/limits.md §6).

// CloudWatch namespaces read by the bundles.
const (
	NamespaceLambda  = "AWS/Lambda"
	NamespaceKinesis = "AWS/Kinesis"
	NamespaceKafka   = "AWS/Kafka"
)

// Keys of the ESM bundle.
const (
	KeyIteratorAgeMs           = "iterator_age_ms"
	KeyOffsetLag               = "offset_lag"
	KeyPolledEvents            = "polled_events"
	KeyFilteredOutEvents       = "filtered_out_events"
	KeyInvokedEvents           = "invoked_events"
	KeyFailedInvokeEvents      = "failed_invoke_events"
	KeyDroppedEvents           = "dropped_events"
	KeyOnFailureDelivered      = "on_failure_delivered_events"
	KeyDeletedEvents           = "deleted_events"
	KeyCommittedEvents         = "committed_events"
	KeyESMMaxOffsetLag         = "esm_max_offset_lag"
	KeyESMSumOffsetLag         = "esm_sum_offset_lag"
	KeyPollingErrors           = "polling_errors"
	KeyInvokeErrors            = "invoke_errors"
	KeyProvisionedPollers      = "provisioned_pollers"
	KeyFunctionInvocations     = "function_invocations"
	KeyFunctionErrors          = "function_errors"
	KeyFunctionThrottles       = "function_throttles"
	KeyFunctionDurationMaxMs   = "function_duration_max_ms"
	KeyFunctionConcurrentExecs = "function_concurrent_executions"
	KeyMSKEstimatedMaxTimeLagS = "msk_estimated_max_time_lag_s"
	KeyMSKMaxOffsetLag         = "msk_max_offset_lag"
	KeyMSKSumOffsetLag         = "msk_sum_offset_lag"
)

// Keys of the Kinesis stream bundle.
const (
	KeyKinesisIncomingBytes   = "incoming_bytes"
	KeyKinesisIncomingRecords = "incoming_records"
	KeyKinesisWriteThrottled  = "write_throttled"
	KeyKinesisReadThrottled   = "read_throttled"
	KeyKinesisIteratorAgeMs   = "get_records_iterator_age_ms"
	KeyKinesisPutThrottled    = "put_records_throttled_records"
	KeyKinesisGetRecordsBytes = "get_records_bytes"
)

// ESM source kinds understood by ESMMetricQueries.
const (
	SourceKinesis          = "kinesis"
	SourceDynamoDB         = "dynamodb"
	SourceSQS              = "sqs"
	SourceMSK              = "msk"
	SourceSelfManagedKafka = "self_managed_kafka"
)

func lambdaQ(key, metric, stat, dim, val string) MetricQuery {
	return MetricQuery{Key: key, Namespace: NamespaceLambda, Metric: metric, Stat: stat, Dimensions: []Dimension{{Name: dim, Value: val}}}
}

// ESMMetricQueries is the bundle for one event source mapping: IteratorAge
// (streams) or OffsetLag (Kafka), which Lambda publishes per function, and
// the EventCount/ErrorCount/KafkaMetrics groups and ProvisionedPollers,
// published per EventSourceMappingUUID once enabled in MetricsConfig. A
// group that is not enabled comes back as no_data, not as an error.
func ESMMetricQueries(uuid, functionName, source string) []MetricQuery {
	const byESM, byFn = "EventSourceMappingUUID", "FunctionName"
	var qs []MetricQuery
	stream := source == SourceKinesis || source == SourceDynamoDB
	kafka := source == SourceMSK || source == SourceSelfManagedKafka
	if stream && functionName != "" {
		qs = append(qs, lambdaQ(KeyIteratorAgeMs, "IteratorAge", "Maximum", byFn, functionName))
	}
	if kafka && functionName != "" {
		qs = append(qs, lambdaQ(KeyOffsetLag, "OffsetLag", "Maximum", byFn, functionName))
	}
	if uuid == "" {
		return qs
	}
	qs = append(qs,
		lambdaQ(KeyPolledEvents, "PolledEventCount", "Sum", byESM, uuid),
		lambdaQ(KeyFilteredOutEvents, "FilteredOutEventCount", "Sum", byESM, uuid),
		lambdaQ(KeyInvokedEvents, "InvokedEventCount", "Sum", byESM, uuid),
		lambdaQ(KeyFailedInvokeEvents, "FailedInvokeEventCount", "Sum", byESM, uuid),
	)
	if stream || kafka {
		qs = append(qs,
			lambdaQ(KeyDroppedEvents, "DroppedEventCount", "Sum", byESM, uuid),
			lambdaQ(KeyOnFailureDelivered, "OnFailureDestinationDeliveredEventCount", "Sum", byESM, uuid),
		)
	}
	if source == SourceSQS {
		qs = append(qs, lambdaQ(KeyDeletedEvents, "DeletedEventCount", "Sum", byESM, uuid))
	}
	if kafka {
		qs = append(qs,
			lambdaQ(KeyCommittedEvents, "CommittedEventCount", "Sum", byESM, uuid),
			lambdaQ(KeyESMMaxOffsetLag, "MaxOffsetLag", "Maximum", byESM, uuid),
			lambdaQ(KeyESMSumOffsetLag, "SumOffsetLag", "Maximum", byESM, uuid),
			lambdaQ(KeyPollingErrors, "PollingErrorCount", "Sum", byESM, uuid),
			lambdaQ(KeyInvokeErrors, "InvokeErrorCount", "Sum", byESM, uuid),
		)
	}
	if source == SourceSQS || kafka {
		qs = append(qs, lambdaQ(KeyProvisionedPollers, "ProvisionedPollers", "Maximum", byESM, uuid))
	}
	return qs
}

// FunctionMetricQueries is the bundle for the mapping's function:
// invocations, errors, throttles, the longest duration and peak concurrency.
func FunctionMetricQueries(functionName string) []MetricQuery {
	const byFn = "FunctionName"
	return []MetricQuery{
		lambdaQ(KeyFunctionInvocations, "Invocations", "Sum", byFn, functionName),
		lambdaQ(KeyFunctionErrors, "Errors", "Sum", byFn, functionName),
		lambdaQ(KeyFunctionThrottles, "Throttles", "Sum", byFn, functionName),
		lambdaQ(KeyFunctionDurationMaxMs, "Duration", "Maximum", byFn, functionName),
		lambdaQ(KeyFunctionConcurrentExecs, "ConcurrentExecutions", "Maximum", byFn, functionName),
	}
}

// MSKConsumerLagQueries is the MSK DEFAULT-level consumer-lag bundle of one
// group on one topic. MSK emits it only for groups in STABLE or EMPTY state
// with committed offsets, so no_data is common and not an error.
func MSKConsumerLagQueries(clusterName, group, topic string) []MetricQuery {
	dims := []Dimension{{Name: "Cluster Name", Value: clusterName}, {Name: "Consumer Group", Value: group}, {Name: "Topic", Value: topic}}
	q := func(key, metric string) MetricQuery {
		return MetricQuery{Key: key, Namespace: NamespaceKafka, Metric: metric, Stat: "Maximum", Dimensions: dims}
	}
	return []MetricQuery{
		q(KeyMSKEstimatedMaxTimeLagS, "EstimatedMaxTimeLag"),
		q(KeyMSKMaxOffsetLag, "MaxOffsetLag"),
		q(KeyMSKSumOffsetLag, "SumOffsetLag"),
	}
}

// KinesisStreamQueries is the stream-level (free, basic) bundle: ingest
// against capacity, write and read throttling and the consumers' iterator
// age. Sums are per period; divide by the period for per-second rates.
func KinesisStreamQueries(stream string) []MetricQuery {
	dims := []Dimension{{Name: "StreamName", Value: stream}}
	q := func(key, metric, stat string) MetricQuery {
		return MetricQuery{Key: key, Namespace: NamespaceKinesis, Metric: metric, Stat: stat, Dimensions: dims}
	}
	return []MetricQuery{
		q(KeyKinesisIncomingBytes, "IncomingBytes", "Sum"),
		q(KeyKinesisIncomingRecords, "IncomingRecords", "Sum"),
		q(KeyKinesisWriteThrottled, "WriteProvisionedThroughputExceeded", "Sum"),
		q(KeyKinesisReadThrottled, "ReadProvisionedThroughputExceeded", "Sum"),
		q(KeyKinesisIteratorAgeMs, "GetRecords.IteratorAgeMilliseconds", "Maximum"),
		q(KeyKinesisPutThrottled, "PutRecords.ThrottledRecords", "Sum"),
		q(KeyKinesisGetRecordsBytes, "GetRecords.Bytes", "Sum"),
	}
}

// shardMetric maps an enhanced (shard-level) metric name to its key prefix
// and statistic; IteratorAgeMilliseconds is a maximum, the rest are sums.
func shardMetric(name string) (key, stat string) {
	switch name {
	case "IncomingBytes":
		return KeyKinesisIncomingBytes, "Sum"
	case "IncomingRecords":
		return KeyKinesisIncomingRecords, "Sum"
	case "WriteProvisionedThroughputExceeded":
		return KeyKinesisWriteThrottled, "Sum"
	case "ReadProvisionedThroughputExceeded":
		return KeyKinesisReadThrottled, "Sum"
	case "IteratorAgeMilliseconds":
		return KeyKinesisIteratorAgeMs, "Maximum"
	}
	return "", ""
}

// shardMetricNames are the shard-level metrics the inspector reads, in
// output order (OutgoingBytes/Records add nothing to the write diagnosis).
func shardMetricNames() []string {
	return []string{"IncomingBytes", "IncomingRecords", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"}
}

// ShardKey is the bundle key of a shard-level series.
func ShardKey(key, shardID string) string { return "shard/" + shardID + "/" + key }

// KinesisShardQueries is the shard-level bundle for the enhanced metrics
// that are enabled (EnhancedMonitoring; "ALL" enables all seven), for the
// given shards. It returns nothing when none of them is enabled.
func KinesisShardQueries(stream string, enabled, shardIDs []string) []MetricQuery {
	on := map[string]bool{}
	for _, m := range enabled {
		on[m] = true
	}
	var names []string
	for _, m := range shardMetricNames() {
		if on[m] || on["ALL"] {
			names = append(names, m)
		}
	}
	var qs []MetricQuery
	for _, id := range shardIDs {
		for _, m := range names {
			key, stat := shardMetric(m)
			qs = append(qs, MetricQuery{
				Key: ShardKey(key, id), Namespace: NamespaceKinesis, Metric: m, Stat: stat,
				Dimensions: []Dimension{{Name: "StreamName", Value: stream}, {Name: "ShardId", Value: id}},
			})
		}
	}
	return qs
}

// CloudWatch namespaces of the integration bundles.
const (
	NamespaceOSIS     = "AWS/OSIS"
	NamespaceFirehose = "AWS/Firehose"
)

// Keys of the OpenSearch Ingestion and Firehose bundles.
const (
	KeyOSISourceRecordsOut   = "osi_source_records_out"
	KeyOSISinkRecordsIn      = "osi_sink_records_in"
	KeyFirehoseIncoming      = "firehose_incoming_bytes"
	KeyFirehoseS3Success     = "firehose_s3_success"
	KeyFirehoseS3Freshness   = "firehose_s3_data_freshness_s"
	KeyFirehoseThrottled     = "firehose_throttled_records"
	KeyFirehoseKinesisBehind = "firehose_kinesis_millis_behind"
)

// OSIPipelineQueries is the bundle of one sub-pipeline: the common
// metrics <sub>.<plugin>.recordsOut.count (source) and recordsIn.count
// (sink), dimension PipelineName, per
// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/monitoring-pipeline-metrics.html.
func OSIPipelineQueries(pipeline, sub, source, sink string) []MetricQuery {
	dims := []Dimension{{Name: "PipelineName", Value: pipeline}}
	var qs []MetricQuery
	if source != "" {
		qs = append(qs, MetricQuery{Key: KeyOSISourceRecordsOut, Namespace: NamespaceOSIS, Metric: sub + "." + source + ".recordsOut.count", Stat: "Sum", Dimensions: dims})
	}
	if sink != "" {
		qs = append(qs, MetricQuery{Key: KeyOSISinkRecordsIn, Namespace: NamespaceOSIS, Metric: sub + "." + sink + ".recordsIn.count", Stat: "Sum", Dimensions: dims})
	}
	return qs
}

// FirehoseQueries is the bundle of one delivery stream (dimension
// DeliveryStreamName), per
// https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html:
// incoming bytes, S3 delivery success and data freshness, throttled
// records, and for a Kinesis source how far behind it reads.
func FirehoseQueries(stream, source string) []MetricQuery {
	dims := []Dimension{{Name: "DeliveryStreamName", Value: stream}}
	q := func(key, metric, stat string) MetricQuery {
		return MetricQuery{Key: key, Namespace: NamespaceFirehose, Metric: metric, Stat: stat, Dimensions: dims}
	}
	qs := []MetricQuery{
		q(KeyFirehoseIncoming, "IncomingBytes", "Sum"),
		q(KeyFirehoseS3Success, "DeliveryToS3.Success", "Average"),
		q(KeyFirehoseS3Freshness, "DeliveryToS3.DataFreshness", "Maximum"),
		q(KeyFirehoseThrottled, "ThrottledRecords", "Sum"),
	}
	if source == FirehoseKinesis {
		qs = append(qs, q(KeyFirehoseKinesisBehind, "KinesisMillisBehindLatest", "Maximum"))
	}
	return qs
}
