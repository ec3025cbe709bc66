package writes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

// Reset targets.
const (
	ResetEarliest  = "earliest"
	ResetLatest    = "latest"
	ResetTimestamp = "timestamp"
	ResetOffset    = "offset"
)

// OffsetReset moves a consumer group's committed offsets on one topic.
// Plan computes the new offsets from live state and keeps them; Apply
// commits exactly those, so the confirmation gate's re-plan just before
// Apply decides what is committed.
type OffsetReset struct {
	Group      string
	Topic      string
	Partitions []int32 // empty: every partition of the topic
	To         string  // earliest | latest | timestamp | offset
	Timestamp  time.Time
	Offset     int64

	planned kadm.Offsets
}

// groupMembers returns the group's state and its number of members, from the
// classic protocol and from KIP-848 consumer groups.
func groupMembers(ctx context.Context, adm *kadm.Client, group string) (string, int, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	dgs, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return "", 0, fmt.Errorf("describe group %q: %w", group, err)
	}
	state, members := "Dead", 0
	if dg, ok := dgs[group]; ok {
		switch {
		case dg.Err == nil:
			state, members = dg.State, len(dg.Members)
		case errors.Is(dg.Err, kerr.GroupIDNotFound):
		case errors.Is(dg.Err, kerr.GroupAuthorizationFailed):
			return "", 0, confirm.Refuse("not authorized to describe group %q (%v); the principal needs DESCRIBE on the group (kafka-cluster:DescribeGroup for MSK IAM)", group, dg.Err)
		default:
			return "", 0, fmt.Errorf("describe group %q: %s", group, brokerErr(dg.Err, dg.ErrMessage))
		}
	}
	// A KIP-848 group answers the classic describe as a consumer-protocol
	// group (or not at all on some versions): ask the new API too. Errors
	// here mean the broker does not speak it, which leaves the classic answer.
	if cgs, err := adm.DescribeConsumerGroups(ctx, group); err == nil {
		if cg, ok := cgs[group]; ok && cg.Err == nil && len(cg.Members) > members {
			state, members = cg.State, len(cg.Members)
		}
	}
	return state, members, nil
}

// Plan reads the group's members and committed offsets and the topic's
// offsets, refuses when the group has active members, and lists per
// partition the old and new offsets with the records skipped or replayed.
// The fingerprint is the group's state, member count, committed offsets on
// the topic and the target offset of every partition: a consumer joining or
// committing in between is drift, and so is any change in what the reset
// would skip or replay (new records for to=latest, retention for
// to=earliest), so a confirmation applies exactly the offsets it showed.
func (r *OffsetReset) Plan(ctx context.Context, adm *kadm.Client) (confirm.Plan, string, error) {
	state, members, err := groupMembers(ctx, adm, r.Group)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	if members > 0 {
		return confirm.Plan{}, "", confirm.Refuse("group %q has %d active member(s) (state %s): Kafka only lets an empty group's offsets be reset, and a running consumer would overwrite them with its next commit. Stop the consumers first (for a Lambda event source mapping, disable it with esm_apply enabled=false and wait until kafka_inspect shows the group Empty), then call again", r.Group, members, state)
	}
	td, ok, err := describeTopic(ctx, adm, r.Topic)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	if !ok {
		return confirm.Plan{}, "", confirm.Refuse("topic %q not found; call kafka_inspect with what=topics for the names", r.Topic)
	}
	// A copy, sorted and without repeats: the caller's slice is left alone
	// and a partition named twice is not counted twice.
	parts := slices.Clone(r.Partitions)
	if len(parts) == 0 {
		for p := range td.Partitions {
			parts = append(parts, p)
		}
	}
	slices.Sort(parts)
	parts = slices.Compact(parts)
	for _, p := range parts {
		if _, ok := td.Partitions[p]; !ok {
			return confirm.Plan{}, "", confirm.Refuse("topic %q has no partition %d (it has %d: 0..%d)", r.Topic, p, len(td.Partitions), len(td.Partitions)-1)
		}
	}

	lctx, cancel := withTimeout(ctx)
	defer cancel()
	committed, err := adm.FetchOffsets(lctx, r.Group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		committed, err = kadm.OffsetResponses{}, nil // a new group: nothing committed yet
	}
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("fetch offsets of group %q: %w", r.Group, err)
	}
	starts, err := adm.ListStartOffsets(lctx, r.Topic)
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("list start offsets of %q: %w", r.Topic, err)
	}
	ends, err := adm.ListEndOffsets(lctx, r.Topic)
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("list end offsets of %q: %w", r.Topic, err)
	}
	var atTime kadm.ListedOffsets
	if r.To == ResetTimestamp {
		if atTime, err = adm.ListOffsetsAfterMilli(lctx, r.Timestamp.UnixMilli(), r.Topic); err != nil {
			return confirm.Plan{}, "", fmt.Errorf("list offsets of %q after %s: %w", r.Topic, r.Timestamp.UTC().Format(time.RFC3339), err)
		}
	}

	p := confirm.Plan{
		Target:    fmt.Sprintf("group %s on topic %s", r.Group, r.Topic),
		Untouched: []string{"the group's offsets on other topics", "the records themselves"},
	}
	planned := kadm.Offsets{}
	var fp []string
	fp = append(fp, fmt.Sprintf("state=%s members=%d", state, members))
	var skipped, replayed int64
	noCommit := 0
	for _, part := range parts {
		s, okS := starts.Lookup(r.Topic, part)
		e, okE := ends.Lookup(r.Topic, part)
		if !okS || !okE || s.Err != nil || e.Err != nil {
			return confirm.Plan{}, "", fmt.Errorf("offsets of %s/%d unavailable: start %v, end %v", r.Topic, part, s.Err, e.Err)
		}
		var target int64
		switch r.To {
		case ResetEarliest:
			target = s.Offset
		case ResetLatest:
			target = e.Offset
		case ResetTimestamp:
			t, ok := atTime.Lookup(r.Topic, part)
			if !ok || t.Err != nil {
				return confirm.Plan{}, "", fmt.Errorf("offset of %s/%d at %s unavailable: %v", r.Topic, part, r.Timestamp.UTC().Format(time.RFC3339), t.Err)
			}
			target = t.Offset
			if target < 0 { // no record at or after the time
				target = e.Offset
			}
		case ResetOffset:
			if r.Offset < s.Offset || r.Offset > e.Offset {
				return confirm.Plan{}, "", confirm.Refuse("offset %d is outside partition %d's range [%d, %d] (log start to end); send an offset in range, or to=earliest / to=latest", r.Offset, part, s.Offset, e.Offset)
			}
			target = r.Offset
		default:
			return confirm.Plan{}, "", confirm.Refuse("to %q is not one of earliest, latest, timestamp, offset", r.To)
		}
		var cur any
		note := ""
		c, has := committed.Lookup(r.Topic, part)
		curOff := int64(-1)
		if has && c.Err == nil && c.At >= 0 {
			curOff = c.At
			cur = c.At
		}
		// The target is pinned in the fingerprint too: to=latest planned
		// when 115 records were waiting must not commit over 715 once more
		// arrive. A moved end (or log start, or timestamp answer) is drift,
		// and the user re-plans and sees the new skip count.
		fp = append(fp, fmt.Sprintf("%d:%d->%d", part, curOff, target))
		switch {
		case curOff < 0:
			noCommit++
			note = fmt.Sprintf("no committed offset now: the consumer starts by its auto.offset.reset; after: %d records to read up to the end", e.Offset-target)
		case target < curOff:
			replayed += curOff - target
			note = fmt.Sprintf("replays %d records already processed", curOff-target)
		case target > curOff:
			skipped += target - curOff
			note = fmt.Sprintf("skips %d records never processed", target-curOff)
		default:
			note = "unchanged"
		}
		if curOff >= 0 && curOff < s.Offset {
			note += fmt.Sprintf(" (the committed offset is below the log start %d: those records were already deleted by retention)", s.Offset)
		}
		if curOff != target {
			p.Changes = append(p.Changes, confirm.Change{Field: fmt.Sprintf("%s/%d committed offset", r.Topic, part), Current: cur, Desired: target, Note: note})
		}
		planned.Add(kadm.Offset{Topic: r.Topic, Partition: part, At: target, LeaderEpoch: -1})
	}
	if p.Changes == nil {
		p.Changes = []confirm.Change{}
	}
	p.NoChange = len(p.Changes) == 0
	p.Summary = fmt.Sprintf("reset group %s on %s to %s: %d partition(s) change, %d records skipped, %d replayed", r.Group, r.Topic, r.describeTo(), len(p.Changes), skipped, replayed)
	if skipped > 0 {
		p.Risks = append(p.Risks, fmt.Sprintf("%d records will never be processed by this group (skipped)", skipped))
	}
	if replayed > 0 {
		p.Risks = append(p.Risks, fmt.Sprintf("%d records will be processed again (replayed): the consumer must be idempotent", replayed))
	}
	if noCommit > 0 {
		p.Risks = append(p.Risks, fmt.Sprintf("%d partition(s) had no committed offset; after the reset they start at the planned offset instead of the consumer's auto.offset.reset", noCommit))
	}
	p.Risks = append(p.Risks, "a consumer that starts before this call completes may commit over the reset; keep consumers stopped until the read-back shows the new offsets")
	r.planned = planned
	return p, strings.Join(fp, ","), nil
}

func (r *OffsetReset) describeTo() string {
	switch r.To {
	case ResetTimestamp:
		return "the first offset at or after " + r.Timestamp.UTC().Format(time.RFC3339)
	case ResetOffset:
		return fmt.Sprintf("offset %d", r.Offset)
	}
	return r.To
}

// Apply commits the offsets the last Plan computed and reads them back.
func (r *OffsetReset) Apply(ctx context.Context, adm *kadm.Client) (KafkaResult, error) {
	if len(r.planned) == 0 {
		return KafkaResult{}, errors.New("reset_group_offsets: no planned offsets (Plan must run first)")
	}
	cctx, cancel := withTimeout(ctx)
	defer cancel()
	resp, err := adm.CommitOffsets(cctx, r.Group, r.planned)
	if err != nil {
		return KafkaResult{}, fmt.Errorf("commit offsets for group %q: %w", r.Group, err)
	}
	if err := resp.Error(); err != nil {
		if errors.Is(err, kerr.UnknownMemberID) || errors.Is(err, kerr.RebalanceInProgress) || errors.Is(err, kerr.IllegalGeneration) {
			return KafkaResult{}, fmt.Errorf("commit offsets for group %q: %w (a consumer joined the group meanwhile; stop it and plan again)", r.Group, err)
		}
		return KafkaResult{}, fmt.Errorf("commit offsets for group %q: %w", r.Group, err)
	}
	fctx, cancel2 := withTimeout(ctx)
	defer cancel2()
	got, err := adm.FetchOffsets(fctx, r.Group)
	if err != nil {
		return KafkaResult{}, confirm.ReadBackFailed(fmt.Errorf("read back offsets of group %q: %w", r.Group, err))
	}
	out := GroupOffsets{GroupID: r.Group, Topic: r.Topic}
	for _, o := range r.planned.Sorted() {
		at := int64(-1)
		if c, ok := got.Lookup(r.Topic, o.Partition); ok && c.Err == nil {
			at = c.At
		}
		out.Offsets = append(out.Offsets, PartitionOffset{Partition: o.Partition, Offset: at})
	}
	return KafkaResult{Group: &out}, nil
}
