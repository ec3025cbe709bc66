package rules

import (
	"encoding/json"
	"testing"
)

func TestNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   any
		want float64
		ok   bool
	}{
		{float64(1.5), 1.5, true}, {int(3), 3, true}, {int64(-1), -1, true}, {uint64(7), 7, true},
		{json.Number("42"), 42, true}, {" 10 ", 10, true}, {"ten", 0, false}, {nil, 0, false},
		{map[string]any{"Ref": "Size"}, 0, false}, {true, 0, false},
	}
	for _, tc := range tests {
		got, ok := Number(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Number(%#v) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSortErrorsFirst(t *testing.T) {
	t.Parallel()
	vs := []Violation{{Severity: Info, Field: "a"}, {Severity: Error, Field: "z"}, {Severity: Warning, Field: "b"}, {Severity: Error, Field: "c"}}
	Sort(vs)
	got := ""
	for _, v := range vs {
		got += string(v.Severity[0]) + v.Field
	}
	if got != "ecezwbia" {
		t.Fatalf("order = %s", got)
	}
	if !HasErrors(vs) || HasErrors(vs[2:]) {
		t.Fatal("HasErrors wrong")
	}
}
