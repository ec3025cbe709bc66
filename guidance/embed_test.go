package guidance

import (
	"strings"
	"testing"
)

func TestLoadEveryEntryHasProvenance(t *testing.T) {
	t.Parallel()
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.All()) == 0 {
		t.Fatal("no limits loaded")
	}
	for _, l := range b.All() {
		if l.Source == "" || l.Verified == "" || l.Summary == "" {
			t.Errorf("%s: missing source, date or summary", l.ID)
		}
	}
	if len(b.Docs()) == 0 || b.Docs()[0].Title == "" {
		t.Fatal("no documents, or a document without a title")
	}
}

func TestCheckRejectsBadEntries(t *testing.T) {
	t.Parallel()
	ok := Limit{ID: "x.y", Value: 1, Summary: "s", Source: "https://docs.aws.amazon.com/x", Verified: "2026-11-22"}
	tests := []struct {
		name string
		mod  func(*Limit)
		want string
	}{
		{"valid", func(*Limit) {}, ""},
		{"no source", func(l *Limit) { l.Source = "" }, "source"},
		{"http source", func(l *Limit) { l.Source = "http://example.com" }, "source"},
		{"seed tag source loads (the provenance test rejects it)", func(l *Limit) { l.Source = "seed:000 post 3" }, ""},
		{"other scheme", func(l *Limit) { l.Source = "ftp://example.com" }, "not an https URL"},
		{"no date", func(l *Limit) { l.Verified = "" }, "verified"},
		{"bad date", func(l *Limit) { l.Verified = "Nov 2026" }, "verified"},
		{"no value", func(l *Limit) { l.Value = nil }, "no value"},
		{"no id", func(l *Limit) { l.ID = "" }, "without id"},
		{"list", func(l *Limit) { l.Value = []any{"a", 2} }, ""},
		{"map value", func(l *Limit) { l.Value = map[string]any{"a": 1} }, "value is"},
		{"list of maps", func(l *Limit) { l.Value = []any{map[string]any{"a": 1}} }, "list item"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := ok
			tc.mod(&l)
			err := l.check()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Int("lambda.function.timeout.max_seconds"); got != 900 {
		t.Fatalf("timeout max = %d, want 900", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Num of an unknown id did not panic")
		}
	}()
	b.Num("no.such.id")
}
