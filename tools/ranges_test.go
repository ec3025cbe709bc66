package tools

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Bug (#21.11): numeric inputs had no upper bound: ingress_mb_per_second
// 1e308 came back as "internal error … unsupported value: +Inf" and
// partitions 2147483648 as a negative vCPU count. Every number a tool takes
// now documents its range in the input schema (minimum and maximum), which
// the server validates before the handler runs.
func TestEveryNumericInputHasARange(t *testing.T) {
	t.Parallel()
	var missing []string
	for _, st := range allTools(t) {
		raw := st.Tool.RawInputSchema
		if raw == nil {
			var err error
			if raw, err = json.Marshal(st.Tool.InputSchema); err != nil {
				t.Fatal(err)
			}
		}
		var s map[string]any
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		walkNumbers(st.Tool.Name, s, func(path string, node map[string]any) {
			if st.Tool.Name == "sizing" {
				// sizing's maxima are checked in its handler (context budget).
				key := path[strings.LastIndex(path, ".")+1:]
				if _, ok := sizingMaxima()[key]; !ok {
					missing = append(missing, path+" (no entry in sizingMaxima)")
				}
				if _, lo := node["minimum"]; !lo {
					missing = append(missing, path)
				}
				return
			}
			_, lo := node["minimum"]
			_, xlo := node["exclusiveMinimum"]
			_, hi := node["maximum"]
			_, xhi := node["exclusiveMaximum"]
			if !(lo || xlo) || !(hi || xhi) {
				missing = append(missing, path)
			}
		})
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s: a number without minimum and maximum", m)
	}
}

func walkNumbers(path string, node map[string]any, f func(string, map[string]any)) {
	switch node["type"] {
	case "number", "integer":
		f(path, node)
	}
	if props, ok := node["properties"].(map[string]any); ok {
		for k, v := range props {
			if m, ok := v.(map[string]any); ok {
				walkNumbers(path+"."+k, m, f)
			}
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		walkNumbers(path+"[]", items, f)
	}
	if ap, ok := node["additionalProperties"].(map[string]any); ok {
		walkNumbers(path+".*", ap, f)
	}
}

// Bug (#21.11): partitions 2147483648 gave a negative vCPU count and 1e308
// MB/s "+Inf". sizing refuses values above its documented maxima.
func TestSizingRefusesExtremeNumbers(t *testing.T) {
	t.Parallel()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	st := Sizing(ReadDeps{Guidance: b})
	for _, args := range []map[string]any{
		{"service": "msk", "partitions": 2147483648.0},
		{"service": "msk", "ingress_mb_per_second": 1e308},
		{"service": "msk_connect", "topics": []any{map[string]any{"name": "t", "partitions": 1e12}}},
	} {
		res, _ := call(t, st, args)
		if !res.IsError || !strings.Contains(text(res), "above the maximum") {
			t.Errorf("%v: %v %s", args, res.IsError, text(res))
		}
	}
}
