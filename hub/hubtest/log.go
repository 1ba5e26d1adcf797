package hubtest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Request is one request a Server received.
type Request struct {
	Host   Host          // Hub or CDN
	Method string        // "GET", "HEAD"...
	Path   string        // unescaped path, base path included
	URL    string        // path and query as sent
	Header http.Header   // the request's headers
	Status int           // the status answered; 0 before the headers are sent
	Bytes  int64         // body bytes sent so far
	Took   time.Duration // 0 while the request is in flight
}

type requestLog struct {
	mu   sync.Mutex
	list []*Request
}

// Requests returns the requests received so far, oldest first. Status and
// Bytes of a request in flight are those sent so far.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.list))
	for i, r := range s.log.list {
		out[i] = *r
		out[i].Header = r.Header.Clone()
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.list = nil
}

// recorded wraps a handler: it logs the request, gives it a request id and
// applies the faults that match it.
func (s *Server) recorded(host Host, h func(http.ResponseWriter, *http.Request, effects)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &Request{Host: host, Method: r.Method, Path: r.URL.Path, URL: r.URL.RequestURI(), Header: r.Header.Clone()}
		if s.cfg.keepLog {
			s.log.mu.Lock()
			s.log.list = append(s.log.list, rec)
			s.log.mu.Unlock()
		}
		rw := &recordingWriter{ResponseWriter: w, log: &s.log, rec: rec}
		defer func() {
			s.log.mu.Lock()
			rec.Took = max(time.Since(start), 1)
			done := *rec
			s.log.mu.Unlock()
			if s.cfg.observe != nil {
				s.cfg.observe(done)
			}
		}()
		// Python's errors quote these ids; the Hub and its CDN each send one.
		if id := s.reqID.Add(1); host == Hub {
			w.Header().Set("X-Request-Id", fmt.Sprintf("Root=1-%08x-%024x", id, start.UnixNano()))
		} else {
			w.Header().Set("X-Amz-Cf-Id", fmt.Sprintf("hubtest-%08x-%x", id, start.UnixNano()))
		}
		fx := s.faults.take(host, r, r.URL.Path)
		if !answerFault(rw, r, host, fx) {
			h(rw, r, fx)
		}
	})
}

// answerFault applies the faults that act before the handler: extra
// headers, a delay, a reset connection, an error status. It reports whether
// the request was answered.
func answerFault(w http.ResponseWriter, r *http.Request, host Host, fx effects) bool {
	for k, v := range fx.header {
		w.Header()[k] = v
	}
	if fx.delay > 0 && !sleep(r, fx.delay) {
		return true
	}
	if fx.reset {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	if fx.status == 0 {
		return false
	}
	if fx.retryAfter != "" {
		w.Header().Set("Retry-After", fx.retryAfter)
	}
	text := http.StatusText(fx.status)
	if host == CDN {
		writeCDNError(w, r, fx.status, strings.ReplaceAll(text, " ", ""), text)
	} else {
		writeError(w, r, &hubError{status: fx.status, message: text})
	}
	return true
}

// sleep waits d or until the request is canceled; it reports whether the
// whole wait elapsed.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// recordingWriter records the status and counts the body bytes as they
// are sent.
type recordingWriter struct {
	http.ResponseWriter
	log         *requestLog
	rec         *Request
	wroteHeader bool
}

func (w *recordingWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		w.log.mu.Lock()
		w.rec.Status = code
		w.log.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.log.mu.Lock()
	w.rec.Bytes += int64(n)
	w.log.mu.Unlock()
	return n, err
}

// Flush sends what was written so far.
func (w *recordingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
