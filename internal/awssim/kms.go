package awssim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// KMSState is the `kms:` section: KMS keys with their aliases and policies.
type KMSState struct {
	Keys []KMSKey `yaml:"keys"`
}

// KMSKey is one key in the DescribeKey KeyMetadata shape. KeyManager is AWS
// for AWS managed keys (aliases alias/aws/SERVICE) and CUSTOMER (default)
// otherwise; KeyState defaults to Enabled and Enabled follows it. Policy is
// the key policy (an object or JSON text); absent, GetKeyPolicy returns the
// default policy of the key's kind.
type KMSKey struct {
	KeyId                       string    `yaml:"KeyId" json:"KeyId"`
	Arn                         string    `yaml:"Arn" json:"Arn"`
	AWSAccountId                string    `yaml:"-" json:"AWSAccountId"`
	Description                 string    `yaml:"Description" json:"Description"`
	KeyManager                  string    `yaml:"KeyManager" json:"KeyManager"`
	KeyState                    string    `yaml:"KeyState" json:"KeyState"`
	Enabled                     bool      `yaml:"-" json:"Enabled"`
	KeySpec                     string    `yaml:"KeySpec" json:"KeySpec"`
	CustomerMasterKeySpec       string    `yaml:"-" json:"CustomerMasterKeySpec"`
	KeyUsage                    string    `yaml:"KeyUsage" json:"KeyUsage"`
	Origin                      string    `yaml:"Origin" json:"Origin"`
	MultiRegion                 bool      `yaml:"MultiRegion" json:"MultiRegion"`
	CreationDate                Timestamp `yaml:"CreationDate" json:"CreationDate"`
	DeletionDate                Timestamp `yaml:"DeletionDate" json:"DeletionDate,omitzero"`
	PendingDeletionWindowInDays int       `yaml:"PendingDeletionWindowInDays" json:"PendingDeletionWindowInDays,omitempty"`
	EncryptionAlgorithms        []string  `yaml:"-" json:"EncryptionAlgorithms,omitempty"`
	Aliases                     []string  `yaml:"Aliases" json:"-"`
	Policy                      any       `yaml:"Policy" json:"-"`
}

var kmsKeyStates = []string{"Creating", "Enabled", "Disabled", "PendingDeletion", "PendingImport", "PendingReplicaDeletion", "Unavailable", "Updating"}

func (k KMSState) check() error {
	for i, key := range k.Keys {
		if key.KeyId == "" {
			return fmt.Errorf("kms.keys[%d]: KeyId is required", i)
		}
		if key.KeyManager != "" && key.KeyManager != "AWS" && key.KeyManager != "CUSTOMER" {
			return fmt.Errorf("kms.keys[%d].KeyManager %q: want AWS or CUSTOMER", i, key.KeyManager)
		}
		if key.KeyState != "" && !contains(kmsKeyStates, key.KeyState) {
			return fmt.Errorf("kms.keys[%d].KeyState %q: want one of %s", i, key.KeyState, strings.Join(kmsKeyStates, ", "))
		}
		for _, a := range key.Aliases {
			if !strings.HasPrefix(a, "alias/") {
				return fmt.Errorf("kms.keys[%d].Aliases %q: an alias name starts with alias/", i, a)
			}
		}
	}
	return nil
}

func (sc *Scenario) kmsARN(kind, id string) string {
	return "arn:aws:kms:" + sc.Region + ":" + sc.Account + ":" + kind + "/" + id
}

// metadata fills the derived KeyMetadata members.
func (sc *Scenario) kmsMetadata(k KMSKey) KMSKey {
	k.AWSAccountId = sc.Account
	if k.Arn == "" {
		k.Arn = sc.kmsARN("key", k.KeyId)
	}
	k.KeyManager = orDefault(k.KeyManager, "CUSTOMER")
	k.KeyState = orDefault(k.KeyState, "Enabled")
	k.Enabled = k.KeyState == "Enabled"
	k.KeySpec = orDefault(k.KeySpec, "SYMMETRIC_DEFAULT")
	k.CustomerMasterKeySpec = k.KeySpec
	k.KeyUsage = orDefault(k.KeyUsage, "ENCRYPT_DECRYPT")
	k.Origin = orDefault(k.Origin, "AWS_KMS")
	if k.CreationDate.IsZero() {
		k.CreationDate = Timestamp{iamCreated}
	}
	if k.KeySpec == "SYMMETRIC_DEFAULT" {
		k.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
	}
	if k.Description == "" && k.KeyManager == "AWS" {
		for _, a := range k.Aliases {
			if svc, ok := strings.CutPrefix(a, "alias/aws/"); ok {
				k.Description = "Default key that protects my " + svc + " data when no other key is defined"
			}
		}
	}
	return k
}

// findKey resolves a key ID, key ARN, alias name or alias ARN. allowAlias is
// false for operations that take only a key ID or ARN (GetKeyPolicy). An
// AWS managed alias (alias/aws/SERVICE) that no key carries yet resolves to
// a new AWS managed key, as DescribeKey creates one on first use.
func (sc *Scenario) findKey(ref string, allowAlias bool) (KMSKey, *APIError) {
	alias := ""
	switch {
	case strings.HasPrefix(ref, "alias/"):
		alias = ref
	case strings.HasPrefix(ref, sc.kmsARN("alias", "")):
		alias = "alias/" + strings.TrimPrefix(ref, sc.kmsARN("alias", ""))
	case strings.HasPrefix(ref, "arn:") && strings.Contains(ref, ":alias/"):
		return KMSKey{}, kmsNotFound("Alias " + ref + " is not found.")
	}
	if alias != "" {
		if !allowAlias {
			return KMSKey{}, kmsNotFound("Invalid keyId " + ref)
		}
		for _, k := range sc.KMS.Keys {
			if contains(k.Aliases, alias) {
				return sc.kmsMetadata(k), nil
			}
		}
		if svc, ok := strings.CutPrefix(alias, "alias/aws/"); ok && svc != "" {
			k := KMSKey{KeyId: uuidFrom("kms:" + alias), KeyManager: "AWS", Aliases: []string{alias}}
			return sc.kmsMetadata(k), nil
		}
		return KMSKey{}, kmsNotFound("Alias " + sc.kmsARN("alias", strings.TrimPrefix(alias, "alias/")) + " is not found.")
	}
	id := strings.TrimPrefix(ref, sc.kmsARN("key", ""))
	for _, k := range sc.KMS.Keys {
		if k.KeyId == id || k.Arn == ref {
			return sc.kmsMetadata(k), nil
		}
	}
	if strings.HasPrefix(ref, "arn:") {
		return KMSKey{}, kmsNotFound("Key '" + ref + "' does not exist")
	}
	return KMSKey{}, kmsNotFound("Key '" + sc.kmsARN("key", id) + "' does not exist")
}

func kmsNotFound(msg string) *APIError { return errBadRequest("NotFoundException", msg) }

// uuidFrom is a stable UUID-shaped ID derived from s.
func uuidFrom(s string) string {
	h := shortHash(s) + shortHash(s+"#")
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

func (s *Server) kmsService() service {
	return service{
		name:  "kms",
		proto: protocol{kind: protoJSON, jsonVersion: "1.1"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "ThrottlingException", throttlingStatus: http.StatusBadRequest,
			internal: "KMSInternalException", notFound: "NotFoundException"},
		ops:       opList(map[string]bool{"DescribeKey": true, "GetKeyPolicy": true}),
		operation: jsonTargetOp("TrentService", map[string]bool{"DescribeKey": true, "GetKeyPolicy": true}),
		handle:    s.kms,
	}
}

func (s *Server) kms(_ context.Context, r *request) (any, error) {
	var in struct{ KeyId, PolicyName string }
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("SerializationException", "malformed request: "+err.Error())
	}
	if in.KeyId == "" {
		return nil, errBadRequest("ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, e := s.sc.findKey(in.KeyId, r.op == "DescribeKey")
	if e != nil {
		return nil, e
	}
	if r.op == "DescribeKey" {
		return map[string]any{"KeyMetadata": key}, nil
	}
	name := orDefault(in.PolicyName, "default")
	if name != "default" {
		return nil, kmsNotFound("No such policy exists")
	}
	pol := key.Policy
	if pol == nil {
		pol = s.sc.defaultKeyPolicy(key)
	}
	return map[string]string{"Policy": rawJSON(jsonable(pol)), "PolicyName": name}, nil
}

// defaultKeyPolicy is the policy KMS gives a key created without one: the
// account root may do everything for a customer managed key; an AWS managed
// key is usable only through its service by principals of the account.
func (sc *Scenario) defaultKeyPolicy(k KMSKey) map[string]any {
	if k.KeyManager != "AWS" {
		return map[string]any{"Version": "2012-10-17", "Id": "key-default-1", "Statement": []any{map[string]any{
			"Sid": "Enable IAM User Permissions", "Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::" + sc.Account + ":root"},
			"Action":    "kms:*", "Resource": "*",
		}}}
	}
	svc := "service"
	for _, a := range k.Aliases {
		if v, ok := strings.CutPrefix(a, "alias/aws/"); ok {
			svc = v
		}
	}
	return map[string]any{"Version": "2012-10-17", "Id": "auto-" + svc + "-2", "Statement": []any{
		map[string]any{
			"Sid": "Allow access through " + svc + " for all principals in the account that are authorized to use " + svc, "Effect": "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action":    []any{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"},
			"Resource":  "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"kms:CallerAccount": sc.Account, "kms:ViaService": svc + "." + sc.Region + ".amazonaws.com"}},
		},
		map[string]any{
			"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::" + sc.Account + ":root"},
			"Action":    []any{"kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"},
			"Resource":  "*",
		},
	}}
}
