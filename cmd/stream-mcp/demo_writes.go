package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// writeDemo walks the confirmation protocol on the in-process cluster when
// the demo runs with --allow-write: a plan that changes nothing, its
// confirmation with the token, the token refused on reuse, and with
// --allow-destructive a reset refused for a group with a live member and a
// reset plan for an idle one. Every line printed is a tool's answer; it
// returns how many steps did not answer as the protocol says they must.
func writeDemo(ctx context.Context, c *client.Client, env demoEnv, destructive bool, stdout io.Writer) (int, error) {
	if env.Bootstrap == "" {
		return 0, nil
	}
	target := map[string]any{"bootstrap_servers": env.Bootstrap, "auth": "none"}
	with := func(kv map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range target {
			out[k] = v
		}
		for k, v := range kv {
			out[k] = v
		}
		return out
	}
	failed := 0
	call := func(title string, args map[string]any, wantErr string) (map[string]any, error) {
		shown := map[string]any{}
		for k, v := range args {
			shown[k] = v
		}
		if tok, ok := shown["confirmation_token"].(string); ok && len(tok) > 12 {
			shown["confirmation_token"] = tok[:12] + "..."
		}
		fmt.Fprintf(stdout, "\n== %s\n$ stream-mcp --allow-write call kafka_admin --args '%s'\n", title, compactJSON(shown))
		req := mcp.CallToolRequest{}
		req.Params.Name = "kafka_admin"
		req.Params.Arguments = args
		res, err := c.CallTool(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("demo step %q: %w", title, err)
		}
		text := strings.TrimSpace(resultText(res))
		switch {
		case wantErr != "" && res.IsError && strings.Contains(text, wantErr):
			fmt.Fprintln(stdout, indent("refused, as it must be: "+text))
			return nil, nil
		case wantErr != "" || res.IsError:
			failed++
			fmt.Fprintln(stdout, indent("unexpected answer: "+text))
			return nil, nil
		}
		var out map[string]any
		raw, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(raw, &out)
		fmt.Fprintln(stdout, indent(excerpt(text, 2*demoLines)))
		return out, nil
	}

	alter := with(map[string]any{"action": "alter_topic_config", "topic": kafkaDemoTopic, "configs": map[string]any{"retention.ms": "86400000"}})
	plan, err := call("Keep "+kafkaDemoTopic+" for one day instead of seven (plan only: nothing changes)", alter, "")
	if err != nil {
		return failed, err
	}
	tok, _ := plan["confirmation_token"].(string)
	if tok == "" {
		return failed + 1, nil
	}
	fmt.Fprintf(stdout, "  confirmation_token valid until %v, single use\n", plan["expires_at"])
	alter["confirmation_token"] = tok
	applied, err := call("The user approved: the same call with the token applies it and reads it back", alter, "")
	if err != nil {
		return failed, err
	}
	if applied["applied"] != true {
		failed++
	} else if rb, err := json.Marshal(applied["read_back"]); err == nil {
		fmt.Fprintf(stdout, "  read back: %s\n", rb)
	}
	if _, err := call("The same token again", alter, "already used"); err != nil {
		return failed, err
	}
	if !destructive {
		return failed, nil
	}
	if _, err := call("Rewind a group that is still consuming", with(map[string]any{"action": "reset_group_offsets", "topic": kafkaDemoTopic, "group_id": kafkaDemoGroup, "to": "earliest"}), "active member"); err != nil {
		return failed, err
	}
	if _, err := call("Replay everything for the idle audit-archiver group (plan only)", with(map[string]any{"action": "reset_group_offsets", "topic": kafkaDemoTopic, "group_id": "audit-archiver", "to": "earliest"}), ""); err != nil {
		return failed, err
	}
	return failed, nil
}
