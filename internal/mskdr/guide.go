package mskdr

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Request is a replication / DR guidance question.
type Request struct {
	Type string
	// SourceArn and TargetArn are the MSK clusters (msk_replicator,
	// mirrormaker2) or Kinesis streams (kinesis_cross_region).
	SourceArn string
	TargetArn string
	// Pattern: active_passive (default), active_active or migration.
	Pattern string
	// StreamName is the Kinesis stream (kinesis_cross_region) when no ARN.
	StreamName string
	// SecondaryRegion is the standby Region (kinesis_cross_region).
	SecondaryRegion string
	// Standby: warm (default) or cold (kinesis_cross_region).
	Standby string
}

// Patterns.
const (
	PatternActivePassive = "active_passive"
	PatternActiveActive  = "active_active"
	PatternMigration     = "migration"
)

func checkType(t string) (string, error) {
	switch t {
	case "":
		return guide.TypeSetup, nil
	case guide.TypeSetup, guide.TypeNetworking, guide.TypePermissions, guide.TypeTroubleshooting:
		return t, nil
	}
	return "", fmt.Errorf("%w: guidance_type %q is not one of setup, networking, permissions, troubleshooting", iac.ErrInvalid, t)
}

func checkPattern(p string) (string, error) {
	switch p {
	case "":
		return PatternActivePassive, nil
	case PatternActivePassive, PatternActiveActive, PatternMigration:
		return p, nil
	}
	return "", fmt.Errorf("%w: pattern %q is not one of active_passive, active_active, migration", iac.ErrInvalid, p)
}

func finish(r guide.Result) guide.Result {
	if r.Artifacts == nil {
		r.Artifacts = []iac.Artifact{}
	}
	if r.Checks == nil {
		r.Checks = []guide.Check{}
	}
	seen := map[string]bool{}
	var refs []string
	for _, s := range r.References {
		if s != "" && !seen[s] {
			seen[s] = true
			refs = append(refs, s)
		}
	}
	r.References = refs
	return r
}

// migrationStep lists the migration paths onto MSK and between MSK
// cluster types, each with its tool and condition.
func migrationStep(b *guidance.Base) guide.Step {
	return guide.Step{Title: "Migration paths",
		Detail: fmt.Sprintf("Self-managed or other Kafka -> MSK: MirrorMaker 2 (any version, any auth; self-run or on MSK Connect), or MSK Replicator into an Express cluster when the source runs Kafka %s or later with SASL/SCRAM and SSL over VPN/Direct Connect. MSK -> MSK in one account (to Serverless, Express, another Region): MSK Replicator with identical names and offset sync; across accounts: MirrorMaker 2. Standard -> Express in place: Kafka %s with KRaft, 3 AZs, no tiered storage. ZooKeeper -> KRaft in place from %s. Check a planned in-place change with validate_config kind=msk_cluster_change.",
			str(b, "msk_dr.replicator.self_managed_source_min_version"), trimPatch(str(b, "msk_ops.express.upgrade_kafka_version")), trimPatch(str(b, "msk_ops.kraft.migration_kafka_version")))}
}

func trimPatch(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) > minorParts {
		return strings.Join(parts[:minorParts], ".") + ".x"
	}
	return v
}

// minorParts is major.minor (a format width).
const minorParts = 2 // unit conversion (major.minor)

// Replicator answers msk_replicator.
func Replicator(b *guidance.Base, r Request) (guide.Result, error) {
	typ, err := checkType(r.Type)
	if err != nil {
		return guide.Result{}, err
	}
	pattern, err := checkPattern(r.Pattern)
	if err != nil {
		return guide.Result{}, err
	}
	var src, tgt iac.MSKCluster
	for _, x := range []struct {
		arn string
		dst *iac.MSKCluster
	}{{r.SourceArn, &src}, {r.TargetArn, &tgt}} {
		if x.arn != "" {
			if *x.dst, err = iac.ParseMSKClusterARN(x.arn); err != nil {
				return guide.Result{}, err
			}
		}
	}
	ref := b.Source("msk_dr.replicator.min_kafka_version")
	post := b.Source("msk_dr.replicator.metrics")
	res := guide.Result{References: []string{ref, b.Source("msk_dr.replicator.offset_sync_modes"), post}}
	crossRegion := src.Region != "" && tgt.Region != "" && src.Region != tgt.Region
	naming, why := "IDENTICAL", "active-passive DR and migration: clients fail over with unchanged topic names; Replicator adds a __mskmr header so records never loop back"
	if pattern == PatternActiveActive {
		naming, why = "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS", "active-active: each cluster keeps its own topics and the other's as <alias>.<topic>; consumers subscribe to both with a pattern"
	}
	net := "same Region: no multi-VPC needed; the Replicator's security groups need egress to both clusters and the clusters' groups ingress from them"
	if crossRegion || r.SourceArn == "" || r.TargetArn == "" {
		net = "cross-Region (or Regions unknown; same Region needs neither step): turn on multi-VPC private connectivity for IAM on the source (30-45 minutes, one-time) and attach a cluster policy with the Kafka service principal checked, or the source shows as disabled in Create Replicator; the Replicator is created in the target Region; source security groups are not needed (the cluster policy controls access), the Replicator's groups need egress to the target cluster's groups and those ingress from them"
	}
	res.Steps = append(res.Steps,
		guide.Step{Title: "Prerequisites",
			Detail: fmt.Sprintf("Both clusters: Kafka %s or later (%s for identical names), IAM access control on (the Replicator authenticates with IAM only; other clients may keep SCRAM/mTLS), not %s, at least %d brokers (%d for two-AZ clusters), same AWS account. Serverless clusters work as source or target (IAM; no ACL replication).",
				str(b, "msk_dr.replicator.min_kafka_version"), str(b, "msk_dr.replicator.identical_names.min_kafka_version"), strings.Join(b.Strings("msk_dr.replicator.unsupported_instance_types"), ", "), b.Int("msk_dr.replicator.min_brokers"), b.Int("msk_dr.replicator.min_brokers_two_az"))},
		guide.Step{Title: "Network", Detail: net},
		guide.Step{Title: "Topic names", Detail: why,
			Decision: &guide.Decision{Choice: "TopicNameConfiguration.Type", Options: b.Strings("msk_dr.replicator.topic_name_types"), Recommendation: naming, Why: why + "; the setting cannot change without replacing the Replicator"}},
		guide.Step{Title: "Consumer-group offsets",
			Detail: "Turn on SynchroniseConsumerGroupOffsets and use the same group.id in both Regions. Offsets are translated approximately (at-least-once) and written only while no consumer of the group is active on the target; LEGACY mode syncs while producers write to the source and does not translate back; ENHANCED (identical names plus a reverse Replicator) keeps positions for failback."},
		guide.Step{Title: "Starting position", Detail: "EARLIEST copies existing data (migration, seeding a DR cluster); LATEST copies only new records."},
		guide.Step{Title: "RPO and RTO",
			Detail: fmt.Sprintf("Replication is asynchronous: RPO is the replication lag at the moment of failure (watch %s); records not yet replicated are unavailable in the target until the source recovers, and failover can duplicate records, so consumers must be idempotent. RTO is the time to move clients: with identical names and a pilot-light or hot-standby stack it is the client switch; do not rely on control-plane actions during a Regional event and do not point primary-Region clients at the secondary cluster.", strings.Join(b.Strings("msk_dr.replicator.metrics"), ", "))},
	)
	if pattern == PatternMigration {
		res.Steps = append(res.Steps, migrationStep(b))
		res.References = append(res.References, b.Source("msk_dr.replicator.self_managed_source_min_version"), b.Source("msk_ops.express.upgrade_kafka_version"))
	}
	if pattern != PatternActiveActive {
		res.Steps = append(res.Steps,
			guide.Step{Title: "Failover runbook",
				Detail: "1) Decide on impairment signals (client connect or produce errors, ReplicationLatency rising and still rising; the Health Dashboard may lag). 2) Stop producers in the primary if they still run. 3) Start consumers in the secondary with the same group.id (they resume from the synced offsets) and point producers at the secondary bootstrap. 4) Expect some duplicates."},
			guide.Step{Title: "Failback runbook",
				Detail: fmt.Sprintf("1) Turn on multi-VPC and a cluster policy on the secondary. 2) Create a reverse Replicator in the primary Region (source = secondary, EARLIEST, identical names): it skips records already in the primary. 3) Wait for its MessageLag to reach about 0. 4) Stop producers in the secondary and restart them against the primary. 5) Let consumers drain the secondary until MaxOffsetLag is 0. 6) Start consumers in the primary with the same group.id. 7) Delete the reverse Replicator. 8) Confirm the original Replicator is %s with ReplicatorThroughput above 0.", str(b, "msk_dr.replicator.running_state"))},
		)
	}
	if typ == guide.TypeSetup || typ == guide.TypeNetworking {
		a, err := replicatorTemplate(naming)
		if err != nil {
			return guide.Result{}, err
		}
		res.Artifacts = append(res.Artifacts, a)
	}
	res.Checks = []guide.Check{
		{Name: "Replicator is running", How: fmt.Sprintf("aws kafka describe-replicator shows ReplicatorState %s (creation takes about 15-20 minutes)", str(b, "msk_dr.replicator.running_state"))},
		{Name: "replication keeps up", How: "ReplicationLatency and MessageLag stay flat; ReplicatorThroughput above 0"},
		{Name: "target consumer groups carry synced offsets", How: "the group on the target shows committed offsets and lag close to the source's", Tool: "kafka_inspect"},
		{Name: "the change plan is valid", How: "validate_config kind=msk_replicator with the Replicator properties", Tool: "validate_config"},
	}
	if typ == guide.TypeTroubleshooting {
		res.Troubleshooting = []guide.Row{
			{Symptom: "source cluster greyed out in Create Replicator", Cause: "cross-Region source without multi-VPC (IAM) or without a cluster policy including the Kafka service principal", Check: "aws kafka get-cluster-policy; describe-cluster-v2 VpcConnectivity", Fix: "turn on multi-VPC for IAM and attach the policy", Tool: "stream_guidance"},
			{Symptom: "consumers after failover reread everything or skip data", Cause: "offset sync off, different group.id, or consumers were active on the target (offsets are not written then)", Check: "describe-replicator ConsumerGroupReplication; kafka-consumer-groups --describe on the target", Fix: "turn on SynchroniseConsumerGroupOffsets, keep group.id identical, keep target consumers stopped until failover", Tool: "kafka_inspect"},
			{Symptom: "ReplicationLatency keeps rising", Cause: "the Replicator cannot keep up or the source Region is impaired", Check: "ReplicatorThroughput, source cluster health", Fix: "check source health and IAM; consider failover if the Region is impaired", Tool: "kafka_troubleshoot"},
			{Symptom: "consumers find no topics on the target", Cause: "prefixed names: topics are <sourceKafkaClusterAlias>.<topic>", Check: "describe-replicator sourceKafkaClusterAlias", Fix: "subscribe with a pattern (.*topic) or recreate the Replicator with IDENTICAL names", Tool: ""},
		}
	}
	return finish(res), nil
}

func replicatorTemplate(naming string) (iac.Artifact, error) {
	ref := func(s string) map[string]any { return map[string]any{"Ref": s} }
	vpc := func(sub, sg string) map[string]any {
		return map[string]any{"SubnetIds": ref(sub), "SecurityGroupIds": []any{ref(sg)}}
	}
	t := iac.Template{AWSTemplateFormatVersion: "2010-09-09", Description: "MSK Replicator (deploy in the target Region)",
		Parameters: map[string]iac.Parameter{
			"SourceClusterArn": {Type: "String", Description: "source MSK cluster ARN"},
			"TargetClusterArn": {Type: "String", Description: "target MSK cluster ARN"},
			"SourceSubnetIds":  {Type: "List<AWS::EC2::Subnet::Id>", Description: "subnets for the Replicator in the source cluster's VPC"},
			"SourceSgId":       {Type: "AWS::EC2::SecurityGroup::Id", Description: "Replicator security group on the source side"},
			"TargetSubnetIds":  {Type: "List<AWS::EC2::Subnet::Id>", Description: "subnets for the Replicator in the target cluster's VPC"},
			"TargetSgId":       {Type: "AWS::EC2::SecurityGroup::Id", Description: "Replicator security group with egress to the target cluster's group"},
			"ExecutionRoleArn": {Type: "String", Description: "role trusted by kafka.amazonaws.com with AWSMSKReplicatorExecutionRole"},
		},
		Resources: map[string]iac.Resource{"Replicator": {Type: "AWS::MSK::Replicator", Properties: map[string]any{
			"ReplicatorName":          "dr-replicator",
			"ServiceExecutionRoleArn": ref("ExecutionRoleArn"),
			"KafkaClusters": []any{
				map[string]any{"AmazonMskCluster": map[string]any{"MskClusterArn": ref("SourceClusterArn")}, "VpcConfig": vpc("SourceSubnetIds", "SourceSgId")},
				map[string]any{"AmazonMskCluster": map[string]any{"MskClusterArn": ref("TargetClusterArn")}, "VpcConfig": vpc("TargetSubnetIds", "TargetSgId")},
			},
			"ReplicationInfoList": []any{map[string]any{
				"SourceKafkaClusterArn": ref("SourceClusterArn"), "TargetKafkaClusterArn": ref("TargetClusterArn"), "TargetCompressionType": "NONE",
				"TopicReplication": map[string]any{"TopicsToReplicate": []any{".*"}, "CopyTopicConfigurations": true, "CopyAccessControlListsForTopics": true, "DetectAndCopyNewTopics": true,
					"TopicNameConfiguration": map[string]any{"Type": naming}, "StartingPosition": map[string]any{"Type": "EARLIEST"}},
				"ConsumerGroupReplication": map[string]any{"ConsumerGroupsToReplicate": []any{".*"}, "SynchroniseConsumerGroupOffsets": true, "DetectAndCopyNewConsumerGroups": true},
			}},
		}}}}
	body, err := t.Marshal()
	if err != nil {
		return iac.Artifact{}, err
	}
	return iac.Artifact{Kind: iac.KindIaC, Format: string(iac.FormatCloudFormation), Name: "msk-replicator.yaml", Content: body,
		Notes: []string{"TopicNameConfiguration cannot change without replacing the Replicator", "check it with validate_config kind=msk_replicator before deploying"}}, nil
}

// MirrorMaker2 answers mirrormaker2.
func MirrorMaker2(b *guidance.Base, r Request) (guide.Result, error) {
	typ, err := checkType(r.Type)
	if err != nil {
		return guide.Result{}, err
	}
	pattern, err := checkPattern(r.Pattern)
	if err != nil {
		return guide.Result{}, err
	}
	identity := str(b, "msk_dr.mm2.identity_replication_policy")
	policy, why := identity, "keeps topic names, so clients move without renaming (one direction only: it cannot detect loops)"
	if pattern == PatternActiveActive {
		policy, why = str(b, "msk_dr.mm2.default_replication_policy"), "prefixes remote topics with the source alias, which prevents loops in two-way replication"
	}
	res := guide.Result{References: []string{b.Source("msk_dr.mm2.sync_group_offsets_default"), b.Source("msk_dr.mm2.identity_replication_policy"), b.Source("msk_dr.mm2.migration_node_group_size"), b.Source("msk_dr.replicator.same_account")}}
	res.Steps = append(res.Steps,
		guide.Step{Title: "MirrorMaker 2 or MSK Replicator",
			Detail:   "MSK Replicator is managed but needs both clusters in one account with IAM on; MirrorMaker 2 (self-run or on MSK Connect) covers cross-account, non-MSK sources and targets, and clusters without IAM.",
			Decision: &guide.Decision{Choice: "replication tool", Options: []string{"msk_replicator", "mirrormaker2"}, Recommendation: "mirrormaker2", Why: "asked for MirrorMaker 2; prefer MSK Replicator when both clusters are MSK in one account"}},
		guide.Step{Title: "Replication policy", Detail: why, Decision: &guide.Decision{Choice: "replication.policy.class", Options: []string{identity, str(b, "msk_dr.mm2.default_replication_policy")}, Recommendation: policy, Why: why}},
		guide.Step{Title: "Offsets and checkpoints",
			Detail: fmt.Sprintf("The checkpoint connector emits checkpoints every %ds by default; sync.group.offsets.enabled (default %s) writes translated offsets to the target's __consumer_offsets for groups with no active consumer there. Translated offsets differ from the source's (expected): check that each group's translated offset is at or just before the expected position. Groups matching groups.exclude (%s) are skipped.",
				b.Int("msk_dr.mm2.emit_checkpoints_interval_seconds"), str(b, "msk_dr.mm2.sync_group_offsets_default"), str(b, "msk_dr.mm2.groups_exclude_default"))},
		guide.Step{Title: "Tasks, workers and throughput",
			Detail: fmt.Sprintf("MirrorSourceConnector spreads partitions over tasks.max tasks (more tasks than partitions idle). A 2 TB migration that stalled on one large MirrorMaker cluster finished in hours instead of days once split into groups of %d nodes.", b.Int("msk_dr.mm2.migration_node_group_size"))},
		guide.Step{Title: "Internal topics and replication factor",
			Detail: fmt.Sprintf("checkpoints, offset-syncs and heartbeats topics default to replication factor %d (lower it on smaller targets); replication.factor for created topics defaults to %d.", b.Int("msk_dr.mm2.internal_topic_replication_factor"), b.Int("msk_dr.mm2.replication_factor_default"))},
		guide.Step{Title: "RPO, RTO and cutover",
			Detail: "RPO is the replication lag plus the offset-sync interval for consumer positions; RTO is the time to stop producers, let lag reach zero, move consumers (same group.id) and then producers. For a migration: replicate from EARLIEST, validate offsets per group, cut over consumers first, then producers, and stop MM2."},
	)
	if pattern == PatternMigration {
		res.Steps = append(res.Steps, migrationStep(b))
		res.References = append(res.References, b.Source("msk_dr.replicator.self_managed_source_min_version"), b.Source("msk_ops.express.upgrade_kafka_version"))
	}
	if typ == guide.TypeSetup {
		res.Artifacts = append(res.Artifacts, mm2Properties(b, policy, pattern))
	}
	res.Checks = []guide.Check{
		{Name: "the MM2 config is consistent", How: "validate_config kind=mirrormaker2 with the properties (context.partitions, context.brokers of the target)", Tool: "validate_config"},
		{Name: "replication lag is near zero before cutover", How: "MirrorSourceConnector record-age/replication-latency metrics, and target group lag", Tool: "kafka_inspect"},
	}
	if typ == guide.TypeTroubleshooting {
		res.Troubleshooting = []guide.Row{
			{Symptom: "consumers on the target start from the beginning or the end", Cause: "sync.group.offsets.enabled is false (the default) or the group was active on the target", Check: "the checkpoint connector config; kafka-consumer-groups on the target", Fix: "set sync.group.offsets.enabled=true and keep target consumers stopped until cutover", Tool: "kafka_inspect"},
			{Symptom: "offsets on the target differ from the source", Cause: "offsets are translated through offset-syncs, never copied", Check: "compare the translated offset with the expected position per group", Fix: "nothing if translated <= expected; make consumers idempotent", Tool: "kafka_inspect"},
			{Symptom: "records bounce between the clusters", Cause: "IdentityReplicationPolicy in both directions", Check: "replication.policy.class of each flow", Fix: "use DefaultReplicationPolicy for two-way flows", Tool: "validate_config"},
			{Symptom: "replication too slow for the backlog", Cause: "too few tasks or one oversized MirrorMaker cluster", Check: "tasks.max vs partitions; worker CPU and network", Fix: fmt.Sprintf("raise tasks.max and split workers into groups (the VMware migration used groups of %d)", b.Int("msk_dr.mm2.migration_node_group_size")), Tool: ""},
		}
	}
	return finish(res), nil
}

func mm2Properties(b *guidance.Base, policy, pattern string) iac.Artifact {
	var sb strings.Builder
	sb.WriteString("#!/usr/bin/env bash\nset -euo pipefail\n")
	sb.WriteString("# Writes mm2.properties and starts MirrorMaker 2; fill in bootstrap servers and client security settings first.\n")
	sb.WriteString("cat > mm2.properties <<'EOF'\n")
	sb.WriteString("clusters = source, target\nsource.bootstrap.servers = SOURCE_BOOTSTRAP\ntarget.bootstrap.servers = TARGET_BOOTSTRAP\n")
	sb.WriteString("source->target.enabled = true\nsource->target.topics = .*\n")
	if pattern == PatternActiveActive {
		sb.WriteString("target->source.enabled = true\ntarget->source.topics = .*\n")
	}
	fmt.Fprintf(&sb, "replication.policy.class = %s\n", policy)
	fmt.Fprintf(&sb, "replication.factor = %d\n", b.Int("msk.config.replication_factor.recommended"))
	sb.WriteString("sync.group.offsets.enabled = true\nemit.checkpoints.enabled = true\n")
	fmt.Fprintf(&sb, "emit.checkpoints.interval.seconds = %d\nsync.group.offsets.interval.seconds = %d\n", b.Int("msk_dr.mm2.emit_checkpoints_interval_seconds"), b.Int("msk_dr.mm2.emit_checkpoints_interval_seconds"))
	fmt.Fprintf(&sb, "checkpoints.topic.replication.factor = %d\noffset-syncs.topic.replication.factor = %d\nheartbeats.topic.replication.factor = %d\n",
		b.Int("msk_dr.mm2.internal_topic_replication_factor"), b.Int("msk_dr.mm2.internal_topic_replication_factor"), b.Int("msk_dr.mm2.internal_topic_replication_factor"))
	sb.WriteString("tasks.max = SOURCE_PARTITIONS\nEOF\n")
	sb.WriteString("bin/connect-mirror-maker.sh mm2.properties\n")
	return iac.Artifact{Kind: iac.KindScript, Format: "bash", Name: "mirrormaker2.sh", Content: sb.String(),
		Notes: []string{"set tasks.max to at most the number of source partitions", "add security.protocol/sasl settings per cluster (source.security.protocol, target.sasl.mechanism, ...)"}}
}
