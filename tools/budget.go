package tools

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stream-mcp/stream-mcp/internal/guide"
	"github.com/stream-mcp/stream-mcp/internal/iac"
	"github.com/stream-mcp/stream-mcp/internal/schema"
)

// answerTarget is the most bytes a tool lets its default structured
// answer grow to when it fits one to schema.AnswerBudget: the rest of the
// budget is room for the text form (a headline and YAML indentation).
const answerTarget = schema.AnswerBudget - 768

// artifactRef names an artifact left out of an answer.
type artifactRef struct {
	Name  string `json:"name" jsonschema_description:"file name; pass it in artifacts"`
	Kind  string `json:"kind" jsonschema_description:"iac, iam_policy, security_group_rules or script"`
	Bytes int    `json:"bytes" jsonschema_description:"size of its content"`
}

// fitArtifacts chooses the artifacts of a guidance answer: the named ones
// (or all for "all"), or by default every one that keeps the answer within
// answerTarget, templates first, then policies and rules, then the rest.
// size is the answer's JSON size with the given artifacts. It returns the
// artifacts kept (in their order), those left out with how to get them,
// and a message when want names an artifact the answer does not have.
func fitArtifacts(all []iac.Artifact, want []string, size func([]iac.Artifact) int) (kept []iac.Artifact, leftOut []artifactRef, next, msg string) {
	named := map[string]bool{}
	for _, w := range want {
		named[w] = true
	}
	names := make([]string, len(all))
	found := 0
	for i, a := range all {
		names[i] = a.Name
		if named[a.Name] {
			found++
		}
	}
	if len(want) > 0 && !named["all"] && found < len(named) {
		return nil, nil, "", fmt.Sprintf("artifacts names files of this answer or all; this answer's artifacts are %s", strings.Join(names, ", "))
	}
	keep := make([]bool, len(all))
	switch {
	case named["all"]:
		for i := range keep {
			keep[i] = true
		}
	case len(want) > 0:
		for i, a := range all {
			keep[i] = named[a.Name]
		}
	default:
		rank := func(kind string) int {
			switch kind {
			case "iac":
				return 0
			case "iam_policy":
				return 1
			case "security_group_rules":
				return 2
			}
			return 3
		}
		order := make([]int, len(all))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return rank(all[order[a]].Kind) < rank(all[order[b]].Kind) })
		var trial []iac.Artifact
		for _, i := range order {
			// Room is left for the list of what was left out.
			if size(append(trial, all[i])) <= answerTarget-256 {
				trial = append(trial, all[i])
				keep[i] = true
			}
		}
	}
	kept = []iac.Artifact{}
	for i, a := range all {
		if keep[i] {
			kept = append(kept, a)
		} else {
			leftOut = append(leftOut, artifactRef{Name: a.Name, Kind: a.Kind, Bytes: len(a.Content)})
		}
	}
	if len(leftOut) > 0 {
		out := make([]string, len(leftOut))
		for i, r := range leftOut {
			out[i] = r.Name
		}
		next = fmt.Sprintf("%d artifacts left out to keep the answer small; call again with the same arguments and artifacts=[%s] (or [\"all\"]) for them", len(leftOut), strings.Join(out, ", "))
	}
	return kept, leftOut, next, ""
}

// artifactRoom is the part of answerTarget a guidance answer keeps for
// its artifacts: when the steps leave less, they are shown briefly.
const artifactRoom = 2048

// briefSteps cuts each step's detail to its first sentence (titles and
// decisions stay whole), for a guidance answer whose steps would leave no
// room for its artifacts; detail=full returns them whole.
func briefSteps(steps []guide.Step) []guide.Step {
	out := make([]guide.Step, len(steps))
	for i, st := range steps {
		if j := strings.Index(st.Detail, ". "); j > 0 {
			st.Detail = st.Detail[:j+1]
		}
		out[i] = st
	}
	return out
}

// fitSteps shortens steps with briefSteps when the answer without
// artifacts (size) leaves less than artifactRoom of answerTarget, unless
// detail is "full". It reports whether it did.
func fitSteps(steps *[]guide.Step, detail string, size func() int) bool {
	if detail == "full" || size() <= answerTarget-artifactRoom {
		return false
	}
	*steps = briefSteps(*steps)
	return true
}

// briefNote is appended to next when steps were shortened.
const briefNote = "steps show the first sentence of their detail; detail=full gives them whole"
