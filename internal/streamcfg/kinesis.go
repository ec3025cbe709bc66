package streamcfg

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// Kinesis property paths, '|'-separated: the CloudFormation name first, then the aliases.
const (
	kinMode       = "StreamModeDetails.StreamMode|stream_mode|capacity_mode"
	kinShards     = "ShardCount|shard_count"
	kinRetention  = "RetentionPeriodHours|retention_hours"
	kinMaxRecord  = "MaxRecordSizeInKiB|max_record_size_kib"
	kinEncType    = "StreamEncryption.EncryptionType|encryption_type"
	kinEncKey     = "StreamEncryption.KeyId|kms_key_id"
	kinEncryption = "StreamEncryption|encryption_type"
	kinEFO        = "efo_consumers|ConsumerCount"
	kinAdvantage  = "on_demand_advantage"
	kinRecordMax  = "max_record_bytes|largest_record_bytes"
	kinWriteMBps  = "write_mb_per_second|ingress_mb_per_second"
	kinRecordsPS  = "records_per_second"
)

// KinesisStreamRuleIDs lists every rule ValidateKinesisStream can report.
func KinesisStreamRuleIDs() []string {
	return []string{
		"kinesis_stream.stream_mode.allowed", "kinesis_stream.shard_count.on_demand", "kinesis_stream.shard_count.required",
		"kinesis_stream.shard_count.max", "kinesis_stream.shard_count.throughput", "kinesis_stream.retention.range",
		"kinesis_stream.max_record_size.range", "kinesis_stream.record_size.max", "kinesis_stream.efo_consumers.max",
		"kinesis_stream.encryption.none", "kinesis_stream.encryption.type", "kinesis_stream.encryption.key",
		"kinesis_stream.fields.type",
	}
}

// ValidateKinesisStream checks a Kinesis data stream given as
// AWS::Kinesis::Stream properties or aliases (stream_mode/capacity_mode,
// shard_count, retention_hours, max_record_size_kib, encryption_type,
// kms_key_id, efo_consumers, on_demand_advantage, max_record_bytes,
// write_mb_per_second, records_per_second). It never fails: missing or
// intrinsic values skip the rules that need them. A stream without
// StreamModeDetails is treated as PROVISIONED, CloudFormation's default.
func ValidateKinesisStream(props map[string]any, b *guidance.Base) []rules.Violation {
	out := typeErrors(props, []string{kinShards, kinRetention, kinMaxRecord, kinEFO, kinRecordMax, kinWriteMBps, kinRecordsPS},
		[]string{kinAdvantage}, "kinesis_stream.fields.type", "cfn.kinesis_stream.properties", b)
	add := func(id string, sev rules.Severity, field, ref, msg, fix string) {
		out = append(out, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: b.Source(ref)})
	}

	mode := "PROVISIONED"
	modeKnown := true
	if m, mf, ok := fields.Str(props, kinMode); ok {
		m = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(m), "-", "_"))
		if !slices.Contains(b.Strings("kinesis.capacity_modes"), m) {
			modeKnown = false
			add("kinesis_stream.stream_mode.allowed", rules.Error, mf, "kinesis.capacity_modes",
				fmt.Sprintf("stream mode %q is not one of %s", m, strings.Join(b.Strings("kinesis.capacity_modes"), ", ")),
				"set StreamModeDetails.StreamMode to PROVISIONED or ON_DEMAND")
		}
		mode = m
	} else if exists(props, kinMode) {
		modeKnown = false // an intrinsic: we cannot tell
	}

	shards, sf, haveShards := fields.Num(props, kinShards)
	if modeKnown && mode == "ON_DEMAND" && haveShards {
		add("kinesis_stream.shard_count.on_demand", rules.Warning, sf, "kinesis.capacity_modes",
			"ShardCount has no meaning for an ON_DEMAND stream: Kinesis manages the shards",
			"remove ShardCount, or switch StreamModeDetails.StreamMode to PROVISIONED")
	}
	if modeKnown && mode == "PROVISIONED" {
		switch {
		case haveShards && shards < 1:
			add("kinesis_stream.shard_count.required", rules.Error, sf, "kinesis.update_shard_count.max_shards",
				fmt.Sprintf("ShardCount %g: a provisioned stream needs at least 1 shard", shards), "set ShardCount to 1 or more")
		case !haveShards:
			if !exists(props, kinShards) {
				add("kinesis_stream.shard_count.required", rules.Warning, "ShardCount", "kinesis.capacity_modes",
					"a PROVISIONED stream without ShardCount: its capacity is not stated in the template",
					"set ShardCount from the sizing tool (service=kinesis), or use StreamModeDetails.StreamMode ON_DEMAND")
			}
		}
		if haveShards && shards > b.Num("kinesis.update_shard_count.max_shards") {
			add("kinesis_stream.shard_count.max", rules.Error, sf, "kinesis.update_shard_count.max_shards",
				fmt.Sprintf("ShardCount %g exceeds %g shards per stream", shards, b.Num("kinesis.update_shard_count.max_shards")),
				"split the data over several streams")
		}
		if haveShards && shards >= 1 {
			need, why := 0.0, ""
			if w, _, ok := fields.Num(props, kinWriteMBps); ok {
				if n := math.Ceil(w / b.Num("kinesis.shard.write_mbps")); n > need {
					need, why = n, fmt.Sprintf("%g MB/s ÷ %g MB/s per shard", w, b.Num("kinesis.shard.write_mbps"))
				}
			}
			if r, _, ok := fields.Num(props, kinRecordsPS); ok {
				if n := math.Ceil(r / b.Num("kinesis.shard.write_records_per_second")); n > need {
					need, why = n, fmt.Sprintf("%g records/s ÷ %g records/s per shard", r, b.Num("kinesis.shard.write_records_per_second"))
				}
			}
			if need > shards {
				add("kinesis_stream.shard_count.throughput", rules.Error, sf, "kinesis.shard.write_mbps",
					fmt.Sprintf("%g shards cannot take the stated write rate: %s = %g shards", shards, why, need),
					fmt.Sprintf("set ShardCount to at least %g, or use ON_DEMAND", need))
			}
		}
	}

	if h, hf, ok := fields.Num(props, kinRetention); ok {
		lo, hi := b.Num("kinesis.retention.min_hours"), b.Num("kinesis.retention.max_hours")
		if h < lo || h > hi {
			add("kinesis_stream.retention.range", rules.Error, hf, "kinesis.retention.max_hours",
				fmt.Sprintf("RetentionPeriodHours %g is outside %g–%g hours", h, lo, hi),
				fmt.Sprintf("set RetentionPeriodHours between %g and %g", lo, hi))
		}
	}

	maxKiB := b.Num("kinesis.record.max_size_kib.default")
	if k, kf, ok := fields.Num(props, kinMaxRecord); ok {
		lo, hi := b.Num("kinesis.record.max_size_kib.min"), b.Num("kinesis.record.max_size_kib.max")
		if k < lo || k > hi {
			add("kinesis_stream.max_record_size.range", rules.Error, kf, "kinesis.record.max_size_kib.max",
				fmt.Sprintf("MaxRecordSizeInKiB %g is outside %g–%g KiB", k, lo, hi),
				fmt.Sprintf("set MaxRecordSizeInKiB between %g and %g", lo, hi))
		} else {
			maxKiB = k
		}
	}
	if rb, rf, ok := fields.Num(props, kinRecordMax); ok && rb > maxKiB*bytesPerKiB {
		fix := fmt.Sprintf("set MaxRecordSizeInKiB to at least %g (up to %g), or split records", math.Ceil(rb/bytesPerKiB), b.Num("kinesis.record.max_size_kib.max"))
		if rb > b.Num("kinesis.record.max_size_kib.max")*bytesPerKiB {
			fix = fmt.Sprintf("records above %g KiB cannot be written to Kinesis: store the payload in S3 and send a pointer", b.Num("kinesis.record.max_size_kib.max"))
		}
		add("kinesis_stream.record_size.max", rules.Error, rf, "kinesis.record.max_size_kib.max",
			fmt.Sprintf("records of %g bytes exceed the stream's maximum record size of %g KiB; PutRecord rejects them", rb, maxKiB), fix)
	}

	if n, nf, ok := fields.Num(props, kinEFO); ok {
		limitID := "kinesis.efo.consumers.max"
		if adv, _, okA := fields.Bool(props, kinAdvantage); okA && adv {
			limitID = "kinesis.efo.consumers.max_advantage"
		}
		if n > b.Num(limitID) {
			fix := fmt.Sprintf("use at most %g enhanced fan-out consumers; share a consumer or fan out downstream", b.Num(limitID))
			if limitID == "kinesis.efo.consumers.max" {
				fix += fmt.Sprintf(", or enable On-demand Advantage (limit %g)", b.Num("kinesis.efo.consumers.max_advantage"))
			}
			add("kinesis_stream.efo_consumers.max", rules.Error, nf, limitID,
				fmt.Sprintf("%g enhanced fan-out consumers exceed the per-stream limit of %g", n, b.Num(limitID)), fix)
		}
	}

	encType, ef, haveEnc := fields.Str(props, kinEncType)
	encPresent := exists(props, kinEncryption)
	switch {
	case !encPresent:
		add("kinesis_stream.encryption.none", rules.Warning, "StreamEncryption", "kinesis.encryption_types",
			"no server-side encryption: records are stored unencrypted at rest",
			"set StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis} (or a customer managed key)")
	case haveEnc && !slices.Contains(b.Strings("kinesis.encryption_types"), strings.ToUpper(encType)):
		add("kinesis_stream.encryption.type", rules.Error, ef, "kinesis.encryption_types",
			fmt.Sprintf("EncryptionType %q is not one of %s", encType, strings.Join(b.Strings("kinesis.encryption_types"), ", ")),
			"set EncryptionType to KMS")
	case haveEnc && strings.EqualFold(encType, "NONE"):
		add("kinesis_stream.encryption.none", rules.Warning, ef, "kinesis.encryption_types",
			"EncryptionType NONE: records are stored unencrypted at rest", "set EncryptionType to KMS with a KeyId")
	case haveEnc && strings.EqualFold(encType, "KMS"):
		if !exists(props, kinEncKey) {
			add("kinesis_stream.encryption.key", rules.Error, "StreamEncryption.KeyId", "kinesis.encryption_types",
				"EncryptionType KMS needs a KeyId", "set StreamEncryption.KeyId to alias/aws/kinesis or a customer managed key ARN")
		}
	}
	rules.Sort(out)
	return out
}
