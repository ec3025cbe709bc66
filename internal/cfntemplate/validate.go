package cfntemplate

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/rules"
	"github.com/stream-mcp/stream-mcp/internal/streamcfg"
)

// Resource types and SAM event types the validator knows.
const (
	typeESM         = "AWS::Lambda::EventSourceMapping"
	typeSAMFunction = "AWS::Serverless::Function"
	typeFunction    = "AWS::Lambda::Function"
	typeMSK         = "AWS::MSK::Cluster"
	typeKinesis     = "AWS::Kinesis::Stream"
	typeQueue       = "AWS::SQS::Queue"
)

// templateMaxBytesID is the guidance id of CloudFormation's template size quota.
const templateMaxBytesID = "cfn.template.s3_body.max_bytes"

// Checked is one resource (or SAM event) that was validated.
type Checked struct {
	// Path is where it sits, e.g. Resources.Fn.Properties.Events.Orders.
	Path string `json:"path" jsonschema_description:"where it sits in the template, e.g. Resources.Fn.Properties.Events.Orders"`
	// Type is the resource type, or "SAM <EventType>" for a function event.
	Type string `json:"type" jsonschema_description:"resource type, or SAM <EventType> for a function event"`
	// Source is the ESM source type, when known.
	Source string `json:"source,omitempty" jsonschema_description:"event source type of a mapping, when the template tells"`
}

// Result is the outcome of validating a template.
type Result struct {
	Violations   []rules.Violation `json:"violations"`
	CheckedRules []string          `json:"checked_rules"`
	Resources    []Checked         `json:"resources"`
	NotChecked   []Checked         `json:"not_checked"`
}

// Valid reports whether no violation is an error.
func (r Result) Valid() bool { return !rules.HasErrors(r.Violations) }

// Validate parses and validates a template. It returns an error wrapping
// ErrNotTemplate when the text cannot be parsed or has no Resources; every
// finding inside a parsable template is a violation.
func Validate(text string, b *guidance.Base) (Result, error) {
	// Every value of a template written out without aliases (as JSON, or as
	// sam package writes it) takes at least one byte, so no deployable
	// template expands to more values than CloudFormation's size quota.
	tpl, root, err := parseNode(text, b.Int(templateMaxBytesID))
	if err != nil {
		return Result{}, err
	}
	v := &validator{b: b, engine: esm.NewEngine(b), tpl: tpl, res: tpl["Resources"].(map[string]any), checked: map[string]bool{}}
	v.run()
	for i := range v.out {
		if l := lineOf(root, v.out[i].Field); l > 0 {
			v.out[i].Message += fmt.Sprintf(" (template line %d)", l)
		}
	}
	rules.Sort(v.out)
	ids := make([]string, 0, len(v.checked))
	for id := range v.checked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if v.out == nil {
		v.out = []rules.Violation{}
	}
	if v.done == nil {
		v.done = []Checked{}
	}
	if v.skipped == nil {
		v.skipped = []Checked{}
	}
	return Result{Violations: v.out, CheckedRules: ids, Resources: v.done, NotChecked: v.skipped}, nil
}

type validator struct {
	b       *guidance.Base
	engine  *esm.Engine
	tpl     map[string]any
	res     map[string]any
	out     []rules.Violation
	checked map[string]bool
	done    []Checked
	skipped []Checked
}

func (v *validator) report(sev rules.Severity, id, field, msg, fix string) {
	v.checked[id] = true
	v.out = append(v.out, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: v.b.Source(id)})
}

func (v *validator) run() {
	ids := make([]string, 0, len(v.res))
	for id := range v.res {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r, _ := v.res[id].(map[string]any)
		typ, _ := r["Type"].(string)
		props, _ := r["Properties"].(map[string]any)
		path := "Resources." + id + ".Properties"
		switch typ {
		case typeESM:
			v.unknownProps(path, props, "cfn.lambda_esm.properties")
			cfg, rename := cfnToAPI(esmConfig(props), v.bootstrapKey())
			v.mapping(path, typ, cfg, props["FunctionName"], rename, "")
		case typeSAMFunction:
			v.samFunction(id, props)
		case typeMSK:
			v.unknownProps(path, props, "cfn.msk_cluster.properties")
			v.stream(path, typ, streamcfg.ValidateMSKCluster(orEmpty(props), v.b), streamcfg.MSKClusterRuleIDs())
		case typeKinesis:
			v.unknownProps(path, props, "cfn.kinesis_stream.properties")
			v.stream(path, typ, streamcfg.ValidateKinesisStream(orEmpty(props), v.b), streamcfg.KinesisStreamRuleIDs())
		default:
			if !v.other(id, typ, orEmpty(props)) {
				v.notChecked(id, typ)
			}
		}
	}
	const ncID = "cfn.resource.not_checked"
	v.checked[ncID] = true
	if len(v.done) == 0 && len(v.res) > 0 {
		v.report(rules.Warning, ncID, "Resources", "no resource in this template is one the validator checks (mappings, SAM functions, MSK clusters, configurations and Serverless clusters, Kinesis streams): nothing was validated, so this is not a clean result",
			"validate the parts stream-mcp covers, or use cfn-lint for the rest")
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (v *validator) stream(path, typ string, vs []rules.Violation, ids []string) {
	v.done = append(v.done, Checked{Path: strings.TrimSuffix(path, ".Properties"), Type: typ})
	for _, id := range ids {
		v.checked[id] = true
	}
	for _, x := range vs {
		x.Field = path + "." + x.Field
		v.out = append(v.out, x)
	}
}

func (v *validator) unknownProps(path string, props map[string]any, id string) {
	v.checked[id] = true
	known := v.b.Strings(id)
	for _, k := range sortedKeys(props) {
		if !slices.Contains(known, k) {
			v.report(rules.Error, id, path+"."+k, fmt.Sprintf("%s is not a property of this resource type; the stack fails to create", k),
				"remove "+k+" or correct its spelling")
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// samMapping validates a SAM function event as a mapping.
func (v *validator) samMapping(path, typ string, cfg esm.Config, function any, rename map[string]string, hint esm.SourceType) {
	v.mapping(path, typ, cfg, function, rename, hint)
}

// mapping validates one event source mapping (a resource or a SAM event).
// rename maps API field paths back to the template's property names; hint
// is the source type a SAM event type implies, used when the ARN does not
// tell.
func (v *validator) mapping(path, typ string, cfg esm.Config, function any, rename map[string]string, hint esm.SourceType) {
	base := strings.TrimSuffix(path, ".Properties")
	fieldOf := func(apiField string) string {
		for api, prop := range rename {
			if apiField == api || strings.HasPrefix(apiField, api+".") || strings.HasPrefix(apiField, api+"[") {
				return path + "." + prop + strings.TrimPrefix(apiField, api)
			}
		}
		if strings.HasPrefix(apiField, "context.") {
			return base
		}
		return path + "." + apiField
	}
	v.resolveDestination(cfg)
	src, ok := v.sourceOf(cfg)
	if !ok && hint != "" {
		src, ok = hint, true
	}
	if !ok {
		v.done = append(v.done, Checked{Path: base, Type: typ})
		v.report(rules.Info, "cfn.esm.source_unknown", fieldOf("EventSourceArn"),
			"the event source type cannot be told from the template, so source-specific rules were skipped",
			"reference the source resource in this template (!GetAtt / !Ref), or validate with validate_config kind=esm and event_source")
		return
	}
	if unresolved := unresolvedFields(cfg, ""); len(unresolved) > 0 {
		names := make([]string, 0, len(unresolved))
		for _, u := range unresolved {
			if u.field == "FunctionName" || (u.field == "EventSourceArn" && ok) {
				continue // references to other resources are the normal case
			}
			names = append(names, fieldOf(u.field)[len(path)+1:]+" ("+u.expr+")")
		}
		if len(names) > 0 {
			v.report(rules.Info, "esm.fields.unresolved", path, "values set by intrinsic functions are not checked: "+strings.Join(names, ", "),
				"nothing to fix; validate the deployed mapping with esm_optimize action=validate to check them")
		}
	}
	v.done = append(v.done, Checked{Path: base, Type: typ, Source: string(src)})
	res, err := v.engine.Validate(cfg, esm.Options{Source: src, Context: v.context(cfg, src, function)})
	if err != nil {
		return // unreachable: the source is given
	}
	for _, id := range res.CheckedRules {
		v.checked[id] = true
	}
	for _, x := range res.Violations {
		if x.RuleID == "esm.fields.known" {
			continue // the template's own property check (cfn.*.properties) already reported it
		}
		x.Field = fieldOf(x.Field)
		v.out = append(v.out, x)
	}
}

type unresolvedField struct{ field, expr string }

func unresolvedFields(m map[string]any, prefix string) []unresolvedField {
	var out []unresolvedField
	for _, k := range sortedKeys(m) {
		switch x := m[k].(type) {
		case esm.Unresolved:
			out = append(out, unresolvedField{prefix + k, x.Expr})
		case map[string]any:
			out = append(out, unresolvedFields(x, prefix+k+".")...)
		}
	}
	return out
}

// esmConfig turns template properties into an esm.Config: intrinsic values
// become esm.Unresolved (kept in the original under "raw" resolution).
func esmConfig(props map[string]any) esm.Config {
	cfg := esm.Config{}
	for k, val := range props {
		cfg[k] = toESMValue(val)
	}
	return cfg
}

func toESMValue(val any) any {
	if _, _, ok := intrinsic(val); ok {
		return esm.Unresolved{Expr: render(val)}
	}
	switch x := val.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toESMValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toESMValue(e)
		}
		return out
	}
	return val
}

// sourceOf decides the source type: from a literal ARN, from the resource a
// !Ref / !GetAtt points at, from a !Sub ARN pattern, or from
// SelfManagedEventSource.
func (v *validator) sourceOf(cfg esm.Config) (esm.SourceType, bool) {
	if s, err := esm.DetectSource(cfg); err == nil {
		return s, true
	}
	u, ok := cfg["EventSourceArn"].(esm.Unresolved)
	if !ok {
		return "", false
	}
	return v.sourceOfExpr(u.Expr)
}

func (v *validator) sourceOfExpr(expr string) (esm.SourceType, bool) {
	kind, arg, _ := strings.Cut(expr, " ")
	switch kind {
	case "!Ref", "!GetAtt":
		name, _, _ := strings.Cut(arg, ".")
		r, _ := v.res[name].(map[string]any)
		typ, _ := r["Type"].(string)
		props, _ := r["Properties"].(map[string]any)
		return sourceOfType(typ, props)
	case "!Sub":
		return esm.SourceFromARN(placeholder(arg))
	}
	return "", false
}

// placeholder replaces ${...} variables so the ARN shape can be read.
func placeholder(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i:], "}")
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString("x")
		s = s[i+j+1:]
	}
}

func sourceOfType(typ string, props map[string]any) (esm.SourceType, bool) {
	switch typ {
	case typeKinesis, "AWS::Kinesis::StreamConsumer":
		return esm.Kinesis, true
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
		return esm.DynamoDB, true
	case typeQueue:
		if literalTrue(props["FifoQueue"]) {
			return esm.SQSFIFO, true
		}
		if name, _ := props["QueueName"].(string); strings.HasSuffix(name, ".fifo") {
			return esm.SQSFIFO, true
		}
		return esm.SQS, true
	case typeMSK, "AWS::MSK::ServerlessCluster":
		return esm.MSK, true
	case "AWS::AmazonMQ::Broker":
		return esm.MQ, true
	case "AWS::DocDB::DBCluster":
		return esm.DocumentDB, true
	}
	return "", false
}

// literalTrue reports whether a template value is true, written as a YAML
// boolean or as the string "true" (CloudFormation accepts both).
func literalTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return err == nil && b
	}
	return false
}

// context gathers what the template says about the function and source.
func (v *validator) context(cfg esm.Config, src esm.SourceType, function any) esm.Context {
	var ctx esm.Context
	if fn := v.resourceOf(function); fn != nil {
		ctx.FunctionTimeoutSeconds = v.functionTimeout(fn)
	}
	u, _ := cfg["EventSourceArn"].(esm.Unresolved)
	kind, arg, _ := strings.Cut(u.Expr, " ")
	if kind != "!Ref" && kind != "!GetAtt" {
		return ctx
	}
	name, _, _ := strings.Cut(arg, ".")
	r, _ := v.res[name].(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	switch {
	case src.IsSQS():
		ctx.QueueVisibilityTimeoutSeconds = v.b.Num("cfn.sqs_queue.visibility_timeout.default_seconds")
		if f, ok := rules.Number(props["VisibilityTimeout"]); ok {
			ctx.QueueVisibilityTimeoutSeconds = f
		} else if _, set := props["VisibilityTimeout"]; set {
			ctx.QueueVisibilityTimeoutSeconds = 0 // intrinsic: unknown
		}
	case src == esm.Kinesis:
		if f, ok := rules.Number(props["ShardCount"]); ok {
			ctx.Shards = int(f)
		}
	}
	return ctx
}

// resourceOf resolves a FunctionName value (!Ref Fn, !GetAtt Fn.Arn, or the
// SAM function itself) to the function resource in this template.
func (v *validator) resourceOf(function any) map[string]any {
	if m, ok := function.(map[string]any); ok {
		if _, _, isIntr := intrinsic(m); !isIntr {
			return m
		}
		name, arg, _ := intrinsic(m)
		var target string
		switch a := arg.(type) {
		case string:
			target, _, _ = strings.Cut(a, ".")
		case []any:
			if len(a) > 0 {
				target, _ = a[0].(string)
			}
		}
		if name != "Ref" && name != "Fn::GetAtt" {
			return nil
		}
		r, _ := v.res[target].(map[string]any)
		if typ, _ := r["Type"].(string); typ == typeFunction || typ == typeSAMFunction {
			return r
		}
	}
	return nil
}

func (v *validator) functionTimeout(fn map[string]any) float64 {
	props, _ := fn["Properties"].(map[string]any)
	if t, set := props["Timeout"]; set {
		f, _ := rules.Number(t) // an intrinsic gives 0: unknown
		return f
	}
	if typ, _ := fn["Type"].(string); typ == typeSAMFunction {
		if g, ok := v.tpl["Globals"].(map[string]any); ok {
			if gf, ok := g["Function"].(map[string]any); ok {
				if t, set := gf["Timeout"]; set {
					f, _ := rules.Number(t)
					return f
				}
			}
		}
	}
	return v.b.Num("cfn.lambda_function.timeout.default_seconds")
}

// resolveDestination replaces an on-failure destination that references a
// queue, topic or bucket in this template with a stand-in ARN of the same
// service and name shape, so the destination rules (supported service, no
// FIFO) run on templates too.
func (v *validator) resolveDestination(cfg esm.Config) {
	dc, ok := cfg["DestinationConfig"].(map[string]any)
	if !ok {
		return
	}
	of, ok := dc["OnFailure"].(map[string]any)
	if !ok {
		return
	}
	u, ok := of["Destination"].(esm.Unresolved)
	if !ok {
		return
	}
	kind, arg, _ := strings.Cut(u.Expr, " ")
	if kind != "!Ref" && kind != "!GetAtt" {
		return
	}
	name, _, _ := strings.Cut(arg, ".")
	r, _ := v.res[name].(map[string]any)
	typ, _ := r["Type"].(string)
	props, _ := r["Properties"].(map[string]any)
	const stand = "arn:aws:%s:us-east-1:123456789012:%s"
	switch typ {
	case typeQueue:
		if src, _ := sourceOfType(typ, props); src == esm.SQSFIFO {
			name += ".fifo"
		}
		of["Destination"] = fmt.Sprintf(stand, "sqs", name)
	case "AWS::SNS::Topic":
		if literalTrue(props["FifoTopic"]) {
			name += ".fifo"
		}
		of["Destination"] = fmt.Sprintf(stand, "sns", name)
	case "AWS::S3::Bucket":
		of["Destination"] = "arn:aws:s3:::" + strings.ToLower(name)
	}
}

// cfnToAPI translates the one place where AWS::Lambda::EventSourceMapping
// and the Lambda API spell a field differently: CloudFormation's
// SelfManagedEventSource.Endpoints.KafkaBootstrapServers is the API's
// KAFKA_BOOTSTRAP_SERVERS map key. It returns the renames for field paths.
func cfnToAPI(cfg esm.Config, apiBootstrapKey string) (esm.Config, map[string]string) {
	sme, ok := cfg["SelfManagedEventSource"].(map[string]any)
	if !ok {
		return cfg, nil
	}
	ep, ok := sme["Endpoints"].(map[string]any)
	if !ok {
		return cfg, nil
	}
	servers, ok := ep[cfnBootstrapKey]
	if !ok {
		return cfg, nil
	}
	delete(ep, cfnBootstrapKey)
	ep[apiBootstrapKey] = servers
	return cfg, map[string]string{
		"SelfManagedEventSource.Endpoints." + apiBootstrapKey: "SelfManagedEventSource.Endpoints." + cfnBootstrapKey,
	}
}

// cfnBootstrapKey is CloudFormation's spelling of the bootstrap-server list.
const cfnBootstrapKey = "KafkaBootstrapServers"

// bootstrapKey is the Lambda API's key of the bootstrap-server list
// (KAFKA_BOOTSTRAP_SERVERS), read from the table the ESM rules check it with.
func (v *validator) bootstrapKey() string {
	l, _ := v.b.Lookup("esm.self_managed.endpoints.key")
	s, _ := l.Value.(string)
	return s
}
