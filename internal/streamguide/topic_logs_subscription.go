package streamguide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

const (
	logsFiltersMaxID    = "logs.subscription.filters_per_log_group.max"
	logsSubURL          = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html"
	logsMetricsURL      = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html"
	logsCrossAccountURL = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CrossAccountSubscriptions.html"
)

type logsOptions struct {
	LogGroupName      string  `json:"log_group_name"`
	FilterPattern     string  `json:"filter_pattern"`
	Distribution      string  `json:"distribution"`
	IngestMBPerSecond float64 `json:"ingest_mb_per_second"`
	EventsPerSecond   float64 `json:"events_per_second"`
	SenderAccount     string  `json:"sender_account"`
}

// logsSubscription is a CloudWatch Logs subscription filter delivering to a
// Kinesis data stream (source_arn) or a Firehose stream (target_arn).
func logsSubscription() Topic {
	return Topic{
		Name:    "logs_subscription",
		Summary: "CloudWatch Logs subscription filter to a Kinesis data stream or Firehose stream",
		Sources: []Source{SourceKinesis},
		Options: []string{"log_group_name", "filter_pattern", "distribution", "ingest_mb_per_second", "events_per_second", "sender_account"},
		Build:   buildLogsSubscription,
	}
}

type logsPlan struct {
	opts      logsOptions
	env       iac.Env
	destArn   string
	firehose  bool
	filter    string
	roleID    string
	filterID  string
	actions   []string
	logsArn   string
	maxFilter int
}

func planLogs(e Env, r Request) (logsPlan, error) {
	var p logsPlan
	if err := DecodeOptions(r, &p.opts); err != nil {
		return p, err
	}
	if p.opts.LogGroupName == "" {
		return p, fmt.Errorf("%w: logs_subscription needs options.log_group_name (the log group to subscribe)", iac.ErrInvalid)
	}
	if !validLogGroup(p.opts.LogGroupName) {
		return p, fmt.Errorf("%w: log_group_name %q must be 1-512 characters of a-z A-Z 0-9 . - _ / # : (CloudWatch Logs naming)", iac.ErrInvalid, p.opts.LogGroupName)
	}
	switch p.opts.Distribution {
	case "", "ByLogStream", "Random":
	default:
		return p, fmt.Errorf("%w: distribution %q is not ByLogStream or Random", iac.ErrInvalid, p.opts.Distribution)
	}
	if p.opts.IngestMBPerSecond < 0 || p.opts.EventsPerSecond < 0 {
		return p, fmt.Errorf("%w: ingest_mb_per_second and events_per_second must not be negative", iac.ErrInvalid)
	}
	if p.opts.SenderAccount != "" {
		if err := iac.ValidateAccount(p.opts.SenderAccount); err != nil {
			return p, err
		}
	}
	if strings.ContainsAny(p.opts.FilterPattern, "\x00\n\r") {
		return p, fmt.Errorf("%w: filter_pattern must be one line", iac.ErrInvalid)
	}
	switch {
	case r.TargetArn != "":
		a, err := iac.ParseARN(r.TargetArn, "firehose")
		if err != nil || !strings.HasPrefix(a.Resource, "deliverystream/") {
			return p, fmt.Errorf("%w: target_arn must be a Firehose stream ARN (arn:PARTITION:firehose:REGION:ACCOUNT:deliverystream/NAME)", iac.ErrInvalid)
		}
		p.destArn, p.firehose = r.TargetArn, true
		p.env = iac.Env{Partition: a.Partition, Region: a.Region, Account: a.AccountID}
		p.actions = []string{"firehose:PutRecord", "firehose:PutRecordBatch"}
	case r.SourceArn != "":
		a, _ := iac.ParseARN(r.SourceArn, "kinesis")
		p.destArn = r.SourceArn
		p.env = iac.Env{Partition: a.Partition, Region: a.Region, Account: a.AccountID}
		p.actions = []string{"kinesis:PutRecord", "kinesis:PutRecords"}
	default:
		return p, fmt.Errorf("%w: logs_subscription needs source_arn (the Kinesis data stream) or target_arn (a Firehose stream) to deliver to", iac.ErrInvalid)
	}
	p.filter = r.Name
	if p.filter == "" {
		p.filter = "to-stream"
	}
	p.roleID, p.filterID = "LogsToStreamRole", LogicalID("Filter", p.filter)
	p.logsArn = "arn:" + p.env.Partition + ":logs:" + p.env.Region + ":" + p.env.Account + ":log-group:" + p.opts.LogGroupName + ":*"
	p.maxFilter = e.Guidance.Int(logsFiltersMaxID)
	return p, nil
}

func validLogGroup(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-/#:", c)) {
			return false
		}
	}
	return true
}

// trust lets CloudWatch Logs in this account assume the role (the confused-
// deputy condition on the source log group ARNs).
func (p logsPlan) trust() iac.PolicyDocument {
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{{
		Effect: "Allow", Principal: map[string][]string{"Service": {"logs.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string]string{"StringLike": {"aws:SourceArn": "arn:" + p.env.Partition + ":logs:" + p.env.Region + ":" + p.env.Account + ":*"}},
	}}}
}

func (p logsPlan) policy() iac.PolicyDocument {
	return iac.PolicyDocument{Version: iac.PolicyVersion, Statement: []iac.Statement{{Sid: "DeliverLogEvents", Effect: "Allow", Action: p.actions, Resource: []string{p.destArn}}}}
}

func (p logsPlan) stack() (Stack, error) {
	trust, err := PolicyValue(p.trust())
	if err != nil {
		return Stack{}, err
	}
	pol, err := PolicyValue(p.policy())
	if err != nil {
		return Stack{}, err
	}
	trustJSON, _ := p.trust().JSON()
	polJSON, _ := p.policy().JSON()
	filterProps := map[string]any{"LogGroupName": p.opts.LogGroupName, "FilterName": p.filter, "FilterPattern": p.opts.FilterPattern,
		"DestinationArn": p.destArn, "RoleArn": CFNGetAtt(p.roleID, "Arn")}
	tfFilter := []TFAttr{{"name", p.filter}, {"log_group_name", p.opts.LogGroupName}, {"filter_pattern", p.opts.FilterPattern},
		{"destination_arn", p.destArn}, {"role_arn", TFRef("aws_iam_role.logs_to_stream.arn")}}
	if p.opts.Distribution != "" && !p.firehose {
		filterProps["Distribution"] = p.opts.Distribution
		tfFilter = append(tfFilter, TFAttr{"distribution", p.opts.Distribution})
	}
	return Stack{
		Description: "CloudWatch Logs subscription filter " + p.filter,
		CFN: map[string]iac.Resource{
			p.roleID: {Type: "AWS::IAM::Role", Properties: map[string]any{"AssumeRolePolicyDocument": trust,
				"Policies": []any{map[string]any{"PolicyName": "DeliverLogEvents", "PolicyDocument": pol}}}},
			p.filterID: {Type: "AWS::Logs::SubscriptionFilter", Properties: filterProps},
		},
		TF: []TFBlock{
			{Labels: []string{"aws_iam_role", "logs_to_stream"}, Attrs: []TFAttr{{"assume_role_policy", trustJSON}}},
			{Labels: []string{"aws_iam_role_policy", "logs_to_stream"}, Attrs: []TFAttr{{"role", TFRef("aws_iam_role.logs_to_stream.id")}, {"policy", polJSON}}},
			{Labels: []string{"aws_cloudwatch_log_subscription_filter", "this"}, Attrs: tfFilter},
		},
	}, nil
}

func buildLogsSubscription(e Env, r Request) (Result, error) {
	p, err := planLogs(e, r)
	if err != nil {
		return Result{}, err
	}
	dest := "Kinesis data stream"
	if p.firehose {
		dest = "Firehose stream"
	}
	res := Result{References: []string{logsSubURL, e.Ref(logsFiltersMaxID)}}
	switch r.Type {
	case guide.TypeSetup, guide.TypePermissions:
		res.Steps = []guide.Step{}
		if st, ok := logsCapacity(e, p); ok {
			res.Steps = append(res.Steps, st)
			res.References = append(res.References, e.Ref("kinesis.shard.write_mbps"))
		}
		if p.opts.SenderAccount != "" && p.opts.SenderAccount != p.env.Account {
			res.Steps = append(res.Steps, guide.Step{Title: "Cross-account: deliver through a CloudWatch Logs destination", Detail: fmt.Sprintf("A subscription filter delivers only to a %s in its own account. For log groups in account %s, create a destination (aws logs put-destination, target %s, this role) in account %s, allow account %s in its access policy (put-destination-policy), and create the filter in %s with the destination's ARN.", dest, p.opts.SenderAccount, p.destArn, p.env.Account, p.opts.SenderAccount, p.opts.SenderAccount)})
			res.References = append(res.References, logsCrossAccountURL)
		}
		res.Steps = append(res.Steps, []guide.Step{
			{Title: "Check the log group's filter budget", Detail: fmt.Sprintf("A log group takes at most %d subscription filters; run aws logs describe-subscription-filters --log-group-name %s first. Re-using a filter name updates that filter instead of adding one.", p.maxFilter, iac.ShellQuote(p.opts.LogGroupName))},
			{Title: "Create the role CloudWatch Logs assumes", Detail: fmt.Sprintf("Trust logs.amazonaws.com (conditioned on this account's log groups) and allow %s on the %s only.", strings.Join(p.actions, ", "), dest)},
			{Title: "Create the subscription filter", Detail: "Events arrive base64-encoded and gzip-compressed (one CloudWatch Logs batch per record); consumers must decompress.",
				Decision: distributionDecision(p)},
			{Title: "Avoid a delivery loop", Detail: "Do not subscribe the log groups the delivery path itself writes to (the consumer's Lambda or pipeline logs, Firehose error logs): with account-level subscription policies, exclude them in the selection criteria, or ingestion loops and costs grow."},
		}...)
		pa, err := PolicyArtifact("logs-subscription-role-policy.json", p.policy())
		if err != nil {
			return Result{}, err
		}
		res.Artifacts = append(res.Artifacts, pa)
		if r.Type == guide.TypeSetup {
			st, err := p.stack()
			if err != nil {
				return Result{}, err
			}
			a, err := st.Render(r.Format, "logs-subscription")
			if err != nil {
				return Result{}, err
			}
			res.Artifacts = append(res.Artifacts, a)
		}
		res.Checks = []guide.Check{
			{Name: "Filter attached", How: "aws logs describe-subscription-filters lists the filter with the destination ARN"},
			{Name: "Events arrive", How: "the destination's IncomingRecords rise; AWS/Logs DeliveryErrors and DeliveryThrottling stay 0 for the log group", Tool: toolFor(p.firehose)},
		}
	case guide.TypeNetworking:
		res.Steps = []guide.Step{{Title: "No network path to configure", Detail: "CloudWatch Logs delivers to the " + dest + " through the service's endpoint; there are no subnets or security groups in a subscription."}}
	case guide.TypeTroubleshooting:
		res.Troubleshooting = []guide.Row{
			{Symptom: "PutSubscriptionFilter fails with LimitExceededException", Cause: fmt.Sprintf("the log group already has %d subscription filters", p.maxFilter), Check: "aws logs describe-subscription-filters --log-group-name " + iac.ShellQuote(p.opts.LogGroupName), Fix: "reuse an existing filter's name to replace it, or fan out from one destination", Tool: ""},
			{Symptom: "DeliveryThrottling rises for the log group", Cause: "the " + dest + " rejects the write rate (shard or stream throughput limits)", Check: "AWS/Logs DeliveryThrottling and the destination's throttling metrics", Fix: "add shards (or use on-demand), or raise the Firehose throughput quota", Tool: toolFor(p.firehose)},
			{Symptom: "DeliveryErrors rise or nothing arrives", Cause: "the role cannot be assumed by logs.amazonaws.com or lacks " + strings.Join(p.actions, "/") + " on the destination, or a KMS key policy blocks it", Check: "the role's trust and policy against the artifact; CloudTrail AssumeRole events", Fix: "apply the generated role policy and trust", Tool: ""},
		}
		res.References = append(res.References, logsMetricsURL)
	}
	return res, nil
}

func distributionDecision(p logsPlan) *guide.Decision {
	if p.firehose {
		return nil
	}
	return &guide.Decision{Choice: "Distribution", Options: []string{"ByLogStream", "Random"},
		Recommendation: "Random", Why: "Random spreads events over all shards; ByLogStream keeps one log stream's events on one shard (ordered) but a busy log stream then throttles one shard."}
}

func toolFor(firehose bool) string {
	if firehose {
		return ""
	}
	return "kinesis_inspect"
}

// logsCapacity sizes a Kinesis destination from the log group's ingest
// (each shard takes kinesis.shard.write_mbps and write_records_per_second;
// CloudWatch Logs batches events, so the record count is at most the event
// count).
func logsCapacity(e Env, p logsPlan) (guide.Step, bool) {
	if p.firehose || (p.opts.IngestMBPerSecond == 0 && p.opts.EventsPerSecond == 0) {
		return guide.Step{}, false
	}
	mbps, rps := e.Guidance.Num("kinesis.shard.write_mbps"), e.Guidance.Num("kinesis.shard.write_records_per_second")
	byBytes := p.opts.IngestMBPerSecond / mbps
	byRecords := p.opts.EventsPerSecond / rps
	shards := max(1, ceilInt(max(byBytes, byRecords)))
	return guide.Step{Title: "Size the destination stream", Detail: fmt.Sprintf("%.3g MB/s and up to %.0f records/s need at least %d shards (%g MB/s and %g records/s each; gzip batches usually make it fewer records and bytes), or on-demand mode. Too few shards show as DeliveryThrottling.",
		p.opts.IngestMBPerSecond, p.opts.EventsPerSecond, shards, mbps, rps)}, true
}

func ceilInt(f float64) int {
	n := int(f)
	if float64(n) < f {
		n++
	}
	return n
}
