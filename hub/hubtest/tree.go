package hubtest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

type lfsEntry struct {
	OID         string `json:"oid"`
	Size        int64  `json:"size"`
	PointerSize int    `json:"pointerSize"`
}

type treeEntry struct {
	Type       string      `json:"type"`
	OID        string      `json:"oid"`
	Size       int64       `json:"size"`
	Path       string      `json:"path"`
	LFS        *lfsEntry   `json:"lfs,omitempty"`
	LastCommit *lastCommit `json:"lastCommit,omitempty"`
}

type lastCommit struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
}

// oid is the git id of a path in a commit, "" if it has none.
func (c *commit) oid(p string) string {
	if f := c.files[p]; f != nil {
		return f.gitID
	}
	return c.trees[p]
}

// expand adds to entries of commit c the last commit that changed each,
// as ?expand=true asks. The caller holds s.mu.
func (rp *repo) expand(c *commit, entries []*treeEntry) {
	for _, e := range entries {
		last := c
		for p := rp.commits[last.parent]; p != nil && p.oid(e.Path) == e.OID; p = rp.commits[p.parent] {
			last = p
		}
		e.LastCommit = &lastCommit{ID: last.sha, Title: last.title, Date: last.when.Format(timeFormat)}
	}
}

// entry describes a path of a commit, nil if it is neither a file nor a
// directory.
func (c *commit) entry(p string) *treeEntry {
	if f := c.files[p]; f != nil {
		e := &treeEntry{Type: "file", OID: f.gitID, Size: f.size, Path: p}
		if f.lfs {
			e.LFS = &lfsEntry{OID: f.sha256, Size: f.size, PointerSize: f.pointerSize}
		}
		return e
	}
	if id, ok := c.trees[p]; ok && p != "" {
		return &treeEntry{Type: "directory", OID: id, Path: p}
	}
	return nil
}

// list returns the entries under dir ("" = root), sorted by path: its
// children, or every file and directory below it when recursive.
func (c *commit) list(dir string, recursive bool) []*treeEntry {
	var paths []string
	for d := range c.trees {
		paths = append(paths, d)
	}
	paths = append(paths, c.paths...)
	slices.Sort(paths)
	var out []*treeEntry
	for _, p := range paths {
		rel, ok := strings.CutPrefix(p, dir+"/")
		if dir == "" {
			rel, ok = p, p != ""
		}
		if ok && (recursive || !strings.Contains(rel, "/")) {
			out = append(out, c.entry(p))
		}
	}
	return out
}

// serveTree answers GET /api/{type}s/{id}/tree/{rev}[/{path}], a page at a
// time: the Link header carries the next page's URL.
func (s *Server) serveTree(w http.ResponseWriter, r *http.Request, fx effects, rp *repo, t *target) {
	if len(t.args) == 0 {
		writeError(w, r, errNotFound())
		return
	}
	c, rest := s.resolveArgs(rp, t.args)
	if c == nil {
		writeError(w, r, errRevision(t.args[0]))
		return
	}
	dir := strings.Trim(strings.Join(rest, "/"), "/")
	if dir != "" && !c.isDir(dir) {
		writeError(w, r, errEntry(c.sha))
		return
	}
	q := r.URL.Query()
	entries := c.list(dir, isTrue(q.Get("recursive")))
	if isTrue(q.Get("expand")) {
		s.mu.RLock()
		rp.expand(c, entries)
		s.mu.RUnlock()
	}
	for _, p := range fx.treeEntries {
		entries = append(entries, &treeEntry{Type: "file", OID: GitBlobID([]byte(p)), Size: 1, Path: p})
	}
	if cur := q.Get("cursor"); cur != "" {
		after, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil {
			writeError(w, r, &hubError{status: http.StatusBadRequest, message: "Invalid cursor"})
			return
		}
		i, _ := slices.BinarySearchFunc(entries, string(after), func(e *treeEntry, p string) int { return strings.Compare(e.Path, p) })
		for i < len(entries) && entries[i].Path <= string(after) {
			i++
		}
		entries = entries[i:]
	}
	if len(entries) > s.cfg.pageSize {
		entries = entries[:s.cfg.pageSize]
		q.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(entries[len(entries)-1].Path)))
		setNextLink(w, r, q)
	}
	if entries == nil {
		entries = []*treeEntry{}
	}
	writeJSON(w, r, fx, entries)
}

// setNextLink points the Link header at the request's URL with query q.
func setNextLink(w http.ResponseWriter, r *http.Request, q url.Values) {
	next := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
	w.Header().Set("Link", "<"+next.String()+`>; rel="next"`)
}

// servePathsInfo answers POST /api/{type}s/{id}/paths-info/{rev} with the
// entries of the paths named in the form (or JSON) field "paths" that exist.
func (s *Server) servePathsInfo(w http.ResponseWriter, r *http.Request, fx effects, rp *repo, t *target) {
	if r.Method != http.MethodPost || len(t.args) == 0 {
		writeError(w, r, errNotFound())
		return
	}
	c, _ := s.resolveArgs(rp, []string{strings.Join(t.args, "/")})
	if c == nil {
		writeError(w, r, errRevision(strings.Join(t.args, "/")))
		return
	}
	var paths []string
	expand := false
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			Paths  []string `json:"paths"`
			Expand bool     `json:"expand"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
			writeError(w, r, &hubError{status: http.StatusBadRequest, message: "Invalid JSON body"})
			return
		}
		paths, expand = body.Paths, body.Expand
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			writeError(w, r, &hubError{status: http.StatusBadRequest, message: "Invalid form body"})
			return
		}
		paths, expand = r.PostForm["paths"], isTrue(r.PostForm.Get("expand"))
	}
	out := []*treeEntry{}
	for _, p := range paths {
		if e := c.entry(path.Clean(strings.Trim(p, "/"))); e != nil {
			out = append(out, e)
		}
	}
	if expand {
		s.mu.RLock()
		rp.expand(c, out)
		s.mu.RUnlock()
	}
	writeJSON(w, r, fx, out)
}
