//go:build !unix

// Package cputime reads the CPU time a process has used, for benchmarks
// that report it beside the wall time (on a shared machine it moves far
// less with the load than the wall time does).
package cputime

import "time"

// Process returns 0: the CPU time is not read on this system.
func Process() time.Duration { return 0 }
