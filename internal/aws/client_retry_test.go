package aws

import (
	"context"
	"errors"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
)

// Regression: a failed first config load (a cancelled request, a transient
// credential error) was remembered for the whole session.
func TestReadyRetriesAfterFailedLoad(t *testing.T) {
	t.Parallel()
	calls := 0
	c := &Client{opts: Options{}.withDefaults(), load: func(context.Context) (sdkaws.Config, error) {
		calls++
		if calls == 1 {
			return sdkaws.Config{}, errors.New("context canceled")
		}
		return sdkaws.Config{Region: "us-east-1"}, nil
	}}
	if err := c.ready(context.Background()); err == nil {
		t.Fatal("first load error was swallowed")
	}
	if err := c.ready(context.Background()); err != nil {
		t.Fatalf("second load: %v", err)
	}
	if err := c.ready(context.Background()); err != nil || calls != 2 {
		t.Fatalf("loaded %d times, want 2 (a success is kept): %v", calls, err)
	}
	if c.Region(context.Background()) != "us-east-1" {
		t.Fatal("region not kept")
	}
}
