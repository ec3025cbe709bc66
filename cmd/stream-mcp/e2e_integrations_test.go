package main

import (
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// integrationE2ECases exercise the integrations around the streams through
// the binary: stream_guidance per topic, and the integrations' sizing
// services and validate_config kinds.
func integrationE2ECases() []e2eCase {
	return []e2eCase{
		{name: "stream_guidance logs subscription to Kinesis", tool: "stream_guidance",
			args: map[string]any{"topic": "logs_subscription", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/logs",
				"options": map[string]any{"log_group_name": "/aws/lambda/orders"}, "iac_format": "cloudformation"},
			check: func(t *testing.T, raw json.RawMessage) {
				tpl := artifactYAML(t, raw, "logs-subscription.cloudformation.yaml")
				res, _ := tpl["Resources"].(map[string]any)
				f, _ := res["FilterToStream"].(map[string]any)
				if f["Type"] != "AWS::Logs::SubscriptionFilter" {
					t.Errorf("no subscription filter resource: %v", res)
				}
			}},
		{name: "stream_guidance unknown option", tool: "stream_guidance", wantError: true, errorContains: "log_group_name",
			args: map[string]any{"topic": "logs_subscription", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/logs",
				"options": map[string]any{"group": "x"}}},
	}
}

// artifactYAML finds the artifact named name in a guidance result and
// parses it as YAML.
func artifactYAML(t *testing.T, raw json.RawMessage, name string) map[string]any {
	t.Helper()
	var out struct {
		Artifacts []struct {
			Name, Content string
		}
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, a := range out.Artifacts {
		if a.Name == name {
			var m map[string]any
			if err := yaml.Unmarshal([]byte(a.Content), &m); err != nil {
				t.Fatalf("%s does not parse: %v", name, err)
			}
			return m
		}
		names = append(names, a.Name)
	}
	t.Fatalf("no artifact %s among %s", name, strings.Join(names, ", "))
	return nil
}
