package hub

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// repoCache is one repo's folder in the Hub cache.
type repoCache struct {
	root   string // the Hub cache folder
	folder string // "models--owner--name"
	dir    string // root/folder
	// beforeRename, if set, is called between writing a ref's temporary
	// file and renaming it into place (tests look at the cache then).
	beforeRename func(tmp string)
}

func newRepoCache(root string, t RepoType, repoID string) repoCache {
	folder := RepoFolderName(t, repoID)
	return repoCache{root: root, folder: folder, dir: filepath.Join(root, folder)}
}

func (r repoCache) blobPath(etag string) string {
	return filepath.Join(r.dir, "blobs", etag)
}

func (r repoCache) snapshotDir(commit string) string {
	return filepath.Join(r.dir, "snapshots", commit)
}

// pointerPath is snapshots/<commit>/<filename>.
func (r repoCache) pointerPath(commit, filename string) (string, error) {
	return joinRel(r.snapshotDir(commit), filename)
}

// noExistPath is .no_exist/<commit>/<filename>.
func (r repoCache) noExistPath(commit, filename string) (string, error) {
	return joinRel(filepath.Join(r.dir, ".no_exist", commit), filename)
}

// lockPath is the lock huggingface_hub takes while writing a blob:
// <cache>/.locks/<repo folder>/<etag>.lock.
func (r repoCache) lockPath(etag string) string {
	return filepath.Join(r.root, ".locks", r.folder, etag+".lock")
}

// refPath is refs/<revision> (refs/refs/pr/1 for "refs/pr/1").
func (r repoCache) refPath(rev string) (string, error) {
	return joinRel(filepath.Join(r.dir, "refs"), rev)
}

// readRef returns the commit refs/<rev> points to; found is false when there
// is no such ref. A ref that does not hold a commit is an ErrCorruptCache.
func (r repoCache) readRef(rev string) (commit string, found bool, err error) {
	p, err := r.refPath(rev)
	if err != nil {
		return "", false, err
	}
	b, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) || isDirErr(p, err):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	commit = strings.TrimSpace(string(b))
	if !isCommit(commit) {
		return "", false, fmt.Errorf("%w: ref %s holds %q, not a commit id", ErrCorruptCache, p, truncate(string(b), 60))
	}
	return commit, true, nil
}

// writeRef records that rev points to commit, atomically, without a
// trailing newline; nothing is written when rev is the commit itself or the
// ref already says so.
func (r repoCache) writeRef(rev, commit string) error {
	if rev == commit {
		return nil
	}
	if err := checkName("commit", commit); err != nil {
		return err
	}
	p, err := r.refPath(rev)
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(p); err == nil && string(b) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return err
	}
	removeLegacyRefTemps(p)
	return writeViaTemp(r.refTempName(), p, []byte(commit), r.beforeRename)
}

// refTempName is where a ref is written before it is renamed into refs/: in
// the repo folder itself, on the same file system, where huggingface_hub
// never looks. Everything under refs/ is a ref to scan_cache_dir, so a
// temporary file left there by a crash would break its scan. The name does
// not carry the revision, which may be longer than a file name can be.
func (r repoCache) refTempName() string {
	return tempName(filepath.Join(r.dir, "ref"))
}

// removeLegacyRefTemps deletes the ".<name>.<8 hex>.tmp" files earlier
// versions wrote next to the ref path and a crash left in refs/.
func removeLegacyRefTemps(path string) {
	dir, base := filepath.Split(path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		mid, ok := strings.CutPrefix(e.Name(), "."+base+".")
		if hex, ok2 := strings.CutSuffix(mid, ".tmp"); ok && ok2 && len(hex) == 8 && isHex(hex) && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// markNoExist writes the empty .no_exist marker of a file missing at commit.
func (r repoCache) markNoExist(commit, filename string) error {
	if err := checkName("commit", commit); err != nil {
		return err
	}
	p, err := r.noExistPath(commit, filename)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	return f.Close()
}

// isNoExist reports whether a .no_exist marker says filename is missing at
// commit.
func (r repoCache) isNoExist(commit, filename string) bool {
	p, err := r.noExistPath(commit, filename)
	if err != nil {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it over path, so readers see the old or the new content, never a part.
func writeFileAtomic(path string, data []byte) error {
	return writeViaTemp(tempName(path), path, data, nil)
}

// writeViaTemp writes data to the new file tmp (on path's file system) and
// renames it over path; beforeRename, if set, is called in between.
func writeViaTemp(tmp, path string, data []byte, beforeRename func(tmp string)) (err error) {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if beforeRename != nil {
		beforeRename(tmp)
	}
	return os.Rename(tmp, path)
}

// tempName is a unique temporary name in path's folder.
func tempName(path string) string {
	var b [4]byte
	rand.Read(b[:])
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+hex.EncodeToString(b[:])+".tmp")
}

// copyFileAtomic copies src to dst through a temporary file made in tmpDir
// (on dst's file system), so dst's folder never shows a partial copy. The
// temporary file is named after src: in blobs/, ".<etag>.<hex>.tmp", which
// a later download of the blob removes if a crash left it.
func copyFileAtomic(src, dst, tmpDir string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := tempName(filepath.Join(tmpDir, filepath.Base(src)))
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// cacheDirTag marks the cache for backup tools (https://bford.info/cachedir/).
const cacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n" +
	"# This file is a cache directory tag created by hfgo for the Hugging Face Hub cache.\n" +
	"# For information about cache directory tags, see https://bford.info/cachedir/\n"

// ensureCacheDirTag writes CACHEDIR.TAG at the cache root if missing.
func ensureCacheDirTag(root string) {
	p := filepath.Join(root, "CACHEDIR.TAG")
	if _, err := os.Lstat(p); err == nil {
		return
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return
	}
	f.WriteString(cacheDirTag)
	f.Close()
}

// isDirErr reports whether reading p failed because it is a folder.
func isDirErr(p string, err error) bool {
	if err == nil {
		return false
	}
	fi, serr := os.Stat(p)
	return serr == nil && fi.IsDir()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
