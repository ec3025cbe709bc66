package kafkacfg

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A topic given in Terraform, Strimzi or AdminClient shape is judged by the
// Kafka names; a Kafka name given alongside its alias wins.
func TestNormalizeTopic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   Config
		want Config
	}{
		{"terraform", Config{"name": "t", "partitions": 6, "replication_factor": 2, "config": map[string]any{"min.insync.replicas": "2"}},
			Config{"partitions": 6, "replication.factor": 2, "min.insync.replicas": "2"}},
		{"strimzi", Config{"replicas": 3, "config": map[string]any{"retention.ms": "1"}}, Config{"replication.factor": 3, "retention.ms": "1"}},
		{"adminclient", Config{"numPartitions": 12, "replicationFactor": 3}, Config{"partitions": 12, "replication.factor": 3}},
		{"kafka name wins", Config{"replication.factor": 3, "replication_factor": 1}, Config{"replication.factor": 3}},
		{"kafka names untouched", Config{"cleanup.policy": "compact"}, Config{"cleanup.policy": "compact"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if d := cmp.Diff(tc.want, normalizeTopic(tc.in)); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
		})
	}
}
