package aws_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

func TestMSKChangeState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		faults  []awssim.Fault
		wantOps []string
		unknown string
	}{
		// The completed version upgrade is not in flight; the storage update is.
		{name: "operations in flight", wantOps: []string{"UPDATE_BROKER_STORAGE (UPDATE_IN_PROGRESS)"}},
		{name: "listing denied", faults: []awssim.Fault{{Service: "kafka", Operation: "ListClusterOperationsV2", Error: "access_denied"}}, unknown: "kafka:ListClusterOperationsV2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := sim(t, "msk-change-and-dr", func(sc *awssim.Scenario) { sc.Faults = tc.faults })
			s, err := c.MSKChangeState(context.Background(), mskARN)
			if err != nil {
				t.Fatal(err)
			}
			if s.State != "ACTIVE" || s.Brokers != 3 || s.AZCount != 3 || s.KafkaVersion != "3.6.0" || s.InstanceType != "kafka.m7g.large" || s.StorageGiB != 1000 || !s.IAM {
				t.Errorf("state = %+v", s)
			}
			if strings.Join(s.Operations, ",") != strings.Join(tc.wantOps, ",") {
				t.Errorf("operations = %v, want %v", s.Operations, tc.wantOps)
			}
			if tc.unknown == "" && s.PartitionReplicas != 45 { // orders 12x3 + orders-dlq 3x3
				t.Errorf("partition replicas not summed from ListTopics: %+v", s)
			}
			if tc.unknown != "" && (len(s.Unknown) != 1 || s.Unknown[0].MissingPermission != tc.unknown) {
				t.Errorf("unknown = %+v, want the missing permission %s", s.Unknown, tc.unknown)
			}
		})
	}
	c, _ := sim(t, "msk-change-and-dr", nil)
	if _, err := c.MSKChangeState(context.Background(), "arn:aws:kafka:us-east-1:123456789012:cluster/nope/00000000-0000-0000-0000-000000000000-1"); err == nil {
		t.Error("an unknown cluster answered")
	}
}

func TestMSKReplicator(t *testing.T) {
	t.Parallel()
	c, _ := sim(t, "msk-change-and-dr", nil)
	r, err := c.MSKReplicator(context.Background(), "arn:aws:kafka:us-east-1:123456789012:replicator/orders-dr/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != "FAILED" || !strings.Contains(r.StateMessage, "target cluster unreachable") || len(r.Clusters) != 2 || len(r.ReplicationInfos) != 1 {
		t.Fatalf("replicator = %+v", r)
	}
	ri := r.ReplicationInfos[0]
	if ri.SourceArn != mskARN || !strings.Contains(ri.TargetArn, "orders-standby") || ri.TopicNameType != "IDENTICAL" || ri.StartingPosition != "EARLIEST" || !ri.SyncOffsets {
		t.Errorf("replication info = %+v", ri)
	}
}
