package kafkadiag

import (
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
)

// A probe that cannot reach an MSK cluster's private brokers from this
// server is unknown (this server's position, not the cluster's path); a
// refusal, or a self-managed host that does not resolve, stays a failure.
func TestNotFromHere(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1"
	probe := func(stage, reason string, n int) kafka.ProbeReport {
		var p kafka.ProbeReport
		for i := 0; i < n; i++ {
			p.Addresses = append(p.Addresses, kafka.AddressProbe{Address: "b:9098", Failed: stage, Reason: reason})
		}
		return p
	}
	fail := diagnose.Fail("all failed")
	tests := []struct {
		name   string
		p      kafka.ProbeReport
		stage  string
		target kafka.Target
		want   diagnose.Status
	}{
		{"MSK names do not resolve here", probe(kafka.StageDNS, "nxdomain", 3), kafka.StageDNS, kafka.Target{ClusterARN: arn}, diagnose.StatusUnknown},
		{"MSK brokers time out from here", probe(kafka.StageTCP, "timeout", 3), kafka.StageTCP, kafka.Target{ClusterARN: arn}, diagnose.StatusUnknown},
		{"MSK broker refuses: a real answer", probe(kafka.StageTCP, "refused", 3), kafka.StageTCP, kafka.Target{ClusterARN: arn}, diagnose.StatusFail},
		{"self-managed host does not resolve: maybe a typo", probe(kafka.StageDNS, "nxdomain", 2), kafka.StageDNS, kafka.Target{Bootstrap: []string{"kafka1:9092"}}, diagnose.StatusFail},
		{"one broker resolves", kafka.ProbeReport{Addresses: []kafka.AddressProbe{{Failed: kafka.StageDNS, Reason: "nxdomain"}, {}}}, kafka.StageDNS, kafka.Target{ClusterARN: arn}, diagnose.StatusFail},
	}
	for _, tc := range tests {
		if got := notFromHere(tc.p, tc.stage, tc.target, fail); got.Status != tc.want {
			t.Errorf("%s: status %s (%s), want %s", tc.name, got.Status, got.Detail, tc.want)
		}
	}
}
