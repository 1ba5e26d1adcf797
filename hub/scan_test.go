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

// twoRevisions caches two commits of a repo that share model.safetensors:
// v1 (tagged) and main.
func twoRevisions(t *testing.T) (c *Client, first, second string, files1, files2 map[string][]byte) {
	t.Helper()
	srv := newTestServer(t)
	weights := randomBytes(30_000, 51)
	files1 = map[string][]byte{"config.json": []byte(`{"v": 1}`), "model.safetensors": weights}
	files2 = map[string][]byte{"config.json": []byte(`{"v": 2}`), "model.safetensors": weights}
	first = srv.AddRepo(hubtest.Repo{ID: "hfgo/scan", Files: files1})
	if err := srv.Tag("model", "hfgo/scan", "v1", first); err != nil {
		t.Fatal(err)
	}
	second = srv.Commit("model", "hfgo/scan", "main", map[string][]byte{"config.json": []byte(`{"v": 2}`)})
	c, _ = newTestClient(t, srv)
	for _, rev := range []string{"v1", "main"} {
		if _, err := c.SnapshotDownload(context.Background(), "hfgo/scan", &SnapshotOptions{Revision: rev}); err != nil {
			t.Fatal(err)
		}
	}
	return c, first, second, files1, files2
}

func TestScanCache(t *testing.T) {
	t.Parallel()
	c, first, second, files1, _ := twoRevisions(t)
	os.MkdirAll(filepath.Join(c.CacheDir(), "not-a-repo"), 0o777)
	ci, err := ScanCache(c.CacheDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(ci.Repos) != 1 || len(ci.Warnings) != 0 {
		t.Fatalf("repos %+v warnings %v", ci.Repos, ci.Warnings)
	}
	r := ci.Repos[0]
	if r.ID != "hfgo/scan" || r.Type != Model || len(r.Revisions) != 2 || r.Blobs != 3 {
		t.Errorf("repo %s %s: %d revisions, %d blobs; want 2 and 3", r.Type, r.ID, len(r.Revisions), r.Blobs)
	}
	wantSize := int64(len(`{"v": 1}`) + len(`{"v": 2}`) + len(files1["model.safetensors"]))
	if r.Size != wantSize || ci.Size() != wantSize {
		t.Errorf("size %d, want %d (the shared blob once)", r.Size, wantSize)
	}
	if r.Refs["main"] != second || r.Refs["v1"] != first {
		t.Errorf("refs %v", r.Refs)
	}
	for _, rev := range r.Revisions {
		if len(rev.Files) != 2 || len(rev.Refs) != 1 {
			t.Errorf("revision %s: %d files, refs %v", rev.Commit, len(rev.Files), rev.Refs)
		}
	}
}

func TestVerifyCache(t *testing.T) {
	t.Parallel()
	c, _, _, files1, _ := twoRevisions(t)
	ctx := context.Background()
	rep, err := VerifyCache(ctx, c.CacheDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 3 || len(rep.Problems) != 0 || len(rep.Unverifiable) != 0 {
		t.Fatalf("clean cache: %+v", rep)
	}
	blobs := filepath.Join(c.CacheDir(), "models--hfgo--scan", "blobs")
	bad := filepath.Join(blobs, hubtest.SHA256(files1["model.safetensors"]))
	data := mustRead(t, bad)
	data[100] ^= 1
	os.WriteFile(bad, data, 0o644)
	os.WriteFile(filepath.Join(blobs, "not-a-hash"), []byte("x"), 0o644)
	gitBad := filepath.Join(blobs, hubtest.GitBlobID([]byte(`{"v": 1}`)))
	os.WriteFile(gitBad, []byte(`{"v": 9}`), 0o644)
	rep, err = VerifyCache(ctx, c.CacheDir(), &VerifyOptions{RepoID: "hfgo/scan"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 2 || len(rep.Unverifiable) != 1 {
		t.Fatalf("damaged cache: %+v", rep)
	}
	for _, p := range rep.Problems {
		if p.Path != bad && p.Path != gitBad {
			t.Errorf("unexpected problem %+v", p)
		}
		if !strings.Contains(p.Problem, "want") {
			t.Errorf("problem %q does not say what was expected", p.Problem)
		}
	}
	if _, err := VerifyCache(ctx, c.CacheDir(), &VerifyOptions{RepoID: "hfgo/absent"}); !errors.Is(err, ErrNotCached) {
		t.Errorf("absent repo: %v", err)
	}
}

func TestDeleteRevisionAndRepo(t *testing.T) {
	t.Parallel()
	c, first, second, files1, _ := twoRevisions(t)
	repoDir := filepath.Join(c.CacheDir(), "models--hfgo--scan")
	freed, err := DeleteRevision(c.CacheDir(), Model, "hfgo/scan", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if freed != int64(len(`{"v": 1}`)) {
		t.Errorf("freed %d, want only v1's config blob", freed)
	}
	if exists(filepath.Join(repoDir, "snapshots", first)) || exists(filepath.Join(repoDir, "refs", "v1")) {
		t.Error("v1's snapshot or ref is still there")
	}
	if !exists(filepath.Join(repoDir, "blobs", hubtest.SHA256(files1["model.safetensors"]))) {
		t.Error("the blob main still uses was deleted")
	}
	p, err := c.CachedFile("hfgo/scan", "model.safetensors", nil)
	if err != nil {
		t.Fatalf("main unreadable after deleting v1: %v", err)
	}
	checkContent(t, p, files1["model.safetensors"])
	if _, err := DeleteRevision(c.CacheDir(), Model, "hfgo/scan", first); !errors.Is(err, ErrNotCached) {
		t.Errorf("deleting it again: %v", err)
	}
	if _, err := DeleteRevision(c.CacheDir(), Model, "hfgo/scan", second); err != nil {
		t.Fatal(err)
	}
	if exists(repoDir) || exists(filepath.Join(c.CacheDir(), ".locks", "models--hfgo--scan")) {
		t.Error("deleting the last revision left the repo or its locks")
	}
	if _, err := DeleteRepo(c.CacheDir(), Model, "hfgo/scan"); !errors.Is(err, ErrNotCached) {
		t.Errorf("DeleteRepo of a deleted repo: %v", err)
	}
}
