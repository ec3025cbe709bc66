package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// demoTemplate is a SAM template with the mistakes people make: a FIFO batch
// over the cap, a function timeout longer than the queue's visibility
// timeout, and a Kinesis mapping with a ParallelizationFactor out of range.
const demoTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      QueueName: orders.fifo
      VisibilityTimeout: 30
  OrdersFn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 60
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt OrdersQueue.Arn
            BatchSize: 50
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 4
      RetentionPeriodHours: 12
  ClicksMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref OrdersFn
      EventSourceArn: !GetAtt Clicks.Arn
      StartingPosition: LATEST
      ParallelizationFactor: 20
`

// guidanceDemoSteps check a template before deploying it, and ask how the
// demo's broken MSK mapping should be networked, tailored from live state.
func guidanceDemoSteps(env demoEnv) []demoStep {
	steps := []demoStep{
		{Title: "Will this SAM template deploy a working pipeline?", Tool: "validate_config",
			Args: map[string]any{"kind": "template", "template": demoTemplate},
			Show: showViolations},
	}
	if env.EndpointURL != "" {
		steps = append(steps, demoStep{
			Title: "How must my MSK trigger's network be set up? (tailored to the live mapping)", Tool: "esm_guidance",
			Args: map[string]any{"event_source": "msk", "guidance_type": "networking", "esm_uuid": kafkaDemoESM, "iac_format": "cloudformation"},
			Show: showGuidance,
		})
	}
	return steps
}

func showViolations(raw json.RawMessage) string {
	var out struct {
		Valid      bool `json:"valid"`
		Violations []struct {
			Severity, Field, Message, Fix string
		} `json:"violations"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "valid: %v, %d findings\n", out.Valid, len(out.Violations))
	for _, v := range out.Violations {
		if v.Severity == "info" {
			continue
		}
		fmt.Fprintf(&b, "[%s] %s: %s\n    fix: %s\n", v.Severity, v.Field, v.Message, v.Fix)
	}
	return b.String()
}

func showGuidance(raw json.RawMessage) string {
	var out struct {
		Steps []struct {
			Title string `json:"title"`
		} `json:"steps"`
		Artifacts []struct {
			Kind, Format, Name string
		} `json:"artifacts"`
		Departures []string `json:"departures"`
		Checks     []struct {
			Check string `json:"check"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return err.Error()
	}
	var b strings.Builder
	for i, s := range out.Steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s.Title)
	}
	for _, a := range out.Artifacts {
		fmt.Fprintf(&b, "artifact: %s (%s, %s)\n", a.Name, a.Kind, a.Format)
	}
	for _, d := range out.Departures {
		fmt.Fprintf(&b, "live departs from guidance: %s\n", d)
	}
	return b.String()
}
