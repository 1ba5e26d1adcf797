package hub

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pythonRefs lists refs/ as huggingface_hub's scan_cache_dir does: every
// file under it, hidden or not, is a ref.
func pythonRefs(t *testing.T, repoDir string) map[string]string {
	t.Helper()
	refs := map[string]string{}
	dir := filepath.Join(repoDir, "refs")
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			refs[filepath.ToSlash(rel)] = string(mustRead(t, p))
		}
		return nil
	})
	return refs
}

// TestRefTempFileOutsideRefs: a crash between writing a ref's temporary
// file and renaming it leaves nothing in refs/ (which scan_cache_dir would
// take for a ref) nor in snapshots/.
func TestRefTempFileOutsideRefs(t *testing.T) {
	t.Parallel()
	rc := newRepoCache(t.TempDir(), Model, "hfgo/refs")
	const first, second = "0123456789abcdef0123456789abcdef01234567", "89abcdef0123456789abcdef0123456789abcdef"
	want := map[string]string{}
	var temps []string
	rc.beforeRename = func(tmp string) {
		// The cache as a crash now would leave it.
		temps = append(temps, tmp)
		if filepath.Dir(tmp) != rc.dir {
			t.Errorf("temporary file %s is not in the repo folder %s", tmp, rc.dir)
		}
		if !isRegularFile(tmp) {
			t.Errorf("temporary file %s missing", tmp)
		}
		if diff := cmp.Diff(want, pythonRefs(t, rc.dir)); diff != "" {
			t.Errorf("refs/ before the rename (-want +got):\n%s", diff)
		}
		for _, f := range repoFiles(t, filepath.Join(rc.dir, "snapshots")) {
			t.Errorf("snapshots/ holds %s", f)
		}
	}
	for _, w := range []struct{ rev, commit string }{{"main", first}, {"refs/pr/1", second}, {"main", second}} {
		if err := rc.writeRef(w.rev, w.commit); err != nil {
			t.Fatal(err)
		}
		want[w.rev] = w.commit
	}
	if len(temps) != 3 {
		t.Fatalf("%d temporary files, want 3", len(temps))
	}
	if diff := cmp.Diff(want, pythonRefs(t, rc.dir)); diff != "" {
		t.Errorf("refs/ (-want +got):\n%s", diff)
	}
	for _, tmp := range temps {
		if exists(tmp) {
			t.Errorf("%s left behind", tmp)
		}
	}
}

// TestLegacyRefTempFilesRemoved: the temporary files earlier versions left
// in refs/ go when the ref is written again.
func TestLegacyRefTempFilesRemoved(t *testing.T) {
	t.Parallel()
	rc := newRepoCache(t.TempDir(), Model, "hfgo/refs")
	const commit = "0123456789abcdef0123456789abcdef01234567"
	refs := filepath.Join(rc.dir, "refs")
	for _, n := range []string{".main.0badcafe.tmp", "refs/pr/.1.deadbeef.tmp"} {
		p := filepath.Join(refs, n)
		os.MkdirAll(filepath.Dir(p), 0o777)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, rev := range []string{"main", "refs/pr/1"} {
		if err := rc.writeRef(rev, commit); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"main": commit, "refs/pr/1": commit}
	if diff := cmp.Diff(want, pythonRefs(t, rc.dir)); diff != "" {
		t.Errorf("refs/ (-want +got):\n%s", diff)
	}
	for _, f := range repoFiles(t, rc.dir) {
		if strings.HasSuffix(f, ".tmp") {
			t.Errorf("%s left behind", f)
		}
	}
}

// TestLongRefWritten: a revision longer than a file name, in folders whose
// names each fit, is written like any other; its temporary file's name does
// not grow with it.
func TestLongRefWritten(t *testing.T) {
	t.Parallel()
	rc := newRepoCache(t.TempDir(), Model, "hfgo/refs")
	const commit = "0123456789abcdef0123456789abcdef01234567"
	rev := "feature/" + strings.Repeat("x", 200) + "/" + strings.Repeat("y", 250)
	if err := rc.writeRef(rev, commit); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{rev: commit}, pythonRefs(t, rc.dir)); diff != "" {
		t.Errorf("refs/ (-want +got):\n%s", diff)
	}
}
