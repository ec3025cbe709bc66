package awssim

import (
	"context"
	"net/http"
)

// OSISState is the OpenSearch Ingestion section of a scenario.
type OSISState struct {
	Pipelines []OSISPipeline `yaml:"pipelines"`
}

// OSISPipeline is an OpenSearch Ingestion pipeline as GetPipeline returns
// it (member names of the osis Pipeline shape).
type OSISPipeline struct {
	PipelineName string `yaml:"PipelineName" json:"PipelineName"`
	// PipelineArn defaults to arn:aws:osis:REGION:ACCOUNT:pipeline/NAME.
	PipelineArn               string             `yaml:"PipelineArn" json:"PipelineArn"`
	MinUnits                  int                `yaml:"MinUnits" json:"MinUnits"`
	MaxUnits                  int                `yaml:"MaxUnits" json:"MaxUnits"`
	Status                    string             `yaml:"Status" json:"Status"`
	StatusReason              *OSISStatusReason  `yaml:"StatusReason" json:"StatusReason,omitempty"`
	PipelineConfigurationBody string             `yaml:"PipelineConfigurationBody" json:"PipelineConfigurationBody,omitempty"`
	CreatedAt                 Timestamp          `yaml:"CreatedAt" json:"CreatedAt,omitzero"`
	LastUpdatedAt             Timestamp          `yaml:"LastUpdatedAt" json:"LastUpdatedAt,omitzero"`
	IngestEndpointUrls        []string           `yaml:"IngestEndpointUrls" json:"IngestEndpointUrls,omitempty"`
	LogPublishingOptions      *OSISLogPublishing `yaml:"LogPublishingOptions" json:"LogPublishingOptions,omitempty"`
	VpcEndpoints              []OSISVpcEndpoint  `yaml:"VpcEndpoints" json:"VpcEndpoints,omitempty"`
	PipelineRoleArn           string             `yaml:"PipelineRoleArn" json:"PipelineRoleArn,omitempty"`
	Destinations              []OSISDestination  `yaml:"Destinations" json:"Destinations,omitempty"`
}

// OSISStatusReason is the pipeline's status description.
type OSISStatusReason struct {
	Description string `yaml:"Description" json:"Description"`
}

// OSISLogPublishing is LogPublishingOptions.
type OSISLogPublishing struct {
	IsLoggingEnabled         bool                `yaml:"IsLoggingEnabled" json:"IsLoggingEnabled"`
	CloudWatchLogDestination *OSISLogDestination `yaml:"CloudWatchLogDestination" json:"CloudWatchLogDestination,omitempty"`
}

// OSISLogDestination is CloudWatchLogDestination.
type OSISLogDestination struct {
	LogGroup string `yaml:"LogGroup" json:"LogGroup"`
}

// OSISVpcEndpoint is one VpcEndpoint of a VPC pipeline.
type OSISVpcEndpoint struct {
	VpcEndpointID string          `yaml:"VpcEndpointId" json:"VpcEndpointId,omitempty"`
	VpcID         string          `yaml:"VpcId" json:"VpcId,omitempty"`
	VpcOptions    *OSISVpcOptions `yaml:"VpcOptions" json:"VpcOptions,omitempty"`
}

// OSISVpcOptions is VpcOptions.
type OSISVpcOptions struct {
	SubnetIDs        []string `yaml:"SubnetIds" json:"SubnetIds"`
	SecurityGroupIDs []string `yaml:"SecurityGroupIds" json:"SecurityGroupIds,omitempty"`
}

// OSISDestination is one PipelineDestination.
type OSISDestination struct {
	ServiceName string `yaml:"ServiceName" json:"ServiceName,omitempty"`
	Endpoint    string `yaml:"Endpoint" json:"Endpoint,omitempty"`
}

func (sc *Scenario) osisARN(p OSISPipeline) string {
	if p.PipelineArn != "" {
		return p.PipelineArn
	}
	return "arn:aws:osis:" + sc.Region + ":" + sc.Account + ":pipeline/" + p.PipelineName
}

func (s *Server) osisService() service {
	routes := []restRoute{
		{http.MethodGet, "/2022-01-01/osis/getPipeline/{PipelineName}", "GetPipeline"},
	}
	return service{
		name:  "osis",
		proto: protocol{kind: protoRESTJSON},
		errors: errorCodes{accessDenied: "AccessDeniedException", throttling: "ThrottlingException",
			throttlingStatus: http.StatusTooManyRequests, internal: "InternalException", notFound: "ResourceNotFoundException"},
		ops:       routeOps(routes),
		operation: restOp(routes),
		handle:    s.osis,
	}
}

func (s *Server) osis(_ context.Context, r *request) (any, error) {
	name := r.labels["PipelineName"]
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.sc.OSIS.Pipelines {
		if p.PipelineName == name {
			p.PipelineArn = s.sc.osisARN(p)
			return struct{ Pipeline OSISPipeline }{p}, nil
		}
	}
	return nil, errNotFound("ResourceNotFoundException", "Pipeline "+name+" not found.")
}
