package hub

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// CacheInfo is a scan of a Hub cache folder.
type CacheInfo struct {
	Dir   string
	Repos []CachedRepo
	// Warnings name folders that are not repos or are damaged.
	Warnings []error
}

// Size is the bytes on disk of every repo.
func (ci *CacheInfo) Size() int64 {
	var n int64
	for _, r := range ci.Repos {
		n += r.Size
	}
	return n
}

// Repo finds a repo of the scan.
func (ci *CacheInfo) Repo(t RepoType, repoID string) (*CachedRepo, bool) {
	for i := range ci.Repos {
		if ci.Repos[i].Type == t.orDefault() && ci.Repos[i].ID == repoID {
			return &ci.Repos[i], true
		}
	}
	return nil, false
}

// CachedRepo is one repo folder of the cache.
type CachedRepo struct {
	Type RepoType
	ID   string
	Path string
	// Size is the bytes on disk: each blob once, plus the snapshot files
	// that are not symlinks.
	Size int64
	// Blobs is the number of distinct files.
	Blobs int
	// Refs maps ref names ("main", "refs/pr/1") to commits.
	Refs map[string]string
	// Revisions are the cached snapshots, by commit.
	Revisions    []CachedRevision
	LastModified time.Time
}

// CachedRevision is one snapshot of a repo.
type CachedRevision struct {
	Commit string
	// Refs are the refs pointing to this commit.
	Refs         []string
	Path         string
	Files        []CachedFile
	Size         int64 // sum of the files' sizes
	LastModified time.Time
}

// CachedFile is one file of a snapshot.
type CachedFile struct {
	Name     string // path in the repo
	Path     string // path in the snapshot folder
	BlobPath string // the blob it points to (Path itself without symlinks)
	ETag     string // the blob's name; "" when the file is not a symlink
	Size     int64
}

// ScanCache reads a Hub cache folder: repos, revisions, refs, files, sizes.
// Damaged entries are reported in Warnings, not as an error.
func ScanCache(dir string) (*CacheInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("hub: scan cache: %w", err)
	}
	ci := &CacheInfo{Dir: dir}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		t, id, ok := parseRepoFolder(e.Name())
		if !ok {
			continue
		}
		r, warns := scanRepo(filepath.Join(dir, e.Name()), t, id)
		ci.Warnings = append(ci.Warnings, warns...)
		if r != nil {
			ci.Repos = append(ci.Repos, *r)
		}
	}
	sort.Slice(ci.Repos, func(i, j int) bool {
		if ci.Repos[i].Type != ci.Repos[j].Type {
			return ci.Repos[i].Type < ci.Repos[j].Type
		}
		return ci.Repos[i].ID < ci.Repos[j].ID
	})
	return ci, nil
}

// parseRepoFolder reads "models--owner--name".
func parseRepoFolder(name string) (RepoType, string, bool) {
	prefix, rest, ok := strings.Cut(name, "--")
	if !ok || rest == "" {
		return "", "", false
	}
	var t RepoType
	switch prefix {
	case "models":
		t = Model
	case "datasets":
		t = Dataset
	case "spaces":
		t = Space
	default:
		return "", "", false
	}
	return t, strings.ReplaceAll(rest, "--", "/"), true
}

// scanRepo reads one repo folder.
func scanRepo(path string, t RepoType, id string) (*CachedRepo, []error) {
	var warns []error
	warn := func(format string, args ...any) {
		warns = append(warns, fmt.Errorf("%w: "+format, append([]any{ErrCorruptCache}, args...)...))
	}
	snapDir := filepath.Join(path, "snapshots")
	snaps, err := os.ReadDir(snapDir)
	if err != nil {
		warn("%s: no snapshots folder", path)
		return nil, warns
	}
	r := &CachedRepo{Type: t, ID: id, Path: path, Refs: readRefs(filepath.Join(path, "refs"), warn)}
	blobs := map[string]int64{}
	for _, s := range snaps {
		if !s.IsDir() {
			warn("%s: not a snapshot folder", filepath.Join(snapDir, s.Name()))
			continue
		}
		rev := scanRevision(filepath.Join(snapDir, s.Name()), s.Name(), blobs, warn)
		for name, commit := range r.Refs {
			if commit == rev.Commit {
				rev.Refs = append(rev.Refs, name)
			}
		}
		sort.Strings(rev.Refs)
		if rev.LastModified.After(r.LastModified) {
			r.LastModified = rev.LastModified
		}
		r.Revisions = append(r.Revisions, rev)
	}
	for _, size := range blobs {
		r.Size += size
	}
	r.Blobs = len(blobs)
	return r, warns
}

// readRefs reads refs/ recursively (refs/refs/pr/1 is "refs/pr/1").
func readRefs(dir string, warn func(string, ...any)) map[string]string {
	refs := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			warn("%s: %v", p, err)
			return nil
		}
		name, _ := filepath.Rel(dir, p)
		if c := string(b); isCommit(c) {
			refs[filepath.ToSlash(name)] = c
		} else {
			warn("ref %s holds %q, not a commit id", p, truncate(c, 60))
		}
		return nil
	})
	return refs
}

// scanRevision reads one snapshot folder, adding the blobs it uses (each
// counted once per repo) to blobs.
func scanRevision(dir, commit string, blobs map[string]int64, warn func(string, ...any)) CachedRevision {
	rev := CachedRevision{Commit: commit, Path: dir}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name, _ := filepath.Rel(dir, p)
		f := CachedFile{Name: filepath.ToSlash(name), Path: p, BlobPath: p}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				warn("%s: dangling symlink", p)
				return nil
			}
			f.BlobPath, f.ETag = target, filepath.Base(target)
		}
		fi, err := os.Stat(f.BlobPath)
		if err != nil || !fi.Mode().IsRegular() {
			warn("%s: not a regular file", p)
			return nil
		}
		f.Size = fi.Size()
		blobs[f.BlobPath] = f.Size
		rev.Size += f.Size
		if fi.ModTime().After(rev.LastModified) {
			rev.LastModified = fi.ModTime()
		}
		rev.Files = append(rev.Files, f)
		return nil
	})
	return rev
}

// DeleteRepo removes a repo's folder (and its locks) from the cache and
// returns the bytes freed.
func DeleteRepo(cacheDir string, t RepoType, repoID string) (int64, error) {
	t = t.orDefault()
	if err := checkRepo(t, repoID); err != nil {
		return 0, err
	}
	rc := newRepoCache(cacheDir, t, repoID)
	if _, err := os.Stat(rc.dir); err != nil {
		return 0, fmt.Errorf("%w: %s %s is not in the cache %s", ErrNotCached, t, repoID, cacheDir)
	}
	freed := diskUsage(rc.dir)
	if err := os.RemoveAll(rc.dir); err != nil {
		return 0, err
	}
	os.RemoveAll(filepath.Join(cacheDir, ".locks", rc.folder))
	return freed, nil
}

// DeleteRevision removes one revision (a commit, or a ref name resolved
// through refs/) of a cached repo: its snapshot, the refs pointing to it, its
// .no_exist markers, and the blobs no other revision uses. Removing the last
// revision removes the repo. It returns the bytes freed.
func DeleteRevision(cacheDir string, t RepoType, repoID, revision string) (int64, error) {
	t = t.orDefault()
	if err := checkRepo(t, repoID); err != nil {
		return 0, err
	}
	rc := newRepoCache(cacheDir, t, repoID)
	r, _ := scanRepo(rc.dir, t, repoID)
	if r == nil {
		return 0, fmt.Errorf("%w: %s %s is not in the cache %s", ErrNotCached, t, repoID, cacheDir)
	}
	commit := revision
	if c, ok := r.Refs[revision]; ok {
		commit = c
	}
	var target *CachedRevision
	keep := map[string]bool{}
	for i, rev := range r.Revisions {
		if rev.Commit == commit {
			target = &r.Revisions[i]
			continue
		}
		for _, f := range rev.Files {
			keep[f.BlobPath] = true
		}
	}
	if target == nil {
		return 0, fmt.Errorf("%w: revision %q of %s is not in the cache", ErrNotCached, revision, repoID)
	}
	if len(r.Revisions) == 1 {
		return DeleteRepo(cacheDir, t, repoID)
	}
	var freed int64
	for _, f := range target.Files {
		if f.ETag != "" && !keep[f.BlobPath] {
			if err := os.Remove(f.BlobPath); err == nil {
				freed += f.Size
			}
		} else if f.ETag == "" {
			freed += f.Size
		}
	}
	for name, c := range r.Refs {
		if c == commit {
			if p, err := rc.refPath(name); err == nil {
				os.Remove(p)
			}
		}
	}
	os.RemoveAll(filepath.Join(rc.dir, ".no_exist", commit))
	if err := os.RemoveAll(target.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return freed, err
	}
	return freed, nil
}

// diskUsage sums the regular files under dir (symlinks not followed).
func diskUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
