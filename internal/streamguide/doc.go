// Package streamguide is the engine behind the stream_guidance tool: setup,
// networking, permissions and troubleshooting guidance for the services that
// read from or write to Kinesis and Kafka besides Lambda (Redshift streaming
// ingestion, OpenSearch Ingestion, Firehose, CloudWatch Logs subscriptions,
// and the topics later helpers add).
//
// It is the second door onto the esm_guidance engine: the answer has the
// same shape ([guide.Result]: steps with decisions and why, artifacts,
// checks, troubleshooting rows, references as URLs) and the artifacts come
// from the same typed builders (internal/iac: [iac.Template] marshalled with
// yaml.v3, [iac.PolicyDocument] with encoding/json, [iac.RenderSGRules],
// [iac.RenderClusterPolicy], hclwrite for Terraform). Nothing here concatenates
// caller values into template, policy or SQL text without validating them
// first; SQL identifiers and literals go through [QuoteIdent] and
// [QuoteLiteral].
//
// # Adding a topic (the extension contract)
//
// A topic is one file in this package, topic_<name>.go, with a constructor
// returning a [Topic], plus one line in the list in registry.go (each helper
// has its own section there so merges do not conflict). A Topic declares:
//
//   - Name: the value of the tool's `topic` field (snake_case). The tool's
//     enum is built from the registry, so no schema tag is edited.
//   - Sources: the [Source] values it accepts (msk, msk_serverless, kinesis,
//     self_managed_kafka); an empty list means the topic has no stream source
//     (e.g. a replication topic); Request.Source is then rejected if set.
//   - Auths: the Kafka auth modes it supports for Kafka sources; empty means
//     auth does not apply.
//   - Options: the names of its topic-specific options (Request.Options);
//     unknown names are rejected with the allowed list. Decode them with
//     [DecodeOptions] into a typed struct with json tags.
//   - Summary: one line, shown when the topic is unknown and in docs.
//   - Build: func(Env, Request) (Result, error). The request is already
//     normalized: Type is one of the four guidance types, Format is set
//     (default sam), Source/Auth are allowed for the topic, Region, Account,
//     ARNs, subnet and security-group IDs, secret and KMS ARNs are validated.
//     Return errors wrapping iac.ErrInvalid for bad input (the tool turns
//     them into actionable tool errors); never panic.
//
// Every number a Build uses comes from guidance (Env.Guidance, read with
// Num/Int/Strings by id) and every reference is a URL (use Env.Ref(id) to
// cite a limit's source). Generated CloudFormation must pass cfn-lint and SAM
// must pass aws-sam-translator: [TestArtifactsLint] runs every registered
// topic over a table of requests, so a new topic only adds rows.
//
// Result conventions: Steps in order; a Step with a Decision when the user
// must choose; Artifacts with Kind iac | iam_policy | security_group_rules |
// script | sql (KindSQL) and Format sam | cloudformation | terraform | json |
// yaml (service configuration such as an OpenSearch Ingestion pipeline) |
// bash | sql; Checks name the stream-mcp tool that verifies them when one
// exists; Troubleshooting rows for guidance_type troubleshooting.
//
// # Topics (the tool's contract; a test keeps this list in step with the registry)
//
//   - logs_subscription (source kinesis; a Firehose stream as target_arn):
//     role for CloudWatch Logs, subscription filter, destination shards,
//     cross-account destination; options log_group_name, filter_pattern,
//     distribution, ingest_mb_per_second, events_per_second, sender_account.
//   - redshift_streaming (msk | msk_serverless | kinesis; auth iam | none |
//     mtls): warehouse sizing, IAM_ROLE chain (account = the warehouse's,
//     role_arns to reuse roles), external schema and streaming MV SQL, SG rule
//     by auth port, diagnostics SQL on SYS_STREAM_SCAN_ERRORS and friends;
//     options schema_name, target, partitions, cluster_security_group_id,
//     role_name, certificate_arn, payload.
//   - opensearch_ingestion (msk | msk_serverless | kinesis |
//     self_managed_kafka): pipeline role, MSK cluster policy, pipeline YAML,
//     AWS::OSIS::Pipeline; options domain_endpoint, index, dlq_bucket,
//     min_units, max_units, partitions, role_name, consumer_strategy,
//     cluster_security_group_id, pipeline_name (a live pipeline: with
//     troubleshooting, stream_guidance adds live checks).
//   - firehose (kinesis | msk | msk_serverless): role, MSK cluster policy for
//     PRIVATE connectivity, delivery stream to S3 (target_arn or bucket);
//     options bucket, prefix, error_prefix, buffer_size_mib,
//     buffer_interval_seconds, connectivity, role_name, delivery_stream_name
//     (a live stream: with troubleshooting, stream_guidance adds live checks).
//   - glue_streaming (kinesis | msk | msk_serverless | self_managed_kafka;
//     auth iam | sasl_scram_512 | mtls | none; integ2): workers from cores,
//     shards to match, micro-batch limits, Glue role with exact ARNs,
//     AWS::Glue::Job (+ NETWORK connection for Kafka), source options JSON;
//     options glue_version, worker_type, workers, script_location.
//   - flink (kinesis | msk | msk_serverless | self_managed_kafka): KPUs,
//     source parallelism, Kinesis source (EFO vs polling, migration from
//     FlinkKinesisConsumer), checkpoints, AWS::KinesisAnalyticsV2::Application;
//     options parallelism, parallelism_per_kpu, code_bucket, code_key,
//     runtime, retrieval.
//   - msk_connect (msk | msk_serverless | self_managed_kafka; auth iam |
//     none): capacity, worker configuration (in use = not deletable),
//     connector configuration for s3_sink | debezium_mysql | mirrormaker2 |
//     custom, service execution role with internal topics and groups;
//     options connector, workers, mcu_per_worker, tasks_max.
//   - kcl_consumer (kinesis): leases and workers, FANOUT vs POLLING, KCL 3.x
//     tables, GSI and IAM, the 2.x to 3.x upgrade; options kcl_version,
//     retrieval, migrating_to_3.
//   - kpl_producer (kinesis): aggregation and batching,
//     RecordMaxBufferedTime, RateLimit, retries and duplicates, partition
//     keys, KPL vs SDK; options producers, consumer, aggregation.
//   - msk_custom_domain (msk; auth sasl_scram_512 | iam | mtls; mskops):
//     TLS NLB bootstrap-only or per-broker listeners, target ports by auth,
//     SANs, Route 53 records, advertised.listeners keeping REPLICATION;
//     options brokers, domain, clients_reach_brokers, broker_dns_suffix,
//     private_ca.
//   - msk_serverless_cross_vpc (msk_serverless; auth iam): VPCs at creation,
//     wildcard private hosted zone, Resolver rules shared through RAM,
//     PrivateLink; options clusters, client_vpcs, cross_account,
//     cross_region, overlapping_cidrs, before_creation.
//   - msk_multi_vpc (msk): multi-VPC private connectivity prerequisites,
//     cluster policy (source_arn, client_account), VPC connections, or public
//     access; options kafka_version, instance_type, unauthenticated, public,
//     client_region.
//   - msk_replicator (msk | msk_serverless; auth iam): prerequisites, topic
//     naming, offset sync, RPO/RTO, failover and failback runbooks,
//     AWS::MSK::Replicator (source_arn, target_arn); options pattern.
//   - mirrormaker2 (msk | self_managed_kafka | msk_serverless): policy,
//     offset sync and checkpoints, tasks, migration paths, mm2.properties;
//     options pattern.
//   - kinesis_cross_region (kinesis): no native replication, warm or cold
//     standby, EFO replicator, DynamoDB global tables, failover/failback;
//     options secondary_region, standby.
//   - stream_mcp_hosting (no source; hosting): stream-mcp itself for a
//     team, ECS Fargate in private subnets (subnet_ids, 2+ AZs) behind an
//     internal NLB with a TLS listener, read-only task role from
//     guidance/iam (narrowed to cluster_arns/stream_arns), tokens from
//     Secrets Manager or OAuth, CloudWatch logs; options vpc_id,
//     certificate_arn, image_uri, init_image_uri, token_secret_arn,
//     auth_issuer, auth_audience, client_cidr, client_security_group_id,
//     broker_security_group_id, cpu, memory, log_retention_days,
//     desired_count, cluster_arns, stream_arns.
//
// Names: name is what the topic creates (filter, MV, pipeline, stream);
// account/region default to those of source_arn or target_arn; roles the
// topic creates get fixed names (options.role_name) so artifacts can name
// their exact ARNs.
//
// # Pluggable sizing services and validate_config kinds
//
// The sizing tool's extra services and validate_config's extra kinds (and
// template resource types) are dispatched from tools/plugins.go: one line
// per service, kind or resource type in the section of the helper that owns
// it, pointing at a function in that helper's own internal package with the
// signatures internal/integ documents (integ.SizeInput with topics and
// target; integ.ValidateInput with config or text; integ.Validation). The
// schema enums of `service` and `kind` are extended from those maps, so no
// struct tag is edited. integ1's: sizing redshift_streaming,
// opensearch_ingestion, firehose; kinds redshift_streaming (fields or SQL),
// opensearch_pipeline (YAML text, object or PipelineConfigurationBody),
// firehose_stream (CloudFormation properties); template types
// AWS::OSIS::Pipeline, AWS::KinesisFirehose::DeliveryStream,
// AWS::RedshiftServerless::Workgroup, AWS::Redshift::Cluster. integ2's:
// sizing glue_streaming, flink, msk_connect, kcl, kpl (integ.Processor
// fields); kinds glue_job, flink_app, msk_connect, kcl, kpl (config, or
// properties text for kcl/kpl/worker configurations); template types
// AWS::Glue::Job, AWS::KinesisAnalyticsV2::Application,
// AWS::KafkaConnect::Connector, AWS::KafkaConnect::WorkerConfiguration.
// mskops's: kinds msk_cluster_change ({current, target}; cluster_arn reads
// current live), mirrormaker2 (mm2.properties keys; context.partitions and
// context.brokers), msk_replicator (AWS::MSK::Replicator properties, or
// {ReplicatorArn}/{ReplicatorName} alone to read it live).
package streamguide
