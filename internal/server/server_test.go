package server

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/stream-mcp/stream-mcp/internal/schema"
)

type echoIn struct {
	Mode  string `json:"mode" jsonschema:"enum=ok,enum=panic,enum=slow,enum=big,enum=toolerr" jsonschema_description:"what the fake tool does"`
	Items int    `json:"items,omitempty" jsonschema:"minimum=0,maximum=100000" jsonschema_description:"list length for mode=big"`
}

type echoOut struct {
	Items     []string `json:"items" jsonschema_description:"items"`
	Truncated bool     `json:"truncated,omitempty" jsonschema_description:"true when lists were cut"`
}

func fakeTool(name string, readOnly, destructive bool) ServerTool {
	t := mcp.NewTool(name,
		mcp.WithDescription("Fake tool for tests. Never registered in the binary."),
		mcp.WithTitleAnnotation("Test: "+name),
		mcp.WithReadOnlyHintAnnotation(readOnly), mcp.WithDestructiveHintAnnotation(destructive),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[echoIn](), schema.Output[echoOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, error) {
		switch in.Mode {
		case "panic":
			panic("fake tool fails")
		case "slow":
			<-ctx.Done()
			return nil, ctx.Err()
		case "big":
			out := echoOut{}
			for i := 0; i < in.Items; i++ {
				out.Items = append(out.Items, strings.Repeat("x", 100))
			}
			return mcp.NewToolResultStructured(out, "big"), nil
		case "toolerr":
			return mcp.NewToolResultError("bad input; send mode=ok"), nil
		}
		return mcp.NewToolResultStructured(echoOut{Items: []string{"ok"}}, "ok"), nil
	}
	return ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

func fakeTools() []ServerTool {
	return []ServerTool{
		fakeTool("reader", true, false),
		fakeTool("writer", false, false),
		fakeTool("destroyer", false, true),
	}
}

func startClient(t *testing.T, opts Options) *client.Client {
	t.Helper()
	srv, err := New(opts, fakeTools(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "0"}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatal(err)
	}
	return c
}

func callTool(t *testing.T, c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, error) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return c.CallTool(context.Background(), req)
}

func TestModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		write, destructive    bool
		want                  []string
		hiddenCallRefusedName string
	}{
		{"read-only default", false, false, []string{"reader"}, "writer"},
		{"allow-write", true, false, []string{"reader", "writer"}, "destroyer"},
		{"allow-destructive", true, true, []string{"destroyer", "reader", "writer"}, ""},
		{"destructive without write", false, true, []string{"reader"}, "destroyer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startClient(t, Options{AllowWrite: tc.write, AllowDestructive: tc.destructive})
			res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tool := range res.Tools {
				got = append(got, tool.Name)
			}
			if strings.Join(sorted(got), ",") != strings.Join(tc.want, ",") {
				t.Fatalf("tools = %v, want %v", got, tc.want)
			}
			if tc.hiddenCallRefusedName != "" {
				r, err := callTool(t, c, tc.hiddenCallRefusedName, map[string]any{"mode": "ok"})
				if err == nil && (r == nil || !r.IsError) {
					t.Fatalf("hidden tool %s was callable: %+v", tc.hiddenCallRefusedName, r)
				}
			}
		})
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	c := startClient(t, Options{CallTimeout: 200 * time.Millisecond, MaxOutputBytes: 4 << 10})
	tests := []struct {
		name    string
		args    map[string]any
		isError bool
		check   func(t *testing.T, r *mcp.CallToolResult)
	}{
		{name: "ok", args: map[string]any{"mode": "ok"}},
		{name: "panic becomes tool error", args: map[string]any{"mode": "panic"}, isError: true, check: func(t *testing.T, r *mcp.CallToolResult) {
			if !strings.Contains(text(r), "internal error in reader") {
				t.Errorf("text = %q", text(r))
			}
		}},
		{name: "deadline becomes tool error", args: map[string]any{"mode": "slow"}, isError: true, check: func(t *testing.T, r *mcp.CallToolResult) {
			if !strings.Contains(text(r), "did not finish within 200ms") {
				t.Errorf("text = %q", text(r))
			}
		}},
		{name: "tool error passes through", args: map[string]any{"mode": "toolerr"}, isError: true},
		{name: "bad enum rejected by schema", args: map[string]any{"mode": "nope"}, isError: true},
		{name: "unknown field rejected by schema", args: map[string]any{"mode": "ok", "extra": 1}, isError: true},
		{name: "big output capped, valid JSON", args: map[string]any{"mode": "big", "items": 1000}, check: func(t *testing.T, r *mcp.CallToolResult) {
			raw, err := json.Marshal(r.StructuredContent)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) > 4<<10 {
				t.Errorf("structured content %d bytes, over the cap", len(raw))
			}
			var out echoOut
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("capped output is not valid JSON for the schema: %v", err)
			}
			if !out.Truncated || len(out.Items) == 0 || len(out.Items) >= 1000 {
				t.Errorf("truncated=%v items=%d", out.Truncated, len(out.Items))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := callTool(t, c, "reader", tc.args)
			if err != nil {
				t.Fatalf("protocol error %v; every failure must be a tool result", err)
			}
			if r.IsError != tc.isError {
				t.Fatalf("isError = %v, want %v (%s)", r.IsError, tc.isError, text(r))
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
	// The session survives all of the above.
	if r, err := callTool(t, c, "reader", map[string]any{"mode": "ok"}); err != nil || r.IsError {
		t.Fatalf("session lost after failures: %v %v", err, r)
	}
}

func text(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func TestAccessOf(t *testing.T) {
	t.Parallel()
	tool := func(opts ...mcp.ToolOption) mcp.Tool { return mcp.NewTool("t", opts...) }
	tests := []struct {
		name    string
		tool    mcp.Tool
		want    Access
		wantErr bool
	}{
		{"read", fakeTool("r", true, false).Tool, Read, false},
		{"write", fakeTool("w", false, false).Tool, Write, false},
		{"destructive", fakeTool("d", false, true).Tool, Destructive, false},
		{"read and destructive", fakeTool("x", true, true).Tool, 0, true},
		{"hints unset", tool(mcp.WithReadOnlyHintAnnotation(true)), 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := AccessOf(tc.tool)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("AccessOf = %v, %v; want %v, err=%v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestRegisteredRejectsDuplicates(t *testing.T) {
	t.Parallel()
	_, err := Registered(Options{}, []ServerTool{fakeTool("a", true, false), fakeTool("a", true, false)})
	if err == nil {
		t.Fatal("duplicate tool names accepted")
	}
}

func TestShrink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		max  int
		ok   bool
	}{
		{"not an object", `[1,2,3]`, 2, false},
		{"no list to cut", `{"a":"` + strings.Repeat("x", 100) + `"}`, 50, false},
		{"nested list cut", `{"a":{"b":[` + strings.TrimSuffix(strings.Repeat(`"xxxxxxxxxx",`, 100), ",") + `]}}`, 200, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, ok := Shrink([]byte(tc.in), tc.max)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok {
				raw, _ := json.Marshal(out)
				if len(raw) > tc.max || out["truncated"] != true {
					t.Fatalf("shrunk to %d bytes (max %d), truncated=%v", len(raw), tc.max, out["truncated"])
				}
			}
		})
	}
}

var _ mcpserver.ToolHandlerFunc = fakeTool("x", true, false).Handler

func TestCapText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 600) // 1200 bytes, two per rune
	res := &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent("head"), mcp.NewTextContent(long)}}
	got := capText(res, 500)
	total := 0
	for _, c := range got.Content {
		txt := c.(mcp.TextContent).Text
		if !utf8.ValidString(txt) {
			t.Fatal("cut inside a rune")
		}
		total += len(txt)
	}
	if total > 500 || !strings.Contains(text(got), "text shortened") {
		t.Fatalf("capped text is %d bytes (max 500): %q", total, text(got))
	}
	if same := capText(&mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent("short")}}, 500); text(same) != "short" {
		t.Fatalf("short text changed: %q", text(same))
	}
}
