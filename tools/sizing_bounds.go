package tools

import (
	"fmt"
	"sort"
)

// sizingMaxima are the upper bounds of sizing's numeric inputs. The schema
// carries only their minimum (sizing has the largest input of any tool, and
// the published definition must stay within its context budget), so the
// handler checks these: 1e308 MB/s or 2^31 partitions once came back as
// +Inf or a negative vCPU count (#21.11). They are sanity bounds far above
// any AWS quota, not AWS facts.
func sizingMaxima() map[string]float64 {
	return map[string]float64{
		"ingress_mb_per_second": 1e6, "egress_mb_per_second": 1e6, "hot_key_mb_per_second": 1e6,
		"records_per_second": 1e9, "hot_key_records_per_second": 1e9, "core_records_per_second": 1e9,
		"avg_record_bytes": 1 << 30, "max_record_bytes": 1 << 30,
		"consumer_groups": 1e5, "efo_consumers": 1e3, "retention_hours": 876000,
		"replication_factor": 32, "partitions": 1e6, "compacted_partitions": 1e6, "az_count": 6,
		"peak_factor": 1e3, "shards": 1e6, "processing_ms_per_record": 8.64e7, "processing_ms_per_batch": 8.64e7,
		"batch_size": 1e6, "parallelization_factor": 10, "batching_window_seconds": 86400,
		"latency_target_seconds": 31536000, "backlog_records": 1e15, "function_timeout_seconds": 86400,
		"visibility_timeout_seconds": 86400, "message_groups": 1e8,
		"cores_needed": 1e5, "batch_records": 1e9, "trigger_interval_seconds": 86400, "batch_processing_seconds": 86400,
		"parallelism": 1e5, "parallelism_per_kpu": 1e3, "kpu": 1e5, "workers": 1e5, "mcu_per_worker": 1e3, "tasks_max": 1e5,
	}
}

// sizingRangeError returns a tool error message for the first numeric
// argument above its maximum ("" when all are in range), including the
// partitions of each entry of topics.
func sizingRangeError(args map[string]any) string {
	max := sizingMaxima()
	check := func(path, key string, v any) string {
		f, ok := v.(float64)
		if m, known := max[key]; ok && known && f > m {
			return fmt.Sprintf("%s = %g is above the maximum %g; send a realistic value", path, f, m)
		}
		return ""
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if msg := check(k, k, args[k]); msg != "" {
			return msg
		}
	}
	if topics, ok := args["topics"].([]any); ok {
		for i, t := range topics {
			if m, ok := t.(map[string]any); ok {
				if msg := check(fmt.Sprintf("topics[%d].partitions", i), "partitions", m["partitions"]); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}
