package procsize

import (
	"fmt"
	"math"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Flink sizes an Amazon Managed Service for Apache Flink application:
// Parallelism (given, from kpu × ParallelismPerKPU, or one subtask per source
// shard/partition) ÷ ParallelismPerKPU = KPUs, plus the orchestration KPU;
// vCPU, memory and storage follow from the KPU; parallelism is checked
// against the source (idle subtasks), the Parallelism maximum and the KPU
// quota, and the auto-scaling thresholds are shown.
func Flink(in Input, b *guidance.Base) (sizing.Result, error) {
	r := newRec(b, "flink")
	ppk := in.ParallelismPerKPU
	if ppk == 0 {
		ppk = int(r.n("flink.parallelism_per_kpu.default"))
	}
	if maxPPK := r.n("flink.parallelism_per_kpu.max"); float64(ppk) > maxPPK {
		return sizing.Result{}, fmt.Errorf("%w: parallelism_per_kpu %d exceeds the maximum of %g", sizing.ErrInput, ppk, maxPPK)
	}
	units, unitName := sourceUnits(in)
	p := in.Parallelism
	switch {
	case p > 0:
	case in.KPU > 0:
		p = int(r.step("Parallelism from KPUs", "kpu × ParallelismPerKPU", float64(in.KPU*ppk), "subtasks", "kpu", in.KPU, "parallelism_per_kpu", ppk))
	case units > 0:
		p = int(r.step("Parallelism", "one source subtask per "+strings.TrimSuffix(unitName, "s"), float64(units), "subtasks", unitName, units))
	default:
		return sizing.Result{}, fmt.Errorf("%w: send parallelism, kpu, or the source's shards/partitions", sizing.ErrInput)
	}
	kpu := ceilInt(r.step("KPUs for the application", "ceil(Parallelism ÷ ParallelismPerKPU)", math.Ceil(float64(p)/float64(ppk)), "KPU", "parallelism", p, "parallelism_per_kpu", ppk))
	orch := r.n("flink.kpu.orchestration")
	billed := r.step("KPUs billed", "application KPUs + orchestration KPU", float64(kpu)+orch, "KPU", "kpu", kpu, "orchestration", orch)
	r.step("vCPU", "KPUs × vCPU per KPU", float64(kpu)*r.n("flink.kpu.vcpu"), "vCPU", "kpu", kpu)
	r.step("memory", "KPUs × 4 GB (1 GB native, 3 GB heap)", float64(kpu)*r.n("flink.kpu.memory_gb"), "GB", "kpu", kpu)
	r.step("running application storage", "KPUs × 50 GB", float64(kpu)*r.n("flink.kpu.storage_gb"), "GB", "kpu", kpu)
	r.res.BindingConstraint = "Parallelism ÷ ParallelismPerKPU"

	quota := r.n("flink.kpu.max_default")
	maxP := r.n("flink.parallelism.max")
	ceiling := r.step("auto-scaling ceiling", "ParallelismPerKPU × KPU quota", float64(ppk)*quota, "subtasks", "parallelism_per_kpu", ppk, "kpu_quota", quota)
	if float64(kpu) > quota {
		r.warn("%d KPUs exceed the default quota of %g KPUs per application: request a limit increase before deploying", kpu, quota)
		r.res.BindingConstraint = "KPU quota"
	}
	if float64(p) > maxP {
		r.warn("Parallelism %d is above the documented maximum of %g", p, maxP)
	}
	if units > 0 {
		switch {
		case p > units:
			r.warn("Parallelism %d exceeds the %d %s: a %s is read by one source subtask, so %d source subtasks idle (and an idle Kafka source holds back watermarks unless idleness is configured); set the source operator's parallelism to %d or add %s", p, units, unitName, strings.TrimSuffix(unitName, "s"), p-units, units, unitName)
		case p < units:
			r.step(unitName+" per source subtask", "ceil("+unitName+" ÷ Parallelism)", math.Ceil(float64(units)/float64(p)), unitName, unitName, units, "parallelism", p)
		}
	}
	if in.Source == "kinesis" || (in.Source == "" && in.Shards > 0) {
		r.alt("Kinesis source with enhanced fan-out", true, fmt.Sprintf("each application gets its own %g MiB/s per shard instead of sharing %g MB/s and %g GetRecords/s per shard with every polling consumer; counts against %g registered consumers per stream",
			r.n("kinesis.efo.read_mbps_per_consumer_shard"), r.n("kinesis.shard.read_mbps"), r.n("kinesis.shard.get_records_tps"), r.n("kinesis.efo.consumers.max")))
	}
	r.alt("AutoScalingEnabled true", true, fmt.Sprintf("doubles CurrentParallelism when containerCPUUtilization ≥ %g%% for %g minutes, halves it after %g hours under %g%%, never below Parallelism %d nor above %g; state is restored from a snapshot on each change",
		r.n("flink.autoscale.scale_up_cpu_percent"), r.n("flink.autoscale.scale_up_minutes"), r.n("flink.autoscale.scale_down_hours"), r.n("flink.autoscale.scale_down_cpu_percent"), p, ceiling))
	rec := sizing.Recommendation{Parallelism: p, KPU: int(billed)}
	rec.Summary = fmt.Sprintf("Parallelism %d, ParallelismPerKPU %d: %d KPUs + %g orchestration = %g KPUs billed", p, ppk, kpu, orch, billed)
	r.res.Recommendation = rec
	return r.done(), nil
}
