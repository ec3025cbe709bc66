package tools

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/cfntemplate"
	"github.com/stream-mcp/stream-mcp/internal/firehosecfg"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/osipipe"
	"github.com/stream-mcp/stream-mcp/internal/redshiftstream"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Extra sizing services and validate_config kinds for the integrations
// around the streams. Each helper adds one line per service or kind in its
// own section (keep the blank lines between sections so merges do not
// conflict); the function lives in that helper's internal package. The
// tools' schema enums are extended from these maps, so no struct tag is
// edited.

// sizingPlugin sizes one extra service from the sizing tool's input
// (internal/integ documents the plugin signatures).
type sizingPlugin func(in integ.SizeInput, b *guidance.Base) (sizing.Result, error)

func sizingPlugins() map[string]sizingPlugin {
	return map[string]sizingPlugin{
		// integ1: opensearch_ingestion, redshift_streaming, firehose.
		"redshift_streaming":   redshiftstream.Size,
		"opensearch_ingestion": osipipe.Size,
		"firehose":             firehosecfg.Size,

		// integ2: glue_streaming, flink, msk_connect, kcl, kpl.
		"glue_streaming": sizeProcessor("glue_streaming"),
		"kpl":            sizeProcessor("kpl"),
		"flink":          sizeProcessor("flink"),
		"msk_connect":    sizeProcessor("msk_connect"),
		"kcl":            sizeProcessor("kcl"),

		// mskops.

	}
}

// validatePlugin validates one extra kind from config or text; an error
// wrapping integ.ErrInput is bad input.
type validatePlugin func(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error)

func validatePlugins() map[string]validatePlugin {
	return map[string]validatePlugin{
		// integ1: redshift_streaming, opensearch_pipeline, firehose_stream.
		"redshift_streaming":  redshiftstream.Validate,
		"opensearch_pipeline": osipipe.Validate,
		"firehose_stream":     firehosecfg.Validate,

		// integ2.
		"glue_job":    validateProcessor("glue_job"),
		"flink_app":   validateProcessor("flink_app"),
		"msk_connect": validateProcessor("msk_connect"),
		"kcl":         validateProcessor("kcl"),
		"kpl":         validateProcessor("kpl"),

		// mskops.
		"msk_cluster_change": validateMSKClusterChange,
		"mirrormaker2":       validateMirrorMaker2Kind,
		"msk_replicator":     validateMSKReplicatorKind,
	}
}

// templatePlugin validates one CloudFormation resource type's Properties
// inside kind=template (path is Resources.ID.Properties).
type templatePlugin func(path string, props map[string]any, b *guidance.Base) integ.Validation

func templatePlugins() map[string]templatePlugin {
	return map[string]templatePlugin{
		// integ1: AWS::OSIS::Pipeline, AWS::KinesisFirehose::DeliveryStream, AWS::Redshift*.
		"AWS::RedshiftServerless::Workgroup":   redshiftstream.CheckWorkgroup,
		"AWS::Redshift::Cluster":               redshiftstream.CheckCluster,
		"AWS::OSIS::Pipeline":                  osipipe.CheckResource,
		"AWS::KinesisFirehose::DeliveryStream": firehosecfg.CheckResource,

		// integ2.
		"AWS::Glue::Job":                         validateProcessorResource("glue_job"),
		"AWS::KinesisAnalyticsV2::Application":   validateProcessorResource("flink_app"),
		"AWS::KafkaConnect::Connector":           validateProcessorResource("msk_connect"),
		"AWS::KafkaConnect::WorkerConfiguration": validateProcessorResource("msk_connect"),

		// mskops.

	}
}

// withEnum appends values to the enum of a top-level input property (after
// the schema tags' own values), so registries extend a tool's schema.
func withEnum(property string, values []string) mcp.ToolOption {
	return func(t *mcp.Tool) {
		if len(values) == 0 {
			return
		}
		var s map[string]any
		if err := json.Unmarshal(t.RawInputSchema, &s); err != nil {
			panic(fmt.Sprintf("tools: %s input schema: %v", t.Name, err))
		}
		props, _ := s["properties"].(map[string]any)
		p, ok := props[property].(map[string]any)
		if !ok {
			panic(fmt.Sprintf("tools: %s has no input property %q", t.Name, property))
		}
		enum, _ := p["enum"].([]any)
		for _, v := range values {
			if !slices.Contains(enum, any(v)) {
				enum = append(enum, v)
			}
		}
		p["enum"] = enum
		raw, err := json.Marshal(s)
		if err != nil {
			panic(fmt.Sprintf("tools: %s input schema: %v", t.Name, err))
		}
		t.RawInputSchema = raw
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// textKinds are the extra kinds that accept text; every extra kind may.
func textKinds() []string { return sortedKeys(validatePlugins()) }

// validateTemplatePlugins runs the template plugins over a template's
// resources of their types, in logical-ID order.
func validateTemplatePlugins(text string, b *guidance.Base) ([]rules.Violation, int, []cfntemplate.Checked, error) {
	plugins := templatePlugins()
	if len(plugins) == 0 {
		return nil, 0, nil, nil
	}
	res, err := cfntemplate.Resources(text, b)
	if err != nil {
		return nil, 0, nil, err
	}
	var (
		vs      []rules.Violation
		done    []cfntemplate.Checked
		checked = map[string]bool{}
	)
	for _, id := range sortedKeys(res) {
		r, _ := res[id].(map[string]any)
		typ, _ := r["Type"].(string)
		p, ok := plugins[typ]
		if !ok {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		v := p("Resources."+id+".Properties", props, b)
		vs = append(vs, v.Violations...)
		for _, x := range v.Checked {
			checked[x] = true
		}
		done = append(done, cfntemplate.Checked{Path: "Resources." + id, Type: typ})
	}
	return vs, len(checked), done, nil
}
