package tools

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/stream-mcp/stream-mcp/internal/server"
)

// A sampling window reports MCP progress notifications when the request
// carries a progress token.
func TestKafkaInspectReportsProgress(t *testing.T) {
	t.Parallel()
	demo := startDemo(t)
	d := kafkaDeps(t, nil)
	srv, err := server.New(server.Options{Name: "t", Version: "t", Logger: d.Logger}, []server.ServerTool{KafkaInspect(d)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var progress atomic.Int32
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/progress" {
			progress.Add(1)
		}
	})
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "kafka_inspect"
	req.Params.Arguments = map[string]any{"bootstrap_servers": demo.Bootstrap(), "what": "group", "group_id": demo.Group, "sample_seconds": 1}
	req.Params.Meta = &mcp.Meta{ProgressToken: "p1"}
	res, err := c.CallTool(ctx, req)
	if err != nil || res.IsError {
		t.Fatalf("call: %v %v", err, res)
	}
	deadline := time.Now().Add(2 * time.Second)
	for progress.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := progress.Load(); got != 2 {
		t.Fatalf("progress notifications = %d, want one per sample (2)", got)
	}
}
