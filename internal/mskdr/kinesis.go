package mskdr

import (
	"fmt"
	"regexp"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

var reStreamName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// Standby modes for Kinesis cross-Region.
const (
	StandbyWarm = "warm"
	StandbyCold = "cold"
)

// KinesisCrossRegion answers kinesis_cross_region.
func KinesisCrossRegion(b *guidance.Base, r Request) (guide.Result, error) {
	typ, err := checkType(r.Type)
	if err != nil {
		return guide.Result{}, err
	}
	if r.SourceArn != "" {
		if err := iac.ValidateSourceARN(iac.SourceKinesis, r.SourceArn); err != nil {
			return guide.Result{}, err
		}
	}
	if r.StreamName != "" && !reStreamName.MatchString(r.StreamName) {
		return guide.Result{}, fmt.Errorf("%w: stream name %q must be 1-128 letters, digits, '_', '.' or '-'", iac.ErrInvalid, r.StreamName)
	}
	if r.SecondaryRegion != "" {
		if err := iac.ValidateRegion(r.SecondaryRegion); err != nil {
			return guide.Result{}, err
		}
	}
	standby := r.Standby
	switch standby {
	case "":
		standby = StandbyWarm
	case StandbyWarm, StandbyCold:
	default:
		return guide.Result{}, fmt.Errorf("%w: standby %q is not warm or cold", iac.ErrInvalid, r.Standby)
	}
	ha := b.Source("msk_dr.kinesis.region_availability_percent")
	res := guide.Result{References: []string{ha, b.Source("msk_dr.kinesis.standby_reserved_concurrency")}}
	why := map[string]string{
		StandbyWarm: "warm standby runs the stream, consumers and destinations in both Regions all the time: no RTO downtime, highest cost, RPO = replication lag",
		StandbyCold: "cold standby keeps the secondary stream replicated but starts consumers and destinations only on failover (e.g. a CloudFormation stack launched on detection): cheaper, similar RPO, longer RTO",
	}[standby]
	res.Steps = append(res.Steps,
		guide.Step{Title: "No native cross-Region replication",
			Detail: fmt.Sprintf("Kinesis Data Streams offers %g%% availability in one Region; above that you build cross-Region replication yourself. Replication is asynchronous: a consumer of the primary stream writes to a stream in the secondary Region. KDS itself has no cross-Region read or write path for producers and consumers, so run producers and consumers per Region.", b.Num("msk_dr.kinesis.region_availability_percent"))},
		guide.Step{Title: "Standby mode", Detail: why,
			Decision: &guide.Decision{Choice: "standby", Options: []string{StandbyWarm, StandbyCold, "rebuild_on_outage"}, Recommendation: standby,
				Why: why + "; creating everything only after an outage is cheapest with the highest RPO and RTO"}},
		guide.Step{Title: "Replicator",
			Detail: "A Lambda function on an enhanced fan-out (EFO) consumer of the primary stream, so replication does not take shared read throughput from production consumers, writes records to the secondary stream (PutRecords; retry only the failed records, or the whole batch is retried and duplicates appear). Report partial batch failures so Lambda resumes at the first failed record. Watch IteratorAge: a rising value is a rising RPO."},
		guide.Step{Title: "Checkpoints and the active Region in DynamoDB global tables",
			Detail: fmt.Sprintf("Keep the active Region per stream and the last replicated timestamp per stream in DynamoDB global tables (replicated to both Regions): the active-Region flag stops replication looping back; standby functions keep reserved concurrency %d until failover. Use the same attribute names everywhere.", b.Int("msk_dr.kinesis.standby_reserved_concurrency"))},
		guide.Step{Title: "Failover runbook",
			Detail: fmt.Sprintf("1) Decide (a person triggers a scripted failover; the reference design fails over when the error rate stays at or above %g%% for %d minutes).", b.Num("msk_dr.kinesis.failover_error_rate_percent"), b.Int("msk_dr.kinesis.failover_window_minutes")) + " 2) Set the active Region in the global table and flip reserved concurrency: primary replicator to the standby value, secondary consumers on. 3) Producers write to the secondary stream. 4) Start secondary consumers from a position rewound by the maximum iterator age plus a buffer (AT_TIMESTAMP), or from their stored checkpoint (KCL consumers keep their own lease table per Region and start AT_TIMESTAMP; a Lambda mapping is created with StartingPosition AT_TIMESTAMP); expect overlap, so sinks must be idempotent. Records written to the primary but not yet replicated are unavailable, not lost: replay them from the producer or the source after recovery."},
		guide.Step{Title: "Failback runbook",
			Detail: "Manual, off-hours: 1) switch producers back to the primary; 2) wait until the secondary consumers' iterator age reaches 0; 3) disable the secondary consumers; 4) restart replication from the primary (ESM at LATEST) and re-enable primary consumers; 5) check records in/out, lag and errors."},
	)
	if typ == guide.TypeSetup {
		a, err := kinesisTemplate()
		if err != nil {
			return guide.Result{}, err
		}
		res.Artifacts = append(res.Artifacts, a)
	}
	res.Checks = []guide.Check{
		{Name: "replication keeps up", How: "the replicator mapping's IteratorAge stays low and flat", Tool: "kinesis_inspect"},
		{Name: "secondary stream receives records", How: "IncomingRecords in the secondary Region tracks the primary", Tool: "kinesis_inspect"},
		{Name: "standby functions are parked", How: "reserved concurrency 0 on the standby side", Tool: "esm_inspect"},
	}
	if typ == guide.TypeTroubleshooting {
		res.Troubleshooting = []guide.Row{
			{Symptom: "IteratorAge of the replicator keeps growing", Cause: "the replicator shares throughput or processes too slowly", Check: "consumer type (shared vs EFO), duration, ParallelizationFactor", Fix: "use an EFO consumer and raise ParallelizationFactor", Tool: "esm_inspect"},
			{Symptom: "duplicates after failover", Cause: "rewind by max iterator age plus buffer, lagging global-table checkpoint, whole-batch retries", Check: "sink for repeated keys", Fix: "idempotent sinks; retry only failed records", Tool: ""},
			{Symptom: "records replicate back and forth", Cause: "no active-Region guard", Check: "the active-Region item and standby reserved concurrency", Fix: "check the active-Region flag before writing; reserved concurrency 0 on the standby replicator", Tool: "esm_inspect"},
		}
	}
	return finish(res), nil
}

func kinesisTemplate() (iac.Artifact, error) {
	ref := func(s string) map[string]any { return map[string]any{"Ref": s} }
	t := iac.Template{AWSTemplateFormatVersion: "2010-09-09", Description: "Kinesis cross-Region replication: EFO consumer, replicator mapping and DynamoDB global tables (deploy in the primary Region)",
		Parameters: map[string]iac.Parameter{
			"PrimaryStreamArn":     {Type: "String", Description: "ARN of the primary stream"},
			"ReplicatorFunction":   {Type: "String", Description: "name of the function that writes to the secondary stream"},
			"SecondaryRegion":      {Type: "String", Description: "standby Region code"},
			"ReplicationBatchSize": {Type: "Number", Description: "records per invocation (esm_optimize sizes it)"},
		},
		Resources: map[string]iac.Resource{
			"ReplicationConsumer": {Type: "AWS::Kinesis::StreamConsumer", Properties: map[string]any{"ConsumerName": "cross-region-replicator", "StreamARN": ref("PrimaryStreamArn")}},
			"ReplicationMapping": {Type: "AWS::Lambda::EventSourceMapping", Properties: map[string]any{
				"EventSourceArn": map[string]any{"Fn::GetAtt": []string{"ReplicationConsumer", "ConsumerARN"}}, "FunctionName": ref("ReplicatorFunction"),
				"StartingPosition": "TRIM_HORIZON", "BatchSize": ref("ReplicationBatchSize"), "FunctionResponseTypes": []any{"ReportBatchItemFailures"}}},
			"ActiveRegionTable": {Type: "AWS::DynamoDB::GlobalTable", Properties: map[string]any{
				"BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": []any{map[string]any{"AttributeName": "streamName", "AttributeType": "S"}},
				"KeySchema": []any{map[string]any{"AttributeName": "streamName", "KeyType": "HASH"}},
				"Replicas":  []any{map[string]any{"Region": ref("AWS::Region")}, map[string]any{"Region": ref("SecondaryRegion")}}}},
			"CheckpointTable": {Type: "AWS::DynamoDB::GlobalTable", Properties: map[string]any{
				"BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": []any{map[string]any{"AttributeName": "streamName", "AttributeType": "S"}},
				"KeySchema": []any{map[string]any{"AttributeName": "streamName", "KeyType": "HASH"}},
				"Replicas":  []any{map[string]any{"Region": ref("AWS::Region")}, map[string]any{"Region": ref("SecondaryRegion")}}}},
		}}
	body, err := t.Marshal()
	if err != nil {
		return iac.Artifact{}, err
	}
	return iac.Artifact{Kind: iac.KindIaC, Format: string(iac.FormatCloudFormation), Name: "kinesis-cross-region.yaml", Content: body,
		Notes: []string{"the replicator function needs kinesis:PutRecords on the secondary stream and read/write on both tables", "deploy the mirror-image mapping in the secondary Region with reserved concurrency 0 on its function"}}, nil
}
