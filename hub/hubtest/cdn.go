package hubtest

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveCDN answers GET and HEAD of a signed blob URL made by cdnURL.
func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request, fx effects) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "repos" || r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeCDNError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	sha := parts[3]
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("Signature")), []byte(s.sign(r.URL.Path, q.Get("Expires")))) {
		writeCDNError(w, r, http.StatusForbidden, "AccessDenied", "Invalid signature")
		return
	}
	if time.Now().Unix() >= exp {
		writeCDNError(w, r, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	if s.cfg.rejectAuth && r.Header.Get("Authorization") != "" {
		writeCDNError(w, r, http.StatusBadRequest, "InvalidArgument",
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	s.mu.RLock()
	f := s.blobs[sha]
	s.mu.RUnlock()
	if f == nil {
		writeCDNError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "binary/octet-stream")
	if d := q.Get("response-content-disposition"); d != "" {
		h.Set("Content-Disposition", d)
	}
	h.Set("X-Cache", "Miss from cloudfront")
	s.serveContent(w, r, fx, f, false)
}

// writeCDNError answers as an object store does: an XML error body.
func writeCDNError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	body := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + msg + "</Message></Error>"
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write([]byte(body))
	}
}
