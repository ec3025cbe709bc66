package mskops

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
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

func ptr[T any](v T) *T { return &v }

// base is a healthy 3-AZ, 9-broker m5.large cluster on 3.6.0 with its
// partitions already moved off the brokers to remove.
func base() Change {
	return Change{
		Current: Cluster{Brokers: 9, AZCount: 3, KafkaVersion: "3.6.0", InstanceType: "kafka.m5.large", StorageGiB: 1000,
			State: "ACTIVE", PartitionsMovedOff: ptr(true), TieredStorage: ptr(false)},
	}
}

type want struct {
	rule string
	sev  rules.Severity
	text string // substring of message
}

func TestValidate(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	tests := []struct {
		name  string
		mod   func(*Change)
		want  []want // each must be present
		clean bool   // no errors expected
		not   []string
	}{
		// msk-remove-broker.html: one broker per AZ per operation; 9 -> 6 on 3 AZs is one operation.
		{name: "remove one per AZ", mod: func(c *Change) { c.Target.Brokers = 6 }, clean: true,
			want: []want{{"msk_change.remove_broker.max_per_az_per_operation", rules.Info, "one operation"}}},
		// 9 -> 3 on 3 AZs: two consecutive operations.
		{name: "remove two per AZ", mod: func(c *Change) { c.Target.Brokers = 3 }, clean: true,
			want: []want{{"msk_change.remove_broker.max_per_az_per_operation", rules.Warning, "2 consecutive operations of at most 3 brokers each (one per AZ): 9 -> 6 -> 3"}}},
		// 2-AZ cluster 8 -> 2: three operations.
		{name: "two AZ three ops", mod: func(c *Change) { c.Current.Brokers, c.Current.AZCount, c.Target.Brokers = 8, 2, 2 }, clean: true,
			want: []want{{"msk_change.remove_broker.max_per_az_per_operation", rules.Warning, "3 consecutive operations"}}},
		{name: "not AZ multiple", mod: func(c *Change) { c.Target.Brokers = 7 },
			want: []want{{"msk_change.brokers.az_multiple", rules.Error, "not a multiple of the 3 Availability Zones"}}},
		{name: "fewer than one per AZ", mod: func(c *Change) { c.Current.Brokers, c.Target.Brokers = 6, 2 },
			want: []want{{"msk_change.remove_broker.min_brokers_per_az", rules.Error, "fewer than 1 per Availability Zone"}}},
		{name: "version below 2.8.1", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.Brokers = "2.8.0", 6 },
			want: []want{{"msk_change.remove_broker.min_kafka_version", rules.Error, "2.8.1 or later"}}},
		{name: "2.8.1 ok", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.Brokers = "2.8.1", 6 }, clean: true},
		{name: "t3.small", mod: func(c *Change) { c.Current.InstanceType, c.Target.Brokers = "kafka.t3.small", 6 },
			want: []want{{"msk_change.remove_broker.instance_families", rules.Error, "not kafka.t3.small"}}},
		{name: "m7g ok", mod: func(c *Change) { c.Current.InstanceType, c.Target.Brokers = "kafka.m7g.2xlarge", 6 }, clean: true},
		{name: "express scale in", mod: func(c *Change) {
			c.Current.InstanceType, c.Current.KafkaVersion, c.Target.Brokers = "express.m7g.large", "3.6.0", 3
		}, clean: true,
			want: []want{{"msk_change.remove_broker.instance_families", rules.Info, "Intelligent Rebalancing"}}, not: []string{"msk_change.remove_broker.max_per_az_per_operation", "msk_change.remove_broker.partitions_moved"}},
		{name: "partitions still there", mod: func(c *Change) { c.Current.PartitionsMovedOff, c.Target.Brokers = ptr(false), 6 },
			want: []want{{"msk_change.remove_broker.partitions_moved", rules.Error, "still host partitions"}}},
		{name: "partitions unknown", mod: func(c *Change) { c.Current.PartitionsMovedOff, c.Target.Brokers = nil, 6 }, clean: true,
			want: []want{{"msk_change.remove_broker.partitions_moved", rules.Warning, "canary topics aside"}}},
		// m5.large holds at most 1500 partition replicas per broker (bestpractices.html).
		{name: "partition limit after removal", mod: func(c *Change) { c.Current.PartitionReplicas, c.Target.Brokers = 4600, 3 },
			want: []want{{"msk_change.brokers.partition_limit", rules.Error, "1534 per broker, above the 1500"}}},
		{name: "partition limit fits", mod: func(c *Change) { c.Current.PartitionReplicas, c.Target.Brokers = 4500, 3 }, clean: true},
		// limits.html: 30 brokers per ZooKeeper cluster, 60 per KRaft cluster, 90 per account.
		{name: "zookeeper quota", mod: func(c *Change) { c.Target.Brokers = 36 }, clean: true,
			want: []want{{"msk_change.brokers.quota", rules.Warning, "default quota of 30 brokers per ZooKeeper-mode cluster"}}},
		{name: "kraft quota ok", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.Brokers = "3.7.x.kraft", 36 }, clean: true, not: []string{"msk_change.brokers.quota"}},
		{name: "kraft quota", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.Brokers = "3.9.x.kraft", 63 },
			want: []want{{"msk_change.brokers.quota", rules.Warning, "60 brokers per KRaft"}}},
		{name: "storage decrease", mod: func(c *Change) { c.Target.StorageGiB = 500 },
			want: []want{{"msk_change.storage.increase_only", rules.Error, "is a decrease"}}},
		{name: "storage above max", mod: func(c *Change) { c.Target.StorageGiB = 17000 },
			want: []want{{"msk_change.storage.max", rules.Error, "16384 GiB maximum"}}},
		{name: "storage cooldown", mod: func(c *Change) { c.Current.HoursSinceStorageScaling, c.Target.StorageGiB = ptr(2.0), 2000 },
			want: []want{{"msk_change.storage.cooldown", rules.Error, "at least 6 hours"}}},
		{name: "storage after cooldown", mod: func(c *Change) { c.Current.HoursSinceStorageScaling, c.Target.StorageGiB = ptr(7.0), 2000 }, clean: true},
		{name: "m7g on 3.2.0", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.InstanceType = "3.2.0", "kafka.m7g.large" },
			want: []want{{"msk_change.m7g.min_kafka_version", rules.Error, "3.3.2 or later"}}},
		{name: "m7g on 2.8.2", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.InstanceType = "2.8.2", "kafka.m7g.large" }, clean: true},
		{name: "m7g on 2.8.1", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.InstanceType = "2.8.1", "kafka.m7g.large" },
			want: []want{{"msk_change.m7g.min_kafka_version", rules.Error, "M7g"}}},
		{name: "to t3.small", mod: func(c *Change) { c.Current.InstanceType, c.Target.InstanceType = "kafka.m7g.large", "kafka.t3.small" },
			want: []want{{"msk_change.broker_type.change_paths", rules.Error, "smaller kafka.t3.small"}}},
		{name: "m7g to m5", mod: func(c *Change) { c.Current.InstanceType, c.Target.InstanceType = "kafka.m7g.large", "kafka.m5.xlarge" }, clean: true},
		{name: "express upgrade ready", mod: func(c *Change) {
			c.Current.KafkaVersion, c.Current.MetadataMode, c.Target.InstanceType = "3.9.x", "kraft", "express.m7g.large"
		}, clean: true, want: []want{{"msk_change.express.upgrade", rules.Info, "replication factor 3 across 3 AZs"}}},
		{name: "express upgrade not ready", mod: func(c *Change) {
			c.Current.KafkaVersion, c.Current.AZCount, c.Current.TieredStorage, c.Target.InstanceType = "3.6.0", 2, ptr(true), "express.m7g.large"
		}, want: []want{{"msk_change.express.upgrade", rules.Error, "Kafka 3.9 with KRaft (now 3.6.0); 3 Availability Zones (now 2); no tiered storage"}}},
		{name: "express to standard", mod: func(c *Change) {
			c.Current.InstanceType, c.Target.InstanceType = "express.m7g.large", "kafka.m7g.large"
		},
			want: []want{{"msk_change.express.upgrade", rules.Error, "cannot be changed back"}}},
		{name: "kraft migration ready", mod: func(c *Change) {
			c.Current.KafkaVersion, c.Current.MetadataMode, c.Target.MetadataMode = "3.9.x", "zookeeper", "kraft"
		}, clean: true, want: []want{{"msk_change.kraft", rules.Info, "in-place migration to KRaft is possible"}}},
		{name: "kraft migration blocked by custom domain", mod: func(c *Change) {
			c.Current.KafkaVersion, c.Current.DynamicAdvertisedListeners, c.Target.MetadataMode = "3.9.x", true, "kraft"
		}, want: []want{{"msk_change.kraft", rules.Error, "advertised.listeners"}}},
		{name: "kraft from 3.6", mod: func(c *Change) { c.Target.MetadataMode = "kraft" },
			want: []want{{"msk_change.kraft", rules.Error, "Kafka 3.9.x in ZooKeeper mode (now 3.6.0)"}}},
		{name: "tiered on 3.5.1", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.TieredStorage = "3.5.1", ptr(true) },
			want: []want{{"msk_change.tiered", rules.Error, "3.6.0 or later"}}},
		{name: "tiered on 2.8.2.tiered", mod: func(c *Change) { c.Current.KafkaVersion, c.Target.TieredStorage = "2.8.2.tiered", ptr(true) }, clean: true,
			want: []want{{"msk_change.tiered", rules.Info, "at least 3 days"}}},
		{name: "updating", mod: func(c *Change) { c.Current.State, c.Target.Brokers = "UPDATING", 6 },
			want: []want{{"msk_change.cluster.required_state", rules.Error, "the cluster is UPDATING"}}},
		{name: "operation in flight", mod: func(c *Change) { c.Current.OperationsInFlight, c.Target.Brokers = []string{"UPDATE_BROKER_STORAGE"}, 6 },
			want: []want{{"msk_change.cluster.operations_in_flight", rules.Error, "UPDATE_BROKER_STORAGE"}}},
		{name: "empty current", mod: func(c *Change) { c.Current = Cluster{} },
			want: []want{{"msk_change.input", rules.Error, "current is empty"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base()
			tc.mod(&c)
			res := Validate(c, b)
			if tc.clean && rules.HasErrors(res.Violations) {
				t.Errorf("unexpected errors: %+v", res.Violations)
			}
			for _, w := range tc.want {
				found := false
				for _, v := range res.Violations {
					if v.RuleID == w.rule && v.Severity == w.sev && strings.Contains(v.Message, w.text) {
						found = true
						if v.Fix == "" || !strings.HasPrefix(v.Reference, "https://") {
							t.Errorf("%s: no fix or no URL reference: %+v", v.RuleID, v)
						}
					}
				}
				if !found {
					t.Errorf("want %s %s containing %q; got %+v", w.sev, w.rule, w.text, res.Violations)
				}
			}
			for _, id := range tc.not {
				for _, v := range res.Violations {
					if v.RuleID == id {
						t.Errorf("unexpected %s: %+v", id, v)
					}
				}
			}
		})
	}
}

func TestDecodeReportsUnknownKeys(t *testing.T) {
	t.Parallel()
	c, unknown, err := Decode(map[string]any{"current": map[string]any{"brokers": 6, "az": 3}, "target": map[string]any{"brokers": 3}, "extra": 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Current.Brokers != 6 || c.Target.Brokers != 3 {
		t.Fatalf("decoded %+v", c)
	}
	if strings.Join(unknown, ",") != "current.az,extra" {
		t.Fatalf("unknown = %v", unknown)
	}
	if _, _, err := Decode(map[string]any{"current": map[string]any{"brokers": "six"}}); err == nil {
		t.Fatal("a string broker count decoded")
	}
	if _, _, err := Decode(map[string]any{"current": "x"}); err == nil {
		t.Fatal("a non-object current decoded")
	}
}

func TestRuleIDsComplete(t *testing.T) {
	t.Parallel()
	found, err := limitcheck.IDLiterals(".", "msk_change.")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, id := range RuleIDs() {
		listed[id] = true
	}
	for _, id := range found {
		if !listed[id] {
			t.Errorf("rule %s is reported but not in RuleIDs", id)
		}
	}
}

// TestKnowledgeIsData: no typed numbers; every guidance id named exists;
// every msk_ops.* entry is read by a rule.
func TestKnowledgeIsData(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
	b := loadBase(t)
	ids := limitcheck.Resolve(t, func(id string) bool { _, ok := b.Lookup(id); return ok }, ".", "msk_ops.", "msk.")
	used := map[string]bool{}
	for _, id := range ids {
		used[id] = true
	}
	for _, l := range b.All() {
		if strings.HasPrefix(l.ID, "msk_ops.") && !used[l.ID] {
			t.Errorf("guidance entry %s is read by no rule", l.ID)
		}
	}
}
