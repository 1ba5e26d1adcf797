package hub

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// SnapshotOptions are the optional arguments of SnapshotDownload and
// PlanSnapshot; nil means the defaults.
type SnapshotOptions struct {
	RepoType RepoType
	// Revision is a branch, tag, commit id or "refs/pr/N"; default "main".
	Revision string
	// CacheDir overrides the client's cache folder for this call.
	CacheDir string
	// LocalDir, if set, puts the files under LocalDir instead of the cache.
	LocalDir string
	// AllowPatterns and IgnorePatterns filter the repo's paths with Python's
	// fnmatch semantics (see Match); a pattern ending in "/" means a folder.
	// A file is kept if it matches some allow pattern (any file when there
	// are none) and no ignore pattern.
	AllowPatterns, IgnorePatterns []string
	// Select, if set, chooses among the files the patterns kept;
	// SelectDefault picks what hfgo needs.
	Select func([]RepoFile) Selection
	// MaxWorkers is how many files download at once (default 8).
	MaxWorkers int
	// ForceDownload fetches files even if they are cached.
	ForceDownload bool
	// Progress receives progress events.
	Progress ProgressFunc
}

// SnapshotPlan is what a snapshot download will fetch.
type SnapshotPlan struct {
	RepoID   string
	RepoType RepoType
	Revision string
	// Commit is the commit the revision resolved to.
	Commit string
	// Dir is the folder the files land in: the snapshot folder in the
	// cache, or the local dir.
	Dir string
	// Files are the files to have, in path order.
	Files []PlannedFile
	// Skipped are the files Select left out (not those the patterns did).
	Skipped []RepoFile
	// Weights is Select's weight format, if any.
	Weights string
	// FromCache says the Hub could not be asked (offline mode, network or
	// server error) and the plan describes the cached snapshot.
	FromCache bool

	cacheDir string
	localDir string
}

// PlannedFile is one file of a plan.
type PlannedFile struct {
	RepoFile
	// Cached says the file is already there and will not be fetched.
	Cached bool
}

// Size is the total size of the plan's files.
func (p *SnapshotPlan) Size() int64 {
	var n int64
	for _, f := range p.Files {
		n += f.Size
	}
	return n
}

// PlanSnapshot resolves the revision to a commit, lists the repo and filters
// the files, without downloading anything (a dry run). When the Hub cannot
// be asked, the plan describes the cached snapshot (FromCache), as
// snapshot_download falls back to it.
func (c *Client) PlanSnapshot(ctx context.Context, repoID string, opts *SnapshotOptions) (*SnapshotPlan, error) {
	o := SnapshotOptions{}
	if opts != nil {
		o = *opts
	}
	p := &SnapshotPlan{
		RepoID: repoID, RepoType: o.RepoType.orDefault(), Revision: firstNonEmpty(o.Revision, DefaultRevision),
		cacheDir: firstNonEmpty(o.CacheDir, c.cacheDir), localDir: o.LocalDir,
	}
	if err := checkRepo(p.RepoType, repoID); err != nil {
		return nil, err
	}
	if err := validateRevision(p.Revision); err != nil {
		return nil, err
	}
	files, err := c.listSnapshot(ctx, p)
	if err != nil {
		if !cacheFallback(err) || o.ForceDownload {
			return nil, err
		}
		if files, err = c.cachedSnapshot(p, err); err != nil {
			return nil, err
		}
	}
	kept := filterFiles(files, o.AllowPatterns, o.IgnorePatterns)
	if o.Select != nil {
		sel := o.Select(kept)
		kept, p.Skipped, p.Weights = sel.Fetch, sel.Skipped, sel.Weights
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Path < kept[j].Path })
	p.Dir = c.planDir(p)
	for _, f := range kept {
		p.Files = append(p.Files, PlannedFile{RepoFile: f, Cached: p.FromCache || (!o.ForceDownload && c.isPlannedCached(p, f))})
	}
	return p, nil
}

// listSnapshot resolves the revision and lists the files at the commit.
func (c *Client) listSnapshot(ctx context.Context, p *SnapshotPlan) ([]RepoFile, error) {
	info, err := c.RepoInfo(ctx, p.RepoID, &RepoInfoOptions{RepoType: p.RepoType, Revision: p.Revision})
	if err != nil {
		return nil, err
	}
	if err := checkName("commit", info.SHA); err != nil {
		return nil, fmt.Errorf("%w: repo info of %s: %v", ErrBadResponse, p.RepoID, err)
	}
	p.Commit = info.SHA
	return c.ListFiles(ctx, p.RepoID, &ListFilesOptions{RepoType: p.RepoType, Revision: p.Commit})
}

// cachedSnapshot lists the cached snapshot of the revision when the Hub
// could not be asked.
func (c *Client) cachedSnapshot(p *SnapshotPlan, cause error) ([]RepoFile, error) {
	q := fileReq{repoType: p.RepoType, repoID: p.RepoID, revision: p.Revision}
	p.FromCache = true
	if p.localDir != "" {
		return walkFiles(p.localDir, cause, q, true)
	}
	rc := newRepoCache(p.cacheDir, p.RepoType, p.RepoID)
	p.Commit = p.Revision
	if !isCommit(p.Revision) {
		ref, found, err := rc.readRef(p.Revision)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, notCached(q, cause)
		}
		p.Commit = ref
	}
	return walkFiles(rc.snapshotDir(p.Commit), cause, q, false)
}

// walkFiles lists the files under dir (skipping .cache for a local dir).
func walkFiles(dir string, cause error, q fileReq, local bool) ([]RepoFile, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, notCached(q, cause)
	}
	var files []RepoFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if local && d.IsDir() && rel == ".cache" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		files = append(files, RepoFile{Path: rel, Size: fileSize(path)})
		return nil
	})
	return files, err
}

func filterFiles(files []RepoFile, allow, ignore []string) []RepoFile {
	a, ig := compilePatterns(allow), compilePatterns(ignore)
	var out []RepoFile
	for _, f := range files {
		if (len(a) == 0 || a.matchAny(f.Path)) && !ig.matchAny(f.Path) {
			out = append(out, f)
		}
	}
	return out
}

func (c *Client) planDir(p *SnapshotPlan) string {
	if p.localDir != "" {
		return p.localDir
	}
	return newRepoCache(p.cacheDir, p.RepoType, p.RepoID).snapshotDir(p.Commit)
}

// isPlannedCached reports whether f is already in place.
func (c *Client) isPlannedCached(p *SnapshotPlan, f RepoFile) bool {
	if p.localDir != "" {
		lp, err := localPathsFor(p.localDir, f.Path)
		if err != nil {
			return false
		}
		md := readLocalMetadata(lp)
		return md != nil && md.etag == f.ETag() && isRegularFile(lp.file)
	}
	ptr, err := newRepoCache(p.cacheDir, p.RepoType, p.RepoID).pointerPath(p.Commit, f.Path)
	return err == nil && isRegularFile(ptr)
}

// SnapshotDownload downloads the files of a repo at a revision (filtered by
// opts) into the cache, as huggingface_hub's snapshot_download, and returns
// the snapshot folder (or opts.LocalDir).
func (c *Client) SnapshotDownload(ctx context.Context, repoID string, opts *SnapshotOptions) (string, error) {
	plan, err := c.PlanSnapshot(ctx, repoID, opts)
	if err != nil {
		return "", err
	}
	return c.DownloadPlan(ctx, plan, opts)
}

// DownloadPlan fetches a plan's files with opts.MaxWorkers workers and
// returns plan.Dir. The first failure stops the other files.
func (c *Client) DownloadPlan(ctx context.Context, plan *SnapshotPlan, opts *SnapshotOptions) (string, error) {
	o := SnapshotOptions{}
	if opts != nil {
		o = *opts
	}
	pq := newProgressQueue(o.Progress, plan.Size())
	defer pq.close()
	if plan.FromCache {
		for _, f := range plan.Files {
			fp := pq.file(f.Path)
			fp.start(f.Size, 0)
			fp.complete(true, nil)
		}
		return plan.Dir, nil
	}
	if plan.localDir == "" {
		rc := newRepoCache(plan.cacheDir, plan.RepoType, plan.RepoID)
		if err := os.MkdirAll(plan.Dir, 0o777); err != nil {
			return "", err
		}
		ensureCacheDirTag(plan.cacheDir)
		if err := rc.writeRef(plan.Revision, plan.Commit); err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan PlannedFile)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	workers := o.MaxWorkers
	if workers <= 0 {
		workers = DefaultMaxWorkers
	}
	for range min(workers, max(len(plan.Files), 1)) {
		wg.Go(func() {
			for f := range work {
				if err := c.downloadPlanned(ctx, plan, f, o.ForceDownload, pq); err != nil {
					once.Do(func() { firstErr = err; cancel(err) })
				}
			}
		})
	}
feed:
	for _, f := range plan.Files {
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return "", firstErr
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return plan.Dir, nil
}

func (c *Client) downloadPlanned(ctx context.Context, plan *SnapshotPlan, f PlannedFile, force bool, pq *progressQueue) error {
	q := fileReq{
		repoType: plan.RepoType, repoID: plan.RepoID, revision: plan.Commit, filename: f.Path,
		cacheDir: plan.cacheDir, localDir: plan.localDir, force: force,
	}
	if pq != nil {
		q.progress = pq.file(f.Path)
	}
	var err error
	if q.localDir != "" {
		_, err = c.downloadToLocalDir(ctx, q)
	} else {
		_, err = c.downloadToCache(ctx, q)
	}
	return err
}
