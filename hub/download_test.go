package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

func TestDownloadFileLayout(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	files := tinyBert()
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny-bert", Files: files})
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	for _, name := range []string{"config.json", "model.safetensors", "onnx/model.onnx"} {
		p, err := c.DownloadFile(ctx, "hfgo/tiny-bert", name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := filepath.Join(c.CacheDir(), "models--hfgo--tiny-bert", "snapshots", commit, filepath.FromSlash(name))
		if p != want {
			t.Errorf("%s: path %s, want %s", name, p, want)
		}
		checkContent(t, p, files[name])
		target, err := os.Readlink(p)
		if err != nil {
			t.Fatalf("%s: not a symlink: %v", name, err)
		}
		etag := hubtest.GitBlobID(files[name])
		if hubtest.IsLFS(name, int64(len(files[name]))) {
			etag = hubtest.SHA256(files[name])
		}
		wantTarget := strings.Repeat("../", 2+strings.Count(name, "/")) + "blobs/" + etag
		if target != wantTarget {
			t.Errorf("%s: symlink to %s, want %s", name, target, wantTarget)
		}
	}
	ref := mustRead(t, filepath.Join(c.CacheDir(), "models--hfgo--tiny-bert", "refs", "main"))
	if string(ref) != commit {
		t.Errorf("refs/main = %q, want %q", ref, commit)
	}
	if _, err := c.DownloadFile(ctx, "hfgo/tiny-bert", "missing.json", nil); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("missing file: %v, want ErrEntryNotFound", err)
	}
}
