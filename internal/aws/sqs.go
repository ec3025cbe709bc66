package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// Queue is what an SQS mapping's checks need from its queue.
type Queue struct {
	ARN  string `json:"arn"`
	URL  string `json:"url"`
	FIFO bool   `json:"fifo"`
	// VisibilityTimeoutSeconds is the queue's visibility timeout.
	VisibilityTimeoutSeconds int `json:"visibility_timeout_seconds"`
	// MessageRetentionSeconds is how long messages are kept.
	MessageRetentionSeconds int `json:"message_retention_seconds,omitempty"`
	// DelaySeconds is the queue's delivery delay.
	DelaySeconds int `json:"delay_seconds,omitempty"`
	// RedriveTarget is the dead-letter queue ARN, MaxReceiveCount its
	// threshold (0 when there is no redrive policy).
	RedriveTarget   string `json:"redrive_target,omitempty"`
	MaxReceiveCount int    `json:"max_receive_count,omitempty"`
	// ApproximateMessages is the backlog (visible messages).
	ApproximateMessages   int    `json:"approximate_messages"`
	ApproximateNotVisible int    `json:"approximate_in_flight"`
	KMSKeyID              string `json:"kms_key_id,omitempty"`
}

// SQSQueue reads a queue's attributes from its ARN
// (arn:aws:sqs:REGION:ACCOUNT:NAME): GetQueueUrl, then GetQueueAttributes.
func (c *Client) SQSQueue(ctx context.Context, arn string) (Queue, error) {
	if err := c.ready(ctx); err != nil {
		return Queue{}, err
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" {
		return Queue{}, fmt.Errorf("%q is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)", arn)
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	u, err := c.sqs.GetQueueUrl(cctx, &sqs.GetQueueUrlInput{QueueName: sdkaws.String(parts[5]), QueueOwnerAWSAccountId: sdkaws.String(parts[4])})
	if err != nil {
		return Queue{}, err
	}
	a, err := c.sqs.GetQueueAttributes(cctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		return Queue{}, err
	}
	q := Queue{ARN: arn, URL: sdkaws.ToString(u.QueueUrl)}
	at := a.Attributes
	num := func(k string) int { n, _ := strconv.Atoi(at[k]); return n }
	q.FIFO = at["FifoQueue"] == "true"
	q.VisibilityTimeoutSeconds = num("VisibilityTimeout")
	q.MessageRetentionSeconds = num("MessageRetentionPeriod")
	q.DelaySeconds = num("DelaySeconds")
	q.ApproximateMessages = num("ApproximateNumberOfMessages")
	q.ApproximateNotVisible = num("ApproximateNumberOfMessagesNotVisible")
	q.KMSKeyID = at["KmsMasterKeyId"]
	if rp := at["RedrivePolicy"]; rp != "" {
		var r struct {
			DeadLetterTargetArn string
			MaxReceiveCount     any
		}
		if json.Unmarshal([]byte(rp), &r) == nil {
			q.RedriveTarget = r.DeadLetterTargetArn
			switch v := r.MaxReceiveCount.(type) {
			case float64:
				q.MaxReceiveCount = int(v)
			case string:
				q.MaxReceiveCount, _ = strconv.Atoi(v)
			}
		}
	}
	return q, nil
}

// SecretMeta is a secret's metadata; Secrets Manager's DescribeSecret never
// returns the value and this package never calls GetSecretValue.
type SecretMeta struct {
	ARN             string    `json:"arn" jsonschema_description:"secret ARN"`
	Name            string    `json:"name" jsonschema_description:"secret name"`
	KMSKeyID        string    `json:"kms_key_id,omitempty" jsonschema_description:"KMS key encrypting the secret (empty: the AWS managed key)"`
	RotationEnabled bool      `json:"rotation_enabled" jsonschema_description:"rotation is configured"`
	LastChanged     time.Time `json:"last_changed,omitzero" jsonschema_description:"last change of the secret"`
	// DeletedDate is set when the secret is scheduled for deletion.
	DeletedDate time.Time `json:"deleted_date,omitzero" jsonschema_description:"set when the secret is scheduled for deletion"`
}

// SecretMeta describes a secret by name or ARN.
func (c *Client) SecretMeta(ctx context.Context, ref string) (SecretMeta, error) {
	if err := c.ready(ctx); err != nil {
		return SecretMeta{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.secrets.DescribeSecret(cctx, &secretsmanager.DescribeSecretInput{SecretId: sdkaws.String(ref)})
	if err != nil {
		return SecretMeta{}, err
	}
	m := SecretMeta{ARN: sdkaws.ToString(out.ARN), Name: sdkaws.ToString(out.Name), KMSKeyID: sdkaws.ToString(out.KmsKeyId), RotationEnabled: sdkaws.ToBool(out.RotationEnabled)}
	if out.LastChangedDate != nil {
		m.LastChanged = out.LastChangedDate.UTC()
	}
	if out.DeletedDate != nil {
		m.DeletedDate = out.DeletedDate.UTC()
	}
	return m, nil
}

// LogEvent is one log line (trimmed, control characters removed).
type LogEvent struct {
	Time    time.Time `json:"time"`
	Stream  string    `json:"stream"`
	Message string    `json:"message"`
}

// LogEvents returns up to limit events of group matching pattern (a
// CloudWatch Logs filter pattern) since since, oldest first; at most 10
// pages are read.
func (c *Client) LogEvents(ctx context.Context, group, pattern string, since time.Time, limit int) ([]LogEvent, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: sdkaws.String(group), StartTime: sdkaws.Int64(since.UnixMilli()), Limit: sdkaws.Int32(int32(limit))}
	if pattern != "" {
		in.FilterPattern = sdkaws.String(pattern)
	}
	var out []LogEvent
	pg := cloudwatchlogs.NewFilterLogEventsPaginator(c.logs, in)
	for i := 0; pg.HasMorePages() && i < 10 && len(out) < limit; i++ {
		cctx, cancel := c.timeout(ctx)
		r, err := pg.NextPage(cctx)
		cancel()
		if err != nil {
			return out, err
		}
		for _, e := range r.Events {
			if len(out) == limit {
				break
			}
			out = append(out, LogEvent{Time: time.UnixMilli(sdkaws.ToInt64(e.Timestamp)).UTC(), Stream: sdkaws.ToString(e.LogStreamName), Message: errmap.Clean(sdkaws.ToString(e.Message))})
		}
	}
	return out, nil
}
