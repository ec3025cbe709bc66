package tools

import (
	"github.com/stream-mcp/stream-mcp/internal/server"
)

// All returns every tool, read and write, in display order. The server's
// write gate decides which of them a process registers; this list is the
// only place a tool is added (no init() registration).
func All(r ReadDeps, w WriteDeps) []server.ServerTool {
	return []server.ServerTool{
		EsmGuidance(r),
		EsmOptimize(r),
		Sizing(r),
		EsmInspect(r),
		KafkaInspect(r),
		KinesisInspect(r),
		KafkaTroubleshoot(r),
		ValidateConfig(r),
		KafkaAdmin(w),
		EsmApply(w),
		KinesisScale(w),
	}
}
