package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// mskopsE2ECases exercise MSK operations, connectivity and DR through the
// binary: validate_config kinds msk_cluster_change (given and live),
// mirrormaker2 and msk_replicator (given and live), and the
// stream_guidance topics with artifacts that parse.
func mskopsE2ECases(t testing.TB) []e2eCase {
	t.Helper()
	srv := startScenario(t, "msk-change-and-dr")
	flags := []string{"--endpoint-url", srv.URL()}
	prod := "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
	violations := func(t *testing.T, raw json.RawMessage) string {
		var out struct {
			Violations []struct {
				RuleID   string `json:"rule_id"`
				Severity string `json:"severity"`
				Message  string `json:"message"`
			} `json:"violations"`
		}
		_ = json.Unmarshal(raw, &out)
		var sb strings.Builder
		for _, v := range out.Violations {
			sb.WriteString(v.Severity + " " + v.RuleID + ": " + v.Message + "\n")
		}
		return sb.String()
	}
	wantAll := func(subs ...string) func(t *testing.T, raw json.RawMessage) {
		return func(t *testing.T, raw json.RawMessage) {
			got := violations(t, raw) + string(raw)
			for _, s := range subs {
				if !strings.Contains(got, s) {
					t.Errorf("answer lacks %q:\n%s", s, got)
				}
			}
		}
	}
	return []e2eCase{
		{name: "validate msk_cluster_change 9->3 brokers", tool: "validate_config",
			args: map[string]any{"kind": "msk_cluster_change", "config": map[string]any{
				"current": map[string]any{"brokers": 9, "az_count": 3, "kafka_version": "3.6.0", "instance_type": "kafka.m5.large", "partitions_moved_off": true},
				"target":  map[string]any{"brokers": 3}}},
			check: wantAll("warning msk_change.remove_broker.max_per_az_per_operation: removing 6 brokers takes 2 consecutive operations", "9 -> 6 -> 3")},
		{name: "validate msk_cluster_change t3 removal", tool: "validate_config",
			args: map[string]any{"kind": "msk_cluster_change", "config": map[string]any{
				"current": map[string]any{"brokers": 6, "az_count": 3, "kafka_version": "2.8.0", "instance_type": "kafka.t3.small"}, "target": map[string]any{"brokers": 3}}},
			check: wantAll("error msk_change.remove_broker.min_kafka_version", "error msk_change.remove_broker.instance_families")},
		{name: "validate msk_cluster_change live refuses mid-operation", flags: flags, tool: "validate_config", skipCLI: true,
			args: map[string]any{"kind": "msk_cluster_change", "cluster_arn": prod, "config": map[string]any{"target": map[string]any{"instance_type": "kafka.m7g.xlarge"}}},
			check: func(t *testing.T, raw json.RawMessage) {
				wantAll("error msk_change.cluster.operations_in_flight: operations still running on the cluster: UPDATE_BROKER_STORAGE (UPDATE_IN_PROGRESS)")(t, raw)
				if strings.Contains(violations(t, raw), "UPDATE_CLUSTER_KAFKA_VERSION") {
					t.Error("a completed operation was reported in flight")
				}
				if m := srv.MutatingCalls(); len(m) != 0 {
					t.Errorf("mutating calls: %+v", m)
				}
			}},
		{name: "validate msk_cluster_change cluster_arn on another kind", tool: "validate_config", wantError: true, errorContains: "cluster_arn applies to kind msk_cluster_change",
			args: map[string]any{"kind": "kafka_topic", "cluster_arn": prod, "config": map[string]any{}}},
		{name: "validate mirrormaker2 identity both ways", tool: "validate_config",
			args: map[string]any{"kind": "mirrormaker2", "config": map[string]any{"a->b.enabled": "true", "b->a.enabled": "true",
				"replication.policy.class": "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"}, "context": map[string]any{"partitions": 12}},
			check: wantAll("error mm2.replication_loop", "warning mm2.offset_sync", "warning mm2.tasks")},
		{name: "validate msk_replicator live FAILED", flags: flags, tool: "validate_config", skipCLI: true,
			args:  map[string]any{"kind": "msk_replicator", "config": map[string]any{"ReplicatorArn": "arn:aws:kafka:us-east-1:123456789012:replicator/orders-dr/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}},
			check: wantAll("error replicator.state: the Replicator is FAILED", "error replicator.versions: the target runs Kafka 2.6.2", "warning replicator.lag: replication is falling behind", "rising")},
		{name: "validate msk_replicator live by name", flags: flags, tool: "validate_config", skipCLI: true,
			args:  map[string]any{"kind": "msk_replicator", "config": map[string]any{"ReplicatorName": "orders-dr"}},
			check: wantAll("error replicator.state: the Replicator is FAILED")},
		{name: "validate msk_replicator unknown name", flags: flags, tool: "validate_config", wantError: true, errorContains: `no MSK Replicator named "nope"`,
			args: map[string]any{"kind": "msk_replicator", "config": map[string]any{"ReplicatorName": "nope"}}},
		{name: "validate msk_replicator needs config", tool: "validate_config", wantError: true, errorContains: "kind=msk_replicator needs config",
			args: map[string]any{"kind": "msk_replicator"}},
		{name: "kafka_troubleshoot client in an unrouted VPC", flags: flags, tool: "kafka_troubleshoot", skipCLI: true,
			args: map[string]any{"mode": "diagnosis", "cluster_arn": prod, "sample_seconds": 0, "client_subnet_id": "subnet-0c11e47000000a001", "client_security_group_ids": []any{"sg-0c11e47c11e47c001"}},
			check: func(t *testing.T, raw json.RawMessage) {
				if jsonPath(t, raw, "checks", 0, "status") != "fail" || jsonPath(t, raw, "findings", 0, "id") != "network.client_no_route" {
					t.Errorf("client path not judged first as unrouted: %s", raw)
				}
			}},
		{name: "kafka_troubleshoot client through a managed VPC connection", flags: flags, tool: "kafka_troubleshoot", skipCLI: true,
			args: map[string]any{"mode": "diagnosis", "cluster_arn": prod, "sample_seconds": 0, "client_subnet_id": "subnet-0d22f58000000a001"},
			check: func(t *testing.T, raw json.RawMessage) {
				if jsonPath(t, raw, "checks", 0, "status") != "pass" || !strings.Contains(string(raw), "managed VPC connection") {
					t.Errorf("client via VPC connection not passed: %s", raw)
				}
			}},
		{name: "kafka_troubleshoot client outside AWS", flags: flags, tool: "kafka_troubleshoot", skipCLI: true,
			args: map[string]any{"mode": "diagnosis", "cluster_arn": prod, "sample_seconds": 0, "client_outside_aws": true},
			check: func(t *testing.T, raw json.RawMessage) {
				if jsonPath(t, raw, "findings", 0, "id") != "network.client_outside_private_cluster" {
					t.Errorf("outside-AWS client not judged: %s", raw)
				}
			}},
		{name: "kafka_troubleshoot client in the cluster VPC", flags: flags, tool: "kafka_troubleshoot", skipCLI: true,
			args: map[string]any{"mode": "diagnosis", "cluster_arn": prod, "sample_seconds": 0, "client_subnet_id": "subnet-0f00dfeed0000a001", "client_security_group_ids": []any{"sg-0c0ffee0c0ffee001"}},
			check: func(t *testing.T, raw json.RawMessage) {
				if jsonPath(t, raw, "checks", 0, "name") != "client network path" || jsonPath(t, raw, "checks", 0, "status") != "pass" {
					t.Errorf("client path should pass: %s", raw)
				}
			}},
		{name: "kafka_troubleshoot client position without cluster", tool: "kafka_troubleshoot", wantError: true, errorContains: "need cluster_arn",
			args: map[string]any{"mode": "diagnosis", "bootstrap_servers": "localhost:9092", "client_outside_aws": true}},
		{name: "stream_guidance msk_custom_domain", tool: "stream_guidance",
			// The NLB template does not fit the default 8 KB answer; ask for it.
			args: map[string]any{"topic": "msk_custom_domain", "artifacts": []any{"msk-custom-domain.yaml"}, "options": map[string]any{"brokers": 3, "domain": "kafka.example.com"}},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "msk-custom-domain.yaml")
				res, _ := tpl["Resources"].(map[string]any)
				if _, ok := res["Broker3Listener"]; !ok {
					t.Errorf("no per-broker listener: %v", res)
				}
			}},
		{name: "stream_guidance msk_custom_domain too many brokers", tool: "stream_guidance", wantError: true, errorContains: "at most 50",
			args: map[string]any{"topic": "msk_custom_domain", "options": map[string]any{"brokers": 60}}},
		{name: "stream_guidance msk_serverless_cross_vpc", tool: "stream_guidance",
			args: map[string]any{"topic": "msk_serverless_cross_vpc", "region": "us-east-1", "options": map[string]any{"clusters": 2, "cross_account": true}},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "msk-serverless-resolver.yaml")
				if !strings.Contains(string(raw), "resolver_rules_ram") || tpl["Resources"] == nil {
					t.Errorf("resolver pattern not chosen: %s", raw)
				}
			}},
		{name: "stream_guidance msk_multi_vpc", tool: "stream_guidance",
			args:  map[string]any{"topic": "msk_multi_vpc", "source_arn": prod, "client_account": "444455556666", "options": map[string]any{"kafka_version": "2.6.2"}},
			check: wantAll("NOT MET", "kafka:CreateVpcConnection")},
		{name: "stream_guidance msk_replicator", tool: "stream_guidance",
			args: map[string]any{"topic": "msk_replicator", "source_arn": prod, "target_arn": "arn:aws:kafka:us-west-2:123456789012:cluster/orders-dr/9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d-2"},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "msk-replicator.yaml")
				if tpl["Resources"] == nil || !strings.Contains(string(raw), "Failback runbook") {
					t.Errorf("no replicator template or runbook: %s", raw)
				}
			}},
		{name: "stream_guidance mirrormaker2", tool: "stream_guidance", args: map[string]any{"topic": "mirrormaker2", "options": map[string]any{"pattern": "migration"}},
			check: wantAll("IdentityReplicationPolicy", "mirrormaker2.sh")},
		{name: "stream_guidance kinesis_cross_region", tool: "stream_guidance",
			args: map[string]any{"topic": "kinesis_cross_region", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders", "options": map[string]any{"secondary_region": "us-west-2"}},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "kinesis-cross-region.yaml")
				if tpl["Resources"] == nil || !strings.Contains(string(raw), "no native") && !strings.Contains(string(raw), "No native") {
					t.Errorf("no template or no-native statement: %s", raw)
				}
			}},
		{name: "stream_guidance kinesis_cross_region same region", tool: "stream_guidance", wantError: true, errorContains: "stream's own Region",
			args: map[string]any{"topic": "kinesis_cross_region", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders", "options": map[string]any{"secondary_region": "us-east-1"}}},
	}
}
