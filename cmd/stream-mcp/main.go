// Command stream-mcp is an MCP server (and a command line) with expert
// tooling for streaming on AWS: Lambda event source mappings, Kafka and
// Amazon MSK, and Kinesis Data Streams.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

func main() {
	cfg, rest, err := config.Parse(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "stream-mcp:", err)
		}
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, cfg, rest, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
