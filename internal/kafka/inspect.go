package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TP names one partition.
type TP struct {
	Topic     string `json:"topic" jsonschema_description:"topic name"`
	Partition int32  `json:"partition" jsonschema_description:"partition number"`
}

// BrokerInfo is one broker with its load.
type BrokerInfo struct {
	ID         int32  `json:"id" jsonschema_description:"broker node ID"`
	Host       string `json:"host" jsonschema_description:"advertised host"`
	Port       int32  `json:"port" jsonschema_description:"advertised port"`
	Rack       string `json:"rack,omitempty" jsonschema_description:"rack (the AZ ID on MSK)"`
	Controller bool   `json:"controller,omitempty" jsonschema_description:"this broker is the active controller"`
	Leaders    int    `json:"leaders" jsonschema_description:"partitions this broker leads"`
	Replicas   int    `json:"replicas" jsonschema_description:"partition replicas this broker hosts"`
}

// Overview is cluster health at a glance.
type Overview struct {
	ClusterID  string       `json:"cluster_id" jsonschema_description:"Kafka cluster ID"`
	Controller int32        `json:"controller" jsonschema_description:"controller broker ID, -1 when unknown"`
	Brokers    []BrokerInfo `json:"brokers" jsonschema_description:"brokers with leader and replica counts"`
	Racks      int          `json:"racks" jsonschema_description:"distinct racks (AZs)"`
	Topics     int          `json:"topics" jsonschema_description:"topics, internal included"`
	Partitions int          `json:"partitions" jsonschema_description:"partitions across all topics"`
	// Counts and the first few partitions of each problem class.
	OfflineCount    int  `json:"offline_partitions" jsonschema_description:"partitions without a leader"`
	URPCount        int  `json:"under_replicated_partitions" jsonschema_description:"partitions whose ISR is smaller than the replica set"`
	UnderMinISR     int  `json:"under_min_isr_partitions" jsonschema_description:"partitions whose ISR is below the topic's min.insync.replicas (acks=all producers fail)"`
	Offline         []TP `json:"offline,omitempty" jsonschema_description:"first offline partitions"`
	UnderReplicated []TP `json:"under_replicated,omitempty" jsonschema_description:"first under-replicated partitions"`
	UnderMinISRList []TP `json:"under_min_isr,omitempty" jsonschema_description:"first under-min-ISR partitions"`
	// LeaderSkew is the most loaded broker's leader count over the mean.
	LeaderSkew float64  `json:"leader_skew" jsonschema_description:"max leaders per broker divided by the mean (1.0 = balanced)"`
	Warnings   []string `json:"warnings,omitempty" jsonschema_description:"what could not be read, and why"`
}

const listCap = 20 // problem partitions listed per class; counts are exact

// Overview reads metadata and topic configs (for min.insync.replicas).
// It returns an error only when metadata itself cannot be read.
func (c *Conn) Overview(ctx context.Context) (Overview, error) {
	m, err := c.Admin.Metadata(ctx)
	if err != nil {
		return Overview{}, fmt.Errorf("metadata: %w", err)
	}
	ov := Overview{ClusterID: m.Cluster, Controller: m.Controller, Topics: len(m.Topics)}
	idx := map[int32]int{}
	racks := map[string]bool{}
	for _, b := range m.Brokers {
		bi := BrokerInfo{ID: b.NodeID, Host: b.Host, Port: b.Port, Controller: b.NodeID == m.Controller}
		if b.Rack != nil {
			bi.Rack = *b.Rack
			racks[*b.Rack] = true
		}
		idx[b.NodeID] = len(ov.Brokers)
		ov.Brokers = append(ov.Brokers, bi)
	}
	ov.Racks = len(racks)
	minISR := c.minISR(ctx, m.Topics.Names(), &ov.Warnings)
	for _, name := range m.Topics.Names() {
		td := m.Topics[name]
		for _, p := range sortedParts(td.Partitions) {
			ov.Partitions++
			tp := TP{Topic: name, Partition: p.Partition}
			if p.Leader < 0 {
				ov.OfflineCount++
				if len(ov.Offline) < listCap {
					ov.Offline = append(ov.Offline, tp)
				}
			} else if i, ok := idx[p.Leader]; ok {
				ov.Brokers[i].Leaders++
			}
			for _, r := range p.Replicas {
				if i, ok := idx[r]; ok {
					ov.Brokers[i].Replicas++
				}
			}
			if len(p.ISR) < len(p.Replicas) {
				ov.URPCount++
				if len(ov.UnderReplicated) < listCap {
					ov.UnderReplicated = append(ov.UnderReplicated, tp)
				}
			}
			if mi, ok := minISR[name]; ok && len(p.ISR) < mi {
				ov.UnderMinISR++
				if len(ov.UnderMinISRList) < listCap {
					ov.UnderMinISRList = append(ov.UnderMinISRList, tp)
				}
			}
		}
	}
	if n := len(ov.Brokers); n > 0 {
		most, total := 0, 0
		for _, b := range ov.Brokers {
			total += b.Leaders
			most = max(most, b.Leaders)
		}
		if total > 0 {
			ov.LeaderSkew = float64(most) / (float64(total) / float64(n))
		}
	}
	return ov, nil
}

// minISR reads min.insync.replicas for the topics (one DescribeConfigs).
func (c *Conn) minISR(ctx context.Context, topics []string, warnings *[]string) map[string]int {
	out := map[string]int{}
	if len(topics) == 0 {
		return out
	}
	rcs, err := c.Admin.DescribeTopicConfigs(ctx, topics...)
	if err != nil {
		*warnings = append(*warnings, "topic configs not readable, under-min-ISR not judged: "+err.Error())
		return out
	}
	for _, rc := range rcs {
		for _, cf := range rc.Configs {
			if cf.Key == "min.insync.replicas" && cf.Value != nil {
				if n, err := strconv.Atoi(*cf.Value); err == nil {
					out[rc.Name] = n
				}
			}
		}
	}
	return out
}

func sortedParts(ps kadm.PartitionDetails) []kadm.PartitionDetail {
	out := make([]kadm.PartitionDetail, 0, len(ps))
	for _, p := range ps {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out
}

// TopicBrief is one line of the topic list.
type TopicBrief struct {
	Name              string `json:"name" jsonschema_description:"topic name"`
	Partitions        int    `json:"partitions" jsonschema_description:"partition count"`
	ReplicationFactor int    `json:"replication_factor" jsonschema_description:"replicas per partition"`
	Internal          bool   `json:"internal,omitempty" jsonschema_description:"Kafka-internal topic"`
	UnderReplicated   int    `json:"under_replicated,omitempty" jsonschema_description:"partitions with ISR < replicas"`
	Offline           int    `json:"offline,omitempty" jsonschema_description:"partitions without a leader"`
	Error             string `json:"error,omitempty" jsonschema_description:"why the topic could not be described"`
}

// Topics lists topics sorted by name.
func (c *Conn) Topics(ctx context.Context) ([]TopicBrief, error) {
	tds, err := c.Admin.ListTopicsWithInternal(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	out := make([]TopicBrief, 0, len(tds))
	for _, name := range tds.Names() {
		td := tds[name]
		if td.Err != nil && isUnknownTopic(td.Err) {
			continue // a name the client asked about earlier, not a topic
		}
		tb := TopicBrief{Name: name, Partitions: len(td.Partitions), Internal: td.IsInternal}
		if td.Err != nil {
			tb.Error = td.Err.Error()
		}
		for _, p := range td.Partitions {
			tb.ReplicationFactor = max(tb.ReplicationFactor, len(p.Replicas))
			if len(p.ISR) < len(p.Replicas) {
				tb.UnderReplicated++
			}
			if p.Leader < 0 {
				tb.Offline++
			}
		}
		out = append(out, tb)
	}
	return out, nil
}

// ConfigEntry is one topic config with its source.
type ConfigEntry struct {
	Name      string `json:"name" jsonschema_description:"config key"`
	Value     string `json:"value" jsonschema_description:"value; sensitive values are never shown"`
	Source    string `json:"source" jsonschema_description:"where it is set: DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG"`
	Default   bool   `json:"is_default" jsonschema_description:"true when nothing overrides the built-in default"`
	Sensitive bool   `json:"sensitive,omitempty" jsonschema_description:"value withheld"`
}

// PartitionInfo is one partition of a described topic.
type PartitionInfo struct {
	Partition int32   `json:"partition" jsonschema_description:"partition number"`
	Leader    int32   `json:"leader" jsonschema_description:"leader broker, -1 when offline"`
	Replicas  []int32 `json:"replicas" jsonschema_description:"replica brokers"`
	ISR       []int32 `json:"isr" jsonschema_description:"in-sync replicas"`
	LogStart  int64   `json:"log_start_offset" jsonschema_description:"earliest offset, -1 when not listed"`
	HWM       int64   `json:"high_watermark" jsonschema_description:"next offset to be written, -1 when not listed"`
	SizeBytes int64   `json:"size_bytes,omitempty" jsonschema_description:"leader replica size on disk, when log dirs are readable"`
}

// ACLEntry is one ACL that applies to the topic.
type ACLEntry struct {
	Principal  string `json:"principal" jsonschema_description:"e.g. User:alice"`
	Host       string `json:"host" jsonschema_description:"host or *"`
	Operation  string `json:"operation" jsonschema_description:"READ, WRITE, DESCRIBE, ..."`
	Permission string `json:"permission" jsonschema_description:"ALLOW or DENY"`
	Pattern    string `json:"pattern" jsonschema_description:"LITERAL or PREFIXED, with the resource name"`
}

// TopicDetail describes one topic.
type TopicDetail struct {
	Name              string          `json:"name" jsonschema_description:"topic name"`
	Partitions        int             `json:"partitions" jsonschema_description:"partition count"`
	ReplicationFactor int             `json:"replication_factor" jsonschema_description:"replicas per partition"`
	Records           int64           `json:"records_retained" jsonschema_description:"sum of high watermark minus log start (an upper bound under compaction)"`
	NonDefault        []ConfigEntry   `json:"non_default_configs" jsonschema_description:"configs set on the topic or the brokers, i.e. not the built-in default"`
	Configs           []ConfigEntry   `json:"configs,omitempty" jsonschema_description:"all configs (only with include_configs)"`
	PartitionList     []PartitionInfo `json:"partition_list" jsonschema_description:"partitions (paged)"`
	SizeSkew          *float64        `json:"size_skew,omitempty" jsonschema_description:"largest partition size over the mean, when log dirs were readable"`
	ACLs              []ACLEntry      `json:"acls,omitempty" jsonschema_description:"ACLs whose pattern matches this topic"`
	Warnings          []string        `json:"warnings,omitempty" jsonschema_description:"what could not be read, and why"`
}

// ErrTopicNotFound marks a missing topic.
var ErrTopicNotFound = fmt.Errorf("topic %w", ErrNotFound)

// Topic describes one topic: partitions, offsets, configs with source, log
// dir sizes and matching ACLs. Parts that cannot be read become warnings.
func (c *Conn) Topic(ctx context.Context, name string) (TopicDetail, error) {
	tds, err := c.Admin.ListTopicsWithInternal(ctx, name)
	if err != nil {
		return TopicDetail{}, fmt.Errorf("metadata: %w", err)
	}
	td, ok := tds[name]
	if !ok || td.Err != nil {
		if ok && td.Err != nil && !isUnknownTopic(td.Err) {
			return TopicDetail{}, fmt.Errorf("topic %q: %w", name, td.Err)
		}
		return TopicDetail{}, fmt.Errorf("%q: %w", name, ErrTopicNotFound)
	}
	out := TopicDetail{Name: name, Partitions: len(td.Partitions), NonDefault: []ConfigEntry{}}
	starts, serr := c.Admin.ListStartOffsets(ctx, name)
	ends, eerr := c.Admin.ListEndOffsets(ctx, name)
	if serr != nil || eerr != nil {
		out.Warnings = append(out.Warnings, fmt.Sprintf("offsets not listed: %v %v", serr, eerr))
	}
	sizes := map[int32]int64{}
	if ld, err := c.Admin.DescribeAllLogDirs(ctx, kadm.TopicsSet{name: {}}); err != nil {
		out.Warnings = append(out.Warnings, "log dirs not readable (partition sizes unknown): "+err.Error())
	} else {
		ld.Each(func(d kadm.DescribedLogDir) {
			d.Topics.Each(func(p kadm.DescribedLogDirPartition) {
				if p.Topic == name && td.Partitions[p.Partition].Leader == p.Broker {
					sizes[p.Partition] = p.Size
				}
			})
		})
	}
	var sizeTotal, sizeMax int64
	for _, p := range sortedParts(td.Partitions) {
		pi := PartitionInfo{Partition: p.Partition, Leader: p.Leader, Replicas: p.Replicas, ISR: p.ISR, LogStart: -1, HWM: -1, SizeBytes: sizes[p.Partition]}
		if o, ok := starts.Lookup(name, p.Partition); ok && o.Err == nil {
			pi.LogStart = o.Offset
		}
		if o, ok := ends.Lookup(name, p.Partition); ok && o.Err == nil {
			pi.HWM = o.Offset
		}
		if pi.LogStart >= 0 && pi.HWM >= pi.LogStart {
			out.Records += pi.HWM - pi.LogStart
		}
		out.ReplicationFactor = max(out.ReplicationFactor, len(p.Replicas))
		sizeTotal += pi.SizeBytes
		sizeMax = max(sizeMax, pi.SizeBytes)
		out.PartitionList = append(out.PartitionList, pi)
	}
	if len(sizes) > 0 && sizeTotal > 0 {
		skew := float64(sizeMax) / (float64(sizeTotal) / float64(len(out.PartitionList)))
		out.SizeSkew = &skew
	}
	rcs, err := c.Admin.DescribeTopicConfigs(ctx, name)
	if err != nil {
		out.Warnings = append(out.Warnings, "configs not readable: "+err.Error())
	}
	for _, rc := range rcs {
		for _, cf := range rc.Configs {
			ce := ConfigEntry{Name: cf.Key, Source: cf.Source.String(), Sensitive: cf.Sensitive,
				Default: cf.Source == kmsg.ConfigSourceDefaultConfig}
			if !cf.Sensitive {
				ce.Value = cf.MaybeValue()
			}
			out.Configs = append(out.Configs, ce)
			if !ce.Default {
				out.NonDefault = append(out.NonDefault, ce)
			}
		}
	}
	sort.Slice(out.Configs, func(i, j int) bool { return out.Configs[i].Name < out.Configs[j].Name })
	sort.Slice(out.NonDefault, func(i, j int) bool { return out.NonDefault[i].Name < out.NonDefault[j].Name })
	// List every topic ACL and match here: a MATCH filter is not
	// implemented alike by every broker, and this way literal, wildcard and
	// prefixed ACLs are judged the same everywhere.
	acls, err := c.Admin.DescribeACLs(ctx, kadm.NewACLs().Topics().ResourcePatternType(kadm.ACLPatternAny).
		Operations(kadm.OpAny).Allow().Deny().AllowHosts().DenyHosts())
	switch {
	case err != nil:
		out.Warnings = append(out.Warnings, "ACLs not readable: "+err.Error())
	default:
		for _, r := range acls {
			if r.Err != nil {
				out.Warnings = append(out.Warnings, "ACLs not readable: "+r.Err.Error())
				continue
			}
			for _, d := range r.Described {
				if !aclApplies(d.Pattern, d.Name, name) {
					continue
				}
				out.ACLs = append(out.ACLs, ACLEntry{Principal: d.Principal, Host: d.Host, Operation: d.Operation.String(),
					Permission: d.Permission.String(), Pattern: d.Pattern.String() + " " + d.Name})
			}
		}
	}
	sort.Slice(out.ACLs, func(i, j int) bool {
		a, b := out.ACLs[i], out.ACLs[j]
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Operation+a.Pattern < b.Operation+b.Pattern
	})
	return out, nil
}

func isUnknownTopic(err error) bool { return errors.Is(err, kerr.UnknownTopicOrPartition) }

// aclApplies reports whether an ACL resource pattern covers topic: a
// literal name or the * wildcard, or a prefix of it.
func aclApplies(p kadm.ACLPattern, resource, topic string) bool {
	switch p {
	case kadm.ACLPatternLiteral:
		return resource == topic || resource == "*"
	case kadm.ACLPatternPrefixed:
		return strings.HasPrefix(topic, resource)
	}
	return false
}
