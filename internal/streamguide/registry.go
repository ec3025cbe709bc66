package streamguide

// builtins is the topic list: one line per topic, each helper in its own
// section (keep the blank lines between sections so merges do not conflict).
func builtins() []Topic {
	return []Topic{
		// integ1: Redshift streaming ingestion, OpenSearch Ingestion, Firehose, Logs subscriptions.
		logsSubscription(),
		redshiftStreaming(),
		opensearchIngestion(),
		firehose(),

		// integ2: Glue streaming, Managed Flink, MSK Connect, KCL, KPL — add lines below.
		glueStreaming(),
		flinkApp(),
		mskConnect(),
		kclConsumer(),
		kplProducer(),

		// hosting (#17): stream-mcp itself on ECS Fargate behind an internal TLS NLB.
		streamMCPHosting(),

		// mskops: MSK custom domains, cross-VPC, replication/DR — add lines below.
		mskCustomDomain(), mskServerlessCrossVPC(), mskMultiVPC(), mskReplicator(), mirrorMaker2(), kinesisCrossRegion(),
	}
}
