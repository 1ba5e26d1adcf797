package safetensors

import (
	"errors"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/hfgo/hfgo/internal/procstatus"
)

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
	before, errBefore := procstatus.Self("RssFile", "RssShmem")
	if err := f.Release("big"); err != nil {
		t.Fatal(err)
	}
	if err := f.Release("small"); err != nil { // within one page: nothing to give back
		t.Fatal(err)
	}
	after, errAfter := procstatus.Self("RssFile", "RssShmem")
	switch {
	case runtime.GOOS == "linux" && (errBefore != nil || errAfter != nil):
		t.Fatalf("resident memory: %v, %v", errBefore, errAfter)
	case errBefore == nil && errAfter == nil && before-after < 24<<10:
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
