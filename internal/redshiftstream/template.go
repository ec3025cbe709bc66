package redshiftstream

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/integ"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// MSK listener ports (guidance_esm.yaml, shared with esm_guidance).
const (
	PortPlaintext = "guidance_esm.msk.port.plaintext"
	PortTLS       = "guidance_esm.msk.port.tls"
	PortIAM       = "guidance_esm.msk.port.iam"
)

const (
	ruleBaseCapacity = "redshift_streaming.cfn.workgroup.base_capacity"
	ruleDefaultPG    = "redshift_streaming.cfn.cluster.parameter_group"
)

// CheckWorkgroup validates AWS::RedshiftServerless::Workgroup properties.
func CheckWorkgroup(path string, props map[string]any, b *guidance.Base) integ.Validation {
	ch := integ.NewChecker(b, path+".")
	ch.Rule(ruleBaseCapacity)
	n, ok := rules.Number(props["BaseCapacity"])
	if !ok {
		return ch.Done()
	}
	step, max, stepExt, maxExt := b.Num(idRPUStep), b.Num(idRPUMax), b.Num(idRPUStepExt), b.Num(idRPUMaxExt)
	ref := b.Source(idRPUMax)
	switch {
	case n > maxExt:
		ch.Report(rules.Error, ruleBaseCapacity, "BaseCapacity", ref, fmt.Sprintf("BaseCapacity %g is above the %g RPU maximum.", n, maxExt), fmt.Sprintf("use at most %g RPU per workgroup and add workgroups with data sharing", maxExt))
	case n > max && int(n-max)%int(stepExt) != 0:
		ch.Report(rules.Error, ruleBaseCapacity, "BaseCapacity", ref, fmt.Sprintf("above %g RPU, BaseCapacity moves in steps of %g.", max, stepExt), fmt.Sprintf("use %g", max+float64(integ.Ceil((n-max)/stepExt))*stepExt))
	case n > max:
		ch.Report(rules.Info, ruleBaseCapacity, "BaseCapacity", ref, fmt.Sprintf("BaseCapacity above %g RPU exists only in %s.", max, strings.Join(b.Strings(idRPURegionsExt), ", ")), "deploy in one of those Regions or stay at or below the standard maximum")
	case n >= step && int(n)%int(step) != 0:
		ch.Report(rules.Error, ruleBaseCapacity, "BaseCapacity", ref, fmt.Sprintf("BaseCapacity is set in multiples of %g RPU.", step), fmt.Sprintf("use %g", float64(integ.Ceil(n/step))*step))
	}
	return ch.Done()
}

// CheckCluster validates the streaming-relevant AWS::Redshift::Cluster
// properties: a cluster on the default parameter group cannot turn on
// enable_case_sensitive_identifier for mixed-case stream or topic names.
func CheckCluster(path string, props map[string]any, b *guidance.Base) integ.Validation {
	ch := integ.NewChecker(b, path+".")
	ch.Rule(ruleDefaultPG)
	pg, _ := props["ClusterParameterGroupName"].(string)
	if _, isRef := props["ClusterParameterGroupName"].(map[string]any); !isRef && (pg == "" || strings.HasPrefix(strings.ToLower(pg), "default.")) {
		ch.Report(rules.Info, ruleDefaultPG, "ClusterParameterGroupName", BlogCDC, "the cluster uses the default parameter group, where enable_case_sensitive_identifier cannot be changed; mixed-case topic or stream names then need it set per session or user.",
			"attach an AWS::Redshift::ClusterParameterGroup with enable_case_sensitive_identifier=true (a change needs a reboot)")
	}
	return ch.Done()
}
