//go:build unix

package main

import (
	"os"
	"syscall"
)

// childMaxRSS returns the peak resident size of an ended process as the
// system reports it (KiB on Linux), 0 if it does not.
func childMaxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}
