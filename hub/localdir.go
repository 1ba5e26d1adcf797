package hub

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// localPaths are huggingface_hub's files for a download into a local dir:
//
//	<dir>/<filename>                                              the file
//	<dir>/.cache/huggingface/download/<filename>.metadata         commit\netag\ntimestamp\n
//	<dir>/.cache/huggingface/download/<filename>.lock             lock
//	<dir>/.cache/huggingface/download/<filename>.<etag>.incomplete partial
//	<dir>/.cache/huggingface/.gitignore                           "*"
type localPaths struct {
	file, metadata, lock string
}

// localPathsFor computes the paths without touching the disk.
func localPathsFor(dir, filename string) (localPaths, error) {
	file, err := joinRel(dir, filename)
	if err != nil {
		return localPaths{}, err
	}
	meta := filepath.Join(dir, ".cache", "huggingface", "download", filepath.FromSlash(filename)+".metadata")
	return localPaths{file: file, metadata: meta, lock: strings.TrimSuffix(meta, ".metadata") + ".lock"}, nil
}

// newLocalPaths computes the paths and makes their folders, and the
// .gitignore that keeps .cache/huggingface out of git.
func newLocalPaths(dir, filename string) (localPaths, error) {
	p, err := localPathsFor(dir, filename)
	if err != nil {
		return p, err
	}
	for _, d := range []string{filepath.Dir(p.file), filepath.Dir(p.metadata)} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			return localPaths{}, err
		}
	}
	if f, err := os.OpenFile(filepath.Join(dir, ".cache", "huggingface", ".gitignore"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666); err == nil {
		f.WriteString("*")
		f.Close()
	}
	return p, nil
}

func (p localPaths) incomplete(etag string) string {
	return strings.TrimSuffix(p.metadata, ".metadata") + "." + etag + ".incomplete"
}

// localMetadata is the content of a .metadata file.
type localMetadata struct {
	commit, etag string
	timestamp    float64
}

// readLocalMetadata returns the metadata of a local-dir file, or nil if there
// is none, it is malformed (then removed), or the file changed since.
func readLocalMetadata(p localPaths) *localMetadata {
	f, err := os.Open(p.metadata)
	if err != nil {
		return nil
	}
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(f, 4096))
	for sc.Scan() && len(lines) < 3 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	f.Close()
	var ts float64
	if len(lines) == 3 {
		ts, err = strconv.ParseFloat(lines[2], 64)
	}
	if len(lines) != 3 || err != nil {
		os.Remove(p.metadata)
		return nil
	}
	fi, err := os.Stat(p.file)
	if err != nil || float64(fi.ModTime().UnixNano())/1e9-1 > ts {
		return nil
	}
	return &localMetadata{commit: lines[0], etag: lines[1], timestamp: ts}
}

func writeLocalMetadata(p localPaths, commit, etag string) error {
	ts := strconv.FormatFloat(float64(time.Now().UnixNano())/1e9, 'f', -1, 64)
	return writeFileAtomic(p.metadata, []byte(commit+"\n"+etag+"\n"+ts+"\n"))
}

// downloadToLocalDir is hf_hub_download(local_dir=...): the file lands at
// <dir>/<filename>; its metadata says which commit and ETag it is, so an
// unchanged file is not fetched again.
func (c *Client) downloadToLocalDir(ctx context.Context, q fileReq) (path string, err error) {
	cached := false
	defer func() { q.progress.complete(cached, err) }()
	p, err := newLocalPaths(q.localDir, q.filename)
	if err != nil {
		return "", err
	}
	md := readLocalMetadata(p)
	if isCommit(q.revision) && !q.force && md != nil && md.commit == q.revision && isRegularFile(p.file) {
		cached = true
		q.progress.start(fileSize(p.file), 0)
		return p.file, nil
	}
	meta, err := c.fileMetadata(ctx, q)
	if err != nil {
		if cacheFallback(err) && !q.force && isRegularFile(p.file) {
			c.logger.Warn("hub: cannot reach the Hub; using the local file", "file", p.file, "error", err)
			cached = true
			q.progress.start(fileSize(p.file), 0)
			return p.file, nil
		}
		if cacheFallback(err) && !q.force {
			return "", notCached(q, err)
		}
		return "", err
	}
	q.progress.start(meta.Size, 0)
	if !q.force && isRegularFile(p.file) && c.localFileCurrent(p, md, meta) {
		cached = true
		return p.file, writeLocalMetadata(p, meta.Commit, meta.ETag)
	}
	unlock, err := c.lockFile(ctx, p.lock)
	if err != nil {
		return "", fmt.Errorf("hub: lock %q: %w", q.filename, err)
	}
	defer unlock()
	if !q.force {
		rc := newRepoCache(q.cacheDir, q.repoType, q.repoID)
		if src, err := rc.pointerPath(meta.Commit, q.filename); err == nil && isRegularFile(src) {
			cached = true
			if err := copyFileAtomic(src, p.file, filepath.Dir(p.metadata)); err != nil {
				return "", err
			}
			return p.file, writeLocalMetadata(p, meta.Commit, meta.ETag)
		}
	}
	if err := os.Remove(p.file); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	d := &blobDownload{
		url: meta.Location, filename: q.filename, etag: meta.ETag, size: meta.Size,
		incomplete: p.incomplete(meta.ETag), dest: p.file, progress: q.progress.progress,
	}
	if err := c.fetch(ctx, d, q.force); err != nil {
		return "", err
	}
	return p.file, writeLocalMetadata(p, meta.Commit, meta.ETag)
}

// localFileCurrent reports whether the local file already is the remote one:
// its metadata has the same ETag, or (no metadata, LFS file) its sha256 is
// the ETag.
func (c *Client) localFileCurrent(p localPaths, md *localMetadata, meta *FileMetadata) bool {
	if md != nil {
		return md.etag == meta.ETag
	}
	if len(meta.ETag) != 64 || !isHex(meta.ETag) {
		return false
	}
	f, err := os.Open(p.file)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == strings.ToLower(meta.ETag)
}
