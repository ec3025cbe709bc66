// Package confirm owns the confirmation protocol every write tool goes
// through: plan first, change nothing, apply only after an explicit
// confirmation that still matches live state.
//
// A write tool hands [Run] an [Action]: its name, its arguments, a Plan
// function that reads live state and returns the [Plan] plus a fingerprint of
// the state it was computed from, and an Apply function that performs the
// change and reads the result back:
//
//	func(ctx context.Context, req mcp.CallToolRequest, in topicIn) (*mcp.CallToolResult, error) {
//		return confirm.Run(ctx, d.Confirm, req, confirm.Action[topicState]{
//			Tool:  "kafka_admin",
//			Args:  in,                   // confirmation_token is ignored when hashing
//			Token: in.ConfirmationToken, // "" on the first call
//			Plan:  func(ctx context.Context) (confirm.Plan, string, error) { ... },
//			Apply: func(ctx context.Context) (topicState, error) { ... },
//		})
//	}
//
// Run decides the flow:
//
//   - No token, client declared the elicitation capability: the plan is shown
//     to the user through MCP elicitation. mcp-go's multi round-trip requests
//     (SEP-2322) carry it: Run returns an input-required result whose opaque
//     request state is a signed token bound to the plan, and is re-invoked
//     with the user's answer (older clients get the same exchange as a
//     server-initiated elicitation/create, bridged by mcp-go). Accept applies;
//     decline or cancel changes nothing.
//   - No token, no elicitation: the result carries the plan, a
//     confirmation_token and its expires_at. Nothing changes.
//   - With a token: the token is checked (signature, tool, arguments, expiry,
//     single use), the plan is recomputed from live state and its fingerprint
//     compared with the one the token was issued for; on any mismatch the call
//     is refused with the reason. Otherwise the token is spent, Apply runs and
//     the result carries applied: true and the read-back state (an Apply
//     whose write went through but whose read-back failed returns
//     [ReadBackFailed]: still applied, never "failed"). When the client also
//     declared elicitation, the user is asked as well.
//
// The token is HMAC-SHA256 over a per-installation secret key and a payload of
// tool name, the SHA-256 of the canonical arguments (JSON with sorted keys,
// confirmation_token removed), the SHA-256 of the live-state fingerprint and
// of the plan, an expiry ([TokenTTL]), a random nonce and the flow it
// belongs to: a prompt's request state is never accepted as a
// confirmation_token, nor a confirmation_token as a prompt's state. The key
// and the ledger of spent tokens live in the state directory (directory 0700, files
// 0600), so a token issued by one `stream-mcp call` process is honoured, once,
// by the next. Spending a token creates a marker file with O_EXCL, which the
// kernel makes atomic across processes; markers of expired tokens are pruned
// on every spend, so the ledger stays bounded by the tokens of one TTL.
//
// Every attempt (planned, confirmed, declined, cancelled, refused, applied,
// failed, no_change) is appended to the audit log as one JSON line with tool,
// time, hashes of the arguments and the plan, outcome and reason. The gate
// never logs the arguments, only their hash; target, summary and reason are
// the tool's own words, which name the resource changed (topic, group,
// stream, mapping) and, for a refusal, may quote the value refused. No write
// tool takes a secret as an argument (kafka_admin takes the name of the
// password's environment variable or file, never the password).
package confirm
