package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// sizingDemoSteps size an MSK cluster and fix a Kinesis mapping that falls
// behind, printing the arithmetic each answer rests on.
func sizingDemoSteps() []demoStep {
	return []demoStep{
		{Title: "How many brokers for 100 MB/s, two consumer groups, three days of retention?", Tool: "sizing",
			Args: map[string]any{"service": "msk", "ingress_mb_per_second": 100, "consumer_groups": 2, "retention_hours": 72, "partitions": 600},
			Show: showSizing},
		{Title: "Iterator age is over 60 s at 100 MB/s on 100 shards with ParallelizationFactor 1 and BatchSize 100: what should I change?", Tool: "esm_optimize",
			Args: map[string]any{"action": "analyze",
				"config": map[string]any{"FunctionName": "orders-fn", "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
					"StartingPosition": "LATEST", "BatchSize": 100, "ParallelizationFactor": 1},
				"workload": map[string]any{"shards": 100, "records_per_second": 100000, "avg_record_bytes": 1000, "processing_ms_per_record": 5,
					"latency_target_seconds": 60, "backlog_records": 6000000}},
			Show: showAnalysis},
	}
}

type demoCalcStep struct {
	Step    string             `json:"step"`
	Formula string             `json:"formula"`
	Inputs  map[string]float64 `json:"inputs"`
	Result  float64            `json:"result"`
	Unit    string             `json:"unit"`
}

func writeSteps(sb *strings.Builder, steps []demoCalcStep) {
	for _, s := range steps {
		fmt.Fprintf(sb, "    %s: %s = %g %s\n", s.Step, s.Formula, s.Result, s.Unit)
	}
}

func showSizing(raw json.RawMessage) string {
	var r struct {
		Recommendation struct {
			Summary string `json:"summary"`
		} `json:"recommendation"`
		Binding     string         `json:"binding_constraint"`
		Calculation []demoCalcStep `json:"calculation"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "unreadable result: " + err.Error()
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "  %s (binding constraint: %s)\n", r.Recommendation.Summary, r.Binding)
	writeSteps(&sb, r.Calculation)
	return sb.String()
}

func showAnalysis(raw json.RawMessage) string {
	var a struct {
		Changes []struct {
			Field string `json:"field"`
			From  any    `json:"from"`
			To    any    `json:"to"`
			Why   string `json:"why"`
		} `json:"changes"`
		Tradeoffs []struct {
			Target, Before, After, Effect string
		} `json:"tradeoffs"`
		Rationale []demoCalcStep `json:"rationale"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "unreadable result: " + err.Error()
	}
	var sb strings.Builder
	for _, c := range a.Changes {
		fmt.Fprintf(&sb, "  %s: %v → %v (%s)\n", c.Field, c.From, c.To, c.Why)
	}
	for _, t := range a.Tradeoffs {
		fmt.Fprintf(&sb, "  %s: %s → %s (%s)\n", t.Target, t.Before, t.After, t.Effect)
	}
	writeSteps(&sb, a.Rationale)
	return sb.String()
}
