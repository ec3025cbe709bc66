package awssim

import (
	"context"
	"net/http"
	"net/url"
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
	}
}

// jsonTargetOp is the operation resolver of the JSON protocols: the part of
// X-Amz-Target after the dot, when the prefix matches and ops knows it.
func jsonTargetOp(prefix string, ops map[string]bool) func(r *request) string {
	return func(r *request) string {
		p, op, ok := strings.Cut(r.http.Header.Get("X-Amz-Target"), ".")
		if !ok || p != prefix || !ops[op] {
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
}

func pathUnescape(s string) (string, error) { return url.PathUnescape(s) }
