package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DownloadOptions are the optional arguments of DownloadFile; nil means the
// defaults.
type DownloadOptions struct {
	RepoType RepoType
	// Revision is a branch, tag, commit id or "refs/pr/N"; default "main".
	Revision string
	// CacheDir overrides the client's cache folder for this call.
	CacheDir string
	// LocalDir, if set, puts the file at LocalDir/<filename> instead of in
	// the cache, with huggingface_hub's metadata under LocalDir/.cache.
	LocalDir string
	// ForceDownload fetches the file even if it is cached.
	ForceDownload bool
	// Progress receives progress events.
	Progress ProgressFunc
}

// fileReq is one file to get, with its options resolved.
type fileReq struct {
	repoType RepoType
	repoID   string
	revision string
	filename string
	cacheDir string
	localDir string
	force    bool
	progress *fileProgress
}

func (c *Client) newFileReq(repoID, filename string, o *DownloadOptions) (fileReq, error) {
	if o == nil {
		o = &DownloadOptions{}
	}
	q := fileReq{
		repoType: o.RepoType.orDefault(),
		repoID:   repoID,
		revision: firstNonEmpty(o.Revision, DefaultRevision),
		filename: filename,
		cacheDir: firstNonEmpty(o.CacheDir, c.cacheDir),
		localDir: o.LocalDir,
		force:    o.ForceDownload,
	}
	if err := checkRepo(q.repoType, repoID); err != nil {
		return q, err
	}
	if err := validateRevision(q.revision); err != nil {
		return q, err
	}
	if err := checkRelPath(filename); err != nil {
		return q, err
	}
	return q, nil
}

// DownloadFile returns the local path of one file of a repo, downloading it
// into the cache if needed (or into opts.LocalDir), exactly where
// huggingface_hub's hf_hub_download would put it:
// <cache>/<repo folder>/snapshots/<commit>/<filename>.
//
// A commit revision already cached costs no request; offline, or when the
// Hub cannot be reached, the cache answers (ErrNotCached if it cannot).
func (c *Client) DownloadFile(ctx context.Context, repoID, filename string, opts *DownloadOptions) (string, error) {
	q, err := c.newFileReq(repoID, filename, opts)
	if err != nil {
		return "", err
	}
	var fn ProgressFunc
	if opts != nil {
		fn = opts.Progress
	}
	pq := newProgressQueue(fn, -1)
	defer pq.close()
	if pq != nil {
		q.progress = pq.file(filename)
	}
	if q.localDir != "" {
		return c.downloadToLocalDir(ctx, q)
	}
	return c.downloadToCache(ctx, q)
}

// FileMetadata is what the Hub says of a file at a revision.
type FileMetadata struct {
	// Commit is the commit the revision resolved to.
	Commit string
	// ETag names the content: sha256 for LFS files, git blob sha1 otherwise.
	ETag string
	// Size is the content's size in bytes.
	Size int64
	// Location is where to GET the content (a CDN for LFS files).
	Location string
}

// GetFileMetadata asks the Hub for a file's commit, ETag, size and location
// (a HEAD on its resolve URL, following only relative redirects).
func (c *Client) GetFileMetadata(ctx context.Context, repoID, filename string, opts *DownloadOptions) (*FileMetadata, error) {
	q, err := c.newFileReq(repoID, filename, opts)
	if err != nil {
		return nil, err
	}
	return c.fileMetadata(ctx, q)
}

func (c *Client) fileMetadata(ctx context.Context, q fileReq) (*FileMetadata, error) {
	u := c.fileURL(q.repoType, q.repoID, q.revision, q.filename)
	resp, err := c.do(ctx, &request{
		method: http.MethodHead, url: u, relativeRedirectsOnly: true, timeout: c.etagTimeout,
		headers: map[string]string{"Accept-Encoding": "identity"},
	})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return parseFileMetadata(resp, q.filename)
}

// parseFileMetadata reads commit, ETag, size and location from a HEAD answer.
func parseFileMetadata(resp *http.Response, filename string) (*FileMetadata, error) {
	h := resp.Header
	bad := func(what string) error {
		return fmt.Errorf("%w: metadata of %q: %s", ErrBadResponse, filename, what)
	}
	m := &FileMetadata{Commit: strings.TrimSpace(h.Get("X-Repo-Commit"))}
	if m.Commit == "" {
		return nil, bad("no X-Repo-Commit header (is the endpoint a Hugging Face Hub?)")
	}
	m.ETag = normalizeETag(firstNonEmpty(h.Get("X-Linked-Etag"), h.Get("ETag")))
	if m.ETag == "" {
		return nil, bad("no ETag")
	}
	redirect := resp.StatusCode >= 300 && resp.StatusCode < 400
	sizeHdr := h.Get("X-Linked-Size")
	if sizeHdr == "" && !redirect {
		sizeHdr = h.Get("Content-Length")
	}
	size, err := strconv.ParseInt(strings.TrimSpace(sizeHdr), 10, 64)
	if err != nil || size < 0 {
		return nil, bad(fmt.Sprintf("no valid size (X-Linked-Size %q, Content-Length %q)", h.Get("X-Linked-Size"), h.Get("Content-Length")))
	}
	m.Size = size
	m.Location = resp.Request.URL.String()
	if loc := h.Get("Location"); loc != "" && redirect {
		u, err := resp.Request.URL.Parse(loc)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, bad(fmt.Sprintf("bad Location %q", redactURL(loc)))
		}
		m.Location = u.String()
	}
	if err := checkName("ETag", m.ETag); err != nil {
		return nil, fmt.Errorf("hub: metadata of %q: %w", filename, err)
	}
	if err := checkName("commit", m.Commit); err != nil {
		return nil, fmt.Errorf("hub: metadata of %q: %w", filename, err)
	}
	return m, nil
}

// normalizeETag strips a weak "W/" prefix and the quotes.
func normalizeETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

// downloadToCache is hf_hub_download into the cache.
func (c *Client) downloadToCache(ctx context.Context, q fileReq) (path string, err error) {
	rc := newRepoCache(q.cacheDir, q.repoType, q.repoID)
	cached := false
	defer func() { q.progress.complete(cached, err) }()
	if isCommit(q.revision) && !q.force {
		if p, _ := rc.pointerPath(q.revision, q.filename); exists(p) {
			if etag := etagOfPointer(p); etag != "" {
				c.dropStalePartials(rc, etag)
			}
			cached = true
			q.progress.start(fileSize(p), 0)
			return p, nil
		}
		if rc.isNoExist(q.revision, q.filename) {
			return "", entryMissing(q, q.revision)
		}
	}
	meta, err := c.fileMetadata(ctx, q)
	if err != nil {
		path, err = c.metadataFailed(q, rc, err)
		if err == nil {
			cached = true
			q.progress.start(fileSize(path), 0)
		}
		return path, err
	}
	blob := rc.blobPath(meta.ETag)
	pointer, err := rc.pointerPath(meta.Commit, q.filename)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o777); err != nil {
		return "", err
	}
	ensureCacheDirTag(q.cacheDir)
	if err := rc.writeRef(q.revision, meta.Commit); err != nil {
		return "", err
	}
	q.progress.start(meta.Size, 0)
	if !q.force && exists(pointer) {
		c.dropStalePartials(rc, meta.ETag)
		cached = true
		return pointer, nil
	}
	unlock, err := c.lockFile(ctx, rc.lockPath(meta.ETag))
	if err != nil {
		return "", fmt.Errorf("hub: lock %q: %w", q.filename, err)
	}
	defer unlock()
	d := &blobDownload{
		url: meta.Location, filename: q.filename, etag: meta.ETag, size: meta.Size,
		incomplete: blob + ".incomplete", dest: blob, progress: q.progress.progress,
	}
	if !q.force && exists(blob) {
		// Another process finished it; drop what an interrupted download
		// may have left.
		rc.removePartials(meta.ETag)
		cached = true
		return pointer, c.linkPointer(q.cacheDir, blob, pointer, false)
	}
	if err := c.fetch(ctx, d, q.force); err != nil {
		return "", err
	}
	return pointer, c.linkPointer(q.cacheDir, blob, pointer, true)
}

// metadataFailed handles a failed metadata request as huggingface_hub does:
// a missing file leaves a .no_exist marker; network errors, server errors
// and the like let the cache answer; the rest is raised.
func (c *Client) metadataFailed(q fileReq, rc repoCache, err error) (string, error) {
	var herr *HTTPError
	if errors.Is(err, ErrEntryNotFound) && errors.As(err, &herr) && herr.repoCommit != "" && checkName("commit", herr.repoCommit) == nil {
		if merr := rc.markNoExist(herr.repoCommit, q.filename); merr != nil {
			c.logger.Warn("hub: cannot record missing file", "file", q.filename, "error", merr)
		} else if rerr := rc.writeRef(q.revision, herr.repoCommit); rerr != nil {
			c.logger.Warn("hub: cannot write ref", "revision", q.revision, "error", rerr)
		}
		return "", err
	}
	if !cacheFallback(err) || q.force {
		return "", err
	}
	return c.cachedFile(rc, q, err)
}

// cacheFallback reports whether a failure to get metadata lets the cache
// answer: network errors, 5xx, 429, an uncoded 404, missing headers, and
// repo-not-found or gated answers (raised again if the cache cannot help).
func cacheFallback(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne *netError
	var herr *HTTPError
	switch {
	case errors.Is(err, ErrOffline), errors.As(err, &ne), errors.Is(err, ErrBadResponse):
		return true
	case errors.As(err, &herr):
		return !errors.Is(err, ErrRevisionNotFound) && !errors.Is(err, ErrEntryNotFound) && !errors.Is(err, ErrDisabled)
	}
	return false
}

// cachedFile resolves a file from the cache alone: refs, then .no_exist,
// then snapshots. cause is why the Hub was not asked.
func (c *Client) cachedFile(rc repoCache, q fileReq, cause error) (string, error) {
	commit := q.revision
	if !isCommit(commit) {
		ref, found, err := rc.readRef(q.revision)
		if err != nil {
			return "", err
		}
		if !found {
			return "", notCached(q, cause)
		}
		commit = ref
	}
	if rc.isNoExist(commit, q.filename) {
		return "", entryMissing(q, commit)
	}
	p, err := rc.pointerPath(commit, q.filename)
	if err != nil {
		return "", err
	}
	if !isRegularFile(p) {
		return "", notCached(q, cause)
	}
	return p, nil
}

// notCached is the error for a file the cache cannot give: the Hub's own
// answer for missing, gated or unauthorized repos, else ErrNotCached.
func notCached(q fileReq, cause error) error {
	if errors.Is(cause, ErrRepoNotFound) || errors.Is(cause, ErrGatedRepo) || errors.Is(cause, ErrUnauthorized) {
		return cause
	}
	return &NotCachedError{RepoID: q.repoID, Revision: q.revision, Filename: q.filename, Cause: cause}
}

func entryMissing(q fileReq, commit string) error {
	return fmt.Errorf("%w: %q is not in %s at %s (cached .no_exist marker)", ErrEntryNotFound, q.filename, q.repoID, commit)
}

// CachedFile finds a file in the cache without any request, as
// huggingface_hub's try_to_load_from_cache: the revision is resolved through
// refs/, a .no_exist marker gives ErrEntryNotFound, a missing file
// ErrNotCached.
func (c *Client) CachedFile(repoID, filename string, opts *DownloadOptions) (string, error) {
	q, err := c.newFileReq(repoID, filename, opts)
	if err != nil {
		return "", err
	}
	return c.cachedFile(newRepoCache(q.cacheDir, q.repoType, q.repoID), q, ErrOffline)
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
