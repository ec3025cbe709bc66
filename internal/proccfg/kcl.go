package proccfg

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// kclContext lists the snake_case context keys a KCL config may carry besides
// the library's own properties.
func kclContext() []string {
	return []string{"shards", "workers", "kcl_version", "migrating_from_2x", "consumer_applications", "aws_sdk_version"}
}

// KCLRuleIDs lists every rule ValidateKCL can report.
func KCLRuleIDs() []string {
	return []string{
		"kcl_consumer.key.unknown", "kcl_consumer.application_name.required", "kcl_consumer.max_records.max", "kcl_consumer.client_version.allowed",
		"kcl_consumer.migration.compatible", "kcl_consumer.max_leases.low", "kcl_consumer.lease_renewal_threads", "kcl_consumer.retrieval.allowed", "kcl_consumer.polling.idle_time", "kcl_consumer.sdk.version",
	}
}

// ValidateKCL checks KCL configuration properties (the Java configuration
// names, which the multilang properties file shares) with the context keys
// shards, workers, kcl_version, migrating_from_2x, consumer_applications
// (polling applications on the stream, this one included) and
// aws_sdk_version.
func ValidateKCL(p map[string]any, b *guidance.Base) []rules.Violation {
	o := &out{b: b}
	known := b.Strings("kcl.known_keys")
	for _, k := range sortedKeys(p) {
		if !slices.Contains(known, k) && !slices.Contains(kclContext(), k) {
			o.add("kcl_consumer.key.unknown", rules.Warning, k, "kcl.known_keys", k+" is not a KCL configuration property; it is ignored or rejected", "check the spelling against the KCL configuration table")
		}
	}
	if !fields.Present(p, "applicationName") {
		o.add("kcl_consumer.application_name.required", rules.Error, "applicationName", "kcl.known_keys", "no applicationName: it names the DynamoDB lease table (and the EFO consumer)", "set applicationName, unique per consumer application and stream")
	}
	if v, f, ok := fields.Num(p, "maxRecords"); ok && v > b.Num("kcl.polling.max_records.max") {
		o.add("kcl_consumer.max_records.max", rules.Error, f, "kcl.polling.max_records.max", fmt.Sprintf("maxRecords %g exceeds the %g records one GetRecords call returns", v, b.Num("kcl.polling.max_records.max")), fmt.Sprintf("set maxRecords to at most %g", b.Num("kcl.polling.max_records.max")))
	}
	cvs := b.Strings("kcl.client_version_config.values")
	cv, cvField, haveCV := fields.Str(p, "clientVersionConfig")
	if haveCV && !slices.Contains(cvs, cv) {
		o.add("kcl_consumer.client_version.allowed", rules.Error, cvField, "kcl.client_version_config.values", fmt.Sprintf("clientVersionConfig %q is not one of %s", cv, strings.Join(cvs, ", ")), "use CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X while migrating from 2.x, else leave it unset (3.x mode)")
	}
	version, _, _ := fields.Str(p, "kcl_version")
	v3 := !strings.HasPrefix(version, "2")
	if migrating, _, ok := fields.Bool(p, "migrating_from_2x"); ok && migrating && cv != cvs[1] {
		o.add("kcl_consumer.migration.compatible", rules.Error, "clientVersionConfig", "kcl.client_version_config.values",
			"a rolling upgrade from KCL 2.x needs clientVersionConfig CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X until every worker runs 3.x; without it 3.x workers start the new lease assignment beside 2.x workers",
			"set clientVersionConfig to CLIENT_VERSION_CONFIG_COMPATIBLE_WITH_2X, add the DynamoDB permissions for the -WorkerMetricStats and -CoordinatorState tables and the lease-table GSI, then deploy; KCL switches to 3.x balancing itself once all workers are upgraded")
	}
	if ml, f, ok := fields.Num(p, "maxLeasesForWorker"); ok {
		shards, _, okS := fields.Num(p, "shards")
		workers, _, okW := fields.Num(p, "workers")
		if okS && okW && workers > 0 {
			if need := math.Ceil(shards / workers); ml < need {
				sev, msg := rules.Warning, fmt.Sprintf("maxLeasesForWorker %g is below the %g leases each of %g workers must hold for %g shards: KCL 3.x cannot balance on CPU", ml, need, workers, shards)
				if !v3 {
					sev, msg = rules.Error, fmt.Sprintf("maxLeasesForWorker %g × %g workers covers fewer than %g shards: some shards have no worker and are not processed", ml, workers, shards)
				}
				o.add("kcl_consumer.max_leases.low", sev, f, "kcl.lease.per_shard", msg, fmt.Sprintf("raise maxLeasesForWorker to at least %g, or remove it", need))
			}
		}
	}
	if shards, _, okS := fields.Num(p, "shards"); okS {
		workers, _, okW := fields.Num(p, "workers")
		if !okW || workers < 1 {
			workers = 1
		}
		threads := b.Num("kcl.max_lease_renewal_threads.default")
		if v, _, ok := fields.Num(p, "maxLeaseRenewalThreads"); ok {
			threads = v
		}
		if per := math.Ceil(shards / workers); per > threads {
			o.add("kcl_consumer.lease_renewal_threads", rules.Warning, "maxLeaseRenewalThreads", "kcl.max_lease_renewal_threads.default",
				fmt.Sprintf("a worker may hold %g leases (%g shards ÷ %g workers) but renews them with %g threads: renewals fall behind and leases expire to other workers", per, shards, workers, threads),
				fmt.Sprintf("raise maxLeaseRenewalThreads to at least %g, or add workers", per))
		}
	}
	mode, mf, haveMode := fields.Str(p, "retrievalMode")
	if haveMode && !slices.Contains(b.Strings("kcl.retrieval_modes"), strings.ToUpper(mode)) {
		o.add("kcl_consumer.retrieval.allowed", rules.Error, mf, "kcl.retrieval_modes", fmt.Sprintf("retrievalMode %q is not FANOUT or POLLING", mode), "use FANOUT (enhanced fan-out, the default) or POLLING")
	}
	if strings.EqualFold(mode, "POLLING") {
		idle := b.Num("kcl.polling.idle_time_ms.default")
		if v, _, ok := fields.Num(p, "idleTimeBetweenReadsInMillis"); ok {
			idle = v
		}
		apps := 1.0
		if v, _, ok := fields.Num(p, "consumer_applications"); ok && v > 0 {
			apps = v
		}
		tps := b.Num("kinesis.shard.get_records_tps")
		if idle > 0 && apps*msPerSecond/idle > tps {
			o.add("kcl_consumer.polling.idle_time", rules.Warning, "idleTimeBetweenReadsInMillis", "kinesis.shard.get_records_tps",
				fmt.Sprintf("%g polling applications calling GetRecords every %gms make %.1f calls/s per shard, above the %g a shard allows: expect ReadProvisionedThroughputExceeded", apps, idle, apps*msPerSecond/idle, tps),
				fmt.Sprintf("raise idleTimeBetweenReadsInMillis to at least %.0f, or move applications to FANOUT", math.Ceil(apps*msPerSecond/tps)))
		}
	}
	if sdk, f, ok := fields.Str(p, "aws_sdk_version"); ok && v3 && slices.Contains(b.Strings("kcl.v3.sdk_bad_versions"), sdk) {
		o.add("kcl_consumer.sdk.version", rules.Error, f, "kcl.v3.sdk_bad_versions", "AWS SDK for Java "+sdk+" breaks KCL 3.x's DynamoDB calls", "use AWS SDK for Java 2.28.0 or later")
	}
	return o.list()
}

const msPerSecond = 1000 // unit conversion

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
