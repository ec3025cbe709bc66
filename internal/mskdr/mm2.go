// Package mskdr covers replication, migration and disaster recovery for
// Kafka and Kinesis: MirrorMaker 2 and MSK Replicator configurations
// checked against cited rules, and guidance (esm_guidance's shape) for MSK
// Replicator, MirrorMaker 2 and Kinesis cross-Region designs with RPO/RTO
// and failover/failback runbooks. Every number comes from guidance/limits
// (msk_dr.*, msk.*).
package mskdr

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// MM2Context is what the MirrorMaker 2 rules can cross-check.
type MM2Context struct {
	// Partitions is the number of source partitions replicated.
	Partitions int
	// TargetBrokers is the target cluster's broker count.
	TargetBrokers int
}

// flowSides is source and target of a flow "A->B".
const flowSides = 2 // unit conversion (two ends of a flow)

// flowKey matches a per-flow prefix such as "A->B.".
var flowKey = regexp.MustCompile(`^[A-Za-z0-9_-]+->[A-Za-z0-9_-]+\..+$`)

// mm2Config is the flattened properties: global keys and, per flow, the
// keys after the "A->B." prefix (a flow key wins over the global one).
type mm2Config struct {
	global map[string]string
	flows  map[string]map[string]string // "A->B" -> key -> value
}

func flatten(config map[string]any) mm2Config {
	c := mm2Config{global: map[string]string{}, flows: map[string]map[string]string{}}
	for k, v := range config {
		s := fmt.Sprint(v)
		if src, rest, ok := strings.Cut(k, "->"); ok && flowKey.MatchString(k) {
			if tgt, key, ok := strings.Cut(rest, "."); ok {
				f := src + "->" + tgt
				if c.flows[f] == nil {
					c.flows[f] = map[string]string{}
				}
				c.flows[f][key] = s
				continue
			}
		}
		c.global[k] = s
	}
	return c
}

// get returns a flow's value for key, else the global one.
func (c mm2Config) get(flow, key string) (string, bool) {
	if v, ok := c.flows[flow][key]; ok {
		return v, true
	}
	v, ok := c.global[key]
	return v, ok
}

// enabledFlows are the flows with enabled=true (mm2.properties), or the
// single implicit flow of a connector config.
func (c mm2Config) enabledFlows() []string {
	var out []string
	for f, kv := range c.flows {
		if strings.EqualFold(kv["enabled"], "true") {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		src, tgt := c.global["source.cluster.alias"], c.global["target.cluster.alias"]
		if src == "" {
			src = "source"
		}
		if tgt == "" {
			tgt = "target"
		}
		out = []string{src + "->" + tgt}
	}
	return out
}

// MM2RuleIDs lists the rules ValidateMirrorMaker2 can report.
func MM2RuleIDs() []string {
	return []string{"mm2.replication_policy", "mm2.replication_loop", "mm2.offset_sync", "mm2.checkpoints", "mm2.tasks", "mm2.internal_topic_rf", "mm2.replication_factor", "mm2.offset_translation"}
}

// ValidateMirrorMaker2 checks MirrorMaker 2 properties (mm2.properties with
// A->B. prefixes, or a MirrorSource/MirrorCheckpoint connector config).
func ValidateMirrorMaker2(config map[string]any, ctx MM2Context, b *guidance.Base) []rules.Violation {
	c := flatten(config)
	var out []rules.Violation
	add := func(id string, sev rules.Severity, field, ref, msg, fix string) {
		out = append(out, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: b.Source(ref)})
	}
	identity := str(b, "msk_dr.mm2.identity_replication_policy")
	flows := c.enabledFlows()
	identityFlows := map[string]bool{}
	for _, f := range flows {
		pol, _ := c.get(f, "replication.policy.class")
		if pol == identity {
			identityFlows[f] = true
			continue
		}
		src := strings.SplitN(f, "->", flowSides)[0]
		add("mm2.replication_policy", rules.Info, field(f, "replication.policy.class"), "msk_dr.mm2.default_replication_policy",
			fmt.Sprintf("flow %s uses %s: remote topics are renamed %s.<topic>, so consumers and producers must switch topic names on failover", f, orDefault(pol, "the default policy"), src),
			fmt.Sprintf("for a migration or active-passive DR with unchanged names set replication.policy.class=%s (one direction only)", identity))
	}
	for _, f := range flows {
		parts := strings.SplitN(f, "->", flowSides)
		rev := parts[1] + "->" + parts[0]
		if identityFlows[f] && identityFlows[rev] && f < rev {
			add("mm2.replication_loop", rules.Error, field(f, "replication.policy.class"), "msk_dr.mm2.identity_replication_policy",
				fmt.Sprintf("flows %s and %s both use IdentityReplicationPolicy: it cannot tell a replicated record from a local one, so records loop between the clusters", f, rev),
				"keep DefaultReplicationPolicy (prefixed names) for active-active, or replicate in one direction only; MSK Replicator's identical-name mode avoids loops with a header")
		}
	}
	sec := b.Int("msk_dr.mm2.emit_checkpoints_interval_seconds")
	for _, f := range flows {
		emit, _ := c.get(f, "emit.checkpoints.enabled")
		sync, set := c.get(f, "sync.group.offsets.enabled")
		switch {
		case strings.EqualFold(emit, "false") && strings.EqualFold(sync, "true"):
			add("mm2.checkpoints", rules.Error, field(f, "emit.checkpoints.enabled"), "msk_dr.mm2.sync_group_offsets_default",
				"sync.group.offsets.enabled=true needs checkpoints, but emit.checkpoints.enabled=false", "set emit.checkpoints.enabled=true")
		case !strings.EqualFold(sync, "true"):
			why := "it defaults to false"
			if set {
				why = "it is false"
			}
			add("mm2.offset_sync", rules.Warning, field(f, "sync.group.offsets.enabled"), "msk_dr.mm2.sync_group_offsets_default",
				fmt.Sprintf("flow %s does not write consumer offsets to the target (sync.group.offsets.enabled: %s): after failover, consumers start from auto.offset.reset (all data again, or only new data)", f, why),
				"set sync.group.offsets.enabled=true (needs Kafka 2.7+ MM2) and keep consumers of those groups inactive on the target until failover")
		default:
			iv := sec
			if v, ok := c.get(f, "sync.group.offsets.interval.seconds"); ok {
				if n, err := strconv.Atoi(v); err == nil {
					iv = n
				}
			}
			add("mm2.offset_translation", rules.Info, field(f, "sync.group.offsets.interval.seconds"), "msk_dr.mm2.emit_checkpoints_interval_seconds",
				fmt.Sprintf("offsets are translated, not copied: target offsets differ from the source (expected) and trail it by up to %ds plus offset.lag.max, so consumers reprocess some records after failover", iv),
				fmt.Sprintf("make consumers idempotent; check per group that the translated offset is at or just before the expected position before switching; groups matching groups.exclude (default %s) are never synced", str(b, "msk_dr.mm2.groups_exclude_default")))
		}
	}
	tasks, hasTasks := intOf(c.global["tasks.max"])
	switch {
	case hasTasks && ctx.Partitions > 0 && tasks > ctx.Partitions:
		add("mm2.tasks", rules.Warning, "tasks.max", "msk_dr.mm2.migration_node_group_size",
			fmt.Sprintf("tasks.max=%d exceeds the %d source partitions: MirrorSourceConnector assigns partitions to tasks, so %d tasks stay idle", tasks, ctx.Partitions, tasks-ctx.Partitions),
			fmt.Sprintf("set tasks.max to at most %d", ctx.Partitions))
	case !hasTasks && ctx.Partitions > 1:
		add("mm2.tasks", rules.Warning, "tasks.max", "msk_dr.mm2.migration_node_group_size",
			fmt.Sprintf("tasks.max is unset (Kafka Connect's default of a single task): one task copies all %d partitions, which caps replication throughput", ctx.Partitions),
			"raise tasks.max toward the partition count and spread tasks over workers; a replication backlog that stays high needs more tasks or workers")
	}
	rf := b.Int("msk_dr.mm2.internal_topic_replication_factor")
	if ctx.TargetBrokers > 0 && ctx.TargetBrokers < rf {
		for _, k := range []string{"checkpoints.topic.replication.factor", "offset-syncs.topic.replication.factor", "heartbeats.topic.replication.factor"} {
			if v, ok := intOf(c.global[k]); !ok || v > ctx.TargetBrokers {
				add("mm2.internal_topic_rf", rules.Error, k, "msk_dr.mm2.internal_topic_replication_factor",
					fmt.Sprintf("%s defaults to %d but the target has %d brokers: MM2 cannot create the topic", k, rf, ctx.TargetBrokers),
					fmt.Sprintf("set %s=%d", k, ctx.TargetBrokers))
			}
		}
	}
	if _, ok := c.global["replication.factor"]; !ok {
		add("mm2.replication_factor", rules.Warning, "replication.factor", "msk_dr.mm2.replication_factor_default",
			fmt.Sprintf("replication.factor is unset, so MM2 creates target topics with replication factor %d", b.Int("msk_dr.mm2.replication_factor_default")),
			fmt.Sprintf("set replication.factor=%d for a 3-AZ target", b.Int("msk.config.replication_factor.recommended")))
	}
	return out
}

func field(flow, key string) string {
	if flow == "" || !strings.Contains(flow, "->") {
		return key
	}
	return flow + "." + key
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func intOf(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

func str(b *guidance.Base, id string) string {
	l, ok := b.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("mskdr: unknown guidance id %q", id))
	}
	return fmt.Sprint(l.Value)
}
