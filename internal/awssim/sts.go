package awssim

import (
	"context"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) stsService() service {
	return service{
		name:  "sts",
		proto: protocol{kind: protoQuery, xmlns: "https://sts.amazonaws.com/doc/2011-06-15/"},
		errors: errorCodes{accessDenied: "AccessDenied", throttling: "Throttling", throttlingStatus: http.StatusBadRequest,
			internal: "InternalFailure", notFound: "InvalidIdentityToken"},
		ops:       opList(map[string]bool{"GetCallerIdentity": true}),
		operation: queryActionOp(map[string]bool{"GetCallerIdentity": true}),
		handle: func(context.Context, *request) (any, error) {
			return struct{ UserId, Account, Arn string }{"AIDA" + strings.ToUpper(shortHash(s.sc.CallerARN)), s.sc.Account, s.sc.CallerARN}, nil
		},
	}
}

// shortHash is a stable 16-hex-digit ID derived from s.
func shortHash(s string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	v := strconv.FormatUint(h.Sum64(), 16)
	for len(v) < 16 {
		v = "0" + v
	}
	return v
}
