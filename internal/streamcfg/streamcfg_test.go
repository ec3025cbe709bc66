package streamcfg

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

func loadTestBase(t testing.TB) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cfnMSK builds AWS::MSK::Cluster properties.
func cfnMSK(instance string, subnets, brokers int, version string, extra map[string]any) map[string]any {
	sn := make([]any, subnets)
	for i := range sn {
		sn[i] = "subnet-" + string(rune('a'+i))
	}
	p := map[string]any{
		"ClusterName":         "c",
		"KafkaVersion":        version,
		"NumberOfBrokerNodes": float64(brokers),
		"BrokerNodeGroupInfo": map[string]any{
			"InstanceType":  instance,
			"ClientSubnets": sn,
			"StorageInfo":   map[string]any{"EBSStorageInfo": map[string]any{"VolumeSize": float64(1000)}},
		},
	}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

func withEBS(p map[string]any, ebs map[string]any) map[string]any {
	p["BrokerNodeGroupInfo"].(map[string]any)["StorageInfo"] = map[string]any{"EBSStorageInfo": ebs}
	return p
}

func withVPC(p map[string]any) map[string]any {
	p["BrokerNodeGroupInfo"].(map[string]any)["ConnectivityInfo"] = map[string]any{
		"VpcConnectivity": map[string]any{"ClientAuthentication": map[string]any{"Sasl": map[string]any{"Iam": map[string]any{"Enabled": true}}}},
	}
	return p
}

func props(sp string) map[string]any { return map[string]any{"ServerProperties": sp} }

func iam() map[string]any {
	return map[string]any{"ClientAuthentication": map[string]any{"Sasl": map[string]any{"Iam": map[string]any{"Enabled": true}}}}
}

type ruleCase struct {
	name  string
	kind  string // msk | kinesis
	in    map[string]any
	rule  string
	field string // "" = the rule must NOT fire (passing example)
	fix   string // substring of the fix
	sev   rules.Severity
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestRules(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	good := func() map[string]any { return cfnMSK("kafka.m7g.large", 3, 3, "3.8.x", iam()) }
	cases := []ruleCase{
		// MSK
		{name: "instance known ok", kind: "msk", in: good(), rule: "msk_cluster.instance_type.known"},
		{name: "instance unknown", kind: "msk", in: cfnMSK("kafka.m6.large", 3, 3, "3.8.x", nil), rule: "msk_cluster.instance_type.known", field: "BrokerNodeGroupInfo.InstanceType", fix: "kafka.m7g.large", sev: rules.Error},
		{name: "az count ok", kind: "msk", in: cfnMSK("kafka.m5.large", 2, 2, "3.8.x", nil), rule: "msk_cluster.az_count.allowed"},
		{name: "az count 4", kind: "msk", in: cfnMSK("kafka.m5.large", 4, 4, "3.8.x", nil), rule: "msk_cluster.az_count.allowed", field: "BrokerNodeGroupInfo.ClientSubnets", fix: "2 or 3", sev: rules.Error},
		{name: "express needs 3 AZs", kind: "msk", in: cfnMSK("express.m7g.large", 2, 2, "3.8.x", nil), rule: "msk_cluster.az_count.allowed", field: "BrokerNodeGroupInfo.ClientSubnets", fix: "3 client subnets", sev: rules.Error},
		{name: "brokers multiple ok", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 6, "3.8.x", nil), rule: "msk_cluster.broker_count.az_multiple"},
		{name: "brokers not multiple", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 4, "3.8.x", nil), rule: "msk_cluster.broker_count.az_multiple", field: "NumberOfBrokerNodes", fix: "to 6", sev: rules.Error},
		{name: "zero brokers", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 0, "3.8.x", nil), rule: "msk_cluster.broker_count.az_multiple", field: "NumberOfBrokerNodes", fix: "to 3", sev: rules.Error},
		{name: "alias brokers not multiple", kind: "msk", in: map[string]any{"az_count": 2, "broker_count": 3}, rule: "msk_cluster.broker_count.az_multiple", field: "broker_count", fix: "to 4", sev: rules.Error},
		{name: "broker quota kraft ok", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 45, "3.7.x.kraft", nil), rule: "msk_cluster.broker_count.quota"},
		{name: "broker quota zookeeper", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 45, "3.6.0", nil), rule: "msk_cluster.broker_count.quota", field: "NumberOfBrokerNodes", fix: "KRaft", sev: rules.Warning},
		{name: "volume ok", kind: "msk", in: good(), rule: "msk_cluster.storage.volume_size.range"},
		{name: "volume too big", kind: "msk", in: withEBS(good(), map[string]any{"VolumeSize": 20000}), rule: "msk_cluster.storage.volume_size.range", field: "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize", fix: "16384", sev: rules.Error},
		{name: "provisioned tput on 4xl ok", kind: "msk", in: withEBS(cfnMSK("kafka.m5.4xlarge", 3, 3, "3.8.x", nil), map[string]any{"VolumeSize": 1000, "ProvisionedThroughput": map[string]any{"Enabled": true, "VolumeThroughput": 500}}), rule: "msk_cluster.storage.provisioned_throughput.instance"},
		{name: "provisioned tput on large", kind: "msk", in: withEBS(good(), map[string]any{"VolumeSize": 1000, "ProvisionedThroughput": map[string]any{"Enabled": true, "VolumeThroughput": 300}}), rule: "msk_cluster.storage.provisioned_throughput.instance", field: "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.ProvisionedThroughput.VolumeThroughput", fix: "kafka.m7g.2xlarge", sev: rules.Error},
		{name: "provisioned tput in range", kind: "msk", in: withEBS(cfnMSK("kafka.m7g.2xlarge", 3, 3, "3.8.x", nil), map[string]any{"VolumeSize": 1000, "ProvisionedThroughput": map[string]any{"Enabled": true, "VolumeThroughput": 312.5}}), rule: "msk_cluster.storage.provisioned_throughput.range"},
		{name: "provisioned tput above max", kind: "msk", in: withEBS(cfnMSK("kafka.m7g.2xlarge", 3, 3, "3.8.x", nil), map[string]any{"VolumeSize": 1000, "ProvisionedThroughput": map[string]any{"Enabled": true, "VolumeThroughput": 400}}), rule: "msk_cluster.storage.provisioned_throughput.range", field: "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.ProvisionedThroughput.VolumeThroughput", fix: "between 250 and 312.5", sev: rules.Error},
		{name: "provisioned tput small volume", kind: "msk", in: withEBS(cfnMSK("kafka.m5.4xlarge", 3, 3, "3.8.x", nil), map[string]any{"VolumeSize": 5, "ProvisionedThroughput": map[string]any{"Enabled": true, "VolumeThroughput": 300}}), rule: "msk_cluster.storage.provisioned_throughput.volume", field: "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.ProvisionedThroughput.VolumeThroughput", fix: "at least 10", sev: rules.Error},
		{name: "provisioned tput volume ok", kind: "msk", in: withEBS(cfnMSK("kafka.m5.4xlarge", 3, 3, "3.8.x", nil), map[string]any{"VolumeSize": 10, "ProvisionedThroughput": map[string]any{"Enabled": true, "VolumeThroughput": 300}}), rule: "msk_cluster.storage.provisioned_throughput.volume"},
		{name: "m7g version ok 2.8.2", kind: "msk", in: cfnMSK("kafka.m7g.large", 3, 3, "2.8.2", nil), rule: "msk_cluster.version.m7g"},
		{name: "m7g version old", kind: "msk", in: cfnMSK("kafka.m7g.large", 3, 3, "3.2.0", nil), rule: "msk_cluster.version.m7g", field: "KafkaVersion", fix: "3.3.2", sev: rules.Error},
		{name: "express version ok", kind: "msk", in: cfnMSK("express.m7g.large", 3, 3, "3.6.0", nil), rule: "msk_cluster.version.express"},
		{name: "express version old", kind: "msk", in: cfnMSK("express.m7g.large", 3, 3, "3.5.1", nil), rule: "msk_cluster.version.express", field: "KafkaVersion", fix: "3.6.0", sev: rules.Error},
		{name: "multi-vpc ok", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", iam())), rule: "msk_cluster.multi_vpc.version"},
		{name: "multi-vpc old version", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "2.6.2", iam())), rule: "msk_cluster.multi_vpc.version", field: "KafkaVersion", fix: "2.7.1", sev: rules.Error},
		{name: "multi-vpc t3 ok on m5", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", iam())), rule: "msk_cluster.multi_vpc.instance_type"},
		{name: "multi-vpc on t3", kind: "msk", in: withVPC(cfnMSK("kafka.t3.small", 3, 3, "3.8.x", iam())), rule: "msk_cluster.multi_vpc.instance_type", field: "BrokerNodeGroupInfo.InstanceType", fix: "kafka.m5.large", sev: rules.Error},
		{name: "multi-vpc auth ok", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", iam())), rule: "msk_cluster.multi_vpc.auth"},
		{name: "multi-vpc unauthenticated", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", map[string]any{"ClientAuthentication": map[string]any{"Unauthenticated": map[string]any{"Enabled": true}}})), rule: "msk_cluster.multi_vpc.auth", field: "ClientAuthentication", fix: "Sasl.Iam", sev: rules.Error},
		{name: "multi-vpc without client auth", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil)), rule: "msk_cluster.multi_vpc.auth", field: "ClientAuthentication", fix: "Sasl.Iam", sev: rules.Error},
		{name: "multi-vpc auth via GetAtt unknown", kind: "msk", in: withVPC(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", map[string]any{"ClientAuthentication": map[string]any{"Sasl": map[string]any{"Iam": map[string]any{"Enabled": map[string]any{"Ref": "UseIam"}}}}})), rule: "msk_cluster.multi_vpc.auth"},
		{name: "iam version ok", kind: "msk", in: good(), rule: "msk_cluster.iam.version"},
		{name: "iam old version", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "2.6.2", iam()), rule: "msk_cluster.iam.version", field: "ClientAuthentication.Sasl.Iam.Enabled", fix: "2.7.1", sev: rules.Warning},
		{name: "tiered ok", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "3.6.0", map[string]any{"StorageMode": "TIERED"}), rule: "msk_cluster.tiered_storage.version"},
		{name: "tiered 2.8.2.tiered ok", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "2.8.2.tiered", map[string]any{"StorageMode": "TIERED"}), rule: "msk_cluster.tiered_storage.version"},
		{name: "tiered old", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "3.5.1", map[string]any{"StorageMode": "TIERED"}), rule: "msk_cluster.tiered_storage.version", field: "KafkaVersion", fix: "3.6.0", sev: rules.Error},
		{name: "tiered on t3", kind: "msk", in: cfnMSK("kafka.t3.small", 3, 3, "3.6.0", map[string]any{"StorageMode": "TIERED"}), rule: "msk_cluster.tiered_storage.instance_type", field: "StorageMode", fix: "LOCAL", sev: rules.Error},
		{name: "tiered on m5 ok", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "3.6.0", map[string]any{"StorageMode": "TIERED"}), rule: "msk_cluster.tiered_storage.instance_type"},
		{name: "auto create off", kind: "msk", in: props("auto.create.topics.enable=false"), rule: "msk_cluster.config.auto_create_topics"},
		{name: "auto create on", kind: "msk", in: props("# c\nauto.create.topics.enable = true\n"), rule: "msk_cluster.config.auto_create_topics", field: "ServerProperties.auto.create.topics.enable", fix: "auto.create.topics.enable=false", sev: rules.Warning},
		{name: "rf 3 ok", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("default.replication.factor=3")), rule: "msk_cluster.config.default_replication_factor"},
		{name: "rf 2 on 3 AZ", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("default.replication.factor=2")), rule: "msk_cluster.config.default_replication_factor", field: "ServerProperties.default.replication.factor", fix: "default.replication.factor=3", sev: rules.Warning},
		{name: "rf above brokers", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 2, 2, "3.8.x", nil), props("default.replication.factor=3")), rule: "msk_cluster.config.default_replication_factor", field: "ServerProperties.default.replication.factor", fix: "at most 2", sev: rules.Error},
		{name: "rf 2 on 2 AZ ok", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 2, 2, "3.8.x", nil), props("default.replication.factor=2")), rule: "msk_cluster.config.default_replication_factor"},
		{name: "isr 2 ok", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("default.replication.factor=3\nmin.insync.replicas=2")), rule: "msk_cluster.config.min_insync_replicas"},
		{name: "isr equals rf", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("default.replication.factor=3\nmin.insync.replicas=3")), rule: "msk_cluster.config.min_insync_replicas", field: "ServerProperties.min.insync.replicas", fix: "min.insync.replicas=2", sev: rules.Warning},
		{name: "isr above rf", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("min.insync.replicas=4")), rule: "msk_cluster.config.min_insync_replicas", field: "ServerProperties.min.insync.replicas", fix: "min.insync.replicas=2", sev: rules.Error},
		{name: "isr 1 with rf 3", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("min.insync.replicas=1")), rule: "msk_cluster.config.min_insync_replicas", field: "ServerProperties.min.insync.replicas", fix: "min.insync.replicas=2", sev: rules.Warning},
		{name: "isr map form ok", kind: "msk", in: map[string]any{"az_count": 3, "server_properties": map[string]any{"min.insync.replicas": 2}}, rule: "msk_cluster.config.min_insync_replicas"},
		{name: "unclean off", kind: "msk", in: props("unclean.leader.election.enable=false"), rule: "msk_cluster.config.unclean_leader_election"},
		{name: "unclean on", kind: "msk", in: props("unclean.leader.election.enable=true"), rule: "msk_cluster.config.unclean_leader_election", field: "ServerProperties.unclean.leader.election.enable", fix: "=false", sev: rules.Warning},
		{name: "selector ok", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "3.8.x", nil), props("replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector")), rule: "msk_cluster.config.replica_selector"},
		{name: "selector wrong", kind: "msk", in: props("replica.selector.class=com.example.Mine"), rule: "msk_cluster.config.replica_selector", field: "ServerProperties.replica.selector.class", fix: "RackAwareReplicaSelector", sev: rules.Warning},
		{name: "selector old kafka", kind: "msk", in: merge(cfnMSK("kafka.m5.large", 3, 3, "2.2.1", nil), props("replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector")), rule: "msk_cluster.config.replica_selector", field: "ServerProperties.replica.selector.class", fix: "upgrade", sev: rules.Error},
		{name: "num partitions ok", kind: "msk", in: props("num.partitions=6"), rule: "msk_cluster.config.num_partitions"},
		{name: "provisioned throughput, default fetchers", kind: "msk", in: map[string]any{"instance_type": "kafka.m5.4xlarge", "provisioned_throughput_enabled": true, "server_properties": "num.io.threads=8"}, rule: "msk_cluster.config.num_replica_fetchers", field: "server_properties.num.replica.fetchers", fix: "above 2", sev: rules.Warning},
		{name: "provisioned throughput, more fetchers", kind: "msk", in: map[string]any{"instance_type": "kafka.m5.4xlarge", "provisioned_throughput_enabled": true, "server_properties": "num.replica.fetchers=4"}, rule: "msk_cluster.config.num_replica_fetchers"},
		{name: "num partitions 0", kind: "msk", in: props("num.partitions=0"), rule: "msk_cluster.config.num_partitions", field: "ServerProperties.num.partitions", fix: "at least 1", sev: rules.Error},
		{name: "express default config ok", kind: "msk", in: cfnMSK("express.m7g.large", 3, 3, "3.8.x", nil), rule: "msk_cluster.express.fixed_config"},
		{name: "express rf override", kind: "msk", in: merge(cfnMSK("express.m7g.large", 3, 3, "3.8.x", nil), props("default.replication.factor=2")), rule: "msk_cluster.express.fixed_config", field: "ServerProperties.default.replication.factor", fix: "remove", sev: rules.Error},
		{name: "broker count not a number", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "3.8.x", map[string]any{"NumberOfBrokerNodes": "six"}), rule: "msk_cluster.fields.type", field: "NumberOfBrokerNodes", fix: "a number", sev: rules.Error},
		{name: "iam flag not a bool", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "3.8.x", map[string]any{"ClientAuthentication": map[string]any{"Sasl": map[string]any{"Iam": map[string]any{"Enabled": "yes please"}}}}), rule: "msk_cluster.fields.type", field: "ClientAuthentication.Sasl.Iam.Enabled", fix: "true or false", sev: rules.Error},
		{name: "numbers as strings ok", kind: "msk", in: cfnMSK("kafka.m5.large", 3, 3, "3.8.x", map[string]any{"NumberOfBrokerNodes": "6"}), rule: "msk_cluster.fields.type"},
		{name: "intrinsic skipped", kind: "msk", in: map[string]any{"NumberOfBrokerNodes": map[string]any{"Ref": "Brokers"}, "az_count": 3}, rule: "msk_cluster.broker_count.az_multiple"},

		// Kinesis
		{name: "mode ok", kind: "kinesis", in: map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}}, rule: "kinesis_stream.stream_mode.allowed"},
		{name: "mode bad", kind: "kinesis", in: map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "AUTO"}}, rule: "kinesis_stream.stream_mode.allowed", field: "StreamModeDetails.StreamMode", fix: "ON_DEMAND", sev: rules.Error},
		{name: "on-demand without shards ok", kind: "kinesis", in: map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}}, rule: "kinesis_stream.shard_count.on_demand"},
		{name: "on-demand with shards", kind: "kinesis", in: map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}, "ShardCount": 4}, rule: "kinesis_stream.shard_count.on_demand", field: "ShardCount", fix: "remove ShardCount", sev: rules.Warning},
		{name: "provisioned shards ok", kind: "kinesis", in: map[string]any{"ShardCount": 2}, rule: "kinesis_stream.shard_count.required"},
		{name: "provisioned zero shards", kind: "kinesis", in: map[string]any{"ShardCount": 0}, rule: "kinesis_stream.shard_count.required", field: "ShardCount", fix: "1 or more", sev: rules.Error},
		{name: "provisioned missing shards", kind: "kinesis", in: map[string]any{"capacity_mode": "provisioned"}, rule: "kinesis_stream.shard_count.required", field: "ShardCount", fix: "sizing", sev: rules.Warning},
		{name: "shards ref ok", kind: "kinesis", in: map[string]any{"ShardCount": map[string]any{"Ref": "Shards"}}, rule: "kinesis_stream.shard_count.required"},
		{name: "shards max ok", kind: "kinesis", in: map[string]any{"ShardCount": 10000}, rule: "kinesis_stream.shard_count.max"},
		{name: "shards above max", kind: "kinesis", in: map[string]any{"ShardCount": 10001}, rule: "kinesis_stream.shard_count.max", field: "ShardCount", fix: "several streams", sev: rules.Error},
		{name: "throughput ok", kind: "kinesis", in: map[string]any{"ShardCount": 10, "write_mb_per_second": 10, "records_per_second": 9000}, rule: "kinesis_stream.shard_count.throughput"},
		{name: "throughput short by records", kind: "kinesis", in: map[string]any{"ShardCount": 10, "write_mb_per_second": 5, "records_per_second": 12000}, rule: "kinesis_stream.shard_count.throughput", field: "ShardCount", fix: "at least 12", sev: rules.Error},
		{name: "shards not a number", kind: "kinesis", in: map[string]any{"ShardCount": "four"}, rule: "kinesis_stream.fields.type", field: "ShardCount", fix: "a number", sev: rules.Error},
		{name: "shards as string ok", kind: "kinesis", in: map[string]any{"ShardCount": "4", "on_demand_advantage": "false"}, rule: "kinesis_stream.fields.type"},
		{name: "retention ok", kind: "kinesis", in: map[string]any{"RetentionPeriodHours": 8760}, rule: "kinesis_stream.retention.range"},
		{name: "retention low", kind: "kinesis", in: map[string]any{"RetentionPeriodHours": 12}, rule: "kinesis_stream.retention.range", field: "RetentionPeriodHours", fix: "between 24 and 8760", sev: rules.Error},
		{name: "max record ok", kind: "kinesis", in: map[string]any{"MaxRecordSizeInKiB": 10240}, rule: "kinesis_stream.max_record_size.range"},
		{name: "max record high", kind: "kinesis", in: map[string]any{"MaxRecordSizeInKiB": 20480}, rule: "kinesis_stream.max_record_size.range", field: "MaxRecordSizeInKiB", fix: "between 1024 and 10240", sev: rules.Error},
		{name: "record fits", kind: "kinesis", in: map[string]any{"max_record_bytes": 1048576}, rule: "kinesis_stream.record_size.max"},
		{name: "record too big for default", kind: "kinesis", in: map[string]any{"max_record_bytes": 2000000}, rule: "kinesis_stream.record_size.max", field: "max_record_bytes", fix: "MaxRecordSizeInKiB to at least 1954", sev: rules.Error},
		{name: "record too big ever", kind: "kinesis", in: map[string]any{"max_record_bytes": 20000000, "MaxRecordSizeInKiB": 10240}, rule: "kinesis_stream.record_size.max", field: "max_record_bytes", fix: "S3", sev: rules.Error},
		{name: "efo ok", kind: "kinesis", in: map[string]any{"efo_consumers": 20}, rule: "kinesis_stream.efo_consumers.max"},
		{name: "efo advantage ok", kind: "kinesis", in: map[string]any{"efo_consumers": 30, "on_demand_advantage": true}, rule: "kinesis_stream.efo_consumers.max"},
		{name: "efo too many", kind: "kinesis", in: map[string]any{"efo_consumers": 21}, rule: "kinesis_stream.efo_consumers.max", field: "efo_consumers", fix: "On-demand Advantage (limit 50)", sev: rules.Error},
		{name: "encryption ok", kind: "kinesis", in: map[string]any{"StreamEncryption": map[string]any{"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}}, rule: "kinesis_stream.encryption.none"},
		{name: "encryption key via GetAtt ok", kind: "kinesis", in: map[string]any{"StreamEncryption": map[string]any{"EncryptionType": "KMS", "KeyId": map[string]any{"Fn::GetAtt": []any{"Key", "Arn"}}}}, rule: "kinesis_stream.encryption.key"},
		{name: "no encryption", kind: "kinesis", in: map[string]any{"ShardCount": 1}, rule: "kinesis_stream.encryption.none", field: "StreamEncryption", fix: "KMS", sev: rules.Warning},
		{name: "encryption bad type", kind: "kinesis", in: map[string]any{"StreamEncryption": map[string]any{"EncryptionType": "AES"}}, rule: "kinesis_stream.encryption.type", field: "StreamEncryption.EncryptionType", fix: "KMS", sev: rules.Error},
		{name: "encryption no key", kind: "kinesis", in: map[string]any{"StreamEncryption": map[string]any{"EncryptionType": "KMS"}}, rule: "kinesis_stream.encryption.key", field: "StreamEncryption.KeyId", fix: "alias/aws/kinesis", sev: rules.Error},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []rules.Violation
			if tc.kind == "msk" {
				got = ValidateMSKCluster(tc.in, b)
			} else {
				got = ValidateKinesisStream(tc.in, b)
			}
			var hit *rules.Violation
			for i := range got {
				if got[i].RuleID == tc.rule {
					hit = &got[i]
					break
				}
			}
			if tc.field == "" {
				if hit != nil {
					t.Fatalf("rule %s fired on a passing example: %+v", tc.rule, *hit)
				}
				return
			}
			if hit == nil {
				t.Fatalf("rule %s did not fire; got %+v", tc.rule, got)
			}
			if hit.Field != tc.field || hit.Severity != tc.sev || !strings.Contains(hit.Fix, tc.fix) {
				t.Fatalf("got field=%q sev=%s fix=%q; want field=%q sev=%s fix containing %q", hit.Field, hit.Severity, hit.Fix, tc.field, tc.sev, tc.fix)
			}
			if !strings.HasPrefix(hit.Reference, "https://") {
				t.Fatalf("reference %q is not a URL", hit.Reference)
			}
		})
	}
	// Every rule id has a failing example in the table.
	failing := map[string]bool{}
	for _, tc := range cases {
		if tc.field != "" {
			failing[tc.rule] = true
		}
	}
	for _, id := range append(MSKClusterRuleIDs(), KinesisStreamRuleIDs()...) {
		if !failing[id] {
			t.Errorf("rule %s has no failing example", id)
		}
	}
}

func TestCleanConfigsPass(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	msk := merge(cfnMSK("kafka.m7g.xlarge", 3, 6, "3.8.x", iam()), props("auto.create.topics.enable=false\ndefault.replication.factor=3\nmin.insync.replicas=2\nunclean.leader.election.enable=false\nnum.partitions=3"))
	if vs := ValidateMSKCluster(msk, b); len(vs) != 0 {
		t.Fatalf("clean MSK cluster reported %+v", vs)
	}
	kin := map[string]any{"StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}, "RetentionPeriodHours": 48, "StreamEncryption": map[string]any{"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}}
	if vs := ValidateKinesisStream(kin, b); len(vs) != 0 {
		t.Fatalf("clean stream reported %+v", vs)
	}
	if vs := ValidateMSKCluster(nil, b); len(vs) != 0 {
		t.Fatalf("empty MSK input reported %+v", vs)
	}
}
