package sizing

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
)

// ErrInput marks a workload the calculator cannot size; the message says
// which field to send.
var ErrInput = errors.New("sizing input")

// brokerSpec is one Standard broker size as guidance describes it.
type brokerSpec struct {
	name, key, family string
	vcpu              float64
	netMBps, ebsMBps  float64 // baseline, MB/s
	partRec, partMax  float64
	provMaxMiBps      float64 // 0 = provisioned storage throughput not offered
}

func standardSpecs(b *guidance.Base) []brokerSpec {
	var out []brokerSpec
	for _, name := range b.Strings("msk.standard.broker_types") {
		out = append(out, specFor(b, name))
	}
	return out
}

func typeKey(name string) string {
	n := strings.TrimPrefix(strings.TrimPrefix(name, "kafka."), "express.")
	return strings.ReplaceAll(n, ".", "_")
}

// familyOf returns "m5" for "m5_large".
func familyOf(key string) string {
	f, _, _ := strings.Cut(key, "_")
	return f
}

func specFor(b *guidance.Base, name string) brokerSpec {
	k := typeKey(name)
	p := "msk.standard." + k + "."
	s := brokerSpec{
		name: name, key: k, family: familyOf(k),
		vcpu:    b.Num(p + "vcpu"),
		netMBps: b.Num(p+"network_baseline_gbps") * mbPerGb / bitsPerByte,
		ebsMBps: b.Num(p+"ebs_baseline_mbps") / bitsPerByte,
		partRec: b.Num(p + "partitions.recommended"),
		partMax: b.Num(p + "partitions.max"),
	}
	if _, ok := b.Lookup(p + "storage_throughput.provisioned_max_mibps"); ok {
		s.provMaxMiBps = b.Num(p + "storage_throughput.provisioned_max_mibps")
	}
	return s
}

// mskInputs are the normalised inputs of the Standard model.
type mskInputs struct {
	ingress, peakIngress, groups, rf, azs, retention float64
	partitions                                       float64
	tolerate                                         float64
	ignoreCPU                                        bool // Equation 1 alone, for the comparison alternative
}

// mskPlan is one broker type evaluated against the workload.
type mskPlan struct {
	spec       brokerSpec
	brokers    int
	binding    string
	terms      map[string]float64 // constraint -> brokers required
	storageGiB float64            // per broker
	provMiBps  float64            // provisioned storage throughput, 0 = default
	cpu        float64
	fits       bool
}

// MSKStandard sizes an MSK provisioned cluster of Standard brokers with the
// right-sizing post's Equation 1:
//
//	max(t_cluster) ≤ min{ t_storage × n ÷ r, t_EBSnetwork × n ÷ r, t_EC2network × n ÷ (g + r − 1) }
//
// solved for the broker count n, plus the per-broker partition
// recommendation, storage per broker against the 16 TiB cap, a CPU estimate
// against the 60% target, rounding to a multiple of the AZ count and
// headroom to survive one AZ down. It needs ingress_mb_per_second (or
// records_per_second and avg_record_bytes). Without broker_type it evaluates
// every m5 and m7g size and picks the smallest total vCPU.
func MSKStandard(w Workload, b *guidance.Base) (Result, error) {
	c := newCalc(b, "msk")
	in, err := c.mskInputs(w)
	if err != nil {
		return Result{}, err
	}
	specs := standardSpecs(b)
	var chosen mskPlan
	if w.BrokerType != "" {
		i := slices.IndexFunc(specs, func(s brokerSpec) bool { return s.name == w.BrokerType })
		if i < 0 {
			return Result{}, fmt.Errorf("%w: broker_type %q is not a Standard broker size; send one of %s", ErrInput, w.BrokerType, strings.Join(b.Strings("msk.standard.broker_types"), ", "))
		}
		chosen = c.planMSK(specs[i], in, true)
	} else {
		best := -1
		var plans []mskPlan
		for _, s := range specs {
			if s.family == "t3" {
				continue // burstable; offered only when asked for by name
			}
			p := c.planMSK(s, in, false)
			plans = append(plans, p)
			if !p.fits {
				continue
			}
			if best < 0 || better(p, plans[best]) {
				best = len(plans) - 1
			}
		}
		if best < 0 {
			c.warn("no Standard broker size carries this workload within the per-cluster broker quota; split it over several clusters or use Express brokers")
			best = len(plans) - 1
		}
		c.step("broker type choice", "argmin over m5/m7g sizes of brokers × vCPU (a price-free cost proxy; ties go to fewer brokers)", float64(plans[best].brokers)*plans[best].spec.vcpu, "vCPU total",
			"candidates", len(plans))
		chosen = c.planMSK(plans[best].spec, in, true)
	}
	c.mskAlternatives(chosen, specs, in)
	c.mskWarnings(chosen, in, w)
	c.res.BindingConstraint = chosen.binding
	c.res.Recommendation = Recommendation{
		Summary:                    fmt.Sprintf("%d × %s in %g AZs, %g GiB storage per broker", chosen.brokers, chosen.spec.name, in.azs, chosen.storageGiB),
		BrokerType:                 chosen.spec.name,
		Brokers:                    chosen.brokers,
		AZCount:                    int(in.azs),
		StorageGiBPerBroker:        chosen.storageGiB,
		ProvisionedThroughputMiBps: chosen.provMiBps,
		CPUPercentEstimate:         round(chosen.cpu),
	}
	if chosen.provMiBps > 0 {
		c.res.Recommendation.Summary += fmt.Sprintf(", provisioned storage throughput %g MiB/s", chosen.provMiBps)
	}
	return c.done(), nil
}

// better prefers fewer total vCPUs, then fewer brokers, then Graviton.
func better(a, b mskPlan) bool {
	va, vb := float64(a.brokers)*a.spec.vcpu, float64(b.brokers)*b.spec.vcpu
	if va != vb {
		return va < vb
	}
	if a.brokers != b.brokers {
		return a.brokers < b.brokers
	}
	return a.spec.family == "m7g" && b.spec.family != "m7g"
}

func (c *calc) mskInputs(w Workload) (mskInputs, error) {
	var in mskInputs
	ing, ok := c.ingress(w)
	if !ok {
		return in, fmt.Errorf("%w: send ingress_mb_per_second, or records_per_second with avg_record_bytes", ErrInput)
	}
	in.ingress = ing
	pf := c.peak(w)
	in.peakIngress = c.step("peak ingress", "ingress × peak_factor", ing*pf, "MB/s", "ingress_mb_per_second", ing, "peak_factor", pf)
	in.groups = c.fanout(w, ing)
	in.rf = float64(w.ReplicationFactor)
	if in.rf == 0 {
		in.rf = c.n("sizing.msk.default_replication_factor")
	}
	in.azs = float64(w.AZCount)
	if in.azs == 0 {
		in.azs = c.n("sizing.msk.default_az_count")
	}
	allowed := c.b.Strings("msk.standard.az_counts")
	c.ref("msk.standard.az_counts")
	if !slices.Contains(allowed, fmt.Sprint(int(in.azs))) {
		return in, fmt.Errorf("%w: az_count %g; MSK Standard clusters span %s AZs", ErrInput, in.azs, strings.Join(allowed, " or "))
	}
	in.retention = w.RetentionHours
	if in.retention == 0 {
		in.retention = c.n("sizing.msk.default_retention_hours")
	}
	in.partitions = float64(w.Partitions)
	in.tolerate = c.n("sizing.msk.az_failures_tolerated")
	return in, nil
}

// planMSK evaluates one broker type. With record=true its arithmetic goes
// into the result; alternatives are evaluated silently.
func (c *calc) planMSK(s brokerSpec, in mskInputs, record bool) mskPlan {
	st := func(name, formula string, result float64, unit string, kv ...any) float64 {
		if record {
			return c.step(name, formula, result, unit, kv...)
		}
		return result
	}
	p := mskPlan{spec: s, terms: map[string]float64{}}
	volMiBps := c.n("msk.standard.storage_throughput.default_mibps")
	volMBps := volMiBps * bytesPerMiB / bytesPerMB
	r, g := in.rf, in.groups
	// Equation 1 solved for n.
	p.terms["storage throughput"] = st("brokers for storage (volume) throughput", "peak_ingress × r ÷ t_storage", in.peakIngress*r/volMBps, "brokers",
		"peak_ingress_mb_per_second", in.peakIngress, "r", r, "t_storage_mb_per_second", volMBps)
	p.terms["EBS network throughput"] = st("brokers for EC2-to-EBS network throughput", "peak_ingress × r ÷ t_EBSnetwork", in.peakIngress*r/s.ebsMBps, "brokers",
		"peak_ingress_mb_per_second", in.peakIngress, "r", r, "t_ebs_network_mb_per_second", s.ebsMBps)
	p.terms["EC2 network throughput"] = st("brokers for EC2 network throughput", "peak_ingress × (g + r − 1) ÷ t_EC2network", in.peakIngress*(g+r-1)/s.netMBps, "brokers",
		"peak_ingress_mb_per_second", in.peakIngress, "g", g, "r", r, "t_ec2_network_mb_per_second", s.netMBps)
	// Provisioned storage throughput lifts the volume term up to the EBS baseline.
	if s.provMaxMiBps > 0 && p.terms["storage throughput"] > math.Max(p.terms["EBS network throughput"], p.terms["EC2 network throughput"]) {
		provMBps := s.provMaxMiBps * bytesPerMiB / bytesPerMB
		p.terms["storage throughput"] = st("brokers for storage throughput with provisioned throughput", "peak_ingress × r ÷ t_storage_provisioned_max", in.peakIngress*r/provMBps, "brokers",
			"peak_ingress_mb_per_second", in.peakIngress, "r", r, "t_storage_provisioned_max_mb_per_second", provMBps)
		p.provMiBps = -1 // decided below from the final count
	}
	// CPU estimate, scaled from the one published benchmark.
	bench := "m5_4xlarge"
	if s.family == "m7g" {
		bench = "m7g_4xlarge"
	}
	bw := c.n("msk.standard.benchmark." + bench + ".write_mbps_per_broker")
	bc := c.n("msk.standard.benchmark." + bench + ".cpu_percent")
	bv := c.n("msk.standard.benchmark.vcpu")
	target := c.n("msk.cpu.target_max_percent")
	cpuPerMBps := bc / bw * bv / s.vcpu
	if !in.ignoreCPU {
		p.terms["CPU (estimate)"] = st("brokers for CPU below target (estimate)", "peak_ingress × (bench_cpu ÷ bench_write × bench_vcpu ÷ vcpu) ÷ cpu_target", in.peakIngress*cpuPerMBps/target, "brokers",
			"peak_ingress_mb_per_second", in.peakIngress, "bench_cpu_percent", bc, "bench_write_mb_per_second", bw, "bench_vcpu", bv, "vcpu", s.vcpu, "cpu_target_percent", target)
	}
	if in.partitions > 0 {
		p.terms["partitions per broker"] = st("brokers for partitions (replicas included)", "partitions × r ÷ recommended_per_broker", in.partitions*r/s.partRec, "brokers",
			"partitions", in.partitions, "r", r, "recommended_per_broker", s.partRec)
	}
	alarm := c.n("sizing.msk.disk_warning_percent")
	head := st("storage headroom", "max(headroom, 100 ÷ disk_alarm_percent − 1): full retention stays under MSK's storage alert", math.Max(c.n("sizing.msk.storage_headroom"), percent/alarm-1), "fraction",
		"headroom", c.b.Num("sizing.msk.storage_headroom"), "disk_alarm_percent", alarm)
	totalGiB := st("storage needed", "ingress × 3600 × retention_hours × r × (1 + headroom) (MB → GiB)", in.ingress*secPerHour*in.retention*r*(1+head)*bytesPerMB/bytesPerGiB, "GiB",
		"ingress_mb_per_second", in.ingress, "retention_hours", in.retention, "r", r, "headroom", head)
	maxGiB := c.n("msk.standard.storage.per_broker.max_gib")
	p.terms["storage capacity"] = st("brokers for storage capacity", "storage_needed ÷ max_storage_per_broker", totalGiB/maxGiB, "brokers",
		"storage_needed_gib", totalGiB, "max_storage_per_broker_gib", maxGiB)

	// Throughput and CPU must hold with an AZ down; partitions and storage
	// capacity stay where they are when brokers fail, so they are not scaled.
	scale := 1.0
	if in.tolerate > 0 && in.azs > in.tolerate {
		scale = in.azs / (in.azs - in.tolerate)
	}
	need := 0.0
	for _, k := range sortedKeys(p.terms) {
		v := p.terms[k]
		if k != "partitions per broker" && k != "storage capacity" {
			v *= scale
		}
		if v > need {
			need, p.binding = v, k
		}
	}
	withAZ := need
	if scale > 1 {
		thr := 0.0
		for _, k := range []string{"storage throughput", "EBS network throughput", "EC2 network throughput", "CPU (estimate)"} {
			thr = math.Max(thr, p.terms[k])
		}
		st("brokers to survive an AZ loss (throughput and CPU terms)", "max(throughput terms) × azs ÷ (azs − azs_lost)", thr*scale, "brokers",
			"max_throughput_term", thr, "azs", in.azs, "azs_lost", in.tolerate)
	}
	st("brokers before rounding", "max(throughput terms with AZ headroom, partitions term, storage capacity term)", need, "brokers", "requirement", need)
	n := ceilInt(withAZ)
	n = max(n, int(in.azs), int(r))
	n = roundUpMultiple(n, int(in.azs))
	p.brokers = int(st("broker count", "ceil, at least max(azs, r), rounded up to a multiple of azs", float64(n), "brokers", "brokers", withAZ, "azs", in.azs, "r", r))
	perBroker := math.Ceil(totalGiB / float64(p.brokers))
	p.storageGiB = st("storage per broker", "ceil(storage_needed ÷ brokers)", math.Max(perBroker, c.n("msk.standard.storage.per_broker.min_gib")), "GiB",
		"storage_needed_gib", totalGiB, "brokers", p.brokers)
	if p.provMiBps != 0 {
		// Size provisioned throughput for the brokers left after an AZ loss.
		alive := float64(p.brokers) * (in.azs - in.tolerate) / in.azs
		needMiB := in.peakIngress * r / alive * bytesPerMB / bytesPerMiB
		p.provMiBps = math.Min(s.provMaxMiBps, math.Ceil(math.Max(needMiB, volMiBps)))
		st("provisioned storage throughput per broker", "peak_ingress × r ÷ brokers_after_az_loss (MB → MiB), capped at the broker's maximum", p.provMiBps, "MiB/s",
			"peak_ingress_mb_per_second", in.peakIngress, "r", r, "brokers_after_az_loss", alive, "max_mib_per_second", s.provMaxMiBps)
		if p.provMiBps <= volMiBps {
			p.provMiBps = 0
		}
	}
	if minVol := c.n("msk.standard.storage_throughput.provisioned_min_volume_gib"); p.provMiBps > 0 && p.storageGiB < minVol {
		p.storageGiB = st("storage per broker for provisioned throughput", "max(storage per broker, provisioned_min_volume)", minVol, "GiB",
			"storage_per_broker_gib", p.storageGiB, "provisioned_min_volume_gib", minVol)
	}
	p.cpu = st("CPU per broker (estimate, all brokers up)", "peak_ingress ÷ brokers × cpu_per_mb", in.peakIngress/float64(p.brokers)*cpuPerMBps, "percent",
		"peak_ingress_mb_per_second", in.peakIngress, "brokers", p.brokers, "cpu_percent_per_mb_per_second", cpuPerMBps)
	p.fits = p.brokers <= c.b.Int("msk.cluster.brokers.max_kraft")
	return p
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (c *calc) mskAlternatives(chosen mskPlan, specs []brokerSpec, in mskInputs) {
	i := slices.IndexFunc(specs, func(s brokerSpec) bool { return s.name == chosen.spec.name })
	var cands []brokerSpec
	if i > 0 && specs[i-1].family == chosen.spec.family {
		cands = append(cands, specs[i-1])
	}
	if i+1 < len(specs) && specs[i+1].family == chosen.spec.family {
		cands = append(cands, specs[i+1])
	}
	other := map[string]string{"m5": "m7g", "m7g": "m5", "t3": "m7g"}[chosen.spec.family]
	if _, size, ok := strings.Cut(chosen.spec.key, "_"); ok {
		if j := slices.IndexFunc(specs, func(s brokerSpec) bool { return s.key == other+"_"+size }); j >= 0 {
			cands = append(cands, specs[j])
		}
	}
	for _, s := range cands {
		p := c.planMSK(s, in, false)
		diff := float64(p.brokers)*s.vcpu - float64(chosen.brokers)*chosen.spec.vcpu
		trade := fmt.Sprintf("%d brokers (binding: %s), %+g vCPU in total vs the recommendation, estimated CPU %.0f%%", p.brokers, p.binding, diff, p.cpu)
		if s.family == "m7g" && chosen.spec.family == "m5" {
			trade += "; Graviton: higher throughput per vCPU in AWS's benchmark; needs Kafka " + strings.Join(c.b.Strings("msk.standard.m7g.min_kafka_versions"), " or ") + " and later"
			c.ref("msk.standard.m7g.min_kafka_versions")
		}
		if s.family == "m5" && chosen.spec.family == "m7g" {
			trade += "; m5 runs on any supported Kafka version but needs more CPU for the same load"
		}
		c.alt(fmt.Sprintf("%d × %s", p.brokers, s.name), p.fits, trade)
	}
	if chosen.binding == "CPU (estimate)" {
		eq := in
		eq.ignoreCPU = true
		p := c.planMSK(chosen.spec, eq, false)
		c.alt(fmt.Sprintf("%d × %s (Equation 1 alone, without the CPU estimate)", p.brokers, p.spec.name), p.fits,
			fmt.Sprintf("binding: %s; what network and storage allow if the broker CPU stays under %g%% at this load, which only a load test can show (estimated %.0f%%)",
				p.binding, c.n("msk.cpu.target_max_percent"), p.cpu))
	}
	c.alt("MSK Express brokers (service=msk_express)", true, fmt.Sprintf("no storage to provision, more throughput per broker, %g AZs and RF %g fixed; size with service=msk_express", c.n("msk.express.az_count"), c.n("msk.express.replication_factor")))
}

func (c *calc) mskWarnings(p mskPlan, in mskInputs, w Workload) {
	c.accountBrokers(p.brokers)
	if p.spec.family == "t3" {
		c.warn("kafka.t3.small uses CPU credits and is meant for development; size production on m5 or m7g")
	}
	if in.partitions > 0 {
		per := in.partitions * in.rf / float64(p.brokers)
		if per > p.spec.partMax {
			c.warn("%.0f partition replicas per broker exceed the maximum %g for %s: MSK blocks configuration and version updates above it", per, p.spec.partMax, p.spec.name)
		}
	}
	if p.brokers > c.b.Int("msk.cluster.brokers.max_zookeeper") {
		c.ref("msk.cluster.brokers.max_zookeeper")
		c.warn("%d brokers exceed the ZooKeeper-mode quota of %g per cluster: use a KRaft version (quota %g) or request an increase", p.brokers, c.b.Num("msk.cluster.brokers.max_zookeeper"), c.b.Num("msk.cluster.brokers.max_kraft"))
	}
	if in.rf < c.n("msk.config.replication_factor.recommended") {
		c.warn("replication factor %g: one broker loss can make partitions unavailable; RF %g with min.insync.replicas RF − %g is recommended", in.rf, c.n("msk.config.replication_factor.recommended"), c.n("msk.config.min_insync_replicas.below_rf"))
	}
	if w.ConsumerGroups == 0 && w.EgressMBps == 0 {
		c.warn("no consumer_groups or egress given: assumed %g consumer group; each extra group adds one ingress of EC2 egress per broker", in.groups)
	}
	c.warn("CPU figures extrapolate one published benchmark (4xlarge, RF 3, 512-byte messages, TLS + IAM) linearly by vCPU: validate with a load test")
}

// accountBrokers warns when a cluster alone needs more brokers than the
// default per-account quota.
func (c *calc) accountBrokers(n int) {
	if q := c.n("msk.account.brokers.max"); float64(n) > q {
		c.warn("%d brokers exceed the default quota of %g brokers per account and Region (adjustable): request an increase before creating the cluster", n, q)
	}
}
