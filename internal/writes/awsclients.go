package writes

import (
	"context"
	"fmt"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	sdkconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/stream-mcp/stream-mcp/internal/config"
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

// LoadConfig loads the AWS configuration as the read inspectors do: region
// and profile when set, --endpoint-url as every service's base endpoint,
// credentials from the default chain. A missing region is an error.
func LoadConfig(c config.Config) func(ctx context.Context) (sdkaws.Config, error) {
	return func(ctx context.Context) (sdkaws.Config, error) {
		var lo []func(*sdkconfig.LoadOptions) error
		if c.Region != "" {
			lo = append(lo, sdkconfig.WithRegion(c.Region))
		}
		if c.Profile != "" {
			lo = append(lo, sdkconfig.WithSharedConfigProfile(c.Profile))
		}
		if c.EndpointURL != "" {
			lo = append(lo, sdkconfig.WithBaseEndpoint(c.EndpointURL))
		}
		cfg, err := sdkconfig.LoadDefaultConfig(ctx, lo...)
		if err != nil {
			return sdkaws.Config{}, fmt.Errorf("AWS config: %w", err)
		}
		if cfg.Region == "" {
			return sdkaws.Config{}, fmt.Errorf("AWS config: no region; set --region or AWS_REGION")
		}
		return cfg, nil
	}
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
