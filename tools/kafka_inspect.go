package tools

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/lag"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type kafkaInspectIn struct {
	What string `json:"what" jsonschema:"enum=overview,enum=topics,enum=topic,enum=groups,enum=group" jsonschema_description:"overview: brokers, controller, offline/under-replicated/under-min-ISR partitions, leader skew; topics: topic list; topic: one topic's partitions, offsets, configs with source, sizes, ACLs; groups: every group's lag verdict; group: one group's members, assignments and per-partition lag verdicts"`
	kafkaTargetIn
	Topic          string `json:"topic,omitempty" jsonschema_description:"topic name (what=topic)"`
	GroupID        string `json:"group_id,omitempty" jsonschema_description:"consumer group ID (what=group); a Lambda Kafka ESM's group is its UUID unless ConsumerGroupId is set"`
	SampleSeconds  *int   `json:"sample_seconds,omitempty" jsonschema:"minimum=0,maximum=60" jsonschema_description:"seconds to sample offsets for a trend; default 0: one snapshot with produce rate and time lag"`
	IncludeConfigs bool   `json:"include_configs,omitempty" jsonschema_description:"what=topic: list every config, not only non-default ones"`
	Detail         string `json:"detail,omitempty" jsonschema:"enum=summary,enum=partitions" jsonschema_description:"what=group: summary (default: counts, worst partitions) or partitions (every verdict, paged by offset and limit)"`
	Limit          int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"page size for lists (default 50; what=groups lists the 10 worst groups unless set)"`
	Offset         int    `json:"offset,omitempty" jsonschema:"minimum=0,maximum=1000000" jsonschema_description:"index of the first list item to return (paging)"`
}

type groupDetail struct {
	Info       kafka.GroupInfo `json:"info" jsonschema_description:"state, protocol, coordinator, members with assigned partitions (members paged)"`
	Lag        lag.GroupReport `json:"lag" jsonschema_description:"summary: status, counts per status, totals, worst partitions"`
	Partitions []lag.Verdict   `json:"partitions,omitempty" jsonschema_description:"detail=partitions: per-partition verdicts, worst first (paged)"`
	// LeftOut counts the verdicts not in this answer; Next says how to get them.
	LeftOut int    `json:"partitions_left_out,omitempty" jsonschema_description:"partition verdicts not in this answer"`
	Next    string `json:"next,omitempty" jsonschema_description:"how to get what was left out"`
	// CloudWatch is the MSK consumer-lag trend per topic (cluster_arn only).
	CloudWatch []aws.SeriesDigest `json:"cloudwatch,omitempty" jsonschema_description:"MSK consumer-lag metrics per topic (key TOPIC:metric) with their trend, for cluster_arn targets"`
}

type kafkaInspectOut struct {
	What        string             `json:"what" jsonschema_description:"the view returned"`
	Target      string             `json:"target" jsonschema_description:"cluster inspected"`
	Auth        string             `json:"auth" jsonschema_description:"auth mode used"`
	Overview    *kafka.Overview    `json:"overview,omitempty" jsonschema_description:"what=overview"`
	Topics      []kafka.TopicBrief `json:"topics,omitempty" jsonschema_description:"what=topics (paged)"`
	TotalTopics int                `json:"total_topics,omitempty" jsonschema_description:"what=topics: topics in the cluster"`
	Topic       *kafka.TopicDetail `json:"topic,omitempty" jsonschema_description:"what=topic"`
	Groups      *lag.GroupsSummary `json:"groups,omitempty" jsonschema_description:"what=groups: counts per status, totals, worst groups (paged)"`
	Group       *groupDetail       `json:"group,omitempty" jsonschema_description:"what=group"`
	Requests    int64              `json:"kafka_requests" jsonschema_description:"Kafka requests this connection has issued so far"`
	Warnings    []string           `json:"warnings,omitempty" jsonschema_description:"evidence that could not be read, and why"`
	NextOffset  int                `json:"next_offset,omitempty" jsonschema_description:"offset of the next page when truncated"`
	Truncated   bool               `json:"truncated,omitempty" jsonschema_description:"true when lists were cut to fit; page for the rest"`
}

// Page size bounds (STYLE.md rule 29: default 50, max 500).
const (
	defaultLimit = 50
	worstN       = 10 // worst partitions/groups in a summary: keeps it a few KB
	// summaryWorstN is how many worst partitions a default group answer
	// shows: with the summary it stays under 4 KB at any partition count.
	summaryWorstN = 5
)

// KafkaInspect reads a Kafka cluster's health, topics and consumer groups
// and judges lag per partition.
func KafkaInspect(d ReadDeps) server.ServerTool {
	t := mcp.NewTool("kafka_inspect",
		mcp.WithDescription("Returns a Kafka or MSK cluster's health, topics with configs, or consumer groups with lag verdicts (summary, status counts, worst partitions; detail=partitions pages the rest). "+
			"Use it to look at a cluster or group (a Lambda Kafka mapping's group is its UUID); when something is broken or unreachable, call kafka_troubleshoot."),
		mcp.WithTitleAnnotation("Kafka: Inspect"),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(true),
		schema.Input[kafkaInspectIn](), schema.Output[kafkaInspectOut]())
	h := func(ctx context.Context, req mcp.CallToolRequest, in kafkaInspectIn) (*mcp.CallToolResult, error) {
		if d.Kafka == nil {
			return mcp.NewToolResultError("Kafka access is not configured in this server"), nil
		}
		if in.Detail != "" && in.What != "group" {
			return mcp.NewToolResultError(fmt.Sprintf("detail applies to what=group, not what=%s; drop it", in.What)), nil
		}
		limit := in.Limit
		if limit <= 0 {
			limit = defaultLimit
		}
		switch in.What {
		case "topic":
			if in.Topic == "" {
				return mcp.NewToolResultError("what=topic needs topic; call kafka_inspect with what=topics for names"), nil
			}
		case "group":
			if in.GroupID == "" {
				return mcp.NewToolResultError("what=group needs group_id; call kafka_inspect with what=groups for IDs"), nil
			}
		case "overview", "topics", "groups":
		default:
			return mcp.NewToolResultError(fmt.Sprintf("what %q is not one of overview, topics, topic, groups, group", in.What)), nil
		}
		tg, err := in.target(d.Kafka)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		conn, err := d.Kafka.Conn(ctx, tg)
		if err != nil {
			return mcp.NewToolResultError(err.Error() + "; check the target and credential references, or call kafka_troubleshoot"), nil
		}
		out := kafkaInspectOut{What: in.What, Target: conn.Target.Label(), Auth: conn.Target.Auth}
		switch in.What {
		case "overview":
			ov, err := conn.Overview(ctx)
			if err != nil {
				return connFailure(ctx, d.Kafka, conn.Target, err), nil
			}
			out.Overview = &ov
		case "topics":
			tbs, err := conn.Topics(ctx)
			if err != nil {
				return connFailure(ctx, d.Kafka, conn.Target, err), nil
			}
			out.TotalTopics = len(tbs)
			out.Topics, out.NextOffset, out.Truncated = page(tbs, in.Offset, limit)
		case "topic":
			td, err := conn.Topic(ctx, in.Topic)
			if errors.Is(err, kafka.ErrTopicNotFound) {
				return mcp.NewToolResultError(fmt.Sprintf("topic %q not found on %s; call kafka_inspect with what=topics for names", in.Topic, out.Target)), nil
			}
			if err != nil {
				return connFailure(ctx, d.Kafka, conn.Target, err), nil
			}
			if !in.IncludeConfigs {
				td.Configs = nil
			}
			td.PartitionList, out.NextOffset, out.Truncated = page(td.PartitionList, in.Offset, limit)
			out.Topic = &td
		case "groups", "group":
			res, err := inspectGroups(ctx, d, req, conn, in, limit, &out)
			if res != nil || err != nil {
				return res, err
			}
		}
		out.Requests = conn.Requests()
		return mcp.NewToolResultStructured(out, inspectSummary(out)), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func inspectGroups(ctx context.Context, d ReadDeps, req mcp.CallToolRequest, conn *kafka.Conn, in kafkaInspectIn, limit int, out *kafkaInspectOut) (*mcp.CallToolResult, error) {
	// A first answer never waits: one snapshot, with the produce rate from
	// record timestamps and the time lag from the record at the commit; a
	// window is sampled only when asked for (the verdict says when it
	// needs one).
	window := 0
	if in.SampleSeconds != nil {
		window = *in.SampleSeconds
	}
	if in.What == "groups" && window == 0 {
		return inspectFleet(ctx, d, req, conn, in, out)
	}
	sampling := samplingFor(time.Duration(window)*time.Second, lag.SampleInterval(d.Guidance))
	sampling.Progress = progressFn(ctx, req, "kafka_inspect lag sampling")
	var groups []string
	if in.What == "group" {
		groups = []string{in.GroupID}
	}
	gs, err := conn.SampleGroups(ctx, groups, sampling)
	if err != nil {
		return connFailure(ctx, d.Kafka, conn.Target, err), nil
	}
	out.Warnings = append(out.Warnings, gs.Warnings...)
	th := lag.ThresholdsFrom(d.Guidance, worstN)
	if in.What == "groups" {
		reps := make([]lag.GroupReport, 0, len(gs.Groups))
		for _, g := range gs.Groups {
			rep, _ := lag.Evaluate(g, th)
			reps = append(reps, rep)
		}
		sum := lag.Summarize(reps, len(reps))
		// The summary stays a few KB for any number of groups: by default
		// only the worst groups are listed; limit and offset page the rest.
		size := worstN
		if in.Limit > 0 {
			size = in.Limit
		}
		sum.Worst, out.NextOffset, out.Truncated = page(sum.Worst, in.Offset, size)
		out.Groups = &sum
		return nil, nil
	}
	info := gs.Info[in.GroupID]
	if info.Error != "" && !strings.Contains(info.Error, "GROUP_ID_NOT_FOUND") && (len(gs.Groups) == 0 || len(gs.Groups[0].Partitions) == 0) {
		return mcp.NewToolResultError(fmt.Sprintf("group %q on %s could not be described: %s; check the principal's Describe permission on the group (kafka_troubleshoot with group_id)", in.GroupID, out.Target, info.Error)), nil
	}
	if len(gs.Groups) == 0 || len(gs.Groups[0].Partitions) == 0 && (info.State == "Dead" || info.Error != "") {
		return mcp.NewToolResultError(fmt.Sprintf("group %q not found on %s (no members, no committed offsets); call kafka_inspect with what=groups for IDs", in.GroupID, out.Target)), nil
	}
	g := gs.Groups[0]
	if sampling.Samples == 1 {
		producedOver(ctx, d, conn, &g, &out.Warnings)
	}
	rep, vs := lag.Evaluate(g, th)
	// Time lag: read the record at the committed offset of the worst lagging
	// partitions by direct assignment (no group join), then re-judge.
	at := map[kafka.TP]int64{}
	for _, v := range vs {
		if len(at) >= worstN {
			break
		}
		if v.Committed != nil && v.LagRecords != nil && *v.LagRecords > 0 && *v.Committed >= v.LogStart {
			at[kafka.TP{Topic: v.Topic, Partition: v.Partition}] = *v.Committed
		}
	}
	if len(at) > 0 {
		times, err := conn.RecordTimes(ctx, at, 3*time.Second)
		if err != nil {
			out.Warnings = append(out.Warnings, "time lag not read: "+err.Error())
		}
		for i, p := range g.Partitions {
			if rt, ok := times[kafka.TP{Topic: p.Topic, Partition: p.Partition}]; ok {
				g.Partitions[i].Record = &rt
			}
		}
		g.Now = time.Now()
		rep, vs = lag.Evaluate(g, th)
	}
	members := info.Members
	if len(members) > limit {
		members = members[:limit]
		out.Truncated = true
	}
	info.Members = members
	det := groupDetail{Info: info, Lag: rep, CloudWatch: mskLagMetrics(ctx, d, conn.Target.ClusterARN, in.GroupID, vs, &out.Warnings)}
	if in.Detail == "partitions" {
		var trunc bool
		det.Partitions, out.NextOffset, trunc = page(vs, in.Offset, limit)
		out.Truncated = out.Truncated || trunc
		if trunc {
			det.LeftOut = len(vs) - in.Offset - len(det.Partitions)
			det.Next = fmt.Sprintf("call again with detail=partitions and offset=%d for the next %d", out.NextOffset, limit)
		}
	} else {
		// The default answer stays small whatever the partition count: the
		// summary, counts per status and the worst few partitions.
		if len(det.Lag.Worst) > summaryWorstN {
			det.Lag.Worst = det.Lag.Worst[:summaryWorstN]
		}
		det.LeftOut = len(vs) - len(det.Lag.Worst)
		if det.LeftOut > 0 {
			det.Next = fmt.Sprintf("%d partition verdicts left out; call again with detail=partitions (offset, limit up to 500) to page through all %d", det.LeftOut, len(vs))
		}
	}
	out.Group = &det
	return nil, nil
}

// producedOver sets each partition's records written over the last
// kafka.lag.produce_rate.window_seconds, read by timestamp.
func producedOver(ctx context.Context, d ReadDeps, conn *kafka.Conn, g *lag.Group, warnings *[]string) {
	seen := map[string]bool{}
	var topics []string
	for _, p := range g.Partitions {
		if !seen[p.Topic] {
			seen[p.Topic] = true
			topics = append(topics, p.Topic)
		}
	}
	if len(topics) == 0 {
		return
	}
	over := time.Duration(d.Guidance.Int("kafka.lag.produce_rate.window_seconds")) * time.Second
	produced, err := conn.ProducedSince(ctx, time.Now().Add(-over), topics...)
	if err != nil {
		*warnings = append(*warnings, "produce rate not read: "+err.Error())
		return
	}
	for i, p := range g.Partitions {
		if n, ok := produced[kafka.TP{Topic: p.Topic, Partition: p.Partition}]; ok {
			g.Partitions[i].Produced = &lag.Produced{Records: n, Over: over}
		}
	}
}

// mskLagMetrics reads MSK's consumer-lag metrics of the group's topics: a
// trend over minutes that an in-call window cannot see.
func mskLagMetrics(ctx context.Context, d ReadDeps, clusterARN, group string, vs []lag.Verdict, warnings *[]string) []aws.SeriesDigest {
	if clusterARN == "" || d.AWS == nil {
		return nil
	}
	name, _, ok := aws.ClusterUUIDFromARN(clusterARN)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var qs []aws.MetricQuery
	for _, v := range vs {
		if seen[v.Topic] {
			continue
		}
		seen[v.Topic] = true
		for _, q := range aws.MSKConsumerLagQueries(name, group, v.Topic) {
			q.Key = v.Topic + ":" + q.Key
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return nil
	}
	api, err := d.AWS.CloudWatchAPI(ctx)
	if err != nil {
		*warnings = append(*warnings, "CloudWatch not readable: "+aws.UnknownFrom("CloudWatch:GetMetricData", err).Reason)
		return nil
	}
	w := aws.WindowEnding(time.Now(), time.Duration(d.Guidance.Int("kafka.lag.cloudwatch.window_minutes"))*time.Minute)
	b := aws.NewMetrics(api, aws.MetricsOptions{CallTimeout: d.AWS.Options().CallTimeout, TrendZ: d.Guidance.Num("metrics.trend.z_critical")}).Fetch(ctx, w, qs)
	return b.Digests(nil)
}

// samplingFor spreads a window over samples one commit interval apart.
func samplingFor(window, interval time.Duration) kafka.Sampling {
	if window <= 0 {
		return kafka.Sampling{Samples: 1}
	}
	n := max(2, int(window/interval)+1)
	return kafka.Sampling{Samples: n, Interval: window / time.Duration(n-1)}
}

// inspectFleet answers what=groups from one snapshot in bounded memory
// (kafka.Conn.FleetLag): only the page asked for is kept of the worst
// groups, and near the call's deadline it answers with what it has, marked.
func inspectFleet(ctx context.Context, d ReadDeps, req mcp.CallToolRequest, conn *kafka.Conn, in kafkaInspectIn, out *kafkaInspectOut) (*mcp.CallToolResult, error) {
	size := worstN
	if in.Limit > 0 {
		size = in.Limit
	}
	f, err := conn.FleetLag(ctx, nil, lag.ThresholdsFrom(d.Guidance, worstN), kafka.FleetOptions{
		BatchGroups: d.Guidance.Int("kafka.lag.fleet.groups_per_round"),
		Parallel:    d.Guidance.Int("kafka.lag.fleet.parallel_rounds"),
		Reserve:     d.Guidance.Num("kafka.lag.fleet.deadline_reserve_fraction"),
		WorstN:      in.Offset + size,
		Progress:    progressFn(ctx, req, "kafka_inspect groups"),
	})
	if err != nil {
		return connFailure(ctx, d.Kafka, conn.Target, err), nil
	}
	out.Warnings = append(out.Warnings, f.Warnings...)
	sum := f.Summary
	var more bool
	sum.Worst, out.NextOffset, more = page(sum.Worst, in.Offset, size)
	if more || in.Offset+size < sum.Groups {
		out.NextOffset, out.Truncated = in.Offset+size, true
	}
	if f.Partial != "" {
		out.Warnings = append(out.Warnings, "partial: "+f.Partial)
		out.Truncated = true
	}
	out.Groups = &sum
	return nil, nil
}

func page[T any](xs []T, offset, limit int) ([]T, int, bool) {
	if offset >= len(xs) {
		return []T{}, 0, false
	}
	end := min(len(xs), offset+limit)
	if end < len(xs) {
		return xs[offset:end], end, true
	}
	return xs[offset:end], 0, false
}

func inspectSummary(o kafkaInspectOut) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kafka_inspect %s on %s (auth %s)\n", o.What, o.Target, o.Auth)
	switch {
	case o.Overview != nil:
		ov := o.Overview
		fmt.Fprintf(&b, "- %d brokers in %d racks, controller %d; %d topics, %d partitions\n", len(ov.Brokers), ov.Racks, ov.Controller, ov.Topics, ov.Partitions)
		fmt.Fprintf(&b, "- offline %d, under-replicated %d, under-min-ISR %d; leader skew %.2f\n", ov.OfflineCount, ov.URPCount, ov.UnderMinISR, ov.LeaderSkew)
	case o.Topics != nil:
		fmt.Fprintf(&b, "- %d topics (showing %d)\n", o.TotalTopics, len(o.Topics))
	case o.Topic != nil:
		fmt.Fprintf(&b, "- %s: %d partitions, RF %d, %d records retained, %d non-default configs\n", o.Topic.Name, o.Topic.Partitions, o.Topic.ReplicationFactor, o.Topic.Records, len(o.Topic.NonDefault))
	case o.Groups != nil:
		fmt.Fprintf(&b, "- %d groups, total lag %d records; by status: %s\n", o.Groups.Groups, o.Groups.TotalLag, countsLine(o.Groups.Counts))
		for _, g := range o.Groups.Worst[:min(5, len(o.Groups.Worst))] {
			fmt.Fprintf(&b, "  - %s: %s (%s, %d members, lag %d)\n", g.Group, g.Status, g.State, g.Members, g.TotalLag)
		}
	case o.Group != nil:
		r := o.Group.Lag
		fmt.Fprintf(&b, "- group %s: %s, state %s, %d members, %d partitions, total lag %d, max %d; %s\n", r.Group, r.Status, r.State, r.Members, r.Partitions, r.TotalLag, r.MaxLag, countsLine(r.Counts))
		for _, v := range r.Worst[:min(3, len(r.Worst))] {
			fmt.Fprintf(&b, "  - %s/%d %s: %s\n", v.Topic, v.Partition, v.Status, v.Evidence)
		}
	}
	for _, w := range o.Warnings {
		fmt.Fprintf(&b, "- warning: %s\n", w)
	}
	return b.String()
}

func countsLine(m map[lag.Status]int) string {
	parts := make([]string, 0, len(m))
	for s, n := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", s, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
