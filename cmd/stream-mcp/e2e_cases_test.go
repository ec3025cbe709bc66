package main

import (
	"encoding/json"
	"testing"
)

// e2eCase is one tool call the end-to-end suite makes through the binary.
// Every tool adds its cases here: at least one success and one tool error.
type e2eCase struct {
	name          string
	flags         []string // global flags for the server, e.g. --allow-write
	tool          string
	args          map[string]any
	wantError     bool
	errorContains string
	// check inspects the structured result (JSON) of a successful call.
	check func(t *testing.T, raw json.RawMessage)
	// skipCLI leaves the case out of the `stream-mcp call` exit-code test
	// (e.g. it needs a live endpoint that only the session test starts).
	skipCLI bool
}

func e2eCases(t testing.TB) []e2eCase {
	t.Helper()
	var cases []e2eCase
	cases = append(cases, kafkaE2ECases(t)...)
	cases = append(cases, validateConfigE2ECases()...)
	cases = append(cases, esmGuidanceE2ECases()...)
	cases = append(cases, sizingE2ECases()...)
	cases = append(cases, kinesisE2ECases(t)...)
	cases = append(cases, integrationE2ECases()...)
	cases = append(cases, mskopsE2ECases(t)...)
	cases = append(cases, processorE2ECases()...)
	cases = append(cases, hostingE2ECases()...)
	return cases
}
