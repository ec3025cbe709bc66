package kafka

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	saslaws "github.com/twmb/franz-go/pkg/sasl/aws"
)

func TestMechanismsAndTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	caPEM, pair := selfSigned(t)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ca := write("ca.pem", caPEM)
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatal("key type")
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert := write("cert.pem", caPEM)
	keyFile := write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	okder, _ := x509.MarshalECPrivateKey(otherKey)
	wrongKey := write("wrong.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: okder}))
	pw := write("pw", []byte("s3cret\n"))
	env := Env{Getenv: func(k string) string { return map[string]string{"PW": "s3cret"}[k] }, ReadFile: os.ReadFile,
		AWSAuth: func(context.Context) (saslaws.Auth, error) {
			return saslaws.Auth{AccessKey: "AKIA", SecretKey: "x"}, nil
		}}
	tests := []struct {
		name    string
		t       Target
		mech    string
		tls     bool
		certs   int
		wantErr string
	}{
		{name: "iam", t: Target{Auth: AuthIAM}, mech: "AWS_MSK_IAM", tls: true},
		{name: "iam without AWS", t: Target{Auth: AuthIAM}, wantErr: "needs AWS credentials"},
		{name: "scram 512 from env", t: Target{Auth: AuthSCRAM512, Username: "u", PasswordEnv: "PW"}, mech: "SCRAM-SHA-512", tls: true},
		{name: "scram 256 from file", t: Target{Auth: AuthSCRAM256, Username: "u", PasswordFile: pw}, mech: "SCRAM-SHA-256", tls: true},
		{name: "plain over SASL_PLAINTEXT", t: Target{Auth: AuthPlain, Username: "u", PasswordEnv: "PW", SASLPlaintext: true}, mech: "PLAIN"},
		{name: "scram without user", t: Target{Auth: AuthSCRAM512, PasswordEnv: "PW"}, wantErr: "needs a username"},
		{name: "scram without password reference", t: Target{Auth: AuthSCRAM512, Username: "u"}, wantErr: "password_env or password_file"},
		{name: "missing password file", t: Target{Auth: AuthSCRAM512, Username: "u", PasswordFile: filepath.Join(dir, "nope")}, wantErr: "password file"},
		{name: "tls with CA", t: Target{Auth: AuthTLS, CAFile: ca}, tls: true},
		{name: "tls with a non-PEM CA", t: Target{Auth: AuthTLS, CAFile: pw}, wantErr: "no PEM certificate"},
		{name: "mtls", t: Target{Auth: AuthMTLS, CAFile: ca, CertFile: cert, KeyFile: keyFile}, tls: true, certs: 1},
		{name: "mtls key mismatch", t: Target{Auth: AuthMTLS, CertFile: cert, KeyFile: wrongKey}, wantErr: "do not form"},
		{name: "none", t: Target{Auth: AuthNone}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := env
			if strings.Contains(tc.name, "without AWS") {
				e.AWSAuth = nil
			}
			tc.t.Bootstrap = []string{"b:9092"}
			_, err := e.ClientOpts(tc.t)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrCredentials) {
					t.Fatalf("err = %v, want %q (ErrCredentials)", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatal("password echoed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m, _ := e.Mechanism(tc.t)
			if (m == nil) != (tc.mech == "") || (m != nil && m.Name() != tc.mech) {
				t.Errorf("mechanism = %v, want %q", m, tc.mech)
			}
			tcfg, err := e.TLSConfig(tc.t)
			if err != nil || (tcfg != nil) != tc.tls || (tcfg != nil && len(tcfg.Certificates) != tc.certs) {
				t.Errorf("tls = %+v, %v", tcfg, err)
			}
		})
	}
}
