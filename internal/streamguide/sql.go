package streamguide

import "strings"

// QuoteIdent quotes a SQL identifier for Redshift (double quotes, embedded
// quotes doubled), so a caller's name is never read as SQL.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteLiteral quotes a SQL string literal (single quotes doubled; Redshift
// also treats a backslash as an escape, so it is doubled too).
func QuoteLiteral(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
