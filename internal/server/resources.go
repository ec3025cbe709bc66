package server

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stream-mcp/stream-mcp/guidance"
)

// LimitsURI is the resource that publishes the whole limits table.
const LimitsURI = "guidance://limits"

// GuidanceResources publishes the knowledge base: the limits table as JSON
// and every guidance document as Markdown, so a client reads the same facts
// the tools reason with.
func GuidanceResources(b *guidance.Base) []ServerResource {
	// Encoded on first read, not at start-up: most sessions never read it.
	limits := sync.OnceValue(func() string {
		raw, _ := json.MarshalIndent(b.All(), "", "  ") // plain structs: cannot fail
		return string(raw)
	})
	out := []ServerResource{{
		Resource: mcp.NewResource(LimitsURI, "AWS limits used by stream-mcp",
			mcp.WithResourceDescription("Every limit, default and threshold the tools use, with the documentation page and the date it was verified."),
			mcp.WithMIMEType("application/json")),
		Handler: func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: LimitsURI, MIMEType: "application/json", Text: limits()}}, nil
		},
	}}
	for _, d := range b.Docs() {
		uri := "guidance://docs/" + d.Name
		body := d.Body
		out = append(out, ServerResource{
			Resource: mcp.NewResource(uri, d.Title, mcp.WithMIMEType("text/markdown")),
			Handler: func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
				return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "text/markdown", Text: body}}, nil
			},
		})
	}
	return out
}
