package main

// kinesisDemoSteps look at the stream behind the lagging mapping: capacity,
// shards, throttling and whether its iterator age puts records at risk.
func kinesisDemoSteps(env demoEnv) []demoStep {
	if env.EndpointURL == "" {
		return nil
	}
	return []demoStep{
		{Title: "Is the clickstream stream throttled, and will records expire before the mapping reads them?", Tool: "kinesis_inspect",
			Args: map[string]any{"stream_name": "clickstream", "window_minutes": 60, "limit": 4}},
	}
}
