package hub

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/gofrs/flock"
)

// isPartialOf reports whether name, a file of blobs/, is a temporary file a
// download of etag writes: huggingface_hub's "<etag>.incomplete" (up to
// 1.17) and "<etag>.<8 hex>.incomplete" (1.18 on), the parallel parts
// "<etag>.parts.incomplete" and their state "<etag>.parts.incomplete.json",
// and the ".<etag>.*.tmp" files written before a rename.
func isPartialOf(name, etag string) bool {
	if rest, ok := strings.CutPrefix(name, etag+"."); ok {
		return rest == "incomplete" || strings.HasSuffix(rest, ".incomplete") || strings.HasSuffix(rest, ".incomplete.json")
	}
	return strings.HasPrefix(name, "."+etag+".") && strings.HasSuffix(name, ".tmp")
}

// removePartials deletes every temporary file of etag in blobs/. The caller
// holds the blob's lock, so none of them is being written.
func (r repoCache) removePartials(etag string) {
	dir := filepath.Join(r.dir, "blobs")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() && isPartialOf(e.Name(), etag) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// mayHavePartials reports, with a few stats, whether an interrupted download
// of etag left the files hfgo resumes (or huggingface_hub <= 1.17 does).
func (r repoCache) mayHavePartials(etag string) bool {
	blob := r.blobPath(etag)
	for _, p := range []string{blob + ".incomplete", blob + ".parts.incomplete", blob + ".parts.incomplete.json"} {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
	}
	return false
}

// dropStalePartials removes what an interrupted download of etag left once
// its blob is complete in blobs/. A snapshot entry alone is not enough: in a
// cache without symlinks it is a copy, blobs/ stays empty, and a partial of
// the same ETag is what a download for another commit resumes. It takes the
// blob's lock without waiting: a download holding it may be writing those
// files (a forced one), and they are then left alone.
func (c *Client) dropStalePartials(rc repoCache, etag string) {
	if checkName("ETag", etag) != nil || !rc.mayHavePartials(etag) || !isRegularFile(rc.blobPath(etag)) {
		return
	}
	unlock, ok := tryLockFile(rc.lockPath(etag))
	if !ok {
		return
	}
	defer unlock()
	rc.removePartials(etag)
}

// tryLockFile takes the blob lock at path if no one holds it.
func tryLockFile(path string) (unlock func(), ok bool) {
	if err := createLockFile(path); err != nil {
		return nil, false
	}
	fl := flock.New(path, flock.SetPermissions(0o664))
	if locked, err := fl.TryLock(); err != nil || !locked {
		return nil, false
	}
	return func() { fl.Unlock() }, true
}

// etagOfPointer returns the blob name a snapshot symlink points to, or "" if
// pointer is not a symlink into blobs/.
func etagOfPointer(pointer string) string {
	target, err := os.Readlink(pointer)
	if err != nil || filepath.Base(filepath.Dir(target)) != "blobs" {
		return ""
	}
	return filepath.Base(target)
}
