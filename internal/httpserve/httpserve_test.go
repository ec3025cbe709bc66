package httpserve

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/mark3labs/mcp-go/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/stream-mcp/stream-mcp/internal/schema"
	"github.com/stream-mcp/stream-mcp/internal/server"
)

type pingIn struct {
	Mode string `json:"mode,omitempty" jsonschema:"enum=ok,enum=slow" jsonschema_description:"what the fake tool does"`
}

type pingOut struct {
	Caller string `json:"caller" jsonschema_description:"who called"`
}

func fakeTool(name string, readOnly bool, started chan<- struct{}) server.ServerTool {
	t := mcp.NewTool(name, mcp.WithDescription("Fake tool for tests."), mcp.WithTitleAnnotation("Test: "+name),
		mcp.WithReadOnlyHintAnnotation(readOnly), mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
		schema.Input[pingIn](), schema.Output[pingOut]())
	h := func(ctx context.Context, _ mcp.CallToolRequest, in pingIn) (*mcp.CallToolResult, error) {
		if in.Mode == "slow" {
			if started != nil {
				started <- struct{}{}
			}
			select {
			case <-time.After(2 * time.Second):
			case <-ctx.Done():
			}
		}
		p, _ := PrincipalFrom(ctx)
		return mcp.NewToolResultStructured(pingOut{Caller: p.ID}, "pong"), nil
	}
	return server.ServerTool{Tool: t, Handler: mcp.NewTypedToolHandler(h)}
}

const (
	readTok  = "read-token-0123456789abcdef0123456789"
	writeTok = "write-token-0123456789abcdef012345678"
)

func tokenFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tokens")
	body := "# scopes\n" + readTok + " read\n" + writeTok + " write\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// start serves a server with a read tool "look" and a write tool "change"
// (registered, as with --allow-write) behind o on a loopback port.
func start(t *testing.T, o Options, started chan<- struct{}) string {
	t.Helper()
	srv, err := server.New(server.Options{Name: "stream-mcp", Version: "test", AllowWrite: true, ToolGate: ToolGate, CallTimeout: 10 * time.Second},
		[]server.ServerTool{fakeTool("look", true, started), fakeTool("change", false, nil)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	o.ShutdownGrace = 5 * time.Second
	go func() { errc <- Serve(ctx, srv, o, func(a string) { addrc <- a }) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + addr
}

// bearerRT adds a bearer token to every request.
type bearerRT struct{ tok string }

func (b bearerRT) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.tok != "" {
		r.Header.Set("Authorization", "Bearer "+b.tok)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func connect(t *testing.T, base, tok string) (*sdk.ClientSession, error) {
	t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: base + "/mcp", HTTPClient: &http.Client{Transport: bearerRT{tok}}}, nil)
}

func toolNames(t *testing.T, cs *sdk.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	slices.Sort(names)
	return names
}

func TestTokensAndScopes(t *testing.T) {
	t.Parallel()
	tf, err := LoadTokenFile(tokenFile(t))
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, Options{Auth: tf}, nil)
	for _, tc := range []struct{ name, tok string }{{"no token", ""}, {"wrong token", "not-a-token-0123456789abcdef0123456"}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := connect(t, base, tc.tok); err == nil {
				t.Fatal("connected without a valid token")
			}
			req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
			resp, err := bearerRT{tc.tok}.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("status %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("read token sees and calls read tools only", func(t *testing.T) {
		cs, err := connect(t, base, readTok)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		if got := toolNames(t, cs); !slices.Equal(got, []string{"look"}) {
			t.Fatalf("tools = %v, want only the read tool", got)
		}
		res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "change", Arguments: map[string]any{}})
		if err == nil && !res.IsError {
			t.Fatal("a read token called a write tool")
		}
		res, err = cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "look", Arguments: map[string]any{}})
		if err != nil || res.IsError {
			t.Fatalf("read call: %v %v", err, res)
		}
		if c := res.StructuredContent.(map[string]any)["caller"]; c != Fingerprint(readTok) || strings.Contains(fmt.Sprint(c), readTok) {
			t.Errorf("caller = %v, want the token's fingerprint", c)
		}
	})
	t.Run("write token sees both", func(t *testing.T) {
		cs, err := connect(t, base, writeTok)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		if got := toolNames(t, cs); !slices.Equal(got, []string{"change", "look"}) {
			t.Fatalf("tools = %v", got)
		}
	})
	t.Run("healthz needs no token", func(t *testing.T) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("healthz %d", resp.StatusCode)
		}
	})
}

func TestLimits(t *testing.T) {
	t.Parallel()
	tf, err := LoadTokenFile(tokenFile(t))
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 4)
	base := start(t, Options{Auth: tf, MaxBody: 1024, PerCallerCalls: 1}, started)
	post := func(body, origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := bearerRT{readTok}.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	t.Run("body over the limit is 413", func(t *testing.T) {
		resp := post(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"`+strings.Repeat("x", 2048)+`"}}`, "")
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})
	t.Run("foreign origin is 403", func(t *testing.T) {
		resp := post(`{"jsonrpc":"2.0","id":1,"method":"ping"}`, "https://evil.example")
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("over the concurrent calls of a caller is 429", func(t *testing.T) {
		cs, err := connect(t, base, readTok)
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		var wg sync.WaitGroup
		wg.Go(func() {
			_, _ = cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "look", Arguments: map[string]any{"mode": "slow"}})
		})
		<-started
		resp := post(`{"jsonrpc":"2.0","id":9,"method":"ping"}`, "")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("status %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
		wg.Wait()
	})
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	t.Run("no auth beyond loopback", func(t *testing.T) {
		err := Serve(context.Background(), nil, Options{Addr: "0.0.0.0:0"}, nil)
		if err == nil || !strings.Contains(err.Error(), "without authentication") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("token file readable by others", func(t *testing.T) {
		p := tokenFile(t)
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadTokenFile(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("short token", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "tokens")
		_ = os.WriteFile(p, []byte("abc read\n"), 0o600)
		if _, err := LoadTokenFile(p); err == nil {
			t.Fatal("a 3-character token was accepted")
		}
	})
	t.Run("reload picks up a new token and keeps the old set on a bad file", func(t *testing.T) {
		p := tokenFile(t)
		tf, err := LoadTokenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		newTok := "rotated-token-0123456789abcdef0123456"
		_ = os.WriteFile(p, []byte(newTok+" read\n"), 0o600)
		if err := tf.Reload(); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+newTok)
		if _, err := tf.Authenticate(req); err != nil {
			t.Fatalf("rotated token refused: %v", err)
		}
		req.Header.Set("Authorization", "Bearer "+readTok)
		if _, err := tf.Authenticate(req); err == nil {
			t.Fatal("a removed token still works after reload")
		}
		_ = os.WriteFile(p, []byte("garbage\n"), 0o600)
		if err := tf.Reload(); err == nil {
			t.Fatal("a bad file reloaded")
		}
		req.Header.Set("Authorization", "Bearer "+newTok)
		if _, err := tf.Authenticate(req); err != nil {
			t.Fatal("a failed reload dropped the working tokens")
		}
	})
}

// issuer is a local OAuth authorization server: discovery and JWKS.
type issuer struct {
	url string
	key *rsa.PrivateKey
	kid string
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &issuer{key: key, kid: "k1"}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	is.url = srv.URL
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": is.url, "jwks_uri": is.url + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"authorization_endpoint": is.url + "/authorize", "token_endpoint": is.url + "/token"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: is.kid, Algorithm: "RS256", Use: "sig"}}})
	})
	return is
}

func (is *issuer) token(t *testing.T, aud, scope string, exp, nbf time.Time) string {
	t.Helper()
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: is.key}, (&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", is.kid))
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": is.url, "sub": "alice", "aud": aud, "exp": exp.Unix(), "nbf": nbf.Unix(), "iat": time.Now().Unix(), "scope": scope}
	s, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOAuth(t *testing.T) {
	t.Parallel()
	is := newIssuer(t)
	o, err := NewOIDC(context.Background(), is.url, "stream-mcp")
	if err != nil {
		t.Fatal(err)
	}
	base := start(t, Options{Auth: o, AuthServers: []string{is.url}, Resource: "https://mcp.example.internal/mcp"}, nil)
	now := time.Now()
	cases := []struct {
		name  string
		tok   string
		tools []string // nil: refused
	}{
		{"write scope", is.token(t, "stream-mcp", "openid stream-mcp:write", now.Add(time.Hour), now.Add(-time.Minute)), []string{"change", "look"}},
		{"read scope", is.token(t, "stream-mcp", "stream-mcp:read", now.Add(time.Hour), now.Add(-time.Minute)), []string{"look"}},
		{"other audience", is.token(t, "another-api", "stream-mcp:write", now.Add(time.Hour), now.Add(-time.Minute)), nil},
		{"expired", is.token(t, "stream-mcp", "stream-mcp:write", now.Add(-time.Minute), now.Add(-time.Hour)), nil},
		{"not yet valid", is.token(t, "stream-mcp", "stream-mcp:write", now.Add(time.Hour), now.Add(30*time.Minute)), nil},
		{"no stream-mcp scope", is.token(t, "stream-mcp", "openid", now.Add(time.Hour), now.Add(-time.Minute)), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := connect(t, base, tc.tok)
			if tc.tools == nil {
				if err == nil {
					cs.Close()
					t.Fatal("connected with a token that must be refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			if got := toolNames(t, cs); !slices.Equal(got, tc.tools) {
				t.Fatalf("tools = %v, want %v", got, tc.tools)
			}
		})
	}
	t.Run("401 points at the protected resource metadata", func(t *testing.T) {
		resp, err := http.Post(base+"/mcp", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if h := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(h, `resource_metadata="https://mcp.example.internal/.well-known/oauth-protected-resource"`) {
			t.Fatalf("status %d, WWW-Authenticate %q", resp.StatusCode, h)
		}
		resp, err = http.Get(base + "/.well-known/oauth-protected-resource")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var meta map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
			t.Fatal(err)
		}
		if meta["resource"] != "https://mcp.example.internal/mcp" || fmt.Sprint(meta["authorization_servers"]) != "["+is.url+"]" {
			t.Fatalf("metadata %v", meta)
		}
	})
}

// TestGracefulShutdown: a call in flight when the server is told to stop
// finishes and is answered; Serve then returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	srv, err := server.New(server.Options{Name: "stream-mcp", Version: "test", ToolGate: ToolGate},
		[]server.ServerTool{fakeTool("look", true, nil)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, errc := make(chan string, 1), make(chan error, 1)
	go func() {
		errc <- Serve(ctx, srv, Options{Addr: "127.0.0.1:0", ShutdownGrace: 10 * time.Second}, func(a string) { addrc <- a })
	}()
	base := "http://" + <-addrc
	cs, err := connect(t, base, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	done := make(chan error, 1)
	go func() {
		res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "look", Arguments: map[string]any{"mode": "slow"}})
		if err == nil && res.IsError {
			err = fmt.Errorf("tool error")
		}
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the in-flight call was cut: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve after shutdown: %v", err)
	}
}
