package backends

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stream-mcp/stream-mcp/internal/aws"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/config"
)

// facts is what a case observed, compared across backends.
type facts map[string]any

// awsCase reads one inspector against a backend holding the fixture.
type awsCase struct {
	name string
	// divergent names a backend whose answer differs, and why (the case
	// then checks that our code degrades to unknown, not to a failure).
	divergent map[string]string
	run       func(ctx context.Context, c *aws.Client, ids fxIDs) (facts, error)
	want      facts
	// divergentWant is what the divergent backend answers instead.
	divergentWant facts
}

func awsCases() []awsCase {
	return []awsCase{
		{
			name: "sqs queue with its redrive policy",
			run: func(ctx context.Context, c *aws.Client, _ fxIDs) (facts, error) {
				q, err := c.SQSQueue(ctx, arn("sqs", fxQueue))
				return facts{"visibility": q.VisibilityTimeoutSeconds, "dlq": q.RedriveTarget, "max_receive": q.MaxReceiveCount, "fifo": q.FIFO}, err
			},
			want: facts{"visibility": fxVisTO, "dlq": arn("sqs", fxDLQ), "max_receive": fxMaxRecv, "fifo": false},
		},
		{
			name: "kinesis stream shards and mode",
			run: func(ctx context.Context, c *aws.Client, _ fxIDs) (facts, error) {
				api, err := c.KinesisAPI(ctx)
				if err != nil {
					return nil, err
				}
				s, err := aws.NewKinesis(api, aws.KinesisOptions{}).Stream(ctx, fxStream)
				if err != nil {
					return nil, err
				}
				return facts{"open": len(s.OpenShards()), "mode": s.Mode, "status": s.Status, "retention": s.RetentionHours}, nil
			},
			want: facts{"open": fxShards, "mode": "PROVISIONED", "status": "ACTIVE", "retention": int32(24)},
		},
		{
			name: "secret metadata, never its value",
			run: func(ctx context.Context, c *aws.Client, _ fxIDs) (facts, error) {
				s, err := c.SecretMeta(ctx, fxSecret)
				return facts{"name": s.Name, "managed_key": s.KMSKeyID == "", "deleted": !s.DeletedDate.IsZero(), "arn_prefix": strings.HasPrefix(s.ARN, arn("secretsmanager", "secret:"+fxSecret))}, err
			},
			want: facts{"name": fxSecret, "managed_key": true, "deleted": false, "arn_prefix": true},
		},
		{
			name: "role policies, inline and managed",
			run: func(ctx context.Context, c *aws.Client, _ fxIDs) (facts, error) {
				r := c.RolePolicies(ctx, fxRole)
				var unknown []string
				for _, u := range r.Unknown {
					unknown = append(unknown, u.Call+" "+u.Kind)
				}
				inline, managed := "", ""
				if len(r.Inline) == 1 {
					inline = r.Inline[0].Name + ":" + fmt.Sprint(strings.Contains(r.Inline[0].Document, "sqs:ReceiveMessage"))
				}
				if len(r.Managed) == 1 {
					managed = r.Managed[0].Name + ":" + fmt.Sprint(strings.Contains(r.Managed[0].Document, "kinesis:GetRecords"))
				}
				return facts{"inline": inline, "managed": managed, "trusts_lambda": r.TrustsService("lambda.amazonaws.com"), "unknown": unknown}, nil
			},
			want: facts{"inline": "sqs-read:true", "managed": "kinesis-read:true", "trusts_lambda": true, "unknown": []string(nil)},
		},
		{
			name: "vpc path: subnets, NAT route, security group rule",
			run: func(ctx context.Context, c *aws.Client, ids fxIDs) (facts, error) {
				p := c.VPCPath(ctx, ids.subnets, []string{ids.sg})
				var azs, routes []string
				for _, s := range p.Subnets {
					azs = append(azs, s.AZ)
					routes = append(routes, s.DefaultRouteKind)
				}
				slices.Sort(azs)
				selfRule := false
				for _, sg := range p.SecurityGroups {
					for _, r := range sg.Inbound {
						selfRule = selfRule || (strings.Contains(fmt.Sprint(r), fmt.Sprint(fxAuthPort)) && strings.Contains(fmt.Sprint(r), ids.sg))
					}
				}
				nat := ""
				for _, n := range p.NatGateways {
					nat = n.State
				}
				var unknown []string
				for _, u := range p.Unknown {
					unknown = append(unknown, u.Call+" "+u.Kind)
				}
				return facts{"azs": azs, "routes": routes, "self_rule_9098": selfRule, "nat": nat, "unknown": unknown}, nil
			},
			want: facts{"azs": []string{"us-east-1a", "us-east-1b"}, "routes": []string{"nat", "nat"}, "self_rule_9098": true, "nat": "available", "unknown": []string(nil)},
		},
		{
			name: "function and its mappings",
			run: func(ctx context.Context, c *aws.Client, ids fxIDs) (facts, error) {
				fn, err := c.Function(ctx, fxFunction)
				if err != nil {
					return nil, err
				}
				page, err := c.ListESMs(ctx, aws.ESMFilter{FunctionName: fxFunction}, "", 50)
				if err != nil {
					return nil, err
				}
				sqsM, err := c.GetESM(ctx, ids.sqsESM)
				if err != nil {
					return nil, err
				}
				kinM, err := c.GetESM(ctx, ids.kinesisES)
				if err != nil {
					return nil, err
				}
				return facts{"timeout": fn.TimeoutSeconds, "role": fn.Role, "mappings": len(page.Mappings),
					"sqs_batch": deref(sqsM.Config.BatchSize), "sqs_state": sqsM.State,
					"kinesis_batch": deref(kinM.Config.BatchSize), "kinesis_start": kinM.Config.StartingPosition}, nil
			},
			want: facts{"timeout": int32(fxTimeout), "role": "arn:aws:iam::" + fxAccount + ":role/" + fxRole, "mappings": 2,
				"sqs_batch": int32(fxSQSBatch), "sqs_state": "Enabled", "kinesis_batch": int32(fxKinBatch), "kinesis_start": "LATEST"},
		},
		{
			name: "msk cluster",
			divergent: map[string]string{
				"moto": "moto 5.2 names a cluster arn:aws:kafka:REGION:ACCOUNT:cluster/UUID (AWS: cluster/NAME/UUID-N) and leaves it CREATING",
			},
			run: func(ctx context.Context, c *aws.Client, ids fxIDs) (facts, error) {
				m, err := c.MSKCluster(ctx, ids.cluster)
				if err != nil {
					return nil, err
				}
				return facts{"name": m.Name, "type": m.Type, "brokers": m.BrokerCount, "broker_type": m.BrokerType,
					"subnets": len(m.SubnetIDs), "arn_has_name": strings.Contains(m.ARN, "/"+fxCluster+"/"), "state": m.State}, nil
			},
			want: facts{"name": fxCluster, "type": "PROVISIONED", "brokers": int32(fxBrokers), "broker_type": fxBrokerTy,
				"subnets": 2, "arn_has_name": true, "state": "ACTIVE"},
			divergentWant: facts{"name": fxCluster, "type": "PROVISIONED", "brokers": int32(fxBrokers), "broker_type": fxBrokerTy,
				"subnets": 2, "arn_has_name": false, "state": "CREATING"},
		},
		{
			name: "iam simulation",
			divergent: map[string]string{
				"moto": "moto 5.2 answers iam:SimulatePrincipalPolicy with HTTP 500 (not implemented); our inspector must report the decision as unknown, never as allowed or denied",
			},
			run: func(ctx context.Context, c *aws.Client, _ fxIDs) (facts, error) {
				ds, err := c.Simulate(ctx, "arn:aws:iam::"+fxAccount+":role/"+fxRole, []string{"sqs:ReceiveMessage"}, []string{arn("sqs", fxQueue)})
				if err != nil {
					return facts{"decision": "unknown"}, nil
				}
				if len(ds) != 1 {
					return facts{"decision": fmt.Sprint(len(ds), " decisions")}, nil
				}
				return facts{"decision": strings.ToLower(fmt.Sprint(ds[0].Decision))}, nil
			},
			want:          facts{"decision": "allowed"},
			divergentWant: facts{"decision": "unknown"},
		},
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// startMoto runs moto_server on a free loopback port until the test ends.
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatal("moto_server is not installed; make test-backends installs it with pip (requirements in testdata/python)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logf, err := os.Create(filepath.Join(t.TempDir(), "moto.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return url
		}
	}
	t.Fatalf("moto_server did not answer on %s within 60 s", url)
	return ""
}

func motoVersion() string {
	out, err := exec.Command("python3", "-c", "import moto; print(moto.__version__)").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// TestAWSBackends runs the inspectors against awssim and moto holding the
// same fixture and expects the same facts from both.
func TestAWSBackends(t *testing.T) {
	enabled(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	type backend struct {
		name     string
		endpoint string
		ids      fxIDs
	}
	raw, simIDs, err := simScenario()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := awssim.Parse("backends-fixture", raw)
	if err != nil {
		t.Fatalf("fixture scenario: %v\n%s", err, raw)
	}
	sim, err := awssim.Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	motoURL := startMoto(t)
	motoIDs, err := applyMoto(ctx, motoURL)
	if err != nil {
		t.Fatalf("building the fixture in moto: %v", err)
	}
	t.Logf("backends: awssim, moto %s", motoVersion())
	for _, b := range []backend{{"awssim", sim.URL(), simIDs}, {"moto", motoURL, motoIDs}} {
		t.Run(b.name, func(t *testing.T) {
			c := aws.New(config.Config{Region: fxRegion, EndpointURL: b.endpoint}, aws.Options{MaxAttempts: 1, CallTimeout: 20 * time.Second})
			for _, tc := range awsCases() {
				t.Run(tc.name, func(t *testing.T) {
					got, err := tc.run(ctx, c, b.ids)
					if err != nil {
						t.Fatal(err)
					}
					want := tc.want
					if why, ok := tc.divergent[b.name]; ok {
						t.Logf("known divergence: %s", why)
						want = tc.divergentWant
					}
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("facts (-want +got):\n%s", d)
					}
				})
			}
		})
	}
}
