package kafka

import (
	"fmt"
	"net"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// SetCredentialBindings installs the --config file's credentials section:
// where each STREAM_MCP_KAFKA_* password a call names may be sent.
func (f *Factory) SetCredentialBindings(b map[string]config.CredentialBinding) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bindings = b
}

// CheckAdHocSecret decides whether an ad-hoc target (bootstrap_servers or
// cluster_arn from a tool call, not a named cluster) may carry the password
// it names. A password goes only to brokers the user bound it to: in the
// config file's credentials section, or as the brokers of a named cluster
// with the same password_env. SASL over a plaintext listener needs the
// binding's allow_sasl_plaintext. A target without a password passes.
func (f *Factory) CheckAdHocSecret(t Target) error {
	if t.PasswordEnv == "" {
		return nil
	}
	f.mu.Lock()
	b, bound := f.bindings[t.PasswordEnv]
	f.mu.Unlock()
	allowed := map[string]bool{}
	for _, h := range b.Brokers {
		allowed[normAddr(h)] = true
	}
	for _, c := range f.clusters {
		if c.PasswordEnv == t.PasswordEnv {
			bound = true
			for _, h := range SplitBootstrap(c.BootstrapServers) {
				allowed[normAddr(h)] = true
			}
		}
	}
	hint := fmt.Sprintf("bind it in the --config file (credentials: {%s: {brokers: [host:port, ...]}}) or name a configured cluster with cluster=NAME", t.PasswordEnv)
	if !bound {
		return fmt.Errorf("password_env %s is not bound to any broker, so it is sent nowhere: a call could otherwise send the password to a broker of its choosing; %s", t.PasswordEnv, hint)
	}
	if t.ClusterARN != "" && len(t.Bootstrap) == 0 {
		for _, a := range b.ClusterARNs {
			if a == t.ClusterARN {
				return f.checkPlaintext(t, b)
			}
		}
		return fmt.Errorf("password_env %s is not bound to cluster %s; add it under credentials.%s.cluster_arns in the --config file", t.PasswordEnv, t.ClusterARN, t.PasswordEnv)
	}
	for _, h := range t.Bootstrap {
		if !allowed[normAddr(h)] {
			return fmt.Errorf("password_env %s is not bound to broker %s; the password goes only to the brokers the user bound it to: %s", t.PasswordEnv, h, hint)
		}
	}
	return f.checkPlaintext(t, b)
}

func (f *Factory) checkPlaintext(t Target, b config.CredentialBinding) error {
	if t.SASLPlaintext && !b.AllowSASLPlaintext {
		return fmt.Errorf("sasl_plaintext would send the password of %s over an unencrypted connection; allowed only when credentials.%s.allow_sasl_plaintext is true in the --config file (or use a TLS listener)", t.PasswordEnv, t.PasswordEnv)
	}
	return nil
}

// normAddr lower-cases the host of host:port (DNS names are case-blind).
func normAddr(a string) string {
	host, port, err := net.SplitHostPort(strings.TrimSpace(a))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(a))
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}
