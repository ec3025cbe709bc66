package kafkacfg

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// TopicContext is what the topic rules may know beyond the topic config.
// Zero values mean unknown.
type TopicContext struct {
	// Brokers in the cluster.
	Brokers int
	// Consumers is the member count of the largest group reading the topic.
	Consumers int
	// ProducerAcks is the acks setting of the topic's producers.
	ProducerAcks string
	// ProducerMaxRequestSize is the producers' max.request.size in bytes.
	ProducerMaxRequestSize float64
	// ConsumerFetchMaxBytes is the consumers' fetch.max.bytes.
	ConsumerFetchMaxBytes float64
	// IngressMBps is the topic's write rate in MB/s (before replication).
	IngressMBps float64
	// BrokerStorageGiB is the data volume size of each broker.
	BrokerStorageGiB float64
	// Serverless marks an MSK Serverless cluster.
	Serverless bool
}

// Topic creation parameters accepted in the config next to topic configs.
const (
	KeyPartitions        = "partitions"
	KeyReplicationFactor = "replication.factor"
)

// ValidateTopic judges a topic's configs. Besides Kafka topic configs
// (cleanup.policy, min.insync.replicas, retention.ms, max.message.bytes, ...)
// the config may carry the creation parameters "partitions" and
// "replication.factor".
func ValidateTopic(cfg Config, ctx TopicContext, b *guidance.Base) Result {
	c := newChecker(normalizeTopic(cfg), b)
	rf, hasRF := c.num(KeyReplicationFactor)
	parts, hasParts := c.num(KeyPartitions)

	if hasParts {
		const id = "kafka.topic.partitions.min"
		c.mark(id)
		if parts < b.Num(id) {
			c.report(rules.Error, id, KeyPartitions, fmt.Sprintf("partitions %s; a topic needs at least %s", fmtNum(parts), fmtNum(b.Num(id))), fmt.Sprintf("set partitions to at least %s", fmtNum(b.Num(id))))
		}
		const cid = "kafka.topic.partitions.idle_consumers"
		c.mark(cid)
		if ctx.Consumers > 0 && float64(ctx.Consumers) > parts {
			c.report(rules.Warning, cid, KeyPartitions, fmt.Sprintf("%d consumers share %s partitions; %s of them get no partition", ctx.Consumers, fmtNum(parts), fmtNum(float64(ctx.Consumers)-parts)),
				fmt.Sprintf("raise partitions to at least %d (partitions can only be added, and adding them moves keys), or run fewer consumers", ctx.Consumers))
		}
	}
	if hasRF {
		const minID, recID, brID = "kafka.topic.replication_factor.min", "msk.config.replication_factor.recommended", "kafka.topic.replication_factor.max_brokers"
		c.mark(minID)
		c.mark(recID)
		c.mark(brID)
		switch {
		case rf < b.Num(minID):
			c.report(rules.Error, minID, KeyReplicationFactor, fmt.Sprintf("replication.factor %s is below %s", fmtNum(rf), fmtNum(b.Num(minID))), fmt.Sprintf("set replication.factor to %s", fmtNum(b.Num(recID))))
		case ctx.Brokers > 0 && rf > float64(ctx.Brokers):
			c.report(rules.Error, brID, KeyReplicationFactor, fmt.Sprintf("replication.factor %s exceeds the %d brokers; creation fails", fmtNum(rf), ctx.Brokers), fmt.Sprintf("set replication.factor to at most %d", ctx.Brokers))
		case rf < b.Num(recID):
			c.report(rules.Warning, recID, KeyReplicationFactor, fmt.Sprintf("replication.factor %s is below the recommended %s; losing a broker can lose data or availability", fmtNum(rf), fmtNum(b.Num(recID))),
				fmt.Sprintf("set replication.factor to %s", fmtNum(b.Num(recID))))
		}
	}
	if isr, ok := c.num("min.insync.replicas"); ok {
		const minID, aboveID, belowID, acksID = "kafka.topic.min_insync_replicas.min", "kafka.topic.min_insync_replicas.above_rf", "msk.config.min_insync_replicas.below_rf", "kafka.topic.min_insync_replicas.needs_acks_all"
		c.mark(minID)
		if isr < b.Num(minID) {
			c.report(rules.Error, minID, "min.insync.replicas", fmt.Sprintf("min.insync.replicas %s is below %s", fmtNum(isr), fmtNum(b.Num(minID))), fmt.Sprintf("set min.insync.replicas to at least %s", fmtNum(b.Num(minID))))
		}
		if hasRF {
			c.mark(aboveID)
			c.mark(belowID)
			want := rf - b.Num(belowID)
			switch {
			case isr > rf:
				c.report(rules.Error, aboveID, "min.insync.replicas", fmt.Sprintf("min.insync.replicas %s is above replication.factor %s: every acks=all write fails with NotEnoughReplicas", fmtNum(isr), fmtNum(rf)),
					fmt.Sprintf("set min.insync.replicas to %s (replication.factor - %s)", fmtNum(math.Max(want, b.Num(minID))), fmtNum(b.Num(belowID))))
			case isr == rf && rf > b.Num(minID):
				c.report(rules.Warning, belowID, "min.insync.replicas", fmt.Sprintf("min.insync.replicas equals replication.factor (%s): one broker down or restarting (e.g. during patching) blocks acks=all writes", fmtNum(rf)),
					fmt.Sprintf("set min.insync.replicas to %s", fmtNum(want)))
			case isr < want && want >= b.Num(minID) && isr >= b.Num(minID):
				c.report(rules.Info, belowID, "min.insync.replicas", fmt.Sprintf("min.insync.replicas %s with replication.factor %s acknowledges writes held by fewer replicas than recommended", fmtNum(isr), fmtNum(rf)),
					fmt.Sprintf("set min.insync.replicas to %s for acks=all durability", fmtNum(want)))
			}
		}
		if ctx.ProducerAcks != "" {
			c.mark(acksID)
			if isr > b.Num(minID) && !slices.Contains(b.Strings("kafka.producer.acks.durable"), strings.ToLower(ctx.ProducerAcks)) {
				c.report(rules.Warning, acksID, "min.insync.replicas", fmt.Sprintf("producers use acks=%s, so min.insync.replicas %s protects nothing", ctx.ProducerAcks, fmtNum(isr)),
					"set the producers' acks=all")
			}
		}
	}
	policies := b.Strings("kafka.topic.cleanup_policy.default")
	if s, ok := c.get("cleanup.policy"); ok {
		const id = "kafka.topic.cleanup_policy.values"
		c.mark(id)
		policies = nil
		allowed := b.Strings(id)
		for _, p := range strings.Split(s, ",") {
			p = strings.ToLower(strings.TrimSpace(p))
			if !slices.Contains(allowed, p) {
				c.report(rules.Error, id, "cleanup.policy", fmt.Sprintf("cleanup.policy token %q is not one of %s", p, strings.Join(allowed, ", ")), "use delete, compact, or compact,delete")
				continue
			}
			policies = append(policies, p)
		}
	}
	if tiered, ok := c.boolean("remote.storage.enable"); ok {
		const id = "kafka.topic.tiered_storage.delete_only"
		c.mark(id)
		if tiered && slices.Contains(policies, "compact") {
			c.report(rules.Error, id, "remote.storage.enable", "tiered storage is not supported for compacted topics", "set cleanup.policy=delete or remote.storage.enable=false")
		}
	}
	c.checkRetention(ctx, rf, hasRF, policies)
	c.checkMessageSize(ctx)
	if unclean, ok := c.boolean("unclean.leader.election.enable"); ok {
		const id = "kafka.topic.unclean_leader_election.enabled"
		c.mark(id)
		if unclean {
			c.report(rules.Warning, id, "unclean.leader.election.enable", "unclean leader election can elect an out-of-sync replica and lose acknowledged writes", "set unclean.leader.election.enable=false unless availability matters more than data")
		}
	}
	return c.result()
}

func (c *checker) checkRetention(ctx TopicContext, rf float64, hasRF bool, policies []string) {
	b := c.b
	if !slices.Contains(policies, "delete") {
		return
	}
	ret, hasRet := c.num("retention.ms")
	if !hasRet {
		ret = b.Num("kafka.topic.retention_ms.default")
	}
	unlimited := b.Num("kafka.topic.retention_ms.unlimited")
	tiered, _ := c.boolean("remote.storage.enable")
	rb, hasRB := c.num("retention.bytes")
	sizeBound := hasRB && rb != unlimited
	if ret == unlimited {
		const id = "kafka.topic.retention.unbounded"
		c.mark(id)
		if !sizeBound && !tiered {
			c.report(rules.Warning, id, "retention.ms", "retention.ms=-1 without retention.bytes keeps every record forever: the disks fill",
				"set retention.ms (e.g. 604800000 for 7 days) or retention.bytes, or enable tiered storage")
		}
	}
	if ctx.IngressMBps <= 0 || ctx.BrokerStorageGiB <= 0 || ctx.Brokers <= 0 || !hasRF || tiered {
		return
	}
	const id = "kafka.topic.storage.disk_used_alarm_percent"
	c.mark(id)
	// Kafka deletes a segment when either bound is reached, so the disk
	// holds the smaller of the time-bound and size-bound volumes.
	needGiB := math.Inf(1)
	retSeconds := ret / msPerSecond
	if ret != unlimited {
		needGiB = ctx.IngressMBps * bytesPerMB * retSeconds * rf / float64(ctx.Brokers) / bytesPerGiB
	}
	parts, hasParts := c.num(KeyPartitions)
	if sizeBound && hasParts {
		needGiB = math.Min(needGiB, rb*parts*rf/float64(ctx.Brokers)/bytesPerGiB)
	}
	if math.IsInf(needGiB, 1) {
		return
	}
	pct := b.Num(id)
	budget := ctx.BrokerStorageGiB * pct / percent
	if needGiB > budget {
		field, fix := "retention.ms", fmt.Sprintf("lower retention.ms to about %.0f, grow broker storage to at least %.0f GiB, or enable tiered storage", ret*budget/needGiB, needGiB*percent/pct)
		if ret == unlimited {
			field, fix = "retention.bytes", fmt.Sprintf("lower retention.bytes to about %.0f per partition, grow broker storage to at least %.0f GiB, or enable tiered storage", rb*budget/needGiB, needGiB*percent/pct)
		}
		c.report(rules.Warning, id, field,
			fmt.Sprintf("at %s MB/s with RF %s over %d brokers this topic keeps about %.0f GiB per broker, above %s%% of the %s GiB volume (%.0f GiB)",
				fmtNum(ctx.IngressMBps), fmtNum(rf), ctx.Brokers, needGiB, fmtNum(pct), fmtNum(ctx.BrokerStorageGiB), budget),
			fix)
	}
}

// Unit conversions (not limits; exempt from the literal check).
const (
	msPerSecond    = 1000    // unit conversion
	secondsPerHour = 3600    // unit conversion
	bytesPerMB     = 1000000 // unit conversion: MB/s as AWS meters throughput
	bytesPerGiB    = 1 << 30 // unit conversion
	percent        = 100     // unit conversion
)

func (c *checker) checkMessageSize(ctx TopicContext) {
	b := c.b
	mmb, ok := c.num("max.message.bytes")
	if !ok {
		return
	}
	if ctx.ProducerMaxRequestSize > 0 {
		const id = "kafka.topic.max_message_bytes.producer"
		c.mark(id)
		if ctx.ProducerMaxRequestSize < mmb {
			c.report(rules.Info, id, "max.message.bytes", fmt.Sprintf("the topic accepts batches up to %s bytes but producers send requests of at most %s bytes", fmtNum(mmb), fmtNum(ctx.ProducerMaxRequestSize)),
				fmt.Sprintf("raise the producers' max.request.size to %s if records that large are expected, or lower max.message.bytes", fmtNum(mmb)))
		}
	}
	if ctx.ConsumerFetchMaxBytes > 0 {
		const id = "kafka.topic.max_message_bytes.consumer"
		c.mark(id)
		if ctx.ConsumerFetchMaxBytes < mmb {
			c.report(rules.Warning, id, "max.message.bytes", fmt.Sprintf("max.message.bytes %s is above the consumers' fetch.max.bytes %s; large batches come back one per fetch", fmtNum(mmb), fmtNum(ctx.ConsumerFetchMaxBytes)),
				fmt.Sprintf("raise the consumers' fetch.max.bytes and max.partition.fetch.bytes to at least %s", fmtNum(mmb)))
		}
	}
	if ctx.Serverless {
		const id = "msk.serverless.message.max_bytes"
		c.mark(id)
		if hi := b.Num(id); mmb > hi {
			c.report(rules.Error, id, "max.message.bytes", fmt.Sprintf("max.message.bytes %s is above the MSK Serverless maximum %s", fmtNum(mmb), fmtNum(hi)), fmt.Sprintf("set max.message.bytes to at most %s", fmtNum(hi)))
		}
	}
}

// topicAliases maps the creation-parameter names of common topic resources
// (Terraform kafka_topic: replication_factor, config; Strimzi KafkaTopic:
// replicas, config; AdminClient NewTopic: numPartitions, replicationFactor)
// to the names ValidateTopic judges.
var topicAliases = map[string]string{
	"replication_factor": KeyReplicationFactor, "replicationfactor": KeyReplicationFactor, "replicas": KeyReplicationFactor,
	"num_partitions": KeyPartitions, "numpartitions": KeyPartitions, "num.partitions": KeyPartitions,
}

// normalizeTopic flattens a nested config/configs map and renames aliases,
// so a topic given as a Terraform, Strimzi or AdminClient shape is judged
// like one given with Kafka's own names. Names already in Kafka form win.
func normalizeTopic(cfg Config) Config {
	out := Config{}
	for _, nested := range []string{"config", "configs"} {
		if m, ok := cfg[nested].(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
	}
	for k, v := range cfg {
		if k == "config" || k == "configs" || k == "name" {
			continue
		}
		if to, ok := topicAliases[strings.ToLower(k)]; ok {
			if _, set := cfg[to]; !set {
				out[to] = v
			}
			continue
		}
		out[k] = v
	}
	return out
}
