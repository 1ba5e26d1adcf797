package procstatus

import (
	"runtime"
	"testing"
)

const sample = `Name:	test
VmPeak:	 1000 kB
VmHWM:	   812 kB
RssAnon:	   100 kB
RssFile:	   700 kB
RssShmem:	    12 kB
Threads:	4
`

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fields []string
		want   int64
		ok     bool
	}{
		{[]string{"VmHWM"}, 812, true},
		{[]string{"RssFile", "RssShmem"}, 712, true},
		{nil, 0, true},
		{[]string{"VmSwap"}, 0, false},  // missing
		{[]string{"Threads"}, 0, false}, // not kB
		{[]string{"Name"}, 0, false},    // not a number
		{[]string{"VmHWM", "X"}, 0, false},
	}
	for _, tc := range tests {
		got, err := Parse([]byte(sample), tc.fields...)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%v) = %d, %v; want %d, ok %v", tc.fields, got, err, tc.want, tc.ok)
		}
	}
}

func TestSelf(t *testing.T) {
	t.Parallel()
	hwm, err := Self("VmHWM")
	if runtime.GOOS != "linux" {
		if err == nil {
			t.Errorf("Self on %s: %d, want an error", runtime.GOOS, hwm)
		}
		return
	}
	if err != nil || hwm <= 0 {
		t.Errorf("Self(VmHWM) = %d, %v; want a positive size", hwm, err)
	}
}
