package hub

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hfgo/hfgo/hub/hubtest"
)

// treeEntry describes one path of a cache folder: a file's content, a
// symlink's target, or a folder.
type treeEntry struct {
	Kind    string // "file", "link", "dir"
	Content string // file content, or link target
}

// walkTree reads every path under dir.
func walkTree(t testing.TB, dir string) map[string]treeEntry {
	t.Helper()
	out := map[string]treeEntry{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = treeEntry{"link", target}
		case d.IsDir():
			out[rel] = treeEntry{"dir", ""}
		default:
			out[rel] = treeEntry{"file", string(mustRead(t, p))}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pythonLayout builds the tree huggingface_hub writes for files at commit,
// reached through refs (each ref name -> commit).
func pythonLayout(files map[string][]byte, commit string, refs map[string]string) map[string]treeEntry {
	want := map[string]treeEntry{
		"blobs": {"dir", ""}, "refs": {"dir", ""}, "snapshots": {"dir", ""},
		"snapshots/" + commit: {"dir", ""},
	}
	for name, commit := range refs {
		want["refs/"+name] = treeEntry{"file", commit}
		for d := filepath.Dir("refs/" + name); d != "refs"; d = filepath.Dir(d) {
			want[d] = treeEntry{"dir", ""}
		}
	}
	for name, data := range files {
		etag := hubtest.GitBlobID(data)
		if hubtest.IsLFS(name, int64(len(data))) {
			etag = hubtest.SHA256(data)
		}
		want["blobs/"+etag] = treeEntry{"file", string(data)}
		up := strings.Repeat("../", 2+strings.Count(name, "/"))
		want["snapshots/"+commit+"/"+name] = treeEntry{"link", up + "blobs/" + etag}
		for d := filepath.Dir(name); d != "."; d = filepath.Dir(d) {
			want["snapshots/"+commit+"/"+d] = treeEntry{"dir", ""}
		}
	}
	return want
}

// layDown writes a layout to disk, as Python would have.
func layDown(t testing.TB, dir string, tree map[string]treeEntry) {
	t.Helper()
	paths := make([]string, 0, len(tree))
	for p := range tree {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		e, full := tree[p], filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o777)
		var err error
		switch e.Kind {
		case "dir":
			err = os.MkdirAll(full, 0o777)
		case "file":
			err = os.WriteFile(full, []byte(e.Content), 0o644)
		case "link":
			err = os.Symlink(e.Content, full)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestWrittenLayoutIsPythons(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	files := map[string][]byte{
		"config.json":           []byte(`{"model_type": "bert"}`),
		"model.safetensors":     randomBytes(20_000, 21),
		"1_Pooling/config.json": []byte(`{"pooling_mode_mean_tokens": true}`),
		"onnx/sub/model.onnx":   randomBytes(3000, 22),
		"empty.txt":             {},
	}
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/layout", Files: files})
	c, _ := newTestClient(t, srv)
	dir, err := c.SnapshotDownload(context.Background(), "hfgo/layout", nil)
	if err != nil {
		t.Fatal(err)
	}
	repoDir := filepath.Join(c.CacheDir(), "models--hfgo--layout")
	if dir != filepath.Join(repoDir, "snapshots", commit) {
		t.Errorf("snapshot dir %s", dir)
	}
	want := pythonLayout(files, commit, map[string]string{"main": commit})
	if diff := cmp.Diff(want, walkTree(t, repoDir)); diff != "" {
		t.Errorf("repo folder differs from huggingface_hub's layout (-want +got):\n%s", diff)
	}
	if got := string(mustRead(t, filepath.Join(c.CacheDir(), "CACHEDIR.TAG"))); !strings.HasPrefix(got, "Signature: 8a477f597d28d172789f06886806bc55") {
		t.Errorf("CACHEDIR.TAG = %q", got)
	}
	locks, _ := os.ReadDir(filepath.Join(c.CacheDir(), ".locks", "models--hfgo--layout"))
	if len(locks) != len(files) {
		t.Errorf("%d lock files, want one per blob (%d)", len(locks), len(files))
	}
	for _, l := range locks {
		fi, _ := l.Info()
		if !strings.HasSuffix(l.Name(), ".lock") || fi.Mode().Perm() != 0o664 {
			t.Errorf("lock %s mode %v, want <etag>.lock 0664", l.Name(), fi.Mode().Perm())
		}
	}
}

func TestRevisions(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	v1 := map[string][]byte{"config.json": []byte(`{"v": 1}`)}
	first := srv.AddRepo(hubtest.Repo{ID: "hfgo/revs", Files: v1})
	if err := srv.Tag("model", "hfgo/revs", "v1.0", first); err != nil {
		t.Fatal(err)
	}
	second := srv.Commit("model", "hfgo/revs", "main", map[string][]byte{"config.json": []byte(`{"v": 2}`)})
	dev := srv.Commit("model", "hfgo/revs", "dev", map[string][]byte{"config.json": []byte(`{"v": "dev"}`)})
	pr, prCommit := srv.OpenPR("model", "hfgo/revs", map[string][]byte{"config.json": []byte(`{"v": "pr"}`)})
	if pr != 1 {
		t.Fatalf("PR %d", pr)
	}
	c, _ := newTestClient(t, srv)
	repoDir := filepath.Join(c.CacheDir(), "models--hfgo--revs")
	tests := []struct {
		rev, commit, content, ref string
	}{
		{"main", second, `{"v": 2}`, "refs/main"},
		{"v1.0", first, `{"v": 1}`, "refs/v1.0"},
		{"dev", dev, `{"v": "dev"}`, "refs/dev"},
		{"refs/pr/1", prCommit, `{"v": "pr"}`, "refs/refs/pr/1"},
		{first, first, `{"v": 1}`, ""},
	}
	for _, tc := range tests {
		p, err := c.DownloadFile(context.Background(), "hfgo/revs", "config.json", &DownloadOptions{Revision: tc.rev})
		if err != nil {
			t.Fatalf("%s: %v", tc.rev, err)
		}
		if want := filepath.Join(repoDir, "snapshots", tc.commit, "config.json"); p != want {
			t.Errorf("%s: %s, want %s", tc.rev, p, want)
		}
		checkContent(t, p, []byte(tc.content))
		if tc.ref != "" {
			if got := string(mustRead(t, filepath.Join(repoDir, tc.ref))); got != tc.commit {
				t.Errorf("%s = %q, want %q", tc.ref, got, tc.commit)
			}
		}
	}
	if exists(filepath.Join(repoDir, "refs", first)) {
		t.Error("a ref was written for a commit revision")
	}
}

func TestCommitRevisionCostsNoRequest(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	commit := srv.AddRepo(hubtest.Repo{ID: "hfgo/c", Files: map[string][]byte{"config.json": []byte("{}")}})
	c, _ := newTestClient(t, srv)
	opts := &DownloadOptions{Revision: commit}
	if _, err := c.DownloadFile(context.Background(), "hfgo/c", "config.json", opts); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DownloadFile(context.Background(), "hfgo/c", "nope.json", opts); !errors.Is(err, ErrEntryNotFound) {
		t.Fatal(err)
	}
	srv.ResetRequests()
	if _, err := c.DownloadFile(context.Background(), "hfgo/c", "config.json", opts); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DownloadFile(context.Background(), "hfgo/c", "nope.json", opts); !errors.Is(err, ErrEntryNotFound) {
		t.Fatalf("cached .no_exist at a commit: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests for a cached commit revision, want 0", n)
	}
}

// TestPythonCacheIsRead lays a cache out by hand exactly as huggingface_hub
// writes it and reads it back, offline.
func TestPythonCacheIsRead(t *testing.T) {
	t.Parallel()
	const main = "1111111111111111111111111111111111111111"
	const pr = "2222222222222222222222222222222222222222"
	files := map[string][]byte{"config.json": []byte(`{"a": 1}`), "model.safetensors": randomBytes(1000, 23), "sub/vocab.txt": []byte("a\nb\n")}
	cache := t.TempDir()
	repoDir := filepath.Join(cache, "models--google-bert--bert-base-uncased")
	tree := pythonLayout(files, main, map[string]string{"main": main, "refs/pr/1": pr})
	for k, v := range pythonLayout(map[string][]byte{"config.json": []byte(`{"pr": 1}`)}, pr, nil) {
		tree[k] = v
	}
	tree[".no_exist"] = treeEntry{"dir", ""}
	tree[".no_exist/"+main] = treeEntry{"dir", ""}
	tree[".no_exist/"+main+"/added_tokens.json"] = treeEntry{"file", ""}
	layDown(t, repoDir, tree)

	c, err := NewClient(WithEnv(func(k string) string {
		return map[string]string{"HF_HUB_CACHE": cache, "HF_HUB_OFFLINE": "1"}[k]
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, data := range files {
		p, err := c.DownloadFile(ctx, "google-bert/bert-base-uncased", name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkContent(t, p, data)
	}
	p, err := c.DownloadFile(ctx, "google-bert/bert-base-uncased", "config.json", &DownloadOptions{Revision: "refs/pr/1"})
	if err != nil {
		t.Fatal(err)
	}
	checkContent(t, p, []byte(`{"pr": 1}`))
	if _, err := c.DownloadFile(ctx, "google-bert/bert-base-uncased", "added_tokens.json", nil); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf(".no_exist marker: %v, want ErrEntryNotFound", err)
	}
	_, err = c.DownloadFile(ctx, "google-bert/bert-base-uncased", "tokenizer.json", nil)
	if !errors.Is(err, ErrNotCached) || !errors.Is(err, ErrOffline) {
		t.Errorf("missing file offline: %v, want ErrNotCached and ErrOffline", err)
	}
	if p, err := c.CachedFile("google-bert/bert-base-uncased", "sub/vocab.txt", &DownloadOptions{Revision: main}); err != nil || !strings.HasSuffix(p, main+"/sub/vocab.txt") {
		t.Errorf("CachedFile = %s, %v", p, err)
	}
	dir, err := c.SnapshotDownload(ctx, "google-bert/bert-base-uncased", &SnapshotOptions{AllowPatterns: []string{"*.json"}})
	if err != nil || dir != filepath.Join(repoDir, "snapshots", main) {
		t.Errorf("offline snapshot = %s, %v", dir, err)
	}
	ci, err := ScanCache(cache)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := ci.Repo(Model, "google-bert/bert-base-uncased")
	if !ok || len(r.Revisions) != 2 || r.Blobs != 4 || r.Refs["refs/pr/1"] != pr || r.Refs["main"] != main || len(ci.Warnings) != 0 {
		t.Errorf("scan = %+v, warnings %v", r, ci.Warnings)
	}
	if got, want := r.Size, int64(len(`{"a": 1}`)+1000+4+len(`{"pr": 1}`)); got != want {
		t.Errorf("repo size %d, want %d", got, want)
	}
}

func TestOfflineMakesNoRequest(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/off", Files: map[string][]byte{"config.json": []byte("{}")}})
	cache := filepath.Join(t.TempDir(), "hub")
	online, _ := newTestClient(t, srv, WithCacheDir(cache))
	if _, err := online.DownloadFile(context.Background(), "hfgo/off", "config.json", nil); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	offline, _ := newTestClient(t, srv, WithCacheDir(cache), WithOffline(true))
	if _, err := offline.DownloadFile(context.Background(), "hfgo/off", "config.json", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := offline.DownloadFile(context.Background(), "hfgo/off", "other.json", nil); !errors.Is(err, ErrNotCached) {
		t.Errorf("err = %v", err)
	}
	if _, err := offline.RepoInfo(context.Background(), "hfgo/off", nil); !errors.Is(err, ErrOffline) {
		t.Errorf("RepoInfo offline: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("offline client made %d requests", n)
	}
	// A corrupt ref: a clear error naming the file, offline; rewritten online.
	ref := filepath.Join(cache, "models--hfgo--off", "refs", "main")
	os.WriteFile(ref, []byte("not a commit\n"), 0o644)
	_, err := offline.DownloadFile(context.Background(), "hfgo/off", "config.json", nil)
	if !errors.Is(err, ErrCorruptCache) || !strings.Contains(err.Error(), ref) {
		t.Errorf("corrupt ref offline: %v", err)
	}
	if _, err := online.DownloadFile(context.Background(), "hfgo/off", "config.json", nil); err != nil {
		t.Fatal(err)
	}
	if got := string(mustRead(t, ref)); !isCommit(got) {
		t.Errorf("ref not repaired: %q", got)
	}
}

func TestFallbackToCache(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.AddRepo(hubtest.Repo{ID: "hfgo/fb", Files: map[string][]byte{"config.json": []byte("{}"), "b.json": []byte("[]")}})
	cache := filepath.Join(t.TempDir(), "hub")
	c, sl := newTestClient(t, srv, WithCacheDir(cache))
	ctx := context.Background()
	if _, err := c.DownloadFile(ctx, "hfgo/fb", "config.json", nil); err != nil {
		t.Fatal(err)
	}
	srv.AddFault(hubtest.Fault{Host: hubtest.Hub, Status: 500})
	if _, err := c.DownloadFile(ctx, "hfgo/fb", "config.json", nil); err != nil {
		t.Errorf("5xx with a cached file: %v", err)
	}
	_, err := c.DownloadFile(ctx, "hfgo/fb", "b.json", nil)
	var herr *HTTPError
	if !errors.Is(err, ErrNotCached) || !errors.As(err, &herr) || herr.StatusCode != 500 {
		t.Errorf("5xx without a cached file: %v", err)
	}
	srv.ClearFaults()
	srv.Close()
	waits := len(sl.list())
	if _, err := c.DownloadFile(ctx, "hfgo/fb", "config.json", nil); err != nil {
		t.Errorf("Hub down with a cached file: %v", err)
	}
	var ne *netError
	if _, err := c.DownloadFile(ctx, "hfgo/fb", "b.json", nil); !errors.Is(err, ErrNotCached) || !errors.As(err, &ne) {
		t.Errorf("Hub down without a cached file: %v", err)
	}
	if n := len(sl.list()) - waits; n != 0 {
		t.Errorf("waited %d times before answering from the cache with the Hub down", n)
	}
}

func TestNoSymlinks(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	data := randomBytes(5000, 24)
	first := srv.AddRepo(hubtest.Repo{ID: "hfgo/ns", Files: map[string][]byte{"model.safetensors": data, "config.json": []byte("{}")}})
	second := srv.Commit("model", "hfgo/ns", "main", map[string][]byte{"config.json": []byte(`{"v": 2}`)})
	cache := filepath.Join(t.TempDir(), "hub")
	etag := hubtest.SHA256(data)
	blob := filepath.Join(cache, "models--hfgo--ns", "blobs", etag)

	// New blob: moved into the snapshot.
	c, _ := newTestClient(t, srv, WithCacheDir(cache), WithEnv(func(k string) string {
		return map[string]string{"HF_HUB_DISABLE_SYMLINKS": "1"}[k]
	}))
	p, err := c.DownloadFile(context.Background(), "hfgo/ns", "model.safetensors", &DownloadOptions{Revision: first})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(p); !fi.Mode().IsRegular() || exists(blob) {
		t.Errorf("new blob: snapshot entry %v, blob exists %v; want a moved regular file", fi.Mode(), exists(blob))
	}
	checkContent(t, p, data)

	// Existing blob: copied.
	os.MkdirAll(filepath.Dir(blob), 0o777)
	os.WriteFile(blob, data, 0o644)
	p2, err := c.DownloadFile(context.Background(), "hfgo/ns", "model.safetensors", &DownloadOptions{Revision: second})
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(p2); !fi.Mode().IsRegular() || !exists(blob) {
		t.Errorf("existing blob: snapshot entry %v, blob exists %v; want a copy", fi.Mode(), exists(blob))
	}
	checkContent(t, p2, data)
}

// diffTrees compares two walked trees.
func diffTrees(want, got map[string]treeEntry) string {
	return cmp.Diff(want, got)
}
