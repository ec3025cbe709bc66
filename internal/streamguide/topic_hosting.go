package streamguide

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Guidance ids and references of the stream_mcp_hosting topic.
const (
	hostCPUID       = "hosting.fargate.cpu_default"
	hostMemID       = "hosting.fargate.memory_default"
	hostCombosID    = "hosting.fargate.cpu_memory"
	hostRetID       = "hosting.logs.retention_days"
	hostRetDefID    = "hosting.logs.retention_days_default"
	hostTLSPortID   = "hosting.nlb.tls_port"
	hostAPIPortID   = "guidance_esm.vpc_endpoint.port"
	hostMinAZsID    = "guidance_esm.vpc.min_azs"
	hostNLBHealth   = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html"
	hostECSSecrets  = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ecs-taskdefinition-secret.html"
	hostECREndpoint = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html"
	hostFargateVPC  = "https://repost.aws/knowledge-center/ecs-fargate-docker-timeout-error"
	hostClaudeMCP   = "https://code.claude.com/docs/en/mcp"
)

// The container side is this project's own image (Dockerfile): it listens
// on hostContainerPort, runs as distroless "nonroot" (hostUID) and reads the
// token file at hostTokensPath. TestHostingMatchesDockerfile holds them to
// the Dockerfile.
const (
	hostContainerPort = 8080
	hostUID           = "65532"
	hostTokensPath    = "/run/secrets/stream-mcp-tokens"
	// hostInitImage writes the token file from the injected secret into a
	// task-scoped volume (ECS injects secrets only as environment variables;
	// the server wants a 0600 file). Overridable with options.init_image_uri.
	hostInitImage = "public.ecr.aws/docker/library/busybox:stable"
	// The init script is a constant: no caller value reaches a shell.
	hostInitTokens = `set -eu; umask 077; printf '%s\n' "$STREAM_MCP_TOKENS" > ` + hostTokensPath + `; chown ` + hostUID + `:` + hostUID + ` ` + hostTokensPath
)

type hostingOptions struct {
	VPCID          string   `json:"vpc_id"`
	CertificateArn string   `json:"certificate_arn"`
	ImageURI       string   `json:"image_uri"`
	InitImageURI   string   `json:"init_image_uri"`
	TokenSecretArn string   `json:"token_secret_arn"`
	AuthIssuer     string   `json:"auth_issuer"`
	AuthAudience   string   `json:"auth_audience"`
	ClientCIDR     string   `json:"client_cidr"`
	ClientSG       string   `json:"client_security_group_id"`
	BrokerSG       string   `json:"broker_security_group_id"`
	CPU            int      `json:"cpu"`
	Memory         int      `json:"memory"`
	RetentionDays  int      `json:"log_retention_days"`
	DesiredCount   int      `json:"desired_count"`
	ClusterArns    []string `json:"cluster_arns"`
	StreamArns     []string `json:"stream_arns"`
}

// stream-mcp hosting: the tool's own deployment next to the brokers.
func streamMCPHosting() Topic {
	return Topic{
		Name:    "stream_mcp_hosting",
		Summary: "host stream-mcp for a team: ECS Fargate behind an internal TLS NLB, read-only task role, CloudWatch logs",
		Options: []string{"vpc_id", "certificate_arn", "image_uri", "init_image_uri", "token_secret_arn", "auth_issuer", "auth_audience",
			"client_cidr", "client_security_group_id", "broker_security_group_id", "cpu", "memory", "log_retention_days", "desired_count",
			"cluster_arns", "stream_arns"},
		Build: buildHosting,
	}
}

type hostPlan struct {
	o        hostingOptions
	env      iac.Env
	name     string
	subnets  []string
	repoArn  string
	logGroup string
	tlsPort  int
	apiPort  int
	kafkaLo  int
	kafkaHi  int
	readOnly iac.PolicyDocument
}

var (
	reVPC = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html (repositoryName)
	// plus a tag or digest; the registry is ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn].
	reECRImage = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`)
	// an image reference for the init container (registry/path:tag or @digest)
	reImageRef = regexp.MustCompile(`^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$`)
	// an OAuth audience: URL or name characters only (it is one argv element)
	reAudience = regexp.MustCompile(`^[A-Za-z0-9:/._~%+=@-]{1,256}$`)
)

func planHosting(e Env, r Request) (hostPlan, error) {
	p := hostPlan{name: r.Name, subnets: r.SubnetIDs}
	if err := DecodeOptions(r, &p.o); err != nil {
		return p, err
	}
	o := &p.o
	if p.name == "" {
		p.name = "stream-mcp"
	}
	if len(p.name) > 50 {
		return p, fmt.Errorf("%w: name must be at most 50 characters (it prefixes the role names, 64 at most)", iac.ErrInvalid)
	}
	if o.VPCID == "" || !reVPC.MatchString(o.VPCID) {
		return p, fmt.Errorf("%w: stream_mcp_hosting needs options.vpc_id (vpc-…), the brokers' VPC", iac.ErrInvalid)
	}
	if minAZ := e.Guidance.Int(hostMinAZsID); len(p.subnets) < minAZ {
		return p, fmt.Errorf("%w: give subnet_ids: at least %d private subnets in different Availability Zones (the NLB and the tasks run in them)", iac.ErrInvalid, minAZ)
	}
	cert, err := iac.ParseARN(o.CertificateArn, "acm")
	if err != nil || !strings.HasPrefix(cert.Resource, "certificate/") || cert.Region == "" || cert.AccountID == "" {
		return p, fmt.Errorf("%w: options.certificate_arn must be an ACM certificate ARN (arn:PARTITION:acm:REGION:ACCOUNT:certificate/ID) for the NLB's TLS listener", iac.ErrInvalid)
	}
	p.env = iac.Env{Partition: cert.Partition, Region: cert.Region, Account: cert.AccountID}
	if r.Region != "" && r.Region != cert.Region {
		return p, fmt.Errorf("%w: certificate_arn is in %s but region is %s; the NLB needs a certificate of its own Region", iac.ErrInvalid, cert.Region, r.Region)
	}
	if r.Account != "" {
		p.env.Account = r.Account
	}
	m := reECRImage.FindStringSubmatch(o.ImageURI)
	if m == nil {
		return p, fmt.Errorf("%w: options.image_uri must be an ECR image with a tag or digest (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG), built from the repository's Dockerfile", iac.ErrInvalid)
	}
	p.repoArn = "arn:" + p.env.Partition + ":ecr:" + m[2] + ":" + m[1] + ":repository/" + m[4]
	if o.InitImageURI == "" {
		o.InitImageURI = hostInitImage
	} else if !reImageRef.MatchString(o.InitImageURI) {
		return p, fmt.Errorf("%w: options.init_image_uri must be an image reference with a tag or digest (REGISTRY/PATH:TAG)", iac.ErrInvalid)
	}
	switch {
	case o.TokenSecretArn != "" && (o.AuthIssuer != "" || o.AuthAudience != ""):
		return p, fmt.Errorf("%w: give either options.token_secret_arn (static tokens) or auth_issuer with auth_audience (OAuth), not both", iac.ErrInvalid)
	case o.TokenSecretArn != "":
		if err := iac.ValidateSecretARN(o.TokenSecretArn); err != nil {
			return p, err
		}
	case o.AuthIssuer != "" && o.AuthAudience != "":
		u, err := url.Parse(o.AuthIssuer)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(o.AuthIssuer, " \t\r\n\"'") {
			return p, fmt.Errorf("%w: options.auth_issuer must be the issuer's https URL (no query, no credentials)", iac.ErrInvalid)
		}
		if !reAudience.MatchString(o.AuthAudience) {
			return p, fmt.Errorf("%w: options.auth_audience must be 1-256 URL or name characters", iac.ErrInvalid)
		}
	default:
		return p, fmt.Errorf("%w: stream-mcp refuses to serve beyond loopback without authentication: give options.token_secret_arn (a Secrets Manager secret holding the token file) or auth_issuer and auth_audience", iac.ErrInvalid)
	}
	switch {
	case o.ClientCIDR != "" && o.ClientSG != "":
		return p, fmt.Errorf("%w: give options.client_cidr or client_security_group_id, not both", iac.ErrInvalid)
	case o.ClientCIDR != "":
		pfx, err := netip.ParsePrefix(o.ClientCIDR)
		if err != nil || !pfx.Addr().Is4() || pfx.Masked() != pfx || pfx.Bits() == 0 {
			return p, fmt.Errorf("%w: options.client_cidr must be an IPv4 CIDR such as 10.0.0.0/16 (not 0.0.0.0/0: the service is internal)", iac.ErrInvalid)
		}
	case o.ClientSG != "":
		if err := iac.ValidateSecurityGroupID(o.ClientSG); err != nil {
			return p, err
		}
	default:
		return p, fmt.Errorf("%w: give options.client_cidr (e.g. the VPN's range) or client_security_group_id: who may reach the NLB", iac.ErrInvalid)
	}
	if o.BrokerSG != "" {
		if err := iac.ValidateSecurityGroupID(o.BrokerSG); err != nil {
			return p, err
		}
	}
	if err := p.sizes(e); err != nil {
		return p, err
	}
	for _, c := range o.ClusterArns {
		if _, err := iac.ParseMSKClusterARN(c); err != nil {
			return p, err
		}
	}
	for _, s := range o.StreamArns {
		if err := iac.ValidateSourceARN(iac.SourceKinesis, s); err != nil {
			return p, err
		}
	}
	p.logGroup = "/ecs/" + p.name
	p.tlsPort, p.apiPort = e.Guidance.Int(hostTLSPortID), e.Guidance.Int(hostAPIPortID)
	p.kafkaLo, _ = e.kafkaPort(iac.AuthNone)
	p.kafkaHi, _ = e.kafkaPort(iac.AuthIAM)
	p.readOnly, err = readOnlyPolicy(p.o.ClusterArns, p.o.StreamArns)
	return p, err
}

// sizes applies the CPU/memory/retention/count defaults and checks them
// against the valid Fargate combinations and CloudWatch Logs values.
func (p *hostPlan) sizes(e Env) error {
	o := &p.o
	if o.CPU == 0 {
		o.CPU = e.Guidance.Int(hostCPUID)
	}
	if o.Memory == 0 {
		o.Memory = e.Guidance.Int(hostMemID)
	}
	if !fargateFits(e.Guidance.Strings(hostCombosID), o.CPU, o.Memory) {
		return fmt.Errorf("%w: cpu %d with memory %d MiB is not a Fargate size; valid: %s", iac.ErrInvalid, o.CPU, o.Memory, strings.Join(e.Guidance.Strings(hostCombosID), "; "))
	}
	if o.RetentionDays == 0 {
		o.RetentionDays = e.Guidance.Int(hostRetDefID)
	}
	if !slices.Contains(e.Guidance.Strings(hostRetID), strconv.Itoa(o.RetentionDays)) {
		return fmt.Errorf("%w: log_retention_days %d is not one of %s", iac.ErrInvalid, o.RetentionDays, strings.Join(e.Guidance.Strings(hostRetID), ", "))
	}
	if o.DesiredCount == 0 {
		o.DesiredCount = e.Guidance.Int(hostMinAZsID)
	}
	if o.DesiredCount < 1 {
		return fmt.Errorf("%w: desired_count must be 1 or more (one task per Availability Zone is the usual count)", iac.ErrInvalid)
	}
	return nil
}

// fargateFits reports whether cpu/mem is one of the combos ("CPU:a,b,c" or
// "CPU:min-max/step").
func fargateFits(combos []string, cpu, mem int) bool {
	for _, c := range combos {
		cs, ms, ok := strings.Cut(c, ":")
		if !ok || cs != strconv.Itoa(cpu) {
			continue
		}
		if rng, step, ok := strings.Cut(ms, "/"); ok {
			lo, hi, _ := strings.Cut(rng, "-")
			l, _ := strconv.Atoi(lo)
			h, _ := strconv.Atoi(hi)
			s, _ := strconv.Atoi(step)
			return s > 0 && mem >= l && mem <= h && (mem-l)%s == 0
		}
		return slices.Contains(strings.Split(ms, ","), strconv.Itoa(mem))
	}
	return false
}

// readOnlyPolicy is the README's read-only policy (guidance/iam), with the
// MSK and Kinesis actions narrowed to the given clusters and streams.
func readOnlyPolicy(clusters, streams []string) (iac.PolicyDocument, error) {
	var doc struct {
		Statement []struct {
			Action []string
		}
	}
	if err := json.Unmarshal(guidance.ReadOnlyPolicy(), &doc); err != nil || len(doc.Statement) == 0 {
		return iac.PolicyDocument{}, fmt.Errorf("streamguide: read-only policy: %v", err)
	}
	var rest, kafka, kinesis []string
	for _, a := range doc.Statement[0].Action {
		switch {
		case len(clusters) > 0 && strings.HasPrefix(a, "kafka:") && !strings.HasPrefix(a, "kafka:List"):
			kafka = append(kafka, a)
		case len(streams) > 0 && strings.HasPrefix(a, "kinesis:"):
			kinesis = append(kinesis, a)
		default:
			rest = append(rest, a)
		}
	}
	sts := []iac.Statement{{Sid: "StreamMcpReadOnly", Effect: "Allow", Action: rest, Resource: []string{"*"}}}
	if len(kafka) > 0 {
		var res []string
		for _, c := range clusters {
			mc, _ := iac.ParseMSKClusterARN(c)
			res = append(res, c, mc.TopicARN("*"))
		}
		sts = append(sts, iac.Statement{Sid: "StreamMcpReadOnlyClusters", Effect: "Allow", Action: kafka, Resource: res})
	}
	if len(kinesis) > 0 {
		sts = append(sts, iac.Statement{Sid: "StreamMcpReadOnlyStreams", Effect: "Allow", Action: kinesis, Resource: slices.Clone(streams)})
	}
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: sts}, nil
}

func (p hostPlan) arn(service, resource string) string {
	return "arn:" + p.env.Partition + ":" + service + ":" + p.env.Region + ":" + p.env.Account + ":" + resource
}

func (p hostPlan) executionPolicy() iac.PolicyDocument {
	sts := []iac.Statement{
		{Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
		{Action: []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, Resource: []string{p.repoArn}},
		{Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{p.arn("logs", "log-group:"+p.logGroup+":*")}},
	}
	if p.o.TokenSecretArn != "" {
		sts = append(sts, iac.Statement{Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{p.o.TokenSecretArn}})
	}
	return allow(sts...)
}

func (p hostPlan) command() []string {
	listen := "0.0.0.0:" + strconv.Itoa(hostContainerPort)
	if p.o.TokenSecretArn != "" {
		return []string{"serve", "--http", listen, "--auth-tokens-file", hostTokensPath}
	}
	return []string{"serve", "--http", listen, "--auth-issuer", p.o.AuthIssuer, "--auth-audience", p.o.AuthAudience}
}

// containers are the task's container definitions in CloudFormation's
// property casing; tfContainers the same in the ECS API casing Terraform
// takes as JSON.
func (p hostPlan) containers(logGroup any) []map[string]any {
	logs := func(prefix string) map[string]any {
		return map[string]any{"LogDriver": "awslogs", "Options": map[string]any{"awslogs-group": logGroup, "awslogs-region": p.env.Region, "awslogs-stream-prefix": prefix}}
	}
	cmd := make([]any, 0, 6)
	for _, c := range p.command() {
		cmd = append(cmd, c)
	}
	main := map[string]any{"Name": "stream-mcp", "Image": p.o.ImageURI, "Essential": true, "User": hostUID, "ReadonlyRootFilesystem": true,
		"Command": cmd, "PortMappings": []any{map[string]any{"ContainerPort": hostContainerPort}},
		"Environment": []any{map[string]any{"Name": "AWS_REGION", "Value": p.env.Region}}, "LogConfiguration": logs("stream-mcp")}
	if p.o.TokenSecretArn == "" {
		// read-only serving writes nothing to disk: no volume, no init
		return []map[string]any{main}
	}
	main["DependsOn"] = []any{map[string]any{"ContainerName": "init", "Condition": "SUCCESS"}}
	main["MountPoints"] = []any{map[string]any{"SourceVolume": "secrets", "ContainerPath": "/run/secrets", "ReadOnly": true}}
	initC := map[string]any{"Name": "init", "Image": p.o.InitImageURI, "Essential": false, "User": "0", "ReadonlyRootFilesystem": true,
		"EntryPoint": []any{"sh", "-c"}, "Command": []any{hostInitTokens}, "LogConfiguration": logs("init"),
		"MountPoints": []any{map[string]any{"SourceVolume": "secrets", "ContainerPath": "/run/secrets"}},
		"Secrets":     []any{map[string]any{"Name": "STREAM_MCP_TOKENS", "ValueFrom": p.o.TokenSecretArn}}}
	return []map[string]any{initC, main}
}

// apiCase lower-cases the first letter of every key: CloudFormation's
// ContainerDefinitions use the ECS API's keys with a capital letter.
func apiCase(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if k == "Options" { // log driver options are literal keys
				out["options"] = val
				continue
			}
			out[strings.ToLower(k[:1])+k[1:]] = apiCase(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = apiCase(val)
		}
		return out
	}
	return v
}

// stack is the whole deployment; net limits it to the security groups
// (guidance_type networking).
func (p hostPlan) stack(net bool) (Stack, error) {
	cfn, tf := p.securityGroups()
	st := Stack{Description: "stream-mcp for a team: ECS Fargate behind an internal TLS NLB (" + p.name + ")", CFN: cfn, TF: tf}
	if net {
		return st, nil
	}
	trust := serviceTrust("ecs-tasks.amazonaws.com", p.env.Account)
	execCFN, execTF, err := roleStack("ExecutionRole", p.name+"-execution", trust, p.executionPolicy())
	if err != nil {
		return st, err
	}
	taskCFN, taskTF, err := roleStack("TaskRole", p.name+"-task", trust, p.readOnly)
	if err != nil {
		return st, err
	}
	for k, v := range execCFN {
		st.CFN[k] = v
	}
	for k, v := range taskCFN {
		st.CFN[k] = v
	}
	var cdefs []any
	for _, c := range p.containers(CFNRef("LogGroup")) {
		cdefs = append(cdefs, c)
	}
	st.CFN["LogGroup"] = iac.Resource{Type: "AWS::Logs::LogGroup", Properties: map[string]any{"LogGroupName": p.logGroup, "RetentionInDays": p.o.RetentionDays}}
	st.CFN["Cluster"] = iac.Resource{Type: "AWS::ECS::Cluster", Properties: map[string]any{"ClusterName": p.name}}
	td := map[string]any{"Family": p.name,
		"RequiresCompatibilities": []string{"FARGATE"}, "NetworkMode": "awsvpc", "Cpu": strconv.Itoa(p.o.CPU), "Memory": strconv.Itoa(p.o.Memory),
		"ExecutionRoleArn": CFNGetAtt("ExecutionRole", "Arn"), "TaskRoleArn": CFNGetAtt("TaskRole", "Arn"), "ContainerDefinitions": cdefs}
	tfVolume := []TFAttr{}
	if p.o.TokenSecretArn != "" {
		td["Volumes"] = []any{map[string]any{"Name": "secrets"}}
		tfVolume = append(tfVolume, TFAttr{"volume", []TFAttr{{"name", "secrets"}}})
	}
	st.CFN["TaskDefinition"] = iac.Resource{Type: "AWS::ECS::TaskDefinition", Properties: td}
	st.CFN["LoadBalancer"] = iac.Resource{Type: "AWS::ElasticLoadBalancingV2::LoadBalancer", Properties: map[string]any{"Type": "network", "Scheme": "internal",
		"Subnets": p.subnets, "SecurityGroups": []any{CFNRef("NlbSecurityGroup")}}}
	st.CFN["TargetGroup"] = iac.Resource{Type: "AWS::ElasticLoadBalancingV2::TargetGroup", Properties: map[string]any{"TargetType": "ip", "Protocol": "TCP",
		"Port": hostContainerPort, "VpcId": p.o.VPCID, "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/healthz"}}
	st.CFN["Listener"] = iac.Resource{Type: "AWS::ElasticLoadBalancingV2::Listener", Properties: map[string]any{"LoadBalancerArn": CFNRef("LoadBalancer"),
		"Protocol": "TLS", "Port": p.tlsPort, "Certificates": []any{map[string]any{"CertificateArn": p.o.CertificateArn}},
		"SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "DefaultActions": []any{map[string]any{"Type": "forward", "TargetGroupArn": CFNRef("TargetGroup")}}}}
	st.CFN["Service"] = iac.Resource{Type: "AWS::ECS::Service", DependsOn: []string{"Listener"}, Properties: map[string]any{"ServiceName": p.name,
		"Cluster": CFNRef("Cluster"), "TaskDefinition": CFNRef("TaskDefinition"), "LaunchType": "FARGATE", "DesiredCount": p.o.DesiredCount,
		"NetworkConfiguration":    map[string]any{"AwsvpcConfiguration": map[string]any{"AssignPublicIp": "DISABLED", "Subnets": p.subnets, "SecurityGroups": []any{CFNRef("TaskSecurityGroup")}}},
		"LoadBalancers":           []any{map[string]any{"ContainerName": "stream-mcp", "ContainerPort": hostContainerPort, "TargetGroupArn": CFNRef("TargetGroup")}},
		"DeploymentConfiguration": map[string]any{"DeploymentCircuitBreaker": map[string]any{"Enable": true, "Rollback": true}}}}
	st.Outputs = map[string]iac.Output{"Endpoint": {Description: "point the certificate's DNS name at this", Value: CFNGetAtt("LoadBalancer", "DNSName")}}

	// Terraform: the same resources.
	var tfDefs []any
	for _, c := range p.containers(p.logGroup) {
		tfDefs = append(tfDefs, apiCase(c))
	}
	var defsJSON strings.Builder
	enc := json.NewEncoder(&defsJSON)
	enc.SetEscapeHTML(false) // the init script's ">" stays readable
	if err := enc.Encode(tfDefs); err != nil {
		return st, fmt.Errorf("streamguide: container definitions: %w", err)
	}
	st.TF = append(st.TF, execTF...)
	st.TF = append(st.TF, taskTF...)
	st.TF = append(st.TF,
		TFBlock{Labels: []string{"aws_cloudwatch_log_group", "this"}, Attrs: []TFAttr{{"name", p.logGroup}, {"retention_in_days", p.o.RetentionDays}}},
		TFBlock{Labels: []string{"aws_ecs_cluster", "this"}, Attrs: []TFAttr{{"name", p.name}}},
		TFBlock{Labels: []string{"aws_ecs_task_definition", "this"}, Attrs: append([]TFAttr{{"family", p.name}, {"requires_compatibilities", []string{"FARGATE"}},
			{"network_mode", "awsvpc"}, {"cpu", strconv.Itoa(p.o.CPU)}, {"memory", strconv.Itoa(p.o.Memory)},
			{"execution_role_arn", TFRef("aws_iam_role.executionrole.arn")}, {"task_role_arn", TFRef("aws_iam_role.taskrole.arn")},
			{"container_definitions", strings.TrimSpace(defsJSON.String())}}, tfVolume...)},
		TFBlock{Labels: []string{"aws_lb", "this"}, Attrs: []TFAttr{{"load_balancer_type", "network"}, {"internal", true},
			{"subnets", p.subnets}, {"security_groups", refs("aws_security_group.nlb.id")}}},
		TFBlock{Labels: []string{"aws_lb_target_group", "this"}, Attrs: []TFAttr{{"target_type", "ip"}, {"protocol", "TCP"},
			{"port", hostContainerPort}, {"vpc_id", p.o.VPCID},
			{"health_check", []TFAttr{{"protocol", "HTTP"}, {"path", "/healthz"}}}}},
		TFBlock{Labels: []string{"aws_lb_listener", "tls"}, Attrs: []TFAttr{{"load_balancer_arn", TFRef("aws_lb.this.arn")}, {"protocol", "TLS"},
			{"port", p.tlsPort}, {"certificate_arn", p.o.CertificateArn}, {"ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"},
			{"default_action", []TFAttr{{"type", "forward"}, {"target_group_arn", TFRef("aws_lb_target_group.this.arn")}}}}},
		TFBlock{Labels: []string{"aws_ecs_service", "this"}, Attrs: []TFAttr{{"name", p.name}, {"cluster", TFRef("aws_ecs_cluster.this.id")},
			{"task_definition", TFRef("aws_ecs_task_definition.this.arn")}, {"launch_type", "FARGATE"}, {"desired_count", p.o.DesiredCount},
			{"network_configuration", []TFAttr{{"subnets", p.subnets}, {"security_groups", refs("aws_security_group.task.id")}, {"assign_public_ip", false}}},
			{"load_balancer", []TFAttr{{"target_group_arn", TFRef("aws_lb_target_group.this.arn")}, {"container_name", "stream-mcp"}, {"container_port", hostContainerPort}}},
			{"deployment_circuit_breaker", []TFAttr{{"enable", true}, {"rollback", true}}},
			{"depends_on", refs("aws_lb_listener.tls", "aws_cloudwatch_log_group.this")}}},
	)
	return st, nil
}

// securityGroups: clients → NLB on the TLS port; NLB → tasks on the
// container port; tasks → brokers (Kafka ports) and AWS APIs (HTTPS).
func (p hostPlan) securityGroups() (map[string]iac.Resource, []TFBlock) {
	nlbIn := map[string]any{"IpProtocol": "tcp", "FromPort": p.tlsPort, "ToPort": p.tlsPort, "Description": "MCP clients"}
	tfNLBIn := []TFAttr{{"protocol", "tcp"}, {"from_port", p.tlsPort}, {"to_port", p.tlsPort}, {"description", "MCP clients"}}
	if p.o.ClientCIDR != "" {
		nlbIn["CidrIp"] = p.o.ClientCIDR
		tfNLBIn = append(tfNLBIn, TFAttr{"cidr_blocks", []string{p.o.ClientCIDR}})
	} else {
		nlbIn["SourceSecurityGroupId"] = p.o.ClientSG
		tfNLBIn = append(tfNLBIn, TFAttr{"source_security_group_id", p.o.ClientSG})
	}
	brokerDest, tfBroker := map[string]any{"CidrIp": "0.0.0.0/0"}, TFAttr{"cidr_blocks", []string{"0.0.0.0/0"}}
	if p.o.BrokerSG != "" {
		brokerDest, tfBroker = map[string]any{"DestinationSecurityGroupId": p.o.BrokerSG}, TFAttr{"security_groups", []string{p.o.BrokerSG}}
	}
	kafkaOut := map[string]any{"IpProtocol": "tcp", "FromPort": p.kafkaLo, "ToPort": p.kafkaHi, "Description": "Kafka brokers"}
	for k, v := range brokerDest {
		kafkaOut[k] = v
	}
	cfn := map[string]iac.Resource{
		"NlbSecurityGroup": {Type: "AWS::EC2::SecurityGroup", Properties: map[string]any{"GroupDescription": "stream-mcp NLB", "VpcId": p.o.VPCID,
			"SecurityGroupIngress": []any{nlbIn}, "SecurityGroupEgress": []any{map[string]any{"IpProtocol": "tcp", "FromPort": hostContainerPort, "ToPort": hostContainerPort,
				"DestinationSecurityGroupId": CFNGetAtt("TaskSecurityGroup", "GroupId"), "Description": "to the tasks"}}}},
		"TaskSecurityGroup": {Type: "AWS::EC2::SecurityGroup", Properties: map[string]any{"GroupDescription": "stream-mcp tasks", "VpcId": p.o.VPCID,
			"SecurityGroupEgress": []any{kafkaOut, map[string]any{"IpProtocol": "tcp", "FromPort": p.apiPort, "ToPort": p.apiPort, "CidrIp": "0.0.0.0/0", "Description": "AWS APIs"}}}},
		"TasksFromNlb": {Type: "AWS::EC2::SecurityGroupIngress", Properties: map[string]any{"GroupId": CFNGetAtt("TaskSecurityGroup", "GroupId"), "IpProtocol": "tcp",
			"FromPort": hostContainerPort, "ToPort": hostContainerPort, "SourceSecurityGroupId": CFNGetAtt("NlbSecurityGroup", "GroupId"), "Description": "from the NLB"}},
	}
	tf := []TFBlock{
		// the NLB group's rules are separate resources: its egress names the
		// task group, whose ingress names it (inline rules would be a cycle)
		{Labels: []string{"aws_security_group", "nlb"}, Attrs: []TFAttr{{"name", p.name + "-nlb"}, {"description", "stream-mcp NLB"}, {"vpc_id", p.o.VPCID}}},
		{Labels: []string{"aws_security_group_rule", "nlb_from_clients"}, Attrs: append([]TFAttr{{"type", "ingress"}, {"security_group_id", TFRef("aws_security_group.nlb.id")}}, tfNLBIn...)},
		{Labels: []string{"aws_security_group_rule", "nlb_to_tasks"}, Attrs: []TFAttr{{"type", "egress"}, {"security_group_id", TFRef("aws_security_group.nlb.id")},
			{"protocol", "tcp"}, {"from_port", hostContainerPort}, {"to_port", hostContainerPort}, {"source_security_group_id", TFRef("aws_security_group.task.id")}, {"description", "to the tasks"}}},
		{Labels: []string{"aws_security_group", "task"}, Attrs: []TFAttr{{"name", p.name + "-task"}, {"description", "stream-mcp tasks"}, {"vpc_id", p.o.VPCID},
			{"ingress", []TFAttr{{"protocol", "tcp"}, {"from_port", hostContainerPort}, {"to_port", hostContainerPort}, {"description", "from the NLB"}, {"security_groups", refs("aws_security_group.nlb.id")}}},
			{"egress", []TFAttr{{"protocol", "tcp"}, {"from_port", p.kafkaLo}, {"to_port", p.kafkaHi}, {"description", "Kafka brokers"}, tfBroker}},
			{"egress", []TFAttr{{"protocol", "tcp"}, {"from_port", p.apiPort}, {"to_port", p.apiPort}, {"description", "AWS APIs"}, {"cidr_blocks", []string{"0.0.0.0/0"}}}}}},
	}
	if p.o.BrokerSG != "" {
		cfn["BrokersFromTasks"] = iac.Resource{Type: "AWS::EC2::SecurityGroupIngress", Properties: map[string]any{"GroupId": p.o.BrokerSG, "IpProtocol": "tcp",
			"FromPort": p.kafkaLo, "ToPort": p.kafkaHi, "SourceSecurityGroupId": CFNGetAtt("TaskSecurityGroup", "GroupId"), "Description": "stream-mcp tasks"}}
		tf = append(tf, TFBlock{Labels: []string{"aws_security_group_rule", "brokers_from_tasks"}, Attrs: []TFAttr{{"type", "ingress"}, {"security_group_id", p.o.BrokerSG},
			{"protocol", "tcp"}, {"from_port", p.kafkaLo}, {"to_port", p.kafkaHi}, {"source_security_group_id", TFRef("aws_security_group.task.id")}, {"description", "stream-mcp tasks"}}})
	}
	return cfn, tf
}

func buildHosting(e Env, r Request) (Result, error) {
	p, err := planHosting(e, r)
	if err != nil {
		return Result{}, err
	}
	res := Result{References: []string{e.Ref(hostTLSPortID), hostNLBHealth, hostFargateVPC, hostECREndpoint}}
	netSteps := []guide.Step{
		{Title: "Internal NLB, TLS terminated there", Detail: fmt.Sprintf("Internal scheme: no internet endpoint. The TLS listener on %d uses the ACM certificate (ACM renews it; no key in the image), so bearer tokens never cross the VPC in clear; it forwards TCP to the tasks on %d. The target group health-checks HTTP /healthz (no token needed).", p.tlsPort, hostContainerPort)},
		{Title: "Private subnets; AWS APIs via NAT or VPC endpoints", Detail: fmt.Sprintf("No public IPs. Tasks reach the brokers on TCP %d-%d and AWS APIs on %d through a NAT gateway or interface endpoints (ecr.api, ecr.dkr, logs, secretsmanager, sts, kafka, kinesis-streams, lambda, ec2, monitoring) plus the S3 gateway endpoint (image layers); with neither, tasks fail at image pull.", p.kafkaLo, p.kafkaHi, p.apiPort),
			Decision: &guide.Decision{Choice: "egress", Options: []string{"nat_gateway", "vpc_endpoints"}, Recommendation: "vpc_endpoints", Why: "no internet path from a process that holds AWS read credentials; NAT is simpler where the VPC has one already"}},
	}
	if p.o.BrokerSG == "" {
		netSteps = append(netSteps, guide.Step{Title: "Open the brokers to the tasks", Detail: fmt.Sprintf("Give options.broker_security_group_id for the brokers' ingress rule (TCP %d-%d from the task group); until then task egress to those ports is open to any address.", p.kafkaLo, p.kafkaHi)})
	}
	switch r.Type {
	case guide.TypeSetup:
		res.Steps = append(netSteps, p.authStep(), guide.Step{Title: "Least-privilege task role", Detail: p.roleDetail()},
			guide.Step{Title: "Hardened task", Detail: fmt.Sprintf("%d CPU units / %d MiB (default 0.5 vCPU / 1 GB), uid %s, read-only root filesystem, logs in %s for %d days, deployment circuit breaker with rollback.", p.o.CPU, p.o.Memory, hostUID, p.logGroup, p.o.RetentionDays)})
		st, err := p.stack(false)
		if err != nil {
			return Result{}, err
		}
		a, err := st.Render(r.Format, "stream-mcp-hosting", "deploy with CAPABILITY_NAMED_IAM (fixed role names)")
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, a)
		res.Checks = p.checks()
		res.References = append(res.References, hostECSSecrets, e.Ref(hostCPUID), e.Ref(hostRetID), hostClaudeMCP)
	case guide.TypeNetworking:
		res.Steps = netSteps
		st, err := p.stack(true)
		if err != nil {
			return Result{}, err
		}
		a, err := st.Render(r.Format, "stream-mcp-hosting-network")
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, a)
		res.Checks = p.checks()[:1]
	case guide.TypePermissions:
		res.Steps = []guide.Step{{Title: "Least-privilege task role", Detail: p.roleDetail()},
			{Title: "Task execution role", Detail: "Pulls only " + p.repoArn + ", writes only " + p.logGroup + " and reads only the token secret; ECS uses it before the container starts, the server never holds it."}}
		for _, x := range []struct {
			name string
			doc  iac.PolicyDocument
		}{{"stream-mcp-task-role-policy.json", p.readOnly}, {"stream-mcp-execution-role-policy.json", p.executionPolicy()}, {"stream-mcp-trust.json", serviceTrust("ecs-tasks.amazonaws.com", p.env.Account)}} {
			a, err := PolicyArtifact(x.name, x.doc)
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a)
		}
		res.References = append(res.References, hostECSSecrets)
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "tasks stop at CannotPullContainerError or ResourceInitializationError", Cause: "no route to ECR, S3, Secrets Manager or Logs from the private subnets", Check: "route tables for a NAT gateway, or the VPC endpoints and their security groups (443 from the task group)", Fix: "add the NAT route or the interface endpoints and the S3 gateway endpoint"},
			{Symptom: "targets unhealthy", Cause: "the NLB group cannot reach the tasks on " + strconv.Itoa(hostContainerPort) + ", or the server did not start (it refuses to listen beyond loopback without authentication)", Check: "the task's log stream under " + p.logGroup + "; aws elbv2 describe-target-health", Fix: "check the init container's exit code and the token secret; keep the NLB→task rule"},
			{Symptom: "clients get 401", Cause: "missing or wrong bearer token, or a JWT with another issuer/audience", Check: "the server's log (token fingerprints, never tokens)", Fix: "send Authorization: Bearer TOKEN; rotate the secret and force a new deployment"},
			{Symptom: "tools answer AccessDenied", Cause: "the task role lacks an action the tool needs, or the cluster/stream is outside cluster_arns/stream_arns", Check: "CloudTrail errorCode AccessDenied for the task role", Fix: "add the ARN to cluster_arns or stream_arns"},
		}
	}
	return res, nil
}

func (p hostPlan) authStep() guide.Step {
	if p.o.TokenSecretArn != "" {
		return guide.Step{Title: "Tokens from Secrets Manager", Detail: "The token file (lines \"TOKEN read\") lives in the secret, not in the image or template; rotation = update the secret, force a new deployment. ECS injects secrets only as environment variables, so an init container writes " + hostTokensPath + " (0600, uid " + hostUID + ") to a task volume the server mounts read-only. Its image (" + p.o.InitImageURI + ") must be pullable from the subnets (mirror it to ECR without NAT)."}
	}
	return guide.Step{Title: "OAuth 2.1 bearer JWTs", Detail: "The server validates JWTs from " + p.o.AuthIssuer + " for audience " + p.o.AuthAudience + " (scopes stream-mcp:read, stream-mcp:write); no secret is stored in the task. The tasks need HTTPS egress to the issuer's JWKS URL."}
}

func (p hostPlan) roleDetail() string {
	d := "Only the README's read-only policy: no write credentials, --allow-write off."
	if len(p.o.ClusterArns)+len(p.o.StreamArns) == 0 {
		d += " Give cluster_arns and stream_arns to narrow the MSK and Kinesis actions from *."
	}
	return d
}

func (p hostPlan) checks() []guide.Check {
	return []guide.Check{
		{Name: "Health through the NLB", How: "curl -fsS https://HOST/healthz from a client network (HOST: the certificate's name, aliased to the NLB)"},
		{Name: "Claude Code over HTTP", How: "claude mcp add --transport http stream-mcp https://HOST/mcp --header \"Authorization: Bearer $STREAM_MCP_TOKEN\""},
		{Name: "Read-only", How: "tools/list shows no write tools; a cluster outside cluster_arns answers AccessDenied"},
	}
}
