package main

// processorDemoSteps ask about the stream processors (integ2): sizing a Glue
// streaming job the way the AWS best-practices post does, and the KCL 2.x to
// 3.x upgrade.
func processorDemoSteps() []demoStep {
	return []demoStep{
		{Title: "My Glue streaming job needs 32 Spark cores: how many G.1X workers and shards?", Tool: "sizing",
			Args: map[string]any{"service": "glue_streaming", "glue_version": "4.0", "worker_type": "G.1X", "cores_needed": 32, "source": "kinesis"}},
		{Title: "How do I upgrade my KCL 2.x consumer to 3.x?", Tool: "stream_guidance",
			Args: map[string]any{"topic": "kcl_consumer", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/clickstream", "name": "clickstream-app",
				"options": map[string]any{"kcl_version": "2", "migrating_to_3": true}, "iac_format": "cloudformation"}},
	}
}
