package awssim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Call is one request the simulator answered, in arrival order.
type Call struct {
	// Service is the signing name the request was routed by.
	Service string `json:"service"`
	// Operation is the API operation name ("" when it was not recognised).
	Operation string `json:"operation"`
	// Mutating is true for operations that would change state.
	Mutating bool `json:"mutating"`
	// Status is the HTTP status code returned.
	Status int `json:"status"`
	// ErrorCode is the AWS error code returned, if any.
	ErrorCode string `json:"error_code,omitempty"`
	// Fault is true when the error or latency was injected by a Fault.
	Fault bool `json:"fault,omitempty"`
	// Start and End bound the call's handling, so tests can prove calls
	// were in flight together without timing thresholds.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Overlaps reports whether two calls were in flight at the same time.
func (c Call) Overlaps(o Call) bool {
	return c.Start.Before(o.End) && o.Start.Before(c.End)
}

// Server is a running simulator. It is safe for concurrent use.
type Server struct {
	sc  *Scenario
	ln  net.Listener
	srv *http.Server
	svc map[string]service

	stop func() bool // unregisters the close-on-ctx-done hook

	mu     sync.Mutex
	calls  []Call
	faults []int // per Fault: how many calls it has matched
}

// Start serves sc on 127.0.0.1 on a free port until ctx ends or Close is
// called. The scenario is copied: state changes made through the API stay in
// the server.
func Start(ctx context.Context, sc *Scenario) (*Server, error) {
	return Listen(ctx, sc, "127.0.0.1:0")
}

// Listen is Start on a given address. Only loopback addresses are accepted:
// the simulator answers unauthenticated requests.
func Listen(ctx context.Context, sc *Scenario, addr string) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("awssim: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("awssim: listen address %q is not loopback; use 127.0.0.1:PORT", addr)
	}
	own, err := sc.Clone()
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("awssim: %w", err)
	}
	s := &Server{sc: own, ln: ln, faults: make([]int, len(own.Faults))}
	s.svc = map[string]service{}
	for _, v := range s.services() {
		s.svc[v.name] = v
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	// Close when ctx ends; Close unregisters this, so a server closed
	// first (or started with a context that never ends) leaves no
	// goroutine waiting behind it.
	s.stop = context.AfterFunc(ctx, func() { _ = s.srv.Close() })
	return s, nil
}

// URL is the endpoint to give the SDK (BaseEndpoint) or --endpoint-url.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Scenario returns the server's current state. Callers must not modify it.
func (s *Server) Scenario() *Scenario { return s.sc }

// Close stops the server.
func (s *Server) Close() error {
	if s.stop != nil {
		s.stop()
	}
	err := s.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Calls returns a copy of the call log.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// MutatingCalls returns the calls that would have changed state.
func (s *Server) MutatingCalls() []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Mutating {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls clears the call log (fault counters keep counting).
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// readVerbs are the operation-name prefixes of read-only AWS operations.
var readVerbs = []string{"Describe", "Get", "List", "Filter", "Simulate", "Head", "BatchGet", "Search", "Lookup", "Query", "Scan", "Select", "Test", "Validate"}

// IsMutating reports whether an operation would change state: anything
// whose name does not start with a read verb. Unknown operations count as
// mutating, so a new write path cannot slip through a test unnoticed.
func IsMutating(operation string) bool {
	for _, v := range readVerbs {
		if strings.HasPrefix(operation, v) {
			return false
		}
	}
	return true
}

// scopeRE extracts the service from a SigV4 credential scope.
var scopeRE = regexp.MustCompile(`Credential=[^/,\s]+/\d{8}/[^/]+/([^/,\s]+)/aws4_request`)

// targetPrefixes maps an X-Amz-Target prefix to a signing name, for
// unsigned requests.
var targetPrefixes = map[string]string{
	"AmazonSQS":           "sqs",
	"secretsmanager":      "secretsmanager",
	"Logs_20140328":       "logs",
	"Kinesis_20131202":    "kinesis",
	cloudtrailTarget:      "cloudtrail",
	cloudtrailShortTarget: "cloudtrail",
	"TrentService":        "kms",
	"Firehose_20150804":   "firehose",
}

// request is one decoded HTTP request handed to a service.
type request struct {
	http    *http.Request
	body    []byte
	service string
	op      string
	form    url.Values        // query protocols: the decoded body
	labels  map[string]string // REST protocols: decoded path labels
	query   url.Values        // REST protocols: the query string
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	name := ""
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		name = m[1]
	} else if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndexByte(t, '.'); i > 0 {
			name = targetPrefixes[t[:i]]
		}
	}
	svc, ok := s.svc[name]
	if !ok {
		s.record(Call{Service: name, Mutating: true, Status: http.StatusBadRequest, ErrorCode: "UnknownService"})
		http.Error(w, fmt.Sprintf("awssim: no simulated service %q (credential scope of the Authorization header)", name), http.StatusBadRequest)
		return
	}
	req := &request{http: r, body: body, service: name, query: r.URL.Query()}
	if svc.proto.kind == protoQuery || svc.proto.kind == protoEC2 {
		req.form, _ = url.ParseQuery(string(body))
	}
	req.op = svc.operation(req)
	call := Call{Service: name, Operation: req.op, Mutating: IsMutating(req.op), Start: time.Now()}
	if req.op == "" {
		call.Mutating = true
		e := &APIError{Code: "UnknownOperationException", Message: "awssim: operation not simulated: " + r.Method + " " + r.URL.Path, Status: http.StatusNotFound}
		call.Status, call.ErrorCode = e.Status, e.Code
		s.record(call)
		svc.proto.writeError(w, r, req.op, e)
		return
	}
	if f, ok := s.fault(name, req.op); ok {
		call.Fault = true
		if f.Latency.Duration > 0 {
			t := time.NewTimer(f.Latency.Duration)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
			}
		}
		if f.Error != "" {
			e := faultError(s.sc, svc, req.op, f)
			call.Status, call.ErrorCode = e.Status, e.Code
			s.record(call)
			svc.proto.writeError(w, r, req.op, e)
			return
		}
	}
	out, err := svc.handle(r.Context(), req)
	if err != nil {
		var e *APIError
		if !errors.As(err, &e) {
			e = &APIError{Code: "InternalFailure", Message: err.Error(), Status: http.StatusInternalServerError}
		}
		call.Status, call.ErrorCode = e.Status, e.Code
		s.record(call)
		svc.proto.writeError(w, r, req.op, e)
		return
	}
	call.Status = http.StatusOK
	s.record(call)
	svc.proto.writeResult(w, r, req.op, out)
}

func (s *Server) record(c Call) {
	c.End = time.Now()
	if c.Start.IsZero() {
		c.Start = c.End
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// fault returns the first scenario fault matching the call, counting it.
func (s *Server) fault(svc, op string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.sc.Faults {
		if f.Service != "" && f.Service != "*" && f.Service != svc {
			continue
		}
		if f.Operation != "" && f.Operation != "*" && f.Operation != op {
			continue
		}
		if f.Count > 0 && s.faults[i] >= f.Count {
			continue
		}
		s.faults[i]++
		return f, true
	}
	return Fault{}, false
}

// APIError is an AWS error answer: code, message and HTTP status.
type APIError struct {
	Code    string
	Message string
	Status  int
	// Sender marks a client-side fault in query protocols (Type Sender vs
	// Receiver).
	Sender bool
	// QueryCode is the awsQuery error code a query-compatible JSON service
	// (SQS) sends in the x-amzn-query-error header when it differs from
	// Code (AWS.SimpleQueueService.NonExistentQueue for QueueDoesNotExist).
	QueryCode string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func errNotFound(code, msg string) *APIError {
	return &APIError{Code: code, Message: msg, Status: http.StatusNotFound, Sender: true}
}

func errBadRequest(code, msg string) *APIError {
	return &APIError{Code: code, Message: msg, Status: http.StatusBadRequest, Sender: true}
}

// faultError builds the service-specific error for an injected fault.
func faultError(sc *Scenario, svc service, op string, f Fault) *APIError {
	e := &APIError{Message: f.Message}
	codes := svc.errors
	switch f.Error {
	case "access_denied":
		e.Code, e.Status, e.Sender = codes.accessDenied, http.StatusForbidden, true
		if e.Status == http.StatusForbidden && codes.accessDeniedStatus != 0 {
			e.Status = codes.accessDeniedStatus
		}
		if e.Message == "" {
			e.Message = fmt.Sprintf("User: %s is not authorized to perform: %s:%s because no identity-based policy allows the %s:%s action", sc.CallerARN, svc.iamPrefix(), op, svc.iamPrefix(), op)
		}
	case "throttling":
		e.Code, e.Status, e.Sender = codes.throttling, codes.throttlingStatus, true
		if e.Message == "" {
			e.Message = "Rate exceeded"
		}
	case "server_error":
		e.Code, e.Status = codes.internal, http.StatusInternalServerError
		if e.Message == "" {
			e.Message = "We encountered an internal error. Please try again."
		}
	case "unavailable":
		e.Code, e.Status = orDefault(codes.unavailable, "ServiceUnavailable"), codes.unavailableStatus
		if e.Status == 0 {
			e.Status = http.StatusServiceUnavailable
		}
		if e.Message == "" {
			e.Message = "Service is unavailable. Please try again later."
		}
	case "not_found":
		e.Code, e.Sender = codes.notFound, true
		if codes.notFoundFor != nil {
			e.Code = orDefault(codes.notFoundFor(op), e.Code)
		}
		e.Status = codes.notFoundStatus
		if e.Status == 0 {
			e.Status = http.StatusBadRequest
			if svc.proto.kind == protoRESTJSON {
				e.Status = http.StatusNotFound
			}
		}
		if e.Code == "QueueDoesNotExist" {
			e.QueryCode = "AWS.SimpleQueueService.NonExistentQueue"
		}
		if e.Message == "" {
			e.Message = "The requested resource was not found"
		}
	}
	return e
}
