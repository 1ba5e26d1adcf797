package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/hfgo/hfgo/hub/hubtest"
)

// withFS makes the client write partial downloads through fs.
func withFS(fs fileSystem) Option { return func(o *options) { o.fs = fs } }

// fullDisk is a file system that fails writes with ENOSPC once limit bytes
// have been written through it.
type fullDisk struct {
	limit   int64
	written atomic.Int64
}

func (d *fullDisk) OpenFile(name string, flag int, perm os.FileMode) (blobFile, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &fullDiskFile{File: f, d: d}, nil
}

type fullDiskFile struct {
	*os.File
	d *fullDisk
}

func (f *fullDiskFile) WriteAt(p []byte, off int64) (int, error) {
	room := f.d.limit - f.d.written.Load()
	if room <= 0 {
		return 0, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	if int64(len(p)) > room {
		n, _ := f.File.WriteAt(p[:room], off)
		f.d.written.Add(int64(n))
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	n, err := f.File.WriteAt(p, off)
	f.d.written.Add(int64(n))
	return n, err
}

// repoFiles lists every file under a repo's cache folder, relative to it.
func repoFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// checkNoBlob fails if the cache holds the blob, a partial of it, or a
// snapshot entry for name.
func checkNoBlob(t testing.TB, c *Client, repo, name, etag string) {
	t.Helper()
	dir := filepath.Join(c.CacheDir(), RepoFolderName(Model, repo))
	for _, f := range repoFiles(t, dir) {
		if strings.Contains(f, etag) || strings.HasSuffix(f, "/"+name) || strings.HasSuffix(f, ".tmp") {
			t.Errorf("cache holds %s after a failed download", f)
		}
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	for _, lfs := range []bool{true, false} {
		name := "model.safetensors"
		if !lfs {
			name = "vocab.txt"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			data := randomBytes(200_000, 11)
			srv.AddRepo(hubtest.Repo{ID: "hfgo/drop", Files: map[string][]byte{name: data}})
			host := hubtest.Hub
			if lfs {
				host = hubtest.CDN
			}
			f := srv.AddFault(hubtest.Fault{Host: host, Method: "GET", Drop: true, DropAfter: 60_000, Times: 2})
			c, sl := newTestClient(t, srv)
			p, err := c.DownloadFile(context.Background(), "hfgo/drop", name, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkContent(t, p, data)
			if f.Hits() != 2 {
				t.Errorf("fault hit %d times, want 2", f.Hits())
			}
			gets := 0
			var sent int64
			for _, r := range requestsTo(srv, host) {
				if r.Method != "GET" {
					continue
				}
				gets++
				sent += r.Bytes
				if gets > 1 && r.Header.Get("Range") == "" {
					t.Errorf("GET %d did not resume with Range", gets)
				}
			}
			if gets != 3 || sent != int64(len(data)) {
				t.Errorf("%d GETs sent %d bytes; want 3 GETs and %d bytes (no byte twice)", gets, sent, len(data))
			}
			if len(sl.list()) != 2 {
				t.Errorf("waited %v between attempts", sl.list())
			}
		})
	}
}

func TestCorruptBytesAreRejected(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"model.safetensors", "vocab.txt"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			data := randomBytes(50_000, 12)
			srv.AddRepo(hubtest.Repo{ID: "hfgo/corrupt", Files: map[string][]byte{name: data}})
			srv.AddFault(hubtest.Fault{Method: "GET", Corrupt: true})
			c, _ := newTestClient(t, srv)
			_, err := c.DownloadFile(context.Background(), "hfgo/corrupt", name, nil)
			var ce *ChecksumError
			if !errors.Is(err, ErrChecksum) || !errors.As(err, &ce) || ce.Filename != name {
				t.Fatalf("err = %v, want a ChecksumError naming %s", err, name)
			}
			etag := hubtest.SHA256(data)
			if name == "vocab.txt" {
				etag = hubtest.GitBlobID(data)
			}
			checkNoBlob(t, c, "hfgo/corrupt", name, etag)
		})
	}
}

func TestLyingSizes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		delta int64
		parts bool
	}{
		{"model.safetensors", 10, false},
		{"model.safetensors", -10, false},
		{"model.safetensors", 10, true},
		{"model.safetensors", -10, true},
		{"vocab.txt", 10, false},
		{"vocab.txt", -10, false},
	} {
		t.Run(tc.name+map[bool]string{true: "/parts", false: ""}[tc.parts], func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			data := randomBytes(90_000, 13)
			srv.AddRepo(hubtest.Repo{ID: "hfgo/liar", Files: map[string][]byte{tc.name: data}})
			srv.AddFault(hubtest.Fault{SizeDelta: tc.delta})
			opts := []Option{}
			if tc.parts {
				opts = append(opts, WithParallelDownload(10_000, 3))
			}
			c, _ := newTestClient(t, srv, opts...)
			_, err := c.DownloadFile(context.Background(), "hfgo/liar", tc.name, nil)
			if !errors.Is(err, ErrSize) && !errors.Is(err, ErrChecksum) {
				t.Fatalf("delta %d: err = %v, want ErrSize or ErrChecksum", tc.delta, err)
			}
			checkNoBlob(t, c, "hfgo/liar", tc.name, hubtest.SHA256(data))
		})
	}
}

func TestWeakAndBareETags(t *testing.T) {
	t.Parallel()
	for _, style := range []hubtest.ETagStyle{hubtest.ETagQuoted, hubtest.ETagWeak, hubtest.ETagBare} {
		srv := newTestServer(t)
		files := map[string][]byte{"config.json": []byte(`{"x": 1}`), "model.safetensors": randomBytes(5000, 14)}
		srv.AddRepo(hubtest.Repo{ID: "hfgo/etags", Files: files})
		srv.AddFault(hubtest.Fault{ETag: style})
		c, _ := newTestClient(t, srv)
		for name, data := range files {
			p, err := c.DownloadFile(context.Background(), "hfgo/etags", name, nil)
			if err != nil {
				t.Fatalf("style %d %s: %v", style, name, err)
			}
			checkContent(t, p, data)
			target, _ := os.Readlink(p)
			want := hubtest.GitBlobID(data)
			if name == "model.safetensors" {
				want = hubtest.SHA256(data)
			}
			if filepath.Base(target) != want {
				t.Errorf("style %d: %s links to %s, want blob %s", style, name, target, want)
			}
		}
	}
}

func TestFullDisk(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(300_000, 15)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/big", Files: map[string][]byte{"model.safetensors": data}})
	cache := filepath.Join(t.TempDir(), "hub")
	disk := &fullDisk{limit: 100_000}
	c, _ := newTestClient(t, srv, WithCacheDir(cache), withFS(disk))
	_, err := c.DownloadFile(context.Background(), "hfgo/big", "model.safetensors", nil)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	etag := hubtest.SHA256(data)
	blobs := filepath.Join(cache, "models--hfgo--big", "blobs")
	if exists(filepath.Join(blobs, etag)) {
		t.Fatal("a blob exists after a failed download")
	}
	snap, _ := os.ReadDir(filepath.Join(cache, "models--hfgo--big", "snapshots"))
	for _, s := range snap {
		if files := repoFiles(t, filepath.Join(cache, "models--hfgo--big", "snapshots", s.Name())); len(files) != 0 {
			t.Fatalf("snapshot holds %v after a failed download", files)
		}
	}
	if got := fileSize(filepath.Join(blobs, etag+".incomplete")); got != 100_000 {
		t.Fatalf("partial holds %d bytes, want the 100000 written", got)
	}
	// Space freed: the next run resumes the partial.
	srv.ResetRequests()
	c2, _ := newTestClient(t, srv, WithCacheDir(cache))
	p, err := c2.DownloadFile(context.Background(), "hfgo/big", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	for _, r := range requestsTo(srv, hubtest.CDN) {
		if r.Header.Get("Range") != "bytes=100000-" {
			t.Errorf("CDN request with Range %q, want bytes=100000-", r.Header.Get("Range"))
		}
	}
}

func TestParallelParts(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(3_000_000, 16)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/parts", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv, WithParallelDownload(1_000_000, 4))
	p, err := c.DownloadFile(context.Background(), "hfgo/parts", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	var sent int64
	ranges := map[string]bool{}
	for _, r := range requestsTo(srv, hubtest.CDN) {
		sent += r.Bytes
		if r.Status != 206 || r.Header.Get("Range") == "" {
			t.Errorf("CDN answered %d to Range %q", r.Status, r.Header.Get("Range"))
		}
		ranges[r.Header.Get("Range")] = true
	}
	if len(ranges) < 2 || sent != int64(len(data)) {
		t.Errorf("%d distinct ranges, %d bytes sent; want several ranges and %d bytes", len(ranges), sent, len(data))
	}
	blobs := filepath.Join(c.CacheDir(), "models--hfgo--parts", "blobs")
	if entries, _ := os.ReadDir(blobs); len(entries) != 1 {
		t.Errorf("blobs/ holds %d entries, want only the blob", len(entries))
	}
}

// TestParallelPartsResume interrupts a parallel download and checks the next
// one fetches only what is missing.
func TestParallelPartsResume(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(4_000_000, 17)
	sha := hubtest.SHA256(data)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/parts", Files: map[string][]byte{"model.safetensors": data}})
	f := srv.AddFault(hubtest.Fault{Host: hubtest.CDN, Path: sha, BytesPerSecond: 2_000_000})
	cache := filepath.Join(t.TempDir(), "hub")
	ctx, cancel := context.WithCancel(context.Background())
	var got atomic.Int64
	opts := &DownloadOptions{Progress: func(ev ProgressEvent) {
		if got.Store(ev.Bytes); ev.Bytes > 1_500_000 {
			cancel()
		}
	}}
	c, _ := newTestClient(t, srv, WithCacheDir(cache), WithParallelDownload(1_000_000, 4))
	if _, err := c.DownloadFile(ctx, "hfgo/parts", "model.safetensors", opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	blobs := filepath.Join(cache, "models--hfgo--parts", "blobs")
	if !exists(filepath.Join(blobs, sha+".parts.incomplete")) || !exists(filepath.Join(blobs, sha+".parts.incomplete.json")) {
		t.Fatalf("no saved parallel download in %v", repoFiles(t, blobs))
	}
	f.Remove()
	srv.ResetRequests()
	c2, _ := newTestClient(t, srv, WithCacheDir(cache), WithParallelDownload(1_000_000, 4))
	p, err := c2.DownloadFile(context.Background(), "hfgo/parts", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	var sent int64
	for _, r := range requestsTo(srv, hubtest.CDN) {
		sent += r.Bytes
	}
	if sent >= int64(len(data))-1_000_000 {
		t.Errorf("the second run fetched %d of %d bytes: it did not resume", sent, len(data))
	}
	if entries, _ := os.ReadDir(blobs); len(entries) != 1 {
		t.Errorf("blobs/ holds %v, want only the blob", repoFiles(t, blobs))
	}
}

// TestContiguousPartialBecomesParallel: a partial left by a single stream
// (or by Python) keeps its bytes when the rest is fetched in parts.
func TestContiguousPartialBecomesParallel(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(3_000_000, 18)
	sha := hubtest.SHA256(data)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/p", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv, WithParallelDownload(1_000_000, 3))
	blobs := filepath.Join(c.CacheDir(), "models--hfgo--p", "blobs")
	os.MkdirAll(blobs, 0o777)
	if err := os.WriteFile(filepath.Join(blobs, sha+".incomplete"), data[:1_200_000], 0o666); err != nil {
		t.Fatal(err)
	}
	p, err := c.DownloadFile(context.Background(), "hfgo/p", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	var sent int64
	for _, r := range requestsTo(srv, hubtest.CDN) {
		sent += r.Bytes
	}
	if sent != int64(len(data))-1_200_000 {
		t.Errorf("fetched %d bytes, want the %d missing", sent, len(data)-1_200_000)
	}
}

func TestServerIgnoringRanges(t *testing.T) {
	t.Parallel()
	// A hand-made CDN that answers 200 with the whole file to every Range.
	srv := newTestServer(t)
	data := randomBytes(2_000_000, 19)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/nr", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv, WithParallelDownload(500_000, 4), WithHTTPClient(&httpClientStrippingRange))
	p, err := c.DownloadFile(context.Background(), "hfgo/nr", "model.safetensors", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
}

// TestStalePartsRemoved: a parallel download killed while another process
// (Python, say) fetched the blob leaves files the next run drops.
func TestStalePartsRemoved(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(20_000, 62)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/stale", Files: map[string][]byte{"model.safetensors": data}})
	second := srv.Commit("model", "hfgo/stale", "main", map[string][]byte{"config.json": []byte("{}")})
	c, _ := newTestClient(t, srv)
	if _, err := c.DownloadFile(context.Background(), "hfgo/stale", "model.safetensors", nil); err != nil {
		t.Fatal(err)
	}
	blobs := filepath.Join(c.CacheDir(), "models--hfgo--stale", "blobs")
	sha := hubtest.SHA256(data)
	os.WriteFile(filepath.Join(blobs, sha+".parts.incomplete"), data[:100], 0o644)
	os.WriteFile(filepath.Join(blobs, sha+".parts.incomplete.json"), []byte("{}"), 0o644)
	// The snapshot of another commit links the existing blob, under the lock.
	if err := os.RemoveAll(filepath.Join(c.CacheDir(), "models--hfgo--stale", "snapshots")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DownloadFile(context.Background(), "hfgo/stale", "model.safetensors", &DownloadOptions{Revision: second}); err != nil {
		t.Fatal(err)
	}
	if entries := repoFiles(t, blobs); len(entries) != 1 {
		t.Errorf("blobs/ holds %v, want only the blob", entries)
	}
}
