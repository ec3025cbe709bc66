// Package guidance owns the knowledge base: every AWS limit, default, allowed
// value and threshold the tools use, each stored once with the page it came
// from and the date it was verified, plus the Markdown guidance documents that
// the server also publishes as MCP resources.
//
// Limits live in limits/*.yaml (one file per domain); documents in docs/*.md.
// Code reads a number by its stable id through [Base]; it never types the
// number itself. Tests enforce both halves of that rule.
package guidance

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed limits/*.yaml docs/*.md
var files embed.FS

// Limit is one fact: a number, a list of allowed values or a flag, with its
// provenance.
type Limit struct {
	// ID is stable and dotted: "<domain>.<subject>.<aspect>", e.g.
	// "esm.sqs_fifo.batch_size.max".
	ID string `yaml:"id" json:"id"`
	// Value is a number (int or float), a string, a bool or a list of strings.
	Value any `yaml:"value" json:"value"`
	// Unit of a numeric value ("records", "seconds", "MiB/s", ...).
	Unit string `yaml:"unit,omitempty" json:"unit,omitempty"`
	// Summary says what the number means, in one line.
	Summary string `yaml:"summary" json:"summary"`
	// Source is the documentation or blog URL it came from.
	Source string `yaml:"source" json:"source"`
	// Verified is the date (YYYY-MM-DD) the source was last checked.
	Verified string `yaml:"verified" json:"verified"`
	// Note records caveats and conflicts between sources.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
	// ReferenceOnly, when set, says why no rule or calculator reads the
	// entry (it is published for readers only); every other entry must be
	// read by code (TestEveryEntryIsUsed).
	ReferenceOnly string `yaml:"reference_only,omitempty" json:"reference_only,omitempty"`
}

// Doc is one guidance document.
type Doc struct {
	Name  string // file name without extension, e.g. "index"
	Title string // the first Markdown heading
	Body  string
}

// Base is the loaded knowledge base. It is immutable after Load and safe for
// concurrent use.
type Base struct {
	limits map[string]Limit
	order  []string
	docs   []Doc
}

// Load parses the embedded limit tables and documents. It fails on a
// duplicate id, an entry without a source or verification date, or a value of
// an unsupported type, so a bad table never reaches a running server.
func Load() (*Base, error) {
	b := &Base{limits: map[string]Limit{}}
	paths, err := fs.Glob(files, "limits/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	// Parsing YAML is most of start-up time; the files are independent, so
	// they are parsed concurrently and merged in name order.
	parsed := make([][]Limit, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Go(func() {
			raw, err := files.ReadFile(p)
			if err == nil {
				err = yaml.Unmarshal(raw, &parsed[i])
			}
			if err != nil {
				errs[i] = fmt.Errorf("guidance: %s: %w", p, err)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, p := range paths {
		for _, e := range parsed[i] {
			if err := e.check(); err != nil {
				return nil, fmt.Errorf("guidance: %s: %w", p, err)
			}
			if _, dup := b.limits[e.ID]; dup {
				return nil, fmt.Errorf("guidance: %s: duplicate id %q", p, e.ID)
			}
			e.Value = normalize(e.Value)
			b.limits[e.ID] = e
			b.order = append(b.order, e.ID)
		}
	}
	sort.Strings(b.order)
	docs, err := fs.Glob(files, "docs/*.md")
	if err != nil {
		return nil, err
	}
	sort.Strings(docs)
	for _, p := range docs {
		raw, err := files.ReadFile(p)
		if err != nil {
			return nil, err
		}
		body := string(raw)
		b.docs = append(b.docs, Doc{
			Name:  strings.TrimSuffix(path.Base(p), ".md"),
			Title: firstHeading(body),
			Body:  body,
		})
	}
	return b, nil
}

func (l Limit) check() error {
	switch {
	case l.ID == "":
		return fmt.Errorf("entry without id (summary %q)", l.Summary)
	case l.Value == nil:
		return fmt.Errorf("%s: no value", l.ID)
	case l.Summary == "":
		return fmt.Errorf("%s: no summary", l.ID)
	case !strings.HasPrefix(l.Source, "https://") && !strings.HasPrefix(l.Source, "seed:"):
		return fmt.Errorf("%s: source %q is not an https URL (users see sources as references; cite the post's or page's URL, never an internal tag)", l.ID, l.Source)
	}
	if _, err := time.Parse(time.DateOnly, l.Verified); err != nil {
		return fmt.Errorf("%s: verified %q is not a YYYY-MM-DD date", l.ID, l.Verified)
	}
	if !scalar(l.Value) {
		list, ok := l.Value.([]any)
		if !ok {
			return fmt.Errorf("%s: value is %T; use a number, string, bool or list of them", l.ID, l.Value)
		}
		for _, e := range list {
			if !scalar(e) {
				return fmt.Errorf("%s: list item %v is %T; list items must be numbers, strings or bools", l.ID, e, e)
			}
		}
	}
	return nil
}

// scalar reports whether v is a value type a YAML scalar decodes to.
func scalar(v any) bool {
	switch v.(type) {
	case int, int64, float64, string, bool:
		return true
	}
	return false
}

// normalize turns YAML's ints into float64 and []any of strings into []string,
// so callers see one numeric type and one list type.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	default:
		return v
	}
}

func firstHeading(md string) string {
	for _, line := range strings.Split(md, "\n") {
		if t, ok := strings.CutPrefix(line, "# "); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

// Lookup returns the entry with the given id.
func (b *Base) Lookup(id string) (Limit, bool) {
	l, ok := b.limits[id]
	return l, ok
}

// All returns every entry, sorted by id.
func (b *Base) All() []Limit {
	out := make([]Limit, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.limits[id])
	}
	return out
}

// Num returns a numeric limit. A missing id or a non-numeric value is a
// programming error (the tables and the code disagree) and panics; the
// guidance tests resolve every id the code uses, so this never reaches users.
func (b *Base) Num(id string) float64 {
	l, ok := b.limits[id]
	if !ok {
		panic(fmt.Sprintf("guidance: unknown limit %q", id))
	}
	f, ok := l.Value.(float64)
	if !ok {
		panic(fmt.Sprintf("guidance: limit %q is %T, not a number", id, l.Value))
	}
	return f
}

// Int returns a numeric limit as an int (see Num for failure behaviour).
func (b *Base) Int(id string) int { return int(b.Num(id)) }

// Strings returns a list limit such as a set of allowed values (see Num for
// failure behaviour).
func (b *Base) Strings(id string) []string {
	l, ok := b.limits[id]
	if !ok {
		panic(fmt.Sprintf("guidance: unknown limit %q", id))
	}
	s, ok := l.Value.([]string)
	if !ok {
		panic(fmt.Sprintf("guidance: limit %q is %T, not a list", id, l.Value))
	}
	return s
}

// String returns a string limit (see Num for failure behaviour).
func (b *Base) String(id string) string {
	l, ok := b.limits[id]
	if !ok {
		panic(fmt.Sprintf("guidance: unknown limit %q", id))
	}
	s, ok := l.Value.(string)
	if !ok {
		panic(fmt.Sprintf("guidance: limit %q is %T, not a string", id, l.Value))
	}
	return s
}

// Bool returns a flag (see Num for failure behaviour).
func (b *Base) Bool(id string) bool {
	l, ok := b.limits[id]
	if !ok {
		panic(fmt.Sprintf("guidance: unknown limit %q", id))
	}
	v, ok := l.Value.(bool)
	if !ok {
		panic(fmt.Sprintf("guidance: limit %q is %T, not a bool", id, l.Value))
	}
	return v
}

// Source returns the reference URL of an entry, or "" when the id is
// unknown or its source is not a URL (an internal tag never reaches an
// answer; TestProvenanceIsUsable fails on such an entry).
func (b *Base) Source(id string) string {
	if s := b.limits[id].Source; strings.HasPrefix(s, "https://") {
		return s
	}
	return ""
}

// Docs returns the guidance documents, sorted by name.
func (b *Base) Docs() []Doc { return b.docs }

// Doc returns one document by name.
func (b *Base) Doc(name string) (Doc, bool) {
	for _, d := range b.docs {
		if d.Name == name {
			return d, true
		}
	}
	return Doc{}, false
}
