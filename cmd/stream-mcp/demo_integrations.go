package main

// integrationDemoSteps ask stream_guidance about the services around the
// streams.
func integrationDemoSteps() []demoStep {
	return []demoStep{
		{Title: "How do I ship a log group's errors into my Kinesis stream?", Tool: "stream_guidance",
			Args: map[string]any{"topic": "logs_subscription", "source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/clickstream",
				"options": map[string]any{"log_group_name": "/aws/lambda/orders", "filter_pattern": "ERROR"}, "iac_format": "cloudformation"}},
	}
}
