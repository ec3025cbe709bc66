package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(Config) bool
		rest    []string
		wantErr string
	}{
		{name: "defaults", args: []string{"serve"}, rest: []string{"serve"},
			want: func(c Config) bool {
				return !c.AllowWrite && c.LogLevel == "info" && c.CallTimeout == 60*time.Second && c.AuditLog == "stderr"
			}},
		{name: "bare bool flag", args: []string{"--allow-write", "tools"}, rest: []string{"tools"},
			want: func(c Config) bool { return c.AllowWrite && !c.AllowDestructive }},
		{name: "env", args: nil, env: map[string]string{"STREAM_MCP_ALLOW_WRITE": "true", "AWS_REGION": "eu-west-1"},
			want: func(c Config) bool { return c.AllowWrite && c.Region == "eu-west-1" }},
		{name: "flag beats env", args: []string{"--region", "us-east-2"}, env: map[string]string{"AWS_REGION": "eu-west-1"},
			want: func(c Config) bool { return c.Region == "us-east-2" }},
		{name: "destructive without write", args: []string{"--allow-destructive"}, wantErr: "needs --allow-write"},
		{name: "bad bool env", env: map[string]string{"STREAM_MCP_ALLOW_WRITE": "yes please"}, wantErr: "want true or false"},
		{name: "bad level", args: []string{"--log-level", "loud"}, wantErr: "--log-level"},
		{name: "bad timeout", args: []string{"--call-timeout", "-1s"}, wantErr: "--call-timeout"},
		{name: "state dir from XDG", env: map[string]string{"XDG_STATE_HOME": "/x"},
			want: func(c Config) bool { return c.StateDir == filepath.Join("/x", "stream-mcp") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, rest, err := Parse(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(c) {
				t.Fatalf("config %+v not as expected", c)
			}
			if strings.Join(rest, " ") != strings.Join(tc.rest, " ") {
				t.Fatalf("rest = %v, want %v", rest, tc.rest)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "clusters:\n  dev:\n    bootstrap_servers: 127.0.0.1:9092\n    auth: none\n")
	f, err := LoadFile(good)
	if err != nil || f.Clusters["dev"].BootstrapServers != "127.0.0.1:9092" {
		t.Fatalf("LoadFile = %+v, %v", f, err)
	}
	for name, body := range map[string]string{
		"unknown key":  "clusters:\n  dev:\n    bootstrap_servers: a:1\n    password: hunter2\n",
		"no address":   "clusters:\n  dev:\n    auth: iam\n",
		"unknown auth": "clusters:\n  dev:\n    bootstrap_servers: a:1\n    auth: kerberos\n",
	} {
		if _, err := LoadFile(write(strings.ReplaceAll(name, " ", "_")+".yaml", body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Bug (#21.5): credentials bind STREAM_MCP_KAFKA_* passwords to brokers;
// the section is checked when the file loads.
func TestLoadFileCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct{ name, body, want string }{
		{"good", "credentials:\n  STREAM_MCP_KAFKA_DEV:\n    brokers: [dev.example:9092]\n    allow_sasl_plaintext: true\nclusters:\n  c:\n    bootstrap_servers: a:1\n    sasl_plaintext: true\n", ""},
		{"other variable", "credentials:\n  AWS_SECRET_ACCESS_KEY:\n    brokers: [a:1]\n", "must start with STREAM_MCP_KAFKA_"},
		{"broker without port", "credentials:\n  STREAM_MCP_KAFKA_DEV:\n    brokers: [dev.example]\n", "not host:port"},
	} {
		p := filepath.Join(dir, tc.name+".yaml")
		if err := os.WriteFile(p, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := LoadFile(p)
		if tc.want == "" {
			if err != nil || !f.Credentials["STREAM_MCP_KAFKA_DEV"].AllowSASLPlaintext || !f.Clusters["c"].SASLPlaintext {
				t.Errorf("%s: %+v %v", tc.name, f, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}
