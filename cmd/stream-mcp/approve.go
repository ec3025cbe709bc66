package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/config"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

// approveWord is what the person types to approve: a word, not y, so a
// stray keypress or a piped "yes" does not approve a change.
const approveWord = "approve"

// tty is the controlling terminal: the plan is shown and the answer read
// there, never on stdin/stdout, which a model driving a shell could feed.
type tty interface {
	io.ReadWriter
	Close() error
}

// openTTY opens /dev/tty. A process without a controlling terminal (a
// model's shell tool, a pipeline, CI) cannot, which is the point.
func openTTY() (tty, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}

// approve shows a parked plan on the terminal and records the person's
// approval. The model cannot approve: it never gets a terminal.
func approve(cfg config.Config, args []string, open func() (tty, error)) error {
	if len(args) != 1 {
		return usageError{"usage: stream-mcp [--state-dir DIR] approve PLAN_ID"}
	}
	id := strings.TrimSpace(args[0])
	p, err := confirm.LoadPending(cfg.StateDir, id)
	if err != nil {
		return err
	}
	t, err := open()
	if err != nil {
		return fmt.Errorf("approve must be run by a person in a terminal (no controlling terminal: %v); nothing was approved", err)
	}
	defer t.Close()
	fmt.Fprintf(t, "%s\n\nType %q to approve this change, anything else to leave it unapproved: ", p.Markdown(), approveWord)
	line, err := bufio.NewReader(t).ReadString('\n')
	if err != nil && line == "" {
		return fmt.Errorf("no answer read from the terminal: %v; nothing was approved", err)
	}
	if strings.TrimSpace(line) != approveWord {
		fmt.Fprintln(t, "Not approved; nothing changes.")
		return nil
	}
	if err := confirm.Approve(cfg.StateDir, id, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(t, "Approved. The assistant may now apply plan %s (it still re-checks live state first).\n", id)
	return nil
}
