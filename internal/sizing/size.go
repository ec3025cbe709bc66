package sizing

import (
	"fmt"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// Services lists the service values Size accepts.
func Services() []string {
	return []string{"msk", "msk_express", "msk_serverless", "kinesis", "lambda_esm"}
}

// Size dispatches to the calculator for service. Errors wrap ErrInput and
// say which field to send.
func Size(service string, w Workload, b *guidance.Base) (Result, error) {
	switch service {
	case "msk":
		return MSKStandard(w, b)
	case "msk_express":
		return MSKExpress(w, b)
	case "msk_serverless":
		return MSKServerless(w, b)
	case "kinesis":
		return Kinesis(w, b)
	case "lambda_esm":
		return LambdaESM(w, b)
	}
	return Result{}, fmt.Errorf("%w: service %q; send one of msk, msk_express, msk_serverless, kinesis, lambda_esm", ErrInput, service)
}
