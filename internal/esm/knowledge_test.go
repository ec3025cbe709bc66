package esm

import (
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/limitcheck"
)

// TestNoHardCodedLimits fails when a rule types a number instead of reading
// it from the guidance table.
func TestNoHardCodedLimits(t *testing.T) {
	t.Parallel()
	limitcheck.NoLiterals(t, ".")
}

// TestEveryIDResolves fails when the code names a guidance id the tables do
// not hold, and when a rule id the code can report has no failing example in
// ruleCases.
func TestEveryIDResolves(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	ids, err := limitcheck.IDLiterals(".", "esm.", "lambda.")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no ids found; the scan is broken")
	}
	failing := map[string]bool{}
	passing := map[string]bool{}
	for _, tc := range ruleCases() {
		if tc.fail {
			failing[tc.rule] = true
		} else {
			passing[tc.rule] = true
		}
	}
	// Facts the rules read as inputs (defaults, thresholds, prefixes,
	// companions of a reported id) rather than report under their own id.
	dataOnly := map[string]bool{
		"esm.batch_size.default.other": true, "esm.batch_size.default.sqs": true,
		"esm.sqs.batch_size.window_threshold": true, "esm.maximum_retry_attempts.infinite": true,
		"esm.maximum_record_age.infinite": true, "esm.kafka.destination_topic.prefix": true,
		"esm.fields.read_only": true, "lambda.invoke.sync_payload.max_bytes": true,
		"lambda.account.concurrency.default": true, "esm.self_managed.endpoints.min": true,
		"esm.source.arn_mismatch": true, // failing example in TestArnMismatch
	}
	for _, id := range ids {
		if _, ok := b.Lookup(id); !ok {
			t.Errorf("code names %q, which is not in guidance/limits", id)
			continue
		}
		if !dataOnly[id] && !failing[id] {
			t.Errorf("rule %s has no failing example in ruleCases", id)
		}
	}
	// Rules generated from the tables (applicability and required fields)
	// need examples too.
	for _, l := range b.All() {
		if strings.HasPrefix(l.ID, "esm.fields.applicable.") || strings.HasPrefix(l.ID, "esm.fields.required.") {
			if l.ID == "esm.fields.required.SelfManagedEventSource" {
				continue // without it the source is undetectable: TestValidateUnknownSource
			}
			if !failing[l.ID] {
				t.Errorf("table rule %s has no failing example", l.ID)
			}
		}
	}
	if len(passing) == 0 {
		t.Fatal("no passing examples")
	}
}

// TestNoDeadFacts fails when esm.yaml holds an entry no rule reads, so the
// table cannot drift away from the engine.
func TestNoDeadFacts(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	ids, err := limitcheck.IDLiterals(".", "esm.")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, id := range ids {
		used[id] = true
	}
	// Read by other packages (template validation).
	used["esm.fields.unresolved"] = true
	// esm.update.* lives in esm_update.yaml and belongs to internal/writes.
	for _, l := range b.All() {
		if !strings.HasPrefix(l.ID, "esm.") || strings.HasPrefix(l.ID, "esm.update.") || used[l.ID] ||
			strings.HasPrefix(l.ID, "esm.fields.applicable.") || strings.HasPrefix(l.ID, "esm.fields.required.") || strings.HasPrefix(l.ID, "esm.fields.known.") ||
			strings.HasPrefix(l.ID, "esm.source_access.types.") || strings.HasPrefix(l.ID, "esm.starting_position.values.") {
			continue
		}
		t.Errorf("guidance entry %s is read by no rule", l.ID)
	}
}

// TestNestedFieldTables gives every nested known-field table a failing
// example (a bogus key under the parent) and a passing one (the base
// configuration, whose nested fields are all spelt right).
func TestNestedFieldTables(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	sourceFor := func(parent string) SourceType {
		switch {
		case strings.HasPrefix(parent, "ScalingConfig"), strings.HasPrefix(parent, "FilterCriteria"):
			return SQS
		case strings.HasPrefix(parent, "SelfManaged"), strings.HasPrefix(parent, "SourceAccess"):
			return SelfManagedKafka
		case strings.HasPrefix(parent, "DocumentDB"):
			return DocumentDB
		}
		return MSK
	}
	n := 0
	for _, l := range b.All() {
		parent, ok := strings.CutPrefix(l.ID, "esm.fields.known.")
		if !ok {
			continue
		}
		n++
		t.Run(parent, func(t *testing.T) {
			t.Parallel()
			src := sourceFor(parent)
			cfg := cfgOf(t, src, "")
			list := strings.HasSuffix(parent, "[]")
			path := strings.TrimSuffix(parent, "[]")
			// Build the parent with one valid field and one bogus one.
			obj := map[string]any{"Bogus": 1.0}
			var val any = obj
			if list {
				val = []any{obj}
			}
			patch := cfgOf(t, src, "")
			parts := strings.Split(path, ".")
			m := map[string]any(patch)
			for _, p := range parts[:len(parts)-1] {
				next, ok := m[p].(map[string]any)
				if !ok {
					next = map[string]any{}
					m[p] = next
				}
				m = next
			}
			m[parts[len(parts)-1]] = val
			field := path + ".Bogus"
			if list {
				field = path + "[0].Bogus"
			}
			res, err := Validate(patch, Options{Context: Context{Now: fixedNow}}, b)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, v := range res.Violations {
				if v.RuleID == l.ID && v.Field == field && strings.Contains(v.Fix, "remove Bogus") && v.Reference != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s violation at %s: %+v", l.ID, field, res.Violations)
			}
			clean, err := Validate(cfg, Options{Context: Context{Now: fixedNow}}, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range clean.Violations {
				if v.RuleID == l.ID {
					t.Errorf("passing example flagged: %+v", v)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no nested field tables")
	}
}

// TestEveryRuleHasAPassingExample: each rule with a failing example is also
// evaluated without firing, either on a clean base configuration (where it
// is in CheckedRules and reports nothing) or in a passing ruleCase.
func TestEveryRuleHasAPassingExample(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	passed := map[string]bool{}
	for _, src := range SourceTypes() {
		res, err := Validate(cfgOf(t, src, ""), Options{Context: Context{Now: fixedNow}}, b)
		if err != nil {
			t.Fatal(err)
		}
		fired := map[string]bool{}
		for _, v := range res.Violations {
			fired[v.RuleID] = true
		}
		for _, id := range res.CheckedRules {
			if !fired[id] {
				passed[id] = true
			}
		}
	}
	for _, tc := range ruleCases() {
		if tc.fail || tc.rule == "" {
			continue
		}
		passed[tc.rule] = true
		// Everything else a passing example evaluates without firing counts too.
		ctx := tc.ctx
		ctx.Now = fixedNow
		res, err := Validate(cfgOf(t, tc.src, tc.patch), Options{Context: ctx}, b)
		if err != nil {
			t.Fatal(err)
		}
		fired := map[string]bool{}
		for _, v := range res.Violations {
			fired[v.RuleID] = true
		}
		for _, id := range res.CheckedRules {
			if !fired[id] {
				passed[id] = true
			}
		}
	}
	for _, tc := range ruleCases() {
		if tc.fail && !passed[tc.rule] {
			t.Errorf("rule %s has a failing example but no passing one", tc.rule)
		}
	}
}
