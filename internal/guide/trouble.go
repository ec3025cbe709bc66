package guide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

func (e *Engine) troubleshooting(r Request) Result {
	var rows []Row
	common := []Row{
		{Symptom: "Mapping State is Disabled with StateTransitionReason naming a user", Cause: "someone disabled it (or a deploy set Enabled false)", Check: "State and StateTransitionReason", Fix: "enable it; check IaC for Enabled: false", Tool: "esm_inspect"},
		{Symptom: "LastProcessingResult 'PROBLEM: Function call failed'", Cause: "the function throws or times out on the batch", Check: "ESM error counters and the function's errors", Fix: "fix the code or raise the timeout; with ReportBatchItemFailures, SQS retries only the failed messages and streams and Kafka resume from the first failed record instead of the whole batch", Tool: "esm_inspect"},
	}
	switch {
	case r.Source.IsStream():
		rows = append(rows,
			Row{Symptom: "IteratorAge keeps rising", Cause: "processing slower than ingest: too few concurrent batches per shard, slow function, or a batch failing repeatedly", Check: "IteratorAge and shard count; errors on the mapping", Fix: "raise ParallelizationFactor or shards (esm_optimize computes them), fix failing records, set finite retries + destination", Tool: "kinesis_inspect"},
			Row{Symptom: "Records silently skipped", Cause: "MaximumRecordAgeInSeconds or MaximumRetryAttempts discarded them without an on-failure destination", Check: "DestinationConfig and retry settings", Fix: "add an on-failure destination to keep the failed batch metadata", Tool: "esm_inspect"},
			Row{Symptom: "Throttling: ReadProvisionedThroughputExceeded", Cause: "too many shared-throughput consumers on the stream", Check: "consumers and GetRecords throttles", Fix: "use enhanced fan-out (a consumer ARN as EventSourceArn)", Tool: "kinesis_inspect"},
			Row{Symptom: "AccessDenied / KMS errors in LastProcessingResult", Cause: "execution role lacks stream read actions or kms:Decrypt on the stream key", Check: "role policy against esm_guidance permissions", Fix: "attach the generated policy", Tool: "esm_inspect"},
		)
		rows = append(rows, Row{Symptom: "The same batch fails again and again; IteratorAge of one shard climbs", Cause: e.summary("esm.stream.unbounded_retry"), Check: "MaximumRetryAttempts, MaximumRecordAgeInSeconds, BisectBatchOnFunctionError, DestinationConfig", Fix: "set BisectBatchOnFunctionError true (splits the batch to isolate the bad record), finite MaximumRetryAttempts and MaximumRecordAgeInSeconds, an on-failure destination, and ReportBatchItemFailures", Tool: "esm_inspect"})
		if r.Source == iac.SourceDynamoDB {
			rows = append(rows, Row{Symptom: "Records missing after a long outage or a blocked shard", Cause: e.summary("esm.dynamodb.stream_retention_seconds") + " A batch retried longer than that is trimmed from the stream and lost.", Check: "IteratorAge against 24 hours; retry settings", Fix: "alarm on IteratorAge well below 24 hours, bound retries and keep failed batches in an on-failure destination", Tool: "esm_inspect"})
		}
	case r.Source.IsSQS():
		rows = append(rows,
			Row{Symptom: "Messages processed more than once", Cause: fmt.Sprintf("visibility timeout shorter than %d× the function timeout, so messages reappear while in flight", e.b.Int("esm.sqs.visibility_timeout.function_timeout_ratio")), Check: "queue VisibilityTimeout vs function timeout", Fix: "raise the queue's VisibilityTimeout", Tool: "esm_inspect"},
			Row{Symptom: "Messages land in the DLQ without being processed", Cause: fmt.Sprintf("maxReceiveCount below %d while the function is throttled", e.b.Int("guidance_esm.sqs.redrive.max_receive_count.min_recommended")), Check: "redrive policy and throttles", Fix: "raise maxReceiveCount; cap concurrency with ScalingConfig.MaximumConcurrency instead of reserved concurrency", Tool: "esm_inspect"},
			Row{Symptom: "Backlog grows (ApproximateAgeOfOldestMessage rising)", Cause: "MaximumConcurrency or account concurrency caps the pollers, or the function is slow", Check: "ScalingConfig, function concurrency, batch duration", Fix: "raise MaximumConcurrency or use provisioned pollers (esm_optimize)", Tool: "esm_inspect"},
		)
		if r.Source == iac.SourceSQSFIFO {
			rows = append(rows, Row{Symptom: "One message group stops while others flow", Cause: "a failing message blocks its message group", Check: "errors for that group's messages", Fix: "fix or dead-letter the poison message", Tool: "esm_inspect"})
		}
	case r.Source.IsKafka():
		rows = append(rows,
			Row{Symptom: "'PROBLEM: Connection error' before any record was read", Cause: "security group or route blocks the pollers from the brokers' port", Check: "security-group rules on the broker port (self-referencing for MSK) and subnet routes", Fix: "apply the esm_guidance networking rules", Tool: "kafka_troubleshoot"},
			Row{Symptom: "'Connection error… must be able to connect to Lambda and STS'", Cause: "on-demand mode without NAT gateway or VPC endpoints for Lambda, STS (and Secrets Manager)", Check: "route tables and VPC endpoints of the subnets", Fix: "add NAT or endpoints, or switch to provisioned mode", Tool: "kafka_troubleshoot"},
			Row{Symptom: "'SASL authentication failed'", Cause: "bad or unreadable secret (SCRAM/PLAIN), or missing kafka-cluster:Connect (IAM)", Check: "secret access and Connect permission", Fix: "fix the secret or the execution role", Tool: "kafka_troubleshoot"},
			Row{Symptom: "'Cluster failed to authorize Lambda'", Cause: "ACLs (SCRAM/mTLS) or IAM topic/group permissions missing; IAM ARNs without the cluster UUID match nothing", Check: "authorization on topic and group", Fix: "grant Describe/Read on topic and group (group = ConsumerGroupId or mapping UUID)", Tool: "kafka_troubleshoot"},
			Row{Symptom: "OffsetLag grows", Cause: "too few pollers or partitions, slow function, or a poison record retried forever", Check: "consumer-group lag per partition and the mapping's errors", Fix: "size pollers (esm_optimize), add partitions, use provisioned mode with retries + destination", Tool: "kafka_inspect"},
			Row{Symptom: "Mapping stopped with ESM_CONFIG_NOT_VALID / EVENT_SOURCE_AUTHN_ERROR / EVENT_SOURCE_AUTHZ_ERROR", Cause: "Lambda disabled the consumer on a configuration, authentication or authorization error", Check: "StateTransitionReason", Fix: "fix the named cause, then re-enable the mapping", Tool: "esm_inspect"},
		)
	}
	rows = append(rows, common...)
	facts, refs := e.facts(r.Source)
	rows = append(rows, facts...)
	return Result{
		References:      refs,
		Steps:           []Step{{Title: "Start from live state", Detail: fmt.Sprintf("Each row names the tool that checks it against the live mapping; for %s call them with esm_uuid or the ARNs.", r.Source)}},
		Troubleshooting: rows,
		Checks:          []Check{{Name: "Mapping health", How: "State Enabled, LastProcessingResult OK", Tool: "esm_inspect"}},
	}
}

// departures compares the live mapping and its surroundings with what the
// guidance recommends.
func (e *Engine) departures(r Request) []string {
	var d []string
	if m := r.Live; m != nil {
		d = append(d, e.esmDepartures(r, m)...)
	}
	f := r.Facts
	if f == nil {
		return d
	}
	if f.LiveSource != "" && f.LiveSource != r.Source {
		d = append(d, fmt.Sprintf("The live mapping reads a %s source, not %s: this guidance is for the wrong source kind.", f.LiveSource, r.Source))
	}
	if f.QueueRead {
		ratio := e.b.Int("esm.sqs.visibility_timeout.function_timeout_ratio")
		if f.FunctionTimeoutSeconds > 0 && f.QueueVisibilityTimeoutSeconds < ratio*f.FunctionTimeoutSeconds {
			d = append(d, fmt.Sprintf("Queue VisibilityTimeout is %d s, below %d× the function timeout of %d s (%d s): messages can reappear while in flight.",
				f.QueueVisibilityTimeoutSeconds, ratio, f.FunctionTimeoutSeconds, ratio*f.FunctionTimeoutSeconds))
		}
		if !f.QueueHasDLQ {
			d = append(d, "The queue has no redrive policy: a poison message is retried until it expires.")
		} else if min := e.b.Int("guidance_esm.sqs.redrive.max_receive_count.min_recommended"); f.QueueMaxReceiveCount < min {
			d = append(d, fmt.Sprintf("Redrive maxReceiveCount is %d, below %d: throttled messages can reach the DLQ unprocessed.", f.QueueMaxReceiveCount, min))
		}
	}
	if f.ClusterRead {
		if minAZ := e.b.Int("guidance_esm.vpc.min_azs"); !f.ClusterServerless && len(f.ClusterSubnets) < minAZ {
			d = append(d, fmt.Sprintf("The cluster has %d client subnets; use at least %d Availability Zones.", len(f.ClusterSubnets), minAZ))
		}
		want := map[iac.Auth]string{iac.AuthIAM: "iam", iac.AuthSCRAM512: "sasl_scram", iac.AuthMTLS: "tls", iac.AuthNone: "unauthenticated"}[r.Auth]
		if want != "" && len(f.ClusterAuth) > 0 && !contains(f.ClusterAuth, want) {
			d = append(d, fmt.Sprintf("The cluster does not enable %s authentication (enabled: %s).", r.Auth, strings.Join(f.ClusterAuth, ", ")))
		}
		if f.ClusterServerless && r.ClientAccount != "" {
			d = append(d, "MSK Serverless clusters cannot be reached by cross-account mappings.")
		}
	}
	return d
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (e *Engine) esmDepartures(r Request, m *iac.ESM) []string {
	var d []string
	hasRBIF := contains(m.FunctionResponseTypes, "ReportBatchItemFailures")
	provisioned := m.ProvisionedPollerConfig != nil
	if (r.Source.IsStream() || r.Source.IsSQS() || (r.Source.IsKafka() && provisioned)) && !hasRBIF {
		d = append(d, "FunctionResponseTypes lacks ReportBatchItemFailures: a single failed record retries the whole batch.")
	}
	if r.Source.IsStream() || (r.Source.IsKafka() && provisioned) {
		if m.MaximumRetryAttempts == nil || *m.MaximumRetryAttempts < 0 {
			d = append(d, "MaximumRetryAttempts is infinite: a poison record blocks its shard or partition until it expires.")
		}
		if m.DestinationConfig == nil || m.DestinationConfig.OnFailure == nil {
			d = append(d, "No on-failure destination: discarded batches leave no trace.")
		}
	}
	if r.Source.IsKafka() && !provisioned && r.PollerMode == ModeProvisioned {
		d = append(d, "The mapping runs in on-demand mode, not provisioned mode as requested.")
	}
	if r.Source.IsKafka() {
		if c := kafkaCfg(m, r.Source); c == nil || c.ConsumerGroupId == "" {
			d = append(d, "No explicit ConsumerGroupId: the group is the mapping UUID.")
		}
	}
	if m.Enabled != nil && !*m.Enabled {
		d = append(d, "The mapping is disabled.")
	}
	return d
}

func kafkaCfg(m *iac.ESM, s iac.Source) *iac.KafkaEventSourceConfig {
	if s == iac.SourceMSK {
		return m.AmazonManagedKafkaEventSourceConfig
	}
	return m.SelfManagedKafkaEventSourceConfig
}

func references(r Request) []string {
	base := "https://docs.aws.amazon.com/lambda/latest/dg/"
	switch r.Source {
	case iac.SourceKinesis:
		return []string{base + "with-kinesis.html", base + "services-kinesis-parameters.html", base + "kinesis-on-failure-destination.html"}
	case iac.SourceDynamoDB:
		return []string{base + "with-ddb.html", base + "services-ddb-params.html"}
	case iac.SourceSQS, iac.SourceSQSFIFO:
		return []string{base + "with-sqs.html", base + "services-sqs-configure.html", base + "services-sqs-parameters.html"}
	case iac.SourceMSK:
		return []string{base + "with-msk.html", base + "with-msk-permissions.html", base + "with-msk-cluster-network.html", base + "msk-cross-account.html",
			"https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html", "https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html"}
	}
	return []string{base + "with-kafka.html", base + "with-kafka-cluster-network.html", base + "with-kafka-troubleshoot.html"}
}
