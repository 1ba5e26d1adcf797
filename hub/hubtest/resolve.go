package hubtest

import (
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// serveResolve answers HEAD and GET {id}/resolve/{rev}/{path}, and
// {id}/raw/{rev}/{path}, which serves the git content: an LFS file's pointer.
func (s *Server) serveResolve(w http.ResponseWriter, r *http.Request, fx effects, rp *repo, args []string, raw bool) {
	c, rest := s.resolveArgs(rp, args)
	if c == nil {
		writeError(w, r, errRevision(args[0]))
		return
	}
	name := strings.Join(rest, "/")
	f := c.files[name]
	if f == nil {
		writeError(w, r, errEntry(c.sha))
		return
	}
	if raw && f.lfs {
		ptr := lfsPointer(f.sha256, f.size)
		f = &file{size: int64(len(ptr)), gitID: f.gitID, data: ptr}
	}
	h := w.Header()
	h.Set("X-Repo-Commit", c.sha)
	if etagMatches(r.Header.Get("If-None-Match"), f.etag()) {
		h.Set("ETag", formatETag(f.etag(), fx.etag))
		if f.lfs {
			h.Set("X-Linked-Etag", formatETag(f.etag(), fx.etag))
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if f.lfs {
		s.redirectLFS(w, r, fx, f, path.Base(name))
		return
	}
	h.Set("Content-Type", contentType(name))
	s.serveContent(w, r, fx, f, s.cfg.gzip && isText(name))
}

// resolveArgs reads the revision that starts a path's segments (one
// percent-encoded segment, or an unencoded refs/pr/N) and returns its commit
// and the segments after it; the commit is nil if the revision is unknown.
func (s *Server) resolveArgs(rp *repo, args []string) (*commit, []string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c := rp.resolve(args[0]); c != nil {
		return c, args[1:]
	}
	if args[0] == "refs" && len(args) >= 3 {
		if c := rp.resolve(strings.Join(args[:3], "/")); c != nil {
			return c, args[3:]
		}
	}
	return nil, nil
}

// redirectLFS answers a resolve of an LFS file: a 302 to a signed CDN URL,
// the file's sha256 and size in X-Linked-Etag and X-Linked-Size. As on the
// Hub, the redirect's own ETag and Content-Length describe its short body,
// not the file.
func (s *Server) redirectLFS(w http.ResponseWriter, r *http.Request, fx effects, f *file, name string) {
	loc := s.cdnURL(f.sha256, name, time.Now().Add(s.cfg.urlLife))
	body := "Found. Redirecting to " + loc
	h := w.Header()
	h.Set("Location", loc)
	h.Set("X-Linked-Etag", formatETag(f.sha256, fx.etag))
	h.Set("X-Linked-Size", strconv.FormatInt(f.size+fx.sizeDelta, 10))
	h.Set("ETag", `W/"`+GitBlobID([]byte(body))[:24]+`"`)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusFound)
	if r.Method != http.MethodHead {
		io.WriteString(w, body)
	}
}

// etagMatches reports whether an If-None-Match header names etag.
func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.Trim(strings.TrimPrefix(v, "W/"), `"`) == etag {
			return true
		}
	}
	return false
}

// cdnURL is a signed URL of an LFS blob on the CDN, valid until expires.
func (s *Server) cdnURL(sha, name string, expires time.Time) string {
	p := "/repos/" + sha[:2] + "/" + sha[2:4] + "/" + sha
	exp := strconv.FormatInt(expires.Unix(), 10)
	safe := strings.Map(func(c rune) rune {
		if c == '"' || c == '\\' || c < ' ' {
			return '_'
		}
		return c
	}, name)
	q := url.Values{
		"response-content-disposition": {`inline; filename*=UTF-8''` + url.PathEscape(name) + `; filename="` + safe + `";`},
		"Expires":                      {exp},
		"Key-Pair-Id":                  {"KHUBTEST"},
		"Signature":                    {s.sign(p, exp)},
	}
	return s.CDNURL + p + "?" + q.Encode()
}

func (s *Server) sign(p, expires string) string {
	m := hmac.New(sha256.New, s.secret)
	io.WriteString(m, p+"\x00"+expires)
	return hex.EncodeToString(m.Sum(nil))
}

// serveContent sends a file's bytes with its ETag, honouring Range (206,
// 416) and, when gz allows it, gzip.
func (s *Server) serveContent(w http.ResponseWriter, r *http.Request, fx effects, f *file, gz bool) {
	h := w.Header()
	h.Set("ETag", formatETag(f.etag(), fx.etag))
	h.Set("Accept-Ranges", "bytes")
	start, end, kind := parseRange(r.Header.Get("Range"), f.size)
	if fx.ignoreRange {
		start, end, kind = 0, 0, rangeNone
	}
	if kind == rangeUnsatisfiable {
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(f.size, 10))
		writeError(w, r, &hubError{status: http.StatusRequestedRangeNotSatisfiable, message: "Requested Range Not Satisfiable"})
		return
	}
	status, n := http.StatusOK, f.size
	if kind == rangeSatisfiable {
		status, n = http.StatusPartialContent, end-start+1
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(f.size, 10))
	}
	gz = gz && status == http.StatusOK && r.Method == http.MethodGet && acceptsGzip(r)
	if gz {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
	} else {
		h.Set("Content-Length", strconv.FormatInt(max(n+fx.sizeDelta, 0), 10))
	}
	content, closer, err := f.open()
	if err != nil {
		writeError(w, r, &hubError{status: http.StatusInternalServerError, message: "Internal Error"})
		return
	}
	defer closer.Close()
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	// A size that lies low cuts the body, so the response still looks whole.
	m := min(n, max(n+fx.sizeDelta, 0))
	dst := faultWriter(w, r, fx)
	if gz {
		zw := gzip.NewWriter(dst)
		defer zw.Close()
		dst = zw
	}
	if f.diskPath == "" && !fx.corrupt {
		writeSlices(dst, f.data[start:start+m])
		return
	}
	copyBody(dst, io.NewSectionReader(content, start, m), start, fx.corrupt)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(v), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// textTypes are the content types of the files the Hub serves as text.
var textTypes = map[string]string{
	".json": "application/json; charset=utf-8", ".jsonl": "text/plain; charset=utf-8",
	".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
	".py": "text/x-python; charset=utf-8", ".yaml": "text/yaml; charset=utf-8", ".yml": "text/yaml; charset=utf-8",
	".csv": "text/csv; charset=utf-8", ".tsv": "text/tab-separated-values; charset=utf-8",
	".gitattributes": "text/plain; charset=utf-8", ".html": "text/html; charset=utf-8",
	".xml": "text/xml; charset=utf-8", ".cfg": "text/plain; charset=utf-8", ".toml": "text/plain; charset=utf-8",
}

func isText(name string) bool { return textTypes[path.Ext(name)] != "" }

func contentType(name string) string {
	if t := textTypes[path.Ext(name)]; t != "" {
		return t
	}
	return "application/octet-stream"
}
