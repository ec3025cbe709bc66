package aws

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// RolePolicy is one identity policy of a role, with its document decoded
// from IAM's URL encoding.
type RolePolicy struct {
	Name string `json:"name"`
	// ARN is set for managed policies, empty for inline ones.
	ARN      string `json:"arn,omitempty"`
	Document string `json:"document,omitempty"`
}

// RolePolicies is everything IAM says about a role's permissions.
type RolePolicies struct {
	RoleName string `json:"role_name"`
	RoleARN  string `json:"role_arn"`
	// TrustPolicy is the decoded AssumeRolePolicyDocument.
	TrustPolicy string       `json:"trust_policy,omitempty"`
	Managed     []RolePolicy `json:"managed"`
	Inline      []RolePolicy `json:"inline"`
	Unknown     []Unknown    `json:"unknown,omitempty"`
}

// TrustsService reports whether the trust policy names principal (e.g.
// "lambda.amazonaws.com"); false when the trust policy is unknown.
func (r RolePolicies) TrustsService(principal string) bool {
	return strings.Contains(r.TrustPolicy, `"`+principal+`"`)
}

// RoleNameFromARN returns the role name of arn:aws:iam::ACCOUNT:role/PATH/NAME.
func RoleNameFromARN(arn string) string {
	_, rest, ok := strings.Cut(arn, ":role/")
	if !ok {
		return arn
	}
	return rest[strings.LastIndex(rest, "/")+1:]
}

// RolePolicies reads a role, its trust policy, its managed policies (default
// versions) and its inline policies, fanning out per policy. roleRef is a
// role name or ARN. Failed calls land in Unknown.
func (c *Client) RolePolicies(ctx context.Context, roleRef string) RolePolicies {
	name := RoleNameFromARN(roleRef)
	out := RolePolicies{RoleName: name}
	if err := c.ready(ctx); err != nil {
		out.Unknown = append(out.Unknown, *UnknownFrom("IAM", err))
		return out
	}
	var mu sync.Mutex
	fail := func(call string, err error) {
		mu.Lock()
		defer mu.Unlock()
		out.Unknown = append(out.Unknown, *UnknownFrom(call, err))
	}
	var attached []string
	var inline []string
	c.Parallel(ctx,
		func(ctx context.Context) {
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			r, err := c.iam.GetRole(cctx, &iam.GetRoleInput{RoleName: sdkaws.String(name)})
			if err != nil {
				fail("IAM:GetRole", err)
				return
			}
			out.RoleARN = sdkaws.ToString(r.Role.Arn)
			out.TrustPolicy = decodePolicy(sdkaws.ToString(r.Role.AssumeRolePolicyDocument))
		},
		func(ctx context.Context) {
			pg := iam.NewListAttachedRolePoliciesPaginator(c.iam, &iam.ListAttachedRolePoliciesInput{RoleName: sdkaws.String(name)})
			for i := 0; pg.HasMorePages() && i < 20; i++ {
				cctx, cancel := c.timeout(ctx)
				r, err := pg.NextPage(cctx)
				cancel()
				if err != nil {
					fail("IAM:ListAttachedRolePolicies", err)
					return
				}
				for _, p := range r.AttachedPolicies {
					attached = append(attached, sdkaws.ToString(p.PolicyArn))
				}
			}
		},
		func(ctx context.Context) {
			pg := iam.NewListRolePoliciesPaginator(c.iam, &iam.ListRolePoliciesInput{RoleName: sdkaws.String(name)})
			for i := 0; pg.HasMorePages() && i < 20; i++ {
				cctx, cancel := c.timeout(ctx)
				r, err := pg.NextPage(cctx)
				cancel()
				if err != nil {
					fail("IAM:ListRolePolicies", err)
					return
				}
				inline = append(inline, r.PolicyNames...)
			}
		},
	)
	var fns []func(context.Context)
	for _, arn := range attached {
		fns = append(fns, func(ctx context.Context) {
			rp := RolePolicy{ARN: arn, Name: arn[strings.LastIndex(arn, "/")+1:]}
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			p, err := c.iam.GetPolicy(cctx, &iam.GetPolicyInput{PolicyArn: sdkaws.String(arn)})
			if err != nil {
				fail("IAM:GetPolicy", err)
			} else {
				v, err := c.iam.GetPolicyVersion(cctx, &iam.GetPolicyVersionInput{PolicyArn: sdkaws.String(arn), VersionId: p.Policy.DefaultVersionId})
				if err != nil {
					fail("IAM:GetPolicyVersion", err)
				} else {
					rp.Document = decodePolicy(sdkaws.ToString(v.PolicyVersion.Document))
				}
			}
			mu.Lock()
			out.Managed = append(out.Managed, rp)
			mu.Unlock()
		})
	}
	for _, n := range inline {
		fns = append(fns, func(ctx context.Context) {
			rp := RolePolicy{Name: n}
			cctx, cancel := c.timeout(ctx)
			defer cancel()
			p, err := c.iam.GetRolePolicy(cctx, &iam.GetRolePolicyInput{RoleName: sdkaws.String(name), PolicyName: sdkaws.String(n)})
			if err != nil {
				fail("IAM:GetRolePolicy", err)
			} else {
				rp.Document = decodePolicy(sdkaws.ToString(p.PolicyDocument))
			}
			mu.Lock()
			out.Inline = append(out.Inline, rp)
			mu.Unlock()
		})
	}
	c.Parallel(ctx, fns...)
	sort.Slice(out.Managed, func(i, j int) bool { return out.Managed[i].ARN < out.Managed[j].ARN })
	sort.Slice(out.Inline, func(i, j int) bool { return out.Inline[i].Name < out.Inline[j].Name })
	sort.Slice(out.Unknown, func(i, j int) bool { return out.Unknown[i].Call < out.Unknown[j].Call })
	return out
}

func decodePolicy(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// Decision is IAM's simulated answer for one action on one resource.
type Decision struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// Decision is allowed, explicitDeny or implicitDeny.
	Decision string `json:"decision"`
	// MatchedPolicies names the policies whose statements decided it.
	MatchedPolicies []string `json:"matched_policies,omitempty"`
	// MissingContext lists condition keys IAM could not evaluate.
	MissingContext []string `json:"missing_context,omitempty"`
}

// Allowed reports whether the decision is "allowed".
func (d Decision) Allowed() bool { return d.Decision == "allowed" }

// Simulate asks IAM (SimulatePrincipalPolicy) whether principalARN may call
// each action on each resource (resources empty = "*"). All pages are read
// (at most 50). The decisions come back sorted by action then resource.
func (c *Client) Simulate(ctx context.Context, principalARN string, actions, resources []string) ([]Decision, error) {
	if err := c.ready(ctx); err != nil {
		return nil, err
	}
	in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: sdkaws.String(principalARN), ActionNames: actions}
	if len(resources) > 0 {
		in.ResourceArns = resources
	}
	var out []Decision
	pg := iam.NewSimulatePrincipalPolicyPaginator(c.iam, in)
	for i := 0; pg.HasMorePages() && i < 50; i++ {
		cctx, cancel := c.timeout(ctx)
		r, err := pg.NextPage(cctx)
		cancel()
		if err != nil {
			return out, err
		}
		for _, e := range r.EvaluationResults {
			d := Decision{Action: sdkaws.ToString(e.EvalActionName), Resource: sdkaws.ToString(e.EvalResourceName), Decision: string(e.EvalDecision), MissingContext: e.MissingContextValues}
			for _, m := range e.MatchedStatements {
				if id := sdkaws.ToString(m.SourcePolicyId); id != "" && !contains(d.MatchedPolicies, id) {
					d.MatchedPolicies = append(d.MatchedPolicies, id)
				}
			}
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Action != out[j].Action {
			return out[i].Action < out[j].Action
		}
		return out[i].Resource < out[j].Resource
	})
	return out, nil
}

// CallerIdentity returns the account and ARN the credentials belong to.
func (c *Client) CallerIdentity(ctx context.Context) (account, arn string, err error) {
	if err := c.ready(ctx); err != nil {
		return "", "", err
	}
	cctx, cancel := c.timeout(ctx)
	defer cancel()
	out, err := c.sts.GetCallerIdentity(cctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", err
	}
	return sdkaws.ToString(out.Account), sdkaws.ToString(out.Arn), nil
}
