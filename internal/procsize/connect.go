package procsize

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Connect sizes an MSK Connect connector: capacity = workers × MCUs per
// worker (1 vCPU, 4 GiB each), tasks against the topic's partitions (a sink
// task reads whole partitions, so tasks beyond the partition count idle) and
// workers against tasks, the worker limit and the IP addresses the workers
// take in the connector's subnets. Without workers it recommends autoscaled
// capacity bounded by the useful task count.
func Connect(in Input, b *guidance.Base) (sizing.Result, error) {
	r := newRec(b, "msk_connect")
	mcu := in.MCUPerWorker
	allowed := r.list("mskconnect.mcu_count.values")
	if mcu == 0 {
		mcu, _ = strconv.Atoi(allowed[0])
	}
	if !slices.Contains(allowed, strconv.Itoa(mcu)) {
		return sizing.Result{}, fmt.Errorf("%w: mcu_per_worker %d; send one of %v", sizing.ErrInput, mcu, allowed)
	}
	maxW := r.n("mskconnect.workers.max")
	if float64(in.Workers) > maxW {
		return sizing.Result{}, fmt.Errorf("%w: workers %d exceeds %g per connector; split the topics over several connectors", sizing.ErrInput, in.Workers, maxW)
	}
	tasks := in.TasksMax
	if tasks == 0 && in.Partitions > 0 {
		tasks = int(r.step("tasks.max", "partitions (a sink task owns whole partitions; more tasks idle)", float64(in.Partitions), "tasks", "partitions", in.Partitions))
	}
	if tasks > 0 && in.Partitions > 0 && tasks > in.Partitions {
		r.warn("tasks.max %d exceeds the %d partitions: %d sink tasks get no partition (source connectors such as Debezium run %g task regardless)", tasks, in.Partitions, tasks-in.Partitions, r.n("mskconnect.debezium.tasks_max"))
	}
	rec := sizing.Recommendation{MCUPerWorker: mcu, Tasks: tasks}
	workers := in.Workers
	if workers == 0 {
		useful := maxW
		if tasks > 0 {
			useful = r.step("useful maximum workers", "min(worker limit, tasks.max) (a worker without a task idles)", math.Min(maxW, float64(tasks)), "workers", "worker_limit", maxW, "tasks_max", tasks)
		}
		workers = int(useful)
		r.alt(fmt.Sprintf("autoscaled: minWorkerCount 1, maxWorkerCount %d, mcuCount %d, scale out at %g%% CPU, scale in at %g%%", workers, mcu, r.n("mskconnect.example.scale_out_cpu_percent"), r.n("mskconnect.example.scale_in_cpu_percent")), true,
			"MSK Connect then overrides tasks.max in proportion to workers × MCUs; the thresholds are the AWS post's starting point, tune them on the CpuUtilization metric")
		r.res.BindingConstraint = "tasks.max"
	} else {
		r.res.BindingConstraint = "workers × MCUs"
		if tasks > 0 && workers > tasks {
			r.warn("%d workers for %d tasks: %d workers run no task", workers, tasks, workers-tasks)
		}
		if tasks > 0 {
			r.step("tasks per worker", "tasks.max ÷ workers", float64(tasks)/float64(workers), "tasks", "tasks_max", tasks, "workers", workers)
		}
	}
	vcpu := r.step("connector vCPU", "workers × mcuCount × 1 vCPU", float64(workers*mcu)*r.n("mskconnect.mcu.vcpu"), "vCPU", "workers", workers, "mcu_per_worker", mcu)
	mem := r.step("connector memory", "workers × mcuCount × 4 GiB", float64(workers*mcu)*r.n("mskconnect.mcu.memory_gib"), "GiB", "workers", workers, "mcu_per_worker", mcu)
	ips := r.step("subnet IP addresses", "(max) workers × 1", float64(workers)*r.n("mskconnect.workers.ip_per_worker"), "IPs", "workers", workers)
	rec.Workers = workers
	rec.Summary = fmt.Sprintf("%d workers × %d MCU = %g vCPU, %g GiB; tasks.max %d; %g subnet IPs", workers, mcu, vcpu, mem, tasks, ips)
	r.res.Recommendation = rec
	return r.done(), nil
}
