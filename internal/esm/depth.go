package esm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// checkRegion reports a function ARN or on-failure destination in another
// Region than the event source: a mapping reads a source in its own Region.
func (c *checker) checkRegion() {
	const id = "esm.region.same_as_source"
	src, ok := c.strField("EventSourceArn")
	if !ok {
		return
	}
	sa, err := arn.Parse(strings.TrimSpace(src))
	if err != nil || sa.Region == "" {
		return
	}
	c.mark(id)
	if fn, ok := c.strField("FunctionName"); ok {
		if fa, err := arn.Parse(strings.TrimSpace(fn)); err == nil && fa.Region != "" && fa.Region != sa.Region {
			c.report(rules.Error, id, "FunctionName", fmt.Sprintf("the function is in %s but the event source is in %s: a mapping cannot read a source in another Region", fa.Region, sa.Region),
				fmt.Sprintf("create the mapping and function in %s, or replicate the data into %s", sa.Region, fa.Region))
		}
	}
}

// checkFilterContent judges filter patterns against what the source can
// filter on: the payload key each source exposes, that a payload filter
// needs JSON payloads, and what happens to the records a filter rejects.
func (c *checker) checkFilterContent() {
	l, ok := c.list("FilterCriteria.Filters")
	if !ok || len(l) == 0 {
		return
	}
	var keysID string
	switch {
	case c.src == Kinesis:
		keysID = "esm.filter.keys.kinesis"
	case c.src.IsKafka():
		keysID = "esm.filter.keys.kafka"
	}
	payloadFilter := false
	for i, v := range l {
		m, _ := toMap(v)
		p, ok := m["Pattern"].(string)
		if !ok {
			continue
		}
		var pat map[string]any
		if json.Unmarshal([]byte(p), &pat) != nil {
			continue
		}
		for k := range pat {
			if k == "data" || k == "value" || k == "body" {
				payloadFilter = true
			}
		}
		if keysID == "" {
			continue
		}
		c.mark(keysID)
		allowed := c.b.Strings(keysID)
		for k := range pat {
			if !slices.Contains(allowed, k) {
				c.report(rules.Warning, keysID, fmt.Sprintf("FilterCriteria.Filters[%d].Pattern", i), fmt.Sprintf("the pattern filters on %q, but %s mappings filter only on %s: the pattern matches nothing and every record is dropped", k, c.src, strings.Join(allowed, ", ")),
					fmt.Sprintf("put the condition under %q (the decoded JSON payload)", allowed[0]))
			}
		}
	}
	if payloadFilter && c.src != DynamoDB {
		const id = "esm.filter.non_json"
		c.report(rules.Info, id, "FilterCriteria", "a payload filter matches only records whose payload is valid JSON; plain-string, Avro or Protobuf payloads are filtered out",
			"make sure producers write JSON, filter on metadata instead, or (Kafka) add a schema registry with EventRecordFormat JSON")
	}
	const disID = "esm.filter.discarded"
	what := "Kinesis/DynamoDB: the mapping checkpoints past them"
	switch {
	case c.src.IsKafka():
		what = "Kafka: their offsets are committed"
	case c.src == SQS || c.src == SQSFIFO:
		what = "SQS: the messages are deleted from the queue"
	case c.src == MQ || c.src == DocumentDB:
		return
	}
	c.report(rules.Info, disID, "FilterCriteria", "records the filter rejects are gone for this mapping, not retried or sent to a destination ("+what+")",
		"if another consumer needs them, give it its own mapping or consumer; test patterns before deploying")
}
