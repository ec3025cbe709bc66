package aws

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/smithy-go"

	"github.com/stream-mcp/stream-mcp/internal/errmap"
)

// MSKCluster is a normalised DescribeClusterV2 answer for provisioned and
// serverless clusters.
type MSKCluster struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
	// Type is PROVISIONED or SERVERLESS.
	Type string `json:"type"`
	// State is ACTIVE, CREATING, UPDATING, DELETING, FAILED, MAINTENANCE,
	// REBOOTING_BROKER, HEALING.
	State        string    `json:"state"`
	StateMessage string    `json:"state_message,omitempty"`
	Created      time.Time `json:"created,omitzero"`
	KafkaVersion string    `json:"kafka_version,omitempty"`
	// BrokerType and BrokerCount are empty/zero for serverless.
	BrokerType         string   `json:"broker_type,omitempty"`
	BrokerCount        int32    `json:"broker_count,omitempty"`
	SubnetIDs          []string `json:"subnet_ids"`
	SecurityGroupIDs   []string `json:"security_group_ids"`
	EnhancedMonitoring string   `json:"enhanced_monitoring,omitempty"`
	// Auth lists the enabled client authentication modes: iam,
	// sasl_scram, tls (mTLS), unauthenticated.
	Auth []string `json:"auth"`
	// ClientBroker is the in-transit encryption setting (TLS,
	// TLS_PLAINTEXT, PLAINTEXT).
	ClientBroker string `json:"client_broker_encryption,omitempty"`
	PublicAccess string `json:"public_access,omitempty"`
}

// HasAuth reports whether mode (iam, sasl_scram, tls, unauthenticated) is
// enabled.
func (c MSKCluster) HasAuth(mode string) bool {
	for _, a := range c.Auth {
		if a == mode {
			return true
		}
	}
	return false
}

// MSKCluster describes a cluster by ARN.
func (c *Client) MSKCluster(ctx context.Context, arn string) (MSKCluster, error) {
	if err := c.ready(ctx); err != nil {
		return MSKCluster{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.kafka.DescribeClusterV2(cctx, &kafka.DescribeClusterV2Input{ClusterArn: sdkaws.String(arn)})
	if err != nil {
		return MSKCluster{}, err
	}
	ci := out.ClusterInfo
	if ci == nil {
		return MSKCluster{}, errors.New("kafka DescribeClusterV2: no clusterInfo in the answer")
	}
	m := MSKCluster{ARN: sdkaws.ToString(ci.ClusterArn), Name: sdkaws.ToString(ci.ClusterName), Type: string(ci.ClusterType), State: string(ci.State)}
	if ci.StateInfo != nil {
		m.StateMessage = errmap.Clean(strings.TrimSpace(sdkaws.ToString(ci.StateInfo.Code) + " " + sdkaws.ToString(ci.StateInfo.Message)))
	}
	if ci.CreationTime != nil {
		m.Created = ci.CreationTime.UTC()
	}
	if p := ci.Provisioned; p != nil {
		m.BrokerCount = sdkaws.ToInt32(p.NumberOfBrokerNodes)
		m.EnhancedMonitoring = string(p.EnhancedMonitoring)
		if b := p.BrokerNodeGroupInfo; b != nil {
			m.BrokerType, m.SubnetIDs, m.SecurityGroupIDs = sdkaws.ToString(b.InstanceType), b.ClientSubnets, b.SecurityGroups
			if b.ConnectivityInfo != nil && b.ConnectivityInfo.PublicAccess != nil {
				m.PublicAccess = sdkaws.ToString(b.ConnectivityInfo.PublicAccess.Type)
			}
		}
		if s := p.CurrentBrokerSoftwareInfo; s != nil {
			m.KafkaVersion = sdkaws.ToString(s.KafkaVersion)
		}
		if a := p.ClientAuthentication; a != nil {
			if a.Sasl != nil && a.Sasl.Iam != nil && sdkaws.ToBool(a.Sasl.Iam.Enabled) {
				m.Auth = append(m.Auth, "iam")
			}
			if a.Sasl != nil && a.Sasl.Scram != nil && sdkaws.ToBool(a.Sasl.Scram.Enabled) {
				m.Auth = append(m.Auth, "sasl_scram")
			}
			if a.Tls != nil && sdkaws.ToBool(a.Tls.Enabled) {
				m.Auth = append(m.Auth, "tls")
			}
			if a.Unauthenticated != nil && sdkaws.ToBool(a.Unauthenticated.Enabled) {
				m.Auth = append(m.Auth, "unauthenticated")
			}
		}
		if e := p.EncryptionInfo; e != nil && e.EncryptionInTransit != nil {
			m.ClientBroker = string(e.EncryptionInTransit.ClientBroker)
		}
	}
	if s := ci.Serverless; s != nil {
		for _, v := range s.VpcConfigs {
			m.SubnetIDs = append(m.SubnetIDs, v.SubnetIds...)
			m.SecurityGroupIDs = append(m.SecurityGroupIDs, v.SecurityGroupIds...)
		}
		if a := s.ClientAuthentication; a != nil && a.Sasl != nil && a.Sasl.Iam != nil && sdkaws.ToBool(a.Sasl.Iam.Enabled) {
			m.Auth = append(m.Auth, "iam")
		}
		m.ClientBroker = "TLS" // serverless clusters only accept TLS
	}
	return m, nil
}

// MSKBootstrap returns the bootstrap broker strings by auth kind:
// plaintext, tls, sasl_scram, sasl_iam, public_tls, public_sasl_scram,
// public_sasl_iam (only non-empty ones).
func (c *Client) MSKBootstrap(ctx context.Context, arn string) (map[string]string, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.kafka.GetBootstrapBrokers(cctx, &kafka.GetBootstrapBrokersInput{ClusterArn: sdkaws.String(arn)})
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	add := func(k string, v *string) {
		if s := sdkaws.ToString(v); s != "" {
			m[k] = s
		}
	}
	add("plaintext", out.BootstrapBrokerString)
	add("tls", out.BootstrapBrokerStringTls)
	add("sasl_scram", out.BootstrapBrokerStringSaslScram)
	add("sasl_iam", out.BootstrapBrokerStringSaslIam)
	add("public_tls", out.BootstrapBrokerStringPublicTls)
	add("public_sasl_scram", out.BootstrapBrokerStringPublicSaslScram)
	add("public_sasl_iam", out.BootstrapBrokerStringPublicSaslIam)
	return m, nil
}

// MSKNode is one broker.
type MSKNode struct {
	BrokerID  int      `json:"broker_id"`
	SubnetID  string   `json:"subnet_id"`
	IP        string   `json:"ip,omitempty"`
	Endpoints []string `json:"endpoints,omitempty"`
}

// MSKNodes lists the brokers of a provisioned cluster (all pages, at most
// 100 pages), sorted by broker ID.
func (c *Client) MSKNodes(ctx context.Context, arn string) ([]MSKNode, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	var out []MSKNode
	p := kafka.NewListNodesPaginator(c.kafka, &kafka.ListNodesInput{ClusterArn: sdkaws.String(arn)})
	for i := 0; p.HasMorePages() && i < 100; i++ {
		cctx, cancel := c.timeout(ctx)
		pg, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return out, err
		}
		for _, n := range pg.NodeInfoList {
			if b := n.BrokerNodeInfo; b != nil {
				out = append(out, MSKNode{BrokerID: int(sdkaws.ToFloat64(b.BrokerId)), SubnetID: sdkaws.ToString(b.ClientSubnet), IP: sdkaws.ToString(b.ClientVpcIpAddress), Endpoints: b.Endpoints})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].BrokerID < out[j].BrokerID })
	return out, nil
}

// MSKPolicy returns the cluster resource policy JSON, "" when the cluster
// has none (NotFoundException is not an error here).
func (c *Client) MSKPolicy(ctx context.Context, arn string) (string, error) {
	if err := c.ready(ctx); err != nil {
		return "", err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.kafka.GetClusterPolicy(cctx, &kafka.GetClusterPolicyInput{ClusterArn: sdkaws.String(arn)})
	if err != nil {
		if errmap.Classify(err).Kind == errmap.KindNotFound {
			return "", nil
		}
		return "", err
	}
	return sdkaws.ToString(out.Policy), nil
}

// MSKTopic is a topic's shape as the MSK control plane reports it.
type MSKTopic struct {
	Name              string `json:"name"`
	Partitions        int32  `json:"partitions"`
	ReplicationFactor int32  `json:"replication_factor"`
}

// MSKTopic reads one topic through the MSK topic API (DescribeTopic).
func (c *Client) MSKTopic(ctx context.Context, arn, topic string) (MSKTopic, error) {
	if err := c.ready(ctx); err != nil {
		return MSKTopic{}, err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.kafka.DescribeTopic(cctx, &kafka.DescribeTopicInput{ClusterArn: sdkaws.String(arn), TopicName: sdkaws.String(topic)})
	if err != nil {
		// The topic API answers only for provisioned ACTIVE clusters; a
		// refusal (or a not-found) from a Serverless or busy cluster says
		// nothing about the topic, so it must not read as "no such topic".
		if k := errmap.Classify(err).Kind; k == errmap.KindNotFound || k == errmap.KindInvalid {
			if cl, cerr := c.MSKCluster(ctx, arn); cerr == nil {
				if why := topicAPIRefusal(cl); why != "" {
					return MSKTopic{}, &TopicAPIUnavailableError{Reason: why, Err: err}
				}
			}
		}
		return MSKTopic{}, err
	}
	return MSKTopic{Name: sdkaws.ToString(out.TopicName), Partitions: sdkaws.ToInt32(out.PartitionCount), ReplicationFactor: sdkaws.ToInt32(out.ReplicationFactor)}, nil
}

// TopicAPIUnavailableError is a DescribeTopic failure on a cluster the MSK
// topic API does not serve (MSK Serverless, or a provisioned cluster not in
// ACTIVE state; https://docs.aws.amazon.com/msk/latest/developerguide/msk-view-topic-information.html):
// the topic's partitions are unknown, not absent. It is a smithy.APIError
// with code MSKTopicAPIUnavailable, so errmap never classifies it as
// not-found.
type TopicAPIUnavailableError struct {
	Reason string
	Err    error
}

func (e *TopicAPIUnavailableError) Error() string { return e.ErrorCode() + ": " + e.ErrorMessage() }

// ErrorCode is stream-mcp's code for this refusal.
func (e *TopicAPIUnavailableError) ErrorCode() string { return "MSKTopicAPIUnavailable" }

// ErrorMessage says why the API does not answer and what MSK said.
func (e *TopicAPIUnavailableError) ErrorMessage() string {
	msg := e.Reason + "; topic metadata (partition count) is unknown, not missing"
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		msg += " (MSK answered " + ae.ErrorCode() + ": " + ae.ErrorMessage() + ")"
	}
	return msg
}

// ErrorFault marks the refusal as the caller's side.
func (e *TopicAPIUnavailableError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// topicAPIRefusal says why the MSK topic API does not serve a cluster, or
// "" when it should.
func topicAPIRefusal(c MSKCluster) string {
	switch {
	case strings.EqualFold(c.Type, "SERVERLESS"):
		return "the MSK topic API does not serve MSK Serverless clusters"
	case c.State != "" && c.State != "ACTIVE":
		return "the MSK topic API answers only for clusters in ACTIVE state; this cluster is " + c.State
	}
	return ""
}

// ClusterUUIDFromARN returns the "<name>/<uuid>" part of an MSK cluster
// ARN, which topic and group ARNs repeat.
func ClusterUUIDFromARN(arn string) (name, uuid string, ok bool) {
	_, rest, found := strings.Cut(arn, ":cluster/")
	if !found {
		return "", "", false
	}
	name, uuid, found = strings.Cut(rest, "/")
	return name, uuid, found && name != "" && uuid != ""
}

// MSKTopicARN is the kafka-cluster resource ARN of a topic on the cluster
// (arn:aws:kafka:REGION:ACCOUNT:topic/NAME/UUID/TOPIC), for IAM simulation.
// Returns "" when clusterARN is not an MSK cluster ARN.
func MSKTopicARN(clusterARN, topic string) string {
	return mskChildARN(clusterARN, "topic", topic)
}

// MSKGroupARN is the kafka-cluster resource ARN of a consumer group.
func MSKGroupARN(clusterARN, group string) string {
	return mskChildARN(clusterARN, "group", group)
}

func mskChildARN(clusterARN, kind, name string) string {
	prefix, _, ok := strings.Cut(clusterARN, ":cluster/")
	cname, uuid, ok2 := ClusterUUIDFromARN(clusterARN)
	if !ok || !ok2 {
		return ""
	}
	return prefix + ":" + kind + "/" + cname + "/" + uuid + "/" + name
}
