package kafkadiag

import (
	"context"

	"github.com/stream-mcp/stream-mcp/internal/kafka"
)

// Resolver adapts the MSK inspector to kafka.BootstrapResolver, so
// cluster_arn targets resolve through GetBootstrapBrokers.
type Resolver struct {
	R interface {
		MSKBootstrap(ctx context.Context, arn string) (map[string]string, error)
	}
}

// GetBootstrapBrokers implements kafka.BootstrapResolver.
func (r Resolver) GetBootstrapBrokers(ctx context.Context, arn string) (kafka.BootstrapBrokers, error) {
	m, err := r.R.MSKBootstrap(ctx, arn)
	if err != nil {
		return kafka.BootstrapBrokers{}, err
	}
	return kafka.BootstrapBrokers{Plaintext: m["plaintext"], TLS: m["tls"], SASLSCRAM: m["sasl_scram"], SASLIAM: m["sasl_iam"],
		PublicTLS: m["public_tls"], PublicSASLSCRAM: m["public_sasl_scram"], PublicSASLIAM: m["public_sasl_iam"]}, nil
}
