// Package kafkareal starts a real Apache Kafka 4.x broker (KRaft, combined
// broker and controller) on 127.0.0.1 for tests, so the Kafka suites that run
// against franz-go's kfake also run against the implementation users deploy.
//
// The broker jars come from Maven Central, resolved once by Maven from
// testdata/kafka/pom.xml into a cache directory (STREAM_MCP_KAFKA_LIBS, or
// $XDG_CACHE_HOME/stream-mcp/kafka-VERSION/libs). The node has one listener
// per security protocol users meet on MSK and self-managed clusters:
//
//	PLAINTEXT       no authentication (principal ANONYMOUS, a super user)
//	SASL_PLAINTEXT  SCRAM-SHA-512 and PLAIN
//	SASL_SSL        SCRAM-SHA-512 and PLAIN over TLS
//	SSL             TLS with required client certificates (mTLS)
//
// with the StandardAuthorizer and allow.everyone.if.no.acl.found=false, so a
// user without ACLs is refused exactly as on a secured cluster. The
// certificates (a CA, the broker's and a client's) are generated per start.
// Nothing listens beyond loopback.
package kafkareal

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

// Users with their passwords. Admin is a super user; Alice has no ACLs
// until a test grants them.
const (
	AdminUser     = "admin"
	AdminPassword = "admin-secret-0"
	AliceUser     = "alice"
	AlicePassword = "alice-secret-0"
	// ClientCN is the mTLS client certificate's common name; the broker
	// maps it to the principal User:<ClientCN>.
	ClientCN = "stream-mcp-client"
)

// Cluster is a running broker.
type Cluster struct {
	// Version is the Kafka version of the jars (from the pom).
	Version string
	// Listener addresses (host:port), by security protocol.
	Plaintext, SASLPlaintext, SASLSSL, SSL string
	// Certs are the CA, broker and client certificates, in Dir.
	Certs
	// Dir holds the configuration, data, certificates and broker.log.
	Dir string

	cmd  *exec.Cmd
	done chan error
}

// Options tune Start.
type Options struct {
	// Dir is where the node keeps its files; a temporary directory when
	// empty (removed by Stop).
	Dir string
	// StartTimeout bounds format plus start-up; 90 s when zero (a cold
	// JVM on a loaded 2-core machine needs 10-25 s).
	StartTimeout time.Duration
}

// Version reads the pinned Kafka version from testdata/kafka/pom.xml.
func Version() (string, error) {
	b, err := os.ReadFile(repopath.Testdata("kafka", "pom.xml"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`<kafka\.version>([^<]+)</kafka\.version>`).FindSubmatch(b)
	if m == nil {
		return "", errors.New("kafkareal: no <kafka.version> in testdata/kafka/pom.xml")
	}
	return string(m[1]), nil
}

// Libs returns the directory with the broker's jars, resolving them with
// Maven on first use. It returns an error when Maven or Java is missing.
func Libs(ctx context.Context) (string, error) {
	v, err := Version()
	if err != nil {
		return "", err
	}
	dir := os.Getenv("STREAM_MCP_KAFKA_LIBS")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(cache, "stream-mcp", "kafka-"+v, "libs")
	}
	stamp := filepath.Join(dir, ".resolved")
	if _, err := os.Stat(stamp); err == nil {
		return dir, nil
	}
	if _, err := exec.LookPath("mvn"); err != nil {
		return "", errors.New("kafkareal: mvn is not installed (apt-get install maven)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "mvn", "-q", "-B", "-f", repopath.Testdata("kafka", "pom.xml"),
		"dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("kafkareal: resolving Kafka %s jars with Maven: %w\n%s", v, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "kafka_2.13-"+v+".jar")); err != nil {
		return "", fmt.Errorf("kafkareal: Maven finished but kafka_2.13-%s.jar is missing in %s", v, dir)
	}
	return dir, os.WriteFile(stamp, []byte(v+"\n"), 0o644)
}

// Start formats storage and starts one KRaft node. Call Stop when done.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if _, err := exec.LookPath("java"); err != nil {
		return nil, errors.New("kafkareal: java is not installed (Kafka 4 needs Java 17+)")
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()
	libs, err := Libs(ctx)
	if err != nil {
		return nil, err
	}
	v, _ := Version()
	c := &Cluster{Version: v, Dir: o.Dir}
	if c.Dir == "" {
		if c.Dir, err = os.MkdirTemp("", "kafkareal-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, err
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	addr := func(i int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[i])) }
	c.Plaintext, c.SASLPlaintext, c.SASLSSL, c.SSL = addr(0), addr(1), addr(2), addr(3)
	controller := addr(4)
	if c.Certs, err = WriteCerts(c.Dir); err != nil {
		return nil, err
	}
	props := filepath.Join(c.Dir, "server.properties")
	if err := os.WriteFile(props, []byte(c.properties(controller)), 0o600); err != nil {
		return nil, err
	}
	log4j := filepath.Join(c.Dir, "log4j2.properties")
	if err := os.WriteFile(log4j, []byte(log4jConfig(filepath.Join(c.Dir, "broker.log"))), 0o600); err != nil {
		return nil, err
	}
	java := func(ctx context.Context, main string, args ...string) *exec.Cmd {
		all := append([]string{
			"-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
			"-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j,
			"-cp", filepath.Join(libs, "*"), main,
		}, args...)
		return exec.CommandContext(ctx, "java", all...)
	}
	format := java(ctx, "kafka.tools.StorageTool", "format", "--ignore-formatted",
		"-t", clusterID(), "-c", props,
		"--add-scram", fmt.Sprintf("SCRAM-SHA-512=[name=%s,password=%s]", AdminUser, AdminPassword),
		"--add-scram", fmt.Sprintf("SCRAM-SHA-512=[name=%s,password=%s]", AliceUser, AlicePassword))
	if out, err := format.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("kafkareal: formatting storage: %w\n%s", err, out)
	}
	logf, err := os.Create(filepath.Join(c.Dir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	// The broker outlives ctx (it is the start-up budget only).
	c.cmd = java(context.Background(), "kafka.Kafka", props)
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("kafkareal: starting the broker: %w", err)
	}
	c.done = make(chan error, 1)
	go func() { c.done <- c.cmd.Wait(); logf.Close() }()
	if err := c.waitReady(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// waitReady waits for the broker to log that it started and to accept
// connections on every listener.
func (c *Cluster) waitReady(ctx context.Context) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-c.done:
			return fmt.Errorf("kafkareal: the broker exited during start-up (%v); last log lines:\n%s", err, c.LogTail(30))
		case <-ctx.Done():
			return fmt.Errorf("kafkareal: the broker did not start in time: %w; last log lines:\n%s", ctx.Err(), c.LogTail(30))
		case <-tick.C:
		}
		if !strings.Contains(c.LogTail(400), "Kafka Server started") {
			continue
		}
		ok := true
		for _, a := range []string{c.Plaintext, c.SASLPlaintext, c.SASLSSL, c.SSL} {
			conn, err := net.DialTimeout("tcp", a, time.Second)
			if err != nil {
				ok = false
				break
			}
			conn.Close()
		}
		if ok {
			return nil
		}
	}
}

// Stop kills the broker and removes its directory.
func (c *Cluster) Stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Kill()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
		}
	}
	_ = os.RemoveAll(c.Dir)
}

// LogTail returns the last n lines of the broker's logs.
func (c *Cluster) LogTail(n int) string {
	var lines []string
	for _, name := range []string{"stdout.log", "broker.log"} {
		f, err := os.Open(filepath.Join(c.Dir, name))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TLSConfig returns a client TLS configuration trusting the CA, with the
// client certificate when mtls is true.
func (c Certs) TLSConfig(mtls bool) (*tls.Config, error) {
	ca, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("kafkareal: bad CA PEM")
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if mtls {
		cert, err := tls.LoadX509KeyPair(c.ClientCertFile, c.ClientKeyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ServerTLSConfig is the server side for in-process brokers (kfake): the
// server certificate, and required client certificates when mtls is true.
func (c Certs) ServerTLSConfig(mtls bool) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.ServerCertFile, c.ServerKeyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if mtls {
		ca, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca)
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

func (c *Cluster) properties(controller string) string {
	jaasPlain := fmt.Sprintf(`org.apache.kafka.common.security.plain.PlainLoginModule required user_%s="%s" user_%s="%s";`,
		AdminUser, AdminPassword, AliceUser, AlicePassword)
	jaasScram := `org.apache.kafka.common.security.scram.ScramLoginModule required;`
	lines := []string{
		"process.roles=broker,controller",
		"node.id=1",
		"controller.quorum.voters=1@" + controller,
		"controller.listener.names=CONTROLLER",
		"inter.broker.listener.name=PLAINTEXT",
		fmt.Sprintf("listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s,SASL_SSL://%s,SSL://%s,CONTROLLER://%s",
			c.Plaintext, c.SASLPlaintext, c.SASLSSL, c.SSL, controller),
		fmt.Sprintf("advertised.listeners=PLAINTEXT://%s,SASL_PLAINTEXT://%s,SASL_SSL://%s,SSL://%s",
			c.Plaintext, c.SASLPlaintext, c.SASLSSL, c.SSL),
		"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT",
		"sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN",
		"listener.name.sasl_plaintext.plain.sasl.jaas.config=" + jaasPlain,
		"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=" + jaasScram,
		"listener.name.sasl_ssl.plain.sasl.jaas.config=" + jaasPlain,
		"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" + jaasScram,
		"ssl.keystore.type=PEM",
		"ssl.keystore.location=" + c.KeystoreFile,
		"ssl.truststore.type=PEM",
		"ssl.truststore.location=" + c.CAFile,
		"listener.name.ssl.ssl.client.auth=required",
		`ssl.principal.mapping.rules=RULE:^CN=([^,]+).*$/$1/,DEFAULT`,
		"authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		// ANONYMOUS is the PLAINTEXT and CONTROLLER principal (inter-broker
		// and controller traffic), so it must be a super user.
		"super.users=User:" + AdminUser + ";User:ANONYMOUS;User:" + ClientCN,
		"allow.everyone.if.no.acl.found=false",
		"log.dirs=" + filepath.Join(c.Dir, "data"),
		"num.partitions=1",
		"offsets.topic.replication.factor=1",
		"offsets.topic.num.partitions=3",
		"transaction.state.log.replication.factor=1",
		"transaction.state.log.min.isr=1",
		"transaction.state.log.num.partitions=3",
		"share.coordinator.state.topic.replication.factor=1",
		"share.coordinator.state.topic.min.isr=1",
		"group.initial.rebalance.delay.ms=0",
		"auto.create.topics.enable=false",
		"log.segment.bytes=1048576",
	}
	return strings.Join(lines, "\n") + "\n"
}

func log4jConfig(file string) string {
	return strings.Join([]string{
		"status=warn",
		"appender.f.type=File",
		"appender.f.name=F",
		"appender.f.fileName=" + file,
		"appender.f.layout.type=PatternLayout",
		"appender.f.layout.pattern=[%d] %p %m (%c)%n",
		"rootLogger.level=INFO",
		"rootLogger.appenderRef.f.ref=F",
		"logger.kafka.name=kafka",
		"logger.kafka.level=INFO",
		"logger.org.name=org.apache.kafka",
		"logger.org.level=WARN",
	}, "\n") + "\n"
}

// clusterID is a random KRaft cluster id: 16 bytes, URL-safe base64
// without padding, as kafka-storage random-uuid prints.
func clusterID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func freePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Certs are PEM files for TLS tests: a CA, a server certificate for
// localhost/127.0.0.1, and an mTLS client certificate with CN ClientCN.
type Certs struct {
	CAFile, ServerCertFile, ServerKeyFile, ClientCertFile, ClientKeyFile string
	// KeystoreFile is the server key and chain in one file, as Kafka's
	// ssl.keystore.type=PEM reads it (an unencrypted PKCS#8 key first).
	KeystoreFile string
}

// WriteCerts generates Certs into dir (valid for a day).
func WriteCerts(dir string) (Certs, error) {
	var c Certs
	err := c.write(dir)
	return c, err
}

func (c *Certs) write(dir string) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stream-mcp test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, cn string, server bool) (certPEM, keyPEM []byte, err error) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature,
		}
		if server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			return nil, nil, err
		}
		p8, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), nil
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	srvCert, srvKey, err := issue(2, "localhost", true)
	if err != nil {
		return err
	}
	cliCert, cliKey, err := issue(3, ClientCN, false)
	if err != nil {
		return err
	}
	c.CAFile = filepath.Join(dir, "ca.pem")
	c.ServerCertFile = filepath.Join(dir, "server-cert.pem")
	c.ServerKeyFile = filepath.Join(dir, "server-key.pem")
	c.ClientCertFile = filepath.Join(dir, "client-cert.pem")
	c.ClientKeyFile = filepath.Join(dir, "client-key.pem")
	c.KeystoreFile = filepath.Join(dir, "server-keystore.pem")
	keystore := append(append(append([]byte{}, srvKey...), srvCert...), caPEM...)
	for name, b := range map[string][]byte{
		c.CAFile: caPEM, c.ServerCertFile: srvCert, c.ServerKeyFile: srvKey,
		c.ClientCertFile: cliCert, c.ClientKeyFile: cliKey, c.KeystoreFile: keystore,
	} {
		if err := os.WriteFile(name, b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
