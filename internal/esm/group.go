package esm

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// GroupMember is one member of a Kafka consumer group as the brokers report
// it (DescribeGroups): its client.id and host.
type GroupMember struct {
	ClientID string
	Host     string
}

// Verdicts of SharedGroup.
const (
	GroupShared    = "shared"
	GroupNotShared = "not_shared"
	GroupUnknown   = "unknown"
)

// SharedGroup judges, from live consumer-group state, whether a Kafka
// mapping's consumer group is also used by another application: Kafka then
// splits the partitions between the mapping's pollers and the other
// members, so each silently sees only part of the topic (guidance
// guidance_esm.fact.kafka_shared_group). groupID is the mapping's
// ConsumerGroupId (empty = the mapping UUID, the default); members are the
// group's current members. It returns the verdict and the evidence.
//
// Callers with a Kafka client (kafka_inspect, esm_inspect) describe the
// group and pass its members here; the judgement lives in one place.
func SharedGroup(groupID, mappingUUID string, mappingEnabled bool, members []GroupMember) (string, string) {
	if groupID == "" {
		groupID = mappingUUID
	}
	if len(members) == 0 {
		if mappingEnabled {
			return GroupUnknown, fmt.Sprintf("group %q has no active members right now (pollers may be idle or rebalancing); describe it again while records flow", groupID)
		}
		return GroupNotShared, fmt.Sprintf("group %q has no active members", groupID)
	}
	if !mappingEnabled {
		return GroupShared, fmt.Sprintf("the mapping is disabled, yet group %q has %d active member(s) (%s): another application consumes with this group id", groupID, len(members), families(members))
	}
	fam := families(members)
	if n := strings.Count(fam, ",") + 1; n > 1 {
		return GroupShared, fmt.Sprintf("group %q has members from %d different clients (%s): Kafka splits the partitions between the mapping and the others", groupID, n, fam)
	}
	if groupID == mappingUUID {
		return GroupNotShared, fmt.Sprintf("group %q is the mapping's own UUID and all %d member(s) come from one client (%s)", groupID, len(members), fam)
	}
	return GroupNotShared, fmt.Sprintf("all %d member(s) of group %q come from one client (%s); a custom group id is shared only if another application joins it", len(members), groupID, fam)
}

// families reduces client ids to their stable part (instance suffixes such
// as -1, -3f2a9c..., or a trailing UUID removed) and lists the distinct ones.
func families(members []GroupMember) string {
	suffix := regexp.MustCompile(`([-_.][0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[-_.]?[0-9]+|[-_.][0-9a-f]{6,})+$`)
	seen := map[string]bool{}
	for _, m := range members {
		f := suffix.ReplaceAllString(m.ClientID, "")
		if f == "" {
			f = "(no client.id)"
		}
		seen[f] = true
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
