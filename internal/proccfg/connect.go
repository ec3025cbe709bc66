package proccfg

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stream-mcp/stream-mcp/guidance"
	"github.com/stream-mcp/stream-mcp/internal/fields"
	"github.com/stream-mcp/stream-mcp/internal/rules"
)

// MSK Connect paths (CloudFormation names; the API's camelCase as aliases).
const (
	cxAuto       = "Capacity.AutoScaling|capacity.autoScaling"
	cxProv       = "Capacity.ProvisionedCapacity|capacity.provisionedCapacity"
	cxConfig     = "ConnectorConfiguration|connectorConfiguration"
	cxAuth       = "KafkaClusterClientAuthentication.AuthenticationType|kafkaClusterClientAuthentication.authenticationType"
	cxEnc        = "KafkaClusterEncryptionInTransit.EncryptionType|kafkaClusterEncryptionInTransit.encryptionType"
	cxWorkerConf = "WorkerConfiguration|workerConfiguration"
	cxWorkerProp = "PropertiesFileContent|propertiesFileContent|worker_configuration"
	cxPartitions = "partitions"
)

// ConnectRuleIDs lists every rule ValidateConnect can report.
func ConnectRuleIDs() []string {
	return []string{
		"msk_connect.capacity.one_of", "msk_connect.mcu.allowed", "msk_connect.workers.range", "msk_connect.workers.order",
		"msk_connect.scale_policy.range", "msk_connect.scale_policy.order", "msk_connect.auth.supported", "msk_connect.encryption.iam_tls",
		"msk_connect.connector_class.required", "msk_connect.tasks.partitions", "msk_connect.tasks.autoscaled", "msk_connect.sink.topics",
		"msk_connect.s3_sink.required", "msk_connect.debezium.tasks", "msk_connect.debezium.schema_history_iam", "msk_connect.mm2.required",
		"msk_connect.worker_config.converters", "msk_connect.worker_config.producer_key", "msk_connect.worker_config.consumer_key",
		"msk_connect.worker_config.in_use",
	}
}

// ValidateConnect checks an MSK Connect connector given as
// AWS::KafkaConnect::Connector properties (Capacity, ConnectorConfiguration,
// KafkaClusterClientAuthentication, KafkaClusterEncryptionInTransit,
// WorkerConfiguration) and/or a worker configuration given as
// AWS::KafkaConnect::WorkerConfiguration's PropertiesFileContent (base64 or
// plain properties text) or a worker_configuration object; the context key
// partitions counts the topic partitions a sink reads.
func ValidateConnect(p map[string]any, b *guidance.Base) []rules.Violation {
	o := &out{b: b}
	auto, autoField := fields.Sub(p, cxAuto)
	prov, provField := fields.Sub(p, cxProv)
	capPresent := fields.Present(p, "Capacity|capacity")
	if capPresent && (auto == nil) == (prov == nil) {
		o.add("msk_connect.capacity.one_of", rules.Error, "Capacity", "mskconnect.workers.max",
			"Capacity must hold exactly one of AutoScaling and ProvisionedCapacity", "keep AutoScaling (min/max workers, MCUs, CPU thresholds) or ProvisionedCapacity (McuCount, WorkerCount)")
	}
	maxW := b.Num("mskconnect.workers.max")
	mcus := b.Strings("mskconnect.mcu_count.values")
	checkMCU := func(m map[string]any, base string) {
		if v, f, ok := fields.Num(m, "McuCount|mcuCount"); ok && !slices.Contains(mcus, strconv.FormatFloat(v, 'f', -1, 64)) {
			o.add("msk_connect.mcu.allowed", rules.Error, base+"."+f, "mskconnect.mcu_count.values", fmt.Sprintf("McuCount %g is not one of %s", v, strings.Join(mcus, ", ")), "set McuCount to 1, 2, 4 or 8 (each MCU is 1 vCPU and 4 GiB)")
		}
	}
	workerRange := func(m map[string]any, base, path string) (float64, bool) {
		v, f, ok := fields.Num(m, path)
		if ok && (v < 1 || v > maxW) {
			o.add("msk_connect.workers.range", rules.Error, base+"."+f, "mskconnect.workers.max", fmt.Sprintf("%s %g is outside 1-%g", f, v, maxW), fmt.Sprintf("keep worker counts between 1 and %g; split topics across connectors for more", maxW))
		}
		return v, ok
	}
	if prov != nil {
		checkMCU(prov, provField)
		workerRange(prov, provField, "WorkerCount|workerCount")
	}
	autoscaled := auto != nil
	if auto != nil {
		checkMCU(auto, autoField)
		lo, okLo := workerRange(auto, autoField, "MinWorkerCount|minWorkerCount")
		hi, okHi := workerRange(auto, autoField, "MaxWorkerCount|maxWorkerCount")
		if okLo && okHi && lo > hi {
			o.add("msk_connect.workers.order", rules.Error, autoField+".MinWorkerCount", "mskconnect.workers.max", fmt.Sprintf("MinWorkerCount %g is above MaxWorkerCount %g", lo, hi), "make MinWorkerCount ≤ MaxWorkerCount")
		}
		lo, hi = b.Num("mskconnect.scale_policy.cpu_percent.min"), b.Num("mskconnect.scale_policy.cpu_percent.max")
		in, inF, okIn := fields.Num(auto, "ScaleInPolicy.CpuUtilizationPercentage|scaleInPolicy.cpuUtilizationPercentage")
		outp, outF, okOut := fields.Num(auto, "ScaleOutPolicy.CpuUtilizationPercentage|scaleOutPolicy.cpuUtilizationPercentage")
		for _, c := range []struct {
			v  float64
			f  string
			ok bool
		}{{in, inF, okIn}, {outp, outF, okOut}} {
			if c.ok && (c.v < lo || c.v > hi) {
				o.add("msk_connect.scale_policy.range", rules.Error, autoField+"."+c.f, "mskconnect.scale_policy.cpu_percent.max", fmt.Sprintf("CpuUtilizationPercentage %g is outside %g-%g", c.v, lo, hi), "use a percentage between 1 and 100")
			}
		}
		if okIn && okOut && in >= outp {
			o.add("msk_connect.scale_policy.order", rules.Error, autoField+"."+inF, "mskconnect.example.scale_in_cpu_percent",
				fmt.Sprintf("scale-in at %g%% CPU is not below scale-out at %g%%: the connector would flap between sizes", in, outp),
				fmt.Sprintf("scale in well below scale out, e.g. %g%% and %g%%", b.Num("mskconnect.example.scale_in_cpu_percent"), b.Num("mskconnect.example.scale_out_cpu_percent")))
		}
	}
	auth, authF, haveAuth := fields.Str(p, cxAuth)
	if haveAuth && !slices.Contains(b.Strings("mskconnect.authentication_types"), strings.ToUpper(auth)) {
		o.add("msk_connect.auth.supported", rules.Error, authF, "mskconnect.auth.supported", fmt.Sprintf("AuthenticationType %q: MSK Connect connects to MSK with IAM or without authentication only", auth), "use IAM (port 9098) or NONE; SASL/SCRAM and mTLS clusters need self-managed Kafka Connect")
	}
	if enc, encF, ok := fields.Str(p, cxEnc); ok && haveAuth && strings.EqualFold(auth, "IAM") && strings.EqualFold(enc, "PLAINTEXT") {
		o.add("msk_connect.encryption.iam_tls", rules.Error, encF, "mskconnect.encryption_types", "IAM authentication with PLAINTEXT encryption in transit: IAM access control runs only over TLS", "set KafkaClusterEncryptionInTransit.EncryptionType to TLS")
	}
	if fields.Present(p, cxWorkerConf) {
		o.add("msk_connect.worker_config.in_use", rules.Info, "WorkerConfiguration", "mskconnect.worker_config.in_use_not_deletable",
			"a worker configuration cannot be deleted while a connector uses it", "to rotate it, create a new worker configuration (or revision), update or recreate the connectors on it, then delete the old one")
	}
	if cc, ccField := fields.Sub(p, cxConfig); cc != nil || fields.Present(p, cxConfig) {
		connectorConfig(o, fields.StringMap(cc), ccField, p, autoscaled, haveAuth && strings.EqualFold(auth, "IAM"))
	}
	workerConfig(o, p)
	return o.list()
}

func connectorConfig(o *out, cc map[string]string, field string, p map[string]any, autoscaled, iam bool) {
	b := o.b
	class := cc["connector.class"]
	if class == "" {
		o.add("msk_connect.connector_class.required", rules.Error, field+".connector.class", "mskconnect.connector.required_keys", "the connector configuration has no connector.class", "set connector.class to the plugin's connector class")
	}
	tasks, tErr := strconv.ParseFloat(cc["tasks.max"], 64)
	haveTasks := tErr == nil
	if haveTasks && autoscaled {
		o.add("msk_connect.tasks.autoscaled", rules.Info, field+".tasks.max", "mskconnect.workers.max", "with autoscaled capacity MSK Connect overrides tasks.max in proportion to workers × MCUs", "size tasks through MaxWorkerCount and McuCount, or use provisioned capacity to pin tasks.max")
	}
	lc := strings.ToLower(class)
	sink := strings.Contains(lc, "sink")
	if parts, _, ok := fields.Num(p, cxPartitions); ok && haveTasks && sink && tasks > parts {
		o.add("msk_connect.tasks.partitions", rules.Warning, field+".tasks.max", "mskconnect.connector.required_keys", fmt.Sprintf("tasks.max %g exceeds the %g partitions the sink reads: %g tasks idle", tasks, parts, tasks-parts), fmt.Sprintf("set tasks.max to at most %g, or add partitions", parts))
	}
	if sink {
		n := 0
		for _, k := range b.Strings("mskconnect.sink.topics_keys") {
			if cc[k] != "" {
				n++
			}
		}
		if n != 1 {
			o.add("msk_connect.sink.topics", rules.Error, field+".topics", "mskconnect.sink.topics_keys", fmt.Sprintf("a sink connector needs exactly one of topics or topics.regex (found %d)", n), "set topics to the comma-separated topic list (or topics.regex)")
		}
	}
	if strings.Contains(lc, "s3sinkconnector") {
		for _, k := range b.Strings("mskconnect.s3_sink.required_keys") {
			if cc[k] == "" {
				o.add("msk_connect.s3_sink.required", rules.Error, field+"."+k, "mskconnect.s3_sink.required_keys", "the S3 sink connector needs "+k, "set "+k+" (e.g. storage.class=io.confluent.connect.s3.storage.S3Storage, format.class=io.confluent.connect.s3.format.json.JsonFormat); in private subnets add an S3 VPC endpoint")
			}
		}
	}
	if strings.HasPrefix(lc, "io.debezium.") {
		if one := b.Num("mskconnect.debezium.tasks_max"); haveTasks && tasks > one {
			o.add("msk_connect.debezium.tasks", rules.Warning, field+".tasks.max", "mskconnect.debezium.tasks_max", fmt.Sprintf("Debezium database connectors run %g task; tasks.max %g adds nothing", one, tasks), "set tasks.max to 1 and scale with separate connectors per database")
		}
		if iam || strings.Contains(cc["schema.history.internal.kafka.bootstrap.servers"], "9098") {
			for _, k := range b.Strings("mskconnect.debezium.schema_history_iam_keys") {
				if cc[k] == "" {
					o.add("msk_connect.debezium.schema_history_iam", rules.Error, field+"."+k, "mskconnect.debezium.schema_history_iam_keys", "with IAM auth Debezium's schema-history client needs "+k+" like the connector's own client", "set "+k+" (security.protocol=SASL_SSL, sasl.mechanism=AWS_MSK_IAM, sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;, sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler)")
				}
			}
		}
	}
	if strings.Contains(lc, "mirrorsourceconnector") || strings.Contains(lc, "mirrorcheckpointconnector") || strings.Contains(lc, "mirrorheartbeatconnector") {
		for _, k := range b.Strings("mskconnect.mm2.required_keys") {
			if cc[k] == "" {
				o.add("msk_connect.mm2.required", rules.Error, field+"."+k, "mskconnect.mm2.required_keys", "a MirrorMaker 2 connector needs "+k, "set "+k+" (aliases name the clusters in replicated topic names unless replication.policy.class is IdentityReplicationPolicy)")
			}
		}
	}
}

func workerConfig(o *out, p map[string]any) {
	b := o.b
	var props map[string]string
	field := "PropertiesFileContent"
	if v, f, ok := fields.First(p, cxWorkerProp); ok {
		field = f
		switch x := v.(type) {
		case string:
			text := x
			if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(x)); err == nil {
				text = string(dec)
			}
			props = fields.ParseProperties(text)
		case map[string]any:
			props = fields.StringMap(x)
		}
	}
	if props == nil {
		return
	}
	for _, k := range b.Strings("mskconnect.worker_config.required_keys") {
		if props[k] == "" {
			o.add("msk_connect.worker_config.converters", rules.Error, field+"."+k, "mskconnect.worker_config.required_keys", "a custom worker configuration must set "+k, "set "+k+" (MSK Connect's default is org.apache.kafka.connect.storage.StringConverter)")
		}
	}
	prodOK := b.Strings("mskconnect.worker_config.producer_keys")
	consKnown := b.Strings("mskconnect.worker_config.consumer_prefix_keys")
	for k := range props {
		switch {
		case strings.HasPrefix(k, "producer.") && !slices.Contains(prodOK, k):
			o.add("msk_connect.worker_config.producer_key", rules.Error, field+"."+k, "mskconnect.worker_config.producer_keys", k+" is not a producer property MSK Connect supports in a worker configuration", "remove it, or set it per connector as producer.override."+strings.TrimPrefix(k, "producer.")+" where the connector allows overrides")
		case strings.HasPrefix(k, "consumer.") && !slices.Contains(consKnown, k):
			o.add("msk_connect.worker_config.consumer_key", rules.Info, field+"."+k, "mskconnect.worker_config.consumer_prefix_keys", k+" was not checked against MSK Connect's supported consumer properties", "confirm it in the supported worker configuration properties list")
		}
	}
}
