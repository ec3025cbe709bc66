package awssim

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAWSCLIv1 drives the services added for the diagnosis (and a few
// faithful behaviours) with the AWS CLI v1, an independent client built on
// botocore: each command must succeed and its JSON output carry what the
// scenario says. Skipped without the CLI only outside CI.
func TestAWSCLIv1(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: the CLI starts one Python interpreter per command")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: the AWS CLI is required: %v", err)
		}
		t.Skip("aws CLI not installed")
	}
	sc, err := Parse("conformance", []byte(conformanceScenario))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	home := t.TempDir()
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials", "HOME="+home, "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=")
	run := func(args ...string) (map[string]any, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", srv.URL(), "--output", "json"}, args...)...)
		cmd.Env = env
		out, err := cmd.Output()
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		var doc map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if jerr := json.Unmarshal(out, &doc); jerr != nil {
				return nil, "output is not JSON: " + string(out), jerr
			}
		}
		return doc, stderr, err
	}
	const (
		cluster = "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3"
		topic   = "arn:aws:sns:us-east-1:123456789012:orders-events"
	)
	now := time.Now().Unix()
	tests := []struct {
		args []string
		want string // a JSON path a.b.0.c and the value it must hold
	}{
		{[]string{"cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=ResourceName,AttributeValue=7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"}, "Events.0.EventName=UpdateEventSourceMapping20150331v2"},
		{[]string{"kms", "describe-key", "--key-id", "alias/orders"}, "KeyMetadata.KeyState=PendingDeletion"},
		{[]string{"kms", "describe-key", "--key-id", "alias/aws/secretsmanager"}, "KeyMetadata.KeyManager=AWS"},
		{[]string{"kms", "get-key-policy", "--key-id", "1234abcd-12ab-34cd-56ef-1234567890ab", "--policy-name", "default"}, "PolicyName=default"},
		{[]string{"dynamodb", "describe-table", "--table-name", "orders"}, "Table.StreamSpecification.StreamViewType=NEW_AND_OLD_IMAGES"},
		{[]string{"dynamodbstreams", "describe-stream", "--stream-arn", "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2025-03-14T09:26:53.000"}, "StreamDescription.Shards.1.ParentShardId=shardId-00000001700000000000-aaaaaaaa"},
		{[]string{"sns", "get-topic-attributes", "--topic-arn", topic}, "Attributes.KmsMasterKeyId=alias/aws/sns"},
		{[]string{"sns", "get-subscription-attributes", "--subscription-arn", topic + ":11111111-2222-4333-8444-555555555555"}, "Attributes.RawMessageDelivery=true"},
		{[]string{"s3api", "head-bucket", "--bucket", "failures"}, "BucketRegion=us-east-1"},
		{[]string{"s3api", "get-bucket-policy", "--bucket", "failures"}, "Policy~s3:PutObject"},
		{[]string{"kafka", "list-scram-secrets", "--cluster-arn", cluster}, "SecretArnList.0~AmazonMSK_orders"},
		{[]string{"kafka", "list-cluster-operations-v2", "--cluster-arn", cluster}, "ClusterOperationInfoList.0.OperationState=UPDATE_FAILED"},
		{[]string{"kafka", "describe-cluster-operation-v2", "--cluster-operation-arn", "arn:aws:kafka:us-east-1:123456789012:cluster-operation/orders-prod/5a1e7b8c/op-1"}, "ClusterOperationInfo.ErrorInfo.ErrorCode=InvalidSecurityGroup"},
		{[]string{"kafka", "list-replicators"}, "Replicators.0.ReplicatorState=RUNNING"},
		{[]string{"kafka", "describe-replicator", "--replicator-arn", "arn:aws:kafka:us-east-1:123456789012:replicator/r1/abc"}, "ReplicationInfoList.0.TargetKafkaClusterAlias=dst"},
		{[]string{"kafka", "list-vpc-connections"}, "VpcConnections.0.State=AVAILABLE"},
		{[]string{"ec2", "describe-network-interfaces", "--filters", "Name=interface-type,Values=lambda"}, "NetworkInterfaces.0.RequesterId=560195767412"},
		{[]string{"ec2", "describe-transit-gateway-attachments"}, "TransitGatewayAttachments.0.Association.TransitGatewayRouteTableId=tgw-rtb-1"},
		{[]string{"ec2", "search-transit-gateway-routes", "--transit-gateway-route-table-id", "tgw-rtb-1", "--filters", "Name=state,Values=blackhole"}, "Routes.0.DestinationCidrBlock=10.50.8.0/24"},
		{[]string{"ec2", "describe-vpcs"}, "Vpcs.0.Ipv6CidrBlockAssociationSet.0.Ipv6CidrBlock=2600:1f18::/56"},
		{[]string{"lambda", "get-account-settings"}, "AccountLimit.ConcurrentExecutions=1000"},
		{[]string{"lambda", "get-function-concurrency", "--function-name", "orders-consumer"}, "ReservedConcurrentExecutions=50"},
		{[]string{"lambda", "list-function-event-invoke-configs", "--function-name", "orders-consumer"}, "FunctionEventInvokeConfigs.0.MaximumRetryAttempts=0"},
		{[]string{"lambda", "get-function-configuration", "--function-name", "orders-consumer"}, "LastUpdateStatus=Failed"},
		{[]string{"sqs", "list-dead-letter-source-queues", "--queue-url", "https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq"}, "queueUrls.0~/orders"},
		{[]string{"cloudwatch", "get-metric-data", "--start-time", strconv.FormatInt(now-600, 10), "--end-time", strconv.FormatInt(now, 10), "--metric-data-queries",
			`[{"Id":"v","MetricStat":{"Metric":{"Namespace":"AWS/SQS","MetricName":"ApproximateNumberOfMessagesVisible","Dimensions":[{"Name":"QueueName","Value":"orders-dlq"}]},"Period":300,"Stat":"Maximum"}}]`},
			"MetricDataResults.0.Values.0=12"},
	}
	// Each CLI start costs a Python interpreter: run a few at a time.
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, tc := range tests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			doc, stderr, err := run(tc.args...)
			if err != nil {
				t.Errorf("aws %s: %v\n%s", strings.Join(tc.args[:2], " "), err, stderr)
				return
			}
			path, want, contains := strings.Cut(tc.want, "~")
			if !contains {
				path, want, _ = strings.Cut(tc.want, "=")
			}
			got := lookup(doc, path)
			if (contains && !strings.Contains(got, want)) || (!contains && got != want) {
				t.Errorf("aws %s: %s = %q, want %q", strings.Join(tc.args[:2], " "), path, got, want)
			}
		}()
	}
	wg.Wait()
	// Errors reach the CLI in each service's own form.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sqs", "get-queue-url", "--queue-name", "nope"}, "AWS.SimpleQueueService.NonExistentQueue"},
		{[]string{"cloudwatch", "get-metric-data", "--start-time", "2000", "--end-time", "1000", "--metric-data-queries", `[{"Id":"a","MetricStat":{"Metric":{"Namespace":"N","MetricName":"M"},"Period":60,"Stat":"Sum"}}]`}, "ValidationError"},
		{[]string{"kms", "describe-key", "--key-id", "alias/nope"}, "NotFoundException"},
		{[]string{"kafka", "describe-topic", "--cluster-arn", "arn:aws:kafka:us-east-1:123456789012:cluster/none/1", "--topic-name", "t"}, "NotFoundException"},
		{[]string{"lambda", "update-event-source-mapping", "--uuid", "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "--parallelization-factor", "2"}, "InvalidParameterValueException"},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			_, stderr, err := run(tc.args...)
			if err == nil || !strings.Contains(stderr, tc.want) {
				t.Errorf("aws %s: err %v, stderr %q, want %s", strings.Join(tc.args[:2], " "), err, stderr, tc.want)
			}
		}()
	}
	wg.Wait()
}

// lookup follows a dotted path (map keys, list indexes) to a scalar.
func lookup(v any, path string) string {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
