package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/httpserve"
)

// serveFlags are the flags of `stream-mcp serve`: stdio without --http.
type serveFlags struct {
	addr           string
	tokensFile     string
	issuer         string
	audience       string
	resourceURL    string
	maxBody        int64
	maxCalls       int
	allowedOrigins []string
}

// serveUsage is the one-line synopsis shown with a serve usage error.
const serveUsage = "stream-mcp serve [--http ADDR [--auth-tokens-file FILE | --auth-issuer URL --auth-audience AUD [--http-resource-url URL]] [--http-max-body BYTES] [--http-max-calls N] [--http-allowed-origin ORIGIN]...]"

// HTTP serving defaults: an 8 MB request body (issue 17) and 8 calls in
// flight per caller (a model rarely runs more tools at once).
const (
	defaultMaxBody  = 8 << 20
	defaultMaxCalls = 8
)

// parseServeArgs reads serve's flags (and their STREAM_MCP_* environment
// equivalents); a stray argument is a usage error.
func parseServeArgs(args []string, getenv func(string) string) (serveFlags, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := serveFlags{}
	fs.StringVar(&f.addr, "http", getenv("STREAM_MCP_HTTP"), "serve streamable HTTP on ADDR (host:port) instead of stdio")
	fs.StringVar(&f.tokensFile, "auth-tokens-file", getenv("STREAM_MCP_AUTH_TOKENS_FILE"), "static bearer tokens, lines 'TOKEN read|write', mode 0600")
	fs.StringVar(&f.issuer, "auth-issuer", getenv("STREAM_MCP_AUTH_ISSUER"), "OAuth 2.1 issuer URL whose JWT access tokens are accepted")
	fs.StringVar(&f.audience, "auth-audience", getenv("STREAM_MCP_AUTH_AUDIENCE"), "the aud claim tokens must carry")
	fs.StringVar(&f.resourceURL, "http-resource-url", getenv("STREAM_MCP_HTTP_RESOURCE_URL"), "this server's public URL for OAuth metadata (https://host/mcp)")
	maxBody := fs.String("http-max-body", orEnv(getenv("STREAM_MCP_HTTP_MAX_BODY"), strconv.Itoa(defaultMaxBody)), "largest request body, bytes")
	maxCalls := fs.String("http-max-calls", orEnv(getenv("STREAM_MCP_HTTP_MAX_CALLS"), strconv.Itoa(defaultMaxCalls)), "concurrent requests per caller")
	fs.Func("http-allowed-origin", "a browser Origin to admit (repeatable)", func(s string) error {
		f.allowedOrigins = append(f.allowedOrigins, s)
		return nil
	})
	bad := func(msg string) (serveFlags, error) { return serveFlags{}, usageError{msg + "; usage: " + serveUsage} }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return serveFlags{}, err
		}
		msg := "serve: " + err.Error()
		for _, g := range config.Flags() {
			if strings.Contains(err.Error(), "-"+g.Name) {
				msg += fmt.Sprintf("; global flags go before the command (stream-mcp --%s serve)", g.Name)
			}
		}
		return bad(msg)
	}
	if fs.NArg() > 0 {
		return bad(fmt.Sprintf("serve takes no arguments besides its flags; got %q", fs.Args()))
	}
	var err error
	if f.maxBody, err = strconv.ParseInt(*maxBody, 10, 64); err != nil || f.maxBody < 1 {
		return bad(fmt.Sprintf("--http-max-body %q: want a positive number of bytes", *maxBody))
	}
	if f.maxCalls, err = strconv.Atoi(*maxCalls); err != nil || f.maxCalls < 1 {
		return bad(fmt.Sprintf("--http-max-calls %q: want a positive number", *maxCalls))
	}
	if f.addr == "" && (f.tokensFile != "" || f.issuer != "" || f.audience != "" || len(f.allowedOrigins) > 0) {
		return bad("the --auth-* and --http-* flags need --http ADDR (stdio needs no authentication)")
	}
	if f.tokensFile != "" && f.issuer != "" {
		return bad("give --auth-tokens-file or --auth-issuer, not both")
	}
	if (f.issuer == "") != (f.audience == "") {
		return bad("--auth-issuer and --auth-audience go together")
	}
	if f.issuer != "" && f.resourceURL == "" {
		return bad("with --auth-issuer, give --http-resource-url (the URL clients reach this server at) for the OAuth metadata")
	}
	return f, nil
}

func orEnv(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// serveHTTP builds the server and serves it over streamable HTTP until ctx
// ends (SIGINT/SIGTERM), finishing in-flight calls within the call timeout;
// SIGHUP reloads the token file.
func serveHTTP(ctx context.Context, cfg config.Config, logger *slog.Logger, f serveFlags) error {
	o := httpserve.Options{Addr: f.addr, MaxBody: f.maxBody, PerCallerCalls: f.maxCalls, AllowedOrigins: f.allowedOrigins,
		ShutdownGrace: cfg.CallTimeout, Logger: logger, Resource: f.resourceURL}
	switch {
	case f.tokensFile != "":
		tf, err := httpserve.LoadTokenFile(f.tokensFile)
		if err != nil {
			return err
		}
		o.Auth = tf
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					if err := tf.Reload(); err != nil {
						logger.Error("token file not reloaded; the previous tokens stay in force", "err", err)
					} else {
						logger.Info("token file reloaded", "file", f.tokensFile)
					}
				}
			}
		}()
	case f.issuer != "":
		oidc, err := httpserve.NewOIDC(ctx, f.issuer, f.audience)
		if err != nil {
			return err
		}
		o.Auth, o.AuthServers = oidc, []string{f.issuer}
	}
	if o.Auth == nil && !httpserve.IsLoopback(f.addr) {
		return usageError{fmt.Sprintf("refusing to serve %s without authentication: listen on 127.0.0.1:PORT, or give --auth-tokens-file or --auth-issuer with --auth-audience", f.addr)}
	}
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.cleanup()
	auth := "none (loopback only)"
	switch {
	case f.tokensFile != "":
		auth = "bearer tokens from " + f.tokensFile
	case f.issuer != "":
		auth = "OAuth 2.1 JWTs from " + f.issuer
	}
	err = httpserve.Serve(ctx, a.srv, o, func(addr string) {
		logger.Info("serving MCP over streamable HTTP", "url", "http://"+addr+"/mcp", "auth", auth, "version", version)
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if err != nil && strings.Contains(err.Error(), "address already in use") {
		return fmt.Errorf("%w; choose another port with --http", err)
	}
	return err
}

// serveHelpText documents `stream-mcp serve` and its HTTP flags.
func serveHelpText() string {
	return "usage: " + serveUsage + `

Without --http, serve speaks MCP on stdio (what MCP clients start). With --http
it serves streamable HTTP at /mcp (the 2026-07-28 stateless protocol and
2025-06-18/2025-11-25 sessions) and /healthz, for a team running stream-mcp next
to its brokers. Authentication is required beyond loopback.

  --http ADDR                 host:port to listen on (STREAM_MCP_HTTP)
  --auth-tokens-file FILE     bearer tokens, lines "TOKEN read|write", mode 0600;
                              SIGHUP reloads it (STREAM_MCP_AUTH_TOKENS_FILE)
  --auth-issuer URL           accept OAuth 2.1 JWT access tokens from this issuer
  --auth-audience AUD         ...whose aud claim is AUD; scopes stream-mcp:read and
                              stream-mcp:write (STREAM_MCP_AUTH_ISSUER, _AUDIENCE)
  --http-resource-url URL     this server's public URL, for the OAuth metadata
  --http-max-body BYTES       largest request body, default 8388608 (413 beyond)
  --http-max-calls N          concurrent requests per caller, default 8 (429 beyond)
  --http-allowed-origin O     admit browser requests from origin O (repeatable)

A read-scope token never sees or calls a write tool, even with --allow-write.
`
}
