package esm

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// ErrUnknownSource is returned (wrapped) when the source type cannot be
// decided from the options or the configuration.
var ErrUnknownSource = errors.New("unknown event source type")

// Options select the source type and give the rules context.
type Options struct {
	// Source is the source type; empty means detect it from EventSourceArn
	// or SelfManagedEventSource. When both are given and disagree, the ARN
	// wins and a warning says so.
	Source SourceType
	// Context carries facts about the function, queue and source.
	Context Context
	// Cancel, when set, is the call's context: the engine stops between
	// rules once it is done and Validate returns its error. (A field, not
	// a parameter, so the many callers that validate in memory need not
	// change.)
	Cancel context.Context
}

// Result is the outcome of validating one mapping.
type Result struct {
	// Source is the source type the rules ran for.
	Source SourceType `json:"source"`
	// Violations are sorted errors first (rules.Sort).
	Violations []rules.Violation `json:"violations"`
	// CheckedRules are the ids of every rule evaluated for this source,
	// sorted; a rule that does not apply to the source is not counted.
	CheckedRules []string `json:"checked_rules"`
}

// Valid reports whether no violation is an error.
func (r Result) Valid() bool { return !rules.HasErrors(r.Violations) }

// Validate runs every ESM rule for the source type against cfg. It is pure:
// no AWS calls. It returns an error wrapping ErrUnknownSource only when the
// source type is neither given nor detectable; everything else wrong with the
// configuration is a violation. Field paths are relative to the mapping
// (BatchSize, ScalingConfig.MaximumConcurrency, Topics[0]); callers that
// embed the mapping in a larger document prefix them.
//
// This is the function behind esm_optimize action=validate and
// validate_config kind=esm.
func Validate(cfg Config, opt Options, b *guidance.Base) (Result, error) {
	return NewEngine(b).Validate(cfg, opt)
}

// Engine is the rule engine bound to one guidance base, with the
// table-driven rules and patterns prepared once. Build it once per request
// (or per template) when validating many mappings; it is immutable and safe
// for concurrent use.
type Engine struct {
	b          *guidance.Base
	applicable []tableRule
	required   []tableRule
	nested     []tableRule // known fields of nested objects; field is the parent path, "[]" suffix for list items
	patterns   map[string]*regexp.Regexp
}

// tableRule is a rule generated from a table entry: the field it is about
// and the source types it lists.
type tableRule struct {
	id, field string
	sources   []string
}

// NewEngine prepares the rules for b. It panics if a pattern in the table
// does not compile (the guidance tests catch that before release).
func NewEngine(b *guidance.Base) *Engine {
	e := &Engine{b: b, patterns: map[string]*regexp.Regexp{}}
	for _, l := range b.All() {
		if field, ok := strings.CutPrefix(l.ID, "esm.fields.applicable."); ok {
			e.applicable = append(e.applicable, tableRule{l.ID, field, b.Strings(l.ID)})
		}
		if field, ok := strings.CutPrefix(l.ID, "esm.fields.required."); ok {
			e.required = append(e.required, tableRule{l.ID, field, b.Strings(l.ID)})
		}
		if parent, ok := strings.CutPrefix(l.ID, "esm.fields.known."); ok {
			e.nested = append(e.nested, tableRule{l.ID, parent, b.Strings(l.ID)})
		}
		if s, ok := l.Value.(string); ok && strings.HasPrefix(l.ID, "esm.") && strings.HasSuffix(l.ID, ".pattern") {
			e.patterns[l.ID] = regexp.MustCompile(s)
		}
	}
	return e
}

// Validate runs every rule for the source type against cfg; see the
// package-level Validate.
func (e *Engine) Validate(cfg Config, opt Options) (Result, error) {
	b := e.b
	c := &checker{e: e, cfg: normalizeAliases(cfg), ctx: opt.Context, b: b, checked: make(map[string]bool, len(e.applicable)+len(e.nested)),
		seen: map[string]bool{}, perRule: map[string]int{}, cancel: opt.Cancel}
	detected, derr := DetectSource(c.cfg)
	switch {
	case opt.Source == "" && derr != nil:
		return Result{}, fmt.Errorf("%w: %w", ErrUnknownSource, derr)
	case opt.Source == "":
		c.src = detected
	case derr == nil && detected != opt.Source:
		c.src = detected
		c.report(rules.Warning, "esm.source.arn_mismatch", "EventSourceArn",
			fmt.Sprintf("event_source %q does not match the EventSourceArn, which points at %s; validated as %s", opt.Source, detected, detected),
			fmt.Sprintf("send event_source %q, or correct EventSourceArn", detected))
	default:
		c.src = opt.Source
	}
	if c.ctx.Now.IsZero() {
		c.ctx.Now = time.Now()
	}
	if len(c.cfg) > rules.MaxConfigKeys {
		// Not a mapping: say so once instead of running every rule over it.
		c.report(rules.Error, "esm.fields.known", "", fmt.Sprintf("the configuration has %d fields; an event source mapping has about %d, and this server reads at most %d", len(c.cfg), len(b.Strings("esm.fields.known")), rules.MaxConfigKeys),
			"send only the mapping's own fields (Lambda API names such as BatchSize)")
		return Result{Source: c.src, Violations: c.vs, CheckedRules: []string{"esm.fields.known"}}, nil
	}
	if err := c.run(); err != nil {
		return Result{}, fmt.Errorf("esm rules stopped: %w", err)
	}
	c.summarizeDropped()
	rules.Sort(c.vs)
	ids := make([]string, 0, len(c.checked))
	for id := range c.checked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if c.vs == nil {
		c.vs = []rules.Violation{}
	}
	return Result{Source: c.src, Violations: c.vs, CheckedRules: ids}, nil
}

// aliases maps alternative spellings to the Lambda API name:
// CloudFormation writes KmsKeyArn where the API writes KMSKeyArn.
func normalizeAliases(cfg Config) Config {
	_, cfnSpelling := cfg["KmsKeyArn"]
	_, apiSpelling := cfg["KMSKeyArn"]
	if !cfnSpelling || apiSpelling {
		// Both spellings: keep the API's (renaming would pick one at
		// random, as map order decides); KmsKeyArn is then reported as
		// an unknown field.
		return cfg
	}
	out := make(Config, len(cfg))
	for k, v := range cfg {
		if k == "KmsKeyArn" {
			k = "KMSKeyArn"
		}
		out[k] = v
	}
	return out
}

type checker struct {
	e       *Engine
	cfg     Config
	src     SourceType
	ctx     Context
	b       *guidance.Base
	vs      []rules.Violation
	checked map[string]bool
	// seen dedupes reports in O(1) (a scan of vs made a config with 40,000
	// unknown keys quadratic: 7 s, and 400,000 keys held a core for 9
	// minutes); perRule counts reports per rule for rules.MaxListed.
	seen    map[string]bool
	perRule map[string]int
	dropped map[string]int
	cancel  context.Context
}

func (c *checker) run() error {
	for _, rule := range []func(){
		c.checkKnownFields, c.checkNestedFields, c.checkApplicability, c.checkRequired,
		c.checkBatching, c.checkStreamFields, c.checkStartingPosition, c.checkErrorHandling,
		c.checkDestination, c.checkKafkaProvisionedOnly, c.checkResponseTypes, c.checkScaling,
		c.checkPollers, c.checkTopicsQueues, c.checkKafkaConfigs, c.checkLoggingMetrics,
		c.checkFilters, c.checkFilterContent, c.checkRegion, c.checkSourceAccess, c.checkDocumentDB, c.checkContext,
	} {
		if c.cancel != nil && c.cancel.Err() != nil {
			return c.cancel.Err()
		}
		rule()
	}
	return nil
}

// summarizeDropped adds one violation per rule that had more than
// rules.MaxListed to say, with the count left out.
func (c *checker) summarizeDropped() {
	ids := make([]string, 0, len(c.dropped))
	for id := range c.dropped {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		sev := rules.Warning
		for _, v := range c.vs {
			if v.RuleID == id && v.Severity == rules.Error {
				sev = rules.Error
				break
			}
		}
		c.vs = append(c.vs, rules.Violation{RuleID: id, Severity: sev, Field: "",
			Message: fmt.Sprintf("%d more violations of %s are not listed (at most %d per rule)", c.dropped[id], id, rules.MaxListed),
			Fix:     "fix the listed ones and validate again", Reference: c.b.Source(id)})
	}
}

// --- reporting helpers

func (c *checker) mark(id string) { c.checked[id] = true }

// report records a violation once: several rules read the same field
// (BatchSize feeds the range, SQS window and payload rules), so a field of
// the wrong type would otherwise be reported by each of them.
func (c *checker) report(sev rules.Severity, id, field, msg, fix string) {
	c.mark(id)
	key := id + "\x00" + field + "\x00" + msg
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	if c.perRule[id] >= rules.MaxListed {
		if c.dropped == nil {
			c.dropped = map[string]int{}
		}
		c.dropped[id]++
		return
	}
	c.perRule[id]++
	c.vs = append(c.vs, rules.Violation{
		RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: c.b.Source(id),
	})
}

func (c *checker) str(id string) string {
	l, _ := c.b.Lookup(id)
	s, ok := l.Value.(string)
	if !ok {
		panic(fmt.Sprintf("esm: guidance %q is %T, not a string", id, l.Value))
	}
	return s
}

// num reads a numeric field. It returns ok only for a literal number; a value
// of the wrong type is reported under the type rule.
func (c *checker) num(path string) (float64, bool) {
	v, p := c.cfg.lookup(path)
	if p != present {
		return 0, false
	}
	f, ok := rules.Number(v)
	if !ok {
		c.report(rules.Error, "esm.fields.type", path, fmt.Sprintf("%s is %v, not a number", path, v), fmt.Sprintf("set %s to a whole number", path))
		return 0, false
	}
	return f, true
}

func (c *checker) strField(path string) (string, bool) {
	v, p := c.cfg.lookup(path)
	if p != present {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.report(rules.Error, "esm.fields.type", path, fmt.Sprintf("%s is %v, not a string", path, v), fmt.Sprintf("set %s to a string", path))
		return "", false
	}
	return s, true
}

func (c *checker) list(path string) ([]any, bool) {
	v, p := c.cfg.lookup(path)
	if p != present {
		return nil, false
	}
	l, ok := toList(v)
	if !ok {
		c.report(rules.Error, "esm.fields.type", path, fmt.Sprintf("%s is not a list", path), fmt.Sprintf("set %s to a list", path))
		return nil, false
	}
	return l, true
}

func (c *checker) has(path string) bool {
	_, p := c.cfg.lookup(path)
	return p != absent
}

// set reports whether a field carries a value that means something: a live
// configuration from GetEventSourceMapping echoes fields with empty or off
// values ("FunctionResponseTypes": [], "DestinationConfig": {"OnFailure":
// {}}, "BisectBatchOnFunctionError": false) that must not count as set.
func (c *checker) set(path string) bool {
	v, p := c.cfg.lookup(path)
	return p == unresolved || (p == present && meaningful(v))
}

func (c *checker) lookupValue(path string) any {
	v, _ := c.cfg.lookup(path)
	return v
}

func meaningful(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case Unresolved:
		return true
	}
	if m, ok := toMap(v); ok {
		for _, e := range m {
			if meaningful(e) {
				return true
			}
		}
		return false
	}
	if l, ok := toList(v); ok {
		return len(l) > 0
	}
	return true
}

// rangeCheck reports a value outside [min, max] (both guidance ids).
func (c *checker) rangeCheck(path, minID, maxID string) {
	c.mark(minID)
	c.mark(maxID)
	v, ok := c.num(path)
	if !ok {
		return
	}
	lo, hi := c.b.Num(minID), c.b.Num(maxID)
	switch {
	case v < lo:
		c.report(rules.Error, minID, path, fmt.Sprintf("%s %s is below the minimum %s for %s", path, fmtNum(v), fmtNum(lo), c.src),
			fmt.Sprintf("set %s to at least %s", path, fmtNum(lo)))
	case v > hi:
		c.report(rules.Error, maxID, path, fmt.Sprintf("%s %s is above the maximum %s for %s", path, fmtNum(v), fmtNum(hi), c.src),
			fmt.Sprintf("set %s to at most %s", path, fmtNum(hi)))
	}
}

func (c *checker) lengthCheck(path, maxID string) {
	c.mark(maxID)
	s, ok := c.strField(path)
	if !ok {
		return
	}
	if hi := c.b.Int(maxID); len(s) > hi {
		c.report(rules.Error, maxID, path, fmt.Sprintf("%s is %d characters; the maximum is %d", path, len(s), hi),
			fmt.Sprintf("shorten %s to at most %d characters", path, hi))
	}
}

func (c *checker) enumCheck(path, id string) {
	c.mark(id)
	s, ok := c.strField(path)
	if !ok {
		return
	}
	allowed := c.b.Strings(id)
	if !slices.Contains(allowed, s) {
		c.report(rules.Error, id, path, fmt.Sprintf("%s %q is not one of %s", path, s, strings.Join(allowed, ", ")),
			fmt.Sprintf("set %s to one of %s", path, strings.Join(allowed, ", ")))
	}
}

func (c *checker) patternCheck(path, id string) {
	c.mark(id)
	s, ok := c.strField(path)
	if !ok {
		return
	}
	re, ok := c.e.patterns[id]
	if !ok {
		panic(fmt.Sprintf("esm: guidance %q is not a pattern", id))
	}
	if !re.MatchString(s) {
		c.report(rules.Error, id, path, fmt.Sprintf("%s %q does not match %s", path, s, c.str(id)),
			fmt.Sprintf("use only characters allowed by %s in %s", c.str(id), path))
	}
}

// provisioned reports whether the mapping runs in provisioned mode. An
// unresolved ProvisionedPollerConfig counts as provisioned so no rule fires
// on a guess.
func (c *checker) provisioned() bool { return c.has("ProvisionedPollerConfig") }

func sourcesText(l []string) string { return strings.Join(l, ", ") }

// --- rules

func (c *checker) checkKnownFields() {
	const id = "esm.fields.known"
	c.mark(id)
	known, ro := c.b.Strings(id), c.b.Strings("esm.fields.read_only")
	keys := make([]string, 0, len(c.cfg))
	for k := range c.cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(known, k) || slices.Contains(ro, k) {
			continue
		}
		c.report(rules.Warning, id, k, fmt.Sprintf("%s is not an event source mapping field; the Lambda API rejects unknown fields", k),
			"remove "+k+" or correct its spelling (fields are PascalCase, e.g. BatchSize)")
	}
}

// checkNestedFields reports misspelt or unknown fields inside nested
// objects (ScalingConfig.MaximumConcurency), which the reference product
// never looked at.
func (c *checker) checkNestedFields() {
	for _, r := range c.e.nested {
		c.mark(r.id)
		parent, isList := strings.CutSuffix(r.field, "[]")
		v, p := c.cfg.lookup(parent)
		if p != present {
			continue
		}
		var objs []map[string]any
		var paths []string
		if isList {
			l, _ := toList(v)
			for i, item := range l {
				if m, ok := toMap(item); ok {
					objs = append(objs, m)
					paths = append(paths, fmt.Sprintf("%s[%d]", parent, i))
				}
			}
		} else if m, ok := toMap(v); ok {
			objs, paths = append(objs, m), append(paths, parent)
		}
		for i, m := range objs {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if !slices.Contains(r.sources, k) {
					c.report(rules.Warning, r.id, paths[i]+"."+k, fmt.Sprintf("%s is not a field of %s; the Lambda API rejects it (fields: %s)", k, parent, strings.Join(r.sources, ", ")),
						fmt.Sprintf("remove %s or correct its spelling (one of %s)", k, strings.Join(r.sources, ", ")))
				}
			}
		}
	}
}

func (c *checker) checkApplicability() {
	for _, r := range c.e.applicable {
		field := r.field
		c.mark(r.id)
		if !c.set(field) || slices.Contains(r.sources, string(c.src)) {
			continue
		}
		srcs := sourcesText(r.sources)
		sev := rules.Error
		fix := fmt.Sprintf("remove %s; it applies only to %s", field, srcs)
		switch {
		case field == "FilterCriteria" && c.src == DocumentDB:
			sev = rules.Warning
		case field == "DestinationConfig" && c.src.IsSQS():
			fix = "remove DestinationConfig and set a RedrivePolicy (dead-letter queue) on the source queue instead"
		}
		c.report(sev, r.id, field, fmt.Sprintf("%s does not apply to %s event sources", field, c.src), fix)
	}
}

func (c *checker) checkRequired() {
	for _, r := range c.e.required {
		field := r.field
		if !slices.Contains(r.sources, string(c.src)) {
			continue
		}
		c.mark(r.id)
		if c.has(field) {
			continue
		}
		fix := "add " + field
		switch field {
		case "StartingPosition":
			fix = fmt.Sprintf("add StartingPosition (one of %s)", strings.Join(c.startingPositions(), ", "))
		case "SourceAccessConfigurations":
			fix = `add SourceAccessConfigurations [{"Type":"BASIC_AUTH","URI":"<Secrets Manager secret ARN>"}]`
		}
		c.report(rules.Error, r.id, field, fmt.Sprintf("%s is required for %s event sources", field, c.src), fix)
	}
}

func (c *checker) checkBatching() {
	c.rangeCheck("BatchSize", "esm.batch_size.min", "esm.batch_size.max")
	c.rangeCheck("MaximumBatchingWindowInSeconds", "esm.batching_window.min_seconds", "esm.batching_window.max_seconds")
	bs, hasBS := c.num("BatchSize")
	win, hasWin := c.num("MaximumBatchingWindowInSeconds")
	switch c.src {
	case SQSFIFO:
		const id = "esm.sqs_fifo.batch_size.max"
		c.mark(id)
		if hasBS && bs > c.b.Num(id) {
			c.report(rules.Error, id, "BatchSize", fmt.Sprintf("BatchSize %s exceeds the SQS FIFO maximum of %s", fmtNum(bs), fmtNum(c.b.Num(id))),
				fmt.Sprintf("set BatchSize to at most %s", fmtNum(c.b.Num(id))))
		}
		const wid = "esm.sqs_fifo.batching_window.max_seconds"
		c.mark(wid)
		if hasWin && win > c.b.Num(wid) {
			c.report(rules.Error, wid, "MaximumBatchingWindowInSeconds", "SQS FIFO event sources do not support a batching window",
				"remove MaximumBatchingWindowInSeconds (or set it to 0)")
		}
	case SQS:
		const id = "esm.sqs.batch_size.large_batch_window_min_seconds"
		c.mark(id)
		c.mark("esm.sqs.batch_size.window_threshold")
		if hasBS && bs > c.b.Num("esm.sqs.batch_size.window_threshold") && (!c.has("MaximumBatchingWindowInSeconds") || (hasWin && win < c.b.Num(id))) {
			c.report(rules.Error, id, "MaximumBatchingWindowInSeconds",
				fmt.Sprintf("BatchSize %s is above %s, which for SQS standard queues needs MaximumBatchingWindowInSeconds of at least %s", fmtNum(bs), fmtNum(c.b.Num("esm.sqs.batch_size.window_threshold")), fmtNum(c.b.Num(id))),
				fmt.Sprintf("set MaximumBatchingWindowInSeconds to %s or more, or lower BatchSize to %s", fmtNum(c.b.Num(id)), fmtNum(c.b.Num("esm.sqs.batch_size.window_threshold"))))
		}
	}
}

func (c *checker) checkStreamFields() {
	if !c.src.IsStream() {
		return
	}
	c.rangeCheck("ParallelizationFactor", "esm.parallelization_factor.min", "esm.parallelization_factor.max")
	c.rangeCheck("TumblingWindowInSeconds", "esm.tumbling_window.min_seconds", "esm.tumbling_window.max_seconds")
}

func (c *checker) startingPositionsID() string {
	switch {
	case c.src == Kinesis:
		return "esm.starting_position.values.kinesis"
	case c.src == DynamoDB:
		return "esm.starting_position.values.dynamodb"
	case c.src.IsKafka():
		return "esm.starting_position.values.kafka"
	case c.src == DocumentDB:
		return "esm.starting_position.values.documentdb"
	}
	return ""
}

func (c *checker) startingPositions() []string {
	if id := c.startingPositionsID(); id != "" {
		return c.b.Strings(id)
	}
	return nil
}

func (c *checker) checkStartingPosition() {
	id := c.startingPositionsID()
	if id == "" {
		return
	}
	c.enumCheck("StartingPosition", id)
	const tsID = "esm.starting_position.at_timestamp"
	c.mark(tsID)
	atTS := c.str(tsID)
	pos, hasPos := c.strField("StartingPosition")
	_, tsP := c.cfg.lookup("StartingPositionTimestamp")
	switch {
	case hasPos && pos == atTS && tsP == absent:
		c.report(rules.Error, tsID, "StartingPositionTimestamp", "StartingPosition AT_TIMESTAMP needs StartingPositionTimestamp",
			"add StartingPositionTimestamp (Unix time in seconds) or use TRIM_HORIZON / LATEST")
	case tsP != absent && hasPos && pos != atTS:
		c.report(rules.Error, tsID, "StartingPositionTimestamp", fmt.Sprintf("StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP, not %s", pos),
			"remove StartingPositionTimestamp or set StartingPosition to AT_TIMESTAMP")
	}
	if ts, ok := c.timestamp(); ok && ts.After(c.ctx.Now) {
		c.report(rules.Error, tsID, "StartingPositionTimestamp", fmt.Sprintf("StartingPositionTimestamp %s is in the future", ts.UTC().Format(time.RFC3339)),
			"use a time in the past (Unix seconds)")
	}
}

// timestamp reads StartingPositionTimestamp as Unix seconds or RFC 3339.
func (c *checker) timestamp() (time.Time, bool) {
	v, p := c.cfg.lookup("StartingPositionTimestamp")
	if p != present {
		return time.Time{}, false
	}
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, true
		}
	}
	if f, ok := rules.Number(v); ok {
		return time.Unix(int64(f), 0), true
	}
	c.report(rules.Error, "esm.fields.type", "StartingPositionTimestamp", "StartingPositionTimestamp is neither Unix seconds nor an RFC 3339 time", "set it to Unix time in seconds")
	return time.Time{}, false
}

func (c *checker) checkErrorHandling() {
	if !c.src.IsStream() && !c.src.IsKafka() {
		return
	}
	c.rangeCheck("MaximumRetryAttempts", "esm.maximum_retry_attempts.min", "esm.maximum_retry_attempts.max")
	const infID, minID, maxID = "esm.maximum_record_age.infinite", "esm.maximum_record_age.min_seconds", "esm.maximum_record_age.max_seconds"
	c.mark(minID)
	c.mark(maxID)
	inf := c.b.Num(infID)
	age, hasAge := c.num("MaximumRecordAgeInSeconds")
	if hasAge && age != inf {
		switch lo, hi := c.b.Num(minID), c.b.Num(maxID); {
		case age < lo:
			c.report(rules.Error, minID, "MaximumRecordAgeInSeconds",
				fmt.Sprintf("MaximumRecordAgeInSeconds %s is not allowed: use %s (infinite) or %s to %s", fmtNum(age), fmtNum(inf), fmtNum(lo), fmtNum(hi)),
				fmt.Sprintf("set MaximumRecordAgeInSeconds to %s (infinite) or at least %s", fmtNum(inf), fmtNum(lo)))
		case age > hi:
			c.report(rules.Error, maxID, "MaximumRecordAgeInSeconds", fmt.Sprintf("MaximumRecordAgeInSeconds %s is above the maximum %s", fmtNum(age), fmtNum(hi)),
				fmt.Sprintf("set MaximumRecordAgeInSeconds to at most %s, or %s for infinite", fmtNum(hi), fmtNum(inf)))
		}
	}
	if c.src == DynamoDB {
		const id = "esm.dynamodb.stream_retention_seconds"
		c.mark(id)
		if ret := c.b.Num(id); hasAge && age > ret {
			c.report(rules.Info, id, "MaximumRecordAgeInSeconds",
				fmt.Sprintf("DynamoDB Streams keep records %s seconds, so a MaximumRecordAgeInSeconds of %s never triggers", fmtNum(ret), fmtNum(age)),
				fmt.Sprintf("set MaximumRecordAgeInSeconds to %s or less to bound retries by age", fmtNum(ret)))
		}
	}
	if c.src.IsStream() {
		const id = "esm.stream.unbounded_retry"
		c.mark(id)
		retry, hasRetry := c.num("MaximumRetryAttempts")
		retryInf := !c.has("MaximumRetryAttempts") || (hasRetry && retry == c.b.Num("esm.maximum_retry_attempts.infinite"))
		ageInf := !c.has("MaximumRecordAgeInSeconds") || (hasAge && age == inf)
		if retryInf && ageInf && !c.has("DestinationConfig.OnFailure.Destination") {
			c.report(rules.Warning, id, "MaximumRetryAttempts",
				"retries and record age are unbounded and there is no on-failure destination: one failing record blocks its shard until it expires",
				"set MaximumRetryAttempts (e.g. a small number) or MaximumRecordAgeInSeconds, add DestinationConfig.OnFailure.Destination, and consider BisectBatchOnFunctionError and ReportBatchItemFailures")
		}
	}
}

func (c *checker) checkDestination() {
	const succID = "esm.destination.on_success.unsupported"
	if c.has("DestinationConfig") {
		c.mark(succID)
	}
	if c.has("DestinationConfig.OnSuccess") {
		c.report(rules.Error, succID, "DestinationConfig.OnSuccess", "event source mappings do not support an on-success destination",
			"remove DestinationConfig.OnSuccess; send results from the function itself if needed")
	}
	if !c.src.IsStream() && !c.src.IsKafka() {
		return
	}
	dest, ok := c.strField("DestinationConfig.OnFailure.Destination")
	if !ok {
		return
	}
	const field = "DestinationConfig.OnFailure.Destination"
	servicesID := "esm.destination.on_failure.services.stream"
	if c.src.IsKafka() {
		servicesID = "esm.destination.on_failure.services.kafka"
	}
	c.mark(servicesID)
	services := c.b.Strings(servicesID)
	prefix := c.str("esm.kafka.destination_topic.prefix")
	if topic, isTopic := strings.CutPrefix(dest, prefix); isTopic {
		if !slices.Contains(services, "kafka") {
			c.report(rules.Error, servicesID, field, fmt.Sprintf("a Kafka topic destination is not supported for %s; use %s", c.src, strings.Join(services, ", ")),
				"use an SQS queue, SNS topic or S3 bucket ARN")
			return
		}
		c.mark("esm.kafka.destination_topic.provisioned_only")
		if !c.provisioned() {
			c.report(rules.Error, "esm.kafka.destination_topic.provisioned_only", field, "a Kafka topic on-failure destination requires provisioned mode",
				"add ProvisionedPollerConfig (e.g. MinimumPollers 1, MaximumPollers sized to the partitions), or use an SQS/SNS/S3 destination")
		}
		c.mark("esm.kafka.destination_topic.not_source")
		topics, _ := c.list("Topics")
		for _, t := range topics {
			if s, ok := t.(string); ok && s == topic {
				c.report(rules.Error, "esm.kafka.destination_topic.not_source", field, fmt.Sprintf("the failure destination topic %q is also the source topic; failed records would be consumed again", topic),
					fmt.Sprintf("send failures to a separate topic, e.g. %s%s-dlq", prefix, topic))
			}
		}
	} else {
		c.mark("esm.destination.on_failure.fifo_unsupported")
		a, err := arn.Parse(dest)
		switch {
		case err != nil:
			c.report(rules.Error, servicesID, field, fmt.Sprintf("%q is not an ARN", dest), "use the ARN of an SQS queue, SNS topic or S3 bucket")
		case !slices.Contains(services, a.Service):
			c.report(rules.Error, servicesID, field, fmt.Sprintf("%s is not a supported on-failure destination service; use %s", a.Service, strings.Join(services, ", ")),
				"use the ARN of an SQS queue, SNS topic or S3 bucket")
		case (a.Service == "sqs" || a.Service == "sns") && strings.HasSuffix(a.Resource, ".fifo"):
			c.report(rules.Error, "esm.destination.on_failure.fifo_unsupported", field, "FIFO queues and topics are not supported as on-failure destinations; delivery fails",
				"use a standard SQS queue or SNS topic")
		}
	}
	if c.src.IsKafka() {
		const id = "esm.kafka.retries_with_destination.cap"
		c.mark(id)
		retry, hasRetry := c.num("MaximumRetryAttempts")
		if !c.has("MaximumRetryAttempts") || (hasRetry && retry == c.b.Num("esm.maximum_retry_attempts.infinite")) {
			c.report(rules.Info, id, "MaximumRetryAttempts",
				fmt.Sprintf("with infinite retries and an on-failure destination, Lambda applies at most %s retry attempts", fmtNum(c.b.Num(id))),
				fmt.Sprintf("set MaximumRetryAttempts explicitly (0-%s) to make the behaviour visible", fmtNum(c.b.Num(id))))
		}
	}
}

func (c *checker) checkKafkaProvisionedOnly() {
	if !c.src.IsKafka() {
		return
	}
	const id = "esm.kafka.provisioned_only_fields"
	c.mark(id)
	if c.provisioned() {
		return
	}
	inf := c.b.Num("esm.maximum_retry_attempts.infinite")
	for _, f := range c.b.Strings(id) {
		// -1 (infinite) is what an on-demand mapping reports for retries and
		// record age: the default, not a setting.
		off := inf
		if f == "MaximumRecordAgeInSeconds" {
			off = c.b.Num("esm.maximum_record_age.infinite")
		}
		if n, ok := rules.Number(c.lookupValue(f)); ok && n == off {
			continue
		}
		if c.set(f) {
			c.report(rules.Error, id, f, fmt.Sprintf("%s on a Kafka event source needs provisioned mode", f),
				"add ProvisionedPollerConfig (MinimumPollers/MaximumPollers) or remove "+f)
		}
	}
}

func (c *checker) checkResponseTypes() {
	const vid, mid = "esm.function_response_types.values", "esm.function_response_types.max_items"
	l, ok := c.list("FunctionResponseTypes")
	if !ok {
		return
	}
	c.mark(vid)
	c.mark(mid)
	if hi := c.b.Int(mid); len(l) > hi {
		c.report(rules.Error, mid, "FunctionResponseTypes", fmt.Sprintf("FunctionResponseTypes has %d items; at most %d allowed", len(l), hi),
			`set FunctionResponseTypes to ["ReportBatchItemFailures"]`)
	}
	allowed := c.b.Strings(vid)
	for i, v := range l {
		if s, ok := v.(string); !ok || !slices.Contains(allowed, s) {
			c.report(rules.Error, vid, fmt.Sprintf("FunctionResponseTypes[%d]", i), fmt.Sprintf("%v is not one of %s", v, strings.Join(allowed, ", ")),
				`set FunctionResponseTypes to ["ReportBatchItemFailures"]`)
		}
	}
}

func (c *checker) checkScaling() {
	if !c.src.IsSQS() {
		return
	}
	const f = "ScalingConfig.MaximumConcurrency"
	c.rangeCheck(f, "esm.scaling_config.maximum_concurrency.min", "esm.scaling_config.maximum_concurrency.max")
	const id = "esm.sqs.provisioned.scaling_config_exclusive"
	c.mark(id)
	if c.has(f) && c.provisioned() {
		c.report(rules.Error, id, f, "ScalingConfig.MaximumConcurrency cannot be combined with SQS provisioned mode",
			"remove ScalingConfig and cap concurrency with ProvisionedPollerConfig.MaximumPollers, or remove ProvisionedPollerConfig")
	}
}

func (c *checker) checkPollers() {
	if !c.has("ProvisionedPollerConfig") {
		return
	}
	const minF, maxF = "ProvisionedPollerConfig.MinimumPollers", "ProvisionedPollerConfig.MaximumPollers"
	switch {
	case c.src.IsSQS():
		c.rangeCheck(minF, "esm.sqs.provisioned.minimum_pollers.min", "esm.sqs.provisioned.minimum_pollers.max")
		c.rangeCheck(maxF, "esm.sqs.provisioned.maximum_pollers.min", "esm.sqs.provisioned.maximum_pollers.max")
	case c.src.IsKafka():
		c.rangeCheck(minF, "esm.kafka.provisioned.minimum_pollers.min", "esm.kafka.provisioned.minimum_pollers.max")
		c.rangeCheck(maxF, "esm.kafka.provisioned.maximum_pollers.min", "esm.kafka.provisioned.maximum_pollers.max")
		c.lengthCheck("ProvisionedPollerConfig.PollerGroupName", "esm.kafka.poller_group_name.max_length")
		c.patternCheck("ProvisionedPollerConfig.PollerGroupName", "esm.kafka.poller_group_name.pattern")
	default:
		return
	}
	lo, hasLo := c.num(minF)
	hi, hasHi := c.num(maxF)
	const ordID = "esm.provisioned.pollers.max_at_least_min"
	c.mark(ordID)
	if hasLo && hasHi && hi < lo {
		c.report(rules.Error, ordID, maxF, fmt.Sprintf("MaximumPollers %s is below MinimumPollers %s", fmtNum(hi), fmtNum(lo)),
			fmt.Sprintf("raise MaximumPollers to at least %s or lower MinimumPollers", fmtNum(lo)))
	}
	if c.src.IsKafka() {
		const capID = "esm.kafka.provisioned.maximum_pollers.partition_cap"
		c.mark(capID)
		if p := c.ctx.Partitions; p > 0 && hasHi && hi > float64(p) {
			c.report(rules.Warning, capID, maxF, fmt.Sprintf("MaximumPollers %s exceeds the topic's %d partitions; Lambda caps pollers at the partition count", fmtNum(hi), p),
				fmt.Sprintf("set MaximumPollers to %d, or add partitions if you need more parallelism", p))
		}
		if p := c.ctx.Partitions; p > 0 && hasLo && lo > float64(p) {
			c.report(rules.Warning, capID, minF, fmt.Sprintf("MinimumPollers %s exceeds the topic's %d partitions; you pay for pollers that cannot get work", fmtNum(lo), p),
				fmt.Sprintf("set MinimumPollers to at most %d", p))
		}
	}
}

func (c *checker) checkTopicsQueues() {
	type spec struct {
		field, countID, lenID, patID string
		applies                      bool
	}
	for _, s := range []spec{
		{"Topics", "esm.topics.count", "esm.kafka.topic_name.max_length", "esm.kafka.topic_name.pattern", c.src.IsKafka()},
		{"Queues", "esm.queues.count", "esm.mq.queue_name.max_length", "", c.src == MQ},
	} {
		if !s.applies {
			continue
		}
		l, ok := c.list(s.field)
		if !ok {
			continue
		}
		c.mark(s.countID)
		if want := c.b.Int(s.countID); len(l) != want {
			c.report(rules.Error, s.countID, s.field, fmt.Sprintf("%s has %d items; exactly %d is required", s.field, len(l), want),
				fmt.Sprintf("list exactly %d item in %s; create one mapping per additional item", want, s.field))
		}
		c.mark(s.lenID)
		for i, v := range l {
			name, ok := v.(string)
			path := fmt.Sprintf("%s[%d]", s.field, i)
			if !ok {
				if _, isU := v.(Unresolved); !isU {
					c.report(rules.Error, "esm.fields.type", path, path+" is not a string", "use a name string")
				}
				continue
			}
			if hi := c.b.Int(s.lenID); len(name) > hi || name == "" {
				c.report(rules.Error, s.lenID, path, fmt.Sprintf("%s is %d characters; allowed 1 to %d", path, len(name), hi), fmt.Sprintf("use a name of 1 to %d characters", hi))
			}
			if s.patID != "" {
				c.mark(s.patID)
				if re := c.e.patterns[s.patID]; name != "" && !re.MatchString(name) {
					c.report(rules.Error, s.patID, path, fmt.Sprintf("topic %q is not a valid Kafka topic name", name), "use letters, digits, '.', '_' and '-' only, not starting with '.'")
				}
			}
		}
	}
}

func (c *checker) checkKafkaConfigs() {
	switch c.src {
	case SelfManagedKafka:
		const keyID, minID, maxID = "esm.self_managed.endpoints.key", "esm.self_managed.endpoints.min", "esm.self_managed.endpoints.max"
		c.mark(keyID)
		if v, p := c.cfg.lookup("SelfManagedEventSource.Endpoints"); p == present {
			m, ok := toMap(v)
			if !ok {
				c.report(rules.Error, "esm.fields.type", "SelfManagedEventSource.Endpoints", "Endpoints is not an object", `use {"KAFKA_BOOTSTRAP_SERVERS": ["host:port", ...]}`)
				break
			}
			key := c.str(keyID)
			for k := range m {
				if k != key {
					c.report(rules.Error, keyID, "SelfManagedEventSource.Endpoints."+k, fmt.Sprintf("%s is not a known endpoint key", k), "use the key "+key)
				}
			}
			path := "SelfManagedEventSource.Endpoints." + key
			if l, ok := c.list(path); ok {
				c.mark(minID)
				c.mark(maxID)
				if lo, hi := c.b.Int(minID), c.b.Int(maxID); len(l) < lo || len(l) > hi {
					c.report(rules.Error, maxID, path, fmt.Sprintf("%d bootstrap servers given; %d to %d allowed", len(l), lo, hi), fmt.Sprintf("list %d to %d host:port entries", lo, hi))
				}
			} else if !c.has(path) {
				c.report(rules.Error, keyID, path, "no bootstrap servers", fmt.Sprintf(`add %s: ["host:port", ...]`, key))
			}
		}
		c.consumerGroup("SelfManagedKafkaEventSourceConfig")
		c.schemaRegistry("SelfManagedKafkaEventSourceConfig.SchemaRegistryConfig")
	case MSK:
		c.consumerGroup("AmazonManagedKafkaEventSourceConfig")
		c.schemaRegistry("AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig")
	}
}

func (c *checker) consumerGroup(parent string) {
	path := parent + ".ConsumerGroupId"
	c.lengthCheck(path, "esm.kafka.consumer_group_id.max_length")
	c.patternCheck(path, "esm.kafka.consumer_group_id.pattern")
	if s, ok := c.strField(path); ok && s == "" {
		c.report(rules.Error, "esm.kafka.consumer_group_id.max_length", path, "ConsumerGroupId is empty", "omit ConsumerGroupId (Lambda then uses the mapping UUID) or give a unique name")
	}
}

func (c *checker) schemaRegistry(path string) {
	if !c.has(path) {
		return
	}
	c.enumCheck(path+".EventRecordFormat", "esm.schema_registry.event_record_format.values")
	c.mark("esm.schema_registry.access_config.types")
	if l, ok := c.list(path + ".AccessConfigs"); ok {
		allowed := c.b.Strings("esm.schema_registry.access_config.types")
		for i, v := range l {
			m, _ := toMap(v)
			if t, ok := m["Type"].(string); ok && !slices.Contains(allowed, t) {
				c.report(rules.Error, "esm.schema_registry.access_config.types", fmt.Sprintf("%s.AccessConfigs[%d].Type", path, i),
					fmt.Sprintf("%q is not one of %s", t, strings.Join(allowed, ", ")), "use one of "+strings.Join(allowed, ", "))
			}
		}
	}
	c.mark("esm.schema_registry.validation_attribute.values")
	if l, ok := c.list(path + ".SchemaValidationConfigs"); ok {
		allowed := c.b.Strings("esm.schema_registry.validation_attribute.values")
		for i, v := range l {
			m, _ := toMap(v)
			if a, ok := m["Attribute"].(string); ok && !slices.Contains(allowed, a) {
				c.report(rules.Error, "esm.schema_registry.validation_attribute.values", fmt.Sprintf("%s.SchemaValidationConfigs[%d].Attribute", path, i),
					fmt.Sprintf("%q is not one of %s", a, strings.Join(allowed, ", ")), "use one of "+strings.Join(allowed, ", "))
			}
		}
	}
}

func (c *checker) checkLoggingMetrics() {
	if c.src.IsKafka() {
		c.enumCheck("LoggingConfig.SystemLogLevel", "esm.logging.system_log_level.values")
	}
	l, ok := c.list("MetricsConfig.Metrics")
	if !ok {
		return
	}
	const vid, kid = "esm.metrics.values", "esm.metrics.kafka_only"
	c.mark(vid)
	c.mark(kid)
	allowed, kafkaOnly := c.b.Strings(vid), c.b.Strings(kid)
	for i, v := range l {
		s, _ := v.(string)
		path := fmt.Sprintf("MetricsConfig.Metrics[%d]", i)
		switch {
		case !slices.Contains(allowed, s):
			c.report(rules.Error, vid, path, fmt.Sprintf("%v is not one of %s", v, strings.Join(allowed, ", ")), "use one of "+strings.Join(allowed, ", "))
		case slices.Contains(kafkaOnly, s) && !c.src.IsKafka():
			c.report(rules.Error, kid, path, fmt.Sprintf("metric group %s exists only for Kafka event sources", s), "use EventCount only")
		}
	}
}

func (c *checker) checkFilters() {
	const defID, maxID, patID = "esm.filter_criteria.filters.default_quota", "esm.filter_criteria.filters.max_quota", "esm.filter_criteria.pattern.max_length"
	l, ok := c.list("FilterCriteria.Filters")
	if ok {
		c.mark(defID)
		c.mark(maxID)
		c.mark(patID)
		switch n := len(l); {
		case n > c.b.Int(maxID):
			c.report(rules.Error, maxID, "FilterCriteria.Filters", fmt.Sprintf("%d filters; the quota cannot be raised above %d", n, c.b.Int(maxID)),
				fmt.Sprintf("merge patterns (filters are ORed) to at most %d", c.b.Int(maxID)))
		case n > c.b.Int(defID):
			c.report(rules.Warning, defID, "FilterCriteria.Filters", fmt.Sprintf("%d filters exceed the default quota of %d; creation fails unless the quota was raised", n, c.b.Int(defID)),
				fmt.Sprintf("request a quota increase (up to %d) or merge patterns", c.b.Int(maxID)))
		}
		for i, v := range l {
			m, _ := toMap(v)
			if p, ok := m["Pattern"].(string); ok && len(p) > c.b.Int(patID) {
				c.report(rules.Error, patID, fmt.Sprintf("FilterCriteria.Filters[%d].Pattern", i), fmt.Sprintf("pattern is %d characters; the maximum is %d", len(p), c.b.Int(patID)),
					"shorten the pattern or split it across filters")
			}
		}
	}
	const kmsID = "esm.kms_key.filter_criteria_only"
	if c.has("KMSKeyArn") {
		c.mark(kmsID)
		if !c.has("FilterCriteria") {
			c.report(rules.Info, kmsID, "KMSKeyArn", "KMSKeyArn only encrypts FilterCriteria, and this mapping has no filters", "remove KMSKeyArn or add FilterCriteria")
		}
	}
}

func (c *checker) checkSourceAccess() {
	l, ok := c.list("SourceAccessConfigurations")
	if !ok {
		return
	}
	const allID, maxID = "esm.source_access.types", "esm.source_access.max_items"
	c.mark(allID)
	c.mark(maxID)
	if hi := c.b.Int(maxID); len(l) > hi {
		c.report(rules.Error, maxID, "SourceAccessConfigurations", fmt.Sprintf("%d entries; at most %d allowed", len(l), hi), fmt.Sprintf("keep at most %d entries", hi))
	}
	perID := "esm.source_access.types." + string(c.src)
	var per []string
	if _, ok := c.b.Lookup(perID); ok {
		c.mark(perID)
		per = c.b.Strings(perID)
	}
	all := c.b.Strings(allID)
	for i, v := range l {
		m, _ := toMap(v)
		path := fmt.Sprintf("SourceAccessConfigurations[%d].Type", i)
		t, ok := m["Type"].(string)
		if !ok {
			if _, isU := m["Type"].(Unresolved); !isU {
				c.report(rules.Error, allID, path, "entry has no Type", "set Type, e.g. BASIC_AUTH")
			}
			continue
		}
		switch {
		case !slices.Contains(all, t):
			c.report(rules.Error, allID, path, fmt.Sprintf("%q is not a SourceAccessConfigurations type", t), "use one of "+strings.Join(all, ", "))
		case per != nil && !slices.Contains(per, t):
			c.report(rules.Warning, perID, path, fmt.Sprintf("%s is not documented for %s event sources (documented: %s)", t, c.src, strings.Join(per, ", ")),
				"use one of "+strings.Join(per, ", "))
		}
	}
}

func (c *checker) checkDocumentDB() {
	if c.src != DocumentDB {
		return
	}
	c.lengthCheck("DocumentDBEventSourceConfig.DatabaseName", "esm.documentdb.database_name.max_length")
	c.lengthCheck("DocumentDBEventSourceConfig.CollectionName", "esm.documentdb.collection_name.max_length")
	c.enumCheck("DocumentDBEventSourceConfig.FullDocument", "esm.documentdb.full_document.values")
}

func (c *checker) checkContext() {
	ctx := c.ctx
	if ft := ctx.FunctionTimeoutSeconds; ft > 0 {
		const id = "lambda.function.timeout.max_seconds"
		c.mark(id)
		if hi := c.b.Num(id); ft > hi {
			c.report(rules.Error, id, "context.function_timeout_seconds", fmt.Sprintf("a function timeout of %s s is above Lambda's maximum %s s", fmtNum(ft), fmtNum(hi)),
				fmt.Sprintf("set the function timeout to at most %s s", fmtNum(hi)))
		}
		if vt := ctx.QueueVisibilityTimeoutSeconds; vt > 0 && c.src.IsSQS() {
			const hardID, ratioID = "esm.sqs.visibility_timeout.function_timeout", "esm.sqs.visibility_timeout.function_timeout_ratio"
			c.mark(hardID)
			c.mark(ratioID)
			ratio := c.b.Num(ratioID)
			switch {
			case ft > vt:
				c.report(rules.Error, hardID, "context.queue_visibility_timeout_seconds",
					fmt.Sprintf("the function timeout (%s s) exceeds the queue's visibility timeout (%s s); Lambda rejects the mapping", fmtNum(ft), fmtNum(vt)),
					fmt.Sprintf("set the queue VisibilityTimeout to at least %s s (%s x the function timeout)", fmtNum(ft*ratio), fmtNum(ratio)))
			case ft*ratio > vt:
				c.report(rules.Warning, ratioID, "context.queue_visibility_timeout_seconds",
					fmt.Sprintf("the visibility timeout (%s s) is less than %s x the function timeout (%s s); retried batches may be processed twice", fmtNum(vt), fmtNum(ratio), fmtNum(ft)),
					fmt.Sprintf("set the queue VisibilityTimeout to at least %s s", fmtNum(ft*ratio)))
			}
		}
	}
	if ctx.AvgRecordBytes > 0 {
		const id, capID = "esm.payload.batch_bytes", "lambda.invoke.sync_payload.max_bytes"
		c.mark(id)
		bs, ok := c.num("BatchSize")
		if !ok {
			bs = c.b.Num("esm.batch_size.default.other")
			if c.src.IsSQS() {
				bs = c.b.Num("esm.batch_size.default.sqs")
			}
		}
		if limit := c.b.Num(capID); bs*ctx.AvgRecordBytes > limit {
			fit := int(limit / ctx.AvgRecordBytes)
			c.report(rules.Warning, id, "BatchSize",
				fmt.Sprintf("BatchSize %s x %s bytes per record = %s bytes, above the %s-byte invocation payload; batches are cut at about %d records", fmtNum(bs), fmtNum(ctx.AvgRecordBytes), fmtNum(bs*ctx.AvgRecordBytes), fmtNum(limit), fit),
				fmt.Sprintf("set BatchSize to %d or less, or shrink records (e.g. pass references to S3)", fit))
		}
	}
	if c.src.IsStream() && ctx.Shards > 0 {
		const id, quotaID = "esm.stream.concurrency.account_quota", "lambda.account.concurrency.default"
		c.mark(id)
		pf, ok := c.num("ParallelizationFactor")
		if !ok {
			pf = c.b.Num("esm.parallelization_factor.min")
		}
		quota := float64(ctx.AccountConcurrency)
		if quota <= 0 {
			quota = c.b.Num(quotaID)
		}
		if need := float64(ctx.Shards) * pf; need > quota {
			fix := "request a higher account concurrency quota"
			if fit := int(quota) / ctx.Shards; fit >= c.b.Int("esm.parallelization_factor.min") {
				fix = fmt.Sprintf("lower ParallelizationFactor to %d or %s", fit, fix)
			}
			c.report(rules.Warning, id, "ParallelizationFactor",
				fmt.Sprintf("%d shards x ParallelizationFactor %s = %s concurrent invocations, above the account concurrency quota of %s; shards will be throttled", ctx.Shards, fmtNum(pf), fmtNum(need), fmtNum(quota)),
				fix)
		}
	}
}
