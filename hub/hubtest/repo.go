package hubtest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
)

// Repo describes a repo to add to a Server.
type Repo struct {
	// Type is "model" (the default when empty), "dataset" or "space".
	Type string
	// ID is "owner/name", or a bare "name" as for the Hub's oldest models.
	ID string
	// Files maps paths ("config.json", "onnx/model.onnx") to contents. A
	// file is LFS when IsLFS says so.
	Files map[string][]byte
	// Private repos are visible only to tokens given access (AddToken).
	Private bool
	// Gated is "", "auto" or "manual": repo info stays public but files
	// need a token given access.
	Gated string
	// Disabled repos answer 403 "Access to this resource is disabled.".
	Disabled bool
	// Tags, PipelineTag, LibraryName and CardData are reported by the repo
	// info route as tags, pipeline_tag, library_name and cardData. Left
	// empty, they are derived as the Hub does from the revision's files: the
	// README.md front matter, config.json's model_type, the weight formats.
	Tags        []string
	PipelineTag string
	LibraryName string
	CardData    map[string]any
}

// file is one file of a commit.
type file struct {
	size        int64
	lfs         bool
	gitID       string // git blob sha1 of the content, or of the LFS pointer
	sha256      string // LFS files only
	pointerSize int    // LFS files only
	data        []byte // the content, when held in memory
	diskPath    string // else the file on disk holding the content
}

// etag is the ETag the Hub gives the file: sha256 for LFS, git sha1 otherwise.
func (f *file) etag() string {
	if f.lfs {
		return f.sha256
	}
	return f.gitID
}

// open returns the file's content.
func (f *file) open() (io.ReaderAt, io.Closer, error) {
	if f.diskPath == "" {
		return bytes.NewReader(f.data), io.NopCloser(nil), nil
	}
	fh, err := os.Open(f.diskPath)
	if err != nil {
		return nil, nil, err
	}
	return fh, fh, nil
}

// newMemFile hashes an in-memory file.
func newMemFile(name string, data []byte) *file {
	f := &file{size: int64(len(data)), data: data}
	f.setHashes(name, GitBlobID(data), SHA256(data))
	return f
}

// setHashes fills the ids of a file whose content hashes are known.
func (f *file) setHashes(name, gitID, sha string) {
	f.lfs = IsLFS(name, f.size)
	f.gitID = gitID
	if f.lfs {
		f.sha256 = sha
		p := lfsPointer(sha, f.size)
		f.gitID, f.pointerSize = GitBlobID(p), len(p)
	}
}

// commit is one commit of a repo: a full file listing.
type commit struct {
	sha      string
	parent   string
	title    string
	when     time.Time
	files    map[string]*file
	paths    []string          // sorted file paths
	trees    map[string]string // directory ("" = root) -> git tree sha1
	stOnce   sync.Once
	st       *safetensorsInfo
	metaOnce sync.Once
	metaV    *commitMeta
}

func newCommit(parent *commit, files map[string]*file, title string, when time.Time, salt string) *commit {
	c := &commit{title: title, when: when, files: files}
	for p := range files {
		c.paths = append(c.paths, p)
	}
	slices.Sort(c.paths)
	c.trees = treeIDs(files)
	if parent != nil {
		c.parent = parent.sha
	}
	c.sha = commitID(c.trees[""], c.parent, title+"\n\n"+salt, when)
	return c
}

// isDir reports whether dir ("" = root) is a directory of the commit.
func (c *commit) isDir(dir string) bool {
	_, ok := c.trees[dir]
	return ok
}

// repoKey names a repo: its type and id, as given when it was added.
type repoKey struct{ typ, id string }

// String is the repo as the Hub's URLs write it: "owner/name",
// "datasets/owner/name" or "spaces/owner/name".
func (k repoKey) String() string { return urlPrefix(k.typ) + k.id }

// repo is a repo's state: its commits and refs.
type repo struct {
	key      repoKey
	private  bool
	gated    string
	disabled bool
	meta     Repo // Tags, PipelineTag, LibraryName, CardData
	objectID string
	commits  map[string]*commit
	branches map[string]string // name -> commit sha
	tags     map[string]string
	prs      map[int]string
	created  time.Time
}

// resolve returns the commit a revision names: a branch, a tag, refs/pr/N,
// refs/heads/X, refs/tags/X, a commit sha, or HEAD (the default branch).
func (r *repo) resolve(rev string) *commit {
	if rev == "HEAD" {
		return r.head()
	}
	if sha, ok := r.branches[strings.TrimPrefix(rev, "refs/heads/")]; ok {
		return r.commits[sha]
	}
	if sha, ok := r.tags[strings.TrimPrefix(rev, "refs/tags/")]; ok {
		return r.commits[sha]
	}
	var n int
	if _, err := fmt.Sscanf(rev, "refs/pr/%d", &n); err == nil && fmt.Sprintf("refs/pr/%d", n) == rev {
		return r.commits[r.prs[n]]
	}
	if isCommitSHA(rev) {
		return r.commits[rev]
	}
	return nil
}

// head is the commit of main, else of the first branch, else nil.
func (r *repo) head() *commit {
	if c := r.resolve("main"); c != nil {
		return c
	}
	names := make([]string, 0, len(r.branches))
	for n := range r.branches {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil
	}
	return r.commits[r.branches[names[0]]]
}

// Repo types and the Hub's spelling of them.
var repoTypes = map[string]struct{ prefix, api string }{
	"model":   {"", "models"},
	"dataset": {"datasets/", "datasets"},
	"space":   {"spaces/", "spaces"},
}

func urlPrefix(typ string) string { return repoTypes[typ].prefix }

// normType maps "" to "model" and checks the type.
func normType(typ string) (string, error) {
	if typ == "" {
		typ = "model"
	}
	if _, ok := repoTypes[typ]; !ok {
		return "", fmt.Errorf("hubtest: unknown repo type %q (want model, dataset or space)", typ)
	}
	return typ, nil
}

// parseRepoRef splits "datasets/owner/name" into its type and id.
func parseRepoRef(ref string) repoKey {
	for typ, t := range repoTypes {
		if t.prefix != "" && strings.HasPrefix(ref, t.prefix) {
			return repoKey{typ, strings.TrimPrefix(ref, t.prefix)}
		}
	}
	return repoKey{"model", ref}
}

// checkRepoID checks a repo id as the Hub does: one or two names of
// letters, digits, '-', '_' and '.', without "--" or "..".
func checkRepoID(id string) error {
	parts := strings.Split(id, "/")
	if len(parts) > 2 || strings.Contains(id, "--") || strings.Contains(id, "..") {
		return fmt.Errorf("hubtest: invalid repo id %q", id)
	}
	for _, p := range parts {
		if p == "" || len(p) > 96 || strings.HasPrefix(p, "-") || strings.HasPrefix(p, ".") ||
			strings.HasSuffix(p, ".") || strings.HasSuffix(p, "-") {
			return fmt.Errorf("hubtest: invalid repo id %q", id)
		}
		for _, c := range p {
			if !(c == '-' || c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return fmt.Errorf("hubtest: invalid repo id %q", id)
			}
		}
	}
	return nil
}

// checkFilePath checks a repo file path: relative, clean, '/'-separated.
func checkFilePath(p string) error {
	if p == "" || p != path.Clean(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "../") ||
		p == ".." || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) || p == "." {
		return fmt.Errorf("hubtest: invalid file path %q", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".git" {
			return fmt.Errorf("hubtest: invalid file path %q", p)
		}
	}
	return nil
}
