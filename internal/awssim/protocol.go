package awssim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// protoKind is a wire protocol family.
type protoKind int

const (
	protoRESTJSON protoKind = iota // Lambda, Kafka
	protoJSON                      // awsJson1.0/1.1: SQS, Secrets Manager, Logs, Kinesis
	protoQuery                     // awsQuery: IAM, STS
	protoEC2                       // ec2Query
	protoCustom                    // the service writes its own bodies (rpcv2 CBOR)
)

// requestID is the fixed request ID of every answer; tests do not need
// uniqueness and a fixed value keeps outputs reproducible.
const requestID = "00000000-0000-4000-8000-000000000000"

// protocol encodes results and errors for one protocol.
type protocol struct {
	kind protoKind
	// jsonVersion is "1.0" or "1.1" for protoJSON.
	jsonVersion string
	// xmlns is the XML namespace of protoQuery / protoEC2 responses.
	xmlns string
	// queryCompatible adds the x-amzn-query-error header to JSON errors
	// (SQS, which moved from query to JSON).
	queryCompatible bool
	// typePrefix is the shape namespace some JSON services put before the
	// error code in __type ("com.amazonaws.sqs#").
	typePrefix string
	// errorBody, when set, builds a REST-JSON error body in the service's
	// own layout (Lambda: Type plus message or Message).
	errorBody func(e *APIError) any
	// result and errorf encode bodies for protoCustom.
	result func(w http.ResponseWriter, op string, out any)
	errorf func(w http.ResponseWriter, r *http.Request, op string, e *APIError)
}

func (p protocol) writeResult(w http.ResponseWriter, r *http.Request, op string, out any) {
	switch p.kind {
	case protoRESTJSON, protoJSON:
		ct := "application/json"
		if p.kind == protoJSON {
			ct = "application/x-amz-json-" + p.jsonVersion
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Amzn-RequestId", requestID)
		if out == nil {
			out = struct{}{}
		}
		b, err := json.Marshal(out)
		if err != nil {
			p.writeError(w, r, op, &APIError{Code: "InternalFailure", Message: "awssim: encode: " + err.Error(), Status: http.StatusInternalServerError})
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	case protoQuery:
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-RequestId", requestID)
		body, err := xmlElement(out, op+"Result")
		if err != nil {
			p.writeError(w, r, op, &APIError{Code: "InternalFailure", Message: "awssim: encode: " + err.Error(), Status: http.StatusInternalServerError})
			return
		}
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, `<%sResponse xmlns="%s">%s<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, op, p.xmlns, body, requestID, op)
	case protoEC2:
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Header().Set("X-Amzn-RequestId", requestID)
		body, err := xmlElement(out, "x")
		if err != nil {
			p.writeError(w, r, op, &APIError{Code: "InternalFailure", Message: "awssim: encode: " + err.Error(), Status: http.StatusInternalServerError})
			return
		}
		// EC2 answers <OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
		// with the requestId first.
		inner := strings.TrimSuffix(strings.TrimPrefix(string(body), "<x>"), "</x>")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="%s"><requestId>%s</requestId>%s</%sResponse>`, op, p.xmlns, requestID, inner, op)
	case protoCustom:
		p.result(w, op, out)
	}
}

func (p protocol) writeError(w http.ResponseWriter, r *http.Request, op string, e *APIError) {
	w.Header().Set("X-Amzn-RequestId", requestID)
	switch p.kind {
	case protoRESTJSON, protoJSON:
		ct := "application/json"
		if p.kind == protoJSON {
			ct = "application/x-amz-json-" + p.jsonVersion
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Amzn-ErrorType", e.Code)
		if p.queryCompatible {
			fault := "Receiver"
			if e.Sender {
				fault = "Sender"
			}
			w.Header().Set("X-Amzn-Query-Error", orDefault(e.QueryCode, e.Code)+";"+fault)
		}
		w.WriteHeader(e.Status)
		var body any = map[string]string{"__type": p.typePrefix + e.Code, "message": e.Message}
		if p.errorBody != nil {
			body = p.errorBody(e)
		}
		b, _ := json.Marshal(body)
		_, _ = w.Write(b)
	case protoQuery:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.Status)
		typ := "Receiver"
		if e.Sender {
			typ = "Sender"
		}
		fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			p.xmlns, typ, xmlEscape(e.Code), xmlEscape(e.Message), requestID)
	case protoEC2:
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(e.Status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`,
			xmlEscape(e.Code), xmlEscape(e.Message), requestID)
	case protoCustom:
		p.errorf(w, r, op, e)
	}
}

func xmlElement(v any, name string) ([]byte, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	if v == nil {
		v = struct{}{}
	}
	if err := enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func xmlEscape(s string) string {
	var b []byte
	w := &byteWriter{b: b}
	_ = xml.EscapeText(w, []byte(s))
	return string(w.b)
}

type byteWriter struct{ b []byte }

func (w *byteWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// intParam parses an optional integer parameter; def when absent.
func intParam(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errBadRequest("ValidationException", fmt.Sprintf("%q is not a valid non-negative integer", s))
	}
	return n, nil
}

// page cuts items[start:start+size] where start comes from an opaque token
// (the decimal offset), and returns the next token ("" at the end).
func page[T any](items []T, token string, size int) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", errBadRequest("InvalidParameterValueException", "invalid pagination token")
		}
		start = n
	}
	if size <= 0 {
		size = len(items)
	}
	end := start + size
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], strconv.Itoa(end), nil
}
