package writes

import (
	"context"
	"errors"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
)

// A failed configuration load is retried on the next call, and a successful
// one is loaded once.
func TestAWSRetriesFailedLoad(t *testing.T) {
	t.Parallel()
	calls := 0
	a := NewAWS(func(context.Context) (sdkaws.Config, error) {
		calls++
		if calls == 1 {
			return sdkaws.Config{}, errors.New("context canceled")
		}
		return sdkaws.Config{Region: "us-east-1"}, nil
	})
	if _, err := a.Lambda(t.Context()); err == nil {
		t.Fatal("first load: want its error")
	}
	if cl, err := a.Kinesis(t.Context()); err != nil || cl == nil {
		t.Fatalf("second load: %v", err)
	}
	if cl, err := a.Lambda(t.Context()); err != nil || cl == nil {
		t.Fatalf("third call: %v", err)
	}
	if calls != 2 {
		t.Fatalf("load ran %d times, want 2", calls)
	}
}
