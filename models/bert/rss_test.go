package bert

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlpodyssey/spago/nn"

	"github.com/hfgo/hfgo/internal/procstatus"
	"github.com/hfgo/hfgo/models/internal/fixture"
	"github.com/hfgo/hfgo/models/internal/layers"
)

// childEnv makes the test binary a child that loads the model folder it
// names and reports its load time and peak RSS (see BenchmarkLoadBase).
const childEnv = "HFGO_BERT_LOAD_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(loadChild(dir))
	}
	code := m.Run()
	if baseDirMade {
		if dir, err := baseDir(); err == nil {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// loadChild loads dir, reads every weight once (so that every page of the
// mapping is resident) and prints "load_ms peak_rss_bytes".
func loadChild(dir string) int {
	start := time.Now()
	m, err := LoadModel(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	loaded := time.Since(start)
	var sum float32
	nn.ForEachParam(m, func(p *nn.Param) {
		for _, v := range layers.Data(p) {
			sum += v
		}
	})
	hwm, err := procstatus.Self("VmHWM")
	hwm *= 1024
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%d %d %g\n", loaded.Milliseconds(), hwm, sum)
	return 0
}

// baseDir writes a bert-base-shaped checkpoint with random weights (418 MiB
// of float32) once per process, outside the repo; TestMain removes it.
var baseDir = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hfgo-bert-base-")
	if err != nil {
		return "", err
	}
	baseDirMade = true
	m, err := baseModel()
	if err != nil {
		return "", err
	}
	return dir, fixture.WriteCheckpoint(dir, m.Config, baseWeights)
})

// baseDirMade says baseDir ran (and made a folder to remove).
var baseDirMade bool

// BenchmarkLoadBase loads a bert-base checkpoint in a child process and
// reports its load time and peak RSS as a ratio of the weight bytes; it
// fails above 1.2.
func BenchmarkLoadBase(b *testing.B) {
	dir, err := baseDir()
	if err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		b.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	var loadMS, rss float64
	for b.Loop() {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v %s", err, out)
		}
		f := strings.Fields(string(out))
		ms, _ := strconv.ParseFloat(f[0], 64)
		r, _ := strconv.ParseFloat(f[1], 64)
		loadMS, rss = loadMS+ms, max(rss, r)
	}
	ratio := rss / float64(st.Size())
	b.ReportMetric(loadMS/float64(b.N), "load-ms")
	b.ReportMetric(rss/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(st.Size())/(1<<20), "weights-MiB")
	b.ReportMetric(ratio, "rss/weights")
	if ratio > 1.2 {
		b.Errorf("peak RSS %.0f MiB is %.2fx the weights", rss/(1<<20), ratio)
	}
}
