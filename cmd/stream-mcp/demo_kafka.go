package main

import (
	"github.com/stream-mcp/stream-mcp/internal/awssim"
)

// kafkaDemoESM is the MSK mapping the tour adds to the simulated account:
// its cluster's security group misses the IAM listener port and its role
// misses the consumer-group actions, so it is broken in two ways.
const kafkaDemoESM = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

// addKafkaDemoMapping merges that mapping, with its function, cluster,
// network and role, into the demo account sc. The base is the
// msk-sg-missing-auth-port scenario; its IAM comes from
// msk-iam-missing-group-actions.
func addKafkaDemoMapping(sc *awssim.Scenario) error {
	broken, err := awssim.Load("msk-sg-missing-auth-port")
	if err != nil {
		return err
	}
	roleless, err := awssim.Load("msk-iam-missing-group-actions")
	if err != nil {
		return err
	}
	sc.Functions = append(sc.Functions, broken.Functions...)
	sc.EventSourceMappings = append(sc.EventSourceMappings, broken.EventSourceMappings...)
	for _, c := range broken.MSK.Clusters {
		// The scenario's broker names are not resolvable; point them at a
		// closed loopback port so the tour makes no DNS query and the probe
		// honestly reports the brokers unreachable from here.
		for k := range c.BootstrapBrokers {
			c.BootstrapBrokers[k] = "127.0.0.1:1"
		}
		sc.MSK.Clusters = append(sc.MSK.Clusters, c)
	}
	e := broken.EC2
	sc.EC2.Vpcs = append(sc.EC2.Vpcs, e.Vpcs...)
	sc.EC2.Subnets = append(sc.EC2.Subnets, e.Subnets...)
	sc.EC2.RouteTables = append(sc.EC2.RouteTables, e.RouteTables...)
	sc.EC2.NatGateways = append(sc.EC2.NatGateways, e.NatGateways...)
	sc.EC2.InternetGateways = append(sc.EC2.InternetGateways, e.InternetGateways...)
	sc.EC2.VpcEndpoints = append(sc.EC2.VpcEndpoints, e.VpcEndpoints...)
	sc.EC2.SecurityGroups = append(sc.EC2.SecurityGroups, e.SecurityGroups...)
	sc.EC2.NetworkAcls = append(sc.EC2.NetworkAcls, e.NetworkAcls...)
	sc.IAM.Roles = append(sc.IAM.Roles, roleless.IAM.Roles...)
	have := map[string]bool{}
	for _, p := range sc.IAM.Policies {
		have[p.Arn] = true
	}
	for _, p := range roleless.IAM.Policies {
		if !have[p.Arn] {
			sc.IAM.Policies = append(sc.IAM.Policies, p)
		}
	}
	sc.Secrets = append(sc.Secrets, broken.Secrets...)
	return nil
}

// kafkaESMDemoSteps diagnose the broken mapping end to end.
func kafkaESMDemoSteps(env demoEnv) []demoStep {
	if env.EndpointURL == "" {
		return nil
	}
	return []demoStep{
		{Title: "Why does my MSK trigger not consume?", Tool: "kafka_troubleshoot",
			Args: map[string]any{"mode": "diagnosis", "esm_uuid": kafkaDemoESM, "sample_seconds": 0}},
	}
}
