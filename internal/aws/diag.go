package aws

import (
	"context"
	"encoding/json"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TrailEvent is one control-plane change CloudTrail recorded on a resource.
type TrailEvent struct {
	Time     time.Time `json:"time" jsonschema_description:"when"`
	Event    string    `json:"event" jsonschema_description:"API call, e.g. RevokeSecurityGroupIngress"`
	Source   string    `json:"source,omitempty" jsonschema_description:"service, e.g. ec2.amazonaws.com"`
	User     string    `json:"user,omitempty" jsonschema_description:"who made it"`
	Resource string    `json:"resource" jsonschema_description:"resource it touched"`
}

// maxTrailPages bounds LookupEvents pages per resource (50 events each).
const maxTrailPages = 4

// Changes reads CloudTrail (LookupEvents, management events) for the
// write events on one resource (name, ID or ARN) between start and end,
// oldest first. Read-only events are left out.
func (c *Client) Changes(ctx context.Context, resource string, start, end time.Time) ([]TrailEvent, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	ct := cloudtrail.NewFromConfig(c.cfg)
	in := &cloudtrail.LookupEventsInput{StartTime: sdkaws.Time(start), EndTime: sdkaws.Time(end),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: sdkaws.String(resource)}}}
	var out []TrailEvent
	pg := cloudtrail.NewLookupEventsPaginator(ct, in)
	for i := 0; pg.HasMorePages() && i < maxTrailPages; i++ {
		cctx, cancel := c.timeout(ctx)
		r, err := pg.NextPage(cctx)
		cancel()
		if err != nil {
			return out, err
		}
		for _, e := range r.Events {
			if sdkaws.ToString(e.ReadOnly) == "true" {
				continue
			}
			user := sdkaws.ToString(e.Username)
			if user == "" && e.CloudTrailEvent != nil {
				var rec struct {
					UserIdentity struct{ Arn string } `json:"userIdentity"`
				}
				if json.Unmarshal([]byte(*e.CloudTrailEvent), &rec) == nil {
					user = rec.UserIdentity.Arn
				}
			}
			out = append(out, TrailEvent{Time: sdkaws.ToTime(e.EventTime).UTC(), Event: sdkaws.ToString(e.EventName), Source: sdkaws.ToString(e.EventSource), User: user, Resource: resource})
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// KMSKeyMeta is what a diagnosis needs of a KMS key.
type KMSKeyMeta struct {
	ARN     string `json:"arn" jsonschema_description:"key ARN"`
	Manager string `json:"manager" jsonschema_description:"AWS (AWS managed) or CUSTOMER"`
	State   string `json:"state" jsonschema_description:"Enabled, Disabled, PendingDeletion, ..."`
}

// KMSKey describes a key by ID, ARN or alias (kms:DescribeKey).
func (c *Client) KMSKey(ctx context.Context, keyID string) (KMSKeyMeta, error) {
	if err := c.ready(ctx); err != nil {
		return KMSKeyMeta{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	r, err := kms.NewFromConfig(c.cfg).DescribeKey(cctx, &kms.DescribeKeyInput{KeyId: sdkaws.String(keyID)})
	if err != nil {
		return KMSKeyMeta{}, err
	}
	m := r.KeyMetadata
	if m == nil {
		return KMSKeyMeta{ARN: keyID}, nil
	}
	return KMSKeyMeta{ARN: sdkaws.ToString(m.Arn), Manager: string(m.KeyManager), State: string(m.KeyState)}, nil
}

// ScramSecrets lists the secret ARNs associated with an MSK cluster
// (kafka:ListScramSecrets).
func (c *Client) ScramSecrets(ctx context.Context, clusterARN string) ([]string, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	var out []string
	pg := kafka.NewListScramSecretsPaginator(c.kafka, &kafka.ListScramSecretsInput{ClusterArn: sdkaws.String(clusterARN)})
	for i := 0; pg.HasMorePages() && i < 10; i++ {
		cctx, cancel := c.timeout(ctx)
		r, err := pg.NextPage(cctx)
		cancel()
		if err != nil {
			return out, err
		}
		out = append(out, r.SecretArnList...)
	}
	return out, nil
}

// AccountConcurrency reads the account's concurrency limit and the part
// no function reserves (lambda:GetAccountSettings).
func (c *Client) AccountConcurrency(ctx context.Context) (limit, unreserved int32, err error) {
	if err := c.ready(ctx); err != nil {
		return 0, 0, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	r, err := c.lambda.GetAccountSettings(cctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		return 0, 0, err
	}
	if r.AccountLimit == nil {
		return 0, 0, nil
	}
	return r.AccountLimit.ConcurrentExecutions, sdkaws.ToInt32(r.AccountLimit.UnreservedConcurrentExecutions), nil
}
