package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kslog"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// BootstrapBrokers is the MSK GetBootstrapBrokers answer: one
// comma-separated string per listener ("" when the listener is off).
type BootstrapBrokers struct {
	Plaintext, TLS, SASLSCRAM, SASLIAM                   string
	PublicTLS, PublicSASLSCRAM, PublicSASLIAM            string
	VPCConnectivityTLS, VPCConnectivitySCRAM, VPCConnIAM string
}

// ForAuth picks the bootstrap string of the listener that serves auth,
// preferring the in-VPC listener over the public one. It returns "" when the
// cluster has no listener for that auth (the auth is not enabled).
func (b BootstrapBrokers) ForAuth(auth string) string {
	switch auth {
	case AuthIAM:
		return first(b.SASLIAM, b.PublicSASLIAM, b.VPCConnIAM)
	case AuthSCRAM512, AuthSCRAM256:
		return first(b.SASLSCRAM, b.PublicSASLSCRAM, b.VPCConnectivitySCRAM)
	case AuthMTLS, AuthTLS:
		return first(b.TLS, b.PublicTLS, b.VPCConnectivityTLS)
	case AuthNone:
		return b.Plaintext
	}
	return ""
}

// DefaultAuth is the auth to use for an MSK cluster when none was asked for:
// IAM when enabled (it needs no secret beyond the SDK chain), else TLS, else
// plaintext. SCRAM and mTLS need credentials, so they are never guessed.
func (b BootstrapBrokers) DefaultAuth() string {
	switch {
	case b.ForAuth(AuthIAM) != "":
		return AuthIAM
	case b.ForAuth(AuthTLS) != "":
		return AuthTLS
	case b.Plaintext != "":
		return AuthNone
	}
	return ""
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// BootstrapResolver resolves an MSK cluster ARN (kafka:GetBootstrapBrokers).
// internal/aws implements it; tests fake it.
type BootstrapResolver interface {
	GetBootstrapBrokers(ctx context.Context, clusterARN string) (BootstrapBrokers, error)
}

// Conn is a cached connection to one cluster.
type Conn struct {
	Target Target
	Client *kgo.Client
	Admin  *kadm.Client
	opts   []kgo.Opt
	reqs   atomic.Int64

	throttled, worstThrottle atomic.Int64
}

// Requests is the number of requests written to brokers so far (for
// benchmarks and cost reporting).
func (c *Conn) Requests() int64 { return c.reqs.Load() }

// NewClient builds another client with the same connection options plus
// extra (e.g. direct partition consumption). The caller closes it.
func (c *Conn) NewClient(extra ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append(append([]kgo.Opt{}, c.opts...), extra...)...)
}

type counter struct{ n *atomic.Int64 }

func (h counter) OnBrokerWrite(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, _ error) {
	h.n.Add(1)
}

// Factory creates and caches clients.
type Factory struct {
	clusters map[string]config.Cluster
	bindings map[string]config.CredentialBinding
	resolver BootstrapResolver
	env      Env
	logger   *slog.Logger
	timeout  time.Duration

	mu    sync.Mutex
	conns map[string]*Conn
	order []string // keys, least recently created first
}

// maxConns bounds the cache: named clusters are few, but every ad-hoc
// bootstrap_servers target gets a client, and a long session must not
// accumulate them. The oldest is closed first.
const maxConns = 32

// NewFactory builds a factory; nothing connects until a tool asks.
// resolver may be nil (cluster_arn targets then fail with a tool error).
func NewFactory(clusters map[string]config.Cluster, resolver BootstrapResolver, env Env, logger *slog.Logger) *Factory {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Factory{clusters: clusters, resolver: resolver, env: env, logger: logger, timeout: 15 * time.Second, conns: map[string]*Conn{}}
}

// SetResolver wires the MSK resolver after construction.
func (f *Factory) SetResolver(r BootstrapResolver) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resolver = r
}

// Env returns the credential environment.
func (f *Factory) Env() Env { return f.env }

// ClusterNames lists the configured cluster names, sorted.
func (f *Factory) ClusterNames() []string {
	out := make([]string, 0, len(f.clusters))
	for n := range f.clusters {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrNotFound marks an unknown named cluster.
var ErrNotFound = errors.New("not found")

// Named returns the target of a configured cluster.
func (f *Factory) Named(name string) (Target, error) {
	c, ok := f.clusters[name]
	if !ok {
		return Target{}, fmt.Errorf("cluster %q %w in the config file (known: %v)", name, ErrNotFound, f.ClusterNames())
	}
	return Target{Name: name, Bootstrap: SplitBootstrap(c.BootstrapServers), ClusterARN: c.ClusterARN, Auth: c.Auth,
		Username: c.Username, PasswordEnv: c.PasswordEnv, PasswordFile: c.PasswordFile, CAFile: c.CAFile, CertFile: c.CertFile, KeyFile: c.KeyFile,
		SASLPlaintext: c.SASLPlaintext}, nil
}

// Resolve fills Bootstrap (and a default Auth) for a cluster_arn target.
// It returns the MSK listeners it saw so callers can judge the auth modes.
func (f *Factory) Resolve(ctx context.Context, t Target) (Target, *BootstrapBrokers, error) {
	if len(t.Bootstrap) > 0 || t.ClusterARN == "" {
		if t.Auth == "" {
			t.Auth = AuthNone
		}
		return t, nil, nil
	}
	f.mu.Lock()
	r := f.resolver
	f.mu.Unlock()
	if r == nil {
		return t, nil, fmt.Errorf("%s: resolving an MSK cluster ARN needs the AWS inspectors, which are not configured", t.ClusterARN)
	}
	bb, err := r.GetBootstrapBrokers(ctx, t.ClusterARN)
	if err != nil {
		return t, nil, fmt.Errorf("GetBootstrapBrokers %s: %w", t.ClusterARN, err)
	}
	if t.Auth == "" {
		t.Auth = bb.DefaultAuth()
	}
	s := bb.ForAuth(t.Auth)
	if s == "" {
		return t, &bb, fmt.Errorf("%w: cluster %s has no listener for auth %s (enabled: %v)", ErrAuthNotEnabled, t.ClusterARN, t.Auth, bb.Enabled())
	}
	t.Bootstrap = SplitBootstrap(s)
	return t, &bb, nil
}

// ErrAuthNotEnabled marks an auth mode the MSK cluster does not offer.
var ErrAuthNotEnabled = errors.New("auth mode not enabled")

// Enabled lists the auth modes the cluster offers.
func (b BootstrapBrokers) Enabled() []string {
	var out []string
	for _, a := range []string{AuthIAM, AuthSCRAM512, AuthTLS, AuthNone} {
		if b.ForAuth(a) != "" {
			out = append(out, a)
		}
	}
	return out
}

// Conn returns the cached connection for the target, creating it on first
// use. Creating a client does not dial; failures surface on the first
// request, which callers turn into a diagnosis.
func (f *Factory) Conn(ctx context.Context, t Target) (*Conn, error) {
	t, _, err := f.Resolve(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := f.env.checkResolvable(ctx, t); err != nil {
		return nil, err
	}
	key := t.key()
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.conns[key]; ok {
		return c, nil
	}
	base, err := f.env.ClientOpts(t)
	if err != nil {
		return nil, err
	}
	c := &Conn{Target: t}
	base = append(base,
		kgo.WithLogger(kslog.New(slog.New(quiet{f.logger.Handler()}).With("kafka", t.Label()))),
		kgo.DialTimeout(5*time.Second),
		kgo.RetryTimeout(f.timeout),
		kgo.RequestRetries(2),
		kgo.ClientID("stream-mcp"),
	)
	c.opts = base
	cl, err := kgo.NewClient(append(append([]kgo.Opt{}, base...), kgo.WithHooks(counter{&c.reqs}, throttleHook{&c.throttled, &c.worstThrottle}))...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Label(), err)
	}
	c.Client = cl
	c.Admin = kadm.NewClient(cl)
	c.Admin.SetTimeoutMillis(int32(f.timeout / time.Millisecond))
	if len(f.order) >= maxConns {
		old := f.order[0]
		f.order = f.order[1:]
		if oc, ok := f.conns[old]; ok {
			oc.Client.Close()
			delete(f.conns, old)
		}
	}
	f.conns[key] = c
	f.order = append(f.order, key)
	return c, nil
}

// Close closes every cached client.
func (f *Factory) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, c := range f.conns {
		c.Client.Close()
		delete(f.conns, k)
	}
	f.order = nil
}

// quiet demotes franz-go's Info logs to Debug: the client narrates every
// metadata refresh and assignment at Info, which would drown the server's
// own per-call log lines. Warnings and errors pass unchanged.
type quiet struct{ slog.Handler }

func (q quiet) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo {
		r.Level = slog.LevelDebug
		if !q.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
	}
	return q.Handler.Handle(ctx, r)
}

func (q quiet) Enabled(ctx context.Context, l slog.Level) bool {
	if l == slog.LevelInfo {
		return q.Handler.Enabled(ctx, slog.LevelDebug)
	}
	return q.Handler.Enabled(ctx, l)
}

func (q quiet) WithAttrs(as []slog.Attr) slog.Handler { return quiet{q.Handler.WithAttrs(as)} }
func (q quiet) WithGroup(n string) slog.Handler       { return quiet{q.Handler.WithGroup(n)} }

type throttleHook struct {
	n     *atomic.Int64
	worst *atomic.Int64
}

func (h throttleHook) OnBrokerThrottle(_ kgo.BrokerMetadata, d time.Duration, _ bool) {
	if d <= 0 {
		return
	}
	h.n.Add(1)
	for {
		cur := h.worst.Load()
		if int64(d) <= cur || h.worst.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

// Throttles reports how many responses carried a broker throttle time and
// the longest one: evidence of client quotas, seen from this server.
func (c *Conn) Throttles() (int64, time.Duration) {
	return c.throttled.Load(), time.Duration(c.worstThrottle.Load())
}
