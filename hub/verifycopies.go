package hub

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
)

// copiedFileJobs lists the snapshot files of r that are copies rather than
// symlinks to blobs, with the ETag each must hash to; unknown are those
// whose ETag is recorded nowhere.
func copiedFileJobs(ctx context.Context, c *Client, r CachedRepo) (jobs []verifyJob, unknown []string) {
	name := string(r.Type) + " " + r.ID
	for _, rev := range r.Revisions {
		var etags map[string]string
		for _, f := range rev.Files {
			if f.ETag != "" {
				continue
			}
			if etags == nil {
				etags = commitETags(ctx, c, r, rev.Commit)
			}
			etag, ok := etags[f.Name]
			if !ok {
				unknown = append(unknown, f.Path)
				continue
			}
			jobs = append(jobs, verifyJob{repo: name, path: f.Path, etag: etag, copied: true})
		}
	}
	return jobs, unknown
}

// commitETags maps the paths of a commit to their ETags: from the repo's
// trees/<commit>.json (written by recent huggingface_hub), else from the
// Hub's listing if c is set. It is empty when neither answers.
func commitETags(ctx context.Context, c *Client, r CachedRepo, commit string) map[string]string {
	if m, ok := readTreeETags(filepath.Join(r.Path, "trees", commit+".json")); ok {
		return m
	}
	m := map[string]string{}
	if c == nil {
		return m
	}
	files, err := c.ListFiles(ctx, r.ID, &ListFilesOptions{RepoType: r.Type, Revision: commit})
	if err != nil {
		c.logger.Warn("hub: cannot list the files of a cached revision; its copied files are not checked", "repo", r.ID, "commit", commit, "error", err)
		return m
	}
	for _, f := range files {
		if etag := f.ETag(); etag != "" {
			m[f.Path] = etag
		}
	}
	return m
}

// readTreeETags reads trees/<commit>.json:
// {"format_version":1,"files":{path:{size,blob_id,lfs_sha256?,lfs_size?}}}.
func readTreeETags(path string) (map[string]string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var tree struct {
		FormatVersion int `json:"format_version"`
		Files         map[string]struct {
			BlobID    string `json:"blob_id"`
			LFSSHA256 string `json:"lfs_sha256"`
		} `json:"files"`
	}
	if json.Unmarshal(b, &tree) != nil || tree.FormatVersion != 1 {
		return nil, false
	}
	m := make(map[string]string, len(tree.Files))
	for p, f := range tree.Files {
		if etag := firstNonEmpty(f.LFSSHA256, f.BlobID); etag != "" {
			m[p] = etag
		}
	}
	return m, true
}
