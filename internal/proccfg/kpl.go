package proccfg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// kplContext lists the context keys a KPL config may carry.
func kplContext() []string { return []string{"producers", "consumer"} }

// KPLRuleIDs lists every rule ValidateKPL can report.
func KPLRuleIDs() []string {
	return []string{
		"kpl_producer.key.unknown", "kpl_producer.range", "kpl_producer.values", "kpl_producer.rate_limit.shared", "kpl_producer.aggregation.consumer",
		"kpl_producer.request_timeout.duplicates", "kpl_producer.fail_if_throttled",
	}
}

// kplRange is one bounded numeric property.
type kplRange struct{ key, lo, hi string }

// ValidateKPL checks KPL configuration properties (default_config.properties
// names) with the context keys producers (producer instances writing the
// same shards) and consumer (kcl | lambda | flink | firehose | other: what
// reads the stream).
func ValidateKPL(p map[string]any, b *guidance.Base) []rules.Violation {
	o := &out{b: b}
	known := b.Strings("kpl.known_keys")
	for _, k := range sortedKeys(p) {
		if !slices.Contains(known, k) && !slices.Contains(kplContext(), k) {
			o.add("kpl_producer.key.unknown", rules.Warning, k, "kpl.known_keys", k+" is not a KPL configuration property; loading the properties file fails or ignores it", "check the spelling against default_config.properties")
		}
	}
	for _, r := range []kplRange{
		{"RecordMaxBufferedTime", "kpl.record_max_buffered_time_ms.min", ""},
		{"RecordTtl", "kpl.record_ttl_ms.min", ""},
		{"AggregationMaxSize", "kpl.aggregation_max_size.min", "kpl.aggregation_max_size.max"},
		{"CollectionMaxCount", "", "kpl.collection_max_count.max"},
		{"CollectionMaxSize", "kpl.collection_max_size.min", ""},
		{"RequestTimeout", "kpl.request_timeout_ms.min", "kpl.request_timeout_ms.max"},
		{"MaxConnections", "kpl.max_connections.min", "kpl.max_connections.max"},
	} {
		v, f, ok := fields.Num(p, r.key)
		if !ok {
			continue
		}
		if r.lo != "" && v < b.Num(r.lo) {
			o.add("kpl_producer.range", rules.Error, f, r.lo, fmt.Sprintf("%s %g is below the minimum %g; the KPL rejects the configuration", r.key, v, b.Num(r.lo)), fmt.Sprintf("set %s to at least %g", r.key, b.Num(r.lo)))
		}
		if r.hi != "" && v > b.Num(r.hi) {
			o.add("kpl_producer.range", rules.Error, f, r.hi, fmt.Sprintf("%s %g is above the maximum %g; the KPL rejects the configuration", r.key, v, b.Num(r.hi)), fmt.Sprintf("set %s to at most %g", r.key, b.Num(r.hi)))
		}
	}
	for key, id := range map[string]string{"MetricsLevel": "kpl.metrics_level.values", "MetricsGranularity": "kpl.metrics_granularity.values"} {
		if v, f, ok := fields.Str(p, key); ok && !slices.Contains(b.Strings(id), v) {
			o.add("kpl_producer.values", rules.Error, f, id, fmt.Sprintf("%s %q is not one of %s", key, v, strings.Join(b.Strings(id), ", ")), "use one of "+strings.Join(b.Strings(id), ", "))
		}
	}
	rate := b.Num("kpl.rate_limit_percent.default")
	if v, _, ok := fields.Num(p, "RateLimit"); ok {
		rate = v
	}
	if n, _, ok := fields.Num(p, "producers"); ok && n > 1 {
		o.add("kpl_producer.rate_limit.shared", rules.Warning, "RateLimit", "kpl.rate_limit_percent.default",
			fmt.Sprintf("%g producers each allowed %g%% of a shard's limits can offer %g%% of a shard: RateLimit caps each KPL instance, not the fleet, so the excess comes back as throttling and retries", n, rate, n*rate),
			fmt.Sprintf("lower RateLimit (e.g. to %.0f for an even share) to trade peak throughput for fewer throttles, and spread partition keys", rate/n))
	}
	aggOn := true
	if v, _, ok := fields.Bool(p, "AggregationEnabled"); ok {
		aggOn = v
	}
	if c, _, ok := fields.Str(p, "consumer"); ok && aggOn && strings.EqualFold(c, "flink") {
		o.add("kpl_producer.aggregation.consumer", rules.Warning, "AggregationEnabled", "flink.kinesis_source.no_deaggregation",
			"KPL aggregation is on but the Flink Kinesis source (KinesisStreamsSource) does not de-aggregate: the application receives packed records", "set AggregationEnabled false, or de-aggregate in a custom DeserializationSchema")
	}
	if v, f, ok := fields.Num(p, "RequestTimeout"); ok && v < b.Num("kpl.request_timeout_ms.default") {
		o.add("kpl_producer.request_timeout.duplicates", rules.Warning, f, "kpl.request_timeout_ms.default",
			fmt.Sprintf("RequestTimeout %gms is below the %gms default: a timed-out request may still have succeeded, so retries write duplicates more often", v, b.Num("kpl.request_timeout_ms.default")),
			"keep the default unless latency matters more than duplicates; consumers should be idempotent either way")
	}
	if v, f, ok := fields.Bool(p, "FailIfThrottled"); ok && v {
		o.add("kpl_producer.fail_if_throttled", rules.Info, f, "kpl.record_ttl_ms.default", "FailIfThrottled true: throttled records fail at once instead of being retried by the KPL", "handle the failure callback (retry with backoff, or redirect with another hash key)")
	}
	return o.list()
}
