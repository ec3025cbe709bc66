// Package awssim is a loopback AWS simulator that speaks the real wire
// protocols of the operations stream-mcp calls, driven by scenario files. It
// exists because no emulator for Lambda, the MSK control plane, EC2 or IAM can
// run here, and mock interfaces would leave the SDK's serializers, paginators,
// retries and error decoding untested. Tests and the `demo` / `simulate`
// commands point the real aws-sdk-go-v2 clients at it (BaseEndpoint, static
// credentials).
//
// # Serving
//
//	sc, _ := awssim.Load("msk-iam-healthy")      // embedded name or a YAML path
//	srv, _ := awssim.Start(ctx, sc)              // 127.0.0.1, random port
//	defer srv.Close()
//	cfg.BaseEndpoint = aws.String(srv.URL())
//	...
//	srv.Calls()          // every call, in order, with Mutating marked
//	srv.MutatingCalls()  // the subset that would change state
//
// Requests are routed by the service name in the SigV4 credential scope of
// the Authorization header (Credential=AKID/date/region/SERVICE/aws4_request);
// signatures are accepted, never verified. Unsigned requests fall back to the
// X-Amz-Target prefix. Each service then names the operation from its own
// protocol: the REST path (Lambda, Kafka, S3), X-Amz-Target (JSON protocols;
// DynamoDB and DynamoDB Streams share the signing name and differ here), the
// Action form parameter (query protocols) or the rpcv2 path (CloudWatch).
//
// Served: Lambda, MSK (kafka), EC2, IAM, STS, SQS, Secrets Manager,
// CloudWatch Logs, Kinesis, CloudWatch, CloudTrail, KMS, DynamoDB, DynamoDB
// Streams, SNS, S3, OpenSearch Ingestion (osis) and Firehose, each for the read operations the tools call plus
// UpdateEventSourceMapping, UpdateShardCount and UpdateStreamMode. Each
// service lists its operations (service.ops); conformance_test.go drives
// every one through aws-sdk-go-v2 and checks the raw answer against
// botocore's service model, and cli_test.go drives the newer services with
// the AWS CLI v1.
//
// # Behaving like AWS
//
// Where AWS refuses, the simulator refuses with the same code, status and
// body layout: the MSK topic APIs only for provisioned ACTIVE clusters on
// Kafka 3.6.0+; Kinesis capacity changes leave the stream UPDATING and a
// second change meets ResourceInUseException; UpdateEventSourceMapping
// checks what Lambda checks (from guidance esm.*); CloudWatch pages
// GetMetricData by data points with PartialData; EC2 checks MaxResults
// bounds. Each rule has a test quoting the AWS page it follows
// (faithful_test.go).
//
// # Scenarios
//
// A scenario (type [Scenario]) is one simulated account: functions, event
// source mappings, MSK clusters, replicators and VPC connections, VPC
// resources (ENIs, transit gateways, IPv6 included), IAM, SQS queues, secret
// metadata, log events, CloudTrail events, KMS keys, DynamoDB tables and
// streams, SNS topics, S3 buckets, Kinesis streams and CloudWatch series,
// plus faults. Timestamps may be relative ("now-2h"). A scenario may
// `extends:` another and override it (deep merge on resource identity;
// extends.go).
// Resource fields use the AWS API's own member names, so a scenario reads like
// the API responses it produces. The format is documented in
// testdata/scenarios/README.md; the files are embedded by the package
// github.com/stream-mcp/stream-mcp/testdata/scenarios (a Go package inside
// testdata, importable but skipped by ./... patterns) so `demo` and
// `simulate` work from any directory. [Load] takes an embedded name or a
// file path; [Names] lists the embedded ones.
//
// # Faults
//
// Scenario faults ([Fault]) match a service and operation (either may be
// "*") and inject latency, AccessDenied, throttling, a 5xx or not-found, for
// every call or for the first N. The error uses each service's real error
// code and HTTP status, and the AccessDenied message names the IAM action
// (`... is not authorized to perform: lambda:GetFunction ...`) as AWS does.
//
// # Adding a service
//
// A service is one value of type [service] returned by a method on *Server
// and listed in [Server.services] (services.go). It has the signing name,
// the protocol (which encodes results and errors), an operation resolver and
// a handler that returns an output value or an *[APIError]. Output values are
// structs with json tags (JSON protocols) or xml tags (query protocols) named
// exactly as the SDK's deserializer expects. Operations whose name does not
// start with a read verb (Describe, Get, List, Filter, Simulate, ...) are
// recorded as mutating; see [IsMutating].
//
// # File ownership (parallel work)
//
// kinesis.go and cloudwatch.go belong to the Kinesis/CloudWatch work: they
// define KinesisState and MetricsState (the `kinesis:` and `metrics:` sections
// of a scenario) and the kinesisService / cloudwatchService handlers. Every
// other file belongs to the core.
package awssim
