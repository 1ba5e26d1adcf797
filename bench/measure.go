package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// allWorkloads lists every workload in report order.
var allWorkloads = []string{"b1s8", "b1s128", "b1s512", "b8s128", "prefill32", "decode", "first-output"}

// row gathers the samples of one workload and implementation over all rounds.
type row struct {
	times    []float64 // milliseconds: per forward, per decoded token, or process start to first output
	maxRSSKB int64
	check    []float64
	info     string // the library and BLAS a baseline reported
	readMS   []float64
	bytes    int64
}

// measure runs every workload for every implementation, rounds times, in an
// order that rotates each round so no implementation always runs first.
func measure(ctx context.Context, c *config) (map[string]map[string]*row, error) {
	rows := map[string]map[string]*row{}
	for _, w := range c.workloads {
		rows[w] = map[string]*row{}
		for r := range c.rounds {
			for k := range c.impls {
				impl := c.impls[(k+r)%len(c.impls)]
				res, wall, rss, err := runOnce(ctx, c, impl, w)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", impl, w, err)
				}
				rw := rows[w][impl]
				if rw == nil {
					rw = &row{}
					rows[w][impl] = rw
				}
				if w == "first-output" {
					rw.times = append(rw.times, wall)
				} else {
					rw.times = append(rw.times, res.TimesMS...)
				}
				rw.maxRSSKB = max(rw.maxRSSKB, rss)
				rw.check = res.Check
				rw.readMS = append(rw.readMS, res.ReadMS...)
				rw.bytes = max(rw.bytes, res.WeightBytes)
				rw.info = strings.Join(append([]string{res.Version}, res.Setup...), "; ")
				fmt.Fprintf(os.Stderr, "bench: %-12s %-12s round %d done\n", w, impl, r+1)
			}
		}
	}
	return rows, nil
}

// runOnce runs one worker process and returns its report, the wall time from
// its start to its first line of output (ms), and its peak RSS (KiB).
func runOnce(ctx context.Context, c *config, impl, workload string) (*result, float64, int64, error) {
	iters := strconv.Itoa(c.iters)
	threads := strconv.Itoa(c.threads)
	var cmd *exec.Cmd
	switch impl {
	case "hfgo":
		self, err := os.Executable()
		if err != nil {
			return nil, 0, 0, err
		}
		cmd = exec.CommandContext(ctx, self, "worker", c.dir, workload, iters, threads)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+threads)
	case "pytorch":
		cmd = exec.CommandContext(ctx, c.pythonExe, filepath.Join(c.baselines, "torch_bench.py"), "run", c.dir, workload, iters)
		cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+threads, "OPENBLAS_NUM_THREADS="+threads,
			"OMP_WAIT_POLICY=PASSIVE", "HFGO_BENCH_THREADS="+threads)
		if c.torchBLAS != "" {
			// Debian's libblas.so.3 is whichever OpenBLAS the alternatives
			// system picked; this folder's copy comes first.
			cmd.Env = append(cmd.Env, "LD_LIBRARY_PATH="+c.torchBLAS)
		}
	case "onnxruntime":
		cmd = exec.CommandContext(ctx, c.node, filepath.Join(c.baselines, "ort_bench.js"), c.dir, workload, iters)
		cmd.Env = append(os.Environ(), "HFGO_BENCH_THREADS="+threads)
	default:
		return nil, 0, 0, fmt.Errorf("unknown implementation %q", impl)
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var line []byte
	if sc.Scan() {
		line = append(line, sc.Bytes()...)
	}
	wall := ms(time.Since(start))
	for sc.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		return nil, 0, 0, err
	}
	var res result
	if err := json.Unmarshal(line, &res); err != nil {
		return nil, 0, 0, fmt.Errorf("bad report %q: %w", line, err)
	}
	// The child's own VmHWM; rusage as a fallback (see peakRSSKB).
	rss := res.MaxRSSKB
	if rss == 0 {
		rss = childMaxRSS(cmd.ProcessState)
	}
	return &res, wall, rss, nil
}
