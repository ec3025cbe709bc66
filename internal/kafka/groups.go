package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/stream-mcp/stream-mcp/internal/lag"
)

// MemberInfo is one group member with its decoded assignment.
type MemberInfo struct {
	MemberID   string `json:"member_id" jsonschema_description:"coordinator-assigned member ID"`
	ClientID   string `json:"client_id" jsonschema_description:"client.id of the consumer"`
	ClientHost string `json:"client_host" jsonschema_description:"host the member connects from"`
	Assigned   []TP   `json:"assigned" jsonschema_description:"partitions assigned to this member"`
}

// GroupInfo is a described group.
type GroupInfo struct {
	Group       string       `json:"group_id" jsonschema_description:"consumer group ID"`
	State       string       `json:"state" jsonschema_description:"Stable, Empty, PreparingRebalance, CompletingRebalance, Dead"`
	Protocol    string       `json:"protocol" jsonschema_description:"assignor (range, cooperative-sticky, ...)"`
	Type        string       `json:"protocol_type" jsonschema_description:"consumer, connect, ..."`
	Coordinator int32        `json:"coordinator" jsonschema_description:"coordinator broker ID"`
	Members     []MemberInfo `json:"members" jsonschema_description:"members with their assignments"`
	Error       string       `json:"error,omitempty" jsonschema_description:"why the group could not be described"`
}

// Sampling configures an offsets window.
type Sampling struct {
	// Samples is how many readings (1 = a single snapshot).
	Samples int
	// Interval between readings.
	Interval time.Duration
	// Progress is called after each sample (may be nil).
	Progress func(done, total int)
}

// GroupsSample is what SampleGroups read.
type GroupsSample struct {
	Groups   []lag.Group
	Info     map[string]GroupInfo
	Warnings []string
}

// ErrGroupNotFound marks a group the coordinator does not know.
var ErrGroupNotFound = fmt.Errorf("group %w", ErrNotFound)

// SampleGroups reads offsets for groups (every group when empty) with
// batched requests: per sample one OffsetFetch per coordinator and one
// ListOffsets per partition leader for each of log start, high watermark
// and last stable offset, so the cost is O(brokers), not O(groups ×
// partitions). It never joins a group.
func (c *Conn) SampleGroups(ctx context.Context, groups []string, s Sampling) (GroupsSample, error) {
	out := GroupsSample{Info: map[string]GroupInfo{}}
	if s.Samples < 1 {
		s.Samples = 1
	}
	if len(groups) == 0 {
		listed, err := c.Admin.ListGroups(ctx)
		if err != nil && len(listed) == 0 {
			return out, fmt.Errorf("list groups: %w", err)
		}
		if err != nil {
			out.Warnings = append(out.Warnings, "some brokers did not list groups: "+err.Error())
		}
		groups = listed.Groups()
		if len(groups) == 0 {
			return out, nil
		}
	}
	described, err := c.Admin.DescribeGroups(ctx, groups...)
	if err != nil {
		var se *kadm.ShardErrors
		if !errors.As(err, &se) || se.AllFailed {
			return out, fmt.Errorf("describe groups: %w", err)
		}
		out.Warnings = append(out.Warnings, "some coordinators did not describe groups: "+err.Error())
	}
	assigned := map[string]map[TP]string{}
	for _, g := range groups {
		d, ok := described[g]
		gi := GroupInfo{Group: g, State: d.State, Protocol: d.Protocol, Type: d.ProtocolType, Coordinator: d.Coordinator.NodeID, Members: []MemberInfo{}}
		if !ok {
			gi.Error = "not described"
		} else if d.Err != nil {
			gi.Error = d.Err.Error()
		}
		assigned[g] = map[TP]string{}
		for _, m := range d.Members {
			mi := MemberInfo{MemberID: m.MemberID, ClientID: m.ClientID, ClientHost: m.ClientHost, Assigned: []TP{}}
			if ca, ok := m.Assigned.AsConsumer(); ok {
				for _, t := range ca.Topics {
					for _, p := range t.Partitions {
						tp := TP{Topic: t.Topic, Partition: p}
						mi.Assigned = append(mi.Assigned, tp)
						assigned[g][tp] = m.ClientID
					}
				}
			}
			sortTPs(mi.Assigned)
			gi.Members = append(gi.Members, mi)
		}
		out.Info[g] = gi
	}

	type key struct {
		g  string
		tp TP
	}
	samples := map[key][]lag.Sample{}
	errs := map[key]string{}
	for i := 0; i < s.Samples; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				out.Warnings = append(out.Warnings, fmt.Sprintf("sampling stopped after %d of %d samples: %v", i, s.Samples, ctx.Err()))
				i = s.Samples
				continue
			case <-time.After(s.Interval):
			}
		}
		at := time.Now()
		fetched := c.Admin.FetchManyOffsets(ctx, groups...)
		topics := map[string]bool{}
		for _, g := range groups {
			for tp := range assigned[g] {
				topics[tp.Topic] = true
			}
			if r, ok := fetched[g]; ok && r.Err == nil {
				r.Fetched.Each(func(o kadm.OffsetResponse) { topics[o.Topic] = true })
			}
		}
		if len(topics) == 0 {
			break
		}
		names := make([]string, 0, len(topics))
		for t := range topics {
			names = append(names, t)
		}
		sort.Strings(names)
		starts, serr := c.Admin.ListStartOffsets(ctx, names...)
		ends, eerr := c.Admin.ListEndOffsets(ctx, names...)
		lsos, lerr := c.Admin.ListCommittedOffsets(ctx, names...)
		if serr != nil || eerr != nil {
			return out, fmt.Errorf("list offsets: %w", errors.Join(serr, eerr))
		}
		if lerr != nil && i == 0 {
			out.Warnings = append(out.Warnings, "last stable offsets not listed (TXN_BLOCKED not judged): "+lerr.Error())
		}
		for _, g := range groups {
			parts := map[TP]int64{}
			for tp := range assigned[g] {
				parts[tp] = lag.NoOffset
			}
			r, ok := fetched[g]
			if ok && r.Err != nil {
				for tp := range parts {
					errs[key{g, tp}] = "offset fetch: " + r.Err.Error()
				}
				continue
			}
			if ok {
				r.Fetched.Each(func(o kadm.OffsetResponse) {
					tp := TP{o.Topic, o.Partition}
					if o.Err != nil {
						errs[key{g, tp}] = o.Err.Error()
						return
					}
					parts[tp] = o.At
				})
			}
			// A group that reads a topic reads all of it: a partition with
			// no commit (and no member, e.g. after the consumers stopped) is
			// UNCOMMITTED with its readable records, never left out (a
			// group committed on 2 of 3 partitions reported lag 0 for the
			// third's unread records).
			touched := map[string]bool{}
			for tp := range parts {
				touched[tp.Topic] = true
			}
			for t := range touched {
				for p := range ends[t] {
					if tp := (TP{t, p}); !hasTP(parts, tp) {
						parts[tp] = lag.NoOffset
					}
				}
			}
			for tp, committed := range parts {
				k := key{g, tp}
				st, ok1 := starts.Lookup(tp.Topic, tp.Partition)
				en, ok2 := ends.Lookup(tp.Topic, tp.Partition)
				if !ok1 || !ok2 || st.Err != nil || en.Err != nil {
					errs[k] = fmt.Sprintf("offsets not listed for %s/%d", tp.Topic, tp.Partition)
					continue
				}
				smp := lag.Sample{At: at, Committed: committed, LogStart: st.Offset, HWM: en.Offset, LSO: lag.NoOffset}
				if ls, ok := lsos.Lookup(tp.Topic, tp.Partition); ok && ls.Err == nil {
					smp.LSO = ls.Offset
				}
				samples[k] = append(samples[k], smp)
			}
		}
		if s.Progress != nil {
			s.Progress(i+1, s.Samples)
		}
	}
	byGroup := map[string][]lag.Partition{}
	for k, ss := range samples {
		byGroup[k.g] = append(byGroup[k.g], lag.Partition{Topic: k.tp.Topic, Partition: k.tp.Partition, Samples: ss, Member: assigned[k.g][k.tp], Err: errs[k]})
	}
	for k, e := range errs {
		if _, ok := samples[k]; !ok {
			byGroup[k.g] = append(byGroup[k.g], lag.Partition{Topic: k.tp.Topic, Partition: k.tp.Partition, Member: assigned[k.g][k.tp], Err: e})
		}
	}
	for _, g := range groups {
		gi := out.Info[g]
		ps := byGroup[g]
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].Topic != ps[j].Topic {
				return ps[i].Topic < ps[j].Topic
			}
			return ps[i].Partition < ps[j].Partition
		})
		out.Groups = append(out.Groups, lag.Group{Name: g, State: gi.State, Members: len(gi.Members), Partitions: ps})
	}
	return out, nil
}

func hasTP(m map[TP]int64, tp TP) bool {
	_, ok := m[tp]
	return ok
}

func sortTPs(tps []TP) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
}

// RecordTimes reads the timestamp of the record at each given offset by
// direct partition assignment (no group, no commit), with tiny fetches,
// bounded by timeout. Partitions with no record by then are left out.
func (c *Conn) RecordTimes(ctx context.Context, at map[TP]int64, timeout time.Duration) (map[TP]lag.RecordTime, error) {
	out := map[TP]lag.RecordTime{}
	if len(at) == 0 {
		return out, nil
	}
	parts := map[string]map[int32]kgo.Offset{}
	for tp, off := range at {
		if parts[tp.Topic] == nil {
			parts[tp.Topic] = map[int32]kgo.Offset{}
		}
		parts[tp.Topic][tp.Partition] = kgo.NewOffset().At(off)
	}
	cl, err := c.NewClient(kgo.ConsumePartitions(parts), kgo.FetchMaxPartitionBytes(1), kgo.FetchMaxBytes(1<<20), kgo.FetchMaxWait(250*time.Millisecond))
	if err != nil {
		return out, fmt.Errorf("record-time client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for len(out) < len(at) && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) {
			tp := TP{r.Topic, r.Partition}
			if _, seen := out[tp]; seen {
				return
			}
			typ := "CreateTime"
			if r.Attrs.TimestampType() == 1 {
				typ = "LogAppendTime"
			}
			out[tp] = lag.RecordTime{Timestamp: r.Timestamp, Type: typ}
			// One record is enough; stop fetching this partition.
			cl.PauseFetchPartitions(map[string][]int32{r.Topic: {r.Partition}})
		})
	}
	return out, nil
}

// ProducedSince counts, per partition of topics, the records written since
// the given time: the high watermark minus the first offset whose record
// timestamp is at or after since (ListOffsets by timestamp, KIP-79), read
// in one batched request per partition leader. A partition with no record
// since then counts 0. It gives a produce rate from one snapshot, with no
// waiting.
func (c *Conn) ProducedSince(ctx context.Context, since time.Time, topics ...string) (map[TP]int64, error) {
	after, err := c.Admin.ListOffsetsAfterMilli(ctx, since.UnixMilli(), topics...)
	if err != nil {
		return nil, fmt.Errorf("list offsets by timestamp: %w", err)
	}
	ends, err := c.Admin.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("list end offsets: %w", err)
	}
	out := map[TP]int64{}
	ends.Each(func(e kadm.ListedOffset) {
		if e.Err != nil {
			return
		}
		a, ok := after.Lookup(e.Topic, e.Partition)
		if !ok || a.Err != nil {
			return
		}
		// No record at or after since: Kafka answers the end offset (or
		// -1 from older brokers): nothing was written.
		if a.Offset < 0 || a.Offset > e.Offset {
			out[TP{e.Topic, e.Partition}] = 0
			return
		}
		out[TP{e.Topic, e.Partition}] = e.Offset - a.Offset
	})
	return out, nil
}
