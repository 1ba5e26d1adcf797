// Command bench measures hfgo's BERT-base and GPT-2 small against PyTorch and
// ONNX Runtime on the same random checkpoints, the same inputs and the same
// number of threads, alternating the implementations within one run, and
// prints medians and ratios.
//
//	go run ./bench [-rounds 5] [-iters 10] [-threads 2] [-dir ~/.cache/hfgo-bench] [-only hfgo]
//	               [-workloads b1s8,b1s128,...] [-torch-blas DIR]
//
// Peak RSS is each process's own VmHWM. HFGO_BENCH_CPUPROFILE=FILE makes
// the hfgo worker write a CPU profile.
//
// Baselines: Debian's python3-torch with OpenBLAS (apt-get install
// python3-torch libopenblas0-openmp) and npm's onnxruntime-node, both
// installed on demand by the setup step (-setup=false to skip).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

var processStart = time.Now()

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		if err := workerMain(ctx, os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench worker:", err)
			os.Exit(1)
		}
		return
	}
	if err := benchMain(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func workerMain(ctx context.Context, args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("usage: bench worker DIR WORKLOAD ITERS THREADS")
	}
	var iters, threads int
	if _, err := fmt.Sscan(args[2], &iters); err != nil {
		return err
	}
	if _, err := fmt.Sscan(args[3], &threads); err != nil {
		return err
	}
	return runWorker(ctx, args[0], args[1], iters, threads, os.Stdout)
}

type config struct {
	dir, baselines  string
	rounds, iters   int
	threads         int
	impls           []string
	workloads       []string
	setup           bool
	pythonExe, node string
	torchBLAS       string // folder of the libblas.so.3 PyTorch loads, or "" for the system's
}

func benchMain(ctx context.Context, args []string) error {
	home, _ := os.UserCacheDir()
	c := config{baselines: filepath.Join("bench", "baselines"), pythonExe: "/usr/bin/python3", node: "node"}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.dir, "dir", filepath.Join(home, "hfgo-bench"), "folder of the generated checkpoints and ONNX models")
	fs.IntVar(&c.rounds, "rounds", 5, "rounds; each runs every implementation once per workload, in rotating order")
	fs.IntVar(&c.iters, "iters", 10, "timed iterations per process (after one warm-up)")
	fs.IntVar(&c.threads, "threads", 2, "threads for every implementation")
	only := fs.String("only", "hfgo,pytorch,onnxruntime", "implementations to run")
	work := fs.String("workloads", strings.Join(allWorkloads, ","), "workloads to run")
	fs.BoolVar(&c.setup, "setup", true, "install and generate what is missing (checkpoints, ONNX models, npm package)")
	fs.StringVar(&c.torchBLAS, "torch-blas", "/usr/lib/x86_64-linux-gnu/openblas-openmp", "folder of the libblas.so.3 PyTorch loads (\"\": the system's choice)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.impls = strings.Split(*only, ",")
	c.workloads = strings.Split(*work, ",")
	if _, err := os.Stat(c.baselines); err != nil {
		return fmt.Errorf("run from the repository root (%s not found)", c.baselines)
	}
	if c.setup {
		if err := setup(ctx, &c); err != nil {
			return err
		}
	}
	rows, err := measure(ctx, &c)
	if err != nil {
		return err
	}
	report(os.Stdout, &c, rows)
	return nil
}
