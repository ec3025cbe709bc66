package writes

import (
	"context"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// AWS builds the SDK clients the write tools use, once, on first use: a
// process that never writes never loads AWS configuration. internal/aws
// stays read-only; the mutating calls live here (STYLE.md rule 18).
type AWS struct {
	load func(ctx context.Context) (sdkaws.Config, error)

	mu      sync.Mutex
	lambda  *lambda.Client
	kinesis *kinesis.Client
}

// NewAWS returns clients built from load on first use.
func NewAWS(load func(ctx context.Context) (sdkaws.Config, error)) *AWS {
	return &AWS{load: load}
}

// ready builds the clients on first success. A failed load (a cancelled
// call, credentials not yet available) is not kept: the next call tries
// again instead of the process staying without write clients for good.
func (a *AWS) ready(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lambda != nil {
		return nil
	}
	cfg, err := a.load(ctx)
	if err != nil {
		return err
	}
	a.lambda = lambda.NewFromConfig(cfg)
	a.kinesis = kinesis.NewFromConfig(cfg)
	return nil
}

// Lambda returns the Lambda client.
func (a *AWS) Lambda(ctx context.Context) (*lambda.Client, error) {
	if err := a.ready(ctx); err != nil {
		return nil, err
	}
	return a.lambda, nil
}

// Kinesis returns the Kinesis client.
func (a *AWS) Kinesis(ctx context.Context) (*kinesis.Client, error) {
	if err := a.ready(ctx); err != nil {
		return nil, err
	}
	return a.kinesis, nil
}
