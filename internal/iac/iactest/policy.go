package iactest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

var reAction = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)

// CheckPolicy parses body strictly as an IAM policy document: Version
// 2012-10-17, statements with Effect Allow or Deny, service:Action actions
// (no bare "*"), and resources that are "*" or ARNs. resourcePolicy allows
// (and requires) a Principal.
func CheckPolicy(t testing.TB, body string, resourcePolicy bool) {
	t.Helper()
	for _, e := range PolicyErrors(body, resourcePolicy) {
		t.Errorf("%s\n%s", e, body)
	}
}

// PolicyErrors is CheckPolicy's finding list.
func PolicyErrors(body string, resourcePolicy bool) []string {
	type statement struct {
		Sid       string                       `json:"Sid"`
		Effect    string                       `json:"Effect"`
		Principal map[string][]string          `json:"Principal"`
		Action    []string                     `json:"Action"`
		Resource  []string                     `json:"Resource"`
		Condition map[string]map[string]string `json:"Condition"`
	}
	var doc struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return []string{"not an IAM policy document: " + err.Error()}
	}
	var errs []string
	if doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
		errs = append(errs, fmt.Sprintf("policy Version %q with %d statements", doc.Version, len(doc.Statement)))
	}
	for i, s := range doc.Statement {
		if s.Effect != "Allow" && s.Effect != "Deny" {
			errs = append(errs, fmt.Sprintf("statement %d: Effect %q", i, s.Effect))
		}
		if len(s.Action) == 0 {
			errs = append(errs, fmt.Sprintf("statement %d: no actions", i))
		}
		for _, a := range s.Action {
			if !reAction.MatchString(a) {
				errs = append(errs, fmt.Sprintf("statement %d: action %q is not service:Action", i, a))
			}
		}
		if (len(s.Principal) > 0) != resourcePolicy {
			errs = append(errs, fmt.Sprintf("statement %d: Principal present=%v in a resource policy=%v", i, len(s.Principal) > 0, resourcePolicy))
		}
		if len(s.Resource) == 0 {
			errs = append(errs, fmt.Sprintf("statement %d: no resources", i))
		}
		for _, r := range s.Resource {
			if r == "*" {
				continue
			}
			if _, err := arn.Parse(r); err != nil {
				errs = append(errs, fmt.Sprintf("statement %d: resource %q is not an ARN", i, r))
			}
		}
	}
	return errs
}

// CheckScript checks a generated bash script: it fails fast and bash -n
// parses it (skipped when bash is missing).
func CheckScript(t testing.TB, body string) {
	t.Helper()
	if !strings.HasPrefix(body, "#!/usr/bin/env bash\nset -euo pipefail\n") {
		t.Errorf("script does not start with set -euo pipefail:\n%s", body)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		return
	}
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("bash -n: %v: %s\n%s", err, stderr.String(), body)
	}
}
