package streamcfg

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// MSK property paths, '|'-separated: the CloudFormation name first, then the aliases.
const (
	mskInstanceType   = "BrokerNodeGroupInfo.InstanceType|instance_type|broker_type"
	mskSubnets        = "BrokerNodeGroupInfo.ClientSubnets|client_subnets"
	mskAZCount        = "az_count"
	mskBrokers        = "NumberOfBrokerNodes|broker_count"
	mskVersion        = "KafkaVersion|kafka_version"
	mskVolume         = "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize|volume_size_gib"
	mskPTEnabled      = "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.ProvisionedThroughput.Enabled|provisioned_throughput_enabled"
	mskPTValue        = "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.ProvisionedThroughput.VolumeThroughput|provisioned_throughput_mibps"
	mskStorageMode    = "StorageMode|storage_mode"
	mskIAM            = "ClientAuthentication.Sasl.Iam.Enabled|iam_enabled"
	mskSCRAM          = "ClientAuthentication.Sasl.Scram.Enabled|scram_enabled"
	mskTLS            = "ClientAuthentication.Tls.Enabled|tls_enabled"
	mskUnauth         = "ClientAuthentication.Unauthenticated.Enabled|unauthenticated_enabled"
	mskVPCIAM         = "BrokerNodeGroupInfo.ConnectivityInfo.VpcConnectivity.ClientAuthentication.Sasl.Iam.Enabled"
	mskVPCSCRAM       = "BrokerNodeGroupInfo.ConnectivityInfo.VpcConnectivity.ClientAuthentication.Sasl.Scram.Enabled"
	mskVPCTLS         = "BrokerNodeGroupInfo.ConnectivityInfo.VpcConnectivity.ClientAuthentication.Tls.Enabled"
	mskMultiVPC       = "multi_vpc_enabled"
	mskServerProps    = "ServerProperties|server_properties"
	expressTypePrefix = "express."
)

// MSKClusterRuleIDs lists every rule ValidateMSKCluster can report, for
// checked_rules counts and documentation.
func MSKClusterRuleIDs() []string {
	return []string{
		"msk_cluster.az_count.allowed", "msk_cluster.broker_count.az_multiple", "msk_cluster.broker_count.quota",
		"msk_cluster.instance_type.known", "msk_cluster.storage.volume_size.range",
		"msk_cluster.storage.provisioned_throughput.instance", "msk_cluster.storage.provisioned_throughput.range",
		"msk_cluster.storage.provisioned_throughput.volume", "msk_cluster.version.m7g", "msk_cluster.version.express",
		"msk_cluster.multi_vpc.version", "msk_cluster.multi_vpc.instance_type", "msk_cluster.multi_vpc.auth",
		"msk_cluster.iam.version", "msk_cluster.tiered_storage.version", "msk_cluster.tiered_storage.instance_type",
		"msk_cluster.config.auto_create_topics", "msk_cluster.config.default_replication_factor",
		"msk_cluster.config.min_insync_replicas", "msk_cluster.config.unclean_leader_election",
		"msk_cluster.config.replica_selector", "msk_cluster.config.num_partitions", "msk_cluster.express.fixed_config",
		"msk_cluster.config.num_replica_fetchers",
		"msk_cluster.fields.type",
	}
}

// ValidateMSKCluster checks an MSK provisioned cluster (Standard or Express
// brokers) given as AWS::MSK::Cluster properties or aliases (instance_type,
// az_count, broker_count, kafka_version, volume_size_gib,
// provisioned_throughput_mibps, storage_mode, iam_enabled,
// multi_vpc_enabled, server_properties as text or map). It never fails:
// missing or intrinsic values skip the rules that need them.
func ValidateMSKCluster(props map[string]any, b *guidance.Base) []rules.Violation {
	c := mskCheck{b: b, props: props}
	c.run()
	rules.Sort(c.out)
	return c.out
}

type mskCheck struct {
	b     *guidance.Base
	props map[string]any
	out   []rules.Violation

	instance    string
	typeKey     string // e.g. m5_large
	express     bool
	known       bool
	azs         int
	azField     string
	ver         version
	haveVersion bool
}

func (c *mskCheck) add(id string, sev rules.Severity, field, ref, msg, fix string) {
	c.out = append(c.out, rules.Violation{RuleID: id, Severity: sev, Field: field, Message: msg, Fix: fix, Reference: c.b.Source(ref)})
}

func (c *mskCheck) run() {
	c.out = typeErrors(c.props, []string{mskAZCount, mskBrokers, mskVolume, mskPTValue},
		[]string{mskPTEnabled, mskIAM, mskSCRAM, mskTLS, mskUnauth, mskVPCIAM, mskVPCSCRAM, mskVPCTLS, mskMultiVPC},
		"msk_cluster.fields.type", "cfn.msk_cluster.properties", c.b)
	c.instanceType()
	c.azAndBrokers()
	c.storage()
	c.versions()
	c.multiVPCRules()
	c.serverProperties()
}

// s returns a string-valued guidance entry.
func (c *mskCheck) s(id string) string {
	l, _ := c.b.Lookup(id)
	v, _ := fields.Scalar(l.Value)
	return v
}

func (c *mskCheck) multiVPC() bool {
	for _, p := range []string{mskVPCIAM, mskVPCSCRAM, mskVPCTLS, mskMultiVPC} {
		if on, _, ok := fields.Bool(c.props, p); ok && on {
			return true
		}
	}
	return false
}

// authUnknown reports whether any client-authentication flag is an intrinsic.
func (c *mskCheck) authUnknown() bool {
	for _, p := range []string{mskIAM, mskSCRAM, mskTLS} {
		if exists(c.props, p) {
			if _, _, ok := fields.Bool(c.props, p); !ok {
				return true
			}
		}
	}
	return false
}

func (c *mskCheck) multiVPCRules() {
	if !c.multiVPC() {
		return
	}
	if c.instance == "kafka.t3.small" {
		_, f, _ := fields.First(c.props, mskInstanceType)
		c.add("msk_cluster.multi_vpc.instance_type", rules.Error, f, "msk.feature.multi_vpc.min_kafka_version",
			"multi-VPC private connectivity is not supported on kafka.t3.small", "use kafka.m5.large or larger")
	}
	authOn := false
	for _, p := range []string{mskIAM, mskSCRAM, mskTLS} {
		if on, _, ok := fields.Bool(c.props, p); ok && on {
			authOn = true
		}
	}
	// No ClientAuthentication at all means MSK's default: unauthenticated.
	if !authOn && !c.authUnknown() {
		c.add("msk_cluster.multi_vpc.auth", rules.Error, "ClientAuthentication", "msk.feature.multi_vpc.min_kafka_version",
			"multi-VPC private connectivity needs IAM, TLS or SASL/SCRAM client authentication on the cluster; unauthenticated access is not allowed",
			"enable ClientAuthentication.Sasl.Iam (or Scram or Tls) on the cluster")
	}
}

func (c *mskCheck) instanceType() {
	it, field, ok := fields.Str(c.props, mskInstanceType)
	if !ok {
		return
	}
	c.instance = it
	c.express = strings.HasPrefix(it, expressTypePrefix)
	if c.express {
		c.known = slices.Contains(c.b.Strings("msk.express.broker_types"), it)
	} else {
		c.known = slices.Contains(c.b.Strings("msk.standard.broker_types"), it)
	}
	c.typeKey = strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(it, "kafka."), expressTypePrefix), ".", "_")
	if !c.known {
		all := append(slices.Clone(c.b.Strings("msk.standard.broker_types")), c.b.Strings("msk.express.broker_types")...)
		c.add("msk_cluster.instance_type.known", rules.Error, field, "msk.standard.broker_types",
			fmt.Sprintf("broker type %q is not an MSK broker size", it),
			"use one of: "+strings.Join(all, ", "))
	}
}

func (c *mskCheck) azAndBrokers() {
	if n, field, ok := fields.Len(c.props, mskSubnets); ok {
		c.azs, c.azField = n, field
	} else if f, field, ok := fields.Num(c.props, mskAZCount); ok {
		c.azs, c.azField = int(f), field
	}
	if c.azs > 0 {
		if c.express {
			want := c.b.Int("msk.express.az_count")
			if c.azs != want {
				c.add("msk_cluster.az_count.allowed", rules.Error, c.azField, "msk.express.az_count",
					fmt.Sprintf("Express brokers need exactly %d Availability Zones; %d given", want, c.azs),
					fmt.Sprintf("use %d client subnets in %d different AZs", want, want))
			}
		} else if !slices.Contains(c.b.Strings("msk.standard.az_counts"), strconv.Itoa(c.azs)) {
			c.add("msk_cluster.az_count.allowed", rules.Error, c.azField, "msk.standard.az_counts",
				fmt.Sprintf("a Standard cluster spans %s Availability Zones; %d client subnets given", strings.Join(c.b.Strings("msk.standard.az_counts"), " or "), c.azs),
				"give one client subnet per AZ, in "+strings.Join(c.b.Strings("msk.standard.az_counts"), " or ")+" AZs")
		}
	}
	brokers, bf, ok := fields.Num(c.props, mskBrokers)
	if !ok {
		return
	}
	n := int(brokers)
	switch {
	case c.azs > 0 && n < c.azs:
		// 0 and negative counts are multiples too, but a cluster needs at
		// least one broker in each of its AZs.
		c.add("msk_cluster.broker_count.az_multiple", rules.Error, bf, "msk.standard.az_counts",
			fmt.Sprintf("%d brokers over %d AZs; MSK places at least one broker in each AZ", n, c.azs),
			fmt.Sprintf("set %s to %d (or another multiple of %d)", bf, c.azs, c.azs))
	case c.azs > 0 && n%c.azs != 0:
		up := (n/c.azs + 1) * c.azs
		c.add("msk_cluster.broker_count.az_multiple", rules.Error, bf, "msk.standard.az_counts",
			fmt.Sprintf("%d brokers cannot be spread evenly over %d AZs; MSK requires a multiple of the AZ count", n, c.azs),
			fmt.Sprintf("set %s to %d", bf, up))
	}
	v, _, hv := fields.Str(c.props, mskVersion)
	pv, okv := parseVersion(v)
	ko, _ := parseVersion(c.s("msk.feature.kraft_only.min_kafka_version"))
	kraft := hv && okv && pv.kraft(ko)
	maxK := c.b.Int("msk.cluster.brokers.max_kraft")
	maxZ := c.b.Int("msk.cluster.brokers.max_zookeeper")
	switch {
	case n > maxK:
		c.add("msk_cluster.broker_count.quota", rules.Warning, bf, "msk.cluster.brokers.max_kraft",
			fmt.Sprintf("%d brokers exceed the default per-cluster quota of %d (KRaft)", n, maxK),
			"request a quota increase first, or split the workload over several clusters")
	case n > maxZ && !kraft:
		c.add("msk_cluster.broker_count.quota", rules.Warning, bf, "msk.cluster.brokers.max_zookeeper",
			fmt.Sprintf("%d brokers exceed the default quota of %d for ZooKeeper-based clusters", n, maxZ),
			fmt.Sprintf("use a KRaft version (quota %d) or request a quota increase", maxK))
	}
}

func (c *mskCheck) storage() {
	if vol, field, ok := fields.Num(c.props, mskVolume); ok {
		lo, hi := c.b.Num("msk.standard.storage.per_broker.min_gib"), c.b.Num("msk.standard.storage.per_broker.max_gib")
		if vol < lo || vol > hi {
			c.add("msk_cluster.storage.volume_size.range", rules.Error, field, "msk.standard.storage.per_broker.max_gib",
				fmt.Sprintf("VolumeSize %g GiB is outside %g–%g GiB per broker", vol, lo, hi),
				fmt.Sprintf("set VolumeSize between %g and %g, or enable tiered storage for more", lo, hi))
		}
	}
	enabled, ef, okE := fields.Bool(c.props, mskPTEnabled)
	tput, tf, okT := fields.Num(c.props, mskPTValue)
	if !(okE && enabled) && !okT {
		return
	}
	field := ef
	if okT {
		field = tf
	}
	if c.instance != "" && c.known && !c.express {
		id := "msk.standard." + c.typeKey + ".storage_throughput.provisioned_max_mibps"
		if _, ok := c.b.Lookup(id); !ok {
			c.add("msk_cluster.storage.provisioned_throughput.instance", rules.Error, field, "msk.standard.m5_4xlarge.storage_throughput.provisioned_max_mibps",
				fmt.Sprintf("provisioned storage throughput is not available on %s", c.instance),
				"use one of "+strings.Join(c.provisionedThroughputTypes(), ", ")+", or disable ProvisionedThroughput")
		} else if okT {
			lo, hi := c.b.Num("msk.standard.storage_throughput.default_mibps"), c.b.Num(id)
			if tput < lo || tput > hi {
				c.add("msk_cluster.storage.provisioned_throughput.range", rules.Error, tf, id,
					fmt.Sprintf("VolumeThroughput %g MiB/s is outside %g–%g MiB/s for %s", tput, lo, hi, c.instance),
					fmt.Sprintf("set VolumeThroughput between %g and %g", lo, hi))
			}
		}
	}
	if vol, _, ok := fields.Num(c.props, mskVolume); ok {
		min := c.b.Num("msk.standard.storage_throughput.provisioned_min_volume_gib")
		if vol < min {
			c.add("msk_cluster.storage.provisioned_throughput.volume", rules.Error, field, "msk.standard.storage_throughput.provisioned_min_volume_gib",
				fmt.Sprintf("provisioned storage throughput needs VolumeSize ≥ %g GiB; %g given", min, vol),
				fmt.Sprintf("raise VolumeSize to at least %g", min))
		}
	}
}

// provisionedThroughputTypes lists the Standard broker types that have a
// provisioned storage throughput maximum in the guidance table.
func (c *mskCheck) provisionedThroughputTypes() []string {
	var out []string
	for _, it := range c.b.Strings("msk.standard.broker_types") {
		key := strings.ReplaceAll(strings.TrimPrefix(it, "kafka."), ".", "_")
		if _, ok := c.b.Lookup("msk.standard." + key + ".storage_throughput.provisioned_max_mibps"); ok {
			out = append(out, it)
		}
	}
	return out
}

func (c *mskCheck) versions() {
	v, vf, ok := fields.Str(c.props, mskVersion)
	if !ok {
		return
	}
	pv, ok := parseVersion(v)
	if !ok {
		return
	}
	c.ver, c.haveVersion = pv, true
	atLeast := func(id string) bool {
		min, _ := parseVersion(c.s(id))
		return !pv.less(min)
	}
	if c.express && !atLeast("msk.express.min_kafka_version") {
		c.add("msk_cluster.version.express", rules.Error, vf, "msk.express.min_kafka_version",
			fmt.Sprintf("Express brokers need Kafka %s or later; %s given", c.s("msk.express.min_kafka_version"), v),
			"use KafkaVersion "+c.s("msk.express.min_kafka_version")+" or later")
	}
	if strings.HasPrefix(c.instance, "kafka.m7g.") {
		mins := c.b.Strings("msk.standard.m7g.min_kafka_versions")
		okM7g := false
		for _, m := range mins {
			mv, _ := parseVersion(m)
			if pv.parts[0] == mv.parts[0] && pv.parts[1] == mv.parts[1] && !pv.less(mv) {
				okM7g = true
			}
		}
		last, _ := parseVersion(mins[len(mins)-1])
		if !pv.less(last) {
			okM7g = true
		}
		if !okM7g {
			c.add("msk_cluster.version.m7g", rules.Error, vf, "msk.standard.m7g.min_kafka_versions",
				fmt.Sprintf("M7g brokers need Kafka %s; %s given", strings.Join(mins, " or later on its line, or "), v),
				"use KafkaVersion "+mins[len(mins)-1]+" or later ("+c.s("msk.kafka_version.recommended")+" is MSK's recommended line), or an m5 broker")
		}
	}
	if c.multiVPC() {
		if !atLeast("msk.feature.multi_vpc.min_kafka_version") {
			c.add("msk_cluster.multi_vpc.version", rules.Error, vf, "msk.feature.multi_vpc.min_kafka_version",
				fmt.Sprintf("multi-VPC private connectivity needs Kafka %s or later; %s given", c.s("msk.feature.multi_vpc.min_kafka_version"), v),
				"upgrade KafkaVersion to "+c.s("msk.feature.multi_vpc.min_kafka_version")+" or later")
		}
	}
	iam, iamField, iamOK := fields.Bool(c.props, mskIAM)
	if iamOK && iam && !atLeast("msk.feature.iam_non_java.min_kafka_version") {
		c.add("msk_cluster.iam.version", rules.Warning, iamField, "msk.feature.iam_non_java.min_kafka_version",
			fmt.Sprintf("IAM access control for non-Java clients needs Kafka %s or later; %s given", c.s("msk.feature.iam_non_java.min_kafka_version"), v),
			"upgrade KafkaVersion to "+c.s("msk.feature.iam_non_java.min_kafka_version")+" or later if non-Java clients use IAM")
	}
	if mode, mf, ok := fields.Str(c.props, mskStorageMode); ok && strings.EqualFold(mode, "TIERED") {
		if !strings.Contains(v, "tiered") && !atLeast("msk.feature.tiered_storage.min_kafka_version") {
			c.add("msk_cluster.tiered_storage.version", rules.Error, vf, "msk.feature.tiered_storage.min_kafka_version",
				fmt.Sprintf("tiered storage needs Kafka %s or later (or 2.8.2.tiered); %s given", c.s("msk.feature.tiered_storage.min_kafka_version"), v),
				"use KafkaVersion "+c.s("msk.feature.tiered_storage.min_kafka_version")+" or later")
		}
		if c.instance == "kafka.t3.small" {
			c.add("msk_cluster.tiered_storage.instance_type", rules.Error, mf, "msk.feature.tiered_storage.min_kafka_version",
				"tiered storage is not supported on kafka.t3.small", "use kafka.m5.large or larger, or StorageMode LOCAL")
		}
	}
}

func (c *mskCheck) serverProperties() {
	raw, base, ok := fields.First(c.props, mskServerProps)
	if !ok {
		return
	}
	sp := parseProperties(raw)
	field := func(k string) string { return base + "." + k }
	intProp := func(k string) (int, bool) {
		v, ok := sp[k]
		if !ok {
			return 0, false
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		return i, err == nil
	}
	boolProp := func(k string) (bool, bool) {
		v, ok := sp[k]
		if !ok {
			return false, false
		}
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		return b, err == nil
	}

	if on, ok := boolProp("auto.create.topics.enable"); ok && on {
		c.add("msk_cluster.config.auto_create_topics", rules.Warning, field("auto.create.topics.enable"), "msk.config.auto_create_topics.default",
			"auto.create.topics.enable=true creates a topic for every mistyped name a client produces to or fetches, with the broker defaults (num.partitions, default.replication.factor) instead of a reviewed configuration",
			"set auto.create.topics.enable=false (the MSK default) and create topics explicitly")
	}

	recRF := c.b.Int("msk.config.replication_factor.recommended")
	brokers := 0
	if n, _, ok := fields.Num(c.props, mskBrokers); ok {
		brokers = int(n)
	}
	rf, rfSet := intProp("default.replication.factor")
	effRF := rf
	if !rfSet {
		effRF = recRF
		if c.azs > 0 && c.azs < recRF {
			effRF = c.azs // MSK's default: 3 on 3-AZ clusters, 2 on 2-AZ clusters
		}
	}
	if c.express {
		wantRF, wantISR := c.b.Int("msk.express.replication_factor"), c.b.Int("msk.express.min_insync_replicas")
		if rfSet && rf != wantRF {
			c.add("msk_cluster.express.fixed_config", rules.Error, field("default.replication.factor"), "msk.express.replication_factor",
				fmt.Sprintf("Express brokers fix the replication factor at %d; %d cannot be applied", wantRF, rf),
				"remove default.replication.factor from the configuration")
		}
		if isr, ok := intProp("min.insync.replicas"); ok && isr != wantISR {
			c.add("msk_cluster.express.fixed_config", rules.Error, field("min.insync.replicas"), "msk.express.min_insync_replicas",
				fmt.Sprintf("Express brokers fix min.insync.replicas at %d; %d cannot be applied", wantISR, isr),
				"remove min.insync.replicas from the configuration")
		}
		effRF = wantRF
	} else if rfSet {
		switch {
		case brokers > 0 && rf > brokers:
			c.add("msk_cluster.config.default_replication_factor", rules.Error, field("default.replication.factor"), "msk.config.replication_factor.recommended",
				fmt.Sprintf("default.replication.factor=%d exceeds the %d brokers; auto-created topics fail with INVALID_REPLICATION_FACTOR", rf, brokers),
				fmt.Sprintf("set default.replication.factor to at most %d (recommended %d)", brokers, min(recRF, brokers)))
		case rf < recRF && (brokers == 0 || brokers >= recRF) && (c.azs == 0 || c.azs >= recRF):
			c.add("msk_cluster.config.default_replication_factor", rules.Warning, field("default.replication.factor"), "msk.config.replication_factor.recommended",
				fmt.Sprintf("default.replication.factor=%d keeps fewer than %d copies; one broker or AZ loss can make partitions unavailable or lose data", rf, recRF),
				fmt.Sprintf("set default.replication.factor=%d", recRF))
		}
	}

	below := c.b.Int("msk.config.min_insync_replicas.below_rf")
	if isr, ok := intProp("min.insync.replicas"); ok && !c.express {
		want := max(1, effRF-below)
		switch {
		case isr > effRF:
			c.add("msk_cluster.config.min_insync_replicas", rules.Error, field("min.insync.replicas"), "msk.config.min_insync_replicas.below_rf",
				fmt.Sprintf("min.insync.replicas=%d is above the replication factor %d: every acks=all write fails with NOT_ENOUGH_REPLICAS", isr, effRF),
				fmt.Sprintf("set min.insync.replicas=%d", want))
		case isr == effRF && effRF > 1:
			c.add("msk_cluster.config.min_insync_replicas", rules.Warning, field("min.insync.replicas"), "msk.config.min_insync_replicas.below_rf",
				fmt.Sprintf("min.insync.replicas=%d equals the replication factor: any broker restart (including MSK patching) blocks acks=all writes", isr),
				fmt.Sprintf("set min.insync.replicas=%d (RF - %d)", want, below))
		case isr < want:
			c.add("msk_cluster.config.min_insync_replicas", rules.Warning, field("min.insync.replicas"), "msk.config.min_insync_replicas.below_rf",
				fmt.Sprintf("min.insync.replicas=%d with replication factor %d: an acks=all write is acknowledged while only %d copy exists, so one more failure loses it", isr, effRF, isr),
				fmt.Sprintf("set min.insync.replicas=%d (RF - %d)", want, below))
		}
	}

	if on, ok := boolProp("unclean.leader.election.enable"); ok && on {
		c.add("msk_cluster.config.unclean_leader_election", rules.Warning, field("unclean.leader.election.enable"), "msk.config.replication_factor.recommended",
			"unclean.leader.election.enable=true lets an out-of-sync replica become leader: acknowledged records are silently lost to keep the partition available",
			"set unclean.leader.election.enable=false unless availability matters more than losing acknowledged data")
	}

	if sel, ok := sp["replica.selector.class"]; ok && sel != "" {
		want := c.s("msk.config.replica_selector.rack_aware")
		if sel != want {
			c.add("msk_cluster.config.replica_selector", rules.Warning, field("replica.selector.class"), "msk.config.replica_selector.rack_aware",
				fmt.Sprintf("replica.selector.class=%q is not the rack-aware selector; consumers' client.rack will not pick the closest replica", sel),
				"set replica.selector.class="+want)
		} else if c.haveVersion {
			minV, _ := parseVersion(c.s("msk.feature.rack_aware_fetch.min_kafka_version"))
			if c.ver.less(minV) {
				c.add("msk_cluster.config.replica_selector", rules.Error, field("replica.selector.class"), "msk.feature.rack_aware_fetch.min_kafka_version",
					fmt.Sprintf("fetching from the closest replica needs Kafka %s or later; cluster runs %s", c.s("msk.feature.rack_aware_fetch.min_kafka_version"), c.ver.raw),
					"upgrade KafkaVersion or remove replica.selector.class")
			}
		}
	}

	if on, _, ok := fields.Bool(c.props, mskPTEnabled); ok && on && !c.express {
		def := c.b.Int("msk.config.num_replica_fetchers.default")
		if n, ok := intProp("num.replica.fetchers"); !ok || n <= def {
			if !ok {
				n = def
			}
			c.add("msk_cluster.config.num_replica_fetchers", rules.Warning, field("num.replica.fetchers"), "msk.config.num_replica_fetchers.default",
				fmt.Sprintf("provisioned storage throughput is on but num.replica.fetchers is %d (the MSK default): followers replicate with too few threads and the cluster does not reach the throughput it pays for", n),
				fmt.Sprintf("raise num.replica.fetchers above %d in the cluster configuration, together with the provisioned throughput", def))
		}
	}
	if np, ok := intProp("num.partitions"); ok && np < c.b.Int("msk.config.num_partitions.min") {
		c.add("msk_cluster.config.num_partitions", rules.Error, field("num.partitions"), "msk.config.num_partitions.min",
			fmt.Sprintf("num.partitions=%d: a topic needs at least %d partition", np, c.b.Int("msk.config.num_partitions.min")),
			fmt.Sprintf("set num.partitions to at least %d", c.b.Int("msk.config.num_partitions.min")))
	}
}
