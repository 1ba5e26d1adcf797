package hubtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

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
