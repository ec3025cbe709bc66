package awssim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
)

// CloudTrailState is the `cloudtrail:` section: management events answered
// by LookupEvents.
type CloudTrailState struct {
	Events []TrailEvent `yaml:"events"`
}

// TrailEvent is one management event in the LookupEvents shape. EventTime
// may be relative ("now-2h"). CloudTrailEvent is the full record as an
// object; its eventTime, eventName, eventSource, eventID, awsRegion,
// recipientAccountId and readOnly are filled from the other fields when
// absent.
type TrailEvent struct {
	EventId         string          `yaml:"EventId" json:"EventId"`
	EventName       string          `yaml:"EventName" json:"EventName"`
	EventSource     string          `yaml:"EventSource" json:"EventSource"`
	EventTime       Timestamp       `yaml:"EventTime" json:"EventTime"`
	ReadOnly        string          `yaml:"ReadOnly" json:"ReadOnly,omitempty"`
	Username        string          `yaml:"Username" json:"Username,omitempty"`
	AccessKeyId     string          `yaml:"AccessKeyId" json:"AccessKeyId,omitempty"`
	Resources       []TrailResource `yaml:"Resources" json:"Resources,omitempty"`
	CloudTrailEvent map[string]any  `yaml:"CloudTrailEvent" json:"-"`
}

// TrailResource is a resource an event names.
type TrailResource struct {
	ResourceType string `yaml:"ResourceType" json:"ResourceType,omitempty"`
	ResourceName string `yaml:"ResourceName" json:"ResourceName,omitempty"`
}

func (c CloudTrailState) check() error {
	for i, e := range c.Events {
		if e.EventName == "" || e.EventSource == "" || e.EventTime.IsZero() {
			return fmt.Errorf("cloudtrail.events[%d]: EventName, EventSource and EventTime are required", i)
		}
		switch e.ReadOnly {
		case "", "true", "false":
		default:
			return fmt.Errorf("cloudtrail.events[%d].ReadOnly %q: want \"true\" or \"false\"", i, e.ReadOnly)
		}
	}
	return nil
}

func (s *Server) cloudtrailService() service {
	return service{
		name:  "cloudtrail",
		proto: protocol{kind: protoJSON, jsonVersion: "1.1"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "ThrottlingException", throttlingStatus: http.StatusBadRequest,
			internal: "InternalServerError", notFound: "ResourceNotFoundException"},
		ops: []string{"LookupEvents"},
		operation: func(r *request) string {
			// The Go SDK sends the short prefix, botocore (the AWS CLI) the
			// long one of the service model; CloudTrail takes both.
			ops := map[string]bool{"LookupEvents": true}
			if op := jsonTargetOp(cloudtrailTarget, ops)(r); op != "" {
				return op
			}
			return jsonTargetOp(cloudtrailShortTarget, ops)(r)
		},
		handle: s.lookupEvents,
	}
}

// cloudtrailTarget and cloudtrailShortTarget are CloudTrail's X-Amz-Target
// prefixes.
const (
	cloudtrailTarget      = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"
	cloudtrailShortTarget = "CloudTrail_20131101"
)

// lookupAttributeKeys are the LookupAttribute keys the API accepts.
var lookupAttributeKeys = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

// lookupEvents answers LookupEvents as the API reference describes it: at
// most one lookup attribute, StartTime not after EndTime, MaxResults 1-50
// (default 50), newest event first, NextToken paging.
func (s *Server) lookupEvents(_ context.Context, r *request) (any, error) {
	var in struct {
		LookupAttributes []struct{ AttributeKey, AttributeValue string }
		StartTime        *float64
		EndTime          *float64
		EventCategory    string
		MaxResults       *int
		NextToken        string
	}
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &in); err != nil {
			return nil, errBadRequest("SerializationException", "malformed request: "+err.Error())
		}
	}
	if len(in.LookupAttributes) > 1 {
		return nil, errBadRequest("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
	}
	if in.EventCategory != "" {
		return nil, errBadRequest("InvalidEventCategoryException", "awssim: Insights events are not simulated")
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		return nil, errBadRequest("InvalidTimeRangeException", "Start time must be before end time.")
	}
	_, size, _ := bounds("cloudtrail.LookupEvents.MaxResults")
	if in.MaxResults != nil {
		if err := checkBounds("cloudtrail.LookupEvents.MaxResults", "InvalidMaxResultsException", *in.MaxResults); err != nil {
			return nil, err
		}
		size = *in.MaxResults
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []TrailEvent
	for i, e := range s.sc.CloudTrail.Events {
		t := float64(e.EventTime.UnixMilli()) / 1000
		if in.StartTime != nil && t < *in.StartTime || in.EndTime != nil && t > *in.EndTime {
			continue
		}
		if e.EventId == "" {
			e.EventId = fmt.Sprintf("%08x-0000-4000-8000-%012d", i, i)
		}
		if len(in.LookupAttributes) == 1 {
			a := in.LookupAttributes[0]
			if !contains(lookupAttributeKeys, a.AttributeKey) {
				return nil, errBadRequest("InvalidLookupAttributesException", "Invalid lookup attribute key: "+a.AttributeKey)
			}
			if !trailMatch(e, a.AttributeKey, a.AttributeValue) {
				continue
			}
		}
		match = append(match, e)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].EventTime.After(match[j].EventTime.Time) })
	items, next, err := page(match, in.NextToken, size)
	if err != nil {
		return nil, errBadRequest("InvalidNextTokenException", "Invalid NextToken.")
	}
	type event struct {
		TrailEvent
		CloudTrailEvent string
	}
	out := make([]event, 0, len(items))
	for _, e := range items {
		out = append(out, event{e, s.sc.trailRecord(e)})
	}
	return struct {
		Events    []event
		NextToken string `json:",omitempty"`
	}{out, next}, nil
}

func trailMatch(e TrailEvent, key, val string) bool {
	switch key {
	case "EventId":
		return e.EventId == val
	case "EventName":
		return e.EventName == val
	case "ReadOnly":
		return e.ReadOnly == val
	case "Username":
		return e.Username == val
	case "EventSource":
		return e.EventSource == val
	case "AccessKeyId":
		return e.AccessKeyId == val
	}
	for _, res := range e.Resources {
		if key == "ResourceType" && res.ResourceType == val || key == "ResourceName" && res.ResourceName == val {
			return true
		}
	}
	return false
}

// trailRecord renders the CloudTrailEvent JSON text.
func (sc *Scenario) trailRecord(e TrailEvent) string {
	rec := map[string]any{
		"eventVersion":       "1.09",
		"eventTime":          e.EventTime.UTC().Format("2006-01-02T15:04:05Z"),
		"eventSource":        e.EventSource,
		"eventName":          e.EventName,
		"awsRegion":          sc.Region,
		"eventID":            e.EventId,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": sc.Account,
	}
	if e.ReadOnly != "" {
		rec["readOnly"] = e.ReadOnly == "true"
	}
	if e.Username != "" {
		rec["userIdentity"] = map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLE:" + e.Username, "accountId": sc.Account}
	}
	for k, v := range e.CloudTrailEvent {
		rec[k] = v
	}
	return rawJSON(jsonable(rec))
}

// jsonable converts YAML-decoded maps (map[string]any already, but nested
// map[any]any can appear) into values encoding/json accepts.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	}
	return v
}
