package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// setup makes sure the checkpoints, the ONNX models and the baselines'
// packages exist, generating or installing only what is missing.
func setup(ctx context.Context, c *config) error {
	if err := ensureTorch(ctx, c); err != nil {
		return err
	}
	if !exists(filepath.Join(c.dir, "bert-base", "model.safetensors")) || !exists(filepath.Join(c.dir, "gpt2-small", "model.safetensors")) {
		fmt.Fprintln(os.Stderr, "bench: generating bert-base and gpt2-small shaped checkpoints in", c.dir)
		if err := os.MkdirAll(c.dir, 0o755); err != nil {
			return err
		}
		if err := runLogged(ctx, c.pythonExe, filepath.Join(c.baselines, "torch_bench.py"), "gen", c.dir, filepath.Join("testdata", "fixtures")); err != nil {
			return err
		}
	}
	if !slices.Contains(c.impls, "onnxruntime") {
		return nil
	}
	if !exists(filepath.Join(c.dir, "bert-base", "model.onnx")) || !exists(filepath.Join(c.dir, "gpt2-small", "decode.onnx")) {
		fmt.Fprintln(os.Stderr, "bench: exporting the ONNX models")
		if err := runLogged(ctx, c.pythonExe, filepath.Join(c.baselines, "torch_bench.py"), "export", c.dir); err != nil {
			return err
		}
	}
	if !exists(filepath.Join(c.baselines, "node_modules", "onnxruntime-node")) {
		fmt.Fprintln(os.Stderr, "bench: installing onnxruntime-node")
		if err := runLogged(ctx, "npm", "install", "--prefix", c.baselines, "--ignore-scripts", "--no-audit", "--no-fund"); err != nil {
			return err
		}
	}
	return nil
}

// ensureTorch installs Debian's PyTorch with the OpenMP OpenBLAS when it is
// missing and this process may install packages.
func ensureTorch(ctx context.Context, c *config) error {
	if exec.CommandContext(ctx, c.pythonExe, "-c", "import torch").Run() == nil {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s cannot import torch: apt-get install python3-torch libopenblas0-openmp", c.pythonExe)
	}
	fmt.Fprintln(os.Stderr, "bench: installing python3-torch and libopenblas0-openmp")
	cmd := exec.CommandContext(ctx, "apt-get", "install", "-y", "python3-torch", "libopenblas0-openmp")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func runLogged(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w", name, args, err)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
