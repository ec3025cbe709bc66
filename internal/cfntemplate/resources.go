package cfntemplate

import "github.com/stream-mcp/stream-mcp/guidance"

// Resources parses a template the way Validate does (short-form tags in
// long form, aliases bounded) and returns its Resources section, so
// validators of other resource types (validate_config's template plugins)
// read the same values Validate read.
func Resources(text string, b *guidance.Base) (map[string]any, error) {
	tpl, err := parse(text, b.Int(templateMaxBytesID))
	if err != nil {
		return nil, err
	}
	res, _ := tpl["Resources"].(map[string]any)
	return res, nil
}
