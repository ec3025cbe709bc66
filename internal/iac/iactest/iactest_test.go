package iactest

import (
	"strings"
	"testing"
)

// The checkers must catch what they claim to catch; a checker that accepts
// everything would make every generated-template test vacuous.
func TestCheckersCatchDefects(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"unknown argument": `resource "aws_lambda_event_source_mapping" "x" {
  function_name = "f"
  batchsize     = 3
}`,
		"unknown block": `resource "aws_lambda_event_source_mapping" "x" {
  function_name = "f"
  logging_config {
    system_log_level = "INFO"
  }
}`,
		"missing required":  `resource "aws_kinesis_stream" "x" { shard_count = 1 }`,
		"unknown resource":  `resource "aws_lambda_everything" "x" {}`,
		"raw interpolation": `resource "aws_iam_role" "x" { assume_role_policy = "${oops" }`,
	}
	for name, src := range bad {
		if _, errs := TerraformErrors(src); len(errs) == 0 {
			t.Errorf("terraform %s: no finding", name)
		}
	}
	good := `resource "aws_kinesis_stream" "x" {
  name = "s"
  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}`
	if _, errs := TerraformErrors(good); len(errs) != 0 {
		t.Errorf("good terraform: %v", errs)
	}

	policies := map[string]string{
		"allow star":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":["*"]}]}`,
		"bad version":     `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}`,
		"unknown field":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"],"Extra":1}]}`,
		"bad resource":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["bucket"]}]}`,
		"principal in id": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["1"]},"Action":["s3:GetObject"],"Resource":["*"]}]}`,
		"string action":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["*"]}]}`,
	}
	for name, p := range policies {
		if errs := PolicyErrors(p, false); len(errs) == 0 {
			t.Errorf("policy %s: no finding", name)
		}
	}
	if errs := PolicyErrors(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["sqs:ReceiveMessage"],"Resource":["arn:aws:sqs:us-east-1:123456789012:q"]}]}`, false); len(errs) != 0 {
		t.Errorf("good policy: %v", errs)
	}
}

func TestSpecCatchesDefects(t *testing.T) {
	t.Parallel()
	s := LoadSpec(t)
	cases := map[string]map[string]any{
		"misspelt":         {"FunctionName": "f", "BatchSiz": 3},
		"wrong type":       {"FunctionName": "f", "BatchSize": "3"},
		"missing required": {"BatchSize": 3},
		"nested unknown":   {"FunctionName": "f", "ScalingConfig": map[string]any{"MaxConcurrency": 2}},
		"API key name":     {"FunctionName": "f", "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/x"},
	}
	for name, props := range cases {
		if errs := s.CheckResource("AWS::Lambda::EventSourceMapping", props); len(errs) == 0 {
			t.Errorf("%s: no finding", name)
		}
	}
	if errs := s.CheckResource("AWS::Lambda::EventSourceMapping", map[string]any{"FunctionName": map[string]any{"Ref": "Fn"}, "BatchSize": 10,
		"SelfManagedEventSource": map[string]any{"Endpoints": map[string]any{"KafkaBootstrapServers": []any{"b:9092"}}}}); len(errs) != 0 {
		t.Errorf("good mapping: %v", errs)
	}
	if errs := s.CheckResource("AWS::Nope::Thing", nil); len(errs) != 1 || !strings.Contains(errs[0].Error(), "not in") {
		t.Errorf("unknown type: %v", errs)
	}
}
