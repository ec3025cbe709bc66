package mskdr

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/iac/iactest"
	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

func loadBase(t *testing.T) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type want struct {
	rule string
	sev  rules.Severity
	text string
}

func has(vs []rules.Violation, w want) bool {
	for _, v := range vs {
		if v.RuleID == w.rule && v.Severity == w.sev && strings.Contains(v.Message, w.text) && v.Fix != "" && strings.HasPrefix(v.Reference, "https://") {
			return true
		}
	}
	return false
}

func TestMirrorMaker2(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	identity := "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
	good := map[string]any{"clusters": "src, dst", "src->dst.enabled": "true", "replication.policy.class": identity, "sync.group.offsets.enabled": "true",
		"replication.factor": 3, "tasks.max": 12}
	tests := []struct {
		name  string
		mod   func(map[string]any)
		ctx   MM2Context
		want  []want
		clean bool
	}{
		{"good migration", func(map[string]any) {}, MM2Context{Partitions: 12}, []want{{"mm2.offset_translation", rules.Info, "up to 60s"}}, true},
		{"offset sync default off", func(m map[string]any) { delete(m, "sync.group.offsets.enabled") }, MM2Context{},
			[]want{{"mm2.offset_sync", rules.Warning, "it defaults to false"}}, true},
		{"checkpoints off but sync on", func(m map[string]any) { m["emit.checkpoints.enabled"] = "false" }, MM2Context{},
			[]want{{"mm2.checkpoints", rules.Error, "needs checkpoints"}}, false},
		{"identity both ways loops", func(m map[string]any) { m["dst->src.enabled"] = "true" }, MM2Context{},
			[]want{{"mm2.replication_loop", rules.Error, "records loop"}}, false},
		{"default policy renames", func(m map[string]any) { delete(m, "replication.policy.class") }, MM2Context{},
			[]want{{"mm2.replication_policy", rules.Info, "renamed src.<topic>"}}, true},
		{"more tasks than partitions", func(map[string]any) {}, MM2Context{Partitions: 6}, []want{{"mm2.tasks", rules.Warning, "6 tasks stay idle"}}, true},
		{"tasks unset", func(m map[string]any) { delete(m, "tasks.max") }, MM2Context{Partitions: 24}, []want{{"mm2.tasks", rules.Warning, "one task copies all 24"}}, true},
		{"small target internal rf", func(map[string]any) {}, MM2Context{TargetBrokers: 2},
			[]want{{"mm2.internal_topic_rf", rules.Error, "checkpoints.topic.replication.factor defaults to 3 but the target has 2 brokers"}}, false},
		{"small target rf set", func(m map[string]any) {
			for _, k := range []string{"checkpoints", "offset-syncs", "heartbeats"} {
				m[k+".topic.replication.factor"] = 2
			}
		}, MM2Context{TargetBrokers: 2}, nil, true},
		{"replication factor unset", func(m map[string]any) { delete(m, "replication.factor") }, MM2Context{},
			[]want{{"mm2.replication_factor", rules.Warning, "replication factor 2"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := map[string]any{}
			for k, v := range good {
				cfg[k] = v
			}
			tc.mod(cfg)
			vs := ValidateMirrorMaker2(cfg, tc.ctx, b)
			for _, w := range tc.want {
				if !has(vs, w) {
					t.Errorf("want %s %s %q in %+v", w.sev, w.rule, w.text, vs)
				}
			}
			if tc.clean && rules.HasErrors(vs) {
				t.Errorf("unexpected errors %+v", vs)
			}
			if !tc.clean && !rules.HasErrors(vs) {
				t.Errorf("no error in %+v", vs)
			}
		})
	}
}

func replicator(src, tgt string) map[string]any {
	return map[string]any{
		"ServiceExecutionRoleArn": "arn:aws:iam::111122223333:role/replicator",
		"KafkaClusters":           []any{map[string]any{"AmazonMskCluster": map[string]any{"MskClusterArn": src}}, map[string]any{"AmazonMskCluster": map[string]any{"MskClusterArn": tgt}}},
		"ReplicationInfoList": []any{map[string]any{"SourceKafkaClusterArn": src, "TargetKafkaClusterArn": tgt,
			"TopicReplication":         map[string]any{"TopicsToReplicate": []any{".*"}, "TopicNameConfiguration": map[string]any{"Type": "IDENTICAL"}, "StartingPosition": map[string]any{"Type": "EARLIEST"}},
			"ConsumerGroupReplication": map[string]any{"ConsumerGroupsToReplicate": []any{".*"}, "SynchroniseConsumerGroupOffsets": true}}},
	}
}

func TestReplicator(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	src := "arn:aws:kafka:us-east-1:111122223333:cluster/primary/11111111-2222-3333-4444-555555555555-1"
	tgt := "arn:aws:kafka:us-west-2:111122223333:cluster/standby/66666666-7777-8888-9999-000000000000-1"
	other := "arn:aws:kafka:us-west-2:444455556666:cluster/standby/66666666-7777-8888-9999-000000000000-1"
	ri := func(m map[string]any) map[string]any { return m["ReplicationInfoList"].([]any)[0].(map[string]any) }
	tests := []struct {
		name  string
		cfg   func() map[string]any
		want  []want
		clean bool
	}{
		{"identical cross region", func() map[string]any { return replicator(src, tgt) }, []want{{"replicator.cross_region", rules.Info, "multi-VPC connectivity for IAM"}, {"replicator.offset_sync", rules.Info, "approximately"}}, true},
		{"cross account", func() map[string]any { return replicator(src, other) }, []want{{"replicator.same_account", rules.Error, "within one account"}}, false},
		{"prefixed default", func() map[string]any {
			m := replicator(src, tgt)
			delete(ri(m)["TopicReplication"].(map[string]any), "TopicNameConfiguration")
			return m
		}, []want{{"replicator.topic_naming", rules.Info, "<sourceKafkaClusterAlias>.<topic>"}}, true},
		{"bad naming", func() map[string]any {
			m := replicator(src, tgt)
			ri(m)["TopicReplication"].(map[string]any)["TopicNameConfiguration"] = map[string]any{"Type": "SAME"}
			return m
		}, []want{{"replicator.topic_naming", rules.Error, "is not a topic name configuration"}}, false},
		{"offset sync off", func() map[string]any { m := replicator(src, tgt); delete(ri(m), "ConsumerGroupReplication"); return m },
			[]want{{"replicator.offset_sync", rules.Warning, "not synchronised"}}, true},
		{"enhanced needs identical", func() map[string]any {
			m := replicator(src, tgt)
			ri(m)["TopicReplication"].(map[string]any)["TopicNameConfiguration"] = map[string]any{"Type": "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"}
			ri(m)["ConsumerGroupReplication"].(map[string]any)["ConsumerGroupOffsetSyncMode"] = "ENHANCED"
			return m
		}, []want{{"replicator.offset_sync", rules.Error, "ENHANCED offset sync needs IDENTICAL"}}, false},
		{"latest", func() map[string]any {
			m := replicator(src, tgt)
			ri(m)["TopicReplication"].(map[string]any)["StartingPosition"] = map[string]any{"Type": "LATEST"}
			return m
		}, []want{{"replicator.starting_position", rules.Warning, "existing data stays behind"}}, true},
		{"facts", func() map[string]any {
			m := replicator(src, tgt)
			m["Facts"] = map[string]any{
				src: map[string]any{"kafka_version": "2.8.0", "brokers": 3, "az_count": 2, "instance_type": "kafka.m5.large", "iam": false, "multi_vpc_iam": false},
				tgt: map[string]any{"kafka_version": "2.6.2", "brokers": 3, "az_count": 3, "instance_type": "kafka.t3.small", "iam": true},
			}
			return m
		}, []want{
			{"replicator.cross_region", rules.Error, "does not have multi-VPC"},
			{"replicator.versions", rules.Error, "identical topic names need Kafka 2.8.1 or later; the source runs 2.8.0"},
			{"replicator.versions", rules.Error, "the target runs Kafka 2.6.2; MSK Replicator supports 2.7.0"},
			{"replicator.auth", rules.Error, "IAM access control is off on the source"},
			{"replicator.brokers", rules.Error, "the source has 3 brokers; Replicator needs at least 4"},
			{"replicator.instance_type", rules.Error, "kafka.t3.small"},
		}, false},
		{"lag rising", func() map[string]any {
			m := replicator(src, tgt)
			m["Metrics"] = map[string]any{"status": "ok", "latency_max_ms": 95000, "latency_latest_ms": 95000, "latency_trend": "rising", "message_lag": 48000, "lag_trend": "rising"}
			return m
		}, []want{{"replicator.lag", rules.Warning, "falling behind: ReplicationLatency 95000 ms"}}, true},
		{"lag steady", func() map[string]any {
			m := replicator(src, tgt)
			m["Metrics"] = map[string]any{"status": "ok", "latency_max_ms": 900, "latency_latest_ms": 400, "latency_trend": "flat", "message_lag": 3, "lag_trend": "flat"}
			return m
		}, []want{{"replicator.lag", rules.Info, "not rising"}}, true},
		{"lag unknown", func() map[string]any {
			m := replicator(src, tgt)
			m["Metrics"] = map[string]any{"status": "unknown", "why": "AccessDenied cloudwatch:GetMetricData"}
			return m
		}, []want{{"replicator.lag", rules.Info, "replication lag unknown: AccessDenied"}}, true},
		{"missing role", func() map[string]any { m := replicator(src, tgt); delete(m, "ServiceExecutionRoleArn"); return m },
			[]want{{"replicator.input", rules.Error, "ServiceExecutionRoleArn is required"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := DecodeReplicator(tc.cfg())
			if err != nil {
				t.Fatal(err)
			}
			vs := ValidateReplicator(c, b)
			for _, w := range tc.want {
				if !has(vs, w) {
					t.Errorf("want %s %s %q in %+v", w.sev, w.rule, w.text, vs)
				}
			}
			if tc.clean == rules.HasErrors(vs) {
				t.Errorf("clean=%v but errors=%v: %+v", tc.clean, rules.HasErrors(vs), vs)
			}
		})
	}
}

func resultText(r guide.Result) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(r)
	return sb.String()
}

func TestGuides(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	src := "arn:aws:kafka:us-east-1:111122223333:cluster/primary/11111111-2222-3333-4444-555555555555-1"
	tests := []struct {
		name string
		fn   func(*guidance.Base, Request) (guide.Result, error)
		req  Request
		want []string
	}{
		{"replicator dr", Replicator, Request{SourceArn: src}, []string{"recommendation\":\"IDENTICAL", "Failback runbook", "MessageLag", "MaxOffsetLag", "RUNNING", "turn on multi-VPC private connectivity for IAM on the source", "Kafka 2.7.0 or later (2.8.1 for identical names)", "at least 3 brokers (4 for two-AZ"}},
		{"replicator active-active", Replicator, Request{Pattern: PatternActiveActive}, []string{"PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"}},
		{"replicator troubleshooting", Replicator, Request{Type: "troubleshooting"}, []string{"greyed out"}},
		{"replicator migration", Replicator, Request{Pattern: PatternMigration}, []string{"Migration paths", "source runs Kafka 2.8.1 or later with SASL/SCRAM", "Kafka 3.9.x with KRaft"}},
		{"mm2 migration", MirrorMaker2, Request{Pattern: PatternMigration}, []string{"Migration paths", "IdentityReplicationPolicy", "every 60s", "groups of 5 nodes", "replication factor 3", "sync.group.offsets.enabled = true"}},
		{"mm2 active-active", MirrorMaker2, Request{Pattern: PatternActiveActive}, []string{"target->source.enabled = true", "DefaultReplicationPolicy"}},
		{"kinesis warm", KinesisCrossRegion, Request{SecondaryRegion: "us-west-2"}, []string{"99.9% availability", "no RTO downtime", "reserved concurrency 0", "maximum iterator age plus a buffer", "AWS::DynamoDB::GlobalTable"}},
		{"kinesis cold", KinesisCrossRegion, Request{Standby: StandbyCold, Type: "troubleshooting"}, []string{"cold standby", "EFO"}},
	}
	templates := map[string]string{}
	for _, tc := range tests {
		res, err := tc.fn(b, tc.req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		all := resultText(res)
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: answer lacks %q", tc.name, w)
			}
		}
		for _, r := range res.References {
			if !strings.HasPrefix(r, "https://") {
				t.Errorf("%s: reference %q", tc.name, r)
			}
		}
		for i, a := range res.Artifacts {
			if a.Format == string(iac.FormatCloudFormation) {
				var tmpl iac.Template
				if err := yaml.Unmarshal([]byte(a.Content), &tmpl); err != nil || len(tmpl.Resources) == 0 {
					t.Errorf("%s: %s does not parse: %v", tc.name, a.Name, err)
				}
				templates[fmt.Sprintf("%s_%d.yaml", strings.ReplaceAll(tc.name, " ", "_"), i)] = a.Content
			}
		}
	}
	for _, bad := range []Request{{Pattern: "both"}, {Type: "x"}, {SourceArn: "arn:aws:s3:::b"}} {
		if _, err := Replicator(b, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if _, err := KinesisCrossRegion(b, Request{Standby: "hot"}); err == nil {
		t.Error("standby=hot accepted")
	}
	iactest.CfnLint(t, templates)
}

func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := loadBase(t)
	ids := limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "msk_dr.", "msk.", "msk_ops.")
	used := map[string]bool{}
	for _, id := range ids {
		used[id] = true
	}
	for _, l := range b.All() {
		if strings.HasPrefix(l.ID, "msk_dr.") && !used[l.ID] {
			t.Errorf("guidance entry %s is read by no rule", l.ID)
		}
	}
}
