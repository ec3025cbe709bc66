package guide

import (
	"errors"
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/iac"
)

func (e *Engine) setup(r Request) (Result, error) {
	var res Result
	res.Steps = append(res.Steps, e.decisions(r)...)
	net, err := e.networking(r)
	if err != nil {
		return Result{}, err
	}
	perm, err := e.permissions(r)
	if err != nil {
		return Result{}, err
	}
	res.Steps = append(res.Steps, net.Steps...)
	res.Steps = append(res.Steps, perm.Steps...)
	m, missing := r.esm(e)
	switch {
	case len(missing) > 0:
		res.Artifacts = append(res.Artifacts, net.Artifacts...)
		res.Artifacts = append(res.Artifacts, perm.Artifacts...)
		res.Steps = append(res.Steps, Step{Title: "Inputs needed for the mapping template", Detail: "Give " + strings.Join(missing, ", ") + " to get a deployable mapping template."})
	case r.CreateFunction || r.CreateSource:
		arts, steps, err := e.stack(r, m)
		if err != nil {
			return Result{}, err
		}
		res.Steps = append(res.Steps, steps...)
		res.Artifacts = append(res.Artifacts, arts...)
	default:
		// One deployable template (function stub, role, mapping, security
		// group rules, the destination the mapping names) first; the
		// mapping alone follows as an extra for an existing function.
		full := r
		full.CreateFunction = true
		arts, steps, err := e.stack(full, m)
		if err != nil && !errors.Is(err, errNoPolicy) {
			return Result{}, err
		}
		a, ferr := iac.RenderESM(m, r.Format)
		if ferr != nil {
			return Result{}, ferr
		}
		a.Name = "existing-function-" + a.Name
		a.Notes = append(a.Notes, "For a function you already have: deploy this mapping (or SAM event) instead of the full stack, and give the function's role the execution-role policy.", sizingNote)
		if err == nil {
			res.Steps = append(res.Steps, Step{Title: "Deployable stack", Detail: "The first template deploys a starter function, its role with the least-privilege policy, the mapping" + pick(len(r.SecurityGroupIDs) > 0 && r.Source.IsKafka(), ", the security-group rules", "") + pick(r.OnFailureDestination != "", " and the on-failure destination it names", "") + "; replace the starter handler with your code. The mapping alone follows for an existing function."})
			res.Steps = append(res.Steps, steps...)
			res.Artifacts = append(res.Artifacts, arts...)
			res.Artifacts = append(res.Artifacts, a)
			break
		}
		res.Artifacts = append(res.Artifacts, net.Artifacts...)
		res.Artifacts = append(res.Artifacts, perm.Artifacts...)
		res.Artifacts = append(res.Artifacts, a, deployScript(r, a), validateScript(r), cleanupScript(r, a))
	}
	res.Checks = append(res.Checks, Check{Name: "Template is valid", How: "no violations", Tool: "validate_config"})
	res.Checks = append(res.Checks, net.Checks...)
	res.Checks = append(res.Checks, perm.Checks...)
	return res, nil
}

// esm builds the mapping the setup recommends, or the missing inputs.
func (r Request) esm(e *Engine) (iac.ESM, []string) {
	m := iac.ESM{Source: r.Source, FunctionName: r.FunctionName, EventSourceArn: r.EventSourceArn}
	var missing []string
	if r.FunctionName == "" {
		missing = append(missing, "function_name")
	}
	if r.Source == iac.SourceSelfManagedKafka {
		m.EventSourceArn = ""
		if len(r.BootstrapServers) == 0 {
			missing = append(missing, "bootstrap_servers")
		}
		m.SelfManagedEventSource = &iac.SelfManagedEventSource{Endpoints: map[string][]string{"KAFKA_BOOTSTRAP_SERVERS": r.BootstrapServers}}
	} else if r.EventSourceArn == "" {
		missing = append(missing, "event_source_arn")
	}
	if r.Source.IsKafka() && r.Topic == "" {
		missing = append(missing, "topic")
	}
	if r.Source.IsStream() || r.Source.IsKafka() {
		m.StartingPosition = "TRIM_HORIZON"
	}
	if r.Source != iac.SourceSelfManagedKafka || r.PollerMode == ModeProvisioned {
		// Kafka: partial-batch responses need provisioned mode.
		if !r.Source.IsKafka() || r.PollerMode == ModeProvisioned {
			m.FunctionResponseTypes = []string{"ReportBatchItemFailures"}
		}
	}
	if r.Source.IsStream() {
		m.BisectBatchOnFunctionError = iac.Bool(true)
	}
	if r.OnFailureDestination != "" && (r.Source.IsStream() || r.Source.IsKafka()) {
		m.DestinationConfig = &iac.DestinationConfig{OnFailure: &iac.OnFailure{Destination: r.OnFailureDestination}}
	}
	if r.Source.IsKafka() {
		if r.Topic != "" {
			m.Topics = []string{r.Topic}
		}
		cfg := &iac.KafkaEventSourceConfig{ConsumerGroupId: r.ConsumerGroupID}
		if r.SchemaRegistryArn != "" {
			cfg.SchemaRegistryConfig = &iac.SchemaRegistryConfig{SchemaRegistryURI: r.SchemaRegistryArn, EventRecordFormat: "JSON"}
		}
		if cfg.ConsumerGroupId != "" || cfg.SchemaRegistryConfig != nil {
			if r.Source == iac.SourceMSK {
				m.AmazonManagedKafkaEventSourceConfig = cfg
			} else {
				m.SelfManagedKafkaEventSourceConfig = cfg
			}
		}
		if r.SecretArn != "" {
			m.SourceAccessConfigurations = append(m.SourceAccessConfigurations, iac.SourceAccessConfiguration{Type: accessType(r.Auth), URI: r.SecretArn})
		} else if r.Auth != iac.AuthIAM && r.Auth != iac.AuthNone && r.Auth != "" {
			missing = append(missing, "secret_arn")
		}
		if r.RootCASecretArn != "" && r.Source == iac.SourceSelfManagedKafka {
			m.SourceAccessConfigurations = append(m.SourceAccessConfigurations, iac.SourceAccessConfiguration{Type: "SERVER_ROOT_CA_CERTIFICATE", URI: r.RootCASecretArn})
		}
		if r.Source == iac.SourceSelfManagedKafka {
			for _, s := range r.SubnetIDs {
				m.SourceAccessConfigurations = append(m.SourceAccessConfigurations, iac.SourceAccessConfiguration{Type: "VPC_SUBNET", URI: "subnet:" + s})
			}
			for _, s := range r.SecurityGroupIDs {
				m.SourceAccessConfigurations = append(m.SourceAccessConfigurations, iac.SourceAccessConfiguration{Type: "VPC_SECURITY_GROUP", URI: "security_group:" + s})
			}
		}
		if r.PollerMode == ModeProvisioned {
			m.ProvisionedPollerConfig = &iac.ProvisionedPollerConfig{MinimumPollers: iac.Int(e.b.Int("esm.kafka.provisioned.minimum_pollers.min"))}
		}
	}
	if r.Source.IsSQS() && r.PollerMode == ModeProvisioned {
		m.ProvisionedPollerConfig = &iac.ProvisionedPollerConfig{MinimumPollers: iac.Int(e.b.Int("esm.sqs.provisioned.minimum_pollers.min"))}
	}
	return m, missing
}

func accessType(a iac.Auth) string {
	switch a {
	case iac.AuthSCRAM256:
		return "SASL_SCRAM_256_AUTH"
	case iac.AuthPlain:
		return "BASIC_AUTH"
	case iac.AuthMTLS:
		return "CLIENT_CERTIFICATE_TLS_AUTH"
	}
	return "SASL_SCRAM_512_AUTH"
}

func (e *Engine) decisions(r Request) []Step {
	var s []Step
	if r.Source.IsKafka() || r.Source.IsSQS() {
		rec := ModeProvisioned
		why := "Provisioned pollers need no NAT gateway or VPC endpoints, and are required for Kafka retries, bisect, partial-batch responses, Kafka failure topics and schema registries; minimum pollers keep capacity warm for bursts."
		if r.Source.IsSQS() {
			rec = ModeOnDemand
			why = "On-demand scales SQS pollers automatically and costs nothing idle; choose provisioned only for sustained high or bursty throughput where its minimum pollers pay for themselves (esm_optimize computes it)."
		}
		if r.PollerMode != "" {
			rec = r.PollerMode
			why = "As requested. " + why
		}
		s = append(s, Step{Title: "Poller mode", Detail: "How the mapping's pollers scale and are billed.",
			Decision: &Decision{Choice: "poller_mode", Options: []string{ModeOnDemand, ModeProvisioned}, Recommendation: rec, Why: why}})
	}
	if r.Source.IsKafka() {
		opts := []string{string(iac.AuthIAM), string(iac.AuthSCRAM512), string(iac.AuthMTLS)}
		rec, why := string(iac.AuthIAM), "IAM auth needs no secret to rotate and is scoped per topic and group in the execution role."
		if r.Source == iac.SourceSelfManagedKafka {
			opts = []string{string(iac.AuthSCRAM512), string(iac.AuthSCRAM256), string(iac.AuthPlain), string(iac.AuthMTLS), string(iac.AuthNone)}
			rec, why = string(iac.AuthSCRAM512), "SCRAM-SHA-512 over TLS is the strongest password mechanism Lambda supports for self-managed Kafka; SASL/PLAIN sends the password itself."
		}
		if r.Auth != "" {
			rec, why = string(r.Auth), "As requested."
		}
		s = append(s, Step{Title: "Authentication", Detail: "Lambda authenticates to the brokers with the chosen mechanism; SCRAM, PLAIN and mTLS credentials live in a Secrets Manager secret in the function's Region.",
			Decision: &Decision{Choice: "auth", Options: opts, Recommendation: rec, Why: why}})
		s = append(s, Step{Title: "Consumer group", Detail: "ConsumerGroupId is fixed at creation. Without it the group is the mapping's UUID. " + e.summary("guidance_esm.fact.kafka_shared_group") + " Use a group no other application uses.",
			Decision: &Decision{Choice: "consumer_group_id", Options: []string{"explicit ConsumerGroupId", "default (mapping UUID)"}, Recommendation: "explicit ConsumerGroupId",
				Why: "A known group name lets the IAM policy (group ARN) and Kafka ACLs name it exactly, and lets you recreate the mapping without losing committed offsets."}})
	}
	if r.Source.IsStream() || r.Source.IsKafka() {
		if r.SchemaRegistryArn != "" {
			s = append(s, Step{Title: "Schema registry", Detail: e.summary("guidance_esm.fact.schema_registry"),
				Decision: &Decision{Choice: "EventRecordFormat", Options: []string{"JSON", "SOURCE"}, Recommendation: "JSON",
					Why: "JSON hands the function deserialised records ready to use (filters also run on them); choose SOURCE for typed consumers that deserialise the original bytes with Powertools for AWS Lambda."}})
		}
		s = append(s, Step{Title: "Starting position", Detail: "Where a new mapping starts reading.",
			Decision: &Decision{Choice: "StartingPosition", Options: startingOptions(r.Source), Recommendation: "TRIM_HORIZON",
				Why: "Starts from the oldest retained record so nothing written before the mapping existed is skipped; choose LATEST only when old records must not be processed. For Kafka, an existing group's committed offsets win over it."}})
	}
	switch {
	case r.Source.IsStream():
		s = append(s, Step{Title: "Failure handling", Detail: "A failing batch blocks its shard until it succeeds or expires (MaximumRetryAttempts and MaximumRecordAgeInSeconds default to -1: infinite).",
			Decision: &Decision{Choice: "failure handling", Options: []string{"ReportBatchItemFailures + BisectBatchOnFunctionError + finite retries + on-failure destination", "defaults (infinite retries)"},
				Recommendation: "ReportBatchItemFailures + BisectBatchOnFunctionError + finite retries + on-failure destination",
				Why:            "Partial-batch responses make the retry start at the first failed record (not the whole batch, and not only the failed records: the stream checkpoints there), bisect isolates a poison record, and finite retries with a destination keep one bad record from stalling the shard until retention expires."}})
	case r.Source.IsSQS():
		ratio := e.b.Int("esm.sqs.visibility_timeout.function_timeout_ratio")
		mrc := e.b.Int("guidance_esm.sqs.redrive.max_receive_count.min_recommended")
		s = append(s, Step{Title: "Failure handling", Detail: fmt.Sprintf("SQS retries by visibility timeout; failures go to the queue's own dead-letter queue (a mapping DestinationConfig does not apply). Set the queue's VisibilityTimeout to at least %d× the function timeout and the redrive maxReceiveCount to at least %d.", ratio, mrc),
			Decision: &Decision{Choice: "partial batch responses", Options: []string{"ReportBatchItemFailures", "whole-batch retry"}, Recommendation: "ReportBatchItemFailures",
				Why: "Only the failed messages become visible again; without it one failure re-delivers the whole batch."}})
		if r.Source == iac.SourceSQSFIFO {
			s = append(s, Step{Title: "FIFO ordering", Detail: fmt.Sprintf("FIFO queues keep order per message group; the batching window is not supported and BatchSize is at most %d. A failed message blocks its message group until it succeeds or reaches the DLQ; moving it to a DLQ lets the rest of its group proceed without it, so order within that group is broken for that message (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).", e.b.Int("esm.sqs_fifo.batch_size.max"))})
		}
	case r.Source.IsKafka():
		s = append(s, Step{Title: "Failure handling", Detail: "In on-demand mode a failing batch is retried until it succeeds; retry limits, bisect, partial-batch responses and Kafka-topic failure destinations need provisioned mode.",
			Decision: &Decision{Choice: "failure handling", Options: []string{"provisioned mode with finite retries and an on-failure destination", "on-demand (retry until success)"},
				Recommendation: "provisioned mode with finite retries and an on-failure destination", Why: "One poison record otherwise stops the partition's progress and grows OffsetLag without bound."}})
	}
	filterKeys := ""
	switch {
	case r.Source == iac.SourceKinesis:
		filterKeys = " " + e.summary("esm.filter.keys.kinesis")
	case r.Source.IsKafka():
		filterKeys = " " + e.summary("esm.filter.keys.kafka")
	}
	s = append(s, Step{Title: "Filtering", Detail: "FilterCriteria drops non-matching records before invocation, so the function is never invoked for them; filters are ORed JSON patterns on the record's data." + filterKeys + " " + e.summary("esm.filter.non_json") + " " + e.summary("esm.filter.discarded"),
		Decision: &Decision{Choice: "FilterCriteria", Options: []string{"filters", "none"}, Recommendation: "filters when the function ignores some records", Why: "Filtering in the mapping is cheaper than invoking and discarding."}})
	return s
}

func startingOptions(s iac.Source) []string {
	if s == iac.SourceDynamoDB {
		return []string{"TRIM_HORIZON", "LATEST"}
	}
	return []string{"TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"}
}

const sizingNote = "Batch size, window, parallelization and pollers are left at service defaults: size them with esm_optimize action=analyze, then action=generate_template."

// stackName is a CloudFormation stack name ([a-zA-Z][-a-zA-Z0-9]*) built
// from validated parts. A function name may start with a digit, "-" or "_"
// (Lambda allows it, CloudFormation stack names do not, and a leading "-"
// would read as an option to the CLI), so such a name gets a letter first.
func stackName(r Request) string {
	n := "esm-" + string(r.Source)
	if fn := functionShortName(r.FunctionName); fn != "" {
		n = fn + "-" + n
	}
	n = strings.ReplaceAll(n, "_", "-")
	if c := n[0]; (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
		n = "fn" + n
	}
	return n
}

func functionShortName(fn string) string {
	if !strings.HasPrefix(fn, "arn:") {
		return fn
	}
	parts := strings.Split(fn, ":")
	if len(parts) >= 7 {
		return parts[6]
	}
	return ""
}

func deployScript(r Request, a iac.Artifact) iac.Artifact {
	stack := stackName(r)
	var cmds [][]string
	switch r.Format {
	case iac.FormatCloudFormation:
		cmds = [][]string{{"aws", "cloudformation", "deploy", "--template-file", a.Name, "--stack-name", stack, "--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset"}}
	case iac.FormatSAM:
		cmds = [][]string{{"sam", "validate", "--lint", "--template-file", a.Name}, {"sam", "deploy", "--template-file", a.Name, "--stack-name", stack, "--capabilities", "CAPABILITY_IAM", "--resolve-s3"}}
		if strings.HasPrefix(a.Content, "Events:") {
			cmds = [][]string{{"sam", "validate", "--lint"}, {"sam", "deploy", "--stack-name", stack, "--capabilities", "CAPABILITY_IAM", "--resolve-s3"}}
		}
	case iac.FormatTerraform:
		cmds = [][]string{{"terraform", "init", "-input=false"}, {"terraform", "plan", "-input=false", "-out=esm.tfplan"}, {"terraform", "apply", "-input=false", "esm.tfplan"}}
	}
	comment := "Deploys " + a.Name + "; review the change set or plan before it applies."
	if strings.HasPrefix(a.Content, "Events:") {
		comment = "Deploys your SAM application after you paste " + a.Name + " under the function's Properties."
	}
	return iac.Script{Name: "deploy.sh", Comment: comment, Commands: cmds}.Render()
}

func cleanupScript(r Request, a iac.Artifact) iac.Artifact {
	stack := stackName(r)
	var cmds [][]string
	switch r.Format {
	case iac.FormatCloudFormation:
		cmds = [][]string{{"aws", "cloudformation", "delete-stack", "--stack-name", stack}, {"aws", "cloudformation", "wait", "stack-delete-complete", "--stack-name", stack}}
	case iac.FormatSAM:
		cmds = [][]string{{"sam", "delete", "--stack-name", stack, "--no-prompts"}}
	case iac.FormatTerraform:
		cmds = [][]string{{"terraform", "destroy", "-input=false"}}
	}
	return iac.Script{Name: "cleanup.sh", Comment: "Deletes what deploy.sh created (" + a.Name + "). A deleted mapping stops consuming; Kafka consumer-group offsets stay on the cluster.", Commands: cmds}.Render()
}

func validateScript(r Request) iac.Artifact {
	args := []string{"aws", "lambda", "list-event-source-mappings"}
	if r.FunctionName != "" {
		args = append(args, "--function-name", r.FunctionName)
	}
	if r.EventSourceArn != "" {
		args = append(args, "--event-source-arn", r.EventSourceArn)
	}
	args = append(args, "--query", "EventSourceMappings[].[UUID,State,LastProcessingResult]", "--output", "table")
	return iac.Script{Name: "validate.sh", Comment: "Lists the mapping's state and last processing result (esm_inspect gives the decoded view).", Commands: [][]string{args}}.Render()
}

// summary returns a guidance entry's one-line statement, for prose that
// states the fact where the answer needs it.
func (e *Engine) summary(id string) string {
	l, _ := e.b.Lookup(id)
	return l.Summary
}
