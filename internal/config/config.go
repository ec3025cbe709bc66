// Package config owns the process configuration: global flags, their
// environment equivalents and defaults, and the optional config file with
// named Kafka clusters. The flag table here is the single source for both the
// command line and the README's flags table (a test keeps them equal).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is everything the process needs to start, resolved from flags,
// environment and defaults (in that order of precedence).
type Config struct {
	Region           string
	Profile          string
	EndpointURL      string
	AllowWrite       bool
	AllowDestructive bool
	LogLevel         string
	ConfigFile       string
	StateDir         string
	AuditLog         string
	CallTimeout      time.Duration
	// Confirm is how writes are confirmed: "token" or "elicitation".
	Confirm string

	// File is the parsed --config file (zero value when none was given).
	File File
}

// File is the optional YAML config file.
type File struct {
	// Clusters are named Kafka clusters that tools address with `cluster`.
	Clusters map[string]Cluster `yaml:"clusters"`
	// Credentials bind each STREAM_MCP_KAFKA_* password a tool call may
	// name (password_env with bootstrap_servers or cluster_arn) to the
	// brokers that may receive it. A password is never sent anywhere else:
	// a prompt-injected call naming an attacker's broker gets a refusal.
	Credentials map[string]CredentialBinding `yaml:"credentials"`
}

// AdHocPasswordEnvPrefix is the prefix an environment variable must carry
// for a tool call to name it as a SASL password (our policy, not an AWS
// fact): other secrets of the machine stay out of reach.
const AdHocPasswordEnvPrefix = "STREAM_MCP_KAFKA_"

// CredentialBinding says where one password may go.
type CredentialBinding struct {
	// Brokers are host:port addresses; a call's bootstrap servers must all
	// be among them (or among the brokers of a named cluster with the same
	// password_env).
	Brokers []string `yaml:"brokers"`
	// ClusterARNs are MSK clusters whose brokers may receive the password.
	ClusterARNs []string `yaml:"cluster_arns"`
	// AllowSASLPlaintext lets a call send this password over a plaintext
	// listener (sasl_plaintext: true), in the clear. Off by default.
	AllowSASLPlaintext bool `yaml:"allow_sasl_plaintext"`
}

// Cluster describes how to reach one Kafka cluster. Secrets are referenced
// (environment variable or file), never written inline.
type Cluster struct {
	// BootstrapServers is a comma-separated host:port list, or empty when
	// ClusterARN is set (resolved through GetBootstrapBrokers).
	BootstrapServers string `yaml:"bootstrap_servers"`
	ClusterARN       string `yaml:"cluster_arn"`
	// Auth is one of iam, sasl_scram_512, sasl_scram_256, sasl_plain, mtls,
	// tls, none.
	Auth string `yaml:"auth"`
	// Username for SASL; the password comes from PasswordEnv or PasswordFile.
	Username     string `yaml:"username"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// TLS material for mtls and tls (PEM files).
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// Region of an MSK cluster for IAM auth (defaults to the global region).
	Region string `yaml:"region"`
	// SASLPlaintext runs SASL over a plaintext listener (SASL_PLAINTEXT):
	// the password crosses the network in the clear (PLAIN) or hashed
	// (SCRAM), so it is allowed only when the cluster entry says so.
	SASLPlaintext bool `yaml:"sasl_plaintext"`
}

// Flag documents one global flag.
type Flag struct {
	Name    string // without dashes
	Env     string // environment variable, "" when none
	Default string // as shown to users
	Usage   string
}

// Flags is the table of global flags, in display order.
func Flags() []Flag {
	return []Flag{
		{"region", "AWS_REGION", "from the AWS config", "AWS Region for every AWS call"},
		{"profile", "AWS_PROFILE", "from the AWS config", "AWS shared-config profile"},
		{"endpoint-url", "STREAM_MCP_ENDPOINT_URL", "", "send every AWS call to this endpoint, e.g. the one stream-mcp simulate prints"},
		{"allow-write", "STREAM_MCP_ALLOW_WRITE", "false", "register write tools (each still asks for confirmation)"},
		{"allow-destructive", "STREAM_MCP_ALLOW_DESTRUCTIVE", "false", "also register destructive tools (needs --allow-write)"},
		{"log-level", "STREAM_MCP_LOG_LEVEL", "info", "debug, info, warn or error; logs go to stderr"},
		{"config", "STREAM_MCP_CONFIG", "", "YAML file with named Kafka clusters"},
		{"state-dir", "STREAM_MCP_STATE_DIR", "$XDG_STATE_HOME/stream-mcp", "where the confirmation key and used-token ledger live (mode 0600)"},
		{"audit-log", "STREAM_MCP_AUDIT_LOG", "stderr", "JSON-lines audit log of every write attempt (a file path, or stderr)"},
		{"call-timeout", "STREAM_MCP_CALL_TIMEOUT", "60s", "deadline of one tool call"},
		{"confirm", "STREAM_MCP_CONFIRM", "token", "who confirms writes: token (the model may send back the plan's token) or elicitation (only the user: the client's prompt, or `stream-mcp approve PLAN_ID` in a terminal)"},
	}
}

// Parse resolves the global flags in args (flags first, then the
// subcommand and its own arguments, which are returned as rest).
// getenv is os.Getenv in production.
func Parse(args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	fs := flag.NewFlagSet("stream-mcp", flag.ContinueOnError)
	// The command prints its own help (with subcommands and environment
	// names) and errors; the flag package's would repeat them.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	_ = stderr
	vals := map[string]*string{}
	for _, f := range Flags() {
		v := getenv(f.Env)
		p := &v
		vals[f.Name] = p
		if f.Name == "allow-write" || f.Name == "allow-destructive" {
			// Real boolean flags: --allow-write needs no value.
			fs.BoolFunc(f.Name, f.Usage, func(s string) error { *p = s; return nil })
			continue
		}
		fs.StringVar(p, f.Name, v, f.Usage)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	c := Config{
		Region:      *vals["region"],
		Profile:     *vals["profile"],
		EndpointURL: *vals["endpoint-url"],
		LogLevel:    orDefault(*vals["log-level"], "info"),
		ConfigFile:  *vals["config"],
		StateDir:    *vals["state-dir"],
		AuditLog:    orDefault(*vals["audit-log"], "stderr"),
		Confirm:     orDefault(*vals["confirm"], "token"),
	}
	if c.Confirm != "token" && c.Confirm != "elicitation" {
		return Config{}, nil, fmt.Errorf("--confirm %q: want token or elicitation", c.Confirm)
	}
	var err error
	if c.AllowWrite, err = parseBool("allow-write", *vals["allow-write"]); err != nil {
		return Config{}, nil, err
	}
	if c.AllowDestructive, err = parseBool("allow-destructive", *vals["allow-destructive"]); err != nil {
		return Config{}, nil, err
	}
	if c.AllowDestructive && !c.AllowWrite {
		return Config{}, nil, errors.New("--allow-destructive needs --allow-write as well")
	}
	if c.CallTimeout, err = time.ParseDuration(orDefault(*vals["call-timeout"], "60s")); err != nil || c.CallTimeout <= 0 {
		return Config{}, nil, fmt.Errorf("--call-timeout %q: want a positive duration such as 30s", *vals["call-timeout"])
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return Config{}, nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.StateDir == "" {
		c.StateDir = defaultStateDir(getenv)
	}
	if c.ConfigFile != "" {
		if c.File, err = LoadFile(c.ConfigFile); err != nil {
			return Config{}, nil, err
		}
	}
	return c, fs.Args(), nil
}

func parseBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("--%s %q: want true or false", name, v)
	}
	return b, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func defaultStateDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "stream-mcp")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "stream-mcp")
	}
	return filepath.Join(os.TempDir(), "stream-mcp-state")
}

// LoadFile reads and checks a config file.
func LoadFile(path string) (File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("--config: %w", err)
	}
	var f File
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return File{}, fmt.Errorf("--config %s: %w", path, err)
	}
	for name, c := range f.Clusters {
		if c.BootstrapServers == "" && c.ClusterARN == "" {
			return File{}, fmt.Errorf("--config %s: cluster %q needs bootstrap_servers or cluster_arn", path, name)
		}
		switch c.Auth {
		case "", "iam", "sasl_scram_512", "sasl_scram_256", "sasl_plain", "mtls", "tls", "none":
		default:
			return File{}, fmt.Errorf("--config %s: cluster %q: auth %q is not one of iam, sasl_scram_512, sasl_scram_256, sasl_plain, mtls, tls, none", path, name, c.Auth)
		}
	}
	for env, b := range f.Credentials {
		if !strings.HasPrefix(env, AdHocPasswordEnvPrefix) {
			return File{}, fmt.Errorf("--config %s: credentials: %q must start with %s (only such variables may be named in a call)", path, env, AdHocPasswordEnvPrefix)
		}
		for _, h := range b.Brokers {
			if _, _, err := net.SplitHostPort(h); err != nil {
				return File{}, fmt.Errorf("--config %s: credentials.%s.brokers: %q is not host:port", path, env, h)
			}
		}
	}
	return f, nil
}
