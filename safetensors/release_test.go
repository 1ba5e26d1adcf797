package safetensors

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// rssFileKiB is the process's resident memory that maps files (RssFile, and
// RssShmem for a file on tmpfs), from /proc/self/status, or -1 where there
// is no such file.
func rssFileKiB(tb testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	total := 0
	for _, line := range strings.Split(string(b), "\n") {
		name, v, _ := strings.Cut(line, ":")
		if name != "RssFile" && name != "RssShmem" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		if err != nil {
			tb.Fatalf("%s %q: %v", name, v, err)
		}
		total += n
	}
	return total
}

func TestRelease(t *testing.T) {
	const n = 8 << 20 // 32 MiB of float32
	data := make([]byte, 4*n)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	path := filepath.Join(t.TempDir(), "big.safetensors")
	err := WriteFile(path, []Tensor{
		{Name: "small", DType: F32, Shape: []int{3}, Data: data[:12]},
		{Name: "big", DType: F32, Shape: []int{n}, Data: data},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	view, err := f.Float32("big")
	if err != nil {
		t.Fatal(err)
	}
	var sum float32
	for i := 0; i < len(view); i += 1024 {
		sum += view[i]
	}
	if sum == 1.5 { // keeps the reads
		t.Log(sum)
	}
	before := rssFileKiB(t)
	if err := f.Release("big"); err != nil {
		t.Fatal(err)
	}
	if err := f.Release("small"); err != nil { // within one page: nothing to give back
		t.Fatal(err)
	}
	after := rssFileKiB(t)
	if runtime.GOOS == "linux" && before >= 0 && before-after < 24<<10 {
		t.Errorf("RssFile went from %d to %d KiB, want at least 24 MiB less", before, after)
	}
	got, err := f.Bytes("big")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(data) {
		t.Error("the tensor's bytes changed after Release")
	}
	if err := f.Release("absent"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Release of a missing tensor: %v, want ErrNotFound", err)
	}
	f.Close()
	if err := f.Release("big"); !errors.Is(err, ErrClosed) {
		t.Errorf("Release after Close: %v, want ErrClosed", err)
	}
}
