package aws

import (
	"context"
	"sync/atomic"

	"github.com/aws/smithy-go/middleware"
)

type counterKey struct{}

// WithCallCounter returns a context whose SDK calls (through this package's
// clients, including the Kinesis and CloudWatch ones) are counted in the
// returned counter: one per API operation, retries not included. Tools use
// it to report how many AWS calls an inspection took.
func WithCallCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, counterKey{}, n), n
}

// countCalls is the SDK middleware behind WithCallCounter.
func countCalls(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("StreamMCPCallCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
				n.Add(1)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}
