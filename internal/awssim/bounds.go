package awssim

import "fmt"

// paramBounds are the request-parameter ranges the simulated operations
// enforce, keyed "service.Operation.Parameter" (botocore's service names).
// Each comes from the service's API model; conformance_test.go checks every
// entry against the model botocore ships wherever the model states a
// bound. Two the models leave out come from the API reference pages: SQS
// ListDeadLetterSourceQueues MaxResults "Value range is 1 to 1000"
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListDeadLetterSourceQueues.html)
// and DynamoDB Streams DescribeStream Limit "The upper limit is 100"
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html;
// the model states only the minimum).
var paramBounds = map[string][2]int{
	"cloudtrail.LookupEvents.MaxResults":                  {1, 50},
	"lambda.ListFunctionEventInvokeConfigs.MaxItems":      {1, 50},
	"lambda.ListVersionsByFunction.MaxItems":              {1, 10000},
	"kafka.ListScramSecrets.MaxResults":                   {1, 100},
	"kafka.ListClusterOperationsV2.MaxResults":            {1, 100},
	"kafka.ListReplicators.MaxResults":                    {1, 100},
	"kafka.ListVpcConnections.MaxResults":                 {1, 100},
	"sqs.ListDeadLetterSourceQueues.MaxResults":           {1, 1000},
	"dynamodbstreams.DescribeStream.Limit":                {1, 100},
	"ec2.DescribeVpcs.MaxResults":                         {5, 1000},
	"ec2.DescribeSubnets.MaxResults":                      {5, 1000},
	"ec2.DescribeRouteTables.MaxResults":                  {5, 100},
	"ec2.DescribeNatGateways.MaxResults":                  {5, 1000},
	"ec2.DescribeInternetGateways.MaxResults":             {5, 1000},
	"ec2.DescribeSecurityGroups.MaxResults":               {5, 1000},
	"ec2.DescribeNetworkAcls.MaxResults":                  {5, 1000},
	"ec2.DescribeNetworkInterfaces.MaxResults":            {5, 1000},
	"ec2.DescribeEgressOnlyInternetGateways.MaxResults":   {5, 255},
	"ec2.DescribeTransitGatewayAttachments.MaxResults":    {5, 1000},
	"ec2.DescribeTransitGatewayVpcAttachments.MaxResults": {5, 1000},
	"ec2.DescribeTransitGatewayRouteTables.MaxResults":    {5, 1000},
	"ec2.SearchTransitGatewayRoutes.MaxResults":           {5, 1000},
}

// bounds returns a parameter's range; ok is false when none is known.
func bounds(key string) (lo, hi int, ok bool) {
	b, ok := paramBounds[key]
	return b[0], b[1], ok
}

// checkBounds refuses v outside the parameter's range with the code and
// message shape of the service (EC2: "Value ( N ) for parameter maxResults
// is invalid. Expecting a value between LO and HI.").
func checkBounds(key, code string, v int) error {
	lo, hi, ok := bounds(key)
	if !ok || (v >= lo && v <= hi) {
		return nil
	}
	return errBadRequest(code, fmt.Sprintf("Value ( %d ) for parameter %s is invalid. Expecting a value between %d and %d.", v, paramName(key), lo, hi))
}

func paramName(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' {
			p := key[i+1:]
			return string(p[0]|0x20) + p[1:]
		}
	}
	return key
}
