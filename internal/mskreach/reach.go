// Package mskreach answers how clients outside an MSK cluster's VPC reach
// it: custom domain names through a Network Load Balancer, MSK Serverless
// across VPCs and accounts, multi-VPC private connectivity and public access
// for provisioned clusters, and a check of one client's network path for
// kafka_troubleshoot. Answers use the esm_guidance shape (guide.Result:
// steps with decisions, typed artifacts, checks, troubleshooting rows,
// references as URLs). Every number comes from guidance/limits
// (msk_reach.*, guidance_esm.msk.port.*, msk.*).
package mskreach

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
)

// Guidance types (the guide package's).
const (
	TypeSetup           = guide.TypeSetup
	TypeNetworking      = guide.TypeNetworking
	TypePermissions     = guide.TypePermissions
	TypeTroubleshooting = guide.TypeTroubleshooting
)

// Auth modes as the tools name them.
const (
	AuthIAM   = "iam"
	AuthSCRAM = "sasl_scram"
	AuthMTLS  = "mtls"
	AuthNone  = "none"
)

var (
	reDomain    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	reDNSSuffix = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,200}[a-z0-9])?$`)
)

// ValidateDomain checks a DNS domain (lower case, no trailing dot).
func ValidateDomain(d string) error {
	if !reDomain.MatchString(d) {
		return fmt.Errorf("%w: domain %q is not a DNS name like example.com (lower case, no trailing dot)", iac.ErrInvalid, d)
	}
	return nil
}

// portFor maps an auth mode to the broker's in-VPC port id.
func portFor(b *guidance.Base, auth string, public bool) (int, error) {
	id := ""
	switch auth {
	case AuthIAM:
		id = "guidance_esm.msk.port.iam"
	case AuthSCRAM:
		id = "guidance_esm.msk.port.sasl_scram"
	case AuthMTLS:
		id = "guidance_esm.msk.port.tls"
	case AuthNone, "":
		if public {
			return 0, fmt.Errorf("%w: public access needs an auth mode; unauthenticated access must be off", iac.ErrInvalid)
		}
		id = "guidance_esm.msk.port.plaintext"
	default:
		return 0, fmt.Errorf("%w: auth %q is not one of iam, sasl_scram, mtls, none", iac.ErrInvalid, auth)
	}
	if public {
		id = strings.Replace(id, ".port.", ".port.public_", 1)
	}
	return guidanceInt(b, id), nil
}

func guidanceInt(b *guidance.Base, id string) int { return b.Int(id) }

func str(b *guidance.Base, id string) string { return fmt.Sprint(mustLookup(b, id)) }

func mustLookup(b *guidance.Base, id string) any {
	l, ok := b.Lookup(id)
	if !ok {
		panic(fmt.Sprintf("mskreach: unknown guidance id %q", id))
	}
	return l.Value
}

// CloudFormation intrinsics in long form, so the text is YAML and JSON.
func cfnRef(id string) map[string]any { return map[string]any{"Ref": id} }

func cfnGetAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []string{id, attr}}
}

func cfnSub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func finish(r guide.Result) guide.Result {
	if r.Artifacts == nil {
		r.Artifacts = []iac.Artifact{}
	}
	if r.Checks == nil {
		r.Checks = []guide.Check{}
	}
	r.References = dedupe(r.References)
	return r
}

func checkType(t string) (string, error) {
	switch t {
	case "":
		return TypeSetup, nil
	case TypeSetup, TypeNetworking, TypePermissions, TypeTroubleshooting:
		return t, nil
	}
	return "", fmt.Errorf("%w: guidance_type %q is not one of setup, networking, permissions, troubleshooting", iac.ErrInvalid, t)
}
