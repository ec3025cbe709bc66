package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestNewDeferred: the handshake completes while the parts are still being
// built, and tools/list waits for them instead of answering a partial list.
func TestNewDeferred(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv, done := NewDeferred(Options{}, func() (Parts, error) {
		<-release
		return Parts{Tools: fakeTools()}, nil
	})
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("handshake waited for the parts: %v", err)
	}
	listed := make(chan []mcp.Tool, 1)
	go func() {
		res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		if err != nil {
			t.Error(err)
			listed <- nil
			return
		}
		listed <- res.Tools
	}()
	select {
	case tools := <-listed:
		t.Fatalf("tools/list answered before the tools were registered: %v", tools)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if tools := <-listed; len(tools) != 1 || tools[0].Name != "reader" {
		t.Fatalf("tools/list = %v, want the one read tool", tools)
	}
}

func TestNewDeferredLoadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("guidance table broken")
	_, done := NewDeferred(Options{}, func() (Parts, error) { return Parts{}, boom })
	if err := <-done; !errors.Is(err, boom) {
		t.Fatalf("done = %v, want %v", err, boom)
	}
	_, err := New(Options{}, []ServerTool{fakeTool("a", true, false), fakeTool("a", true, false)}, nil, nil)
	if err == nil {
		t.Fatal("New accepted duplicate tools")
	}
}
