package sizing

import (
	"errors"
	"strings"
	"testing"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// TestProvisionedThroughputRaisesVolume: provisioned storage throughput needs
// a minimum volume size, so a tiny retention must not leave a volume the
// cluster template (and validate_config) would reject.
func TestProvisionedThroughputRaisesVolume(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	r, err := MSKStandard(Workload{IngressMBps: 200, ConsumerGroups: 1, RetentionHours: 0.001, BrokerType: "kafka.m5.8xlarge"}, b)
	if err != nil {
		t.Fatal(err)
	}
	minVol := b.Num("msk.standard.storage_throughput.provisioned_min_volume_gib")
	if r.Recommendation.ProvisionedThroughputMiBps <= 0 || r.Recommendation.StorageGiBPerBroker != minVol {
		t.Fatalf("want provisioned throughput with %g GiB volumes, got %+v", minVol, r.Recommendation)
	}
	if r.Recommendation.AZCount != int(b.Num("sizing.msk.default_az_count")) {
		t.Errorf("az_count %d", r.Recommendation.AZCount)
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	b := loadTestBase(t)
	size := func(service string, w Workload) Result {
		t.Helper()
		r, err := Size(service, w, b)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	w := Workload{IngressMBps: 20}
	tests := []struct {
		name    string
		r       Result
		in      TemplateInput
		wantErr error
		msg     string
	}{
		{"serverless has no model", size("msk_serverless", w), TemplateInput{Format: iac.FormatSAM}, ErrNoTemplate, "no MSK Serverless model"},
		{"lambda esm belongs to esm_optimize", size("lambda_esm", Workload{EventSource: "sqs", RecordsPerSecond: 10, ProcessingMsPerRecord: 10}), TemplateInput{Format: iac.FormatSAM}, ErrNoTemplate, "esm_optimize"},
		{"subnets per AZ", size("msk_express", w), TemplateInput{Format: iac.FormatTerraform, SubnetIDs: []string{"subnet-0123456789abcdef0"}}, ErrInput, "sized for 3 AZs"},
		{"hostile name", size("kinesis", w), TemplateInput{Format: iac.FormatCloudFormation, StreamName: "a: b\n"}, iac.ErrInvalid, "stream name"},
		{"unknown auth", size("msk", w), TemplateInput{Format: iac.FormatCloudFormation, Auth: "sasl_plain"}, iac.ErrInvalid, "auth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Template(tc.r, w, tc.in, b)
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("want %v mentioning %q, got %v", tc.wantErr, tc.msg, err)
			}
		})
	}
}
