package kafkacfg

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// ProducerContext is what the producer rules may know beyond the producer
// config. Zero values mean unknown.
type ProducerContext struct {
	// TopicMaxMessageBytes is the target topic's max.message.bytes.
	TopicMaxMessageBytes float64
	// TopicMinInsyncReplicas and TopicReplicationFactor describe the target
	// topic (0 = unknown).
	TopicMinInsyncReplicas float64
	TopicReplicationFactor float64
}

// ValidateProducer judges a producer config: acks, idempotence and its
// prerequisites, in-flight requests and ordering, retries, the
// delivery.timeout.ms >= linger.ms + request.timeout.ms invariant, batching
// and compression.
func ValidateProducer(cfg Config, ctx ProducerContext, b *guidance.Base) Result {
	c := newChecker(cfg, b)
	acks, hasAcks := c.enum("acks", "kafka.producer.acks.values")
	durable := !hasAcks || slices.Contains(b.Strings("kafka.producer.acks.durable"), acks)
	const durID = "kafka.producer.acks.durable"
	c.mark(durID)
	if hasAcks && !durable {
		c.report(rules.Warning, durID, "acks", fmt.Sprintf("acks=%s returns before the in-sync replicas have the record; a leader failure loses acknowledged writes", acks),
			"set acks=all (the default since Kafka 3.0)")
	}
	c.zookeeper()
	if ctx.TopicMinInsyncReplicas > 0 && durable {
		const id = "kafka.producer.acks_all.min_insync"
		c.mark(id)
		switch want := b.Num(id); {
		case ctx.TopicMinInsyncReplicas < want:
			c.report(rules.Warning, id, "acks", fmt.Sprintf("acks=all with the topic's min.insync.replicas %s: a write is acknowledged once the in-sync replicas have it, and with followers out of sync that is the leader alone; losing it loses acknowledged data", fmtNum(ctx.TopicMinInsyncReplicas)),
				fmt.Sprintf("set the topic's min.insync.replicas to %s (with replication factor 3)", fmtNum(want)))
		case ctx.TopicReplicationFactor > 0 && ctx.TopicMinInsyncReplicas >= ctx.TopicReplicationFactor:
			c.report(rules.Warning, id, "acks", fmt.Sprintf("acks=all with min.insync.replicas %s = replication factor %s: one broker down or restarting (every MSK patch) fails writes with NotEnoughReplicas", fmtNum(ctx.TopicMinInsyncReplicas), fmtNum(ctx.TopicReplicationFactor)),
				fmt.Sprintf("set min.insync.replicas to %s (replication factor − 1)", fmtNum(ctx.TopicReplicationFactor-1)))
		}
	}
	idem, hasIdem := c.boolean("enable.idempotence")
	retries, hasRetries := c.num("retries")
	inflight := c.numOr("max.in.flight.requests.per.connection", "kafka.producer.max_in_flight.default")
	const reqID, mifID = "kafka.producer.idempotence.requires", "kafka.producer.idempotence.max_in_flight"
	c.mark(reqID)
	c.mark(mifID)
	if hasIdem && idem {
		if !durable {
			c.report(rules.Error, reqID, "acks", "enable.idempotence=true requires acks=all; the producer refuses to start", "set acks=all or enable.idempotence=false")
		}
		if hasRetries && retries <= 0 {
			c.report(rules.Error, reqID, "retries", "enable.idempotence=true requires retries > 0; the producer refuses to start", "remove retries (default: retry until delivery.timeout.ms)")
		}
		if hi := b.Num(mifID); inflight > hi {
			c.report(rules.Error, mifID, "max.in.flight.requests.per.connection", fmt.Sprintf("max.in.flight.requests.per.connection %s is above %s, which idempotence allows", fmtNum(inflight), fmtNum(hi)),
				fmt.Sprintf("set max.in.flight.requests.per.connection to at most %s", fmtNum(hi)))
		}
	}
	idemOn := (hasIdem && idem) || (!hasIdem && durable && (!hasRetries || retries > 0) && inflight <= b.Num(mifID))
	const ordID = "kafka.producer.max_in_flight.ordering"
	c.mark(ordID)
	if !idemOn && inflight > 1 && (!hasRetries || retries > 0) {
		c.report(rules.Warning, ordID, "max.in.flight.requests.per.connection",
			fmt.Sprintf("idempotence is off and %s requests may be in flight, so a retried request can land after a later one and reorder records", fmtNum(inflight)),
			"enable idempotence (enable.idempotence=true with acks=all), or set max.in.flight.requests.per.connection=1 if order matters")
	}
	const zeroID = "kafka.producer.retries.zero"
	c.mark(zeroID)
	if hasRetries && retries == 0 {
		c.report(rules.Warning, zeroID, "retries", "retries=0 drops records on the first transient error such as a leader election", "remove retries and bound delivery with delivery.timeout.ms")
	}
	const dtID = "kafka.producer.delivery_timeout.min_sum"
	c.mark(dtID)
	linger := c.numOr("linger.ms", "kafka.producer.linger_ms.default")
	reqTO := c.numOr("request.timeout.ms", "kafka.producer.request_timeout_ms.default")
	if dt := c.numOr("delivery.timeout.ms", "kafka.producer.delivery_timeout_ms.default"); dt < linger+reqTO {
		c.report(rules.Error, dtID, "delivery.timeout.ms", fmt.Sprintf("delivery.timeout.ms %s is below linger.ms + request.timeout.ms = %s; the producer refuses to start", fmtNum(dt), fmtNum(linger+reqTO)),
			fmt.Sprintf("set delivery.timeout.ms to at least %s", fmtNum(linger+reqTO)))
	}
	const lingerID = "kafka.producer.linger_ms.default"
	c.mark(lingerID)
	if l, ok := c.num("linger.ms"); ok && l == 0 {
		c.report(rules.Info, lingerID, "linger.ms", "linger.ms=0 sends as soon as possible, so batches stay small unless the producer is already backed up",
			fmt.Sprintf("set linger.ms to %s (the Kafka 4.0 default) or more for throughput", fmtNum(b.Num(lingerID))))
	}
	const bsID = "kafka.producer.batch_size.max_request"
	c.mark(bsID)
	mrs := c.numOr("max.request.size", "kafka.producer.max_request_size.default")
	if bs, ok := c.num("batch.size"); ok {
		switch {
		case bs == 0:
			c.report(rules.Warning, bsID, "batch.size", "batch.size=0 disables batching: one request per record", fmt.Sprintf("set batch.size to at least %s (the default)", fmtNum(b.Num("kafka.producer.batch_size.default"))))
		case bs > mrs:
			c.report(rules.Warning, bsID, "batch.size", fmt.Sprintf("batch.size %s is above max.request.size %s and can never fill", fmtNum(bs), fmtNum(mrs)),
				fmt.Sprintf("set batch.size to at most %s or raise max.request.size", fmtNum(mrs)))
		}
	}
	comp, hasComp := c.enum("compression.type", "kafka.producer.compression.values")
	if bs, ok := c.num("batch.size"); ok {
		const id = "kafka.producer.batch_size.message_max_bytes"
		c.mark(id)
		mmb, from := ctx.TopicMaxMessageBytes, "the topic's"
		if mmb == 0 {
			mmb, from = b.Num("kafka.topic.max_message_bytes.default"), "the default"
		}
		if bs > mmb {
			sev, how := rules.Warning, "uncompressed, so full batches are rejected with MESSAGE_TOO_LARGE and split and retried"
			if hasComp && comp != "none" {
				sev, how = rules.Info, fmt.Sprintf("the limit applies after %s compression, so only batches that compress poorly are rejected", comp)
			}
			c.report(sev, id, "batch.size", fmt.Sprintf("batch.size %s is above %s max.message.bytes %s; batches are %s", fmtNum(bs), from, fmtNum(mmb), how),
				fmt.Sprintf("set batch.size to at most %s or raise max.message.bytes on the topic (and message.max.bytes on the brokers)", fmtNum(mmb)))
		}
	}
	const txID = "kafka.producer.transactional.idempotence"
	if _, ok := c.get("transactional.id"); ok {
		c.mark(txID)
		if hasIdem && !idem {
			c.report(rules.Error, txID, "enable.idempotence", "transactional.id requires idempotence; enable.idempotence=false makes the producer fail", "remove enable.idempotence=false")
		}
	}
	if ctx.TopicMaxMessageBytes > 0 {
		const id = "kafka.topic.max_message_bytes.producer"
		c.mark(id)
		if mrs > ctx.TopicMaxMessageBytes {
			c.report(rules.Warning, id, "max.request.size", fmt.Sprintf("max.request.size %s is above the topic's max.message.bytes %s: records in between are rejected with RecordTooLargeException", fmtNum(mrs), fmtNum(ctx.TopicMaxMessageBytes)),
				fmt.Sprintf("set max.request.size to %s or raise the topic's max.message.bytes", fmtNum(ctx.TopicMaxMessageBytes)))
		}
	}
	return c.result()
}

// ConsumerContext is what the consumer rules may know beyond the consumer
// config. Zero values mean unknown.
type ConsumerContext struct {
	// ProcessingMsPerRecord is the time the application spends per record.
	ProcessingMsPerRecord float64
	// TopicMaxMessageBytes is the topic's max.message.bytes.
	TopicMaxMessageBytes float64
	// TransactionalProducer marks topics written by a transactional producer.
	TransactionalProducer bool
	// BrokerRackAware marks brokers with replica.selector.class set to the
	// rack-aware selector (follower fetching).
	BrokerRackAware bool
}

// ValidateConsumer judges a consumer config: auto.offset.reset,
// isolation.level against transactional producers, session and heartbeat
// timeouts against the broker's bounds, max.poll.interval.ms against the
// processing time of one poll, fetch sizes against the topic's largest
// batches, client.rack for rack-aware fetching, and auto-commit.
func ValidateConsumer(cfg Config, ctx ConsumerContext, b *guidance.Base) Result {
	c := newChecker(cfg, b)
	c.zookeeper()
	const aorID = "kafka.consumer.auto_offset_reset.values"
	c.mark(aorID)
	if s, ok := c.get("auto.offset.reset"); ok && !strings.HasPrefix(strings.ToLower(s), c.str("kafka.consumer.auto_offset_reset.by_duration_prefix")) {
		c.enum("auto.offset.reset", aorID)
	}
	iso, hasIso := c.enum("isolation.level", "kafka.consumer.isolation_level.values")
	const txID = "kafka.consumer.isolation_level.transactions"
	if ctx.TransactionalProducer {
		c.mark(txID)
		if !hasIso || iso != "read_committed" {
			c.report(rules.Warning, txID, "isolation.level", "the topic is written by a transactional producer but the consumer reads uncommitted records, including aborted ones",
				"set isolation.level=read_committed")
		}
	}
	const smin, smax = "kafka.consumer.session_timeout_ms.broker_min", "kafka.consumer.session_timeout_ms.broker_max"
	c.mark(smin)
	c.mark(smax)
	session := c.numOr("session.timeout.ms", "kafka.consumer.session_timeout_ms.default")
	if lo, hi := b.Num(smin), b.Num(smax); session < lo {
		c.report(rules.Error, smin, "session.timeout.ms", fmt.Sprintf("session.timeout.ms %s is below the brokers' group.min.session.timeout.ms %s; joining the group fails", fmtNum(session), fmtNum(lo)),
			fmt.Sprintf("set session.timeout.ms to at least %s", fmtNum(lo)))
	} else if session > hi {
		c.report(rules.Error, smax, "session.timeout.ms", fmt.Sprintf("session.timeout.ms %s is above the brokers' group.max.session.timeout.ms %s; joining the group fails", fmtNum(session), fmtNum(hi)),
			fmt.Sprintf("set session.timeout.ms to at most %s", fmtNum(hi)))
	}
	const hbID = "kafka.consumer.heartbeat.session_ratio"
	c.mark(hbID)
	hb := c.numOr("heartbeat.interval.ms", "kafka.consumer.heartbeat_interval_ms.default")
	ratio := b.Num(hbID)
	switch {
	case hb >= session:
		c.report(rules.Error, hbID, "heartbeat.interval.ms", fmt.Sprintf("heartbeat.interval.ms %s must be lower than session.timeout.ms %s", fmtNum(hb), fmtNum(session)),
			fmt.Sprintf("set heartbeat.interval.ms to at most %s", fmtNum(session/ratio)))
	case hb > session/ratio:
		c.report(rules.Warning, hbID, "heartbeat.interval.ms", fmt.Sprintf("heartbeat.interval.ms %s is above 1/%s of session.timeout.ms %s; one lost heartbeat can expire the session", fmtNum(hb), fmtNum(ratio), fmtNum(session)),
			fmt.Sprintf("set heartbeat.interval.ms to at most %s", fmtNum(session/ratio)))
	}
	if ctx.ProcessingMsPerRecord > 0 {
		const id = "kafka.consumer.max_poll_interval.processing"
		c.mark(id)
		records := c.numOr("max.poll.records", "kafka.consumer.max_poll_records.default")
		interval := c.numOr("max.poll.interval.ms", "kafka.consumer.max_poll_interval_ms.default")
		if need := records * ctx.ProcessingMsPerRecord; need > interval {
			c.report(rules.Error, id, "max.poll.interval.ms",
				fmt.Sprintf("max.poll.records %s x %s ms per record = %s ms per poll, above max.poll.interval.ms %s: the member is evicted and the group rebalances in a loop", fmtNum(records), fmtNum(ctx.ProcessingMsPerRecord), fmtNum(need), fmtNum(interval)),
				fmt.Sprintf("lower max.poll.records to %d or raise max.poll.interval.ms above %s", int(interval/ctx.ProcessingMsPerRecord), fmtNum(need)))
		}
	}
	if ctx.TopicMaxMessageBytes > 0 {
		const id = "kafka.topic.max_message_bytes.consumer"
		c.mark(id)
		if fmb := c.numOr("fetch.max.bytes", "kafka.consumer.fetch_max_bytes.default"); fmb < ctx.TopicMaxMessageBytes {
			c.report(rules.Info, id, "fetch.max.bytes", fmt.Sprintf("fetch.max.bytes %s is below the topic's max.message.bytes %s; each oversized batch comes back in a fetch of its own", fmtNum(fmb), fmtNum(ctx.TopicMaxMessageBytes)),
				fmt.Sprintf("set fetch.max.bytes to at least %s", fmtNum(ctx.TopicMaxMessageBytes)))
		}
		if mpfb := c.numOr("max.partition.fetch.bytes", "kafka.consumer.max_partition_fetch_bytes.default"); mpfb < ctx.TopicMaxMessageBytes {
			c.report(rules.Info, id, "max.partition.fetch.bytes", fmt.Sprintf("max.partition.fetch.bytes %s is below the topic's max.message.bytes %s; oversized batches are fetched one at a time", fmtNum(mpfb), fmtNum(ctx.TopicMaxMessageBytes)),
				fmt.Sprintf("set max.partition.fetch.bytes to at least %s", fmtNum(ctx.TopicMaxMessageBytes)))
		}
	}
	const rackID, azID = "kafka.consumer.client_rack.missing", "kafka.consumer.client_rack.az_id_pattern"
	rack, hasRack := c.get("client.rack")
	if ctx.BrokerRackAware {
		c.mark(rackID)
		if !hasRack || rack == "" {
			c.report(rules.Warning, rackID, "client.rack", "the brokers fetch from the closest replica, but without client.rack this consumer reads from leaders in other AZs and pays cross-AZ traffic",
				"set client.rack to the consumer's AZ ID (e.g. use1-az1)")
		}
	}
	const selID = "msk.config.replica_selector.rack_aware"
	if hasRack && rack != "" {
		c.mark(selID)
	}
	if hasRack && rack != "" && !ctx.BrokerRackAware {
		c.report(rules.Info, selID, "client.rack", "client.rack only changes where this consumer fetches from when the brokers set replica.selector.class to the rack-aware selector (on MSK, a custom cluster configuration); without it every fetch still goes to the partition leader, often in another AZ",
			"set replica.selector.class="+c.str(selID)+" in the MSK configuration (Kafka 2.4.1+), then send context broker_rack_aware=true")
	}
	if hasRack && rack != "" {
		c.mark(azID)
		if !regexp.MustCompile(c.str(azID)).MatchString(rack) {
			c.report(rules.Warning, azID, "client.rack", fmt.Sprintf("client.rack %q is not an AZ ID; MSK brokers use AZ IDs (use1-az1), and AZ names map to different zones in each account", rack),
				"set client.rack to the AZ ID, e.g. from the EC2 instance metadata placement/availability-zone-id")
		}
	}
	const acID = "kafka.consumer.enable_auto_commit.at_least_once"
	c.mark(acID)
	if ac, ok := c.boolean("enable.auto.commit"); !ok || ac {
		c.report(rules.Info, acID, "enable.auto.commit", "auto-commit (the default) can commit offsets of records the application has not finished processing; a crash then skips them",
			"set enable.auto.commit=false and commit after processing for at-least-once delivery")
	}
	return c.result()
}

// zookeeper flags a client config that points at ZooKeeper: clients and
// tools use bootstrap.servers, and KRaft clusters have no ZooKeeper.
func (c *checker) zookeeper() {
	const id = "kafka.client.zookeeper_connect"
	c.mark(id)
	for k, v := range c.cfg {
		s, _ := v.(string)
		if k == "zookeeper.connect" || k == "zookeeper" || strings.Contains(s, "--zookeeper") {
			c.report(rules.Error, id, k, fmt.Sprintf("%s points the client at ZooKeeper: clients and tools connect through bootstrap.servers (--zookeeper was removed from the tools in Kafka 3.0), and Kafka %s and MSK KRaft clusters have no ZooKeeper", k, c.str(id)),
				"remove it and set bootstrap.servers (or --bootstrap-server) to the brokers, e.g. from aws kafka get-bootstrap-brokers")
		}
	}
}
