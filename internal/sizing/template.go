package sizing

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// TemplateInput names and places the resource a sizing result becomes.
// Empty names take DefaultClusterName / DefaultStreamName; empty network
// lists become template parameters (Terraform variables), never invented
// IDs.
type TemplateInput struct {
	Format           iac.Format
	Cluster          string
	StreamName       string
	SubnetIDs        []string
	SecurityGroupIDs []string
	// Auth is iam (default), sasl_scram_512 or mtls.
	Auth string
	// KafkaVersion defaults to guidance msk.kafka_version.recommended.
	KafkaVersion string
}

// Default resource names when the caller gives none (names, not limits).
const (
	DefaultClusterName = "msk-cluster"
	DefaultStreamName  = "kinesis-stream"
)

// ErrNoTemplate marks a service whose recommendation has no IaC model; the
// message says why.
var ErrNoTemplate = errors.New("no template")

// Template renders r (from Size for service msk, msk_express or kinesis) as
// an MSK cluster or Kinesis stream through internal/iac. w is the workload r
// was sized from (its retention becomes the stream's retention). Errors wrap
// ErrInput or iac.ErrInvalid (bad names or IDs: the caller's fault) or
// ErrNoTemplate.
func Template(r Result, w Workload, in TemplateInput, b *guidance.Base) (iac.Artifact, error) {
	switch r.Service {
	case "msk", "msk_express":
		return clusterTemplate(r, in, b)
	case "kinesis":
		return streamTemplate(r, w, in, b)
	case "msk_serverless":
		why := "internal/iac has no MSK Serverless model yet (AWS::MSK::ServerlessCluster / aws_msk_serverless_cluster), so no template is generated"
		if r.Recommendation.Fits != nil && !*r.Recommendation.Fits {
			why = "the workload does not fit MSK Serverless quotas (see warnings), and " + why
		}
		return iac.Artifact{}, fmt.Errorf("%w: %s; size a provisioned cluster with service msk or msk_express to get one", ErrNoTemplate, why)
	case "lambda_esm":
		return iac.Artifact{}, fmt.Errorf("%w: a mapping's template comes from esm_optimize action=generate_template with the recommended configuration", ErrNoTemplate)
	}
	return iac.Artifact{}, fmt.Errorf("%w: service %q has no template", ErrNoTemplate, r.Service)
}

func clusterTemplate(r Result, in TemplateInput, b *guidance.Base) (iac.Artifact, error) {
	rec := r.Recommendation
	if len(in.SubnetIDs) > 0 && len(in.SubnetIDs) != rec.AZCount {
		return iac.Artifact{}, fmt.Errorf("%w: subnet_ids has %d subnets but the cluster is sized for %d AZs; send one subnet per AZ (or az_count %d for Standard brokers)",
			ErrInput, len(in.SubnetIDs), rec.AZCount, len(in.SubnetIDs))
	}
	name := in.Cluster
	if name == "" {
		name = DefaultClusterName
	}
	auth := in.Auth
	if auth == "" {
		auth = string(iac.AuthIAM)
	}
	ver := in.KafkaVersion
	if ver == "" {
		l, _ := b.Lookup("msk.kafka_version.recommended")
		v, ok := l.Value.(string)
		if !ok {
			return iac.Artifact{}, fmt.Errorf("sizing: guidance msk.kafka_version.recommended is %T, not a version string", l.Value)
		}
		ver = v
	}
	c := iac.MSKClusterSpec{Name: name, KafkaVersion: ver, InstanceType: rec.BrokerType, Brokers: rec.Brokers,
		SubnetIDs: in.SubnetIDs, SecurityGroupIDs: in.SecurityGroupIDs, Auth: iac.Auth(auth)}
	if len(in.SubnetIDs) == 0 {
		c.AZCount = rec.AZCount
	}
	var notes []string
	if r.Service == "msk" {
		c.VolumeGiB = int(math.Ceil(rec.StorageGiBPerBroker))
		if rec.ProvisionedThroughputMiBps > 0 {
			c.ProvisionedThroughputMiBps = int(math.Floor(rec.ProvisionedThroughputMiBps))
			if float64(c.ProvisionedThroughputMiBps) != rec.ProvisionedThroughputMiBps {
				notes = append(notes, fmt.Sprintf("Provisioned storage throughput is %d MiB/s: the API takes whole MiB/s and the recommendation (%g) is the broker's maximum.",
					c.ProvisionedThroughputMiBps, rec.ProvisionedThroughputMiBps))
			}
		}
	}
	s := iac.Stack{Description: "MSK cluster sized by stream-mcp sizing (" + r.Service + "): " + rec.Summary, Cluster: &c}
	a, err := iac.RenderStack(s, in.Format)
	if err != nil {
		return iac.Artifact{}, err
	}
	if in.Cluster == "" {
		notes = append(notes, fmt.Sprintf("The cluster is named %q; send cluster to name it.", name))
	}
	if len(in.SubnetIDs) == 0 {
		notes = append(notes, fmt.Sprintf("Client subnets are a template input (%s): give exactly %d, one per Availability Zone, or send subnet_ids to fill them in.", pick(in.Format == iac.FormatTerraform, "variable client_subnets", "parameter ClientSubnets"), rec.AZCount))
	}
	if len(in.SecurityGroupIDs) == 0 {
		notes = append(notes, fmt.Sprintf("Security groups are a template input (%s), or send security_group_ids.", pick(in.Format == iac.FormatTerraform, "variable security_group_ids", "parameter SecurityGroupIds")))
	}
	notes = append(notes, fmt.Sprintf("Kafka %s with %s client authentication and TLS in transit; topics still need partitions and replication factor set when you create them.", ver, auth))
	a.Notes = append(a.Notes, notes...)
	return a, nil
}

func streamTemplate(r Result, w Workload, in TemplateInput, b *guidance.Base) (iac.Artifact, error) {
	rec := r.Recommendation
	name := in.StreamName
	if name == "" {
		name = DefaultStreamName
	}
	k := iac.KinesisStream{Name: name}
	var notes []string
	if strings.HasPrefix(rec.CapacityMode, "ON_DEMAND") {
		k.OnDemand = true
		if strings.Contains(rec.CapacityMode, "Advantage") {
			notes = append(notes, "On-demand Advantage is an account-level setting (Kinesis UpdateAccountSettings), not a stream property: enable it separately.")
		}
	} else {
		k.Shards = iac.Int(rec.Shards)
	}
	if rec.MaxRecordSizeKiB > 0 {
		k.MaxRecordSizeKiB = iac.Int(int(rec.MaxRecordSizeKiB))
	}
	if w.RetentionHours > b.Num("kinesis.retention.min_hours") {
		h := int(math.Ceil(w.RetentionHours))
		if hi := b.Int("kinesis.retention.max_hours"); h > hi {
			notes = append(notes, fmt.Sprintf("Retention capped at the %d-hour maximum (retention_hours was %g).", hi, w.RetentionHours))
			h = hi
		}
		k.RetentionHours = iac.Int(h)
	}
	s := iac.Stack{Description: "Kinesis data stream sized by stream-mcp sizing: " + rec.Summary, Stream: &k}
	a, err := iac.RenderStack(s, in.Format)
	if err != nil {
		return iac.Artifact{}, err
	}
	if in.StreamName == "" {
		notes = append(notes, fmt.Sprintf("The stream is named %q; send stream_name to name it.", name))
	}
	a.Notes = append(a.Notes, notes...)
	return a, nil
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
