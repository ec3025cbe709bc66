package redshiftstream

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/integ"
)

// Config is a streaming ingestion setup: the external schema, the streaming
// materialized view and the facts around them. It is decoded from
// validate_config's config (these JSON names) or parsed from SQL text.
type Config struct {
	Source string `json:"source"` // msk | msk_serverless | kinesis
	Auth   string `json:"auth"`   // iam | none | mtls (MSK)
	Topic  string `json:"topic"`
	Stream string `json:"stream"`
	// IAMRole is the IAM_ROLE value: one ARN, or a comma-separated chain
	// (a string) or a list.
	IAMRole    any    `json:"iam_role"`
	ClusterArn string `json:"cluster_arn"`
	// RedshiftAccount is the account of the cluster or workgroup.
	RedshiftAccount string `json:"redshift_account"`
	// Columns are the MV's columns with their types, e.g. VARBYTE(1048576).
	Columns     []Column `json:"columns"`
	AutoRefresh *bool    `json:"auto_refresh"`
	SortKey     any      `json:"sort_key"`
	// MVsOnStream counts streaming MVs reading the same topic or stream in
	// this warehouse.
	MVsOnStream int `json:"mvs_on_stream"`
	// PayloadCompression is compression the producer applied to the record
	// value itself (gzip, snappy, zstd, ...), e.g. CloudWatch Logs
	// subscription records (gzip).
	PayloadCompression string `json:"payload_compression"`
	// CaseSensitive is enable_case_sensitive_identifier; CaseSensitiveLevel
	// where it is set (session, user, cluster).
	CaseSensitive      *bool  `json:"enable_case_sensitive_identifier"`
	CaseSensitiveLevel string `json:"case_sensitive_level"`
	ParameterGroup     string `json:"parameter_group"`
	Target             string `json:"target"` // serverless | provisioned
	BaseRPU            int    `json:"base_rpu"`
	MaxRecordBytes     int    `json:"max_record_bytes"`
	// Functions used in the MV definition (json_extract_path_text,
	// json_parse, can_json_parse, ...), lower case.
	Functions []string `json:"functions"`
	// Casts says the MV converts types or computes values (CAST, ::type).
	Casts bool `json:"casts"`
	// Identifiers are the lower-case names the MV's SELECT references
	// (parsed from SQL only), checked against the source's columns.
	Identifiers []string `json:"-"`
	// fromSQL records that the config was parsed from text.
	fromSQL bool
}

// Column is one MV column.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Roles returns the IAM_ROLE chain and whether a string form had spaces
// around its commas.
func (c Config) Roles() (roles []string, spaced bool) {
	switch v := c.IAMRole.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, false
		}
		for _, r := range strings.Split(v, ",") {
			if r != strings.TrimSpace(r) {
				spaced = true
			}
			roles = append(roles, strings.TrimSpace(r))
		}
	case []any:
		for _, r := range v {
			if s, ok := r.(string); ok {
				roles = append(roles, strings.TrimSpace(s))
			}
		}
	}
	return roles, spaced
}

// Name is the topic or stream the MV reads.
func (c Config) Name() string {
	if c.Topic != "" {
		return c.Topic
	}
	return c.Stream
}

// decodeConfig reads fields from validate_config's config object.
func decodeConfig(m map[string]any) (Config, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return Config{}, integ.Inputf("config: %v", err)
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, integ.Inputf("redshift_streaming config: %v; fields are source, auth, topic, stream, iam_role, cluster_arn, redshift_account, columns [{name,type}], auto_refresh, sort_key, mvs_on_stream, payload_compression, enable_case_sensitive_identifier, case_sensitive_level, parameter_group, target, base_rpu, max_record_bytes, functions, casts (or send the SQL as text)", err)
	}
	c.Source, c.Auth, c.Target = strings.ToLower(c.Source), strings.ToLower(c.Auth), strings.ToLower(c.Target)
	for i, f := range c.Functions {
		c.Functions[i] = strings.ToLower(f)
	}
	return c, nil
}

var (
	reComment     = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
	reSchema      = regexp.MustCompile(`(?is)create\s+external\s+schema\s+(?:if\s+not\s+exists\s+)?("?[\w$]+"?)\s+from\s+(msk|kinesis|kafka)\b(.*?)(?:;|$)`)
	reIAMRole     = regexp.MustCompile(`(?is)\biam_role\s+('(?:[^']|'')*'|default)`)
	reAuth        = regexp.MustCompile(`(?is)\bauthentication\s+(none|iam|mtls)\b`)
	reClusterArn  = regexp.MustCompile(`(?is)\bcluster_arn\s+'([^']*)'`)
	reMV          = regexp.MustCompile(`(?is)create\s+materialized\s+view\s+("?[\w$.]+"?)(.*?)\bas\b(.*?)(?:;|$)`)
	reAutoRefresh = regexp.MustCompile(`(?is)\bauto\s+refresh\s+(yes|no)\b`)
	reSortKey     = regexp.MustCompile(`(?is)\b(?:compound\s+|interleaved\s+)?sortkey\b`)
	reFrom        = regexp.MustCompile(`(?is)\bfrom\s+("?[\w$]+"?)\s*\.\s*("(?:[^"]|"")+"|[\w$.\-]+)`)
	reFunc        = regexp.MustCompile(`(?i)\b(json_extract_path_text|json_parse|can_json_parse|is_valid_json|from_varbyte|json_serialize)\s*\(`)
	reCast        = regexp.MustCompile(`(?i)::\s*\w+|\bcast\s*\(`)
	reSized       = regexp.MustCompile(`(?i)\b(varbyte|varbinary|varchar|character\s+varying)\s*\(\s*(\d+)\s*\)`)
	reBareVarbyte = regexp.MustCompile(`(?i)\b(varbyte|varbinary)\b\s*(?:[^\s(]|$)`)
	reSetCase     = regexp.MustCompile(`(?is)\bset\s+enable_case_sensitive_identifier\s+(?:to|=)\s*(true|on|false|off)`)
)

// Regular-expression submatch indexes.
const (
	sub1 = iota + 1
	sub2
	sub3
)

// ParseSQL reads an external schema and streaming MVs from SQL text. It
// returns one Config per MV (the schema's settings copied into each), or
// the schema alone when there is no MV.
func ParseSQL(sql string) ([]Config, error) {
	s := reComment.ReplaceAllString(sql, " ")
	var base Config
	base.fromSQL = true
	schemas := map[string]bool{}
	for _, m := range reSchema.FindAllStringSubmatch(s, -1) {
		schemas[strings.ToLower(strings.Trim(m[sub1], `"`))] = true
		switch strings.ToLower(m[sub2]) {
		case "msk":
			base.Source = "msk"
		case "kinesis":
			base.Source = "kinesis"
		default:
			base.Source = "kafka"
		}
		clause := m[sub3]
		if r := reIAMRole.FindStringSubmatch(clause); r != nil {
			v := r[sub1]
			if strings.HasPrefix(v, "'") {
				v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
			}
			base.IAMRole = v
		}
		if a := reAuth.FindStringSubmatch(clause); a != nil {
			base.Auth = strings.ToLower(a[sub1])
		}
		if a := reClusterArn.FindStringSubmatch(clause); a != nil {
			base.ClusterArn = a[sub1]
		}
	}
	if c := reSetCase.FindStringSubmatch(s); c != nil {
		on := strings.EqualFold(c[sub1], "true") || strings.EqualFold(c[sub1], "on")
		base.CaseSensitive, base.CaseSensitiveLevel = &on, "session"
	}
	mvs := reMV.FindAllStringSubmatch(s, -1)
	if len(mvs) == 0 && len(schemas) == 0 {
		return nil, integ.Inputf("no CREATE EXTERNAL SCHEMA or CREATE MATERIALIZED VIEW found in text; send the streaming ingestion SQL or the fields as config")
	}
	if len(mvs) == 0 {
		return []Config{base}, nil
	}
	var out []Config
	perStream := map[string]int{}
	for _, m := range mvs {
		c := base
		opts, body := m[sub2], m[sub3]
		if a := reAutoRefresh.FindStringSubmatch(opts); a != nil {
			on := strings.EqualFold(a[sub1], "yes")
			c.AutoRefresh = &on
		} else {
			off := false
			c.AutoRefresh = &off
		}
		if reSortKey.MatchString(opts) {
			c.SortKey = true
		}
		if f := reFrom.FindStringSubmatch(body); f != nil {
			name := f[sub2]
			if strings.HasPrefix(name, `"`) {
				name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
			}
			if c.Source == "kinesis" {
				c.Stream = name
			} else {
				c.Topic = name
			}
		}
		seen := map[string]bool{}
		for _, f := range reFunc.FindAllStringSubmatch(body, -1) {
			if fn := strings.ToLower(f[sub1]); !seen[fn] {
				seen[fn] = true
				c.Functions = append(c.Functions, fn)
			}
		}
		c.Casts = reCast.MatchString(body)
		c.Identifiers = identifiers(body)
		for _, z := range reSized.FindAllStringSubmatch(body, -1) {
			c.Columns = append(c.Columns, Column{Name: "(expression)", Type: strings.ToUpper(z[sub1]) + "(" + z[sub2] + ")"})
		}
		if reBareVarbyte.MatchString(body) {
			c.Columns = append(c.Columns, Column{Name: "(expression)", Type: "VARBYTE"})
		}
		perStream[strings.ToLower(c.Name())]++
		out = append(out, c)
	}
	for i := range out {
		out[i].MVsOnStream = perStream[strings.ToLower(out[i].Name())]
	}
	return out, nil
}

// columnBytes is the declared byte capacity of a column type, 0 when the
// type has no byte limit we know (SUPER, numbers).
func columnBytes(t string, varbyteDefault int) int {
	if z := reSized.FindStringSubmatch(t); z != nil {
		n, _ := strconv.Atoi(z[sub2])
		return n
	}
	if reBareVarbyte.MatchString(t + " ") {
		return varbyteDefault
	}
	return 0
}

// reIdent matches a bare or double-quoted identifier.
var reAliasOrString = regexp.MustCompile(`(?i)\bas\s+("[^"]+"|[A-Za-z_][A-Za-z0-9_]*)|'[^']*'`)

var reIdent = regexp.MustCompile(`"([^"]+)"|\b([A-Za-z_][A-Za-z0-9_]*)\b`)

// identifiers lists the distinct lower-case identifiers of an MV's SELECT
// list and WHERE clause (the FROM target excluded), in order.
func identifiers(body string) []string {
	const from = " from "
	if i := strings.Index(strings.ToLower(body), from); i >= 0 {
		rest := body[i+len(from):]
		where := strings.Index(strings.ToLower(rest), " where ")
		if where >= 0 {
			body = body[:i] + " " + rest[where:]
		} else {
			body = body[:i]
		}
	}
	body = reAliasOrString.ReplaceAllString(body, " ")
	seen := map[string]bool{}
	var out []string
	for _, m := range reIdent.FindAllStringSubmatch(body, -1) {
		id := strings.ToLower(m[sub1] + m[sub2])
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
