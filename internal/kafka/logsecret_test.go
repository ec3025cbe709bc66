package kafka

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// lockedBuffer is a log sink franz-go's goroutines can write concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// franz-go narrates connections, SASL steps and failures through kslog into
// the server's logger. Even at Debug level, with good and bad SCRAM and
// PLAIN passwords, no password may reach the log.
func TestDebugLogsNeverCarryPasswords(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-512", "scram-user", "scram-good-pw"),
		kfake.Superuser("PLAIN", "plain-user", "plain-good-pw"),
		kfake.SeedTopics(1, "orders"))
	secrets := map[string]string{"SCRAM_GOOD": "scram-good-pw", "SCRAM_BAD": "scram-bad-pw", "PLAIN_GOOD": "plain-good-pw", "PLAIN_BAD": "plain-bad-pw"}
	var sink lockedBuffer
	logger := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := NewFactory(nil, nil, testEnv(secrets), logger)
	f.timeout = 2 * time.Second
	defer f.Close()
	targets := []Target{
		{Auth: AuthSCRAM512, Username: "scram-user", PasswordEnv: "SCRAM_GOOD"},
		{Auth: AuthSCRAM512, Username: "scram-user", PasswordEnv: "SCRAM_BAD"},
		{Auth: AuthPlain, Username: "plain-user", PasswordEnv: "PLAIN_GOOD"},
		{Auth: AuthPlain, Username: "plain-user", PasswordEnv: "PLAIN_BAD"},
	}
	for _, tg := range targets {
		tg.Bootstrap, tg.SASLPlaintext = c.ListenAddrs(), true
		conn, err := f.Conn(context.Background(), tg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, err = conn.Overview(ctx)
		cancel()
		if good := strings.HasSuffix(tg.PasswordEnv, "_GOOD"); good != (err == nil) {
			t.Errorf("%s: overview err = %v", tg.PasswordEnv, err)
		} else if err != nil && strings.Contains(err.Error(), secrets[tg.PasswordEnv]) {
			t.Errorf("%s: error echoes the password: %v", tg.PasswordEnv, err)
		}
	}
	f.Close() // flush the clients' shutdown lines too
	logs := sink.String()
	// The check is only meaningful if franz-go did log the SASL exchanges.
	if !strings.Contains(logs, "mechanism=SCRAM-SHA-512") || !strings.Contains(logs, "mechanism=PLAIN") {
		t.Fatalf("no SASL debug lines were logged; the check below would be vacuous:\n%.2000s", logs)
	}
	for env, pw := range secrets {
		if strings.Contains(logs, pw) {
			t.Errorf("debug log contains the password of %s", env)
		}
	}
}
