package hub

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
)

// Version is the hfgo version sent in the user agent.
const Version = "0.1.0"

// Default parallel download settings: a file of at least
// DefaultParallelThreshold bytes starts as one stream and, if that stream
// proves slow (under 200 MB/s after a quarter of a second, with the client
// keeping up), the rest is fetched as DefaultParallelParts ranged parts at
// once, each on its own connection. WithParallelDownload fetches in parts
// from the start.
const (
	DefaultParallelThreshold int64 = 64 << 20
	DefaultParallelParts           = 8
	// DefaultMaxWorkers is how many files a snapshot download fetches at
	// once, as in huggingface_hub.
	DefaultMaxWorkers = 8
)

// Client talks to the Hub and reads and writes the local cache. It is safe
// for concurrent use. The zero-config client (NewClient()) behaves like
// huggingface_hub: endpoint, cache, token and offline mode come from the
// environment.
type Client struct {
	endpoint        string
	endpointHost    string // host:port of the endpoint, with the default port filled in
	cacheDir        string
	token           string
	offline         bool
	noSymlinks      bool
	userAgent       string
	retry           RetryPolicy
	partThreshold   int64
	parts           int
	forceParts      bool          // parts from the start, not only after a slow stream
	probeTime       time.Duration // how long a stream runs before its rate is judged
	fastStream      float64       // bytes per second from which one stream is kept
	etagTimeout     time.Duration
	downloadTimeout time.Duration
	logger          *slog.Logger
	rc              *resty.Client

	// fs is the file system hook the download path writes through; tests
	// replace it to simulate a full disk.
	fs fileSystem

	symlinkOnce sync.Map // cache dir -> *symlinkProbe
}

// Option configures a Client.
type Option func(*options)

type options struct {
	getenv          func(string) string
	endpoint        *string
	cacheDir        *string
	token           *string
	offline         *bool
	symlinks        *bool
	httpClient      *http.Client
	userAgent       string
	retry           *RetryPolicy
	partThreshold   *int64
	parts           *int
	etagTimeout     time.Duration
	downloadTimeout time.Duration
	logger          *slog.Logger
	fs              fileSystem
}

// WithEnv reads the environment through getenv instead of os.Getenv.
func WithEnv(getenv func(string) string) Option {
	return func(o *options) { o.getenv = getenv }
}

// WithEndpoint sets the Hub address (default HF_ENDPOINT, else
// https://huggingface.co). A path is kept: mirrors may live under one.
func WithEndpoint(endpoint string) Option {
	return func(o *options) { o.endpoint = &endpoint }
}

// WithCacheDir sets the Hub cache folder (default HF_HUB_CACHE, else
// HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub).
func WithCacheDir(dir string) Option {
	return func(o *options) { o.cacheDir = &dir }
}

// WithToken sets the access token, overriding HF_TOKEN and the token file.
// An empty token sends no credentials at all.
func WithToken(token string) Option {
	return func(o *options) { o.token = &token }
}

// WithOffline turns offline mode on or off (default HF_HUB_OFFLINE): offline,
// the client makes no request and answers from the cache only.
func WithOffline(offline bool) Option {
	return func(o *options) { o.offline = &offline }
}

// WithSymlinks says whether snapshots may use symlinks (default: yes unless
// HF_HUB_DISABLE_SYMLINKS is set or the file system refuses them). Without
// symlinks a new blob is moved into the snapshot and an existing one copied.
func WithSymlinks(enabled bool) Option {
	return func(o *options) { o.symlinks = &enabled }
}

// WithHTTPClient sends requests through hc (its Transport, proxy and TLS
// settings). The client's redirect policy is replaced on a copy, so hc itself
// is not modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) { o.httpClient = hc }
}

// WithUserAgent appends s to the user agent ("hfgo/<version>; go/<version>; s").
func WithUserAgent(s string) Option {
	return func(o *options) { o.userAgent = s }
}

// WithRetryPolicy sets how failed requests are retried.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(o *options) { o.retry = &p }
}

// WithParallelDownload fetches files of at least threshold bytes as parts
// ranged requests at once, from the start (the default starts one stream
// and adds parts only when it is slow). parts <= 1 turns parallel
// downloads off: every file comes in one stream.
func WithParallelDownload(threshold int64, parts int) Option {
	return func(o *options) { o.partThreshold = &threshold; o.parts = &parts }
}

// WithTimeouts sets how long to wait for file metadata and for each read of
// a download (default 10 s each, or HF_HUB_ETAG_TIMEOUT and
// HF_HUB_DOWNLOAD_TIMEOUT).
func WithTimeouts(metadata, read time.Duration) Option {
	return func(o *options) { o.etagTimeout = metadata; o.downloadTimeout = read }
}

// WithLogger receives the client's diagnostics (retries, resumed downloads,
// lock waits). The default discards them.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// NewClient returns a Client configured from the environment, then opts.
func NewClient(opts ...Option) (*Client, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.getenv == nil {
		o.getenv = os.Getenv
	}
	env := readEnvironment(o.getenv)
	c := &Client{
		endpoint:        env.endpoint,
		cacheDir:        env.cacheDir,
		offline:         env.offline,
		noSymlinks:      env.disableSymlinks,
		etagTimeout:     env.etagTimeout,
		downloadTimeout: env.downloadTimeout,
		partThreshold:   DefaultParallelThreshold,
		parts:           DefaultParallelParts,
		probeTime:       defaultProbeTime,
		fastStream:      defaultFastStream,
		logger:          o.logger,
		fs:              osFS{},
	}
	if !env.disableImplicitToken {
		c.token = env.token
	}
	if err := c.applyOptions(&o); err != nil {
		return nil, err
	}
	u, err := url.Parse(c.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: endpoint %q is not an http(s) URL", ErrInvalidArgument, c.endpoint)
	}
	c.endpointHost = hostPort(u)
	c.userAgent = fmt.Sprintf("hfgo/%s; go/%s", Version, strings.TrimPrefix(runtime.Version(), "go"))
	if o.userAgent != "" {
		c.userAgent += "; " + o.userAgent
	}
	c.rc = c.newResty(o.httpClient)
	return c, nil
}

func (c *Client) applyOptions(o *options) error {
	if o.endpoint != nil {
		c.endpoint = strings.TrimRight(*o.endpoint, "/")
	}
	if o.cacheDir != nil {
		if *o.cacheDir == "" {
			return fmt.Errorf("%w: empty cache dir", ErrInvalidArgument)
		}
		c.cacheDir = *o.cacheDir
	}
	if o.token != nil {
		c.token = strings.TrimSpace(*o.token)
	}
	if o.offline != nil {
		c.offline = *o.offline
	}
	if o.symlinks != nil {
		c.noSymlinks = !*o.symlinks
	}
	if o.retry != nil {
		c.retry = *o.retry
	}
	if o.partThreshold != nil {
		c.partThreshold, c.parts, c.forceParts = *o.partThreshold, *o.parts, true
	}
	if o.etagTimeout > 0 {
		c.etagTimeout = o.etagTimeout
	}
	if o.downloadTimeout > 0 {
		c.downloadTimeout = o.downloadTimeout
	}
	if o.fs != nil {
		c.fs = o.fs
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.retry = c.retry.withDefaults()
	return nil
}

// newResty builds the HTTP client: a copy of hc (or a transport tuned for
// parallel downloads) whose redirects never carry credentials to another
// host or port.
func (c *Client) newResty(hc *http.Client) *resty.Client {
	var h http.Client
	if hc != nil {
		h = *hc
	} else {
		h.Transport = defaultTransport()
	}
	h.Jar = nil
	rc := resty.NewWithClient(&h)
	rc.SetRedirectPolicy(resty.RedirectPolicyFunc(c.checkRedirect))
	rc.SetDisableWarn(true)
	rc.SetLogger(quietLogger{})
	rc.SetHeader("User-Agent", c.userAgent)
	return rc
}

// defaultTransport is http.DefaultTransport's settings with HTTP/1.1 only
// (so parallel parts use separate connections, each with its own
// bandwidth) and enough idle connections for parallel workers.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// Endpoint returns the Hub address the client uses.
func (c *Client) Endpoint() string { return c.endpoint }

// CacheDir returns the Hub cache folder the client uses.
func (c *Client) CacheDir() string { return c.cacheDir }

// Offline reports whether the client is in offline mode.
func (c *Client) Offline() bool { return c.offline }

// HasToken reports whether the client sends a token.
func (c *Client) HasToken() bool { return c.token != "" }

// String describes the client without its token.
func (c *Client) String() string {
	tok := "none"
	if c.token != "" {
		tok = "set"
	}
	return fmt.Sprintf("hub.Client{endpoint: %s, cache: %s, token: %s, offline: %t}", c.endpoint, c.cacheDir, tok, c.offline)
}

// GoString is String, so %#v does not print the token either.
func (c *Client) GoString() string { return c.String() }

// quietLogger silences resty.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// hostPort is u's host:port with the scheme's default port made explicit.
func hostPort(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(net.JoinHostPort(host, port))
}
