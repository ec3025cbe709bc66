package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
)

// kafkaTargetIn are the target fields kafka_inspect and kafka_troubleshoot
// share (CONTRACT.md). Exactly one of cluster_arn, cluster and
// bootstrap_servers is set (kafka_troubleshoot also takes esm_uuid).
// Credentials are referenced, never inline.
// AdHocPasswordEnvPrefix is the prefix an environment variable must carry
// for a tool call to use it as a SASL password (our policy, not an AWS fact).
const AdHocPasswordEnvPrefix = config.AdHocPasswordEnvPrefix

type kafkaTargetIn struct {
	ClusterARN       string `json:"cluster_arn,omitempty" jsonschema_description:"MSK cluster ARN; its bootstrap string for the auth comes from GetBootstrapBrokers"`
	Cluster          string `json:"cluster,omitempty" jsonschema_description:"name of a cluster in the --config file"`
	BootstrapServers string `json:"bootstrap_servers,omitempty" jsonschema_description:"comma-separated host:port of a self-managed or MSK cluster"`
	Auth             string `json:"auth,omitempty" jsonschema:"enum=iam,enum=sasl_scram_512,enum=sasl_scram_256,enum=sasl_plain,enum=mtls,enum=tls,enum=none" jsonschema_description:"how to authenticate; default none for bootstrap_servers, IAM (else TLS, else plaintext) for an MSK ARN"`
	Username         string `json:"username,omitempty" jsonschema_description:"SASL user name"`
	PasswordEnv      string `json:"password_env,omitempty" jsonschema_description:"name of the environment variable holding the SASL password (never the password); must start with STREAM_MCP_KAFKA_, other secrets stay out of reach"`
	PasswordFile     string `json:"password_file,omitempty" jsonschema_description:"not accepted in a call: a password file belongs to a named cluster in the --config file"`
	CAFile           string `json:"ca_file,omitempty" jsonschema_description:"PEM file of a private root CA for TLS"`
	CertFile         string `json:"cert_file,omitempty" jsonschema_description:"mtls: PEM client certificate file"`
	KeyFile          string `json:"key_file,omitempty" jsonschema_description:"mtls: PEM client key file"`
	SASLPlaintext    bool   `json:"sasl_plaintext,omitempty" jsonschema_description:"self-managed only: SASL over a plaintext listener (SASL_PLAINTEXT)"`
}

func (in kafkaTargetIn) targets() int {
	n := 0
	for _, s := range []string{in.ClusterARN, in.Cluster, in.BootstrapServers} {
		if s != "" {
			n++
		}
	}
	return n
}

// target builds the kafka.Target; errors are user errors (tool errors).
func (in kafkaTargetIn) target(f *kafka.Factory) (kafka.Target, error) {
	var t kafka.Target
	switch {
	case in.targets() != 1:
		return t, errors.New("give exactly one target: cluster_arn (MSK), cluster (a name from --config) or bootstrap_servers (host:port,...)")
	case in.Cluster != "":
		nt, err := f.Named(in.Cluster)
		if err != nil {
			return t, err
		}
		if in.Auth != "" || in.Username != "" {
			return t, fmt.Errorf("cluster %q takes its auth from the config file; drop auth and credentials, or use bootstrap_servers", in.Cluster)
		}
		return nt, nil
	case in.BootstrapServers != "":
		t.Bootstrap = kafka.SplitBootstrap(in.BootstrapServers)
		if len(t.Bootstrap) == 0 {
			return t, errors.New("bootstrap_servers is empty; send host:port,host:port")
		}
		for _, b := range t.Bootstrap {
			if !strings.Contains(b, ":") {
				return t, fmt.Errorf("bootstrap server %q has no port; send host:port", b)
			}
		}
		t.Auth = in.Auth
		if t.Auth == "" {
			t.Auth = kafka.AuthNone
		}
	default:
		t.ClusterARN = in.ClusterARN
		// The one ARN parser (internal/iac): it also refuses characters no
		// ARN has, so the ARN can be echoed into suggested commands.
		if _, err := iac.ParseMSKClusterARN(in.ClusterARN); err != nil {
			return t, fmt.Errorf("cluster_arn is not an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID): %w", err)
		}
		t.Auth = in.Auth
	}
	// A call names where a password is; it must not be able to name any
	// secret of this machine and send it to a broker of its choosing (a
	// prompt-injected password_env=AWS_SECRET_ACCESS_KEY with auth=sasl_plain
	// would do exactly that). Files belong to named clusters in --config; an
	// environment variable must be one the user set aside for Kafka.
	if in.PasswordFile != "" {
		return t, errors.New("password_file is accepted only for a named cluster in the --config file (cluster=NAME): a call could otherwise send any file of this machine to any broker; set password_env to a STREAM_MCP_KAFKA_* variable instead")
	}
	if in.PasswordEnv != "" && !strings.HasPrefix(in.PasswordEnv, AdHocPasswordEnvPrefix) {
		return t, fmt.Errorf("password_env %q must start with %s: a call may only read passwords the user set aside for Kafka, never other secrets of this machine; export the password as %sNAME, or name the cluster in --config", in.PasswordEnv, AdHocPasswordEnvPrefix, AdHocPasswordEnvPrefix)
	}
	t.Username, t.PasswordEnv = in.Username, in.PasswordEnv
	t.CAFile, t.CertFile, t.KeyFile, t.SASLPlaintext = in.CAFile, in.CertFile, in.KeyFile, in.SASLPlaintext
	// A password goes only to the brokers the user bound it to, and over a
	// plaintext listener only where the binding allows it.
	if err := f.CheckAdHocSecret(t); err != nil {
		return t, err
	}
	return t, nil
}

// progressFn sends MCP progress notifications when the request carries a
// progress token; it is a no-op otherwise.
func progressFn(ctx context.Context, req mcp.CallToolRequest, what string) func(done, total int) {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return nil
	}
	srv := mcpserver.ServerFromContext(ctx)
	if srv == nil {
		return nil
	}
	tok := req.Params.Meta.ProgressToken
	return func(done, total int) {
		_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
			"progressToken": tok, "progress": done, "total": total,
			"message": fmt.Sprintf("%s: sample %d of %d", what, done, total),
		})
	}
}

// connFailure turns a failed first request into a tool error that points at
// the diagnosis, with the probe's first failing stage.
func connFailure(ctx context.Context, f *kafka.Factory, t kafka.Target, err error) *mcp.CallToolResult {
	msg := fmt.Sprintf("cannot read %s: %v", t.Label(), err)
	if ctx.Err() != nil {
		// The call's deadline passed: a probe now would "time out" at
		// every stage and blame the network (it once said "failed at
		// tcp" for a broker that had accepted the connection).
		return mcp.NewToolResultError(msg + "; the call's deadline passed before a probe could run: call kafka_troubleshoot with mode=diagnosis and the same target to see where the connection stops")
	}
	rep := f.Env().Probe(ctx, t, kafka.ProbeOptions{})
	if a, bad := rep.FirstFailure(); bad && a.Failed != "" {
		msg += fmt.Sprintf("; probe: %s failed at %s (%s)", a.Address, a.Failed, a.Reason)
		for _, s := range a.Stages {
			if s.Stage == a.Failed && s.Stage == kafka.StageKafka {
				msg += ": " + s.Detail
			}
		}
	}
	return mcp.NewToolResultError(msg + "; call kafka_troubleshoot with mode=diagnosis and the same target for the full probe and fixes")
}
