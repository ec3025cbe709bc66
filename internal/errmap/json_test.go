package errmap

import (
	"encoding/json"
	"io"
	"testing"
)

func TestJSONProblem(t *testing.T) {
	type inner struct {
		Brokers int      `json:"brokers"`
		Tags    []string `json:"tags"`
		Facts   struct{} `json:"facts"`
		Name    *string  `json:"name"`
	}
	cases := []struct {
		in, want string
	}{
		{`{"brokers":"three"}`, "brokers is string, want a number"},
		{`{"tags":"a"}`, "tags is string, want a list"},
		{`{"facts":1}`, "facts is number, want an object"},
		{`{"name":1}`, "name is number, want a string"},
		{`[1]`, "the value is array, want an object"},
		{`{"brokers":`, "not valid JSON"},
		{`{"brokers" 1}`, "not valid JSON"},
	}
	for _, tc := range cases {
		var v inner
		err := json.Unmarshal([]byte(tc.in), &v)
		if err == nil {
			t.Fatalf("%s: no error", tc.in)
		}
		if got := JSONProblem(err); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := JSONProblem(io.ErrUnexpectedEOF); got != "could not be read" {
		t.Errorf("other error: got %q", got)
	}
}
