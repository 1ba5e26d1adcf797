//go:build !unix

package hubbench

import "time"

// selfCPU is 0 where getrusage is missing: the CPU metrics read 0.
func selfCPU() time.Duration { return 0 }
