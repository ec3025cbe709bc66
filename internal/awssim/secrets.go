package awssim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Secret is Secrets Manager secret metadata. The simulator holds no secret
// values and answers no operation that returns one.
type Secret struct {
	Name string `yaml:"Name" json:"Name"`
	// ARN defaults to arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf.
	ARN             string    `yaml:"ARN" json:"ARN"`
	Description     string    `yaml:"Description" json:"Description,omitempty"`
	KmsKeyId        string    `yaml:"KmsKeyId" json:"KmsKeyId,omitempty"`
	RotationEnabled bool      `yaml:"RotationEnabled" json:"RotationEnabled"`
	CreatedDate     Timestamp `yaml:"CreatedDate" json:"CreatedDate,omitzero"`
	LastChangedDate Timestamp `yaml:"LastChangedDate" json:"LastChangedDate,omitzero"`
	DeletedDate     Timestamp `yaml:"DeletedDate" json:"DeletedDate,omitzero"`
	Tags            []SMTag   `yaml:"Tags" json:"Tags,omitempty"`
}

// SMTag is a Secrets Manager tag.
type SMTag struct {
	Key   string `yaml:"Key" json:"Key"`
	Value string `yaml:"Value" json:"Value"`
}

func (sc *Scenario) secretARN(s Secret) string {
	if s.ARN != "" {
		return s.ARN
	}
	return "arn:aws:secretsmanager:" + sc.Region + ":" + sc.Account + ":secret:" + s.Name + "-AbCdEf"
}

func (s *Server) secretsService() service {
	return service{
		name:  "secretsmanager",
		proto: protocol{kind: protoJSON, jsonVersion: "1.1"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "ThrottlingException", throttlingStatus: http.StatusBadRequest,
			internal: "InternalServiceError", notFound: "ResourceNotFoundException"},
		ops:       opList(map[string]bool{"DescribeSecret": true}),
		operation: jsonTargetOp("secretsmanager", map[string]bool{"DescribeSecret": true}),
		handle:    s.secrets,
	}
}

func (s *Server) secrets(_ context.Context, r *request) (any, error) {
	var in struct{ SecretId string }
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("InvalidParameterException", "malformed request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sec := range s.sc.Secrets {
		arn := s.sc.secretARN(sec)
		// Secrets Manager accepts the name, the full ARN or the ARN without
		// its random 6-character suffix.
		if in.SecretId == sec.Name || in.SecretId == arn || (strings.HasPrefix(in.SecretId, "arn:") && strings.HasPrefix(arn, in.SecretId+"-")) {
			sec.ARN = arn
			return sec, nil
		}
	}
	return nil, errBadRequest("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}
