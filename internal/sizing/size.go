package sizing

import (
	"fmt"
	"math"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Services lists the service values Size accepts.
func Services() []string {
	return []string{"msk", "msk_express", "msk_serverless", "kinesis", "lambda_esm"}
}

// Size dispatches to the calculator for service. Errors wrap ErrInput and
// say which field to send.
func Size(service string, w Workload, b *guidance.Base) (Result, error) {
	if err := nonNegative(w); err != nil {
		return Result{}, err
	}
	if w.TrafficPattern != "" && w.TrafficPattern != "known" && w.TrafficPattern != "unknown" {
		return Result{}, fmt.Errorf("%w: traffic_pattern %q; send known or unknown", ErrInput, w.TrafficPattern)
	}
	switch service {
	case "msk":
		return MSKStandard(w, b)
	case "msk_express":
		return MSKExpress(w, b)
	case "msk_serverless":
		return MSKServerless(w, b)
	case "kinesis":
		return Kinesis(w, b)
	case "lambda_esm":
		return LambdaESM(w, b)
	}
	return Result{}, fmt.Errorf("%w: service %q; send one of msk, msk_express, msk_serverless, kinesis, lambda_esm", ErrInput, service)
}

// nonNegative rejects negative, NaN or infinite numbers, which no workload
// has.
func nonNegative(w Workload) error {
	for name, v := range map[string]float64{
		"ingress_mb_per_second": w.IngressMBps, "egress_mb_per_second": w.EgressMBps, "consumer_groups": w.ConsumerGroups,
		"efo_consumers": float64(w.EFOConsumers), "records_per_second": w.RecordsPerSecond, "avg_record_bytes": w.AvgRecordBytes,
		"max_record_bytes": w.MaxRecordBytes, "retention_hours": w.RetentionHours, "replication_factor": float64(w.ReplicationFactor),
		"partitions": float64(w.Partitions), "az_count": float64(w.AZCount), "peak_factor": w.PeakFactor,
		"hot_key_mb_per_second": w.HotKeyMBps, "hot_key_records_per_second": w.HotKeyRecordsPerSec, "compacted_partitions": float64(w.CompactedPartitions), "shards": float64(w.Shards),
		"processing_ms_per_record": w.ProcessingMsPerRecord, "processing_ms_per_batch": w.ProcessingMsPerBatch,
		"batch_size": float64(w.BatchSize), "parallelization_factor": float64(w.ParallelizationFactor),
		"batching_window_seconds": w.BatchingWindowSeconds, "latency_target_seconds": w.LatencyTargetSeconds,
		"backlog_records": w.BacklogRecords, "function_timeout_seconds": w.FunctionTimeoutSeconds,
		"visibility_timeout_seconds": w.VisibilityTimeoutSeconds, "message_groups": float64(w.MessageGroups),
	} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s is %v; send a non-negative number", ErrInput, name, v)
		}
	}
	return nil
}
