package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Probe stages, in the order a connection passes them.
const (
	StageDNS           = "dns"
	StageTCP           = "tcp"
	StageTLS           = "tls"
	StageKafka         = "kafka_response"
	StageSASL          = "sasl"
	StageAuthorization = "authorization"
)

// Stage outcomes.
const (
	StageOK      = "ok"
	StageFailed  = "failed"
	StageSkipped = "skipped"
)

// StageResult is one stage of one address.
type StageResult struct {
	Stage  string  `json:"stage" jsonschema:"enum=dns,enum=tcp,enum=tls,enum=kafka_response,enum=sasl,enum=authorization" jsonschema_description:"connection stage"`
	Result string  `json:"result" jsonschema:"enum=ok,enum=failed,enum=skipped" jsonschema_description:"outcome"`
	Reason string  `json:"reason,omitempty" jsonschema_description:"classified cause, e.g. timeout, refused, unknown_ca, bad_credentials, denied"`
	Detail string  `json:"detail,omitempty" jsonschema_description:"what was seen"`
	Millis float64 `json:"ms" jsonschema_description:"time the stage took, milliseconds"`
}

// AddressProbe is the probe of one bootstrap address.
type AddressProbe struct {
	Address string        `json:"address" jsonschema_description:"host:port probed"`
	OK      bool          `json:"ok" jsonschema_description:"every stage passed"`
	Failed  string        `json:"failed_stage,omitempty" jsonschema_description:"first stage that failed"`
	Reason  string        `json:"reason,omitempty" jsonschema_description:"classified cause of that failure"`
	Stages  []StageResult `json:"stages" jsonschema_description:"stages in order"`
}

// ProbeReport is the probe of every bootstrap address.
type ProbeReport struct {
	// Vantage says where the probe ran: the MCP server's host, not the
	// Lambda ESM's ENIs, so a pass here does not prove the mapping's path.
	Vantage   string         `json:"vantage" jsonschema_description:"where the probe ran from"`
	Auth      string         `json:"auth" jsonschema_description:"auth mode probed"`
	Addresses []AddressProbe `json:"addresses" jsonschema_description:"one entry per bootstrap address"`
	// Note says when addresses were left out (duplicates, or more than the
	// probe contacts in one call).
	Note string `json:"note,omitempty" jsonschema_description:"addresses not probed, and why"`
}

// FirstFailure returns the first failing address probe, if any.
func (r ProbeReport) FirstFailure() (AddressProbe, bool) {
	for _, a := range r.Addresses {
		if !a.OK {
			return a, true
		}
	}
	return AddressProbe{}, false
}

// ProbeOptions say what authorization to check after connecting.
type ProbeOptions struct {
	Topic   string // checked with a Metadata request when set
	Group   string // checked with DescribeGroups when set
	Timeout time.Duration
}

// Vantage is the sentence every probe carries.
func Vantage() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("from the stream-mcp server's network position (host %q), not from the Lambda ESM's network interfaces; a pass here proves the brokers answer, not that the mapping's subnets and security groups allow it", host)
}

// Probe checks every bootstrap address of t stage by stage. It never fails:
// a stage that cannot pass is reported with its cause.
func (e Env) Probe(ctx context.Context, t Target, o ProbeOptions) ProbeReport {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	rep := ProbeReport{Vantage: Vantage(), Auth: t.Auth}
	addrs := distinct(t.Bootstrap)
	if max := e.MaxProbeAddresses; max > 0 && len(addrs) > max {
		rep.Note = fmt.Sprintf("probed the first %d of %d distinct bootstrap addresses; the other %d were not contacted (a Lambda mapping takes at most %d bootstrap servers: %s)", max, len(addrs), len(addrs)-max, max, e.ProbeCapSource)
		addrs = addrs[:max]
	}
	for _, addr := range addrs {
		if ctx.Err() != nil {
			rep.Note = strings.TrimPrefix(rep.Note+"; the call's deadline ended the probe before every address was tried", "; ")
			break
		}
		rep.Addresses = append(rep.Addresses, e.probeOne(ctx, t, addr, o))
	}
	return rep
}

func distinct(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (e Env) probeOne(ctx context.Context, t Target, addr string, o ProbeOptions) AddressProbe {
	ap := AddressProbe{Address: addr}
	add := func(s StageResult) bool {
		ap.Stages = append(ap.Stages, s)
		if s.Result == StageFailed && ap.Failed == "" {
			ap.Failed, ap.Reason = s.Stage, s.Reason
		}
		return s.Result != StageFailed
	}
	skipRest := func(stages ...string) {
		for _, s := range stages {
			ap.Stages = append(ap.Stages, StageResult{Stage: s, Result: StageSkipped, Detail: "an earlier stage failed"})
		}
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		add(StageResult{Stage: StageDNS, Result: StageFailed, Reason: "bad_address", Detail: "not host:port"})
		skipRest(StageTCP, StageTLS, StageKafka, StageSASL, StageAuthorization)
		return ap
	}
	// DNS
	start := time.Now()
	if net.ParseIP(host) == nil {
		dctx, cancel := context.WithTimeout(ctx, o.Timeout)
		lookup := e.LookupHost
		if lookup == nil {
			lookup = net.DefaultResolver.LookupHost
		}
		ips, err := lookup(dctx, host)
		cancel()
		sr := StageResult{Stage: StageDNS, Result: StageOK, Detail: fmt.Sprintf("%d address(es)", len(ips)), Millis: ms(start)}
		if err != nil {
			sr.Result, sr.Reason, sr.Detail = StageFailed, dnsReason(err), err.Error()
		}
		if !add(sr) {
			skipRest(StageTCP, StageTLS, StageKafka, StageSASL, StageAuthorization)
			return ap
		}
	} else {
		add(StageResult{Stage: StageDNS, Result: StageSkipped, Detail: "address is an IP"})
	}
	// TCP
	if ctx.Err() != nil {
		// The call's deadline passed: a dial now would "time out" at once
		// and blame the network for it.
		ap.Stages = append(ap.Stages, StageResult{Stage: StageTCP, Result: StageSkipped, Detail: "not tried: the call's deadline had passed"})
		skipRest(StageTLS, StageKafka, StageSASL, StageAuthorization)
		ap.Reason = "deadline"
		return ap
	}
	start = time.Now()
	d := net.Dialer{Timeout: o.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	sr := StageResult{Stage: StageTCP, Result: StageOK, Millis: ms(start)}
	if err != nil {
		sr.Result, sr.Reason, sr.Detail = StageFailed, dialReason(err), err.Error()
	}
	if !add(sr) {
		skipRest(StageTLS, StageKafka, StageSASL, StageAuthorization)
		return ap
	}
	// TLS
	if t.UsesTLS() {
		tc, err := e.TLSConfig(t)
		if err != nil {
			conn.Close()
			add(StageResult{Stage: StageTLS, Result: StageFailed, Reason: "client_config", Detail: err.Error()})
			skipRest(StageKafka, StageSASL, StageAuthorization)
			return ap
		}
		tc = tc.Clone()
		tc.ServerName = host
		start = time.Now()
		tconn := tls.Client(conn, tc)
		_ = tconn.SetDeadline(time.Now().Add(o.Timeout))
		err = tconn.HandshakeContext(ctx)
		sr := StageResult{Stage: StageTLS, Result: StageOK, Millis: ms(start)}
		if err != nil {
			sr.Result, sr.Reason, sr.Detail = StageFailed, tlsReason(err), err.Error()
		} else if cs := tconn.ConnectionState(); len(cs.PeerCertificates) > 0 {
			c := cs.PeerCertificates[0]
			sr.Detail = fmt.Sprintf("server certificate %q issued by %q, expires %s", c.Subject.CommonName, c.Issuer.CommonName, c.NotAfter.UTC().Format(time.DateOnly))
		}
		tconn.Close()
		if !add(sr) {
			skipRest(StageKafka, StageSASL, StageAuthorization)
			return ap
		}
	} else {
		conn.Close()
		add(StageResult{Stage: StageTLS, Result: StageSkipped, Detail: "plaintext listener"})
	}
	// SASL + authorization through a one-broker client.
	one := t
	one.Bootstrap = []string{addr}
	opts, err := e.ClientOpts(one)
	if err != nil {
		add(StageResult{Stage: StageSASL, Result: StageFailed, Reason: "client_config", Detail: err.Error()})
		skipRest(StageAuthorization)
		return ap
	}
	var heard atomic.Int64
	cl, err := kgo.NewClient(append(opts, kgo.DialTimeout(o.Timeout), kgo.RequestRetries(0), kgo.RetryTimeout(o.Timeout),
		// franz-go waits RequestTimeoutOverhead (10 s by default) for a
		// response whatever the context says; a silent broker then held
		// the probe twice as long as its timeout.
		kgo.RequestTimeoutOverhead(o.Timeout),
		kgo.WithHooks(readHook{&heard}))...)
	if err != nil {
		add(StageResult{Stage: StageSASL, Result: StageFailed, Reason: "client_config", Detail: err.Error()})
		skipRest(StageAuthorization)
		return ap
	}
	defer cl.Close()
	start = time.Now()
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "stream-mcp", "probe"
	_, err = cl.Request(rctx, req)
	// The first thing a Kafka broker does after the connection (and TLS)
	// is answer ApiVersions. A listener that accepts and never says a word
	// is not an authentication problem: it is not Kafka, or a hung broker.
	if err != nil && heard.Load() == 0 && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)) {
		add(StageResult{Stage: StageKafka, Result: StageFailed, Reason: "no_response", Millis: ms(start),
			Detail: fmt.Sprintf("no Kafka response after connect (timeout): TCP connected but nothing answered the first Kafka request (ApiVersions) within %s; the port is not a Kafka listener, the broker is hung, or a proxy swallows the traffic", o.Timeout)})
		skipRest(StageSASL, StageAuthorization)
		return ap
	}
	kr := StageResult{Stage: StageKafka, Result: StageOK, Millis: ms(start), Detail: "the broker answers Kafka requests"}
	if heard.Load() == 0 {
		kr = StageResult{Stage: StageKafka, Result: StageSkipped, Detail: "no answer to judge: the connection failed first"}
	}
	ap.Stages = append(ap.Stages, kr)
	sr = StageResult{Stage: StageSASL, Result: StageOK, Millis: ms(start)}
	if m, _ := e.Mechanism(t); m == nil {
		sr.Result, sr.Detail = StageSkipped, "auth "+t.Auth+" has no SASL step"
	} else {
		sr.Detail = "mechanism " + m.Name()
	}
	if err != nil {
		sr.Result, sr.Reason, sr.Detail = StageFailed, saslReason(err), err.Error()
		if sr.Reason == "auth_rejected" {
			sr.Detail = "the broker closed the connection during authentication (" + err.Error() + "): bad credentials, a SASL mechanism the listener does not enable, or a plaintext/TLS mismatch"
		}
	}
	if !add(sr) {
		skipRest(StageAuthorization)
		return ap
	}
	start = time.Now()
	az := StageResult{Stage: StageAuthorization, Result: StageOK, Millis: 0}
	reason, detail := authorize(rctx, cl, o)
	az.Millis = ms(start)
	if reason != "" {
		az.Result, az.Reason = StageFailed, reason
	}
	az.Detail = detail
	add(az)
	ap.OK = ap.Failed == ""
	return ap
}

// authorize issues Metadata (and DescribeGroups) and classifies denials.
func authorize(ctx context.Context, cl *kgo.Client, o ProbeOptions) (reason, detail string) {
	mreq := kmsg.NewPtrMetadataRequest()
	if o.Topic != "" {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(o.Topic)
		mreq.Topics = append(mreq.Topics, rt)
	}
	mresp, err := mreq.RequestWith(ctx, cl)
	if err != nil {
		if errors.Is(err, kerr.ClusterAuthorizationFailed) {
			return "denied", "metadata denied: " + err.Error()
		}
		return "request_failed", "metadata: " + err.Error()
	}
	parts := []string{fmt.Sprintf("metadata ok (%d brokers, %d topics visible)", len(mresp.Brokers), len(mresp.Topics))}
	for _, tp := range mresp.Topics {
		if o.Topic == "" {
			break
		}
		if err := kerr.ErrorForCode(tp.ErrorCode); err != nil {
			if errors.Is(err, kerr.TopicAuthorizationFailed) {
				return "denied", fmt.Sprintf("topic %q: describe denied (TOPIC_AUTHORIZATION_FAILED)", o.Topic)
			}
			if errors.Is(err, kerr.UnknownTopicOrPartition) {
				parts = append(parts, fmt.Sprintf("topic %q does not exist", o.Topic))
				continue
			}
			parts = append(parts, fmt.Sprintf("topic %q: %v", o.Topic, err))
		} else {
			parts = append(parts, fmt.Sprintf("topic %q describable", o.Topic))
		}
	}
	if o.Group != "" {
		greq := kmsg.NewPtrDescribeGroupsRequest()
		greq.Groups = []string{o.Group}
		gresp, err := greq.RequestWith(ctx, cl)
		switch {
		case errors.Is(err, kerr.GroupAuthorizationFailed):
			return "denied", fmt.Sprintf("group %q: describe denied (GROUP_AUTHORIZATION_FAILED)", o.Group)
		case err != nil:
			parts = append(parts, "group describe: "+err.Error())
		case len(gresp.Groups) == 1:
			if gerr := kerr.ErrorForCode(gresp.Groups[0].ErrorCode); gerr != nil {
				if errors.Is(gerr, kerr.GroupAuthorizationFailed) {
					return "denied", fmt.Sprintf("group %q: describe denied (GROUP_AUTHORIZATION_FAILED)", o.Group)
				}
				parts = append(parts, fmt.Sprintf("group %q: %v", o.Group, gerr))
			} else {
				parts = append(parts, fmt.Sprintf("group %q describable", o.Group))
			}
		}
	}
	return "", strings.Join(parts, "; ")
}

func ms(start time.Time) float64 {
	return float64(time.Since(start).Microseconds()) / 1000
}

func dnsReason(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		switch {
		case de.IsNotFound:
			return "nxdomain"
		case de.IsTimeout:
			return "timeout"
		}
	}
	return "lookup_failed"
}

func dialReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		// A silent drop (security group, NACL, no route) times out; a
		// listening-nothing host refuses.
		return "timeout"
	}
	return "dial_failed"
}

func tlsReason(err error) string {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var ne net.Error
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &ua):
		return "unknown_ca"
	case errors.As(err, &hn):
		return "hostname_mismatch"
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return "certificate_expired"
		}
		return "certificate_invalid"
	case errors.As(err, &rh):
		return "not_tls" // the listener speaks plaintext
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "certificate required"), strings.Contains(err.Error(), "bad certificate"):
		return "client_certificate_rejected"
	}
	return "handshake_failed"
}

func saslReason(err error) string {
	switch {
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return "bad_credentials"
	case errors.Is(err, kerr.UnsupportedSaslMechanism):
		return "mechanism_not_enabled"
	case errors.Is(err, kerr.IllegalSaslState):
		return "sasl_state"
	case errors.Is(err, ErrCredentials):
		return "client_credentials"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	if strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "connection reset") {
		// Some brokers close the connection instead of answering
		// SASL_AUTHENTICATION_FAILED: bad credentials, a mechanism the
		// listener does not enable, a TLS/plaintext mismatch, or a
		// connection quota.
		return "auth_rejected"
	}
	return "failed"
}

// readHook counts the bytes read from brokers: zero after a timeout means
// nothing ever answered.
type readHook struct{ n *atomic.Int64 }

func (h readHook) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, bytesRead int, _, _ time.Duration, _ error) {
	h.n.Add(int64(bytesRead))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
