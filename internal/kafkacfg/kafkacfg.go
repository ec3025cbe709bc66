// Package kafkacfg judges Apache Kafka client-side configuration: topic
// configs (with the replication factor and partition count), producer
// configs and consumer configs, each on its own and against the others when
// the caller supplies them as context (producer acks against the topic's
// min.insync.replicas, consumer fetch sizes against max.message.bytes, ...).
//
// Configs use Kafka's own dotted property names with string or numeric
// values, as in a .properties file or the output of kafka-configs
// --describe. Every threshold and allowed value comes from the guidance base
// (guidance/limits/kafka_client.yaml, plus msk.yaml for MSK-specific
// recommendations); a violation's rule id is the guidance id it enforces.
package kafkacfg

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Config is a set of Kafka properties. Values may be strings ("all",
// "1048576"), numbers or booleans.
type Config map[string]any

// Result is the outcome of one validation.
type Result struct {
	Violations   []rules.Violation `json:"violations"`
	CheckedRules []string          `json:"checked_rules"`
}

// Valid reports whether no violation is an error.
func (r Result) Valid() bool { return !rules.HasErrors(r.Violations) }

type checker struct {
	cfg     Config
	b       *guidance.Base
	vs      []rules.Violation
	checked map[string]bool
}

func newChecker(cfg Config, b *guidance.Base) *checker {
	return &checker{cfg: cfg, b: b, checked: map[string]bool{}}
}

func (c *checker) result() Result {
	rules.Sort(c.vs)
	ids := make([]string, 0, len(c.checked))
	for id := range c.checked {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if c.vs == nil {
		c.vs = []rules.Violation{}
	}
	return Result{Violations: c.vs, CheckedRules: ids}
}

func (c *checker) mark(id string) { c.checked[id] = true }

// report records a violation once: rules that share a property (linger.ms,
// partitions, remote.storage.enable) each read it, and a value of the wrong
// type must be reported once, as num and boolean promise.
func (c *checker) report(sev rules.Severity, id, field, msg, fix string) {
	c.mark(id)
	for _, v := range c.vs {
		if v.RuleID == id && v.Field == field && v.Message == msg {
			return
		}
	}
	c.vs = append(c.vs, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: c.b.Source(id)})
}

func (c *checker) str(id string) string {
	l, _ := c.b.Lookup(id)
	s, ok := l.Value.(string)
	if !ok {
		panic(fmt.Sprintf("kafkacfg: guidance %q is %T, not a string", id, l.Value))
	}
	return s
}

// get returns a property as a trimmed string.
func (c *checker) get(key string) (string, bool) {
	v, ok := c.cfg[key]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return fmt.Sprint(v), true
}

// num returns a numeric property; a non-number is reported once.
func (c *checker) num(key string) (float64, bool) {
	s, ok := c.get(key)
	if !ok {
		return 0, false
	}
	c.mark("kafka.config.type")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		c.report(rules.Error, "kafka.config.type", key, fmt.Sprintf("%s is %q, not a number", key, s), "set "+key+" to a number")
		return 0, false
	}
	return f, true
}

// numOr returns the property or the default from the guidance id.
func (c *checker) numOr(key, defID string) float64 {
	if f, ok := c.num(key); ok {
		return f
	}
	return c.b.Num(defID)
}

func (c *checker) boolean(key string) (bool, bool) {
	s, ok := c.get(key)
	if !ok {
		return false, false
	}
	c.mark("kafka.config.type")
	v, err := strconv.ParseBool(s)
	if err != nil {
		c.report(rules.Error, "kafka.config.type", key, fmt.Sprintf("%s is %q, not true or false", key, s), "set "+key+" to true or false")
		return false, false
	}
	return v, true
}

func (c *checker) enum(key, id string) (string, bool) {
	c.mark(id)
	s, ok := c.get(key)
	if !ok {
		return "", false
	}
	allowed := c.b.Strings(id)
	if !slices.Contains(allowed, strings.ToLower(s)) {
		c.report(rules.Error, id, key, fmt.Sprintf("%s %q is not one of %s", key, s, strings.Join(allowed, ", ")), "set "+key+" to one of "+strings.Join(allowed, ", "))
		return "", false
	}
	return strings.ToLower(s), true
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
