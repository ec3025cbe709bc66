// Package kafkatest starts in-process Kafka clusters (franz-go kfake) on
// 127.0.0.1 and drives real producers and group consumers against them, so
// tests and the `demo` command can show lag verdicts on live offsets.
// Nothing here reaches the network beyond loopback.
package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Start starts a kfake cluster (kfake always listens on 127.0.0.1) with
// the given number of brokers plus opts.
func Start(brokers int, opts ...kfake.Opt) (*kfake.Cluster, error) {
	all := append([]kfake.Opt{kfake.NumBrokers(brokers)}, opts...)
	c, err := kfake.NewCluster(all...)
	if err != nil {
		return nil, fmt.Errorf("kfake: %w", err)
	}
	return c, nil
}

// Client returns a plain client for the cluster (extra options appended).
func Client(c *kfake.Cluster, extra ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, extra...)...)
}

// Produce writes n records to each listed partition of topic, with record
// timestamps at ts (or now when zero).
func Produce(ctx context.Context, cl *kgo.Client, topic string, partitions []int32, n int, ts time.Time) error {
	rs := make([]*kgo.Record, 0, len(partitions)*n)
	for _, p := range partitions {
		for i := range n {
			rs = append(rs, &kgo.Record{Topic: topic, Partition: p, Value: []byte("v" + strconv.Itoa(i)), Timestamp: ts})
		}
	}
	return cl.ProduceSync(ctx, rs...).FirstErr()
}

// Producer returns a client that writes to the partition set on each record.
func Producer(c *kfake.Cluster, extra ...kgo.Opt) (*kgo.Client, error) {
	return Client(c, append([]kgo.Opt{kgo.RecordPartitioner(kgo.ManualPartitioner())}, extra...)...)
}

// Member is a real group member: it joins the group and owns partitions,
// but only commits what the test tells it to, so offsets are deterministic.
type Member struct {
	Client *kgo.Client
	group  string
}

// Join starts a member of group consuming topics and waits until the group
// is Stable with this member in it.
func Join(ctx context.Context, c *kfake.Cluster, group string, topics ...string) (*Member, error) {
	cl, err := Client(c, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topics...), kgo.DisableAutoCommit(),
		kgo.ClientID(group+"-member"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return nil, err
	}
	adm := kadm.NewClient(cl)
	for ctx.Err() == nil {
		d, err := adm.DescribeGroups(ctx, group)
		if err == nil {
			if g := d[group]; g.State == "Stable" && len(g.Members) > 0 {
				return &Member{Client: cl, group: group}, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cl.Close()
	return nil, fmt.Errorf("group %s never became Stable: %w", group, ctx.Err())
}

// Commit commits offsets (next record to read) for partitions of topic.
func (m *Member) Commit(ctx context.Context, topic string, offsets map[int32]int64) error {
	eo := map[string]map[int32]kgo.EpochOffset{topic: {}}
	for p, o := range offsets {
		eo[topic][p] = kgo.EpochOffset{Epoch: -1, Offset: o}
	}
	var cerr error
	m.Client.CommitOffsetsSync(ctx, eo, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			cerr = err
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if p.ErrorCode != 0 {
					cerr = errors.Join(cerr, fmt.Errorf("commit %s/%d: error code %d", t.Topic, p.Partition, p.ErrorCode))
				}
			}
		}
	})
	return cerr
}

// Leave makes the member leave the group (the group becomes Empty) and
// closes it.
func (m *Member) Leave(ctx context.Context) {
	_ = m.Client.LeaveGroupContext(ctx)
	m.Client.Close()
}

// CommitEmpty commits offsets for a group with no members (as an admin,
// generation -1), the way an offset-reset tool does.
func CommitEmpty(ctx context.Context, c *kfake.Cluster, group, topic string, offsets map[int32]int64) error {
	cl, err := Client(c)
	if err != nil {
		return err
	}
	defer cl.Close()
	os := kadm.Offsets{}
	for p, o := range offsets {
		os.Add(kadm.Offset{Topic: topic, Partition: p, At: o, LeaderEpoch: -1})
	}
	return kadm.NewClient(cl).CommitAllOffsets(ctx, group, os)
}

// Demo is a running cluster with a topic and a lagging consumer group.
type Demo struct {
	Cluster *kfake.Cluster
	// Topic has Partitions partitions; Group is a live member that consumed
	// part of it and then stalled; IdleGroup is caught up and empty.
	Topic, Group, IdleGroup string
	Partitions              int32
	member                  *Member
}

// Bootstrap is the comma-separated bootstrap string.
func (d *Demo) Bootstrap() string { return strings.Join(d.Cluster.ListenAddrs(), ",") }

// Close stops the member and the cluster.
func (d *Demo) Close() {
	if d.member != nil {
		d.member.Client.Close()
	}
	d.Cluster.Close()
}

// StartDemo starts a 3-broker cluster with topic "orders" (6 partitions,
// 200 records each, produced a few minutes ago), group "orders-processor"
// with one live member that committed half of every partition and stopped,
// and group "audit-archiver", caught up and empty.
func StartDemo(ctx context.Context) (*Demo, error) {
	d := &Demo{Topic: "orders", Group: "orders-processor", IdleGroup: "audit-archiver", Partitions: 6}
	c, err := Start(3, kfake.SeedTopics(d.Partitions, d.Topic))
	if err != nil {
		return nil, err
	}
	d.Cluster = c
	fail := func(err error) (*Demo, error) { d.Close(); return nil, err }
	prod, err := Producer(c)
	if err != nil {
		return fail(err)
	}
	defer prod.Close()
	parts := make([]int32, d.Partitions)
	for i := range parts {
		parts[i] = int32(i)
	}
	const perPartition = 200
	if err := Produce(ctx, prod, d.Topic, parts, perPartition, time.Now().Add(-5*time.Minute)); err != nil {
		return fail(err)
	}
	m, err := Join(ctx, c, d.Group, d.Topic)
	if err != nil {
		return fail(err)
	}
	d.member = m
	half, full := map[int32]int64{}, map[int32]int64{}
	for _, p := range parts {
		half[p], full[p] = perPartition/2, perPartition
	}
	if err := m.Commit(ctx, d.Topic, half); err != nil {
		return fail(err)
	}
	if err := CommitEmpty(ctx, c, d.IdleGroup, d.Topic, full); err != nil {
		return fail(err)
	}
	return d, nil
}

// StartFleet starts a 3-broker kfake cluster with topics x partitions (two
// records each) and groups empty consumer groups, group g committing every
// partition of perGroup topics starting at topic g%topics: perGroup=1 is a
// sparse fleet, perGroup=topics a dense one where every group commits every
// partition (the shape fleet-wide lag claims must hold for).
func StartFleet(ctx context.Context, topics, partitions, groups, perGroup int) (*kfake.Cluster, error) {
	c, err := Start(3)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*kfake.Cluster, error) { c.Close(); return nil, err }
	cl, err := Producer(c, kgo.MaxBufferedRecords(topics*partitions*2))
	if err != nil {
		return fail(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	names := make([]string, topics)
	for i := range names {
		names[i] = fmt.Sprintf("t%03d", i)
	}
	if _, err := adm.CreateTopics(ctx, int32(partitions), 1, nil, names...); err != nil {
		return fail(err)
	}
	var rs []*kgo.Record
	for _, t := range names {
		for p := range partitions {
			rs = append(rs, &kgo.Record{Topic: t, Partition: int32(p), Value: []byte("x")}, &kgo.Record{Topic: t, Partition: int32(p), Value: []byte("y")})
		}
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		return fail(err)
	}
	for g := range groups {
		os := kadm.Offsets{}
		for k := range perGroup {
			for p := range partitions {
				os.Add(kadm.Offset{Topic: names[(g+k)%topics], Partition: int32(p), At: int64(g % 3), LeaderEpoch: -1})
			}
		}
		if err := adm.CommitAllOffsets(ctx, fmt.Sprintf("g%04d", g), os); err != nil {
			return fail(err)
		}
	}
	return c, nil
}
