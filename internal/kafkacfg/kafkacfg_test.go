package kafkacfg

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

func loadBase(t testing.TB) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type kind int

const (
	topic kind = iota
	producer
	consumer
)

type ruleCase struct {
	name  string
	kind  kind
	cfg   Config
	tctx  TopicContext
	pctx  ProducerContext
	cctx  ConsumerContext
	rule  string
	fail  bool
	sev   rules.Severity
	field string
	fix   string
}

func (tc ruleCase) run(b *guidance.Base) Result {
	switch tc.kind {
	case producer:
		return ValidateProducer(tc.cfg, tc.pctx, b)
	case consumer:
		return ValidateConsumer(tc.cfg, tc.cctx, b)
	}
	return ValidateTopic(tc.cfg, tc.tctx, b)
}

func ruleCases() []ruleCase {
	goodTopic := func(extra Config) Config {
		c := Config{"partitions": 6, "replication.factor": "3", "min.insync.replicas": "2"}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	return []ruleCase{
		// topic
		{name: "partitions 0", kind: topic, cfg: goodTopic(Config{"partitions": 0}), rule: "kafka.topic.partitions.min", fail: true, sev: rules.Error, field: "partitions", fix: "at least 1"},
		{name: "more consumers than partitions", kind: topic, cfg: goodTopic(nil), tctx: TopicContext{Consumers: 8}, rule: "kafka.topic.partitions.idle_consumers", fail: true, sev: rules.Warning, field: "partitions", fix: "at least 8"},
		{name: "consumers = partitions", kind: topic, cfg: goodTopic(nil), tctx: TopicContext{Consumers: 6}, rule: "kafka.topic.partitions.idle_consumers"},
		{name: "RF 0", kind: topic, cfg: goodTopic(Config{"replication.factor": 0, "min.insync.replicas": nil}), rule: "kafka.topic.replication_factor.min", fail: true, sev: rules.Error, field: "replication.factor", fix: "replication.factor to 3"},
		{name: "RF above brokers", kind: topic, cfg: goodTopic(nil), tctx: TopicContext{Brokers: 2}, rule: "kafka.topic.replication_factor.max_brokers", fail: true, sev: rules.Error, field: "replication.factor", fix: "at most 2"},
		{name: "RF 2", kind: topic, cfg: Config{"replication.factor": 2}, rule: "msk.config.replication_factor.recommended", fail: true, sev: rules.Warning, field: "replication.factor", fix: "replication.factor to 3"},
		{name: "RF 3", kind: topic, cfg: goodTopic(nil), rule: "msk.config.replication_factor.recommended"},
		{name: "min ISR 0", kind: topic, cfg: Config{"min.insync.replicas": 0}, rule: "kafka.topic.min_insync_replicas.min", fail: true, sev: rules.Error, field: "min.insync.replicas", fix: "at least 1"},
		{name: "min ISR above RF", kind: topic, cfg: goodTopic(Config{"min.insync.replicas": 4}), rule: "kafka.topic.min_insync_replicas.above_rf", fail: true, sev: rules.Error, field: "min.insync.replicas", fix: "min.insync.replicas to 2"},
		{name: "min ISR equals RF", kind: topic, cfg: goodTopic(Config{"min.insync.replicas": 3}), rule: "msk.config.min_insync_replicas.below_rf", fail: true, sev: rules.Warning, field: "min.insync.replicas", fix: "min.insync.replicas to 2"},
		{name: "min ISR RF-1", kind: topic, cfg: goodTopic(nil), rule: "msk.config.min_insync_replicas.below_rf"},
		{name: "min ISR with acks=1", kind: topic, cfg: goodTopic(nil), tctx: TopicContext{ProducerAcks: "1"}, rule: "kafka.topic.min_insync_replicas.needs_acks_all", fail: true, sev: rules.Warning, field: "min.insync.replicas", fix: "acks=all"},
		{name: "min ISR with acks=all", kind: topic, cfg: goodTopic(nil), tctx: TopicContext{ProducerAcks: "all"}, rule: "kafka.topic.min_insync_replicas.needs_acks_all"},
		{name: "bad cleanup policy", kind: topic, cfg: goodTopic(Config{"cleanup.policy": "compacted"}), rule: "kafka.topic.cleanup_policy.values", fail: true, sev: rules.Error, field: "cleanup.policy", fix: "compact,delete"},
		{name: "compact,delete", kind: topic, cfg: goodTopic(Config{"cleanup.policy": "compact, delete"}), rule: "kafka.topic.cleanup_policy.values"},
		{name: "tiered compacted", kind: topic, cfg: goodTopic(Config{"cleanup.policy": "compact", "remote.storage.enable": "true"}), rule: "kafka.topic.tiered_storage.delete_only", fail: true, sev: rules.Error, field: "remote.storage.enable", fix: "cleanup.policy=delete"},
		{name: "tiered delete", kind: topic, cfg: goodTopic(Config{"remote.storage.enable": true}), rule: "kafka.topic.tiered_storage.delete_only"},
		{name: "unlimited retention", kind: topic, cfg: goodTopic(Config{"retention.ms": "-1"}), rule: "kafka.topic.retention.unbounded", fail: true, sev: rules.Warning, field: "retention.ms", fix: "retention.bytes"},
		{name: "unlimited retention tiered", kind: topic, cfg: goodTopic(Config{"retention.ms": "-1", "remote.storage.enable": "true"}), rule: "kafka.topic.retention.unbounded"},
		{name: "retention outgrows disks", kind: topic, cfg: goodTopic(Config{"retention.ms": 604800000}), tctx: TopicContext{Brokers: 3, IngressMBps: 10, BrokerStorageGiB: 1000}, rule: "kafka.topic.storage.disk_used_alarm_percent", fail: true, sev: rules.Warning, field: "retention.ms", fix: "lower retention.ms"},
		{name: "default retention outgrows disks", kind: topic, cfg: goodTopic(nil), tctx: TopicContext{Brokers: 3, IngressMBps: 10, BrokerStorageGiB: 1000}, rule: "kafka.topic.storage.disk_used_alarm_percent", fail: true, sev: rules.Warning, field: "retention.ms", fix: "lower retention.ms to about 91268055"},
		{name: "retention.bytes bounds the disk", kind: topic, cfg: goodTopic(Config{"retention.ms": 604800000, "retention.bytes": 10737418240}), tctx: TopicContext{Brokers: 3, IngressMBps: 10, BrokerStorageGiB: 1000}, rule: "kafka.topic.storage.disk_used_alarm_percent"},
		{name: "unlimited time, size too big", kind: topic, cfg: goodTopic(Config{"retention.ms": -1, "retention.bytes": 214748364800}), tctx: TopicContext{Brokers: 3, IngressMBps: 10, BrokerStorageGiB: 1000}, rule: "kafka.topic.storage.disk_used_alarm_percent", fail: true, sev: rules.Warning, field: "retention.bytes", fix: "lower retention.bytes"},
		{name: "retention fits", kind: topic, cfg: goodTopic(Config{"retention.ms": 86400000}), tctx: TopicContext{Brokers: 3, IngressMBps: 1, BrokerStorageGiB: 1000}, rule: "kafka.topic.storage.disk_used_alarm_percent"},
		{name: "topic batches beyond producer", kind: topic, cfg: goodTopic(Config{"max.message.bytes": 8388608}), tctx: TopicContext{ProducerMaxRequestSize: 1048576}, rule: "kafka.topic.max_message_bytes.producer", fail: true, sev: rules.Info, field: "max.message.bytes", fix: "max.request.size to 8388608"},
		{name: "topic batches beyond consumer fetch", kind: topic, cfg: goodTopic(Config{"max.message.bytes": 104857600}), tctx: TopicContext{ConsumerFetchMaxBytes: 52428800}, rule: "kafka.topic.max_message_bytes.consumer", fail: true, sev: rules.Warning, field: "max.message.bytes", fix: "at least 104857600"},
		{name: "topic batches within consumer fetch", kind: topic, cfg: goodTopic(Config{"max.message.bytes": 1048588}), tctx: TopicContext{ConsumerFetchMaxBytes: 52428800}, rule: "kafka.topic.max_message_bytes.consumer"},
		{name: "topic batches within producer", kind: topic, cfg: goodTopic(Config{"max.message.bytes": 1048588}), tctx: TopicContext{ProducerMaxRequestSize: 1048588}, rule: "kafka.topic.max_message_bytes.producer"},
		{name: "request within topic limit", kind: producer, cfg: Config{"max.request.size": 1048576}, pctx: ProducerContext{TopicMaxMessageBytes: 1048588}, rule: "kafka.topic.max_message_bytes.producer"},
		{name: "serverless message size ok", kind: topic, cfg: goodTopic(Config{"max.message.bytes": 1048588}), tctx: TopicContext{Serverless: true}, rule: "msk.serverless.message.max_bytes"},
		{name: "clean election", kind: topic, cfg: goodTopic(Config{"unclean.leader.election.enable": false}), rule: "kafka.topic.unclean_leader_election.enabled"},
		{name: "good number", kind: topic, cfg: Config{"retention.ms": "86400000"}, rule: "kafka.config.type"},
		{name: "transactions with idempotence", kind: producer, cfg: Config{"transactional.id": "tx-1", "enable.idempotence": "true"}, rule: "kafka.producer.transactional.idempotence"},
		{name: "serverless message size", kind: topic, cfg: goodTopic(Config{"max.message.bytes": 10485760}), tctx: TopicContext{Serverless: true}, rule: "msk.serverless.message.max_bytes", fail: true, sev: rules.Error, field: "max.message.bytes", fix: "at most 8388608"},
		{name: "unclean election", kind: topic, cfg: goodTopic(Config{"unclean.leader.election.enable": "true"}), rule: "kafka.topic.unclean_leader_election.enabled", fail: true, sev: rules.Warning, field: "unclean.leader.election.enable", fix: "false"},
		{name: "bad number", kind: topic, cfg: Config{"retention.ms": "7d"}, rule: "kafka.config.type", fail: true, sev: rules.Error, field: "retention.ms", fix: "a number"},
		// producer
		{name: "bad acks", kind: producer, cfg: Config{"acks": "2"}, rule: "kafka.producer.acks.values", fail: true, sev: rules.Error, field: "acks", fix: "all"},
		{name: "acks=1", kind: producer, cfg: Config{"acks": "1"}, rule: "kafka.producer.acks.durable", fail: true, sev: rules.Warning, field: "acks", fix: "acks=all"},
		{name: "acks=all", kind: producer, cfg: Config{"acks": "all"}, rule: "kafka.producer.acks.durable"},
		{name: "idempotence with acks=1", kind: producer, cfg: Config{"acks": "1", "enable.idempotence": "true"}, rule: "kafka.producer.idempotence.requires", fail: true, sev: rules.Error, field: "acks", fix: "acks=all"},
		{name: "idempotence with retries 0", kind: producer, cfg: Config{"enable.idempotence": true, "retries": 0}, rule: "kafka.producer.idempotence.requires", fail: true, sev: rules.Error, field: "retries", fix: "remove retries"},
		{name: "idempotence in-flight 6", kind: producer, cfg: Config{"enable.idempotence": true, "max.in.flight.requests.per.connection": 6}, rule: "kafka.producer.idempotence.max_in_flight", fail: true, sev: rules.Error, field: "max.in.flight.requests.per.connection", fix: "at most 5"},
		{name: "idempotence in-flight 5", kind: producer, cfg: Config{"enable.idempotence": true, "max.in.flight.requests.per.connection": 5}, rule: "kafka.producer.idempotence.max_in_flight"},
		{name: "reordering without idempotence", kind: producer, cfg: Config{"enable.idempotence": false, "max.in.flight.requests.per.connection": 5}, rule: "kafka.producer.max_in_flight.ordering", fail: true, sev: rules.Warning, field: "max.in.flight.requests.per.connection", fix: "max.in.flight.requests.per.connection=1"},
		{name: "no reordering with one in flight", kind: producer, cfg: Config{"enable.idempotence": false, "max.in.flight.requests.per.connection": 1}, rule: "kafka.producer.max_in_flight.ordering"},
		{name: "retries 0", kind: producer, cfg: Config{"retries": "0", "enable.idempotence": "false", "max.in.flight.requests.per.connection": 1}, rule: "kafka.producer.retries.zero", fail: true, sev: rules.Warning, field: "retries", fix: "delivery.timeout.ms"},
		{name: "delivery timeout too small", kind: producer, cfg: Config{"delivery.timeout.ms": 30000, "linger.ms": 100}, rule: "kafka.producer.delivery_timeout.min_sum", fail: true, sev: rules.Error, field: "delivery.timeout.ms", fix: "at least 30100"},
		{name: "delivery timeout fine", kind: producer, cfg: Config{"delivery.timeout.ms": 120000, "linger.ms": 100}, rule: "kafka.producer.delivery_timeout.min_sum"},
		{name: "linger 0", kind: producer, cfg: Config{"linger.ms": 0}, rule: "kafka.producer.linger_ms.default", fail: true, sev: rules.Info, field: "linger.ms", fix: "linger.ms to 5"},
		{name: "linger 20", kind: producer, cfg: Config{"linger.ms": 20}, rule: "kafka.producer.linger_ms.default"},
		{name: "batch bigger than request", kind: producer, cfg: Config{"batch.size": 2097152}, rule: "kafka.producer.batch_size.max_request", fail: true, sev: rules.Warning, field: "batch.size", fix: "at most 1048576"},
		{name: "batch 0", kind: producer, cfg: Config{"batch.size": 0}, rule: "kafka.producer.batch_size.max_request", fail: true, sev: rules.Warning, field: "batch.size", fix: "at least 16384"},
		{name: "batch 64k", kind: producer, cfg: Config{"batch.size": 65536}, rule: "kafka.producer.batch_size.max_request"},
		{name: "bad compression", kind: producer, cfg: Config{"compression.type": "brotli"}, rule: "kafka.producer.compression.values", fail: true, sev: rules.Error, field: "compression.type", fix: "zstd"},
		{name: "zstd", kind: producer, cfg: Config{"compression.type": "zstd"}, rule: "kafka.producer.compression.values"},
		{name: "transactions without idempotence", kind: producer, cfg: Config{"transactional.id": "tx-1", "enable.idempotence": "false"}, rule: "kafka.producer.transactional.idempotence", fail: true, sev: rules.Error, field: "enable.idempotence", fix: "remove enable.idempotence=false"},
		{name: "request above topic limit", kind: producer, cfg: Config{"max.request.size": 10485760}, pctx: ProducerContext{TopicMaxMessageBytes: 1048588}, rule: "kafka.topic.max_message_bytes.producer", fail: true, sev: rules.Warning, field: "max.request.size", fix: "max.request.size to 1048588"},
		{name: "zookeeper.connect in a producer", kind: producer, cfg: Config{"zookeeper.connect": "z1:2181"}, rule: "kafka.client.zookeeper_connect", fail: true, sev: rules.Error, field: "zookeeper.connect", fix: "bootstrap.servers"},
		{name: "--zookeeper in a command", kind: consumer, cfg: Config{"command": "kafka-topics.sh --zookeeper z1:2181 --list", "enable.auto.commit": false}, rule: "kafka.client.zookeeper_connect", fail: true, sev: rules.Error, field: "command", fix: "--bootstrap-server"},
		{name: "bootstrap servers", kind: producer, cfg: Config{"bootstrap.servers": "b-1:9098"}, rule: "kafka.client.zookeeper_connect"},
		{name: "acks=all with min ISR 1", kind: producer, cfg: Config{"acks": "all"}, pctx: ProducerContext{TopicMinInsyncReplicas: 1, TopicReplicationFactor: 3}, rule: "kafka.producer.acks_all.min_insync", fail: true, sev: rules.Warning, field: "acks", fix: "min.insync.replicas to 2"},
		{name: "acks=all with min ISR = RF", kind: producer, cfg: Config{"acks": "all"}, pctx: ProducerContext{TopicMinInsyncReplicas: 3, TopicReplicationFactor: 3}, rule: "kafka.producer.acks_all.min_insync", fail: true, sev: rules.Warning, field: "acks", fix: "min.insync.replicas to 2"},
		{name: "acks=all with min ISR 2 of 3", kind: producer, cfg: Config{"acks": "all"}, pctx: ProducerContext{TopicMinInsyncReplicas: 2, TopicReplicationFactor: 3}, rule: "kafka.producer.acks_all.min_insync"},
		// batch.size 2 MiB with max.request.size raised: above the default max.message.bytes 1048588.
		{name: "batch above message.max.bytes", kind: producer, cfg: Config{"batch.size": 2097152, "max.request.size": 4194304}, rule: "kafka.producer.batch_size.message_max_bytes", fail: true, sev: rules.Warning, field: "batch.size", fix: "at most 1048588"},
		{name: "compressed batch above message.max.bytes", kind: producer, cfg: Config{"batch.size": 2097152, "max.request.size": 4194304, "compression.type": "zstd"}, rule: "kafka.producer.batch_size.message_max_bytes", fail: true, sev: rules.Info, field: "batch.size", fix: "at most 1048588"},
		{name: "batch within topic limit", kind: producer, cfg: Config{"batch.size": 2097152, "max.request.size": 4194304}, pctx: ProducerContext{TopicMaxMessageBytes: 4194304}, rule: "kafka.producer.batch_size.message_max_bytes"},
		// consumer
		{name: "fetch.max.bytes below topic batches", kind: consumer, cfg: Config{"fetch.max.bytes": 1048576, "max.partition.fetch.bytes": 104857600, "enable.auto.commit": false}, cctx: ConsumerContext{TopicMaxMessageBytes: 8388608}, rule: "kafka.topic.max_message_bytes.consumer", fail: true, sev: rules.Info, field: "fetch.max.bytes", fix: "at least 8388608"},
		{name: "bad offset reset", kind: consumer, cfg: Config{"auto.offset.reset": "smallest", "enable.auto.commit": false}, rule: "kafka.consumer.auto_offset_reset.values", fail: true, sev: rules.Error, field: "auto.offset.reset", fix: "earliest"},
		{name: "by_duration offset reset", kind: consumer, cfg: Config{"auto.offset.reset": "by_duration:PT1H", "enable.auto.commit": false}, rule: "kafka.consumer.auto_offset_reset.values"},
		{name: "bad isolation", kind: consumer, cfg: Config{"isolation.level": "serializable"}, rule: "kafka.consumer.isolation_level.values", fail: true, sev: rules.Error, field: "isolation.level", fix: "read_committed"},
		{name: "uncommitted reads of transactions", kind: consumer, cfg: Config{}, cctx: ConsumerContext{TransactionalProducer: true}, rule: "kafka.consumer.isolation_level.transactions", fail: true, sev: rules.Warning, field: "isolation.level", fix: "read_committed"},
		{name: "committed reads of transactions", kind: consumer, cfg: Config{"isolation.level": "read_committed"}, cctx: ConsumerContext{TransactionalProducer: true}, rule: "kafka.consumer.isolation_level.transactions"},
		{name: "session too short", kind: consumer, cfg: Config{"session.timeout.ms": 3000, "heartbeat.interval.ms": 1000}, rule: "kafka.consumer.session_timeout_ms.broker_min", fail: true, sev: rules.Error, field: "session.timeout.ms", fix: "at least 6000"},
		{name: "session too long", kind: consumer, cfg: Config{"session.timeout.ms": 3600000}, rule: "kafka.consumer.session_timeout_ms.broker_max", fail: true, sev: rules.Error, field: "session.timeout.ms", fix: "at most 1800000"},
		{name: "session default", kind: consumer, cfg: Config{}, rule: "kafka.consumer.session_timeout_ms.broker_min"},
		{name: "heartbeat above session", kind: consumer, cfg: Config{"session.timeout.ms": 10000, "heartbeat.interval.ms": 10000}, rule: "kafka.consumer.heartbeat.session_ratio", fail: true, sev: rules.Error, field: "heartbeat.interval.ms", fix: "at most"},
		{name: "heartbeat above a third", kind: consumer, cfg: Config{"session.timeout.ms": 9000, "heartbeat.interval.ms": 5000}, rule: "kafka.consumer.heartbeat.session_ratio", fail: true, sev: rules.Warning, field: "heartbeat.interval.ms", fix: "at most 3000"},
		{name: "heartbeat a third", kind: consumer, cfg: Config{"session.timeout.ms": 9000, "heartbeat.interval.ms": 3000}, rule: "kafka.consumer.heartbeat.session_ratio"},
		{name: "slow processing", kind: consumer, cfg: Config{}, cctx: ConsumerContext{ProcessingMsPerRecord: 1000}, rule: "kafka.consumer.max_poll_interval.processing", fail: true, sev: rules.Error, field: "max.poll.interval.ms", fix: "max.poll.records to 300"},
		{name: "fast processing", kind: consumer, cfg: Config{"max.poll.records": 100}, cctx: ConsumerContext{ProcessingMsPerRecord: 1000}, rule: "kafka.consumer.max_poll_interval.processing"},
		{name: "fetch below topic batches", kind: consumer, cfg: Config{}, cctx: ConsumerContext{TopicMaxMessageBytes: 8388608}, rule: "kafka.topic.max_message_bytes.consumer", fail: true, sev: rules.Info, field: "max.partition.fetch.bytes", fix: "at least 8388608"},
		{name: "no client.rack", kind: consumer, cfg: Config{}, cctx: ConsumerContext{BrokerRackAware: true}, rule: "kafka.consumer.client_rack.missing", fail: true, sev: rules.Warning, field: "client.rack", fix: "AZ ID"},
		{name: "client.rack set", kind: consumer, cfg: Config{"client.rack": "use1-az1"}, cctx: ConsumerContext{BrokerRackAware: true}, rule: "kafka.consumer.client_rack.missing"},
		{name: "client.rack without a rack-aware selector", kind: consumer, cfg: Config{"client.rack": "use1-az1", "enable.auto.commit": false}, rule: "msk.config.replica_selector.rack_aware", fail: true, sev: rules.Info, field: "client.rack", fix: "RackAwareReplicaSelector"},
		{name: "client.rack with a rack-aware selector", kind: consumer, cfg: Config{"client.rack": "use1-az1", "enable.auto.commit": false}, cctx: ConsumerContext{BrokerRackAware: true}, rule: "msk.config.replica_selector.rack_aware"},
		{name: "client.rack AZ name", kind: consumer, cfg: Config{"client.rack": "us-east-1a"}, rule: "kafka.consumer.client_rack.az_id_pattern", fail: true, sev: rules.Warning, field: "client.rack", fix: "AZ ID"},
		{name: "client.rack AZ ID", kind: consumer, cfg: Config{"client.rack": "euw1-az3"}, rule: "kafka.consumer.client_rack.az_id_pattern"},
		{name: "auto commit", kind: consumer, cfg: Config{}, rule: "kafka.consumer.enable_auto_commit.at_least_once", fail: true, sev: rules.Info, field: "enable.auto.commit", fix: "enable.auto.commit=false"},
		{name: "manual commit", kind: consumer, cfg: Config{"enable.auto.commit": "false"}, rule: "kafka.consumer.enable_auto_commit.at_least_once"},
	}
}

func TestRules(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for k, v := range tc.cfg {
				if v == nil {
					delete(tc.cfg, k)
				}
			}
			res := tc.run(b)
			var hit *rules.Violation
			for i, v := range res.Violations {
				if v.RuleID == tc.rule && (tc.field == "" || v.Field == tc.field) {
					hit = &res.Violations[i]
					break
				}
			}
			if !tc.fail {
				if hit != nil {
					t.Fatalf("rule %s fired on a passing example: %+v", tc.rule, *hit)
				}
				return
			}
			if hit == nil {
				t.Fatalf("rule %s did not fire on %s; got %+v", tc.rule, tc.field, res.Violations)
			}
			if hit.Severity != tc.sev || !strings.Contains(hit.Fix, tc.fix) || !strings.HasPrefix(hit.Reference, "https://") && !strings.HasPrefix(hit.Reference, "seed:") {
				t.Fatalf("violation %+v: want severity %s and a fix containing %q", *hit, tc.sev, tc.fix)
			}
		})
	}
}

func TestGoodConfigsAreClean(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	checks := []Result{
		ValidateTopic(Config{"partitions": "12", "replication.factor": "3", "min.insync.replicas": "2", "cleanup.policy": "delete", "retention.ms": "604800000"}, TopicContext{Brokers: 3, Consumers: 6, ProducerAcks: "all"}, b),
		ValidateProducer(Config{"acks": "all", "enable.idempotence": "true", "linger.ms": "10", "batch.size": "65536", "compression.type": "lz4"}, ProducerContext{TopicMaxMessageBytes: 1048588}, b),
		ValidateConsumer(Config{"enable.auto.commit": "false", "client.rack": "use1-az2", "isolation.level": "read_committed", "auto.offset.reset": "earliest"}, ConsumerContext{BrokerRackAware: true, ProcessingMsPerRecord: 5}, b),
	}
	for i, r := range checks {
		if len(r.Violations) != 0 {
			t.Errorf("check %d: unexpected %+v", i, r.Violations)
		}
		if len(r.CheckedRules) == 0 {
			t.Errorf("check %d: no rules checked", i)
		}
	}
}

func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
}

func TestEveryIDResolvesAndHasAFailingExample(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	ids, err := limitcheck.IDLiterals(".", "kafka.", "msk.")
	if err != nil {
		t.Fatal(err)
	}
	failing := map[string]bool{}
	for _, tc := range ruleCases() {
		if tc.fail {
			failing[tc.rule] = true
		}
	}
	dataOnly := map[string]bool{
		"kafka.producer.max_in_flight.default": true, "kafka.producer.delivery_timeout_ms.default": true,
		"kafka.producer.request_timeout_ms.default": true, "kafka.producer.batch_size.default": true,
		"kafka.producer.max_request_size.default": true, "kafka.consumer.session_timeout_ms.default": true,
		"kafka.consumer.heartbeat_interval_ms.default": true, "kafka.consumer.max_poll_interval_ms.default": true,
		"kafka.consumer.max_poll_records.default": true, "kafka.consumer.max_partition_fetch_bytes.default": true,
		"kafka.topic.retention_ms.unlimited": true, "kafka.topic.retention_ms.default": true, "kafka.consumer.auto_offset_reset.by_duration_prefix": true,
		"kafka.topic.cleanup_policy.default": true, "kafka.consumer.fetch_max_bytes.default": true, "kafka.topic.max_message_bytes.default": true,
	}
	for _, id := range ids {
		if _, ok := b.Lookup(id); !ok {
			t.Errorf("code names %q, which is not in guidance/limits", id)
			continue
		}
		if !dataOnly[id] && !failing[id] {
			t.Errorf("rule %s has no failing example", id)
		}
	}
}

// TestEveryRuleHasAPassingExample: each rule with a failing example is
// evaluated without firing in some passing case.
func TestEveryRuleHasAPassingExample(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	passed := map[string]bool{}
	for _, tc := range ruleCases() {
		if tc.fail {
			continue
		}
		for k, v := range tc.cfg {
			if v == nil {
				delete(tc.cfg, k)
			}
		}
		res := tc.run(b)
		fired := map[string]bool{}
		for _, v := range res.Violations {
			fired[v.RuleID] = true
		}
		for _, id := range res.CheckedRules {
			if !fired[id] {
				passed[id] = true
			}
		}
	}
	for _, tc := range ruleCases() {
		if tc.fail && !passed[tc.rule] {
			t.Errorf("rule %s has a failing example but no passing one", tc.rule)
		}
	}
}

// TestTypeErrorReportedOnce: several rules read partitions,
// remote.storage.enable and linger.ms; a value of the wrong type is one
// violation per property, not one per rule that reads it.
func TestTypeErrorReportedOnce(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	for name, res := range map[string]Result{
		"topic": ValidateTopic(Config{"partitions": "six", "remote.storage.enable": "yes", "replication.factor": 3},
			TopicContext{IngressMBps: 1, BrokerStorageGiB: 100, Brokers: 3}, b),
		"producer": ValidateProducer(Config{"linger.ms": "soon"}, ProducerContext{}, b),
	} {
		per := map[string]int{}
		for _, v := range res.Violations {
			if v.RuleID == "kafka.config.type" {
				per[v.Field]++
			}
		}
		if len(per) == 0 {
			t.Errorf("%s: no type violation: %+v", name, res.Violations)
		}
		for f, n := range per {
			if n != 1 {
				t.Errorf("%s: %d type violations for %s, want 1", name, n, f)
			}
		}
	}
}
