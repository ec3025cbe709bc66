package procsize

import (
	"fmt"
	"math"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// KPL sizes a KPL producer's effect on a stream: a shard takes 1 MB/s and
// 1,000 records/s, and KPL aggregation packs user records into Kinesis
// records of up to AggregationMaxSize bytes, so small records stop counting
// one by one against the records/s limit. It compares the shards needed with
// and without aggregation and, with shards given, each shard's load.
func KPL(in Input, b *guidance.Base) (sizing.Result, error) {
	r := newRec(b, "kpl")
	if in.RecordsPerSecond <= 0 || in.AvgRecordBytes <= 0 {
		return sizing.Result{}, fmt.Errorf("%w: send records_per_second and avg_record_bytes (user records before aggregation)", sizing.ErrInput)
	}
	pf := r.peak(in)
	rps := r.step("peak user records", "records_per_second × peak_factor", in.RecordsPerSecond*pf, "records/s", "records_per_second", in.RecordsPerSecond, "peak_factor", pf)
	mbps := r.step("peak write", "peak user records × avg_record_bytes ÷ 10^6", rps*in.AvgRecordBytes/bytesPerMB, "MB/s", "peak_records_per_second", rps, "avg_record_bytes", in.AvgRecordBytes)
	wl, rl := r.n("kinesis.shard.write_mbps"), r.n("kinesis.shard.write_records_per_second")
	aggMax := r.n("kpl.aggregation_max_size.default")
	perAgg := math.Max(1, math.Floor(aggMax/in.AvgRecordBytes))
	r.step("user records per aggregated record", "floor(AggregationMaxSize ÷ avg_record_bytes), at least 1", perAgg, "records", "aggregation_max_size", aggMax, "avg_record_bytes", in.AvgRecordBytes)
	kinesisRecs := r.step("Kinesis records with aggregation", "peak user records ÷ user records per aggregated record", rps/perAgg, "records/s", "peak_records_per_second", rps, "per_aggregated_record", perAgg)
	byBytes := r.step("shards for bytes", "peak write ÷ shard write", mbps/wl, "shards", "peak_write_mb_per_second", mbps, "shard_write_mb_per_second", wl)
	plain := r.step("shards for records without aggregation", "peak user records ÷ shard records", rps/rl, "shards", "peak_records_per_second", rps, "shard_records_per_second", rl)
	agg := r.step("shards for records with aggregation", "Kinesis records ÷ shard records", kinesisRecs/rl, "shards", "kinesis_records_per_second", kinesisRecs, "shard_records_per_second", rl)
	without, with := max(1, ceilInt(math.Max(byBytes, plain))), max(1, ceilInt(math.Max(byBytes, agg)))
	r.step("shards needed", "ceil(max(bytes, records)) with aggregation", float64(with), "shards", "without_aggregation", without)
	r.res.BindingConstraint = "write MB/s per shard"
	if plain > byBytes {
		r.res.BindingConstraint = "write records/s per shard (without aggregation)"
	}
	r.alt(fmt.Sprintf("AggregationEnabled=false: %d shards", without), true, "consumers that cannot de-aggregate (Flink's KinesisStreamsSource) read plain records; small records then pay the records/s limit one by one")
	if without > with {
		r.warn("aggregation saves %d shards here: without it %.0f records/s of %g-byte records hit the %g records/s per-shard limit long before %g MB/s", without-with, rps, in.AvgRecordBytes, rl, wl)
	}
	if in.Shards > 0 {
		per := r.step("write per shard", "peak write ÷ shards", mbps/float64(in.Shards), "MB/s", "peak_write_mb_per_second", mbps, "shards", in.Shards)
		if in.Shards < with {
			r.warn("%d shards take %.2f MB/s each, above what the stream carries: expect WriteProvisionedThroughputExceeded and KPL retries until RecordTtl (%gms) expires", in.Shards, per, r.n("kpl.record_ttl_ms.default"))
		}
	}
	r.res.Recommendation = sizing.Recommendation{Shards: with, Summary: fmt.Sprintf("%d shards with KPL aggregation (%d without); %.0f user records per Kinesis record", with, without, perAgg)}
	return r.done(), nil
}
