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
		mcpserver.WithToolHandlerMiddleware(limitLive()),
		mcpserver.WithToolHandlerMiddleware(boundInput()),
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
// says so, not a hung client. The deadline covers the whole call, including
// a confirmation prompt the user never answers: for clients older than the
// multi round-trip protocol the prompt is sent here (elicitation/create),
// under the deadline, instead of by mcp-go's bridge, which waits on the
// request's own context and so for ever.
func deadline(d time.Duration) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			// The handler runs on its own goroutine so the answer never
			// waits on one that ignores its context (a client library
			// blocked in a dial or a retry loop): kafka_admin once answered
			// after 15 s with a 10 s deadline.
			type outcome struct {
				res *mcp.CallToolResult
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				res, err := next(ctx, req)
				if err == nil {
					res, err = bridgeInput(ctx, d, req, res, next)
				}
				done <- outcome{res, err}
			}()
			var res *mcp.CallToolResult
			var err error
			select {
			case o := <-done:
				res, err = o.res, o.err
			case <-ctx.Done():
				select {
				case o := <-done:
					res, err = o.res, o.err
				case <-time.After(deadlineGrace):
					return overran(ctx, req, d), nil
				}
			}
			if err == nil && res == nil && ctx.Err() != nil {
				return mcp.NewToolResultError(fmt.Sprintf("%s did not finish within %s; narrow the request (fewer resources, a smaller limit) and call again", req.Params.Name, d)), nil
			}
			if err != nil && ctx.Err() == context.DeadlineExceeded {
				return mcp.NewToolResultError(fmt.Sprintf("%s did not finish within %s: %v; narrow the request and call again", req.Params.Name, d, err)), nil
			}
			if err != nil && ctx.Err() == context.Canceled {
				return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled by the client; nothing more was done", req.Params.Name)), nil
			}
			return res, err
		}
	}
}

// deadlineGrace is how long a call may take past its deadline to wind down
// before the client is answered without it.
const deadlineGrace = 500 * time.Millisecond

// overran answers a call whose handler did not return by its deadline. A
// write tool's change may still go through, and the answer says so.
func overran(ctx context.Context, req mcp.CallToolRequest, d time.Duration) *mcp.CallToolResult {
	if ctx.Err() == context.Canceled {
		return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled by the client", req.Params.Name))
	}
	msg := fmt.Sprintf("%s did not finish within %s; narrow the request (fewer resources, a smaller limit, a shorter sample) and call again", req.Params.Name, d)
	if srv := mcpserver.ServerFromContext(ctx); srv != nil {
		if t := srv.GetTool(req.Params.Name); t != nil && t.Tool.Annotations.ReadOnlyHint != nil && !*t.Tool.Annotations.ReadOnlyHint {
			msg = fmt.Sprintf("%s did not finish within %s and its outcome is unknown: a change it started may still complete. Read the current state with the matching inspect tool before calling it again", req.Params.Name, d)
		}
	}
	return mcp.NewToolResultError(msg)
}

// maxInputRounds bounds how often one call may ask the user (the write
// tools ask once).
const maxInputRounds = 2

// bridgeInput answers a result that asks the client for input, for clients
// that predate the multi round-trip protocol, with server-initiated
// elicitation under ctx's deadline. A modern client gets the result as is.
func bridgeInput(ctx context.Context, d time.Duration, req mcp.CallToolRequest, res *mcp.CallToolResult, next mcpserver.ToolHandlerFunc) (*mcp.CallToolResult, error) {
	srv := mcpserver.ServerFromContext(ctx)
	if srv == nil || !res.NeedsInput() || mcp.IsModernProtocol(mcpserver.RequestProtocolVersion(ctx)) {
		return res, nil
	}
	for round := 0; res.NeedsInput(); round++ {
		if round >= maxInputRounds {
			return mcp.NewToolResultError(fmt.Sprintf("%s asked for input more than %d times; nothing more was done", req.Params.Name, maxInputRounds)), nil
		}
		answers := mcp.InputResponses{}
		for id, ir := range res.InputRequests {
			if ir.Method != mcp.MethodElicitationCreate || ir.Elicitation == nil {
				return nil, fmt.Errorf("%s asked for input of kind %s, which this server does not bridge", req.Params.Name, ir.Method)
			}
			ans, err := srv.RequestElicitation(ctx, mcp.ElicitationRequest{
				Request: mcp.Request{Method: string(mcp.MethodElicitationCreate)},
				Params:  *ir.Elicitation,
			})
			switch {
			case ctx.Err() == context.DeadlineExceeded:
				return mcp.NewToolResultError(fmt.Sprintf("%s: the confirmation prompt was not answered within %s (the call deadline); nothing changed. Call again when the user is ready to answer", req.Params.Name, d)), nil
			case ctx.Err() != nil:
				return mcp.NewToolResultError(fmt.Sprintf("%s was cancelled while the confirmation prompt was open; nothing changed", req.Params.Name)), nil
			case err != nil:
				return mcp.NewToolResultError(fmt.Sprintf("%s: the confirmation prompt could not be shown (%v); nothing changed", req.Params.Name, err)), nil
			case ans == nil:
				return mcp.NewToolResultError(req.Params.Name + ": the client answered the confirmation prompt with nothing; nothing changed"), nil
			}
			answers[id] = mcp.NewElicitationInputResponse(*ans)
		}
		retried := req
		retried.Params.MultiRoundTripParams = mcp.MultiRoundTripParams{InputResponses: answers, RequestState: res.RequestState}
		var err error
		if res, err = next(ctx, retried); err != nil || res == nil {
			return res, err
		}
	}
	return res, nil
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
