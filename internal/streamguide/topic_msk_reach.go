package streamguide

import (
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/mskreach"
)

// The mskops topics on reaching an MSK cluster from outside its VPC: thin
// adapters over internal/mskreach, which holds the rules and content.

func reachAuth(a iac.Auth) string {
	switch a {
	case iac.AuthSCRAM512:
		return mskreach.AuthSCRAM
	case iac.AuthMTLS:
		return mskreach.AuthMTLS
	case iac.AuthNone:
		return mskreach.AuthNone
	}
	return string(a)
}

type customDomainOptions struct {
	Brokers             int    `json:"brokers"`
	Domain              string `json:"domain"`
	ClientsReachBrokers bool   `json:"clients_reach_brokers"`
	BrokerDNSSuffix     string `json:"broker_dns_suffix"`
	PrivateCA           bool   `json:"private_ca"`
}

func mskCustomDomain() Topic {
	return Topic{
		Name:    "msk_custom_domain",
		Summary: "custom DNS name for an MSK provisioned cluster through a TLS Network Load Balancer",
		Sources: []Source{SourceMSK},
		Auths:   []iac.Auth{iac.AuthSCRAM512, iac.AuthIAM, iac.AuthMTLS},
		Options: []string{"brokers", "domain", "clients_reach_brokers", "broker_dns_suffix", "private_ca"},
		Build: func(e Env, r Request) (Result, error) {
			var o customDomainOptions
			if err := DecodeOptions(r, &o); err != nil {
				return Result{}, err
			}
			return mskreach.CustomDomain(e.Guidance, mskreach.CustomDomainRequest{Type: r.Type, Brokers: o.Brokers, Domain: o.Domain, Auth: reachAuth(r.Auth),
				ClientsReachBrokers: o.ClientsReachBrokers, BrokerDNSSuffix: o.BrokerDNSSuffix, PrivateCA: o.PrivateCA})
		},
	}
}

type serverlessOptions struct {
	Clusters         int  `json:"clusters"`
	ClientVPCs       int  `json:"client_vpcs"`
	CrossAccount     bool `json:"cross_account"`
	CrossRegion      bool `json:"cross_region"`
	OverlappingCIDRs bool `json:"overlapping_cidrs"`
	BeforeCreation   bool `json:"before_creation"`
}

func mskServerlessCrossVPC() Topic {
	return Topic{
		Name:    "msk_serverless_cross_vpc",
		Summary: "reach MSK Serverless from other VPCs, accounts or Regions (hosted zones, Resolver rules with RAM, PrivateLink)",
		Sources: []Source{SourceMSKServerless},
		Auths:   []iac.Auth{iac.AuthIAM},
		Options: []string{"clusters", "client_vpcs", "cross_account", "cross_region", "overlapping_cidrs", "before_creation"},
		Build: func(e Env, r Request) (Result, error) {
			var o serverlessOptions
			if err := DecodeOptions(r, &o); err != nil {
				return Result{}, err
			}
			if r.ClientAccount != "" {
				o.CrossAccount = true
			}
			return mskreach.ServerlessCrossVPC(e.Guidance, mskreach.ServerlessRequest{Type: r.Type, Region: r.Region, Clusters: o.Clusters, ClientVPCs: o.ClientVPCs,
				CrossAccount: o.CrossAccount, CrossRegion: o.CrossRegion, OverlappingCIDRs: o.OverlappingCIDRs, BeforeCreation: o.BeforeCreation})
		},
	}
}

type multiVPCOptions struct {
	KafkaVersion    string `json:"kafka_version"`
	InstanceType    string `json:"instance_type"`
	Unauthenticated bool   `json:"unauthenticated"`
	Public          bool   `json:"public"`
	ClientRegion    string `json:"client_region"`
}

func mskMultiVPC() Topic {
	return Topic{
		Name:    "msk_multi_vpc",
		Summary: "multi-VPC private connectivity (cluster policy, managed VPC connections) or public access for an MSK provisioned cluster",
		Sources: []Source{SourceMSK},
		Auths:   []iac.Auth{iac.AuthIAM, iac.AuthSCRAM512, iac.AuthMTLS, iac.AuthNone},
		Options: []string{"kafka_version", "instance_type", "unauthenticated", "public", "client_region"},
		Build: func(e Env, r Request) (Result, error) {
			var o multiVPCOptions
			if err := DecodeOptions(r, &o); err != nil {
				return Result{}, err
			}
			return mskreach.MultiVPC(e.Guidance, mskreach.MultiVPCRequest{Type: r.Type, ClusterArn: r.SourceArn, ClientAccount: r.ClientAccount, ClientRegion: o.ClientRegion,
				Auth: reachAuth(r.Auth), KafkaVersion: o.KafkaVersion, InstanceType: o.InstanceType, Unauthenticated: o.Unauthenticated, Public: o.Public})
		},
	}
}
