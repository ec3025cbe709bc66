package awssim_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The MSK topic APIs serve only MSK Provisioned clusters in ACTIVE state
// running Kafka 3.6.0 or later. Amazon MSK Developer Guide, "Topic
// Operations" (https://docs.aws.amazon.com/msk/latest/developerguide/msk-view-topic-information.html):
// "Your cluster must be an MSK Provisioned cluster. These APIs are not
// available for MSK Serverless clusters. Your cluster must be running
// Apache Kafka version 3.6.0 or later. Your cluster must be in the ACTIVE
// state."
func TestMSKTopicAPIRequirements(t *testing.T) {
	t.Parallel()
	_, cfg := startYAML(t, `
msk:
  clusters:
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/ok/1", clusterName: ok, clusterType: PROVISIONED, state: ACTIVE,
       provisioned: {currentBrokerSoftwareInfo: {kafkaVersion: 3.9.x}}, topics: [{topicName: t, partitionCount: 6, replicationFactor: 3}]}
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/sls/2", clusterName: sls, clusterType: SERVERLESS, state: ACTIVE}
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/busy/3", clusterName: busy, clusterType: PROVISIONED, state: UPDATING,
       topics: [{topicName: t, partitionCount: 6, replicationFactor: 3}]}
    - {clusterArn: "arn:aws:kafka:us-east-1:123456789012:cluster/old/4", clusterName: old, clusterType: PROVISIONED, state: ACTIVE,
       provisioned: {currentBrokerSoftwareInfo: {kafkaVersion: 3.5.1}}, topics: [{topicName: t, partitionCount: 6, replicationFactor: 3}]}
`)
	c := kafka.NewFromConfig(cfg)
	ctx := context.Background()
	tests := []struct {
		cluster, wantMsg string
	}{
		{"ok/1", ""},
		{"sls/2", "serverless"},
		{"busy/3", "UPDATING"},
		{"old/4", "3.6.0"},
	}
	for _, tc := range tests {
		arn := aws.String("arn:aws:kafka:us-east-1:123456789012:cluster/" + tc.cluster)
		_, derr := c.DescribeTopic(ctx, &kafka.DescribeTopicInput{ClusterArn: arn, TopicName: aws.String("t")})
		_, lerr := c.ListTopics(ctx, &kafka.ListTopicsInput{ClusterArn: arn})
		for op, err := range map[string]error{"DescribeTopic": derr, "ListTopics": lerr} {
			if tc.wantMsg == "" {
				if err != nil {
					t.Errorf("%s %s: %v", op, tc.cluster, err)
				}
				continue
			}
			var re *smithyhttp.ResponseError
			if apiCode(err) != "BadRequestException" || !errors.As(err, &re) || re.HTTPStatusCode() != 400 || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("%s %s: err = %v, want 400 BadRequestException mentioning %q", op, tc.cluster, err, tc.wantMsg)
			}
		}
	}
}
