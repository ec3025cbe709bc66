// Package iac owns infrastructure-as-code generation: typed models of the
// resources around a Lambda event source mapping (the mapping itself, the
// function, its execution role and least-privilege policy, security groups
// and their rules, an MSK cluster, a Kinesis stream, an SQS queue with its
// dead-letter queue) rendered to AWS SAM, CloudFormation and Terraform.
//
// Every value a caller supplies is validated first (names, ARNs, Regions and
// partitions including aws-cn and aws-us-gov, ".fifo" queue names) and then
// encoded by a serializer — go.yaml.in/yaml/v3 for SAM and CloudFormation,
// hclwrite for Terraform, encoding/json for IAM policies — never concatenated
// into template text. IAM policies are typed documents ([PolicyDocument]).
// Shell scripts quote every value with [ShellQuote] and start with
// "set -euo pipefail".
//
// # Rendering one event source mapping
//
// [RenderESM] is the entry point other tools use (esm_optimize
// action=generate_template):
//
//	a, err := iac.RenderESM(iac.ESM{Source: iac.SourceMSK, FunctionName: "orders",
//		EventSourceArn: clusterARN, Topics: []string{"orders"},
//		StartingPosition: "LATEST", BatchSize: iac.Int(500)}, iac.FormatCloudFormation)
//
// [ESM] carries the mapping's configuration under the Lambda API's own
// PascalCase names (BatchSize, MaximumBatchingWindowInSeconds,
// ParallelizationFactor, ScalingConfig, ProvisionedPollerConfig,
// DestinationConfig, FilterCriteria, FunctionResponseTypes, ...), so a
// configuration read from GetEventSourceMapping or pasted by a user
// unmarshals into it with encoding/json. The formats are:
//
//   - [FormatCloudFormation]: a template with one native
//     AWS::Lambda::EventSourceMapping resource;
//   - [FormatSAM]: the function's Events entry (Type Kinesis, DynamoDB, SQS,
//     MSK or SelfManagedKafka) to paste under an AWS::Serverless::Function;
//   - [FormatTerraform]: one aws_lambda_event_source_mapping resource.
//
// RenderESM returns an error (wrapping [ErrInvalid]) when a value fails
// validation or a field does not apply to the source; it never emits a
// template it could not justify. Numeric ranges are the rule engine's job
// (validate_config / esm_optimize action=validate), not this package's.
//
// # Whole stacks
//
// [Stack] groups models and renders them together with [RenderStack]; the
// guidance engine uses it for setup artifacts and the sizing tool for MSK
// cluster and Kinesis stream templates.
package iac
