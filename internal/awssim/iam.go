package awssim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// IAMState is the `iam:` section: roles and managed policies.
type IAMState struct {
	Roles    []Role          `yaml:"roles"`
	Policies []ManagedPolicy `yaml:"policies"`
}

// Role is an IAM role with its attached (managed) and inline policies.
// Policy documents are written as YAML objects (or JSON text).
type Role struct {
	RoleName string `yaml:"RoleName"`
	// Arn defaults to arn:aws:iam::ACCOUNT:role/PATHNAME.
	Arn                      string         `yaml:"Arn"`
	Path                     string         `yaml:"Path"`
	Description              string         `yaml:"Description"`
	AssumeRolePolicyDocument any            `yaml:"AssumeRolePolicyDocument"`
	AttachedPolicyArns       []string       `yaml:"AttachedPolicyArns"`
	InlinePolicies           map[string]any `yaml:"InlinePolicies"`
}

// ManagedPolicy is a customer or AWS managed policy (default version only).
type ManagedPolicy struct {
	Arn         string `yaml:"Arn"`
	PolicyName  string `yaml:"PolicyName"`
	Description string `yaml:"Description"`
	Document    any    `yaml:"Document"`
}

func (sc *Scenario) roleARN(r Role) string {
	if r.Arn != "" {
		return r.Arn
	}
	p := r.Path
	if p == "" {
		p = "/"
	}
	return "arn:aws:iam::" + sc.Account + ":role" + p + r.RoleName
}

func (sc *Scenario) findRole(nameOrARN string) (Role, bool) {
	for _, r := range sc.IAM.Roles {
		if r.RoleName == nameOrARN || sc.roleARN(r) == nameOrARN {
			r.Arn = sc.roleARN(r)
			return r, true
		}
	}
	return Role{}, false
}

func (sc *Scenario) findPolicy(arn string) (ManagedPolicy, bool) {
	for _, p := range sc.IAM.Policies {
		if p.Arn == arn {
			if p.PolicyName == "" {
				p.PolicyName = arn[strings.LastIndex(arn, "/")+1:]
			}
			return p, true
		}
	}
	return ManagedPolicy{}, false
}

var iamOps = map[string]bool{"GetRole": true, "ListAttachedRolePolicies": true, "ListRolePolicies": true,
	"GetRolePolicy": true, "GetPolicy": true, "GetPolicyVersion": true, "SimulatePrincipalPolicy": true}

func (s *Server) iamService() service {
	return service{
		name:  "iam",
		proto: protocol{kind: protoQuery, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/"},
		errors: errorCodes{accessDenied: "AccessDenied", throttling: "Throttling", throttlingStatus: http.StatusBadRequest,
			internal: "ServiceFailure", notFound: "NoSuchEntity", notFoundStatus: http.StatusNotFound},
		ops:       opList(iamOps),
		operation: queryActionOp(iamOps),
		handle:    s.iam,
	}
}

// iamCreated is the fixed creation date of simulated IAM entities and KMS
// keys; iamTime is its IAM rendering.
var (
	iamCreated = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	iamTime    = iamCreated.Format(time.RFC3339)
)

// iamEncode URL-encodes a policy document the way IAM returns it (RFC 3986).
func iamEncode(doc any) string {
	return strings.ReplaceAll(url.QueryEscape(rawJSON(doc)), "+", "%20")
}

func noSuchEntity(msg string) *APIError {
	return &APIError{Code: "NoSuchEntity", Message: msg, Status: http.StatusNotFound, Sender: true}
}

type iamRole struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string `xml:",omitempty"`
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
}

type attachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

type evalResult struct {
	EvalActionName       string
	EvalResourceName     string
	EvalDecision         string
	MatchedStatements    []matchedStatement `xml:"MatchedStatements>member"`
	MissingContextValues []string           `xml:"MissingContextValues>member"`
}

type matchedStatement struct {
	SourcePolicyId   string
	SourcePolicyType string
}

func (s *Server) iam(_ context.Context, r *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	f := r.form
	switch r.op {
	case "GetRole", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy":
		role, ok := sc.findRole(f.Get("RoleName"))
		if !ok {
			return nil, noSuchEntity("The role with name " + f.Get("RoleName") + " cannot be found.")
		}
		switch r.op {
		case "GetRole":
			return struct{ Role iamRole }{iamRole{Path: orDefault(role.Path, "/"), RoleName: role.RoleName, RoleId: "AROA" + strings.ToUpper(shortHash(role.Arn)),
				Arn: role.Arn, CreateDate: iamTime, AssumeRolePolicyDocument: iamEncode(role.AssumeRolePolicyDocument), Description: role.Description, MaxSessionDuration: 3600}}, nil
		case "ListAttachedRolePolicies":
			var all []attachedPolicy
			for _, arn := range role.AttachedPolicyArns {
				all = append(all, attachedPolicy{PolicyName: arn[strings.LastIndex(arn, "/")+1:], PolicyArn: arn})
			}
			max, err := intParam(f.Get("MaxItems"), 100)
			if err != nil {
				return nil, err
			}
			items, next, err := page(all, f.Get("Marker"), max)
			if err != nil {
				return nil, err
			}
			return struct {
				AttachedPolicies []attachedPolicy `xml:"AttachedPolicies>member"`
				IsTruncated      bool
				Marker           string `xml:",omitempty"`
			}{items, next != "", next}, nil
		case "ListRolePolicies":
			names := make([]string, 0, len(role.InlinePolicies))
			for n := range role.InlinePolicies {
				names = append(names, n)
			}
			sort.Strings(names)
			max, err := intParam(f.Get("MaxItems"), 100)
			if err != nil {
				return nil, err
			}
			items, next, err := page(names, f.Get("Marker"), max)
			if err != nil {
				return nil, err
			}
			return struct {
				PolicyNames []string `xml:"PolicyNames>member"`
				IsTruncated bool
				Marker      string `xml:",omitempty"`
			}{items, next != "", next}, nil
		default: // GetRolePolicy
			doc, ok := role.InlinePolicies[f.Get("PolicyName")]
			if !ok {
				return nil, noSuchEntity("The role policy with name " + f.Get("PolicyName") + " cannot be found.")
			}
			return struct{ RoleName, PolicyName, PolicyDocument string }{role.RoleName, f.Get("PolicyName"), iamEncode(doc)}, nil
		}
	case "GetPolicy", "GetPolicyVersion":
		p, ok := sc.findPolicy(f.Get("PolicyArn"))
		if !ok {
			return nil, noSuchEntity("Policy " + f.Get("PolicyArn") + " does not exist or is not attachable.")
		}
		if r.op == "GetPolicy" {
			type policy struct {
				PolicyName, PolicyId, Arn, Path, DefaultVersionId string
				AttachmentCount                                   int
				IsAttachable                                      bool
				CreateDate, UpdateDate                            string
				Description                                       string `xml:",omitempty"`
			}
			return struct{ Policy policy }{policy{p.PolicyName, "ANPA" + strings.ToUpper(shortHash(p.Arn)), p.Arn, "/", "v1", 1, true, iamTime, iamTime, p.Description}}, nil
		}
		if v := f.Get("VersionId"); v != "v1" {
			return nil, noSuchEntity("Policy " + p.Arn + " version " + v + " does not exist or is not attachable.")
		}
		type version struct {
			Document         string
			VersionId        string
			IsDefaultVersion bool
			CreateDate       string
		}
		return struct{ PolicyVersion version }{version{iamEncode(p.Document), "v1", true, iamTime}}, nil
	case "SimulatePrincipalPolicy":
		role, ok := sc.findRole(f.Get("PolicySourceArn"))
		if !ok {
			return nil, noSuchEntity("The principal " + f.Get("PolicySourceArn") + " cannot be found.")
		}
		actions := indexed(f, "ActionNames.member")
		if len(actions) == 0 {
			return nil, errBadRequest("InvalidInput", "ActionNames must contain at least one action")
		}
		resources := indexed(f, "ResourceArns.member")
		if len(resources) == 0 {
			resources = []string{"*"}
		}
		var results []evalResult
		for _, a := range actions {
			for _, res := range resources {
				results = append(results, sc.evaluate(role, a, res))
			}
		}
		max, err := intParam(f.Get("MaxItems"), 100)
		if err != nil {
			return nil, err
		}
		items, next, err := page(results, f.Get("Marker"), max)
		if err != nil {
			return nil, err
		}
		return struct {
			EvaluationResults []evalResult `xml:"EvaluationResults>member"`
			IsTruncated       bool
			Marker            string `xml:",omitempty"`
		}{items, next != "", next}, nil
	}
	return nil, errBadRequest("InvalidAction", r.op)
}

// policySource is one identity policy of a role. kind is the
// SourcePolicyType SimulatePrincipalPolicy reports: aws-managed,
// user-managed or role (inline).
type policySource struct {
	id, kind string
	doc      any
}

func (sc *Scenario) rolePolicies(role Role) []policySource {
	var out []policySource
	for _, arn := range role.AttachedPolicyArns {
		if p, ok := sc.findPolicy(arn); ok {
			kind := "user-managed"
			if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
				kind = "aws-managed"
			}
			out = append(out, policySource{p.PolicyName, kind, p.Document})
		}
	}
	names := make([]string, 0, len(role.InlinePolicies))
	for n := range role.InlinePolicies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, policySource{n, "role", role.InlinePolicies[n]})
	}
	return out
}

// statement is one decoded policy statement.
type statement struct {
	Effect      string
	Action      stringList
	NotAction   stringList
	Resource    stringList
	NotResource stringList
	Condition   map[string]map[string]any
}

// stringList decodes a policy field that is a string or a list of strings.
type stringList []string

// UnmarshalJSON accepts "a" or ["a","b"].
func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

func statements(doc any) []statement {
	var d struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(rawJSON(doc)), &d); err != nil {
		return nil
	}
	var one statement
	if err := json.Unmarshal(d.Statement, &one); err == nil && one.Effect != "" {
		return []statement{one}
	}
	var many []statement
	_ = json.Unmarshal(d.Statement, &many)
	return many
}

// evaluate applies IAM's identity-policy logic to one action and resource:
// an explicit Deny wins, else any Allow allows, else implicitDeny. Statements
// with a Condition never match (the simulator has no context values) and
// their keys are reported as MissingContextValues, as SimulatePrincipalPolicy
// does when context is not supplied.
func (sc *Scenario) evaluate(role Role, action, resource string) evalResult {
	res := evalResult{EvalActionName: action, EvalResourceName: resource, EvalDecision: "implicitDeny"}
	var allows, denies []matchedStatement
	for _, src := range sc.rolePolicies(role) {
		for _, st := range statements(src.doc) {
			if !matchAny(st.Action, st.NotAction, action, true) || !matchAny(st.Resource, st.NotResource, resource, false) {
				continue
			}
			if len(st.Condition) > 0 {
				for _, kv := range st.Condition {
					for k := range kv {
						if !contains(res.MissingContextValues, k) {
							res.MissingContextValues = append(res.MissingContextValues, k)
						}
					}
				}
				continue
			}
			m := matchedStatement{SourcePolicyId: src.id, SourcePolicyType: src.kind}
			if strings.EqualFold(st.Effect, "Deny") {
				denies = append(denies, m)
			} else if strings.EqualFold(st.Effect, "Allow") {
				allows = append(allows, m)
			}
		}
	}
	switch {
	case len(denies) > 0:
		res.EvalDecision, res.MatchedStatements = "explicitDeny", denies
	case len(allows) > 0:
		res.EvalDecision, res.MatchedStatements = "allowed", allows
	}
	sort.Strings(res.MissingContextValues)
	return res
}

// matchAny matches v against a positive list, or against the complement of a
// Not- list. Actions compare case-insensitively, resources exactly.
func matchAny(pos, neg stringList, v string, fold bool) bool {
	m := func(list stringList) bool {
		for _, p := range list {
			if fold {
				if wildcardMatch(strings.ToLower(p), strings.ToLower(v)) {
					return true
				}
			} else if wildcardMatch(p, v) {
				return true
			}
		}
		return false
	}
	if len(neg) > 0 {
		return !m(neg)
	}
	return m(pos)
}

// wildcardMatch matches s against a pattern with * (any run) and ? (one
// character), as IAM and EC2 filters do.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
