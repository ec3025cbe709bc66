package kafkadiag

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/kafka"
)

// ResolutionTarget is what is known about the target, to make the steps
// concrete. Every field may be empty; steps then name the thing to look up.
type ResolutionTarget struct {
	Auth           string
	ClusterARN     string
	Bootstrap      []string
	Topic          string
	Group          string
	ESMUUID        string
	Username       string
	SubnetIDs      []string
	SecurityGroups []string
	RoleARN        string
	Destination    string
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

// shellWord renders a caller-supplied name (topic, group, user) for a
// suggested command line: as is when it holds only characters no shell
// treats specially, else single-quoted by iac.ShellQuote, so a hostile name
// cannot turn a copied command into another one.
func shellWord(s string) string {
	if s == "" {
		return iac.ShellQuote(s)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-:/@=+,", r)) {
			return iac.ShellQuote(s)
		}
	}
	return s
}

// cmdWord is shellWord for a value that may be absent: the placeholder
// (which the reader replaces) is left as it is.
func cmdWord(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return shellWord(s)
}

func list(xs []string, placeholder string) string {
	if len(xs) == 0 {
		return placeholder
	}
	return strings.Join(xs, ", ")
}

// Resolution returns the ordered steps that fix an issue category, with
// the target's names, ports and ARNs filled in where known.
func Resolution(b *guidance.Base, c diagnose.Category, t ResolutionTarget) []string {
	t, dropped := t.exactNames()
	steps := resolution(b, c, t)
	if len(dropped) > 0 {
		steps = append([]string{"Not used in these steps, because a grant or command built from them would reach more than one resource or break the line: " + strings.Join(dropped, "; ") + ". Give the exact names for concrete steps"}, steps...)
	}
	return steps
}

// exactNames drops a topic, group or user name that is not one exact name:
// "*" in a topic or group ARN, or in a kafka-acls principal or --topic,
// widens the grant to every topic, group or user, and control characters
// (a raw newline) would break the step the reader copies. Generated
// policies refuse the same names (iac.ValidateTopic and
// iac.ValidateConsumerGroupID). The dropped values are returned, quoted
// with escapes, so the steps can say what was not used.
func (t ResolutionTarget) exactNames() (ResolutionTarget, []string) {
	var dropped []string
	if t.Topic != "" && iac.ValidateTopic(t.Topic) != nil {
		dropped = append(dropped, fmt.Sprintf("topic %q", t.Topic))
		t.Topic = ""
	}
	if t.Group != "" && iac.ValidateConsumerGroupID(t.Group) != nil {
		dropped = append(dropped, fmt.Sprintf("group %q", t.Group))
		t.Group = ""
	}
	if t.Username != "" && strings.ContainsFunc(t.Username, func(r rune) bool {
		return r == '*' || r == '?' || unicode.IsControl(r)
	}) {
		dropped = append(dropped, fmt.Sprintf("user %q", t.Username))
		t.Username = ""
	}
	return t, dropped
}

func resolution(b *guidance.Base, c diagnose.Category, t ResolutionTarget) []string {
	auth := orPlaceholder(t.Auth, kafka.AuthIAM)
	port := PortForAuth(b, auth, false)
	if t.ClusterARN == "" && len(t.Bootstrap) > 0 {
		// Not an MSK ARN: the brokers listen on the port their clients use.
		port = BootstrapPort(t.Bootstrap)
	}
	portTxt := "the listener port of the auth in use"
	if port > 0 {
		portTxt = fmt.Sprintf("TCP %d (%s)", port, auth)
	}
	cluster := orPlaceholder(t.ClusterARN, "<cluster ARN>")
	group := orPlaceholder(t.Group, orPlaceholder(t.ESMUUID, "<group: the ESM UUID or ConsumerGroupId>"))
	topic := orPlaceholder(t.Topic, "<topic>")
	sgs := list(t.SecurityGroups, "<the cluster's security groups (MSK) or the mapping's (self-managed)>")
	subnets := list(t.SubnetIDs, "<the cluster's subnets (MSK) or the mapping's (self-managed)>")
	role := orPlaceholder(t.RoleARN, "<the function's execution role>")
	epPort := b.Int("guidance_esm.vpc_endpoint.port")
	minAZ := b.Int("guidance_esm.vpc.min_azs")
	topicARN, groupARN := MSKResourceARNs(t.ClusterARN, t.Topic, group)
	region := "<region>"
	if p := strings.Split(t.ClusterARN, ":"); len(p) > 3 && p[3] != "" {
		region = p[3]
	}
	switch c {
	case diagnose.Network:
		return []string{
			fmt.Sprintf("Allow inbound %s to the brokers from the ESM's security groups %s; on MSK the ESM uses the cluster's own security groups, so add a self-referencing inbound rule for %s", portTxt, sgs, portTxt),
			fmt.Sprintf("Allow outbound %s from those security groups to the brokers, and outbound TCP %d for AWS APIs", portTxt, epPort),
			fmt.Sprintf("Check the NACLs of subnets %s allow %s inbound and the return traffic (NACLs are stateless)", subnets, portTxt),
			fmt.Sprintf("Use subnets in at least %d Availability Zones", minAZ),
			fmt.Sprintf("Verify from inside the VPC: kafka_troubleshoot mode=diagnosis with cluster_arn %s probes DNS, TCP, TLS and SASL per broker", cluster),
		}
	case diagnose.Authentication:
		switch auth {
		case kafka.AuthIAM:
			return []string{
				fmt.Sprintf("Allow kafka-cluster:Connect on %s in %s", cluster, role),
				"Check the cluster has IAM access control enabled (GetBootstrapBrokers returns BootstrapBrokerStringSaslIam)",
			}
		case kafka.AuthMTLS:
			return []string{
				"Store the client certificate and key in a Secrets Manager secret as {\"certificate\",\"privateKey\"} (PEM; key PKCS#8, encrypted only with PBES1)",
				"Make sure the brokers trust the certificate's CA (on MSK: the ACM Private CA set in the cluster's TLS client authentication)",
			}
		default:
			return []string{
				fmt.Sprintf("Check user %s and the password in the secret match the broker's %s credentials", orPlaceholder(t.Username, "<username>"), auth),
				"On MSK: the secret's name starts with AmazonMSK_, it is encrypted with a customer managed KMS key, and it is associated with the cluster (aws kafka batch-associate-scram-secret --cluster-arn " + cluster + " --secret-arn-list <secret ARN>)",
				fmt.Sprintf("Allow secretsmanager:GetSecretValue on the secret and kms:Decrypt on its key in %s", role),
			}
		}
	case diagnose.Authorization:
		if auth == kafka.AuthIAM {
			return []string{
				fmt.Sprintf("In %s allow kafka-cluster:Connect and kafka-cluster:DescribeClusterDynamicConfiguration on %s", role, cluster),
				fmt.Sprintf("allow kafka-cluster:DescribeTopic and kafka-cluster:ReadData on %s", orPlaceholder(topicARN, "arn:aws:kafka:REGION:ACCOUNT:topic/NAME/UUID/"+topic)),
				fmt.Sprintf("allow kafka-cluster:DescribeGroup and kafka-cluster:AlterGroup on %s", orPlaceholder(groupARN, "arn:aws:kafka:REGION:ACCOUNT:group/NAME/UUID/"+group)),
				"The topic and group ARNs repeat the cluster UUID; a policy without it matches nothing. esm_guidance guidance_type=permissions generates the whole policy",
			}
		}
		principal := "User:<username>"
		if t.Username != "" {
			principal = shellWord("User:" + t.Username)
		}
		cmdTopic := cmdWord(t.Topic, "<topic>")
		cmdGroup := cmdWord(t.Group, cmdWord(t.ESMUUID, "<group: the ESM UUID or ConsumerGroupId>"))
		return []string{
			fmt.Sprintf("kafka-acls.sh --add --allow-principal %s --operation DescribeConfigs --cluster", principal),
			fmt.Sprintf("kafka-acls.sh --add --allow-principal %s --operation Describe --operation Read --topic %s", principal, cmdTopic),
			fmt.Sprintf("kafka-acls.sh --add --allow-principal %s --operation Describe --operation Read --group %s", principal, cmdGroup),
			"ACL changes can take several minutes to reach every broker",
		}
	case diagnose.LambdaUnreachable, diagnose.STSUnreachable, diagnose.DestinationUnreachable:
		svc := map[diagnose.Category]string{diagnose.LambdaUnreachable: "lambda", diagnose.STSUnreachable: "sts", diagnose.DestinationUnreachable: "<destination service: sqs, sns or s3>"}[c]
		if c == diagnose.DestinationUnreachable && t.Destination != "" {
			svc = destinationService(t.Destination)
		}
		return []string{
			fmt.Sprintf("In on-demand mode the ESM calls %s from subnets %s: add an interface VPC endpoint com.amazonaws.%s.%s (private DNS on) in those subnets, or route them to a NAT gateway", svc, subnets, region, svc),
			fmt.Sprintf("Allow inbound TCP %d on the endpoint's security group from %s, and outbound TCP %d from %s", epPort, sgs, epPort, sgs),
			"Check the endpoint policy allows the call (sts:AssumeRole for STS, lambda:InvokeFunction for Lambda)",
			"Or switch the mapping to provisioned mode, whose pollers reach these services without NAT or endpoints",
		}
	case diagnose.BrokerHealth:
		return []string{
			"Find offline and under-replicated partitions: kafka_inspect what=overview",
			"Restore stopped brokers (MSK: check the cluster State and broker CloudWatch metrics; a broker in maintenance returns within minutes)",
			"Rebalance partition leadership if one broker leads most partitions (kafka-leader-election.sh --election-type preferred)",
		}
	case diagnose.Topic:
		return []string{
			fmt.Sprintf("Check topic %s exists: kafka_inspect what=topic topic=%s", topic, topic),
			"A mapping's topic is fixed at creation: create the topic, or create a new mapping with the right name",
		}
	case diagnose.ConsumerLag:
		return []string{
			fmt.Sprintf("Read the verdict per partition: kafka_inspect what=group group_id=%s sample_seconds=%d", group, b.Int("kafka.lag.window.min_seconds")),
			"STALLED: a record keeps failing; check the function's errors and LastProcessingResult, add an on-failure destination",
			"FALLING_BEHIND: raise pollers (provisioned mode), BatchSize and batching window, or function speed; partitions cap parallelism",
			"NO_ACTIVE_MEMBERS: the mapping is disabled or cannot connect; see its State and the network/authentication checks",
		}
	case diagnose.Throttling:
		return []string{
			"Check client quotas: kafka-configs.sh --describe --entity-type users --entity-type clients",
			"MSK Express and Serverless throttle per partition and per cluster: spread load over more partitions",
			"For IAM auth, new connections per broker are rate-limited: lower client reconnect rates (reconnect.backoff.ms)",
		}
	case diagnose.FunctionError:
		return []string{
			fmt.Sprintf("Read the function's errors: aws logs filter-log-events --log-group-name /aws/lambda/<function> --filter-pattern '?\"Task timed out\" ?ERROR' (esm_inspect esm_uuid=%s shows the recent lines)", orPlaceholder(t.ESMUUID, "<uuid>")),
			"A batch that times out on every attempt: raise the function timeout above the longest batch (max Duration), or lower BatchSize",
			"Failing records block their partition or shard until they succeed or expire: add an on-failure destination and, for streams, BisectBatchOnFunctionError and MaximumRetryAttempts",
		}
	case diagnose.Configuration:
		return []string{
			configurationStep(b, t, cluster, portTxt),
			"Validate the mapping's configuration: esm_optimize action=validate or validate_config kind=esm",
		}
	}
	return nil
}

func destinationService(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 2 && parts[0] == "arn" {
		return parts[2]
	}
	if strings.HasPrefix(arn, "kafka://") {
		return "kafka (the cluster itself)"
	}
	return "<destination service>"
}

// configurationStep is the auth-mismatch fix. On MSK it names the listener
// of each auth mode instead of the mapping's own port: when the mapping's
// auth is the mismatch, its port (9098 for IAM on a cluster without IAM)
// is exactly the one not to open.
func configurationStep(b *guidance.Base, t ResolutionTarget, cluster, portTxt string) string {
	if t.ClusterARN == "" {
		return fmt.Sprintf("Match the auth mode to what the brokers' listener on %s expects", portTxt)
	}
	var ports []string
	for _, a := range []string{kafka.AuthNone, kafka.AuthMTLS, kafka.AuthSCRAM512, kafka.AuthIAM} {
		ports = append(ports, fmt.Sprintf("%s %d", a, PortForAuth(b, a, false)))
	}
	return fmt.Sprintf("Match the mapping's auth to a mode the cluster enables (aws kafka describe-cluster-v2 --cluster-arn %s, ClientAuthentication; GetBootstrapBrokers lists one bootstrap string per enabled mode) and open that mode's listener port (%s), not the port of a mode the cluster does not enable", cluster, strings.Join(ports, ", "))
}
