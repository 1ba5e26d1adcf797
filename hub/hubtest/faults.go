package hubtest

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Host names one of a Server's two listeners.
type Host int

// The listeners. AnyHost matches both in a Fault.
const (
	AnyHost Host = iota
	Hub
	CDN
)

// String returns "hub", "cdn" or "any".
func (h Host) String() string {
	switch h {
	case Hub:
		return "hub"
	case CDN:
		return "cdn"
	}
	return "any"
}

// ETagStyle is how ETag and X-Linked-Etag values are written.
type ETagStyle int

// ETag styles: the Hub's quoted "<etag>", a weak W/"<etag>", or bare.
const (
	ETagQuoted ETagStyle = iota
	ETagWeak
	ETagBare
)

// A Fault makes matching requests misbehave. A request matches when Host,
// Method and Path match; the first Times matching requests are affected (all
// of them when Times is 0). Several faults may affect one request.
type Fault struct {
	Host   Host   // AnyHost, Hub or CDN
	Method string // "GET", "HEAD"...; "" for any
	// Path matches the end of the request's unescaped path: a file name
	// ("model.safetensors") matches its resolves, an LFS sha256 its CDN
	// requests, "/tree/main" the tree listings of main. "" matches all.
	Path  string
	Times int

	// Delay waits before answering (a slow Hub or CDN).
	Delay time.Duration
	// Status answers with this status (429, 500, 502, 503, 504...) and an
	// {"error": ...} body instead of serving the request.
	Status int
	// RetryAfter is sent as the Retry-After header of a Status answer.
	RetryAfter string
	// Header is added to the answer, such as RateLimit: "api";r=0;t=55.
	Header http.Header
	// Reset closes the connection without answering: a network error, also
	// for HEAD requests. Go's transport silently retries a GET or HEAD once
	// when this happens on a reused connection.
	Reset bool
	// Drop closes the connection once DropAfter bytes of the body are sent
	// (never, if the body is shorter).
	Drop      bool
	DropAfter int64
	// Stall stops sending once StallAfter bytes of the body are sent and
	// holds the connection open until the client gives up (a read timeout).
	Stall      bool
	StallAfter int64
	// IgnoreRange answers a Range request with the whole body (200), as
	// some servers do: the client must start over.
	IgnoreRange bool
	// BytesPerSecond limits the body's rate, per response (so per
	// connection): parallel ranged downloads beat one stream.
	BytesPerSecond int64
	// SizeDelta is added to the sizes announced (X-Linked-Size,
	// Content-Length) while the body stays the file's.
	SizeDelta int64
	// Corrupt flips the bits of every byte of the body at an offset that is
	// a multiple of 4096, so the content no longer matches its ETag.
	Corrupt bool
	// MalformedJSON cuts API answers in the middle of their JSON.
	MalformedJSON bool
	// TreeEntries adds files of these paths (such as "../escape",
	// "/abs/path", `C:\x`) to tree listings and repo info siblings.
	TreeEntries []string
	// ETag sets how ETag and X-Linked-Etag are written.
	ETag ETagStyle
}

// FaultHandle counts the requests a Fault affected and removes it.
type FaultHandle struct {
	f    Fault
	hits atomic.Int64
	set  *faultSet
}

// Hits returns how many requests the fault has affected.
func (h *FaultHandle) Hits() int { return int(h.hits.Load()) }

// Remove stops the fault.
func (h *FaultHandle) Remove() { h.set.remove(h) }

type faultSet struct {
	mu   sync.Mutex
	list []*FaultHandle
}

func (fs *faultSet) remove(h *FaultHandle) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, x := range fs.list {
		if x == h {
			fs.list = append(fs.list[:i], fs.list[i+1:]...)
			return
		}
	}
}

// AddFault makes the requests f matches misbehave, and returns a handle
// that counts them.
func (s *Server) AddFault(f Fault) *FaultHandle {
	h := &FaultHandle{f: f, set: &s.faults}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = append(s.faults.list, h)
	return h
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

// effects is what the faults matching one request do to it.
type effects struct {
	delay         time.Duration
	status        int
	retryAfter    string
	header        http.Header
	reset         bool
	drop          bool
	dropAfter     int64
	stall         bool
	stallAfter    int64
	ignoreRange   bool
	rate          int64
	sizeDelta     int64
	corrupt       bool
	malformedJSON bool
	treeEntries   []string
	etag          ETagStyle
}

// take consumes the faults that match a request and merges their effects.
func (fs *faultSet) take(host Host, r *http.Request, path string) effects {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var e effects
	kept := fs.list[:0]
	for _, h := range fs.list {
		f := h.f
		if (f.Host != AnyHost && f.Host != host) || (f.Method != "" && f.Method != r.Method) ||
			!strings.HasSuffix(path, f.Path) {
			kept = append(kept, h)
			continue
		}
		if n := h.hits.Add(1); f.Times == 0 || int(n) < f.Times {
			kept = append(kept, h)
		}
		e.merge(f)
	}
	clear(fs.list[len(kept):])
	fs.list = kept
	return e
}

func (e *effects) merge(f Fault) {
	e.delay += f.Delay
	for k, v := range f.Header {
		if e.header == nil {
			e.header = http.Header{}
		}
		e.header[k] = append(e.header[k], v...)
	}
	if f.Status != 0 {
		e.status, e.retryAfter = f.Status, f.RetryAfter
	}
	e.reset = e.reset || f.Reset
	if f.Drop {
		e.drop, e.dropAfter = true, max(f.DropAfter, 0)
	}
	if f.Stall {
		e.stall, e.stallAfter = true, max(f.StallAfter, 0)
	}
	e.ignoreRange = e.ignoreRange || f.IgnoreRange
	if f.BytesPerSecond > 0 {
		e.rate = f.BytesPerSecond
	}
	e.sizeDelta += f.SizeDelta
	e.corrupt = e.corrupt || f.Corrupt
	e.malformedJSON = e.malformedJSON || f.MalformedJSON
	e.treeEntries = append(e.treeEntries, f.TreeEntries...)
	if f.ETag != ETagQuoted {
		e.etag = f.ETag
	}
}

// formatETag writes an etag value in a style.
func formatETag(v string, st ETagStyle) string {
	switch st {
	case ETagWeak:
		return `W/"` + v + `"`
	case ETagBare:
		return v
	}
	return `"` + v + `"`
}
