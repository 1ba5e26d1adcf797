package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestCacheCommands(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	files := cliRepoFiles()
	first := h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: files})
	if err := h.srv.Tag("model", "hfgo/tiny", "v1", first); err != nil {
		t.Fatal(err)
	}
	second := h.srv.Commit("model", "hfgo/tiny", "main", map[string][]byte{"config.json": []byte(`{"v": 2}`)})
	for _, rev := range []string{"v1", "main"} {
		if code, _, stderr := h.run(t, "hfgo/tiny", "--revision", rev, "--quiet"); code != exitOK {
			t.Fatalf("download %s: %s", rev, stderr)
		}
	}
	code, stdout, _ := h.run(t, "cache", "ls")
	if code != exitOK || !strings.Contains(stdout, "hfgo/tiny") || !strings.Contains(stdout, "model") {
		t.Fatalf("cache ls: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = h.run(t, "cache", "ls", "--revisions")
	if code != exitOK || !strings.Contains(stdout, first) || !strings.Contains(stdout, second) || !strings.Contains(stdout, "v1") {
		t.Errorf("cache ls --revisions:\n%s", stdout)
	}
	if code, _, stderr := h.run(t, "cache", "verify"); code != exitOK || !strings.Contains(stderr, "0 problems") {
		t.Errorf("verify of a sound cache: exit %d, %s", code, stderr)
	}
	blob := filepath.Join(h.cache, "models--hfgo--tiny", "blobs", hubtest.SHA256(files["model.safetensors"]))
	os.WriteFile(blob, []byte("tampered"), 0o644)
	code, stdout, _ = h.run(t, "cache", "verify", "hfgo/tiny")
	if code != exitFailure || !strings.Contains(stdout, "BAD "+blob) {
		t.Errorf("verify of a tampered blob: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = h.run(t, "cache", "rm", "hfgo/tiny", "--revision", "v1")
	if code != exitOK || !strings.HasPrefix(stdout, "removed model hfgo/tiny at v1") {
		t.Errorf("cache rm --revision: exit %d %q", code, stdout)
	}
	if fileExists(filepath.Join(h.cache, "models--hfgo--tiny", "snapshots", first)) {
		t.Error("the revision is still there")
	}
	code, stdout, _ = h.run(t, "cache", "rm", "hfgo/tiny")
	if code != exitOK || !strings.HasPrefix(stdout, "removed model hfgo/tiny (") || fileExists(filepath.Join(h.cache, "models--hfgo--tiny")) {
		t.Errorf("cache rm: exit %d %q", code, stdout)
	}
	for _, args := range [][]string{{"cache", "rm", "hfgo/tiny"}, {"cache", "verify", "hfgo/tiny"}} {
		if code, _, stderr := h.run(t, args...); code != exitFailure || !strings.Contains(stderr, "not in the") {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
	}
	for _, args := range [][]string{{"cache"}, {"cache", "frob"}, {"cache", "rm"}, {"cache", "ls", "extra"}} {
		if code, _, _ := h.run(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want usage", args, code)
		}
	}
}

// TestCacheVerifyWithoutSymlinks: a cache written without symlinks has no
// blobs; verify checks the snapshot files themselves.
func TestCacheVerifyWithoutSymlinks(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	h.env["HF_HUB_DISABLE_SYMLINKS"] = "1"
	files := cliRepoFiles()
	commit := h.srv.AddRepo(hubtest.Repo{ID: "hfgo/copies", Files: files})
	if code, _, stderr := h.run(t, "hfgo/copies", "--all", "--quiet"); code != exitOK {
		t.Fatalf("download: %s", stderr)
	}
	want := fmt.Sprintf("checked 0 blobs and %d snapshot files", len(files))
	if code, _, stderr := h.run(t, "cache", "verify"); code != exitOK || !strings.Contains(stderr, want) || !strings.Contains(stderr, "0 problems") {
		t.Errorf("verify of a sound cache: exit %d %q, want %q", code, stderr, want)
	}
	copied := filepath.Join(h.cache, "models--hfgo--copies", "snapshots", commit, "config.json")
	if err := os.WriteFile(copied, []byte(`{"model_type": "gpt2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := h.run(t, "cache", "verify", "hfgo/copies"); code != exitFailure || !strings.Contains(stdout, "BAD "+copied) {
		t.Errorf("verify of a changed copy: exit %d\n%s", code, stdout)
	}
	h.env["HF_HUB_OFFLINE"] = "1"
	if code, _, stderr := h.run(t, "cache", "verify"); code != exitOK || !strings.Contains(stderr, fmt.Sprintf("%d snapshot files not checked", len(files))) {
		t.Errorf("verify offline: exit %d %q, want the files reported unchecked", code, stderr)
	}
}
