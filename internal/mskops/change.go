// Package mskops checks a planned change to an Amazon MSK provisioned
// cluster before it is made: broker removal and addition, broker type,
// storage, Standard to Express, ZooKeeper to KRaft and tiered storage, plus
// the cluster's state and operations in flight when they were read live.
// Every limit comes from guidance/limits (msk_ops.* and msk.*); each rule
// reports a rules.Violation with its fix and the documentation URL.
package mskops

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Cluster is one side of a change. Current carries the facts only the
// running cluster has (state, operations, partition replicas, ...).
type Cluster struct {
	Brokers      int     `json:"brokers,omitempty"`
	AZCount      int     `json:"az_count,omitempty"`
	KafkaVersion string  `json:"kafka_version,omitempty"`
	InstanceType string  `json:"instance_type,omitempty"`
	StorageGiB   float64 `json:"storage_gib,omitempty"`
	// MetadataMode is zookeeper or kraft (a version string ending in
	// .kraft, or 4.x, implies kraft).
	MetadataMode  string `json:"metadata_mode,omitempty"`
	TieredStorage *bool  `json:"tiered_storage,omitempty"`
	// PartitionReplicas counts partition replicas across the cluster
	// (partitions x replication factor), current side only.
	PartitionReplicas int `json:"partition_replicas,omitempty"`
	// State and OperationsInFlight come from DescribeClusterV2 and
	// ListClusterOperationsV2 when read live.
	State              string   `json:"state,omitempty"`
	OperationsInFlight []string `json:"operations_in_flight,omitempty"`
	// HoursSinceStorageScaling is the time since the last storage scaling
	// event (manual or auto scaling).
	HoursSinceStorageScaling *float64 `json:"hours_since_storage_scaling,omitempty"`
	// DynamicAdvertisedListeners is true when advertised.listeners was set
	// per broker (custom domain through an NLB).
	DynamicAdvertisedListeners bool `json:"dynamic_advertised_listeners,omitempty"`
	// ReadErrors are live reads that failed (with the permission to
	// grant), so the rules that needed them report unknown.
	ReadErrors []string `json:"read_errors,omitempty"`
	// PartitionsMovedOff says whether every partition except MSK's canary
	// topics was already reassigned off the brokers to remove.
	PartitionsMovedOff *bool `json:"partitions_moved_off,omitempty"`
}

// Change is the validate_config msk_cluster_change input.
type Change struct {
	Current Cluster `json:"current"`
	Target  Cluster `json:"target"`
}

// Result is what the checks found.
type Result struct {
	Violations []rules.Violation
	// Checked lists the rule ids that ran.
	Checked []string
}

// Decode reads config {current: {...}, target: {...}}. Keys it does not
// know come back in unknown so the caller reports them as not checked.
func Decode(config map[string]any) (Change, []string, error) {
	var c Change
	raw, err := json.Marshal(config)
	if err != nil {
		return c, nil, fmt.Errorf("config is not JSON-encodable: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, nil, fmt.Errorf("config must be {current: {...}, target: {...}} with numbers for brokers, az_count, storage_gib and strings for kafka_version, instance_type: %s", errmap.JSONProblem(err))
	}
	known := knownKeys()
	var unknown []string
	for k, v := range config {
		if k != "current" && k != "target" {
			unknown = append(unknown, k)
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return c, nil, fmt.Errorf("config.%s must be an object", k)
		}
		for kk := range m {
			if !known[kk] {
				unknown = append(unknown, k+"."+kk)
			}
		}
	}
	sort.Strings(unknown)
	return c, unknown, nil
}

func knownKeys() map[string]bool {
	out := map[string]bool{}
	for _, f := range []string{"brokers", "az_count", "kafka_version", "instance_type", "storage_gib", "metadata_mode", "tiered_storage",
		"partition_replicas", "state", "operations_in_flight", "read_errors", "hours_since_storage_scaling", "dynamic_advertised_listeners", "partitions_moved_off"} {
		out[f] = true
	}
	return out
}

// RuleIDs lists every rule Validate can report.
func RuleIDs() []string {
	return []string{
		"msk_change.input", "msk_change.cluster.required_state", "msk_change.cluster.operations_in_flight",
		"msk_change.brokers.az_multiple", "msk_change.brokers.quota", "msk_change.remove_broker.min_kafka_version",
		"msk_change.remove_broker.instance_families", "msk_change.remove_broker.min_brokers_per_az",
		"msk_change.remove_broker.max_per_az_per_operation", "msk_change.remove_broker.partitions_moved",
		"msk_change.brokers.partition_limit", "msk_change.broker_type.change_paths", "msk_change.m7g.min_kafka_version",
		"msk_change.express.upgrade", "msk_change.storage.increase_only", "msk_change.storage.max", "msk_change.storage.cooldown",
		"msk_change.tiered", "msk_change.kraft",
	}
}

type check struct {
	b   *guidance.Base
	c   Change
	out []rules.Violation
	ran map[string]bool
}

func (k *check) add(id string, sev rules.Severity, field, ref, msg, fix string) {
	k.out = append(k.out, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: k.b.Source(ref)})
}

func (k *check) mark(id string) { k.ran[id] = true }

// Validate checks the change against the cited rules.
func Validate(c Change, b *guidance.Base) Result {
	k := &check{b: b, c: c, ran: map[string]bool{}}
	cur, tgt := c.Current, c.Target
	k.mark("msk_change.input")
	if cur.Brokers == 0 && cur.InstanceType == "" && cur.KafkaVersion == "" {
		k.add("msk_change.input", rules.Error, "current", "msk_ops.cluster.required_state",
			"current is empty, so no change can be checked",
			"send current {brokers, az_count, kafka_version, instance_type, storage_gib} or cluster_arn to read it live")
		return k.result()
	}
	k.state()
	k.brokerCount()
	k.brokerType()
	k.storage()
	k.tiered()
	k.kraft()
	if reflect.DeepEqual(tgt, Cluster{}) {
		k.add("msk_change.input", rules.Info, "target", "msk_ops.cluster.required_state",
			"target is empty: only the current cluster's state was checked", "send target with the values you plan to change")
	}
	return k.result()
}

func (k *check) result() Result {
	ids := make([]string, 0, len(k.ran))
	for id := range k.ran {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if k.out == nil {
		k.out = []rules.Violation{}
	}
	return Result{Violations: k.out, Checked: ids}
}

// state: a change is not advised unless the cluster is ACTIVE with no
// operation in flight.
func (k *check) state() {
	cur := k.c.Current
	want := guidanceString(k.b, "msk_ops.cluster.required_state")
	if cur.State != "" {
		k.mark("msk_change.cluster.required_state")
		if !strings.EqualFold(cur.State, want) {
			k.add("msk_change.cluster.required_state", rules.Error, "current.state", "msk_ops.cluster.required_state",
				fmt.Sprintf("the cluster is %s; MSK accepts a change only when it is %s", cur.State, want),
				fmt.Sprintf("wait until the state is %s (kafka_inspect or describe-cluster-v2), then apply the change", want))
		}
	}
	if len(cur.ReadErrors) > 0 {
		k.mark("msk_change.cluster.operations_in_flight")
		k.add("msk_change.cluster.operations_in_flight", rules.Warning, "current.read_errors", "msk_ops.cluster.required_state",
			"unknown: "+strings.Join(cur.ReadErrors, "; "), "grant the named permission and check again, or confirm in the console that no operation is running")
	}
	if len(cur.OperationsInFlight) > 0 {
		k.mark("msk_change.cluster.operations_in_flight")
		k.add("msk_change.cluster.operations_in_flight", rules.Error, "current.operations_in_flight", "msk_ops.cluster.required_state",
			fmt.Sprintf("operations still running on the cluster: %s; MSK runs one update at a time", strings.Join(cur.OperationsInFlight, ", ")),
			"wait for them to finish (aws kafka list-cluster-operations-v2), then apply the change")
	}
}

func (k *check) azCount() int {
	if k.c.Target.AZCount > 0 {
		return k.c.Target.AZCount
	}
	return k.c.Current.AZCount
}

func express(instance string) bool { return strings.HasPrefix(instance, "express.") }

// Name formats (unit conversion: positions in a dotted name, not limits).
const (
	familyParts = 3 // unit conversion (kafka.m5.large has prefix, family, size)
	minorParts  = 2 // unit conversion (major.minor)
)

// family is "kafka.m5" for "kafka.m5.large".
func family(instance string) string {
	parts := strings.Split(instance, ".")
	if len(parts) < familyParts {
		return instance
	}
	return parts[0] + "." + parts[1]
}

func (k *check) brokerCount() {
	cur, tgt := k.c.Current, k.c.Target
	if tgt.Brokers == 0 || cur.Brokers == 0 || tgt.Brokers == cur.Brokers {
		k.partitionLimit(cur.Brokers)
		return
	}
	az := k.azCount()
	k.mark("msk_change.brokers.az_multiple")
	if az == 0 {
		k.add("msk_change.brokers.az_multiple", rules.Warning, "current.az_count", "msk.standard.az_counts",
			"az_count is unknown, so the AZ-multiple and per-AZ rules were not checked",
			"send current.az_count (the number of client subnets, 2 or 3) or cluster_arn")
	} else if tgt.Brokers%az != 0 {
		lower, upper := tgt.Brokers/az*az, (tgt.Brokers/az+1)*az
		fix := fmt.Sprintf("use %d or %d brokers", lower, upper)
		if lower == 0 {
			fix = fmt.Sprintf("use %d brokers (one per AZ) or a larger multiple of %d", upper, az)
		}
		k.add("msk_change.brokers.az_multiple", rules.Error, "target.brokers", "msk.standard.az_counts",
			fmt.Sprintf("%d brokers is not a multiple of the %d Availability Zones; MSK spreads brokers evenly over the client subnets", tgt.Brokers, az), fix)
	}
	if tgt.Brokers > cur.Brokers {
		k.quota()
	} else {
		k.removal(az)
	}
	k.partitionLimit(tgt.Brokers)
}

func (k *check) kraftMode(c Cluster) bool {
	if strings.EqualFold(c.MetadataMode, "kraft") {
		return true
	}
	if strings.EqualFold(c.MetadataMode, "zookeeper") {
		return false
	}
	v, ok := parseVersion(c.KafkaVersion)
	only, _ := parseVersion(guidanceString(k.b, "msk.feature.kraft_only.min_kafka_version"))
	return strings.Contains(c.KafkaVersion, "kraft") || (ok && !v.less(only))
}

func (k *check) quota() {
	cur, tgt := k.c.Current, k.c.Target
	k.mark("msk_change.brokers.quota")
	kraft := k.kraftMode(cur) || k.kraftMode(tgt)
	zkMax, kraftMax := k.b.Int("msk.cluster.brokers.max_zookeeper"), k.b.Int("msk.cluster.brokers.max_kraft")
	switch {
	case !kraft && tgt.Brokers > zkMax:
		fix := fmt.Sprintf("request a quota increase, or move to KRaft (default quota %d): in place from Kafka %s (zk-to-kraft migration), or a new cluster on %s.x.kraft or later",
			kraftMax, guidanceString(k.b, "msk_ops.kraft.migration_kafka_version"), trimPatch(guidanceString(k.b, "msk_ops.kraft.min_kafka_version")))
		k.add("msk_change.brokers.quota", rules.Warning, "target.brokers", "msk.cluster.brokers.max_zookeeper",
			fmt.Sprintf("%d brokers exceeds the default quota of %d brokers per ZooKeeper-mode cluster", tgt.Brokers, zkMax), fix)
	case kraft && tgt.Brokers > kraftMax:
		k.add("msk_change.brokers.quota", rules.Warning, "target.brokers", "msk.cluster.brokers.max_kraft",
			fmt.Sprintf("%d brokers exceeds the default quota of %d brokers per KRaft cluster", tgt.Brokers, kraftMax),
			"request a quota increase in Service Quotas before the change, or split the workload across clusters")
	}
	if acct := k.b.Int("msk.account.brokers.max"); tgt.Brokers > acct {
		k.add("msk_change.brokers.quota", rules.Warning, "target.brokers", "msk.account.brokers.max",
			fmt.Sprintf("%d brokers exceeds the default quota of %d brokers per account and Region", tgt.Brokers, acct),
			"request a quota increase in Service Quotas first")
	}
}

func trimPatch(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) > minorParts {
		return strings.Join(parts[:minorParts], ".")
	}
	return v
}

// removal applies the UpdateBrokerCount scale-in rules.
func (k *check) removal(az int) {
	cur, tgt := k.c.Current, k.c.Target
	ver := cur.KafkaVersion // removal runs on the current version
	k.mark("msk_change.remove_broker.min_kafka_version")
	minV := guidanceString(k.b, "msk_ops.remove_broker.min_kafka_version")
	if v, ok := parseVersion(ver); !ok {
		k.add("msk_change.remove_broker.min_kafka_version", rules.Warning, "current.kafka_version", "msk_ops.remove_broker.min_kafka_version",
			"kafka_version is unknown, so the broker-removal version rule was not checked", "send current.kafka_version")
	} else if m, _ := parseVersion(minV); v.less(m) {
		k.add("msk_change.remove_broker.min_kafka_version", rules.Error, "current.kafka_version", "msk_ops.remove_broker.min_kafka_version",
			fmt.Sprintf("broker removal needs Kafka %s or later; the cluster runs %s", minV, ver),
			fmt.Sprintf("upgrade the cluster to %s or later (UpdateClusterKafkaVersion) before removing brokers", minV))
	}
	k.mark("msk_change.remove_broker.instance_families")
	fams := k.b.Strings("msk_ops.remove_broker.instance_families")
	switch {
	case cur.InstanceType == "":
		k.add("msk_change.remove_broker.instance_families", rules.Warning, "current.instance_type", "msk_ops.remove_broker.instance_families",
			"instance_type is unknown, so the broker-type rule for removal was not checked", "send current.instance_type")
	case express(cur.InstanceType):
		k.add("msk_change.remove_broker.instance_families", rules.Info, "current.instance_type", "msk_ops.express.intelligent_rebalancing",
			"Express brokers: with Intelligent Rebalancing (on by default for new Express clusters) scaling in is a single update and MSK moves the partitions itself, so there is no partition reassignment to do first; the broker count must still be a multiple of the 3 AZs",
			"check that Intelligent Rebalancing is on (describe-cluster-v2 Provisioned.Rebalancing), then UpdateBrokerCount; watch RebalanceInProgress")
	case !slices.Contains(fams, family(cur.InstanceType)):
		k.add("msk_change.remove_broker.instance_families", rules.Error, "current.instance_type", "msk_ops.remove_broker.instance_families",
			fmt.Sprintf("broker removal is supported on %s brokers, not %s", strings.Join(fams, " and "), cur.InstanceType),
			"change the broker type to kafka.m5 or kafka.m7g first (UpdateBrokerType), then remove brokers")
	}
	if az == 0 {
		return
	}
	minPerAZ := k.b.Int("msk_ops.remove_broker.min_brokers_per_az")
	k.mark("msk_change.remove_broker.min_brokers_per_az")
	if tgt.Brokers < az*minPerAZ {
		k.add("msk_change.remove_broker.min_brokers_per_az", rules.Error, "target.brokers", "msk_ops.remove_broker.min_brokers_per_az",
			fmt.Sprintf("%d brokers leaves fewer than %d per Availability Zone across %d AZs", tgt.Brokers, minPerAZ, az),
			fmt.Sprintf("keep at least %d brokers", az*minPerAZ))
		return
	}
	if express(cur.InstanceType) {
		return
	}
	k.mark("msk_change.remove_broker.max_per_az_per_operation")
	perOp := az * k.b.Int("msk_ops.remove_broker.max_per_az_per_operation")
	removed := k.c.Current.Brokers - tgt.Brokers
	ops := int(math.Ceil(float64(removed) / float64(perOp)))
	steps := []string{fmt.Sprint(k.c.Current.Brokers)}
	for n := k.c.Current.Brokers; n > tgt.Brokers; {
		n = max(n-perOp, tgt.Brokers)
		steps = append(steps, fmt.Sprint(n))
	}
	sev := rules.Info
	msg := fmt.Sprintf("removing %d brokers is one operation (at most %d per AZ per operation: %d brokers across %d AZs)", removed, k.b.Int("msk_ops.remove_broker.max_per_az_per_operation"), perOp, az)
	if ops > 1 {
		sev = rules.Warning
		msg = fmt.Sprintf("removing %d brokers takes %d consecutive operations of at most %d brokers each (one per AZ): %s", removed, ops, perOp, strings.Join(steps, " -> "))
	}
	k.add("msk_change.remove_broker.max_per_az_per_operation", sev, "target.brokers", "msk_ops.remove_broker.max_per_az_per_operation", msg,
		fmt.Sprintf("run UpdateBrokerCount %s, waiting for ACTIVE between them; MSK picks an empty broker per AZ (at random when several are empty), deletes its storage and stops billing it; clients need no bootstrap change (MSK re-routes bootstrap entries); roll back by adding the same number of brokers and reassigning partitions to them; test the procedure outside production first", strings.Join(steps[1:], ", then ")))
	k.mark("msk_change.remove_broker.partitions_moved")
	ignored := strings.Join(k.b.Strings("msk_ops.remove_broker.ignored_topics"), " and ")
	prep := fmt.Sprintf("move every partition except %s off %d broker(s) (one per AZ per operation) with kafka-reassign-partitions.sh or Cruise Control; size on the peak BytesInPerSec/BytesOutPerSec of the last %d days; watch the rebalanced cluster for %d days; check UserPartitionExists shows an empty broker in each AZ",
		ignored, perOp, k.b.Int("msk_ops.remove_broker.peak_window_days"), k.b.Int("msk_ops.remove_broker.observe_days"))
	switch {
	case express(cur.InstanceType):
	case cur.PartitionsMovedOff != nil && !*cur.PartitionsMovedOff:
		k.add("msk_change.remove_broker.partitions_moved", rules.Error, "current.partitions_moved_off", "msk_ops.remove_broker.ignored_topics",
			"the brokers to remove still host partitions; MSK removes only brokers with no partitions other than its canary topics", prep)
	case cur.PartitionsMovedOff == nil:
		k.add("msk_change.remove_broker.partitions_moved", rules.Warning, "current.partitions_moved_off", "msk_ops.remove_broker.ignored_topics",
			"MSK removes only brokers with no partitions (canary topics aside); whether they are empty is not known", prep)
	}
}

// partitionLimitID maps kafka.m5.large to msk.standard.m5_large.partitions.max.
func (k *check) partitionLimitID(instance string) (string, bool) {
	prefix := "msk.standard."
	name := strings.TrimPrefix(instance, "kafka.")
	if express(instance) {
		prefix, name = "msk.express.", strings.TrimPrefix(instance, "express.")
	}
	id := prefix + strings.ReplaceAll(name, ".", "_") + ".partitions.max"
	_, ok := k.b.Lookup(id)
	return id, ok
}

// partitionLimit checks partition replicas per broker against the limit of
// the broker type the cluster will have.
func (k *check) partitionLimit(brokers int) {
	cur, tgt := k.c.Current, k.c.Target
	if cur.PartitionReplicas == 0 || brokers == 0 {
		return
	}
	instance := cur.InstanceType
	if tgt.InstanceType != "" {
		instance = tgt.InstanceType
	}
	id, ok := k.partitionLimitID(instance)
	if !ok {
		return
	}
	k.mark("msk_change.brokers.partition_limit")
	limit := k.b.Int(id)
	per := int(math.Ceil(float64(cur.PartitionReplicas) / float64(brokers)))
	if per > limit {
		need := int(math.Ceil(float64(cur.PartitionReplicas) / float64(limit)))
		k.add("msk_change.brokers.partition_limit", rules.Error, "target.brokers", id,
			fmt.Sprintf("%d partition replicas on %d brokers is %d per broker, above the %d a %s broker supports; MSK refuses the change (and blocks configuration and version updates above it)", cur.PartitionReplicas, brokers, per, limit, instance),
			fmt.Sprintf("keep at least %d brokers, use a larger broker size, or delete unused topics first", need))
	}
}

func (k *check) brokerType() {
	cur, tgt := k.c.Current, k.c.Target
	if tgt.InstanceType == "" || cur.InstanceType == "" || tgt.InstanceType == cur.InstanceType {
		return
	}
	if express(cur.InstanceType) != express(tgt.InstanceType) {
		k.expressUpgrade()
		return
	}
	k.mark("msk_change.broker_type.change_paths")
	from, to := family(cur.InstanceType), family(tgt.InstanceType)
	if tgt.InstanceType == "kafka.t3.small" {
		k.add("msk_change.broker_type.change_paths", rules.Error, "target.instance_type", "msk_ops.broker_type.change_paths",
			fmt.Sprintf("MSK cannot move from %s to the smaller kafka.t3.small", cur.InstanceType),
			"keep an M5 or M7g size; create a new cluster for t3 and migrate")
	} else if from != to && !slices.Contains(k.b.Strings("msk_ops.broker_type.change_paths"), from+">"+to) {
		k.add("msk_change.broker_type.change_paths", rules.Error, "target.instance_type", "msk_ops.broker_type.change_paths",
			fmt.Sprintf("MSK does not change brokers in place from %s to %s", from, to),
			fmt.Sprintf("allowed family changes: %s", strings.Join(k.b.Strings("msk_ops.broker_type.change_paths"), ", ")))
	}
	if to == "kafka.m7g" {
		k.m7gVersion()
	}
}

func (k *check) m7gVersion() {
	k.mark("msk_change.m7g.min_kafka_version")
	ver := k.c.Current.KafkaVersion
	if k.c.Target.KafkaVersion != "" {
		ver = k.c.Target.KafkaVersion
	}
	v, ok := parseVersion(ver)
	if !ok {
		return
	}
	min2, _ := parseVersion(guidanceString(k.b, "msk_ops.m7g.min_kafka_version"))
	min3, _ := parseVersion(guidanceString(k.b, "msk_ops.m7g.min_kafka_version_3x"))
	bad := v.less(min2) || (v.major() == min3.major() && v.less(min3))
	if bad {
		k.add("msk_change.m7g.min_kafka_version", rules.Error, "target.instance_type", "msk_ops.m7g.min_kafka_version",
			fmt.Sprintf("M7g brokers run on Kafka %s and on %s or later; the cluster runs %s", min2.raw, min3.raw, ver),
			fmt.Sprintf("upgrade Kafka to %s or later first, then change the broker type", min3.raw))
	}
}

func (k *check) expressUpgrade() {
	cur, tgt := k.c.Current, k.c.Target
	k.mark("msk_change.express.upgrade")
	ref := "msk_ops.express.upgrade_kafka_version"
	if express(cur.InstanceType) {
		k.add("msk_change.express.upgrade", rules.Error, "target.instance_type", ref,
			"Express brokers cannot be changed back to Standard brokers once an in-place upgrade is complete",
			"create a Standard cluster and migrate with MSK Replicator (stream_guidance topic msk_replicator)")
		return
	}
	want := guidanceString(k.b, ref)
	var missing []string
	if v, ok := parseVersion(cur.KafkaVersion); !ok || !v.sameMinor(mustVersion(want)) || !k.kraftMode(cur) {
		missing = append(missing, fmt.Sprintf("Kafka %s with KRaft (now %s)", trimPatch(want), orUnknown(cur.KafkaVersion)))
	}
	if az := k.azCount(); az != k.b.Int("msk.express.az_count") {
		missing = append(missing, fmt.Sprintf("%d Availability Zones (now %s)", k.b.Int("msk.express.az_count"), orUnknown(itoa(az))))
	}
	if cur.TieredStorage == nil || *cur.TieredStorage {
		missing = append(missing, "no tiered storage")
	}
	if family(cur.InstanceType) == "kafka.t3" {
		missing = append(missing, "M5 or M7g Standard brokers (not kafka.t3.small)")
	}
	if len(missing) == 0 {
		k.add("msk_change.express.upgrade", rules.Info, "target.instance_type", ref,
			fmt.Sprintf("in-place upgrade to %s is possible: MSK adds Express brokers, migrates topics and keeps the endpoint; Express fixes replication factor %d across %d AZs, manages storage and rebalances partitions itself", tgt.InstanceType, k.b.Int("msk.express.replication_factor"), k.b.Int("msk.express.az_count")),
			"run the upgrade readiness assessment, then initiate the upgrade; the Standard brokers stay until you decommission them (or roll back)")
		return
	}
	k.add("msk_change.express.upgrade", rules.Error, "target.instance_type", ref,
		"an in-place upgrade from Standard to Express brokers needs: "+strings.Join(missing, "; "),
		"meet those prerequisites first, or create an Express cluster and migrate with MSK Replicator (identical topic names, offset sync)")
}

func (k *check) storage() {
	cur, tgt := k.c.Current, k.c.Target
	if tgt.StorageGiB == 0 {
		return
	}
	if express(cur.InstanceType) || express(tgt.InstanceType) {
		k.mark("msk_change.storage.increase_only")
		k.add("msk_change.storage.increase_only", rules.Info, "target.storage_gib", "msk_ops.express.upgrade_kafka_version",
			"Express brokers have no storage to provision; MSK manages it", "drop storage_gib from the change")
		return
	}
	k.mark("msk_change.storage.increase_only")
	if cur.StorageGiB > 0 && tgt.StorageGiB < cur.StorageGiB {
		k.add("msk_change.storage.increase_only", rules.Error, "target.storage_gib", "msk_ops.storage.increase_only",
			fmt.Sprintf("storage per broker can only grow: %g GiB -> %g GiB is a decrease", cur.StorageGiB, tgt.StorageGiB),
			"keep the storage, or use tiered storage / shorter retention to free space; a smaller volume needs a new cluster")
	}
	k.mark("msk_change.storage.max")
	if maxGiB := k.b.Num("msk.standard.storage.per_broker.max_gib"); tgt.StorageGiB > maxGiB {
		k.add("msk_change.storage.max", rules.Error, "target.storage_gib", "msk.standard.storage.per_broker.max_gib",
			fmt.Sprintf("%g GiB per broker exceeds the %g GiB maximum", tgt.StorageGiB, maxGiB),
			"add brokers or turn on tiered storage instead")
	}
	if h := cur.HoursSinceStorageScaling; h != nil {
		k.mark("msk_change.storage.cooldown")
		if cool := k.b.Num("msk_ops.storage.cooldown_min_hours"); *h < cool {
			k.add("msk_change.storage.cooldown", rules.Error, "current.hours_since_storage_scaling", "msk_ops.storage.cooldown_min_hours",
				fmt.Sprintf("the last storage scaling was %g hours ago; MSK needs a cool-down of at least %g hours (up to 24 or more) between storage scaling events", *h, cool),
				fmt.Sprintf("retry in at least %g hours", cool-*h))
		}
	}
}

func (k *check) tiered() {
	cur, tgt := k.c.Current, k.c.Target
	if tgt.TieredStorage == nil || !*tgt.TieredStorage || (cur.TieredStorage != nil && *cur.TieredStorage) {
		return
	}
	k.mark("msk_change.tiered")
	instance := cur.InstanceType
	if tgt.InstanceType != "" {
		instance = tgt.InstanceType
	}
	ref := "msk.feature.tiered_storage.min_kafka_version"
	if express(instance) {
		k.add("msk_change.tiered", rules.Error, "target.tiered_storage", ref, "tiered storage is a Standard-broker feature; Express brokers manage storage themselves", "drop tiered_storage")
		return
	}
	if family(instance) == "kafka.t3" {
		k.add("msk_change.tiered", rules.Error, "target.tiered_storage", ref, "tiered storage is not available on kafka.t3.small", "move to an M5 or M7g size first")
	}
	ver := cur.KafkaVersion
	if tgt.KafkaVersion != "" {
		ver = tgt.KafkaVersion
	}
	minV := guidanceString(k.b, ref)
	if v, ok := parseVersion(ver); ok && v.less(mustVersion(minV)) && !strings.HasSuffix(ver, ".tiered") {
		k.add("msk_change.tiered", rules.Error, "target.tiered_storage", ref,
			fmt.Sprintf("tiered storage needs Kafka %s or later (or 2.8.2.tiered); the cluster runs %s", minV, ver), fmt.Sprintf("upgrade to %s or later first", minV))
	}
	k.add("msk_change.tiered", rules.Info, "target.tiered_storage", "msk_ops.tiered.min_topic_retention_days",
		fmt.Sprintf("per topic, remote.storage.enable=true needs retention.ms of at least %d days, local.retention.ms below it and segment.bytes of at least %d MiB",
			k.b.Int("msk_ops.tiered.min_topic_retention_days"), k.b.Int("msk_ops.tiered.min_segment_mib")),
		"check topic configs with validate_config kind=kafka_topic before enabling")
	k.add("msk_change.tiered", rules.Info, "target.tiered_storage", "msk_ops.tiered.disable_policy",
		fmt.Sprintf("turning tiered storage off on a topic later (remote.log.msk.disable.policy=%s, remote.storage.enable=false) deletes its data in the tiered storage", guidanceString(k.b, "msk_ops.tiered.disable_policy")),
		"keep retention on the local tier long enough before disabling, or copy the data first")
}

func (k *check) kraft() {
	cur, tgt := k.c.Current, k.c.Target
	if !strings.EqualFold(tgt.MetadataMode, "kraft") || k.kraftMode(cur) {
		return
	}
	k.mark("msk_change.kraft")
	ref := "msk_ops.kraft.migration_kafka_version"
	want := guidanceString(k.b, ref)
	var missing []string
	if v, ok := parseVersion(cur.KafkaVersion); !ok || !v.sameMinor(mustVersion(want)) {
		missing = append(missing, fmt.Sprintf("Kafka %s.x in ZooKeeper mode (now %s)", trimPatch(want), orUnknown(cur.KafkaVersion)))
	}
	if az := k.azCount(); az != k.b.Int("msk_ops.kraft.migration_az_count") {
		missing = append(missing, fmt.Sprintf("%d Availability Zones (now %s)", k.b.Int("msk_ops.kraft.migration_az_count"), orUnknown(itoa(az))))
	}
	if family(cur.InstanceType) == "kafka.t3" {
		missing = append(missing, "not kafka.t3.small")
	}
	if cur.DynamicAdvertisedListeners {
		missing = append(missing, "no dynamically set advertised.listeners (a custom-domain NLB setup must be removed first)")
	}
	if len(missing) > 0 {
		k.add("msk_change.kraft", rules.Error, "target.metadata_mode", ref, "an in-place ZooKeeper-to-KRaft migration needs: "+strings.Join(missing, "; "),
			fmt.Sprintf("meet those first, or create a new cluster on %s.x.kraft or later and migrate with MSK Replicator", trimPatch(guidanceString(k.b, "msk_ops.kraft.min_kafka_version"))))
		return
	}
	k.add("msk_change.kraft", rules.Info, "target.metadata_mode", ref,
		"in-place migration to KRaft is possible (UpdateClusterKafkaVersion); the cluster stays available and MSK decommissions ZooKeeper",
		"disable ZooKeeper access (UpdateConnectivity ZookeeperAccess.Enabled=false) and switch every tool from --zookeeper to --bootstrap-server first")
}

func guidanceString(b *guidance.Base, id string) string {
	l, ok := b.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("mskops: unknown guidance id %q", id))
	}
	return fmt.Sprint(l.Value)
}

func mustVersion(s string) version {
	v, _ := parseVersion(s)
	return v
}

func orUnknown(s string) string {
	if s == "" || s == "0" {
		return "unknown"
	}
	return s
}

func itoa(n int) string { return fmt.Sprint(n) }
