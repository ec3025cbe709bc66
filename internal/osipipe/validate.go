package osipipe

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Rule ids.
const (
	ruleBodySize     = "opensearch_pipeline.body.size"
	ruleVersion      = "opensearch_pipeline.version"
	ruleSources      = "opensearch_pipeline.source.count"
	ruleKafkaTopics  = "opensearch_pipeline.kafka.topics"
	ruleKafkaCluster = "opensearch_pipeline.kafka.cluster"
	ruleKafkaAck     = "opensearch_pipeline.kafka.acknowledgments"
	ruleRole         = "opensearch_pipeline.sts_role_arn"
	ruleKinesis      = "opensearch_pipeline.kinesis.streams"
	ruleKinesisEFO   = "opensearch_pipeline.kinesis.consumer_strategy"
	ruleSink         = "opensearch_pipeline.sink"
	ruleSinkHosts    = "opensearch_pipeline.sink.opensearch.hosts"
	ruleServerless   = "opensearch_pipeline.sink.opensearch.serverless"
	ruleDLQ          = "opensearch_pipeline.sink.opensearch.dlq"
	ruleS3Bucket     = "opensearch_pipeline.sink.s3.bucket"
	ruleUnits        = "opensearch_pipeline.units"
	ruleUnitsHA      = "opensearch_pipeline.units.min_ha"
	ruleUnitsParts   = "opensearch_pipeline.units.max_vs_partitions"
)

// statefulProcessors make a pipeline stateful (lower OCU maximum).
var statefulProcessors = []string{"aggregate", "anomaly_detector", "service_map", "otel_traces", "otel_trace_raw"}

// Pipeline is what Validate reads: the YAML body and the capacity.
type Pipeline struct {
	Body     string
	MinUnits *float64
	MaxUnits *float64
}

// Validate checks a pipeline given as YAML text, as the pipeline object, or
// as AWS::OSIS::Pipeline / CreatePipeline properties (PipelineConfigurationBody,
// MinUnits, MaxUnits).
func Validate(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
	p, err := fromInput(in)
	if err != nil {
		return integ.Validation{}, err
	}
	ch := integ.NewChecker(b, "")
	if err := check(ch, b, p, in); err != nil {
		return integ.Validation{}, err
	}
	return ch.Done(), nil
}

// CheckResource validates AWS::OSIS::Pipeline properties in a template.
func CheckResource(path string, props map[string]any, b *guidance.Base) integ.Validation {
	ch := integ.NewChecker(b, path+".")
	p, err := fromProps(props)
	if err == nil {
		err = check(ch, b, p, integ.ValidateInput{})
	}
	if err != nil {
		ch.Report(rules.Error, ruleVersion, "PipelineConfigurationBody", DocMSK, err.Error(), "make PipelineConfigurationBody a YAML pipeline definition (a literal string, not an intrinsic)")
	}
	return ch.Done()
}

func fromInput(in integ.ValidateInput) (Pipeline, error) {
	if strings.TrimSpace(in.Text) != "" {
		return Pipeline{Body: in.Text}, nil
	}
	if _, ok := in.Config["PipelineConfigurationBody"]; ok {
		return fromProps(in.Config)
	}
	raw, err := yaml.Marshal(in.Config)
	if err != nil {
		return Pipeline{}, integ.Inputf("config: %v", err)
	}
	return Pipeline{Body: string(raw)}, nil
}

func fromProps(props map[string]any) (Pipeline, error) {
	body, ok := props["PipelineConfigurationBody"].(string)
	if !ok {
		return Pipeline{}, integ.Inputf("PipelineConfigurationBody must be the pipeline YAML as a string")
	}
	p := Pipeline{Body: body}
	if n, ok := rules.Number(props["MinUnits"]); ok {
		p.MinUnits = &n
	}
	if n, ok := rules.Number(props["MaxUnits"]); ok {
		p.MaxUnits = &n
	}
	return p, nil
}

func check(ch *integ.Checker, b *guidance.Base, p Pipeline, in integ.ValidateInput) error {
	ch.Rule(ruleBodySize)
	if n, max := len(p.Body), b.Int(idBodyMax); n > max {
		ch.Report(rules.Error, ruleBodySize, "PipelineConfigurationBody", b.Source(idBodyMax), fmt.Sprintf("the pipeline definition has %d characters; the quota is %d.", n, max), "split it into several pipelines or trim processors")
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(p.Body), &doc); err != nil {
		return integ.Inputf("the pipeline definition is not YAML: %v", err)
	}
	if len(doc) == 0 {
		return integ.Inputf("the pipeline definition is empty; send the YAML with version and a pipeline (source, processor, sink)")
	}
	ch.Rule(ruleVersion)
	want := b.Strings(idVersion)
	if v := fmt.Sprint(doc["version"]); doc["version"] == nil || (len(want) > 0 && v != want[0]) {
		ch.Report(rules.Warning, ruleVersion, "version", b.Source(idVersion), fmt.Sprintf("version is %v.", orNone(doc["version"])), fmt.Sprintf("start the definition with version: %q", strings.Join(want, "")))
	}
	names := make([]string, 0, len(doc))
	for k := range doc {
		if k != "version" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return integ.Inputf("no pipeline in the definition: add a top-level pipeline name with source and sink")
	}
	stateful := false
	for _, name := range names {
		pl, _ := doc[name].(map[string]any)
		f := name + "."
		src, _ := pl["source"].(map[string]any)
		ch.Rule(ruleSources)
		if len(src) != b.Int(idSourcesMax) {
			ch.Report(rules.Error, ruleSources, f+"source", b.Source(idSourcesMax), fmt.Sprintf("pipeline %s has %d sources; a pipeline definition takes exactly %d.", name, len(src), b.Int(idSourcesMax)), "keep one source per pipeline; read other sources in other pipelines")
		}
		if k, ok := src["kafka"].(map[string]any); ok {
			checkKafka(ch, k, f+"source.kafka.")
		}
		if k, ok := src["kinesis"].(map[string]any); ok {
			checkKinesis(ch, b, k, f+"source.kinesis.")
		}
		for _, proc := range asList(pl["processor"]) {
			if m, ok := proc.(map[string]any); ok {
				for _, sp := range statefulProcessors {
					if _, ok := m[sp]; ok {
						stateful = true
					}
				}
			}
		}
		checkSinks(ch, asList(pl["sink"]), f+"sink")
	}
	checkUnits(ch, b, p, in, stateful)
	return nil
}

func checkKafka(ch *integ.Checker, k map[string]any, f string) {
	ch.Rule(ruleKafkaTopics)
	topics := asList(k["topics"])
	if len(topics) == 0 {
		ch.Report(rules.Error, ruleKafkaTopics, f+"topics", DocKafkaSource, "the kafka source has no topics.", "add topics: [{name: TOPIC, group_id: GROUP}]")
	}
	for i, t := range topics {
		m, _ := t.(map[string]any)
		if m["name"] == nil || m["group_id"] == nil {
			ch.Report(rules.Error, ruleKafkaTopics, fmt.Sprintf("%stopics[%d]", f, i), DocKafkaSource, "each topic needs name and group_id (the consumer group the pipeline commits offsets for).",
				"set group_id; use the same group_id in every pipeline that shares the topic's partitions")
		}
	}
	aws, _ := k["aws"].(map[string]any)
	msk, _ := aws["msk"].(map[string]any)
	ch.Rule(ruleKafkaCluster)
	if msk["arn"] == nil && k["bootstrap_servers"] == nil {
		ch.Report(rules.Error, ruleKafkaCluster, f+"aws.msk.arn", DocMSK, "the kafka source names no cluster: neither aws.msk.arn nor bootstrap_servers.", "set aws.msk.arn to the MSK cluster ARN (or bootstrap_servers for self-managed Kafka)")
	}
	ch.Rule(ruleRole)
	if msk["arn"] != nil && aws["sts_role_arn"] == nil {
		ch.Report(rules.Error, ruleRole, f+"aws.sts_role_arn", DocMSK, "an MSK source needs aws.sts_role_arn, the pipeline role (trusted by osis-pipelines.amazonaws.com) with kafka-cluster read permissions.", "set aws.sts_role_arn and aws.region")
	}
	ch.Rule(ruleKafkaAck)
	if ack, _ := k["acknowledgments"].(bool); !ack {
		ch.Report(rules.Warning, ruleKafkaAck, f+"acknowledgments", DocKafkaSource, "without end-to-end acknowledgments the source commits offsets before the sink has written the events, so a sink failure loses them.", "set acknowledgments: true")
	}
}

func checkKinesis(ch *integ.Checker, b *guidance.Base, k map[string]any, f string) {
	ch.Rule(ruleKinesis)
	streams := asList(k["streams"])
	if len(streams) == 0 {
		ch.Report(rules.Error, ruleKinesis, f+"streams", DocKinesisSrc, "the kinesis source has no streams.", "add streams: [{stream_name: NAME}]")
	}
	for i, s := range streams {
		if m, _ := s.(map[string]any); m["stream_name"] == nil && m["stream_arn"] == nil {
			ch.Report(rules.Error, ruleKinesis, fmt.Sprintf("%sstreams[%d]", f, i), DocKinesisSrc, "each stream needs stream_name (or stream_arn).", "set stream_name")
		}
	}
	aws, _ := k["aws"].(map[string]any)
	ch.Rule(ruleRole)
	if aws["sts_role_arn"] == nil {
		ch.Report(rules.Error, ruleRole, f+"aws.sts_role_arn", DocKinesis, "the kinesis source needs aws.sts_role_arn, the pipeline role with Kinesis read permissions.", "set aws.sts_role_arn and aws.region")
	}
	ch.Rule(ruleKinesisEFO)
	if cs, _ := k["consumer_strategy"].(string); cs == "" || cs == "enhanced_fan_out" {
		ch.Report(rules.Info, ruleKinesisEFO, f+"consumer_strategy", DocKinesisSrc, fmt.Sprintf("the pipeline reads with enhanced fan-out (the default): it registers a consumer on each stream, which counts against the %d registered consumers a stream allows.", b.Int(idKinesisEFOMax)),
			"keep enhanced_fan_out for dedicated throughput, or set consumer_strategy: polling to share the shards' read capacity")
	}
}

func checkSinks(ch *integ.Checker, sinks []any, f string) {
	ch.Rule(ruleSink)
	if len(sinks) == 0 {
		ch.Report(rules.Error, ruleSink, f, DocOSSink, "the pipeline has no sink.", "add an opensearch (or s3) sink")
	}
	for i, s := range sinks {
		m, _ := s.(map[string]any)
		sf := fmt.Sprintf("%s[%d].", f, i)
		if os, ok := m["opensearch"].(map[string]any); ok {
			checkOpenSearchSink(ch, os, sf+"opensearch.")
		}
		if s3, ok := m["s3"].(map[string]any); ok {
			ch.Rule(ruleS3Bucket)
			if s3["bucket"] == nil {
				ch.Report(rules.Error, ruleS3Bucket, sf+"s3.bucket", DocOSSink, "the s3 sink has no bucket.", "set bucket and aws.sts_role_arn")
			}
		}
	}
}

func checkOpenSearchSink(ch *integ.Checker, os map[string]any, f string) {
	ch.Rule(ruleSinkHosts)
	hosts := asList(os["hosts"])
	if len(hosts) == 0 {
		ch.Report(rules.Error, ruleSinkHosts, f+"hosts", DocOSSink, "the opensearch sink has no hosts.", "set hosts to the domain or collection endpoint, https://...")
	}
	aoss := false
	for _, h := range hosts {
		hs, _ := h.(string)
		if !strings.HasPrefix(hs, "https://") {
			ch.Report(rules.Error, ruleSinkHosts, f+"hosts", DocOSSink, fmt.Sprintf("host %q is not an https:// endpoint.", hs), "use the domain's or collection's https endpoint (not a custom endpoint)")
		}
		aoss = aoss || strings.Contains(hs, ".aoss.")
	}
	aws, _ := os["aws"].(map[string]any)
	ch.Rule(ruleRole)
	if aws["sts_role_arn"] == nil {
		ch.Report(rules.Error, ruleRole, f+"aws.sts_role_arn", DocPipelineRol, "the opensearch sink needs aws.sts_role_arn, the role with es:ESHttp* on the domain (or aoss:APIAccessAll and a data access policy on the collection).", "set aws.sts_role_arn and aws.region")
	}
	ch.Rule(ruleServerless)
	if sv, _ := aws["serverless"].(bool); aoss && !sv {
		ch.Report(rules.Error, ruleServerless, f+"aws.serverless", DocOSSink, "the host is an OpenSearch Serverless collection but aws.serverless is not true.", "set aws.serverless: true")
	}
	ch.Rule(ruleDLQ)
	if os["dlq"] == nil {
		ch.Report(rules.Warning, ruleDLQ, f+"dlq", DocOSSink, "no dead-letter queue: documents OpenSearch rejects (mapping conflicts, oversized documents) are dropped after retries.", "add dlq: {s3: {bucket, key_path_prefix, region, sts_role_arn}}; failed events land as JSON files under the prefix")
	}
}

func checkUnits(ch *integ.Checker, b *guidance.Base, p Pipeline, in integ.ValidateInput, stateful bool) {
	ch.Rule(ruleUnits)
	ch.Rule(ruleUnitsHA)
	ch.Rule(ruleUnitsParts)
	maxID := idMaxStateless
	if stateful {
		maxID = idMaxStateful
	}
	limit := b.Num(maxID)
	if p.MinUnits != nil && *p.MinUnits < b.Num(idMin) {
		ch.Report(rules.Error, ruleUnits, "MinUnits", b.Source(idMin), fmt.Sprintf("MinUnits %g is below %g.", *p.MinUnits, b.Num(idMin)), fmt.Sprintf("set MinUnits to at least %g", b.Num(idMinHA)))
	}
	if p.MaxUnits != nil && *p.MaxUnits > limit {
		ch.Report(rules.Error, ruleUnits, "MaxUnits", b.Source(maxID), fmt.Sprintf("MaxUnits %g is above the %g OCUs a %s pipeline allows.", *p.MaxUnits, limit, map[bool]string{true: "stateful", false: "stateless"}[stateful]), fmt.Sprintf("set MaxUnits to at most %g and add pipelines (same topic and consumer group) for more", limit))
	}
	if p.MinUnits != nil && p.MaxUnits != nil && *p.MinUnits > *p.MaxUnits {
		ch.Report(rules.Error, ruleUnits, "MinUnits", DocScaling, "MinUnits is above MaxUnits.", "set MinUnits <= MaxUnits")
	}
	if p.MinUnits != nil && *p.MinUnits < b.Num(idMinHA) {
		ch.Report(rules.Info, ruleUnitsHA, "MinUnits", b.Source(idMinHA), fmt.Sprintf("MinUnits %g keeps the pipeline in one AZ when idle.", *p.MinUnits), fmt.Sprintf("use MinUnits %g or more for 99.9%% availability", b.Num(idMinHA)))
	}
	parts := max(in.Partitions, in.Shards)
	if p.MaxUnits != nil && parts > 0 && *p.MaxUnits > float64(parts) {
		ch.Report(rules.Warning, ruleUnitsParts, "MaxUnits", b.Source(idPartsPerOCU), fmt.Sprintf("MaxUnits %g is above the %d partitions or shards: OCUs beyond one per partition or shard have nothing to read.", *p.MaxUnits, parts), fmt.Sprintf("set MaxUnits to %d, or add partitions", min(parts, int(limit))))
	}
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return nil
	}
	return []any{v}
}

func orNone(v any) any {
	if v == nil {
		return "missing"
	}
	return v
}
