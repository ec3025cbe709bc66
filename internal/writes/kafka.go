package writes

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

// remoteTimeout bounds one round of admin requests (STYLE.md rule 26: 15s, as
// kadm's own request timeout).
const remoteTimeout = 15 * time.Second

// ConfigValue is one topic config with where its value comes from.
type ConfigValue struct {
	Name   string `json:"name" jsonschema_description:"config name, e.g. retention.ms"`
	Value  string `json:"value" jsonschema_description:"effective value (empty when unset or sensitive)"`
	Source string `json:"source" jsonschema_description:"where the value comes from: DYNAMIC_TOPIC_CONFIG (topic override), DYNAMIC_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, ..."`
}

// TopicState is a topic read back after a change.
type TopicState struct {
	Topic             string        `json:"topic" jsonschema_description:"topic name"`
	Partitions        int           `json:"partitions" jsonschema_description:"partition count"`
	ReplicationFactor int           `json:"replication_factor" jsonschema_description:"replicas per partition (of partition 0)"`
	Configs           []ConfigValue `json:"configs,omitempty" jsonschema_description:"the configs the change touched, with their source"`
}

// PartitionOffset is one committed offset read back.
type PartitionOffset struct {
	Partition int32 `json:"partition" jsonschema_description:"partition number"`
	Offset    int64 `json:"offset" jsonschema_description:"committed offset (-1: none)"`
}

// GroupOffsets is a group's committed offsets on one topic, read back.
type GroupOffsets struct {
	GroupID string            `json:"group_id" jsonschema_description:"consumer group"`
	Topic   string            `json:"topic" jsonschema_description:"topic"`
	Offsets []PartitionOffset `json:"offsets" jsonschema_description:"committed offset per partition"`
}

// KafkaResult is the read-back of any kafka_admin action: the topic for topic
// actions, the group's offsets for reset_group_offsets.
type KafkaResult struct {
	Topic *TopicState   `json:"topic,omitempty" jsonschema_description:"the topic after the change"`
	Group *GroupOffsets `json:"group,omitempty" jsonschema_description:"the group's committed offsets after the reset"`
}

func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, remoteTimeout)
}

// brokerErr renders a Kafka error code with its broker message.
func brokerErr(err error, msg string) string {
	s := err.Error()
	if msg != "" && !strings.Contains(s, msg) {
		s += ": " + msg
	}
	return s
}

// describeTopic returns the topic's metadata, or ok=false when it does not
// exist.
func describeTopic(ctx context.Context, adm *kadm.Client, topic string) (kadm.TopicDetail, bool, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	// Asking for authorized operations makes kadm bypass kgo's metadata
	// cache (kept for MetadataMinAge, 5s by default): plans, drift checks
	// and read-backs must see the broker's current answer, not a cached
	// "unknown topic" from a moment ago. It needs no extra permission.
	tds, err := adm.ListTopics(kadm.WithAuthorizedOps(ctx), topic)
	if err != nil {
		return kadm.TopicDetail{}, false, fmt.Errorf("list topic %q: %w", topic, err)
	}
	td, ok := tds[topic]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return kadm.TopicDetail{}, false, nil
	}
	if td.Err != nil {
		if errors.Is(td.Err, kerr.TopicAuthorizationFailed) {
			return kadm.TopicDetail{}, false, confirm.Refuse("not authorized to describe topic %q (%v); the principal needs DESCRIBE on the topic (kafka-cluster:DescribeTopic for MSK IAM)", topic, td.Err)
		}
		return kadm.TopicDetail{}, false, fmt.Errorf("topic %q: %w", topic, td.Err)
	}
	return td, true, nil
}

func replicationFactor(td kadm.TopicDetail) int {
	if p, ok := td.Partitions[0]; ok {
		return len(p.Replicas)
	}
	return 0
}

// topicConfigs returns the named configs of a topic (all when names is empty).
func topicConfigs(ctx context.Context, adm *kadm.Client, topic string, names []string) (map[string]kadm.Config, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("describe configs of %q: %w", topic, err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil {
		return nil, fmt.Errorf("describe configs of %q: %w", topic, err)
	}
	if rc.Err != nil {
		return nil, fmt.Errorf("describe configs of %q: %s", topic, brokerErr(rc.Err, rc.ErrMessage))
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]kadm.Config{}
	for _, c := range rc.Configs {
		if len(want) == 0 || want[c.Key] {
			out[c.Key] = c
		}
	}
	return out, nil
}

func configValue(c kadm.Config) ConfigValue {
	v := c.MaybeValue()
	if c.Sensitive {
		v = ""
	}
	return ConfigValue{Name: c.Key, Value: v, Source: c.Source.String()}
}

// readBackAttempts and readBackPause bound how long a read-back waits for
// metadata to catch up with a change: brokers publish a new topic or
// partition count asynchronously, so the first read can still see the old
// state.
const (
	readBackAttempts = 20
	readBackPause    = 100 * time.Millisecond
)

// readTopic reads a topic back after a change, waiting (bounded) until its
// metadata shows at least minPartitions partitions. Callers mark its error
// with confirm.ReadBackFailed: the change itself was made.
func readTopic(ctx context.Context, adm *kadm.Client, topic string, configNames []string, minPartitions int) (TopicState, error) {
	var td kadm.TopicDetail
	for attempt := 1; ; attempt++ {
		d, ok, err := describeTopic(ctx, adm, topic)
		if err != nil {
			return TopicState{}, err
		}
		if ok && len(d.Partitions) >= minPartitions {
			td = d
			break
		}
		if attempt == readBackAttempts {
			return TopicState{}, fmt.Errorf("topic %q did not show the change in metadata after %d reads; check with kafka_inspect what=topic", topic, attempt)
		}
		select {
		case <-ctx.Done():
			return TopicState{}, fmt.Errorf("read back topic %q: %w", topic, ctx.Err())
		case <-time.After(readBackPause):
		}
	}
	st := TopicState{Topic: topic, Partitions: len(td.Partitions), ReplicationFactor: replicationFactor(td)}
	if len(configNames) > 0 {
		cs, err := topicConfigs(ctx, adm, topic, configNames)
		if err != nil {
			return TopicState{}, err
		}
		for _, n := range configNames {
			if c, ok := cs[n]; ok {
				st.Configs = append(st.Configs, configValue(c))
			}
		}
	}
	return st, nil
}

// TopicCreate asks for a new topic.
type TopicCreate struct {
	Topic             string
	Partitions        int32 // -1: broker default
	ReplicationFactor int16 // -1: broker default
	Configs           map[string]string
}

func (r TopicCreate) configPtrs() map[string]*string {
	if len(r.Configs) == 0 {
		return nil
	}
	m := make(map[string]*string, len(r.Configs))
	for k, v := range r.Configs {
		m[k] = kadm.StringPtr(v)
	}
	return m
}

// PlanCreateTopic checks the topic does not exist and has the broker validate
// the request (CreateTopics with validate_only), then describes it. The
// fingerprint is the topic's absence: if someone creates it meanwhile, the
// confirmation is refused.
func PlanCreateTopic(ctx context.Context, adm *kadm.Client, r TopicCreate) (confirm.Plan, string, error) {
	if _, exists, err := describeTopic(ctx, adm, r.Topic); err != nil {
		return confirm.Plan{}, "", err
	} else if exists {
		return confirm.Plan{}, "", confirm.Refuse("topic %q already exists; use action alter_topic_config or add_partitions to change it", r.Topic)
	}
	vctx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.ValidateCreateTopics(vctx, r.Partitions, r.ReplicationFactor, r.configPtrs(), r.Topic)
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("validate create of %q: %w", r.Topic, err)
	}
	v, ok := resp[r.Topic]
	if !ok {
		return confirm.Plan{}, "", fmt.Errorf("validate create of %q: no answer for the topic", r.Topic)
	}
	if v.Err != nil {
		return confirm.Plan{}, "", confirm.Refuse("the broker rejected creating topic %q (validate-only, nothing created): %s; fix the partitions, replication_factor or configs and call again", r.Topic, brokerErr(v.Err, v.ErrMessage))
	}
	// The validate-only answer carries what the broker would create,
	// including the defaults it fills in.
	parts, rf := v.NumPartitions, v.ReplicationFactor
	p := confirm.Plan{
		Summary: fmt.Sprintf("create topic %s with %d partitions, replication factor %d", r.Topic, parts, rf),
		Target:  r.Topic,
		Changes: []confirm.Change{
			{Field: "topic", Current: nil, Desired: r.Topic, Note: "validated by the broker (validate-only create)"},
			{Field: "partitions", Current: nil, Desired: parts, Note: defaultNote(r.Partitions < 0)},
			{Field: "replication_factor", Current: nil, Desired: rf, Note: defaultNote(r.ReplicationFactor < 0)},
		},
		Untouched: []string{"other topics", "ACLs: producers and consumers still need WRITE/READ on the new topic"},
	}
	for _, k := range slices.Sorted(maps.Keys(r.Configs)) {
		p.Changes = append(p.Changes, confirm.Change{Field: "config " + k, Current: nil, Desired: r.Configs[k], Note: "topic override"})
	}
	if rf == 1 {
		p.Risks = append(p.Risks, "replication factor 1: one broker failure makes partitions unavailable, and a lost disk loses their data")
	}
	if mis, ok := r.Configs["min.insync.replicas"]; ok {
		if n, err := strconv.Atoi(mis); err == nil && rf > 0 && n >= int(rf) {
			p.Risks = append(p.Risks, fmt.Sprintf("min.insync.replicas=%d with replication factor %d: producers using acks=all fail whenever any replica is down", n, rf))
		}
	}
	return p, "absent:" + r.Topic, nil
}

func defaultNote(isDefault bool) string {
	if isDefault {
		return "broker default"
	}
	return ""
}

// ApplyCreateTopic creates the topic and reads it back.
func ApplyCreateTopic(ctx context.Context, adm *kadm.Client, r TopicCreate) (KafkaResult, error) {
	cctx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.CreateTopic(cctx, r.Partitions, r.ReplicationFactor, r.configPtrs(), r.Topic)
	if err != nil {
		return KafkaResult{}, fmt.Errorf("create topic %q: %s", r.Topic, brokerErr(err, resp.ErrMessage))
	}
	st, err := readTopic(ctx, adm, r.Topic, slices.Sorted(maps.Keys(r.Configs)), max(1, int(r.Partitions)))
	if err != nil {
		return KafkaResult{}, confirm.ReadBackFailed(err)
	}
	return KafkaResult{Topic: &st}, nil
}

// TopicConfigAlter sets and/or deletes (reverts to default) topic configs
// incrementally; configs not named are left alone.
type TopicConfigAlter struct {
	Topic  string
	Set    map[string]string
	Delete []string
	// AllowDestructive admits changes that delete data or block producers
	// (see destroys); without it the plan refuses them.
	AllowDestructive bool
}

// destroys says why a config change deletes data or blocks producers, or
// "" when it does neither: a retention shrink deletes records slow
// consumers have not read, a cleanup policy that starts deleting drops old
// records a compacted topic kept, smaller segments roll and expire sooner,
// and a higher min.insync.replicas makes acks=all producers fail when a
// replica is down. A current value that cannot be read counts as the worst
// case (a limit set where the old one is unknown may be a shrink).
func destroys(name, old, desired string) string {
	num := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return n, err == nil
	}
	switch name {
	case "retention.ms", "retention.bytes":
		n, okN := num(desired)
		o, okO := num(old)
		if okN && n < 0 {
			return "" // unlimited
		}
		if !okN || !okO || o < 0 || n < o {
			return fmt.Sprintf("%s %s -> %s shrinks retention: records past the new limit are deleted, read or not", name, orUnknown(old), desired)
		}
	case "segment.bytes":
		n, okN := num(desired)
		o, okO := num(old)
		if !okN || !okO || n < o {
			return fmt.Sprintf("segment.bytes %s -> %s: smaller segments roll sooner and become eligible for deletion sooner", orUnknown(old), desired)
		}
	case "cleanup.policy":
		if strings.Contains(desired, "delete") && !strings.Contains(old, "delete") {
			return fmt.Sprintf("cleanup.policy %s -> %s: records a compacted topic kept are deleted by time and size retention", orUnknown(old), desired)
		}
	case "min.insync.replicas":
		n, okN := num(desired)
		o, okO := num(old)
		if !okN || !okO || n > o {
			return fmt.Sprintf("min.insync.replicas %s -> %s: acks=all producers are refused whenever fewer replicas are in sync", orUnknown(old), desired)
		}
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func (r TopicConfigAlter) ops() []kadm.AlterConfig {
	var ops []kadm.AlterConfig
	for _, k := range slices.Sorted(maps.Keys(r.Set)) {
		ops = append(ops, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kadm.StringPtr(r.Set[k])})
	}
	for _, k := range r.Delete {
		ops = append(ops, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
	}
	return ops
}

func (r TopicConfigAlter) names() []string {
	ns := slices.Sorted(maps.Keys(r.Set))
	ns = append(ns, r.Delete...)
	sort.Strings(ns)
	return ns
}

// PlanAlterTopicConfig reads the current values and their sources, has the
// broker validate the incremental alter (validate_only), and lists old and
// new values. The fingerprint is the current value and source of every
// touched config.
func PlanAlterTopicConfig(ctx context.Context, adm *kadm.Client, r TopicConfigAlter) (confirm.Plan, string, error) {
	if len(r.Set) == 0 && len(r.Delete) == 0 {
		return confirm.Plan{}, "", confirm.Refuse("alter_topic_config needs configs (to set) or delete_configs (to revert to the default)")
	}
	for _, k := range r.Delete {
		if _, both := r.Set[k]; both {
			return confirm.Plan{}, "", confirm.Refuse("config %q is both in configs and delete_configs; name it once", k)
		}
	}
	td, ok, err := describeTopic(ctx, adm, r.Topic)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	if !ok {
		return confirm.Plan{}, "", confirm.Refuse("topic %q not found; call kafka_inspect with what=topics for the names, or use action create_topic", r.Topic)
	}
	cur, err := topicConfigs(ctx, adm, r.Topic, nil)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	vctx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.ValidateAlterTopicConfigs(vctx, r.ops(), r.Topic)
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("validate alter of %q: %w", r.Topic, err)
	}
	for _, a := range resp {
		if a.Err != nil {
			return confirm.Plan{}, "", confirm.Refuse("the broker rejected the config change on %q (validate-only, nothing changed): %s; correct the names or values and call again", r.Topic, brokerErr(a.Err, a.ErrMessage))
		}
	}
	p := confirm.Plan{
		Target:    r.Topic,
		Untouched: []string{"configs not named in the request keep their current values (incremental alter)", "partitions and data"},
	}
	var fp []string
	var destructive []string
	changed := 0
	for _, n := range r.names() {
		c, known := cur[n]
		old := ConfigValue{Name: n, Source: "UNKNOWN"}
		if known {
			old = configValue(c)
		}
		fp = append(fp, fmt.Sprintf("%s=%s@%s", n, old.Value, old.Source))
		var cv any
		if known && !c.Sensitive {
			cv = old.Value
		}
		if v, set := r.Set[n]; set {
			note := "now from " + old.Source + "; after: topic override"
			if known && old.Value == v && old.Source == "DYNAMIC_TOPIC_CONFIG" {
				note = "already set as a topic override: no change"
			} else {
				changed++
			}
			p.Changes = append(p.Changes, confirm.Change{Field: n, Current: cv, Desired: v, Note: note})
			p.Risks = append(p.Risks, configRisks(n, old.Value, v, replicationFactor(td))...)
			if why := destroys(n, old.Value, v); why != "" && note != "already set as a topic override: no change" {
				destructive = append(destructive, why)
			}
			continue
		}
		// delete: the override goes, the broker/default value applies.
		def := inherited(c)
		note := "override removed; the value falls back to " + def.Source
		if old.Source != "DYNAMIC_TOPIC_CONFIG" {
			note = "no topic override to remove: no change"
		} else {
			changed++
		}
		p.Changes = append(p.Changes, confirm.Change{Field: n, Current: cv, Desired: def.Value, Note: note})
		p.Risks = append(p.Risks, configRisks(n, old.Value, def.Value, replicationFactor(td))...)
		if why := destroys(n, old.Value, def.Value); why != "" && old.Source == "DYNAMIC_TOPIC_CONFIG" {
			destructive = append(destructive, why)
		}
	}
	if len(destructive) > 0 && !r.AllowDestructive {
		return confirm.Plan{}, "", confirm.Refuse("this change is destructive and the server runs without --allow-destructive: %s. Restart it with --allow-write --allow-destructive to plan it (it still needs confirmation), or choose values that keep the data", strings.Join(destructive, "; "))
	}
	for _, why := range destructive {
		p.Risks = append(p.Risks, "destructive: "+why)
	}
	p.NoChange = changed == 0
	p.Summary = fmt.Sprintf("alter %d config(s) of topic %s (incremental, validated by the broker)", changed, r.Topic)
	return p, strings.Join(fp, ";"), nil
}

// inherited is the value a config falls back to when its topic override is
// removed: the first synonym that is not the topic override itself.
func inherited(c kadm.Config) ConfigValue {
	for _, s := range c.Synonyms {
		if s.Source.String() != "DYNAMIC_TOPIC_CONFIG" {
			v := ""
			if s.Value != nil {
				v = *s.Value
			}
			return ConfigValue{Name: c.Key, Value: v, Source: s.Source.String()}
		}
	}
	return ConfigValue{Name: c.Key, Value: "", Source: "DEFAULT_CONFIG (value not reported by the broker)"}
}

// configRisks judges a few configs whose change loses data or availability.
func configRisks(name, old, desired string, rf int) []string {
	var out []string
	switch name {
	case "retention.ms", "retention.bytes":
		o, e1 := strconv.ParseInt(old, 10, 64)
		n, e2 := strconv.ParseInt(desired, 10, 64)
		// -1 means unlimited for both.
		if e1 == nil && e2 == nil && n >= 0 && (o < 0 || n < o) {
			out = append(out, fmt.Sprintf("%s shrinks from %s to %s: records beyond the new limit become eligible for deletion at the next log cleanup, including ones slow consumers have not read yet", name, old, desired))
		}
	case "cleanup.policy":
		if strings.Contains(desired, "compact") && !strings.Contains(old, "compact") {
			out = append(out, "switching to compaction keeps only the latest record per key: records without a key are rejected by producers once compaction applies")
		}
		if strings.Contains(old, "compact") && !strings.Contains(desired, "compact") {
			out = append(out, "leaving compaction: old records are deleted by time/size retention instead of kept per key")
		}
	case "min.insync.replicas":
		if n, err := strconv.Atoi(desired); err == nil && rf > 0 && n >= rf {
			out = append(out, fmt.Sprintf("min.insync.replicas=%d with replication factor %d: producers using acks=all fail whenever any replica is down", n, rf))
		}
	}
	return out
}

// ApplyAlterTopicConfig applies the incremental alter and reads the touched
// configs back.
func ApplyAlterTopicConfig(ctx context.Context, adm *kadm.Client, r TopicConfigAlter) (KafkaResult, error) {
	actx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.AlterTopicConfigs(actx, r.ops(), r.Topic)
	if err != nil {
		return KafkaResult{}, fmt.Errorf("alter configs of %q: %w", r.Topic, err)
	}
	for _, a := range resp {
		if a.Err != nil {
			return KafkaResult{}, fmt.Errorf("alter configs of %q: %s", r.Topic, brokerErr(a.Err, a.ErrMessage))
		}
	}
	st, err := readTopic(ctx, adm, r.Topic, r.names(), 1)
	if err != nil {
		return KafkaResult{}, confirm.ReadBackFailed(err)
	}
	return KafkaResult{Topic: &st}, nil
}

// PartitionsAdd raises a topic's partition count to Total.
type PartitionsAdd struct {
	Topic string
	Total int
}

// KeysRemappedFraction is the share of keys that land on another partition
// when a topic goes from m to n partitions under a hash-mod partitioner
// (Kafka's default murmur2 partitioner, assuming uniformly spread hashes): a
// hash h stays put iff h mod m == h mod n, which by the Chinese remainder
// theorem holds for min(m,n) residues out of every lcm(m,n).
func KeysRemappedFraction(m, n int) float64 {
	if m <= 0 || n <= 0 {
		return 0
	}
	return 1 - float64(min(m, n))/float64(lcm(m, n))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int { return a / gcd(a, b) * b }

// PlanAddPartitions checks the new total exceeds the current count, has the
// broker validate it (CreatePartitions with validate_only), and warns about
// key ordering. The fingerprint is the current partition count.
func PlanAddPartitions(ctx context.Context, adm *kadm.Client, r PartitionsAdd) (confirm.Plan, string, error) {
	td, ok, err := describeTopic(ctx, adm, r.Topic)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	if !ok {
		return confirm.Plan{}, "", confirm.Refuse("topic %q not found; call kafka_inspect with what=topics for the names", r.Topic)
	}
	cur := len(td.Partitions)
	switch {
	case r.Total == cur:
		return confirm.Plan{Summary: fmt.Sprintf("topic %s already has %d partitions", r.Topic, cur), Target: r.Topic, Changes: []confirm.Change{}, NoChange: true}, strconv.Itoa(cur), nil
	case r.Total < cur:
		return confirm.Plan{}, "", confirm.Refuse("topic %q has %d partitions and Kafka cannot remove partitions; send partitions greater than %d, or create a new topic with fewer partitions and migrate", r.Topic, cur, cur)
	}
	vctx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.ValidateUpdatePartitions(vctx, r.Total, r.Topic)
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("validate partitions of %q: %w", r.Topic, err)
	}
	if v, ok := resp[r.Topic]; ok && v.Err != nil {
		return confirm.Plan{}, "", confirm.Refuse("the broker rejected %d partitions for %q (validate-only, nothing changed): %s", r.Total, r.Topic, brokerErr(v.Err, v.ErrMessage))
	}
	moved := KeysRemappedFraction(cur, r.Total)
	p := confirm.Plan{
		Summary: fmt.Sprintf("add %d partitions to topic %s (%d -> %d)", r.Total-cur, r.Topic, cur, r.Total),
		Target:  r.Topic,
		Changes: []confirm.Change{{Field: "partitions", Current: cur, Desired: r.Total, Note: "validated by the broker (validate-only)"}},
		Risks: []string{
			fmt.Sprintf("key ordering: with the default hash partitioner about %.0f%% of keys map to a different partition afterwards; a key's new records can be consumed before its older ones still waiting in the old partition, so per-key ordering breaks across the change", moved*100),
			"partitions cannot be removed again",
			"consumer groups rebalance to pick up the new partitions; a Lambda ESM picks them up on its own but new partitions start from the group's auto.offset.reset / StartingPosition",
		},
		Untouched: []string{"existing records stay in their partitions", "topic configs"},
	}
	return p, strconv.Itoa(cur), nil
}

// ApplyAddPartitions raises the partition count and reads the topic back.
func ApplyAddPartitions(ctx context.Context, adm *kadm.Client, r PartitionsAdd) (KafkaResult, error) {
	actx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.UpdatePartitions(actx, r.Total, r.Topic)
	if err != nil {
		return KafkaResult{}, fmt.Errorf("add partitions to %q: %w", r.Topic, err)
	}
	if v, ok := resp[r.Topic]; ok && v.Err != nil {
		return KafkaResult{}, fmt.Errorf("add partitions to %q: %s", r.Topic, brokerErr(v.Err, v.ErrMessage))
	}
	st, err := readTopic(ctx, adm, r.Topic, nil, r.Total)
	if err != nil {
		return KafkaResult{}, confirm.ReadBackFailed(err)
	}
	return KafkaResult{Topic: &st}, nil
}
