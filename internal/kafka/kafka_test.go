package kafka

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/kafka/kafkatest"
)

func testEnv(vars map[string]string) Env {
	return Env{Getenv: func(k string) string { return vars[k] }, ReadFile: os.ReadFile}
}

func TestProbeSASLAndACLs(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3,
		kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-256", "admin", "admin-secret"),
		kfake.User("SCRAM-SHA-512", "esm", "esm-secret",
			kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "orders", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationDescribe, Allow: true},
			kfake.ACL{Resource: kmsg.ACLResourceTypeGroup, Name: "esm-group", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationDescribe, Allow: false},
		),
		kfake.SeedTopics(3, "orders"),
	)
	env := testEnv(map[string]string{"GOOD": "esm-secret", "BAD": "wrong-password", "ADMIN": "admin-secret"})
	tests := []struct {
		name       string
		target     Target
		opts       ProbeOptions
		wantStage  string
		wantReason string
	}{
		{name: "scram ok", target: Target{Auth: AuthSCRAM512, Username: "esm", PasswordEnv: "GOOD"}, opts: ProbeOptions{Topic: "orders"}},
		{name: "scram wrong password", target: Target{Auth: AuthSCRAM512, Username: "esm", PasswordEnv: "BAD"}, wantStage: StageSASL, wantReason: "auth_rejected"},
		{name: "wrong mechanism", target: Target{Auth: AuthSCRAM256, Username: "esm", PasswordEnv: "GOOD"}, wantStage: StageSASL, wantReason: "auth_rejected"},
		{name: "missing password env", target: Target{Auth: AuthSCRAM512, Username: "esm", PasswordEnv: "UNSET"}, wantStage: StageSASL, wantReason: "client_config"},
		{name: "acl denies group", target: Target{Auth: AuthSCRAM512, Username: "esm", PasswordEnv: "GOOD"}, opts: ProbeOptions{Topic: "orders", Group: "esm-group"}, wantStage: StageAuthorization, wantReason: "denied"},
		{name: "acl denies topic", target: Target{Auth: AuthSCRAM512, Username: "esm", PasswordEnv: "GOOD"}, opts: ProbeOptions{Topic: "payments"}, wantStage: StageAuthorization, wantReason: "denied"},
		{name: "superuser sees group", target: Target{Auth: AuthSCRAM256, Username: "admin", PasswordEnv: "ADMIN"}, opts: ProbeOptions{Topic: "orders", Group: "esm-group"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.target.Bootstrap = c.ListenAddrs()
			tc.target.Auth = strings.TrimSpace(tc.target.Auth)
			// kfake speaks SASL over plaintext; probe the SASL stage without TLS.
			rep := probeNoTLS(t, env, tc.target, tc.opts)
			if len(rep.Addresses) != 3 {
				t.Fatalf("addresses = %d", len(rep.Addresses))
			}
			a := rep.Addresses[0]
			if a.Failed != tc.wantStage || a.Reason != tc.wantReason {
				t.Fatalf("failed %q/%q, want %q/%q: %+v", a.Failed, a.Reason, tc.wantStage, tc.wantReason, a.Stages)
			}
			for _, s := range a.Stages {
				if strings.Contains(s.Detail, "esm-secret") || strings.Contains(s.Detail, "wrong-password") {
					t.Fatalf("secret echoed: %q", s.Detail)
				}
			}
			if !strings.Contains(rep.Vantage, "server's network position") {
				t.Errorf("vantage = %q", rep.Vantage)
			}
		})
	}
}

// probeNoTLS runs the probe with a SASL-over-plaintext listener (kfake's
// SASL has no TLS), by marking TLS as not used for the run.
func probeNoTLS(t *testing.T, env Env, tg Target, o ProbeOptions) ProbeReport {
	t.Helper()
	tg.SASLPlaintext = true
	return env.Probe(context.Background(), tg, o)
}

func TestProbeNetworkStages(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 1)
	closed := closedPort(t)
	silent := silentListener(t)
	tests := []struct {
		name       string
		addr       string
		wantStage  string
		wantReason string
	}{
		{name: "reachable", addr: c.ListenAddrs()[0]},
		// Bug (#21.10): a broker that accepts TCP and never answers was
		// diagnosed as "authentication" (auth none, at that). It fails at
		// kafka_response: no Kafka response after connect (timeout).
		{name: "accepts and never answers", addr: silent, wantStage: StageKafka, wantReason: "no_response"},
		{name: "refused", addr: closed, wantStage: StageTCP, wantReason: "refused"},
		{name: "not host:port", addr: "nonsense", wantStage: StageDNS, wantReason: "bad_address"},
		{name: "dns", addr: "no-such-broker.invalid:9092", wantStage: StageDNS, wantReason: "nxdomain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := Env{LookupHost: noDNS}.Probe(context.Background(), Target{Bootstrap: []string{tc.addr}, Auth: AuthNone}, ProbeOptions{Timeout: 2 * time.Second})
			a := rep.Addresses[0]
			if a.Failed != tc.wantStage || (tc.wantReason != "" && a.Reason != tc.wantReason) {
				t.Fatalf("failed %q/%q, want %q/%q: %+v", a.Failed, a.Reason, tc.wantStage, tc.wantReason, a.Stages)
			}
			if tc.wantStage == "" && (!a.OK || len(a.Stages) != 6) {
				t.Fatalf("not ok: %+v", a)
			}
		})
	}
}

// closedPort is a loopback port nothing listens on. Port 1 (tcpmux) is
// privileged and unused, so it cannot be taken by a parallel test's
// listener, unlike a just-freed ephemeral port.
func closedPort(t *testing.T) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:1", time.Second)
	if err == nil {
		c.Close()
		t.Skip("something listens on 127.0.0.1:1")
	}
	return "127.0.0.1:1"
}

func TestProbeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	caPEM, serverCert := selfSigned(t)
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c := startCluster(t, 1, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}))
	env := testEnv(nil)
	env.LookupHost = noDNS
	_, port, _ := net.SplitHostPort(c.ListenAddrs()[0])
	addr := "localhost:" + port
	tests := []struct {
		name       string
		target     Target
		wantStage  string
		wantReason string
	}{
		{name: "custom CA trusted", target: Target{Bootstrap: []string{addr}, Auth: AuthTLS, CAFile: caFile}},
		{name: "CA missing", target: Target{Bootstrap: []string{addr}, Auth: AuthTLS}, wantStage: StageTLS, wantReason: "unknown_ca"},
		{name: "plaintext to a TLS listener", target: Target{Bootstrap: []string{addr}, Auth: AuthNone}, wantStage: StageSASL},
		{name: "mtls without cert", target: Target{Bootstrap: []string{addr}, Auth: AuthMTLS, CAFile: caFile}, wantStage: StageTLS, wantReason: "client_config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := env.Probe(context.Background(), tc.target, ProbeOptions{Timeout: 2 * time.Second}).Addresses[0]
			if a.Failed != tc.wantStage || (tc.wantReason != "" && a.Reason != tc.wantReason) {
				t.Fatalf("failed %q/%q, want %q/%q: %+v", a.Failed, a.Reason, tc.wantStage, tc.wantReason, a.Stages)
			}
		})
	}
}

func selfSigned(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pair, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, pair
}

func TestOverviewAndTopic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := startCluster(t, 3, kfake.SeedTopics(6, "orders"), kfake.SeedTopics(2, "audit"))
	prod, err := kafkatest.Producer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := kafkatest.Produce(ctx, prod, "orders", []int32{0, 1, 2, 3, 4, 5}, 10, time.Time{}); err != nil {
		t.Fatal(err)
	}
	conn := plainConn(t, c)
	ov, err := conn.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Brokers) != 3 || ov.Partitions != 8 || ov.Controller < 0 || ov.OfflineCount != 0 || ov.LeaderSkew < 1 {
		t.Fatalf("overview = %+v", ov)
	}
	td, err := conn.Topic(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if td.Partitions != 6 || td.Records != 60 || len(td.PartitionList) != 6 || td.PartitionList[0].HWM != 10 || len(td.Configs) == 0 {
		t.Fatalf("topic = %+v", td)
	}
	if _, err := conn.Topic(ctx, "missing"); !errors.Is(err, ErrTopicNotFound) {
		t.Fatalf("missing topic err = %v", err)
	}
	tbs, err := conn.Topics(ctx)
	if err != nil || len(tbs) != 2 || tbs[0].Name != "audit" {
		t.Fatalf("topics = %+v, %v", tbs, err)
	}
}

// A fault injected on Metadata makes the overview fail with an error the
// tool turns into a diagnosis, not a crash.
func TestOverviewMetadataFault(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, kfake.SeedTopics(1, "x"))
	c.ControlKey(int16(kmsg.Metadata), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		return nil, fmt.Errorf("injected"), true
	})
	f := NewFactory(nil, nil, Env{}, nil)
	f.timeout = 2 * time.Second
	defer f.Close()
	conn, err := f.Conn(context.Background(), Target{Bootstrap: c.ListenAddrs(), Auth: AuthNone})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := conn.Overview(ctx); err == nil {
		t.Fatal("overview succeeded under a metadata fault")
	}
}

func TestRecordTimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := startCluster(t, 2, kfake.SeedTopics(2, "t"))
	prod, err := kafkatest.Producer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	ts := time.Now().Add(-90 * time.Second).Truncate(time.Millisecond)
	if err := kafkatest.Produce(ctx, prod, "t", []int32{0, 1}, 5, ts); err != nil {
		t.Fatal(err)
	}
	conn := plainConn(t, c)
	got, err := conn.RecordTimes(ctx, map[TP]int64{{"t", 0}: 3, {"t", 1}: 0}, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[TP{"t", 0}].Timestamp.Equal(ts) || got[TP{"t", 1}].Type != "CreateTime" {
		t.Fatalf("record times = %+v", got)
	}
}

type fakeResolver struct {
	bb  BootstrapBrokers
	err error
}

func (f fakeResolver) GetBootstrapBrokers(context.Context, string) (BootstrapBrokers, error) {
	return f.bb, f.err
}

func TestResolveMSK(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:kafka:us-east-1:123456789012:cluster/prod/abcd-1234"
	bb := BootstrapBrokers{TLS: "b-1:9094,b-2:9094", SASLSCRAM: "b-1:9096,b-2:9096", SASLIAM: "b-1:9098,b-2:9098"}
	tests := []struct {
		name    string
		res     BootstrapResolver
		auth    string
		want    string
		wantErr error
	}{
		{name: "default prefers iam", res: fakeResolver{bb: bb}, want: "b-1:9098"},
		{name: "scram listener", res: fakeResolver{bb: bb}, auth: AuthSCRAM512, want: "b-1:9096"},
		{name: "plaintext not enabled", res: fakeResolver{bb: bb}, auth: AuthNone, wantErr: ErrAuthNotEnabled},
		{name: "public iam only", res: fakeResolver{bb: BootstrapBrokers{PublicSASLIAM: "p-1:9198"}}, auth: AuthIAM, want: "p-1:9198"},
		{name: "resolver error", res: fakeResolver{err: errors.New("AccessDeniedException")}, wantErr: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFactory(nil, tc.res, Env{}, nil)
			tg, _, err := f.Resolve(context.Background(), Target{ClusterARN: arn, Auth: tc.auth})
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.want == "":
				if err == nil {
					t.Fatal("no error")
				}
			case err != nil:
				t.Fatal(err)
			case tg.Bootstrap[0] != tc.want:
				t.Fatalf("bootstrap = %v, want %s", tg.Bootstrap, tc.want)
			}
		})
	}
	if _, _, err := NewFactory(nil, nil, Env{}, nil).Resolve(context.Background(), Target{ClusterARN: arn}); err == nil {
		t.Fatal("resolved without a resolver")
	}
}

func TestNamedClustersAndCache(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 1)
	f := NewFactory(map[string]config.Cluster{"local": {BootstrapServers: strings.Join(c.ListenAddrs(), ","), Auth: "none"}}, nil, Env{}, nil)
	defer f.Close()
	tg, err := f.Named("local")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Conn(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Conn(context.Background(), tg)
	if err != nil || a != b {
		t.Fatalf("not cached: %p %p %v", a, b, err)
	}
	if _, err := f.Named("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	// The cache is bounded: the oldest ad-hoc client goes first.
	for i := range maxConns + 1 {
		if _, err := f.Conn(context.Background(), Target{Bootstrap: []string{fmt.Sprintf("127.0.0.1:%d", 2+i)}, Auth: AuthNone}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.conns); n != maxConns {
		t.Fatalf("cached clients = %d, want %d", n, maxConns)
	}
	// An unreachable cluster still yields a client: failure is a diagnosis later.
	if _, err := f.Conn(context.Background(), Target{Bootstrap: []string{closedPort(t)}, Auth: AuthNone}); err != nil {
		t.Fatalf("unreachable cluster failed at creation: %v", err)
	}
}

// noDNS answers every lookup with NXDOMAIN, so tests never query a resolver.
func noDNS(_ context.Context, host string) ([]string, error) {
	if host == "localhost" {
		return []string{"127.0.0.1"}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// Topic shows configs with their source, flags the non-default ones, and
// lists the ACLs whose pattern matches the topic (read as a superuser).
func TestTopicConfigsAndACLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := startCluster(t, 2, kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-256", "admin", "admin-secret"),
		kfake.User("SCRAM-SHA-512", "esm", "esm-secret",
			kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "ord", Pattern: kmsg.ACLResourcePatternTypePrefixed, Operation: kmsg.ACLOperationRead, Allow: true},
			kfake.ACL{Resource: kmsg.ACLResourceTypeTopic, Name: "other", Pattern: kmsg.ACLResourcePatternTypeLiteral, Operation: kmsg.ACLOperationRead, Allow: true}))
	f := NewFactory(nil, nil, testEnv(map[string]string{"ADMIN": "admin-secret"}), nil)
	defer f.Close()
	conn, err := f.Conn(ctx, Target{Bootstrap: c.ListenAddrs(), Auth: AuthSCRAM256, Username: "admin", PasswordEnv: "ADMIN", SASLPlaintext: true})
	if err != nil {
		t.Fatal(err)
	}
	retention := "3600000"
	if _, err := conn.Admin.CreateTopic(ctx, 2, 2, map[string]*string{"retention.ms": &retention}, "orders"); err != nil {
		t.Fatal(err)
	}
	td, err := conn.Topic(ctx, "orders")
	if err != nil {
		t.Fatal(err)
	}
	var nd *ConfigEntry
	for i := range td.NonDefault {
		if td.NonDefault[i].Name == "retention.ms" {
			nd = &td.NonDefault[i]
		}
	}
	if nd == nil || nd.Value != retention || nd.Source != "DYNAMIC_TOPIC_CONFIG" {
		t.Fatalf("non-default retention.ms = %+v (all non-default: %+v)", nd, td.NonDefault)
	}
	for _, ce := range td.NonDefault {
		if ce.Default {
			t.Errorf("default config listed as non-default: %+v", ce)
		}
	}
	if len(td.ACLs) != 1 || td.ACLs[0].Principal != "User:esm" || !strings.Contains(td.ACLs[0].Pattern, "PREFIXED ord") {
		t.Fatalf("ACLs = %+v (warnings %v)", td.ACLs, td.Warnings)
	}
}

// silentListener accepts connections and never writes a byte.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
