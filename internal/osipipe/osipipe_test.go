package osipipe_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
	"github.com/stream-mcp/stream-mcp/internal/osipipe"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

func base(t *testing.T) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSize(t *testing.T) {
	t.Parallel()
	b := base(t)
	for _, tc := range []struct {
		name    string
		in      integ.SizeInput
		steps   map[string]float64
		summary string
		warn    bool
		err     string
	}{
		{"largest topic decides", integ.SizeInput{Topics: []integ.Topic{{Name: "a", Partitions: 12}, {Name: "b", Partitions: 40}}},
			map[string]float64{"maximum OCUs per pipeline": 40, "pipelines on the same topic and consumer group": 1}, "MaxUnits 40", false, ""},
		{"beyond 96 partitions", integ.SizeInput{Topics: []integ.Topic{{Name: "ev", Partitions: 120}}},
			map[string]float64{"pipelines on the same topic and consumer group": 2, "MaxUnits per pipeline": 60}, "2 pipelines", false, ""},
		{"kinesis shards", integ.SizeInput{Workload: sizing.Workload{Shards: 10}}, map[string]float64{"maximum OCUs per pipeline": 10}, "MaxUnits 10", false, ""},
		{"kinesis too many shards", integ.SizeInput{Workload: sizing.Workload{Shards: 200}}, map[string]float64{"streams (one pipeline each)": 3}, "3 streams", false, ""},
		{"throughput beyond partitions", integ.SizeInput{Workload: sizing.Workload{Partitions: 4, IngressMBps: 40}},
			map[string]float64{"OCUs for throughput (simple log pipeline)": 20}, "MaxUnits 4", true, ""},
		{"no partitions", integ.SizeInput{}, nil, "", false, "partitions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := osipipe.Size(tc.in, b)
			if tc.err != "" {
				if !errors.Is(err, integ.ErrInput) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, s := range res.Calculation {
				if _, ok := tc.steps[s.Step]; ok {
					got[s.Step] = s.Result
				}
			}
			if diff := cmp.Diff(tc.steps, got); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if !strings.Contains(res.Recommendation.Summary, tc.summary) {
				t.Errorf("summary %q lacks %q", res.Recommendation.Summary, tc.summary)
			}
			if (len(res.Warnings) > 0) != tc.warn {
				t.Errorf("warnings %q", res.Warnings)
			}
		})
	}
}

const goodPipeline = `version: "2"
msk-pipeline:
  source:
    kafka:
      acknowledgments: true
      topics:
        - name: ev-telemetry
          group_id: osi-ev
          serde_format: json
      aws:
        sts_role_arn: arn:aws:iam::123456789012:role/osi-pipeline
        region: us-east-1
        msk:
          arn: arn:aws:kafka:us-east-1:123456789012:cluster/ev/abcd-1
  processor:
    - parse_json: {}
  sink:
    - opensearch:
        hosts: ["https://search-ev-abc.us-east-1.es.amazonaws.com"]
        index: ev-%{yyyy.MM.dd}
        aws:
          sts_role_arn: arn:aws:iam::123456789012:role/osi-pipeline
          region: us-east-1
        dlq:
          s3:
            bucket: ev-dlq
            key_path_prefix: dlq/
            region: us-east-1
            sts_role_arn: arn:aws:iam::123456789012:role/osi-pipeline
`

const badPipeline = `ev:
  source:
    kafka:
      topics:
        - name: ev
      aws:
        msk:
          arn: arn:aws:kafka:us-east-1:123456789012:cluster/ev/abcd-1
    kinesis:
      streams: []
  processor:
    - aggregate: {}
  sink:
    - opensearch:
        hosts: ["search-x.us-east-1.aoss.amazonaws.com"]
`

func ids(v integ.Validation) []string {
	var out []string
	for _, x := range v.Violations {
		out = append(out, string(x.Severity)+" "+x.RuleID)
	}
	sort.Strings(out)
	return out
}

func TestValidate(t *testing.T) {
	t.Parallel()
	b := base(t)
	for _, tc := range []struct {
		name string
		in   integ.ValidateInput
		want []string
	}{
		{"good text", integ.ValidateInput{Text: goodPipeline}, nil},
		{"good properties", integ.ValidateInput{Partitions: 8, Config: map[string]any{"PipelineConfigurationBody": goodPipeline, "MinUnits": 2, "MaxUnits": 8}}, nil},
		{"bad text", integ.ValidateInput{Text: badPipeline}, []string{
			"error opensearch_pipeline.kafka.topics", "error opensearch_pipeline.kinesis.streams", "error opensearch_pipeline.sink.opensearch.hosts",
			"error opensearch_pipeline.sink.opensearch.serverless", "error opensearch_pipeline.source.count", "error opensearch_pipeline.sts_role_arn",
			"error opensearch_pipeline.sts_role_arn", "error opensearch_pipeline.sts_role_arn", "info opensearch_pipeline.kinesis.consumer_strategy",
			"warning opensearch_pipeline.kafka.acknowledgments", "warning opensearch_pipeline.sink.opensearch.dlq", "warning opensearch_pipeline.version"}},
		{"stateful max, min, partitions", integ.ValidateInput{Partitions: 12, Config: map[string]any{"PipelineConfigurationBody": strings.Replace(goodPipeline, "parse_json", "aggregate", 1), "MinUnits": 1, "MaxUnits": 60}},
			[]string{"error opensearch_pipeline.units", "info opensearch_pipeline.units.min_ha", "warning opensearch_pipeline.units.max_vs_partitions"}},
		{"body too long", integ.ValidateInput{Text: goodPipeline + "#" + strings.Repeat("x", 24001)}, []string{"error opensearch_pipeline.body.size"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := osipipe.Validate(tc.in, b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(res)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []integ.ValidateInput{{Text: "a: [b"}, {Text: "version: \"2\"\n"}, {Config: map[string]any{"PipelineConfigurationBody": 3}}} {
		if _, err := osipipe.Validate(bad, b); !errors.Is(err, integ.ErrInput) {
			t.Errorf("%+v: err %v, want input error", bad, err)
		}
	}
}

func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := base(t)
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "osi.", "kinesis.")
}
