package hubtest

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

// timeFormat is how the Hub writes times.
const timeFormat = "2006-01-02T15:04:05.000Z"

type lfsSibling struct {
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	PointerSize int    `json:"pointerSize"`
}

type sibling struct {
	RFilename string      `json:"rfilename"`
	Size      *int64      `json:"size,omitempty"`
	BlobID    string      `json:"blobId,omitempty"`
	LFS       *lfsSibling `json:"lfs,omitempty"`
}

type repoInfo struct {
	ObjectID     string           `json:"_id"`
	ID           string           `json:"id"`
	ModelID      string           `json:"modelId,omitempty"`
	Author       string           `json:"author,omitempty"`
	SHA          string           `json:"sha"`
	LastModified string           `json:"lastModified"`
	CreatedAt    string           `json:"createdAt"`
	Private      bool             `json:"private"`
	Gated        any              `json:"gated"`
	Disabled     bool             `json:"disabled"`
	Downloads    int              `json:"downloads"`
	Likes        int              `json:"likes"`
	Tags         []string         `json:"tags"`
	PipelineTag  string           `json:"pipeline_tag,omitempty"`
	LibraryName  string           `json:"library_name,omitempty"`
	CardData     map[string]any   `json:"cardData,omitempty"`
	SDK          string           `json:"sdk,omitempty"`
	Siblings     []sibling        `json:"siblings"`
	Safetensors  *safetensorsInfo `json:"safetensors,omitempty"`
	UsedStorage  int64            `json:"usedStorage"`
}

// serveInfo answers GET /api/{type}s/{id}[/revision/{rev}][?blobs=true].
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request, fx effects, rp *repo, t *target) {
	rev := "main"
	if t.action == "revision" {
		rev = strings.Join(t.args, "/")
	}
	s.mu.RLock()
	c := rp.resolve(rev)
	if c == nil && t.action == "" {
		c = rp.head()
	}
	info := repoInfo{
		ObjectID: rp.objectID, ID: rp.key.id, Private: rp.private, Gated: false, Disabled: rp.disabled,
		Tags: slices.Clone(rp.meta.Tags), PipelineTag: rp.meta.PipelineTag, LibraryName: rp.meta.LibraryName,
		CardData: rp.meta.CardData, CreatedAt: rp.created.Format(timeFormat),
	}
	s.mu.RUnlock()
	if c == nil {
		writeError(w, r, errRevision(rev))
		return
	}
	derived := c.meta()
	if info.Tags == nil {
		info.Tags = slices.Clone(derived.tags)
	}
	info.PipelineTag = cmp.Or(info.PipelineTag, derived.pipelineTag)
	info.LibraryName = cmp.Or(info.LibraryName, derived.libraryName)
	if info.CardData == nil {
		info.CardData = derived.cardData
	}
	if rp.gated != "" {
		info.Gated = rp.gated
	}
	if owner, _, ok := strings.Cut(rp.key.id, "/"); ok {
		info.Author = owner
	}
	switch rp.key.typ {
	case "model":
		info.ModelID = rp.key.id
	case "space":
		info.SDK = "static"
	}
	if info.Tags == nil {
		info.Tags = []string{}
	}
	info.SHA, info.LastModified = c.sha, c.when.Format(timeFormat)
	blobs := isTrue(r.URL.Query().Get("blobs"))
	info.Siblings = make([]sibling, 0, len(c.paths))
	for _, p := range c.paths {
		f := c.files[p]
		info.UsedStorage += f.size
		sib := sibling{RFilename: p}
		if blobs {
			sib.Size, sib.BlobID = &f.size, f.gitID
			if f.lfs {
				sib.LFS = &lfsSibling{SHA256: f.sha256, Size: f.size, PointerSize: f.pointerSize}
			}
		}
		info.Siblings = append(info.Siblings, sib)
	}
	for _, p := range fx.treeEntries {
		info.Siblings = append(info.Siblings, sibling{RFilename: p})
	}
	info.Safetensors = c.safetensors()
	if expand := append(r.URL.Query()["expand"], r.URL.Query()["expand[]"]...); len(expand) > 0 {
		writeJSON(w, r, fx, expanded(info, expand))
		return
	}
	writeJSON(w, r, fx, info)
}

// expanded keeps the fields an ?expand= query asks for, and _id and id,
// as the Hub answers such a query.
func expanded(info repoInfo, fields []string) map[string]json.RawMessage {
	raw, _ := json.Marshal(info)
	var all map[string]json.RawMessage
	json.Unmarshal(raw, &all)
	out := map[string]json.RawMessage{"_id": all["_id"], "id": all["id"]}
	for _, f := range fields {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	return out
}

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

type commitAuthor struct {
	User string `json:"user"`
}

type commitEntry struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Message string         `json:"message"`
	Authors []commitAuthor `json:"authors"`
	Date    string         `json:"date"`
}

// serveCommits answers GET /api/{type}s/{id}/commits/{rev}: the history of
// a revision, newest first, ?limit= commits (default 50) a page, ?p= the
// page, with a Link header to the next page.
func (s *Server) serveCommits(w http.ResponseWriter, r *http.Request, fx effects, rp *repo, t *target) {
	rev := strings.Join(t.args, "/")
	if rev == "" {
		rev = "main"
	}
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	page, _ := strconv.Atoi(q.Get("p"))
	s.mu.RLock()
	c := rp.resolve(rev)
	var history []commitEntry
	for ; c != nil; c = rp.commits[c.parent] {
		history = append(history, commitEntry{ID: c.sha, Title: c.title, Message: "", Authors: []commitAuthor{{"hubtest"}}, Date: c.when.Format(timeFormat)})
	}
	s.mu.RUnlock()
	if history == nil {
		writeError(w, r, errRevision(rev))
		return
	}
	start := min(max(page, 0)*limit, len(history))
	end := min(start+limit, len(history))
	if end < len(history) {
		q.Set("p", strconv.Itoa(page+1))
		setNextLink(w, r, q)
	}
	writeJSON(w, r, fx, history[start:end])
}

type gitRef struct {
	Name         string `json:"name"`
	Ref          string `json:"ref"`
	TargetCommit string `json:"targetCommit"`
}

type gitRefs struct {
	Branches     []gitRef  `json:"branches"`
	Converts     []gitRef  `json:"converts"`
	Tags         []gitRef  `json:"tags"`
	PullRequests *[]gitRef `json:"pullRequests,omitempty"`
}

// serveRefs answers GET /api/{type}s/{id}/refs[?include_prs=1].
func (s *Server) serveRefs(w http.ResponseWriter, r *http.Request, fx effects, rp *repo) {
	out := gitRefs{Branches: []gitRef{}, Converts: []gitRef{}, Tags: []gitRef{}}
	s.mu.RLock()
	for name, sha := range rp.branches {
		out.Branches = append(out.Branches, gitRef{name, "refs/heads/" + name, sha})
	}
	for name, sha := range rp.tags {
		out.Tags = append(out.Tags, gitRef{name, "refs/tags/" + name, sha})
	}
	if isTrue(r.URL.Query().Get("include_prs")) {
		prs := []gitRef{}
		for n, sha := range rp.prs {
			ref := "refs/pr/" + strconv.Itoa(n)
			prs = append(prs, gitRef{ref, ref, sha})
		}
		out.PullRequests = &prs
	}
	s.mu.RUnlock()
	byName := func(a, b gitRef) int { return strings.Compare(a.Ref, b.Ref) }
	slices.SortFunc(out.Branches, byName)
	slices.SortFunc(out.Tags, byName)
	if out.PullRequests != nil {
		slices.SortFunc(*out.PullRequests, byName)
	}
	writeJSON(w, r, fx, out)
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

// isTrue reads a boolean query parameter as the Hub does.
func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// writeJSON sends v, cut in half when a fault asks for malformed JSON.
func writeJSON(w http.ResponseWriter, r *http.Request, fx effects, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, r, &hubError{status: http.StatusInternalServerError, message: err.Error()})
		return
	}
	if fx.malformedJSON {
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
