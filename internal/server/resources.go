package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stream-mcp/stream-mcp/guidance"
)

// LimitsURI is the index of the limits tables: one entry per part
// resource, with the subjects it holds.
const LimitsURI = "guidance://limits"

// limitsPartBudget is the most bytes of one limits part resource (issue
// #11: a client reads a part into a conversation, not the whole table).
const limitsPartBudget = 16 << 10

// limitsPart is one resource of the limits table.
type limitsPart struct {
	URI      string   `json:"uri"`
	Domain   string   `json:"domain"`
	Subjects []string `json:"subjects"`
	Limits   int      `json:"limits"`
	Bytes    int      `json:"bytes"`
	body     []guidance.Limit
	text     string
}

// limitParts splits the limits by domain (the first segment of their id)
// into resources of at most limitsPartBudget bytes, never splitting a
// subject (the first two segments) unless it alone is over the budget,
// when it continues in the next part.
func limitParts(all []guidance.Limit) []limitsPart {
	type group struct {
		domain, subject string
		limits          []guidance.Limit
		size            int
	}
	var groups []*group
	for _, l := range all {
		parts := strings.SplitN(l.ID, ".", 3)
		domain, subject := parts[0], parts[0]
		if len(parts) > 1 {
			subject = parts[0] + "." + parts[1]
		}
		raw, _ := json.Marshal(l) // plain structs: cannot fail
		if n := len(groups); n > 0 && groups[n-1].subject == subject && groups[n-1].size+len(raw)+1 <= limitsPartBudget-2 {
			groups[n-1].limits = append(groups[n-1].limits, l)
			groups[n-1].size += len(raw) + 1
			continue
		}
		groups = append(groups, &group{domain: domain, subject: subject, limits: []guidance.Limit{l}, size: len(raw) + 1})
	}
	var out []limitsPart
	var cur *limitsPart
	size := 0
	for _, g := range groups {
		if cur == nil || cur.Domain != g.domain || size+g.size > limitsPartBudget-2 {
			out = append(out, limitsPart{Domain: g.domain})
			cur, size = &out[len(out)-1], 0
		}
		if n := len(cur.Subjects); n == 0 || cur.Subjects[n-1] != g.subject {
			cur.Subjects = append(cur.Subjects, g.subject)
		}
		cur.body = append(cur.body, g.limits...)
		size += g.size
	}
	count := map[string]int{}
	for _, p := range out {
		count[p.Domain]++
	}
	seen := map[string]int{}
	for i := range out {
		p := &out[i]
		p.URI = LimitsURI + "/" + p.Domain
		if count[p.Domain] > 1 {
			seen[p.Domain]++
			p.URI = fmt.Sprintf("%s/%d", p.URI, seen[p.Domain])
		}
		raw, _ := json.Marshal(p.body)
		p.text, p.Limits, p.Bytes = string(raw), len(p.body), len(raw)
	}
	return out
}

// GuidanceResources publishes the knowledge base: the limits table in
// parts per domain of at most 16 KB each, an index of the parts at
// guidance://limits, and every guidance document as Markdown, so a client
// reads the same facts the tools reason with.
func GuidanceResources(b *guidance.Base) []ServerResource {
	parts := limitParts(b.All())
	index, _ := json.MarshalIndent(struct {
		About string       `json:"about"`
		Parts []limitsPart `json:"parts"`
	}{"Every limit, default and threshold stream-mcp uses, with its documentation URL and verification date, in parts by domain; read the part whose subjects you need.", parts}, "", " ")
	text := func(uri, mime, body string) func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: mime, Text: body}}, nil
		}
	}
	out := []ServerResource{{
		Resource: mcp.NewResource(LimitsURI, "AWS limits used by stream-mcp: index",
			mcp.WithResourceDescription("The parts of the limits table, by domain, with the subjects each holds."),
			mcp.WithMIMEType("application/json")),
		Handler: text(LimitsURI, "application/json", string(index)),
	}}
	for _, p := range parts {
		out = append(out, ServerResource{
			Resource: mcp.NewResource(p.URI, "AWS limits: "+p.Domain,
				mcp.WithResourceDescription(fmt.Sprintf("%d limits with source URL and verification date: %s", p.Limits, strings.Join(p.Subjects, ", "))),
				mcp.WithMIMEType("application/json")),
			Handler: text(p.URI, "application/json", p.text),
		})
	}
	for _, d := range b.Docs() {
		uri := "guidance://docs/" + d.Name
		out = append(out, ServerResource{
			Resource: mcp.NewResource(uri, d.Title, mcp.WithMIMEType("text/markdown")),
			Handler:  text(uri, "text/markdown", d.Body),
		})
	}
	return out
}
