package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a CPU profile of the whole run to the file
// $RELCTL_CPUPROFILE names, for the benchmarks (BENCHMARKS.md): a plan's
// time is spent in the child process a workflow step runs, where a Go
// benchmark cannot see it. Unset, it does nothing. The returned function
// stops the profile; a profile that cannot be written is reported and
// otherwise ignored, so that profiling never changes an exit code.
func startCPUProfile(getenv func(string) string, stderr *os.File) func() {
	path := getenv("RELCTL_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "relctl: RELCTL_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "relctl: RELCTL_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
