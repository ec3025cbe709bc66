package tools

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
	"github.com/stream-mcp/stream-mcp/internal/toolsnap"
)

func allTools(t *testing.T) []server.ServerTool {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	rd := ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return All(rd, WriteDeps{ReadDeps: rd})
}

var (
	toolName  = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	paramName = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	// One name per concept across tools (STYLE.md rule 12).
	synonyms = map[string]string{
		"uuid": "esm_uuid", "mapping_id": "esm_uuid", "esm_id": "esm_uuid", "mapping_uuid": "esm_uuid",
		"function": "function_name", "lambda_name": "function_name", "function_arn": "function_name",
		"stream": "stream_name", "kinesis_stream": "stream_name",
		"group": "group_id", "consumer_group": "group_id", "consumer_group_id": "group_id",
		"arn": "cluster_arn", "msk_cluster_arn": "cluster_arn", "cluster_name": "cluster",
		"bootstrap": "bootstrap_servers", "brokers": "bootstrap_servers", "bootstrap_brokers": "bootstrap_servers",
		"max_results": "limit", "page_size": "limit", "aws_region": "region", "token": "confirmation_token",
	}
)

func TestRegistryInvariants(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	published := server.PublishAll(allTools(t))
	for i, st := range allTools(t) {
		full := st.Tool
		tool := published[i].Tool
		t.Run(tool.Name, func(t *testing.T) {
			if !toolName.MatchString(tool.Name) {
				t.Errorf("name %q is not snake_case", tool.Name)
			}
			if seen[tool.Name] {
				t.Errorf("duplicate name")
			}
			seen[tool.Name] = true
			if st.Handler == nil {
				t.Error("no handler")
			}
			if _, err := server.AccessOf(tool); err != nil {
				t.Error(err)
			}
			if tool.Annotations.Title == "" || !strings.Contains(tool.Annotations.Title, ": ") {
				t.Errorf("title %q is not \"Domain: Action\"", tool.Annotations.Title)
			}
			if strings.Count(tool.Description, ". ") < 1 {
				t.Errorf("description needs what it returns and when to use it: %q", tool.Description)
			}
			in := decode(t, full.RawInputSchema)
			out := decode(t, tool.RawOutputSchema)
			checkDescribed(t, "input", in)
			for label, s := range map[string]map[string]any{"input": in, "output": out} {
				if s["type"] != "object" {
					t.Errorf("%s schema root type %v, want object", label, s["type"])
				}
				for _, k := range []string{"anyOf", "oneOf", "allOf", "$ref", "$defs"} {
					if _, ok := s[k]; ok {
						t.Errorf("%s schema root has %s", label, k)
					}
				}
			}
			if len(tool.Description) > schema.DescriptionBudget {
				t.Errorf("description is %d bytes, over the %d-byte budget: sentence 1 says what it returns, sentence 2 when to use it", len(tool.Description), schema.DescriptionBudget)
			}
			if raw, _ := json.Marshal(tool); len(raw) > schema.ToolBudget {
				t.Errorf("published definition is %d bytes, over the %d-byte budget (input schema %d bytes): shorten the input descriptions or the tool description", len(raw), schema.ToolBudget, len(tool.RawInputSchema))
			}
			if _, ok := props(out)["truncated"]; !ok {
				t.Error("output schema has no root `truncated` field (the output cap sets it)")
			}
			for name := range props(in) {
				if !paramName.MatchString(name) {
					t.Errorf("parameter %q is not snake_case", name)
				}
				if want, bad := synonyms[name]; bad {
					t.Errorf("parameter %q: this concept is called %q across tools", name, want)
				}
			}
			toolsnap.Check(t, tool.Name, tool)
		})
	}
}

// TestModeSnapshots lists the tools of each access mode through an
// in-process MCP client, as a client sees them, checks their classes, checks
// that a tool hidden in a mode cannot be called, and pins each mode's list.
func TestModeSnapshots(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	rd := ReadDeps{Guidance: b, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	modes := map[string]server.Options{
		"read_only":         {},
		"allow_write":       {AllowWrite: true},
		"allow_destructive": {AllowWrite: true, AllowDestructive: true},
	}
	snap := map[string][]string{}
	for name, opts := range modes {
		// As in newApp: a tool destructive only for some requests
		// (kafka_admin's reset) takes its class from the flag.
		all := All(rd, WriteDeps{ReadDeps: rd, AllowDestructive: opts.AllowDestructive})
		srv, err := server.New(opts, all, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		listed := listInProcess(t, srv)
		for _, tool := range listed {
			acc, err := server.AccessOf(tool)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "read_only" && acc != server.Read {
				t.Errorf("read-only mode lists %s (%s)", tool.Name, acc)
			}
			if name == "allow_write" && acc == server.Destructive {
				t.Errorf("allow-write mode lists destructive %s", tool.Name)
			}
			snap[name] = append(snap[name], tool.Name+" ("+acc.String()+")")
		}
		sort.Strings(snap[name])
		if name == "read_only" {
			// A write tool is not just unlisted: it has no handler.
			res, err := callInProcess(t, srv, "esm_apply")
			if err == nil && (res == nil || !res.IsError) {
				t.Errorf("read-only mode ran esm_apply: %+v", res)
			}
		}
	}
	toolsnap.Check(t, "_modes", snap)
}

func inProcessClient(t *testing.T, srv *mcpserver.MCPServer) *client.Client {
	t.Helper()
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "registry-test", Version: "0"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return c
}

func listInProcess(t *testing.T, srv *mcpserver.MCPServer) []mcp.Tool {
	t.Helper()
	res, err := inProcessClient(t, srv).ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Tools
}

func callInProcess(t *testing.T, srv *mcpserver.MCPServer, name string) (*mcp.CallToolResult, error) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = map[string]any{}
	return inProcessClient(t, srv).CallTool(context.Background(), req)
}

func decode(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	if raw == nil {
		t.Fatal("schema missing (use schema.Input / schema.Output)")
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func props(s map[string]any) map[string]any {
	p, _ := s["properties"].(map[string]any)
	return p
}

// checkDescribed walks a schema and fails on any property without a
// description: the model only knows what a field means from it.
func checkDescribed(t *testing.T, path string, s map[string]any) {
	t.Helper()
	for name, v := range props(s) {
		p, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if d, _ := p["description"].(string); d == "" {
			t.Errorf("%s.%s has no description", path, name)
		}
		checkDescribed(t, path+"."+name, p)
		if items, ok := p["items"].(map[string]any); ok {
			checkDescribed(t, path+"."+name+"[]", items)
		}
	}
}

// publishedTool is the named tool as tools/list publishes it.
func publishedTool(t *testing.T, name string) mcp.Tool {
	t.Helper()
	for _, st := range server.PublishAll(allTools(t)) {
		if st.Tool.Name == name {
			return st.Tool
		}
	}
	t.Fatalf("no tool %s", name)
	return mcp.Tool{}
}
