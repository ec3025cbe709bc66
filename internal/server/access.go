package server

import (
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
)

// Access is a tool's class, derived from its annotations.
type Access int

// The access classes, from least to most dangerous.
const (
	Read Access = iota
	Write
	Destructive
)

func (a Access) String() string {
	switch a {
	case Read:
		return "read"
	case Write:
		return "write"
	case Destructive:
		return "destructive"
	}
	return fmt.Sprintf("Access(%d)", int(a))
}

// Admitted reports whether a tool of this class is registered under the
// given flags. Destructive tools need both flags.
func (a Access) Admitted(allowWrite, allowDestructive bool) bool {
	switch a {
	case Read:
		return true
	case Write:
		return allowWrite
	case Destructive:
		return allowWrite && allowDestructive
	}
	return false
}

// AccessOf derives the class from the annotations: read = readOnly true and
// destructive false; write = both false; destructive = readOnly false and
// destructive true. Unset hints or any other combination is an error, so a
// tool cannot slip through the gate by omission (STYLE.md rule 16).
func AccessOf(t mcp.Tool) (Access, error) {
	a := t.Annotations
	if a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
		return 0, fmt.Errorf("server: tool %q must set all four hints", t.Name)
	}
	switch ro, de := *a.ReadOnlyHint, *a.DestructiveHint; {
	case ro && !de:
		return Read, nil
	case !ro && !de:
		return Write, nil
	case !ro && de:
		return Destructive, nil
	}
	return 0, fmt.Errorf("server: tool %q is read-only and destructive at once", t.Name)
}
