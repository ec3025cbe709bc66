package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"go.yaml.in/yaml/v3"
)

// headlineMax is the most bytes of the tool's own summary kept as the
// headline above the full rendering.
const headlineMax = 240

// renderText makes the text content of every successful result a complete
// rendering of its structured content: a one-line headline (the first line
// of the tool's own summary) followed by the structured result as YAML,
// which keeps every key, string and number (multi-line strings such as
// generated templates as literal blocks). Clients that hand a model only the
// text (the MCP spec asks servers to serialise structuredContent into a
// text block for them) therefore lose nothing. Error results and results
// without structured content pass unchanged.
func renderText() mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			res, err := next(ctx, req)
			if err != nil || res == nil || res.IsError || res.StructuredContent == nil {
				return res, err
			}
			body, rErr := Render(res.StructuredContent)
			if rErr != nil {
				// Keep the tool's own text; the structured content still
				// carries the answer for clients that read it.
				return res, nil
			}
			text := body
			if h := headline(res.Content); h != "" {
				text = h + "\n\n" + body
			}
			out := *res
			out.Content = []mcp.Content{mcp.NewTextContent(text)}
			for _, c := range res.Content {
				if _, ok := c.(mcp.TextContent); !ok {
					out.Content = append(out.Content, c)
				}
			}
			return &out, nil
		}
	}
}

// Render writes v (any value that encodes as JSON) as block YAML in the
// order of its JSON encoding, two spaces an indent level.
func Render(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	// JSON is YAML: decoding it into a node keeps the key order and each
	// scalar's tag (a "604800000" string stays a string).
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return "", err
	}
	blockStyle(&doc)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// blockStyle drops the flow style JSON decoding leaves on every node, so the
// encoder writes block mappings and sequences, plain scalars where they read
// back as the same value and literal blocks for multi-line strings.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// headline is the first non-empty line of the tool's text, without Markdown
// emphasis, cut to headlineMax bytes.
func headline(content []mcp.Content) string {
	for _, c := range content {
		t, ok := c.(mcp.TextContent)
		if !ok {
			continue
		}
		for _, line := range strings.Split(t.Text, "\n") {
			line = strings.TrimSpace(strings.ReplaceAll(line, "**", ""))
			line = strings.TrimLeft(line, "# ")
			if line == "" {
				continue
			}
			if len(line) > headlineMax {
				cut := headlineMax
				for cut > 0 && !utf8.RuneStart(line[cut]) {
					cut--
				}
				line = line[:cut] + "…"
			}
			return line
		}
	}
	return ""
}
