package guide

import "github.com/stream-mcp/stream-mcp/internal/iac"

// facts returns the rows an expert states for the source kind: delivery
// semantics, partial batch responses, destinations, Kafka consumer groups
// and schema registries, batch Duration and MSK controller metrics. Each
// row's cause is a guidance entry's summary, and its reference is
// returned so the answer cites it.
func (e *Engine) facts(src iac.Source) ([]Row, []string) {
	var rows []Row
	var refs []string
	add := func(id string, r Row) {
		l, ok := e.b.Lookup(id)
		if !ok {
			return
		}
		r.Cause = l.Summary
		rows = append(rows, r)
		refs = append(refs, e.b.Source(id))
	}
	add("guidance_esm.fact.delivery", Row{Symptom: "Duplicate or out-of-order records downstream", Check: "whether the handler is idempotent and which key orders the records", Fix: "make writes idempotent (dedupe on a record id); keep ordered work on one shard key, partition or message group", Tool: "esm_guidance"})
	if !src.IsSQS() {
		add("guidance_esm.fact.on_failure_contents", Row{Symptom: "Records in the on-failure destination hold no payload", Check: "DestinationConfig.OnFailure.Destination type", Fix: "read the records back from the source by the offsets/sequence numbers in the record before retention ends, or use an S3 destination to keep the payload", Tool: "esm_inspect"})
	}
	if src.IsStream() || src.IsKafka() || src.IsSQS() {
		add("guidance_esm.fact.partial_batch", Row{Symptom: "Records after a failed one are processed again", Check: "FunctionResponseTypes and the batchItemFailures the handler returns", Fix: "return the first failed record's id (streams) and make processing idempotent; only SQS retries exactly the listed messages", Tool: "esm_inspect"})
	}
	if src.IsKafka() {
		add("guidance_esm.fact.kafka_shared_group", Row{Symptom: "The function sees only part of the topic", Check: "members of the mapping's consumer group that are not Lambda (kafka_inspect group view)", Fix: "give the mapping its own ConsumerGroupId", Tool: "kafka_inspect"})
		add("guidance_esm.fact.schema_registry", Row{Symptom: "Avro/Protobuf records arrive as bytes, or fail after a registry change", Check: "SchemaRegistryConfig.EventRecordFormat and the registry's reachability", Fix: "use EventRecordFormat JSON, or SOURCE with the Powertools Kafka deserialisers; fix registry access before the cached schemas expire", Tool: "esm_inspect"})
	}
	if src == iac.SourceMSK {
		add("msk.metrics.controller_statistic", Row{Symptom: "CloudWatch shows ActiveControllerCount below 1", Check: "the statistic the dashboard or alarm uses", Fix: "read ActiveControllerCount with Maximum (or Sum, which must be 1), never Average", Tool: "kafka_troubleshoot"})
	}
	add("guidance_esm.fact.duration_batch", Row{Symptom: "Duration rose after raising BatchSize", Check: "Duration ÷ records per invocation before and after", Fix: "nothing if cost per record fell; size with esm_optimize", Tool: "esm_optimize"})
	return rows, refs
}
