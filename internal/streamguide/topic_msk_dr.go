package streamguide

import (
	"fmt"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/mskdr"
)

// The mskops replication and DR topics: thin adapters over internal/mskdr.

type drOptions struct {
	Pattern         string `json:"pattern"`
	SecondaryRegion string `json:"secondary_region"`
	Standby         string `json:"standby"`
}

func drRequest(r Request) (mskdr.Request, error) {
	var o drOptions
	if err := DecodeOptions(r, &o); err != nil {
		return mskdr.Request{}, err
	}
	return mskdr.Request{Type: r.Type, SourceArn: r.SourceArn, TargetArn: r.TargetArn, Pattern: o.Pattern, SecondaryRegion: o.SecondaryRegion, Standby: o.Standby, StreamName: r.KafkaTopic}, nil
}

func mskReplicator() Topic {
	return Topic{
		Name:    "msk_replicator",
		Summary: "MSK Replicator for DR or migration: prerequisites, topic naming, offset sync, failover and failback",
		Sources: []Source{SourceMSK, SourceMSKServerless},
		Auths:   []iac.Auth{iac.AuthIAM},
		Options: []string{"pattern"},
		Build: func(e Env, r Request) (Result, error) {
			if r.TargetArn != "" {
				if _, err := iac.ParseMSKClusterARN(r.TargetArn); err != nil {
					return Result{}, fmt.Errorf("%w: target_arn must be the target MSK cluster ARN", iac.ErrInvalid)
				}
			}
			q, err := drRequest(r)
			if err != nil {
				return Result{}, err
			}
			return mskdr.Replicator(e.Guidance, q)
		},
	}
}

func mirrorMaker2() Topic {
	return Topic{
		Name:    "mirrormaker2",
		Summary: "MirrorMaker 2 replication or migration: policy, offset sync and checkpoints, tasks, cutover",
		Sources: []Source{SourceMSK, SourceSelfManagedKafka, SourceMSKServerless},
		Options: []string{"pattern"},
		Build: func(e Env, r Request) (Result, error) {
			q, err := drRequest(r)
			if err != nil {
				return Result{}, err
			}
			return mskdr.MirrorMaker2(e.Guidance, q)
		},
	}
}

func kinesisCrossRegion() Topic {
	return Topic{
		Name:    "kinesis_cross_region",
		Summary: "Kinesis Data Streams across Regions: replication, warm or cold standby, failover and failback",
		Sources: []Source{SourceKinesis},
		Options: []string{"secondary_region", "standby"},
		Build: func(e Env, r Request) (Result, error) {
			q, err := drRequest(r)
			if err != nil {
				return Result{}, err
			}
			if q.SourceArn != "" && q.SecondaryRegion != "" && strings.Contains(q.SourceArn, ":"+q.SecondaryRegion+":") {
				return Result{}, fmt.Errorf("%w: secondary_region %s is the stream's own Region; name the standby Region", iac.ErrInvalid, q.SecondaryRegion)
			}
			return mskdr.KinesisCrossRegion(e.Guidance, q)
		},
	}
}
