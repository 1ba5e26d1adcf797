// Package procstatus reads the memory figures of a Linux process's status
// file (/proc/<pid>/status), for the tests and benchmarks that measure
// resident memory: VmHWM (peak resident set), RssFile, RssShmem...
package procstatus

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Parse returns the sum, in KiB, of the named fields of a status text
// ("VmHWM:    12345 kB"). A field that is missing or not a number of kB is
// an error.
func Parse(status []byte, fields ...string) (int64, error) {
	values := map[string]string{}
	for line := range strings.Lines(string(status)) {
		name, v, ok := strings.Cut(line, ":")
		if ok {
			values[name] = strings.TrimSpace(v)
		}
	}
	var total int64
	for _, f := range fields {
		v, ok := values[f]
		if !ok {
			return 0, fmt.Errorf("procstatus: no %s field", f)
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
		if err != nil || !strings.HasSuffix(v, " kB") {
			return 0, fmt.Errorf("procstatus: %s is %q, not a number of kB", f, v)
		}
		total += n
	}
	return total, nil
}

// Self returns Parse of this process's /proc/self/status; an error where
// there is no such file (systems other than Linux).
func Self(fields ...string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	return Parse(b, fields...)
}
