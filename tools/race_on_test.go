//go:build race

package tools

// raceEnabled is true under -race, which distorts the timing and memory
// the resource test measures (and makes it take many minutes).
const raceEnabled = true
