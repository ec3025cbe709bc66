package backends

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/testenv/kafkareal"
)

// Named clusters every Kafka backend offers, by what a case needs.
const (
	cNone     = "none"      // no authentication, super user
	cSCRAM    = "scram"     // SCRAM-SHA-512 over SASL_PLAINTEXT, admin
	cPLAIN    = "plain"     // PLAIN over SASL_PLAINTEXT, admin
	cSCRAMTLS = "scram_tls" // SCRAM-SHA-512 over SASL_SSL, admin, trusting the CA
	cMTLS     = "mtls"      // TLS with a client certificate
	cBadPass  = "bad_pass"  // SCRAM with a wrong password
	cAlice    = "alice"     // SCRAM user without ACLs
	cNoCA     = "no_ca"     // SASL_SSL without the private CA: TLS trust failure
	cClosed   = "closed"    // a port nothing listens on
	cPlainBad = "plain_bad" // PLAIN with a wrong password
)

// kafkaBackend is one Kafka implementation with the named clusters above in
// a --config file, and a super-user client per cluster for set-up.
type kafkaBackend struct {
	name    string
	version string
	config  string                 // path of the --config file
	admins  map[string]*kgo.Client // set-up client per named cluster
	// divergences the suite knows about: case name -> why the in-process
	// backend answers differently (the case is then skipped there).
	divergent map[string]string
	closers   []func()
}

func (b *kafkaBackend) close() {
	seen := map[*kgo.Client]bool{}
	for _, a := range b.admins {
		if !seen[a] {
			seen[a] = true
			a.Close()
		}
	}
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
}

// admin returns the super-user client that reaches the same data as the
// named cluster.
func (b *kafkaBackend) admin(cluster string) *kgo.Client {
	if a, ok := b.admins[cluster]; ok {
		return a
	}
	return b.admins[cNone]
}

func writeConfig(dir string, clusters map[string]config.Cluster) (string, error) {
	raw, err := yaml.Marshal(map[string]any{"clusters": clusters})
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "clusters.yaml")
	return p, os.WriteFile(p, raw, 0o600)
}

func writePasswords(dir string) (admin, alice, wrong string, err error) {
	admin, alice, wrong = filepath.Join(dir, "admin.pw"), filepath.Join(dir, "alice.pw"), filepath.Join(dir, "wrong.pw")
	for p, v := range map[string]string{admin: kafkareal.AdminPassword, alice: kafkareal.AlicePassword, wrong: "not-the-password"} {
		if err = os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			return
		}
	}
	return
}

func closedPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	a := l.Addr().String()
	l.Close()
	return a, nil
}

// clusterSet names every cluster of a backend from the listener addresses.
func clusterSet(dir string, plaintext, saslPlain, saslSSL, ssl string, certs kafkareal.Certs) (map[string]config.Cluster, error) {
	admin, alice, wrong, err := writePasswords(dir)
	if err != nil {
		return nil, err
	}
	closed, err := closedPort()
	if err != nil {
		return nil, err
	}
	u := kafkareal.AdminUser
	return map[string]config.Cluster{
		cNone:     {BootstrapServers: plaintext, Auth: "none"},
		cSCRAM:    {BootstrapServers: saslPlain, Auth: "sasl_scram_512", Username: u, PasswordFile: admin, SASLPlaintext: true},
		cPLAIN:    {BootstrapServers: saslPlain, Auth: "sasl_plain", Username: u, PasswordFile: admin, SASLPlaintext: true},
		cPlainBad: {BootstrapServers: saslPlain, Auth: "sasl_plain", Username: u, PasswordFile: wrong, SASLPlaintext: true},
		cSCRAMTLS: {BootstrapServers: saslSSL, Auth: "sasl_scram_512", Username: u, PasswordFile: admin, CAFile: certs.CAFile},
		cMTLS:     {BootstrapServers: ssl, Auth: "mtls", CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile},
		cBadPass:  {BootstrapServers: saslPlain, Auth: "sasl_scram_512", Username: u, PasswordFile: wrong, SASLPlaintext: true},
		cAlice:    {BootstrapServers: saslPlain, Auth: "sasl_scram_512", Username: kafkareal.AliceUser, PasswordFile: alice, SASLPlaintext: true},
		cNoCA:     {BootstrapServers: saslSSL, Auth: "sasl_scram_512", Username: u, PasswordFile: admin},
		cClosed:   {BootstrapServers: closed, Auth: "none"},
	}, nil
}

// startReal starts Apache Kafka (one KRaft node with every listener).
func startReal(ctx context.Context, dir string) (*kafkaBackend, error) {
	c, err := kafkareal.Start(ctx, kafkareal.Options{Dir: filepath.Join(dir, "node")})
	if err != nil {
		return nil, err
	}
	b := &kafkaBackend{name: "apache-kafka-" + c.Version, version: c.Version, closers: []func(){c.Stop}}
	clusters, err := clusterSet(dir, c.Plaintext, c.SASLPlaintext, c.SASLSSL, c.SSL, c.Certs)
	if err != nil {
		b.close()
		return nil, err
	}
	if b.config, err = writeConfig(dir, clusters); err != nil {
		b.close()
		return nil, err
	}
	adm, err := kgo.NewClient(kgo.SeedBrokers(c.Plaintext))
	if err != nil {
		b.close()
		return nil, err
	}
	b.admins = map[string]*kgo.Client{cNone: adm}
	return b, nil
}

// startKfake starts one kfake cluster per security protocol (kfake has one
// listener per cluster): plaintext; SASL (SCRAM-SHA-512 and PLAIN super
// users, alice without ACLs, ACLs on); SASL over TLS; and mTLS.
func startKfake(dir string) (*kafkaBackend, error) {
	certs, err := kafkareal.WriteCerts(dir)
	if err != nil {
		return nil, err
	}
	b := &kafkaBackend{name: "kfake", version: "kfake", admins: map[string]*kgo.Client{}, divergent: map[string]string{}}
	start := func(opts ...kfake.Opt) (*kfake.Cluster, error) {
		c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, c.Close)
		return c, nil
	}
	sasl := []kfake.Opt{
		kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-512", kafkareal.AdminUser, kafkareal.AdminPassword),
		kfake.Superuser("PLAIN", kafkareal.AdminUser, kafkareal.AdminPassword),
		kfake.User("SCRAM-SHA-512", kafkareal.AliceUser, kafkareal.AlicePassword),
	}
	srvTLS, err := certs.ServerTLSConfig(false)
	if err != nil {
		return nil, err
	}
	srvMTLS, err := certs.ServerTLSConfig(true)
	if err != nil {
		return nil, err
	}
	plain, err := start()
	if err != nil {
		b.close()
		return nil, err
	}
	saslPlain, err := start(sasl...)
	if err != nil {
		b.close()
		return nil, err
	}
	saslSSL, err := start(append(append([]kfake.Opt{}, sasl...), kfake.TLS(srvTLS))...)
	if err != nil {
		b.close()
		return nil, err
	}
	mtls, err := start(kfake.TLS(srvMTLS))
	if err != nil {
		b.close()
		return nil, err
	}
	addr := func(c *kfake.Cluster) string { return strings.Join(c.ListenAddrs(), ",") }
	clusters, err := clusterSet(dir, addr(plain), addr(saslPlain), addr(saslSSL), addr(mtls), certs)
	if err != nil {
		b.close()
		return nil, err
	}
	if b.config, err = writeConfig(dir, clusters); err != nil {
		b.close()
		return nil, err
	}
	scram := func(c *kfake.Cluster, extra ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...), kgo.SASL(adminSCRAM())}, extra...)...)
	}
	tlsCli, err := certs.TLSConfig(false)
	if err != nil {
		b.close()
		return nil, err
	}
	mtlsCli, err := certs.TLSConfig(true)
	if err != nil {
		b.close()
		return nil, err
	}
	mk := []struct {
		names []string
		cl    func() (*kgo.Client, error)
	}{
		{[]string{cNone, cClosed}, func() (*kgo.Client, error) { return kgo.NewClient(kgo.SeedBrokers(plain.ListenAddrs()...)) }},
		{[]string{cSCRAM, cPLAIN, cBadPass, cAlice, cPlainBad}, func() (*kgo.Client, error) { return scram(saslPlain) }},
		{[]string{cSCRAMTLS, cNoCA}, func() (*kgo.Client, error) { return scram(saslSSL, kgo.DialTLSConfig(tlsCli)) }},
		{[]string{cMTLS}, func() (*kgo.Client, error) {
			return kgo.NewClient(kgo.SeedBrokers(mtls.ListenAddrs()...), kgo.DialTLSConfig(mtlsCli))
		}},
	}
	for _, m := range mk {
		cl, err := m.cl()
		if err != nil {
			b.close()
			return nil, fmt.Errorf("kfake set-up client: %w", err)
		}
		for _, n := range m.names {
			b.admins[n] = cl
		}
	}
	return b, nil
}
