package kafka

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bug (#21.1): ca_file, cert_file and key_file were read whole with no type
// or size check: {"auth":"tls","ca_file":"/dev/zero"} ran the process out of
// memory, /dev/stdin under serve ate the protocol pipe, and a FIFO hung the
// call for good. Only regular files up to MaxCredentialFileBytes are read,
// and nothing blocks.
func TestReadCredentialFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pem := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(pem, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pem")
	if err := os.Symlink(pem, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxCredentialFileBytes + 1); err != nil { // sparse
		t.Fatal(err)
	}
	f.Close()
	cases := []struct {
		name, path, want string // want "" = read
	}{
		{"regular PEM", pem, ""},
		{"symlink to a regular file", link, ""},
		{"/dev/zero", "/dev/zero", "a character device"},
		{"/dev/stdin", "/dev/stdin", "not a regular file"},
		{"FIFO without a writer", fifo, "a FIFO"},
		{"directory", dir, "a directory"},
		{"over the size cap", big, "over the 1048576-byte limit"},
		{"missing", filepath.Join(dir, "nope"), "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan struct{})
			var raw []byte
			var err error
			go func() { raw, err = ReadCredentialFile(tc.path); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("reading blocked")
			}
			if tc.want == "" {
				if err != nil || len(raw) == 0 {
					t.Fatalf("%v %q", err, raw)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// The production Env reads TLS material through ReadCredentialFile, and the
// error names the field and the kind of file, never its content.
func TestTLSConfigRefusesDevices(t *testing.T) {
	t.Parallel()
	e := OSEnv(nil)
	for _, tgt := range []Target{
		{Bootstrap: []string{"127.0.0.1:1"}, Auth: AuthTLS, CAFile: "/dev/zero"},
		{Bootstrap: []string{"127.0.0.1:1"}, Auth: AuthMTLS, CertFile: "/dev/stdin", KeyFile: "/dev/zero"},
	} {
		_, err := e.TLSConfig(tgt)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%+v: %v", tgt, err)
		}
	}
}
