package iac

import (
	"strconv"
	"strings"
)

func strconvQuote(s string) string { return strconv.Quote(s) }

// ShellQuote returns s as one single-quoted POSIX shell word. Inside single
// quotes nothing is special except the single quote itself, which is written
// by closing the quote, adding a backslash-escaped quote and reopening. The
// result is safe for bash whatever s contains: spaces, $(...), backticks, ;,
// newlines.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
