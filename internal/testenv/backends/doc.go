// Package backends holds the test suites that run one table of cases
// against more than one implementation of a protocol: the Kafka tools
// against franz-go's kfake and real Apache Kafka 4.x (internal/testenv/
// kafkareal), and the AWS inspectors against internal/awssim and moto.
// Where the implementations differ, the real one wins: our code is fixed and
// the in-process backend's divergence is noted beside the case.
//
// The suites drive the built stream-mcp binary the way a user does
// (`stream-mcp --config FILE call TOOL --args JSON`). They run under
// `make test-backends` (STREAM_MCP_BACKENDS=1), which `make test` runs; a
// plain `go test ./...` skips them so a quick run needs no JVM or Python.
package backends
