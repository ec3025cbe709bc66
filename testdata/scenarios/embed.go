// Package scenarios embeds the simulated AWS accounts (*.yaml) that
// internal/awssim serves, so the demo and simulate commands work from any
// directory. It lives inside testdata because the files are test fixtures
// first; Go skips testdata for ./... patterns but allows importing it. The
// format is documented in README.md beside the files.
package scenarios

import "embed"

// FS holds every scenario file, named <scenario>.yaml.
//
//go:embed *.yaml
var FS embed.FS
