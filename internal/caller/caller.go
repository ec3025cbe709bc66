// Package caller carries the authenticated caller of a request (HTTP
// serving) through the context, from the transport that authenticated it to
// the tool gate and the audit log, which must not depend on the transport.
package caller

import "context"

// Caller is an authenticated caller.
type Caller struct {
	// ID names the caller in logs and the audit log: a static token's
	// fingerprint ("sha256:" and 12 hex digits) or a JWT's subject
	// ("sub:..."). Never the token itself.
	ID string
	// Write is true for the write scope (which includes read).
	Write bool
}

type key struct{}

// With stores c in ctx.
func With(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, key{}, c)
}

// From returns the request's caller; ok is false on stdio and on
// unauthenticated loopback HTTP, where the user who started the process is
// the caller.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(key{}).(Caller)
	return c, ok
}
