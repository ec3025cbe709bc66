package awssim

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// MSKState is the `msk:` section: Amazon MSK clusters, MSK Replicator
// replicators and the multi-VPC connections of this (client) account.
type MSKState struct {
	Clusters       []MSKCluster       `yaml:"clusters"`
	Replicators    []MSKReplicator    `yaml:"replicators"`
	VpcConnections []MSKVpcConnection `yaml:"vpc_connections"`
}

// ISOTime is a Timestamp the MSK REST API renders as ISO 8601 text.
type ISOTime struct{ Timestamp }

// MarshalJSON writes RFC 3339 with milliseconds.
func (t ISOTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

// MSKOperation is one cluster operation (ListClusterOperationsV2,
// DescribeClusterOperationV2). Provisioned holds operationSteps,
// sourceClusterInfo, targetClusterInfo, vpcConnectionInfo as the API
// returns them; errorInfo{errorCode,errorString} says why it failed.
type MSKOperation struct {
	OperationArn   string         `yaml:"operationArn" json:"operationArn"`
	OperationType  string         `yaml:"operationType" json:"operationType"`
	OperationState string         `yaml:"operationState" json:"operationState"`
	StartTime      ISOTime        `yaml:"startTime" json:"startTime,omitzero"`
	EndTime        ISOTime        `yaml:"endTime" json:"endTime,omitzero"`
	ErrorInfo      map[string]any `yaml:"errorInfo" json:"errorInfo,omitempty"`
	Provisioned    map[string]any `yaml:"provisioned" json:"provisioned,omitempty"`
	Serverless     map[string]any `yaml:"serverless" json:"serverless,omitempty"`
}

// MSKReplicator is an MSK Replicator in the DescribeReplicator shape;
// kafkaClusters and replicationInfoList are free-form, as the API returns
// them.
type MSKReplicator struct {
	ReplicatorArn           string            `yaml:"replicatorArn" json:"replicatorArn"`
	ReplicatorName          string            `yaml:"replicatorName" json:"replicatorName"`
	ReplicatorState         string            `yaml:"replicatorState" json:"replicatorState"`
	ReplicatorDescription   string            `yaml:"replicatorDescription" json:"replicatorDescription,omitempty"`
	CurrentVersion          string            `yaml:"currentVersion" json:"currentVersion,omitempty"`
	CreationTime            ISOTime           `yaml:"creationTime" json:"creationTime,omitzero"`
	IsReplicatorReference   bool              `yaml:"isReplicatorReference" json:"isReplicatorReference"`
	ServiceExecutionRoleArn string            `yaml:"serviceExecutionRoleArn" json:"serviceExecutionRoleArn,omitempty"`
	StateInfo               map[string]any    `yaml:"stateInfo" json:"stateInfo,omitempty"`
	KafkaClusters           []map[string]any  `yaml:"kafkaClusters" json:"kafkaClusters"`
	ReplicationInfoList     []map[string]any  `yaml:"replicationInfoList" json:"replicationInfoList"`
	Tags                    map[string]string `yaml:"tags" json:"tags,omitempty"`
}

// MSKVpcConnection is a multi-VPC private connection (ListVpcConnections).
type MSKVpcConnection struct {
	VpcConnectionArn string  `yaml:"vpcConnectionArn" json:"vpcConnectionArn"`
	TargetClusterArn string  `yaml:"targetClusterArn" json:"targetClusterArn"`
	CreationTime     ISOTime `yaml:"creationTime" json:"creationTime,omitzero"`
	Authentication   string  `yaml:"authentication" json:"authentication,omitempty"`
	VpcId            string  `yaml:"vpcId" json:"vpcId,omitempty"`
	State            string  `yaml:"state" json:"state"`
}

// MSKCluster is one MSK cluster in the DescribeClusterV2 `clusterInfo` shape
// (camelCase member names), plus what the other MSK read operations return.
type MSKCluster struct {
	ClusterArn         string            `yaml:"clusterArn" json:"clusterArn"`
	ActiveOperationArn string            `yaml:"activeOperationArn" json:"activeOperationArn,omitempty"`
	ClusterName        string            `yaml:"clusterName" json:"clusterName"`
	ClusterType        string            `yaml:"clusterType" json:"clusterType"` // PROVISIONED | SERVERLESS
	State              string            `yaml:"state" json:"state"`
	StateInfo          map[string]any    `yaml:"stateInfo" json:"stateInfo,omitempty"`
	CreationTime       time.Time         `yaml:"creationTime" json:"creationTime,omitzero"`
	CurrentVersion     string            `yaml:"currentVersion" json:"currentVersion,omitempty"`
	Tags               map[string]string `yaml:"tags" json:"tags,omitempty"`
	// Provisioned holds brokerNodeGroupInfo, clientAuthentication,
	// currentBrokerSoftwareInfo, encryptionInfo, enhancedMonitoring,
	// numberOfBrokerNodes, ... exactly as DescribeClusterV2 returns them.
	Provisioned map[string]any `yaml:"provisioned" json:"provisioned,omitempty"`
	// Serverless holds vpcConfigs and clientAuthentication.
	Serverless map[string]any `yaml:"serverless" json:"serverless,omitempty"`

	// BootstrapBrokers is the GetBootstrapBrokers answer
	// (bootstrapBrokerStringSaslIam, bootstrapBrokerStringTls, ...).
	BootstrapBrokers map[string]string `yaml:"bootstrapBrokers" json:"-"`
	// Nodes is the ListNodes nodeInfoList.
	Nodes []map[string]any `yaml:"nodes" json:"-"`
	// Policy is the cluster resource policy (a YAML object or JSON text);
	// absent means GetClusterPolicy answers NotFoundException.
	Policy any `yaml:"policy" json:"-"`
	// Topics are answered by ListTopics and DescribeTopic.
	Topics []MSKTopic `yaml:"topics" json:"-"`
	// ScramSecrets are the ARNs of the secrets associated for SASL/SCRAM
	// (ListScramSecrets).
	ScramSecrets []string `yaml:"scramSecrets" json:"-"`
	// Operations are the cluster's operations, newest first as listed.
	Operations []MSKOperation `yaml:"operations" json:"-"`
}

// MSKTopic is one topic as the MSK topic APIs describe it.
type MSKTopic struct {
	TopicName             string `yaml:"topicName" json:"topicName"`
	PartitionCount        int    `yaml:"partitionCount" json:"partitionCount"`
	ReplicationFactor     int    `yaml:"replicationFactor" json:"replicationFactor"`
	OutOfSyncReplicaCount int    `yaml:"outOfSyncReplicaCount" json:"outOfSyncReplicaCount"`
}

func (s *Server) kafkaService() service {
	routes := []restRoute{
		{http.MethodGet, "/api/v2/clusters", "ListClustersV2"},
		{http.MethodGet, "/api/v2/clusters/{ClusterArn}", "DescribeClusterV2"},
		{http.MethodGet, "/v1/clusters/{ClusterArn}/bootstrap-brokers", "GetBootstrapBrokers"},
		{http.MethodGet, "/v1/clusters/{ClusterArn}/nodes", "ListNodes"},
		{http.MethodGet, "/v1/clusters/{ClusterArn}/policy", "GetClusterPolicy"},
		{http.MethodGet, "/v1/clusters/{ClusterArn}/topics", "ListTopics"},
		{http.MethodGet, "/v1/clusters/{ClusterArn}/topics/{TopicName}", "DescribeTopic"},
		{http.MethodGet, "/v1/clusters/{ClusterArn}/scram-secrets", "ListScramSecrets"},
		{http.MethodGet, "/api/v2/clusters/{ClusterArn}/operations", "ListClusterOperationsV2"},
		{http.MethodGet, "/api/v2/operations/{ClusterOperationArn}", "DescribeClusterOperationV2"},
		{http.MethodGet, "/replication/v1/replicators", "ListReplicators"},
		{http.MethodGet, "/replication/v1/replicators/{ReplicatorArn}", "DescribeReplicator"},
		{http.MethodGet, "/v1/vpc-connections", "ListVpcConnections"},
	}
	return service{
		name:  "kafka",
		proto: protocol{kind: protoRESTJSON},
		errors: errorCodes{accessDenied: "ForbiddenException", throttling: "TooManyRequestsException",
			throttlingStatus: http.StatusTooManyRequests, internal: "InternalServerErrorException", notFound: "NotFoundException",
			unavailable: "ServiceUnavailableException", unavailableStatus: http.StatusServiceUnavailable},
		ops:       routeOps(routes),
		operation: restOp(routes),
		handle:    s.kafka,
	}
}

func (s *Server) kafka(_ context.Context, r *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.op {
	case "DescribeClusterOperationV2", "ListReplicators", "DescribeReplicator", "ListVpcConnections":
		return s.kafkaAccountOp(r)
	}
	if r.op == "ListClustersV2" {
		max, err := intParam(r.query.Get("maxResults"), 10)
		if err != nil {
			return nil, err
		}
		var match []MSKCluster
		for _, c := range s.sc.MSK.Clusters {
			if f := r.query.Get("clusterNameFilter"); f != "" && !strings.HasPrefix(c.ClusterName, f) {
				continue
			}
			if f := r.query.Get("clusterTypeFilter"); f != "" && !strings.EqualFold(c.ClusterType, f) {
				continue
			}
			match = append(match, c)
		}
		sort.SliceStable(match, func(i, j int) bool { return match[i].ClusterName < match[j].ClusterName })
		items, next, err := page(match, r.query.Get("nextToken"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			ClusterInfoList []MSKCluster `json:"clusterInfoList"`
			NextToken       string       `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	}
	arn := r.labels["ClusterArn"]
	var c *MSKCluster
	for i := range s.sc.MSK.Clusters {
		if s.sc.MSK.Clusters[i].ClusterArn == arn {
			c = &s.sc.MSK.Clusters[i]
		}
	}
	if c == nil {
		return nil, errNotFound("NotFoundException", "The requested resource doesn't exist.")
	}
	switch r.op {
	case "DescribeClusterV2":
		return map[string]any{"clusterInfo": c}, nil
	case "GetBootstrapBrokers":
		if c.State == "CREATING" {
			return nil, errBadRequest("BadRequestException", "Bootstrap broker information is not available while the cluster is CREATING.")
		}
		return c.BootstrapBrokers, nil
	case "ListNodes":
		if c.ClusterType == "SERVERLESS" {
			return nil, errBadRequest("BadRequestException", "This operation cannot be performed on serverless clusters.")
		}
		max, err := intParam(r.query.Get("maxResults"), 10)
		if err != nil {
			return nil, err
		}
		items, next, err := page(c.Nodes, r.query.Get("nextToken"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			NodeInfoList []map[string]any `json:"nodeInfoList"`
			NextToken    string           `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	case "GetClusterPolicy":
		if c.Policy == nil {
			return nil, errNotFound("NotFoundException", "The requested resource doesn't exist.")
		}
		return map[string]string{"currentVersion": "K3AEGXETSR30VB", "policy": rawJSON(c.Policy)}, nil
	case "ListClusterOperationsV2":
		max, err := kafkaMax(r, "ListClusterOperationsV2")
		if err != nil {
			return nil, err
		}
		type summary struct {
			ClusterArn     string  `json:"clusterArn"`
			ClusterType    string  `json:"clusterType"`
			StartTime      ISOTime `json:"startTime,omitzero"`
			EndTime        ISOTime `json:"endTime,omitzero"`
			OperationArn   string  `json:"operationArn"`
			OperationState string  `json:"operationState"`
			OperationType  string  `json:"operationType"`
		}
		var all []summary
		for _, o := range c.Operations {
			all = append(all, summary{c.ClusterArn, c.ClusterType, o.StartTime, o.EndTime, o.OperationArn, o.OperationState, o.OperationType})
		}
		items, next, err := page(all, r.query.Get("nextToken"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			ClusterOperationInfoList []summary `json:"clusterOperationInfoList"`
			NextToken                string    `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	case "ListScramSecrets":
		max, err := kafkaMax(r, "ListScramSecrets")
		if err != nil {
			return nil, err
		}
		items, next, err := page(c.ScramSecrets, r.query.Get("nextToken"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			SecretArnList []string `json:"secretArnList"`
			NextToken     string   `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	case "ListTopics":
		if err := topicAPIAvailable(c); err != nil {
			return nil, err
		}
		max, err := intParam(r.query.Get("maxResults"), 100)
		if err != nil {
			return nil, err
		}
		var match []map[string]any
		for _, t := range c.Topics {
			if f := r.query.Get("topicNameFilter"); f != "" && !strings.HasPrefix(t.TopicName, f) {
				continue
			}
			match = append(match, topicInfo(c, t))
		}
		items, next, err := page(match, r.query.Get("nextToken"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			Topics    []map[string]any `json:"topics"`
			NextToken string           `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	case "DescribeTopic":
		if err := topicAPIAvailable(c); err != nil {
			return nil, err
		}
		for _, t := range c.Topics {
			if t.TopicName == r.labels["TopicName"] {
				out := topicInfo(c, t)
				out["status"] = "ACTIVE"
				delete(out, "outOfSyncReplicaCount")
				return out, nil
			}
		}
		return nil, errNotFound("NotFoundException", "The requested topic doesn't exist.")
	}
	return nil, errBadRequest("BadRequestException", r.op)
}

func topicInfo(c *MSKCluster, t MSKTopic) map[string]any {
	return map[string]any{
		"topicArn":              strings.Replace(c.ClusterArn, ":cluster/", ":topic/", 1) + "/" + t.TopicName,
		"topicName":             t.TopicName,
		"partitionCount":        t.PartitionCount,
		"replicationFactor":     t.ReplicationFactor,
		"outOfSyncReplicaCount": t.OutOfSyncReplicaCount,
	}
}

// kafkaAccountOp answers the MSK operations not addressed to one cluster.
// Callers hold s.mu.
func (s *Server) kafkaAccountOp(r *request) (any, error) {
	sc := s.sc
	max, err := kafkaMax(r, r.op)
	if err != nil {
		return nil, err
	}
	switch r.op {
	case "DescribeClusterOperationV2":
		for _, c := range sc.MSK.Clusters {
			for _, o := range c.Operations {
				if o.OperationArn == r.labels["ClusterOperationArn"] {
					return map[string]any{"clusterOperationInfo": struct {
						ClusterArn  string `json:"clusterArn"`
						ClusterType string `json:"clusterType"`
						MSKOperation
					}{c.ClusterArn, c.ClusterType, o}}, nil
				}
			}
		}
		return nil, errNotFound("NotFoundException", "The requested resource doesn't exist.")
	case "DescribeReplicator":
		for _, rp := range sc.MSK.Replicators {
			if rp.ReplicatorArn == r.labels["ReplicatorArn"] {
				rp.KafkaClusters, rp.ReplicationInfoList = nonNil(rp.KafkaClusters), nonNil(rp.ReplicationInfoList)
				return rp, nil
			}
		}
		return nil, errNotFound("NotFoundException", "The requested resource doesn't exist.")
	case "ListReplicators":
		var all []map[string]any
		for _, rp := range sc.MSK.Replicators {
			if f := r.query.Get("replicatorNameFilter"); f != "" && !strings.Contains(rp.ReplicatorName, f) {
				continue
			}
			var clusters, infos []map[string]any
			for _, kc := range rp.KafkaClusters {
				m := map[string]any{}
				for _, k := range []string{"amazonMskCluster", "apacheKafkaCluster", "kafkaClusterAlias"} {
					if v, ok := kc[k]; ok {
						m[k] = v
					}
				}
				clusters = append(clusters, m)
			}
			for _, ri := range rp.ReplicationInfoList {
				infos = append(infos, map[string]any{"sourceKafkaClusterAlias": ri["sourceKafkaClusterAlias"], "targetKafkaClusterAlias": ri["targetKafkaClusterAlias"]})
			}
			sum := map[string]any{
				"replicatorArn": rp.ReplicatorArn, "replicatorName": rp.ReplicatorName, "replicatorState": rp.ReplicatorState,
				"isReplicatorReference": rp.IsReplicatorReference, "kafkaClustersSummary": nonNil(clusters), "replicationInfoSummaryList": nonNil(infos),
				"replicatorResourceArn": rp.ReplicatorArn,
			}
			if rp.CurrentVersion != "" {
				sum["currentVersion"] = rp.CurrentVersion
			}
			if !rp.CreationTime.IsZero() {
				sum["creationTime"] = rp.CreationTime
			}
			all = append(all, sum)
		}
		items, next, err := page(all, r.query.Get("nextToken"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			Replicators []map[string]any `json:"replicators"`
			NextToken   string           `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	}
	// ListVpcConnections
	items, next, err := page(sc.MSK.VpcConnections, r.query.Get("nextToken"), max)
	if err != nil {
		return nil, err
	}
	return struct {
		VpcConnections []MSKVpcConnection `json:"vpcConnections"`
		NextToken      string             `json:"nextToken,omitempty"`
	}{nonNil(items), next}, nil
}

// topicAPIAvailable applies the MSK topic APIs' requirements (developer
// guide, "Topic Operations", msk-view-topic-information.html): an MSK
// Provisioned cluster, in ACTIVE state, running Kafka 3.6.0 or later
// (guidance msk.topic_api.min_kafka_version). MSK answers others with a
// 400 BadRequestException, as it does for other operations a cluster type
// or state does not allow.
func topicAPIAvailable(c *MSKCluster) error {
	if c.ClusterType == "SERVERLESS" {
		return errBadRequest("BadRequestException", "This operation cannot be performed on serverless clusters.")
	}
	if c.State != "ACTIVE" {
		return errBadRequest("BadRequestException", "This operation is only supported for clusters in ACTIVE state. The cluster is in "+c.State+" state.")
	}
	g, err := guidance.Load()
	if err != nil {
		return fmt.Errorf("awssim: guidance: %w", err)
	}
	l, _ := g.Lookup("msk.topic_api.min_kafka_version")
	min := fmt.Sprint(l.Value)
	v := ""
	if sw, ok := c.Provisioned["currentBrokerSoftwareInfo"].(map[string]any); ok {
		v = fmt.Sprint(sw["kafkaVersion"])
	}
	if v != "" && versionLess(v, min) {
		return errBadRequest("BadRequestException", "This operation requires Apache Kafka version "+min+" or later. The cluster runs "+v+".")
	}
	return nil
}

// versionLess compares the leading numeric components of Kafka versions
// ("3.6.0", "2.8.2.tiered", "3.9.x").
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, errx := strconv.Atoi(pa[i])
		y, erry := strconv.Atoi(pb[i])
		if errx != nil || erry != nil {
			return false
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// kafkaMax reads maxResults (default 10, MSK's page size when none is
// given) within the operation's model bounds.
func kafkaMax(r *request, op string) (int, error) {
	max, err := intParam(r.query.Get("maxResults"), 10)
	if err != nil {
		return 0, err
	}
	if err := checkBounds("kafka."+op+".MaxResults", "BadRequestException", max); err != nil {
		return 0, err
	}
	return max, nil
}
