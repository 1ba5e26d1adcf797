package hub_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hfgo/hfgo/hub"
	"github.com/hfgo/hfgo/hub/hubtest"
)

// The fixture testdata/python-cache was written by huggingface_hub (see its
// README): hub/ is a Hub cache, local/ a local_dir download and
// python-scan.json what scan_cache_dir reported on hub/.
const (
	pyFixture  = "testdata/python-cache"
	pyRepo     = "hfgo/interop"
	pyRepoDir  = "models--hfgo--interop"
	pyMain     = "3fe52628b30e939048ad9cca0b3af8bd443b25c2"
	pyDev      = "b5597ba3b2811279e5b37cebc9bff7c6c943dc08"
	pyPR       = "58284524130428485525c8c04bb87cd8885d0c39"
	pyVersion  = "0.35.0"
	pyNumBlobs = 8
)

type pyScan struct {
	HuggingfaceHub string `json:"huggingface_hub"`
	Repos          []struct {
		RepoID    string `json:"repo_id"`
		RepoType  string `json:"repo_type"`
		Size      int64  `json:"size"`
		NbFiles   int    `json:"nb_files"`
		Revisions []struct {
			Commit string   `json:"commit"`
			Refs   []string `json:"refs"`
			Size   int64    `json:"size"`
			Files  []struct {
				Path string `json:"path"`
				Size int64  `json:"size"`
				Blob string `json:"blob"`
			} `json:"files"`
		} `json:"revisions"`
	} `json:"repos"`
}

// pyFile is one file of a cached revision, as Python's scan saw it.
type pyFile struct {
	Path string
	Size int64
	ETag string
}

// pyRevision is one cached revision, as Python's scan saw it.
type pyRevision struct {
	Commit string
	Refs   []string
	Files  []pyFile
}

func readPyScan(t *testing.T) pyScan {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pyFixture, "python-scan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s pyScan
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("python-scan.json: %v", err)
	}
	if s.HuggingfaceHub != pyVersion || len(s.Repos) != 1 || s.Repos[0].RepoID != pyRepo {
		t.Fatalf("python-scan.json describes %s %d repos, want huggingface_hub %s and %s", s.HuggingfaceHub, len(s.Repos), pyVersion, pyRepo)
	}
	return s
}

func pyRevisions(s pyScan) []pyRevision {
	var out []pyRevision
	for _, r := range s.Repos[0].Revisions {
		rev := pyRevision{Commit: r.Commit, Refs: r.Refs}
		for _, f := range r.Files {
			rev.Files = append(rev.Files, pyFile{f.Path, f.Size, f.Blob})
		}
		out = append(out, rev)
	}
	return out
}

// copyPyFixture copies a folder of the fixture to a temporary folder,
// symlinks as symlinks, so tests may write to it.
func copyPyFixture(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(pyFixture, name)
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, out)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, 0o644)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if name == "local" {
		setPyMtimes(t, dst)
	}
	return dst
}

// setPyMtimes gives each file of a local_dir copy the time its download
// metadata records, as right after Python wrote them: a checkout or a copy
// makes the files newer than their metadata, which huggingface_hub then
// ignores.
func setPyMtimes(t *testing.T, local string) {
	t.Helper()
	meta := filepath.Join(local, ".cache", "huggingface", "download")
	err := filepath.WalkDir(meta, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".metadata") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		lines := strings.Split(string(b), "\n")
		ts, err := strconv.ParseFloat(lines[2], 64)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel, _ := filepath.Rel(meta, strings.TrimSuffix(p, ".metadata"))
		when := time.Unix(0, int64(ts*1e9))
		return os.Chtimes(filepath.Join(local, rel), when, when)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// etagOf computes a file's ETag as the Hub does: sha256 for an LFS file,
// whose ETag has 64 hex digits, else the git blob sha1.
func etagOf(data []byte, like string) string {
	if len(like) == 64 {
		s := sha256.Sum256(data)
		return hex.EncodeToString(s[:])
	}
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func pyClient(t *testing.T, cacheDir string, opts ...hub.Option) *hub.Client {
	t.Helper()
	noEnv := func(string) string { return "" }
	c, err := hub.NewClient(append([]hub.Option{hub.WithEnv(noEnv), hub.WithCacheDir(cacheDir)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestInteropPythonFixture checks the fixture against itself: every blob
// hashes to its name, so the other tests compare with what Python wrote.
func TestInteropPythonFixture(t *testing.T) {
	t.Parallel()
	blobs := filepath.Join(pyFixture, "hub", pyRepoDir, "blobs")
	entries, err := os.ReadDir(blobs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != pyNumBlobs {
		t.Fatalf("%s holds %d blobs, want %d", blobs, len(entries), pyNumBlobs)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(blobs, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if got := etagOf(b, e.Name()); got != e.Name() {
			t.Errorf("blob %s hashes to %s", e.Name(), got)
		}
	}
}

// TestInteropPythonScan: ScanCache reports the repos, revisions, refs, files,
// sizes and blobs that Python's scan_cache_dir reported on the same cache.
func TestInteropPythonScan(t *testing.T) {
	t.Parallel()
	scan := readPyScan(t)
	ci, err := hub.ScanCache(filepath.Join(pyFixture, "hub"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ci.Warnings) != 0 {
		t.Errorf("warnings on a cache Python scans cleanly: %v", ci.Warnings)
	}
	if len(ci.Repos) != 1 {
		t.Fatalf("%d repos, want 1", len(ci.Repos))
	}
	r := ci.Repos[0]
	want := scan.Repos[0]
	if string(r.Type) != want.RepoType || r.ID != want.RepoID || r.Size != want.Size || r.Blobs != want.NbFiles {
		t.Errorf("repo %s %s size %d blobs %d, Python says %s %s size %d blobs %d",
			r.Type, r.ID, r.Size, r.Blobs, want.RepoType, want.RepoID, want.Size, want.NbFiles)
	}
	var got []pyRevision
	for _, rev := range r.Revisions {
		g := pyRevision{Commit: rev.Commit, Refs: slices.Sorted(slices.Values(rev.Refs))}
		for _, f := range rev.Files {
			g.Files = append(g.Files, pyFile{f.Name, f.Size, f.ETag})
		}
		slices.SortFunc(g.Files, func(a, b pyFile) int { return strings.Compare(a.Path, b.Path) })
		got = append(got, g)
	}
	slices.SortFunc(got, func(a, b pyRevision) int { return strings.Compare(a.Commit, b.Commit) })
	if diff := cmp.Diff(pyRevisions(scan), got); diff != "" {
		t.Errorf("revisions differ from Python's scan (-python +hfgo):\n%s", diff)
	}
	wantRefs := map[string]string{"main": pyMain, "v1.0": pyMain, "dev": pyDev, "refs/pr/1": pyPR}
	if diff := cmp.Diff(wantRefs, r.Refs); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

// TestInteropPythonOffline reads every file Python cached, by each ref that
// names its revision and by commit, without a Hub.
func TestInteropPythonOffline(t *testing.T) {
	t.Parallel()
	cache := filepath.Join(pyFixture, "hub")
	c := pyClient(t, cache, hub.WithOffline(true))
	ctx := context.Background()
	for _, rev := range pyRevisions(readPyScan(t)) {
		snapshot := filepath.Join(cache, pyRepoDir, "snapshots", rev.Commit)
		for _, name := range append([]string{rev.Commit}, rev.Refs...) {
			got, err := c.SnapshotDownload(ctx, pyRepo, &hub.SnapshotOptions{Revision: name})
			if err != nil || got != snapshot {
				t.Errorf("SnapshotDownload(%s) = %q, %v; want %s", name, got, err, snapshot)
			}
			for _, f := range rev.Files {
				p, err := c.DownloadFile(ctx, pyRepo, f.Path, &hub.DownloadOptions{Revision: name})
				if err != nil {
					t.Errorf("DownloadFile(%s at %s): %v", f.Path, name, err)
					continue
				}
				if want := filepath.Join(snapshot, filepath.FromSlash(f.Path)); p != want {
					t.Errorf("DownloadFile(%s at %s) = %s, want %s", f.Path, name, p, want)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(b)) != f.Size || etagOf(b, f.ETag) != f.ETag {
					t.Errorf("%s at %s: %d bytes hashing to %s, want %d bytes of %s", f.Path, name, len(b), etagOf(b, f.ETag), f.Size, f.ETag)
				}
			}
		}
	}
	for _, missing := range []string{"missing.json", "nested/missing.bin"} {
		_, err := c.DownloadFile(ctx, pyRepo, missing, nil)
		if !errors.Is(err, hub.ErrEntryNotFound) {
			t.Errorf("DownloadFile(%s) with Python's .no_exist marker: %v, want ErrEntryNotFound", missing, err)
		}
	}
	for _, tc := range []struct{ file, rev string }{{"never-fetched.txt", "main"}, {"weights.safetensors", "dev"}} {
		_, err := c.DownloadFile(ctx, pyRepo, tc.file, &hub.DownloadOptions{Revision: tc.rev})
		if !errors.Is(err, hub.ErrNotCached) {
			t.Errorf("DownloadFile(%s at %s) not cached: %v, want ErrNotCached", tc.file, tc.rev, err)
		}
	}
}

// TestInteropPythonVerify: every blob Python wrote checks out.
func TestInteropPythonVerify(t *testing.T) {
	t.Parallel()
	rep, err := hub.VerifyCache(context.Background(), filepath.Join(pyFixture, "hub"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != pyNumBlobs || len(rep.Problems) != 0 || len(rep.Unverifiable) != 0 {
		t.Errorf("VerifyCache: checked %d, problems %v, unverifiable %v; want %d clean blobs", rep.Checked, rep.Problems, rep.Unverifiable, pyNumBlobs)
	}
}

// pyDownloads repeats, with hfgo, the downloads that wrote the fixture.
func pyDownloads(t *testing.T, c *hub.Client, localDir string) {
	t.Helper()
	ctx := context.Background()
	steps := []struct {
		name string
		run  func() error
	}{
		{"snapshot main", func() error { _, err := c.SnapshotDownload(ctx, pyRepo, nil); return err }},
		{"dev notes", func() error {
			_, err := c.DownloadFile(ctx, pyRepo, "nested/deep/notes.txt", &hub.DownloadOptions{Revision: "dev"})
			return err
		}},
		{"dev config", func() error {
			_, err := c.DownloadFile(ctx, pyRepo, "config.json", &hub.DownloadOptions{Revision: "dev"})
			return err
		}},
		{"tag", func() error {
			_, err := c.SnapshotDownload(ctx, pyRepo, &hub.SnapshotOptions{Revision: "v1.0", AllowPatterns: []string{"config.json"}})
			return err
		}},
		{"pull request", func() error {
			_, err := c.SnapshotDownload(ctx, pyRepo, &hub.SnapshotOptions{Revision: "refs/pr/1", AllowPatterns: []string{"pr.txt"}})
			return err
		}},
		{"by commit", func() error {
			_, err := c.DownloadFile(ctx, pyRepo, "tokenizer_config.json", &hub.DownloadOptions{Revision: pyMain})
			return err
		}},
		{"local dir", func() error {
			_, err := c.SnapshotDownload(ctx, pyRepo, &hub.SnapshotOptions{LocalDir: localDir})
			return err
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	for _, missing := range []string{"missing.json", "nested/missing.bin"} {
		if _, err := c.DownloadFile(ctx, pyRepo, missing, nil); !errors.Is(err, hub.ErrEntryNotFound) {
			t.Fatalf("DownloadFile(%s): %v, want ErrEntryNotFound", missing, err)
		}
	}
}

// tree describes each path of a cache or local folder: a folder, a symlink
// and its target, or a file and its content (download metadata without the
// timestamp line, which differs by nature).
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == "CACHEDIR.TAG":
			// hfgo marks the cache root; Python 0.35 does not.
		case d.IsDir():
			out[rel] = "dir"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "-> " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if strings.HasSuffix(rel, ".metadata") {
				lines := bytes.SplitN(b, []byte("\n"), 3)
				if len(lines) == 3 {
					b = bytes.Join(lines[:2], []byte("\n"))
				}
			}
			out[rel] = fmt.Sprintf("%q", b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInteropSameTreeAsPython: hfgo, doing what Python did against a Hub
// that serves Python's cache, writes the same cache and local folder: blob
// names, relative symlinks, refs without newline, .no_exist markers, lock
// paths, local_dir metadata.
func TestInteropSameTreeAsPython(t *testing.T) {
	t.Parallel()
	srv := hubtest.NewServer(hubtest.WithDir(filepath.Join(pyFixture, "hub")))
	defer srv.Close()
	dir := t.TempDir()
	cache, local := filepath.Join(dir, "hub"), filepath.Join(dir, "local")
	pyDownloads(t, pyClient(t, cache, hub.WithEndpoint(srv.URL)), local)

	if diff := cmp.Diff(tree(t, filepath.Join(pyFixture, "hub")), tree(t, cache)); diff != "" {
		t.Errorf("cache differs from Python's (-python +hfgo):\n%s", diff)
	}
	if diff := cmp.Diff(tree(t, filepath.Join(pyFixture, "local")), tree(t, local)); diff != "" {
		t.Errorf("local folder differs from Python's (-python +hfgo):\n%s", diff)
	}
}

// TestInteropNoRefetch: hfgo, pointed at the cache and the local folder
// Python wrote, downloads no file again.
func TestInteropNoRefetch(t *testing.T) {
	t.Parallel()
	srv := hubtest.NewServer(hubtest.WithDir(filepath.Join(pyFixture, "hub")))
	defer srv.Close()
	cache, local := copyPyFixture(t, "hub"), copyPyFixture(t, "local")
	before := tree(t, local)
	pyDownloads(t, pyClient(t, cache, hub.WithEndpoint(srv.URL)), local)

	for _, r := range srv.Requests() {
		if r.Host == hubtest.CDN || (r.Method == "GET" && strings.Contains(r.Path, "/resolve/")) {
			t.Errorf("fetched %s %s %s from a cache that holds it", r.Host, r.Method, r.Path)
		}
		// Files asked for by commit are known from the cache's snapshot and
		// the local folder's metadata alone, as in Python.
		if strings.Contains(r.Path, "/resolve/"+pyMain+"/") {
			t.Errorf("asked the Hub %s %s though the cache or the metadata knows it", r.Method, r.Path)
		}
	}
	if diff := cmp.Diff(before, tree(t, local)); diff != "" {
		t.Errorf("local folder changed (-before +after):\n%s", diff)
	}
}
