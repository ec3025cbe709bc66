package server

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
)

// capOutput keeps a result's structured content under max bytes. Tools page
// their own output (limit + truncated); this is the safety net behind them.
// It never cuts JSON mid-value: it halves the longest list in the document
// until the whole fits, then sets the root "truncated" flag (every output
// schema carries one, which the registry test enforces).
func capOutput(max int) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := next(ctx, req)
			if err != nil || res == nil {
				return res, err
			}
			res = capText(res, max)
			if res.StructuredContent == nil {
				return res, nil
			}
			raw, mErr := json.Marshal(res.StructuredContent)
			if mErr != nil {
				return mcp.NewToolResultError(fmt.Sprintf("internal error in %s: result does not encode as JSON: %v", req.Params.Name, mErr)), nil
			}
			if len(raw) <= max {
				return res, nil
			}
			capped, ok := Shrink(raw, max)
			if !ok {
				return mcp.NewToolResultError(fmt.Sprintf("%s produced %d bytes, over the %d-byte output cap, and it cannot be shortened; narrow the request (a smaller limit, one topic or group) and call again", req.Params.Name, len(raw), max)), nil
			}
			out := *res
			out.StructuredContent = capped
			out.Content = append([]mcp.Content{mcp.NewTextContent(fmt.Sprintf(
				"Output shortened to fit %d bytes (truncated=true): long lists were cut. Page with a smaller limit or a narrower target for the rest.", max))}, res.Content...)
			return &out, nil
		}
	}
}

// capText keeps the text content under max bytes. Text is prose for the
// model, so cutting it (on a UTF-8 boundary, with a marker) is safe.
func capText(res *mcp.CallToolResult, max int) *mcp.CallToolResult {
	const marker = "\n[text shortened to fit the output cap; the structured result holds the data]"
	total := 0
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			total += len(t.Text)
		}
	}
	if total <= max {
		return res
	}
	out := *res
	out.Content = nil
	budget := max - len(marker)
	for _, c := range res.Content {
		t, ok := c.(mcp.TextContent)
		if !ok {
			out.Content = append(out.Content, c)
			continue
		}
		if budget <= 0 {
			continue
		}
		if len(t.Text) > budget {
			cut := budget
			for cut > 0 && !utf8.RuneStart(t.Text[cut]) {
				cut--
			}
			t.Text = t.Text[:cut] + marker
		}
		budget -= len(t.Text)
		out.Content = append(out.Content, t)
	}
	return &out
}

// Shrink halves the longest array in the JSON document raw until it encodes
// in at most max bytes, and sets "truncated": true on the root object. It
// reports false when the document is not an object or cannot be brought
// under max.
func Shrink(raw []byte, max int) (map[string]any, bool) {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, false
	}
	root["truncated"] = true
	for range 64 {
		b, err := json.Marshal(root)
		if err != nil {
			return nil, false
		}
		if len(b) <= max {
			return root, true
		}
		if !halveLongest(root) {
			return nil, false
		}
	}
	return nil, false
}

// halveLongest finds the longest array anywhere under v and halves it.
func halveLongest(v any) bool {
	var (
		bestLen    int
		bestSetter func([]any)
		bestArr    []any
	)
	var walk func(v any, set func([]any))
	walk = func(v any, set func([]any)) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(c, func(a []any) { x[k] = a })
			}
		case []any:
			if len(x) > bestLen && set != nil {
				bestLen, bestSetter, bestArr = len(x), set, x
			}
			for i, c := range x {
				walk(c, func(a []any) { x[i] = a })
			}
		}
	}
	walk(v, nil)
	if bestLen == 0 {
		return false
	}
	bestSetter(bestArr[:bestLen/2])
	return true
}
