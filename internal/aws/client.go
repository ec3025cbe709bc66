// Package aws holds stream-mcp's narrow, read-only inspectors over
// aws-sdk-go-v2: event source mappings, function configuration (environment
// variable values dropped), MSK clusters, the VPC path of a cluster or
// mapping, IAM role policies and simulated decisions, SQS queue attributes,
// secret metadata and log events (this file set), plus Kinesis streams and
// CloudWatch metric bundles (kinesis.go, cloudwatch*.go).
//
// # Construction
//
// [New] builds a [Client] from config.Config lazily: the AWS config (region,
// profile, --endpoint-url as BaseEndpoint for every service, the normal
// credential chain) is loaded on first use, so commands that never call AWS
// never touch it, and a broken profile becomes evidence instead of a failed
// start. When the endpoint is a loopback address (stream-mcp simulate, the
// demo, an emulator), a missing region defaults to us-east-1 and missing
// credentials to static placeholders; a real endpoint never gets either.
// Tests use [NewFromConfig] with an aws.Config pointed at internal/awssim.
//
// # Evidence, not failures
//
// Inspectors return plain structs. A call that fails does not fail the
// inspection: the part it would have filled stays empty and an [*Unknown]
// says which call failed, why (errmap kind) and, for AccessDenied, the
// missing IAM action. Tools put that in their output as status "unknown"
// with the reason. Single-resource getters (GetESM, Function, MSKCluster,
// ...) return (value, error); callers turn the error into an Unknown with
// [UnknownFrom] or into a tool error with errmap.Result.
//
// Every SDK call runs under its own timeout (Options.CallTimeout) and fan-out
// is bounded (Options.Parallel). Nothing here can mutate: the package only
// calls Describe/Get/List/Simulate/Filter operations, and the simulator's
// call log checks that in tests.
package aws

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	sdkconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/osis"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// Options tune every inspector.
type Options struct {
	// CallTimeout bounds each SDK call (default 15s, as kadm does).
	CallTimeout time.Duration
	// Parallel bounds concurrent calls in one fan-out (default 8).
	Parallel int
	// MaxAttempts is the SDK retry budget per call (default 3; 1 = no
	// retries, which tests use so faults surface at once).
	MaxAttempts int
}

func (o Options) withDefaults() Options {
	if o.CallTimeout <= 0 {
		o.CallTimeout = 15 * time.Second
	}
	if o.Parallel <= 0 {
		o.Parallel = 8
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	return o
}

// Client owns the SDK clients. It is safe for concurrent use.
type Client struct {
	opts Options
	load func(ctx context.Context) (sdkaws.Config, error)

	mu     sync.Mutex // guards loading; the clients never change once loaded
	loaded bool
	cfg    sdkaws.Config

	lambda  *lambda.Client
	kafka   *kafka.Client
	ec2     *ec2.Client
	iam     *iam.Client
	sts     *sts.Client
	sqs     *sqs.Client
	secrets *secretsmanager.Client
	logs    *cloudwatchlogs.Client
	kinesis *kinesis.Client
	cw      *cloudwatch.Client
	osis    *osis.Client
	fh      *firehose.Client
}

// New returns a Client that loads the AWS config from c on first use:
// region and profile when set, EndpointURL as the base endpoint of every
// service, credentials from the default chain.
func New(c config.Config, opts Options) *Client {
	return &Client{opts: opts.withDefaults(), load: LoadConfig(c)}
}

// LoadConfig returns the loader of the one AWS configuration every client of
// the process uses (read inspectors and write tools alike): region and
// profile when set, EndpointURL as the base endpoint of every service,
// credentials from the default chain, or static placeholders for a loopback
// endpoint. A missing region is an error.
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
		if IsLoopback(c.EndpointURL) {
			// A loopback endpoint is a simulator or emulator (stream-mcp
			// simulate, the demo, kinesis-local): it needs a region and
			// some signature, never real credentials. The credential chain
			// is not consulted at all: it would reach for SSO or the EC2
			// instance metadata service, off this machine, and sign
			// simulator traffic with a real identity for nothing.
			if cfg.Region == "" {
				cfg.Region = "us-east-1"
			}
			cfg.Credentials = loopbackCreds{}
		}
		if cfg.Region == "" {
			return sdkaws.Config{}, fmt.Errorf("AWS config: no region; set --region or AWS_REGION")
		}
		return cfg, nil
	}
}

// NewFromConfig wraps an existing aws.Config (tests, the simulator).
func NewFromConfig(cfg sdkaws.Config, opts Options) *Client {
	return &Client{opts: opts.withDefaults(), load: func(context.Context) (sdkaws.Config, error) { return cfg, nil }}
}

// ready loads the config and builds the service clients on first success.
// A failed load is not remembered: a cancelled first call or a transient
// credential error must not disable AWS reads for the rest of the session.
func (c *Client) ready(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded {
		return nil
	}
	cfg, err := c.load(ctx)
	if err != nil {
		return err
	}
	cfg.RetryMaxAttempts = c.opts.MaxAttempts
	cfg.APIOptions = append(append([]func(*middleware.Stack) error(nil), cfg.APIOptions...), countCalls)
	c.cfg = cfg
	c.lambda = lambda.NewFromConfig(cfg)
	c.kafka = kafka.NewFromConfig(cfg)
	c.ec2 = ec2.NewFromConfig(cfg)
	c.iam = iam.NewFromConfig(cfg)
	c.sts = sts.NewFromConfig(cfg)
	c.sqs = sqs.NewFromConfig(cfg)
	c.secrets = secretsmanager.NewFromConfig(cfg)
	c.logs = cloudwatchlogs.NewFromConfig(cfg)
	c.kinesis = kinesis.NewFromConfig(cfg)
	c.cw = cloudwatch.NewFromConfig(cfg)
	c.osis = osis.NewFromConfig(cfg)
	c.fh = firehose.NewFromConfig(cfg)
	c.loaded = true
	return nil
}

// Region is the resolved Region ("" until the config loaded or when it
// failed).
func (c *Client) Region(ctx context.Context) string {
	if c.ready(ctx) != nil {
		return ""
	}
	return c.cfg.Region
}

// KinesisAPI returns the Kinesis SDK client for the Kinesis inspector.
func (c *Client) KinesisAPI(ctx context.Context) (*kinesis.Client, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	return c.kinesis, nil
}

// CloudWatchAPI returns the CloudWatch SDK client for metric bundles.
func (c *Client) CloudWatchAPI(ctx context.Context) (*cloudwatch.Client, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	return c.cw, nil
}

// Options returns the effective options.
func (c *Client) Options() Options { return c.opts }

// timeout derives the per-call context.
func (c *Client) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.opts.CallTimeout)
}

// Parallel runs fns concurrently, at most Options.Parallel at a time, and
// waits for all of them. Each fn records its own result and error; a
// cancelled ctx makes the remaining fns see a cancelled context.
func (c *Client) Parallel(ctx context.Context, fns ...func(ctx context.Context)) {
	sem := make(chan struct{}, c.opts.Parallel)
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
			}
			fn(ctx)
		}()
	}
	wg.Wait()
}

// IsLoopback reports whether an endpoint URL points at this machine (a
// simulator or emulator rather than AWS).
func IsLoopback(endpoint string) bool {
	if endpoint == "" {
		return false
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// loopbackCreds are static placeholder credentials for loopback endpoints
// only.
type loopbackCreds struct{}

// Retrieve implements aws.CredentialsProvider.
func (loopbackCreds) Retrieve(context.Context) (sdkaws.Credentials, error) {
	return sdkaws.Credentials{AccessKeyID: "simulated", SecretAccessKey: "simulated", Source: "stream-mcp loopback placeholder"}, nil
}
