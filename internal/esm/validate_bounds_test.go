package esm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Bug (#21.3): a config object with 40,000 keys took 7 s in the rule engine
// (every report scanned every earlier violation) and 400,000 keys held a
// core for over 9 minutes, deadline or not. The engine is now linear, lists
// at most rules.MaxListed violations per rule, refuses configs beyond
// rules.MaxConfigKeys fields at once, and stops when its context ends.
func TestValidateBoundedOnHugeConfigs(t *testing.T) {
	t.Parallel()
	b := loadBase(t)
	huge := func(n int) Config {
		c := Config{"EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "StartingPosition": "LATEST"}
		for i := 0; i < n; i++ {
			c[fmt.Sprintf("Field%06d", i)] = i
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		budget time.Duration
		want   string
	}{
		{"just under the key bound", huge(rules.MaxConfigKeys - 2), 2 * time.Second, "more violations of esm.fields.known are not listed"},
		{"40,000 keys", huge(40000), 2 * time.Second, "the configuration has 40002 fields"},
		{"400,000 keys", huge(400000), 5 * time.Second, "the configuration has 400002 fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			res, err := Validate(tc.cfg, Options{Source: Kinesis}, b)
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > tc.budget {
				t.Errorf("took %s, budget %s", took, tc.budget)
			}
			if len(res.Violations) > 2*rules.MaxListed+5 {
				t.Errorf("%d violations listed", len(res.Violations))
			}
			found := false
			for _, v := range res.Violations {
				found = found || strings.Contains(v.Message, tc.want)
			}
			if !found {
				t.Errorf("no violation says %q: %+v", tc.want, res.Violations[:min(3, len(res.Violations))])
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Validate(huge(10), Options{Source: Kinesis, Cancel: ctx}, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled context: err %v", err)
	}
}
