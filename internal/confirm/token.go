package confirm

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TokenTTL is how long a confirmation token stays valid. It is our own
// policy, not an AWS limit: long enough for a person to read a plan and
// answer, short enough that live state is unlikely to have moved on
// (STYLE.md rule 20 fixes five minutes).
const TokenTTL = 5 * time.Minute

// claims is the signed payload of a token.
type claims struct {
	Version int    `json:"v"`
	ID      string `json:"id"`    // random nonce; the ledger key
	Tool    string `json:"tool"`  // tool name
	Args    string `json:"args"`  // sha256 of the canonical arguments
	State   string `json:"state"` // sha256 of the live-state fingerprint
	Plan    string `json:"plan"`  // sha256 of the plan shown (audit correlation)
	Exp     int64  `json:"exp"`   // unix seconds
	// Mode says which flow the token belongs to: modeToken for the
	// confirmation_token argument, modeElicit for the request state of an
	// elicitation. A token is honoured only in its own flow, so the state
	// of a prompt cannot be replayed as an argument to skip the user.
	Mode string `json:"m"`
}

const (
	modeToken  = "token"
	modeElicit = "elicit"
)

func (c claims) expiry() time.Time { return time.Unix(c.Exp, 0) }

const tokenVersion = 1

func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("confirm: nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func sign(key []byte, c claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("confirm: encode token: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(m.Sum(nil)), nil
}

// errBadToken is returned for a token that was not issued by this key.
var errBadToken = errors.New("the confirmation_token is not one this server issued (malformed or signed with another key)")

// parse checks the signature and decodes the claims. Nothing else is checked.
func parse(key []byte, token string) (claims, error) {
	enc := base64.RawURLEncoding
	p, s, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok {
		return claims{}, errBadToken
	}
	payload, err := enc.DecodeString(p)
	if err != nil {
		return claims{}, errBadToken
	}
	sig, err := enc.DecodeString(s)
	if err != nil {
		return claims{}, errBadToken
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return claims{}, errBadToken
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Version != tokenVersion || c.ID == "" {
		return claims{}, errBadToken
	}
	return c, nil
}
