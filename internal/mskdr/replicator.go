package mskdr

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Structure, not limits.
const (
	replicatorClusters = 2 // unit conversion (one source, one target)
	twoAZ              = 2 // unit conversion (a two-AZ cluster)
)

// ClusterFacts are what the Replicator rules need about a source or target
// cluster beyond its ARN (read live, or given).
type ClusterFacts struct {
	KafkaVersion string `json:"kafka_version,omitempty"`
	Brokers      int    `json:"brokers,omitempty"`
	AZCount      int    `json:"az_count,omitempty"`
	InstanceType string `json:"instance_type,omitempty"`
	IAM          *bool  `json:"iam,omitempty"`
	// MultiVPCIAM is true when multi-VPC connectivity is on for IAM.
	MultiVPCIAM *bool `json:"multi_vpc_iam,omitempty"`
	Serverless  bool  `json:"serverless,omitempty"`
}

// ReplicatorConfig is AWS::MSK::Replicator properties (the CreateReplicator
// request in CloudFormation names) plus optional cluster facts.
type ReplicatorConfig struct {
	ReplicatorName          string            `json:"ReplicatorName"`
	ServiceExecutionRoleArn string            `json:"ServiceExecutionRoleArn"`
	KafkaClusters           []kafkaCluster    `json:"KafkaClusters"`
	ReplicationInfoList     []replicationInfo `json:"ReplicationInfoList"`
	Facts                   map[string]ClusterFacts
	// ReplicatorState is the live state when the Replicator was read.
	ReplicatorState string
	// Metrics are the live CloudWatch readings, when fetched.
	Metrics *ReplicatorMetrics
}

// ReplicatorMetrics summarise ReplicationLatency and MessageLag over the
// window read. Status is ok, no_data or unknown (Why says why).
type ReplicatorMetrics struct {
	Status          string  `json:"status"`
	Why             string  `json:"why,omitempty"`
	LatencyMaxMs    float64 `json:"latency_max_ms"`
	LatencyLatestMs float64 `json:"latency_latest_ms"`
	LatencyTrend    string  `json:"latency_trend"`
	MessageLag      float64 `json:"message_lag"`
	LagTrend        string  `json:"lag_trend"`
}

type kafkaCluster struct {
	AmazonMskCluster struct {
		MskClusterArn string `json:"MskClusterArn"`
	} `json:"AmazonMskCluster"`
}

type replicationInfo struct {
	SourceKafkaClusterArn string `json:"SourceKafkaClusterArn"`
	TargetKafkaClusterArn string `json:"TargetKafkaClusterArn"`
	TargetCompressionType string `json:"TargetCompressionType"`
	TopicReplication      struct {
		TopicsToReplicate      []string `json:"TopicsToReplicate"`
		TopicNameConfiguration struct {
			Type string `json:"Type"`
		} `json:"TopicNameConfiguration"`
		StartingPosition struct {
			Type string `json:"Type"`
		} `json:"StartingPosition"`
	} `json:"TopicReplication"`
	ConsumerGroupReplication *struct {
		ConsumerGroupsToReplicate       []string `json:"ConsumerGroupsToReplicate"`
		SynchroniseConsumerGroupOffsets *bool    `json:"SynchroniseConsumerGroupOffsets"`
		ConsumerGroupOffsetSyncMode     string   `json:"ConsumerGroupOffsetSyncMode"`
	} `json:"ConsumerGroupReplication"`
}

// ReplicatorRuleIDs lists the rules ValidateReplicator can report.
func ReplicatorRuleIDs() []string {
	return []string{"replicator.state", "replicator.lag", "replicator.input", "replicator.same_account", "replicator.cross_region", "replicator.topic_naming", "replicator.offset_sync",
		"replicator.starting_position", "replicator.versions", "replicator.brokers", "replicator.instance_type", "replicator.auth"}
}

// DecodeReplicator reads the properties; "Facts" maps a cluster ARN to
// ClusterFacts.
func DecodeReplicator(config map[string]any) (ReplicatorConfig, error) {
	var c ReplicatorConfig
	raw, err := json.Marshal(config)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("config must be AWS::MSK::Replicator properties (KafkaClusters, ReplicationInfoList, ServiceExecutionRoleArn) with optional Facts {<cluster ARN>: {kafka_version, brokers, az_count, instance_type, iam, multi_vpc_iam}}: %s", errmap.JSONProblem(err))
	}
	return c, nil
}

// ValidateReplicator checks a Replicator definition.
func ValidateReplicator(c ReplicatorConfig, b *guidance.Base) []rules.Violation {
	var out []rules.Violation
	add := func(id string, sev rules.Severity, fld, ref, msg, fix string) {
		out = append(out, rules.Violation{RuleID: id, Severity: sev, Field: fld, Message: msg, Fix: fix, Reference: b.Source(ref)})
	}
	supported := "msk_dr.replicator.min_kafka_version"
	if want := str(b, "msk_dr.replicator.running_state"); c.ReplicatorState != "" && c.ReplicatorState != want {
		add("replicator.state", rules.Error, "ReplicatorState", "msk_dr.replicator.running_state",
			fmt.Sprintf("the Replicator is %s, not %s: nothing is being replicated and the DR copy falls behind", c.ReplicatorState, want),
			"read describe-replicator stateInfo and the ReplicatorFailure metric; fix IAM, network or cluster state, then wait for RUNNING")
	}
	if m := c.Metrics; m != nil {
		metricsRef := "msk_dr.replicator.metrics"
		switch {
		case m.Status != "ok":
			add("replicator.lag", rules.Info, "Metrics", metricsRef, "replication lag unknown: "+orDefault(m.Why, m.Status), "read ReplicationLatency and MessageLag (AWS/Kafka, ReplicatorName) in the target Region")
		case m.LatencyTrend == "rising" || m.LagTrend == "rising":
			add("replicator.lag", rules.Warning, "Metrics", metricsRef,
				fmt.Sprintf("replication is falling behind: ReplicationLatency %.0f ms now (max %.0f, %s), MessageLag %.0f (%s); the RPO grows with it, and a sudden, still-rising latency is a sign the source Region may be impaired", m.LatencyLatestMs, m.LatencyMaxMs, m.LatencyTrend, m.MessageLag, m.LagTrend),
				"check source cluster health and partitions (low partition counts limit replication throughput) and the ReplicatorFailure/AuthError/ThrottleTime metrics; prepare failover if the source Region is impaired")
		default:
			add("replicator.lag", rules.Info, "Metrics", metricsRef,
				fmt.Sprintf("ReplicationLatency %.0f ms now (max %.0f), MessageLag %.0f, not rising: the RPO at failover would be about the current latency", m.LatencyLatestMs, m.LatencyMaxMs, m.MessageLag), "keep alarms on both metrics")
		}
	}
	if c.ServiceExecutionRoleArn == "" {
		add("replicator.input", rules.Error, "ServiceExecutionRoleArn", supported, "ServiceExecutionRoleArn is required", "name a role trusted by kafka.amazonaws.com with the AWSMSKReplicatorExecutionRole policy")
	}
	if len(c.KafkaClusters) != replicatorClusters {
		add("replicator.input", rules.Error, "KafkaClusters", supported, fmt.Sprintf("KafkaClusters has %d entries; a Replicator connects exactly one source and one target", len(c.KafkaClusters)), "list the source and the target cluster")
	}
	if len(c.ReplicationInfoList) == 0 {
		add("replicator.input", rules.Error, "ReplicationInfoList", supported, "ReplicationInfoList is empty", "add one entry with SourceKafkaClusterArn, TargetKafkaClusterArn and TopicReplication")
		return out
	}
	for i, ri := range c.ReplicationInfoList {
		p := fmt.Sprintf("ReplicationInfoList[%d].", i)
		src, errS := iac.ParseMSKClusterARN(ri.SourceKafkaClusterArn)
		tgt, errT := iac.ParseMSKClusterARN(ri.TargetKafkaClusterArn)
		if errS != nil || errT != nil {
			add("replicator.input", rules.Error, p+"SourceKafkaClusterArn", supported, "source and target must be MSK cluster ARNs", "use arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID for both")
			continue
		}
		if src.Account != tgt.Account {
			add("replicator.same_account", rules.Error, p+"TargetKafkaClusterArn", "msk_dr.replicator.same_account",
				fmt.Sprintf("source account %s and target account %s differ; MSK Replicator replicates within one account", src.Account, tgt.Account),
				"run MirrorMaker 2 (e.g. on MSK Connect) for cross-account replication, or keep both clusters in one account")
		}
		sf, tf := c.Facts[ri.SourceKafkaClusterArn], c.Facts[ri.TargetKafkaClusterArn]
		if src.Region != tgt.Region {
			sev, msg := rules.Info, fmt.Sprintf("cross-Region (%s -> %s): the Replicator runs in the target Region; the source needs multi-VPC connectivity for IAM and a cluster policy that includes the Kafka service principal", src.Region, tgt.Region)
			if sf.MultiVPCIAM != nil && !*sf.MultiVPCIAM {
				sev, msg = rules.Error, msg+"; the source does not have multi-VPC connectivity on for IAM (it shows as disabled in Create Replicator)"
			}
			add("replicator.cross_region", sev, p+"SourceKafkaClusterArn", "msk_dr.replicator.cross_region_multi_vpc", msg,
				"turn on multi-VPC for IAM on the source (stream_guidance topic msk_multi_vpc) and put a cluster policy with the Kafka service principal")
		}
		naming := ri.TopicReplication.TopicNameConfiguration.Type
		types := b.Strings("msk_dr.replicator.topic_name_types")
		switch {
		case naming != "" && !slices.Contains(types, naming):
			add("replicator.topic_naming", rules.Error, p+"TopicReplication.TopicNameConfiguration.Type", "msk_dr.replicator.topic_name_types",
				fmt.Sprintf("%q is not a topic name configuration", naming), "use "+strings.Join(types, " or "))
		case naming == "" || naming == types[0]:
			add("replicator.topic_naming", rules.Info, p+"TopicReplication.TopicNameConfiguration.Type", "msk_dr.replicator.topic_name_types",
				"prefixed names (the default): target topics are <sourceKafkaClusterAlias>.<topic>, so consumers must subscribe with a pattern such as .*topic after failover (which also matches footopic)",
				"for active-passive DR or migration without client changes use IDENTICAL (Kafka 2.8.1+); keep prefixed for active-active; the setting cannot change without replacing the Replicator")
		}
		identical := naming == "IDENTICAL"
		if identical {
			minV := str(b, "msk_dr.replicator.identical_names.min_kafka_version")
			for side, f := range map[string]ClusterFacts{"source": sf, "target": tf} {
				if v, ok := parseVer(f.KafkaVersion); ok && less(v, mustVer(minV)) {
					add("replicator.versions", rules.Error, p+"TopicReplication.TopicNameConfiguration.Type", "msk_dr.replicator.identical_names.min_kafka_version",
						fmt.Sprintf("identical topic names need Kafka %s or later; the %s runs %s", minV, side, f.KafkaVersion), "upgrade that cluster or use prefixed names")
				}
			}
		}
		cg := ri.ConsumerGroupReplication
		switch {
		case cg == nil || cg.SynchroniseConsumerGroupOffsets == nil || !*cg.SynchroniseConsumerGroupOffsets:
			add("replicator.offset_sync", rules.Warning, p+"ConsumerGroupReplication.SynchroniseConsumerGroupOffsets", "msk_dr.replicator.offset_sync_modes",
				"consumer-group offsets are not synchronised: after failover consumers start from their auto.offset.reset position (reprocess all or skip to new)",
				"set SynchroniseConsumerGroupOffsets=true and keep the same group.id in both Regions")
		case strings.EqualFold(cg.ConsumerGroupOffsetSyncMode, "ENHANCED") && !identical:
			add("replicator.offset_sync", rules.Error, p+"ConsumerGroupReplication.ConsumerGroupOffsetSyncMode", "msk_dr.replicator.offset_sync_modes",
				"ENHANCED offset sync needs IDENTICAL topic names and a reverse Replicator", "set TopicNameConfiguration.Type=IDENTICAL and create the reverse Replicator, or use LEGACY")
		default:
			add("replicator.offset_sync", rules.Info, p+"ConsumerGroupReplication.ConsumerGroupOffsetSyncMode", "msk_dr.replicator.offset_sync_modes",
				"offsets are translated approximately (at-least-once: some records are read again after failover) and committed on the target only while no consumer of that group is active there; LEGACY mode syncs only while producers write to the source and does not translate offsets back for failback; consumers that lag on the source lag more on the target",
				"keep target consumers of replicated groups stopped until failover; use ENHANCED (IDENTICAL names plus a reverse Replicator) when failback must keep positions")
		}
		if strings.EqualFold(ri.TopicReplication.StartingPosition.Type, "LATEST") {
			add("replicator.starting_position", rules.Warning, p+"TopicReplication.StartingPosition.Type", "msk_dr.replicator.topic_name_types",
				"LATEST copies only records produced after the Replicator starts; existing data stays behind", "use EARLIEST for migration or to seed a DR cluster")
		}
		for side, f := range map[string]ClusterFacts{"source": sf, "target": tf} {
			checkReplicatorCluster(b, add, p, side, f)
		}
	}
	return out
}

func checkReplicatorCluster(b *guidance.Base, add func(string, rules.Severity, string, string, string, string), p, side string, f ClusterFacts) {
	fld := p + side
	if v, ok := parseVer(f.KafkaVersion); ok && less(v, mustVer(str(b, "msk_dr.replicator.min_kafka_version"))) {
		add("replicator.versions", rules.Error, fld, "msk_dr.replicator.min_kafka_version",
			fmt.Sprintf("the %s runs Kafka %s; MSK Replicator supports %s or later", side, f.KafkaVersion, str(b, "msk_dr.replicator.min_kafka_version")), "upgrade the cluster first")
	}
	if f.IAM != nil && !*f.IAM {
		add("replicator.auth", rules.Error, fld, "msk_dr.replicator.auth",
			fmt.Sprintf("IAM access control is off on the %s; the Replicator connects with IAM only (other clients may keep SCRAM/mTLS)", side), "turn on IAM client authentication on that cluster (UpdateSecurity)")
	}
	if f.Serverless {
		return
	}
	if slices.Contains(b.Strings("msk_dr.replicator.unsupported_instance_types"), f.InstanceType) {
		add("replicator.instance_type", rules.Error, fld, "msk_dr.replicator.unsupported_instance_types",
			fmt.Sprintf("the %s uses %s, which MSK Replicator does not support", side, f.InstanceType), "move to kafka.m5.large or larger")
	}
	minB := b.Int("msk_dr.replicator.min_brokers")
	if f.AZCount == twoAZ {
		minB = b.Int("msk_dr.replicator.min_brokers_two_az")
	}
	if f.Brokers > 0 && f.Brokers < minB {
		add("replicator.brokers", rules.Error, fld, "msk_dr.replicator.min_brokers",
			fmt.Sprintf("the %s has %d brokers; Replicator needs at least %d here", side, f.Brokers, minB), fmt.Sprintf("scale the %s to %d brokers", side, minB))
	}
}

func mustVer(s string) []int { v, _ := parseVer(s); return v }

// parseVer reads major.minor.patch ("x" newest).
func parseVer(s string) ([]int, bool) {
	var out []int
	for _, f := range strings.Split(strings.TrimSpace(s), ".") {
		if f == "x" {
			out = append(out, int(^uint(0)>>1))
			continue
		}
		n, ok := intOf(f)
		if !ok {
			break
		}
		out = append(out, n)
	}
	return out, len(out) > 1
}

func less(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}
