package hubtest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// hubError is an error answer of the Hub: the status, the X-Error-Code and
// X-Error-Message headers, and an {"error": message} body.
type hubError struct {
	status  int
	code    string
	message string
	commit  string // X-Repo-Commit, for EntryNotFound
}

// The Hub's error messages clients compare against.
const (
	msgDisabled   = "Access to this resource is disabled."
	msgBadToken   = "Invalid credentials in Authorization header"
	msgRepo       = "Repository not found"
	msgEntry      = "Entry not found"
	msgRevisionAt = "Invalid rev id: "
)

func errRevision(rev string) *hubError {
	return &hubError{status: http.StatusNotFound, code: "RevisionNotFound", message: msgRevisionAt + rev}
}

func errEntry(commit string) *hubError {
	return &hubError{status: http.StatusNotFound, code: "EntryNotFound", message: msgEntry, commit: commit}
}

func errNotFound() *hubError {
	return &hubError{status: http.StatusNotFound, message: "Not Found"}
}

func writeError(w http.ResponseWriter, r *http.Request, e *hubError) {
	h := w.Header()
	if e.code != "" {
		h.Set("X-Error-Code", e.code)
	}
	h.Set("X-Error-Message", e.message)
	if e.commit != "" {
		h.Set("X-Repo-Commit", e.commit)
	}
	body, _ := json.Marshal(map[string]string{"error": e.message})
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
