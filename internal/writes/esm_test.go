package writes

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/awssim"
	"github.com/stream-mcp/stream-mcp/internal/confirm"
)

const simESM = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"

func simLambda(t *testing.T, edit func(*awssim.Scenario)) (*awssim.Server, *lambda.Client) {
	t.Helper()
	sc, err := awssim.Load("msk-iam-healthy")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(sc)
	}
	srv, err := awssim.Start(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(srv.URL()), RetryMaxAttempts: 1}
	return srv, lambda.NewFromConfig(cfg)
}

func base(t *testing.T) *guidance.Base {
	t.Helper()
	b, err := guidance.Load()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The create-only list in the guidance table must match the SDK: top-level
// members CreateEventSourceMapping takes and UpdateEventSourceMapping does
// not. A new SDK that adds an updatable field or a create-only one fails
// here until the table is reviewed.
func TestCreateOnlyFieldsMatchSDK(t *testing.T) {
	t.Parallel()
	upd := updatableFields()
	var want []string
	for f := range configFields() {
		if !upd[f] && f != "FunctionName" {
			want = append(want, f)
		}
	}
	var got []string
	for _, f := range base(t).Strings("esm.update.create_only_fields") {
		if !strings.Contains(f, ".") {
			got = append(got, f)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("create-only fields in guidance %v, SDK says %v (updatable: %v)", got, want, slices.Sorted(maps.Keys(upd)))
	}
}

func TestESMUpdatePlanAndApply(t *testing.T) {
	t.Parallel()
	srv, cl := simLambda(t, nil)
	b := base(t)
	u := &ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSize": 1000, "MaximumBatchingWindowInSeconds": 1}}
	p, fp, err := u.Plan(context.Background(), cl, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.MutatingCalls()) != 0 {
		t.Fatalf("planning made mutating calls: %+v", srv.MutatingCalls())
	}
	// MaximumBatchingWindowInSeconds is already 1: only BatchSize changes.
	if len(p.Changes) != 1 || p.Changes[0].Field != "BatchSize" || p.Changes[0].Current != float64(500) || p.Changes[0].Desired != float64(1000) {
		t.Fatalf("changes %+v", p.Changes)
	}
	if !strings.Contains(fp, `"state":"Enabled"`) {
		t.Fatalf("fingerprint %s", fp)
	}
	st, err := u.Apply(context.Background(), cl, cl)
	if err != nil {
		t.Fatal(err)
	}
	m := srv.MutatingCalls()
	if len(m) != 1 || m[0].Operation != "UpdateEventSourceMapping" {
		t.Fatalf("mutating calls %+v", m)
	}
	if st.Config["BatchSize"] != float64(1000) || st.State != "Updating" {
		t.Fatalf("read-back %+v", st)
	}
	// Lambda is now Updating: a further change is refused until it settles.
	_, _, err = (&ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSize": 100}}).Plan(context.Background(), cl, b)
	wantRefusal(t, err, "is Updating")
}

func TestESMUpdateRefusals(t *testing.T) {
	t.Parallel()
	srv, cl := simLambda(t, nil)
	b := base(t)
	f := false
	for _, tc := range []struct {
		name string
		u    ESMUpdate
		want string
	}{
		{"nothing", ESMUpdate{UUID: simESM}, "nothing to change"},
		{"not found", ESMUpdate{UUID: "00000000-0000-0000-0000-000000000000", Config: map[string]any{"BatchSize": 10}}, "not found"},
		{"topics create-only", ESMUpdate{UUID: simESM, Config: map[string]any{"Topics": []any{"payments"}}}, "Topics cannot be changed"},
		{"starting position create-only", ESMUpdate{UUID: simESM, Config: map[string]any{"StartingPosition": "TRIM_HORIZON"}}, "create a new mapping"},
		{"consumer group create-only", ESMUpdate{UUID: simESM, Config: map[string]any{"AmazonManagedKafkaEventSourceConfig": map[string]any{"ConsumerGroupId": "other"}}}, "ConsumerGroupId cannot be changed"},
		{"unknown field", ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSise": 10}}, "not an event source mapping setting"},
		// Bug (#21.8): {"AmazonManagedKafkaEventSourceConfig":{"consumerGroupId":"evil"}}
		// passed the create-only check (it looks for ConsumerGroupId) while
		// Go's case-folding decoder put "evil" into the request the plan did
		// not show. Names are matched exactly, at every depth.
		{"mis-cased nested create-only field", ESMUpdate{UUID: simESM, Config: map[string]any{"AmazonManagedKafkaEventSourceConfig": map[string]any{"consumerGroupId": "evil"}}}, "consumerGroupId is spelt ConsumerGroupId in the Lambda API"},
		{"mis-cased top-level field", ESMUpdate{UUID: simESM, Config: map[string]any{"batchSize": 10}}, "config.batchSize is spelt BatchSize"},
		{"misspelt nested field", ESMUpdate{UUID: simESM, Config: map[string]any{"ScalingConfig": map[string]any{"MaximumConcurency": 5}}}, "MaximumConcurency is not a field of ScalingConfig"},
		{"enabled inside config", ESMUpdate{UUID: simESM, Config: map[string]any{"Enabled": f}}, "enabled argument"},
		{"rule engine error", ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSize": 20000}}, "fails the rule engine"},
		{"wrong type", ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSize": "lots"}}, "does not fit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.u.Plan(context.Background(), cl, b)
			wantRefusal(t, err, tc.want)
		})
	}
	if len(srv.MutatingCalls()) != 0 {
		t.Fatalf("refused plans made mutating calls: %+v", srv.MutatingCalls())
	}
}

// A full configuration as esm_optimize recommends it repeats the
// create-only fields unchanged: that is accepted, and only real changes
// are planned.
func TestESMUpdateFullRecommendedConfig(t *testing.T) {
	t.Parallel()
	_, cl := simLambda(t, nil)
	u := &ESMUpdate{UUID: simESM, Config: map[string]any{
		"EventSourceArn":                      "arn:aws:kafka:us-east-1:123456789012:cluster/orders-prod/5a1e7b8c-3d2f-4e6a-9b1c-0f2e3d4c5b6a-3",
		"Topics":                              []any{"orders"},
		"StartingPosition":                    "LATEST",
		"BatchSize":                           500,
		"AmazonManagedKafkaEventSourceConfig": map[string]any{"ConsumerGroupId": "orders-consumer-lambda"},
		"MaximumBatchingWindowInSeconds":      5,
	}}
	p, _, err := u.Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range p.Changes {
		fields = append(fields, c.Field)
	}
	if !slices.Equal(fields, []string{"MaximumBatchingWindowInSeconds"}) {
		t.Fatalf("changes %v", fields)
	}
}

func TestESMUpdateDisableEnable(t *testing.T) {
	t.Parallel()
	srv, cl := simLambda(t, nil)
	off := false
	u := &ESMUpdate{UUID: simESM, Enabled: &off}
	p, _, err := u.Plan(context.Background(), cl, base(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Field != "Enabled" || !strings.Contains(strings.Join(p.Risks, " "), "retention") {
		t.Fatalf("plan %+v", p)
	}
	st, err := u.Apply(context.Background(), cl, cl)
	if err != nil || st.State != "Disabling" {
		t.Fatalf("read-back %+v %v", st, err)
	}
	if m := srv.MutatingCalls(); len(m) != 1 {
		t.Fatalf("mutating calls %+v", m)
	}
	// Already in the asked state: no change.
	on := true
	_, cl2 := simLambda(t, nil)
	p2, _, err := (&ESMUpdate{UUID: simESM, Enabled: &on}).Plan(context.Background(), cl2, base(t))
	if err != nil || !p2.NoChange {
		t.Fatalf("enable an enabled mapping: %+v %v", p2, err)
	}
}

// The fingerprint is what the gate's drift check compares: the same live
// mapping gives the same fingerprint (a second read, another process), and
// a change to any live setting, with the mapping still Enabled, gives
// another one, so a token planned before it is refused.
func TestESMUpdateFingerprintTracksLiveConfig(t *testing.T) {
	t.Parallel()
	b := base(t)
	plan := func(edit func(*awssim.Scenario)) string {
		t.Helper()
		_, cl := simLambda(t, edit)
		_, fp, err := (&ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSize": 1000}}).Plan(context.Background(), cl, b)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	setBatch := func(sc *awssim.Scenario) {
		for i := range sc.EventSourceMappings {
			if sc.EventSourceMappings[i].UUID == simESM {
				sc.EventSourceMappings[i].BatchSize = aws.Int(600)
				return
			}
		}
		t.Fatalf("scenario has no mapping %s", simESM)
	}
	first, again, drifted := plan(nil), plan(nil), plan(setBatch)
	if first != again {
		t.Fatalf("same live state, different fingerprints:\n%s\n%s", first, again)
	}
	if first == drifted {
		t.Fatalf("BatchSize 500 -> 600 left the fingerprint unchanged: %s", first)
	}
}

// Bug (#21.8): the request sent must be what the plan shows. requestMatchesPlan
// refuses a request carrying a field or nested member the plan does not.
func TestRequestMatchesPlan(t *testing.T) {
	t.Parallel()
	bs := int32(500)
	group := "evil"
	for _, tc := range []struct {
		name    string
		upd     *lambda.UpdateEventSourceMappingInput
		changes []confirm.Change
		want    string // "" = accepted
	}{
		{"shown", &lambda.UpdateEventSourceMappingInput{UUID: &simESMVar, BatchSize: &bs}, []confirm.Change{{Field: "BatchSize", Desired: 500}}, ""},
		{"not shown", &lambda.UpdateEventSourceMappingInput{UUID: &simESMVar, BatchSize: &bs}, nil, "does not show"},
		{"other value", &lambda.UpdateEventSourceMappingInput{UUID: &simESMVar, BatchSize: &bs}, []confirm.Change{{Field: "BatchSize", Desired: 100}}, "the plan shows"},
		{"nested member not shown", &lambda.UpdateEventSourceMappingInput{UUID: &simESMVar,
			AmazonManagedKafkaEventSourceConfig: &lambdatypes.AmazonManagedKafkaEventSourceConfig{ConsumerGroupId: &group}},
			[]confirm.Change{{Field: "AmazonManagedKafkaEventSourceConfig", Desired: map[string]any{"ConsumerGroupId": "esm-group"}}}, "the plan shows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := requestMatchesPlan(tc.upd, tc.changes)
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

var simESMVar = simESM

// Lambda's own validation reaches the caller: when another change lands
// between the plan and the apply, Lambda refuses the update with
// ResourceInUseException (the mapping is Updating) and Apply reports that
// answer, naming the code, instead of a generic failure.
func TestESMUpdateRefusedByLambda(t *testing.T) {
	t.Parallel()
	_, cl := simLambda(t, nil)
	u := &ESMUpdate{UUID: simESM, Config: map[string]any{"BatchSize": 1000}}
	if _, _, err := u.Plan(context.Background(), cl, base(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: aws.String(simESM), BatchSize: aws.Int32(200)}); err != nil {
		t.Fatal(err)
	}
	_, err := u.Apply(context.Background(), cl, cl)
	if err == nil || !strings.Contains(err.Error(), "ResourceInUseException") || !strings.Contains(err.Error(), "Updating") {
		t.Fatalf("apply after a concurrent update: %v", err)
	}
}
