package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/internal/procstatus"
)

// The benchmark checkpoint: 125 F32 tensors of 1000x1000, 500 MB of data,
// written once to the user cache folder (or $HFGO_BENCH_DIR) and reused.
// Run the comparison with
//
//	go test -run '^$' -bench . -benchtime 3x -count 10 ./safetensors | benchstat -
const (
	benchTensors = 125
	benchRows    = 1000
	benchCols    = 1000
	pageSize     = 4096
)

// rssChildEnv, when set to "mode:path", makes the test binary run one
// loading strategy and exit, so that its peak RSS can be measured alone.
const rssChildEnv = "HFGO_SAFETENSORS_RSS_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(rssChildEnv); spec != "" {
		mode, path, _ := strings.Cut(spec, ":")
		if _, err := loadWith(mode, path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Stdout.Write(status)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func benchFile(b *testing.B) string {
	b.Helper()
	dir := os.Getenv("HFGO_BENCH_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			b.Fatal(err)
		}
		dir = filepath.Join(cache, "hfgo", "safetensors-bench")
	}
	path := filepath.Join(dir, "bench-500MB.safetensors")
	if f, err := Open(path); err == nil {
		n := f.Len()
		f.Close()
		if n == benchTensors {
			return path
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	// Every tensor shares one backing array: 4 MB in memory for 500 MB out.
	data := make([]byte, 0, benchRows*benchCols*4)
	for i := range benchRows * benchCols {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(i%997)/997))
	}
	tensors := make([]Tensor, benchTensors)
	for i := range tensors {
		tensors[i] = Tensor{Name: fmt.Sprintf("model.layers.%03d.weight", i), DType: F32, Shape: []int{benchRows, benchCols}, Data: data}
	}
	if err := WriteFile(path, tensors, map[string]string{"format": "pt"}); err != nil {
		b.Fatal(err)
	}
	return path
}

// loadWith loads the checkpoint at path with one strategy and returns a
// checksum of what it touched:
//
//	mmap-first:  Open, then the first value of every tensor (lazy loading)
//	mmap-pages:  Open, then one value in every 4 KiB page of every tensor
//	readfile:    os.ReadFile of the whole file, then the same values as mmap-pages
func loadWith(mode, path string) (float64, error) {
	var r *Reader
	switch mode {
	case "mmap-first", "mmap-pages":
		f, err := Open(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		r = f.Reader
	case "readfile":
		data, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		if r, err = newReader(path, nil, data, int64(len(data))); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("unknown mode %q", mode)
	}
	step := pageSize / 4
	if mode == "mmap-first" {
		step = math.MaxInt
	}
	var sum float64
	for _, t := range r.Tensors() {
		v, err := r.Float32(t.Name)
		if err != nil {
			return 0, err
		}
		for i := 0; i < len(v); i += step {
			sum += float64(v[i])
		}
	}
	return sum, nil
}

var benchModes = []string{"mmap-first", "mmap-pages", "readfile"}

// BenchmarkLoad opens the 500 MB checkpoint and touches its tensors, from
// the page cache.
func BenchmarkLoad(b *testing.B) {
	path := benchFile(b)
	st, _ := os.Stat(path)
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(st.Size())
			for b.Loop() {
				if _, err := loadWith(mode, path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPeakRSS runs each strategy in a child process and reports its
// peak resident set size (VmHWM: getrusage's maxrss would count the memory
// of this process, which the child shares until exec); ns/op includes
// starting the process.
func BenchmarkPeakRSS(b *testing.B) {
	path := benchFile(b)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range benchModes {
		b.Run(mode, func(b *testing.B) {
			var maxRSS int64
			for b.Loop() {
				cmd := exec.Command(exe, "-test.run=^$")
				cmd.Env = append(os.Environ(), rssChildEnv+"="+mode+":"+path)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("%v: %s", err, stderr.Bytes())
				}
				kib, err := procstatus.Parse(out, "VmHWM")
				if err != nil {
					b.Fatalf("the child's status: %v", err)
				}
				maxRSS = max(maxRSS, kib)
			}
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
		})
	}
}
