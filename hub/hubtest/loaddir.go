package hubtest

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// LoadDir adds the repos of a folder. Two layouts are read, side by side if
// need be, and symlinks are followed:
//
//   - plain folders: dir/<owner>/<name>/... are models (dir/<name>/... when
//     the folder holds files itself), dir/datasets/<owner>/<name>/... and
//     dir/spaces/<owner>/<name>/... datasets and spaces. Each becomes a repo
//     with one commit on main. Files at the top of dir (a README) and .git
//     folders are skipped.
//   - a Hugging Face cache: dir/models--<owner>--<name>/ (and datasets--,
//     spaces--) with refs/, snapshots/<commit>/ and blobs/. Every cached
//     snapshot is served under its own commit sha, refs/ name branches and
//     refs/pr/N. Without refs/main, main is the one snapshot no ref names;
//     if there is no such snapshot, or several, the repo has no main and
//     asking for it is a RevisionNotFound. Blob names are taken as the
//     files' ETags.
//
// Contents stay on disk and are read per request. Plain folders are hashed
// once, here: a file changed afterwards is served under its old ETag until
// the folder is loaded again. A plain folder's commit depends only on its
// files and repo id, so a mirror restarted on the same folder answers with
// the same commits.
func (s *Server) LoadDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	for _, e := range entries {
		full := filepath.Join(dir, e.Name())
		if !isDir(full) || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if typ, id, ok := cacheFolder(e.Name()); ok {
			err = s.loadCacheRepo(repoKey{typ, id}, full)
		} else {
			err = s.loadPlainOwner(e.Name(), full)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cacheFolder reads a cache repo folder name, "models--owner--name".
func cacheFolder(name string) (typ, id string, ok bool) {
	for t, spec := range repoTypes {
		if rest, found := strings.CutPrefix(name, spec.api+"--"); found {
			return t, strings.ReplaceAll(rest, "--", "/"), true
		}
	}
	return "", "", false
}

// loadPlainOwner loads dir/<top>: the datasets or spaces folder, an owner's
// folder of repos, or a repo without owner.
func (s *Server) loadPlainOwner(top, dir string) error {
	typ := "model"
	if top == "datasets" || top == "spaces" {
		typ = strings.TrimSuffix(top, "s")
		owners, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("hubtest: load %s: %w", dir, err)
		}
		for _, o := range owners {
			if full := filepath.Join(dir, o.Name()); isDir(full) && !strings.HasPrefix(o.Name(), ".") {
				if err := s.loadPlainRepos(typ, o.Name(), full); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return s.loadPlainRepos(typ, top, dir)
}

// loadPlainRepos loads dir as one repo named owner if it holds files, else
// each of its folders as owner/<folder>.
func (s *Server) loadPlainRepos(typ, owner, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	for _, e := range entries {
		if !isDir(filepath.Join(dir, e.Name())) {
			return s.loadPlainRepo(repoKey{typ, owner}, dir)
		}
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			if err := s.loadPlainRepo(repoKey{typ, owner + "/" + e.Name()}, filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadPlainRepo loads one repo folder as a repo with one commit.
func (s *Server) loadPlainRepo(key repoKey, dir string) error {
	if err := checkRepoID(key.id); err != nil {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	files := map[string]*file{}
	err := walkFiles(dir, func(rel, full string, size int64) error {
		if rel == ".cache" || strings.HasPrefix(rel, ".cache/") {
			return nil // a local_dir download's metadata
		}
		f, err := newDiskFile(rel, full, size)
		if err == nil {
			files[rel] = f
		}
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The commit depends on the files and the repo id only, so a mirror
	// restarted on the same folder answers with the same commits.
	if _, err := s.newRepoLocked(key, Repo{}, files, epoch); err != nil {
		return fmt.Errorf("hubtest: load %s: %w", dir, err)
	}
	return nil
}

// newDiskFile hashes a file on disk.
func newDiskFile(name, full string, size int64) (*file, error) {
	fh, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("hubtest: %w", err)
	}
	defer fh.Close()
	g, h := sha1.New(), sha256.New()
	fmt.Fprintf(g, "blob %d\x00", size)
	n, err := io.Copy(io.MultiWriter(g, h), fh)
	if err != nil {
		return nil, fmt.Errorf("hubtest: read %s: %w", full, err)
	}
	if n != size {
		return nil, fmt.Errorf("hubtest: %s changed while it was read", full)
	}
	f := &file{size: size, diskPath: full}
	f.setHashes(name, hex.EncodeToString(g.Sum(nil)), hex.EncodeToString(h.Sum(nil)))
	return f, nil
}

// walkFiles calls fn for every regular file below root, following
// symlinks, skipping .git folders, with '/'-separated relative paths.
func walkFiles(root string, fn func(rel, full string, size int64) error) error {
	var walk func(dir, rel string, depth int) error
	walk = func(dir, rel string, depth int) error {
		if depth > 40 {
			return fmt.Errorf("hubtest: load %s: folders nested too deep (a symlink loop?)", dir)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("hubtest: load %s: %w", dir, err)
		}
		for _, e := range entries {
			full, r := filepath.Join(dir, e.Name()), e.Name()
			if rel != "" {
				r = rel + "/" + e.Name()
			}
			info, err := os.Stat(full)
			if err != nil {
				return fmt.Errorf("hubtest: load %s: %w", full, err)
			}
			switch {
			case info.IsDir() && e.Name() == ".git":
			case info.IsDir():
				if err := walk(full, r, depth+1); err != nil {
					return err
				}
			case info.Mode().IsRegular():
				if err := fn(r, full, info.Size()); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root, "", 0)
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
