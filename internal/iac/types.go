package iac

import (
	"errors"
	"fmt"
)

// Format is an IaC output format.
type Format string

// The supported formats.
const (
	FormatSAM            Format = "sam"
	FormatCloudFormation Format = "cloudformation"
	FormatTerraform      Format = "terraform"
)

// ParseFormat accepts "sam", "cloudformation" (or "cfn") and "terraform"
// (or "tf").
func ParseFormat(s string) (Format, error) {
	switch s {
	case "sam":
		return FormatSAM, nil
	case "cloudformation", "cfn":
		return FormatCloudFormation, nil
	case "terraform", "tf":
		return FormatTerraform, nil
	}
	return "", invalidf("iac_format %q is not one of sam, cloudformation, terraform", s)
}

// Artifact kinds.
const (
	KindIaC                = "iac"
	KindIAMPolicy          = "iam_policy"
	KindSecurityGroupRules = "security_group_rules"
	KindScript             = "script"
)

// Artifact is one generated file.
type Artifact struct {
	// Kind is iac, iam_policy, security_group_rules or script.
	Kind string `json:"kind" jsonschema_description:"iac, iam_policy, security_group_rules or script"`
	// Format is sam, cloudformation, terraform, json or bash.
	Format string `json:"format" jsonschema_description:"sam, cloudformation, terraform, json or bash"`
	// Name is a suggested file name.
	Name string `json:"name" jsonschema_description:"suggested file name"`
	// Content is the file body.
	Content string `json:"content" jsonschema_description:"the file body, ready to save"`
	// Notes explain what the artifact assumes or leaves out.
	Notes []string `json:"notes,omitempty" jsonschema_description:"what the artifact assumes or leaves out"`
}

// ErrInvalid is wrapped by every validation error, so callers can tell bad
// input (a tool error for the user) from a bug.
var ErrInvalid = errors.New("invalid input")

func invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Int returns a pointer to v, for optional numeric fields.
func Int(v int) *int { return &v }

// Bool returns a pointer to v, for optional boolean fields.
func Bool(v bool) *bool { return &v }
