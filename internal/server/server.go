// Package server builds the MCP server: it applies the write gate, registers
// tools, resources and prompts, and wraps every tool handler in the
// middleware every call passes through (panic recovery, a per-call deadline,
// an output cap, the text rendering of the structured result, structured
// logging to stderr).
package server

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// ServerTool is a tool definition with its handler. It is mcp-go's type; the
// alias keeps tool constructors independent of the server library's package
// name.
type ServerTool = mcpserver.ServerTool

// ServerResource is a resource with its read handler.
type ServerResource = mcpserver.ServerResource

// ServerPrompt is a prompt with its handler.
type ServerPrompt = mcpserver.ServerPrompt

// Options configure the server.
type Options struct {
	Name    string
	Version string
	// Instructions tell a model, in a few lines, which tool to reach for.
	Instructions string
	// AllowWrite registers write tools; AllowDestructive also registers
	// destructive ones (it implies nothing without AllowWrite).
	AllowWrite       bool
	AllowDestructive bool
	// CallTimeout bounds every tool call (default 60s).
	CallTimeout time.Duration
	// MaxOutputBytes caps a result's structured content (default 256 KiB).
	MaxOutputBytes int
	Logger         *slog.Logger
	// ToolGate, when set, decides per request whether the caller may see
	// and call a registered tool (HTTP scopes: a read token never sees or
	// calls a write tool). It returns "" to admit, else the reason.
	ToolGate func(ctx context.Context, t mcp.Tool) string
}

const (
	defaultCallTimeout    = 60 * time.Second
	defaultMaxOutputBytes = 256 << 10
)

// Registered reports which of the given tools the access flags admit, in
// order. It is the one place the write gate is decided, so listing (`tools`),
// serving and tests agree.
func Registered(opts Options, tools []ServerTool) ([]ServerTool, error) {
	var out []ServerTool
	seen := map[string]bool{}
	for _, t := range tools {
		if seen[t.Tool.Name] {
			return nil, fmt.Errorf("server: duplicate tool %q", t.Tool.Name)
		}
		seen[t.Tool.Name] = true
		a, err := AccessOf(t.Tool)
		if err != nil {
			return nil, err
		}
		if a.Admitted(opts.AllowWrite, opts.AllowDestructive) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Parts is what a server serves besides the handshake.
type Parts struct {
	Tools     []ServerTool
	Resources []ServerResource
	Prompts   []ServerPrompt
}

// New builds the MCP server with the tools the access flags admit. Tools that
// are not admitted are never added, so they have no handler to reach.
func New(opts Options, tools []ServerTool, resources []ServerResource, prompts []ServerPrompt) (*mcpserver.MCPServer, error) {
	srv, done := NewDeferred(opts, func() (Parts, error) {
		return Parts{Tools: tools, Resources: resources, Prompts: prompts}, nil
	})
	if err := <-done; err != nil {
		return nil, err
	}
	return srv, nil
}

// NewDeferred returns a server that can answer the handshake (initialize,
// ping, server/discover) at once, while load builds the tools, resources and
// prompts in the background. Every tools/, resources/, prompts/ and
// completion/ request waits until they are registered, so a client never
// sees a partial list; it only stops waiting for the slow part of start-up
// (schema generation, the guidance tables) before its handshake completes.
// done yields load's error (nil on success) once, when loading finished.
func NewDeferred(opts Options, load func() (Parts, error)) (*mcpserver.MCPServer, <-chan error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = defaultCallTimeout
	}
	if opts.MaxOutputBytes <= 0 {
		opts.MaxOutputBytes = defaultMaxOutputBytes
	}
	ready := make(chan struct{})
	// The full input schemas, compiled once the tools are loaded; every
	// tools/ request waits for ready first.
	var inputs atomic.Pointer[map[string]inputSchema]
	inputs.Store(&map[string]inputSchema{})
	hooks := &mcpserver.Hooks{}
	hooks.AddBeforeAny(func(ctx context.Context, _ any, method mcp.MCPMethod, _ any) {
		if !waitsForParts(method) {
			return
		}
		select {
		case <-ready:
		case <-ctx.Done():
		}
	})
	serverOpts := []mcpserver.ServerOption{}
	if gate := opts.ToolGate; gate != nil {
		serverOpts = append(serverOpts, mcpserver.WithToolFilter(func(ctx context.Context, ts []mcp.Tool) []mcp.Tool {
			out := ts[:0:0]
			for _, t := range ts {
				if gate(ctx, t) == "" {
					out = append(out, t)
				}
			}
			return out
		}))
	}
	s := mcpserver.NewMCPServer(opts.Name, opts.Version, append(serverOpts,
		mcpserver.WithInstructions(opts.Instructions),
		mcpserver.WithToolCapabilities(false),
		mcpserver.WithResourceCapabilities(false, false),
		mcpserver.WithPromptCapabilities(false),
		mcpserver.WithElicitation(),
		mcpserver.WithHooks(hooks),
		// Outermost first: logging sees the final result, including a
		// recovered panic, a deadline or a capped output.
		mcpserver.WithToolHandlerMiddleware(logCalls(opts.Logger)),
		// A caller's scope decides before anything runs (HTTP tokens).
		mcpserver.WithToolHandlerMiddleware(gateCalls(opts.ToolGate)),
		// The text is rendered from the capped structured content, so both
		// carry the same values.
		mcpserver.WithToolHandlerMiddleware(renderText()),
		mcpserver.WithToolHandlerMiddleware(capOutput(opts.MaxOutputBytes)),
		mcpserver.WithToolHandlerMiddleware(deadline(opts.CallTimeout)),
		mcpserver.WithToolHandlerMiddleware(recoverPanics(opts.Logger)),
		// Innermost: a call that fails its input schema never reaches the
		// handler (mcp-go's own validation is off: it reports Go structs).
		mcpserver.WithToolHandlerMiddleware(validateInput(func() map[string]inputSchema { return *inputs.Load() })),
	)...)
	done := make(chan error, 1)
	go func() {
		defer close(ready)
		parts, err := load()
		if err == nil {
			var compiled map[string]inputSchema
			compiled, err = register(s, opts, parts)
			if err == nil {
				inputs.Store(&compiled)
			}
		}
		done <- err
	}()
	return s, done
}

// gateCalls refuses a call the ToolGate does not admit, as a tool error
// that names the reason; the tool is also absent from that caller's list.
func gateCalls(gate func(ctx context.Context, t mcp.Tool) string) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		if gate == nil {
			return next
		}
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			srv := mcpserver.ServerFromContext(ctx)
			if srv != nil {
				if t := srv.GetTool(req.Params.Name); t != nil {
					if why := gate(ctx, t.Tool); why != "" {
						return mcp.NewToolResultError(why), nil
					}
				}
			}
			return next(ctx, req)
		}
	}
}

// register adds the admitted tools in their published form and returns
// their full input schemas, compiled for validation.
func register(s *mcpserver.MCPServer, opts Options, p Parts) (map[string]inputSchema, error) {
	admitted, err := Registered(opts, p.Tools)
	if err != nil {
		return nil, err
	}
	compiled, err := compileInputs(admitted)
	if err != nil {
		return nil, err
	}
	admit := map[string]bool{}
	for _, t := range admitted {
		admit[t.Tool.Name] = true
	}
	var published []ServerTool
	for _, t := range PublishAll(p.Tools) {
		if admit[t.Tool.Name] {
			published = append(published, t)
		}
	}
	s.AddTools(published...)
	if len(p.Resources) > 0 {
		s.AddResources(p.Resources...)
	}
	if len(p.Prompts) > 0 {
		s.AddPrompts(p.Prompts...)
	}
	return compiled, nil
}

// waitsForParts reports whether a request needs the registered parts.
func waitsForParts(m mcp.MCPMethod) bool {
	for _, prefix := range []string{"tools/", "resources/", "prompts/", "completion/"} {
		if strings.HasPrefix(string(m), prefix) {
			return true
		}
	}
	return false
}

// recoverPanics turns a handler panic into a tool error, so one bad input
// never costs the client its session.
func recoverPanics(log *slog.Logger) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
			defer func() {
				if r := recover(); r != nil {
					log.Error("tool panicked", "tool", req.Params.Name, "panic", fmt.Sprint(r))
					res = mcp.NewToolResultError(fmt.Sprintf(
						"internal error in %s: %v; this is a bug in stream-mcp, please report it with the arguments you sent",
						req.Params.Name, r))
					err = nil
				}
			}()
			return next(ctx, req)
		}
	}
}

// deadline bounds every call; a handler that overruns gets a tool error that
// says so, not a hung client.
func deadline(d time.Duration) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			res, err := next(ctx, req)
			if err == nil && res == nil && ctx.Err() != nil {
				return mcp.NewToolResultError(fmt.Sprintf("%s did not finish within %s; narrow the request (fewer resources, a smaller limit) and call again", req.Params.Name, d)), nil
			}
			if err != nil && ctx.Err() == context.DeadlineExceeded {
				return mcp.NewToolResultError(fmt.Sprintf("%s did not finish within %s: %v; narrow the request and call again", req.Params.Name, d, err)), nil
			}
			return res, err
		}
	}
}

func logCalls(log *slog.Logger) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			start := time.Now()
			res, err := next(ctx, req)
			outcome := "ok"
			switch {
			case err != nil:
				outcome = "internal_error"
			case res != nil && res.IsError:
				outcome = "tool_error"
			}
			// Argument values are never logged: they may name secrets.
			log.Info("tool call", "tool", req.Params.Name, "outcome", outcome,
				"duration_ms", float64(time.Since(start).Microseconds())/1000)
			return res, err
		}
	}
}
