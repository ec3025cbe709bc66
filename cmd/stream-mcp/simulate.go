package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// simulate serves one scenario of internal/awssim on loopback and prints how
// to point stream-mcp or the AWS CLI at it, then blocks until ctx ends
// (Ctrl-C). The endpoint and exports go to stdout; request logs to stderr.
func simulate(ctx context.Context, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	scenario := fs.String("scenario", "", "embedded scenario name or path to a scenario YAML file")
	listen := fs.String("listen", "127.0.0.1:0", "loopback address to serve on")
	list := fs.Bool("list", false, "list the embedded scenarios and exit")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return usageError{"simulate: usage: stream-mcp simulate --scenario NAME_OR_FILE [--listen 127.0.0.1:PORT] | --list (scenarios: " + strings.Join(awssim.Names(), ", ") + ")"}
	}
	if *list {
		for _, n := range awssim.Names() {
			sc, err := awssim.Load(n)
			if err != nil {
				return err
			}
			desc := sc.Description
			if i := strings.Index(desc, ". "); i > 0 {
				desc = desc[:i+1]
			}
			fmt.Fprintf(stdout, "%-36s %s\n", n, desc)
		}
		return nil
	}
	if *scenario == "" {
		return usageError{"simulate: --scenario is required (one of: " + strings.Join(awssim.Names(), ", ") + ", or a YAML file)"}
	}
	sc, err := awssim.Load(*scenario)
	if err != nil {
		return usageError{"simulate: " + err.Error()}
	}
	srv, err := awssim.Listen(ctx, sc, *listen)
	if err != nil {
		return usageError{"simulate: " + err.Error()}
	}
	defer srv.Close()
	fmt.Fprintf(stdout, `stream-mcp simulate: serving scenario %q (account %s, region %s) at %s
%s

Point stream-mcp or the AWS CLI at it (any static credentials work; signatures are not checked):
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=%s AWS_DEFAULT_REGION=%s
  stream-mcp --endpoint-url %s call esm_inspect --args '{}'
  aws --endpoint-url %s lambda list-event-source-mappings

Press Ctrl-C to stop.
`, sc.Name, sc.Account, sc.Region, srv.URL(), wrap(sc.Description, 100), sc.Region, sc.Region, srv.URL(), srv.URL())
	<-ctx.Done()
	calls := srv.Calls()
	mut := len(srv.MutatingCalls())
	logger.Info("simulator stopped", "scenario", sc.Name, "calls", len(calls), "mutating_calls", mut)
	return nil
}

// wrap breaks s into lines of at most width bytes at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(s) {
		if line > 0 && line+1+len(w) > width {
			b.WriteByte('\n')
			line = 0
		} else if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}
