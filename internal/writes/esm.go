package writes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// ESMReadAPI reads one event source mapping (lambda:GetEventSourceMapping).
type ESMReadAPI interface {
	GetEventSourceMapping(ctx context.Context, in *lambda.GetEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error)
}

// ESMWriteAPI is the one mutating Lambda call esm_apply makes
// (lambda:UpdateEventSourceMapping). It is kept apart from the readers
// (STYLE.md rule 18).
type ESMWriteAPI interface {
	UpdateEventSourceMapping(ctx context.Context, in *lambda.UpdateEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error)
}

// ESMState is a mapping read back after an update.
type ESMState struct {
	ESMUUID               string         `json:"esm_uuid" jsonschema_description:"the mapping's UUID"`
	State                 string         `json:"state" jsonschema_description:"Lambda's state: Enabling, Updating and Disabling settle within seconds to minutes; esm_inspect shows the settled state"`
	StateTransitionReason string         `json:"state_transition_reason,omitempty" jsonschema_description:"why the state last changed"`
	LastModified          string         `json:"last_modified,omitempty" jsonschema_description:"RFC 3339 time of the last change"`
	Config                map[string]any `json:"config" jsonschema_description:"the configurable fields as Lambda now reports them (Lambda API names)"`
}

// ESMUpdate changes one mapping: the configuration fields named in Config
// (Lambda API names; fields equal to the live value are left out) and, when
// Enabled is set, whether it polls.
type ESMUpdate struct {
	UUID    string
	Config  map[string]any
	Enabled *bool
	// Context, when set, gathers facts the rules need beyond the mapping
	// (function timeout, queue visibility timeout) from the live mapping.
	// Facts it cannot read stay zero, which switches the dependent rules
	// off; it names each such gap ("queue visibility timeout
	// (SQS:GetQueueAttributes: AccessDenied): ...") in unknown.
	Context func(ctx context.Context, live esm.Config) (rc esm.Context, unknown []string)
	// AcceptUnknown plans even when a risk check could not run for lack of
	// evidence; the plan lists the gaps. Without it such a plan is refused
	// (no token is issued for a change nobody could check).
	AcceptUnknown bool

	// update is the request the last Plan built; Apply sends exactly it.
	update *lambda.UpdateEventSourceMappingInput
}

// configFields are the configuration members of a mapping: those
// CreateEventSourceMapping accepts. Anything else in a Get answer (UUID,
// State, LastProcessingResult, ...) is output only.
func configFields() map[string]bool {
	return structFields(reflect.TypeFor[lambda.CreateEventSourceMappingInput]())
}

// updatableFields are the members UpdateEventSourceMapping accepts.
func updatableFields() map[string]bool {
	f := structFields(reflect.TypeFor[lambda.UpdateEventSourceMappingInput]())
	delete(f, "UUID")
	return f
}

func structFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			out[f.Name] = true
		}
	}
	return out
}

// liveConfig turns a Get answer into a Config keyed by Lambda API names,
// with only configuration fields (FunctionArn becomes FunctionName).
func liveConfig(out *lambda.GetEventSourceMappingOutput) (esm.Config, error) {
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode mapping: %w", err)
	}
	var all map[string]any
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, fmt.Errorf("decode mapping: %w", err)
	}
	cfg := esm.Config{}
	keep := configFields()
	for k, v := range all {
		if keep[k] && v != nil && k != "Enabled" {
			cfg[k] = pruneNulls(v)
		}
	}
	if fa, ok := all["FunctionArn"].(string); ok && fa != "" {
		cfg["FunctionName"] = fa
	}
	return cfg, nil
}

// pruneNulls drops null members of nested objects: the SDK encodes unset
// optional members as null, which Lambda means as absent.
func pruneNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = pruneNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = pruneNulls(e)
		}
		return out
	}
	return v
}

// normalize passes v through JSON so that values from the caller (ints) and
// from Lambda (float64 after decoding) compare equal.
func normalize(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(raw, &out) != nil {
		return v
	}
	return out
}

// PlanESMUpdate reads the mapping, refuses create-only changes (with how to
// recreate instead) and mappings in a transitional state, runs the rule
// engine on the resulting full configuration and refuses on any error, then
// lists current vs desired values. Rule-engine warnings become risks. The
// fingerprint is the mapping's state, LastModified and live configuration.
func (u *ESMUpdate) Plan(ctx context.Context, r ESMReadAPI, b *guidance.Base) (confirm.Plan, string, error) {
	if len(u.Config) == 0 && u.Enabled == nil {
		return confirm.Plan{}, "", confirm.Refuse("nothing to change: send config (fields in Lambda API names, e.g. {\"BatchSize\": 500}) and/or enabled")
	}
	gctx, cancel := withTimeout(ctx)
	defer cancel()
	cur, err := r.GetEventSourceMapping(gctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(u.UUID)})
	if err != nil {
		i := errmap.Classify(err)
		if i.Kind == errmap.KindNotFound {
			return confirm.Plan{}, "", confirm.Refuse("event source mapping %q not found; call esm_inspect (by function_name or event_source_arn) for the UUIDs", u.UUID)
		}
		if i.Kind == errmap.KindAccessDenied {
			return confirm.Plan{}, "", confirm.Refuse("%s", i.Reason())
		}
		return confirm.Plan{}, "", errors.New(i.Reason())
	}
	live, err := liveConfig(cur)
	if err != nil {
		return confirm.Plan{}, "", err
	}
	state := aws.ToString(cur.State)

	// Field names are matched exactly as the Lambda API spells them, at
	// every depth: Go's JSON decoder folds case, so {"consumerGroupId":
	// "evil"} inside AmazonManagedKafkaEventSourceConfig once passed the
	// create-only check (which looks for ConsumerGroupId) and reached the
	// request as ConsumerGroupId while the plan showed the group unchanged.
	if err := exactFields(u.Config, reflect.TypeFor[lambda.CreateEventSourceMappingInput](), "config"); err != nil {
		return confirm.Plan{}, "", confirm.Refuse("%v", err)
	}

	// Create-only fields: refused unless the request repeats the live value
	// (a full recommended config from esm_optimize carries them unchanged).
	createOnly := b.Strings("esm.update.create_only_fields")
	updatable := updatableFields()
	var refused []string
	for _, k := range slices.Sorted(maps.Keys(u.Config)) {
		v := u.Config[k]
		if slices.Contains(createOnly, k) {
			if !reflect.DeepEqual(normalize(v), normalize(live[k])) {
				refused = append(refused, k)
			}
			continue
		}
		if k == "Enabled" {
			return confirm.Plan{}, "", confirm.Refuse("send Enabled as the enabled argument, not inside config")
		}
		if !updatable[k] {
			return confirm.Plan{}, "", confirm.Refuse("config field %q is not an event source mapping setting UpdateEventSourceMapping knows (Lambda API names, e.g. BatchSize, MaximumBatchingWindowInSeconds, ScalingConfig)", k)
		}
		if m, ok := v.(map[string]any); ok {
			for _, co := range createOnly {
				parent, child, nested := strings.Cut(co, ".")
				if nested && parent == k {
					lv, _ := live[k].(map[string]any)
					if nv, set := m[child]; set && !reflect.DeepEqual(normalize(nv), normalize(lv[child])) {
						refused = append(refused, co)
					}
				}
			}
		}
	}
	if len(refused) > 0 {
		return confirm.Plan{}, "", confirm.Refuse("%s cannot be changed on an existing mapping (UpdateEventSourceMapping does not accept it). To change it, create a new mapping with the new value (esm_guidance generates the template), wait until it is Enabled and processing, then delete this one (%s); for Kafka, a new ConsumerGroupId starts from the new mapping's StartingPosition, and for streams records are read again from its StartingPosition. Tags change through lambda:TagResource instead",
			strings.Join(refused, ", "), u.UUID)
	}
	if !slices.Contains(b.Strings("esm.update.stable_states"), state) {
		return confirm.Plan{}, "", confirm.Refuse("mapping %s is %s; Lambda refuses updates until it is %s (ResourceInUseException). Check again with esm_inspect in a minute", u.UUID, state, strings.Join(b.Strings("esm.update.stable_states"), " or "))
	}

	// The full desired configuration goes through the rule engine.
	desired := esm.Config{}
	for k, v := range live {
		desired[k] = v
	}
	var changes []confirm.Change
	upd := &lambda.UpdateEventSourceMappingInput{UUID: aws.String(u.UUID)}
	body := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(u.Config)) {
		if slices.Contains(createOnly, k) {
			continue
		}
		nv := normalize(u.Config[k])
		if m, ok := nv.(map[string]any); ok {
			// Nested objects merge into the live object, as Lambda
			// does for the members it is sent.
			merged := map[string]any{}
			if lm, ok := live[k].(map[string]any); ok {
				for kk, vv := range lm {
					merged[kk] = vv
				}
			}
			for kk, vv := range m {
				merged[kk] = vv
			}
			nv = merged
		}
		if reflect.DeepEqual(nv, normalize(live[k])) {
			continue
		}
		desired[k] = nv
		body[k] = u.Config[k]
		changes = append(changes, confirm.Change{Field: k, Current: live[k], Desired: nv})
	}
	liveEnabled := state == "Enabled"
	if u.Enabled != nil && *u.Enabled != liveEnabled {
		body["Enabled"] = *u.Enabled
		changes = append(changes, confirm.Change{Field: "Enabled", Current: liveEnabled, Desired: *u.Enabled, Note: "state " + state})
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("encode update: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(upd); err != nil {
		return confirm.Plan{}, "", confirm.Refuse("config does not fit UpdateEventSourceMapping: %v; send values of the types the Lambda API uses", err)
	}
	upd.UUID = aws.String(u.UUID)
	// The request must say nothing the plan does not show.
	if err := requestMatchesPlan(upd, changes); err != nil {
		return confirm.Plan{}, "", err
	}

	var rc esm.Context
	var unknown []string
	if u.Context != nil {
		rc, unknown = u.Context(ctx, live)
	}
	if len(unknown) > 0 && !u.AcceptUnknown {
		return confirm.Plan{}, "", confirm.Refuse("no plan was made: risk checks could not run because evidence could not be read:\n- %s\nGrant the read permission named (or fix the access), or call again with accept_unknown_risks: true to plan without these checks (the plan then lists them as not checked)", strings.Join(unknown, "\n- "))
	}
	eng := esm.NewEngine(b)
	res, err := eng.Validate(desired, esm.Options{Context: rc})
	if err != nil {
		return confirm.Plan{}, "", confirm.Refuse("cannot check the configuration: %v", err)
	}
	// Errors the live mapping already has are not this change's doing:
	// refusing them would block even disabling a broken mapping. They are
	// shown as risks; only errors the change introduces refuse it.
	before := map[string]bool{}
	if lres, lerr := eng.Validate(live, esm.Options{Context: rc}); lerr == nil {
		for _, v := range lres.Violations {
			if v.Severity == rules.Error {
				before[v.RuleID+"|"+v.Field] = true
			}
		}
	}
	var errs, warns []string
	for _, v := range res.Violations {
		switch {
		case v.Severity == rules.Error && before[v.RuleID+"|"+v.Field]:
			warns = append(warns, fmt.Sprintf("the live mapping already breaks a rule, and Lambda may refuse updates until it is fixed: %s: %s (fix: %s; rule %s)", v.Field, v.Message, v.Fix, v.RuleID))
		case v.Severity == rules.Error:
			errs = append(errs, fmt.Sprintf("%s: %s (fix: %s; rule %s)", v.Field, v.Message, v.Fix, v.RuleID))
		case v.Severity == rules.Warning:
			warns = append(warns, fmt.Sprintf("%s: %s (rule %s)", v.Field, v.Message, v.RuleID))
		}
	}
	if len(errs) > 0 {
		return confirm.Plan{}, "", confirm.Refuse("the resulting configuration fails the rule engine, so no plan was made:\n- %s\nFix these and call again (esm_optimize action=validate checks a config without changing anything)", strings.Join(errs, "\n- "))
	}

	p := confirm.Plan{
		Target:    aws.ToString(cur.EventSourceMappingArn),
		Changes:   changes,
		Risks:     warns,
		Unknown:   unknown,
		Untouched: []string{"fields not named in config keep their live values", "the function, its code and concurrency", "the event source itself and its consumer position"},
	}
	if p.Target == "" {
		p.Target = u.UUID
	}
	if p.Changes == nil {
		p.Changes = []confirm.Change{}
	}
	p.NoChange = len(changes) == 0
	p.Summary = fmt.Sprintf("update event source mapping %s (%s, %s): %d field(s)", u.UUID, res.Source, state, len(changes))
	if u.Enabled != nil && !*u.Enabled && liveEnabled {
		p.Risks = append(p.Risks, disableRisk(res.Source))
	}
	if u.Enabled != nil && *u.Enabled && !liveEnabled {
		p.Risks = append(p.Risks, "enabling resumes polling from the mapping's last checkpoint: the backlog built up while it was disabled is processed first, at up to the mapping's concurrency")
	}
	u.update = upd
	fp, err := json.Marshal(map[string]any{"state": state, "last_modified": aws.ToTime(cur.LastModified).UTC(), "config": live})
	if err != nil {
		return confirm.Plan{}, "", fmt.Errorf("fingerprint: %w", err)
	}
	return p, string(fp), nil
}

func disableRisk(src esm.SourceType) string {
	switch {
	case src.IsStream():
		return "disabling stops polling: records pile up in the stream, and records older than the stream's retention expire unprocessed if it stays disabled that long"
	case src.IsKafka():
		return "disabling stops polling: consumer lag grows, and records older than the topic's retention are deleted unprocessed if it stays disabled that long"
	case src.IsSQS():
		return "disabling stops polling: messages stay in the queue and expire after its message retention period if it stays disabled that long"
	}
	return "disabling stops polling until the mapping is enabled again"
}

// Apply sends the update the last Plan built and reads the mapping back.
func (u *ESMUpdate) Apply(ctx context.Context, w ESMWriteAPI, r ESMReadAPI) (ESMState, error) {
	if u.update == nil {
		return ESMState{}, errors.New("esm_apply: no planned update (Plan must run first)")
	}
	actx, cancel := withTimeout(ctx)
	defer cancel()
	if _, err := w.UpdateEventSourceMapping(actx, u.update); err != nil {
		return ESMState{}, errors.New(errmap.Classify(err).Reason())
	}
	gctx, cancel2 := withTimeout(ctx)
	defer cancel2()
	cur, err := r.GetEventSourceMapping(gctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(u.UUID)})
	if err != nil {
		return ESMState{}, confirm.ReadBackFailed(errors.New(errmap.Classify(err).Reason()))
	}
	live, err := liveConfig(cur)
	if err != nil {
		return ESMState{}, confirm.ReadBackFailed(err)
	}
	st := ESMState{ESMUUID: u.UUID, State: aws.ToString(cur.State), StateTransitionReason: aws.ToString(cur.StateTransitionReason), Config: live}
	if cur.LastModified != nil {
		st.LastModified = cur.LastModified.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return st, nil
}

// exactFields checks that every member name in v is a field of t spelt
// exactly as the Lambda API (the SDK's struct) spells it, recursing into
// nested structures and lists of them. A near miss names the right spelling.
func exactFields(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // a type mismatch: the decoder below reports it
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			f, ok := t.FieldByName(k)
			if !ok || !f.IsExported() {
				for i := range t.NumField() {
					if g := t.Field(i); g.IsExported() && strings.EqualFold(g.Name, k) {
						return fmt.Errorf("%s.%s is spelt %s in the Lambda API; field names are matched exactly, send %s", path, k, g.Name, g.Name)
					}
				}
				if path == "config" {
					return fmt.Errorf("config field %q is not an event source mapping setting in the Lambda API (names as the API spells them, e.g. BatchSize, MaximumBatchingWindowInSeconds, ScalingConfig)", k)
				}
				return fmt.Errorf("%s.%s is not a field of %s in the Lambda API; remove it or correct its spelling", path, k, t.Name())
			}
			if err := exactFields(m[k], f.Type, path+"."+k); err != nil {
				return err
			}
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, e := range l {
			if err := exactFields(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// requestMatchesPlan re-reads the built request and refuses it if it
// carries a field, or a member of a nested field, whose value differs from
// what the plan shows as desired: the request is what the plan says, nothing
// else.
func requestMatchesPlan(upd *lambda.UpdateEventSourceMappingInput, changes []confirm.Change) error {
	raw, err := json.Marshal(upd)
	if err != nil {
		return fmt.Errorf("encode update: %w", err)
	}
	var sent map[string]any
	if err := json.Unmarshal(raw, &sent); err != nil {
		return fmt.Errorf("decode update: %w", err)
	}
	shown := map[string]any{}
	for _, c := range changes {
		shown[c.Field] = normalize(c.Desired)
	}
	for k, v := range sent {
		v = pruneNulls(v)
		if k == "UUID" || v == nil {
			continue
		}
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			continue
		}
		want, ok := shown[k]
		if !ok {
			return fmt.Errorf("internal check: the update would send %s, which the plan does not show; nothing was planned (please report this)", k)
		}
		if !subsetOf(v, want) {
			return fmt.Errorf("internal check: the update would send %s = %v, but the plan shows %v; nothing was planned (please report this)", k, v, want)
		}
	}
	return nil
}

// subsetOf reports whether every member sent is shown with the same value
// (a nested object in the plan is the merged whole; the request may carry
// only the members that change).
func subsetOf(sent, shown any) bool {
	sm, ok1 := sent.(map[string]any)
	wm, ok2 := shown.(map[string]any)
	if ok1 && ok2 {
		for k, v := range sm {
			if !subsetOf(v, wm[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(normalize(sent), normalize(shown))
}
