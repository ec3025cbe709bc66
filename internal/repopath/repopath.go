// Package repopath locates files of this repository (testdata, guidance) for
// tests and developer tooling, so no test builds paths from "../.." strings.
package repopath

import (
	"path/filepath"
	"runtime"
)

// Root is the repository root: two levels above this file.
func Root() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("repopath: runtime.Caller failed")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Testdata joins elem under the repository's testdata directory.
func Testdata(elem ...string) string {
	return filepath.Join(append([]string{Root(), "testdata"}, elem...)...)
}
