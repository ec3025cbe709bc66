// Package tools holds one file per MCP tool: its input and output types, its
// description and annotations, and a thin handler that decodes, calls
// internal/ and shapes the result. registry.go is the only list of tools.
package tools

import (
	"log/slog"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/writes"
)

// ReadDeps is everything a read tool may use. It holds only readers: the
// constructor signature of a tool shows what the tool can do (STYLE.md 18).
type ReadDeps struct {
	Guidance *guidance.Base
	Logger   *slog.Logger
	// Kafka creates and caches Kafka clients (nil: Kafka tools answer with
	// a tool error).
	Kafka *kafka.Factory
	// AWS holds the read-only AWS inspectors' SDK clients, loaded on first
	// use (nil: AWS tools answer with a tool error).
	AWS *aws.Client
}

// WriteDeps is what write tools get on top of reading.
type WriteDeps struct {
	ReadDeps
	// Confirm plans, confirms and audits every write (nil in read-only
	// mode, where no write tool is registered).
	Confirm *confirm.Gate
	// AllowDestructive is --allow-destructive: tools that are destructive
	// only for some requests (kafka_admin's reset_group_offsets,
	// kinesis_scale shrinking) offer those requests, and declare the
	// destructive class, only when it is set.
	AllowDestructive bool
	// AWSWrite builds the SDK clients for mutating AWS calls (esm_apply,
	// kinesis_scale) on first use; ReadDeps.AWS stays read-only.
	AWSWrite *writes.AWS
}
