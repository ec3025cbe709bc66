package awssim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Queue is an SQS queue; Attributes use GetQueueAttributes names
// (VisibilityTimeout, RedrivePolicy, FifoQueue, ...). QueueArn is derived
// when absent.
type Queue struct {
	QueueName  string            `yaml:"QueueName"`
	Attributes map[string]string `yaml:"Attributes"`
}

func (sc *Scenario) queueURL(name string) string {
	return "https://sqs." + sc.Region + ".amazonaws.com/" + sc.Account + "/" + name
}

func (s *Server) sqsService() service {
	return service{
		name:  "sqs",
		proto: protocol{kind: protoJSON, jsonVersion: "1.0", queryCompatible: true},
		errors: errorCodes{accessDenied: "AccessDenied", throttling: "RequestThrottled", throttlingStatus: http.StatusBadRequest,
			internal: "InternalError", notFound: "QueueDoesNotExist"},
		operation: jsonTargetOp("AmazonSQS", map[string]bool{"GetQueueUrl": true, "GetQueueAttributes": true}),
		handle:    s.sqs,
	}
}

func (s *Server) sqs(_ context.Context, r *request) (any, error) {
	var in struct {
		QueueName      string
		QueueUrl       string
		AttributeNames []string
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("InvalidParameterValue", "malformed request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	name := in.QueueName
	if r.op == "GetQueueAttributes" {
		name = in.QueueUrl[strings.LastIndex(in.QueueUrl, "/")+1:]
	}
	for _, q := range sc.SQS {
		if q.QueueName != name {
			continue
		}
		if r.op == "GetQueueUrl" {
			return map[string]string{"QueueUrl": sc.queueURL(q.QueueName)}, nil
		}
		attrs := map[string]string{"QueueArn": "arn:aws:sqs:" + sc.Region + ":" + sc.Account + ":" + q.QueueName}
		for k, v := range q.Attributes {
			attrs[k] = v
		}
		all := len(in.AttributeNames) == 0 || contains(in.AttributeNames, "All")
		out := map[string]string{}
		for k, v := range attrs {
			if all || contains(in.AttributeNames, k) {
				out[k] = v
			}
		}
		return map[string]any{"Attributes": out}, nil
	}
	return nil, errBadRequest("QueueDoesNotExist", "The specified queue does not exist.")
}
