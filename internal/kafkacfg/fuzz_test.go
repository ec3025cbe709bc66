package kafkacfg

import (
	"encoding/json"
	"testing"
)

// FuzzValidate feeds arbitrary JSON objects to the Kafka topic, producer and
// consumer rules, as validate_config receives them from a model: they must
// never panic. Seeds live in testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`{"retention.ms":"604800000","min.insync.replicas":2,"acks":"all","max.poll.records":500}`))
	b := loadBase(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cfg Config
		if json.Unmarshal(raw, &cfg) != nil {
			return
		}
		_ = ValidateTopic(cfg, TopicContext{Brokers: 3}, b)
		_ = ValidateProducer(cfg, ProducerContext{}, b)
		_ = ValidateConsumer(cfg, ConsumerContext{}, b)
	})
}
