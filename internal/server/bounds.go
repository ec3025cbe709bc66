package server

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// Input bounds every tool call passes before its handler runs. They are this
// server's policy, not AWS facts: no real request of any tool comes near
// them (an ESM config has ~30 keys, a VPC config at most 16 subnets and 5
// security groups, a Kafka topic config ~40 keys), while a prompt-injected or
// fuzzed call that does would otherwise make a handler allocate or loop in
// proportion to its size.
const (
	// MaxArgItems bounds one array argument (at any depth).
	MaxArgItems = 1000
	// MaxArgKeys bounds one object argument (at any depth).
	MaxArgKeys = 1000
	// MaxArgDepth bounds nesting.
	MaxArgDepth = 32
	// MaxArgNodes bounds the values in one call's arguments altogether.
	MaxArgNodes = 20000
	// MaxArgString bounds one string: a CloudFormation template body sent
	// inline is at most 51,200 bytes and 1 MB through S3, the largest text
	// any tool takes.
	MaxArgString = 1 << 20
	// MaxArgNumber is the largest magnitude of any number argument: 2^53,
	// beyond which a float64 no longer holds every integer. Each field has
	// its own, tighter range in its schema; this catches the rest.
	MaxArgNumber = 1 << 53
)

// checkArgs walks decoded JSON arguments and returns an actionable error
// naming the first bound exceeded. Its cost is linear in the input and it
// stops at the first violation.
func checkArgs(v any) error {
	nodes := 0
	var walk func(v any, path string, depth int) error
	walk = func(v any, path string, depth int) error {
		nodes++
		if nodes > MaxArgNodes {
			return fmt.Errorf("the arguments hold more than %d values; send a smaller request", MaxArgNodes)
		}
		if depth > MaxArgDepth {
			return fmt.Errorf("%s nests deeper than %d levels; send a flatter request", path, MaxArgDepth)
		}
		switch x := v.(type) {
		case map[string]any:
			if len(x) > MaxArgKeys {
				return fmt.Errorf("%s has %d keys, more than the %d this server accepts in one object; send only the fields that apply", path, len(x), MaxArgKeys)
			}
			for k, e := range x {
				if len(k) > 256 {
					return fmt.Errorf("%s has a key of %d bytes; keys are field names of at most 256 bytes", path, len(k))
				}
				if err := walk(e, path+"."+k, depth+1); err != nil {
					return err
				}
			}
		case []any:
			if len(x) > MaxArgItems {
				return fmt.Errorf("%s has %d items, more than the %d this server accepts in one list; send the distinct values that apply", path, len(x), MaxArgItems)
			}
			for i, e := range x {
				if err := walk(e, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
					return err
				}
			}
		case string:
			if len(x) > MaxArgString {
				return fmt.Errorf("%s is %d bytes, over the %d-byte limit of one string argument", path, len(x), MaxArgString)
			}
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > MaxArgNumber {
				return fmt.Errorf("%s = %g is outside the range any field accepts (|x| ≤ 2^53); see the field's minimum and maximum in the tool's input schema", path, x)
			}
		}
		return nil
	}
	return walk(v, "arguments", 0)
}

// boundInput refuses a call whose arguments exceed the bounds above with a
// tool error, before its handler sees them.
func boundInput() mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if err := checkArgs(req.Params.Arguments); err != nil {
				return mcp.NewToolResultError(req.Params.Name + ": " + err.Error()), nil
			}
			return next(ctx, req)
		}
	}
}

// MaxLiveCalls bounds the calls of open-world tools (live AWS or Kafka
// reads, which wait on the network) running at once. The stdio transport
// serves tool calls from a fixed pool of StdioWorkers goroutines; keeping
// the slow calls well under it leaves workers for the cheap ones, so ten
// calls waiting on an unanswering broker cannot stall forty sizing calls.
// A call over the bound is refused at once rather than queued: a queued
// call would hold a worker while it waits.
const (
	MaxLiveCalls = 16
	StdioWorkers = 64
)

// limitLive refuses an open-world call when MaxLiveCalls are already running.
func limitLive() mcpserver.ToolHandlerMiddleware {
	var running atomic.Int64
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if !openWorld(ctx, req.Params.Name) {
				return next(ctx, req)
			}
			if n := running.Add(1); n > MaxLiveCalls {
				running.Add(-1)
				return mcp.NewToolResultError(fmt.Sprintf("%s: %d live-state calls are already running (the limit); wait for some to finish, then call again", req.Params.Name, MaxLiveCalls)), nil
			}
			defer running.Add(-1)
			return next(ctx, req)
		}
	}
}

func openWorld(ctx context.Context, name string) bool {
	srv := mcpserver.ServerFromContext(ctx)
	if srv == nil {
		return false
	}
	t := srv.GetTool(name)
	return t != nil && t.Tool.Annotations.OpenWorldHint != nil && *t.Tool.Annotations.OpenWorldHint
}
