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

	once    sync.Once
	err     error
	lambda  *lambda.Client
	kinesis *kinesis.Client
}

// NewAWS returns clients built from load on first use.
func NewAWS(load func(ctx context.Context) (sdkaws.Config, error)) *AWS {
	return &AWS{load: load}
}

func (a *AWS) ready(ctx context.Context) error {
	a.once.Do(func() {
		cfg, err := a.load(ctx)
		if err != nil {
			a.err = err
			return
		}
		a.lambda = lambda.NewFromConfig(cfg)
		a.kinesis = kinesis.NewFromConfig(cfg)
	})
	return a.err
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
