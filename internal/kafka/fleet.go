package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/stream-mcp/stream-mcp/internal/lag"
)

// FleetOptions bound FleetLag's memory, concurrency and time.
type FleetOptions struct {
	// BatchGroups is how many groups one OffsetFetch/DescribeGroups round
	// covers; a round's offsets are the only group-partition data held at
	// once (per worker).
	BatchGroups int
	// Parallel is how many rounds run at once.
	Parallel int
	// Reserve is the share of the time left before ctx's deadline kept for
	// answering: no round starts after it, and a round still running then
	// is abandoned, so a partial summary returns before the deadline.
	Reserve float64
	// WorstN bounds the listed groups (offset+limit of the page asked for).
	WorstN int
	// Progress is called after each round (may be nil).
	Progress func(done, total int)
}

// Fleet is every group's lag rolled up.
type Fleet struct {
	Summary lag.GroupsSummary
	// Listed is how many groups there were to judge; Summary.Groups how
	// many were judged. Partial says why they differ ("" when complete).
	Listed   int
	Partial  string
	Warnings []string
}

// FleetLag judges every group (or the given ones) from one snapshot of
// offsets in memory bounded by the batch size, not by groups x partitions:
// log start, high watermark and last stable offset are listed once for every
// partition of the cluster and shared by all groups; groups are then read in
// rounds of BatchGroups (DescribeGroups plus one batched OffsetFetch per
// coordinator), each group judged and folded into the summary as soon as its
// offsets arrive, and the round's data dropped. A group with commits on some
// partitions of a topic is judged on all of them (the rest UNCOMMITTED). When
// ctx's deadline nears, the rounds stop and the summary says how many groups
// it covers.
func (c *Conn) FleetLag(ctx context.Context, groups []string, th lag.Thresholds, o FleetOptions) (Fleet, error) {
	var out Fleet
	if o.BatchGroups < 1 || o.Parallel < 1 {
		return out, errors.New("kafka: FleetLag needs BatchGroups and Parallel of at least 1")
	}
	work, stop := reserveDeadline(ctx, o.Reserve)
	defer stop()
	if len(groups) == 0 {
		listed, err := c.Admin.ListGroups(work)
		if err != nil && len(listed) == 0 {
			return out, fmt.Errorf("list groups: %w", err)
		}
		if err != nil {
			out.Warnings = append(out.Warnings, "some brokers did not list groups: "+err.Error())
		}
		groups = listed.Groups()
	}
	sort.Strings(groups)
	out.Listed = len(groups)
	fold := lag.NewFold(o.WorstN)
	if len(groups) == 0 {
		out.Summary = fold.Summary()
		return out, nil
	}
	offs, err := c.listAllOffsets(work)
	if err != nil {
		return out, err
	}
	if offs.warning != "" {
		out.Warnings = append(out.Warnings, offs.warning)
	}

	var (
		mu       sync.Mutex
		done     int
		warnings = map[string]bool{}
		next     = make(chan []string)
		wg       sync.WaitGroup
	)
	rounds := (len(groups) + o.BatchGroups - 1) / o.BatchGroups
	for range min(o.Parallel, rounds) {
		wg.Go(func() {
			for batch := range next {
				reps, warns, err := c.judgeRound(work, batch, offs, th)
				mu.Lock()
				if err == nil {
					for _, r := range reps {
						fold.Add(r)
					}
					done++
					if o.Progress != nil {
						o.Progress(done, rounds)
					}
				}
				for _, w := range warns {
					warnings[w] = true
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := 0; i < len(groups); i += o.BatchGroups {
		select {
		case next <- groups[i:min(len(groups), i+o.BatchGroups)]:
		case <-work.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	out.Summary = fold.Summary()
	for w := range warnings {
		out.Warnings = append(out.Warnings, w)
	}
	sort.Strings(out.Warnings)
	if out.Summary.Groups < out.Listed {
		why := "a read failed"
		if work.Err() != nil {
			why = "the call's deadline neared"
		}
		out.Partial = fmt.Sprintf("%s after %d of %d groups; the summary covers only those (ask for fewer groups, or a longer --call-timeout)", why, out.Summary.Groups, out.Listed)
	}
	return out, nil
}

// reserveDeadline returns a context that ends reserve (a share of the time
// left) before ctx's deadline; ctx itself when it has none.
func reserveDeadline(ctx context.Context, reserve float64) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok || reserve <= 0 {
		return context.WithCancel(ctx)
	}
	left := time.Until(dl)
	return context.WithDeadline(ctx, dl.Add(-time.Duration(float64(left)*reserve)))
}

// clusterOffsets are log start, high watermark and last stable offset of
// every partition, listed once and shared by all groups.
type clusterOffsets struct {
	start, end, lso kadm.ListedOffsets
	at              time.Time
	warning         string
}

func (c *Conn) listAllOffsets(ctx context.Context) (clusterOffsets, error) {
	o := clusterOffsets{at: time.Now()}
	var serr, eerr, lerr error
	var wg sync.WaitGroup
	wg.Go(func() { o.start, serr = c.Admin.ListStartOffsets(ctx) })
	wg.Go(func() { o.end, eerr = c.Admin.ListEndOffsets(ctx) })
	wg.Go(func() { o.lso, lerr = c.Admin.ListCommittedOffsets(ctx) })
	wg.Wait()
	if serr != nil || eerr != nil {
		return o, fmt.Errorf("list offsets: %w", errors.Join(serr, eerr))
	}
	if lerr != nil {
		o.warning = "last stable offsets not listed (TXN_BLOCKED not judged): " + lerr.Error()
	}
	return o, nil
}

// judgeRound reads one round of groups and judges each of them.
func (c *Conn) judgeRound(ctx context.Context, batch []string, offs clusterOffsets, th lag.Thresholds) ([]lag.GroupReport, []string, error) {
	var (
		described kadm.DescribedGroups
		fetched   map[string]kadm.FetchOffsetsResponse
		derr      error
		warns     []string
		wg        sync.WaitGroup
	)
	wg.Go(func() { described, derr = c.Admin.DescribeGroups(ctx, batch...) })
	wg.Go(func() { fetched = c.Admin.FetchManyOffsets(ctx, batch...) })
	wg.Wait()
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	if derr != nil {
		var se *kadm.ShardErrors
		if !errors.As(derr, &se) || se.AllFailed {
			return nil, nil, fmt.Errorf("describe groups: %w", derr)
		}
		warns = append(warns, "some coordinators did not describe groups: "+derr.Error())
	}
	reps := make([]lag.GroupReport, 0, len(batch))
	for _, name := range batch {
		d := described[name]
		g := lag.Group{Name: name, State: d.State, Members: len(d.Members), Now: offs.at}
		var assigned map[TP]string
		topics := map[string]bool{}
		for _, m := range d.Members {
			if ca, ok := m.Assigned.AsConsumer(); ok {
				for _, t := range ca.Topics {
					for _, p := range t.Partitions {
						if assigned == nil {
							assigned = map[TP]string{}
						}
						assigned[TP{t.Topic, p}] = m.ClientID
						topics[t.Topic] = true
					}
				}
			}
		}
		// The decoded offsets are read in place (topic -> partition), not
		// copied: a dense group is 10,000 of them.
		var fetchedOffs kadm.OffsetResponses
		if r, ok := fetched[name]; ok {
			if r.Err != nil {
				warns = append(warns, fmt.Sprintf("offsets of group %s not fetched: %v", name, r.Err))
			}
			fetchedOffs = r.Fetched
		}
		n := 0
		for t, ps := range fetchedOffs {
			topics[t] = true
			if _, listed := offs.end[t]; !listed {
				for p := range ps {
					g.Partitions = append(g.Partitions, lag.Partition{Topic: t, Partition: p,
						Err: "topic not in the cluster's offset listing (deleted, or created after it): the commit cannot be judged"})
				}
			}
		}
		for t := range topics {
			n += len(offs.end[t])
		}
		// One backing array for the group's one-sample partitions: a dense
		// fleet is millions of them, and one allocation each is most of
		// the work.
		samples := make([]lag.Sample, 0, n)
		g.Partitions = slices.Grow(g.Partitions, n)
		for t := range topics {
			for p, en := range offs.end[t] {
				at := lag.NoOffset
				part := lag.Partition{Topic: t, Partition: p, Member: assigned[TP{t, p}]}
				if o, ok := fetchedOffs[t][p]; ok {
					if o.Err != nil {
						part.Err = o.Err.Error()
					} else {
						at = o.At
					}
				}
				st, ok1 := offs.start.Lookup(t, p)
				switch {
				case part.Err != "":
				case !ok1 || st.Err != nil || en.Err != nil:
					part.Err = fmt.Sprintf("offsets not listed for %s/%d", t, p)
				default:
					s := lag.Sample{At: offs.at, Committed: at, LogStart: st.Offset, HWM: en.Offset, LSO: lag.NoOffset}
					if ls, ok := offs.lso.Lookup(t, p); ok && ls.Err == nil {
						s.LSO = ls.Offset
					}
					samples = append(samples, s)
					part.Samples = samples[len(samples)-1:]
				}
				g.Partitions = append(g.Partitions, part)
			}
		}
		reps = append(reps, lag.Summarise(g, th))
	}
	return reps, warns, nil
}
