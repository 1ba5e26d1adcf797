package hubtest

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake Hub and its CDN. Its methods are safe for concurrent use,
// also while it serves requests.
type Server struct {
	// URL is the Hub endpoint, base path included, without a trailing "/":
	// what a client takes as HF_ENDPOINT.
	URL string
	// CDNURL is the CDN's root URL. Its host name differs from the Hub's
	// (localhost against 127.0.0.1), as the real CDN's does.
	CDNURL string

	cfg      config
	hub, cdn *httptest.Server
	stop     context.CancelFunc // cancels the requests in flight
	secret   []byte
	reqID    atomic.Int64

	mu      sync.RWMutex
	repos   map[repoKey]*repo
	moved   map[repoKey]repoKey // renamed repo -> its new key
	blobs   map[string]*file    // LFS sha256 -> a file with that content
	tokens  map[string]map[repoKey]bool
	commits int // commits made, for their timestamps

	faults faultSet
	log    requestLog
}

type config struct {
	basePath   string
	pageSize   int
	gzip       bool
	rejectAuth bool
	observe    func(Request)
	keepLog    bool
	urlLife    time.Duration
	dirs       []string
}

// Option configures a Server.
type Option func(*config)

// WithBasePath mounts the Hub under a path ("/mirror"), so a client that
// builds absolute paths instead of joining them to the endpoint fails.
func WithBasePath(p string) Option {
	return func(c *config) { c.basePath = "/" + strings.Trim(p, "/") }
}

// WithPageSize sets how many entries a tree listing page holds (the Hub's
// default is 1000), so tests paginate small repos.
func WithPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.pageSize = n
		}
	}
}

// WithGzip sets whether the Hub gzips text files on a GET that accepts it,
// as the real Hub does (the default).
func WithGzip(on bool) Option { return func(c *config) { c.gzip = on } }

// WithCDNAuthRejected sets whether the CDN answers 400 to a request that
// carries an Authorization header, as a signed-URL object store does (the
// default). Either way such requests are in Requests.
func WithCDNAuthRejected(on bool) Option { return func(c *config) { c.rejectAuth = on } }

// WithCDNURLLifetime sets how long the signed CDN URLs in LFS redirects stay
// valid (an hour by default; under a second, they expire at once); the CDN
// answers 403 to an expired one.
func WithCDNURLLifetime(d time.Duration) Option { return func(c *config) { c.urlLife = d } }

// WithRequestLog sets whether Requests keeps every request (the default).
// A long-running mirror turns it off and watches requests WithObserver.
func WithRequestLog(keep bool) Option { return func(c *config) { c.keepLog = keep } }

// WithObserver calls f after each request, from the serving goroutine.
func WithObserver(f func(Request)) Option { return func(c *config) { c.observe = f } }

// WithDir loads the repos of a folder as LoadDir does. NewServer panics if
// the folder cannot be loaded; call LoadDir to get the error.
func WithDir(dir string) Option { return func(c *config) { c.dirs = append(c.dirs, dir) } }

// NewServer starts a Hub on http://127.0.0.1:<port> and its CDN on
// http://localhost:<port2>. Close it when done.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a Server that is not listening: call Start, or
// serve Handlers on addresses of your choice.
func NewUnstartedServer(opts ...Option) *Server {
	s := &Server{
		cfg:    config{pageSize: 1000, gzip: true, rejectAuth: true, keepLog: true, urlLife: time.Hour},
		repos:  map[repoKey]*repo{},
		moved:  map[repoKey]repoKey{},
		blobs:  map[string]*file{},
		tokens: map[string]map[repoKey]bool{},
		secret: make([]byte, 32),
	}
	rand.Read(s.secret)
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.basePath == "/" {
		s.cfg.basePath = ""
	}
	for _, d := range s.cfg.dirs {
		if err := s.LoadDir(d); err != nil {
			panic(err)
		}
	}
	return s
}

// Start listens on 127.0.0.1 (the Hub) and localhost (the CDN), on ports
// the system picks.
func (s *Server) Start() {
	s.hub = httptest.NewUnstartedServer(nil)
	s.cdn = httptest.NewUnstartedServer(nil)
	hubURL := "http://" + s.hub.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(s.cdn.Listener.Addr().String())
	cdnURL := "http://localhost:" + port
	s.hub.Config.Handler, s.cdn.Config.Handler = s.Handlers(hubURL, cdnURL)
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	base := func(net.Listener) context.Context { return ctx }
	s.hub.Config.BaseContext, s.cdn.Config.BaseContext = base, base
	s.hub.Start()
	s.cdn.Start()
}

// Handlers returns the Hub and CDN handlers for a Server that is served
// elsewhere: hubURL is the Hub's root (the base path is added to it) and
// cdnURL the CDN's, as clients reach them. It sets URL and CDNURL.
func (s *Server) Handlers(hubURL, cdnURL string) (hub, cdn http.Handler) {
	s.URL = strings.TrimSuffix(hubURL, "/") + s.cfg.basePath
	s.CDNURL = strings.TrimSuffix(cdnURL, "/")
	return s.recorded(Hub, s.serveHub), s.recorded(CDN, s.serveCDN)
}

// Close shuts the Hub and CDN down: requests in flight that a fault holds
// (stalled, delayed, throttled) are canceled, and Close waits for them.
func (s *Server) Close() {
	if s.hub != nil {
		s.stop()
		s.hub.Close()
		s.cdn.Close()
	}
}
