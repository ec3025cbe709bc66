package awssim

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// LogGroup is a CloudWatch Logs group with its events.
type LogGroup struct {
	LogGroupName string     `yaml:"logGroupName"`
	Events       []LogEvent `yaml:"events"`
}

// LogEvent is one log line.
type LogEvent struct {
	LogStreamName string    `yaml:"logStreamName"`
	Timestamp     Timestamp `yaml:"timestamp"`
	Message       string    `yaml:"message"`
}

func (s *Server) logsService() service {
	return service{
		name:  "logs",
		proto: protocol{kind: protoJSON, jsonVersion: "1.1"},
		errors: errorCodes{accessDenied: "AccessDeniedException", accessDeniedStatus: http.StatusBadRequest,
			throttling: "ThrottlingException", throttlingStatus: http.StatusBadRequest,
			internal: "ServiceUnavailableException", notFound: "ResourceNotFoundException"},
		ops:       opList(map[string]bool{"FilterLogEvents": true}),
		operation: jsonTargetOp("Logs_20140328", map[string]bool{"FilterLogEvents": true}),
		handle:    s.logs,
	}
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

func (s *Server) logs(_ context.Context, r *request) (any, error) {
	var in struct {
		LogGroupName       string   `json:"logGroupName"`
		LogGroupIdentifier string   `json:"logGroupIdentifier"`
		LogStreamNames     []string `json:"logStreamNames"`
		StartTime          *int64   `json:"startTime"`
		EndTime            *int64   `json:"endTime"`
		FilterPattern      string   `json:"filterPattern"`
		NextToken          string   `json:"nextToken"`
		Limit              int      `json:"limit"`
	}
	if err := json.Unmarshal(r.body, &in); err != nil {
		return nil, errBadRequest("InvalidParameterException", "malformed request: "+err.Error())
	}
	name := in.LogGroupName
	if name == "" {
		name = in.LogGroupIdentifier[strings.LastIndex(in.LogGroupIdentifier, ":log-group:")+len(":log-group:"):]
		name = strings.TrimSuffix(name, ":*")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.sc.Logs {
		if g.LogGroupName != name {
			continue
		}
		terms := patternTerms(in.FilterPattern)
		var match []filteredEvent
		for i, e := range g.Events {
			ms := e.Timestamp.UnixMilli()
			if in.StartTime != nil && ms < *in.StartTime || in.EndTime != nil && ms > *in.EndTime {
				continue
			}
			if len(in.LogStreamNames) > 0 && !contains(in.LogStreamNames, e.LogStreamName) {
				continue
			}
			ok, anyOf, anyHit := true, false, false
			for _, t := range terms {
				if alt, isAlt := strings.CutPrefix(t, "?"); isAlt {
					// ?A ?B matches events with any of the terms.
					anyOf = true
					anyHit = anyHit || strings.Contains(e.Message, alt)
					continue
				}
				ok = ok && strings.Contains(e.Message, t)
			}
			ok = ok && (!anyOf || anyHit)
			if ok {
				match = append(match, filteredEvent{e.LogStreamName, ms, e.Message, ms + 250, strconv.Itoa(i)})
			}
		}
		size := in.Limit
		if size <= 0 {
			size = 10000
		}
		items, next, err := page(match, in.NextToken, size)
		if err != nil {
			return nil, err
		}
		return struct {
			Events    []filteredEvent `json:"events"`
			NextToken string          `json:"nextToken,omitempty"`
		}{nonNil(items), next}, nil
	}
	return nil, errBadRequest("ResourceNotFoundException", "The specified log group does not exist.")
}

// patternTerms reads the simple CloudWatch Logs filter pattern forms: terms
// that must all appear, each bare or in double quotes, and ?-prefixed
// terms of which one must appear (returned with their "?").
func patternTerms(p string) []string {
	var out []string
	for p = strings.TrimSpace(p); p != ""; p = strings.TrimSpace(p) {
		alt := ""
		if strings.HasPrefix(p, "?") {
			alt, p = "?", p[1:]
		}
		if p != "" && p[0] == '"' {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				out = append(out, alt+p[1:])
				break
			}
			out = append(out, alt+p[1:end+1])
			p = p[end+2:]
			continue
		}
		if alt != "" {
			p = alt + p
		}
		sp := strings.IndexByte(p, ' ')
		if sp < 0 {
			out = append(out, p)
			break
		}
		out = append(out, p[:sp])
		p = p[sp:]
	}
	return out
}
