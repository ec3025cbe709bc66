package procsize

import (
	"fmt"
	"math"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// KCL sizes a Kinesis Client Library consumer application: one lease per
// shard, leases per worker (2.x balances lease counts, 3.x balances worker
// CPU), idle workers beyond the shard count, and read throughput per
// application: enhanced fan-out gives each application its own 2 MiB/s per
// shard, polling shares 2 MB/s and 5 GetRecords calls per second per shard
// with every other polling application (consumer_groups counts them,
// including this one).
func KCL(in Input, b *guidance.Base) (sizing.Result, error) {
	r := newRec(b, "kcl")
	if in.Shards <= 0 {
		return sizing.Result{}, fmt.Errorf("%w: send shards (the stream's open shards)", sizing.ErrInput)
	}
	major := strings.TrimSpace(in.KCLVersion)
	if major == "" {
		major = "3"
	}
	major, _, _ = strings.Cut(major, ".")
	if major != "2" && major != "3" {
		return sizing.Result{}, fmt.Errorf("%w: kcl_version %q; send 2.x or 3.x (KCL 1.x is end of support)", sizing.ErrInput, in.KCLVersion)
	}
	mode := strings.ToLower(in.Retrieval)
	if mode == "" {
		mode = r.str("kcl.retrieval.default")
	}
	if mode != "efo" && mode != "polling" {
		return sizing.Result{}, fmt.Errorf("%w: retrieval %q; send efo or polling", sizing.ErrInput, in.Retrieval)
	}
	leases := r.step("leases", "shards × 1 lease per shard", float64(in.Shards)*r.n("kcl.lease.per_shard"), "leases", "shards", in.Shards)
	rec := sizing.Recommendation{Shards: in.Shards}
	workers := in.Workers
	if workers == 0 {
		workers = int(leases)
		r.step("most useful workers", "leases (a lease is held by one worker at a time)", leases, "workers", "leases", leases)
	}
	rec.Workers = workers
	perWorker := r.step("leases per worker", "ceil(leases ÷ workers)", math.Ceil(leases/float64(workers)), "leases", "leases", leases, "workers", workers)
	r.res.BindingConstraint = "shards (leases)"
	if float64(workers) > leases {
		r.warn("%d workers for %.0f leases: %.0f workers hold no lease and only stand by for failover", workers, leases, float64(workers)-leases)
	}
	if major == "2" {
		r.warn("KCL 2.x gives every worker the same number of leases (%.0f here) whatever their throughput, so the worker with the hottest shards sets the fleet size; KCL 3.x balances on worker CPU (AWS measured %g%% less compute on an uneven stream) with no code change",
			perWorker, r.n("kcl.v3.cost_reduction_percent"))
	} else {
		r.warn("KCL 3.x keeps three DynamoDB tables (%s) and a GSI on the lease table: the role needs DynamoDB permissions on all of them; raise maxLeasesForWorker if set low, it limits CPU-based balancing", strings.Join(r.list("kcl.v3.tables"), ", "))
	}

	ing, haveIng := r.ingress(in)
	apps := in.ConsumerApps
	if apps == 0 {
		apps = 1
	}
	if haveIng {
		perShard := r.step("write per shard", "ingress × peak_factor ÷ shards", ing*r.peak(in)/float64(in.Shards), "MB/s", "ingress_mb_per_second", ing, "peak_factor", r.peak(in), "shards", in.Shards)
		if mode == "efo" {
			efo := r.n("kinesis.efo.read_mbps_per_consumer_shard")
			r.step("read per shard for this application (EFO)", "dedicated per consumer per shard", efo, "MiB/s", "efo_mib_per_second", efo)
			if perShard > efo {
				r.warn("%.2f MB/s per shard exceeds even the dedicated EFO read of %g MiB/s", perShard, efo)
			}
		} else {
			rd := r.n("kinesis.shard.read_mbps")
			share := r.step("read per shard for this application (polling)", "shard read ÷ polling applications", rd/apps, "MB/s", "shard_read_mb_per_second", rd, "polling_applications", apps)
			if perShard > share {
				r.res.BindingConstraint = "shared GetRecords throughput"
				r.warn("%g polling applications share %g MB/s per shard (%.2f MB/s each) but each shard receives %.2f MB/s: consumers fall behind (ReadProvisionedThroughputExceeded, growing iterator age); move some applications to enhanced fan-out", apps, rd, share, perShard)
			}
		}
	}
	if mode == "polling" {
		tps := r.n("kinesis.shard.get_records_tps")
		idle := r.n("kcl.polling.idle_time_ms.default")
		perApp := r.step("GetRecords calls per shard per application", "1000 ÷ idleTimeBetweenReadsInMillis", msPerSecond/idle, "calls/s", "idle_time_ms", idle)
		maxApps := r.step("polling applications a shard supports", "floor(5 GetRecords/s ÷ calls per application)", math.Floor(tps/perApp), "applications", "get_records_tps", tps, "calls_per_application", perApp)
		if apps > maxApps {
			r.res.BindingConstraint = "GetRecords calls per shard"
			r.warn("%g polling applications exceed the %g a shard's %g GetRecords/s allow at the default idle time: expect throttling; use enhanced fan-out for some", apps, maxApps, tps)
		}
		r.alt("retrieval EFO (KCL default since 2.0)", true, fmt.Sprintf("dedicated %g MiB/s per shard per application, push via SubscribeToShard; costs per consumer-shard hour and per GB, at most %g registered consumers per stream",
			r.n("kinesis.efo.read_mbps_per_consumer_shard"), r.n("kinesis.efo.consumers.max")))
	} else {
		if lim := r.n("kinesis.efo.consumers.max"); apps > lim {
			r.warn("%g EFO applications exceed %g registered consumers per stream", apps, lim)
		}
		r.alt("retrieval POLLING", true, fmt.Sprintf("no EFO charges, but every polling application shares %g MB/s and %g GetRecords/s per shard", r.n("kinesis.shard.read_mbps"), r.n("kinesis.shard.get_records_tps")))
	}
	rec.Summary = fmt.Sprintf("KCL %s.x, %d shards = %.0f leases, %d workers (%.0f leases each), retrieval %s", major, in.Shards, leases, workers, perWorker, strings.ToUpper(mode))
	r.res.Recommendation = rec
	return r.done(), nil
}
