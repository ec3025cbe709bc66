package redshiftstream_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
	"github.com/stream-mcp/stream-mcp/internal/redshiftstream"
	"github.com/stream-mcp/stream-mcp/internal/rules"
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
		name      string
		in        integ.SizeInput
		last      float64 // result of the last calculation step
		summary   string
		warnings  int
		wantError string
	}{
		{"3 partitions -> minimum", integ.SizeInput{Workload: sizing.Workload{Partitions: 3}}, 8, "8 RPU", 0, ""},
		{"72 over two topics", integ.SizeInput{Topics: []integ.Topic{{Name: "orders", Partitions: 24}, {Name: "clicks", Partitions: 48}}}, 48, "144 RPU", 0, ""},
		{"kinesis shards", integ.SizeInput{Workload: sizing.Workload{Shards: 10}}, 24, "24 RPU", 1, ""},
		{"extended range", integ.SizeInput{Workload: sizing.Workload{Partitions: 300}}, 608, "608 RPU", 1, ""},
		{"beyond one workgroup", integ.SizeInput{Workload: sizing.Workload{Partitions: 600}}, 2, "2 or more workgroups", 0, ""},
		{"provisioned slices", integ.SizeInput{Workload: sizing.Workload{Partitions: 40}, Target: "provisioned"}, 40, "40 slices", 0, ""},
		{"mixed case and long topic warn", integ.SizeInput{Topics: []integ.Topic{{Name: "Orders", Partitions: 4}, {Name: strings.Repeat("t", 129), Partitions: 4}}}, 4, "16 RPU", 2, ""},
		{"no partitions", integ.SizeInput{}, 0, "", 0, "partitions"},
		{"bad target", integ.SizeInput{Workload: sizing.Workload{Partitions: 4}, Target: "dedicated"}, 0, "", 0, "target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := redshiftstream.Size(tc.in, b)
			if tc.wantError != "" {
				if !errors.Is(err, integ.ErrInput) || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("err %v, want input error mentioning %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Calculation[len(res.Calculation)-1].Result; got != tc.last {
				t.Errorf("last step = %g, want %g (%+v)", got, tc.last, res.Calculation)
			}
			if !strings.Contains(res.Recommendation.Summary, tc.summary) {
				t.Errorf("summary %q does not contain %q", res.Recommendation.Summary, tc.summary)
			}
			if len(res.Warnings) != tc.warnings {
				t.Errorf("warnings %q, want %d", res.Warnings, tc.warnings)
			}
			if res.BindingConstraint == "" || len(res.References) == 0 {
				t.Errorf("binding %q references %v", res.BindingConstraint, res.References)
			}
		})
	}
}

func ruleIDs(vs []rules.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, string(v.Severity)+" "+v.RuleID)
	}
	sort.Strings(out)
	return out
}

const goodSQL = `
SET enable_case_sensitive_identifier TO true;
CREATE EXTERNAL SCHEMA msk_ext FROM MSK
  IAM_ROLE 'arn:aws:iam::111111111111:role/redshift-streaming,arn:aws:iam::333333333333:role/msk-read'
  AUTHENTICATION iam
  CLUSTER_ARN 'arn:aws:kafka:us-east-1:333333333333:cluster/orders/abcd-1234-5';
CREATE MATERIALIZED VIEW orders_mv AUTO REFRESH YES AS
  SELECT kafka_partition, kafka_offset, kafka_timestamp,
         CASE WHEN CAN_JSON_PARSE(kafka_value) THEN JSON_PARSE(kafka_value) END AS payload
  FROM msk_ext."OrderEvents";`

func TestValidate(t *testing.T) {
	t.Parallel()
	b := base(t)
	for _, tc := range []struct {
		name string
		in   integ.ValidateInput
		want []string
	}{
		{"good SQL", integ.ValidateInput{Text: goodSQL}, nil},
		{"kinesis MV with preview-era column names", integ.ValidateInput{Text: `CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default;
CREATE MATERIALIZED VIEW mv AUTO REFRESH YES AS SELECT "ApproximateArrivalTimestamp", CASE WHEN CAN_JSON_PARSE("Data") THEN JSON_PARSE("Data") END AS payload FROM kds."s";`},
			[]string{"error redshift_streaming.mv.columns"}},
		{"kinesis MV aliasing its payload as data", integ.ValidateInput{Text: `CREATE EXTERNAL SCHEMA kds FROM KINESIS IAM_ROLE default;
CREATE MATERIALIZED VIEW mv AUTO REFRESH YES AS SELECT approximate_arrival_timestamp, partition_key, JSON_PARSE(from_varbyte(kinesis_data, 'utf-8')) AS data FROM kds."s" WHERE CAN_JSON_PARSE(kinesis_data);`},
			nil},
		{"kafka MV selecting a kinesis column", integ.ValidateInput{Text: `CREATE EXTERNAL SCHEMA s FROM MSK IAM_ROLE default AUTHENTICATION iam CLUSTER_ARN 'arn:aws:kafka:us-east-1:333333333333:cluster/c/u-1';
CREATE MATERIALIZED VIEW mv AUTO REFRESH YES AS SELECT kafka_offset, kinesis_data FROM s."orders";`},
			[]string{"error redshift_streaming.mv.columns"}},
		{"bad SQL", integ.ValidateInput{Text: `CREATE EXTERNAL SCHEMA s FROM MSK IAM_ROLE 'arn:aws:iam::111111111111:role/a, arn:aws:iam::222222222222:role/b' AUTHENTICATION iam CLUSTER_ARN 'arn:aws:kafka:us-east-1:333333333333:cluster/c/u-1';
CREATE MATERIALIZED VIEW mv SORTKEY(kafka_offset) AS SELECT json_extract_path_text(from_varbyte(kafka_value,'utf-8'),'id')::int AS id FROM s."Orders";
CREATE MATERIALIZED VIEW mv2 AS SELECT JSON_PARSE(kafka_value) AS p FROM s."Orders";`},
			[]string{"error redshift_streaming.case_sensitive_identifier", "error redshift_streaming.iam_role.chain_format", "error redshift_streaming.iam_role.chain_order",
				"warning redshift_streaming.mv.conversion", "warning redshift_streaming.mv.json_extract_path_text", "warning redshift_streaming.mv.per_stream", "warning redshift_streaming.mv.sort_key", "info redshift_streaming.mv.auto_refresh",
				"error redshift_streaming.case_sensitive_identifier", "error redshift_streaming.iam_role.chain_format", "error redshift_streaming.iam_role.chain_order",
				"warning redshift_streaming.mv.json_parse_guard", "warning redshift_streaming.mv.per_stream", "info redshift_streaming.mv.auto_refresh"}},
		{"fields: single role in another account", integ.ValidateInput{Config: map[string]any{"source": "msk", "auth": "iam", "topic": "orders", "iam_role": "arn:aws:iam::111111111111:role/rs",
			"cluster_arn": "arn:aws:kafka:us-east-1:333333333333:cluster/c/u-1", "auto_refresh": true}}, []string{"error redshift_streaming.iam_role.chain_order"}},
		{"fields: first role not in the warehouse account", integ.ValidateInput{Config: map[string]any{"source": "kinesis", "stream": "clicks", "redshift_account": "111111111111",
			"iam_role": []any{"arn:aws:iam::222222222222:role/a", "arn:aws:iam::111111111111:role/b"}, "auto_refresh": true}}, []string{"error redshift_streaming.iam_role.chain_order"}},
		{"fields: scram, no role, compression, case at cluster on default PG", integ.ValidateInput{Config: map[string]any{"source": "msk", "auth": "sasl_scram", "topic": "Orders",
			"payload_compression": "gzip", "enable_case_sensitive_identifier": true, "case_sensitive_level": "cluster", "parameter_group": "default.redshift-1.0", "target": "provisioned", "auto_refresh": true}},
			[]string{"error redshift_streaming.auth", "error redshift_streaming.case_sensitive_identifier.parameter_group", "error redshift_streaming.payload_compression"}},
		{"fields: serverless needs iam", integ.ValidateInput{Config: map[string]any{"source": "msk_serverless", "auth": "none", "topic": "t", "auto_refresh": true}}, []string{"error redshift_streaming.auth"}},
		{"fields: kinesis needs a role", integ.ValidateInput{Config: map[string]any{"source": "kinesis", "stream": "s", "auto_refresh": true}}, []string{"error redshift_streaming.iam_role.required"}},
		{"fields: oversize and too large", integ.ValidateInput{Config: map[string]any{"source": "kinesis", "stream": "s", "iam_role": "default", "auto_refresh": true,
			"columns": []any{map[string]any{"name": "data", "type": "VARBYTE"}}, "max_record_bytes": 100000}}, []string{"warning redshift_streaming.record_size.column"}},
		{"fields: from_varbyte with large records", integ.ValidateInput{AvgRecordBytes: 70000, Config: map[string]any{"source": "kinesis", "stream": "s", "iam_role": "default", "auto_refresh": true,
			"functions": []any{"FROM_VARBYTE", "json_parse", "can_json_parse"}}}, []string{"warning redshift_streaming.mv.from_varbyte"}},
		{"fields: record above VARBYTE max", integ.ValidateInput{Config: map[string]any{"source": "kinesis", "stream": "s", "iam_role": "default", "auto_refresh": true, "max_record_bytes": 20000000}}, []string{"error redshift_streaming.record_size.max"}},
		{"fields: topic too long, rpu low", integ.ValidateInput{Partitions: 64, Config: map[string]any{"source": "msk", "auth": "none", "topic": strings.Repeat("a", 129), "auto_refresh": true, "base_rpu": 32}},
			[]string{"error redshift_streaming.topic_name.max", "warning redshift_streaming.serverless.base_rpu"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := redshiftstream.Validate(tc.in, b)
			if err != nil {
				t.Fatal(err)
			}
			got := ruleIDs(res.Violations)
			sort.Strings(tc.want)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			for _, v := range res.Violations {
				if v.Fix == "" || !strings.HasPrefix(v.Reference, "https://") {
					t.Errorf("%s: fix %q reference %q", v.RuleID, v.Fix, v.Reference)
				}
			}
			if len(res.Checked) < 10 {
				t.Errorf("only %d rules checked", len(res.Checked))
			}
		})
	}
}

func TestValidateRejectsBadInput(t *testing.T) {
	t.Parallel()
	b := base(t)
	for _, in := range []integ.ValidateInput{
		{Text: "SELECT 1;"},
		{Config: map[string]any{"sourse": "msk"}},
	} {
		if _, err := redshiftstream.Validate(in, b); !errors.Is(err, integ.ErrInput) {
			t.Errorf("%+v: err %v, want input error", in, err)
		}
	}
}

func TestTemplateChecks(t *testing.T) {
	t.Parallel()
	b := base(t)
	for _, tc := range []struct {
		name  string
		check func(string, map[string]any, *guidance.Base) integ.Validation
		props map[string]any
		want  []string
	}{
		{"workgroup ok", redshiftstream.CheckWorkgroup, map[string]any{"BaseCapacity": 64}, nil},
		{"workgroup step", redshiftstream.CheckWorkgroup, map[string]any{"BaseCapacity": 60}, []string{"error redshift_streaming.cfn.workgroup.base_capacity"}},
		{"workgroup extended step", redshiftstream.CheckWorkgroup, map[string]any{"BaseCapacity": 520}, []string{"error redshift_streaming.cfn.workgroup.base_capacity"}},
		{"workgroup extended", redshiftstream.CheckWorkgroup, map[string]any{"BaseCapacity": "544"}, []string{"info redshift_streaming.cfn.workgroup.base_capacity"}},
		{"workgroup too big", redshiftstream.CheckWorkgroup, map[string]any{"BaseCapacity": 2048}, []string{"error redshift_streaming.cfn.workgroup.base_capacity"}},
		{"cluster default PG", redshiftstream.CheckCluster, map[string]any{}, []string{"info redshift_streaming.cfn.cluster.parameter_group"}},
		{"cluster custom PG", redshiftstream.CheckCluster, map[string]any{"ClusterParameterGroupName": map[string]any{"Ref": "PG"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ruleIDs(tc.check("Resources.X.Properties", tc.props, b).Violations)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := base(t)
	// rule ids share the redshift_streaming. prefix; resolve the limit ids
	limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "redshift.", "guidance_esm.", "redshift_streaming.serverless.rpu_per", "redshift_streaming.serverless.partition_group",
		"redshift_streaming.provisioned.", "redshift_streaming.mvs_per_stream", "redshift_streaming.json_extract_path_text", "redshift_streaming.topic_name.max_chars")
}
