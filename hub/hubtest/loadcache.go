package hubtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// loadCacheRepo loads a repo folder of a Hugging Face cache: every snapshot
// as a commit, refs/ as branches and pull requests (see cacheMain for main).
func (s *Server) loadCacheRepo(key repoKey, dir string) error {
	if err := checkRepoID(key.id); err != nil {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	snaps, err := os.ReadDir(filepath.Join(dir, "snapshots"))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	rp := &repo{key: key, commits: map[string]*commit{}, branches: map[string]string{}, tags: map[string]string{}, prs: map[int]string{}}
	for _, e := range snaps {
		sdir := filepath.Join(dir, "snapshots", e.Name())
		if !isCommitSHA(e.Name()) || !isDir(sdir) {
			continue
		}
		c, err := loadSnapshot(e.Name(), sdir)
		if err != nil {
			return err
		}
		rp.commits[c.sha] = c
		if rp.created.IsZero() || c.when.Before(rp.created) {
			rp.created = c.when
		}
	}
	if err := loadCacheRefs(rp, filepath.Join(dir, "refs")); err != nil {
		return err
	}
	if sha, ok := cacheMain(rp); ok {
		rp.branches["main"] = sha
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.addRepoLocked(rp); err != nil {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	return nil
}

// cacheMain is the commit of main in a cached repo: refs/main's, else the
// only snapshot that no other ref names (a PR head or another branch's
// commit is not main). ok is false when that is ambiguous or there is none.
func cacheMain(rp *repo) (sha string, ok bool) {
	if sha, ok := rp.branches["main"]; ok {
		return sha, true
	}
	named := map[string]bool{}
	for _, sha := range rp.branches {
		named[sha] = true
	}
	for _, sha := range rp.prs {
		named[sha] = true
	}
	var free []string
	for sha := range rp.commits {
		if !named[sha] {
			free = append(free, sha)
		}
	}
	if len(free) != 1 {
		return "", false
	}
	return free[0], true
}

// loadSnapshot reads snapshots/<sha>: each file's ETag is the name of the
// blob its symlink points to, or is computed for a copied file.
func loadSnapshot(sha, dir string) (*commit, error) {
	files := map[string]*file{}
	err := walkFiles(dir, func(rel, full string, size int64) error {
		f := &file{size: size, diskPath: full}
		if target, err := os.Readlink(full); err == nil {
			etag := filepath.Base(target)
			switch {
			case len(etag) == 64 && isHex(etag):
				p := lfsPointer(etag, size)
				f.lfs, f.sha256, f.gitID, f.pointerSize = true, etag, GitBlobID(p), len(p)
				files[rel] = f
				return nil
			case isCommitSHA(etag):
				f.gitID = etag
				files[rel] = f
				return nil
			}
		}
		f, err := newDiskFile(rel, full, size)
		if err == nil {
			files[rel] = f
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	c := &commit{sha: sha, title: "Snapshot " + sha[:7], when: info.ModTime().UTC().Truncate(time.Second), files: files}
	for p := range files {
		c.paths = append(c.paths, p)
	}
	slices.Sort(c.paths)
	c.trees = treeIDs(files)
	return c, nil
}

// loadCacheRefs reads refs/<name> (refs/refs/pr/N for pull requests), each
// holding a commit sha; refs to commits that are not cached are skipped.
func loadCacheRefs(rp *repo, dir string) error {
	if !isDir(dir) {
		return nil
	}
	return walkFiles(dir, func(rel, full string, size int64) error {
		if size > 1024 {
			return nil
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return fmt.Errorf("hubtest: load %s: %w", full, err)
		}
		sha := strings.TrimSpace(string(data))
		if rp.commits[sha] == nil {
			return nil
		}
		var n int
		if _, err := fmt.Sscanf(rel, "refs/pr/%d", &n); err == nil && fmt.Sprintf("refs/pr/%d", n) == rel {
			rp.prs[n] = sha
		} else {
			rp.branches[rel] = sha
		}
		return nil
	})
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}
