package sizing

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// MSKExpress sizes an MSK provisioned cluster of Express brokers from the
// per-broker sustained ingress and egress, partitions per broker, and the
// fixed 3 AZs with RF 3. With one AZ down the remaining brokers must stay
// within their maximum (quota) ingress and egress. Without broker_type it
// picks the smallest total vCPU-equivalent size, i.e. the fewest brokers
// weighted by size.
func MSKExpress(w Workload, b *guidance.Base) (Result, error) {
	c := newCalc(b, "msk_express")
	ing, ok := c.ingress(w)
	if !ok {
		return Result{}, fmt.Errorf("%w: send ingress_mb_per_second, or records_per_second with avg_record_bytes", ErrInput)
	}
	pf := c.peak(w)
	peakIn := c.step("peak ingress", "ingress × peak_factor", ing*pf, "MB/s", "ingress_mb_per_second", ing, "peak_factor", pf)
	g := c.fanout(w, ing)
	peakOut := c.step("peak egress", "peak_ingress × consumer_groups", peakIn*g, "MB/s", "peak_ingress_mb_per_second", peakIn, "consumer_groups", g)
	azs := c.n("msk.express.az_count")
	rf := c.n("msk.express.replication_factor")
	if w.AZCount != 0 && float64(w.AZCount) != azs {
		c.warn("Express clusters always span %g AZs; az_count %d ignored", azs, w.AZCount)
	}
	if w.ReplicationFactor != 0 && float64(w.ReplicationFactor) != rf {
		c.warn("Express fixes the replication factor at %g; replication_factor %d ignored", rf, w.ReplicationFactor)
	}
	types := b.Strings("msk.express.broker_types")
	if w.BrokerType != "" && !slices.Contains(types, w.BrokerType) {
		return Result{}, fmt.Errorf("%w: broker_type %q is not an Express size; send one of %s", ErrInput, w.BrokerType, strings.Join(types, ", "))
	}
	type plan struct {
		name    string
		brokers int
		binding string
		weight  float64
	}
	eval := func(name string, record bool) plan {
		st := func(n, f string, r float64, u string, kv ...any) float64 {
			if record {
				return c.step(n, f, r, u, kv...)
			}
			return r
		}
		k := "msk.express." + typeKey(name) + "."
		inS, inM := c.n(k+"ingress_sustained_mbps"), c.n(k+"ingress_max_mbps")
		outS, outM := c.n(k+"egress_sustained_mbps"), c.n(k+"egress_max_mbps")
		terms := map[string]float64{
			"ingress (sustained)":  st("brokers for sustained ingress", "peak_ingress ÷ ingress_sustained_per_broker", peakIn/inS, "brokers", "peak_ingress_mb_per_second", peakIn, "ingress_sustained_mb_per_second", inS),
			"egress (sustained)":   st("brokers for sustained egress", "peak_egress ÷ egress_sustained_per_broker", peakOut/outS, "brokers", "peak_egress_mb_per_second", peakOut, "egress_sustained_mb_per_second", outS),
			"ingress with AZ down": st("brokers so one AZ down stays under the ingress quota", "peak_ingress ÷ ingress_max_per_broker × azs ÷ (azs − 1)", peakIn/inM*azs/(azs-1), "brokers", "peak_ingress_mb_per_second", peakIn, "ingress_max_mb_per_second", inM, "azs", azs),
			"egress with AZ down":  st("brokers so one AZ down stays under the egress quota", "peak_egress ÷ egress_max_per_broker × azs ÷ (azs − 1)", peakOut/outM*azs/(azs-1), "brokers", "peak_egress_mb_per_second", peakOut, "egress_max_mb_per_second", outM, "azs", azs),
		}
		if w.Partitions > 0 {
			rec := c.n(k + "partitions.recommended")
			terms["partitions per broker"] = st("brokers for partitions (replicas included)", "partitions × r ÷ recommended_per_broker", float64(w.Partitions)*rf/rec, "brokers", "partitions", w.Partitions, "r", rf, "recommended_per_broker", rec)
		}
		p := plan{name: name}
		need := 0.0
		for _, key := range sortedKeys(terms) {
			if terms[key] > need {
				need, p.binding = terms[key], key
			}
		}
		p.brokers = roundUpMultiple(max(ceilInt(need), int(azs)), int(azs))
		st("broker count", "ceil(max requirement), at least azs, rounded up to a multiple of azs", float64(p.brokers), "brokers", "requirement", need, "azs", azs)
		p.weight = float64(p.brokers) * inS // capacity bought, a price-free cost proxy
		return p
	}
	var chosen plan
	if w.BrokerType != "" {
		chosen = eval(w.BrokerType, true)
	} else {
		best := plan{}
		for _, t := range types {
			p := eval(t, false)
			if best.name == "" || p.weight < best.weight || (p.weight == best.weight && p.brokers < best.brokers) {
				best = p
			}
		}
		c.step("broker size choice", "argmin over Express sizes of brokers × sustained ingress per broker (capacity bought; ties go to fewer brokers)", best.weight, "MB/s bought")
		chosen = eval(best.name, true)
	}
	i := slices.Index(types, chosen.name)
	for _, j := range []int{i - 1, i + 1} {
		if j >= 0 && j < len(types) {
			p := eval(types[j], false)
			c.alt(fmt.Sprintf("%d × %s", p.brokers, p.name), true, fmt.Sprintf("binding: %s; %.0f MB/s sustained ingress bought vs %.0f", p.binding, p.weight, chosen.weight))
		}
	}
	c.alt("Standard brokers (service=msk)", true, "you provision EBS storage and choose the AZ count, RF and min.insync.replicas; lower throughput per broker")
	if w.Partitions > 0 {
		perPart := c.step("ingress per partition", "peak_ingress ÷ partitions", peakIn/float64(w.Partitions), "MB/s", "peak_ingress_mb_per_second", peakIn, "partitions", w.Partitions)
		if lim := c.n("msk.express.partition.max_mbps"); perPart > lim {
			c.warn("%.1f MB/s per partition exceeds the Express per-partition maximum of %g MB/s: use at least %d partitions", perPart, lim, ceilInt(peakIn/lim))
		}
	}
	c.warn("Express sustained throughput per broker matches AWS's Express best-practices table; the maximum (quota) throughput, per-partition and partition-count figures come from secondary sources that agree with each other (see the guidance notes): confirm them on the MSK quota page before committing spend")
	c.accountBrokers(chosen.brokers)
	c.ref("msk.express.intelligent_rebalancing.default_status")
	c.alt("scale later with Intelligent Rebalancing", true, fmt.Sprintf("Intelligent Rebalancing (%s by default on new Express clusters, no extra cost) moves partitions when brokers are added or removed, within %g minutes; Cruise Control or kafka-reassign-partitions cannot run while it is active (pause it first)",
		c.b.String("msk.express.intelligent_rebalancing.default_status"), c.n("msk.express.intelligent_rebalancing.scaling_minutes")))
	c.res.BindingConstraint = chosen.binding
	c.res.Recommendation = Recommendation{
		Summary:    fmt.Sprintf("%d × %s in %g AZs (RF %g, min.insync.replicas %g fixed)", chosen.brokers, chosen.name, azs, rf, c.n("msk.express.min_insync_replicas")),
		BrokerType: chosen.name,
		Brokers:    chosen.brokers,
		AZCount:    int(azs),
	}
	if w.RetentionHours > 0 {
		c.step("data retained (before replication; Express storage is managed and billed per GB)", "ingress × 3600 × retention_hours ÷ 1000", ing*secPerHour*w.RetentionHours/mbPerGb, "GB", "ingress_mb_per_second", ing, "retention_hours", w.RetentionHours)
	}
	return c.done(), nil
}

// MSKServerless reports whether the workload fits MSK Serverless quotas
// (cluster ingress and egress, per-partition throughput, partitions,
// consumer groups, message size) and what breaks when it does not. The
// binding constraint is the quota with the highest utilisation.
func MSKServerless(w Workload, b *guidance.Base) (Result, error) {
	c := newCalc(b, "msk_serverless")
	ing, ok := c.ingress(w)
	if !ok {
		return Result{}, fmt.Errorf("%w: send ingress_mb_per_second, or records_per_second with avg_record_bytes", ErrInput)
	}
	pf := c.peak(w)
	peakIn := c.step("peak ingress", "ingress × peak_factor", ing*pf, "MB/s", "ingress_mb_per_second", ing, "peak_factor", pf)
	g := c.fanout(w, ing)
	peakOut := c.step("peak egress", "peak_ingress × consumer_groups", peakIn*g, "MB/s", "peak_ingress_mb_per_second", peakIn, "consumer_groups", g)
	minParts := math.Max(
		c.step("partitions for per-partition ingress", "peak_ingress ÷ partition_ingress_max", peakIn/c.n("msk.serverless.partition.ingress_max_mbps"), "partitions", "peak_ingress_mb_per_second", peakIn, "partition_ingress_max_mb_per_second", c.b.Num("msk.serverless.partition.ingress_max_mbps")),
		c.step("partitions for per-partition egress", "peak_egress ÷ partition_egress_max", peakOut/c.n("msk.serverless.partition.egress_max_mbps"), "partitions", "peak_egress_mb_per_second", peakOut, "partition_egress_max_mb_per_second", c.b.Num("msk.serverless.partition.egress_max_mbps")))
	need := max(1, ceilInt(minParts))
	parts := float64(w.Partitions)
	if parts == 0 {
		parts = float64(need)
	}
	type quota struct {
		name, id, breaks string
		used             float64
	}
	qs := []quota{
		{"cluster ingress", "msk.serverless.cluster.ingress_max_mbps", "producers are throttled", peakIn},
		{"cluster egress", "msk.serverless.cluster.egress_max_mbps", "consumers are throttled", peakOut},
		{"partitions", "msk.serverless.partitions.max", "CreateTopics/CreatePartitions fail with INVALID_REQUEST", parts},
		{"partition ingress", "msk.serverless.partition.ingress_max_mbps", "hot partitions slow down", peakIn / parts},
		{"partition egress", "msk.serverless.partition.egress_max_mbps", "hot partitions slow down", peakOut / parts},
	}
	if w.CompactedPartitions > 0 {
		qs = append(qs, quota{"compacted partitions", "msk.serverless.partitions_compacted.max", "compacted topic creation fails", float64(w.CompactedPartitions)})
	}
	if w.ConsumerGroups > 0 {
		qs = append(qs, quota{"consumer groups", "msk.serverless.consumer_groups.max", "JoinGroup fails for new groups", w.ConsumerGroups})
	}
	if w.MaxRecordBytes > 0 {
		qs = append(qs, quota{"message size", "msk.serverless.message.max_bytes", "oversized produce requests fail with INVALID_REQUEST", w.MaxRecordBytes})
	}
	fits := true
	top := 0.0
	for _, q := range qs {
		lim := c.n(q.id)
		u := c.step("utilisation: "+q.name, q.name+" ÷ quota", q.used/lim, "fraction", "used", q.used, "quota", lim)
		if u > top {
			top, c.res.BindingConstraint = u, q.name
		}
		if u > 1 {
			fits = false
			c.warn("%s %.4g exceeds the Serverless quota %g: %s", q.name, q.used, lim, q.breaks)
		}
	}
	if w.Partitions > 0 && w.Partitions < need {
		c.warn("%d partitions cannot carry %.1f MB/s in / %.1f MB/s out within the per-partition quotas: use at least %d", w.Partitions, peakIn, peakOut, need)
	}
	c.ref("msk.serverless.auth")
	c.warn("MSK Serverless accepts IAM authentication only (no SCRAM, mTLS or Kafka ACLs); its throughput, consumer-group and message-size quotas match AWS's archived quota page, but its partition and connection limits come from a third-party copy of the current page and differ from the archived page (see guidance notes)")
	summary := fmt.Sprintf("fits MSK Serverless with at least %d partitions (highest utilisation %.0f%% on %s)", need, top*percent, c.res.BindingConstraint)
	if !fits {
		summary = fmt.Sprintf("does not fit MSK Serverless: %s at %.0f%% of its quota", c.res.BindingConstraint, top*percent)
		c.alt("MSK provisioned, Express brokers (service=msk_express)", true, "no cluster-wide throughput cap; you pay per broker-hour")
		c.alt("split over several Serverless clusters", true, "each cluster has its own quotas; producers and consumers must know which cluster holds which topic")
	} else {
		c.alt("MSK provisioned (service=msk or msk_express)", true, "fixed broker-hour cost; worth it at sustained high throughput or when you need SCRAM/mTLS or ACLs")
	}
	if !c.b.Bool("msk.serverless.partition_reassignment") {
		c.ref("msk.serverless.partition_reassignment")
		c.alt("operating model", fits, "MSK Serverless places partitions itself: no brokers to size, no partition reassignment or Cruise Control; you scale by adding partitions within the quotas")
	}
	c.res.Recommendation = Recommendation{Summary: summary, Fits: boolPtr(fits), MinPartitions: need}
	return c.done(), nil
}
