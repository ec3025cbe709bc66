package httpserve

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/stream-mcp/stream-mcp/internal/caller"
)

// Scopes a caller can hold.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
	// OAuth scope names (the MCP authorization spec leaves naming to the
	// resource server).
	OAuthScopeRead  = "stream-mcp:read"
	OAuthScopeWrite = "stream-mcp:write"
)

// Principal is an authenticated caller (see package caller).
type Principal = caller.Caller

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context { return caller.With(ctx, p) }

// PrincipalFrom returns the caller of this request.
func PrincipalFrom(ctx context.Context) (Principal, bool) { return caller.From(ctx) }

// Authenticator checks a request's credentials.
type Authenticator interface {
	// Authenticate returns the caller, or an error whose text is safe to
	// send back (it never contains the presented token).
	Authenticate(r *http.Request) (Principal, error)
}

// errNoToken and errBadToken are the 401 reasons.
var (
	errNoToken  = errors.New("missing bearer token")
	errBadToken = errors.New("invalid bearer token")
)

func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", errNoToken
	}
	return strings.TrimSpace(tok), nil
}

// Fingerprint names a token in logs without revealing it.
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:6])
}

// TokenFile authenticates static bearer tokens from a file of lines
// "TOKEN SCOPE" (SCOPE read or write; # comments and blank lines ignored).
// The file must not be readable by group or others. Reload re-reads it
// (on SIGHUP); a failed reload keeps the previous tokens.
type TokenFile struct {
	path string
	mu   sync.RWMutex
	// tokens are SHA-256 digests of the tokens with their scope, compared
	// in constant time against the presented token's digest.
	tokens []tokenEntry
}

type tokenEntry struct {
	digest [32]byte
	write  bool
}

// LoadTokenFile reads path; see TokenFile.
func LoadTokenFile(path string) (*TokenFile, error) {
	f := &TokenFile{path: path}
	return f, f.Reload()
}

// Reload re-reads the file.
func (f *TokenFile) Reload() error {
	st, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("auth tokens file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("auth tokens file %s is not a regular file", f.path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("auth tokens file %s is readable by group or others (mode %04o); chmod 600 it", f.path, st.Mode().Perm())
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("auth tokens file: %w", err)
	}
	defer fh.Close()
	var out []tokenEntry
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || (fields[1] != ScopeRead && fields[1] != ScopeWrite) {
			return fmt.Errorf("auth tokens file %s line %d: want \"TOKEN read|write\"", f.path, n)
		}
		if len(fields[0]) < minTokenLen {
			return fmt.Errorf("auth tokens file %s line %d: a token needs at least %d characters", f.path, n, minTokenLen)
		}
		out = append(out, tokenEntry{digest: sha256.Sum256([]byte(fields[0])), write: fields[1] == ScopeWrite})
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("auth tokens file: %w", err)
	}
	if len(out) == 0 {
		return fmt.Errorf("auth tokens file %s has no tokens", f.path)
	}
	f.mu.Lock()
	f.tokens = out
	f.mu.Unlock()
	return nil
}

// minTokenLen refuses guessable tokens: 128 bits as 32 hex digits (RFC 6750
// leaves entropy to the issuer; OWASP's session-token guidance asks for at
// least 64 bits, we ask for twice that).
const minTokenLen = 32

// Authenticate implements Authenticator.
func (f *TokenFile) Authenticate(r *http.Request) (Principal, error) {
	tok, err := bearer(r)
	if err != nil {
		return Principal{}, err
	}
	d := sha256.Sum256([]byte(tok))
	f.mu.RLock()
	defer f.mu.RUnlock()
	found, write := 0, 0
	// Every entry is compared, so the time does not tell which matched.
	for _, e := range f.tokens {
		eq := subtle.ConstantTimeCompare(d[:], e.digest[:])
		found |= eq
		if e.write {
			write |= eq
		}
	}
	if found == 0 {
		return Principal{}, errBadToken
	}
	return Principal{ID: Fingerprint(tok), Write: write == 1}, nil
}

// OIDC validates JWT access tokens from an OAuth 2.1 authorization server
// as the MCP authorization spec asks of a resource server: the signature
// against the issuer's JWKS (fetched through its discovery document,
// cached, and re-fetched when a token names an unknown key, so rotation
// works), iss, aud, exp and nbf; scopes from the scope (space-separated) or
// scp claim.
type OIDC struct {
	Issuer   string
	Audience string
	verifier *oidc.IDTokenVerifier
}

// NewOIDC discovers the issuer (its /.well-known/openid-configuration).
func NewOIDC(ctx context.Context, issuer, audience string) (*OIDC, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("auth issuer %s: %w", issuer, err)
	}
	// Access tokens are not ID tokens, but the checks are the same JWT
	// checks (RFC 9068): the audience must be ours.
	v := p.Verifier(&oidc.Config{ClientID: audience, SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256, oidc.PS256, oidc.EdDSA}})
	return &OIDC{Issuer: issuer, Audience: audience, verifier: v}, nil
}

// Authenticate implements Authenticator.
func (o *OIDC) Authenticate(r *http.Request) (Principal, error) {
	tok, err := bearer(r)
	if err != nil {
		return Principal{}, err
	}
	t, err := o.verifier.Verify(r.Context(), tok)
	if err != nil {
		return Principal{}, errBadToken
	}
	var claims struct {
		NotBefore *float64 `json:"nbf"`
		Scope     string   `json:"scope"`
		Scp       []string `json:"scp"`
	}
	if err := t.Claims(&claims); err != nil {
		return Principal{}, errBadToken
	}
	if claims.NotBefore != nil && float64(time.Now().Unix()) < *claims.NotBefore {
		return Principal{}, errBadToken
	}
	scopes := append(strings.Fields(claims.Scope), claims.Scp...)
	p := Principal{ID: "sub:" + t.Subject}
	switch {
	case slices.Contains(scopes, OAuthScopeWrite):
		p.Write = true
	case slices.Contains(scopes, OAuthScopeRead):
	default:
		return Principal{}, errInsufficientScope
	}
	return p, nil
}

// errInsufficientScope is a valid token without a stream-mcp scope (403).
var errInsufficientScope = errors.New("the token has neither " + OAuthScopeRead + " nor " + OAuthScopeWrite)
