// Package writes owns the mutations stream-mcp can make and the plans that
// precede them: Kafka topic and consumer-group administration (kadm), event
// source mapping updates and Kinesis capacity changes. Every operation comes
// as a pair: a Plan function that reads live state, validates the change
// (broker validate-only requests, the rule engine, service limits) and
// describes it as a confirm.Plan with a fingerprint of the state it depends
// on, without changing anything; and an Apply function that performs the
// change and reads the result back. internal/confirm decides when Apply may
// run.
//
// Plan functions return *confirm.Refusal for requests that must not go ahead
// (invalid input, a group with active members, a limit that would be broken),
// with a message that says what to send instead.
package writes
