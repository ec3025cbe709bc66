package awssim

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
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
		proto: protocol{kind: protoJSON, jsonVersion: "1.0", queryCompatible: true, typePrefix: "com.amazonaws.sqs#"},
		errors: errorCodes{accessDenied: "AccessDenied", throttling: "RequestThrottled", throttlingStatus: http.StatusBadRequest,
			internal: "InternalError", notFound: "QueueDoesNotExist"},
		ops:       opList(map[string]bool{"GetQueueUrl": true, "GetQueueAttributes": true, "ListDeadLetterSourceQueues": true}),
		operation: jsonTargetOp("AmazonSQS", map[string]bool{"GetQueueUrl": true, "GetQueueAttributes": true, "ListDeadLetterSourceQueues": true}),
		handle:    s.sqs,
	}
}

func (s *Server) sqs(_ context.Context, r *request) (any, error) {
	var in struct {
		QueueName      string
		QueueUrl       string
		AttributeNames []string
		NextToken      string
		MaxResults     *int
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("InvalidParameterValue", "malformed request: "+err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	name := in.QueueName
	if r.op != "GetQueueUrl" {
		name = in.QueueUrl[strings.LastIndex(in.QueueUrl, "/")+1:]
	}
	for _, q := range sc.SQS {
		if q.QueueName != name {
			continue
		}
		if r.op == "GetQueueUrl" {
			return map[string]string{"QueueUrl": sc.queueURL(q.QueueName)}, nil
		}
		if r.op == "ListDeadLetterSourceQueues" {
			return sc.deadLetterSources(q, in.NextToken, in.MaxResults)
		}
		attrs := map[string]string{"QueueArn": sc.queueARN(q.QueueName)}
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
	return nil, errNoQueue()
}

// errNoQueue is SQS's answer for an unknown queue over the JSON protocol:
// 400, __type com.amazonaws.sqs#QueueDoesNotExist and the legacy query code
// in x-amzn-query-error (SQS developer guide, "Interpreting Amazon SQS JSON
// API responses").
func errNoQueue() *APIError {
	e := errBadRequest("QueueDoesNotExist", "The specified queue does not exist.")
	e.QueryCode = "AWS.SimpleQueueService.NonExistentQueue"
	return e
}

func (sc *Scenario) queueARN(name string) string {
	return "arn:aws:sqs:" + sc.Region + ":" + sc.Account + ":" + name
}

// deadLetterSources lists the queues whose RedrivePolicy names q as
// deadLetterTargetArn (ListDeadLetterSourceQueues: MaxResults 1-1,000; up
// to 1,000 and no NextToken without it, as the API reference says).
func (sc *Scenario) deadLetterSources(q Queue, token string, maxResults *int) (any, error) {
	if token != "" && maxResults == nil {
		return nil, errBadRequest("InvalidParameterValue", "MaxResults is required when NextToken is given.")
	}
	_, size, _ := bounds("sqs.ListDeadLetterSourceQueues.MaxResults")
	if maxResults != nil {
		if err := checkBounds("sqs.ListDeadLetterSourceQueues.MaxResults", "InvalidParameterValue", *maxResults); err != nil {
			return nil, err
		}
		size = *maxResults
	}
	target := sc.queueARN(q.QueueName)
	var urls []string
	for _, src := range sc.SQS {
		if redriveTarget(src) == target {
			urls = append(urls, sc.queueURL(src.QueueName))
		}
	}
	items, next, err := page(urls, token, size)
	if err != nil {
		return nil, err
	}
	if maxResults == nil {
		// "You must set MaxResults to receive a value for NextToken."
		next = ""
	}
	return struct {
		QueueUrls []string `json:"queueUrls"`
		NextToken string   `json:",omitempty"`
	}{nonNil(items), next}, nil
}

// redriveTarget is the deadLetterTargetArn of a queue's RedrivePolicy.
func redriveTarget(q Queue) string {
	var p struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	_ = json.Unmarshal([]byte(q.Attributes["RedrivePolicy"]), &p)
	return p.DeadLetterTargetArn
}

// queueMetrics are the AWS/SQS metrics a queue's approximate counters
// imply, used when the scenario has no series of that name for the queue,
// so GetQueueAttributes and CloudWatch tell the same story.
var queueMetrics = map[string]string{
	"ApproximateNumberOfMessages":           "ApproximateNumberOfMessagesVisible",
	"ApproximateNumberOfMessagesNotVisible": "ApproximateNumberOfMessagesNotVisible",
	"ApproximateNumberOfMessagesDelayed":    "ApproximateNumberOfMessagesDelayed",
}

// queueSeries is the derived CloudWatch series for a queue counter.
func (sc *Scenario) queueSeries(ns, name string, dims map[string]string) *MetricSeries {
	if ns != "AWS/SQS" || len(dims) != 1 || dims["QueueName"] == "" {
		return nil
	}
	for _, q := range sc.SQS {
		if q.QueueName != dims["QueueName"] {
			continue
		}
		for attr, metric := range queueMetrics {
			if metric != name {
				continue
			}
			v, err := strconv.ParseFloat(q.Attributes[attr], 64)
			if err != nil {
				return nil
			}
			return &MetricSeries{Namespace: ns, MetricName: name, Dimensions: dims, Value: &v}
		}
	}
	return nil
}
