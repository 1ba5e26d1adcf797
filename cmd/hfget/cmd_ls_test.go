package main

import (
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestLs(t *testing.T) {
	t.Parallel()
	h := newHubCLI(t)
	h.srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny", Files: cliRepoFiles()})
	code, stdout, stderr := h.run(t, "ls", "hfgo/tiny")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"40.0 kB  lfs  model.safetensors", "22 B  -    config.json", "10.0 kB  lfs  onnx/model.onnx"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("ls output lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "\n"); n != 11 {
		t.Errorf("%d lines, want a header and 10 files:\n%s", n, stdout)
	}
	if !strings.Contains(stderr, "10 files") {
		t.Errorf("stderr %q", stderr)
	}
	if code, _, stderr := h.run(t, "ls", "hfgo/nope"); code != exitFailure || !strings.Contains(stderr, "repo not found") {
		t.Errorf("missing repo: exit %d, %q", code, stderr)
	}
	if code, _, _ := h.run(t, "ls"); code != exitUsage {
		t.Errorf("no repo: exit %d", code)
	}
}
