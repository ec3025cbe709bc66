package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/httpserve"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
	"github.com/stream-mcp/stream-mcp/internal/kafkadiag"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/writes"
	"github.com/stream-mcp/stream-mcp/tools"
)

// Exit codes of every subcommand.
const (
	exitOK        = 0
	exitToolError = 1
	exitUsage     = 2
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	logger := newLogger(cfg.LogLevel, stderr)
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		var f serveFlags
		switch f, err = parseServeArgs(args, os.Getenv); {
		case errors.Is(err, flag.ErrHelp):
			fmt.Fprint(stdout, serveHelpText())
			return exitOK
		case err != nil:
		case f.addr != "":
			err = serveHTTP(ctx, cfg, logger, f)
		default:
			err = serve(ctx, cfg, logger, stdin, stdout)
		}
	case "tools":
		err = listTools(cfg, logger, args, stdout)
	case "call":
		return call(ctx, cfg, logger, args, stdout, stderr)
	case "demo":
		if err = noArgs(cmd, args); err == nil {
			err = demo(ctx, cfg, logger, stdout)
		}
	case "simulate":
		err = simulate(ctx, logger, args, stdout)
	case "approve":
		err = approve(cfg, args, openTTY)
	case "version":
		if err = noArgs(cmd, args); err == nil {
			_, err = fmt.Fprintln(stdout, versionText())
		}
	case "help", "-h", "--help":
		fmt.Fprint(stdout, helpText())
	default:
		names := make([]string, len(commands))
		for i, c := range commands {
			names[i] = c.name
		}
		fmt.Fprintf(stderr, "stream-mcp: unknown command %q; the commands are %s. Run 'stream-mcp --help'\n", cmd, strings.Join(names, ", "))
		return exitUsage
	}
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(stderr, "stream-mcp:", err)
			return exitUsage
		}
		fmt.Fprintln(stderr, "stream-mcp:", err)
		return exitToolError
	}
	return exitOK
}

// usageError marks an error in how a command was called (exit 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // config.Parse validated it
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

const instructions = `stream-mcp gives expert, computed answers about Lambda event source mappings (ESMs), Kafka/Amazon MSK and Kinesis Data Streams.
- Setting up a mapping, its network or IAM: esm_guidance. Checking a config or template: validate_config (or esm_optimize action=validate).
- Tuning a mapping for throughput, latency or cost: esm_optimize action=analyze, then generate_template. Capacity questions: sizing.
- A live mapping misbehaves: esm_inspect, then kafka_troubleshoot (Kafka sources) or kinesis_inspect (Kinesis).
- Kafka cluster health, topics, consumer lag: kafka_inspect. Changes (only with --allow-write) return a plan and need confirmation.`

// app is a built server with its dependencies.
type app struct {
	srv     *mcpserver.MCPServer
	tools   []server.ServerTool // the admitted ones
	cleanup func()
}

// newApp builds the server and waits until it is complete; the commands that
// run tools in process (call, tools, demo) use it.
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	p, err := buildParts(cfg, logger)
	if err != nil {
		return nil, err
	}
	opts := serverOptions(cfg, logger)
	admitted, err := server.Registered(opts, p.Parts.Tools)
	if err != nil {
		p.cleanup()
		return nil, err
	}
	srv, err := server.New(opts, p.Parts.Tools, p.Parts.Resources, p.Parts.Prompts)
	if err != nil {
		p.cleanup()
		return nil, err
	}
	return &app{srv: srv, tools: admitted, cleanup: p.cleanup}, nil
}

// parts are the server's tools, resources and prompts with what they hold open.
type parts struct {
	server.Parts
	cleanup func()
}

// buildParts loads the knowledge base and builds every tool with its
// dependencies. It is the slow part of start-up (schemas, guidance tables).
func buildParts(cfg config.Config, logger *slog.Logger) (parts, error) {
	base, err := guidance.Load()
	if err != nil {
		return parts{}, err
	}
	// Kafka clients are created lazily per cluster: an unreachable cluster
	// is a diagnosis at call time, never a startup failure.
	kenv := kafka.OSEnv(kafka.SDKAuth(cfg.Region, cfg.Profile))
	// One probe contacts at most as many brokers as a mapping can name.
	kenv.MaxProbeAddresses = base.Int("esm.self_managed.endpoints.max")
	kenv.ProbeCapSource = base.Source("esm.self_managed.endpoints.max")
	if aws.IsLoopback(cfg.EndpointURL) {
		// A simulated account's MSK brokers are fictional names.
		kenv.LookupHost = kafka.LoopbackOnlyLookup
	}
	kf := kafka.NewFactory(cfg.File.Clusters, nil, kenv, logger)
	kf.SetCredentialBindings(cfg.File.Credentials)
	rd := tools.ReadDeps{Guidance: base, Logger: logger, Kafka: kf, AWS: aws.New(cfg, aws.Options{})}
	// cluster_arn targets resolve their bootstrap string through MSK.
	kf.SetResolver(kafkadiag.Resolver{R: rd.AWS})
	wd := tools.WriteDeps{ReadDeps: rd, AllowDestructive: cfg.AllowDestructive}
	if cfg.AllowWrite {
		// Only write mode touches the state directory: read-only runs
		// create nothing on disk.
		if wd.Confirm, err = confirm.New(confirm.Options{StateDir: cfg.StateDir, AuditLog: cfg.AuditLog, Mode: cfg.Confirm}); err != nil {
			kf.Close()
			return parts{}, fmt.Errorf("--allow-write needs a usable --state-dir: %w", err)
		}
		wd.AWSWrite = writes.NewAWS(aws.LoadConfig(cfg))
	}
	return parts{
		Parts:   server.Parts{Tools: tools.All(rd, wd), Resources: server.GuidanceResources(base), Prompts: tools.Prompts()},
		cleanup: kf.Close,
	}, nil
}

func serverOptions(cfg config.Config, logger *slog.Logger) server.Options {
	return server.Options{
		Name:             "stream-mcp",
		Version:          version,
		Instructions:     instructions,
		AllowWrite:       cfg.AllowWrite,
		AllowDestructive: cfg.AllowDestructive,
		CallTimeout:      cfg.CallTimeout,
		Logger:           logger,
		// Over HTTP a read-scope token neither sees nor calls write tools;
		// on stdio there is no caller in the context and the gate admits
		// what the flags registered.
		ToolGate: httpserve.ToolGate,
	}
}

// serve runs the MCP server on stdio. The handshake is answered while the
// tools are still being built; tool, resource and prompt requests wait for
// them (server.NewDeferred). A failure to build them ends the process.
func serve(ctx context.Context, cfg config.Config, logger *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu      sync.Mutex
		cleanup = func() {}
	)
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		cleanup()
	}()
	srv, done := server.NewDeferred(serverOptions(cfg, logger), func() (server.Parts, error) {
		p, err := buildParts(cfg, logger)
		if err != nil {
			return server.Parts{}, err
		}
		mu.Lock()
		cleanup = p.cleanup
		mu.Unlock()
		admitted, err := server.Registered(serverOptions(cfg, logger), p.Parts.Tools)
		if err != nil {
			return server.Parts{}, err // serve's deferred cleanup closes p
		}
		logger.Info("tools ready", "tools", len(admitted), "allow_write", cfg.AllowWrite, "allow_destructive", cfg.AllowDestructive)
		return p.Parts, nil
	})
	go func() {
		if err := <-done; err != nil {
			cancel(err)
		}
	}()
	logger.Info("serving MCP on stdio", "version", version)
	s := mcpserver.NewStdioServer(srv)
	s.SetErrorLogger(slog.NewLogLogger(logger.Handler(), slog.LevelError))
	// Enough workers that the live calls server.MaxLiveCalls admits leave
	// room for cheap ones; the guard answers malformed JSON-RPC mcp-go would
	// mishandle and bounds a message's size.
	mcpserver.WithWorkerPoolSize(server.StdioWorkers)(s)
	in, out := server.GuardStdio(stdin, stdout)
	err := s.Listen(ctx, in, out)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// toolRow is one line of `stream-mcp tools`.
type toolRow struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Access      string `json:"access"`
	Description string `json:"description"`
}

func listTools(cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tools", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{"tools: " + err.Error() + " (usage: stream-mcp tools [--json])"}
	}
	a, err := newApp(context.Background(), cfg, logger)
	if err != nil {
		return err
	}
	defer a.cleanup()
	rows := make([]toolRow, 0, len(a.tools))
	for _, t := range a.tools {
		acc, _ := server.AccessOf(t.Tool) // Registered already checked it
		rows = append(rows, toolRow{Name: t.Tool.Name, Title: t.Tool.Annotations.Title, Access: acc.String(), Description: firstSentence(t.Tool.Description)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tACCESS\tTITLE\tDESCRIPTION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Access, r.Title, r.Description)
	}
	return tw.Flush()
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// call runs one tool through an in-process MCP client, so it passes the same
// registry, schema validation and middleware as a call over stdio.
func call(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	rawArgs := fs.String("args", "{}", "tool arguments as a JSON object")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "stream-mcp: usage: stream-mcp call TOOL --args 'JSON'")
		return exitUsage
	}
	name := args[0]
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "stream-mcp: usage: stream-mcp call TOOL --args 'JSON'")
		return exitUsage
	}
	var arguments map[string]any
	if err := json.Unmarshal([]byte(*rawArgs), &arguments); err != nil {
		fmt.Fprintf(stderr, "stream-mcp: --args is not a JSON object: %v\n", err)
		return exitUsage
	}
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintln(stderr, "stream-mcp:", err)
		return exitToolError
	}
	defer a.cleanup()
	known := false
	for _, t := range a.tools {
		known = known || t.Tool.Name == name
	}
	if !known {
		names := make([]string, 0, len(a.tools))
		for _, t := range a.tools {
			names = append(names, t.Tool.Name)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "stream-mcp: no tool %q in this mode (write tools need --allow-write); registered: %s\n", name, strings.Join(names, ", "))
		return exitUsage
	}
	res, err := callInProcess(ctx, a.srv, name, arguments)
	if err != nil {
		fmt.Fprintln(stderr, "stream-mcp:", err)
		return exitToolError
	}
	if res.IsError {
		fmt.Fprintln(stderr, "stream-mcp:", resultText(res))
		return exitToolError
	}
	out := res.StructuredContent
	if out == nil {
		out = map[string]any{"text": resultText(res)}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(stderr, "stream-mcp:", err)
		return exitToolError
	}
	return exitOK
}

func callInProcess(ctx context.Context, srv *mcpserver.MCPServer, name string, arguments map[string]any) (*mcp.CallToolResult, error) {
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "stream-mcp-call", Version: version}
	if _, err := c.Initialize(ctx, init); err != nil {
		return nil, err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = arguments
	return c.CallTool(ctx, req)
}

func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}
