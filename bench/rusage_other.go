//go:build !unix

package main

import "os"

// childMaxRSS returns 0: the system gives no peak resident size here.
func childMaxRSS(*os.ProcessState) int64 { return 0 }
