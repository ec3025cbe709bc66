package iac

import (
	"strings"
)

// Script is a bash script: each command is a list of words, every word
// quoted with ShellQuote when rendered, so no value can break out.
type Script struct {
	Name     string
	Comment  string
	Commands [][]string
}

// Render returns the script text, starting with "set -euo pipefail".
func (s Script) Render() Artifact {
	var b strings.Builder
	b.WriteString("#!/usr/bin/env bash\nset -euo pipefail\n")
	if s.Comment != "" {
		for _, l := range strings.Split(s.Comment, "\n") {
			b.WriteString("# " + strings.Map(noControl, l) + "\n")
		}
	}
	for _, c := range s.Commands {
		words := make([]string, len(c))
		for i, w := range c {
			words[i] = ShellQuote(w)
		}
		b.WriteString(strings.Join(words, " ") + "\n")
	}
	return Artifact{Kind: KindScript, Format: "bash", Name: s.Name, Content: b.String()}
}

func noControl(r rune) rune {
	if r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}
