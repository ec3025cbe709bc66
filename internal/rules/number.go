package rules

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Number reads a numeric configuration value the way every validator must:
// JSON and YAML decoders hand over float64, int or json.Number, and
// templates and server.properties often carry numbers as strings.
func Number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}
