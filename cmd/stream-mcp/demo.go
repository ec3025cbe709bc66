package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/stream-mcp/stream-mcp/internal/config"
)

// demo runs the guided tour. It grows with every tool.
func demo(ctx context.Context, cfg config.Config, logger *slog.Logger, stdout io.Writer) error {
	a, err := newApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.cleanup()
	fmt.Fprintf(stdout, "stream-mcp demo: %d tools registered\n", len(a.tools))
	return nil
}
