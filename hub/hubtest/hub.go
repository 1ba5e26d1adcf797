package hubtest

import (
	"net/http"
	"net/url"
	"strings"
)

// target is the repo a Hub request names and what it asks of it.
type target struct {
	typ, id string
	before  []string // escaped path segments before the id
	after   []string // escaped path segments after the id
	action  string   // "resolve", "raw"; for the API "" (info), "revision", "tree", "refs", "paths-info", "commits"
	args    []string // unescaped segments after the action
}

var apiTypes = map[string]string{"models": "model", "datasets": "dataset", "spaces": "space"}

var apiActions = map[string]bool{"revision": true, "tree": true, "refs": true, "paths-info": true, "commits": true}

// serveHub routes a Hub request.
func (s *Server) serveHub(w http.ResponseWriter, r *http.Request, fx effects) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), s.cfg.basePath+"/")
	if !ok {
		writeError(w, r, errNotFound())
		return
	}
	esc := strings.Split(rest, "/")
	seg := make([]string, len(esc))
	for i, e := range esc {
		u, err := url.PathUnescape(e)
		if err != nil {
			writeError(w, r, &hubError{status: http.StatusBadRequest, message: "Invalid path"})
			return
		}
		seg[i] = u
	}
	if e := s.checkToken(r); e != nil {
		writeError(w, r, e)
		return
	}
	var t *target
	if seg[0] == "api" {
		t = s.apiTarget(esc, seg)
	} else {
		t = resolveTarget(esc, seg)
	}
	if t == nil {
		writeError(w, r, errNotFound())
		return
	}
	s.mu.RLock()
	rp, moved := s.lookupLocked(t.typ, t.id)
	s.mu.RUnlock()
	if moved != "" {
		s.redirectRepo(w, r, t, moved)
		return
	}
	if e := s.authorize(r, rp, t.action == "resolve" || t.action == "raw"); e != nil {
		writeError(w, r, e)
		return
	}
	switch t.action {
	case "resolve", "raw":
		s.serveResolve(w, r, fx, rp, t.args, t.action == "raw")
	case "", "revision":
		s.serveInfo(w, r, fx, rp, t)
	case "tree":
		s.serveTree(w, r, fx, rp, t)
	case "refs":
		s.serveRefs(w, r, fx, rp)
	case "paths-info":
		s.servePathsInfo(w, r, fx, rp, t)
	case "commits":
		s.serveCommits(w, r, fx, rp, t)
	default:
		writeError(w, r, errNotFound())
	}
}

// resolveTarget parses [datasets/|spaces/]{id}/{resolve|raw}/{rev}/{path}.
func resolveTarget(esc, seg []string) *target {
	typ, at := "model", 0
	if seg[0] == "datasets" || seg[0] == "spaces" {
		typ, at = strings.TrimSuffix(seg[0], "s"), 1
	}
	isAction := func(i int) bool { return seg[i] == "resolve" || seg[i] == "raw" }
	for _, n := range []int{1, 2} {
		if len(seg) > at+n+1 && isAction(at+n) && (n == 1 || !isAction(at+1)) {
			return &target{
				typ: typ, id: strings.Join(seg[at:at+n], "/"), before: esc[:at], after: esc[at+n:],
				action: seg[at+n], args: seg[at+n+1:],
			}
		}
	}
	return nil
}

// apiTarget parses api/{models|datasets|spaces}/{id}[/{action}/...].
func (s *Server) apiTarget(esc, seg []string) *target {
	if len(seg) < 3 || apiTypes[seg[1]] == "" {
		return nil
	}
	typ, at := apiTypes[seg[1]], 2
	mk := func(n int) *target {
		t := &target{typ: typ, id: strings.Join(seg[at:at+n], "/"), before: esc[:at], after: esc[at+n:]}
		if len(seg) > at+n {
			t.action, t.args = seg[at+n], seg[at+n+1:]
		}
		return t
	}
	switch rest := len(seg) - at; {
	case rest == 1:
		return mk(1)
	case rest == 2 && apiActions[seg[at+1]]:
		// "gpt2/refs" is the refs of gpt2 unless a repo has that id.
		s.mu.RLock()
		rp, moved := s.lookupLocked(typ, seg[at]+"/"+seg[at+1])
		s.mu.RUnlock()
		if rp == nil && moved == "" {
			return mk(1)
		}
		return mk(2)
	case rest == 2:
		return mk(2)
	case apiActions[seg[at+2]]:
		return mk(2)
	case apiActions[seg[at+1]]:
		return mk(1)
	}
	return nil
}

// redirectRepo answers a renamed repo, or one named in the wrong case, with
// a relative 307 to the same path under its id, and no ETag.
func (s *Server) redirectRepo(w http.ResponseWriter, r *http.Request, t *target, id string) {
	parts := append(append(append([]string{}, t.before...), id), t.after...)
	loc := s.cfg.basePath + "/" + strings.Join(parts, "/")
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTemporaryRedirect)
	if r.Method != http.MethodHead {
		w.Write([]byte("Temporary Redirect. Redirecting to " + loc))
	}
}

// bearer returns the request's token, "" without one.
func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return strings.TrimSpace(a)
}

// checkToken refuses a token that was never added.
func (s *Server) checkToken(r *http.Request) *hubError {
	tok := bearer(r)
	if tok == "" {
		return nil
	}
	s.mu.RLock()
	_, ok := s.tokens[tok]
	s.mu.RUnlock()
	if !ok {
		return &hubError{status: http.StatusUnauthorized, message: msgBadToken}
	}
	return nil
}

// authorize applies the Hub's access rules: missing and private repos look
// alike (401 anonymous, 404 with a token), gated repos' files need access
// (401 anonymous, 403 without access), disabled repos answer 403.
func (s *Server) authorize(r *http.Request, rp *repo, files bool) *hubError {
	tok := bearer(r)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if rp == nil || rp.private && !s.tokens[tok][rp.key] {
		if tok == "" {
			return &hubError{status: http.StatusUnauthorized, code: "RepoNotFound", message: msgRepo}
		}
		return &hubError{status: http.StatusNotFound, code: "RepoNotFound", message: msgRepo}
	}
	if rp.disabled {
		return &hubError{status: http.StatusForbidden, message: msgDisabled}
	}
	if files && rp.gated != "" && !s.tokens[tok][rp.key] {
		what := "Access to " + rp.key.typ + " " + rp.key.id + " is restricted"
		if tok == "" {
			return &hubError{status: http.StatusUnauthorized, code: "GatedRepo",
				message: what + ". You must have access to it and be authenticated to access it. Please log in."}
		}
		return &hubError{status: http.StatusForbidden, code: "GatedRepo",
			message: what + " and you are not in the authorized list. Visit " + s.URL + "/" + rp.key.String() + " to ask for access."}
	}
	return nil
}
