package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/stream-mcp/stream-mcp/internal/schema"
)

// Publish returns the tool as clients see it in tools/list with its input
// schema in CompactInput form for budget bytes. The server keeps
// validating calls against the full schema (validateInput), so compacting
// never loosens a check.
func Publish(t ServerTool, budget int) ServerTool {
	if len(t.Tool.RawInputSchema) > 0 {
		t.Tool.RawInputSchema = schema.CompactInput(t.Tool.RawInputSchema, budget)
	}
	return t
}

// inputBudgets are the per-tool input schema budgets PublishAll tries,
// largest first.
var inputBudgets = []int{1600, 1450, 1300, 1200, 1100, 1000}

// PublishAll publishes every tool with the largest input budget at which
// the read tools' definitions fit schema.ReadOnlyListTarget, so a tool or
// field added anywhere makes every schema a little more compact instead of
// breaking the list's budget. It depends only on the tools, not on the
// access flags, so every mode publishes a tool the same way.
func PublishAll(tools []ServerTool) []ServerTool {
	var out []ServerTool
	for _, b := range inputBudgets {
		out = make([]ServerTool, len(tools))
		size := 0
		for i, t := range tools {
			out[i] = Publish(t, b)
			if a, err := AccessOf(t.Tool); err == nil && a == Read {
				raw, _ := json.Marshal(out[i].Tool)
				size += len(raw) + 1
			}
		}
		if size <= schema.ReadOnlyListTarget {
			break
		}
	}
	return out
}

// inputSchema is one tool's compiled full input schema and its properties
// (for the sentences that name allowed values).
type inputSchema struct {
	compiled *jsonschema.Schema
	props    map[string]map[string]any
}

// compileInputs compiles the full input schema of every tool.
func compileInputs(tools []ServerTool) (map[string]inputSchema, error) {
	out := map[string]inputSchema{}
	for _, t := range tools {
		raw := t.Tool.RawInputSchema
		if len(raw) == 0 {
			continue
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("server: input schema of %s: %w", t.Tool.Name, err)
		}
		c := jsonschema.NewCompiler()
		url := "mem:///tools/" + t.Tool.Name + "/input.json"
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("server: input schema of %s: %w", t.Tool.Name, err)
		}
		compiled, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("server: input schema of %s: %w", t.Tool.Name, err)
		}
		var s struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		_ = json.Unmarshal(raw, &s) // it compiled, so it decodes
		out[t.Tool.Name] = inputSchema{compiled: compiled, props: s.Properties}
	}
	return out, nil
}

// validateInput checks every call's arguments against the tool's full input
// schema and answers a violation with a tool error in sentences ("missing
// required argument service: one of msk, kinesis"; "ingress_mb_per_second
// must be ≥ 0; got -5"), never the validator's structs. Per the MCP spec
// (SEP-1303, 2025-11-25) input validation failures are tool execution
// errors, so the model sees them and can correct the call.
func validateInput(schemas func() map[string]inputSchema) mcpserver.ToolHandlerMiddleware {
	return func(next mcpserver.ToolHandlerFunc) mcpserver.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			s, ok := schemas()[req.Params.Name]
			if !ok {
				return next(ctx, req)
			}
			args := req.Params.Arguments
			if args == nil {
				args = map[string]any{}
			}
			raw, err := json.Marshal(args)
			if err != nil {
				return mcp.NewToolResultError("the arguments are not a JSON object; send an object of named arguments"), nil
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				return mcp.NewToolResultError("the arguments are not a JSON object; send an object of named arguments"), nil
			}
			if _, isObj := inst.(map[string]any); !isObj {
				return mcp.NewToolResultError(fmt.Sprintf("the arguments of %s must be a JSON object of named arguments", req.Params.Name)), nil
			}
			if err := s.compiled.Validate(inst); err != nil {
				return mcp.NewToolResultError(fmt.Sprintf("invalid arguments for %s: %s", req.Params.Name, s.explain(err))), nil
			}
			return next(ctx, req)
		}
	}
}

// explain turns a validation error into sentences, one per violated rule.
func (s inputSchema) explain(err error) string {
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return err.Error()
	}
	var msgs []string
	seen := map[string]bool{}
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			if m := s.sentence(e); !seen[m] {
				seen[m] = true
				msgs = append(msgs, m)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(verr)
	return strings.Join(msgs, "; ")
}

var printer = message.NewPrinter(language.English)

// sentence renders one leaf violation.
func (s inputSchema) sentence(e *jsonschema.ValidationError) string {
	field := strings.Join(e.InstanceLocation, ".")
	name := field
	if name == "" {
		name = "the arguments"
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var parts []string
		for _, m := range k.Missing {
			full := m
			if field != "" {
				full = field + "." + m
			}
			msg := "missing required argument " + full
			if field == "" {
				if vals := enumOf(s.props[m]); vals != "" {
					msg += ": one of " + vals
				} else if d, _ := s.props[m]["description"].(string); d != "" {
					msg += " (" + schema.Shorten(d, 80) + ")"
				}
			}
			parts = append(parts, msg)
		}
		return strings.Join(parts, "; ")
	case *kind.AdditionalProperties:
		var known []string
		if field == "" {
			for p := range s.props {
				known = append(known, p)
			}
			sort.Strings(known)
		}
		msg := fmt.Sprintf("unknown argument %s", quoteList(k.Properties))
		if field != "" {
			msg = fmt.Sprintf("%s has unknown field %s", field, quoteList(k.Properties))
		}
		if len(known) > 0 {
			msg += "; the arguments are " + strings.Join(known, ", ")
		}
		return msg
	case *kind.Type:
		return fmt.Sprintf("%s must be %s; got %s", name, typeList(k.Want), article(k.Got))
	case *kind.Enum:
		return fmt.Sprintf("%s must be one of %s; got %s", name, joinAny(k.Want), jsonText(k.Got))
	case *kind.Const:
		return fmt.Sprintf("%s must be %s; got %s", name, jsonText(k.Want), jsonText(k.Got))
	case *kind.Minimum:
		return fmt.Sprintf("%s must be ≥ %s; got %s", name, ratText(k.Want), ratText(k.Got))
	case *kind.Maximum:
		return fmt.Sprintf("%s must be ≤ %s; got %s", name, ratText(k.Want), ratText(k.Got))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("%s must be > %s; got %s", name, ratText(k.Want), ratText(k.Got))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("%s must be < %s; got %s", name, ratText(k.Want), ratText(k.Got))
	case *kind.MinItems:
		return fmt.Sprintf("%s needs at least %d items; got %d", name, k.Want, k.Got)
	case *kind.MaxItems:
		return fmt.Sprintf("%s takes at most %d items; got %d", name, k.Want, k.Got)
	case *kind.MinLength:
		return fmt.Sprintf("%s must be at least %d characters long; got %d", name, k.Want, k.Got)
	case *kind.MaxLength:
		return fmt.Sprintf("%s must be at most %d characters long; got %d", name, k.Want, k.Got)
	case *kind.Pattern:
		return fmt.Sprintf("%s must match %s; got %q", name, k.Want, k.Got)
	case *kind.MinProperties:
		return fmt.Sprintf("%s needs at least %d entries; got %d", name, k.Want, k.Got)
	case *kind.MaxProperties:
		return fmt.Sprintf("%s takes at most %d entries; got %d", name, k.Want, k.Got)
	}
	return fmt.Sprintf("%s: %s", name, e.ErrorKind.LocalizedString(printer))
}

func enumOf(p map[string]any) string {
	vals, _ := p["enum"].([]any)
	return joinAny(vals)
}

func joinAny(vals []any) string {
	parts := make([]string, 0, len(vals))
	for _, v := range vals {
		if s, ok := v.(string); ok {
			parts = append(parts, s)
			continue
		}
		parts = append(parts, jsonText(v))
	}
	return strings.Join(parts, ", ")
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func typeList(want []string) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = article(w)
	}
	return strings.Join(parts, " or ")
}

// article names a JSON type with its article ("a string", "an object").
func article(t string) string {
	switch t {
	case "object", "array", "integer":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

func ratText(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return fmt.Sprint(f)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
