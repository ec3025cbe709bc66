package guidance

import (
	"bytes"
	_ "embed"
)

// readOnlyPolicy is the one copy of the read-only IAM policy the tools need
// (Sid StreamMcpReadOnly). The README shows it verbatim (TestReadmePolicy
// keeps the two equal) and the stream_mcp_hosting topic builds the ECS task
// role from it.
//
//go:embed iam/stream-mcp-readonly.json
var readOnlyPolicy []byte

// ReadOnlyPolicy returns the read-only IAM policy document (JSON).
func ReadOnlyPolicy() []byte { return bytes.Clone(readOnlyPolicy) }
