package judge

import (
	"context"
	"fmt"
	"strings"

	awsx "github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/diagnose"
	"github.com/stream-mcp/stream-mcp/internal/evidence"
)

// SecretProblem is one thing wrong with an auth secret.
type SecretProblem struct {
	ID          string
	Title       string
	Remediation []string
	Reference   string
}

// SecretFacts are what JudgeSecret needs.
type SecretFacts struct {
	Meta awsx.SecretMeta
	// Key is the KMS key when DescribeKey was read (nil otherwise).
	Key *evidence.Key
	// Associated is whether MSK lists the secret for the cluster (nil when
	// ListScramSecrets was not read).
	Associated *bool
	// MSKSCRAM: the secret is a SASL/SCRAM secret of an MSK mapping.
	MSKSCRAM   bool
	ClusterARN string
	// NamePrefix and AWSManagedAlias come from guidance
	// (kafka.msk.scram_secret.name_prefix, diag.secret.aws_managed_key_alias).
	NamePrefix      string
	AWSManagedAlias string
	Region          string
}

// AWSManagedKey reports whether the secret is encrypted with the AWS
// managed key: no KmsKeyId (Secrets Manager's default), the alias, or a
// key DescribeKey says AWS manages.
func (f SecretFacts) AWSManagedKey() bool {
	switch {
	case f.Key != nil:
		return f.Key.Manager == "AWS"
	case f.Meta.KMSKeyID == "":
		return true
	}
	return strings.HasSuffix(f.Meta.KMSKeyID, f.AWSManagedAlias)
}

// JudgeSecret is the one judgement of an auth secret's metadata, used by
// every tool: scheduled for deletion; and for MSK SCRAM the AmazonMSK_
// name prefix, a customer managed KMS key (MSK cannot use a secret on the
// AWS managed key), the key's state and the association with the cluster.
func JudgeSecret(f SecretFacts) []SecretProblem {
	m := f.Meta
	var out []SecretProblem
	if !m.DeletedDate.IsZero() {
		out = append(out, SecretProblem{ID: "authentication.secret_deleted", Title: fmt.Sprintf("the credentials secret %s is scheduled for deletion on %s", m.Name, m.DeletedDate.Format("2006-01-02")),
			Remediation: []string{fmt.Sprintf("aws secretsmanager restore-secret --region %s --secret-id %s", f.Region, m.ARN)}, Reference: refSCRAM})
	}
	if f.Key != nil && f.Key.State != "" && f.Key.State != "Enabled" {
		out = append(out, SecretProblem{ID: "authentication.secret_key_state", Title: fmt.Sprintf("the secret's KMS key %s is %s: nothing can decrypt the secret", f.Key.ARN, f.Key.State),
			Remediation: []string{fmt.Sprintf("aws kms enable-key --region %s --key-id %s (or cancel-key-deletion first)", f.Region, f.Key.ARN)}, Reference: refSCRAM})
	}
	if !f.MSKSCRAM {
		return out
	}
	newName := m.Name
	if !strings.HasPrefix(m.Name, f.NamePrefix) {
		newName = f.NamePrefix + m.Name
		out = append(out, SecretProblem{ID: "authentication.secret_name_prefix", Title: fmt.Sprintf("MSK cannot associate SCRAM secret %q: its name lacks the %s prefix", m.Name, f.NamePrefix),
			Remediation: []string{fmt.Sprintf("Create a secret named %s with the same username/password, encrypted with a customer managed KMS key", newName),
				fmt.Sprintf("aws kafka batch-associate-scram-secret --region %s --cluster-arn %s --secret-arn-list <new secret ARN>, then point the mapping's SASL_SCRAM_512_AUTH at it", f.Region, f.ClusterARN)},
			Reference: refSCRAM})
	}
	if f.AWSManagedKey() {
		out = append(out, SecretProblem{ID: "authentication.secret_aws_managed_key", Title: fmt.Sprintf("SCRAM secret %q is encrypted with the AWS managed key %s: MSK cannot use it (a customer managed key is required)", m.Name, orPlaceholder(m.KMSKeyID, f.AWSManagedAlias)),
			Remediation: []string{fmt.Sprintf("aws kms create-key --region %s --description \"MSK SCRAM secrets\"", f.Region),
				fmt.Sprintf("aws secretsmanager update-secret --region %s --secret-id %s --kms-key-id <new key ARN> (then allow kms:Decrypt on it to the execution role and re-associate: aws kafka batch-associate-scram-secret --cluster-arn %s --secret-arn-list %s)", f.Region, m.ARN, f.ClusterARN, m.ARN)},
			Reference: refSCRAMSetup})
	}
	if f.Associated != nil && !*f.Associated && strings.HasPrefix(m.Name, f.NamePrefix) {
		out = append(out, SecretProblem{ID: "authentication.secret_not_associated", Title: fmt.Sprintf("SCRAM secret %q is not associated with the cluster: the brokers do not know its user", m.Name),
			Remediation: []string{fmt.Sprintf("aws kafka batch-associate-scram-secret --region %s --cluster-arn %s --secret-arn-list %s", f.Region, f.ClusterARN, m.ARN)},
			Reference:   refSCRAM})
	}
	return out
}

func (s *state) checkSecret(ctx context.Context) diagnose.Outcome {
	if s.secret == "" {
		return diagnose.Skipped("the mapping names no secret")
	}
	var outs []diagnose.Outcome
	meta := s.x.Secret
	if meta == nil {
		out, ok := s.unknownOf(evidence.FactSecret, "secret")
		if !ok {
			out = diagnose.Unknown("secret not read")
		}
		outs = append(outs, out)
	} else {
		f := SecretFacts{Meta: *meta, Key: s.x.Key, Associated: s.x.ScramAssociated, MSKSCRAM: s.isMSK && s.scramAuth(), ClusterARN: s.x.ESM.EventSourceARN,
			NamePrefix: stringOf(s.b, "kafka.msk.scram_secret.name_prefix"), AWSManagedAlias: stringOf(s.b, "diag.secret.aws_managed_key_alias"), Region: s.region()}
		detail := fmt.Sprintf("secret %s (KMS key %s)", meta.Name, orPlaceholder(meta.KMSKeyID, f.AWSManagedAlias))
		if f.Key != nil {
			detail += fmt.Sprintf(", key managed by %s, %s", f.Key.Manager, f.Key.State)
		}
		if f.Associated != nil {
			detail += fmt.Sprintf(", associated with the cluster: %v", *f.Associated)
		} else if u, ok := s.x.MissingFact(evidence.FactScram); ok {
			detail += "; association unknown: " + u.Reason
		}
		var fs []diagnose.Finding
		for _, p := range JudgeSecret(f) {
			fs = append(fs, diagnose.Finding{ID: p.ID, Severity: diagnose.Critical, Category: diagnose.Authentication, Title: p.Title, Evidence: detail, Remediation: p.Remediation, Reference: p.Reference})
		}
		if len(fs) > 0 {
			outs = append(outs, diagnose.Fail(detail, fs...))
		} else {
			outs = append(outs, diagnose.Pass(detail))
		}
		if strings.HasPrefix(meta.KMSKeyID, "arn:aws:kms:") && strings.Contains(meta.KMSKeyID, ":key/") {
			outs = append(outs, s.simulate(ctx, "role_kms_decrypt", []string{"kms:Decrypt"}, []string{meta.KMSKeyID}, diagnose.Authentication, refMSKPerms))
		}
	}
	outs = append(outs, s.simulate(ctx, "role_secret_read", s.b.Strings("kafka.esm.role.secret_actions"), []string{s.secret}, diagnose.Authentication, refMSKPerms))
	return merge(outs)
}
