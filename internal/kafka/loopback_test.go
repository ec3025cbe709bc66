package kafka

import (
	"context"
	"strings"
	"testing"
)

// Regression: against a loopback AWS simulator the demo resolved the
// simulated account's fictional broker names through the system resolver,
// sending DNS queries off the machine. Conn must refuse before dialling.
func TestLoopbackOnlyLookupStopsDialling(t *testing.T) {
	t.Parallel()
	f := NewFactory(nil, nil, Env{LookupHost: LoopbackOnlyLookup}, nil)
	defer f.Close()
	_, err := f.Conn(context.Background(), Target{Bootstrap: []string{"b-1.orders.a1b2c3.c3.kafka.us-east-1.amazonaws.com:9098"}, Auth: AuthNone})
	if err == nil || !strings.Contains(err.Error(), "loopback simulator") {
		t.Fatalf("Conn = %v, want a refusal naming the loopback simulator", err)
	}
	if _, err := f.Conn(context.Background(), Target{Bootstrap: []string{"127.0.0.1:9092"}, Auth: AuthNone}); err != nil {
		t.Fatalf("an IP bootstrap was refused: %v", err)
	}
	if ips, err := LoopbackOnlyLookup(context.Background(), "localhost"); err != nil || ips[0] != "127.0.0.1" {
		t.Fatalf("localhost = %v, %v", ips, err)
	}
}
