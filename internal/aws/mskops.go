package aws

import (
	"context"
	"errors"
	"sort"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
)

// MSKChangeState is what a planned cluster change is checked against:
// DescribeClusterV2 plus the operations still running
// (ListClusterOperationsV2). Unknown lists the reads that failed.
type MSKChangeState struct {
	State        string   `json:"state"`
	Serverless   bool     `json:"serverless,omitempty"`
	KafkaVersion string   `json:"kafka_version,omitempty"`
	InstanceType string   `json:"instance_type,omitempty"`
	Brokers      int      `json:"brokers,omitempty"`
	AZCount      int      `json:"az_count,omitempty"`
	StorageGiB   float64  `json:"storage_gib,omitempty"`
	Tiered       bool     `json:"tiered,omitempty"`
	IAM          bool     `json:"iam,omitempty"`
	MultiVPCIAM  bool     `json:"multi_vpc_iam,omitempty"`
	Operations   []string `json:"operations_in_flight,omitempty"`
	// PartitionReplicas sums partitions x replication factor over the
	// topics ListTopics returns (0 when it could not be read).
	PartitionReplicas int       `json:"partition_replicas,omitempty"`
	Unknown           []Unknown `json:"unknown,omitempty"`
}

// doneOperation reports whether an operation state is terminal.
func doneOperation(state string) bool {
	s := strings.ToUpper(state)
	return strings.HasSuffix(s, "COMPLETE") || strings.HasSuffix(s, "COMPLETED") || strings.HasSuffix(s, "FAILED") || strings.HasSuffix(s, "CANCELLED")
}

// MSKChangeState reads a cluster for msk_cluster_change. A failed
// DescribeClusterV2 is an error; a failed operations listing lands in
// Unknown (permission kafka:ListClusterOperationsV2).
func (c *Client) MSKChangeState(ctx context.Context, arn string) (MSKChangeState, error) {
	var s MSKChangeState
	if err := c.ready(ctx); err != nil {
		return s, err
	}
	cctx, cancel := c.timeout(ctx)
	out, err := c.kafka.DescribeClusterV2(cctx, &kafka.DescribeClusterV2Input{ClusterArn: sdkaws.String(arn)})
	cancel()
	if err != nil {
		return s, err
	}
	ci := out.ClusterInfo
	if ci == nil {
		return s, errors.New("kafka DescribeClusterV2: no clusterInfo in the answer")
	}
	s.State = string(ci.State)
	if p := ci.Provisioned; p != nil {
		s.Brokers = int(sdkaws.ToInt32(p.NumberOfBrokerNodes))
		s.Tiered = string(p.StorageMode) == "TIERED"
		if sw := p.CurrentBrokerSoftwareInfo; sw != nil {
			s.KafkaVersion = sdkaws.ToString(sw.KafkaVersion)
		}
		if g := p.BrokerNodeGroupInfo; g != nil {
			s.InstanceType = sdkaws.ToString(g.InstanceType)
			s.AZCount = len(g.ClientSubnets)
			if si := g.StorageInfo; si != nil && si.EbsStorageInfo != nil {
				s.StorageGiB = float64(sdkaws.ToInt32(si.EbsStorageInfo.VolumeSize))
			}
			if ci := g.ConnectivityInfo; ci != nil && ci.VpcConnectivity != nil && ci.VpcConnectivity.ClientAuthentication != nil {
				if sa := ci.VpcConnectivity.ClientAuthentication.Sasl; sa != nil && sa.Iam != nil {
					s.MultiVPCIAM = sdkaws.ToBool(sa.Iam.Enabled)
				}
			}
		}
		if a := p.ClientAuthentication; a != nil && a.Sasl != nil && a.Sasl.Iam != nil {
			s.IAM = sdkaws.ToBool(a.Sasl.Iam.Enabled)
		}
	}
	if sv := ci.Serverless; sv != nil {
		s.Serverless = true
		s.IAM = true
	}
	if a := sdkaws.ToString(ci.ActiveOperationArn); a != "" {
		s.Operations = append(s.Operations, "active operation "+a)
	}
	ops, unk := c.mskOperationsInFlight(ctx, arn)
	if unk != nil {
		s.Unknown = append(s.Unknown, *unk)
	}
	for _, o := range ops {
		if !slicesContains(s.Operations, o) {
			s.Operations = append(s.Operations, o)
		}
	}
	if !s.Serverless {
		n, unk := c.mskPartitionReplicas(ctx, arn)
		if unk != nil {
			s.Unknown = append(s.Unknown, *unk)
		}
		s.PartitionReplicas = n
	}
	return s, nil
}

// mskPartitionReplicas sums partitions x replication factor over ListTopics
// (at most maxTopicPages pages).
func (c *Client) mskPartitionReplicas(ctx context.Context, arn string) (int, *Unknown) {
	n := 0
	p := kafka.NewListTopicsPaginator(c.kafka, &kafka.ListTopicsInput{ClusterArn: sdkaws.String(arn)})
	for i := 0; p.HasMorePages() && i < maxTopicPages; i++ {
		cctx, cancel := c.timeout(ctx)
		pg, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			u := UnknownFrom("Kafka:ListTopics", err)
			if u.MissingPermission == "" && u.Kind == "access_denied" {
				u.MissingPermission = "kafka:ListTopics"
			}
			return 0, u
		}
		for _, t := range pg.Topics {
			n += int(sdkaws.ToInt32(t.PartitionCount)) * int(sdkaws.ToInt32(t.ReplicationFactor))
		}
	}
	return n, nil
}

// maxTopicPages bounds the topic listing.
const maxTopicPages = 100

// mskOperationsInFlight lists non-terminal operations (at most 10 pages).
func (c *Client) mskOperationsInFlight(ctx context.Context, arn string) ([]string, *Unknown) {
	var out []string
	p := kafka.NewListClusterOperationsV2Paginator(c.kafka, &kafka.ListClusterOperationsV2Input{ClusterArn: sdkaws.String(arn)})
	for i := 0; p.HasMorePages() && i < maxOperationPages; i++ {
		cctx, cancel := c.timeout(ctx)
		pg, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			u := UnknownFrom("Kafka:ListClusterOperationsV2", err)
			if u.MissingPermission == "" && u.Kind == "access_denied" {
				u.MissingPermission = "kafka:ListClusterOperationsV2"
			}
			return out, u
		}
		for _, o := range pg.ClusterOperationInfoList {
			st := sdkaws.ToString(o.OperationState)
			if !doneOperation(st) {
				out = append(out, sdkaws.ToString(o.OperationType)+" ("+st+")")
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// maxOperationPages bounds the operations listing.
const maxOperationPages = 10

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// MSKReplicatorState is a Replicator as DescribeReplicator returns it,
// reduced to what the DR checks judge.
type MSKReplicatorState struct {
	Arn              string                   `json:"arn"`
	Name             string                   `json:"name"`
	State            string                   `json:"state"`
	StateMessage     string                   `json:"state_message,omitempty"`
	ServiceRoleArn   string                   `json:"service_execution_role_arn,omitempty"`
	Clusters         []string                 `json:"clusters"`
	ReplicationInfos []MSKReplicationInfoLive `json:"replication_info"`
}

// MSKReplicationInfoLive is one source -> target flow.
type MSKReplicationInfoLive struct {
	SourceArn        string `json:"source_arn"`
	TargetArn        string `json:"target_arn"`
	TopicNameType    string `json:"topic_name_type,omitempty"`
	StartingPosition string `json:"starting_position,omitempty"`
	SyncOffsets      bool   `json:"sync_offsets"`
	OffsetSyncMode   string `json:"offset_sync_mode,omitempty"`
}

// MSKReplicator describes one Replicator by ARN.
func (c *Client) MSKReplicator(ctx context.Context, arn string) (MSKReplicatorState, error) {
	var r MSKReplicatorState
	if err := c.ready(ctx); err != nil {
		return r, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.kafka.DescribeReplicator(cctx, &kafka.DescribeReplicatorInput{ReplicatorArn: sdkaws.String(arn)})
	if err != nil {
		return r, err
	}
	r = MSKReplicatorState{Arn: sdkaws.ToString(out.ReplicatorArn), Name: sdkaws.ToString(out.ReplicatorName), State: string(out.ReplicatorState),
		ServiceRoleArn: sdkaws.ToString(out.ServiceExecutionRoleArn)}
	if si := out.StateInfo; si != nil {
		r.StateMessage = strings.TrimSpace(sdkaws.ToString(si.Code) + " " + sdkaws.ToString(si.Message))
	}
	alias := map[string]string{}
	for _, k := range out.KafkaClusters {
		if k.AmazonMskCluster != nil {
			a := sdkaws.ToString(k.AmazonMskCluster.MskClusterArn)
			r.Clusters = append(r.Clusters, a)
			alias[sdkaws.ToString(k.KafkaClusterAlias)] = a
		}
	}
	for _, ri := range out.ReplicationInfoList {
		li := MSKReplicationInfoLive{SourceArn: alias[sdkaws.ToString(ri.SourceKafkaClusterAlias)], TargetArn: alias[sdkaws.ToString(ri.TargetKafkaClusterAlias)]}
		if tr := ri.TopicReplication; tr != nil {
			if tr.TopicNameConfiguration != nil {
				li.TopicNameType = string(tr.TopicNameConfiguration.Type)
			}
			if tr.StartingPosition != nil {
				li.StartingPosition = string(tr.StartingPosition.Type)
			}
		}
		if cg := ri.ConsumerGroupReplication; cg != nil {
			li.SyncOffsets = sdkaws.ToBool(cg.SynchroniseConsumerGroupOffsets)
			li.OffsetSyncMode = string(cg.ConsumerGroupOffsetSyncMode)
		}
		r.ReplicationInfos = append(r.ReplicationInfos, li)
	}
	return r, nil
}

// MSKVpcConnection is a managed VPC connection (multi-VPC private
// connectivity) in this (client) account.
type MSKVpcConnection struct {
	Arn              string `json:"arn"`
	TargetClusterArn string `json:"target_cluster_arn"`
	VpcID            string `json:"vpc_id"`
	State            string `json:"state"`
	Authentication   string `json:"authentication,omitempty"`
}

// MSKVpcConnections lists the account's managed VPC connections (at most
// maxOperationPages pages).
func (c *Client) MSKVpcConnections(ctx context.Context) ([]MSKVpcConnection, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	var out []MSKVpcConnection
	p := kafka.NewListVpcConnectionsPaginator(c.kafka, &kafka.ListVpcConnectionsInput{})
	for i := 0; p.HasMorePages() && i < maxOperationPages; i++ {
		cctx, cancel := c.timeout(ctx)
		pg, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return out, err
		}
		for _, v := range pg.VpcConnections {
			out = append(out, MSKVpcConnection{Arn: sdkaws.ToString(v.VpcConnectionArn), TargetClusterArn: sdkaws.ToString(v.TargetClusterArn),
				VpcID: sdkaws.ToString(v.VpcId), State: string(v.State), Authentication: sdkaws.ToString(v.Authentication)})
		}
	}
	return out, nil
}

// MSKReplicatorARN finds a Replicator's ARN by exact name (ListReplicators
// with a name filter); "" when none matches.
func (c *Client) MSKReplicatorARN(ctx context.Context, name string) (string, error) {
	if err := c.ready(ctx); err != nil {
		return "", err
	}
	p := kafka.NewListReplicatorsPaginator(c.kafka, &kafka.ListReplicatorsInput{ReplicatorNameFilter: sdkaws.String(name)})
	for i := 0; p.HasMorePages() && i < maxOperationPages; i++ {
		cctx, cancel := c.timeout(ctx)
		pg, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return "", err
		}
		for _, r := range pg.Replicators {
			if sdkaws.ToString(r.ReplicatorName) == name {
				return sdkaws.ToString(r.ReplicatorArn), nil
			}
		}
	}
	return "", nil
}
