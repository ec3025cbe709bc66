package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/writes"
)

// kafkaAdminArgs are kafka_admin's arguments apart from the action.
type kafkaAdminArgs struct {
	kafkaTargetIn
	Topic             string            `json:"topic" jsonschema_description:"the topic to create or change, or whose group offsets to reset"`
	Partitions        int               `json:"partitions,omitempty" jsonschema:"minimum=1,maximum=1000000" jsonschema_description:"create_topic: partition count (default: broker default); add_partitions: the new total count"`
	ReplicationFactor int               `json:"replication_factor,omitempty" jsonschema:"minimum=1,maximum=32" jsonschema_description:"create_topic: replicas per partition (default: broker default)"`
	Configs           map[string]string `json:"configs,omitempty" jsonschema_description:"create_topic: topic config overrides; alter_topic_config: configs to set (others are left alone), e.g. {\"retention.ms\":\"604800000\"}"`
	DeleteConfigs     []string          `json:"delete_configs,omitempty" jsonschema_description:"alter_topic_config: overrides to remove so the broker default applies"`
	ConfirmationToken string            `json:"confirmation_token,omitempty" jsonschema_description:"the token from this tool's plan, to apply it; omit to get a plan"`
}

// kafkaResetArgs are reset_group_offsets' arguments, offered only with
// --allow-destructive.
type kafkaResetArgs struct {
	GroupID        string  `json:"group_id,omitempty" jsonschema_description:"reset_group_offsets: the consumer group"`
	To             string  `json:"to,omitempty" jsonschema:"enum=earliest,enum=latest,enum=timestamp,enum=offset" jsonschema_description:"reset_group_offsets: where to move the committed offsets"`
	Timestamp      string  `json:"timestamp,omitempty" jsonschema_description:"reset_group_offsets with to=timestamp: RFC 3339 time; each partition moves to its first record at or after it"`
	Offset         *int64  `json:"offset,omitempty" jsonschema:"minimum=0" jsonschema_description:"reset_group_offsets with to=offset: the offset for every selected partition"`
	OnlyPartitions []int32 `json:"only_partitions,omitempty" jsonschema_description:"reset_group_offsets: limit the reset to these partitions (default: all)"`
}

// kafkaAdminWriteIn is the input when destructive tools are not allowed:
// reset_group_offsets is not offered.
type kafkaAdminWriteIn struct {
	Action string `json:"action" jsonschema:"enum=create_topic,enum=alter_topic_config,enum=add_partitions" jsonschema_description:"the change to plan (and apply once confirmed)"`
	kafkaAdminArgs
}

// kafkaAdminIn is the input with --allow-destructive.
type kafkaAdminIn struct {
	Action string `json:"action" jsonschema:"enum=create_topic,enum=alter_topic_config,enum=add_partitions,enum=reset_group_offsets" jsonschema_description:"the change to plan (and apply once confirmed); reset_group_offsets is destructive"`
	kafkaAdminArgs
	kafkaResetArgs
}

type kafkaAdminOut = confirm.Outcome[writes.KafkaResult]

// KafkaAdmin plans and, once confirmed, applies Kafka topic and consumer
// group changes. Resetting group offsets skips or replays records, so it is
// destructive: the tool is registered as a write tool without it, and as a
// destructive tool (needing --allow-destructive) with it. One tool name,
// one access class per process, so the server's gate stays the single
// decision point.
func KafkaAdmin(d WriteDeps) server.ServerTool {
	destructive := d.AllowDestructive
	desc := "Returns a plan for a Kafka change (create_topic, alter_topic_config, add_partitions), validated by the broker: current vs desired, risks, what stays untouched; applied after confirmation and read back. Call for the plan, then the user confirms in the client or you repeat the call with confirmation_token."
	opts := []mcp.ToolOption{
		mcp.WithTitleAnnotation("Kafka: Admin"),
		mcp.WithReadOnlyHintAnnotation(false), mcp.WithDestructiveHintAnnotation(destructive),
		mcp.WithIdempotentHintAnnotation(false), mcp.WithOpenWorldHintAnnotation(true),
		schema.Output[kafkaAdminOut](),
	}
	if destructive {
		desc = strings.Replace(desc, "add_partitions)", "add_partitions, destructive reset_group_offsets for empty groups)", 1)
		opts = append(opts, schema.Input[kafkaAdminIn]())
	} else {
		opts = append(opts, schema.Input[kafkaAdminWriteIn]())
	}
	t := mcp.NewTool("kafka_admin", append([]mcp.ToolOption{mcp.WithDescription(desc)}, opts...)...)
	h := func(ctx context.Context, req mcp.CallToolRequest, in kafkaAdminIn) (*mcp.CallToolResult, error) {
		if in.Action == "reset_group_offsets" && !destructive {
			return confirm.Reject(d.Confirm, "kafka_admin", in, "reset_group_offsets is destructive and this server runs without --allow-destructive; restart it with --allow-write --allow-destructive to reset offsets"), nil
		}
		if d.Kafka == nil {
			return confirm.Reject(d.Confirm, "kafka_admin", in, "kafka_admin has no Kafka client factory in this process; this is a configuration bug, report it"), nil
		}
		plan, apply, err := kafkaAdminAction(in, destructive)
		if err != nil {
			return confirm.Reject(d.Confirm, "kafka_admin", in, err.Error()), nil
		}
		target, err := in.target(d.Kafka)
		if err != nil {
			return confirm.Reject(d.Confirm, "kafka_admin", in, err.Error()), nil
		}
		conn, err := d.Kafka.Conn(ctx, target)
		if err != nil {
			return confirm.Reject(d.Confirm, "kafka_admin", in, fmt.Sprintf("cannot connect to %s: %v; check the target with kafka_troubleshoot mode=diagnosis", target.Label(), err)), nil
		}
		adm := conn.Admin
		return confirm.Run(ctx, d.Confirm, req, confirm.Action[writes.KafkaResult]{
			Tool:  "kafka_admin",
			Args:  in,
			Token: in.ConfirmationToken,
			Plan:  func(ctx context.Context) (confirm.Plan, string, error) { return plan(ctx, adm) },
			Apply: func(ctx context.Context) (writes.KafkaResult, error) { return apply(ctx, adm) },
		})
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

type (
	kafkaPlanFn  func(context.Context, *kadm.Client) (confirm.Plan, string, error)
	kafkaApplyFn func(context.Context, *kadm.Client) (writes.KafkaResult, error)
)

// kafkaAdminAction checks the action's arguments and returns its plan and
// apply functions.
func kafkaAdminAction(in kafkaAdminIn, allowDestructive bool) (kafkaPlanFn, kafkaApplyFn, error) {
	if strings.TrimSpace(in.Topic) == "" {
		return nil, nil, errors.New("topic is required; call kafka_inspect with what=topics for the names")
	}
	switch in.Action {
	case "create_topic":
		r := writes.TopicCreate{Topic: in.Topic, Partitions: -1, ReplicationFactor: -1, Configs: in.Configs}
		if in.Partitions > 0 {
			r.Partitions = int32(in.Partitions)
		}
		if in.ReplicationFactor > 0 {
			r.ReplicationFactor = int16(in.ReplicationFactor)
		}
		return func(ctx context.Context, a *kadm.Client) (confirm.Plan, string, error) {
				return writes.PlanCreateTopic(ctx, a, r)
			},
			func(ctx context.Context, a *kadm.Client) (writes.KafkaResult, error) {
				return writes.ApplyCreateTopic(ctx, a, r)
			}, nil
	case "alter_topic_config":
		r := writes.TopicConfigAlter{Topic: in.Topic, Set: in.Configs, Delete: in.DeleteConfigs, AllowDestructive: allowDestructive}
		return func(ctx context.Context, a *kadm.Client) (confirm.Plan, string, error) {
				return writes.PlanAlterTopicConfig(ctx, a, r)
			},
			func(ctx context.Context, a *kadm.Client) (writes.KafkaResult, error) {
				return writes.ApplyAlterTopicConfig(ctx, a, r)
			}, nil
	case "add_partitions":
		if in.Partitions <= 0 {
			return nil, nil, errors.New("add_partitions needs partitions: the new total partition count")
		}
		r := writes.PartitionsAdd{Topic: in.Topic, Total: in.Partitions}
		return func(ctx context.Context, a *kadm.Client) (confirm.Plan, string, error) {
				return writes.PlanAddPartitions(ctx, a, r)
			},
			func(ctx context.Context, a *kadm.Client) (writes.KafkaResult, error) {
				return writes.ApplyAddPartitions(ctx, a, r)
			}, nil
	case "reset_group_offsets":
		if in.GroupID == "" {
			return nil, nil, errors.New("reset_group_offsets needs group_id; call kafka_inspect with what=groups for the IDs")
		}
		r := &writes.OffsetReset{Group: in.GroupID, Topic: in.Topic, Partitions: in.OnlyPartitions, To: in.To}
		switch in.To {
		case writes.ResetEarliest, writes.ResetLatest:
		case writes.ResetTimestamp:
			ts, err := time.Parse(time.RFC3339, in.Timestamp)
			if err != nil {
				return nil, nil, fmt.Errorf("timestamp %q is not an RFC 3339 time such as 2026-11-22T08:00:00Z", in.Timestamp)
			}
			r.Timestamp = ts
		case writes.ResetOffset:
			if in.Offset == nil {
				return nil, nil, errors.New("to=offset needs offset")
			}
			r.Offset = *in.Offset
		default:
			return nil, nil, errors.New("reset_group_offsets needs to: earliest, latest, timestamp or offset")
		}
		return r.Plan, r.Apply, nil
	}
	return nil, nil, fmt.Errorf("action %q is not one of create_topic, alter_topic_config, add_partitions, reset_group_offsets", in.Action)
}
