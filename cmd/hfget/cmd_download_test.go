package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub/hubtest"
)

// hubCLI runs hfget in memory against a fake Hub with its own cache.
type hubCLI struct {
	srv   *hubtest.Server
	cache string
	env   map[string]string
}

func newHubCLI(t *testing.T) *hubCLI {
	t.Helper()
	srv := hubtest.NewServer(hubtest.WithBasePath("/hf"))
	t.Cleanup(srv.Close)
	cache := filepath.Join(t.TempDir(), "hub")
	return &hubCLI{srv: srv, cache: cache, env: map[string]string{
		"HF_ENDPOINT": srv.URL, "HF_HUB_CACHE": cache, "HF_HOME": t.TempDir(),
	}}
}

// run runs hfget with args and returns its exit code and output.
func (h *hubCLI) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return h.env[k] }}
	code = run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

// repoFiles is a small model repo with formats the default selection skips.
func cliRepoFiles() map[string][]byte {
	return map[string][]byte{
		"config.json":           []byte(`{"model_type": "bert"}`),
		"tokenizer.json":        []byte(`{"version": "1.0"}`),
		"tokenizer_config.json": []byte(`{}`),
		"vocab.txt":             []byte("[PAD]\n[UNK]\n"),
		"model.safetensors":     bytes.Repeat([]byte("s"), 40_000),
		"pytorch_model.bin":     bytes.Repeat([]byte("p"), 30_000),
		"tf_model.h5":           bytes.Repeat([]byte("t"), 20_000),
		"flax_model.msgpack":    bytes.Repeat([]byte("f"), 20_000),
		"onnx/model.onnx":       bytes.Repeat([]byte("o"), 10_000),
		"README.md":             []byte("# card\n"),
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			if !strings.HasPrefix(rel, ".cache") {
				out = append(out, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestDownloadDefaultSelection(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	commit := h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: cliRepoFiles()})
	code, stdout, stderr := h.run(t, "hfgo/tiny")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := filepath.Join(h.cache, "models--hfgo--tiny", "snapshots", commit)
	if stdout != dir+"\n" {
		t.Errorf("stdout %q, want the snapshot folder", stdout)
	}
	want := []string{"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"}
	if diff := cmp.Diff(want, listDir(t, dir)); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	for _, s := range []string{"skipped 5 files", "tf (1)", "flax (1)", "onnx (1)", "--all"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr does not say %q:\n%s", s, stderr)
		}
	}
	// Again: everything is cached; the same answer.
	if code, again, _ := h.run(t, "download", "hfgo/tiny", "--quiet"); code != exitOK || again != stdout {
		t.Errorf("second run: exit %d, stdout %q", code, again)
	}
}

func TestDownloadFlags(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	files := cliRepoFiles()
	commit := h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: files})
	if err := h.srv.Tag("model", "hfgo/tiny", "v1", commit); err != nil {
		t.Fatal(err)
	}
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/data", Type: "dataset", Files: map[string][]byte{"train.csv": []byte("a,b\n")}})
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/private", Private: true, Files: map[string][]byte{"config.json": []byte("{}")}})
	h.srv.AddToken("hf_cli", "hfgo/private")
	snap := filepath.Join(h.cache, "models--hfgo--tiny", "snapshots", commit)
	local := filepath.Join(t.TempDir(), "local")
	tests := []struct {
		name   string
		args   []string
		stdout string
		files  []string // under the folder printed
	}{
		{"one file", []string{"hfgo/tiny", "config.json"}, filepath.Join(snap, "config.json") + "\n", nil},
		{"files", []string{"hfgo/tiny", "config.json", "vocab.txt"}, snap + "\n", []string{"config.json", "vocab.txt"}},
		{"include exclude", []string{"hfgo/tiny", "--include", "*.json", "--include", "onnx/", "--exclude", "tokenizer*"}, snap + "\n", []string{"config.json", "onnx/model.onnx"}},
		{"all", []string{"hfgo/tiny", "--all", "--revision", "v1", "--max-workers", "1"}, snap + "\n", nil},
		{"local dir", []string{"hfgo/tiny", "--local-dir", local, "--include", "*.md"}, local + "\n", []string{"README.md"}},
		{"dataset", []string{"hfgo/data", "--repo-type", "dataset"}, "", nil},
		{"token", []string{"hfgo/private", "config.json", "--token", "hf_cli"}, "", nil},
	}
	for _, tc := range tests {
		code, stdout, stderr := h.run(t, tc.args...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", tc.name, code, stderr)
		}
		if tc.stdout != "" && stdout != tc.stdout {
			t.Errorf("%s: stdout %q, want %q", tc.name, stdout, tc.stdout)
		}
		if tc.files != nil {
			got := listDir(t, strings.TrimSpace(stdout))
			for _, f := range tc.files {
				if !contains(got, f) {
					t.Errorf("%s: %s missing from %v", tc.name, f, got)
				}
			}
		}
	}
	if got := listDir(t, snap); len(got) != len(files) {
		t.Errorf("--all fetched %v", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDownloadDryRunQuietForce(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: cliRepoFiles()})
	code, stdout, _ := h.run(t, "hfgo/tiny", "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 6 || !strings.Contains(lines[0], "FILE") || !strings.Contains(stdout, "download  model.safetensors") {
		t.Errorf("dry run table:\n%s", stdout)
	}
	if written := listDir(t, h.cache); len(written) != 0 {
		t.Errorf("a dry run wrote %v", written)
	}
	code, _, stderr := h.run(t, "hfgo/tiny", "--quiet")
	if code != exitOK || stderr != "" {
		t.Errorf("--quiet: exit %d, stderr %q", code, stderr)
	}
	_, stdout, _ = h.run(t, "hfgo/tiny", "--dry-run")
	if strings.Contains(stdout, "download ") {
		t.Errorf("dry run after the download still downloads:\n%s", stdout)
	}
	h.srv.ResetRequests()
	if code, _, stderr := h.run(t, "hfgo/tiny", "--force", "--quiet"); code != exitOK {
		t.Fatalf("--force: %d %s", code, stderr)
	}
	gets := 0
	for _, r := range h.srv.Requests() {
		if r.Method == "GET" && r.Host == hubtest.CDN {
			gets++
		}
	}
	if gets != 1 {
		t.Errorf("--force fetched %d LFS files, want model.safetensors again", gets)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestDownloadErrors(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: cliRepoFiles()})
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/gated", Gated: "auto", Files: map[string][]byte{"config.json": []byte("{}")}})
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no repo", []string{"download"}, exitUsage, "usage"},
		{"bad repo id", []string{"a/b/c"}, exitUsage, "repo id"},
		{"bad repo type", []string{"hfgo/tiny", "--repo-type", "kernel"}, exitUsage, "repo type"},
		{"unknown flag", []string{"hfgo/tiny", "--frobnicate"}, exitUsage, "frobnicate"},
		{"missing repo", []string{"hfgo/nope"}, exitFailure, "repo not found"},
		{"missing file", []string{"hfgo/tiny", "nope.json"}, exitFailure, "not found"},
		{"missing files", []string{"hfgo/tiny", "config.json", "nope.json"}, exitFailure, "nope.json"},
		{"gated", []string{"hfgo/gated", "config.json"}, exitFailure, "request access"},
		{"unknown revision", []string{"hfgo/tiny", "--revision", "v9"}, exitFailure, "revision not found"},
	}
	for _, tc := range tests {
		code, stdout, stderr := h.run(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d mentioning %q", tc.name, code, stdout, stderr, tc.code, tc.msg)
		}
		if tc.code == exitFailure && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%s: the failure takes more than one line:\n%s", tc.name, stderr)
		}
	}
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 440_449_768: "440.4 MB", 2_000_000_000_000: "2.0 TB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDownloadGlobArgument(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	commit := h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: cliRepoFiles()})
	code, stdout, stderr := h.run(t, "hfgo/tiny", "tokenizer*", "--force-download")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := filepath.Join(h.cache, "models--hfgo--tiny", "snapshots", commit)
	if stdout != dir+"\n" {
		t.Errorf("stdout %q, want the snapshot folder", stdout)
	}
	if diff := cmp.Diff([]string{"tokenizer.json", "tokenizer_config.json"}, listDir(t, dir)); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
}

func TestDownloadSaysWhenNoWeights(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tf-only", Files: map[string][]byte{"config.json": []byte("{}"), "tf_model.h5": []byte("h5")}})
	code, _, stderr := h.run(t, "hfgo/tf-only")
	if code != exitOK || !strings.Contains(stderr, "no safetensors or PyTorch weights") || !strings.Contains(stderr, "tf (1)") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
