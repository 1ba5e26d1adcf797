//go:build unix

// Package cputime reads the CPU time a process has used, for benchmarks
// that report it beside the wall time (on a shared machine it moves far
// less with the load than the wall time does).
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time of the process so far, over
// all its threads; 0 where the system does not tell.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
