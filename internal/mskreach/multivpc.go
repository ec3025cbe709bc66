package mskreach

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// MultiVPCRequest asks how to reach a provisioned cluster from other VPCs
// or accounts (multi-VPC private connectivity), or from the internet.
type MultiVPCRequest struct {
	Type          string
	ClusterArn    string
	ClientAccount string
	ClientRegion  string
	Auth          string
	KafkaVersion  string
	InstanceType  string
	// Unauthenticated is true when unauthenticated access is on.
	Unauthenticated bool
	// Public asks for public (internet) access instead.
	Public bool
}

// Finding is a prerequisite that is not met.
type prereq struct{ msg, ref string }

// MultiVPC answers msk_multi_vpc.
func MultiVPC(b *guidance.Base, r MultiVPCRequest) (guide.Result, error) {
	typ, err := checkType(r.Type)
	if err != nil {
		return guide.Result{}, err
	}
	var cluster iac.MSKCluster
	if r.ClusterArn != "" {
		if cluster, err = iac.ParseMSKClusterARN(r.ClusterArn); err != nil {
			return guide.Result{}, err
		}
	}
	if r.ClientAccount != "" {
		if err := iac.ValidateAccount(r.ClientAccount); err != nil {
			return guide.Result{}, err
		}
	}
	if r.ClientRegion != "" {
		if err := iac.ValidateRegion(r.ClientRegion); err != nil {
			return guide.Result{}, err
		}
	}
	if r.Auth == "" {
		r.Auth = AuthIAM
	}
	port, err := portFor(b, r.Auth, r.Public)
	if err != nil {
		return guide.Result{}, err
	}
	if r.Public {
		return publicAccess(b, r, typ, port)
	}
	ref := b.Source("msk_reach.multi_vpc.auth")
	res := guide.Result{References: []string{ref, b.Source("msk_reach.multi_vpc.enable_minutes"), b.Source("msk.feature.multi_vpc.min_kafka_version")}}
	var miss []prereq
	auths := b.Strings("msk_reach.multi_vpc.auth")
	if !slices.Contains(auths, r.Auth) {
		miss = append(miss, prereq{fmt.Sprintf("auth %s: multi-VPC connectivity supports %s only; an unauthenticated cluster cannot use it", r.Auth, strings.Join(auths, ", ")), "msk_reach.multi_vpc.auth"})
	}
	if r.Unauthenticated {
		miss = append(miss, prereq{"unauthenticated access is on: turn it off before enabling multi-VPC connectivity", "msk_reach.multi_vpc.auth"})
	}
	if v, ok := parseVer(r.KafkaVersion); ok {
		if m, _ := parseVer(str(b, "msk.feature.multi_vpc.min_kafka_version")); less(v, m) {
			miss = append(miss, prereq{fmt.Sprintf("Kafka %s: multi-VPC connectivity needs %s or later", r.KafkaVersion, str(b, "msk.feature.multi_vpc.min_kafka_version")), "msk.feature.multi_vpc.min_kafka_version"})
		}
	}
	if strings.HasPrefix(r.InstanceType, "kafka.t3") {
		miss = append(miss, prereq{"kafka.t3.small does not support multi-VPC connectivity; use m5.large or larger", "msk.feature.multi_vpc.min_kafka_version"})
	}
	if r.ClientRegion != "" && cluster.Region != "" && r.ClientRegion != cluster.Region {
		miss = append(miss, prereq{fmt.Sprintf("the client is in %s and the cluster in %s: multi-VPC connectivity is same-Region only; across Regions use peering/Transit Gateway with a custom domain NLB, or replicate with MSK Replicator", r.ClientRegion, cluster.Region), "msk_reach.multi_vpc.same_region_only"})
	}
	detail := "Kafka " + str(b, "msk.feature.multi_vpc.min_kafka_version") + " or later, not kafka.t3.small, auth " + strings.Join(auths, "/") + " with unauthenticated access off; SASL/SCRAM and mTLS also need Kafka ACLs with allow.everyone.if.no.acl.found=false; clients in the same Region only."
	if len(miss) > 0 {
		var parts []string
		for _, m := range miss {
			parts = append(parts, m.msg)
			res.References = append(res.References, b.Source(m.ref))
		}
		detail = "NOT MET: " + strings.Join(parts, "; ") + ". Requirements: " + detail
	}
	res.Steps = append(res.Steps,
		guide.Step{Title: "Prerequisites", Detail: detail},
		guide.Step{Title: "Cluster owner: turn on multi-VPC connectivity per auth scheme",
			Detail: fmt.Sprintf("UpdateConnectivity with VpcConnectivity for %s on the ACTIVE cluster; MSK rolls the brokers (%d minutes or more, no other update meanwhile) and adds multi-VPC bootstrap strings per auth scheme.", r.Auth, b.Int("msk_reach.multi_vpc.enable_minutes"))},
		guide.Step{Title: "Cluster owner: attach a cluster policy",
			Detail: "The policy lets the client account create VPC connections and read bootstrap brokers (kafka:CreateVpcConnection, GetBootstrapBrokers, DescribeCluster, DescribeClusterV2); with IAM auth it can also grant kafka-cluster data-plane actions on topic and group ARNs."},
		guide.Step{Title: "Client account: create a managed VPC connection",
			Detail: fmt.Sprintf("CreateVpcConnection in the client VPC (subnets, security group allowing egress to the broker ports) for %s; clients use the multi-VPC bootstrap string, producers inside the cluster's own VPC keep the single-VPC one. A Lambda MSK trigger across accounts uses this connection (same Region, provisioned clusters only).", r.Auth)},
	)
	if typ == TypeSetup || typ == TypePermissions {
		if r.ClusterArn != "" && r.ClientAccount != "" {
			pol, err := iac.ClusterPolicy(cluster, r.ClientAccount, "", "", "")
			if err != nil {
				return guide.Result{}, err
			}
			body, err := pol.JSON()
			if err != nil {
				return guide.Result{}, err
			}
			res.Artifacts = append(res.Artifacts, iac.Artifact{Kind: iac.KindIAMPolicy, Format: "json", Name: "cluster-policy.json", Content: body,
				Notes: []string{"aws kafka put-cluster-policy --cluster-arn " + r.ClusterArn + " --policy file://cluster-policy.json", "add kafka-cluster:* data-plane statements scoped to topic/group ARNs for IAM clients that need them"}})
		}
		res.Artifacts = append(res.Artifacts, multiVPCScript(r))
	}
	res.Checks = []guide.Check{
		{Name: "multi-VPC bootstrap strings exist", How: "aws kafka get-bootstrap-brokers shows BootstrapBrokerStringVpcConnectivity* for the auth scheme"},
		{Name: "the VPC connection is AVAILABLE", How: "aws kafka list-client-vpc-connections (owner) / describe-vpc-connection (client)"},
		{Name: "a client connects through it", How: "the multi-VPC bootstrap answers TLS and auth", Tool: "kafka_troubleshoot"},
	}
	if typ == TypeTroubleshooting {
		res.Troubleshooting = []guide.Row{
			{Symptom: "the cluster is not offered (console) or CreateVpcConnection is denied", Cause: "no cluster policy for the client account, or multi-VPC is not on for that auth scheme", Check: "aws kafka get-cluster-policy", Fix: "put a cluster policy naming the client account and turn on multi-VPC for the scheme", Tool: ""},
			{Symptom: "clients in the cluster's own VPC fail with the multi-VPC bootstrap", Cause: "inside the owner VPC the single-VPC bootstrap string applies", Check: "which bootstrap string the client uses", Fix: "use BootstrapBrokerString* (not VpcConnectivity) inside the cluster VPC", Tool: "kafka_troubleshoot"},
			{Symptom: "an MSK Connect connector in the client account cannot use the multi-VPC bootstrap string", Cause: "multi-VPC bootstrap strings use their own port range, which MSK Connect did not support when the cross-account MSK Connect post was written", Check: "the connector's bootstrap servers and ports", Fix: "connect MSK Connect through VPC peering/Transit Gateway or a PrivateLink NLB pattern to the single-VPC bootstrap, with IAM auth", Tool: ""},
			{Symptom: "SCRAM or mTLS clients are denied after multi-VPC is on", Cause: "multi-VPC with SCRAM/mTLS requires allow.everyone.if.no.acl.found=false, so clients need explicit ACLs", Check: "kafka-acls.sh --list", Fix: "add ACLs for the principals", Tool: "kafka_inspect"},
		}
	}
	return finish(res), nil
}

func multiVPCScript(r MultiVPCRequest) iac.Artifact {
	arn := r.ClusterArn
	if arn == "" {
		arn = "CLUSTER_ARN"
	}
	scheme := map[string]string{AuthIAM: `{"VpcConnectivity":{"ClientAuthentication":{"Sasl":{"Iam":{"Enabled":true}}}}}`,
		AuthSCRAM: `{"VpcConnectivity":{"ClientAuthentication":{"Sasl":{"Scram":{"Enabled":true}}}}}`,
		AuthMTLS:  `{"VpcConnectivity":{"ClientAuthentication":{"Tls":{"Enabled":true}}}}`}[r.Auth]
	auth := map[string]string{AuthIAM: "SASL_IAM", AuthSCRAM: "SASL_SCRAM", AuthMTLS: "TLS"}[r.Auth]
	s := iac.Script{Name: "multi-vpc-connectivity.sh",
		Comment: "1-2 in the cluster owner account (CURRENT_VERSION from describe-cluster-v2), 3 in the client account.",
		Commands: [][]string{
			{"aws", "kafka", "update-connectivity", "--cluster-arn", arn, "--current-version", "CURRENT_VERSION", "--connectivity-info", scheme},
			{"aws", "kafka", "put-cluster-policy", "--cluster-arn", arn, "--policy", "file://cluster-policy.json"},
			{"aws", "kafka", "create-vpc-connection", "--target-cluster-arn", arn, "--authentication", auth, "--vpc-id", "CLIENT_VPC_ID", "--client-subnets", "SUBNET_A", "SUBNET_B", "--security-groups", "CLIENT_SG_ID"},
		}}
	return s.Render()
}

func publicAccess(b *guidance.Base, r MultiVPCRequest, typ string, port int) (guide.Result, error) {
	ref := b.Source("msk_reach.public_access.min_kafka_version")
	res := guide.Result{References: []string{ref, b.Source("guidance_esm.msk.port.public_iam")}}
	var miss []string
	if v, ok := parseVer(r.KafkaVersion); ok {
		if m, _ := parseVer(str(b, "msk_reach.public_access.min_kafka_version")); less(v, m) {
			miss = append(miss, fmt.Sprintf("Kafka %s is older than %s", r.KafkaVersion, str(b, "msk_reach.public_access.min_kafka_version")))
		}
	}
	if r.Unauthenticated {
		miss = append(miss, "unauthenticated access must be off")
	}
	detail := fmt.Sprintf("Kafka %s or later; the cluster already exists (public access cannot be set at creation); client subnets are public (route to an internet gateway); client-broker encryption TLS only; an auth mode (IAM, SASL/SCRAM or mTLS) with unauthenticated access off; for SCRAM/mTLS allow.everyone.if.no.acl.found=false and ACLs.", str(b, "msk_reach.public_access.min_kafka_version"))
	if len(miss) > 0 {
		detail = "NOT MET: " + strings.Join(miss, "; ") + ". Requirements: " + detail
	}
	res.Steps = append(res.Steps,
		guide.Step{Title: "Public access prerequisites", Detail: detail},
		guide.Step{Title: "Turn on public access", Detail: fmt.Sprintf("UpdateConnectivity PublicAccess.Type=SERVICE_PROVIDED_EIPS; clients use the public bootstrap string on port %d for %s; the cluster security group admits that port from the client CIDRs only.", port, r.Auth)},
	)
	if typ == TypeSetup || typ == TypeNetworking {
		arn := r.ClusterArn
		if arn == "" {
			arn = "CLUSTER_ARN"
		}
		res.Artifacts = append(res.Artifacts, iac.Script{Name: "public-access.sh", Comment: "Turn on public access (CURRENT_VERSION from describe-cluster-v2).",
			Commands: [][]string{{"aws", "kafka", "update-connectivity", "--cluster-arn", arn, "--current-version", "CURRENT_VERSION", "--connectivity-info", `{"PublicAccess":{"Type":"SERVICE_PROVIDED_EIPS"}}`}}}.Render())
	}
	res.Checks = []guide.Check{{Name: "public bootstrap answers", How: fmt.Sprintf("get-bootstrap-brokers shows BootstrapBrokerStringPublic*; a client outside AWS connects on %d", port), Tool: "kafka_troubleshoot"}}
	return finish(res), nil
}

// parseVer reads major.minor.patch ("x" newest).
func parseVer(s string) ([]int, bool) {
	var out []int
	for _, f := range strings.Split(strings.TrimSpace(s), ".") {
		if f == "x" {
			out = append(out, int(^uint(0)>>1))
			continue
		}
		var n int
		if _, err := fmt.Sscanf(f, "%d", &n); err != nil {
			break
		}
		out = append(out, n)
	}
	return out, len(out) > 1
}

func less(a, b []int) bool {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}
