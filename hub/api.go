package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RepoInfo is what the Hub's repo info route says of a repo at a revision.
type RepoInfo struct {
	ID           string          `json:"id"`
	SHA          string          `json:"sha"` // the commit the revision points to
	Private      bool            `json:"private"`
	Gated        Gated           `json:"gated"`
	Disabled     bool            `json:"disabled"`
	LastModified time.Time       `json:"lastModified"`
	Tags         []string        `json:"tags"`
	PipelineTag  string          `json:"pipeline_tag"`
	LibraryName  string          `json:"library_name"`
	CardData     json.RawMessage `json:"cardData,omitempty"`
	Safetensors  *struct {
		Parameters map[string]int64 `json:"parameters"`
		Total      int64            `json:"total"`
	} `json:"safetensors,omitempty"`
	Siblings []Sibling `json:"siblings"`
}

// Sibling is a file of RepoInfo. Size, BlobID and LFS are set only when the
// info was asked with FilesMetadata.
type Sibling struct {
	RFilename string   `json:"rfilename"`
	Size      int64    `json:"size"`
	BlobID    string   `json:"blobId"`
	LFS       *LFSInfo `json:"lfs,omitempty"`
}

// Gated is how a repo is gated: "" (not gated), "auto" or "manual".
type Gated string

// UnmarshalJSON accepts false, true and strings.
func (g *Gated) UnmarshalJSON(b []byte) error {
	switch s := string(b); s {
	case "false", "null":
		*g = ""
		return nil
	case "true":
		*g = "true"
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("gated: %v", err)
	}
	*g = Gated(s)
	return nil
}

// LFSInfo describes the large-file-storage object behind a file.
type LFSInfo struct {
	SHA256      string // the content's sha256, which is the file's ETag
	Size        int64
	PointerSize int64
}

// UnmarshalJSON reads both spellings the Hub uses: "oid" (tree listings)
// and "sha256" (repo info siblings).
func (l *LFSInfo) UnmarshalJSON(b []byte) error {
	var raw struct {
		OID         string `json:"oid"`
		SHA256      string `json:"sha256"`
		Size        int64  `json:"size"`
		PointerSize int64  `json:"pointerSize"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*l = LFSInfo{SHA256: firstNonEmpty(raw.OID, raw.SHA256), Size: raw.Size, PointerSize: raw.PointerSize}
	return nil
}

// RepoFile is a file of a repo as a tree listing gives it.
type RepoFile struct {
	Path string   `json:"path"`
	Size int64    `json:"size"`
	OID  string   `json:"oid"` // git blob sha1 (of the LFS pointer for LFS files)
	LFS  *LFSInfo `json:"lfs,omitempty"`
}

// IsLFS reports whether the file is stored with LFS.
func (f RepoFile) IsLFS() bool { return f.LFS != nil }

// ETag is the name of the file's blob in the cache: the LFS sha256, else the
// git blob sha1.
func (f RepoFile) ETag() string {
	if f.LFS != nil {
		return f.LFS.SHA256
	}
	return f.OID
}

// RepoInfoOptions are the optional arguments of RepoInfo; nil means the
// defaults.
type RepoInfoOptions struct {
	RepoType RepoType
	Revision string // default: the repo's default branch
	// FilesMetadata asks for each sibling's size, blob id and LFS info.
	FilesMetadata bool
}

// RepoInfo fetches a repo's metadata at a revision.
func (c *Client) RepoInfo(ctx context.Context, repoID string, opts *RepoInfoOptions) (*RepoInfo, error) {
	if opts == nil {
		opts = &RepoInfoOptions{}
	}
	t := opts.RepoType.orDefault()
	if err := checkRepo(t, repoID); err != nil {
		return nil, err
	}
	suffix := ""
	if opts.Revision != "" {
		suffix = "/revision/" + quote(opts.Revision, "")
	}
	if opts.FilesMetadata {
		suffix += "?blobs=true"
	}
	var info RepoInfo
	if _, err := c.getJSON(ctx, c.apiURL(t, repoID, suffix), &info); err != nil {
		return nil, err
	}
	for _, s := range info.Siblings {
		if err := checkRelPath(s.RFilename); err != nil {
			return nil, fmt.Errorf("hub: repo info of %s: %w", repoID, err)
		}
	}
	return &info, nil
}

// ListFilesOptions are the optional arguments of ListFiles; nil means the
// defaults.
type ListFilesOptions struct {
	RepoType RepoType
	Revision string // default "main"
	// Path lists only under this folder of the repo.
	Path string
}

// maxPages bounds a paginated listing, against a server that loops.
const maxPages = 100000

// ListFiles lists every file of a repo at a revision (recursively, following
// the Link pagination of the tree route). A path that would escape the repo
// folder fails the listing with an error naming it.
func (c *Client) ListFiles(ctx context.Context, repoID string, opts *ListFilesOptions) ([]RepoFile, error) {
	if opts == nil {
		opts = &ListFilesOptions{}
	}
	t := opts.RepoType.orDefault()
	if err := checkRepo(t, repoID); err != nil {
		return nil, err
	}
	rev := firstNonEmpty(opts.Revision, DefaultRevision)
	suffix := "/tree/" + quote(rev, "")
	if opts.Path != "" {
		suffix += "/" + quote(strings.Trim(opts.Path, "/"), "")
	}
	next := c.apiURL(t, repoID, suffix) + "?recursive=true&expand=false"
	seen := map[string]bool{}
	var files []RepoFile
	for page := 0; next != ""; page++ {
		if seen[next] || page >= maxPages {
			return nil, fmt.Errorf("%w: listing of %s loops over its pages", ErrBadResponse, repoID)
		}
		seen[next] = true
		var raw json.RawMessage
		h, err := c.getJSON(ctx, next, &raw)
		if err != nil {
			return nil, err
		}
		entries, err := decodeTreePage(raw)
		if err != nil {
			return nil, fmt.Errorf("hub: listing of %s: %w", repoID, err)
		}
		files = append(files, entries...)
		if next, err = c.nextPage(next, h); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// decodeTreePage reads one page of a tree listing: its files (folders are
// skipped), each path checked.
func decodeTreePage(data []byte) ([]RepoFile, error) {
	var entries []struct {
		Type string `json:"type"`
		RepoFile
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	var files []RepoFile
	for _, e := range entries {
		if err := checkRelPath(e.Path); err != nil {
			return nil, err
		}
		if e.Type != "file" {
			continue
		}
		if e.Size < 0 || (e.LFS != nil && e.LFS.Size < 0) {
			return nil, fmt.Errorf("%w: negative size for %q", ErrBadResponse, e.Path)
		}
		files = append(files, e.RepoFile)
	}
	return files, nil
}

// nextPage reads the rel="next" URL of a Link header, resolved against the
// current page. It must stay on the endpoint.
func (c *Client) nextPage(cur string, h http.Header) (string, error) {
	for _, link := range h.Values("Link") {
		for _, part := range strings.Split(link, ",") {
			target, params, ok := strings.Cut(part, ";")
			if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
				continue
			}
			target = strings.Trim(strings.TrimSpace(target), "<>")
			base, _ := url.Parse(cur)
			u, err := base.Parse(target)
			if err != nil {
				return "", fmt.Errorf("%w: bad Link header %q", ErrBadResponse, link)
			}
			if hostPort(u) != c.endpointHost {
				return "", fmt.Errorf("%w: Link header points away from the endpoint: %s", ErrBadResponse, redactURL(u.String()))
			}
			return u.String(), nil
		}
	}
	return "", nil
}

// GitRef is a branch, tag, conversion or pull request ref.
type GitRef struct {
	Name         string `json:"name"`
	Ref          string `json:"ref"`
	TargetCommit string `json:"targetCommit"`
}

// Refs are the git refs of a repo.
type Refs struct {
	Branches     []GitRef `json:"branches"`
	Tags         []GitRef `json:"tags"`
	Converts     []GitRef `json:"converts"`
	PullRequests []GitRef `json:"pullRequests"`
}

// ListRefsOptions are the optional arguments of ListRefs.
type ListRefsOptions struct {
	RepoType RepoType
	// IncludePullRequests also lists refs/pr/N.
	IncludePullRequests bool
}

// ListRefs lists a repo's branches and tags (and pull requests if asked).
func (c *Client) ListRefs(ctx context.Context, repoID string, opts *ListRefsOptions) (*Refs, error) {
	if opts == nil {
		opts = &ListRefsOptions{}
	}
	t := opts.RepoType.orDefault()
	if err := checkRepo(t, repoID); err != nil {
		return nil, err
	}
	suffix := "/refs"
	if opts.IncludePullRequests {
		suffix += "?include_prs=1"
	}
	var refs Refs
	if _, err := c.getJSON(ctx, c.apiURL(t, repoID, suffix), &refs); err != nil {
		return nil, err
	}
	return &refs, nil
}

// checkRepo validates a repo type and id.
func checkRepo(t RepoType, repoID string) error {
	if err := t.valid(); err != nil {
		return err
	}
	return ValidateRepoID(repoID)
}
