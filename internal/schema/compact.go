package schema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The budgets of a published tool definition (issue #11): the whole
// read-only tools/list within 20 KB, no tool over 3.5 KB. The server
// publishes input schemas fitted by CompactInput to a budget server.PublishAll
// chooses so the read tools fit ReadOnlyListTarget (and
// validates calls against the full one); output schemas publish only their
// top-level shape.
const (
	// ReadOnlyListTarget is what the server fits the read tools'
	// definitions to (server.PublishAll), leaving room below
	// ReadOnlyListBudget for the next tool.
	ReadOnlyListTarget = 19 << 10
	// DescriptionBudget is the most bytes of one tool's description
	// (sentence 1: what it returns; sentence 2: when to use it).
	DescriptionBudget = 360
	// ToolBudget is the most bytes of one tool definition in tools/list.
	ToolBudget = 3584
	// ReadOnlyListBudget and AllListBudget bound the tools/list result
	// in read-only mode and with --allow-write --allow-destructive.
	ReadOnlyListBudget = 20 << 10
	AllListBudget      = 30 << 10
	// AnswerBudget is the most bytes of a tool's default answer (its
	// structured result as JSON); detail beyond it is on request.
	AnswerBudget = 8 << 10
)

// The steps CompactInput takes, in order, until a schema fits its budget:
// shorten descriptions, then drop the "minimum": 0 bounds (the server
// still validates every call against the full schema), then shorten
// further, and last drop the shortest descriptions of optional properties
// (those mostly restate the name).
var (
	descSteps      = []int{96, 64}
	finalDescSteps = []int{}
)

// CompactInput is the published form of the input schema raw: its property
// descriptions shortened (recursively), and if that is not enough its
// zero minimums dropped, until it encodes within budget bytes or every
// step was taken. Types, enums, other bounds, required and
// additionalProperties are kept.
func CompactInput(raw json.RawMessage, budget int) json.RawMessage {
	if len(raw) <= budget {
		return raw
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		panic(fmt.Sprintf("schema: %v", err))
	}
	enc := func() json.RawMessage {
		b, err := json.Marshal(s)
		if err != nil {
			panic(fmt.Sprintf("schema: %v", err))
		}
		return b
	}
	// Nested objects need no published additionalProperties: the server
	// rejects unknown fields against the full schema either way. An enum
	// says its type by its values.
	dropNestedAdditional(s)
	dropEnumTypes(s)
	var out json.RawMessage
	if out = enc(); len(out) <= budget {
		return out
	}
	for _, max := range descSteps {
		shortenDescriptions(s, max)
		if out = enc(); len(out) <= budget {
			return out
		}
	}
	dropZeroMinimums(s)
	if out = enc(); len(out) <= budget {
		return out
	}
	for _, max := range finalDescSteps {
		shortenDescriptions(s, max)
		if out = enc(); len(out) <= budget {
			return out
		}
	}
	// Last: drop the shortest descriptions of optional properties first;
	// short ones mostly restate the property's name ("average record size
	// in bytes" of avg_record_bytes). Required properties keep theirs.
	required := map[string]bool{}
	for _, r := range asSlice(s["required"]) {
		if name, ok := r.(string); ok {
			required[name] = true
		}
	}
	type described struct {
		p    map[string]any
		size int
		name string
	}
	var ds []described
	var collect func(s map[string]any, path string, root bool)
	collect = func(s map[string]any, path string, root bool) {
		props, _ := s["properties"].(map[string]any)
		for name, v := range props {
			p, _ := v.(map[string]any)
			if d, ok := p["description"].(string); ok && !(root && required[name]) {
				ds = append(ds, described{p, len(d), path + name})
			}
			collect(p, path+name+".", false)
			if items, ok := p["items"].(map[string]any); ok {
				collect(items, path+name+"[].", false)
			}
		}
	}
	collect(s, "", true)
	sort.Slice(ds, func(i, j int) bool {
		if ds[i].size != ds[j].size {
			return ds[i].size < ds[j].size
		}
		return ds[i].name < ds[j].name
	})
	for _, d := range ds {
		delete(d.p, "description")
		if out = enc(); len(out) <= budget {
			return out
		}
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// dropNestedAdditional removes additionalProperties below the root.
func dropNestedAdditional(s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	for _, v := range props {
		p, ok := v.(map[string]any)
		if !ok {
			continue
		}
		delete(p, "additionalProperties")
		dropNestedAdditional(p)
		if items, ok := p["items"].(map[string]any); ok {
			delete(items, "additionalProperties")
			dropNestedAdditional(items)
		}
	}
}

// dropEnumTypes removes "type" from properties whose enum lists their
// values (all of one JSON type, as every enum here is).
func dropEnumTypes(s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	for _, v := range props {
		p, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if _, ok := p["enum"]; ok {
			delete(p, "type")
		}
		dropEnumTypes(p)
		if items, ok := p["items"].(map[string]any); ok {
			dropEnumTypes(items)
		}
	}
}

// dropZeroMinimums removes "minimum": 0 from every property under s.
func dropZeroMinimums(s map[string]any) {
	props, _ := s["properties"].(map[string]any)
	for _, v := range props {
		p, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if m, ok := p["minimum"].(float64); ok && m == 0 {
			delete(p, "minimum")
		}
		dropZeroMinimums(p)
		if items, ok := p["items"].(map[string]any); ok {
			dropZeroMinimums(items)
		}
	}
}

// shortenDescriptions cuts every property description under s to max bytes.
func shortenDescriptions(s map[string]any, max int) {
	props, _ := s["properties"].(map[string]any)
	for _, v := range props {
		p, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if d, ok := p["description"].(string); ok {
			p["description"] = Shorten(d, max)
		}
		shortenDescriptions(p, max)
		if items, ok := p["items"].(map[string]any); ok {
			shortenDescriptions(items, max)
		}
	}
}

// Shorten returns d when it fits max bytes; otherwise its first clause (up
// to "; " or " (") when that fits, otherwise d cut at the last word
// boundary within max bytes.
func Shorten(d string, max int) string {
	if len(d) <= max {
		return d
	}
	for _, sep := range []string{"; ", " ("} {
		if i := strings.Index(d, sep); i > 0 && i <= max {
			return d[:i]
		}
	}
	cut := strings.LastIndexByte(d[:max+1], ' ')
	if cut <= 0 {
		cut = max
	}
	return strings.TrimRight(d[:cut], ",:;-")
}

// compactOutput keeps the top-level shape of an output schema: the root
// object with each property's JSON type, nothing deeper. Clients validate
// structuredContent with it; no additionalProperties restriction or
// required list is published, so every real output validates, and a model
// reads the values from the result itself.
func compactOutput(raw json.RawMessage) json.RawMessage {
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		panic(fmt.Sprintf("schema: %v", err))
	}
	props, _ := s["properties"].(map[string]any)
	out := map[string]any{}
	for name, v := range props {
		p, _ := v.(map[string]any)
		short := map[string]any{}
		if t, ok := p["type"]; ok {
			short["type"] = t
		}
		out[name] = short
	}
	b, err := json.Marshal(map[string]any{"type": "object", "properties": out})
	if err != nil {
		panic(fmt.Sprintf("schema: %v", err))
	}
	return b
}
