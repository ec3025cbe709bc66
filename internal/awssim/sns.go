package awssim

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// SNSState is the `sns:` section: topics and their subscriptions.
type SNSState struct {
	Topics []SNSTopic `yaml:"topics"`
}

// SNSTopic is a topic; Attributes use GetTopicAttributes names (Policy,
// KmsMasterKeyId, FifoTopic, DisplayName, ...), TopicArn, Owner and the
// subscription counts are derived.
type SNSTopic struct {
	Name          string            `yaml:"Name"`
	Attributes    map[string]string `yaml:"Attributes"`
	Subscriptions []SNSSubscription `yaml:"Subscriptions"`
}

// SNSSubscription is a subscription; Attributes use
// GetSubscriptionAttributes names (RawMessageDelivery, FilterPolicy,
// FilterPolicyScope, RedrivePolicy, PendingConfirmation, ...).
type SNSSubscription struct {
	SubscriptionId string            `yaml:"SubscriptionId"`
	Protocol       string            `yaml:"Protocol"`
	Endpoint       string            `yaml:"Endpoint"`
	Attributes     map[string]string `yaml:"Attributes"`
}

func (n SNSState) check() error {
	for i, t := range n.Topics {
		if t.Name == "" {
			return fmt.Errorf("sns.topics[%d]: Name is required", i)
		}
		for j, s := range t.Subscriptions {
			if s.Protocol == "" || s.Endpoint == "" {
				return fmt.Errorf("sns.topics[%d].Subscriptions[%d]: Protocol and Endpoint are required", i, j)
			}
		}
	}
	return nil
}

func (sc *Scenario) topicARN(name string) string {
	return "arn:aws:sns:" + sc.Region + ":" + sc.Account + ":" + name
}

func (sc *Scenario) subscriptionARN(t SNSTopic, i int) string {
	id := t.Subscriptions[i].SubscriptionId
	if id == "" {
		id = uuidFrom(fmt.Sprintf("sns:%s:%d", t.Name, i))
	}
	return sc.topicARN(t.Name) + ":" + id
}

// attrMap renders a query-protocol map: <entry><key/><value/></entry>,
// sorted by key.
type attrMap map[string]string

// MarshalXML writes the entries.
func (m attrMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range keys {
		entry := struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		}{k, m[k]}
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func (s *Server) snsService() service {
	return service{
		name:  "sns",
		proto: protocol{kind: protoQuery, xmlns: "http://sns.amazonaws.com/doc/2010-03-31/"},
		errors: errorCodes{accessDenied: "AuthorizationError", throttling: "Throttling", throttlingStatus: http.StatusBadRequest,
			internal: "InternalError", notFound: "NotFound", notFoundStatus: http.StatusNotFound},
		ops:       opList(map[string]bool{"GetTopicAttributes": true, "GetSubscriptionAttributes": true, "ListSubscriptionsByTopic": true}),
		operation: queryActionOp(map[string]bool{"GetTopicAttributes": true, "GetSubscriptionAttributes": true, "ListSubscriptionsByTopic": true}),
		handle:    s.sns,
	}
}

func snsNotFound(msg string) *APIError {
	return &APIError{Code: "NotFound", Message: msg, Status: http.StatusNotFound, Sender: true}
}

func (s *Server) sns(_ context.Context, r *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.sc
	f := r.form
	switch r.op {
	case "GetTopicAttributes", "ListSubscriptionsByTopic":
		arn := f.Get("TopicArn")
		if !strings.HasPrefix(arn, "arn:") {
			return nil, errBadRequest("InvalidParameter", "Invalid parameter: TopicArn")
		}
		for _, t := range sc.SNS.Topics {
			if sc.topicARN(t.Name) != arn {
				continue
			}
			if r.op == "ListSubscriptionsByTopic" {
				type member struct{ SubscriptionArn, Owner, Protocol, Endpoint, TopicArn string }
				var all []member
				for i, sub := range t.Subscriptions {
					all = append(all, member{sc.subscriptionARN(t, i), sc.Account, sub.Protocol, sub.Endpoint, arn})
				}
				items, next, err := page(all, f.Get("NextToken"), 100)
				if err != nil {
					return nil, err
				}
				return struct {
					Subscriptions []member `xml:"Subscriptions>member"`
					NextToken     string   `xml:",omitempty"`
				}{items, next}, nil
			}
			pending := 0
			for _, sub := range t.Subscriptions {
				if sub.Attributes["PendingConfirmation"] == "true" {
					pending++
				}
			}
			a := attrMap{
				"TopicArn": arn, "Owner": sc.Account, "DisplayName": "",
				"SubscriptionsConfirmed": strconv.Itoa(len(t.Subscriptions) - pending), "SubscriptionsPending": strconv.Itoa(pending), "SubscriptionsDeleted": "0",
				"Policy": rawJSON(map[string]any{"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": []any{map[string]any{
					"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
					"Action":   []any{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"},
					"Resource": arn, "Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": sc.Account}},
				}}}),
			}
			for k, v := range t.Attributes {
				a[k] = v
			}
			return struct {
				Attributes attrMap
			}{a}, nil
		}
		return nil, snsNotFound("Topic does not exist")
	case "GetSubscriptionAttributes":
		arn := f.Get("SubscriptionArn")
		for _, t := range sc.SNS.Topics {
			for i, sub := range t.Subscriptions {
				if sc.subscriptionARN(t, i) != arn {
					continue
				}
				a := attrMap{
					"SubscriptionArn": arn, "TopicArn": sc.topicARN(t.Name), "Owner": sc.Account, "Protocol": sub.Protocol, "Endpoint": sub.Endpoint,
					"ConfirmationWasAuthenticated": "true", "PendingConfirmation": "false", "RawMessageDelivery": "false",
					"SubscriptionPrincipal": "arn:aws:iam::" + sc.Account + ":user/simulated",
				}
				for k, v := range sub.Attributes {
					a[k] = v
				}
				if a["FilterPolicy"] != "" && a["FilterPolicyScope"] == "" {
					a["FilterPolicyScope"] = "MessageAttributes"
				}
				return struct {
					Attributes attrMap
				}{a}, nil
			}
		}
		if !strings.HasPrefix(arn, "arn:") {
			return nil, errBadRequest("InvalidParameter", "Invalid parameter: SubscriptionArn")
		}
		return nil, snsNotFound("Subscription does not exist")
	}
	return nil, errBadRequest("InvalidAction", r.op)
}
