package tools

import (
	"context"
	"fmt"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// liveMapping is what esm_optimize reads for an esm_uuid: the mapping's
// configuration under Lambda API names and the facts the throughput model
// needs (function timeout, shards, partitions, queue visibility timeout and
// backlog). Facts it cannot read stay zero and are listed in notes.
type liveMapping struct {
	source string
	config map[string]any
	facts  esmWorkload
	notes  []string
	// unknown are the facts a failed read left out (also in notes): the
	// answer marks them, so a failed read never vanishes.
	unknown []string
}

// readLiveMapping reads one mapping and its source topology in one parallel
// round. A failed mapping read is a tool error; a failed topology read is a
// note (partial evidence, not a failure).
func readLiveMapping(ctx context.Context, d ReadDeps, uuid string) (liveMapping, *mcp.CallToolResult) {
	if d.AWS == nil {
		return liveMapping{}, mcp.NewToolResultError("esm_uuid needs AWS access, which this server has none of; send the mapping's configuration as config instead")
	}
	m, err := d.AWS.GetESM(ctx, uuid)
	if err != nil {
		return liveMapping{}, errmap.Result(err, "call esm_inspect without esm_uuid to list mapping UUIDs, or send config")
	}
	lm := liveMapping{source: sourceType(m), config: m.APIConfig()}
	if m.FunctionARN != "" {
		lm.config["FunctionName"] = m.FunctionARN
	}
	var mu sync.Mutex
	note := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		lm.notes = append(lm.notes, fmt.Sprintf(format, a...))
		lm.unknown = append(lm.unknown, fmt.Sprintf(format, a...))
	}
	tasks := []func(context.Context){
		func(ctx context.Context) {
			fn, err := d.AWS.Function(ctx, m.FunctionARN)
			if err != nil {
				note("function timeout unknown (%s); send workload.function_timeout_seconds", unknownWhy("Lambda:GetFunction", err))
				return
			}
			mu.Lock()
			lm.facts.FunctionTimeoutSeconds = float64(fn.TimeoutSeconds)
			mu.Unlock()
		},
	}
	switch lm.source {
	case "kinesis":
		tasks = append(tasks, func(ctx context.Context) {
			api, err := d.AWS.KinesisAPI(ctx)
			if err != nil {
				note("shard count unknown (%s); send workload.shards", unknownWhy("Kinesis:DescribeStreamSummary", err))
				return
			}
			n, _, u := aws.NewKinesis(api, aws.KinesisOptions{CallTimeout: d.AWS.Options().CallTimeout}).OpenShardCount(ctx, m.EventSourceARN)
			if u != nil {
				note("shard count unknown (%s: %s); send workload.shards", u.Call, u.Kind)
				return
			}
			mu.Lock()
			lm.facts.Shards = n
			mu.Unlock()
		})
	case "msk":
		for _, tp := range m.Topics {
			tasks = append(tasks, func(ctx context.Context) {
				t, err := d.AWS.MSKTopic(ctx, m.EventSourceARN, tp)
				if err != nil {
					note("partitions of %s unknown (%s); send workload.partitions", tp, unknownWhy("Kafka:DescribeTopic", err))
					return
				}
				mu.Lock()
				lm.facts.Partitions += int(t.Partitions)
				mu.Unlock()
			})
		}
	case "sqs", "sqs_fifo":
		tasks = append(tasks, func(ctx context.Context) {
			q, err := d.AWS.SQSQueue(ctx, m.EventSourceARN)
			if err != nil {
				note("queue attributes unknown (%s); send workload.visibility_timeout_seconds", unknownWhy("SQS:GetQueueAttributes", err))
				return
			}
			mu.Lock()
			lm.facts.VisibilityTimeoutSeconds = float64(q.VisibilityTimeoutSeconds)
			lm.facts.BacklogRecords = float64(q.ApproximateMessages)
			mu.Unlock()
		})
	case "self_managed_kafka":
		lm.notes = append(lm.notes, "self-managed Kafka has no AWS control plane: send workload.partitions (kafka_inspect reads them)")
	}
	d.AWS.Parallel(ctx, tasks...)
	return lm, nil
}

// mergeFacts fills the workload fields the caller left out with live facts.
func mergeFacts(w *esmWorkload, f esmWorkload) {
	if w.FunctionTimeoutSeconds == 0 {
		w.FunctionTimeoutSeconds = f.FunctionTimeoutSeconds
	}
	if w.Shards == 0 {
		w.Shards = f.Shards
	}
	if w.Partitions == 0 {
		w.Partitions = f.Partitions
	}
	if w.VisibilityTimeoutSeconds == 0 {
		w.VisibilityTimeoutSeconds = f.VisibilityTimeoutSeconds
	}
	if w.BacklogRecords == 0 {
		w.BacklogRecords = f.BacklogRecords
	}
}

// unknownWhy renders a failed read as "Service:Operation: kind".
func unknownWhy(call string, err error) string {
	u := aws.UnknownFrom(call, err)
	return u.Call + ": " + u.Kind
}
