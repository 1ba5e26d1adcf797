package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const formatsDir = "../../testdata/fixtures/formats"

// cli runs hfget with args and the given environment, in memory.
func cli(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	code = run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv})
	return code, out.String(), errb.String()
}

// manifestTensors reads the tensors a formats manifest lists for a file.
func manifestTensors(t *testing.T, model, file string) map[string]struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
} {
	t.Helper()
	var m struct {
		Files map[string]struct {
			Tensors map[string]struct {
				DType string `json:"dtype"`
				Shape []int  `json:"shape"`
			} `json:"tensors"`
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(formatsDir, model, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Files[file].Tensors
}

// params sums the element counts of a manifest's tensors.
func params(ts map[string]struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
}) int64 {
	var n int64
	for _, x := range ts {
		p := int64(1)
		for _, d := range x.Shape {
			p *= int64(d)
		}
		n += p
	}
	return n
}

// TestInspectJSON checks the --json report of every format against the
// manifest: names, dtypes, shapes, parameter counts, tied groups.
func TestInspectJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, format, manifestFile string
		tied                       int
	}{
		{"bert/pytorch_model.bin", "pytorch", "pytorch_model.bin", 2},
		{"bert/pytorch_model_legacy.bin", "pytorch (legacy)", "pytorch_model.bin", 2},
		{"bert/sharded_bin", "pytorch (sharded)", "pytorch_model.bin", 2},
		{"bert", "safetensors", "model.safetensors", 0},
		{"gpt2/sharded_safetensors", "safetensors (sharded)", "model.safetensors", 0},
		{"gpt2/fp16", "safetensors", "fp16/model.safetensors", 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			code, out, errs := cli(t, nil, "inspect", filepath.Join(formatsDir, tt.path), "--json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var r inspectReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			model, _, _ := strings.Cut(tt.path, "/")
			want := manifestTensors(t, model, tt.manifestFile)
			unique := manifestTensors(t, model, "model.safetensors")
			if r.Format != tt.format || len(r.Tensors) != len(want) || len(r.Tied) != tt.tied {
				t.Errorf("format %q, %d tensors, %d tied; want %q, %d, %d", r.Format, len(r.Tensors), len(r.Tied), tt.format, len(want), tt.tied)
			}
			if r.Parameters != params(want) || r.UniqueParameters != params(unique) {
				t.Errorf("parameters %d (%d unique), want %d (%d)", r.Parameters, r.UniqueParameters, params(want), params(unique))
			}
			var bytes int64
			for _, x := range r.Tensors {
				w := want[x.Name]
				dt := map[string]string{"float32": "F32", "F32": "F32", "F16": "F16"}[w.DType]
				if x.DType != dt || !slices.Equal(x.Shape, w.Shape) {
					t.Errorf("%s: %s %v, want %s %v", x.Name, x.DType, x.Shape, w.DType, w.Shape)
				}
				bytes += x.Bytes
			}
			if r.Bytes != bytes {
				t.Errorf("bytes %d, rows sum to %d", r.Bytes, bytes)
			}
		})
	}
}

// TestInspectText checks the summary lines and the table of the text
// output.
func TestInspectText(t *testing.T) {
	t.Parallel()
	code, out, errs := cli(t, nil, "inspect", filepath.Join(formatsDir, "gpt2", "pytorch_model.bin"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	bin := manifestTensors(t, "gpt2", "pytorch_model.bin")
	st := manifestTensors(t, "gpt2", "model.safetensors")
	for _, line := range []string{
		"format          pytorch\n",
		"tensors         29 (F32 29)\n",
		"parameters      " + thousands(params(bin)) + " (" + thousands(params(st)) + " without tied duplicates)\n",
		"tied            transformer.wte.weight = lm_head.weight\n",
		fmt.Sprintf("\n%-34s  DTYPE      SHAPE  BYTES\n", "NAME"),
		fmt.Sprintf("\n%-34s  F32    [512, 32]  65536\n", "transformer.wte.weight"),
		fmt.Sprintf("\n%-34s  F32    [512, 32]  65536\n", "lm_head.weight"),
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	if errs != "" {
		t.Errorf("stderr: %s", errs)
	}
}

// fakeCache lays out a Hugging Face cache holding repo at a commit with
// the given files copied in, and returns the cache folder.
func fakeCache(t *testing.T, repo string, files map[string]string) (cache, snapshot string) {
	t.Helper()
	cache = t.TempDir()
	commit := strings.Repeat("ab", 20)
	folder := filepath.Join(cache, "models--"+strings.ReplaceAll(repo, "/", "--"))
	snapshot = filepath.Join(folder, "snapshots", commit)
	if err := os.MkdirAll(filepath.Join(folder, "refs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(snapshot, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(folder, "refs", "main"), []byte(commit), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(snapshot, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return cache, snapshot
}

// TestInspectRepo looks a repo id up in a cache found through
// HF_HUB_CACHE or HF_HOME, without the network.
func TestInspectRepo(t *testing.T) {
	t.Parallel()
	cache, snapshot := fakeCache(t, "hfgo-test/tiny-gpt2", map[string]string{
		"model.safetensors": filepath.Join(formatsDir, "gpt2", "model.safetensors"),
		"config.json":       filepath.Join(formatsDir, "gpt2", "config.json"),
	})
	for name, env := range map[string]map[string]string{
		"HF_HUB_CACHE": {"HF_HUB_CACHE": cache, "HF_ENDPOINT": "http://127.0.0.1:9"},
		"HF_HOME":      {"HF_HOME": filepath.Dir(cache) + "/home", "HF_ENDPOINT": "http://127.0.0.1:9"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == "HF_HOME" {
				home := env["HF_HOME"]
				if err := os.MkdirAll(home, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(cache, filepath.Join(home, "hub")); err != nil && !os.IsExist(err) {
					t.Fatal(err)
				}
			}
			code, out, errs := cli(t, func(k string) string { return env[k] }, "inspect", "--json", "hfgo-test/tiny-gpt2")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var r inspectReport
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatal(err)
			}
			wantPath := filepath.Join(snapshot, "model.safetensors")
			if name == "HF_HOME" {
				wantPath = filepath.Join(env["HF_HOME"], "hub", strings.TrimPrefix(snapshot, cache), "model.safetensors")
			}
			if r.Path != wantPath || r.Format != "safetensors" || len(r.Tensors) != 28 {
				t.Errorf("path %s, format %s, %d tensors; want %s, safetensors, 28", r.Path, r.Format, len(r.Tensors), wantPath)
			}
		})
	}
}

// TestInspectErrors checks exit codes and one-line messages.
func TestInspectErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	evil := filepath.Join(dir, "pytorch_model.bin")
	// A legacy-format header whose first pickle calls posix.system.
	if err := os.WriteFile(evil, []byte("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02M\xe9\x03.\x80\x02cposix\nsystem\nX\x02\x00\x00\x00ls\x85R."), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"HF_HUB_CACHE": cache, "HF_ENDPOINT": "http://127.0.0.1:9"}[k]
	}
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"inspect"}, exitUsage, "usage: hfget inspect"},
		{[]string{"inspect", "a", "b"}, exitUsage, "usage: hfget inspect"},
		{[]string{"inspect", "--nope", "x"}, exitUsage, "flag provided but not defined"},
		{[]string{"inspect", "-h"}, exitOK, "usage: hfget inspect"},
		{[]string{"inspect", "./missing/x.bin"}, exitFailure, "no such file"},
		{[]string{"inspect", "someone/not-cached"}, exitFailure, "not in the local cache"},
		{[]string{"inspect", evil}, exitFailure, `forbidden global "posix.system"`},
	}
	for _, tt := range tests {
		code, out, errs := cli(t, getenv, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.msg) || out != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want %d and %q", tt.args, code, errs, out, tt.code, tt.msg)
		}
		if tt.code == exitFailure && strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: error is not one line: %q", tt.args, errs)
		}
	}
}

// TestThousands checks the number formatting of the summary.
func TestThousands(t *testing.T) {
	t.Parallel()
	got := []string{thousands(0), thousands(999), thousands(1000), thousands(1234567), thousands(-1234)}
	want := []string{"0", "999", "1,000", "1,234,567", "-1,234"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("thousands (-want +got):\n%s", diff)
	}
}
