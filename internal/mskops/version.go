package mskops

import (
	"math"
	"strconv"
	"strings"
)

// version is a parsed Kafka version such as 3.6.0, 2.8.2.tiered or
// 3.7.x.kraft; "x" counts as the newest patch.
type version struct {
	parts [versionFields]int
	raw   string
}

// versionFields is major.minor.patch (a format width).
const versionFields = 3 // unit conversion (format width)

func parseVersion(s string) (version, bool) {
	v := version{raw: strings.TrimSpace(s)}
	n := 0
	for _, f := range strings.Split(v.raw, ".") {
		if n == len(v.parts) {
			break
		}
		if f == "x" {
			v.parts[n] = math.MaxInt32
			n++
			continue
		}
		i, err := strconv.Atoi(f)
		if err != nil {
			break
		}
		v.parts[n] = i
		n++
	}
	return v, n > 1
}

// less reports whether v is older than w.
func (v version) less(w version) bool {
	for i := range v.parts {
		if v.parts[i] != w.parts[i] {
			return v.parts[i] < w.parts[i]
		}
	}
	return false
}

// sameMinor reports whether v and w share major.minor (3.9.0 and 3.9.x).
func (v version) sameMinor(w version) bool {
	return v.parts[0] == w.parts[0] && v.parts[1] == w.parts[1]
}

func (v version) major() int { return v.parts[0] }
