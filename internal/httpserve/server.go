// Package httpserve serves the MCP server over streamable HTTP for teams that
// run stream-mcp next to their brokers: the /mcp endpoint (stateless
// 2026-07-28 requests and 2025-06-18/2025-11-25 sessions, as mcp-go serves
// them), /healthz, bearer authentication (static tokens or OAuth 2.1 JWTs
// with RFC 9728 Protected Resource Metadata), read/write scopes, limits on
// body size and concurrent calls per caller, Origin checks, and a graceful
// shutdown. It refuses to listen beyond loopback without authentication.
package httpserve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	mcpserver "github.com/mark3labs/mcp-go/server"

	"github.com/stream-mcp/stream-mcp/internal/caller"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

// Options configure Serve.
type Options struct {
	// Addr is host:port to listen on.
	Addr string
	// Auth checks every /mcp request; nil serves without authentication,
	// which Serve allows on loopback addresses only.
	Auth Authenticator
	// Resource is this server's public URL (https://host/mcp), named in the
	// Protected Resource Metadata; AuthServers are the OAuth issuers.
	Resource    string
	AuthServers []string
	// MaxBody bounds a request body (413 beyond it).
	MaxBody int64
	// PerCallerCalls bounds concurrent requests per caller (429 beyond it,
	// with Retry-After).
	PerCallerCalls int
	// AllowedOrigins are the browser origins admitted besides none (a
	// request without Origin, as every non-browser client sends).
	AllowedOrigins []string
	// ShutdownGrace is how long in-flight calls may run after the stop
	// signal (the call timeout).
	ShutdownGrace time.Duration
	Logger        *slog.Logger
}

// IsLoopback reports whether a listen address only binds loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Handler returns the HTTP handler: /healthz, /mcp and, with OAuth, the
// Protected Resource Metadata.
func Handler(srv *mcpserver.MCPServer, o Options) http.Handler {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	mcpHandler := mcpserver.NewStreamableHTTPServer(srv,
		mcpserver.WithEndpointPath("/mcp"),
		mcpserver.WithStreamableHTTPLogger(logger),
		// The caller (set by authenticate) travels into tool calls, where
		// the server's tool gate and the audit log read it.
		mcpserver.WithHTTPContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			if p, ok := PrincipalFrom(r.Context()); ok {
				return WithPrincipal(ctx, p)
			}
			return ctx
		}),
		// Loopback listeners keep mcp-go's DNS-rebinding protection; a
		// public listener is authenticated, and Origin is checked below.
		mcpserver.WithDisableLocalhostProtection(!IsLoopback(o.Addr)),
	)
	limiter := newLimiter(o.PerCallerCalls)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	prmPath := mcpserver.WellKnownProtectedResourcePath
	if len(o.AuthServers) > 0 {
		meta := fmt.Sprintf(`{"resource":%q,"authorization_servers":[%s],"scopes_supported":[%q,%q],"bearer_methods_supported":["header"],"resource_name":"stream-mcp"}`,
			o.Resource, quoteAll(o.AuthServers), OAuthScopeRead, OAuthScopeWrite)
		serve := func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(meta))
		}
		mux.HandleFunc("GET "+prmPath, serve)
		mux.HandleFunc("GET "+prmPath+"/mcp", serve)
	}
	var chain http.Handler = mcpHandler
	chain = limiter.wrap(chain)
	chain = authenticate(o, prmPath, logger, chain)
	chain = checkOrigin(o.AllowedOrigins, chain)
	chain = limitBody(o.MaxBody, chain)
	mux.Handle("/mcp", chain)
	return mux
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ",")
}

// authenticate answers 401 with WWW-Authenticate (naming the Protected
// Resource Metadata when OAuth is on) or 403 for a token without a scope.
func authenticate(o Options, prmPath string, logger *slog.Logger, next http.Handler) http.Handler {
	if o.Auth == nil {
		return next
	}
	challenge := `Bearer realm="stream-mcp"`
	if len(o.AuthServers) > 0 {
		if u, err := url.Parse(o.Resource); err == nil {
			u.Path, u.RawQuery = prmPath, ""
			challenge += fmt.Sprintf(`, resource_metadata=%q`, u.String())
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := o.Auth.Authenticate(r)
		if err != nil {
			status, code := http.StatusUnauthorized, "invalid_token"
			if errors.Is(err, errInsufficientScope) {
				status, code = http.StatusForbidden, "insufficient_scope"
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`%s, error=%q, error_description=%q`, challenge, code, err.Error()))
			logger.Warn("http request refused", "status", status, "reason", err.Error(), "remote", r.RemoteAddr)
			http.Error(w, err.Error(), status)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// checkOrigin refuses browser requests from origins not allowed
// (DNS-rebinding and cross-site requests); clients that send no Origin
// pass.
func checkOrigin(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, allowed) {
			http.Error(w, "origin "+origin+" is not allowed; start stream-mcp with --http-allowed-origin "+origin+" to admit it", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func originAllowed(origin string, allowed []string) bool {
	for _, a := range allowed {
		if strings.EqualFold(a, origin) {
			return true
		}
	}
	return false
}

// limitBody answers 413 for bodies over max.
func limitBody(max int64, next http.Handler) http.Handler {
	if max <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			http.Error(w, fmt.Sprintf("request body of %d bytes is over the %d-byte limit (--http-max-body)", r.ContentLength, max), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// limiter bounds concurrent requests per caller.
type limiter struct {
	max int
	mu  sync.Mutex
	in  map[string]int
}

func newLimiter(max int) *limiter { return &limiter{max: max, in: map[string]int{}} }

func (l *limiter) wrap(next http.Handler) http.Handler {
	if l.max <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// GET opens a long-lived notification stream, not a call.
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		id := "anonymous"
		if p, ok := PrincipalFrom(r.Context()); ok {
			id = p.ID
		}
		l.mu.Lock()
		if l.in[id] >= l.max {
			l.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			http.Error(w, fmt.Sprintf("more than %d concurrent requests from this caller; retry after 1 s", l.max), http.StatusTooManyRequests)
			return
		}
		l.in[id]++
		l.mu.Unlock()
		defer func() {
			l.mu.Lock()
			if l.in[id]--; l.in[id] == 0 {
				delete(l.in, id)
			}
			l.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

// Serve listens on o.Addr until ctx ends, then stops accepting and gives
// in-flight requests o.ShutdownGrace to finish. ready, when not nil,
// receives the bound address once listening.
func Serve(ctx context.Context, srv *mcpserver.MCPServer, o Options, ready func(addr string)) error {
	if o.Auth == nil && !IsLoopback(o.Addr) {
		return fmt.Errorf("refusing to serve %s without authentication: listen on 127.0.0.1 or [::1], or give --auth-tokens-file or --auth-issuer with --auth-audience", o.Addr)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: Handler(srv, o), ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// ToolGate admits every read tool and, for callers with the write scope,
// the write tools; stdio and unauthenticated loopback callers (no caller in
// ctx) get what the process registered. It is server.Options.ToolGate.
func ToolGate(ctx context.Context, t mcp.Tool) string {
	c, ok := caller.From(ctx)
	if !ok || c.Write {
		return ""
	}
	if a, err := server.AccessOf(t); err == nil && a == server.Read {
		return ""
	}
	return "tool " + t.Name + " changes state and this caller's token has the read scope only; ask for a token with the write scope"
}
