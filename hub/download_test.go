package hub

import (
	"bytes"
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

func TestUnusualFileNames(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	files := map[string][]byte{
		"dir with space/ünïcode #1?.json": []byte(`{"odd": true}`),
		"a+b=c&d/100%.safetensors":        randomBytes(3000, 71),
		"d/e/f.txt":                       []byte("deep"),
	}
	srv.AddRepo(hubtest.Repo{ID: "hfgo/odd", Files: files})
	c, _ := newTestClient(t, srv)
	for name, data := range files {
		p, err := c.DownloadFile(context.Background(), "hfgo/odd", name, nil)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		checkContent(t, p, data)
	}
	got, err := c.ListFiles(context.Background(), "hfgo/odd", &ListFilesOptions{Path: "d"})
	if err != nil || len(got) != 1 || got[0].Path != "d/e/f.txt" {
		t.Errorf("ListFiles under d: %+v, %v", got, err)
	}
}

// TestConcurrentClientsOneBlob: goroutines with their own clients fetch one
// blob; the lock lets one of them download it.
func TestConcurrentClientsOneBlob(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(500_000, 72)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/conc", Files: map[string][]byte{"model.safetensors": data}})
	srv.AddFault(hubtest.Fault{Host: hubtest.CDN, BytesPerSecond: 5_000_000})
	cache := filepath.Join(t.TempDir(), "hub")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			c, _ := newTestClient(t, srv, WithCacheDir(cache))
			p, err := c.DownloadFile(context.Background(), "hfgo/conc", "model.safetensors", nil)
			if err == nil && !bytes.Equal(mustRead(t, p), data) {
				err = errors.New("wrong content")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var sent int64
	for _, r := range requestsTo(srv, hubtest.CDN) {
		sent += r.Bytes
	}
	if sent != int64(len(data)) {
		t.Errorf("the CDN sent %d bytes for a %d-byte blob", sent, len(data))
	}
}
