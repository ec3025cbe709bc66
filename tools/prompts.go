package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/server"
)

// Prompts returns the workflow prompts: each tells the model which
// stream-mcp tools to call, in which order, and with which arguments. Every
// tool named here is a registered read tool (a test checks the names).
func Prompts() []server.ServerPrompt {
	defs := promptDefs()
	out := make([]server.ServerPrompt, len(defs))
	for i, d := range defs {
		out[i] = prompt(d.name, d.desc, d.args, d.body)
	}
	return out
}

// promptDef is one prompt: its arguments and the text it renders.
type promptDef struct {
	name, desc string
	args       []promptArg
	body       func(map[string]any) string
}

func promptDefs() []promptDef {
	return []promptDef{
		{"setup_kafka_esm", "Set up a Lambda trigger (event source mapping) on Amazon MSK or self-managed Kafka, with network, IAM and IaC.",
			[]promptArg{{"event_source", "msk or self_managed_kafka", true, "string", "esm_guidance"}, {"function_name", "function name or ARN", false, "string", "esm_guidance"},
				{"event_source_arn", "MSK cluster ARN (MSK)", false, "string", "esm_guidance"}, {"bootstrap_servers", "host:port list (self-managed)", false, "string", "esm_guidance"},
				{"topic", "topic to consume", false, "string", "esm_guidance"}, {"iac_format", "sam, cloudformation or terraform", false, "string", "esm_guidance"}},
			func(a map[string]any) string {
				args := promptArgsJSON(a, "event_source", "function_name", "event_source_arn", "bootstrap_servers", "topic", "iac_format")
				return "Set up a Kafka event source mapping.\n" +
					"1. If a cluster is named, call kafka_inspect (what=overview, and what=topic with the topic) to learn its auth modes, partitions and health.\n" +
					"2. Call esm_guidance with guidance_type=setup and these arguments: " + args + ", plus auth, poller_mode, group_id and security_group_ids once known. Present its decisions with the recommendation and the reason.\n" +
					"3. Call esm_guidance with guidance_type=networking and then permissions for the same arguments; apply the security-group rules and the execution-role policy it generates.\n" +
					"4. Size pollers and batching with esm_optimize action=analyze, giving it the workload kafka_inspect measured; then esm_optimize action=generate_template.\n" +
					"5. Check every generated template with validate_config kind=template before deploying.\n" +
					"6. After deployment, call esm_inspect for the new mapping, then kafka_troubleshoot mode=diagnosis with its esm_uuid if the state is not Enabled or LastProcessingResult is not OK."
			}},
		{"kafka_trigger_stopped", "Diagnose a Kafka (MSK or self-managed) Lambda trigger that stopped processing.",
			[]promptArg{{"esm_uuid", "the mapping's UUID", false, "string", "esm_inspect"}, {"function_name", "the function, to find its mappings", false, "string", "esm_inspect"}},
			func(a map[string]any) string {
				return "A Kafka Lambda trigger stopped.\n" +
					"1. Call esm_inspect with " + promptArgsJSON(a, "esm_uuid", "function_name") + " to read State, StateTransitionReason and LastProcessingResult.\n" +
					"2. Call kafka_troubleshoot mode=diagnosis with the esm_uuid: it checks network path, security groups, endpoints, IAM and the broker, and names the primary category.\n" +
					"3. If the category is consumer_lag or broker_health, call kafka_inspect what=group with the mapping's consumer group (ConsumerGroupId, or the mapping UUID) for per-partition lag.\n" +
					"4. Call kafka_troubleshoot mode=resolution with that issue_category, and esm_guidance guidance_type=troubleshooting (and networking or permissions for the fix) to produce the corrected rules or policy.\n" +
					"Report the evidence for each finding; do not change anything unless the user asks."
			}},
		{"optimize_esm_throughput", "Tune an event source mapping for a throughput or latency target.",
			[]promptArg{{"esm_uuid", "the mapping's UUID", true, "string", "esm_inspect"}, {"records_per_second", "target records per second", false, "number", "esm_optimize.workload"},
				{"latency_target_seconds", "acceptable end-to-end delay, seconds", false, "number", "esm_optimize.workload"}},
			func(a map[string]any) string {
				return "Optimize an event source mapping.\n" +
					"1. Call esm_inspect with " + promptArgsJSON(a, "esm_uuid") + " for the current configuration, source topology (shards or partitions) and metrics.\n" +
					"2. For Kinesis sources call kinesis_inspect for shard-level throughput and iterator age; for Kafka call kafka_inspect what=group for lag.\n" +
					"3. Call esm_optimize action=analyze with the esm_uuid, targets and the workload (" + promptArgsJSON(a, "records_per_second", "latency_target_seconds") + "); explain its rationale steps.\n" +
					"4. Call esm_optimize action=validate on the recommended config, then action=generate_template for the IaC.\n" +
					"5. If the source itself is the bottleneck, call sizing for more shards or partitions/brokers."
			}},
		{"size_cluster", "Size an MSK cluster or a Kinesis stream for a workload.",
			[]promptArg{{"service", "msk, msk_express, msk_serverless or kinesis", true, "string", "sizing"}, {"ingress_mb_per_second", "peak write rate, MB/s", false, "number", "sizing"},
				{"consumer_groups", "number of consumer groups reading everything", false, "number", "sizing"}, {"retention_hours", "retention, hours", false, "number", "sizing"}},
			func(a map[string]any) string {
				return "Size a streaming cluster.\n" +
					"1. If one exists, read it: kafka_inspect what=overview (MSK) or kinesis_inspect (Kinesis) for current partitions, shards and throughput.\n" +
					"2. Call sizing with " + promptArgsJSON(a, "service", "ingress_mb_per_second", "consumer_groups", "retention_hours") + " plus replication_factor, az_count and peak_factor; report the binding constraint and each calculation step.\n" +
					"3. For a template of the result, call sizing again with iac_format (sam, cloudformation or terraform) and the subnet_ids and security_group_ids if known; check it with validate_config (kind=template).\n" +
					"4. For the consumers, call esm_optimize action=analyze to match pollers or ParallelizationFactor to the new partitions or shards."
			}},
	}
}

type promptArg struct {
	name, desc string
	required   bool
	// typ is the JSON type the receiving tool's input schema gives the
	// argument (string, number or integer); the prompt renders it so.
	typ string
	// to is the tool that receives it, with a dotted path for a nested
	// object ("esm_optimize.workload"); a test holds typ to that schema.
	to string
}

func prompt(name, desc string, args []promptArg, body func(map[string]any) string) server.ServerPrompt {
	opts := []mcp.PromptOption{mcp.WithPromptDescription(desc)}
	for _, a := range args {
		ao := []mcp.ArgumentOption{mcp.ArgumentDescription(a.desc)}
		if a.required {
			ao = append(ao, mcp.RequiredArgument())
		}
		opts = append(opts, mcp.WithArgument(a.name, ao...))
	}
	return server.ServerPrompt{
		Prompt: mcp.NewPrompt(name, opts...),
		Handler: func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			for _, a := range args {
				v := strings.TrimSpace(req.Params.Arguments[a.name])
				if a.required && v == "" {
					return nil, fmt.Errorf("prompt %s: argument %s is required (%s)", name, a.name, a.desc)
				}
				if v != "" && a.typ != "string" {
					if _, err := strconv.ParseFloat(v, 64); err != nil {
						return nil, fmt.Errorf("prompt %s: argument %s must be a number (%s); got %q", name, a.name, a.desc, v)
					}
				}
			}
			typed := map[string]any{}
			for _, a := range args {
				v := strings.TrimSpace(req.Params.Arguments[a.name])
				switch {
				case v == "":
				case a.typ == "string":
					typed[a.name] = v
				default:
					typed[a.name] = json.Number(v)
				}
			}
			return mcp.NewGetPromptResult(desc, []mcp.PromptMessage{
				mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(body(typed))),
			}), nil
		},
	}
}

// promptArgsJSON renders the given arguments as a JSON object with the
// types the receiving tool's schema gives them (values JSON-encoded, so
// nothing the user typed can be mistaken for instructions' structure);
// absent ones are left out.
func promptArgsJSON(a map[string]any, names ...string) string {
	m := map[string]any{}
	for _, n := range names {
		if v, ok := a[n]; ok {
			m[n] = v
		}
	}
	if len(m) == 0 {
		return "the identifiers the user gives"
	}
	b, _ := json.Marshal(m) // strings and validated numbers always marshal
	return string(b)
}
