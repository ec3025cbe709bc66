package tools

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/mskdr"
	"github.com/stream-mcp/stream-mcp/internal/mskops"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// validate_config kinds of the mskops helper: thin decoders over
// internal/mskops and internal/mskdr, plus the live read behind arn.

func validateMSKClusterChange(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
	if in.Config == nil {
		return integ.Validation{}, integ.Inputf("kind=msk_cluster_change needs config {current: {brokers, az_count, kafka_version, instance_type, storage_gib, ...}, target: {...}}; with cluster_arn, current is read live")
	}
	c, unknown, err := mskops.Decode(in.Config)
	if err != nil {
		return integ.Validation{}, integ.Inputf("%s", err.Error())
	}
	res := mskops.Validate(c, b)
	vs := res.Violations
	for _, k := range unknown {
		vs = append(vs, rules.Violation{RuleID: "msk_change.input", Severity: rules.Info, Field: k, Message: k + " is not a field this validator knows: not checked",
			Fix: "use brokers, az_count, kafka_version, instance_type, storage_gib, metadata_mode, tiered_storage, partition_replicas, partitions_moved_off, hours_since_storage_scaling, dynamic_advertised_listeners", Reference: b.Source("msk_ops.cluster.required_state")})
	}
	return integ.Validation{Violations: vs, Checked: res.Checked}, nil
}

func validateMirrorMaker2Kind(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
	if in.Config == nil {
		return integ.Validation{}, integ.Inputf("kind=mirrormaker2 needs config: the mm2.properties keys (A->B.enabled, replication.policy.class, sync.group.offsets.enabled, tasks.max, ...) or a Mirror*Connector config; context.partitions and context.brokers (target) enable cross-checks")
	}
	vs := mskdr.ValidateMirrorMaker2(in.Config, mskdr.MM2Context{Partitions: in.Partitions, TargetBrokers: in.Brokers}, b)
	return integ.Validation{Violations: vs, Checked: mskdr.MM2RuleIDs()}, nil
}

func validateMSKReplicatorKind(in integ.ValidateInput, b *guidance.Base) (integ.Validation, error) {
	if in.Config == nil {
		return integ.Validation{}, integ.Inputf("kind=msk_replicator needs config (AWS::MSK::Replicator properties: KafkaClusters, ReplicationInfoList, ServiceExecutionRoleArn) or {ReplicatorArn: ARN} / {ReplicatorName: NAME} alone to read it live")
	}
	c, err := mskdr.DecodeReplicator(in.Config)
	if err != nil {
		return integ.Validation{}, integ.Inputf("%s", err.Error())
	}
	return integ.Validation{Violations: mskdr.ValidateReplicator(c, b), Checked: mskdr.ReplicatorRuleIDs()}, nil
}

// validateLive fills config from AWS: msk_cluster_change with cluster_arn
// reads the cluster as current; msk_replicator with config {ReplicatorArn}
// alone reads the Replicator and its clusters. A non-empty message is a
// tool error.
func validateLive(ctx context.Context, d ReadDeps, in *validateConfigIn) string {
	replicatorArn, _ := in.Config["ReplicatorArn"].(string)
	replicatorName, _ := in.Config["ReplicatorName"].(string)
	_, hasClusters := in.Config["KafkaClusters"]
	switch {
	case in.ClusterArn != "" && in.Kind != "msk_cluster_change":
		return fmt.Sprintf("cluster_arn applies to kind msk_cluster_change, not %s", in.Kind)
	case in.Kind == "msk_cluster_change" && in.ClusterArn != "":
	case in.Kind == "msk_replicator" && (replicatorArn != "" || replicatorName != "") && !hasClusters:
	default:
		return ""
	}
	if d.AWS == nil {
		return "AWS access is not configured in this server; send the configuration in config instead"
	}
	if in.Kind == "msk_cluster_change" {
		if _, err := iac.ParseMSKClusterARN(in.ClusterArn); err != nil {
			return err.Error() + "; send the cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID)"
		}
		s, err := d.AWS.MSKChangeState(ctx, in.ClusterArn)
		if err != nil {
			return liveError(err, "read the cluster")
		}
		if s.Serverless {
			return "the cluster is MSK Serverless: it has no brokers, broker types or storage to change"
		}
		cur := map[string]any{"state": s.State, "kafka_version": s.KafkaVersion, "instance_type": s.InstanceType, "brokers": s.Brokers, "az_count": s.AZCount, "tiered_storage": s.Tiered}
		if s.StorageGiB > 0 {
			cur["storage_gib"] = s.StorageGiB
		}
		if len(s.Operations) > 0 {
			cur["operations_in_flight"] = s.Operations
		}
		if s.PartitionReplicas > 0 {
			cur["partition_replicas"] = s.PartitionReplicas
		}
		var errs []string
		for _, u := range s.Unknown {
			errs = append(errs, u.Call+" failed ("+u.Kind+missing(u.MissingPermission)+"): "+u.Reason)
		}
		if len(errs) > 0 {
			cur["read_errors"] = errs
		}
		cfg := map[string]any{}
		maps.Copy(cfg, in.Config)
		given, _ := cfg["current"].(map[string]any)
		merged := map[string]any{}
		maps.Copy(merged, given)
		maps.Copy(merged, cur) // live facts win; given-only facts (partitions_moved_off, ...) stay
		cfg["current"] = merged
		in.Config = cfg
		return ""
	}
	if replicatorArn == "" {
		arn, err := d.AWS.MSKReplicatorARN(ctx, replicatorName)
		if err != nil {
			return liveError(err, "list Replicators")
		}
		if arn == "" {
			return fmt.Sprintf("no MSK Replicator named %q in this account and Region (the Replicator lives in the target cluster's Region)", replicatorName)
		}
		replicatorArn = arn
	}
	if _, err := iac.ParseARN(replicatorArn, "kafka"); err != nil {
		return err.Error() + "; ReplicatorArn must be arn:aws:kafka:REGION:ACCOUNT:replicator/NAME/UUID"
	}
	r, err := d.AWS.MSKReplicator(ctx, replicatorArn)
	if err != nil {
		return liveError(err, "describe the Replicator")
	}
	clusters := []any{}
	facts := map[string]any{}
	for _, c := range r.Clusters {
		clusters = append(clusters, map[string]any{"AmazonMskCluster": map[string]any{"MskClusterArn": c}})
		if s, err := d.AWS.MSKChangeState(ctx, c); err == nil {
			f := map[string]any{"kafka_version": s.KafkaVersion, "brokers": s.Brokers, "az_count": s.AZCount, "instance_type": s.InstanceType, "iam": s.IAM, "serverless": s.Serverless}
			if !s.Serverless {
				f["multi_vpc_iam"] = s.MultiVPCIAM
			}
			facts[c] = f
		}
	}
	var infos []any
	for _, ri := range r.ReplicationInfos {
		infos = append(infos, map[string]any{"SourceKafkaClusterArn": ri.SourceArn, "TargetKafkaClusterArn": ri.TargetArn,
			"TopicReplication":         map[string]any{"TopicNameConfiguration": map[string]any{"Type": ri.TopicNameType}, "StartingPosition": map[string]any{"Type": ri.StartingPosition}},
			"ConsumerGroupReplication": map[string]any{"SynchroniseConsumerGroupOffsets": ri.SyncOffsets, "ConsumerGroupOffsetSyncMode": ri.OffsetSyncMode}})
	}
	in.Config = map[string]any{"ServiceExecutionRoleArn": r.ServiceRoleArn, "KafkaClusters": clusters, "ReplicationInfoList": infos, "Facts": facts, "ReplicatorState": r.State,
		"Metrics": replicatorMetrics(ctx, d, r.Name)}
	return ""
}

// replicatorMetrics reads ReplicationLatency (Maximum) and MessageLag (Sum)
// for the Replicator over the Kafka lag window.
func replicatorMetrics(ctx context.Context, d ReadDeps, name string) mskdr.ReplicatorMetrics {
	api, err := d.AWS.CloudWatchAPI(ctx)
	if err != nil {
		return mskdr.ReplicatorMetrics{Status: aws.StatusUnknown, Why: aws.UnknownFrom("CloudWatch:GetMetricData", err).Reason}
	}
	dims := []aws.Dimension{{Name: "ReplicatorName", Value: name}}
	qs := []aws.MetricQuery{
		{Key: "latency", Namespace: aws.NamespaceKafka, Metric: "ReplicationLatency", Stat: "Maximum", Dimensions: dims},
		{Key: "lag", Namespace: aws.NamespaceKafka, Metric: "MessageLag", Stat: "Sum", Dimensions: dims},
	}
	w := aws.WindowEnding(time.Now(), time.Duration(d.Guidance.Int("kafka.lag.cloudwatch.window_minutes"))*time.Minute)
	b := aws.NewMetrics(api, aws.MetricsOptions{CallTimeout: d.AWS.Options().CallTimeout, TrendZ: d.Guidance.Num("metrics.trend.z_critical")}).Fetch(ctx, w, qs)
	lat, _ := b.Get("latency")
	lag, _ := b.Get("lag")
	m := mskdr.ReplicatorMetrics{Status: lat.Status}
	switch {
	case lat.Status == aws.SeriesUnknown && lat.Unknown != nil:
		m.Why = lat.Unknown.Reason
	case lat.Summary == nil:
		m.Status, m.Why = aws.SeriesNoData, "CloudWatch has no ReplicationLatency points for "+name
	default:
		m.LatencyMaxMs, m.LatencyLatestMs, m.LatencyTrend = lat.Summary.Max, lat.Summary.Latest, lat.Summary.Trend
		if lag.Summary != nil {
			m.MessageLag, m.LagTrend = lag.Summary.Latest, lag.Summary.Trend
		}
	}
	return m
}

func missing(p string) string {
	if p == "" {
		return ""
	}
	return ", missing " + p
}

func liveError(err error, what string) string {
	return "could not " + what + ": " + errmap.Classify(err).Reason()
}
