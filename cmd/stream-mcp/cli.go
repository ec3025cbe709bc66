package main

import (
	"fmt"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// commands are the subcommands with their one-line help, in display order.
var commands = []struct{ name, args, help string }{
	{"serve", "[--http ADDR ...]", "run the MCP server on stdio (the default; what MCP clients start), or on streamable HTTP with --http (see 'stream-mcp serve --help')"},
	{"tools", "[--json]", "list the tools registered in this mode"},
	{"call", "TOOL --args JSON", "run one tool and print its structured result (exit 1 on a tool error)"},
	{"demo", "", "a guided run on embedded defaults: no AWS account, no network"},
	{"simulate", "--scenario NAME", "serve a simulated AWS account on loopback until Ctrl-C (--list: the scenarios)"},
	{"approve", "PLAN_ID", "show a plan parked by --confirm=elicitation and approve it; asks on the terminal, never stdin"},
	{"version", "", "print the version and VCS revision"},
	{"help", "", "print this help"},
}

// helpText is `stream-mcp --help`: the commands, then every global flag
// with its environment variable and default.
func helpText() string {
	var b strings.Builder
	b.WriteString("stream-mcp: an MCP server with expert tooling for streaming on AWS (Lambda event source\nmappings, Kafka and Amazon MSK, Kinesis Data Streams).\n\n")
	b.WriteString("usage: stream-mcp [global flags] [command] [command arguments]\n\ncommands:\n")
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.args, c.help)
	}
	tw.Flush()
	b.WriteString("\nglobal flags (before the command; each also read from its environment variable):\n")
	tw = tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	for _, f := range config.Flags() {
		def := f.Default
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(tw, "  --%s\t%s\tdefault %s\t%s\n", f.Name, f.Env, def, f.Usage)
	}
	tw.Flush()
	b.WriteString("  --help, --version\n\nexamples:\n" +
		"  stream-mcp demo\n" +
		"  stream-mcp call sizing --args '{\"service\":\"kinesis\",\"ingress_mb_per_second\":20}'\n" +
		"  stream-mcp --allow-write --allow-destructive demo\n")
	return b.String()
}

// versionText is the version stamped by `make build` (-X main.version),
// then the module version and VCS revision Go records in every build.
func versionText() string {
	parts := []string{"stream-mcp " + version}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return parts[0]
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	parts = append(parts, "module "+bi.Main.Path+" "+bi.Main.Version)
	if rev := settings["vcs.revision"]; rev != "" {
		r := "revision " + rev
		if settings["vcs.modified"] == "true" {
			r += " (modified)"
		}
		if t := settings["vcs.time"]; t != "" {
			r += " " + t
		}
		parts = append(parts, r)
	} else {
		parts = append(parts, "revision unknown (not built from a git checkout)")
	}
	parts = append(parts, bi.GoVersion)
	return strings.Join(parts, "\n")
}

// noArgs is a usage error when a command that takes no arguments got some;
// a global flag after the command is the usual cause, so it says where
// global flags go.
func noArgs(cmd string, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := ""
	if strings.HasPrefix(args[0], "-") {
		hint = fmt.Sprintf("; global flags go before the command (stream-mcp %s %s)", strings.Join(args, " "), cmd)
	}
	return usageError{fmt.Sprintf("%s takes no arguments; got %q%s. Run 'stream-mcp --help'", cmd, strings.Join(args, " "), hint)}
}
