// Package redshiftstream knows Amazon Redshift streaming ingestion from
// Kinesis Data Streams and Amazon MSK: capacity (RPU for Serverless, slices
// for provisioned clusters, per partition or shard), the external schema and
// streaming materialized view rules (validated from fields or from the SQL
// text), and the CloudFormation resources around it. Every number comes from
// guidance/limits/redshift_streaming.yaml.
package redshiftstream

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/sizing"
)

// Guidance ids.
const (
	idTopicMax       = "redshift_streaming.topic_name.max_chars"
	idRPUPerGroup    = "redshift_streaming.serverless.rpu_per_partition_group"
	idPartitionGroup = "redshift_streaming.serverless.partition_group"
	idSlicesPerPart  = "redshift_streaming.provisioned.slices_per_partition"
	idMVsPerStream   = "redshift_streaming.mvs_per_stream.recommended"
	idJSONExtractKB  = "redshift_streaming.json_extract_path_text.max_kb"
	idVarbyteMax     = "redshift.varbyte.max_bytes"
	idVarbyteDefault = "redshift.varbyte.default_bytes"
	idVarcharMax     = "redshift.varchar.max_bytes"
	idRPUMin         = "redshift.serverless.base_rpu.min_streaming"
	idRPUStep        = "redshift.serverless.base_rpu.step"
	idRPUMax         = "redshift.serverless.base_rpu.max"
	idRPUMaxExt      = "redshift.serverless.base_rpu.max_extended"
	idRPUStepExt     = "redshift.serverless.base_rpu.step_extended"
	idRPURegionsExt  = "redshift.serverless.base_rpu.extended_regions"
)

// Documentation pages the rules cite besides the limits' own sources.
const (
	DocStreaming     = "https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-streaming-ingestion.html"
	DocGettingMSK    = "https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-streaming-ingestion-getting-started-MSK.html"
	DocGettingKDS    = "https://docs.aws.amazon.com/redshift/latest/dg/materialized-view-streaming-ingestion-getting-started.html"
	DocScanErrors    = "https://docs.aws.amazon.com/redshift/latest/dg/r_SYS_STREAM_SCAN_ERRORS.html"
	DocScanStates    = "https://docs.aws.amazon.com/redshift/latest/dg/r_SYS_STREAM_SCAN_STATES.html"
	DocQueryHistory  = "https://docs.aws.amazon.com/redshift/latest/dg/SYS_QUERY_HISTORY.html"
	DocRefreshHist   = "https://docs.aws.amazon.com/redshift/latest/dg/SYS_MV_REFRESH_HISTORY.html"
	DocCaseSensitive = "https://docs.aws.amazon.com/redshift/latest/dg/r_enable_case_sensitive_identifier.html"
	DocParamGroups   = "https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-parameter-groups.html"
	DocRoleChaining  = "https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-redshift-service.html#authorizing-redshift-service-chaining-roles"
	DocDataSharing   = "https://docs.aws.amazon.com/redshift/latest/dg/datashare-overview.html"
	// BlogBestPractices is the AWS Big Data post behind the sizing rule and
	// several MV rules (also the source of their guidance entries).
	BlogBestPractices = "https://aws.amazon.com/blogs/big-data/best-practices-to-implement-near-real-time-analytics-using-amazon-redshift-streaming-ingestion-with-amazon-msk/"
	// BlogCDC shows the parameter-group requirement and the SG rule on the
	// IAM port.
	BlogCDC = "https://aws.amazon.com/blogs/big-data/break-data-silos-and-stream-your-cdc-data-with-amazon-redshift-streaming-and-amazon-msk/"
	// BlogEchoStar scales out with several Serverless workgroups and data
	// sharing.
	BlogEchoStar = "https://aws.amazon.com/blogs/big-data/how-echostar-ingests-terabytes-of-data-daily-across-its-5g-open-ran-network-in-near-real-time-using-amazon-redshift-serverless-streaming-ingestion/"
)

// Size sizes the warehouse that reads the streams: Serverless base RPU (8
// RPU per 4 partitions or shards) or provisioned slices (one per partition),
// with the binding constraint and per-topic warnings.
func Size(in integ.SizeInput, b *guidance.Base) (sizing.Result, error) {
	if err := in.Check(); err != nil {
		return sizing.Result{}, err
	}
	p := in.TotalPartitions()
	if p == 0 {
		return sizing.Result{}, integ.Inputf("redshift_streaming needs the partitions (Kafka) or shards (Kinesis) read: send topics [{name, partitions}], partitions or shards")
	}
	c := integ.NewCalc(b, "redshift_streaming")
	c.Ref(DocStreaming)
	for _, t := range in.Topics {
		topicWarnings(c, b, t.Name)
	}
	target := in.Target
	if target == "" {
		target = integ.TargetServerless
	}
	if target == integ.TargetProvisioned {
		per := c.N(idSlicesPerPart)
		slices := c.Step("slices needed", "partitions x slices_per_partition", float64(p)*per, "slices", "partitions", p, "slices_per_partition", per)
		c.Alt("Redshift Serverless", true, fmt.Sprintf("%d RPU base capacity by the Serverless rule; no node type to choose", BaseRPU(b, p)))
		return c.Done(sizing.Recommendation{Summary: fmt.Sprintf("a provisioned cluster with at least %d slices (node count x slices per node of the node type) for %d partitions", integ.Ceil(slices), p)},
			"partitions: each slice reads the partitions or shards allocated to it on refresh"), nil
	}
	if len(in.Topics) == 0 && in.Partitions == 0 && in.Shards > 0 {
		c.Warn("the RPU rule was published for MSK partitions; for Kinesis shards it is extrapolated (Redshift allocates shards to slices the same way): confirm with SYS_STREAM_SCAN_STATES lag")
	}
	group, per := c.N(idPartitionGroup), c.N(idRPUPerGroup)
	groups := c.Step("partition groups", "ceil(partitions / partition_group)", float64(integ.Ceil(float64(p)/group)), "groups", "partitions", p, "partition_group", group)
	rpu := c.Step("base RPU for streaming", "groups x rpu_per_group", groups*per, "RPU", "groups", groups, "rpu_per_group", per)
	min, step := c.N(idRPUMin), c.N(idRPUStep)
	base := c.Step("base capacity setting", "max(min, ceil(rpu / step) x step)", max(min, float64(integ.Ceil(rpu/step))*step), "RPU", "rpu", rpu, "min", min, "step", step)
	maxStd, maxExt, stepExt := c.N(idRPUMax), c.N(idRPUMaxExt), c.N(idRPUStepExt)
	binding := fmt.Sprintf("partitions: %g RPU of base capacity per %g partitions or shards", per, group)
	summary := fmt.Sprintf("Redshift Serverless workgroup with base capacity %d RPU for %d partitions", int(base), p)
	switch {
	case base > maxExt:
		wg := c.Step("workgroups", "ceil(base / max_extended)", float64(integ.Ceil(base/maxExt)), "workgroups", "base", base, "max_extended", maxExt)
		summary = fmt.Sprintf("%d RPU exceeds one workgroup (max %d): split the topics over %d or more workgroups and share the streaming MVs with data sharing", int(base), int(maxExt), int(wg))
		binding = "base capacity: the streaming rule needs more than one workgroup offers"
		c.Ref(BlogEchoStar)
		c.Ref(DocDataSharing)
	case base > maxStd:
		ext := float64(integ.Ceil((base-maxStd)/stepExt))*stepExt + maxStd
		base = c.Step("base capacity setting (extended)", "max + ceil((base - max) / step_extended) x step_extended", ext, "RPU", "base", base, "max", maxStd, "step_extended", stepExt)
		summary = fmt.Sprintf("Redshift Serverless workgroup with base capacity %d RPU (only in %s; elsewhere split over %d workgroups of %d RPU with data sharing)",
			int(base), strings.Join(b.Strings(idRPURegionsExt), ", "), integ.Ceil(base/maxStd), int(maxStd))
		c.Warn("%d RPU is above the %d RPU base capacity most Regions allow", int(base), int(maxStd))
		c.Ref(BlogEchoStar)
	}
	c.Alt("provisioned cluster", true, fmt.Sprintf("at least %d slices (one per partition)", p*b.Int(idSlicesPerPart)))
	c.Alt("one workgroup per group of topics", true, "isolate streaming refreshes from analytics and share the MVs with data sharing (one streaming MV per topic in one warehouse)")
	if lt := in.LargestTopic(); lt.Partitions > 0 && len(in.Topics) > 1 {
		c.Step("largest topic", "max(partitions)", float64(lt.Partitions), "partitions", "partitions", lt.Partitions)
	}
	return c.Done(sizing.Recommendation{Summary: summary}, binding), nil
}

// BaseRPU is the Serverless base capacity the streaming rule gives for p
// partitions or shards.
func BaseRPU(b *guidance.Base, p int) int {
	groups := integ.Ceil(float64(p) / b.Num(idPartitionGroup))
	return max(b.Int(idRPUMin), groups*b.Int(idRPUPerGroup))
}

func topicWarnings(c *integ.Calc, b *guidance.Base, name string) {
	if n := len(name); n > b.Int(idTopicMax) {
		c.Warn("topic %q has %d characters; Redshift streaming ingestion supports topic names up to %d", name, n, b.Int(idTopicMax))
		c.Ref(b.Source(idTopicMax))
	}
	if MixedCase(name) {
		c.Warn("topic %q has upper-case letters: set enable_case_sensitive_identifier to true (session, user or a custom parameter group) before creating the schema and view", name)
		c.Ref(DocCaseSensitive)
	}
}

// MixedCase reports whether an identifier has upper-case letters, which
// Redshift folds to lower case unless enable_case_sensitive_identifier is on.
func MixedCase(s string) bool {
	return slices.ContainsFunc([]rune(s), unicode.IsUpper)
}
