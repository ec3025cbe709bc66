package awssim

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// service is one simulated AWS service. See "Adding a service" in doc.go.
type service struct {
	// name is the SigV4 signing name (credential scope service).
	name string
	// actionPrefix is the IAM action prefix when it differs from name
	// (monitoring -> cloudwatch).
	actionPrefix string
	proto        protocol
	errors       errorCodes
	// ops lists the operations the service answers (the conformance test
	// exercises each one).
	ops []string
	// operation names the requested operation, "" when not simulated.
	operation func(r *request) string
	// handle answers one operation with an output value or an *APIError.
	handle func(ctx context.Context, r *request) (any, error)
}

// errorCodes are a service's codes for the injected fault kinds.
type errorCodes struct {
	accessDenied       string
	accessDeniedStatus int // default 403
	throttling         string
	throttlingStatus   int
	internal           string
	notFound           string
	// notFoundStatus is the not-found status when it differs from the
	// protocol's usual one (400 for JSON and query protocols, 404 for
	// REST-JSON): IAM NoSuchEntity and SNS NotFound are 404.
	notFoundStatus int
	// notFoundFor names the not-found code per operation (EC2 has one per
	// resource type); "" falls back to notFound.
	notFoundFor func(op string) string
	// unavailable and unavailableStatus are the service's code for a
	// temporary outage (default the common ServiceUnavailable 503): MSK
	// has ServiceUnavailableException 503, Lambda only ServiceException
	// 500.
	unavailable       string
	unavailableStatus int
}

func (s service) iamPrefix() string {
	if s.actionPrefix != "" {
		return s.actionPrefix
	}
	return s.name
}

// services lists every simulated service. Adding one is adding a line here
// and a file with its constructor.
func (s *Server) services() []service {
	return []service{
		s.lambdaService(),
		s.kafkaService(),
		s.ec2Service(),
		s.iamService(),
		s.stsService(),
		s.sqsService(),
		s.secretsService(),
		s.logsService(),
		s.kinesisService(),
		s.cloudwatchService(),
		s.cloudtrailService(),
		s.kmsService(),
		s.dynamodbService(),
		s.snsService(),
		s.s3Service(),
		s.osisService(),
		s.firehoseService(),
	}
}

// jsonTargetOp is the operation resolver of the JSON protocols: the part of
// X-Amz-Target after the dot, when the prefix matches and ops knows it.
func jsonTargetOp(prefix string, ops map[string]bool) func(r *request) string {
	return func(r *request) string {
		// The prefix may itself contain dots
		// (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).
		t := r.http.Header.Get("X-Amz-Target")
		i := strings.LastIndexByte(t, '.')
		if i < 0 {
			return ""
		}
		p, op := t[:i], t[i+1:]
		if p != prefix || !ops[op] {
			return ""
		}
		return op
	}
}

// queryActionOp is the operation resolver of the query protocols.
func queryActionOp(ops map[string]bool) func(r *request) string {
	return func(r *request) string {
		a := r.form.Get("Action")
		if !ops[a] {
			return ""
		}
		return a
	}
}

// restRoute is one REST operation: method and a path pattern whose
// {labels} match one path segment each.
type restRoute struct {
	method, pattern, op string
}

// routeOps lists the operations of REST routes.
func routeOps(routes []restRoute) []string {
	out := make([]string, 0, len(routes))
	for _, r := range routes {
		out = append(out, r.op)
	}
	return out
}

// opList lists the keys of an operation set, sorted.
func opList(ops map[string]bool) []string {
	out := make([]string, 0, len(ops))
	for k := range ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// restOp resolves REST operations by method and path. Labels are matched on
// the escaped path, so an ARN label with %2F stays one segment.
func restOp(routes []restRoute) func(r *request) string {
	return func(r *request) string {
		segs := splitEscaped(r.http.URL.EscapedPath())
		for _, rt := range routes {
			if rt.method != r.http.Method {
				continue
			}
			pat := strings.Split(strings.Trim(rt.pattern, "/"), "/")
			if len(pat) != len(segs) {
				continue
			}
			labels := map[string]string{}
			ok := true
			for i, p := range pat {
				if strings.HasPrefix(p, "{") {
					labels[strings.Trim(p, "{}")] = segs[i]
					continue
				}
				if p != segs[i] {
					ok = false
					break
				}
			}
			if ok {
				r.labels = labels
				return rt.op
			}
		}
		return ""
	}
}

func splitEscaped(p string) []string {
	var out []string
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if u, err := pathUnescape(s); err == nil {
			out = append(out, u)
		} else {
			out = append(out, s)
		}
	}
	return out
}

var restJSONErrors = errorCodes{
	accessDenied: "AccessDeniedException", throttling: "TooManyRequestsException",
	throttlingStatus: http.StatusTooManyRequests, internal: "ServiceException", notFound: "ResourceNotFoundException",
	unavailable: "ServiceException", unavailableStatus: http.StatusInternalServerError,
}

func pathUnescape(s string) (string, error) { return url.PathUnescape(s) }
