// Command minimalmcp is the smallest useful mcp-go server: one trivial tool
// over stdio, on the same library version as stream-mcp. The start-up
// benchmarks (cmd/stream-mcp BenchmarkStartVsMinimal) measure stream-mcp's
// spawn-to-first-tools/list time and idle memory as ratios against it, so the
// comparison holds on any machine and under any load.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	s := server.NewMCPServer("minimal", "0", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("echo", mcp.WithDescription("Echoes its text."), mcp.WithString("text", mcp.Required())),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("text", "")), nil
		})
	if err := server.ServeStdio(s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
