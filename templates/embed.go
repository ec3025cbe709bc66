// Package templates holds the files generated stacks embed verbatim: the
// starter function handlers (one per event-source family) that show the
// event shape and the partial-batch response Lambda expects. They contain no
// placeholders; internal/iac encodes them into templates with its
// serializers, so nothing a caller sends is ever spliced into them.
package templates

import (
	"embed"
	"fmt"
)

//go:embed handlers/*.py
var files embed.FS

// Family is an event-source family with its own event and response shape.
type Family string

// The handler families.
const (
	FamilyKinesis  Family = "kinesis"
	FamilyDynamoDB Family = "dynamodb"
	FamilySQS      Family = "sqs"
	FamilyKafka    Family = "kafka"
)

// Handler returns the Python handler source for a family, and the Lambda
// handler string that names it (module.function).
func Handler(f Family) (code, handler string, err error) {
	b, err := files.ReadFile("handlers/" + string(f) + ".py")
	if err != nil {
		return "", "", fmt.Errorf("templates: no handler for %q: %w", f, err)
	}
	return string(b), "index.handler", nil
}
