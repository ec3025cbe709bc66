// Package kinesislocal starts the kinesis-local emulator (the Node build of
// kinesis-mock, installed by `make npm-deps` into testdata/npm) on loopback for
// tests, so Kinesis code is proven against an implementation of the Kinesis
// API that this project did not write.
//
// Tests call [Start]. When node or the npm package is missing the test is
// skipped with the command that installs it, except under CI=true, where a
// missing emulator fails the test: CI must install it.
package kinesislocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stream-mcp/stream-mcp/internal/repopath"
)

const (
	// readyTimeout bounds how long Start waits for /healthcheck; a cold
	// node start of the 9 MB bundle takes about 1.5 s on this machine.
	readyTimeout = 30 * time.Second
	// stopTimeout bounds how long Stop waits for the process to exit.
	stopTimeout = 5 * time.Second
	// startAttempts bounds retries when a just-freed port was taken by
	// another process before the emulator bound it.
	startAttempts = 3
	// AccountID is the account the emulator namespaces streams under by
	// default; ARNs it returns carry it.
	AccountID = "000000000000"
)

// Emulator is one running kinesis-local process.
type Emulator struct {
	// Endpoint is the plain-HTTP base URL, e.g. "http://127.0.0.1:40123".
	Endpoint string
	// Region is the emulator's default region.
	Region string

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	once sync.Once
}

// Options tune the emulator. The zero value is fine for most tests.
type Options struct {
	// Region is the default region (default "us-east-1").
	Region string
	// InitializeStreams is passed as INITIALIZE_STREAMS, e.g. "orders:2".
	InitializeStreams string
	// OperationDelay replaces the emulator's 500 ms delay for state
	// transitions (CreateStream, UpdateShardCount, ...); default 50 ms so
	// tests stay fast.
	OperationDelay time.Duration
}

// Paths returns the node binary and the emulator's main.js, or an error that
// says what to install.
func Paths() (nodeBin, mainJS string, err error) {
	nodeBin, err = exec.LookPath("node")
	if err != nil {
		return "", "", fmt.Errorf("node not found in PATH (install Node.js 20+): %w", err)
	}
	mainJS = filepath.Join(npmDir(), "node_modules", "kinesis-local", "main.js")
	if _, err := os.Stat(mainJS); err != nil {
		return "", "", fmt.Errorf("kinesis-local is not installed (run `make npm-deps`): %w", err)
	}
	return nodeBin, mainJS, nil
}

// Start runs the emulator on two free loopback ports, waits until it answers
// /healthcheck and stops it when the test ends. It skips the test when the
// emulator is not installed, or fails it under CI=true.
func Start(t testing.TB, opts Options) *Emulator {
	t.Helper()
	nodeBin, mainJS, err := Paths()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kinesis-local emulator required under CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout*startAttempts)
	defer cancel()
	var lastErr error
	for range startAttempts {
		e, err := start(ctx, nodeBin, mainJS, opts)
		if err == nil {
			t.Cleanup(func() {
				if err := e.Stop(); err != nil {
					t.Logf("kinesis-local stop: %v", err)
				}
			})
			return e
		}
		lastErr = err
	}
	t.Fatalf("kinesis-local did not start after %d attempts: %v", startAttempts, lastErr)
	return nil
}

// StartProcess is Start without a testing.TB, for tools and benchmarks that
// manage the lifetime themselves; the caller must call Stop.
func StartProcess(ctx context.Context, opts Options) (*Emulator, error) {
	nodeBin, mainJS, err := Paths()
	if err != nil {
		return nil, err
	}
	return start(ctx, nodeBin, mainJS, opts)
}

func start(ctx context.Context, nodeBin, mainJS string, opts Options) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	region := opts.Region
	if region == "" {
		region = "us-east-1"
	}
	delay := opts.OperationDelay
	if delay <= 0 {
		delay = 50 * time.Millisecond
	}
	d := strconv.FormatInt(delay.Milliseconds(), 10) + "ms"
	pkgDir := filepath.Dir(mainJS)
	// Not exec.CommandContext: the process must outlive the start context.
	cmd := exec.Command(nodeBin, "--require", filepath.Join(npmDir(), "loopback.cjs"), mainJS) //nolint:noctx // stopped by Stop
	cmd.Dir = pkgDir                                                                           // main.js also reads files relative to its directory
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"STREAM_MCP_BIND_HOST=127.0.0.1",
		"KINESIS_MOCK_PLAIN_PORT=" + strconv.Itoa(ports[0]),
		"KINESIS_MOCK_TLS_PORT=" + strconv.Itoa(ports[1]),
		"KINESIS_MOCK_CERT_PATH=" + filepath.Join(pkgDir, "server.json"),
		"AWS_REGION=" + region,
		"LOG_LEVEL=WARN",
		"SHOULD_PERSIST_DATA=false",
		"LOAD_DATA_IF_EXISTS=false",
		"CREATE_STREAM_DURATION=" + d,
		"DELETE_STREAM_DURATION=" + d,
		"REGISTER_STREAM_CONSUMER_DURATION=" + d,
		"DEREGISTER_STREAM_CONSUMER_DURATION=" + d,
		"START_STREAM_ENCRYPTION_DURATION=" + d,
		"STOP_STREAM_ENCRYPTION_DURATION=" + d,
		"MERGE_SHARDS_DURATION=" + d,
		"SPLIT_SHARD_DURATION=" + d,
		"UPDATE_SHARD_COUNT_DURATION=" + d,
		"UPDATE_STREAM_MODE_DURATION=" + d,
	}
	if opts.InitializeStreams != "" {
		cmd.Env = append(cmd.Env, "INITIALIZE_STREAMS="+opts.InitializeStreams)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	e := &Emulator{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		Region:   region,
		cmd:      cmd,
		out:      out,
		done:     make(chan struct{}),
	}
	go func() { _ = cmd.Wait(); close(e.done) }()
	if err := e.waitReady(ctx); err != nil {
		_ = e.Stop()
		return nil, fmt.Errorf("%w; emulator output:\n%s", err, e.Output())
	}
	return e, nil
}

func (e *Emulator) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Endpoint+"/healthcheck", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-e.done:
			return errors.New("kinesis-local exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("kinesis-local not ready within %s: %w", readyTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

// Stop kills the emulator and waits (bounded) for it to exit. It is safe to call more than once.
func (e *Emulator) Stop() error {
	var err error
	e.once.Do(func() {
		select {
		case <-e.done:
			return
		default:
		}
		// Kill outright: nothing is persisted (SHOULD_PERSIST_DATA=false)
		// and a graceful SIGTERM shutdown costs ~1.8 s per test.
		err = e.cmd.Process.Kill()
		select {
		case <-e.done:
		case <-time.After(stopTimeout):
			err = errors.Join(err, errors.New("kinesis-local did not exit after SIGKILL"))
		}
	})
	return err
}

// Output is what the emulator printed so far (for failure messages).
func (e *Emulator) Output() string { return e.out.String() }

// freePorts reserves n distinct loopback ports by binding and releasing them.
func freePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserve a loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// npmDir is testdata/npm of this repository.
func npmDir() string { return repopath.Testdata("npm") }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Bound the captured output: the emulator can be chatty.
	if s.b.Len() > 64<<10 {
		return len(p), nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
