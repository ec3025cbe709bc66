package judge

import (
	"testing"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
)

func TestMappingAuth(t *testing.T) {
	t.Parallel()
	sa := func(kv ...string) awsx.ESM {
		var e awsx.ESM
		for i := 0; i+1 < len(kv); i += 2 {
			e.SourceAccess = append(e.SourceAccess, awsx.SourceAccess{Type: kv[i], URI: kv[i+1]})
		}
		return e
	}
	tests := []struct {
		name         string
		esm          awsx.ESM
		msk          bool
		auth, secret string
	}{
		{name: "msk without access config is iam", esm: sa(), msk: true, auth: "iam"},
		{name: "msk scram", esm: sa("VPC_SUBNET", "subnet:s-1", "SASL_SCRAM_512_AUTH", "arn:s"), msk: true, auth: "sasl_scram_512", secret: "arn:s"},
		{name: "self-managed plaintext", esm: sa("VPC_SUBNET", "subnet:s-1"), auth: "none"},
		{name: "self-managed private CA is tls", esm: sa("SERVER_ROOT_CA_CERTIFICATE", "arn:ca", "VPC_SUBNET", "subnet:s-1"), auth: "tls", secret: "arn:ca"},
		{name: "sasl wins over the CA whatever the order", esm: sa("SERVER_ROOT_CA_CERTIFICATE", "arn:ca", "BASIC_AUTH", "arn:pw"), auth: "sasl_plain", secret: "arn:pw"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			auth, secret := mappingAuth(tc.esm, tc.msk)
			if auth != tc.auth || secret != tc.secret {
				t.Fatalf("mappingAuth = %q, %q; want %q, %q", auth, secret, tc.auth, tc.secret)
			}
		})
	}
}
