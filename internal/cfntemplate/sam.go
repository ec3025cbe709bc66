package cfntemplate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/esm"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// samEvent describes how a SAM function event type maps onto
// AWS::Lambda::EventSourceMapping: its source type and the properties whose
// names differ (SAM name -> Lambda API field path). Every other property
// passes through under its own name.
type samEvent struct {
	source esm.SourceType
	rename map[string]string
}

func samEvents(apiBootstrapKey string) map[string]samEvent {
	return map[string]samEvent{
		"Kinesis":  {esm.Kinesis, map[string]string{"Stream": "EventSourceArn"}},
		"DynamoDB": {esm.DynamoDB, map[string]string{"Stream": "EventSourceArn"}},
		"SQS":      {esm.SQS, map[string]string{"Queue": "EventSourceArn"}},
		"MSK": {esm.MSK, map[string]string{
			"Stream":               "EventSourceArn",
			"ConsumerGroupId":      "AmazonManagedKafkaEventSourceConfig.ConsumerGroupId",
			"SchemaRegistryConfig": "AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig",
		}},
		"SelfManagedKafka": {esm.SelfManagedKafka, map[string]string{
			"KafkaBootstrapServers": "SelfManagedEventSource.Endpoints." + apiBootstrapKey,
			"ConsumerGroupId":       "SelfManagedKafkaEventSourceConfig.ConsumerGroupId",
			"SchemaRegistryConfig":  "SelfManagedKafkaEventSourceConfig.SchemaRegistryConfig",
		}},
		"MQ": {esm.MQ, map[string]string{"Broker": "EventSourceArn"}},
		"DocumentDB": {esm.DocumentDB, map[string]string{
			"Cluster":        "EventSourceArn",
			"DatabaseName":   "DocumentDBEventSourceConfig.DatabaseName",
			"CollectionName": "DocumentDBEventSourceConfig.CollectionName",
			"FullDocument":   "DocumentDBEventSourceConfig.FullDocument",
		}},
	}
}

func (v *validator) samFunction(id string, props map[string]any) {
	events, _ := props["Events"].(map[string]any)
	specs := samEvents(v.bootstrapKey())
	fn, _ := v.res[id].(map[string]any)
	for _, name := range sortedKeys(events) {
		ev, _ := events[name].(map[string]any)
		typ, _ := ev["Type"].(string)
		spec, ok := specs[typ]
		if !ok {
			continue
		}
		evProps, _ := ev["Properties"].(map[string]any)
		path := fmt.Sprintf("Resources.%s.Properties.Events.%s.Properties", id, name)
		cfg, back := v.samConfig(path, evProps, spec)
		v.samMapping(path, "SAM "+typ, cfg, fn, back, spec.source)
	}
}

// samConfig translates SAM event properties to an esm.Config and returns
// the reverse renames (API path -> SAM property) for violation paths.
func (v *validator) samConfig(path string, props map[string]any, spec samEvent) (esm.Config, map[string]string) {
	const unknownID, samOnlyID = "cfn.sam_event.unknown_property", "cfn.sam_event.sam_only_properties"
	v.checked[unknownID] = true
	known := v.b.Strings("esm.fields.known")
	samOnly := v.b.Strings(samOnlyID)
	cfg := esm.Config{}
	back := map[string]string{}
	for _, k := range sortedKeys(props) {
		val := toESMValue(props[k])
		if apiPath, ok := spec.rename[k]; ok {
			setPath(cfg, apiPath, val)
			back[apiPath] = k
			continue
		}
		switch {
		case slices.Contains(samOnly, k):
		case k == "KmsKeyArn" || (slices.Contains(known, k) && k != "EventSourceArn" && k != "FunctionName"):
			cfg[k] = val
		default:
			v.report(rules.Warning, unknownID, path+"."+k, fmt.Sprintf("%s is not a property of this SAM event type; the SAM transform fails", k),
				"remove "+k+" or correct its spelling")
		}
	}
	return cfg, back
}

func setPath(cfg esm.Config, path string, val any) {
	parts := strings.Split(path, ".")
	m := map[string]any(cfg)
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = val
}
