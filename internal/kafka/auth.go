// Package kafka owns every connection stream-mcp makes to a Kafka cluster:
// the franz-go client factory (MSK IAM, SASL/SCRAM-SHA-256/512, SASL/PLAIN,
// mTLS with a custom CA, TLS, plaintext), named clusters from the config
// file, MSK cluster ARNs resolved to the bootstrap string of the chosen auth,
// the broker probe that says where a connection fails, and the kadm-based
// reads behind kafka_inspect and kafka_troubleshoot (cluster health, topics,
// configs with their source, ACLs, and the offsets internal/lag judges).
//
// Clients are created lazily, cached per cluster and closed on shutdown. An
// unreachable cluster is a diagnosis, never a startup failure. Credentials
// come from environment variables or files and are never echoed in errors,
// outputs or logs.
package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	saslaws "github.com/twmb/franz-go/pkg/sasl/aws"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Auth modes, as in CONTRACT.md and config.Cluster.Auth.
const (
	AuthIAM      = "iam"
	AuthSCRAM512 = "sasl_scram_512"
	AuthSCRAM256 = "sasl_scram_256"
	AuthPlain    = "sasl_plain"
	AuthMTLS     = "mtls"
	AuthTLS      = "tls"
	AuthNone     = "none"
)

// AuthModes lists the accepted auth values.
func AuthModes() []string {
	return []string{AuthIAM, AuthSCRAM512, AuthSCRAM256, AuthPlain, AuthMTLS, AuthTLS, AuthNone}
}

// UsesTLS reports whether the target connects over TLS: every auth but none,
// unless SASLPlaintext selects a SASL_PLAINTEXT listener (self-managed Kafka
// only; MSK's SASL listeners are always TLS).
func (t Target) UsesTLS() bool {
	switch t.Auth {
	case AuthNone:
		return false
	case AuthSCRAM256, AuthSCRAM512, AuthPlain:
		return !t.SASLPlaintext
	}
	return true
}

// Target says how to reach one cluster. Secrets are referenced (environment
// variable or file), never carried inline.
type Target struct {
	// Name is the config-file cluster name, or "" for ad-hoc targets.
	Name string
	// Bootstrap is host:port list; empty when ClusterARN must be resolved.
	Bootstrap  []string
	ClusterARN string
	Auth       string
	Username   string
	// PasswordEnv / PasswordFile locate the SASL password.
	PasswordEnv  string
	PasswordFile string
	// PEM files for tls and mtls.
	CAFile, CertFile, KeyFile string
	// SASLPlaintext runs SASL without TLS (a SASL_PLAINTEXT listener).
	SASLPlaintext bool
	// InsecureSkipVerify is for tests only (not reachable from tool input).
	InsecureSkipVerify bool
}

// Label names the target for messages without revealing secrets.
func (t Target) Label() string {
	switch {
	case t.Name != "":
		return "cluster " + t.Name
	case t.ClusterARN != "":
		return t.ClusterARN
	}
	return strings.Join(t.Bootstrap, ",")
}

func (t Target) key() string {
	return strings.Join([]string{t.Name, strings.Join(t.Bootstrap, ","), t.ClusterARN, t.Auth, t.Username,
		t.PasswordEnv, t.PasswordFile, t.CAFile, t.CertFile, t.KeyFile, fmt.Sprint(t.SASLPlaintext)}, "\x00")
}

// ErrCredentials marks a credential that could not be loaded (missing env
// var, unreadable file); the message names where it looked, not the value.
var ErrCredentials = errors.New("credentials unavailable")

// Env reads the process environment and files; tests replace it.
type Env struct {
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	// AWSAuth returns credentials for MSK IAM (the SDK chain in production).
	AWSAuth func(ctx context.Context) (saslaws.Auth, error)
	// LookupHost resolves broker names for the probe (nil: the system
	// resolver); tests inject one so no query leaves the machine.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// MaxProbeAddresses bounds the bootstrap addresses one probe contacts
	// (0: no bound); ProbeCapSource is the URL behind the bound, quoted in
	// the note a capped probe carries.
	MaxProbeAddresses int
	ProbeCapSource    string
}

// OSEnv is the production Env; awsAuth may be nil when no AWS config is
// available (IAM targets then fail with ErrCredentials).
func OSEnv(awsAuth func(ctx context.Context) (saslaws.Auth, error)) Env {
	return Env{Getenv: os.Getenv, ReadFile: ReadCredentialFile, AWSAuth: awsAuth}
}

func (e Env) password(t Target) (string, error) {
	switch {
	case t.PasswordEnv != "":
		v := e.Getenv(t.PasswordEnv)
		if v == "" {
			return "", fmt.Errorf("%w: environment variable %s is empty or unset", ErrCredentials, t.PasswordEnv)
		}
		return v, nil
	case t.PasswordFile != "":
		raw, err := e.ReadFile(t.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("%w: password file %s: %w", ErrCredentials, t.PasswordFile, errors.Unwrap(err))
		}
		return strings.TrimRight(string(raw), "\r\n"), nil
	}
	return "", fmt.Errorf("%w: auth %s needs password_env or password_file", ErrCredentials, t.Auth)
}

// TLSConfig builds the TLS config for the target, or nil for plaintext.
func (e Env) TLSConfig(t Target) (*tls.Config, error) {
	if !t.UsesTLS() {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // tests only
	if t.CAFile != "" {
		pem, err := e.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: ca_file %s: %w", ErrCredentials, t.CAFile, errors.Unwrap(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: ca_file %s holds no PEM certificate", ErrCredentials, t.CAFile)
		}
		c.RootCAs = pool
	}
	if t.Auth == AuthMTLS {
		if t.CertFile == "" || t.KeyFile == "" {
			return nil, fmt.Errorf("%w: auth mtls needs cert_file and key_file", ErrCredentials)
		}
		certPEM, err := e.ReadFile(t.CertFile)
		if err != nil {
			return nil, fmt.Errorf("%w: cert_file %s: %w", ErrCredentials, t.CertFile, errors.Unwrap(err))
		}
		keyPEM, err := e.ReadFile(t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: key_file %s: %w", ErrCredentials, t.KeyFile, errors.Unwrap(err))
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			// The parse error can quote key material; keep only the file names.
			return nil, fmt.Errorf("%w: cert_file %s / key_file %s do not form a PEM certificate and key pair", ErrCredentials, t.CertFile, t.KeyFile)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// Mechanism returns the SASL mechanism for the target, or nil when the auth
// mode has none.
func (e Env) Mechanism(t Target) (sasl.Mechanism, error) {
	switch t.Auth {
	case AuthIAM:
		if e.AWSAuth == nil {
			return nil, fmt.Errorf("%w: auth iam needs AWS credentials (none configured)", ErrCredentials)
		}
		return saslaws.ManagedStreamingIAM(e.AWSAuth), nil
	case AuthSCRAM256, AuthSCRAM512, AuthPlain:
		if t.Username == "" {
			return nil, fmt.Errorf("%w: auth %s needs a username", ErrCredentials, t.Auth)
		}
		pw, err := e.password(t)
		if err != nil {
			return nil, err
		}
		switch t.Auth {
		case AuthSCRAM256:
			return scram.Auth{User: t.Username, Pass: pw}.AsSha256Mechanism(), nil
		case AuthSCRAM512:
			return scram.Auth{User: t.Username, Pass: pw}.AsSha512Mechanism(), nil
		}
		return plain.Auth{User: t.Username, Pass: pw}.AsMechanism(), nil
	}
	return nil, nil
}

// ClientOpts returns the franz-go options that connect to the target (seed
// brokers, TLS, SASL), without logging or tuning options.
func (e Env) ClientOpts(t Target) ([]kgo.Opt, error) {
	if len(t.Bootstrap) == 0 {
		return nil, fmt.Errorf("%s: no bootstrap servers", t.Label())
	}
	opts := []kgo.Opt{kgo.SeedBrokers(t.Bootstrap...)}
	tc, err := e.TLSConfig(t)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	m, err := e.Mechanism(t)
	if err != nil {
		return nil, err
	}
	if m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// checkResolvable applies a custom LookupHost (see LoopbackOnlyLookup) to the
// bootstrap names before franz-go dials them with the system resolver: when
// no bootstrap name resolves, nothing is dialled and the error says why.
func (e Env) checkResolvable(ctx context.Context, t Target) error {
	if e.LookupHost == nil {
		return nil
	}
	var firstErr error
	for _, addr := range t.Bootstrap {
		host, _, err := net.SplitHostPort(addr)
		if err != nil || net.ParseIP(host) != nil {
			return nil // an IP (or a malformed address franz-go will report)
		}
		if _, err := e.LookupHost(ctx, host); err == nil {
			return nil
		} else if firstErr == nil {
			firstErr = err
		}
	}
	return fmt.Errorf("%s: no bootstrap server resolves: %w", t.Label(), firstErr)
}

// LoopbackOnlyLookup resolves "localhost" and nothing else. It is the
// resolver when the AWS endpoint is a loopback simulator: the broker names
// of a simulated account are fictional, and looking them up would send DNS
// queries off this machine for nothing.
func LoopbackOnlyLookup(_ context.Context, host string) ([]string, error) {
	if host == "localhost" {
		return []string{"127.0.0.1"}, nil
	}
	return nil, &net.DNSError{Err: "not looked up: the AWS endpoint is a loopback simulator, whose broker names are fictional", Name: host, IsNotFound: true}
}

// SplitBootstrap parses a comma-separated host:port list.
func SplitBootstrap(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
