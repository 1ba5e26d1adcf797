package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub/hubtest"
)

func plannedPaths(p *SnapshotPlan) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, f.Path)
	}
	return out
}

func TestSnapshotPatterns(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny-bert", Files: tinyBert()})
	tests := []struct {
		name          string
		allow, ignore []string
		want          []string
	}{
		{"json", []string{"*.json"}, nil, []string{"config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"}},
		{"folder", []string{"onnx/"}, nil, []string{"onnx/model.onnx"}},
		{"ignore", []string{"*"}, []string{"*.bin", "*.h5", "*.msgpack", "onnx/*", "*.safetensors", "*.json"}, []string{"README.md", "vocab.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newTestClient(t, srv)
			opts := &SnapshotOptions{AllowPatterns: tc.allow, IgnorePatterns: tc.ignore}
			plan, err := c.PlanSnapshot(context.Background(), "hfgo/tiny-bert", opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, plannedPaths(plan)); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			dir, err := c.DownloadPlan(context.Background(), plan, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					got = append(got, filepath.ToSlash(rel))
				}
				return nil
			})
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("snapshot folder (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSnapshotDefaultSelectionAndDryRun(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	files := tinyBert()
	srv.AddRepo(hubtest.Repo{ID: "hfgo/tiny-bert", Files: files})
	c, _ := newTestClient(t, srv)
	opts := &SnapshotOptions{Select: SelectDefault}
	plan, err := c.PlanSnapshot(context.Background(), "hfgo/tiny-bert", opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"}
	if diff := cmp.Diff(want, plannedPaths(plan)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, f := range plan.Skipped {
		skipped = append(skipped, f.Path)
	}
	sort.Strings(skipped)
	if diff := cmp.Diff([]string{"README.md", "flax_model.msgpack", "onnx/model.onnx", "pytorch_model.bin", "tf_model.h5"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if plan.Weights != "safetensors" || plan.Size() != int64(len(files["model.safetensors"])+len(files["config.json"])+len(files["special_tokens_map.json"])+len(files["tokenizer.json"])+len(files["tokenizer_config.json"])+len(files["vocab.txt"])) {
		t.Errorf("weights %q size %d", plan.Weights, plan.Size())
	}
	for _, f := range plan.Files {
		if f.Cached {
			t.Errorf("%s planned as cached in an empty cache", f.Path)
		}
	}
	// A dry run downloads nothing.
	if n := len(requestsTo(srv, hubtest.CDN)); n != 0 {
		t.Errorf("the plan made %d CDN requests", n)
	}
	if _, err := c.DownloadPlan(context.Background(), plan, opts); err != nil {
		t.Fatal(err)
	}
	plan, err = c.PlanSnapshot(context.Background(), "hfgo/tiny-bert", opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range plan.Files {
		if !f.Cached {
			t.Errorf("%s not planned as cached after the download", f.Path)
		}
	}
}

func TestSnapshotProgress(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{"a.json": []byte(`{"a": 1}`), "model.safetensors": randomBytes(2_000_000, 41), "b.bin": randomBytes(300_000, 42)}
	lfsBytes := int64(len(files["model.safetensors"]) + len(files["b.bin"]))
	// The first progress callback blocks until the CDN has sent every LFS
	// byte: a callback that held the download up would deadlock here.
	release := make(chan struct{})
	var sentMu sync.Mutex
	var sent int64
	srv := newTestServer(t, hubtest.WithObserver(func(r hubtest.Request) {
		if r.Host != hubtest.CDN {
			return
		}
		sentMu.Lock()
		defer sentMu.Unlock()
		if sent += r.Bytes; sent == lfsBytes {
			close(release)
		}
	}))
	srv.AddRepo(hubtest.Repo{ID: "hfgo/progress", Files: files})
	c, _ := newTestClient(t, srv, WithParallelDownload(500_000, 3))
	var mu sync.Mutex
	var events []ProgressEvent
	opts := &SnapshotOptions{MaxWorkers: 2, Progress: func(ev ProgressEvent) {
		<-release
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}}
	if _, err := c.SnapshotDownload(context.Background(), "hfgo/progress", opts); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, d := range files {
		total += int64(len(d))
	}
	state := map[string]ProgressKind{}
	last := ProgressEvent{}
	for _, ev := range events {
		prev, seen := state[ev.File]
		switch {
		case ev.Kind == Started && seen,
			ev.Kind != Started && !seen,
			seen && prev == Completed:
			t.Errorf("%s: %v after %v", ev.File, ev.Kind, prev)
		}
		state[ev.File] = ev.Kind
		if ev.TotalSize != total || ev.TotalBytes < 0 || ev.TotalBytes > total || ev.Bytes > ev.Size {
			t.Errorf("event %+v: totals out of range (total size %d)", ev, total)
		}
		if ev.Kind == Completed && ev.Bytes != ev.Size {
			t.Errorf("%s completed at %d of %d bytes", ev.File, ev.Bytes, ev.Size)
		}
		last = ev
	}
	for name := range files {
		if state[name] != Completed {
			t.Errorf("%s: last event %v, want completed", name, state[name])
		}
	}
	if last.TotalBytes != total {
		t.Errorf("last event has %d of %d bytes", last.TotalBytes, total)
	}
}

func TestSnapshotBadListings(t *testing.T) {
	t.Parallel()
	for _, entry := range []string{"../escape.json", "/abs/path.json", `C:\x.json`, `a\..\..\b.json`, "a/../../b.json"} {
		t.Run(entry, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			srv.AddRepo(hubtest.Repo{ID: "hfgo/evil", Files: map[string][]byte{"config.json": []byte("{}")}})
			srv.AddFault(hubtest.Fault{TreeEntries: []string{entry}})
			c, _ := newTestClient(t, srv)
			_, err := c.SnapshotDownload(context.Background(), "hfgo/evil", nil)
			var ue *UnsafePathError
			if !errors.Is(err, ErrUnsafePath) || !errors.As(err, &ue) || ue.Path != entry || !strings.Contains(err.Error(), strconv.Quote(entry)) {
				t.Fatalf("err = %v, want an unsafe path error naming %q", err, entry)
			}
			if _, err := c.ListFiles(context.Background(), "hfgo/evil", nil); !errors.As(err, &ue) || ue.Path != entry {
				t.Errorf("ListFiles: %v, want an unsafe path error naming %q", err, entry)
			}
			if files := repoFiles(t, filepath.Dir(c.CacheDir())); len(files) != 0 {
				t.Errorf("files written: %v", files)
			}
		})
	}
}

func TestMalformedJSON(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/json", Files: map[string][]byte{"config.json": []byte("{}")}})
	srv.AddFault(hubtest.Fault{Host: hubtest.Hub, MalformedJSON: true})
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	if _, err := c.RepoInfo(ctx, "hfgo/json", nil); !errors.Is(err, ErrBadResponse) {
		t.Errorf("RepoInfo: %v", err)
	}
	if _, err := c.ListFiles(ctx, "hfgo/json", nil); !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), "/api/models/hfgo/json/tree/main") {
		t.Errorf("ListFiles: %v", err)
	}
	_, err := c.SnapshotDownload(ctx, "hfgo/json", nil)
	if !errors.Is(err, ErrNotCached) || !errors.Is(err, ErrBadResponse) {
		t.Errorf("SnapshotDownload: %v", err)
	}
	if files := repoFiles(t, filepath.Dir(c.CacheDir())); len(files) != 0 {
		t.Errorf("files written: %v", files)
	}
}

func TestListFilesPaginates(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, hubtest.WithPageSize(3))
	files := map[string][]byte{}
	for i := range 10 {
		files[filepath.Join("d", string(rune('a'+i))+".txt")] = []byte{byte(i)}
	}
	srv.AddRepo(hubtest.Repo{ID: "hfgo/pages", Files: files})
	c, _ := newTestClient(t, srv)
	got, err := c.ListFiles(context.Background(), "hfgo/pages", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Errorf("%d files listed, want 10", len(got))
	}
	pages := 0
	for _, r := range requestsTo(srv, hubtest.Hub) {
		if strings.Contains(r.Path, "/tree/") {
			pages++
		}
	}
	if pages < 4 {
		t.Errorf("%d pages fetched, want at least 4", pages)
	}
}

func TestSnapshotLocalDir(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	files := map[string][]byte{"config.json": []byte(`{"a": 1}`), "sub/model.safetensors": randomBytes(40_000, 43)}
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/local", Files: files})
	c, _ := newTestClient(t, srv)
	local := filepath.Join(t.TempDir(), "out")
	dir, err := c.SnapshotDownload(context.Background(), "hfgo/local", &SnapshotOptions{LocalDir: local})
	if err != nil || dir != local {
		t.Fatalf("SnapshotDownload = %s, %v", dir, err)
	}
	for name, data := range files {
		p := filepath.Join(local, name)
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s: %v, want a regular file", name, err)
		}
		checkContent(t, p, data)
		meta := strings.Split(string(mustRead(t, filepath.Join(local, ".cache/huggingface/download", name+".metadata"))), "\n")
		etag := hubtest.GitBlobID(data)
		if name != "config.json" {
			etag = hubtest.SHA256(data)
		}
		if len(meta) != 4 || meta[0] != commit || meta[1] != etag || meta[3] != "" {
			t.Errorf("%s metadata %q, want commit, etag, timestamp lines", name, meta)
		}
	}
	if got := string(mustRead(t, filepath.Join(local, ".cache/huggingface/.gitignore"))); got != "*" {
		t.Errorf(".gitignore = %q", got)
	}
	if exists(filepath.Join(c.CacheDir(), "models--hfgo--local")) {
		t.Error("a local-dir download wrote to the cache")
	}
	// Again: the metadata says the files are current; no GET.
	srv.ResetRequests()
	if _, err := c.SnapshotDownload(context.Background(), "hfgo/local", &SnapshotOptions{LocalDir: local}); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if r.Method == "GET" && !strings.Contains(r.Path, "/api/") {
			t.Errorf("second local-dir download fetched %s", r.Path)
		}
	}
	// A file edited locally is fetched again.
	os.WriteFile(filepath.Join(local, "config.json"), []byte("edited"), 0o644)
	p, err := c.DownloadFile(context.Background(), "hfgo/local", "config.json", &DownloadOptions{LocalDir: local, ForceDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, files["config.json"])
}
