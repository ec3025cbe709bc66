package iactest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// tfSchema is the arguments (value true) and nested blocks (value a nested
// tfSchema) one Terraform resource type accepts.
type tfSchema map[string]any

// tfResources is the allow-list of arguments per resource type we generate,
// from the Terraform AWS provider documentation (provider 6.x):
//   - aws_lambda_event_source_mapping: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_event_source_mapping
//     (argument list checked against the provider 6.62.0 schema binding)
//   - aws_iam_role: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role
//   - aws_iam_role_policy: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy
//   - aws_vpc_security_group_ingress_rule / _egress_rule: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_security_group_ingress_rule
//   - aws_msk_cluster_policy: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/msk_cluster_policy
//   - aws_lambda_function: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function
//   - aws_sqs_queue: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sqs_queue
//   - aws_kinesis_stream: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kinesis_stream
//   - aws_msk_cluster: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/msk_cluster
//   - data archive_file (hashicorp/archive): https://registry.terraform.io/providers/hashicorp/archive/latest/docs/data-sources/file
//
// Only the arguments we emit plus their documented siblings are listed;
// a generated argument missing here fails the test until it is checked
// against the page.
func tfData() map[string]tfSchema {
	return map[string]tfSchema{
		"archive_file": {"type": true, "output_path": true, "source_file": true, "source_dir": true, "source_content": true,
			"source_content_filename": true, "excludes": true, "output_file_mode": true,
			"source": tfSchema{"content": true, "filename": true}},
	}
}

func tfResources() map[string]tfSchema {
	kafkaCfg := tfSchema{"consumer_group_id": true, "schema_registry_config": tfSchema{
		"schema_registry_uri": true, "event_record_format": true,
		"access_config":            tfSchema{"type": true, "uri": true},
		"schema_validation_config": tfSchema{"attribute": true},
	}}
	sgRule := tfSchema{"security_group_id": true, "cidr_ipv4": true, "cidr_ipv6": true, "description": true, "from_port": true,
		"to_port": true, "ip_protocol": true, "prefix_list_id": true, "referenced_security_group_id": true, "tags": true, "region": true}
	return map[string]tfSchema{
		"aws_lambda_event_source_mapping": {
			"function_name": true, "event_source_arn": true, "batch_size": true, "bisect_batch_on_function_error": true,
			"enabled": true, "function_response_types": true, "kms_key_arn": true, "maximum_batching_window_in_seconds": true,
			"maximum_record_age_in_seconds": true, "maximum_retry_attempts": true, "parallelization_factor": true, "queues": true,
			"region": true, "starting_position": true, "starting_position_timestamp": true, "tags": true, "topics": true,
			"tumbling_window_in_seconds":               true,
			"amazon_managed_kafka_event_source_config": kafkaCfg,
			"self_managed_kafka_event_source_config":   kafkaCfg,
			"destination_config":                       tfSchema{"on_failure": tfSchema{"destination_arn": true}},
			"document_db_event_source_config":          tfSchema{"collection_name": true, "database_name": true, "full_document": true},
			"filter_criteria":                          tfSchema{"filter": tfSchema{"pattern": true}},
			"metrics_config":                           tfSchema{"metrics": true},
			"provisioned_poller_config":                tfSchema{"maximum_pollers": true, "minimum_pollers": true},
			"scaling_config":                           tfSchema{"maximum_concurrency": true},
			"self_managed_event_source":                tfSchema{"endpoints": true},
			"source_access_configuration":              tfSchema{"type": true, "uri": true},
		},
		"aws_iam_role": {"assume_role_policy": true, "name": true, "name_prefix": true, "description": true, "path": true,
			"permissions_boundary": true, "max_session_duration": true, "force_detach_policies": true, "tags": true},
		"aws_iam_role_policy":                 {"role": true, "policy": true, "name": true, "name_prefix": true},
		"aws_vpc_security_group_ingress_rule": sgRule,
		"aws_vpc_security_group_egress_rule":  sgRule,
		"aws_msk_cluster_policy":              {"cluster_arn": true, "policy": true, "region": true},
		"aws_lambda_function": {"function_name": true, "role": true, "runtime": true, "handler": true, "filename": true,
			"source_code_hash": true, "timeout": true, "memory_size": true, "description": true, "architectures": true,
			"reserved_concurrent_executions": true, "tags": true, "region": true,
			"environment": tfSchema{"variables": true}, "vpc_config": tfSchema{"subnet_ids": true, "security_group_ids": true}},
		"aws_sqs_queue": {"name": true, "name_prefix": true, "fifo_queue": true, "visibility_timeout_seconds": true, "redrive_policy": true,
			"message_retention_seconds": true, "kms_master_key_id": true, "sqs_managed_sse_enabled": true, "content_based_deduplication": true,
			"delay_seconds": true, "max_message_size": true, "receive_wait_time_seconds": true, "tags": true, "region": true},
		"aws_kinesis_stream": {"name": true, "shard_count": true, "retention_period": true, "encryption_type": true, "kms_key_id": true,
			"shard_level_metrics": true, "enforce_consumer_deletion": true, "tags": true, "region": true,
			"stream_mode_details": tfSchema{"stream_mode": true}},
		"aws_msk_cluster": {"cluster_name": true, "kafka_version": true, "number_of_broker_nodes": true, "enhanced_monitoring": true,
			"storage_mode": true, "tags": true, "region": true,
			"broker_node_group_info": tfSchema{"instance_type": true, "client_subnets": true, "security_groups": true, "az_distribution": true,
				"storage_info":      tfSchema{"ebs_storage_info": tfSchema{"volume_size": true, "provisioned_throughput": tfSchema{"enabled": true, "volume_throughput": true}}},
				"connectivity_info": tfSchema{"public_access": tfSchema{"type": true}, "vpc_connectivity": true}},
			"client_authentication": tfSchema{"unauthenticated": true, "sasl": tfSchema{"iam": true, "scram": true}, "tls": tfSchema{"certificate_authority_arns": true}},
			"encryption_info":       tfSchema{"encryption_at_rest_kms_key_arn": true, "encryption_in_transit": tfSchema{"client_broker": true, "in_cluster": true}},
			"configuration_info":    tfSchema{"arn": true, "revision": true}},
	}
}

// tfVariable is the arguments and blocks of a variable block.
func tfVariable() tfSchema {
	return tfSchema{"type": true, "description": true, "default": true, "sensitive": true, "nullable": true, "ephemeral": true,
		"validation": tfSchema{"condition": true, "error_message": true}}
}

// tfRequired are the required arguments per resource type (same pages).
func tfRequired() map[string][]string {
	return map[string][]string{
		"aws_lambda_event_source_mapping":     {"function_name"},
		"aws_iam_role":                        {"assume_role_policy"},
		"aws_iam_role_policy":                 {"role", "policy"},
		"aws_vpc_security_group_ingress_rule": {"security_group_id", "ip_protocol"},
		"aws_vpc_security_group_egress_rule":  {"security_group_id", "ip_protocol"},
		"aws_msk_cluster_policy":              {"cluster_arn", "policy"},
		"aws_lambda_function":                 {"function_name", "role"},
		"aws_kinesis_stream":                  {"name"},
		"aws_msk_cluster":                     {"cluster_name", "kafka_version", "number_of_broker_nodes"},
	}
}

// CheckTerraform parses src with hcl/v2 and checks that every resource is
// of a known type, uses only that type's arguments and blocks and carries
// the required ones. It returns the resource types found.
func CheckTerraform(t testing.TB, src string) []string {
	t.Helper()
	types, errs := TerraformErrors(src)
	for _, e := range errs {
		t.Error(e)
	}
	return types
}

// TerraformErrors is CheckTerraform's finding list.
func TerraformErrors(src string) ([]string, []error) {
	f, diags := hclsyntax.ParseConfig([]byte(src), "gen.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, []error{fmt.Errorf("terraform does not parse: %v", diags)}
	}
	body := f.Body.(*hclsyntax.Body)
	var (
		types []string
		errs  []error
	)
	all := tfResources()
	data := tfData()
	for _, b := range body.Blocks {
		if b.Type == "data" && len(b.Labels) == 2 {
			schema, ok := data[b.Labels[0]]
			if !ok {
				errs = append(errs, fmt.Errorf("data source %s is not in the allow-list", b.Labels[0]))
				continue
			}
			types = append(types, "data."+b.Labels[0])
			errs = append(errs, checkTFBody("data."+b.Labels[0], schema, b.Body)...)
			continue
		}
		if b.Type == "variable" && len(b.Labels) == 1 {
			// input variables stand in for values the caller did not give
			// (https://developer.hashicorp.com/terraform/language/values/variables)
			errs = append(errs, checkTFBody("variable."+b.Labels[0], tfVariable(), b.Body)...)
			continue
		}
		if b.Type != "resource" || len(b.Labels) != 2 {
			errs = append(errs, fmt.Errorf("unexpected top-level block %s %v", b.Type, b.Labels))
			continue
		}
		schema, ok := all[b.Labels[0]]
		if !ok {
			errs = append(errs, fmt.Errorf("resource type %s is not in the allow-list", b.Labels[0]))
			continue
		}
		types = append(types, b.Labels[0])
		errs = append(errs, checkTFBody(b.Labels[0], schema, b.Body)...)
		for _, req := range tfRequired()[b.Labels[0]] {
			if _, ok := b.Body.Attributes[req]; !ok {
				errs = append(errs, fmt.Errorf("%s.%s: required argument %s missing", b.Labels[0], b.Labels[1], req))
			}
		}
	}
	sort.Strings(types)
	return types, errs
}

func checkTFBody(path string, schema tfSchema, b *hclsyntax.Body) []error {
	var errs []error
	for name := range b.Attributes {
		if v, ok := schema[name]; !ok || v != true {
			errs = append(errs, fmt.Errorf("%s: %s is not an argument", path, name))
		}
	}
	for _, blk := range b.Blocks {
		sub, ok := schema[blk.Type].(tfSchema)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %s is not a block", path, blk.Type))
			continue
		}
		errs = append(errs, checkTFBody(path+"."+blk.Type, sub, blk.Body)...)
	}
	return errs
}
