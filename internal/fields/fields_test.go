package fields

import (
	"encoding/json"
	"reflect"
	"testing"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGetters(t *testing.T) {
	m := decode(t, `{
		"BrokerNodeGroupInfo": {"InstanceType": " kafka.m7g.large ", "ClientSubnets": ["a","b","c"]},
		"NumberOfBrokerNodes": 6,
		"shards": "4",
		"Enabled": "true",
		"Ref": {"Ref": "Param"},
		"Nested": {"X": {"Fn::GetAtt": ["R", "Arn"]}},
		"Null": null
	}`)
	if v, p, ok := Str(m, "instance_type|BrokerNodeGroupInfo.InstanceType"); !ok || v != "kafka.m7g.large" || p != "BrokerNodeGroupInfo.InstanceType" {
		t.Errorf("Str alias: %q %q %v", v, p, ok)
	}
	if v, _, ok := Num(m, "NumberOfBrokerNodes"); !ok || v != 6 {
		t.Errorf("Num: %v %v", v, ok)
	}
	if v, _, ok := Num(m, "shards"); !ok || v != 4 {
		t.Errorf("Num from text: %v %v", v, ok)
	}
	if v, _, ok := Bool(m, "Enabled"); !ok || !v {
		t.Errorf("Bool from text: %v %v", v, ok)
	}
	if n, _, ok := Len(m, "BrokerNodeGroupInfo.ClientSubnets"); !ok || n != 3 {
		t.Errorf("Len: %v %v", n, ok)
	}
	if _, p, ok := Num(m, "missing|also_missing"); ok || p != "missing" {
		t.Errorf("absent: path %q ok %v", p, ok)
	}
	for _, path := range []string{"Ref", "Nested.X", "Null", "Null.Deeper"} {
		if _, ok := Lookup(m, path); ok {
			t.Errorf("Lookup(%s) is known, want unknown", path)
		}
	}
	for path, want := range map[string]bool{"Ref": true, "Nested.X": true, "Null": true, "Null.Deeper": false, "Nope": false, "A|Null": true} {
		if got := Present(m, path); got != want {
			t.Errorf("Present(%s) = %v, want %v", path, got, want)
		}
	}
	if sub, _ := Sub(m, "BrokerNodeGroupInfo"); sub == nil {
		t.Error("Sub: nil")
	}
}

func TestStringMapAndProperties(t *testing.T) {
	got := StringMap(map[string]any{"a": " x ", "b": 2.5, "c": true, "d": map[string]any{"Ref": "P"}, "e": []any{1}})
	want := map[string]string{"a": "x", "b": "2.5", "c": "true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("StringMap = %v", got)
	}
	p := ParseProperties("# c\n! c\nauto.create.topics.enable = true\nbootstrap.servers: b-1:9098,b-2:9098\nurl=http://x:1\nflag\n\n")
	wantP := map[string]string{"auto.create.topics.enable": "true", "bootstrap.servers": "b-1:9098,b-2:9098", "url": "http://x:1", "flag": ""}
	if !reflect.DeepEqual(p, wantP) {
		t.Errorf("ParseProperties = %v", p)
	}
}
