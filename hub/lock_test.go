package hub

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/hfgo/hfgo/hub/hubtest"
)

// TestDownloadWaitsForPythonsLock holds the blob's lock as huggingface_hub
// would while writing it, and checks the client waits for it.
func TestDownloadWaitsForPythonsLock(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(10_000, 61)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/locked", Files: map[string][]byte{"model.safetensors": data}})
	c, _ := newTestClient(t, srv)
	lockPath := filepath.Join(c.CacheDir(), ".locks", "models--hfgo--locked", hubtest.SHA256(data)+".lock")
	os.MkdirAll(filepath.Dir(lockPath), 0o777)
	held := flock.New(lockPath)
	if err := held.Lock(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.DownloadFile(context.Background(), "hfgo/locked", "model.safetensors", nil)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the download did not wait for the lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if n := len(requestsTo(srv, hubtest.CDN)); n != 0 {
		t.Fatalf("%d CDN requests while another process held the lock", n)
	}
	held.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	held.Lock()
	defer held.Unlock()
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := c.DownloadFile(ctx, "hfgo/locked", "model.safetensors", &DownloadOptions{ForceDownload: true}); err == nil {
		t.Error("a cancelled wait for the lock succeeded")
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/ua", Files: map[string][]byte{"config.json": []byte("{}")}})
	c, _ := newTestClient(t, srv, WithUserAgent("myapp/1.2"))
	if _, err := c.DownloadFile(context.Background(), "hfgo/ua", "config.json", nil); err != nil {
		t.Fatal(err)
	}
	want := "hfgo/" + Version + "; go/" + strings.TrimPrefix(runtime.Version(), "go") + "; myapp/1.2"
	for _, r := range srv.Requests() {
		if got := r.Header.Get("User-Agent"); got != want {
			t.Errorf("%s %s: User-Agent %q, want %q", r.Method, r.Path, got, want)
		}
	}
}

// TestCompressedAnswer: a proxy that gzips despite Accept-Encoding:
// identity; the file is decoded and checked.
func TestCompressedAnswer(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, hubtest.WithGzip(true))
	data := []byte(strings.Repeat(`{"a": "compressible"}`, 500))
	srv.AddRepo(hubtest.Repo{ID: "hfgo/gz", Files: map[string][]byte{"config.json": data}})
	gzipping := http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set("Accept-Encoding", "gzip")
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, _ := newTestClient(t, srv, WithHTTPClient(&gzipping))
	p, err := c.DownloadFile(context.Background(), "hfgo/gz", "config.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, data)
	gz := false
	for _, r := range srv.Requests() {
		gz = gz || (r.Method == "GET" && r.Bytes < int64(len(data)))
	}
	if !gz {
		t.Error("the answer was not compressed: the test did not exercise decoding")
	}
}

func TestLocalDirDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/ld", Files: map[string][]byte{"a/config.json": []byte("{}")}})
	c, _ := newTestClient(t, srv)
	local := filepath.Join(t.TempDir(), "out")
	plan, err := c.PlanSnapshot(context.Background(), "hfgo/ld", &SnapshotOptions{LocalDir: local})
	if err != nil || len(plan.Files) != 1 || plan.Dir != local {
		t.Fatalf("plan %+v, %v", plan, err)
	}
	if _, err := os.Stat(local); !os.IsNotExist(err) {
		t.Errorf("planning created %s", local)
	}
}
