// Package osipipe knows Amazon OpenSearch Ingestion pipelines that read
// Amazon MSK, MSK Serverless, self-managed Kafka and Kinesis Data Streams:
// OCU sizing (one OCU per partition or shard up to the per-pipeline
// maximum), pipeline YAML validation (source, sink and capacity settings
// that matter) and the AWS::OSIS::Pipeline resource. Every number comes from
// guidance/limits/opensearch_ingestion.yaml.
package osipipe

import (
	"fmt"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Guidance ids.
const (
	idMemory        = "osi.ocu.memory_gib"
	idVCPU          = "osi.ocu.vcpu"
	idMin           = "osi.ocu.min"
	idMinHA         = "osi.ocu.min_recommended_ha"
	idMaxStateless  = "osi.ocu.max_stateless"
	idMaxStateful   = "osi.ocu.max_stateful"
	idLogMiBps      = "osi.ocu.log_mib_per_second"
	idPartsPerOCU   = "osi.kafka.partitions_per_ocu"
	idShardsPerOCU  = "osi.kinesis.shards_per_ocu"
	idBodyMax       = "osi.pipeline.body.max_chars"
	idSourcesMax    = "osi.pipeline.sources.max"
	idVersion       = "osi.pipeline.version"
	idKinesisEFOMax = "kinesis.efo.consumers.max"
)

// Documentation pages.
const (
	DocScaling     = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ingestion-scaling.html"
	DocMSK         = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/configure-client-msk.html"
	DocKinesis     = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/configure-client-kinesis.html"
	DocSelfKafka   = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/configure-client-self-managed-kafka.html"
	DocPipelineRol = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/pipeline-security-overview.html"
	DocKafkaSource = "https://opensearch.org/docs/latest/data-prepper/pipelines/configuration/sources/kafka/"
	DocKinesisSrc  = "https://opensearch.org/docs/latest/data-prepper/pipelines/configuration/sources/kinesis/"
	DocOSSink      = "https://opensearch.org/docs/latest/data-prepper/pipelines/configuration/sinks/opensearch/"
	DocLimitations = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ingestion-limitations.html"
	DocMonitoring  = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/monitoring-pipeline-metrics.html"
)

const (
	// mbToMiB converts MB/s (10^6 bytes) to MiB/s (unit conversion).
	mbToMiB = 1e6 / (1 << 20)
)

// Size gives the pipeline's OCU range and the number of pipelines: for
// Kafka, maximum OCUs = partitions of the largest topic up to the
// per-pipeline maximum, more pipelines on the same topic and consumer group
// beyond it; for Kinesis one OCU per shard, more streams beyond it (each
// pipeline reads every shard of its stream).
func Size(in integ.SizeInput, b *guidance.Base) (sizing.Result, error) {
	if err := in.Check(); err != nil {
		return sizing.Result{}, err
	}
	c := integ.NewCalc(b, "opensearch_ingestion")
	c.Ref(DocScaling)
	kinesis := len(in.Topics) == 0 && in.Shards > 0 && in.Partitions == 0
	maxPer := c.N(idMaxStateless)
	minHA := c.N(idMinHA)
	c.Step("one OCU", "memory GiB, vCPU", c.N(idMemory), "GiB", "vcpu", c.N(idVCPU))
	var units, pipelines float64
	var binding, summary string
	switch {
	case kinesis:
		per := c.N(idShardsPerOCU)
		need := c.Step("OCUs for the shards", "shards / shards_per_ocu", float64(in.Shards)/per, "OCU", "shards", in.Shards, "shards_per_ocu", per)
		units = c.Step("maximum OCUs per pipeline", "min(needed, max_per_pipeline)", min(need, maxPer), "OCU", "needed", need, "max_per_pipeline", maxPer)
		pipelines = c.Step("streams (one pipeline each)", "ceil(needed / max_per_pipeline)", float64(integ.Ceil(need/maxPer)), "streams", "needed", need, "max_per_pipeline", maxPer)
		binding = "shards: one OCU processes one shard"
		summary = fmt.Sprintf("one pipeline with MinUnits %d and MaxUnits %d for %d shards", int(min(minHA, units)), int(units), in.Shards)
		if pipelines > 1 {
			summary = fmt.Sprintf("%d shards exceed one pipeline (%d OCUs): split the data over %d streams with one pipeline each (pipelines on the same stream each read every shard)", in.Shards, int(maxPer), int(pipelines))
			binding = "per-pipeline maximum OCUs"
		}
		c.Ref(b.Source(idShardsPerOCU))
	default:
		top := in.LargestTopic()
		if top.Partitions == 0 {
			return sizing.Result{}, integ.Inputf("opensearch_ingestion needs the partitions of the topics read (topics [{name, partitions}] or partitions), or shards for a Kinesis stream")
		}
		per := c.N(idPartsPerOCU)
		need := c.Step("useful OCUs", "partitions of the largest topic / partitions_per_ocu", float64(top.Partitions)/per, "OCU", "partitions", top.Partitions, "partitions_per_ocu", per)
		units = c.Step("maximum OCUs per pipeline", "min(useful, max_per_pipeline)", min(need, maxPer), "OCU", "useful", need, "max_per_pipeline", maxPer)
		pipelines = c.Step("pipelines on the same topic and consumer group", "ceil(useful / max_per_pipeline)", float64(integ.Ceil(need/maxPer)), "pipelines", "useful", need, "max_per_pipeline", maxPer)
		binding = "partitions: a partition is read by one OCU of the consumer group"
		summary = fmt.Sprintf("one pipeline with MinUnits %d and MaxUnits %d (largest topic %d partitions)", int(min(minHA, units)), int(units), top.Partitions)
		if pipelines > 1 {
			units = c.Step("MaxUnits per pipeline", "ceil(useful / pipelines)", float64(integ.Ceil(need/pipelines)), "OCU", "useful", need, "pipelines", pipelines)
			summary = fmt.Sprintf("%d pipelines with MaxUnits %d each, reading the same topics with the same consumer group, which spreads the %d partitions over them", int(pipelines), int(units), top.Partitions)
			binding = "per-pipeline maximum OCUs"
		}
		c.Ref(b.Source(idPartsPerOCU))
	}
	if mbps := in.IngressMBps(); mbps > 0 {
		per := c.N(idLogMiBps)
		tput := c.Step("OCUs for throughput (simple log pipeline)", "ceil(ingress_MiB/s / MiB_per_ocu)", float64(integ.Ceil(mbps*mbToMiB/per)), "OCU", "ingress_MiB/s", mbps*mbToMiB, "MiB_per_ocu", per)
		if tput > units*pipelines {
			c.Warn("the write rate needs about %d OCUs at %g MiB/s each, more than the %d partitions or shards let the pipelines use; add partitions (or shards) so more OCUs can read in parallel", int(tput), per, int(units*pipelines))
			binding = "throughput per OCU, capped by partitions or shards"
		}
	}
	c.Alt("MinUnits 1", true, fmt.Sprintf("cheapest when idle, but a single OCU is in one AZ; AWS recommends at least %d for 99.9%% availability", int(minHA)))
	c.Alt("stateful processors (aggregate, anomaly detection, service map)", true, fmt.Sprintf("the per-pipeline maximum drops to %d OCUs", b.Int(idMaxStateful)))
	return c.Done(sizing.Recommendation{Summary: summary}, binding), nil
}
