package kafkadiag

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/errmap"
	"github.com/stream-mcp/stream-mcp/internal/kafka"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// More pages findings cite.
const (
	refScaling    = "https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html"
	refSCRAM      = "https://docs.aws.amazon.com/msk/latest/developerguide/msk-password.html"
	refESMConfig  = "https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html"
	refMSKStates  = "https://docs.aws.amazon.com/msk/latest/developerguide/msk-cluster-states.html"
	refNACL       = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
	refEndpoints  = "https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html"
	refClusterAut = "https://docs.aws.amazon.com/lambda/latest/dg/msk-cluster-auth.html"
	refKafkaPerms = "https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-permissions.html"
)

// AWSReader is what an ESM diagnosis reads from AWS; *aws.Client
// implements it and tests fake it. Every read may fail: the checks that
// depend on it become unknown, never a failed call.
type AWSReader interface {
	GetESM(ctx context.Context, uuid string) (awsx.ESM, error)
	Function(ctx context.Context, ref string) (awsx.Function, error)
	MSKCluster(ctx context.Context, arn string) (awsx.MSKCluster, error)
	MSKBootstrap(ctx context.Context, arn string) (map[string]string, error)
	MSKTopic(ctx context.Context, arn, topic string) (awsx.MSKTopic, error)
	VPCPath(ctx context.Context, subnetIDs, sgIDs []string) awsx.VPCPath
	Simulate(ctx context.Context, principalARN string, actions, resources []string) ([]awsx.Decision, error)
	SecretMeta(ctx context.Context, ref string) (awsx.SecretMeta, error)
}

// ErrESMNotFound marks a mapping that does not exist.
var ErrESMNotFound = errors.New("event source mapping not found")

// ErrNotKafka marks a mapping whose source is not Kafka.
var ErrNotKafka = errors.New("not a Kafka event source mapping")

// MappingFacts is the part of the mapping the diagnosis judged.
type MappingFacts struct {
	UUID                  string   `json:"uuid" jsonschema_description:"mapping UUID"`
	FunctionARN           string   `json:"function_arn" jsonschema_description:"target function"`
	EventSourceARN        string   `json:"event_source_arn,omitempty" jsonschema_description:"MSK cluster ARN (empty for self-managed Kafka)"`
	BootstrapServers      []string `json:"bootstrap_servers,omitempty" jsonschema_description:"self-managed Kafka brokers"`
	Topics                []string `json:"topics" jsonschema_description:"topics consumed"`
	State                 string   `json:"state" jsonschema_description:"mapping state"`
	StateTransitionReason string   `json:"state_transition_reason,omitempty" jsonschema_description:"why the state last changed"`
	LastProcessingResult  string   `json:"last_processing_result,omitempty" jsonschema_description:"result of the last poll"`
	OnFailureDestination  string   `json:"on_failure_destination,omitempty" jsonschema_description:"where failed batches go"`
}

// ClusterFacts is the part of the MSK cluster the diagnosis judged.
type ClusterFacts struct {
	ARN              string   `json:"arn" jsonschema_description:"cluster ARN"`
	State            string   `json:"state" jsonschema_description:"ACTIVE, UPDATING, ..."`
	Type             string   `json:"type" jsonschema_description:"PROVISIONED or SERVERLESS"`
	Auth             []string `json:"auth" jsonschema_description:"enabled client authentication modes"`
	SubnetIDs        []string `json:"subnet_ids" jsonschema_description:"broker subnets (the mapping's ENIs use them too)"`
	SecurityGroupIDs []string `json:"security_group_ids" jsonschema_description:"broker security groups (the mapping's ENIs use them too)"`
}

// ESMEvidence is what the ESM checks saw.
type ESMEvidence struct {
	ESM      *MappingFacts  `json:"mapping,omitempty" jsonschema_description:"the mapping as read from Lambda"`
	Cluster  *ClusterFacts  `json:"cluster,omitempty" jsonschema_description:"the MSK cluster (MSK mappings)"`
	Auth     string         `json:"auth" jsonschema_description:"the auth mode the mapping uses"`
	Port     int            `json:"port,omitempty" jsonschema_description:"the broker listener port for that auth"`
	Group    string         `json:"group_id" jsonschema_description:"the mapping's consumer group (ConsumerGroupId, else the UUID)"`
	Role     string         `json:"role_arn,omitempty" jsonschema_description:"the function's execution role"`
	Mode     string         `json:"poller_mode" jsonschema_description:"on_demand or provisioned"`
	Subnets  []string       `json:"subnet_ids,omitempty" jsonschema_description:"subnets the mapping's network interfaces use"`
	SGs      []string       `json:"security_group_ids,omitempty" jsonschema_description:"security groups of those interfaces"`
	Unknowns []awsx.Unknown `json:"unknown,omitempty" jsonschema_description:"AWS reads that failed, and why"`
	Kafka    *Evidence      `json:"kafka,omitempty" jsonschema_description:"the Kafka-side probe and lag, when the brokers were reachable from this server"`
}

// esmState is what the checks share.
type esmState struct {
	b         *guidance.Base
	r         AWSReader
	f         *kafka.Factory
	esm       awsx.ESM
	fn        *awsx.Function
	cluster   *awsx.MSKCluster
	path      *awsx.VPCPath
	ev        *ESMEvidence
	isMSK     bool
	secretARN string
	partCount int
}

// ESMInput configures an ESM diagnosis.
type ESMInput struct {
	UUID     string
	Sampling kafka.Sampling
}

// ESM diagnoses a Lambda Kafka mapping end to end: its state and last
// result, the cluster and its auth modes, the network path the mapping's
// ENIs use (security groups, NACLs, AZs, routes to Lambda, STS, Secrets
// Manager and the destination), the execution role (IAM simulation), the
// secret, the topic and the consumer group. It returns ErrESMNotFound (or
// another error) only when the mapping itself cannot be read.
func ESM(ctx context.Context, r AWSReader, f *kafka.Factory, b *guidance.Base, in ESMInput) (diagnose.Report, ESMEvidence, error) {
	e, err := r.GetESM(ctx, in.UUID)
	if err != nil {
		if errmap.Classify(err).Kind == errmap.KindNotFound {
			return diagnose.Report{}, ESMEvidence{}, fmt.Errorf("%w: %s", ErrESMNotFound, in.UUID)
		}
		return diagnose.Report{}, ESMEvidence{}, err
	}
	if !strings.Contains(e.EventSourceARN, ":kafka:") && len(e.BootstrapServers) == 0 {
		return diagnose.Report{}, ESMEvidence{}, fmt.Errorf("%w: %s reads %s", ErrNotKafka, e.UUID, orPlaceholder(e.EventSourceARN, "an unknown source"))
	}
	ev := ESMEvidence{ESM: &MappingFacts{UUID: e.UUID, FunctionARN: e.FunctionARN, EventSourceARN: e.EventSourceARN, BootstrapServers: e.BootstrapServers,
		Topics: e.Topics, State: e.State, StateTransitionReason: e.StateTransitionReason, LastProcessingResult: e.LastProcessingResult,
		OnFailureDestination: e.Config.OnFailureDestination}, Group: orPlaceholder(e.ConsumerGroupID, e.UUID), Mode: "on_demand"}
	if e.ProvisionedMode() {
		ev.Mode = "provisioned"
	}
	s := &esmState{b: b, r: r, f: f, esm: e, ev: &ev, isMSK: strings.HasPrefix(e.EventSourceARN, "arn:") && strings.Contains(e.EventSourceARN, ":kafka:")}
	ev.Auth, s.secretARN = mappingAuth(e, s.isMSK)
	ev.Port = s.port()
	unknown := func(call string, err error) string {
		u := awsx.UnknownFrom(call, err)
		ev.Unknowns = append(ev.Unknowns, *u)
		return u.Reason
	}
	stateCat, _ := s.categoryOfResult()
	if stateCat == diagnose.None {
		stateCat = diagnose.Configuration
	}
	defs := []diagnose.Def{
		{Name: "esm_state", Category: stateCat, Run: func(ctx context.Context) diagnose.Outcome { return s.checkState() }},
		{Name: "function_role", Category: diagnose.Configuration, Run: func(ctx context.Context) diagnose.Outcome {
			fn, err := r.Function(ctx, e.FunctionARN)
			if err != nil {
				return diagnose.Unknown("function not readable: " + unknown("Lambda:GetFunction", err))
			}
			s.fn, ev.Role = &fn, fn.Role
			return diagnose.Pass(fmt.Sprintf("function %s runs as %s", fn.Name, fn.Role))
		}},
		{Name: "cluster_state", Category: diagnose.BrokerHealth, Run: func(ctx context.Context) diagnose.Outcome {
			if !s.isMSK {
				return diagnose.Skipped("self-managed Kafka: no MSK cluster to read")
			}
			c, err := r.MSKCluster(ctx, e.EventSourceARN)
			if err != nil {
				return diagnose.Unknown("cluster not readable: " + unknown("Kafka:DescribeClusterV2", err))
			}
			s.cluster = &c
			ev.Cluster = &ClusterFacts{ARN: c.ARN, State: c.State, Type: c.Type, Auth: c.Auth, SubnetIDs: c.SubnetIDs, SecurityGroupIDs: c.SecurityGroupIDs}
			return s.checkClusterState()
		}},
		{Name: "cluster_auth_mode", Category: diagnose.Configuration, Needs: []string{"cluster_state"}, Run: func(ctx context.Context) diagnose.Outcome {
			return s.checkAuthEnabled()
		}},
		{Name: "network_path", Category: diagnose.Network, Run: func(ctx context.Context) diagnose.Outcome {
			subnets, sgs := s.networkIDs()
			ev.Subnets, ev.SGs = subnets, sgs
			if len(subnets) == 0 {
				if s.isMSK {
					return diagnose.Unknown("the cluster's subnets are unknown (cluster not readable)")
				}
				return diagnose.Skipped("self-managed Kafka without VPC configuration: the pollers reach public brokers over the internet")
			}
			p := r.VPCPath(ctx, subnets, sgs)
			s.path = &p
			ev.Unknowns = append(ev.Unknowns, p.Unknown...)
			if len(p.Subnets) == 0 {
				return diagnose.Unknown("network not readable: " + unknownReasons(p.Unknown))
			}
			return diagnose.Pass(fmt.Sprintf("VPC %s: %d subnets, %d security groups, %d endpoints, %d NAT gateways", p.VpcID, len(p.Subnets), len(p.SecurityGroups), len(p.Endpoints), len(p.NatGateways)))
		}},
		{Name: "subnets_multi_az", Category: diagnose.Network, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome { return s.checkAZs() }},
		{Name: "security_group_port", Category: diagnose.Network, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome { return s.checkSG() }},
		{Name: "network_acls", Category: diagnose.Network, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome { return s.checkNACL() }},
		{Name: "reach_lambda", Category: diagnose.LambdaUnreachable, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome {
			return s.checkReach("lambda", diagnose.LambdaUnreachable)
		}},
		{Name: "reach_sts", Category: diagnose.STSUnreachable, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome {
			return s.checkReach("sts", diagnose.STSUnreachable)
		}},
		{Name: "reach_secretsmanager", Category: diagnose.Network, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome {
			if s.secretARN == "" {
				return diagnose.Skipped("no secret: auth " + ev.Auth)
			}
			return s.checkReach("secretsmanager", diagnose.Network)
		}},
		{Name: "reach_destination", Category: diagnose.DestinationUnreachable, Needs: []string{"network_path"}, Run: func(ctx context.Context) diagnose.Outcome {
			d := e.Config.OnFailureDestination
			if d == "" {
				return diagnose.Skipped("no on-failure destination")
			}
			svc := destinationService(d)
			if !strings.HasPrefix(d, "arn:") {
				return diagnose.Skipped("destination " + d + " is the Kafka cluster itself")
			}
			return s.checkReach(svc, diagnose.DestinationUnreachable)
		}},
		{Name: "role_kafka_actions", Category: diagnose.Authorization, Needs: []string{"function_role"}, Run: func(ctx context.Context) diagnose.Outcome {
			return s.checkKafkaActions(ctx)
		}},
		{Name: "role_eni_actions", Category: diagnose.Authorization, Needs: []string{"function_role"}, Run: func(ctx context.Context) diagnose.Outcome {
			if !s.isMSK && len(s.vpcAccess("VPC_SUBNET")) == 0 {
				return diagnose.Skipped("no VPC configuration: no network interfaces to create")
			}
			ref := refMSKPerms
			if !s.isMSK {
				ref = refKafkaPerms
			}
			out := s.simulate(ctx, "role_eni_actions", b.Strings("kafka.esm.role.eni_actions"), nil, diagnose.Authorization, ref)
			if out.Status == diagnose.StatusFail && s.esm.State == "Enabled" && s.esm.LastProcessingResult == "OK" {
				// Documented as required, yet the mapping works today: the
				// network interfaces exist already. Creating new ones (scaling,
				// subnet changes) will fail.
				out.Status = diagnose.StatusWarn
				for i := range out.Findings {
					out.Findings[i].Severity = diagnose.Warning
					out.Findings[i].Evidence += "; the mapping processes records today (its network interfaces exist), so this bites when Lambda creates new ones"
				}
			}
			return out
		}},
		{Name: "secret_access", Category: diagnose.Authentication, Needs: []string{"function_role"}, Run: func(ctx context.Context) diagnose.Outcome {
			return s.checkSecret(ctx)
		}},
		{Name: "topic_exists", Category: diagnose.Topic, Run: func(ctx context.Context) diagnose.Outcome { return s.checkTopic(ctx) }},
		{Name: "pollers_vs_partitions", Category: diagnose.Configuration, Run: func(ctx context.Context) diagnose.Outcome { return s.checkPollers() }},
	}
	rep := diagnose.Run(ctx, defs)
	// The Kafka side, from this server's network position, when the
	// brokers answer here; otherwise say so without judging the mapping.
	kc, kev := s.kafkaSide(ctx, in.Sampling)
	if kev != nil {
		ev.Kafka = kev
	}
	rep.Checks = append(rep.Checks, kc.Checks...)
	rep.Findings = append(rep.Findings, kc.Findings...)
	if rep.Category == diagnose.None && kc.Category != diagnose.None {
		rep.Category = kc.Category
	}
	// The mapping's state is a symptom: a check that locates the cause
	// (a failure, else a warning) names the category; the decoded state
	// only does when nothing else explains it.
	if len(rep.Checks) > 0 && rep.Checks[0].Status == diagnose.StatusFail {
		if c := firstOtherThan(rep.Checks, "esm_state", diagnose.StatusFail); c != "" {
			rep.Category = c
		} else if c := firstOtherThan(rep.Checks, "esm_state", diagnose.StatusWarn); c != "" {
			rep.Category = c
		}
	}
	return rep, ev, nil
}

func firstOtherThan(cs []diagnose.Check, name string, st diagnose.Status) diagnose.Category {
	for _, c := range cs {
		if c.Name != name && c.Status == st {
			return c.Category
		}
	}
	return ""
}

func unknownReasons(us []awsx.Unknown) string {
	parts := make([]string, 0, len(us))
	for _, u := range us {
		parts = append(parts, u.Call+": "+u.Reason)
	}
	return strings.Join(parts, "; ")
}

// mappingAuth derives the auth mode and the credentials secret from
// SourceAccessConfigurations (MSK without one uses IAM). A self-managed
// mapping with only SERVER_ROOT_CA_CERTIFICATE connects over TLS to brokers
// signed by a private CA whose root it reads from that secret: probing it as
// plaintext would blame authentication for a TLS listener.
func mappingAuth(e awsx.ESM, isMSK bool) (auth, secret string) {
	rootCA := ""
	for _, a := range e.SourceAccess {
		switch a.Type {
		case "SERVER_ROOT_CA_CERTIFICATE":
			rootCA = a.URI
		case "SASL_SCRAM_512_AUTH":
			return kafka.AuthSCRAM512, a.URI
		case "SASL_SCRAM_256_AUTH":
			return kafka.AuthSCRAM256, a.URI
		case "BASIC_AUTH":
			return kafka.AuthPlain, a.URI
		case "CLIENT_CERTIFICATE_TLS_AUTH":
			return kafka.AuthMTLS, a.URI
		}
	}
	if isMSK {
		return kafka.AuthIAM, ""
	}
	if rootCA != "" {
		return kafka.AuthTLS, rootCA
	}
	return kafka.AuthNone, ""
}

func (s *esmState) port() int {
	if s.isMSK {
		return PortForAuth(s.b, s.ev.Auth, false)
	}
	// Self-managed: the port in the bootstrap servers.
	return bootstrapPort(s.esm.BootstrapServers)
}

func (s *esmState) vpcAccess(kind string) []string {
	var out []string
	for _, a := range s.esm.SourceAccess {
		if a.Type == kind {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(a.URI, "subnet:"), "security_group:"))
		}
	}
	return out
}

// networkIDs: MSK mappings use the cluster's subnets and security groups;
// self-managed ones their own VPC configuration.
func (s *esmState) networkIDs() (subnets, sgs []string) {
	if s.isMSK {
		if s.cluster == nil {
			return nil, nil
		}
		return s.cluster.SubnetIDs, s.cluster.SecurityGroupIDs
	}
	return s.vpcAccess("VPC_SUBNET"), s.vpcAccess("VPC_SECURITY_GROUP")
}

// categoryOfResult decodes StateTransitionReason and LastProcessingResult.
func (s *esmState) categoryOfResult() (diagnose.Category, string) {
	b, e := s.b, s.esm
	switch r := e.StateTransitionReason; {
	case slices.ContainsFunc(b.Strings("kafka.esm.state_reason.config"), func(code string) bool { return strings.Contains(r, code) }):
		return diagnose.Configuration, "StateTransitionReason " + r
	case strings.Contains(r, stringOf(b, "kafka.esm.state_reason.authn")):
		return diagnose.Authentication, "StateTransitionReason " + r
	case strings.Contains(r, stringOf(b, "kafka.esm.state_reason.authz")):
		return diagnose.Authorization, "StateTransitionReason " + r
	}
	lpr := e.LastProcessingResult
	low := strings.ToLower(lpr)
	has := func(id string) bool { return strings.Contains(low, strings.ToLower(stringOf(b, id))) }
	switch {
	case lpr == "" || !strings.HasPrefix(lpr, "PROBLEM"):
		return diagnose.None, ""
	case has("kafka.esm.result.authorize"):
		return diagnose.Authorization, lpr
	case has("kafka.esm.result.assume_role"):
		return diagnose.STSUnreachable, lpr
	case has("kafka.esm.result.function_failed"):
		return diagnose.ConsumerLag, lpr
	case has("kafka.esm.result.connection"):
		switch {
		case strings.Contains(low, "lambda and sts"), strings.Contains(low, "connect to lambda"):
			return diagnose.LambdaUnreachable, lpr
		case strings.Contains(low, "connect to sts"):
			return diagnose.STSUnreachable, lpr
		case strings.Contains(low, "onfailure destination") && !strings.Contains(low, "lambda"):
			return diagnose.DestinationUnreachable, lpr
		}
		return diagnose.Network, lpr
	}
	for _, a := range b.Strings("kafka.esm.result.authentication") {
		if strings.Contains(low, strings.ToLower(a)) {
			return diagnose.Authentication, lpr
		}
	}
	return diagnose.Configuration, lpr
}

func stringOf(b *guidance.Base, id string) string {
	l, _ := b.Lookup(id)
	s, _ := l.Value.(string)
	return s
}

func (s *esmState) checkState() diagnose.Outcome {
	e := s.esm
	detail := fmt.Sprintf("State %s; StateTransitionReason %q; LastProcessingResult %q", e.State, e.StateTransitionReason, e.LastProcessingResult)
	cat, why := s.categoryOfResult()
	switch {
	case cat != diagnose.None:
		return diagnose.Fail(detail, diagnose.Finding{ID: "esm_state." + string(cat), Severity: diagnose.Critical, Category: cat,
			Title:       fmt.Sprintf("the mapping reports a %s problem", cat),
			Evidence:    why,
			Remediation: []string{fmt.Sprintf("The checks below locate the cause; kafka_troubleshoot mode=resolution issue_category=%s esm_uuid=%s gives the steps", cat, e.UUID)},
			Reference:   refTroubleshoot})
	case e.State == "Disabled":
		return diagnose.Warn(detail, diagnose.Finding{ID: "esm_state.disabled", Severity: diagnose.Warning,
			Title: "the mapping is Disabled: nothing is consumed", Evidence: detail,
			Remediation: []string{fmt.Sprintf("Enable it once the checks pass: aws lambda update-event-source-mapping --uuid %s --enabled", e.UUID)}, Reference: refESMConfig})
	case e.State != "Enabled":
		return diagnose.Warn(detail, diagnose.Finding{ID: "esm_state.transitional", Severity: diagnose.Info,
			Title: "the mapping is " + e.State, Evidence: detail, Remediation: []string{"Wait for the state to settle, then diagnose again"}, Reference: refESMConfig})
	}
	return diagnose.Pass(detail)
}

func (s *esmState) checkClusterState() diagnose.Outcome {
	c := s.cluster
	detail := fmt.Sprintf("cluster %s is %s (%s, Kafka %s)", c.Name, c.State, c.Type, c.KafkaVersion)
	switch c.State {
	case "ACTIVE":
		return diagnose.Pass(detail)
	case "UPDATING", "MAINTENANCE", "REBOOTING_BROKER", "HEALING":
		return diagnose.Warn(detail, diagnose.Finding{ID: "broker_health.cluster_" + strings.ToLower(c.State), Severity: diagnose.Warning,
			Title: "the cluster is " + c.State + ": brokers restart one at a time", Evidence: detail + "; " + c.StateMessage,
			Remediation: []string{"Wait for the operation to finish (aws kafka list-cluster-operations-v2 --cluster-arn " + c.ARN + "); the mapping retries and the lag drains afterwards", "Nothing in the mapping, network or IAM needs changing for this"},
			Reference:   refMSKStates})
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "broker_health.cluster_" + strings.ToLower(c.State), Severity: diagnose.Critical,
		Title: "the cluster is " + c.State, Evidence: detail + "; " + c.StateMessage,
		Remediation: []string{"Resolve the cluster state first (see the MSK console events)"}, Reference: refMSKStates})
}

func (s *esmState) checkAuthEnabled() diagnose.Outcome {
	c := s.cluster
	if c == nil {
		return diagnose.Skipped("self-managed Kafka")
	}
	mode := map[string]string{kafka.AuthIAM: "iam", kafka.AuthSCRAM512: "sasl_scram", kafka.AuthSCRAM256: "sasl_scram", kafka.AuthMTLS: "tls", kafka.AuthNone: "unauthenticated"}[s.ev.Auth]
	detail := fmt.Sprintf("mapping auth %s; cluster enables %v", s.ev.Auth, c.Auth)
	if c.HasAuth(mode) {
		return diagnose.Pass(detail)
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "configuration.auth_not_enabled", Severity: diagnose.Critical,
		Title:       fmt.Sprintf("the mapping authenticates with %s, which the cluster does not enable", s.ev.Auth),
		Evidence:    detail,
		Remediation: []string{fmt.Sprintf("Recreate the mapping with an enabled mode (%v), or enable %s on cluster %s (aws kafka update-security)", c.Auth, s.ev.Auth, c.ARN)},
		Reference:   refClusterAut})
}

func (s *esmState) checkAZs() diagnose.Outcome {
	azs := map[string]bool{}
	for _, sn := range s.path.Subnets {
		azs[orPlaceholder(sn.AZID, sn.AZ)] = true
	}
	minAZ := s.b.Int("guidance_esm.vpc.min_azs")
	detail := fmt.Sprintf("%d subnets in %d AZs", len(s.path.Subnets), len(azs))
	if len(azs) >= minAZ {
		return diagnose.Pass(detail)
	}
	return diagnose.Warn(detail, diagnose.Finding{ID: "network.single_az", Severity: diagnose.Warning,
		Title: fmt.Sprintf("the mapping's subnets span fewer than %d AZs", minAZ), Evidence: detail,
		Remediation: []string{fmt.Sprintf("Add subnets in at least %d Availability Zones", minAZ)}, Reference: s.b.Source("guidance_esm.vpc.min_azs")})
}

// subnetPrefixes are the CIDRs of the mapping's subnets (where its ENIs
// live; on MSK also where the brokers live).
func (s *esmState) subnetPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, sn := range s.path.Subnets {
		if p, err := netip.ParsePrefix(sn.CIDR); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func covers(cidr string, p netip.Prefix) bool {
	r, err := netip.ParsePrefix(cidr)
	return err == nil && r.Bits() <= p.Bits() && r.Contains(p.Addr())
}

// ruleAdmits reports whether a rule lets port through from/to one of the
// mapping's SGs or from/to a CIDR that covers every given prefix.
func ruleAdmits(r awsx.PathRule, port int32, sgs []string, prefixes []netip.Prefix) bool {
	if !r.AllowsTCP(port) {
		return false
	}
	for _, g := range r.GroupIDs {
		for _, sg := range sgs {
			if g == sg {
				return true
			}
		}
	}
	if len(prefixes) == 0 {
		return false
	}
	for _, p := range prefixes {
		ok := false
		for _, c := range r.CIDRs {
			if covers(c, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *esmState) checkSG() diagnose.Outcome {
	port := int32(s.ev.Port)
	if port == 0 {
		return diagnose.Unknown("listener port unknown for auth " + s.ev.Auth)
	}
	sgs := s.ev.SGs
	prefixes := s.subnetPrefixes()
	var in, out bool
	var names []string
	for _, g := range s.path.SecurityGroups {
		names = append(names, g.ID)
		for _, r := range g.Inbound {
			if ruleAdmits(r, port, sgs, prefixes) {
				in = true
			}
		}
		for _, r := range g.Outbound {
			if ruleAdmits(r, port, sgs, prefixes) || (r.AllowsTCP(port) && hasAnyCIDR(r)) {
				out = true
			}
		}
	}
	detail := fmt.Sprintf("TCP %d (%s) in security groups %v: inbound from the mapping %v, outbound %v", port, s.ev.Auth, names, in, out)
	if !s.isMSK {
		// Self-managed: the broker side is outside what we can read.
		in = true
		detail = fmt.Sprintf("TCP %d (%s) outbound from the mapping's security groups %v: %v", port, s.ev.Auth, names, out)
	}
	if in && out {
		return diagnose.Pass(detail)
	}
	var rem []string
	sg := strings.Join(names, ", ")
	if !in {
		rem = append(rem, fmt.Sprintf("aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp --port %d --source-group %s (the ESM's ENIs use the cluster's own security group, so the rule references itself)", first(names), port, first(names)))
	}
	if !out {
		rem = append(rem, fmt.Sprintf("aws ec2 authorize-security-group-egress --group-id %s --protocol tcp --port %d --source-group %s", first(names), port, first(names)))
	}
	return diagnose.Fail(detail, diagnose.Finding{ID: "network.sg_port_closed", Severity: diagnose.Critical,
		Title:       fmt.Sprintf("security groups %s do not admit TCP %d, the %s listener", sg, port, s.ev.Auth),
		Evidence:    detail + sgRulesSummary(s.path.SecurityGroups),
		Remediation: rem, Reference: s.b.Source("guidance_esm.msk.port.iam")})
}

func first(xs []string) string {
	if len(xs) == 0 {
		return "<security group>"
	}
	return xs[0]
}

func hasAnyCIDR(r awsx.PathRule) bool {
	for _, c := range r.CIDRs {
		if c == "0.0.0.0/0" {
			return true
		}
	}
	return false
}

func sgRulesSummary(gs []awsx.PathSG) string {
	var parts []string
	for _, g := range gs {
		for _, r := range g.Inbound {
			if r.Protocol == "-1" {
				parts = append(parts, fmt.Sprintf("%s in all from %v%v", g.ID, r.GroupIDs, r.CIDRs))
				continue
			}
			parts = append(parts, fmt.Sprintf("%s in %s %d-%d from %v%v", g.ID, r.Protocol, r.FromPort, r.ToPort, r.GroupIDs, r.CIDRs))
		}
	}
	if len(parts) == 0 {
		return "; no inbound rules"
	}
	return "; inbound rules: " + strings.Join(parts, ", ")
}

// naclDecision evaluates a NACL's entries (sorted by rule number) for TCP
// port from/to cidr, the first match deciding, as AWS does.
func naclDecision(n awsx.PathNACL, egress bool, port int32, p netip.Prefix) (string, int32) {
	es := append([]awsx.PathNACLEntry(nil), n.Entries...)
	sort.Slice(es, func(i, j int) bool { return es[i].RuleNumber < es[j].RuleNumber })
	for _, e := range es {
		if e.Egress != egress {
			continue
		}
		if e.Protocol != "-1" && e.Protocol != "6" && e.Protocol != "tcp" {
			continue
		}
		if e.Protocol != "-1" && (e.FromPort != 0 || e.ToPort != 0) && (port < e.FromPort || port > e.ToPort) {
			continue
		}
		r, err := netip.ParsePrefix(e.CIDR)
		if err != nil || !r.Overlaps(p) {
			continue
		}
		return e.Action, e.RuleNumber
	}
	return "deny", -1 // the implicit final rule
}

func (s *esmState) checkNACL() diagnose.Outcome {
	port := int32(s.ev.Port)
	if port == 0 {
		return diagnose.Unknown("listener port unknown")
	}
	if len(s.path.NACLs) == 0 {
		return diagnose.Unknown("network ACLs not readable")
	}
	var denied []string
	prefixes := s.subnetPrefixes()
	for _, n := range s.path.NACLs {
		for _, p := range prefixes {
			if act, rule := naclDecision(n, false, port, p); act != "allow" {
				denied = append(denied, fmt.Sprintf("%s inbound rule %d denies TCP %d from %s", n.ID, rule, port, p))
			}
			if act, rule := naclDecision(n, true, port, p); act != "allow" {
				denied = append(denied, fmt.Sprintf("%s outbound rule %d denies TCP %d to %s", n.ID, rule, port, p))
			}
		}
	}
	detail := fmt.Sprintf("%d network ACLs checked for TCP %d between the mapping's subnets", len(s.path.NACLs), port)
	if len(denied) == 0 {
		return diagnose.Pass(detail)
	}
	sort.Strings(denied)
	denied = dedupe(denied)
	return diagnose.Fail(detail, diagnose.Finding{ID: "network.nacl_denies_port", Severity: diagnose.Critical,
		Title:       fmt.Sprintf("a network ACL blocks TCP %d between the mapping's ENIs and the brokers", port),
		Evidence:    strings.Join(denied[:min(len(denied), 6)], "; "),
		Remediation: []string{fmt.Sprintf("Allow TCP %d inbound and the return traffic outbound in the NACL, with rule numbers lower than the denying rule (NACLs are stateless and the first matching rule wins)", port)},
		Reference:   refNACL})
}

func dedupe(xs []string) []string {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// checkReach judges whether the mapping's subnets reach an AWS service:
// provisioned mode needs neither NAT nor endpoints; on-demand needs a NAT
// route or an interface endpoint (with private DNS and 443 open).
func (s *esmState) checkReach(service string, cat diagnose.Category) diagnose.Outcome {
	if s.ev.Mode == "provisioned" && (service == "lambda" || service == "sts") {
		return diagnose.Pass("provisioned mode: the pollers reach " + service + " without NAT or VPC endpoints")
	}
	ep := s.b.Int("guidance_esm.vpc_endpoint.port")
	for _, e := range s.path.Endpoints {
		if e.Service != service || !strings.EqualFold(e.State, "available") {
			continue
		}
		if e.Type == "Interface" && !e.PrivateDNS {
			continue
		}
		if e.Type == "Interface" && !s.endpointSGAdmits(e, int32(ep)) {
			return diagnose.Fail(fmt.Sprintf("endpoint %s for %s exists but its security groups do not admit TCP %d from the mapping", e.ID, service, ep), diagnose.Finding{
				ID: "network.endpoint_sg_" + service, Severity: diagnose.Critical, Category: cat,
				Title:       fmt.Sprintf("the %s endpoint does not admit HTTPS from the mapping's security groups", service),
				Evidence:    fmt.Sprintf("endpoint %s security groups %v", e.ID, e.SecurityGroupIDs),
				Remediation: []string{fmt.Sprintf("Allow inbound TCP %d on %v from %v", ep, e.SecurityGroupIDs, s.ev.SGs)}, Reference: refEndpoints})
		}
		return diagnose.Pass(fmt.Sprintf("VPC endpoint %s (%s) for %s", e.ID, e.Type, service))
	}
	var noRoute []string
	for _, sn := range s.path.Subnets {
		if sn.DefaultRouteKind != "nat" {
			noRoute = append(noRoute, fmt.Sprintf("%s (0.0.0.0/0 → %s)", sn.ID, orPlaceholder(sn.DefaultRoute, "none")))
		}
	}
	if len(noRoute) == 0 {
		return diagnose.Pass(fmt.Sprintf("every subnet routes 0.0.0.0/0 to a NAT gateway, which reaches %s", service))
	}
	region := "<region>"
	if p := strings.Split(s.esm.EventSourceARN, ":"); len(p) > 3 {
		region = p[3]
	}
	return diagnose.Fail(fmt.Sprintf("no NAT route and no %s endpoint for subnets %v", service, noRoute), diagnose.Finding{
		ID: "network.no_path_to_" + service, Severity: diagnose.Critical, Category: cat,
		Title:    fmt.Sprintf("the mapping's subnets cannot reach %s (on-demand mode needs a NAT gateway or a VPC endpoint)", service),
		Evidence: fmt.Sprintf("mode %s; subnets without a NAT route: %s; no available %s endpoint in %s (hyperplane ENIs have no public IP, so an internet gateway route does not help)", s.ev.Mode, strings.Join(noRoute, ", "), service, s.path.VpcID),
		Remediation: []string{
			fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-id %s --vpc-endpoint-type Interface --service-name com.amazonaws.%s.%s --subnet-ids %s --security-group-ids %s --private-dns-enabled", s.path.VpcID, region, service, strings.Join(s.ev.Subnets, " "), strings.Join(s.ev.SGs, " ")),
			fmt.Sprintf("or route the subnets' 0.0.0.0/0 to a NAT gateway, and allow outbound TCP %d from %v", ep, s.ev.SGs),
			"or switch to provisioned mode (ProvisionedPollerConfig), whose pollers need neither",
		},
		Reference: refEndpoints})
}

func (s *esmState) endpointSGAdmits(e awsx.PathEndpoint, port int32) bool {
	if len(e.SecurityGroupIDs) == 0 {
		return true // unknown: do not accuse
	}
	known := false
	for _, g := range s.path.SecurityGroups {
		for _, id := range e.SecurityGroupIDs {
			if g.ID != id {
				continue
			}
			known = true
			for _, r := range g.Inbound {
				if ruleAdmits(r, port, s.ev.SGs, s.subnetPrefixes()) {
					return true
				}
			}
		}
	}
	return !known
}

func (s *esmState) simulate(ctx context.Context, name string, actions, resources []string, cat diagnose.Category, ref string) diagnose.Outcome {
	ds, err := s.r.Simulate(ctx, s.ev.Role, actions, resources)
	if err != nil {
		u := awsx.UnknownFrom("IAM:SimulatePrincipalPolicy", err)
		s.ev.Unknowns = append(s.ev.Unknowns, *u)
		return diagnose.Unknown("IAM simulation failed: " + u.Reason)
	}
	var denied []string
	for _, d := range ds {
		if !d.Allowed() {
			denied = append(denied, fmt.Sprintf("%s on %s: %s", d.Action, orPlaceholder(d.Resource, "*"), d.Decision))
		}
	}
	detail := fmt.Sprintf("simulated %d decisions for %s", len(ds), s.ev.Role)
	if len(denied) == 0 && len(ds) > 0 {
		return diagnose.Pass(detail + ": all allowed")
	}
	if len(ds) == 0 {
		return diagnose.Unknown("IAM simulation returned no decisions")
	}
	res := "*"
	if len(resources) > 0 {
		res = strings.Join(resources, ", ")
	}
	var acts []string
	for _, d := range ds {
		if !d.Allowed() && !contains(acts, d.Action) {
			acts = append(acts, d.Action)
		}
	}
	return diagnose.Fail(detail+": denied "+strings.Join(denied, "; "), diagnose.Finding{ID: "authorization." + name, Severity: diagnose.Critical, Category: cat,
		Title:       fmt.Sprintf("the execution role cannot %s", strings.Join(acts, ", ")),
		Evidence:    "IAM SimulatePrincipalPolicy: " + strings.Join(denied, "; "),
		Remediation: []string{fmt.Sprintf("Add to %s: {\"Effect\":\"Allow\",\"Action\":[\"%s\"],\"Resource\":[\"%s\"]}", s.ev.Role, strings.Join(acts, "\",\""), strings.ReplaceAll(res, ", ", "\",\""))},
		Reference:   ref})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (s *esmState) checkKafkaActions(ctx context.Context) diagnose.Outcome {
	if !s.isMSK {
		return diagnose.Skipped("self-managed Kafka: authorization is Kafka ACLs, checked by the broker probe")
	}
	b := s.b
	arn := s.esm.EventSourceARN
	var outs []diagnose.Outcome
	outs = append(outs, s.simulate(ctx, "role_control_plane", b.Strings("kafka.esm.role.control_plane_actions"), []string{arn}, diagnose.Authorization, refMSKPerms))
	if s.ev.Auth == kafka.AuthIAM {
		topic := ""
		if len(s.esm.Topics) > 0 {
			topic = s.esm.Topics[0]
		}
		topicARN, groupARN := MSKResourceARNs(arn, topic, s.ev.Group)
		outs = append(outs, s.simulate(ctx, "role_cluster_actions", b.Strings("kafka.esm.role.cluster_actions"), []string{arn}, diagnose.Authorization, refClusterAut))
		if topicARN != "" {
			outs = append(outs, s.simulate(ctx, "role_topic_actions", b.Strings("kafka.esm.role.topic_actions"), []string{topicARN}, diagnose.Authorization, refClusterAut))
		}
		if groupARN != "" {
			outs = append(outs, s.simulate(ctx, "role_group_actions", b.Strings("kafka.esm.role.group_actions"), []string{groupARN}, diagnose.Authorization, refClusterAut))
		}
	}
	return merge(outs)
}

// merge folds several outcomes of one check: the worst status wins, details
// and findings are kept.
func merge(outs []diagnose.Outcome) diagnose.Outcome {
	rank := map[diagnose.Status]int{diagnose.StatusPass: 0, diagnose.StatusSkipped: 0, diagnose.StatusWarn: 1, diagnose.StatusUnknown: 2, diagnose.StatusFail: 3}
	m := diagnose.Outcome{Status: diagnose.StatusPass}
	sorted := append([]diagnose.Outcome(nil), outs...)
	sort.SliceStable(sorted, func(i, j int) bool { return rank[sorted[i].Status] > rank[sorted[j].Status] })
	var details []string
	for _, o := range sorted {
		if rank[o.Status] > rank[m.Status] {
			m.Status = o.Status
		}
		details = append(details, o.Detail)
		m.Findings = append(m.Findings, o.Findings...)
	}
	m.Detail = strings.Join(details, "; ")
	return m
}

func (s *esmState) checkSecret(ctx context.Context) diagnose.Outcome {
	if s.secretARN == "" {
		return diagnose.Skipped("auth " + s.ev.Auth + " uses no secret")
	}
	var outs []diagnose.Outcome
	meta, err := s.r.SecretMeta(ctx, s.secretARN)
	if err != nil {
		u := awsx.UnknownFrom("SecretsManager:DescribeSecret", err)
		s.ev.Unknowns = append(s.ev.Unknowns, *u)
		outs = append(outs, diagnose.Unknown("secret not describable: "+u.Reason))
	} else {
		detail := fmt.Sprintf("secret %s (KMS key %s)", meta.Name, orPlaceholder(meta.KMSKeyID, "aws/secretsmanager"))
		var fs []diagnose.Finding
		if !meta.DeletedDate.IsZero() {
			fs = append(fs, diagnose.Finding{ID: "authentication.secret_deleted", Severity: diagnose.Critical, Title: "the credentials secret is scheduled for deletion",
				Evidence:    fmt.Sprintf("%s DeletedDate %s", meta.ARN, meta.DeletedDate.Format("2006-01-02")),
				Remediation: []string{"aws secretsmanager restore-secret --secret-id " + meta.ARN}, Reference: refSCRAM})
		}
		prefix := stringOf(s.b, "kafka.msk.scram_secret.name_prefix")
		if s.isMSK && (s.ev.Auth == kafka.AuthSCRAM512 || s.ev.Auth == kafka.AuthSCRAM256) && !strings.HasPrefix(meta.Name, prefix) {
			fs = append(fs, diagnose.Finding{ID: "authentication.secret_name_prefix", Severity: diagnose.Critical,
				Title:    fmt.Sprintf("MSK cannot associate SCRAM secret %q: its name lacks the %s prefix", meta.Name, prefix),
				Evidence: detail,
				Remediation: []string{fmt.Sprintf("Create a secret named %s%s with the same username/password, encrypted with a customer managed KMS key", prefix, meta.Name),
					fmt.Sprintf("aws kafka batch-associate-scram-secret --cluster-arn %s --secret-arn-list <new secret ARN>, then point the mapping's SASL_SCRAM_512_AUTH at it", s.esm.EventSourceARN)},
				Reference: refSCRAM})
		}
		if len(fs) > 0 {
			outs = append(outs, diagnose.Fail(detail, fs...))
		} else {
			outs = append(outs, diagnose.Pass(detail))
		}
		if strings.HasPrefix(meta.KMSKeyID, "arn:aws:kms:") && strings.Contains(meta.KMSKeyID, ":key/") {
			outs = append(outs, s.simulate(ctx, "role_kms_decrypt", []string{"kms:Decrypt"}, []string{meta.KMSKeyID}, diagnose.Authentication, refMSKPerms))
		}
	}
	outs = append(outs, s.simulate(ctx, "role_secret_read", s.b.Strings("kafka.esm.role.secret_actions"), []string{s.secretARN}, diagnose.Authentication, refMSKPerms))
	return merge(outs)
}

func (s *esmState) checkTopic(ctx context.Context) diagnose.Outcome {
	if len(s.esm.Topics) == 0 {
		return diagnose.Fail("the mapping names no topic", diagnose.Finding{ID: "topic.none", Severity: diagnose.Critical, Title: "the mapping has no topic", Evidence: "Topics is empty", Remediation: []string{"Recreate the mapping with Topics"}, Reference: refESMConfig})
	}
	topic := s.esm.Topics[0]
	if !s.isMSK {
		return diagnose.Skipped("self-managed Kafka: the topic is checked by the broker probe when reachable")
	}
	t, err := s.r.MSKTopic(ctx, s.esm.EventSourceARN, topic)
	if err != nil {
		if errmap.Classify(err).Kind == errmap.KindNotFound {
			return diagnose.Fail(fmt.Sprintf("topic %q not found on the cluster", topic), diagnose.Finding{ID: "topic.missing", Severity: diagnose.Critical,
				Title: fmt.Sprintf("topic %q does not exist on the cluster", topic), Evidence: "MSK DescribeTopic: not found",
				Remediation: []string{"Create the topic, or recreate the mapping with the right topic name (Topics cannot be updated)"}, Reference: refTroubleshoot})
		}
		u := awsx.UnknownFrom("Kafka:DescribeTopic", err)
		s.ev.Unknowns = append(s.ev.Unknowns, *u)
		return diagnose.Unknown("topic not readable through the MSK API: " + u.Reason)
	}
	s.partCount = int(t.Partitions)
	return diagnose.Pass(fmt.Sprintf("topic %q: %d partitions, RF %d", topic, t.Partitions, t.ReplicationFactor))
}

func (s *esmState) checkPollers() diagnose.Outcome {
	c := s.esm.Config
	if s.ev.Mode != "provisioned" {
		return diagnose.Skipped("on-demand mode: Lambda scales pollers itself")
	}
	if s.partCount == 0 {
		return diagnose.Unknown("partition count unknown")
	}
	detail := fmt.Sprintf("MinimumPollers %d, MaximumPollers %d, %d partitions", deref(c.MinimumPollers), deref(c.MaximumPollers), s.partCount)
	if c.MinimumPollers != nil && int(*c.MinimumPollers) > s.partCount {
		return diagnose.Warn(detail, diagnose.Finding{ID: "configuration.pollers_exceed_partitions", Severity: diagnose.Warning,
			Title: "more minimum pollers than partitions: the extra pollers have nothing to read but are billed", Evidence: detail,
			Remediation: []string{fmt.Sprintf("Lower MinimumPollers to at most %d, or add partitions", s.partCount)}, Reference: refScaling})
	}
	return diagnose.Pass(detail)
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// kafkaSide runs the broker probe and, when the brokers answer from here,
// the topic and lag checks. When they do not, the checks are unknown: this
// server's network position is not the mapping's.
func (s *esmState) kafkaSide(ctx context.Context, sampling kafka.Sampling) (diagnose.Report, *Evidence) {
	t := kafka.Target{Auth: s.ev.Auth}
	if s.isMSK {
		bb, err := s.r.MSKBootstrap(ctx, s.esm.EventSourceARN)
		if err != nil {
			return unknownReport("kafka_probe", "bootstrap brokers not readable: "+awsx.UnknownFrom("Kafka:GetBootstrapBrokers", err).Reason), nil
		}
		key := map[string]string{kafka.AuthIAM: "sasl_iam", kafka.AuthSCRAM512: "sasl_scram", kafka.AuthSCRAM256: "sasl_scram", kafka.AuthMTLS: "tls", kafka.AuthNone: "plaintext"}[s.ev.Auth]
		t.Bootstrap = kafka.SplitBootstrap(bb[key])
		t.ClusterARN = s.esm.EventSourceARN // an MSK target: its listener ports apply
	} else {
		t.Bootstrap = s.esm.BootstrapServers
	}
	if len(t.Bootstrap) == 0 {
		return unknownReport("kafka_probe", "no bootstrap brokers for auth "+s.ev.Auth), nil
	}
	if s.ev.Auth == kafka.AuthMTLS {
		return unknownReport("kafka_probe", "the mapping's client certificate is in Secrets Manager, which this server never reads"), nil
	}
	if s.secretARN != "" {
		return unknownReport("kafka_probe", "the mapping's credentials or root CA are in Secrets Manager, which this server never reads; probe the brokers with kafka_troubleshoot bootstrap_servers and a password_env or ca_file of your own"), nil
	}
	probe := s.f.Env().Probe(ctx, t, kafka.ProbeOptions{})
	if a, bad := probe.FirstFailure(); bad && (a.Failed == kafka.StageDNS || a.Failed == kafka.StageTCP) {
		return unknownReport("kafka_probe", fmt.Sprintf("the brokers are not reachable from this server (%s at %s: %s), which is not the mapping's network position; the VPC checks above judge the mapping's path", a.Address, a.Failed, a.Reason)), &Evidence{Probe: &probe}
	}
	topic := ""
	if len(s.esm.Topics) > 0 {
		topic = s.esm.Topics[0]
	}
	rep, ev := Cluster(ctx, s.f, s.b, ClusterInput{Target: t, Topic: topic, Group: s.ev.Group, Sampling: sampling})
	// Drop the duplicate target check; prefix the rest to show their origin.
	var cs []diagnose.Check
	for _, c := range rep.Checks {
		if c.Name == "target_auth_mode" {
			continue
		}
		c.Name = "kafka_" + c.Name
		cs = append(cs, c)
	}
	rep.Checks = cs
	return rep, &ev
}

func unknownReport(name, why string) diagnose.Report {
	return diagnose.Report{Category: diagnose.None, Checks: []diagnose.Check{{Name: name, Category: diagnose.Network, Status: diagnose.StatusUnknown, Detail: why}}}
}

// Resolver adapts the MSK inspector to kafka.BootstrapResolver, so
// cluster_arn targets resolve through GetBootstrapBrokers.
type Resolver struct {
	R interface {
		MSKBootstrap(ctx context.Context, arn string) (map[string]string, error)
	}
}

// GetBootstrapBrokers implements kafka.BootstrapResolver.
func (r Resolver) GetBootstrapBrokers(ctx context.Context, arn string) (kafka.BootstrapBrokers, error) {
	m, err := r.R.MSKBootstrap(ctx, arn)
	if err != nil {
		return kafka.BootstrapBrokers{}, err
	}
	return kafka.BootstrapBrokers{Plaintext: m["plaintext"], TLS: m["tls"], SASLSCRAM: m["sasl_scram"], SASLIAM: m["sasl_iam"],
		PublicTLS: m["public_tls"], PublicSASLSCRAM: m["public_sasl_scram"], PublicSASLIAM: m["public_sasl_iam"]}, nil
}
