package tools

import (
	"sync"

	"github.com/stream-mcp/stream-mcp/internal/server"
)

// All returns every tool, read and write, in display order. The server's
// write gate decides which of them a process registers; this list is the
// only place a tool is added (no init() registration).
//
// Constructors run concurrently: generating the input and output schemas
// dominates start-up, and a client waits for it before its first
// tools/list. Constructors only read their deps, so this is safe (the race
// detector runs over it in the registry tests).
func All(r ReadDeps, w WriteDeps) []server.ServerTool {
	ctors := []func() server.ServerTool{
		func() server.ServerTool { return EsmGuidance(r) },
		func() server.ServerTool { return StreamGuidance(r) },
		func() server.ServerTool { return EsmOptimize(r) },
		func() server.ServerTool { return Sizing(r) },
		func() server.ServerTool { return EsmInspect(r) },
		func() server.ServerTool { return KafkaInspect(r) },
		func() server.ServerTool { return KinesisInspect(r) },
		func() server.ServerTool { return KafkaTroubleshoot(r) },
		func() server.ServerTool { return ValidateConfig(r) },
		func() server.ServerTool { return KafkaAdmin(w) },
		func() server.ServerTool { return EsmApply(w) },
		func() server.ServerTool { return KinesisScale(w) },
	}
	out := make([]server.ServerTool, len(ctors))
	var wg sync.WaitGroup
	for i, ctor := range ctors {
		wg.Go(func() { out[i] = ctor() })
	}
	wg.Wait()
	return out
}
