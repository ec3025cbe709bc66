package awssim

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// S3State is the `s3:` section: buckets that failure destinations or
// Firehose name.
type S3State struct {
	Buckets []Bucket `yaml:"buckets"`
}

// Bucket is an S3 bucket. Region defaults to the scenario's; Owner to the
// account (another account's bucket answers HeadBucket with 403); Policy
// absent means GetBucketPolicy answers NoSuchBucketPolicy.
type Bucket struct {
	Name   string `yaml:"Name"`
	Region string `yaml:"Region"`
	Owner  string `yaml:"Owner"`
	Policy any    `yaml:"Policy"`
}

func (st S3State) check() error {
	for i, b := range st.Buckets {
		if b.Name == "" {
			return fmt.Errorf("s3.buckets[%d]: Name is required", i)
		}
	}
	return nil
}

// s3Result is an S3 answer: headers and a raw body.
type s3Result struct {
	headers map[string]string
	body    string
}

func (s *Server) s3Service() service {
	return service{
		name: "s3",
		proto: protocol{kind: protoCustom, result: func(w http.ResponseWriter, _ string, out any) {
			res, _ := out.(s3Result)
			for k, v := range res.headers {
				w.Header().Set(k, v)
			}
			w.Header().Set("X-Amz-Request-Id", requestID[:16])
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(res.body))
		}, errorf: writeS3Error},
		errors: errorCodes{accessDenied: "AccessDenied", throttling: "SlowDown", throttlingStatus: http.StatusServiceUnavailable,
			internal: "InternalError", notFound: "NoSuchBucket", notFoundStatus: http.StatusNotFound},
		ops: []string{"HeadBucket", "GetBucketPolicy"},
		operation: func(r *request) string {
			segs := splitEscaped(r.http.URL.EscapedPath())
			if len(segs) != 1 || segs[0] == "" {
				return ""
			}
			switch {
			case r.http.Method == http.MethodHead:
				return "HeadBucket"
			case r.http.Method == http.MethodGet && r.query.Has("policy"):
				return "GetBucketPolicy"
			}
			return ""
		},
		handle: s.s3,
	}
}

// writeS3Error writes S3's REST-XML error. HEAD answers carry no body, so
// the SDK sees only the status (404 NotFound, 403 Forbidden), as with S3.
func writeS3Error(w http.ResponseWriter, _ *http.Request, op string, e *APIError) {
	w.Header().Set("X-Amz-Request-Id", requestID[:16])
	if op == "HeadBucket" {
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><HostId>c2ltdWxhdGVk</HostId></Error>`,
		xmlEscape(e.Code), xmlEscape(e.Message), requestID[:16])
}

func (s *Server) s3(_ context.Context, r *request) (any, error) {
	name := strings.Trim(r.http.URL.Path, "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	for _, b := range sc.S3.Buckets {
		if b.Name != name {
			continue
		}
		if b.Owner != "" && b.Owner != sc.Account {
			return nil, &APIError{Code: "AccessDenied", Message: "Access Denied", Status: http.StatusForbidden, Sender: true}
		}
		region := orDefault(b.Region, sc.Region)
		if r.op == "HeadBucket" {
			return s3Result{headers: map[string]string{"X-Amz-Bucket-Region": region, "X-Amz-Access-Point-Alias": "false"}}, nil
		}
		if b.Policy == nil {
			return nil, errNotFound("NoSuchBucketPolicy", "The bucket policy does not exist")
		}
		return s3Result{headers: map[string]string{"Content-Type": "application/json"}, body: rawJSON(jsonable(b.Policy))}, nil
	}
	return nil, errNotFound("NoSuchBucket", "The specified bucket does not exist")
}
