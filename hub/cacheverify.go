package hub

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// VerifyOptions are the optional arguments of VerifyCache.
type VerifyOptions struct {
	// RepoType and RepoID restrict the check to one repo.
	RepoType RepoType
	RepoID   string
	// Workers is how many blobs are hashed at once (default: the CPUs).
	Workers int
	// Client, if set, asks the Hub for the ETags of snapshot files that are
	// copies, not symlinks (a cache written without symlinks), when the
	// repo's trees/<commit>.json does not record them.
	Client *Client
}

// VerifyReport is the result of VerifyCache.
type VerifyReport struct {
	// Checked blobs and Files (snapshot files that are copies, checked
	// against their ETag), Bytes hashed.
	Checked int
	Files   int
	Bytes   int64
	// Problems are blobs whose content does not match their name, dangling
	// snapshot entries and the like.
	Problems []CacheProblem
	// Unverifiable are blobs whose name (or snapshot files whose ETag) is
	// neither a sha256 nor a git sha1.
	Unverifiable []string
	// Unknown are snapshot files that are copies and whose ETag neither the
	// cache's trees/ nor the Hub gave: they are not checked.
	Unknown []string
}

// CacheProblem is one damaged file of the cache.
type CacheProblem struct {
	Repo    string // "model google-bert/bert-base-uncased"
	Path    string
	Problem string
}

// VerifyCache hashes every blob of the cache (or of one repo) and compares
// it with its name: the sha256 for LFS files, the git blob sha1 for the
// others. Snapshot files that are copies (a cache without symlinks has no
// blobs) are hashed and compared with their ETag, read from
// trees/<commit>.json or asked of the Hub (opts.Client). It also reports
// snapshot entries that point nowhere.
func VerifyCache(ctx context.Context, dir string, opts *VerifyOptions) (*VerifyReport, error) {
	o := VerifyOptions{}
	if opts != nil {
		o = *opts
	}
	ci, err := ScanCache(dir)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{}
	var jobs []verifyJob
	found := false
	for _, r := range ci.Repos {
		if o.RepoID != "" && (r.ID != o.RepoID || r.Type != o.RepoType.orDefault()) {
			continue
		}
		found = true
		name := string(r.Type) + " " + r.ID
		blobs, _ := os.ReadDir(filepath.Join(r.Path, "blobs"))
		for _, b := range blobs {
			if !b.Type().IsRegular() || strings.HasSuffix(b.Name(), ".incomplete") || strings.HasSuffix(b.Name(), ".json") || strings.HasPrefix(b.Name(), ".") {
				continue
			}
			jobs = append(jobs, verifyJob{repo: name, path: filepath.Join(r.Path, "blobs", b.Name()), etag: b.Name()})
		}
		copies, unknown := copiedFileJobs(ctx, o.Client, r)
		jobs = append(jobs, copies...)
		rep.Unknown = append(rep.Unknown, unknown...)
	}
	for _, w := range ci.Warnings {
		if o.RepoID == "" || strings.Contains(w.Error(), RepoFolderName(o.RepoType, o.RepoID)) {
			rep.Problems = append(rep.Problems, CacheProblem{Path: "", Problem: w.Error()})
		}
	}
	if o.RepoID != "" && !found {
		return nil, fmt.Errorf("%w: %s %s is not in the cache %s", ErrNotCached, o.RepoType.orDefault(), o.RepoID, dir)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	ch := make(chan verifyJob)
	for range workers {
		wg.Go(func() {
			for j := range ch {
				problem, n, verifiable, err := verifyFile(ctx, j.path, j.etag)
				mu.Lock()
				switch {
				case err != nil:
					rep.Problems = append(rep.Problems, CacheProblem{j.repo, j.path, err.Error()})
				case !verifiable:
					rep.Unverifiable = append(rep.Unverifiable, j.path)
				default:
					if j.copied {
						rep.Files++
					} else {
						rep.Checked++
					}
					rep.Bytes += n
					if problem != "" {
						rep.Problems = append(rep.Problems, CacheProblem{j.repo, j.path, problem})
					}
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(rep.Problems, func(i, j int) bool { return rep.Problems[i].Path < rep.Problems[j].Path })
	sort.Strings(rep.Unverifiable)
	sort.Strings(rep.Unknown)
	return rep, nil
}

// verifyJob is one file to hash: a blob, or a snapshot file that is a copy.
type verifyJob struct {
	repo, path, etag string
	copied           bool
}

// verifyFile hashes one file and compares it with etag; problem is
// non-empty on a mismatch.
func verifyFile(ctx context.Context, path, etag string) (problem string, n int64, verifiable bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, true, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", 0, true, err
	}
	h := newContentHash(etag, fi.Size())
	if h == nil {
		return "", 0, false, nil
	}
	n, err = io.Copy(h, ctxReader{ctx, f})
	if err != nil {
		return "", n, true, err
	}
	if err := h.check(filepath.Base(path)); err != nil {
		ce := err.(*ChecksumError)
		return fmt.Sprintf("%s is %s, want %s", ce.Algorithm, ce.Got, ce.Want), n, true, nil
	}
	return "", n, true, nil
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
