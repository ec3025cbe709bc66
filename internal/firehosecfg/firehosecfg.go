// Package firehosecfg knows Amazon Data Firehose streams fed by Direct PUT,
// Kinesis Data Streams or Amazon MSK: sizing against the Direct PUT quotas
// with buffering hints that keep objects large, and validation of
// AWS::KinesisFirehose::DeliveryStream properties (source configuration,
// MSK connectivity, buffering, dynamic partitioning). Every number comes
// from guidance/limits/firehose.yaml.
package firehosecfg

import (
	"fmt"
	"slices"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Guidance ids.
const (
	idRecordMaxKiB   = "firehose.record.max_kib"
	idBatchRecords   = "firehose.put_record_batch.max_records"
	idPutMBps        = "firehose.direct_put.default_mb_per_second"
	idPutRPS         = "firehose.direct_put.default_records_per_second"
	idPutTPS         = "firehose.direct_put.default_requests_per_second"
	idSizeMin        = "firehose.buffer.size_mib.min"
	idSizeMax        = "firehose.buffer.size_mib.max"
	idSizeDefault    = "firehose.buffer.size_mib.default"
	idIntervalMin    = "firehose.buffer.interval_seconds.min"
	idIntervalMax    = "firehose.buffer.interval_seconds.max"
	idIntervalDef    = "firehose.buffer.interval_seconds.default"
	idSizeSeconds    = "firehose.buffer.size_covers_seconds"
	idStreamTypes    = "firehose.stream_types"
	idConnectivity   = "firehose.msk.connectivity"
	idActiveParts    = "firehose.dynamic_partitioning.active_partitions.max"
	idActivePartsMax = "firehose.dynamic_partitioning.active_partitions.max_raised"
	idDelayFactor    = "firehose.dynamic_partitioning.delay_factor"
)

// Documentation pages.
const (
	DocMSKSource     = "https://docs.aws.amazon.com/firehose/latest/dev/writing-with-msk.html"
	DocKinesisSource = "https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html"
	DocBuffering     = "https://docs.aws.amazon.com/firehose/latest/dev/buffering.html"
	DocCFN           = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kinesisfirehose-deliverystream.html"
	DocAccess        = "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html"
	DocTroubleshoot  = "https://docs.aws.amazon.com/firehose/latest/dev/troubleshooting.html"
	DocMonitoring    = "https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html"
	DocLimitsForm    = "https://docs.aws.amazon.com/firehose/latest/dev/limits.html"
)

const (
	mib = 1 << 20 // bytes per MiB (unit conversion)
	mb  = 1e6     // bytes per MB (unit conversion)
	kib = 1 << 10 // bytes per KiB (unit conversion)
	// secondsPerHour is a unit conversion.
	secondsPerHour = 3600
)

// Size checks a Direct PUT workload against one stream's default quotas
// (or notes that Kinesis and MSK sources are not subject to them) and
// recommends buffering hints: a size covering the recommended seconds of
// ingest, and an interval from the latency target.
func Size(in integ.SizeInput, b *guidance.Base) (sizing.Result, error) {
	if err := in.Check(); err != nil {
		return sizing.Result{}, err
	}
	mbps := in.IngressMBps()
	if mbps <= 0 && in.RecordsPerSecond <= 0 {
		return sizing.Result{}, integ.Inputf("firehose needs ingress_mb_per_second, or records_per_second with avg_record_bytes")
	}
	c := integ.NewCalc(b, "firehose")
	c.Ref(DocBuffering)
	source := "Direct PUT"
	switch {
	case in.Shards > 0:
		source = "a Kinesis data stream"
	case in.TotalPartitions() > 0:
		source = "an MSK topic"
	}
	binding := "buffering: object size and delivery latency"
	streams := 1
	if source == "Direct PUT" {
		qMB, qRPS, qTPS, batch := c.N(idPutMBps), c.N(idPutRPS), c.N(idPutTPS), c.N(idBatchRecords)
		byBytes := c.Step("streams for bytes", "ingress_MB/s / quota_MB/s", mbps/qMB, "streams", "ingress_MB/s", mbps, "quota_MB/s", qMB)
		byRecords := c.Step("streams for records", "records/s / quota_records/s", in.RecordsPerSecond/qRPS, "streams", "records/s", in.RecordsPerSecond, "quota_records/s", qRPS)
		reqs := c.Step("requests/s at full batches", "records/s / records_per_batch", in.RecordsPerSecond/batch, "requests/s", "records/s", in.RecordsPerSecond, "records_per_batch", batch)
		byReqs := c.Step("streams for requests", "requests/s / quota_requests/s", reqs/qTPS, "streams", "requests/s", reqs, "quota_requests/s", qTPS)
		need := max(byBytes, byRecords, byReqs)
		streams = integ.Ceil(need)
		if streams > 1 {
			binding = map[bool]string{true: "Direct PUT bytes per second", false: "Direct PUT records per second"}[byBytes >= byRecords]
			c.Warn("the workload exceeds one stream's default Direct PUT quota (%g MB/s, %g records/s, %g requests/s): request an increase with the Firehose limits form or spread producers over %d streams", qMB, qRPS, qTPS, streams)
			c.Ref(DocLimitsForm)
		}
	} else {
		c.Warn("with %s as the source the Direct PUT quotas do not apply; the source's read capacity does (Firehose is one more reader of the stream or topic)", source)
	}
	if in.MaxRecordBytes > 0 {
		maxKiB := c.N(idRecordMaxKiB)
		if in.MaxRecordBytes > maxKiB*kib {
			c.Warn("records of %g bytes exceed Firehose's %g KiB record limit: split them or store the payload in S3", in.MaxRecordBytes, maxKiB)
		}
	}
	secs, smin, smax := c.N(idSizeSeconds), c.N(idSizeMin), c.N(idSizeMax)
	mibps := mbps * mb / mib
	size := c.Step("buffer size", "clamp(ceil(ingress_MiB/s x seconds), min, max)", min(smax, max(smin, float64(integ.Ceil(mibps*secs)))), "MiB", "ingress_MiB/s", mibps, "seconds", secs, "min", smin, "max", smax)
	imin, imax, idef := c.N(idIntervalMin), c.N(idIntervalMax), c.N(idIntervalDef)
	interval := idef
	if in.LatencyTargetSeconds > 0 {
		interval = c.Step("buffer interval", "clamp(latency_target, min, max)", min(imax, max(imin, in.LatencyTargetSeconds)), "s", "latency_target", in.LatencyTargetSeconds, "min", imin, "max", imax)
	}
	fill := c.Step("seconds to fill the buffer", "size_MiB / ingress_MiB/s", size/max(mibps, 1/mb), "s", "size_MiB", size, "ingress_MiB/s", mibps)
	flush := min(fill, interval)
	objects := c.Step("objects per hour per stream", "3600 / min(fill, interval)", secondsPerHour/max(flush, 1), "objects", "fill", fill, "interval", interval)
	if size < c.N(idSizeDefault) && interval <= idef {
		c.Alt(fmt.Sprintf("SizeInMBs %d, IntervalInSeconds %d", int(size), int(interval)), true, "low traffic: objects are small; raise the interval (up to the maximum) for fewer, larger objects if latency allows")
	}
	c.Alt(fmt.Sprintf("SizeInMBs %d, IntervalInSeconds %d", int(smax), int(imax)), true, "fewest, largest objects (best for Athena/Glue), highest latency")
	summary := fmt.Sprintf("%d Firehose stream(s) from %s with BufferingHints SizeInMBs %d, IntervalInSeconds %d (about %d objects per hour)", streams, source, int(size), int(interval), integ.Ceil(objects))
	return c.Done(sizing.Recommendation{Summary: summary}, binding), nil
}

// Rule ids.
const (
	ruleType         = "firehose_stream.type"
	ruleSourceConfig = "firehose_stream.source_configuration"
	ruleMSK          = "firehose_stream.msk"
	ruleConnectivity = "firehose_stream.msk.connectivity"
	ruleDestination  = "firehose_stream.destination"
	ruleBuffering    = "firehose_stream.buffering_hints"
	ruleDynamic      = "firehose_stream.dynamic_partitioning"
)

var destinations = []string{"ExtendedS3DestinationConfiguration", "S3DestinationConfiguration", "RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
	"AmazonopensearchserviceDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration", "SplunkDestinationConfiguration", "HttpEndpointDestinationConfiguration",
	"SnowflakeDestinationConfiguration", "IcebergDestinationConfiguration"}

// Validate checks AWS::KinesisFirehose::DeliveryStream properties given as
// validate_config's config.
func Validate(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
	if in.Config == nil {
		return integ.Validation{}, integ.Inputf("firehose_stream takes config: the AWS::KinesisFirehose::DeliveryStream properties")
	}
	return CheckResource("", in.Config, b), nil
}

// CheckResource validates AWS::KinesisFirehose::DeliveryStream properties;
// path is the field prefix (Resources.ID.Properties in a template).
func CheckResource(path string, props map[string]any, b *guidance.Base) integ.Validation {
	prefix := ""
	if path != "" {
		prefix = path + "."
	}
	ch := integ.NewChecker(b, prefix)
	ch.Rule(ruleType)
	typ, _ := props["DeliveryStreamType"].(string)
	if typ == "" {
		typ = "DirectPut"
	}
	if !slices.Contains(b.Strings(idStreamTypes), typ) {
		ch.Report(rules.Error, ruleType, "DeliveryStreamType", b.Source(idStreamTypes), fmt.Sprintf("DeliveryStreamType %q is not one of %v.", typ, b.Strings(idStreamTypes)), "use KinesisStreamAsSource, MSKAsSource or DirectPut")
	}
	ch.Rule(ruleSourceConfig)
	_, hasKDS := props["KinesisStreamSourceConfiguration"].(map[string]any)
	msk, hasMSK := props["MSKSourceConfiguration"].(map[string]any)
	switch {
	case typ == "KinesisStreamAsSource" && !hasKDS:
		ch.Report(rules.Error, ruleSourceConfig, "KinesisStreamSourceConfiguration", DocKinesisSource, "KinesisStreamAsSource needs KinesisStreamSourceConfiguration.", "add KinesisStreamSourceConfiguration {KinesisStreamARN, RoleARN}")
	case typ == "MSKAsSource" && !hasMSK:
		ch.Report(rules.Error, ruleSourceConfig, "MSKSourceConfiguration", DocMSKSource, "MSKAsSource needs MSKSourceConfiguration.", "add MSKSourceConfiguration {MSKClusterARN, TopicName, AuthenticationConfiguration {Connectivity, RoleARN}}")
	case hasKDS && typ != "KinesisStreamAsSource", hasMSK && typ != "MSKAsSource":
		ch.Report(rules.Error, ruleSourceConfig, "DeliveryStreamType", DocCFN, fmt.Sprintf("a source configuration is set but DeliveryStreamType is %s.", typ), "set DeliveryStreamType to match the source configuration (KinesisStreamAsSource or MSKAsSource)")
	}
	if hasMSK {
		checkMSK(ch, b, msk)
	}
	checkDestinations(ch, b, props)
	return ch.Done()
}

func checkMSK(ch *integ.Checker, b *guidance.Base, msk map[string]any) {
	ch.Rule(ruleMSK)
	for _, k := range []string{"MSKClusterARN", "TopicName", "AuthenticationConfiguration"} {
		if msk[k] == nil {
			ch.Report(rules.Error, ruleMSK, "MSKSourceConfiguration."+k, DocMSKSource, k+" is required.", "set "+k)
		}
	}
	auth, _ := msk["AuthenticationConfiguration"].(map[string]any)
	ch.Rule(ruleConnectivity)
	conn, _ := auth["Connectivity"].(string)
	switch {
	case auth == nil:
	case !slices.Contains(b.Strings(idConnectivity), conn):
		ch.Report(rules.Error, ruleConnectivity, "MSKSourceConfiguration.AuthenticationConfiguration.Connectivity", b.Source(idConnectivity), fmt.Sprintf("Connectivity %q is not PRIVATE or PUBLIC.", conn), "use PRIVATE (private bootstrap brokers)")
	case conn == "PRIVATE":
		ch.Report(rules.Info, ruleConnectivity, "MSKSourceConfiguration.AuthenticationConfiguration.Connectivity", b.Source(idConnectivity), "PRIVATE connectivity works only if the cluster has IAM access control with multi-VPC private connectivity turned on for IAM, and a cluster policy letting the Firehose service principal call kafka:CreateVpcConnection (MSK Serverless included).",
			"check with kafka describe-cluster-v2 and get-cluster-policy; stream_guidance topic firehose generates the cluster policy")
	}
	if auth != nil && auth["RoleARN"] == nil {
		ch.Report(rules.Error, ruleMSK, "MSKSourceConfiguration.AuthenticationConfiguration.RoleARN", DocMSKSource, "the MSK source needs a RoleARN Firehose assumes to read the topic.", "set RoleARN to a role trusted by firehose.amazonaws.com with kafka-cluster:Connect, DescribeTopic and ReadData")
	}
}

func checkDestinations(ch *integ.Checker, b *guidance.Base, props map[string]any) {
	ch.Rule(ruleDestination)
	var set []string
	for _, d := range destinations {
		if _, ok := props[d]; ok {
			set = append(set, d)
		}
	}
	if len(set) != 1 {
		ch.Report(rules.Error, ruleDestination, "", DocCFN, fmt.Sprintf("a Firehose stream has exactly one destination; found %d (%v).", len(set), set), "keep one destination configuration (ExtendedS3DestinationConfiguration for S3)")
	}
	for _, d := range set {
		cfg, _ := props[d].(map[string]any)
		checkBuffering(ch, b, d, cfg)
	}
}

func checkBuffering(ch *integ.Checker, b *guidance.Base, dest string, cfg map[string]any) {
	ch.Rule(ruleBuffering)
	ch.Rule(ruleDynamic)
	bh, ok := cfg["BufferingHints"].(map[string]any)
	f := dest + ".BufferingHints."
	size, hasSize := rules.Number(bh["SizeInMBs"])
	interval, hasInterval := rules.Number(bh["IntervalInSeconds"])
	ref := b.Source(idSizeMax)
	if ok && hasSize != hasInterval {
		ch.Report(rules.Error, ruleBuffering, f[:len(f)-1], ref, "SizeInMBs and IntervalInSeconds must be set together.", fmt.Sprintf("set both (defaults %g MiB and %g s)", b.Num(idSizeDefault), b.Num(idIntervalDef)))
	}
	if hasSize && (size < b.Num(idSizeMin) || size > b.Num(idSizeMax)) {
		ch.Report(rules.Error, ruleBuffering, f+"SizeInMBs", ref, fmt.Sprintf("SizeInMBs %g is outside %g-%g.", size, b.Num(idSizeMin), b.Num(idSizeMax)), "use a size within the range")
	}
	if hasInterval && (interval < b.Num(idIntervalMin) || interval > b.Num(idIntervalMax)) {
		ch.Report(rules.Error, ruleBuffering, f+"IntervalInSeconds", ref, fmt.Sprintf("IntervalInSeconds %g is outside %g-%g.", interval, b.Num(idIntervalMin), b.Num(idIntervalMax)), "use an interval within the range")
	}
	dp, _ := cfg["DynamicPartitioningConfiguration"].(map[string]any)
	if on, _ := dp["Enabled"].(bool); on {
		if hasInterval && interval == b.Num(idIntervalMin) {
			ch.Report(rules.Error, ruleDynamic, f+"IntervalInSeconds", b.Source(idDelayFactor), "zero buffering is not available with dynamic partitioning.", "set IntervalInSeconds above 0")
		}
		iv := b.Num(idIntervalDef)
		if hasInterval {
			iv = interval
		}
		ch.Report(rules.Info, ruleDynamic, dest+".DynamicPartitioningConfiguration", b.Source(idActiveParts), fmt.Sprintf("with dynamic partitioning a batch can take about %g x the interval (%g s) to arrive, and at most %g active partitions (prefixes) per stream are buffered (%g with a quota increase); records beyond go to the error prefix activePartitionExceeded.",
			b.Num(idDelayFactor), b.Num(idDelayFactor)*iv, b.Num(idActiveParts), b.Num(idActivePartsMax)), "keep the prefixes created per interval under the active partition quota")
	}
}
