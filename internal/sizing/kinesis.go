package sizing

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Kinesis sizes a Kinesis data stream: shards = max(write MB/s ÷ 1,
// records/s ÷ 1,000, shared-consumer read MB/s ÷ 2), enhanced fan-out
// consumers against the per-stream limit, a hot partition key against the
// 1 MB/s per-key cap (more shards do not help), record size against the
// stream's maximum record size, and the three capacity modes (provisioned,
// On-demand Standard, On-demand Advantage) with their cost drivers. It needs
// ingress_mb_per_second or records_per_second with avg_record_bytes.
// consumer_groups counts shared-throughput (GetRecords) consumers, a Lambda
// ESM without EFO included; efo_consumers counts enhanced fan-out consumers.
func Kinesis(w Workload, b *guidance.Base) (Result, error) {
	c := newCalc(b, "kinesis")
	ing, ok := c.ingress(w)
	if !ok {
		return Result{}, fmt.Errorf("%w: send ingress_mb_per_second, or records_per_second with avg_record_bytes", ErrInput)
	}
	pf := c.peak(w)
	peakIn := c.step("peak write", "ingress × peak_factor", ing*pf, "MB/s", "ingress_mb_per_second", ing, "peak_factor", pf)
	terms := map[string]float64{}
	wl := c.n("kinesis.shard.write_mbps")
	terms["write MB/s per shard"] = c.step("shards for write bytes", "peak_write ÷ shard_write", peakIn/wl, "shards", "peak_write_mb_per_second", peakIn, "shard_write_mb_per_second", wl)
	recs := w.RecordsPerSecond
	if recs == 0 && w.AvgRecordBytes > 0 {
		recs = c.step("records per second", "ingress × 10^6 ÷ avg_record_bytes", ing*bytesPerMB/w.AvgRecordBytes, "records/s", "ingress_mb_per_second", ing, "avg_record_bytes", w.AvgRecordBytes)
	}
	if recs > 0 {
		rl := c.n("kinesis.shard.write_records_per_second")
		terms["write records/s per shard"] = c.step("shards for write records", "records_per_second × peak_factor ÷ shard_records", recs*pf/rl, "shards", "records_per_second", recs, "peak_factor", pf, "shard_records_per_second", rl)
	}
	shared := w.ConsumerGroups
	if shared == 0 && w.EgressMBps > 0 && w.EFOConsumers == 0 {
		shared = w.EgressMBps / ing
	}
	if shared > 0 {
		rd := c.n("kinesis.shard.read_mbps")
		terms["shared read MB/s per shard"] = c.step("shards for shared (GetRecords) reads", "peak_write × shared_consumers ÷ shard_read", peakIn*shared/rd, "shards", "peak_write_mb_per_second", peakIn, "shared_consumers", shared, "shard_read_mb_per_second", rd)
		if tps := c.n("kinesis.shard.get_records_tps"); shared > tps {
			c.warn("%g shared consumers share %g GetRecords calls per second per shard: each polls less than once a second, adding latency and ReadProvisionedThroughputExceeded; move some to enhanced fan-out", shared, tps)
		}
	}
	need := 0.0
	for _, k := range sortedKeys(terms) {
		if terms[k] > need {
			need, c.res.BindingConstraint = terms[k], k
		}
	}
	shards := max(1, ceilInt(need))
	c.step("shards (provisioned)", "ceil(max over constraints), at least 1", float64(shards), "shards", "requirement", need)
	if c.res.BindingConstraint == "write records/s per shard" && w.AvgRecordBytes > 0 {
		unit := c.n("kinesis.put_payload_unit_bytes")
		if w.AvgRecordBytes < unit {
			per := math.Floor(unit / w.AvgRecordBytes)
			agg := max(1, ceilInt(terms["write MB/s per shard"]))
			c.step("user records per aggregated record", "floor(put_payload_unit ÷ avg_record_bytes)", per, "records", "put_payload_unit_bytes", unit, "avg_record_bytes", w.AvgRecordBytes)
			c.warn("record count, not bytes, sets the shard count (%.0f-byte records): aggregate them (KPL aggregation, or pack records yourself as LaunchDarkly did) into Kinesis records near the %g-byte PUT payload unit, about %.0f per record, so bytes bind instead: %d shard(s) instead of %d, and fewer PUT payload units billed; consumers must de-aggregate (KCL, Lambda with the KPL deaggregation library)", w.AvgRecordBytes, unit, per, agg, shards)
		}
	}

	// Enhanced fan-out.
	efoLimitID := "kinesis.efo.consumers.max"
	if w.OnDemandAdvantage {
		efoLimitID = "kinesis.efo.consumers.max_advantage"
	}
	if w.EFOConsumers > 0 {
		lim := c.n(efoLimitID)
		efo := c.n("kinesis.efo.read_mbps_per_consumer_shard")
		c.step("EFO read per consumer", "shards × efo_per_consumer_shard", float64(shards)*efo, "MiB/s", "shards", shards, "efo_per_consumer_shard_mib_per_second", efo)
		if float64(w.EFOConsumers) > lim {
			c.warn("%d enhanced fan-out consumers exceed the per-stream limit of %g; share consumers or fan out downstream", w.EFOConsumers, lim)
		}
	}
	// Hot key: a key always lands on one shard, which takes 1 MB/s and
	// 1,000 records/s; either limit makes it hot.
	if w.HotKeyRecordsPerSec > 0 {
		rl := c.n("kinesis.shard.write_records_per_second") * c.n("sizing.kinesis.hot_key_warn_fraction")
		c.step("hottest partition key's records vs one shard", "hot_key_records_per_second ÷ per_shard_records", w.HotKeyRecordsPerSec/rl, "fraction", "hot_key_records_per_second", w.HotKeyRecordsPerSec, "per_shard_records_per_second", rl)
		if w.HotKeyRecordsPerSec >= rl {
			c.warn("one partition key writes %g records/s but a key always lands on one shard, which takes %g records/s however small the records (and its other keys add to that): more shards, on-demand mode or its shard splits will not help; add a suffix to spread the key, or aggregate records (KPL aggregation packs many into one Kinesis record)", w.HotKeyRecordsPerSec, rl)
			c.res.BindingConstraint = "hot partition key (records/s)"
		}
	}
	if w.HotKeyMBps > 0 {
		kl := c.n("kinesis.partition_key.write_mbps") * c.n("sizing.kinesis.hot_key_warn_fraction")
		c.step("hottest partition key vs one shard", "hot_key_mb_per_second ÷ per_key_limit", w.HotKeyMBps/kl, "fraction", "hot_key_mb_per_second", w.HotKeyMBps, "per_key_limit_mb_per_second", kl)
		if w.HotKeyMBps >= kl {
			c.warn("one partition key writes %g MB/s but a key always lands on one shard (%g MB/s): more shards, on-demand mode or its shard splits will not help; add a suffix to spread the key", w.HotKeyMBps, kl)
			c.res.BindingConstraint = "hot partition key"
		}
	}
	// Record size.
	rec := Recommendation{Shards: shards}
	big := math.Max(w.MaxRecordBytes, w.AvgRecordBytes)
	if big > 0 {
		def := c.n("kinesis.record.max_size_kib.default")
		hi := c.n("kinesis.record.max_size_kib.max")
		kib := c.step("largest record", "max_record_bytes ÷ 1024 (KiB)", big/bytesPerKiB, "KiB", "max_record_bytes", big)
		switch {
		case kib > hi:
			c.warn("records of %.0f KiB exceed the %g KiB Kinesis maximum: store payloads in S3 and send pointers", kib, hi)
		case kib > def:
			rec.MaxRecordSizeKiB = math.Ceil(kib)
			c.ref("kinesis.record.large_record_consumers")
			c.warn("records of %.0f KiB need MaxRecordSizeInKiB ≥ %.0f (default %g, at most %g KiB = 10 MiB); a shard bursts to take them but still averages 1 MB/s, so large records should stay under %g%% of traffic (store continuous large payloads in S3 and send pointers); every consumer must read records that size: %s do, check every other downstream application first", kib, rec.MaxRecordSizeKiB, def, hi, c.n("kinesis.record.large_share_max_percent"), strings.Join(b.Strings("kinesis.record.large_record_consumers"), ", "))
			if lp := c.n("lambda.invoke.sync_payload.max_bytes"); big > lp {
				c.warn("a %.0f-byte record cannot reach a Lambda consumer: an ESM invokes synchronously with at most %g bytes, so the mapping fails on it; keep such payloads in S3 and send a pointer", big, lp)
			}
		}
	}

	// Capacity modes.
	commit := c.n("kinesis.advantage.commit_ingest_mibps")
	ingMiB := ing * bytesPerMB / bytesPerMiB
	c.step("average ingest vs On-demand Advantage commitment", "ingress (MiB/s) ÷ commitment", ingMiB/commit, "fraction", "ingress_mib_per_second", ingMiB, "commitment_mib_per_second", commit)
	burst := c.n("kinesis.on_demand.burst_factor")
	large := b.Strings("kinesis.on_demand.large_regions")
	regionMax := c.n("kinesis.on_demand.max_write_mbps_other_regions")
	switch {
	case w.Region == "":
		c.step("on-demand write ceiling (region not given: assumed outside "+strings.Join(large, "/")+")", "default on-demand stream write maximum", regionMax, "MB/s")
	case slices.Contains(large, w.Region):
		regionMax = c.step("on-demand write ceiling in "+w.Region, "on-demand stream write maximum of the large Regions", c.n("kinesis.on_demand.max_write_mbps_large_regions"), "MB/s")
	default:
		c.step("on-demand write ceiling in "+w.Region, "default on-demand stream write maximum outside "+strings.Join(large, "/")+" (raise via support)", regionMax, "MB/s")
	}
	odFits := peakIn <= regionMax
	if start := c.n("kinesis.on_demand.default_write_mbps"); peakIn > start {
		warm := "with On-demand Advantage, set warm throughput (UpdateStreamWarmThroughput, up to " + fmt.Sprintf("%g MiB/s", c.n("kinesis.advantage.warm_throughput_max_mibps")) + ") before the launch"
		if !w.OnDemandAdvantage {
			warm = "warm throughput would pre-scale it, but it needs On-demand Advantage on the account (on_demand_advantage)"
		}
		c.warn("a new on-demand stream starts at %g MB/s write and %g MB/s read and grows by splitting busy shards, absorbing up to %gx its previous peak, with throttling if traffic more than doubles within %g minutes: a day-one peak of %.0f MB/s throttles; create it PROVISIONED with %d shards and switch to on-demand later (≤ %g mode switches per 24 h), or %s",
			start, c.n("kinesis.on_demand.default_read_mbps"), burst, c.n("kinesis.on_demand.burst_window_minutes"), peakIn, shards, c.n("kinesis.update_stream_mode.per_24h"), warm)
	}
	if w.OnDemandAdvantage {
		if wm := c.n("kinesis.advantage.warm_throughput_max_mibps"); peakIn*bytesPerMB/bytesPerMiB > wm {
			c.warn("%.0f MB/s is above the %g MiB/s warm throughput a stream can be set to", peakIn, wm)
		}
	}
	if quota := c.n("kinesis.shards.account_default_large_regions"); w.Region != "" && slices.Contains(large, w.Region) && float64(shards) > quota {
		c.warn("%d shards exceed the default account shard quota of %g in %s: request an increase first", shards, quota, w.Region)
	} else if !slices.Contains(large, w.Region) && float64(shards) > quota {
		c.warn("%d shards exceed even the %g-shard default quota of the large Regions; other Regions default lower: request an increase first", shards, quota)
	}
	c.alt(fmt.Sprintf("PROVISIONED, %d shards", shards), true,
		fmt.Sprintf("cost drivers: shard-hours (paid whether used or not) and PUT payload units; you rescale with UpdateShardCount (≤%g operations per 24 h, %gx–%gx of the current count per step)",
			c.n("kinesis.update_shard_count.ops_per_24h"), c.n("kinesis.update_shard_count.min_factor"), c.n("kinesis.update_shard_count.max_factor")))
	odTrade := fmt.Sprintf("cost drivers: stream-hours plus GB written and GB read; no capacity planning, absorbs up to %gx the previous 30-day peak, throttles if traffic more than doubles within %g minutes", burst, c.n("kinesis.on_demand.burst_window_minutes"))
	if !odFits {
		odTrade += fmt.Sprintf("; %.0f MB/s exceeds the %g MB/s on-demand write ceiling of this Region", peakIn, regionMax)
	}
	odTrade += fmt.Sprintf("; at most %g on-demand streams per account and Region by default", c.n("kinesis.on_demand.streams_per_account"))
	c.alt("ON_DEMAND (Standard)", odFits, odTrade)
	advTrade := fmt.Sprintf("cost drivers: GB written and read at ≥%g%% below On-demand Standard, no stream-hour fee, no EFO premium, warm throughput available; the account commits to %g MiB/s ingest and %g MiB/s retrieval across on-demand streams for at least %g h (shortfall billed)",
		c.n("kinesis.advantage.discount_min_percent"), commit, c.n("kinesis.advantage.commit_retrieval_mibps"), c.n("kinesis.advantage.min_enabled_hours"))
	c.alt("ON_DEMAND with On-demand Advantage", odFits, advTrade)
	switch {
	case w.TrafficPattern == "unknown" && odFits:
		rec.CapacityMode = "ON_DEMAND"
		if ingMiB >= commit {
			rec.CapacityMode = "ON_DEMAND (On-demand Advantage)"
		}
		c.step("capacity mode choice", "traffic pattern unknown → on-demand: no capacity planning while the peak is learned; revisit provisioned once it is known", 1, "", "ingress_mib_per_second", ingMiB)
	case ingMiB >= commit && odFits:
		rec.CapacityMode = "ON_DEMAND (On-demand Advantage)"
		c.step("capacity mode choice", "ingest ≥ Advantage commitment → On-demand Advantage", 1, "", "ingress_mib_per_second", ingMiB, "commitment_mib_per_second", commit)
	case pf > burst:
		rec.CapacityMode = "PROVISIONED"
		c.step("capacity mode choice", "peak_factor > on-demand burst factor → provisioned, pre-scaled for the peak", 1, "", "peak_factor", pf, "on_demand_burst_factor", burst)
	default:
		rec.CapacityMode = "PROVISIONED"
		c.step("capacity mode choice (traffic_pattern known, the default)", "ingest below the Advantage commitment and peaks within the on-demand burst: provisioned is the predictable choice; On-demand Standard trades a higher per-GB price for no planning", 0, "", "ingress_mib_per_second", ingMiB, "commitment_mib_per_second", commit)
	}
	rec.Summary = fmt.Sprintf("%d shards; %s", shards, rec.CapacityMode)
	c.res.Recommendation = rec
	return c.done(), nil
}
