package tools

import (
	"encoding/json"
	"sort"
	"testing"
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
