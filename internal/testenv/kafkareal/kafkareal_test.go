package kafkareal

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Enabled reports whether the real-backend suites run: under
// `make test-backends` (STREAM_MCP_BACKENDS=1). A plain `go test ./...`
// skips them so a quick run needs no JVM; `make test` runs both.
func enabled(t *testing.T) {
	t.Helper()
	if os.Getenv("STREAM_MCP_BACKENDS") != "1" {
		t.Skip("real Apache Kafka runs under make test-backends (STREAM_MCP_BACKENDS=1)")
	}
}

// TestEveryListener starts a node and authenticates on each listener, and
// checks that a user without ACLs is refused (the authorizer is on).
func TestEveryListener(t *testing.T) {
	enabled(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	t.Logf("Apache Kafka %s on %s", c.Version, c.Plaintext)
	tlsCfg, err := c.TLSConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	mtlsCfg, err := c.TLSConfig(true)
	if err != nil {
		t.Fatal(err)
	}
	scramAdmin := scram.Auth{User: AdminUser, Pass: AdminPassword}.AsSha512Mechanism()
	cases := []struct {
		name string
		opts []kgo.Opt
	}{
		{"plaintext", []kgo.Opt{kgo.SeedBrokers(c.Plaintext)}},
		{"sasl_plaintext scram-sha-512", []kgo.Opt{kgo.SeedBrokers(c.SASLPlaintext), kgo.SASL(scramAdmin)}},
		{"sasl_plaintext plain", []kgo.Opt{kgo.SeedBrokers(c.SASLPlaintext), kgo.SASL(plain.Auth{User: AdminUser, Pass: AdminPassword}.AsMechanism())}},
		{"sasl_ssl scram-sha-512", []kgo.Opt{kgo.SeedBrokers(c.SASLSSL), kgo.SASL(scramAdmin), kgo.DialTLSConfig(tlsCfg)}},
		{"ssl mtls", []kgo.Opt{kgo.SeedBrokers(c.SSL), kgo.DialTLSConfig(mtlsCfg)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := kgo.NewClient(tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if _, err := kadm.NewClient(cl).BrokerMetadata(ctx); err != nil {
				t.Fatalf("metadata: %v", err)
			}
		})
	}
	t.Run("wrong password", func(t *testing.T) {
		cl, _ := kgo.NewClient(kgo.SeedBrokers(c.SASLPlaintext), kgo.SASL(scram.Auth{User: AdminUser, Pass: "wrong"}.AsSha512Mechanism()))
		defer cl.Close()
		_, err := kadm.NewClient(cl).BrokerMetadata(ctx)
		if !errors.Is(err, kerr.SaslAuthenticationFailed) {
			t.Fatalf("err = %v, want SASL_AUTHENTICATION_FAILED", err)
		}
	})
	t.Run("no acl", func(t *testing.T) {
		adm, _ := kgo.NewClient(kgo.SeedBrokers(c.Plaintext))
		defer adm.Close()
		if _, err := kadm.NewClient(adm).CreateTopic(ctx, 1, 1, nil, "secured"); err != nil {
			t.Fatal(err)
		}
		cl, _ := kgo.NewClient(kgo.SeedBrokers(c.SASLPlaintext), kgo.SASL(scram.Auth{User: AliceUser, Pass: AlicePassword}.AsSha512Mechanism()))
		defer cl.Close()
		// kadm surfaces the refusal as the request's error or the topic's.
		md, err := kadm.NewClient(cl).Metadata(ctx, "secured")
		if err == nil {
			err = md.Topics["secured"].Err
		}
		if !errors.Is(err, kerr.TopicAuthorizationFailed) {
			t.Fatalf("err = %v, want TOPIC_AUTHORIZATION_FAILED", err)
		}
	})
}
