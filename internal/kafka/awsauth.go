package kafka

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	saslaws "github.com/twmb/franz-go/pkg/sasl/aws"
)

// SDKAuth returns MSK IAM credentials from the AWS SDK's default chain
// (environment, shared config and profile, SSO, container and instance
// roles), loaded on first use so a process without AWS configuration still
// starts. The credentials are cached and refreshed by the SDK.
func SDKAuth(region, profile string) func(ctx context.Context) (saslaws.Auth, error) {
	var (
		once  sync.Once
		creds aws.CredentialsProvider
		lerr  error
	)
	return func(ctx context.Context) (saslaws.Auth, error) {
		once.Do(func() {
			var opts []func(*awsconfig.LoadOptions) error
			if region != "" {
				opts = append(opts, awsconfig.WithRegion(region))
			}
			if profile != "" {
				opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
			}
			// The result is cached for the process: the first caller's
			// cancellation or deadline must not become every later call's error.
			cfg, err := awsconfig.LoadDefaultConfig(context.WithoutCancel(ctx), opts...)
			if err != nil {
				lerr = fmt.Errorf("%w: AWS config: %w", ErrCredentials, err)
				return
			}
			creds = aws.NewCredentialsCache(cfg.Credentials)
		})
		if lerr != nil {
			return saslaws.Auth{}, lerr
		}
		c, err := creds.Retrieve(ctx)
		if err != nil {
			return saslaws.Auth{}, fmt.Errorf("%w: AWS credentials for MSK IAM: %w", ErrCredentials, err)
		}
		return saslaws.Auth{AccessKey: c.AccessKeyID, SecretKey: c.SecretAccessKey, SessionToken: c.SessionToken, UserAgent: "stream-mcp"}, nil
	}
}
