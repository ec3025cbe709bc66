package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// validationPrefix starts mcp-go's input validation errors.
const validationPrefix = "input schema validation failed"

// readableValidation rewrites mcp-go's input validation errors, which print
// the validator's error structs with %+v ("/partitions: &{Got:2147483648/1
// Want:1000000/1}"), into sentences naming the field, the rule and the
// value ("partitions: must be <= 1000000 but found 2147483648"). mcp-go
// validates before any middleware runs, so this runs as an after-call hook
// on the result it produced, re-validating with the same schema.
type readableValidation struct {
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
	printer  *message.Printer
}

func newReadableValidation() *readableValidation {
	return &readableValidation{compiled: map[string]*jsonschema.Schema{}, printer: message.NewPrinter(language.English)}
}

func (rv *readableValidation) hook(ctx context.Context, _ any, req *mcp.CallToolRequest, result any) {
	res, ok := result.(*mcp.CallToolResult)
	if !ok || res == nil || !res.IsError || len(res.Content) == 0 {
		return
	}
	t, ok := res.Content[0].(mcp.TextContent)
	if !ok || !strings.HasPrefix(t.Text, validationPrefix) {
		return
	}
	srv := mcpserver.ServerFromContext(ctx)
	if srv == nil {
		return
	}
	st := srv.GetTool(req.Params.Name)
	if st == nil {
		return
	}
	if msg := rv.explain(st.Tool, req.Params.Arguments); msg != "" {
		res.Content[0] = mcp.NewTextContent(req.Params.Name + ": invalid arguments: " + msg + "; see the tool's input schema for each field's type and range")
	}
}

// explain validates args against the tool's input schema and returns the
// violations as sentences, or "" when it cannot (the original stays).
func (rv *readableValidation) explain(tool mcp.Tool, args any) string {
	sch, err := rv.schema(tool)
	if err != nil {
		return ""
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return ""
	}
	if args == nil {
		raw = []byte("{}")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	var verr *jsonschema.ValidationError
	if !errors.As(sch.Validate(v), &verr) {
		return ""
	}
	var parts []string
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := strings.Join(e.InstanceLocation, ".")
			if loc == "" {
				loc = "arguments"
			}
			parts = append(parts, loc+": "+describeKind(e.ErrorKind, rv.printer))
			return
		}
		for _, c := range e.Causes {
			leaves(c)
		}
	}
	leaves(verr)
	return strings.Join(parts, "; ")
}

func (rv *readableValidation) schema(tool mcp.Tool) (*jsonschema.Schema, error) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if s, ok := rv.compiled[tool.Name]; ok {
		return s, nil
	}
	raw := tool.RawInputSchema
	if raw == nil {
		var err error
		if raw, err = json.Marshal(tool.InputSchema); err != nil {
			return nil, err
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("mem:///stream-mcp/%s/input.json", tool.Name)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, err
	}
	rv.compiled[tool.Name] = s
	return s, nil
}

// describeKind words range violations plainly (the validator's own English
// prints 2147483648 as 2.147483648×10⁰⁹); other kinds keep its wording.
func describeKind(k jsonschema.ErrorKind, p *message.Printer) string {
	num := func(r *big.Rat) string {
		if r.IsInt() && r.Num().IsInt64() {
			return r.Num().String()
		}
		f, _ := r.Float64()
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	switch k := k.(type) {
	case *kind.Maximum:
		return fmt.Sprintf("%s is above the maximum %s", num(k.Got), num(k.Want))
	case *kind.Minimum:
		return fmt.Sprintf("%s is below the minimum %s", num(k.Got), num(k.Want))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("%s must be below %s", num(k.Got), num(k.Want))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("%s must be above %s", num(k.Got), num(k.Want))
	}
	return k.LocalizedString(p)
}
