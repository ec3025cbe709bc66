package guidance

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestProvenanceIsUsable goes beyond "has a source": every URL parses with a
// host, no source is an internal tag (seed:...), since users see sources as references, and no entry claims a
// verification date in the future.
func TestProvenanceIsUsable(t *testing.T) {
	t.Parallel()
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := time.Now().AddDate(0, 0, 1)
	for _, l := range b.All() {
		switch {
		case strings.HasPrefix(l.Source, "https://"):
			u, err := url.Parse(l.Source)
			if err != nil || u.Host == "" || strings.ContainsAny(l.Source, " \t") {
				t.Errorf("%s: source %q is not a usable URL", l.ID, l.Source)
			}
		default:
			t.Errorf("%s: source %q is not an https URL", l.ID, l.Source)
		}
		if d, err := time.Parse(time.DateOnly, l.Verified); err == nil && d.After(tomorrow) {
			t.Errorf("%s: verified %s is in the future", l.ID, l.Verified)
		}
	}
}
