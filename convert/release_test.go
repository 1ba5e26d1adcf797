package convert

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/hfgo/hfgo/internal/procstatus"
)

// releaseFiles returns a zip and a legacy state dict of a large tensor and
// a small one, each holding 0, 1, 2, ...
func releaseFiles(t *testing.T, n int) map[string][]byte {
	specs := []spec{
		{name: "big", key: "0", storage: "FloatStorage", numel: n, size: []int{n}, stride: []int{1}},
		{name: "small", key: "1", storage: "FloatStorage", numel: 3, size: []int{3}, stride: []int{1}},
	}
	return map[string][]byte{
		"zip": zipFile(t, stateDict(specs, false), map[string][]byte{"0": f32(n), "1": f32(3)}),
		"legacy": legacyFile(stateDict(specs, true), []string{"0", "1"}, []int{n, 3},
			[][]byte{f32(n), f32(3)}),
	}
}

// checkCounting reads every tensor of sd and compares it with 0, 1, 2, ...
func checkCounting(t *testing.T, sd *StateDict) {
	t.Helper()
	for _, x := range sd.Tensors() {
		got, err := x.Float32()
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if v != float32(i) {
				t.Fatalf("%s[%d] = %v, want %d", x.Name, i, v, i)
			}
		}
	}
}

// TestStateDictRelease checks that Release takes a mapped tensor's pages out
// of the resident set and leaves every tensor readable, and that it leaves
// alone a state dict read from bytes in the heap, which dropping pages
// would zero.
func TestStateDictRelease(t *testing.T) {
	const n = 4 << 20 // 16 MiB of float32
	for format, data := range releaseFiles(t, n) {
		path := filepath.Join(t.TempDir(), "pytorch_model.bin")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sd, err := OpenPyTorch(path)
		if err != nil {
			t.Fatal(err)
		}
		checkCounting(t, sd)
		before, errBefore := procstatus.Self("RssFile", "RssShmem")
		for _, name := range []string{"big", "small"} {
			if err := sd.Release(name); err != nil {
				t.Fatalf("%s: Release(%s): %v", format, name, err)
			}
		}
		after, errAfter := procstatus.Self("RssFile", "RssShmem")
		switch {
		case runtime.GOOS == "linux" && (errBefore != nil || errAfter != nil):
			t.Fatalf("resident memory: %v, %v", errBefore, errAfter)
		case errBefore == nil && errAfter == nil && before-after < 12<<10:
			t.Errorf("%s: RssFile went from %d to %d KiB, want at least 12 MiB less", format, before, after)
		}
		checkCounting(t, sd)
		if err := sd.Release("absent"); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: Release of a missing tensor: %v, want ErrNotFound", format, err)
		}
		if err := sd.Close(); err != nil {
			t.Fatal(err)
		}

		mem, err := ReadPyTorch(slices.Clone(data), "in memory")
		if err != nil {
			t.Fatal(err)
		}
		checkCounting(t, mem)
		for _, name := range []string{"big", "small"} {
			if err := mem.Release(name); err != nil {
				t.Fatalf("%s in memory: Release(%s): %v", format, name, err)
			}
		}
		checkCounting(t, mem)
	}
}
