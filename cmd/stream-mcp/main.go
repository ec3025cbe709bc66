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
	args := os.Args[1:]
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		if len(args) > 1 {
			fmt.Fprintf(os.Stderr, "stream-mcp: --version takes no arguments; got %q\n", args[1:])
			os.Exit(exitUsage)
		}
		fmt.Fprintln(os.Stdout, versionText())
		os.Exit(exitOK)
	}
	cfg, rest, err := config.Parse(args, os.Getenv, os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(os.Stdout, helpText())
			os.Exit(exitOK)
		}
		fmt.Fprintf(os.Stderr, "stream-mcp: %v\nRun 'stream-mcp --help' for the commands and flags.\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, cfg, rest, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
