package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// BenchmarkSizingAndAnalyzeHandlers measures server-side time of one tool
// call (argument decoding, calculation, structured result) for every sizing
// service and esm_optimize analyze; issue 4 requires each under 1 ms.
func BenchmarkSizingAndAnalyzeHandlers(b *testing.B) {
	g, err := guidance.Load()
	if err != nil {
		b.Fatal(err)
	}
	d := ReadDeps{Guidance: g, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sz, opt := Sizing(d), EsmOptimize(d)
	cases := []struct{ name, tool, args string }{
		{"sizing/msk", "sizing", `{"service":"msk","ingress_mb_per_second":200,"consumer_groups":3,"retention_hours":72,"partitions":600}`},
		{"sizing/msk_express", "sizing", `{"service":"msk_express","ingress_mb_per_second":200,"consumer_groups":3,"partitions":600}`},
		{"sizing/msk_serverless", "sizing", `{"service":"msk_serverless","ingress_mb_per_second":100,"consumer_groups":2}`},
		{"sizing/kinesis", "sizing", `{"service":"kinesis","ingress_mb_per_second":50,"records_per_second":60000,"consumer_groups":2}`},
		{"sizing/lambda_esm", "sizing", `{"service":"lambda_esm","event_source":"msk","poller_mode":"provisioned","partitions":64,"records_per_second":20000,"avg_record_bytes":1000,"processing_ms_per_record":3}`},
		{"esm_optimize/analyze", "esm_optimize", `{"action":"analyze","targets":["throughput","cost"],"config":{"FunctionName":"orders-fn","EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/orders","StartingPosition":"LATEST","BatchSize":100,"ParallelizationFactor":1},"workload":{"shards":100,"records_per_second":100000,"avg_record_bytes":1000,"processing_ms_per_record":5,"latency_target_seconds":60,"backlog_records":6000000}}`},
	}
	for _, c := range cases {
		var args map[string]any
		if err := json.Unmarshal([]byte(c.args), &args); err != nil {
			b.Fatal(err)
		}
		h := sz.Handler
		if c.tool == "esm_optimize" {
			h = opt.Handler
		}
		b.Run(c.name, func(b *testing.B) {
			req := mcp.CallToolRequest{}
			req.Params.Name = c.tool
			req.Params.Arguments = args
			for b.Loop() {
				res, err := h(context.Background(), req)
				if err != nil || res.IsError {
					b.Fatalf("%v %+v", err, res)
				}
				if _, err := json.Marshal(res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
